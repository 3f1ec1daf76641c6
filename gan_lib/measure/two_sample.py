"""A quality measure that needs no downloaded weights: the classifier two-sample test.

Lopez-Paz & Oquab, "Revisiting Classifier Two-Sample Tests", ICLR 2017. Pool
``n`` real and ``n`` generated images, train a small classifier on half of
them to tell which is which, and report its **accuracy on the other half**:

* about **50%** when the two sets come from the same distribution (the
  classifier can only guess: real held-out images vs real training images);
* about **100%** when they are easy to tell apart (an untrained generator);
* in between for a generator that got some of the way.

The accuracy depends on the classifier, ``n`` and the training budget, so it
compares generators only when all three are fixed; report it beside the
real-vs-real value measured the same way. With ``n_test`` test images, a
guessing classifier's accuracy has a standard deviation of about
``0.5 / sqrt(n_test)``; :func:`c2st` repeats the test on fresh splits and fresh
classifier weights and reports the mean and spread.

:func:`diversity` (mean distance between random pairs of images) is a quick
one-sample companion for mode collapse: a generator that repeats a few images
has a much smaller value than real images.

**Testing at a coarser scale.** A classifier that sees every pixel tells a
short-trained generator's samples from photographs almost every time (fine
texture is the last thing a GAN learns), so the test saturates near 100% and
cannot rank generators. ``c2st(..., resolution=r)`` first shrinks every image to
an ``r x r`` thumbnail (each pixel the mean colour of its block), so the
classifier can only use colours and coarse layout; :func:`c2st_scales` runs the
test at several resolutions (``1`` = the mean colour of the whole image) and
shows at which scale the fakes are told apart.
"""

from __future__ import annotations

import math

import numpy as np


def default_classifier(input_shape):
    """A small classifier returning a logit: two strided convolutions for images, one hidden layer for vectors."""
    import keras  # TensorFlow only for the trained test: the other statistics here are NumPy
    from keras import layers

    if len(input_shape) == 3:
        body = [layers.Conv2D(16, 3, strides=2, padding="same", activation="relu"),
                layers.Conv2D(32, 3, strides=2, padding="same", activation="relu"),
                layers.Flatten()]
    else:
        body = [layers.Flatten(), layers.Dense(32, activation="relu")]
    model = keras.Sequential([keras.Input(tuple(input_shape)), *body, layers.Dense(1)], name="c2st_classifier")
    model.compile(optimizer=keras.optimizers.Adam(2e-3),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True))
    return model


def _check_sets(real, fake):
    real, fake = np.asarray(real, dtype=np.float32), np.asarray(fake, dtype=np.float32)
    if real.ndim < 2 or fake.ndim < 2 or real.shape[1:] != fake.shape[1:]:
        raise ValueError(f"real has shape {real.shape} and fake {fake.shape}: pass two batches of the same "
                         "kind of example, (N, ...) each, e.g. (N, 32, 32, 3) images.")
    if min(len(real), len(fake)) < 10:
        raise ValueError(f"{len(real)} real and {len(fake)} fake examples: use at least 10 of each "
                         "(a few hundred for a useful accuracy).")
    if not (np.all(np.isfinite(real)) and np.all(np.isfinite(fake))):
        raise ValueError("real or fake contains NaN or inf values.")
    return real, fake


