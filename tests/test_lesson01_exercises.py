"""Lesson 01's exercise checks, each tried three ways: the solution passes, the untouched
stub says "not done yet", and a planted typical bug gets its own specific message."""

import math

import keras
import numpy as np
import pytest
from exercise_asserts import expect_not_done, expect_pass, expect_wrong, verdict
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
    # The variance 1.25**2 passed where gaussian() takes the standard deviation.
    var_as_std = theory.gaussian(4.0, 1.25 ** 2).pdf(4.0)
    expect_wrong(capsys, "1.1", lambda: checks.check_1_1(var_as_std / (var_as_std + P_G_4)), "expected about 0.855")
    # The generator's density evaluated at its own mean (x = 2) instead of x = 4.
    p_g_2 = float(theory.gaussian(2.0, 1.0).pdf(2.0))
    expect_wrong(capsys, "1.1", lambda: checks.check_1_1(P_DATA_4 / (P_DATA_4 + p_g_2)), "expected about 0.855")
    expect_wrong(capsys, "1.1", lambda: checks.check_1_1([0.5, 0.855]), "one number")
    # The hint points at the formula without writing it out (it used to end with the full answer).
    ok, out = verdict(capsys, "1.1", lambda: checks.check_1_1(0.5))
    assert "optimal discriminator's formula" in out and "p_data(x) / (p_data(x) + p_g(x))" not in out, out


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


def test_1_2_refuses_the_librarys_js_divergence(capsys):
    # Before: passed, since the library's own function gives exactly the right values.
    expect_wrong(capsys, "1.2", lambda: checks.check_1_2(lambda p, q, x: theory.js_divergence(p, q, x)),
                 "calls theory.js_divergence")
    # ... also when wrapped in a formula that only looks like the student's own work.
    expect_wrong(capsys, "1.2", lambda: checks.check_1_2(lambda p, q, x: 0.0 + 1.0 * theory.js_divergence(q, p, x)),
                 "calls theory.js_divergence")
    expect_wrong(capsys, "1.2", lambda: checks.check_1_2(theory.js_divergence), "is theory.js_divergence itself")
    # The watch is lifted afterwards: the library function still works.
    assert theory.js_divergence(theory.TARGET.pdf(theory.GRID), theory.TARGET.pdf(theory.GRID), theory.GRID) < 1e-9


def test_1_2_hint_does_not_spell_out_the_formula(capsys):
    def kl_between_each_other_halved(p, q, x):  # finite on the grid pair, wrong value
        m = 0.5 * (p + q)
        return 0.5 * theory.kl_divergence(p, m, x) + 0.25 * theory.kl_divergence(q, m, x) + 0.1

    ok, out = verdict(capsys, "1.2", lambda: checks.check_1_2(kl_between_each_other_halved))
    assert not ok and "not yet right" in out and "mixture" in out, out
    assert "0.5 * KL(p || m)" not in out, out


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
    expect_wrong(capsys, "1.3", lambda: checks.check_1_3(unstable), "underflows", "from the logit directly")
    expect_wrong(capsys, "1.3", lambda: checks.check_1_3(sign_flipped), "sign is flipped")
    expect_wrong(capsys, "1.3", lambda: checks.check_1_3(no_mean), "one number", "keras.ops.mean")

    def summed(logits):  # the sum over the batch, not the mean
        return ops.sum(ops.softplus(-logits))

    def fake_term_of_d(logits):  # D's loss on fakes, -log(1 - D), copied from the discriminator's loss
        return ops.mean(ops.softplus(logits))

    def clipped(logits):  # a "fix" for the underflow that changes the loss at large logits
        return -ops.mean(ops.log(ops.clip(ops.sigmoid(logits), 1e-7, 1.0)))

    expect_wrong(capsys, "1.3", lambda: checks.check_1_3(summed), "expected about")
    expect_wrong(capsys, "1.3", lambda: checks.check_1_3(fake_term_of_d), "expected about")
    expect_wrong(capsys, "1.3", lambda: checks.check_1_3(clipped), "logits [-200, 200]")


def test_1_3_refuses_the_librarys_loss(capsys):
    from gan_lib import losses

    expect_wrong(capsys, "1.3", lambda: checks.check_1_3(losses.generator_loss_nonsaturating),
                 "is losses.generator_loss_nonsaturating itself")
    expect_wrong(capsys, "1.3", lambda: checks.check_1_3(lambda t: losses.generator_loss_nonsaturating(t) + 0.0),
                 "calls losses.generator_loss_nonsaturating")


# --------------------------------------------------------------------------- 1.4: a GAN on two bumps


