"""Lesson 05's exercise checks, each tried three ways: the solution passes, the untouched
stub says "not done yet", and a planted typical bug gets its own specific message."""

import numpy as np
import pytest
from exercise_asserts import expect_not_done, expect_pass, expect_wrong, verdict
from exercise_asserts import raise_not_implemented as _raise_not_implemented

from gan_lib import checks

# --------------------------------------------------------------------------- 5.1: d_accuracy


def d_accuracy(real_logits, fake_logits):
    real_logits, fake_logits = np.asarray(real_logits), np.asarray(fake_logits)
    return float(np.mean(real_logits > 0)), float(np.mean(fake_logits <= 0))


def test_5_1_solution_passes(capsys):
    expect_pass(capsys, "5.1", lambda: checks.check_5_1(d_accuracy))


def test_5_1_stub_is_not_done(capsys):
    expect_not_done(capsys, "5.1", lambda: checks.check_5_1(_raise_not_implemented))
    expect_not_done(capsys, "5.1", lambda: checks.check_5_1(None))


def test_5_1_planted_bugs(capsys):
    def probability_threshold(r, f):
        return float(np.mean(np.asarray(r) > 0.5)), float(np.mean(np.asarray(f) <= 0.5))

    def fake_called_real(r, f):
        return float(np.mean(np.asarray(r) > 0)), float(np.mean(np.asarray(f) > 0))

    expect_wrong(capsys, "5.1", lambda: checks.check_5_1(probability_threshold), "logits, not probabilities")
    expect_wrong(capsys, "5.1", lambda: checks.check_5_1(fake_called_real), "share of fakes D calls *real*")
    expect_wrong(capsys, "5.1", lambda: checks.check_5_1(lambda r, f: 0.5), "expected a pair")
    expect_wrong(capsys, "5.1", lambda: checks.check_5_1(lambda r, f: r.nope), "raised AttributeError")
    expect_wrong(capsys, "5.1", lambda: checks.check_5_1(lambda r, f: (0.1, 0.2)), "expected (")
    expect_wrong(capsys, "5.1", lambda: checks.check_5_1(3), "should be a function")


# --------------------------------------------------------------------------- 5.2: d_hinge


def d_hinge(real_logits, fake_logits):
    r, f = np.asarray(real_logits, float), np.asarray(fake_logits, float)
    return float(np.mean(np.maximum(0, 1 - r)) + np.mean(np.maximum(0, 1 + f)))


def test_5_2_solution_passes(capsys):
    expect_pass(capsys, "5.2", lambda: checks.check_5_2(d_hinge))


def test_5_2_stub_is_not_done(capsys):
    expect_not_done(capsys, "5.2", lambda: checks.check_5_2(_raise_not_implemented))
    expect_not_done(capsys, "5.2", lambda: checks.check_5_2(None))


def test_5_2_planted_bugs(capsys):
    def no_clip(r, f):
        return float(np.mean(1 - np.asarray(r)) + np.mean(1 + np.asarray(f)))

    def swapped(r, f):
        return float(np.mean(np.maximum(0, 1 + np.asarray(r))) + np.mean(np.maximum(0, 1 - np.asarray(f))))

    expect_wrong(capsys, "5.2", lambda: checks.check_5_2(no_clip), "without the clipping at 0")
    expect_wrong(capsys, "5.2", lambda: checks.check_5_2(swapped), "signs are swapped")
    expect_wrong(capsys, "5.2", lambda: checks.check_5_2(lambda r, f: d_hinge(r, f) * 2), "expected")
    expect_wrong(capsys, "5.2", lambda: checks.check_5_2(lambda r, f: "2"), "should be one number")


# --------------------------------------------------------------------------- 5.3: fd_1d


def fd_1d(mu1, sd1, mu2, sd2):
    return (mu1 - mu2) ** 2 + (sd1 - sd2) ** 2


def test_5_3_solution_passes(capsys):
    expect_pass(capsys, "5.3", lambda: checks.check_5_3(fd_1d))


def test_5_3_stub_is_not_done(capsys):
    expect_not_done(capsys, "5.3", lambda: checks.check_5_3(_raise_not_implemented))
    expect_not_done(capsys, "5.3", lambda: checks.check_5_3(None))


