"""Lesson 06's exercise checks, each tried three ways: the solution passes, the untouched
stub says "not done yet", and wrong answers written as a student gets them wrong (issue 19: the
library's own function, test inputs so symmetric that a wrong formula passes, weights not drawn
from the rng given) are refused with their own message."""

import contextlib

import keras
import numpy as np
import pytest
from exercise_asserts import expect_not_done, expect_pass, expect_wrong, verdict
from exercise_asserts import raise_not_implemented as _raise_not_implemented

from gan_lib import checks, losses, penalties

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


def test_6_1_refuses_the_librarys_loss(capsys):
    # Before: calling losses.discriminator_loss passed (the prompt even named it).
    def via_library(r, f, label):
        return float(losses.discriminator_loss(np.asarray(r)[:, None], np.asarray(f)[:, None], label))

    def via_flipped(r, f, label):  # the noisy-label loss with no label flipped is the same number
        r, f = np.asarray(r)[:, None], np.asarray(f)[:, None]
        return float(losses.discriminator_loss_flipped(r, f, np.zeros_like(r), np.zeros_like(f), label))

    expect_wrong(capsys, "6.1", lambda: checks.check_6_1(via_library), "calls losses.discriminator_loss")
    expect_wrong(capsys, "6.1", lambda: checks.check_6_1(via_flipped), "calls losses.discriminator_loss")
    expect_wrong(capsys, "6.1", lambda: checks.check_6_1(losses.discriminator_loss),
                 "is losses.discriminator_loss itself")


def test_6_1_batches_of_different_sizes(capsys):
    # Before: every case had as many real as fake logits, so pairing them sample by sample passed.
    def paired(r, f, label):
        r, f = np.asarray(r, float), np.asarray(f, float)
        real_term = label * np.logaddexp(0, -r) + (1 - label) * np.logaddexp(0, r)
        return float(np.mean(real_term + np.logaddexp(0, f)))

    expect_wrong(capsys, "6.1", lambda: checks.check_6_1(paired), "3 real and 2 fake", "separately")


def test_6_1_label_as_a_weight(capsys):
    def scaled(r, f, label):  # target 0.9 read as "0.9 times the loss for target 1"
        r, f = np.asarray(r, float), np.asarray(f, float)
        return float(label * np.mean(np.logaddexp(0, -r)) + np.mean(np.logaddexp(0, f)))

    expect_wrong(capsys, "6.1", lambda: checks.check_6_1(scaled), "scaled the real images' loss by real_label")


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

    def l1(a, b):
        return float(np.sum(np.abs(np.mean(a, axis=0) - np.mean(b, axis=0))))

    expect_wrong(capsys, "6.2", lambda: checks.check_6_2(l1), "absolute differences", "square")


def test_6_2_refuses_the_librarys_distance(capsys):
    # Before: penalties.feature_matching_distance (printed in section 2.3) passed.
    expect_wrong(capsys, "6.2", lambda: checks.check_6_2(lambda a, b: float(penalties.feature_matching_distance(a, b))),
                 "calls penalties.feature_matching_distance")
    expect_wrong(capsys, "6.2", lambda: checks.check_6_2(penalties.feature_matching_distance), "itself")


def test_6_2_hints_do_not_give_the_solution(capsys):
    for wrong in (lambda a, b: 1.0, lambda a, b: float(np.sum((np.mean(a, 1) - np.mean(b, 1)) ** 2))):
        ok, out = verdict(capsys, "6.2", lambda w=wrong: checks.check_6_2(w))
        assert not ok and "np.sum((f_real.mean" not in out and "axis=0) - " not in out, out


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


def test_6_3_wrong_formulas_that_real_ones_and_fake_zeros_let_through(capsys):
    # Before: the check used real = 1 and fake = 0, where any point with weight eps on real looks right.
    def minus(real, fake, rng):  # a sign slip: eps x - (1 - eps) G(z)
        eps = rng.uniform(size=(len(real), 1, 1, 1))
        return eps * real - (1 - eps) * fake

    def forgot_fake(real, fake, rng):  # eps (x - G(z)): the fake's own position is lost
        eps = rng.uniform(size=(len(real), 1, 1, 1))
        return eps * (real - fake)

    def both_eps(real, fake, rng):  # the same weight on both sides
        eps = rng.uniform(size=(len(real), 1, 1, 1))
        return eps * real + eps * fake

    for wrong in (minus, forgot_fake, both_eps):
        expect_wrong(capsys, "6.3", lambda w=wrong: checks.check_6_3(w), "away from the line",
                     "add up to 1")


