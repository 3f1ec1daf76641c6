"""Lesson 05's exercise checks (a CIFAR-10 GAN in colour): D's accuracy from its logits (5.1), D's
hinge loss (5.2), and the Frechet distance of two 1-D Gaussians (5.3)."""

from __future__ import annotations

import numpy as np

from gan_lib.coursework.checks.common import call, number, refusing, shown
from gan_lib.coursework.exercises import Wrong, expect_function

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
