"""Evaluating generative models beyond one number (lesson 08).

:mod:`gan_lib.measure.metrics` holds the course's protocol (Frechet distance, class
shares, classifier score at n = 2,000). This module adds the checks that say
*what kind* of wrong a generator is:

* memorisation (is a generator copying its training images?) and the exact
  nearest neighbours it rests on are in :mod:`gan_lib.measure.neighbours`;
* :func:`precision_recall`: improved precision and recall of Kynkaanniemi et
  al., "Improved Precision and Recall Metric for Assessing Generative Models"
  (NeurIPS 2019): precision is the share of samples that fall inside the real
  data's k-NN manifold (quality), recall the share of real data inside the
  samples' manifold (coverage).
* :func:`density_coverage`: density and coverage of Naeem et al., "Reliable
  Fidelity and Diversity Metrics for Generative Models" (ICML 2020), the same
  balls made robust to real outliers (one outlier's huge ball can make an
  untrained generator's precision 1).
* :func:`intra_class_fd`: the Frechet distance inside each class (lesson 07's intra-class
  FD), and :func:`within_class_fd`, the same at one size per class: how well a model draws
  the classes it draws (their variety within a class included), blind to the ones it drops
  (lesson 04);
* :func:`fd_by_sample_size` and :func:`fd_extrapolate`: the Frechet distance
  (:func:`gan_lib.measure.metrics.frechet_distance`) is biased upwards at small n;
  computing it at several n shows the bias, and a straight-line fit in 1/n
  estimates the value at infinite n (Chong & Forsyth, "Effectively Unbiased
  FID and Inception Score and where to find them", CVPR 2020).
* :func:`mmd2_unbiased` and :func:`kid`: the kernel distance of Binkowski et al.,
  "Demystifying MMD GANs" (ICLR 2018), KID on Inception features, here on the
  course classifier's: an *unbiased* estimate, so its expected value does not
  depend on n (it can come out slightly negative when two sets match).
* :func:`bootstrap_ci`: a percentile bootstrap interval for any of these numbers, and
  :func:`distinguishable`, which says whether two models' intervals overlap;
  :func:`paired_bootstrap` and :func:`difference_ci`: several models resampled together
  (one resample of the real set per repeat, shared by all), so that the interval of the
  *difference* between two models says whether they can be told apart.

Every function takes NumPy arrays (or anything ``np.asarray`` accepts) and
returns NumPy values; nothing here trains.
"""

from __future__ import annotations

import math

import numpy as np

from gan_lib.core.config import positive_int
from gan_lib.measure import metrics
from gan_lib.measure.metrics import frechet_distance
from gan_lib.measure.neighbours import as_rows, check_same_width, memorisation, nearest_neighbours, squared_distances

# --------------------------------------------------------------------------- precision and recall


def _real_fake_args(real_features, fake_features, k, batch_size):
    """Validate the arguments of the k-NN ball metrics: two row sets of one width, whole k and batch."""
    real = as_rows(real_features, "real_features")
    fake = as_rows(fake_features, "fake_features")
    check_same_width(real, fake, "real_features", "fake_features", np.shape(real_features),
                     np.shape(fake_features))
    return real, fake, positive_int("k", k), positive_int("batch_size", batch_size)


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
        d2 = squared_distances(queries[s:s + batch_size], centres, c_sq)
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
        inside = squared_distances(fake[s:s + batch_size], real, r_sq) <= r2[None, :] * (1 + 1e-9) + 1e-12
        counts[s:s + batch_size] = inside.sum(axis=1)
        covered |= inside.any(axis=0)
    return {"density": float(counts.sum() / (k * len(fake))), "coverage": float(covered.mean()), "k": k,
            "n_real": int(len(real)), "n_fake": int(len(fake))}


# --------------------------------------------------------------------------- Frechet distance within classes