def test_6_3_weights_come_from_the_rng_given(capsys):
    def global_numpy(real, fake, rng):  # ignores rng: not reproducible from the seed the caller chose
        eps = np.random.uniform(size=(len(real), 1, 1, 1))
        return eps * real + (1 - eps) * fake

    def fixed_seed(real, fake, rng):  # a fresh generator of its own: the same weights for every caller
        eps = np.random.default_rng(0).uniform(size=(len(real), 1, 1, 1))
        return eps * real + (1 - eps) * fake

    expect_wrong(capsys, "6.3", lambda: checks.check_6_3(global_numpy), "same seed gave different points")
    expect_wrong(capsys, "6.3", lambda: checks.check_6_3(fixed_seed), "two different seeds gave the same points")


def test_6_3_refuses_the_librarys_interpolates(capsys):
    # Before: section 2.5's penalties.GradientPenalty.interpolates (with any course GAN's seed) passed.
    from gan_lib import GAN, models

    probe = GAN(*models.mlp_wide(), seed=0)

    def via_library(real, fake, rng):
        return np.asarray(penalties.GradientPenalty.interpolates(probe, real, fake)[0])

    expect_wrong(capsys, "6.3", lambda: checks.check_6_3(via_library), "calls penalties.GradientPenalty.interpolates")
    # the watch leaves the static method as it was
    xhat, eps = penalties.GradientPenalty(10).interpolates(probe, np.ones((3, 2, 2, 1)), np.zeros((3, 2, 2, 1)))
    assert np.asarray(eps).shape == (3, 1, 1, 1)


# --------------------------------------------------------------------------- 6.4 (open): one trick, three seeds


def trick_gan(trick="smooth", seed=0, steps=500, batch_size=32):
    """A course GAN as exercise 6.4 builds it, marked as trained with ``fit_images`` for ``steps`` steps
    (no training: the runs of the reference answer take minutes)."""
    from gan_lib import stabilise

    gan = stabilise.build_variant(trick, seed)
    gan.g_optimizer.iterations.assign(steps)
    gan.batch_sizes_used = (batch_size,)
    return gan


@pytest.fixture(scope="module")
def smooth_runs():
    return [trick_gan(seed=s) for s in range(3)]


@pytest.fixture
def scored(monkeypatch):
    """Stand in for the check's own scoring of 1,000 samples: FDs 60, 62 and 65, every part of the
    'learned digits' bar met (what the reference answer's runs reach after minutes of training)."""
    fds = {0: 60.0, 1: 62.0, 2: 65.0}

    def fake(gan, i):
        return {"fd": fds[i], "classifier_score": 8.0, "kl_to_uniform": 0.05}

    monkeypatch.setattr(checks.lesson06, "_score_6_4", fake)
    return [60.0, 62.0, 65.0]


def check(answer):
    return lambda: checks.check_6_4(answer)


@contextlib.contextmanager
def changed(gans, attr, value):
    before = [getattr(g, attr) for g in gans]
    for g in gans:
        setattr(g, attr, value)
    try:
        yield
    finally:
        for g, b in zip(gans, before):
            setattr(g, attr, b)


@contextlib.contextmanager
def steps(gans, n):
    before = [int(g.g_optimizer.iterations) for g in gans]
    for g in gans:
        g.g_optimizer.iterations.assign(n)
    try:
        yield
    finally:
        for g, b in zip(gans, before):
            g.g_optimizer.iterations.assign(b)


def test_6_4_solution_passes(capsys, full_mode, smooth_runs, scored):
    expect_pass(capsys, "6.4", check({"trick": "smooth", "gans": smooth_runs, "fd": [61.0, 60.0, 70.0]}))


def test_6_4_stub_is_not_done(capsys):
    expect_not_done(capsys, "6.4", check(None))
    expect_not_done(capsys, "6.4", check({"trick": "smooth", "gans": None, "fd": None}))


def test_6_4_refuses_a_trick_that_is_not_on(capsys, full_mode, smooth_runs, scored):
    # The trick named but not built: the baseline's loss, or the trick with another change.
    baseline = [trick_gan("baseline", 0)] + smooth_runs[1:]
    expect_wrong(capsys, "6.4", check({"trick": "smooth", "gans": baseline, "fd": scored}),
                 "not the lesson's recipe with smooth on", "NonSaturating(real_label=1.0)",
                 "NonSaturating(real_label=0.9)")
    with changed(smooth_runs, "batch_sizes_used", (64,)):
        expect_wrong(capsys, "6.4", check({"trick": "smooth", "gans": smooth_runs, "fd": scored}), "the batch size")
    expect_wrong(capsys, "6.4", check({"trick": "baseline", "gans": smooth_runs, "fd": scored}), "pick one of")