def test_5_3_planted_bugs(capsys):
    def variances(m1, s1, m2, s2):
        return (m1 - m2) ** 2 + (s1 ** 2 - s2 ** 2) ** 2

    expect_wrong(capsys, "5.3", lambda: checks.check_5_3(variances), "compared the variances")
    expect_wrong(capsys, "5.3", lambda: checks.check_5_3(lambda m1, s1, m2, s2: abs(m1 - m2) + (s1 - s2) ** 2),
                 "is squared")
    expect_wrong(capsys, "5.3", lambda: checks.check_5_3(lambda m1, s1, m2, s2: (m1 - m2) ** 2),
                 "left out the covariance term")
    expect_wrong(capsys, "5.3", lambda: checks.check_5_3(lambda m1, s1, m2, s2: (m1 - m2) ** 2 + abs(s1 - s2)),
                 "expected")


# ------------------------------------------------- the library's own versions, and more wrong answers (issue 19)


def test_5_1_more_wrong_answers(capsys):
    def swapped_pair(r, f):  # returns (accuracy on fake, accuracy on real)
        return float(np.mean(np.asarray(f) <= 0)), float(np.mean(np.asarray(r) > 0))

    def soft_accuracy(r, f):  # mean probability instead of a share of decisions
        sig = lambda t: 1 / (1 + np.exp(-np.asarray(t)))  # noqa: E731
        return float(np.mean(sig(r))), float(np.mean(1 - sig(f)))

    def overall_twice(r, f):  # one accuracy over both sets, returned twice
        acc = float(np.mean(np.concatenate([np.asarray(r) > 0, np.asarray(f) <= 0])))
        return acc, acc

    expect_wrong(capsys, "5.1", lambda: checks.check_5_1(swapped_pair), "wrong order")
    expect_wrong(capsys, "5.1", lambda: checks.check_5_1(soft_accuracy), "expected (0.750, 0.750)")
    expect_wrong(capsys, "5.1", lambda: checks.check_5_1(overall_twice), "expected (1.000, 0.333)")


def test_5_2_refuses_the_librarys_loss_and_more_wrong_answers(capsys):
    from gan_lib import losses

    # Before: both passed (the prompt said not to call gan_lib.core.losses; nothing checked it).
    expect_wrong(capsys, "5.2", lambda: checks.check_5_2(losses.discriminator_loss_hinge),
                 "is losses.discriminator_loss_hinge itself")
    expect_wrong(capsys, "5.2", lambda: checks.check_5_2(lambda r, f: float(losses.discriminator_loss_hinge(r, f))),
                 "calls losses.discriminator_loss_hinge")

    def fake_sign_copied(r, f):  # 1 - l for the fakes too (copy-paste from the real term)
        return float(np.mean(np.maximum(0, 1 - r)) + np.mean(np.maximum(0, 1 - f)))

    def clip_after_mean(r, f):  # max(0, .) applied to the mean, not to each logit
        return float(max(0.0, np.mean(1 - r)) + max(0.0, np.mean(1 + f)))

    def generator_hinge(r, f):  # G's hinge loss, -mean(l(G(z))), in D's place
        return float(-np.mean(f))

    expect_wrong(capsys, "5.2", lambda: checks.check_5_2(fake_sign_copied), "expected 2.0000")
    expect_wrong(capsys, "5.2", lambda: checks.check_5_2(clip_after_mean), "clipping at 0")
    expect_wrong(capsys, "5.2", lambda: checks.check_5_2(generator_hinge), "expected 2.0000")
    ok, out = verdict(capsys, "5.2", lambda: checks.check_5_2(generator_hinge))
    assert "margin" in out and "mean(max(0, 1 - real_logits))" not in out, out


def test_5_3_refuses_the_librarys_function_and_more_wrong_answers(capsys):
    from gan_lib import metrics

    expect_wrong(capsys, "5.3",
                 lambda: checks.check_5_3(lambda m1, s1, m2, s2: metrics.frechet_distance_gaussians(
                     [m1], [[s1 ** 2]], [m2], [[s2 ** 2]])), "calls metrics.frechet_distance_gaussians")

    def sqrt_of_fd(m1, s1, m2, s2):  # the distance "as a distance": square root of the FD
        return float(np.sqrt((m1 - m2) ** 2 + (s1 - s2) ** 2))

    def trace_without_the_cross_term(m1, s1, m2, s2):  # Tr(C1 + C2), the -2 (C1 C2)^1/2 dropped
        return float((m1 - m2) ** 2 + s1 ** 2 + s2 ** 2)

    def sqrt_of_stds(m1, s1, m2, s2):  # (C1 C2)^1/2 taken as sqrt(sd1 * sd2)
        return float((m1 - m2) ** 2 + s1 ** 2 + s2 ** 2 - 2 * np.sqrt(s1 * s2))

    expect_wrong(capsys, "5.3", lambda: checks.check_5_3(sqrt_of_fd), "fd_1d(1.0, 1.0, 3.0, 1.0) = 2")
    expect_wrong(capsys, "5.3", lambda: checks.check_5_3(trace_without_the_cross_term), "expected 0")
    expect_wrong(capsys, "5.3", lambda: checks.check_5_3(sqrt_of_stds), "fd_1d(0.0, 1.0, 0.0, 3.0)")
    ok, out = verdict(capsys, "5.3", lambda: checks.check_5_3(sqrt_of_stds))
    assert "(sd1 - sd2)**2" not in out and "section 8" in out, out


