"""Nearest neighbours and memorisation (lesson 08): is a generator copying its training images?

* :func:`nearest_neighbours`: exact Euclidean k-nearest neighbours, batched,
  for arrays of any shape (images are flattened).
* :func:`memorisation`: each sample's distance to its nearest training image,
  compared with the same distance for *held-out* digits, i.e. how close a new
  real digit usually is to the training set; :func:`memorisation_summary` and
  :func:`show_closest_pairs` print and draw it.

The k-NN ball metrics built on these distances (precision/recall,
density/coverage) are in :mod:`gan_lib.measure.evaluate`. Every function takes
NumPy arrays (or anything ``np.asarray`` accepts) and returns NumPy values;
nothing here trains.
"""

from __future__ import annotations

import numpy as np

from gan_lib.core.config import positive_int

#: Percentiles of the held-out digits' nearest-training-image distances that
#: :func:`memorisation` reports shares below (1 % and 5 %: a generator that
#: draws new digits puts about 1 % and 5 % of its samples below them).
PERCENTILES = (1, 5)


# --------------------------------------------------------------------------- input checks


def as_rows(x, name: str) -> np.ndarray:
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


def check_same_width(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str, shape_a, shape_b) -> None:
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"{name_a} items have {a.shape[1]} values each (shape {tuple(shape_a)}), "
                         f"{name_b} items {b.shape[1]} (shape {tuple(shape_b)}); compare like with like "
                         "(same image shape, or the same feature extractor for both).")


def squared_distances(q: np.ndarray, r: np.ndarray, r_sq: np.ndarray) -> np.ndarray:
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
    q, r = as_rows(queries, "queries"), as_rows(references, "references")
    check_same_width(q, r, "queries", "references", np.shape(queries), np.shape(references))
    k, batch_size = positive_int("k", k), positive_int("batch_size", batch_size)
    if k > len(r):
        raise ValueError(f"k={k} but there are only {len(r)} references; use k <= {len(r)}.")
    r_sq = np.sum(r * r, axis=1)
    r32 = r.astype(np.float32)  # float32 product to find candidates fast; exact float64 re-ranking below
    dist = np.empty((len(q), k), np.float64)
    idx = np.empty((len(q), k), np.int64)
    cand = min(len(r), k + 16)  # spare candidates, re-ranked with exact differences below
    for s in range(0, len(q), batch_size):
        block = q[s:s + batch_size]
        d2 = squared_distances(block, r32, r_sq)
        if cand < len(r):
            part = np.argpartition(d2, cand - 1, axis=1)[:, :cand]
        else:
            part = np.tile(np.arange(len(r)), (len(block), 1))
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
            from gan_lib.measure import classifier  # TensorFlow, only when these features are asked for

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
        as_rows(x, label)  # clear errors before any feature extraction
    if len(held_out_images) < 2:
        raise ValueError(f"held_out_images has {len(held_out_images)} item(s); percentiles need at least 2 "
                         "(use a few hundred held-out digits).")
    pcts = tuple(float(p) for p in percentiles)
    if not pcts or any(not 0 < p < 100 for p in pcts):
        raise ValueError(f"percentiles={percentiles!r}: give one or more numbers strictly between 0 and 100.")
    n_closest = positive_int("n_closest", n_closest)
    s, t, h = (as_rows(fn(x), label) for label, x in
               (("samples", samples), ("train_images", train_images), ("held_out_images", held_out_images)))
    check_same_width(s, t, "samples", "train_images", np.shape(samples), np.shape(train_images))
    check_same_width(h, t, "held_out_images", "train_images", np.shape(held_out_images), np.shape(train_images))
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
    import matplotlib.pyplot as plt  # only for this figure: measuring needs no plotting library

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