def test_6_4_refuses_another_generator(capsys, full_mode, smooth_runs, scored):
    from gan_lib import GAN, losses, models

    g, _ = models.build("mlp", 64)  # lesson 02's MLP with the DCGAN's D
    gan = GAN(g, smooth_runs[0].discriminator, seed=5, ema_decay=0.999)
    gan.compile(keras.optimizers.Adam(5e-4, beta_1=0.5), keras.optimizers.Adam(5e-4, beta_1=0.5),
                loss=losses.NonSaturating(real_label=0.9), steps_per_execution=10)
    gan.g_optimizer.iterations.assign(500)
    gan.batch_sizes_used = (32,)
    expect_wrong(capsys, "6.4", check({"trick": "smooth", "gans": [gan] + smooth_runs[1:], "fd": scored}),
                 "G's network is not the course DCGAN")


def test_6_4_refuses_what_is_not_three_equal_runs(capsys, full_mode, smooth_runs, scored):
    expect_wrong(capsys, "6.4", check({"trick": "smooth", "gans": [smooth_runs[0]] * 3, "fd": scored}),
                 "not 3 seeds")
    expect_wrong(capsys, "6.4", check({"trick": "smooth", "gans": smooth_runs[:1], "fd": scored[:1]}),
                 "1 items")
    with steps(smooth_runs, 200):
        expect_wrong(capsys, "6.4", check({"trick": "smooth", "gans": smooth_runs, "fd": scored}),
                     "200 generator steps", "at least 500")
    with steps(smooth_runs[2:], 1000):
        expect_wrong(capsys, "6.4", check({"trick": "smooth", "gans": smooth_runs, "fd": scored}), "500, 500, 1000",
                     "same budget")
    expect_wrong(capsys, "6.4", check({"trick": "smooth", "gans": smooth_runs, "fd": scored[:2]}),
                 "three FDs you measured")


def test_6_4_refuses_numbers_not_measured_on_these_gans(capsys, full_mode, smooth_runs, scored):
    # FDs copied from the stored baseline table (72.2, 75.7, 70.5 at step 500) or from real data (about 2).
    expect_wrong(capsys, "6.4", check({"trick": "smooth", "gans": smooth_runs, "fd": [72.2, 75.7, 70.5]}),
                 "You report FD 72.2 for run 0", "score 60.0", "not measured on this GAN")
    expect_wrong(capsys, "6.4", check({"trick": "smooth", "gans": smooth_runs, "fd": [2.0, 2.0, 2.0]}),
                 "not measured on this GAN")


@pytest.fixture(scope="module")
def untrained_scores(smooth_runs):
    """The check's own scoring of the three (untrained, marked as trained) runs: real numbers."""
    return [checks.lesson06._score_6_4(gan, i) for i, gan in enumerate(smooth_runs)]


def test_6_4_refuses_runs_that_did_not_learn(capsys, full_mode, smooth_runs, untrained_scores, monkeypatch):
    # True numbers (the FDs match the check's own), but no run learned digits. The scores are the
    # check's real ones, computed once by the fixture.
    monkeypatch.setattr(checks.lesson06, "_score_6_4", lambda gan, i: untrained_scores[i])
    fds = [r["fd"] for r in untrained_scores]
    from gan_lib import metrics

    assert min(fds) > metrics.LEARNED["fd_max"], fds  # an untrained generator is far from the bar
    expect_wrong(capsys, "6.4", check({"trick": "smooth", "gans": smooth_runs, "fd": fds}),
                 "do not meet the course's 'learned digits' bar")


def test_6_4_quick_mode_has_no_quality_bar(capsys, quick_mode_env, smooth_runs, untrained_scores, monkeypatch):
    # 40 steps move the weight average too little to judge (the check's docstring gives the measurement):
    # in quick mode true numbers of trained-for-the-budget runs pass, copied numbers still do not.
    monkeypatch.setattr(checks.lesson06, "_score_6_4", lambda gan, i: untrained_scores[i])
    fds = [r["fd"] for r in untrained_scores]
    with steps(smooth_runs, 40):
        expect_pass(capsys, "6.4", check({"trick": "smooth", "gans": smooth_runs, "fd": fds}))
        expect_wrong(capsys, "6.4", check({"trick": "smooth", "gans": smooth_runs, "fd": [72.2, 75.7, 70.5]}),
                     "not measured on this GAN")
        with steps(smooth_runs, 20):
            expect_wrong(capsys, "6.4", check({"trick": "smooth", "gans": smooth_runs, "fd": fds}), "at least 40")