# --------------------------------------------------------------------------- 5.4: when noise hides a collapse


@pytest.fixture(scope="module")
def emoji_5_4():
    from gan_lib import colour

    images = colour.load_colour("train", limit=512, verbose=False).images
    heldout = colour.load_colour("heldout", limit=300, verbose=False).images
    return images, heldout


def sweep_5_4(images, heldout, factors=(0.5, 0.7, 0.85, 0.93, 0.97, 1.03, 1.07, 1.15, 1.3, 1.6), predicted=None,
              clip=False, noise_first=False, units=1.0, k=8, seed=7):
    """A student's sweep, right by default; each keyword plants one mistake."""
    from gan_lib import two_sample

    t = two_sample.distinct_share(images[:8], heldout)["threshold"]
    pred = t / np.sqrt(2) if predicted is None else predicted(t)
    rng = np.random.default_rng(seed)
    eight = images[rng.choice(len(images), k, replace=False)]
    sigmas = [float(t / np.sqrt(2) * f) for f in factors]
    shares = []
    for s in sigmas:
        if noise_first:   # noise on the 8 images, then repeated: identical copies again
            x = (eight + s * rng.standard_normal(eight.shape))[rng.integers(0, k, 500)]
        else:
            x = eight[rng.integers(0, k, 500)]
            x = x + s * rng.standard_normal(x.shape)
        shares.append(two_sample.distinct_share(np.clip(x, -1, 1) if clip else x, heldout)["distinct_share"])
    blind = next(s for s, v in zip(sigmas, shares) if v >= 0.5) if max(shares) >= 0.5 else sigmas[-1]
    return {"predicted": pred, "sigmas": [s * units for s in sigmas], "shares": shares, "blind_at": blind * units}


def test_5_4_solution_passes(capsys, emoji_5_4):
    expect_pass(capsys, "5.4", lambda: checks.check_5_4(sweep_5_4(*emoji_5_4)))


def test_5_4_stub_is_not_done(capsys, emoji_5_4):
    expect_not_done(capsys, "5.4", lambda: checks.check_5_4(None))


def test_5_4_wrong_answers_are_refused(capsys, emoji_5_4):
    images, heldout = emoji_5_4

    def wrong(answer, *phrases):
        expect_wrong(capsys, "5.4", lambda: checks.check_5_4(answer), *phrases)

    # the prediction: the threshold itself (forgetting that both copies carry noise), or times sqrt(2)
    wrong(sweep_5_4(images, heldout, predicted=lambda t: t), "the threshold itself", "*both* copies")
    wrong(sweep_5_4(images, heldout, predicted=lambda t: t * np.sqrt(2)), "multiplied by sqrt(2)")
    # the sweep: noise added before repeating (identical copies), noise clipped to [-1, 1], 0-255 units
    wrong(sweep_5_4(images, heldout, noise_first=True), "*before* repeating them")
    clipped = sweep_5_4(images, heldout, factors=(0.5, 0.7, 0.85, 0.93, 1.1, 1.2, 1.3, 1.4, 1.5, 1.7, 2.0), clip=True)
    wrong(clipped, "Did you clip the noisy images to [-1, 1]?")
    wrong(sweep_5_4(images, heldout, units=127.5), "not 0-255")
    # reading the sweep: blind_at one step too early; a grid too coarse to locate the flip
    right = sweep_5_4(images, heldout)
    i = right["sigmas"].index(right["blind_at"])
    wrong({**right, "blind_at": right["sigmas"][i - 1]}, "the last sd your sweep still reads as collapsed")
    wrong(sweep_5_4(images, heldout, factors=(0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.6)), "Add levels in between")
    # another measure in place of the distinct share (the diversity ratio, which does not see collapse)
    wrong({**right, "shares": [0.84] * len(right["shares"])}, "should start where the measure reads 'collapsed'")
    # 64 images repeated instead of 8: the shares below the flip are 64/500, not 8/500
    wrong(sweep_5_4(images, heldout, k=64), "your distinct share is 0.12", "score 0.016")
    # too few levels, and a malformed answer
    wrong(sweep_5_4(images, heldout, factors=(0.5, 0.9, 1.1, 1.5)), "at least 8 levels")
    wrong({"predicted": 0.07}, "should be a dict with keys")