def thumbnails(images, resolution: int):
    """Shrink ``(N, H, W, C)`` images to ``(N, resolution, resolution, C)`` by averaging blocks of pixels.

    ``resolution`` must divide ``H`` and ``W`` (for 32x32 images: 1, 2, 4, 8, 16
    or 32). ``resolution=1`` gives each image's mean colour; ``resolution=H``
    returns the images unchanged. Averaging removes all detail finer than a block
    and keeps the colours and the coarse layout.
    """
    x = np.asarray(images, dtype=np.float32)
    if x.ndim != 4:
        raise ValueError(f"images has shape {x.shape}: thumbnails need a batch of images (N, H, W, C).")
    n, h, w, c = x.shape
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)) or resolution < 1 \
            or h % resolution or w % resolution:
        divisors = [d for d in range(1, min(h, w) + 1) if h % d == 0 and w % d == 0]
        raise ValueError(f"resolution={resolution!r} does not divide the {h}x{w} images; "
                         f"use one of {divisors}.")
    r = int(resolution)
    return x.reshape(n, r, h // r, r, w // r, c).mean(axis=(2, 4))


def c2st(real, fake, repeats: int = 5, seed: int = 0, steps: int = 300, batch_size: int = 64,
         build=default_classifier, resolution: int | None = None) -> dict:
    """Classifier two-sample test: held-out accuracy of a classifier telling ``real`` from ``fake``.

    Uses ``n = min(len(real), len(fake))`` of each. Each repeat splits both
    sets in half at random (a different split per repeat), trains a fresh
    classifier (``build(input_shape)``, a compiled Keras model with a logit
    output) for about ``steps`` updates (whole epochs) on one half of each, and
    scores it on the rest.
    Deterministic for a given ``seed`` (it reseeds Keras' global generators).

    ``resolution`` (images only): test the :func:`thumbnails` of that size
    instead of the full images, i.e. ask only "are the colours and the coarse
    layout right?". ``None`` (the default) uses every pixel.

    Returns ``{"accuracy": mean, "std": spread over repeats, "accuracies":
    [...], "n": n, "n_test": test images per repeat, "resolution": ...}``.
    """
    import keras  # TensorFlow only for the trained test: the other statistics here are NumPy

    real, fake = _check_sets(real, fake)
    if resolution is not None:
        real, fake = thumbnails(real, resolution), thumbnails(fake, resolution)
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats={repeats!r}: use a whole number of at least 1 (5 is a good default).")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps={steps!r}: use a whole number of at least 1 (300 is the default).")
    n = min(len(real), len(fake))
    half = n // 2
    accs = []
    for r in range(repeats):
        rng = np.random.default_rng([seed, r])
        pr, pf = rng.permutation(len(real))[:n], rng.permutation(len(fake))[:n]
        x_train = np.concatenate([real[pr[:half]], fake[pf[:half]]])
        y_train = np.concatenate([np.ones(half), np.zeros(half)]).astype(np.float32)
        x_test = np.concatenate([real[pr[half:]], fake[pf[half:]]])
        y_test = np.concatenate([np.ones(n - half), np.zeros(n - half)])
        keras.utils.set_random_seed(int(rng.integers(2**31)))
        model = build(real.shape[1:])
        epochs = max(1, math.ceil(steps * batch_size / len(x_train)))
        model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, shuffle=True, verbose=0)
        logits = np.concatenate([np.asarray(model(x_test[i:i + 500], training=False)).reshape(-1)
                                 for i in range(0, len(x_test), 500)])
        accs.append(float(np.mean((logits > 0) == (y_test > 0.5))))
    return {"accuracy": float(np.mean(accs)), "std": float(np.std(accs)), "accuracies": accs,
            "n": int(n), "n_test": int(2 * (n - half)),
            "resolution": None if resolution is None else int(resolution)}


def c2st_scales(real, fake, resolutions=(1, 4, 8, 32), **kwargs) -> dict:
    """:func:`c2st` at each of ``resolutions`` (thumbnail sizes; the images' own size = full detail).

    Returns ``{resolution: result}``. Read it from coarse to fine: the first
    resolution where the accuracy leaves chance (the real-vs-real value) is the
    scale at which the fakes give themselves away. Keyword arguments (``repeats``,
    ``seed``, ``steps``, ...) go to :func:`c2st`; every resolution uses the same
    splits (same ``seed``).
    """
    if len(tuple(resolutions)) == 0:
        raise ValueError("resolutions is empty: pass thumbnail sizes such as (1, 4, 8, 32).")
    return {int(r): c2st(real, fake, resolution=r, **kwargs) for r in resolutions}


def format_scales(name: str, results: dict) -> str:
    """One line: the name, then the mean accuracy +- spread at each resolution of :func:`c2st_scales`."""
    cells = "  ".join(f"{res['accuracy']:6.1%} +-{res['std']:5.1%}" for res in results.values())
    return f"{name:<30} {cells}"


def format_c2st(name: str, result: dict) -> str:
    """One line: the name, mean accuracy, spread and the individual repeats."""
    reps = " ".join(f"{a:.2f}" for a in result["accuracies"])
    return (f"{name:<34} {result['accuracy']:6.1%} +- {result['std']:.1%}   "
            f"(repeats: {reps}; n={result['n']} per side)")


def diversity(images, pairs: int = 2000, seed: int = 0) -> float:
    """Mean root-mean-square pixel distance between random pairs of different images.

    Real 32x32 photographs in [-1, 1] score well above 0; a generator that
    repeats a handful of images scores close to 0 (pairs of copies are at
    distance 0). Compare it with the same number for real images.
    """
    x = np.asarray(images, dtype=np.float64)
    if x.ndim < 2 or len(x) < 2:
        raise ValueError(f"images has shape {x.shape}: pass at least two images, (N, ...).")
    x = x.reshape(len(x), -1)
    rng = np.random.default_rng(seed)
    i = rng.integers(0, len(x), pairs)
    j = (i + rng.integers(1, len(x), pairs)) % len(x)  # j != i
    return float(np.mean(np.sqrt(np.mean((x[i] - x[j]) ** 2, axis=1))))


