"""Evaluating generative models beyond one number (lesson 08).

:mod:`gan_lib.measure.metrics` holds the course's protocol (Frechet distance, class
shares, classifier score at n = 2,000). This module adds the checks that say
*what kind* of wrong a generator is:

* :func:`nearest_neighbours`: exact Euclidean k-nearest neighbours, batched,
  for arrays of any shape (images are flattened).
* :func:`memorisation`: is a generator copying its training images? Each
  sample's distance to its nearest training image is compared with the same
  distance for *held-out* digits, i.e. how close a new real digit usually is
  to the training set.
* :func:`precision_recall`: improved precision and recall of Kynkaanniemi et
  al., "Improved Precision and Recall Metric for Assessing Generative Models"
  (NeurIPS 2019): precision is the share of samples that fall inside the real
  data's k-NN manifold (quality), recall the share of real data inside the
  samples' manifold (coverage).
* :func:`density_coverage`: density and coverage of Naeem et al., "Reliable
  Fidelity and Diversity Metrics for Generative Models" (ICML 2020), the same
  balls made robust to real outliers (one outlier's huge ball can make an
  untrained generator's precision 1).
* :func:`fd_by_sample_size` and :func:`fd_extrapolate`: the Frechet distance
  (:func:`gan_lib.measure.metrics.frechet_distance`) is biased upwards at small n;
  computing it at several n shows the bias, and a straight-line fit in 1/n
  estimates the value at infinite n (Chong & Forsyth, "Effectively Unbiased
  FID and Inception Score and where to find them", CVPR 2020).

Every function takes NumPy arrays (or anything ``np.asarray`` accepts) and
returns NumPy values; nothing here trains.
"""

from __future__ import annotations

import math

import numpy as np

from gan_lib.measure.metrics import frechet_distance

#: Percentiles of the held-out digits' nearest-training-image distances that
#: :func:`memorisation` reports shares below (1 % and 5 %: a generator that
#: draws new digits puts about 1 % and 5 % of its samples below them).
PERCENTILES = (1, 5)


# --------------------------------------------------------------------------- input checks


def _as_rows(x, name: str) -> np.ndarray:
    """``x`` as a float64 array (N, D): one flattened row per item, N >= 1, finite."""
    try:
        a = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} should be a numeric array, got {type(x).__name__}.") from None
    if a.ndim == 0:
        raise ValueError(f"{name} is a single number; give an array of items, shape (N, ...).")
    if a.ndim == 1:
        raise ValueError(f"{name} has shape {a.shape}: one axis only. Give items along the first axis, "
                         "e.g. (N, D) feature vectors or (N, 28, 28, 1) images; for one item use x[None].")
    if len(a) == 0:
        raise ValueError(f"{name} is empty (shape {a.shape}); it needs at least one item.")
    a = a.reshape(len(a), -1)
    if a.shape[1] == 0:
        raise ValueError(f"{name} has shape {np.shape(x)}: items with no values.")
    if not np.all(np.isfinite(a)):
        bad = int(np.sum(~np.all(np.isfinite(a), axis=1)))
        raise ValueError(f"{name} has {bad} item(s) with NaN or infinite values; a diverged generator? "
                         "Drop them or fix the model before measuring distances.")
    return a


def _same_width(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str, shape_a, shape_b) -> None:
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"{name_a} items have {a.shape[1]} values each (shape {tuple(shape_a)}), "
                         f"{name_b} items {b.shape[1]} (shape {tuple(shape_b)}); compare like with like "
                         "(same image shape, or the same feature extractor for both).")


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name}={value!r}: use a whole number of at least 1.")
    return int(value)


def _real_fake_args(real_features, fake_features, k, batch_size):
    """Validate the arguments of the k-NN ball metrics: two row sets of one width, whole k and batch."""
    real = _as_rows(real_features, "real_features")
    fake = _as_rows(fake_features, "fake_features")
    _same_width(real, fake, "real_features", "fake_features", np.shape(real_features), np.shape(fake_features))
    return real, fake, _positive_int("k", k), _positive_int("batch_size", batch_size)