class FakeGAN:
    """Not a GAN: anything with ``sample(n, seed)``, here drawing from a distribution."""

    def __init__(self, dist):
        self.dist = dist

    def sample(self, n, seed=0):
        return self.dist.sample(n, seed=seed)


def gan_drawing(means, stds, share_first=0.5, steps=1):
    """A course GAN whose generator draws a two-bump mixture by construction (no learning), marked as
    having taken ``steps`` optimizer steps: it stands for a GAN trained to that distribution."""
    from scipy.stats import norm

    from gan_lib import GAN

    cut = float(norm.ppf(share_first))

    def draw(z):
        ops = keras.ops
        first = ops.cast(z[:, :1] < cut, "float32")
        return first * (means[0] + stds[0] * z[:, 1:2]) + (1 - first) * (means[1] + stds[1] * z[:, 1:2])

    z = keras.Input((2,))
    gan = GAN(keras.Model(z, keras.layers.Lambda(draw)(z)), theory_nets.build_discriminator(seed=0))
    gan.compile()
    gan.g_optimizer.iterations.assign(steps)
    return gan


@pytest.fixture(scope="module")
def mixture_gan():
    """The notebook's solution, quick-mode budget (trained once for the module)."""
    keras.utils.set_random_seed(0)
    data = theory.EXERCISE_MIXTURE.sample(8192, seed=0)
    gan = theory_nets.make_gan(theory_nets.build_generator(seed=5, hidden=64),
                               theory_nets.build_discriminator(seed=5, hidden=64), lr=2e-4)
    gan.fit_images(data, 128, 45)
    return gan


def test_1_4_solution_passes_with_a_real_gan(capsys, mixture_gan):
    expect_pass(capsys, "1.4", lambda: checks.check_1_4(mixture_gan))
    assert theory.histogram_jsd(mixture_gan.sample(5000, seed=1), theory.EXERCISE_MIXTURE) < checks.JSD_MAX_1_4 - 0.02
    # A GAN whose generator draws the target exactly passes too: the bar is about the distribution.
    expect_pass(capsys, "1.4", lambda: checks.check_1_4(gan_drawing([0.0, 5.0], [0.6, 0.6])))


def test_1_4_stub_is_not_done(capsys):
    expect_not_done(capsys, "1.4", lambda: checks.check_1_4(None))


def test_1_4_planted_bugs(capsys):
    one_mode = gan_drawing([5.0, 5.0], [0.6, 0.6])  # mode collapse
    uneven = gan_drawing([0.0, 5.0], [0.6, 0.6], share_first=0.85)
    too_wide = gan_drawing([0.0, 5.0], [2.6, 2.6])  # both bumps, far too wide
    expect_wrong(capsys, "1.4", lambda: checks.check_1_4(one_mode), "Mode collapse", "near 5")
    expect_wrong(capsys, "1.4", lambda: checks.check_1_4(uneven), "unevenly")
    expect_wrong(capsys, "1.4", lambda: checks.check_1_4(too_wide), "JSD", "shape")
    # Both bumps present and evenly filled but visibly off: the bar must not let these through.
    expect_wrong(capsys, "1.4", lambda: checks.check_1_4(gan_drawing([0.0, 5.0], [1.2, 1.2])), "JSD", "shape")
    expect_wrong(capsys, "1.4", lambda: checks.check_1_4(gan_drawing([0.5, 4.6], [0.35, 0.35])), "JSD", "shape")
    expect_wrong(capsys, "1.4", lambda: checks.check_1_4(gan_drawing([4.0, 4.0], [1.25, 1.25])))  # lesson's target
    nan_gan = gan_drawing([np.nan, np.nan], [1.0, 1.0])
    expect_wrong(capsys, "1.4", lambda: checks.check_1_4(nan_gan), "NaN")


def test_1_4_refuses_samples_not_drawn_from_a_trained_gan(capsys):
    # Before: each of these passed, since the check read samples from whatever it was given.
    target_draws = theory.EXERCISE_MIXTURE.sample(5000, seed=2)
    expect_wrong(capsys, "1.4", lambda: checks.check_1_4(target_draws), "GAN you trained", "array of samples")
    expect_wrong(capsys, "1.4", lambda: checks.check_1_4(FakeGAN(theory.EXERCISE_MIXTURE)),
                 "GAN you trained", "FakeGAN")
    untrained = gan_drawing([0.0, 5.0], [0.6, 0.6], steps=0)  # built and compiled, fit never called
    expect_wrong(capsys, "1.4", lambda: checks.check_1_4(untrained), "not been trained")


@pytest.mark.parametrize("name", ["check_1_1", "check_1_2", "check_1_3", "check_1_4"])
def test_every_check_has_a_docstring(name):
    assert getattr(checks, name).__doc__
