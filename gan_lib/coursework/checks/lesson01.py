"""Lesson 01's exercise checks (the GAN game): the optimal discriminator at one point (1.1), the
Jensen-Shannon divergence via KL (1.2), a stable non-saturating generator loss (1.3), and a 1-D GAN
that learns both bumps of a mixture (1.4)."""

from __future__ import annotations

import math

import numpy as np

from gan_lib.coursework.checks.common import call, number, refusing, trained_gan_samples
from gan_lib.coursework.exercises import Wrong, expect_close, expect_done, expect_function


def _lesson01_point():
    """Exercise 1.1's setting: p_data = N(4, 1.25), p_g = N(2, 1), at x = 4."""
    from gan_lib.lessons import theory

    x = 4.0
    return float(theory.TARGET.pdf(x)), float(theory.gaussian(2.0, 1.0).pdf(x))


def check_1_1(answer) -> None:
    """D*(4) for p_data = N(4, 1.25) and p_g = N(2, 1)."""
    expect_done(answer, "D*(4)")
    if isinstance(answer, (str, bytes)):
        raise Wrong(f"D*(4) should be one number, got the text {answer!r}.", "drop the quotes")
    try:
        v = float(np.asarray(answer, dtype=np.float64).reshape(-1)[0]) if np.size(answer) == 1 else None
    except (TypeError, ValueError):
        v = None
    if v is None:
        raise Wrong(f"D*(4) should be one number, got {type(answer).__name__} {answer!r}.",
                    "evaluate both densities at the single point x = 4.0")
    pd, pg = _lesson01_point()
    target = pd / (pd + pg)
    hint = ("put both densities, evaluated at x = 4, into the optimal discriminator's formula of the text "
            "(the densities are values, not probabilities)")
    if math.isfinite(v) and abs(v - pg / (pd + pg)) < 1e-3:
        raise Wrong(f"{v:.4f} is p_g / (p_data + p_g): the probability that x = 4 is *fake*.",
                    "D outputs the probability of *real*, so p_data goes on top")
    if math.isfinite(v) and abs(v - pd / pg) < 1e-3:
        raise Wrong(f"{v:.4f} is the density ratio p_data / p_g, not a probability.",
                    "divide by the sum p_data + p_g instead")
    if not (math.isfinite(v) and 0.0 <= v <= 1.0):
        raise Wrong(f"{v!r} is not a probability: D* always lies in [0, 1].", hint)
    expect_close(v, target, 1e-3, "your D*(4)", hint)


def _jsd_cases():
    from gan_lib.lessons import theory

    x = theory.GRID
    p, q = theory.TARGET.pdf(x), theory.FIXED_G.pdf(x)
    far_a, far_b = theory.gaussian(-3.0, 0.3).pdf(x), theory.gaussian(11.0, 0.3).pdf(x)
    return x, [
        ("identical densities", p, p, 0.0),
        ("two densities that do not overlap", far_a, far_b, math.log(2)),
        ("p_data and the fixed generator of this lesson", p, q, theory.js_divergence(p, q, x)),
        ("the same pair, swapped", q, p, theory.js_divergence(p, q, x)),
    ]


def check_1_2(js) -> None:
    """A function ``js(p, q, x)``: the Jensen-Shannon divergence in nats, via KL.

    The exercise forbids ``theory.js_divergence``: the expected values are worked out first, then
    the student's function runs with that function watched (:class:`refusing`), so calling it fails."""
    from gan_lib.lessons import theory

    expect_function(js, "your js function", "js should be a function js(p, q, x)")
    x, cases = _jsd_cases()
    got = []
    with refusing("theory.js_divergence", theory, "js_divergence", answer=js):
        for what, p, q, want in cases:
            hint = "p and q are NumPy arrays of density values on the grid x"
            call_what = f"js(p, q, x) (for {what})"
            v = number(call(js, call_what, hint, p, q, x), call_what, hint)
            got.append((what, v, want))
    (_, v_same, _), (_, v_far, _), (_, v_pq, w_pq), (_, v_qp, _) = got
    hint = "compare p and q each with their mixture m (the average of the two), with KL, and weigh the two terms"
    if not math.isfinite(v_far):
        raise Wrong("For two densities that do not overlap your js returns infinity.",
                    "compare each density with the mixture m = (p + q) / 2, not with each other: "
                    "m is positive wherever p or q is, so both KL terms stay finite")
    if abs(v_pq - v_qp) > 1e-6:
        raise Wrong(f"Your js is not symmetric: js(p, q) = {v_pq:.4f} but js(q, p) = {v_qp:.4f}.", hint)
    if abs(v_far - 1.0) < 1e-3 and abs(v_pq - w_pq / math.log(2)) < 1e-3:
        raise Wrong("Your JSD of non-overlapping densities is 1.0: that is in bits (log base 2).",
                    "the course measures in nats (natural log), where the maximum is log 2 ≈ 0.693")
    if abs(v_far - 2 * math.log(2)) < 1e-3 and abs(v_pq - 2 * w_pq) < 1e-3:
        raise Wrong("Your values are exactly twice the JSD (e.g. 1.386 = log 4 for non-overlapping densities).",
                    "each KL term gets a weight of 1/2")
    for what, v, want in got:
        expect_close(v, want, 1e-4, f"js for {what}", hint)


