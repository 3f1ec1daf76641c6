"""Behaviour tests for gan_lib.lessons.theory: closed-form checks of the GAN theory of lesson 01."""

import math

import matplotlib

matplotlib.use("Agg")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from gan_lib import callbacks, losses, theory, theory_nets, theory_plots  # noqa: E402

X = theory.GRID


# --------------------------------------------------------------------------- densities


@pytest.mark.parametrize("dist", [theory.TARGET, theory.FIXED_G, theory.EXERCISE_MIXTURE,
                                  theory.mixture([0, 3], [1, 0.5], [0.2, 0.8])])
def test_densities_integrate_to_one_and_match_their_cdf_and_moments(dist):
    p = dist.pdf(X)
    assert theory.integrate(p) == pytest.approx(1.0, abs=1e-6)
    # cdf(b) - cdf(a) equals the integral of the pdf over [a, b]
    inside = (X >= 1.0) & (X <= 5.0)
    assert theory.integrate(p[inside], X[inside]) == pytest.approx(float(dist.cdf(5.0) - dist.cdf(1.0)), abs=1e-6)
    mean = theory.integrate(X * p)
    std = math.sqrt(theory.integrate((X - mean) ** 2 * p))
    assert dist.mean == pytest.approx(mean, abs=1e-6)
    assert dist.std == pytest.approx(std, abs=1e-6)


def test_samples_follow_the_density_and_are_seeded():
    s = theory.TARGET.sample(50_000, seed=3)
    assert s.shape == (50_000, 1) and s.dtype == np.float32
    assert float(s.mean()) == pytest.approx(4.0, abs=0.03)
    assert float(s.std()) == pytest.approx(1.25, abs=0.03)
    np.testing.assert_array_equal(s, theory.TARGET.sample(50_000, seed=3))
    assert not np.array_equal(s, theory.TARGET.sample(50_000, seed=4))
    m = theory.EXERCISE_MIXTURE.sample(20_000, seed=0)
    np.testing.assert_allclose(theory.mode_shares(m, theory.EXERCISE_MIXTURE), [0.5, 0.5], atol=0.02)


def test_invalid_mixtures_are_refused():
    with pytest.raises(ValueError, match="standard deviation"):
        theory.gaussian(0, 0)
    with pytest.raises(ValueError, match="sum to 1"):
        theory.mixture([0, 1], [1, 1], [0.5, 0.6])
    with pytest.raises(ValueError, match="as many"):
        theory.Density1D((0.0, 1.0), (1.0,), (1.0,))
    assert str(theory.TARGET) == "N(4, 1.25)"


# --------------------------------------------------------------------------- D*, V, KL, JSD


def test_optimal_discriminator_is_one_half_where_densities_are_equal():
    p = theory.TARGET.pdf(X)
    np.testing.assert_allclose(theory.optimal_discriminator(p, p), 0.5)
    # both zero -> 1/2; only data -> 1; only fakes -> 0
    np.testing.assert_allclose(theory.optimal_discriminator([0.0, 0.3, 0.0], [0.0, 0.0, 0.2]), [0.5, 1.0, 0.0])
    d = theory.optimal_discriminator(p, theory.FIXED_G.pdf(X))
    assert d.min() >= 0.0 and d.max() <= 1.0


def test_optimal_discriminator_maximises_the_value_function():
    pd, pg = theory.TARGET.pdf(X), theory.FIXED_G.pdf(X)
    d_star = theory.optimal_discriminator(pd, pg)
    best = theory.value_function(d_star, pd, pg)
    rng = np.random.default_rng(0)
    for _ in range(5):
        other = np.clip(d_star + rng.normal(0, 0.05, size=d_star.shape), 1e-6, 1 - 1e-6)
        assert theory.value_function(other, pd, pg) < best
    assert theory.value_function(np.full_like(X, 0.5), pd, pg) == pytest.approx(-math.log(4), abs=1e-6)
    assert theory.value_function(np.full_like(X, 0.5), pd, pg) < best


def test_value_at_the_optimum_is_minus_log_4():
    p = theory.TARGET.pdf(X)
    d = theory.optimal_discriminator(p, p)
    assert theory.value_function(d, p, p) == pytest.approx(-math.log(4), abs=1e-9)
    assert theory.optimal_value(theory.TARGET, theory.TARGET) == pytest.approx(-math.log(4), abs=1e-9)


@pytest.mark.parametrize("p_g", [theory.FIXED_G, theory.gaussian(0, 1), theory.gaussian(4.5, 1.6),
                                 theory.EXERCISE_MIXTURE])
