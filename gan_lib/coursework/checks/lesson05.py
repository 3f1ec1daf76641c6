"""Lesson 05's exercise checks (a CIFAR-10 GAN in colour): D's accuracy from its logits (5.1), D's
hinge loss (5.2), the Frechet distance of two 1-D Gaussians (5.3), and an experiment on the collapse
measure: how much pixel noise hides a collapse from it (5.4)."""

from __future__ import annotations

import numpy as np

from gan_lib.coursework.checks.common import call, number, refusing, shown
from gan_lib.coursework.exercises import Wrong, expect_done, expect_function

_ACC_CASES = [
    (np.array([2.0, 0.3, -1.0, 4.0]), np.array([-3.0, 0.2, -0.1, -2.0])),
    (np.array([0.4, 0.1, 0.2]), np.array([0.3, -0.2, 0.05])),
    (np.array([-1.0, -2.0]), np.array([1.0, 2.0])),
]


def check_5_1(d_accuracy) -> None:
    """A function ``d_accuracy(real_logits, fake_logits) -> (acc_real, acc_fake)`` from D's logits.

    The first case scores 0.75 on both sides, so a swapped pair only shows in the later cases (where
    it gets its own message)."""
    expect_function(d_accuracy, "your d_accuracy function",
                    "d_accuracy should be a function d_accuracy(real_logits, fake_logits)")
    hint = "D says 'real' when its logit is above 0 (sigmoid(logit) > 0.5)"
    for real, fake in _ACC_CASES:
        out = call(d_accuracy, shown("d_accuracy", (real, fake)), hint, real, fake)
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise Wrong(f"d_accuracy returned {out!r}; expected a pair (accuracy on real, accuracy on fake).",
                        "return two numbers: return acc_real, acc_fake")
        got = (number(out[0], "the accuracy on real", hint), number(out[1], "the accuracy on fake", hint))
        want = (float(np.mean(real > 0)), float(np.mean(fake <= 0)))
        if np.allclose(got, want, atol=1e-6):
            continue
        if np.allclose(got, (np.mean(real > 0.5), np.mean(fake <= 0.5)), atol=1e-6):
            raise Wrong(f"For real logits {real.tolist()} you count a logit above 0.5 as 'real'. These are "
                        "logits, not probabilities: the threshold 0.5 on sigmoid(logit) is 0 on the logit.", hint)
        if np.allclose(got, want[::-1], atol=1e-6):
            raise Wrong(f"d_accuracy({real.tolist()}, {fake.tolist()}) = ({got[0]:.3f}, {got[1]:.3f}): the pair is "
                        "in the wrong order (accuracy on fake first).", "return the accuracy on real first")
        if np.isclose(got[0], want[0]) and np.isclose(got[1], 1 - want[1]):
            raise Wrong(f"Your accuracy on fake is the share of fakes D calls *real* ({got[1]:.2f}); accuracy "
                        "on fake images is the share it correctly calls fake.", "use fake_logits <= 0")
        raise Wrong(f"d_accuracy({real.tolist()}, {fake.tolist()}) = ({got[0]:.3f}, {got[1]:.3f}); "
                    f"expected ({want[0]:.3f}, {want[1]:.3f}).", hint)


_HINGE_CASES = [
    (np.array([2.0, 0.5, -1.0]), np.array([-2.0, 0.0, 1.5])),
    (np.array([0.0, 0.0]), np.array([0.0, 0.0])),
    (np.array([3.0, 1.5]), np.array([-4.0, -1.2])),
]