def check_1_3(ns_loss) -> None:
    """A function ``ns_loss(logits)``: the non-saturating generator loss, stable for any logit.

    Calling the course's ``losses.generator_loss_nonsaturating`` (or its minimax twin) is refused:
    the student's function runs with both watched (:class:`refusing`)."""
    import keras

    from gan_lib.core import losses

    expect_function(ns_loss, "your ns_loss function", "ns_loss should be a function of D's logits")
    logits = np.array([[-3.0], [-0.5], [0.0], [1.0], [4.0]], dtype=np.float32)
    hint = "write -log D(G(z)) in terms of the logit l, with D = sigmoid(l), then look for it in keras.ops"
    extreme = np.array([[-200.0], [200.0]], dtype=np.float32)
    with refusing("losses.generator_loss_nonsaturating", losses, "generator_loss_nonsaturating",
                  losses, "generator_loss_minimax", answer=ns_loss):
        out = keras.ops.convert_to_numpy(call(ns_loss, "ns_loss(logits)", "logits is a tensor of shape (N, 1)",
                                              keras.ops.convert_to_tensor(logits)))
        out_extreme = call(ns_loss, "ns_loss([[-200], [200]])", None, keras.ops.convert_to_tensor(extreme))
    try:
        out = np.asarray(out, dtype=np.float64)
    except (TypeError, ValueError):
        raise Wrong(f"ns_loss returns {type(out).__name__} {out!r:.60}, not a number.",
                    "return keras.ops.mean(...) of a tensor of losses") from None
    if out.size != 1:
        raise Wrong(f"ns_loss returns shape {out.shape}; a loss is one number, the mean over the batch.",
                    "wrap it in keras.ops.mean(...)")
    v = float(out.reshape(()))
    want = float(keras.ops.convert_to_numpy(losses.generator_loss_nonsaturating(logits)))
    saturating = float(keras.ops.convert_to_numpy(losses.generator_loss_minimax(logits)))
    if math.isfinite(v) and abs(v - saturating) < 1e-4:
        raise Wrong("That is the saturating (minimax) loss log(1 - D), the one that stalls.",
                    "the non-saturating loss is -log D(G(z))")
    if math.isfinite(v) and abs(v + want) < 1e-4:
        raise Wrong("The sign is flipped: that is +log D, which G would *decrease* by making D reject its fakes.",
                    "G minimises -log D(G(z))")
    expect_close(v, want, 1e-4, "your loss for logits [-3, -0.5, 0, 1, 4]", hint)
    e = float(np.asarray(keras.ops.convert_to_numpy(out_extreme)).reshape(()))
    if not math.isfinite(e):
        raise Wrong(f"For logits [-200, 200] your loss is {e}: log(sigmoid(-200)) underflows to log(0).",
                    "compute it from the logit directly, never through sigmoid then log (the hint in the "
                    "text names the kind of function that stays finite)")
    expect_close(e, 100.0, 1e-2, "your loss for logits [-200, 200]", hint)


#: Exercise 1.4's bar: the binned JSD (5,000 samples) to ``theory.EXERCISE_MIXTURE``. A solution
#: trained to the end scores about 0.03-0.06; bumps twice too wide score about 0.1 and fail.
JSD_MAX_1_4 = 0.08


def check_1_4(answer) -> None:
    """A trained GAN that learned ``theory.EXERCISE_MIXTURE``: both modes, JSD at most :data:`JSD_MAX_1_4`.

    The check draws 5,000 samples itself from the GAN's generator (:func:`trained_gan_samples`):
    an array of samples, which could be drawn from the target itself, or an untrained GAN is refused."""
    from gan_lib.lessons import theory

    expect_done(answer, "your trained GAN")
    s = trained_gan_samples(answer, 5000, 1, "answer_1_4").astype(np.float64)
    if s.ndim == 2 and s.shape[1] == 1:
        s = s[:, 0]
    if s.ndim != 1:
        raise Wrong(f"Your generator draws samples of shape {s.shape[1:]}; this exercise's data are single numbers.",
                    "use the 1-D models of this lesson (theory_nets)")
    if not np.all(np.isfinite(s)):
        raise Wrong("Some samples are NaN or infinite: the training diverged.", "try a smaller learning rate")
    target = theory.EXERCISE_MIXTURE
    shares = theory.mode_shares(s, target)
    jsd = theory.histogram_jsd(s, target)
    modes = ", ".join(f"{share:.0%} near {m:g}" for share, m in zip(shares, target.means))
    if shares.max() >= 0.9:
        k = int(np.argmax(shares))
        raise Wrong(f"Mode collapse: {shares[k]:.0%} of your samples sit near {target.means[k]:g} "
                    f"and the other mode is (almost) empty ({modes}).",
                    "a wider generator, more epochs, or another seed; lesson 04 is about this failure")
    if shares.min() < 0.25:
        raise Wrong(f"Your generator covers the modes unevenly ({modes}); each should get about half.",
                    "train longer: the weaker mode usually fills in")
    if jsd > JSD_MAX_1_4:
        raise Wrong(f"Both modes are there ({modes}) but the JSD to the target is {jsd:.3f} > {JSD_MAX_1_4}: "
                    "the shape is still off (bumps too wide or too narrow, in the wrong place, "
                    "or too many samples between them).",
                    "compare the histogram with the target curve; train longer or try a lower learning "
                    "rate (e.g. lr=2e-4 in theory_nets.make_gan)")