def test_value_at_d_star_is_minus_log_4_plus_twice_the_jsd(p_g):
    pd, pg = theory.TARGET.pdf(X), p_g.pdf(X)
    v = theory.optimal_value(theory.TARGET, p_g)
    assert v == pytest.approx(-math.log(4) + 2 * theory.js_divergence(pd, pg), abs=1e-7)
    assert v >= -math.log(4) - 1e-12


def test_jsd_of_identical_is_zero_and_of_disjoint_is_log_2():
    p = theory.TARGET.pdf(X)
    assert theory.js_divergence(p, p) == pytest.approx(0.0, abs=1e-12)
    a, b = theory.gaussian(-3, 0.3).pdf(X), theory.gaussian(11, 0.3).pdf(X)
    assert theory.js_divergence(a, b) == pytest.approx(math.log(2), abs=1e-9)
    q = theory.FIXED_G.pdf(X)
    j = theory.js_divergence(p, q)
    assert 0 < j < math.log(2)
    assert theory.js_divergence(q, p) == pytest.approx(j, abs=1e-12)  # symmetric


def test_kl_matches_the_gaussian_closed_form():
    # KL(N(m1, s1) || N(m2, s2)) = log(s2/s1) + (s1^2 + (m1-m2)^2) / (2 s2^2) - 1/2
    m1, s1, m2, s2 = 4.0, 1.25, 2.5, 1.7
    closed = math.log(s2 / s1) + (s1 ** 2 + (m1 - m2) ** 2) / (2 * s2 ** 2) - 0.5
    got = theory.kl_divergence(theory.gaussian(m1, s1).pdf(X), theory.gaussian(m2, s2).pdf(X))
    assert got == pytest.approx(closed, abs=1e-6)
    assert theory.kl_divergence([1.0, 1.0], [1.0, 0.0], np.array([0.0, 1.0])) == math.inf


def test_landscape_is_lowest_at_the_data_mean_and_flat_far_away():
    values = {mu: theory.optimal_value(theory.TARGET, theory.gaussian(mu, 1.25)) for mu in (-4, -3, 1, 2, 4, 6)}
    assert min(values, key=values.get) == 4
    assert values[-4] - values[-3] < 0.05 < values[1] - values[2]


def test_support_mask_and_compare():
    pd, pg = theory.TARGET.pdf(X), theory.FIXED_G.pdf(X)
    mask = theory.support_mask(pd, pg)
    assert 0.0 < X[mask].min() < 1.0 and 7.0 < X[mask].max() < 8.5
    d = theory.optimal_discriminator(pd, pg)
    assert theory.compare_discriminators(d, d, mask) == {"max_abs": 0.0, "mean_abs": 0.0}
    assert theory.compare_discriminators(d + 0.1, d, mask)["mean_abs"] == pytest.approx(0.1)
    bump = d.copy()
    bump[np.argmin(np.abs(X - 3.0))] += 0.5
    gap = theory.compare_discriminators(bump, d, mask, X)
    assert gap["max_abs"] == pytest.approx(0.5) and gap["where"] == pytest.approx(3.0, abs=0.01)


# --------------------------------------------------------------------------- generator-loss gradients


def test_generator_gradient_formulas_match_gradient_tape():
    d = np.array([1e-6, 1e-3, 0.1, 0.5, 0.9, 0.999])
    formula = theory.generator_loss_gradients(d)
    np.testing.assert_allclose(formula["minimax"], -d)
    np.testing.assert_allclose(formula["nonsaturating"], -(1 - d))
    auto = theory_nets.generator_loss_gradients_autodiff(d)
    for name in ("minimax", "nonsaturating"):
        np.testing.assert_allclose(auto[name], formula[name], rtol=1e-4, atol=1e-7)


def test_gradient_of_the_minimax_loss_vanishes_when_d_wins():
    g = theory.generator_loss_gradients(np.array([1e-8]))
    assert abs(g["minimax"][0]) < 1e-7 and abs(g["nonsaturating"][0]) > 0.99


def _linear_pair(a, b, c):
    """G(z) = z + c (one latent), D's logit l(x) = a x + b."""
    g = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    g.set_weights([np.ones((1, 1), np.float32), np.array([c], np.float32)])
    d = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    d.set_weights([np.array([[a]], np.float32), np.array([b], np.float32)])
    return g, d