def _rms_distances(a, b) -> np.ndarray:
    """Root-mean-square pixel distance between every image of ``a`` and every image of ``b``."""
    a = np.asarray(a, dtype=np.float64).reshape(len(a), -1)
    b = np.asarray(b, dtype=np.float64).reshape(len(b), -1)
    sq = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * a @ b.T
    return np.sqrt(np.maximum(sq, 0.0) / a.shape[1])


#: A set of samples reads as **collapsed** when fewer than this share of them are distinct
#: images (:func:`distinct_share`). Calibrated in tests/test_collapse_measure.py: k = 1, 2, 8
#: or 64 real images repeated (with or without slight noise) read 0.002 to 0.13; real
#: training images and a held-out split read above 0.95.
COLLAPSE_SHARE = 0.5


def distinct_share(samples, reference, tolerance: float = 0.25, n: int = 1000) -> dict:
    """The share of ``samples`` that are distinct images, and whether that reads as collapsed.

    Two images count as the same when their root-mean-square pixel distance is below
    ``tolerance`` times the median distance from a real image (of ``reference``) to its
    nearest other real image: real images are that far apart, copies of one image with slight
    noise are much closer. Greedily, each sample joins the first earlier distinct sample it is
    that close to, or becomes a new one; ``distinct_share`` = distinct samples / samples. A
    generator repeating k images scores about k / n; real images about 1. Where a collapse
    keeps variety inside each of a few modes (a few *kinds* of image), this does not see it:
    that is what class or category shares are for. (Arora and Zhang, 2017, count near-duplicate
    pairs in the same spirit: "Do GANs learn the distribution? Some theory and empirics".)
    """
    x, ref = np.asarray(samples)[:n], np.asarray(reference)[:n]
    if len(x) < 2 or len(ref) < 2:
        raise ValueError(f"samples {np.shape(samples)} and reference {np.shape(reference)}: pass at least "
                         "two images of each, (N, ...).")
    if x.shape[1:] != ref.shape[1:]:
        raise ValueError(f"samples are {x.shape[1:]} images and the reference {ref.shape[1:]}: use one shape.")
    d_ref = _rms_distances(ref, ref)
    np.fill_diagonal(d_ref, np.inf)
    real_nn = float(np.median(d_ref.min(axis=1)))
    threshold = tolerance * real_nn
    close = _rms_distances(x, x) < threshold
    assigned = np.zeros(len(x), dtype=bool)
    distinct = 0
    for i in range(len(x)):
        if not assigned[i]:
            distinct += 1
            assigned |= close[i]
    share = distinct / len(x)
    return {"distinct_share": share, "distinct": distinct, "n": len(x), "threshold": threshold,
            "real_nn_median": real_nn, "collapsed": bool(share < COLLAPSE_SHARE)}


def colour_gap(samples, reference) -> float:
    """Largest gap, over the colour channels, between the samples' and the reference's per-channel
    mean or standard deviation of pixel values (0 = same colour statistics)."""
    a = np.asarray(samples, dtype=np.float64).reshape(-1, np.shape(samples)[-1])
    b = np.asarray(reference, dtype=np.float64).reshape(-1, np.shape(reference)[-1])
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"samples have {a.shape[1]} channels and the reference {b.shape[1]}.")
    return float(max(np.max(np.abs(a.mean(0) - b.mean(0))), np.max(np.abs(a.std(0) - b.std(0)))))


#: The bar for "this generator learned something" that lesson 05's quick-mode
#: checks print: its samples' :func:`diversity` is at least this share of the
#: real images' and their :func:`colour_gap` to real images at most this. An
#: untrained generator (near-constant grey: diversity about 2% of real, colour
#: gap about 0.5) fails both; real images pass both.
LEARNED = {"diversity_ratio_min": 0.25, "colour_gap_max": 0.25}


def learned(samples, reference) -> dict:
    """The :data:`LEARNED` verdicts (True = pass) and the numbers behind them."""
    ratio = diversity(samples) / diversity(reference)
    gap = colour_gap(samples, reference)
    return {"diversity_ratio": ratio, "colour_gap": gap,
            "diversity": bool(ratio >= LEARNED["diversity_ratio_min"]),
            "colour": bool(gap <= LEARNED["colour_gap_max"])}