def _squared_distances(q: np.ndarray, r: np.ndarray, r_sq: np.ndarray) -> np.ndarray:
    """``||q_i - r_j||^2`` for a block of queries, via ``|q|^2 + |r|^2 - 2 q.r`` (clipped at 0).

    The product ``q.r`` is taken in the dtype of ``r`` (float32 for the candidate
    search of :func:`nearest_neighbours`, which then re-ranks exactly).
    """
    d = np.sum(q * q, axis=1)[:, None] + r_sq[None, :] - 2.0 * (q.astype(r.dtype) @ r.T)
    return np.maximum(d, 0.0)


# --------------------------------------------------------------------------- nearest neighbours


def nearest_neighbours(queries, references, k: int = 1, batch_size: int = 256):
    """The ``k`` nearest references of every query, by exact Euclidean distance.

    Items may have any shape (images ``(N, 28, 28, 1)``, features ``(N, D)``);
    each is flattened to one vector. Distances are ``||q - r||_2`` over all
    values; queries go through in blocks of ``batch_size`` so memory stays
    ``batch_size x len(references)`` numbers.

    Args:
        queries: array ``(n, ...)``.
        references: array ``(m, ...)`` whose items have as many values as a query's.
        k: neighbours per query, ``1 <= k <= m``.
        batch_size: queries per block.

    Returns:
        ``(distances, indices)``, both shape ``(n, k)``: ``distances[i, j]`` is
        the distance from query ``i`` to its ``j``-th nearest reference
        ``references[indices[i, j]]``, in increasing order (ties: lower index
        first). An identical item has distance exactly 0.

    To find each item's nearest *other* item of the same set, ask for ``k + 1``
    and drop the first column (the item itself, at distance 0).
    """
    q, r = _as_rows(queries, "queries"), _as_rows(references, "references")
    _same_width(q, r, "queries", "references", np.shape(queries), np.shape(references))
    k, batch_size = _positive_int("k", k), _positive_int("batch_size", batch_size)
    if k > len(r):
        raise ValueError(f"k={k} but there are only {len(r)} references; use k <= {len(r)}.")
    r_sq = np.sum(r * r, axis=1)
    r32 = r.astype(np.float32)  # float32 product to find candidates fast; exact float64 re-ranking below
    dist = np.empty((len(q), k), np.float64)
    idx = np.empty((len(q), k), np.int64)
    cand = min(len(r), k + 16)  # spare candidates, re-ranked with exact differences below
    for s in range(0, len(q), batch_size):
        block = q[s:s + batch_size]
        d2 = _squared_distances(block, r32, r_sq)
        part = np.argpartition(d2, cand - 1, axis=1)[:, :cand] if cand < len(r) else np.tile(np.arange(len(r)), (len(block), 1))
        # Exact distances of the candidates (the expansion above can leave ~1e-6 on identical items).
        exact = np.sqrt(np.sum((block[:, None, :] - r[part]) ** 2, axis=2))
        order = np.lexsort((part, exact), axis=1)[:, :k]
        dist[s:s + len(block)] = np.take_along_axis(exact, order, axis=1)
        idx[s:s + len(block)] = np.take_along_axis(part, order, axis=1)
    return dist, idx


# --------------------------------------------------------------------------- memorisation


def _feature_fn(features):
    if features is None or features == "pixels":
        return "pixels", lambda x: x
    if features == "classifier":
        def classifier_features(x):
            from gan_lib.measure import classifier

            return classifier.features_and_probs(x)[0]
        return "classifier features (128-d)", classifier_features
    if callable(features):
        return getattr(features, "__name__", "custom features"), features
    raise ValueError(f"features={features!r}: use 'pixels' (default), 'classifier', or a function images -> (N, D).")