@pytest.mark.parametrize("a,b,c", [(2.0, -1.0, 0.5), (5.0, -20.0, -1.0)])
def test_generator_gradient_norm_matches_the_chain_rule(a, b, c):
    g, d = _linear_pair(a, b, c)
    z = np.random.default_rng(0).standard_normal((64, 1)).astype(np.float32)
    x = z[:, 0] + c
    s = 1 / (1 + np.exp(-(a * x + b)))
    # d/dc of the mean loss; d/dw (w multiplies z) adds z as a factor
    for loss, dl in (("minimax", -s), ("nonsaturating", -(1 - s))):
        grad_c = np.mean(dl * a)
        grad_w = np.mean(dl * a * z[:, 0])
        want = math.hypot(grad_c, grad_w)
        assert theory_nets.generator_gradient_norm(g, d, loss, z) == pytest.approx(want, rel=1e-3, abs=1e-12)
        grad = theory_nets.generator_gradient(g, d, loss, z)      # [kernel w, bias c]
        np.testing.assert_allclose(grad, [grad_w, grad_c], rtol=1e-3, atol=1e-12)
        size = theory_nets.gradient_per_weight(grad)
        assert size["rms"] == pytest.approx(want / math.sqrt(2), rel=1e-3)
        assert size["max_abs"] == pytest.approx(max(abs(grad_c), abs(grad_w)), rel=1e-3)


# --------------------------------------------------------------------------- models and training


def test_models_have_the_course_shapes_and_names():
    g = theory_nets.build_generator(latent_dim=4, hidden=32, seed=0)
    d = theory_nets.build_discriminator(hidden=32, seed=0)
    assert g.input_shape == (None, 4) and g.output_shape == (None, 1)
    assert d.input_shape == (None, 1) and d.output_shape == (None, 1)
    assert d.get_layer("features") is d.layers[-2]
    assert d.layers[-1].activation.__name__ == "linear"  # D outputs a logit, not a probability
    assert g.count_params() == 4 * 32 + 32 + 32 * 32 + 32 + 32 + 1
    assert d.count_params() == 32 + 32 + 32 * 32 + 32 + 32 + 1


def test_models_depend_only_on_their_seed():
    a, b = theory_nets.build_generator(seed=7), theory_nets.build_generator(seed=7)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    c = theory_nets.build_generator(seed=8)
    assert not np.array_equal(a.get_weights()[0], c.get_weights()[0])
    shifted = theory_nets.build_generator(seed=7, output_bias=-3.0)
    diff = theory_nets.generate(shifted, 100, seed=0) - theory_nets.generate(a, 100, seed=0)
    np.testing.assert_allclose(diff, -3.0, atol=1e-5)
    copy = theory_nets.copy_model(shifted)
    np.testing.assert_array_equal(theory_nets.generate(copy, 10), theory_nets.generate(shifted, 10))


def test_trained_discriminator_approaches_d_star_and_untrained_does_not():
    keras.utils.set_random_seed(0)
    pd, pg = theory.TARGET.pdf(X), theory.FIXED_G.pdf(X)
    d_star, mask = theory.optimal_discriminator(pd, pg), theory.support_mask(pd, pg)
    d = theory_nets.build_discriminator(seed=1)
    limit = theory.THRESHOLDS["d_mean_abs_max"]
    assert theory.compare_discriminators(theory_nets.probabilities(d, X), d_star, mask)["mean_abs"] > limit
    theory_nets.train_discriminator(d, theory.TARGET.sample(20_000, 1), theory.FIXED_G.sample(20_000, 2), epochs=5)
    assert theory.compare_discriminators(theory_nets.probabilities(d, X), d_star, mask)["mean_abs"] <= limit
    # logits and probabilities agree
    want = 1 / (1 + np.exp(-theory_nets.logits(d, [0.0, 4.0])))
    np.testing.assert_allclose(theory_nets.probabilities(d, [0.0, 4.0]), want, rtol=1e-6)


def test_histogram_jsd_floor_and_verdicts():
    floor = theory.jsd_floor()
    assert 0 <= floor < 0.002
    good = theory.sample_stats(theory.TARGET.sample(10_000, seed=5))
    assert theory.learned(good) and not theory.stalled(good)
    untrained = theory.sample_stats(theory_nets.generate(theory_nets.build_generator(seed=0), 10_000))
    assert not theory.learned(untrained) and theory.stalled(untrained)
    far = theory.histogram_jsd(theory.gaussian(-3, 0.2).sample(5000), theory.TARGET)
    assert far == pytest.approx(math.log(2), abs=1e-3)
    bad = theory.sample_stats(np.array([np.nan, 1.0]))
    assert not theory.learned(bad)