def check_5_2(d_hinge) -> None:
    """A function ``d_hinge(real_logits, fake_logits)``: the hinge loss of the discriminator (a number).

    Calling the course's ``losses.discriminator_loss_hinge`` is refused (:class:`refusing`)."""
    from gan_lib.core import losses

    expect_function(d_hinge, "your d_hinge function",
                    "d_hinge should be a function d_hinge(real_logits, fake_logits)")
    hint = ("D wants real logits at or above +1 and fake logits at or below -1; a logit beyond its margin "
            "costs nothing (np.maximum(0, ...) clips), one short of it costs the distance")
    wants = [float(losses.discriminator_loss_hinge(real, fake)) for real, fake in _HINGE_CASES]
    with refusing("losses.discriminator_loss_hinge", losses, "discriminator_loss_hinge", answer=d_hinge):
        gots = [number(call(d_hinge, shown("d_hinge", (real, fake)), hint, real.copy(), fake.copy()),
                       "d_hinge's value", hint) for real, fake in _HINGE_CASES]
    for (real, fake), got, want in zip(_HINGE_CASES, gots, wants):
        if abs(got - want) < 1e-5:
            continue
        if abs(got - (np.mean(1 - real) + np.mean(1 + fake))) < 1e-5:
            raise Wrong(f"d_hinge({real.tolist()}, {fake.tolist()}) = {got:.4f}: without the clipping at 0, "
                        "confident logits beyond the margin make the loss negative and D keeps pushing them.", hint)
        if abs(got - (np.mean(np.maximum(0, 1 + real)) + np.mean(np.maximum(0, 1 - fake)))) < 1e-5:
            raise Wrong("The signs are swapped: your D wants real logits below -1 and fakes above +1.", hint)
        raise Wrong(f"d_hinge({real.tolist()}, {fake.tolist()}) = {got:.4f}; expected {want:.4f}.", hint)


_FD1_CASES = [(0.0, 1.0, 0.0, 1.0), (1.0, 1.0, 3.0, 1.0), (0.0, 1.0, 0.0, 3.0), (2.0, 0.5, -1.0, 2.0)]


def check_5_3(fd_1d) -> None:
    """A function ``fd_1d(mu1, sd1, mu2, sd2)``: the Frechet distance between N(mu1, sd1^2) and N(mu2, sd2^2).

    Calling the course's ``metrics.frechet_distance_gaussians`` is refused (:class:`refusing`)."""
    from gan_lib.measure import metrics

    expect_function(fd_1d, "your fd_1d function", "fd_1d should be a function fd_1d(mu1, sd1, mu2, sd2)")
    hint = ("put C1 = sd1**2 and C2 = sd2**2 into the formula of section 8: the trace of a 1 x 1 matrix is its "
            "entry, and the square root of sd1**2 * sd2**2 is sd1 * sd2; then simplify")
    wants = [metrics.frechet_distance_gaussians([m1], [[s1 ** 2]], [m2], [[s2 ** 2]]) for m1, s1, m2, s2 in _FD1_CASES]
    with refusing("metrics.frechet_distance_gaussians", metrics, "frechet_distance_gaussians", answer=fd_1d):
        gots = [number(call(fd_1d, shown("fd_1d", args), hint, *args), "fd_1d's value", hint) for args in _FD1_CASES]
    for (mu1, sd1, mu2, sd2), got, want in zip(_FD1_CASES, gots, wants):
        if abs(got - want) < 1e-6:
            continue
        case = f"fd_1d{(mu1, sd1, mu2, sd2)} = {got:.4g}, expected {want:.4g}"
        if abs(got - ((mu1 - mu2) ** 2 + (sd1 ** 2 - sd2 ** 2) ** 2)) < 1e-6:
            raise Wrong(f"{case}: you compared the variances; the trace term compares standard deviations "
                        "(the square root in Tr(C1 + C2 - 2 (C1 C2)^1/2) gives sd1 * sd2).", hint)
        if abs(got - (abs(mu1 - mu2) + (sd1 - sd2) ** 2)) < 1e-6:
            raise Wrong(f"{case}: the distance between the means is squared in the formula.", hint)
        if abs(got - (mu1 - mu2) ** 2) < 1e-6:
            raise Wrong(f"{case}: you left out the covariance term, so two Gaussians with the same mean and "
                        "different spreads score 0.", hint)
        raise Wrong(f"{case}.", hint)


