"""Lesson 06's exercise checks (stabilising training): D's loss with one-sided label smoothing (6.1),
feature matching (6.2), and WGAN-GP's interpolated points (6.3)."""

from __future__ import annotations

import math

import numpy as np

from gan_lib.coursework.checks.common import array, call, number
from gan_lib.coursework.exercises import Wrong, expect_function

#: What a lesson-06 function is told when it crashes, and what its loss should be.
CALL_HINT = "it receives NumPy arrays; return a number"
ONE_LOSS = "one number (the mean over the batch)"

#: Exercise 6.1's cases: (real logits, fake logits, real label).
SMOOTH_CASES_6_1 = (([2.0, -1.0, 0.5], [-3.0, 0.0, 1.0], 0.9), ([0.0, 0.0], [0.0, 0.0], 1.0),
                    ([4.0, 1.0], [-2.0, -0.5], 0.8))


def check_6_1(smoothed_d_loss) -> None:
    """A function ``smoothed_d_loss(real_logits, fake_logits, real_label)``: D's BCE with one-sided smoothing."""
    from gan_lib.core import losses

    expect_function(smoothed_d_loss, "your smoothed_d_loss function", "smoothed_d_loss should be a function")
    hint = ("mean over the real logits of BCE(target real_label) plus mean over the fake logits of BCE(target 0); "
            "BCE(l, t) = t * softplus(-l) + (1 - t) * softplus(l)")

    def bce(logits, t):
        return np.mean(t * np.logaddexp(0, -logits) + (1 - t) * np.logaddexp(0, logits))

    for real, fake, label in SMOOTH_CASES_6_1:
        r, f = np.array(real), np.array(fake)
        what = f"smoothed_d_loss({real}, {fake}, {label})"
        with np.errstate(all="ignore"):
            got = number(call(smoothed_d_loss, what, CALL_HINT, r, f, label), what, hint, one=ONE_LOSS)
        want = float(losses.discriminator_loss(r[:, None], f[:, None], label))
        if abs(got - want) <= 1e-4:
            continue
        if label < 1 and abs(got - (bce(r, label) + bce(f, 1 - label))) < 1e-4:
            raise Wrong(f"{what} = {got:.4f}: you smoothed the fake labels too (target {1 - label:g} instead of 0).",
                        "one-sided: only the real labels move; a soft fake label would reward G's mistakes")
        if label < 1 and abs(got - (bce(r, 1.0) + bce(f, 0.0))) < 1e-4:
            raise Wrong(f"{what} = {got:.4f} ignores real_label: that is the unsmoothed loss.",
                        "use real_label as the real images' target")
        if abs(got - (len(r) * bce(r, label) + len(f) * bce(f, 0.0))) < 1e-4:
            raise Wrong(f"{what} = {got:.4f}: you summed over the batch.", "take the mean over each batch")
        raise Wrong(f"{what} = {got:.4f}, expected {want:.4f}.", hint)
    big = np.array([60.0, -60.0])
    with np.errstate(all="ignore"):
        got = number(call(smoothed_d_loss, "smoothed_d_loss(large logits)", CALL_HINT, big, -big, 0.9), "the loss",
                     one=ONE_LOSS)
    if not math.isfinite(got):
        raise Wrong(f"For logits of ±60 your loss is {got}: log(sigmoid(l)) underflows to log(0).",
                    "work with logits: -log(sigmoid(l)) = softplus(-l) = np.logaddexp(0, -l)")