def memorisation(samples, train_images, held_out_images, features="pixels", percentiles=PERCENTILES,
                 n_closest: int = 8, batch_size: int = 256) -> dict:
    """Does a generator copy its training images? Nearest-training-image distances, calibrated.

    For every sample, the distance to its nearest training image; for every
    held-out image (real, never trained on), the same distance. The held-out
    distances say how close a *new* real digit typically comes to the training
    set, so they are the yardstick: a generator that makes new digits puts
    about 1 % of its samples below the held-out 1st percentile and about 5 %
    below the 5th; a generator that copies training images puts far more there
    (an exact copy has distance 0).

    Args:
        samples: generated items ``(n, ...)``.
        train_images: the generator's training set ``(m, ...)``.
        held_out_images: real items the generator never saw ``(h, ...)``, h >= 2.
        features: ``"pixels"`` (default: raw values, flattened), ``"classifier"``
            (the course classifier's 128-d features; MNIST images only) or a
            function ``images -> (N, D)``.
        percentiles: percentiles of the held-out distances to report shares below.
        n_closest: how many of the closest sample/training pairs to return (for plots).

    Returns:
        a dict: ``features`` (its name); ``sample_distances`` and
        ``sample_train_index`` (n,) (each sample's nearest training item);
        ``held_out_distances`` (h,); ``thresholds`` {p: held-out percentile};
        ``share_below`` {p: share of samples below it}; ``expected_share`` {p: p/100};
        ``flagged`` (n,) bool (below the lowest percentile); ``exact_copies``
        (samples at distance 0 up to rounding); ``median_sample``,
        ``median_held_out`` and ``median_ratio`` (sample over held-out, about 1
        for new digits, well below 1 for copies); ``closest`` (a list of
        ``(sample_index, train_index, distance)``, closest first).
    """
    name, fn = _feature_fn(features)
    for label, x in (("samples", samples), ("train_images", train_images), ("held_out_images", held_out_images)):
        _as_rows(x, label)  # clear errors before any feature extraction
    if len(held_out_images) < 2:
        raise ValueError(f"held_out_images has {len(held_out_images)} item(s); percentiles need at least 2 "
                         "(use a few hundred held-out digits).")
    pcts = tuple(float(p) for p in percentiles)
    if not pcts or any(not 0 < p < 100 for p in pcts):
        raise ValueError(f"percentiles={percentiles!r}: give one or more numbers strictly between 0 and 100.")
    n_closest = _positive_int("n_closest", n_closest)
    s, t, h = (_as_rows(fn(x), label) for label, x in
               (("samples", samples), ("train_images", train_images), ("held_out_images", held_out_images)))
    _same_width(s, t, "samples", "train_images", np.shape(samples), np.shape(train_images))
    _same_width(h, t, "held_out_images", "train_images", np.shape(held_out_images), np.shape(train_images))
    d_s, i_s = nearest_neighbours(s, t, k=1, batch_size=batch_size)
    d_h, _ = nearest_neighbours(h, t, k=1, batch_size=batch_size)
    d_s, i_s, d_h = d_s[:, 0], i_s[:, 0], d_h[:, 0]
    thresholds = {p: float(np.percentile(d_h, p)) for p in pcts}
    share = {p: float(np.mean(d_s < thr)) for p, thr in thresholds.items()}
    scale = max(float(np.median(d_h)), 1e-12)
    order = np.argsort(d_s, kind="stable")[:n_closest]
    return {
        "features": name,
        "n_samples": int(len(s)),
        "sample_distances": d_s,
        "sample_train_index": i_s,
        "held_out_distances": d_h,
        "thresholds": thresholds,
        "share_below": share,
        "expected_share": {p: p / 100 for p in pcts},
        "flagged": d_s < thresholds[min(pcts)],
        "exact_copies": int(np.sum(d_s <= 1e-6 * scale)),
        "median_sample": float(np.median(d_s)),
        "median_held_out": float(np.median(d_h)),
        "median_ratio": float(np.median(d_s) / scale),
        "closest": [(int(j), int(i_s[j]), float(d_s[j])) for j in order],
    }


def _ordinal(p: float) -> str:
    p = f"{p:g}"
    if p.endswith(("11", "12", "13")) or p[-1] not in "123":
        return p + "th"
    return p + {"1": "st", "2": "nd", "3": "rd"}[p[-1]]