#: Exercise 5.4's collapse: K_5_4 real images repeated to N_5_4 samples, plus Gaussian pixel noise.
K_5_4, N_5_4 = 8, 500
#: The fewest noise levels in the sweep, and how finely it must locate the blind point (the gap
#: below it, as a share of it).
MIN_SIGMAS_5_4, RESOLUTION_5_4 = 8, 0.25
#: Shares within this relative distance of the expected blind point are not compared (the
#: reading flips there by chance); elsewhere a share must match the check's own within SHARE_TOL_5_4.
BAND_5_4, SHARE_TOL_5_4 = 0.05, 0.1


def _noisy_shares_5_4(images, heldout, sigmas, seed=54) -> list:
    """The check's own sweep: K_5_4 of ``images`` repeated to N_5_4 samples, noise sd sigma, distinct share."""
    from gan_lib.measure import two_sample

    rng = np.random.default_rng(seed)
    copies = np.asarray(images)[rng.choice(len(images), K_5_4, replace=False)][rng.integers(0, K_5_4, N_5_4)]
    out = []
    for s in sigmas:
        x = copies + s * rng.standard_normal(copies.shape)
        out.append(two_sample.distinct_share(x, heldout)["distinct_share"])
    return out


def _data_5_4():
    """The lesson's training and held-out images in this mode (``panel.budget()``), as the notebook loads them."""
    from gan_lib.lessons import panel

    plan = panel.budget()
    return plan.load("train", verbose=False).images, plan.load("heldout", verbose=False).images


