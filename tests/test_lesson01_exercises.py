"""Lesson 01's exercise checks, each tried three ways: the solution passes, the untouched
stub says "not done yet", and a planted typical bug gets its own specific message."""

import math

import keras
import numpy as np
import pytest
from exercise_asserts import expect_not_done, expect_pass, expect_wrong
from exercise_asserts import raise_not_implemented as _raise_not_implemented

from gan_lib import checks, theory, theory_nets

# --------------------------------------------------------------------------- 1.1: D*(4)

P_DATA_4 = float(theory.TARGET.pdf(4.0))
P_G_4 = float(theory.gaussian(2.0, 1.0).pdf(4.0))


def test_1_1_solution_passes(capsys):
    answer = float(theory.optimal_discriminator(theory.TARGET.pdf(4.0), theory.gaussian(2.0, 1.0).pdf(4.0)))
    expect_pass(capsys, "1.1", lambda: checks.check_1_1(answer))
    expect_pass(capsys, "1.1", lambda: checks.check_1_1(np.array([answer])))  # a one-element array is fine


def test_1_1_stub_is_not_done(capsys):
    expect_not_done(capsys, "1.1", lambda: checks.check_1_1(None))


def test_1_1_planted_bugs(capsys):
    expect_wrong(capsys, "1.1", lambda: checks.check_1_1(P_G_4 / (P_DATA_4 + P_G_4)), "fake", "p_data goes on top")
    expect_wrong(capsys, "1.1", lambda: checks.check_1_1(P_DATA_4 / P_G_4), "density ratio")
    expect_wrong(capsys, "1.1", lambda: checks.check_1_1(0.5), "expected about 0.855")
    expect_wrong(capsys, "1.1", lambda: checks.check_1_1("0.86"), "one number")


# --------------------------------------------------------------------------- 1.2: js(p, q, x)


def js_solution(p, q, x):
    m = 0.5 * (p + q)
    return 0.5 * theory.kl_divergence(p, m, x) + 0.5 * theory.kl_divergence(q, m, x)


def test_1_2_solution_passes(capsys):
    expect_pass(capsys, "1.2", lambda: checks.check_1_2(js_solution))


def test_1_2_stub_is_not_done(capsys):
    expect_not_done(capsys, "1.2", lambda: checks.check_1_2(_raise_not_implemented))
    expect_not_done(capsys, "1.2", lambda: checks.check_1_2(None))


def test_1_2_planted_bugs(capsys):
    def no_halves(p, q, x):
        m = 0.5 * (p + q)
        return theory.kl_divergence(p, m, x) + theory.kl_divergence(q, m, x)

    def kl_between_each_other(p, q, x):
        return 0.5 * theory.kl_divergence(p, q, x) + 0.5 * theory.kl_divergence(q, p, x)

    def in_bits(p, q, x):
        return js_solution(p, q, x) / math.log(2)

    def one_sided(p, q, x):
        m = 0.5 * (p + q)
        return theory.kl_divergence(p, m, x)

    def crashes(p, q, x):
        return p.nonexistent

    expect_wrong(capsys, "1.2", lambda: checks.check_1_2(no_halves), "twice the JSD", "1/2")
    expect_wrong(capsys, "1.2", lambda: checks.check_1_2(kl_between_each_other), "infinity", "m = (p + q) / 2")
    expect_wrong(capsys, "1.2", lambda: checks.check_1_2(in_bits), "bits", "nats")
    expect_wrong(capsys, "1.2", lambda: checks.check_1_2(one_sided), "not symmetric")
    expect_wrong(capsys, "1.2", lambda: checks.check_1_2(crashes), "AttributeError")
    expect_wrong(capsys, "1.2", lambda: checks.check_1_2(0.18), "should be a function")


# --------------------------------------------------------------------------- 1.3: ns_loss(logits)


def test_1_3_solution_passes(capsys):
    expect_pass(capsys, "1.3", lambda: checks.check_1_3(lambda logits: keras.ops.mean(keras.ops.softplus(-logits))))


def test_1_3_stub_is_not_done(capsys):
    expect_not_done(capsys, "1.3", lambda: checks.check_1_3(_raise_not_implemented))


