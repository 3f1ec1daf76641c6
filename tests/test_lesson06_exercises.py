"""Lesson 06's exercise checks, each tried three ways: the solution passes, the untouched
stub says "not done yet", and a planted typical bug gets its own specific message."""

import numpy as np
from exercise_asserts import expect_not_done, expect_pass, expect_wrong
from exercise_asserts import raise_not_implemented as _raise_not_implemented

from gan_lib import checks

# --------------------------------------------------------------------------- 6.1: one-sided label smoothing


def smoothed_solution(real_logits, fake_logits, real_label):
    r, f = np.asarray(real_logits, float), np.asarray(fake_logits, float)
    real_term = real_label * np.logaddexp(0, -r) + (1 - real_label) * np.logaddexp(0, r)
    return float(np.mean(real_term) + np.mean(np.logaddexp(0, f)))


def test_6_1_solution_passes(capsys):
    expect_pass(capsys, "6.1", lambda: checks.check_6_1(smoothed_solution))


def test_6_1_stub_is_not_done(capsys):
    expect_not_done(capsys, "6.1", lambda: checks.check_6_1(_raise_not_implemented))
    expect_not_done(capsys, "6.1", lambda: checks.check_6_1(None))


def test_6_1_planted_bugs(capsys):
    def two_sided(r, f, label):
        r, f = np.asarray(r, float), np.asarray(f, float)
        fake = (1 - label) * np.logaddexp(0, -f) + label * np.logaddexp(0, f)
        return smoothed_solution(r, [0.0], label) - np.log(2) + float(np.mean(fake))

    def unsmoothed(r, f, label):
        return smoothed_solution(r, f, 1.0)

    def summed(r, f, label):
        r, f = np.asarray(r, float), np.asarray(f, float)
        return (float(np.sum(label * np.logaddexp(0, -r) + (1 - label) * np.logaddexp(0, r)))
                + float(np.sum(np.logaddexp(0, f))))

    def via_probabilities(r, f, label):
        p, q = 1 / (1 + np.exp(-np.asarray(r, float))), 1 / (1 + np.exp(-np.asarray(f, float)))
        return float(np.mean(-label * np.log(p) - (1 - label) * np.log(1 - p)) + np.mean(-np.log(1 - q)))

    def returns_array(r, f, label):
        return np.array([smoothed_solution(r, f, label)] * 2)

    expect_wrong(capsys, "6.1", lambda: checks.check_6_1(two_sided), "fake labels too")
    expect_wrong(capsys, "6.1", lambda: checks.check_6_1(unsmoothed), "ignores real_label")
    expect_wrong(capsys, "6.1", lambda: checks.check_6_1(summed), "summed over the batch")
    expect_wrong(capsys, "6.1", lambda: checks.check_6_1(via_probabilities), "underflows", "logaddexp")
    expect_wrong(capsys, "6.1", lambda: checks.check_6_1(returns_array), "one number")
    expect_wrong(capsys, "6.1", lambda: checks.check_6_1(lambda r, f, label: r.logits), "AttributeError")
    expect_wrong(capsys, "6.1", lambda: checks.check_6_1(0.9), "should be a function")


# --------------------------------------------------------------------------- 6.2: feature matching


def fm_solution(f_real, f_fake):
    return float(np.sum((np.mean(f_real, axis=0) - np.mean(f_fake, axis=0)) ** 2))


def test_6_2_solution_passes(capsys):
    expect_pass(capsys, "6.2", lambda: checks.check_6_2(fm_solution))


def test_6_2_stub_is_not_done(capsys):
    expect_not_done(capsys, "6.2", lambda: checks.check_6_2(_raise_not_implemented))
    expect_not_done(capsys, "6.2", lambda: checks.check_6_2(None))


def test_6_2_planted_bugs(capsys):
    def sample_by_sample(a, b):
        return float(np.mean(np.sum((np.asarray(a) - np.asarray(b)) ** 2, axis=1)))

    def norm_not_squared(a, b):
        return float(np.sqrt(fm_solution(a, b)))

    def mean_over_features(a, b):
        return float(np.mean((np.mean(a, axis=0) - np.mean(b, axis=0)) ** 2))

    def wrong_axis(a, b):
        return float(np.sum((np.mean(a, axis=1) - np.mean(b, axis=1)) ** 2))

    expect_wrong(capsys, "6.2", lambda: checks.check_6_2(sample_by_sample), "sample i")
    expect_wrong(capsys, "6.2", lambda: checks.check_6_2(norm_not_squared), "its square")
    expect_wrong(capsys, "6.2", lambda: checks.check_6_2(mean_over_features), "mean over the 5 features")
    expect_wrong(capsys, "6.2", lambda: checks.check_6_2(wrong_axis), "expected")
    expect_wrong(capsys, "6.2", lambda: checks.check_6_2(lambda a, b: "0.5"), "one number")


# --------------------------------------------------------------------------- 6.3: GP interpolation


def interp_solution(real, fake, rng):
    eps = rng.uniform(0.0, 1.0, size=(len(real),) + (1,) * (np.ndim(real) - 1))
    return eps * real + (1.0 - eps) * fake


def test_6_3_solution_passes(capsys):
    expect_pass(capsys, "6.3", lambda: checks.check_6_3(interp_solution))
    # the weight on the fake side is equally right
    expect_pass(capsys, "6.3", lambda: checks.check_6_3(lambda r, f, rng: interp_solution(f, r, rng)))


def test_6_3_stub_is_not_done(capsys):
    expect_not_done(capsys, "6.3", lambda: checks.check_6_3(_raise_not_implemented))
    expect_not_done(capsys, "6.3", lambda: checks.check_6_3(None))


def test_6_3_planted_bugs(capsys):
    def one_per_batch(real, fake, rng):
        eps = rng.uniform()
        return eps * real + (1 - eps) * fake

    def per_pixel(real, fake, rng):
        eps = rng.uniform(size=np.shape(real))
        return eps * real + (1 - eps) * fake

    def normal(real, fake, rng):
        eps = rng.normal(0.5, 0.5, size=(len(real), 1, 1, 1))
        return eps * real + (1 - eps) * fake

    def beta(real, fake, rng):
        eps = rng.beta(5, 5, size=(len(real), 1, 1, 1))
        return eps * real + (1 - eps) * fake

    def flat_eps(real, fake, rng):
        eps = rng.uniform(size=len(real))
        return eps * real + (1 - eps) * fake

    expect_wrong(capsys, "6.3", lambda: checks.check_6_3(one_per_batch), "same weight", "one eps per sample")
    expect_wrong(capsys, "6.3", lambda: checks.check_6_3(per_pixel), "differs between pixels")
    expect_wrong(capsys, "6.3", lambda: checks.check_6_3(normal), "outside the segment", "uniform")
    expect_wrong(capsys, "6.3", lambda: checks.check_6_3(beta), "std", "uniform")
    expect_wrong(capsys, "6.3", lambda: checks.check_6_3(flat_eps), "has shape", "(N, 1, 1, 1)")
    expect_wrong(capsys, "6.3", lambda: checks.check_6_3("xhat"), "should be a function")