def check_5_4(answer) -> None:
    """``{"predicted": sd, "sigmas": [...], "shares": [...], "blind_at": sd}``: when pixel noise hides a collapse.

    The collapse: 8 of ``images`` repeated to 500 samples, plus Gaussian noise of sd sigma (in the
    model's [-1, 1] units, not clipped). ``predicted`` is the sd at which ``two_sample.distinct_share``
    should stop reading "collapsed", worked out from its threshold before running anything; ``sigmas``
    (at least 8, increasing) and ``shares`` are the sweep; ``blind_at`` is the first sd of the sweep
    whose share is at least 0.5. The check recomputes the threshold from ``heldout`` and the sweep with
    its own images and noise, and compares every share except those within 5% of the expected blind
    point, where the reading flips by chance. It loads the lesson's images itself (``panel.budget()``)."""
    from gan_lib.measure import two_sample

    expect_done(answer, "answer_5_4")
    keys = {"predicted", "sigmas", "shares", "blind_at"}
    if not isinstance(answer, dict) or not keys <= set(answer):
        raise Wrong(f"answer_5_4 should be a dict with keys {sorted(keys)}, got {answer!r:.80}.",
                    '{"predicted": 0.07, "sigmas": [...], "shares": [...], "blind_at": 0.08}')
    images, heldout = _data_5_4()
    threshold = two_sample.distinct_share(np.asarray(images)[:K_5_4], heldout)["threshold"]
    expected = threshold / np.sqrt(2)
    hint = ("two noisy copies of one image differ by the noise of both: per pixel the difference has sd "
            "sigma * sqrt(2), and so does their RMS distance; compare that with the threshold")
    predicted = number(answer["predicted"], "answer_5_4['predicted']", hint)
    if not abs(predicted - expected) <= 0.1 * expected:
        case = (f"Your prediction is sd {predicted:.4g}; the measure's threshold here is an RMS distance of "
                f"{threshold:.4f}")
        if abs(predicted - threshold) <= 0.05 * threshold:
            raise Wrong(f"{case}, and you predicted the threshold itself. The noise is on *both* copies of an image.",
                        hint)
        if abs(predicted - threshold * np.sqrt(2)) <= 0.05 * threshold:
            raise Wrong(f"{case}: you multiplied by sqrt(2) where the noise of two copies adds up, so sigma is "
                        "the threshold divided by sqrt(2).", hint)
        raise Wrong(f"{case}.", hint)
    try:
        sigmas = [float(v) for v in answer["sigmas"]]
        shares = [float(v) for v in answer["shares"]]
    except (TypeError, ValueError):
        raise Wrong("answer_5_4['sigmas'] and answer_5_4['shares'] should be lists of numbers, "
                    f"got {answer['sigmas']!r:.60} and {answer['shares']!r:.60}.") from None
    if len(sigmas) < MIN_SIGMAS_5_4 or len(shares) != len(sigmas):
        raise Wrong(f"Your sweep has {len(sigmas)} noise levels and {len(shares)} shares; the exercise asks for at "
                    f"least {MIN_SIGMAS_5_4} levels and one share for each.")
    if any(b <= a for a, b in zip(sigmas, sigmas[1:])) or sigmas[0] <= 0:
        raise Wrong(f"answer_5_4['sigmas'] should be positive and increasing, got {sigmas}.")
    if sigmas[-1] > 2:
        raise Wrong(f"Your noise levels go up to {sigmas[-1]:g}: the images are in [-1, 1] (the model's range), "
                    "not 0-255, so an sd of 2 already drowns them.", "use sds like 0.02 to 0.2")
    if any(not 0 <= v <= 1 for v in shares):
        raise Wrong("A distinct share is a share of samples, between 0 and 1; some of yours are not: "
                    f"{[round(v, 3) for v in shares]}.",
                    "two_sample.distinct_share(samples, heldout)['distinct_share']")
    flip = two_sample.COLLAPSE_SHARE
    if not (shares[0] < flip <= shares[-1]):
        extra = (" Every one of your shares reads 'collapsed': if you added the noise to the 8 images *before* "
                 "repeating them, the copies are identical again and no noise level can hide anything."
                 if max(shares) < flip else "")
        raise Wrong(f"Your sweep should start where the measure reads 'collapsed' (share below {flip}) and end where "
                    f"it does not; your shares run from {shares[0]:.3f} to {shares[-1]:.3f}.{extra}",
                    "draw the noise for every one of the 500 samples, and widen the sweep around your prediction")
    first = next(i for i, v in enumerate(shares) if v >= flip)
    if abs(float(answer["blind_at"]) - sigmas[first]) > 1e-9:
        last_collapsed = max(i for i, v in enumerate(shares) if v < flip)
        if abs(float(answer["blind_at"]) - sigmas[last_collapsed]) <= 1e-9:
            raise Wrong(f"blind_at is {sigmas[last_collapsed]:g}, the last sd your sweep still reads as collapsed; the "
                        "measure is blind from the first sd that reads 'not collapsed'.",
                        f"the first sd whose share is at least {flip}")
        raise Wrong(f"blind_at is {answer['blind_at']!r}; in your own sweep the first sd whose share is at least "
                    f"{flip} is {sigmas[first]:g}.")
    if sigmas[first] - sigmas[first - 1] > RESOLUTION_5_4 * sigmas[first]:
        raise Wrong(f"Your sweep jumps from sd {sigmas[first - 1]:g} (collapsed) to {sigmas[first]:g} (not): the blind "
                    f"point lies somewhere in a gap of {sigmas[first] - sigmas[first - 1]:.3g}. Add levels in between "
                    f"until the gap is at most {RESOLUTION_5_4:.0%} of the sd where it flips.")
    mine = _noisy_shares_5_4(images, heldout, sigmas)
    judged = [i for i, s in enumerate(sigmas) if abs(s - expected) > BAND_5_4 * expected]
    bad = [i for i in judged if abs(shares[i] - mine[i]) > SHARE_TOL_5_4]
    if bad:
        i = bad[0]
        case = (f"At sd {sigmas[i]:g} your distinct share is {shares[i]:.3f}, but {N_5_4} samples of {K_5_4} repeated "
                f"images with that noise score {mine[i]:.3f} here")
        if all(shares[j] < mine[j] for j in bad) and all(mine[j] >= flip for j in bad):
            raise Wrong(f"{case}: your sweep still reads 'collapsed' where the noise should already hide the collapse, "
                        "as if your noise were weaker than its sd. Did you clip the noisy images to [-1, 1]? Clipping "
                        "removes half the noise wherever a pixel is saturated (the emoji's white background).",
                        "add the noise without clipping: the question is about the measure, not about valid images")
        raise Wrong(f"{case}.", f"{K_5_4} images from `images`, repeated to {N_5_4} samples, each sample with its own "
                                "noise; the share from two_sample.distinct_share(samples, heldout)")