def test_1_3_planted_bugs(capsys):
    ops = keras.ops

    def saturating(logits):
        return ops.mean(ops.log(1.0 - ops.sigmoid(logits)))

    def unstable(logits):
        return -ops.mean(ops.log(ops.sigmoid(logits)))

    def sign_flipped(logits):
        return ops.mean(-ops.softplus(-logits))

    def no_mean(logits):
        return ops.softplus(-logits)

    expect_wrong(capsys, "1.3", lambda: checks.check_1_3(saturating), "saturating", "-log D(G(z))")
    expect_wrong(capsys, "1.3", lambda: checks.check_1_3(unstable), "underflows", "softplus")
    expect_wrong(capsys, "1.3", lambda: checks.check_1_3(sign_flipped), "sign is flipped")
    expect_wrong(capsys, "1.3", lambda: checks.check_1_3(no_mean), "one number", "keras.ops.mean")


# --------------------------------------------------------------------------- 1.4: a GAN on two bumps


class FakeGAN:
    """Stands in for a trained GAN: anything with ``sample(n, seed)``."""

    def __init__(self, dist):
        self.dist = dist

    def sample(self, n, seed=0):
        return self.dist.sample(n, seed=seed)


def test_1_4_solution_passes(capsys):
    # What a perfect solution produces: samples from the target itself, as a GAN or as an array.
    expect_pass(capsys, "1.4", lambda: checks.check_1_4(FakeGAN(theory.EXERCISE_MIXTURE)))
    expect_pass(capsys, "1.4", lambda: checks.check_1_4(theory.EXERCISE_MIXTURE.sample(5000, seed=2)))


def test_1_4_solution_passes_with_a_real_gan(capsys):
    # The notebook's solution, quick-mode budget.
    keras.utils.set_random_seed(0)
    data = theory.EXERCISE_MIXTURE.sample(8192, seed=0)
    gan = theory_nets.make_gan(theory_nets.build_generator(seed=5, hidden=64),
                               theory_nets.build_discriminator(seed=5, hidden=64), lr=2e-4)
    gan.fit_images(data, 128, 45)
    expect_pass(capsys, "1.4", lambda: checks.check_1_4(gan))
    assert theory.histogram_jsd(gan.sample(5000, seed=1), theory.EXERCISE_MIXTURE) < checks.JSD_MAX_1_4 - 0.02


def test_1_4_stub_is_not_done(capsys):
    expect_not_done(capsys, "1.4", lambda: checks.check_1_4(None))


def test_1_4_planted_bugs(capsys):
    one_mode = FakeGAN(theory.gaussian(5.0, 0.6))  # mode collapse
    uneven = FakeGAN(theory.mixture([0.0, 5.0], [0.6, 0.6], [0.85, 0.15]))
    too_wide = FakeGAN(theory.mixture([0.0, 5.0], [2.6, 2.6]))  # both bumps, far too wide
    wrong_target = FakeGAN(theory.TARGET)  # trained on lesson's N(4, 1.25) instead
    expect_wrong(capsys, "1.4", lambda: checks.check_1_4(one_mode), "Mode collapse", "near 5")
    expect_wrong(capsys, "1.4", lambda: checks.check_1_4(uneven), "unevenly")
    expect_wrong(capsys, "1.4", lambda: checks.check_1_4(too_wide), "JSD", "shape")
    # Both bumps present and evenly filled but visibly off: the bar must not let these through.
    twice_too_wide = FakeGAN(theory.mixture([0.0, 5.0], [1.2, 1.2]))
    narrow_and_shifted = FakeGAN(theory.mixture([0.5, 4.6], [0.35, 0.35]))
    expect_wrong(capsys, "1.4", lambda: checks.check_1_4(twice_too_wide), "JSD", "shape")
    expect_wrong(capsys, "1.4", lambda: checks.check_1_4(narrow_and_shifted), "JSD", "shape")
    expect_wrong(capsys, "1.4", lambda: checks.check_1_4(wrong_target))
    expect_wrong(capsys, "1.4", lambda: checks.check_1_4(np.zeros((10, 1))), "at least 1,000")
    expect_wrong(capsys, "1.4", lambda: checks.check_1_4(np.full((2000, 1), np.nan)), "NaN")


@pytest.mark.parametrize("name", ["check_1_1", "check_1_2", "check_1_3", "check_1_4"])
def test_every_check_has_a_docstring(name):
    assert getattr(checks, name).__doc__