def intra_class_fd(features, labels, ref_features, ref_labels, n_classes: int = 10, n: int | None = None) -> np.ndarray:
    """The Frechet distance of each class: ``FD_c = FD(features[labels == c], ref_features[ref_labels == c])``.

    ``FD(a, b) = ||mu_a - mu_b||^2 + Tr(C_a + C_b - 2 (C_a C_b)^{1/2})`` of the
    two sets' means and covariances (:func:`gan_lib.measure.metrics.frechet_distance`),
    computed one class at a time. This is the intra-class FID that Miyato &
    Koyama ("cGANs with Projection Discriminator", ICLR 2018) report for
    class-conditional generators (lesson 07): the overall FD can be good while the samples
    asked for a 7 look like 1s, as long as the 1s come out in the right share
    overall; ``FD_c`` compares what was asked for ``c`` with real ``c`` only.

    ``n``: compare only the first ``n`` vectors of each side in every class (NaN where
    either side has fewer), so that every class is compared at the same size
    (:func:`within_class_fd`, lesson 04).

    Returns an array of ``n_classes`` distances (NaN for a class with fewer than
    two vectors on either side). FD is biased upwards at small ``n`` (the
    covariances are estimated from few vectors), so read ``FD_c`` against the
    real-vs-real floor at the same ``n`` (:func:`gan_lib.lessons.conditional.class_fd_floor`).
    """
    features, ref_features = np.asarray(features), np.asarray(ref_features)
    labels, ref_labels = np.asarray(labels).astype(int), np.asarray(ref_labels).astype(int)
    if len(features) != len(labels) or len(ref_features) != len(ref_labels):
        raise ValueError(f"{len(features)} features for {len(labels)} labels, {len(ref_features)} reference "
                         f"features for {len(ref_labels)} labels: give one label per feature vector.")
    need = 2 if n is None else max(2, n)
    out = np.full(n_classes, np.nan)
    for c in range(n_classes):
        a, b = features[labels == c][:n], ref_features[ref_labels == c][:n]
        if len(a) >= need and len(b) >= need:
            out[c] = frechet_distance(a, b)
    return out


def within_class_fd(real_features, real_labels, fake_features, fake_labels, n: int = 100) -> list:
    """:func:`intra_class_fd` of samples at one size ``n`` per class: how well a model draws the classes it draws.

    For class ``k``: the Frechet distance between the first ``n`` samples labelled ``k`` (for
    samples, the classifier's verdict) and the first ``n`` real items of label ``k``; ``None``
    where either side has fewer than ``n``. A model that drops classes but draws the others
    well scores low on the classes it keeps, where the overall FD rises with the missing
    variety alone; blurred or noisy samples score high. FD is biased upwards at small ``n``
    (:func:`fd_by_sample_size`), so every class is compared at the same ``n``, and values are
    comparable only at equal ``n``.

    Known cases (lesson 04 prints them: the course classifier's 128 features, ``n = 100``,
    shipped training digits against the held-out ones): real digits score about 10, not 0 (the
    bias of 100 items in 128 dimensions), over three disjoint sets; other real digits of 0-4
    alone score about the same on 0-4; 10 real digits per class repeated (a collapse within
    each class, which the plain FD barely sees), noisy and blurred digits score several times
    higher. For samples the class is a classifier's verdict, so a model is judged on the
    samples it draws recognisably, and two models that draw different classes are compared on
    different sets: compare them on the same classes.

    Returns:
        a list with one entry per class: the FD, or ``None`` for a class not measured.
    """
    real, fake = as_rows(real_features, "real_features"), as_rows(fake_features, "fake_features")
    check_same_width(real, fake, "real_features", "fake_features", np.shape(real_features), np.shape(fake_features))
    n = positive_int("n", n)
    if n < 2:
        raise ValueError(f"n={n}: a Frechet distance needs at least 2 items per class.")
    real_labels, fake_labels = np.asarray(real_labels).ravel(), np.asarray(fake_labels).ravel()
    for name, labels, rows in (("real_labels", real_labels, real), ("fake_labels", fake_labels, fake)):
        if len(labels) != len(rows):
            raise ValueError(f"{name} has {len(labels)} labels for {len(rows)} feature rows: give one label per row.")
    classes = int(max(real_labels.max(initial=-1), fake_labels.max(initial=-1))) + 1
    fds = intra_class_fd(fake, fake_labels, real, real_labels, classes, n=n)
    return [None if np.isnan(v) else float(v) for v in fds]


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
    a, b = as_rows(features_a, "features_a"), as_rows(features_b, "features_b")
    check_same_width(a, b, "features_a", "features_b", np.shape(features_a), np.shape(features_b))
    repeats = positive_int("repeats", repeats)
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


# --------------------------------------------------------------------------- kernel distance (KID)