def test_make_gan_optimizers():
    g, d = theory_nets.build_generator(), theory_nets.build_discriminator()
    gan = theory_nets.make_gan(g, d, loss="minimax", g_optimizer="sgd", g_lr=0.01)
    assert isinstance(gan.g_optimizer, keras.optimizers.SGD) and isinstance(gan.d_optimizer, keras.optimizers.Adam)
    assert gan.gan_loss.name == "minimax"
    with pytest.raises(ValueError, match="g_optimizer"):
        theory_nets.make_gan(g, d, g_optimizer="rmsprop")


def test_training_in_chunks_equals_one_call():
    keras.utils.set_random_seed(0)
    data = theory.TARGET.sample(1024, seed=0)
    runs = []
    for chunks in ([(0, 2)], [(0, 1), (1, 2)]):
        gan = theory_nets.make_gan(theory_nets.build_generator(seed=1), theory_nets.build_discriminator(seed=1))
        log = callbacks.EpochRows()
        for a, b in chunks:
            gan.fit_images(data, 128, b, initial_epoch=a, callbacks=[log])
        logs = log.rows
        assert [r["epoch"] for r in logs] == [1, 2]
        assert set(logs[0]) == {"epoch", "seconds", "d_loss", "g_loss", "d_real", "d_fake"}
        assert 0 < logs[0]["seconds"] <= logs[1]["seconds"]  # training time so far, across the two calls
        runs.append(gan.generator.get_weights())
    for wa, wb in zip(*runs):
        np.testing.assert_allclose(wa, wb, rtol=1e-6, atol=1e-7)


def test_a_1d_gan_learns_the_target():
    keras.utils.set_random_seed(0)
    data = theory.TARGET.sample(8192, seed=0)
    gan = theory_nets.make_gan(theory_nets.build_generator(seed=4), theory_nets.build_discriminator(seed=4))
    assert not theory.learned(theory.sample_stats(gan.sample(5000)))
    gan.fit_images(data, 128, 15)
    assert theory.learned(theory.sample_stats(gan.sample(10_000)))


def test_minimax_stalls_against_a_winning_discriminator_and_nonsaturating_does_not():
    keras.utils.set_random_seed(0)
    data = theory.TARGET.sample(4096, seed=0)
    g0 = theory_nets.build_generator(seed=0, output_bias=-3.0)
    d0 = theory_nets.build_discriminator(seed=2)
    theory_nets.train_discriminator(d0, data, theory_nets.generate(g0, 2048, seed=3), epochs=20, lr=1e-2)
    assert theory_nets.probabilities(d0, theory_nets.generate(g0, 1000)).mean() < 1e-3
    means = {}
    for loss in ("minimax", "nonsaturating"):
        gan = theory_nets.make_gan(theory_nets.copy_model(g0), theory_nets.copy_model(d0), loss=loss,
                                   g_optimizer="sgd", g_lr=0.002)
        gan.fit_images(data, 128, 6)
        means[loss] = float(gan.sample(2000).mean())
    assert means["minimax"] < -2.5        # has not moved from about -3
    assert means["nonsaturating"] > 2.0   # walked to the data (mean 4)


def test_plots_return_figures():
    import matplotlib.pyplot as plt

    pd, pg = theory.TARGET.pdf(X), theory.FIXED_G.pdf(X)
    d = theory.optimal_discriminator(pd, pg)
    xs = np.linspace(-2, 10, 50)
    figs = [
        theory_plots.plot_discriminators(X, pd, pg, d, d, theory.support_mask(pd, pg), title="t"),
        theory_plots.plot_generator_gradients(),
        theory_plots.plot_landscape([0, 4, 8], [-0.5, -1.38, -0.5], best_mu=4),
        theory_plots.plot_runs({"a": theory.TARGET.sample(500), "b": theory.TARGET.sample(500, seed=1)}),
        theory_plots.plot_snapshots([(0, theory.TARGET.sample(500), xs, np.full_like(xs, 0.5))]),
    ]
    for f in figs:
        assert isinstance(f, matplotlib.figure.Figure)
        plt.close(f)


def test_losses_used_by_theory_are_the_course_losses():
    # The gradients above are taken through gan_lib.core.losses; make sure they are the Goodfellow pair.
    logits = tf.constant([[-2.0], [0.0], [3.0]])
    s = tf.sigmoid(logits)
    np.testing.assert_allclose(losses.generator_loss_minimax(logits).numpy(), np.mean(np.log(1 - s.numpy())), rtol=1e-5)
    np.testing.assert_allclose(losses.generator_loss_nonsaturating(logits).numpy(), np.mean(-np.log(s.numpy())),
                               rtol=1e-5)
