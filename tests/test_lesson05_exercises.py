"""Lesson 05's exercise checks, each tried three ways: the solution passes, the untouched
stub says "not done yet", and a planted typical bug gets its own specific message."""

import numpy as np
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