def check_6_2(feature_matching) -> None:
    """A function ``feature_matching(f_real, f_fake)``: ``||mean f_real - mean f_fake||^2``."""
    expect_function(feature_matching, "your feature_matching function",
                    "feature_matching should be a function")
    rng = np.random.default_rng(6)
    f_real = rng.normal(1.0, 1.0, (32, 5))
    f_fake = rng.normal(0.0, 2.0, (32, 5))
    got = number(call(feature_matching, "feature_matching(f_real, f_fake)", CALL_HINT, f_real, f_fake),
                 "feature_matching(f_real, f_fake)", one=ONE_LOSS)
    diff = f_real.mean(0) - f_fake.mean(0)
    want = float(np.sum(diff ** 2))
    if abs(got - want) <= 1e-6 * max(1.0, want):
        same = number(call(feature_matching, "feature_matching(f, f[::-1])", CALL_HINT, f_real, f_real[::-1]),
                      "feature_matching(f, f[::-1])", one=ONE_LOSS)
        if abs(same) > 1e-9:
            raise Wrong(f"The same batch in another order scores {same:.4f}, not 0.",
                        "compare the two batches' mean features, not sample by sample")
        return
    pairwise = float(np.mean(np.sum((f_real - f_fake) ** 2, axis=1)))
    if abs(got - pairwise) < 1e-6 * max(1.0, pairwise):
        raise Wrong(f"You compared sample i of the real batch with sample i of the fakes ({got:.3f}); "
                    f"feature matching compares the batches' means ({want:.3f}).",
                    "take the mean over the batch first, then the squared distance")
    if abs(got - np.sqrt(want)) < 1e-6:
        raise Wrong(f"{got:.4f} is the distance itself; the loss is its square ({want:.4f}).", "square it")
    if abs(got - want / diff.size) < 1e-6:
        raise Wrong(f"{got:.4f} is the mean over the {diff.size} features; the squared norm sums them ({want:.4f}).",
                    "np.sum, not np.mean, over the features")
    raise Wrong(f"feature_matching(f_real, f_fake) = {got:.4f}, expected {want:.4f}.",
                "np.sum((f_real.mean(axis=0) - f_fake.mean(axis=0)) ** 2)")


#: What exercise 6.3's interpolate should return.
IMAGES_HINT = "return eps * real + (1 - eps) * fake, a NumPy array shaped like real"


def check_6_3(interpolate) -> None:
    """A function ``interpolate(real, fake, rng)``: WGAN-GP's points, one uniform weight per sample."""
    expect_function(interpolate, "your interpolate function",
                    "interpolate should be a function interpolate(real, fake, rng)")
    n = 2000
    real = np.ones((n, 4, 4, 1), np.float32)
    fake = np.zeros((n, 4, 4, 1), np.float32)
    got = array(call(interpolate, "interpolate(real, fake, rng)", CALL_HINT, real, fake, np.random.default_rng(0)),
                "interpolate", IMAGES_HINT, kind="a batch of images")
    if got.shape != real.shape:
        raise Wrong(f"interpolate(real, fake, rng) for batches of shape {real.shape} has shape {got.shape}.",
                    "draw eps with shape (N, 1, 1, 1) so it broadcasts over each image")
    # with real = 1 and fake = 0 the result *is* eps (or 1 - eps)
    flat = got.reshape(n, -1)
    if np.allclose(flat, flat[:1]):
        raise Wrong("Every sample got the same weight: one eps for the whole batch checks one line only.",
                    "one eps per sample: shape (N, 1, 1, 1)")
    if not np.allclose(flat, flat[:, :1]):
        raise Wrong("The weight differs between pixels of one image: the points are not on the line from the "
                    "fake to the real image.", "one eps per sample, broadcast over its pixels: shape (N, 1, 1, 1)")
    eps = flat[:, 0]
    if eps.min() < 0 or eps.max() > 1:
        raise Wrong(f"Weights range from {eps.min():.2f} to {eps.max():.2f}: points outside the segment between "
                    "the fake and the real image (a normal draw does this).", "rng.uniform(0, 1, ...)")
    if abs(eps.mean() - 0.5) > 0.05 or abs(eps.std() - np.sqrt(1 / 12)) > 0.05:
        raise Wrong(f"The weights have mean {eps.mean():.2f} and std {eps.std():.2f}; uniform on [0, 1] "
                    f"has 0.50 and {np.sqrt(1 / 12):.2f}.", "rng.uniform(0, 1, ...)")
    real2 = np.full((n, 4, 4, 1), 3.0, np.float32)
    fake2 = np.full((n, 4, 4, 1), -1.0, np.float32)
    got2 = array(call(interpolate, "interpolate(real, fake, rng)", CALL_HINT, real2, fake2, np.random.default_rng(0)),
                 "interpolate", IMAGES_HINT, kind="a batch of images")
    if got2.shape != real2.shape or got2.min() < -1 - 1e-6 or got2.max() > 3 + 1e-6:
        raise Wrong("For real images of 3s and fakes of -1s some points fall outside [-1, 3].",
                    "xhat = eps * real + (1 - eps) * fake")