def memorisation_summary(result: dict) -> str:
    """Two lines that print a result of :func:`memorisation`."""
    shares = ", ".join(f"{100 * result['share_below'][p]:.1f}% below the held-out {_ordinal(p)} percentile "
                       f"(new digits: {100 * result['expected_share'][p]:.0f}%)" for p in result["thresholds"])
    return (f"{result['features']}: {shares}\n"
            f"median distance to the nearest training image: samples {result['median_sample']:.2f}, "
            f"held-out digits {result['median_held_out']:.2f} (ratio {result['median_ratio']:.2f}); "
            f"exact copies: {result['exact_copies']} of {result['n_samples']}")


def show_closest_pairs(samples, train_images, result: dict, n: int | None = None, size: float = 1.1):
    """Each of the closest samples (top row) above its nearest training image (bottom row), with the distance."""
    import matplotlib.pyplot as plt

    pairs = result["closest"][:n] if n else result["closest"]
    fig, axes = plt.subplots(2, len(pairs), figsize=(size * len(pairs), 2.3 * size), squeeze=False)
    for c, (j, i, d) in enumerate(pairs):
        for r, img in enumerate((np.asarray(samples)[j], np.asarray(train_images)[i])):
            ax = axes[r, c]
            ax.imshow(np.squeeze(img), cmap="gray", vmin=-1, vmax=1)
            ax.set_xticks([]), ax.set_yticks([])
        axes[0, c].set_title(f"{d:.2f}", fontsize=8)
    axes[0, 0].set_ylabel("sample", fontsize=8)
    axes[1, 0].set_ylabel("train", fontsize=8)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- precision and recall


def _kth_radii(points: np.ndarray, k: int, batch_size: int) -> np.ndarray:
    """Distance from each point to its k-th nearest *other* point of the same set."""
    dist, _ = nearest_neighbours(points, points, k=k + 1, batch_size=batch_size)
    return dist[:, k]


def _inside_any_ball(queries: np.ndarray, centres: np.ndarray, radii: np.ndarray, batch_size: int) -> np.ndarray:
    """For each query: is it within ``radii[j]`` of some ``centres[j]``?"""
    c_sq = np.sum(centres * centres, axis=1)
    r2 = radii ** 2
    out = np.empty(len(queries), bool)
    for s in range(0, len(queries), batch_size):
        d2 = _squared_distances(queries[s:s + batch_size], centres, c_sq)
        # A tiny relative slack so that a point sitting exactly on a ball's edge counts as inside.
        out[s:s + batch_size] = np.any(d2 <= r2[None, :] * (1 + 1e-9) + 1e-12, axis=1)
    return out


def precision_recall(real_features, fake_features, k: int = 3, batch_size: int = 256) -> dict:
    """Improved precision and recall (Kynkaanniemi et al., NeurIPS 2019), with k-NN manifolds.

    Each real point ``r_i`` gets a ball whose radius is the distance to its
    ``k``-th nearest other real point; the union of the balls estimates the
    real manifold. The same is done for the generated points. Then

    * **precision** = share of generated points inside the real manifold
      (are the samples realistic?),
    * **recall** = share of real points inside the generated manifold
      (does the generator cover the data?).

    Identical sets give precision = recall = 1; sets far apart give 0; a
    generator that draws only one class of a ten-class dataset keeps a high
    precision but loses recall. Use the same feature space for both sets
    (the course uses the classifier's 128-d features) and equal sizes.

    Args:
        real_features: ``(n_real, ...)``, n_real > k.
        fake_features: ``(n_fake, ...)``, n_fake > k.
        k: the neighbour that sets each ball's radius (the paper uses 3).

    Returns:
        ``{"precision", "recall", "k", "n_real", "n_fake"}``.
    """
    real, fake, k, batch_size = _real_fake_args(real_features, fake_features, k, batch_size)
    for name, a in (("real_features", real), ("fake_features", fake)):
        if len(a) <= k:
            raise ValueError(f"{name} has {len(a)} items; the k-NN radius needs more than k={k} "
                             "(use hundreds to thousands of items).")
    r_real, r_fake = _kth_radii(real, k, batch_size), _kth_radii(fake, k, batch_size)
    precision = float(np.mean(_inside_any_ball(fake, real, r_real, batch_size)))
    recall = float(np.mean(_inside_any_ball(real, fake, r_fake, batch_size)))
    return {"precision": precision, "recall": recall, "k": k, "n_real": int(len(real)), "n_fake": int(len(fake))}