def polynomial_kernel(a, b) -> np.ndarray:
    """KID's kernel: ``k(x, y) = (x . y / d + 1) ** 3`` for every row pair (d = feature count)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return (a @ b.T / a.shape[1] + 1.0) ** 3


def mmd2_unbiased(x, y) -> float:
    """The unbiased estimate of the squared maximum mean discrepancy between two sets of rows:

    ``MMD^2_u = sum_{i != j} k(x_i, x_j) / (m (m-1)) + sum_{i != j} k(y_i, y_j) / (n (n-1))
    - 2 sum_{i, j} k(x_i, y_j) / (m n)`` with :func:`polynomial_kernel` (Gretton et al., "A Kernel
    Two-Sample Test", JMLR 2012; Binkowski et al., 2018). Worked value: x = [[1, 0], [0, 1]],
    y = [[1, 1], [0, 0]] give 1 + 1 - 2 * 8.75 / 4 = -2.375.
    """
    x, y = as_rows(x, "x"), as_rows(y, "y")
    check_same_width(x, y, "x", "y", x.shape, y.shape)
    if len(x) < 2 or len(y) < 2:
        raise ValueError(f"x has {len(x)} rows and y {len(y)}: the unbiased estimate needs at least 2 of each.")
    kxx, kyy, kxy = polynomial_kernel(x, x), polynomial_kernel(y, y), polynomial_kernel(x, y)
    m, n = len(x), len(y)
    return float((kxx.sum() - np.trace(kxx)) / (m * (m - 1)) + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
                 - 2.0 * kxy.mean())


def kid(real_features, fake_features, subsets: int = 10, subset_size: int = 500, seed: int = 0) -> dict:
    """Kernel distance: :func:`mmd2_unbiased` averaged over ``subsets`` random subsets of
    ``subset_size`` rows of each set (as Binkowski et al. compute KID), with its spread.

    Returns ``{"kid", "std", "values", "subset_size"}``. Unlike the Frechet distance, its
    expected value is the same at every ``subset_size``; smaller subsets only make it noisier.
    """
    real, fake = as_rows(real_features, "real_features"), as_rows(fake_features, "fake_features")
    check_same_width(real, fake, "real_features", "fake_features", real.shape, fake.shape)
    subsets, size = positive_int("subsets", subsets), positive_int("subset_size", subset_size)
    if size < 2 or size > min(len(real), len(fake)):
        raise ValueError(f"subset_size {size}: use 2 <= subset_size <= {min(len(real), len(fake))} (the smaller set).")
    rng = np.random.default_rng(seed)
    values = [mmd2_unbiased(real[rng.choice(len(real), size, replace=False)],
                            fake[rng.choice(len(fake), size, replace=False)]) for _ in range(subsets)]
    return {"kid": float(np.mean(values)), "std": float(np.std(values)), "values": values, "subset_size": size}


def bootstrap_ci(statistic, real, fake, repeats: int = 200, level: float = 0.9, seed: int = 0) -> dict:
    """Percentile bootstrap interval of ``statistic(real, fake)``: resample both sets with
    replacement ``repeats`` times (Efron & Tibshirani, "An Introduction to the Bootstrap", 1993).

    Returns ``{"value", "low", "high", "level"}`` (``value`` on the sets as given). It measures
    the sampling noise of the evaluation only, not the noise of training (seeds).
    """
    real, fake = np.asarray(real), np.asarray(fake)
    repeats = positive_int("repeats", repeats)
    if not 0 < level < 1:
        raise ValueError(f"level={level!r}: give a probability such as 0.9.")
    rng = np.random.default_rng(seed)
    draws = [statistic(real[rng.integers(0, len(real), len(real))], fake[rng.integers(0, len(fake), len(fake))])
             for _ in range(repeats)]
    lo, hi = np.quantile(draws, [(1 - level) / 2, (1 + level) / 2])
    return {"value": float(statistic(real, fake)), "low": float(lo), "high": float(hi), "level": level}


def distinguishable(ci_a: dict, ci_b: dict) -> bool:
    """True when two :func:`bootstrap_ci` intervals do not overlap (a conservative reading)."""
    return bool(ci_a["high"] < ci_b["low"] or ci_b["high"] < ci_a["low"])


def paired_bootstrap(statistic, real, fakes: dict, repeats: int = 100, level: float = 0.9, seed: int = 0) -> dict:
    """:func:`bootstrap_ci` for several models at once, with the resamples shared.

    Each repeat draws one resample (with replacement) of ``real`` and one list of row
    indices, and scores every model on the same real resample and the same indices of its
    own samples (all of ``fakes`` must have the same length; samples drawn from one latent
    seed are then paired by latent). Sharing matters for comparisons: the noise of the real
    set and any bias the resampling adds (a resample repeats about a third of its rows,
    which raises the Frechet distance) are common to every model and cancel in a difference.

    Returns ``{"level", "repeats", "rows": {name: {"value", "low", "high", "level"}},
    "draws": {name: array of repeats}}``; ``rows`` are percentile intervals like
    :func:`bootstrap_ci`'s, ``draws`` feed :func:`difference_ci`.
    """
    if not isinstance(fakes, dict) or not fakes:
        raise ValueError("fakes should be a dict {model name: its samples (or features)}, with at least one model.")
    real = np.asarray(real)
    sets = {name: np.asarray(f) for name, f in fakes.items()}
    lengths = {name: len(f) for name, f in sets.items()}
    if len(set(lengths.values())) != 1:
        raise ValueError(f"Every model needs the same number of samples to be resampled together, got {lengths}; "
                         "cut them to the smallest, e.g. f[:n].")
    repeats = positive_int("repeats", repeats)
    if not 0 < level < 1:
        raise ValueError(f"level={level!r}: give a probability such as 0.9.")
    n = next(iter(lengths.values()))
    rng = np.random.default_rng(seed)
    draws = {name: np.empty(repeats) for name in sets}
    for r in range(repeats):
        ri, fi = rng.integers(0, len(real), len(real)), rng.integers(0, n, n)
        for name, f in sets.items():
            draws[name][r] = statistic(real[ri], f[fi])
    q = [(1 - level) / 2, (1 + level) / 2]
    rows = {}
    for name, f in sets.items():
        lo, hi = np.quantile(draws[name], q)
        rows[name] = {"value": float(statistic(real, f)), "low": float(lo), "high": float(hi), "level": level}
    return {"level": level, "repeats": repeats, "rows": rows, "draws": draws}


def difference_ci(boot: dict, a: str, b: str) -> dict:
    """The percentile interval of ``statistic(a) - statistic(b)`` over :func:`paired_bootstrap`'s shared repeats.

    Returns ``{"difference", "low", "high", "level", "distinguishable"}``; ``distinguishable`` is
    True when the interval excludes 0 (at this level, the data say which of the two scores lower).
    """
    for name in (a, b):
        if name not in boot["draws"]:
            raise ValueError(f"No model named {name!r} in this bootstrap; it has {sorted(boot['draws'])}.")
    d = boot["draws"][a] - boot["draws"][b]
    level = boot["level"]
    lo, hi = np.quantile(d, [(1 - level) / 2, (1 + level) / 2])
    return {"difference": boot["rows"][a]["value"] - boot["rows"][b]["value"], "low": float(lo), "high": float(hi),
            "level": level, "distinguishable": bool(lo > 0 or hi < 0)}


# --------------------------------------------------------------------------- one model's scorecard


def scorecard(images, train_images, held_out_images, k: int = 3, n: int | None = None) -> dict:
    """Every number of lesson 08 for one set of MNIST images (samples or real digits).

    The course protocol (:func:`gan_lib.measure.metrics.evaluate`: FD against the
    held-out digits, classifier score, class shares), precision and recall,
    density and coverage in the classifier's feature space against the same
    held-out digits, and the
    pixel-space memorisation check (:func:`gan_lib.measure.neighbours.memorisation`)
    against ``train_images``.

    Returns:
        a flat dict: ``n``, ``fd``, ``fd_floor``, ``classifier_score``,
        ``kl_to_uniform``, ``min_class_share``, ``precision``, ``recall`` (k = ``k``),
        ``density`` and ``coverage`` (k = 5, :func:`density_coverage`), ``memorised_1`` and
        ``memorised_5`` (shares below the held-out 1st/5th percentile), ``median_ratio``, ``exact_copies``.
    """
    from gan_lib.measure import classifier  # TensorFlow: only the scorecard needs the classifier here

    x = metrics.first_n(images, n)
    n = len(x)
    f_fake, probs = classifier.features_and_probs(x)        # the classifier runs once on the samples
    result = metrics.evaluate_features(f_fake, probs)
    f_real, _ = classifier.features_and_probs(np.asarray(held_out_images)[:n])
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