def density_coverage(real_features, fake_features, k: int = 5, batch_size: int = 256) -> dict:
    """Density and coverage (Naeem et al., "Reliable Fidelity and Diversity Metrics for Generative
    Models", ICML 2020): precision and recall made robust to outliers among the real points.

    With the same real k-NN balls as :func:`precision_recall` (radius ``r_i``: distance from
    real point ``x_i`` to its k-th nearest other real point):

    * **density** = ``(1 / (k M)) sum_j #{i : ||y_j - x_i|| <= r_i}`` over the M generated
      points ``y_j``: how many real balls each sample falls in, over k. About 1 when the
      samples are distributed like the real data; it can exceed 1 where samples crowd into
      dense real regions. One far-out real point with a huge ball no longer makes every
      sample count: such a sample lies in one ball, not in about k.
    * **coverage** = share of real balls that contain at least one generated point: are
      the neighbourhoods of all real points visited? (Not fooled by generated outliers.)

    Args:
        real_features: ``(n_real, ...)``, n_real > k.
        fake_features: ``(n_fake, ...)``.
        k: the neighbour that sets each ball's radius (the paper uses 5).

    Returns:
        ``{"density", "coverage", "k", "n_real", "n_fake"}``.
    """
    real, fake, k, batch_size = _real_fake_args(real_features, fake_features, k, batch_size)
    if len(real) <= k:
        raise ValueError(f"real_features has {len(real)} items; the k-NN radius needs more than k={k} "
                         "(use hundreds to thousands of items).")
    radii = _kth_radii(real, k, batch_size)
    r_sq, r2 = np.sum(real * real, axis=1), radii ** 2
    counts = np.zeros(len(fake), np.int64)
    covered = np.zeros(len(real), bool)
    for s in range(0, len(fake), batch_size):
        inside = _squared_distances(fake[s:s + batch_size], real, r_sq) <= r2[None, :] * (1 + 1e-9) + 1e-12
        counts[s:s + batch_size] = inside.sum(axis=1)
        covered |= inside.any(axis=0)
    return {"density": float(counts.sum() / (k * len(fake))), "coverage": float(covered.mean()), "k": k,
            "n_real": int(len(real)), "n_fake": int(len(fake))}


# --------------------------------------------------------------------------- Frechet distance vs n


def fd_by_sample_size(features_a, features_b, sizes, repeats: int = 3, seed: int = 0) -> list[dict]:
    """Frechet distance of random subsets of ``n`` items of each set, for every ``n`` in ``sizes``.

    For each size, ``repeats`` times: draw ``n`` items of each set without
    replacement and compute :func:`gan_lib.measure.metrics.frechet_distance`. FD is
    biased upwards at small n (the covariance estimates are noisy), so the
    same two distributions score higher with fewer samples; comparing models
    at different n is therefore unfair.

    Returns:
        one dict per size: ``{"n", "fd_mean", "fd_std", "fds"}`` (``fds``: the repeats).
    """
    a, b = _as_rows(features_a, "features_a"), _as_rows(features_b, "features_b")
    _same_width(a, b, "features_a", "features_b", np.shape(features_a), np.shape(features_b))
    repeats = _positive_int("repeats", repeats)
    sizes = [int(n) for n in np.atleast_1d(sizes)]
    if not sizes:
        raise ValueError("sizes is empty; give sample sizes such as [250, 500, 1000, 2000].")
    for n in sizes:
        if n < 2 or n > min(len(a), len(b)):
            raise ValueError(f"sample size {n}: use 2 <= n <= {min(len(a), len(b))} (the smaller set's size).")
    rng = np.random.default_rng(seed)
    rows = []
    for n in sizes:
        fds = [frechet_distance(a[rng.choice(len(a), n, replace=False)], b[rng.choice(len(b), n, replace=False)])
               for _ in range(repeats)]
        rows.append({"n": n, "fd_mean": float(np.mean(fds)), "fd_std": float(np.std(fds)), "fds": fds})
    return rows


def fd_extrapolate(rows) -> dict:
    """Fit ``FD(n) = FD_inf + c / n`` by least squares to rows of :func:`fd_by_sample_size`.

    The bias of FD is close to linear in ``1/n`` (Chong & Forsyth 2020), so the
    intercept estimates the FD of infinitely many samples: a fairer number to
    compare models evaluated at different n.

    Returns:
        ``{"fd_inf", "slope"}`` (``slope`` = c).
    """
    rows = list(rows)
    ns = sorted({r["n"] for r in rows})
    if len(ns) < 2:
        raise ValueError(f"Need rows at two or more different sample sizes to fit a line, got sizes {ns}.")
    x = np.array([1.0 / r["n"] for r in rows])
    y = np.array([r["fd_mean"] for r in rows])
    slope, intercept = np.polyfit(x, y, 1)
    return {"fd_inf": float(intercept), "slope": float(slope)}


# --------------------------------------------------------------------------- one model's scorecard


def scorecard(images, train_images, held_out_images, k: int = 3, n: int | None = None) -> dict:
    """Every number of lesson 08 for one set of MNIST images (samples or real digits).

    The course protocol (:func:`gan_lib.measure.metrics.evaluate`: FD against the
    held-out digits, classifier score, class shares), precision and recall,
    density and coverage in the classifier's feature space against the same
    held-out digits, and the
    pixel-space memorisation check against ``train_images``.

    Returns:
        a flat dict: ``n``, ``fd``, ``fd_floor``, ``classifier_score``,
        ``kl_to_uniform``, ``min_class_share``, ``precision``, ``recall`` (k = ``k``),
        ``density`` and ``coverage`` (k = 5, :func:`density_coverage`), ``memorised_1`` and ``memorised_5`` (shares below the held-out 1st/5th
        percentile), ``median_ratio``, ``exact_copies``.
    """
    from gan_lib.measure import classifier, metrics

    result = metrics.evaluate(images, n=n)
    n = result["n"]
    x = np.asarray(images)[:n]
    held = np.asarray(held_out_images)[:n]
    f_fake, _ = classifier.features_and_probs(x)
    f_real, _ = classifier.features_and_probs(held)
    pr = precision_recall(f_real, f_fake, k=k)
    dc = density_coverage(f_real, f_fake, k=5)
    mem = memorisation(x, train_images, held_out_images)
    return {
        "n": n,
        "fd": result["fd"],
        "fd_floor": result["fd_floor"],
        "classifier_score": result["classifier_score"],
        "kl_to_uniform": result["kl_to_uniform"],
        "min_class_share": float(min(result["class_shares"])),
        "precision": pr["precision"],
        "recall": pr["recall"],
        "density": dc["density"],
        "coverage": dc["coverage"],
        "memorised_1": mem["share_below"][1.0] if 1.0 in mem["share_below"] else math.nan,
        "memorised_5": mem["share_below"][5.0] if 5.0 in mem["share_below"] else math.nan,
        "median_ratio": mem["median_ratio"],
        "exact_copies": mem["exact_copies"],
    }


def format_table(rows: dict) -> str:
    """A fixed-width table of :func:`scorecard` results, one row per named model, in the given order."""
    head = (f"{'model':<26} {'FD':>6} {'score':>5} {'KL':>4} {'prec':>4} {'rec':>4} {'dens':>4} {'cov':>4} "
            f"{'<p1':>6} {'<p5':>6} {'dist':>4}")
    lines = [head, "-" * len(head)]
    for name, r in rows.items():
        lines.append(f"{name:<26} {r['fd']:6.1f} {r['classifier_score']:5.2f} {r['kl_to_uniform']:4.2f} "
                     f"{r['precision']:4.2f} {r['recall']:4.2f} {r['density']:4.2f} {r['coverage']:4.2f} "
                     f"{100 * r['memorised_1']:5.1f}% {100 * r['memorised_5']:5.1f}% {r['median_ratio']:4.2f}")
    return "\n".join(lines)
