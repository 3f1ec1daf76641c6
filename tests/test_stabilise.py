"""Lesson 06's pieces: noisy labels, feature matching, spectral norm (wide MLP and DCGAN),
two time-scale optimizers, the experiment's variants and papers' settings, the critic's gap,
table, curves and the BatchNorm probe."""

import keras
import numpy as np
import pytest

from gan_lib import data, losses, models, penalties, stabilise
from gan_lib.core.gan import GAN


def _bce(logits, target):
    logits = np.asarray(logits, np.float64)
    return np.mean(target * np.log1p(np.exp(-logits)) + (1 - target) * np.log1p(np.exp(logits)))


# --------------------------------------------------------------------------- noisy labels


def test_flipped_loss_golden_values():
    real = np.array([[2.0], [-1.0]])
    fake = np.array([[-3.0], [0.5]])
    # real 0 flipped to target 0, fake 1 flipped to target 1
    got = float(losses.discriminator_loss_flipped(real, fake, [[1], [0]], [[0], [1]]))
    want = np.mean([_bce(2.0, 0.0), _bce(-1.0, 1.0)]) + np.mean([_bce(-3.0, 0.0), _bce(0.5, 1.0)])
    assert got == pytest.approx(want, rel=1e-5)
    # no flips: the plain (and the smoothed) BCE
    zeros = np.zeros((2, 1))
    assert float(losses.discriminator_loss_flipped(real, fake, zeros, zeros)) == pytest.approx(
        float(losses.discriminator_loss(real, fake)), rel=1e-6)
    assert float(losses.discriminator_loss_flipped(real, fake, zeros, zeros, real_label=0.9)) == pytest.approx(
        float(losses.discriminator_loss(real, fake, 0.9)), rel=1e-6)
    # logits 0: log 4 whatever the masks
    flipped = float(losses.discriminator_loss_flipped(zeros, zeros, [[1], [0]], [[1], [1]]))
    assert flipped == pytest.approx(np.log(4), rel=1e-6)


def test_noisy_labels_flip_rate_and_seed():
    loss = losses.NoisyLabels(flip=0.1, seed=3)
    r, f = loss.masks(np.zeros((50000, 1)), np.zeros((50000, 1)))
    assert float(np.mean(r)) == pytest.approx(0.1, abs=0.006)
    assert float(np.mean(f)) == pytest.approx(0.1, abs=0.006)
    assert not np.array_equal(np.asarray(r), np.asarray(f))
    again = losses.NoisyLabels(flip=0.1, seed=3).masks(np.zeros((50000, 1)), np.zeros((50000, 1)))
    assert np.array_equal(np.asarray(r), np.asarray(again[0]))
    # flip 0: the non-saturating loss exactly
    logits = np.random.default_rng(0).normal(size=(8, 1)).astype("float32")
    assert float(losses.NoisyLabels(flip=0.0).discriminator(logits, -logits)) == pytest.approx(
        float(losses.NonSaturating().discriminator(logits, -logits)), rel=1e-6)
    assert float(loss.generator(logits)) == pytest.approx(float(losses.generator_loss_nonsaturating(logits)))


def test_noisy_labels_raise_a_confident_ds_loss_on_average():
    # A D that is right with logit 4 everywhere pays more when 5% of labels lie.
    logits = np.full((20000, 1), 4.0, "float32")
    clean = float(losses.NonSaturating().discriminator(logits, -logits))
    noisy = float(losses.NoisyLabels(flip=0.05, seed=0).discriminator(logits, -logits))
    want = 0.95 * _bce(4.0, 1.0) + 0.05 * _bce(4.0, 0.0)
    assert noisy > 5 * clean
    assert noisy == pytest.approx(2 * want, rel=0.05)


@pytest.mark.parametrize("flip", [-0.1, 0.5, 0.9])
def test_noisy_labels_bad_flip(flip):
    with pytest.raises(ValueError, match="probability in"):
        losses.NoisyLabels(flip=flip)


# --------------------------------------------------------------------------- feature matching


def test_feature_matching_distance_by_hand():
    assert float(penalties.feature_matching_distance([[1.0, 2.0], [1.0, 2.0]], np.zeros((2, 2)))) == pytest.approx(5.0)
    a = np.random.default_rng(0).normal(size=(10, 3, 2))
    assert float(penalties.feature_matching_distance(a, a[::-1])) == pytest.approx(0.0, abs=1e-10)
    b = a + np.array([1.0, 0.0])   # shift one feature by 1 in each of the 3 positions -> 3
    assert float(penalties.feature_matching_distance(a, b)) == pytest.approx(3.0, rel=1e-5)
    with pytest.raises(ValueError, match="same layer"):
        penalties.feature_matching_distance(np.zeros((4, 3)), np.zeros((4, 5)))
    with pytest.raises(ValueError, match="positive"):
        penalties.FeatureMatching(0.0)


def test_feature_matching_reads_ds_features_and_moves_only_g():
    keras.utils.set_random_seed(0)
    gan = GAN(*models.mlp_wide(8), seed=0)
    fm = penalties.FeatureMatching(weight=2.0)
    real = np.random.default_rng(1).uniform(-1, 1, (16, 28, 28, 1)).astype("float32")
    z = np.random.default_rng(2).normal(size=(16, 8)).astype("float32")
    fake = gan.generator(z, training=True)
    gap = np.mean(gan.features(real, training=True), 0) - np.mean(gan.features(fake, training=True), 0)
    want = 2.0 * np.sum(gap ** 2)
    assert float(fm(gan, real, fake)) == pytest.approx(float(want), rel=1e-5)
    assert float(fm(gan, real, real)) == pytest.approx(0.0, abs=1e-8)
    import tensorflow as tf
    with tf.GradientTape(persistent=True) as tape:
        value = fm(gan, real, gan.generator(z, training=True))
    g_grads = tape.gradient(value, gan.generator.trainable_weights)
    assert any(float(tf.reduce_sum(tf.abs(g))) > 0 for g in g_grads)


# --------------------------------------------------------------------------- the model, spectral norm, TTUR


def test_mlp_wide_shapes_counts_and_features():
    g, d = models.mlp_wide(64)
    assert g.count_params() == 550_416 and d.count_params() == 533_505
    assert tuple(g.output_shape[1:]) == (28, 28, 1) and tuple(d.output_shape[1:]) == (1,)
    assert d.get_layer("features").output.shape[-1] == 256
    x = g(np.random.default_rng(0).normal(size=(4, 64)).astype("float32"))
    assert float(np.max(np.abs(x))) <= 1.0


def _top_singular_value(k, iterations=200):
    """Largest singular value by power iteration (cheaper than a full SVD of a 784 x 512 kernel)."""
    v = np.random.default_rng(0).normal(size=k.shape[1])
    for _ in range(iterations):
        v = k.T @ (k @ v)
        v /= np.linalg.norm(v)
    return float(np.linalg.norm(k @ v))


def test_spectral_norm_makes_each_layer_1_lipschitz():
    keras.utils.set_random_seed(0)
    _, d = models.mlp_wide(spectral_norm=True)
    wrapped = [layer for layer in d.layers if isinstance(layer, keras.layers.SpectralNormalization)]
    assert len(wrapped) == 3
    x = np.random.default_rng(0).uniform(-1, 1, (8, 28, 28, 1)).astype("float32")
    import tensorflow as tf
    step = tf.function(lambda x: d(x, training=True))
    for _ in range(10):
        step(x)
    for layer in wrapped:
        k = np.asarray(layer.layer.kernel)
        assert _top_singular_value(k) == pytest.approx(1.0, abs=0.05)
    _, plain = models.mlp_wide()
    k = np.asarray(plain.layers[1].kernel)
    assert _top_singular_value(k) > 1.5


def test_dcgan_with_spectral_norm_wraps_each_weighted_layer_of_d():
    keras.utils.set_random_seed(0)
    _, plain = models.dcgan()
    g, d = models.dcgan(spectral_norm=True)
    wrapped = [layer for layer in d.layers if isinstance(layer, keras.layers.SpectralNormalization)]
    assert len(wrapped) == 3
    assert d.count_params() - plain.count_params() == 64 + 128 + 1     # the power iteration's u vectors
    assert d.get_layer("features").output.shape[-1] == plain.get_layer("features").output.shape[-1]
    assert g.count_params() == models.dcgan()[0].count_params()


def test_two_time_scale_rates():
    d_opt, g_opt = stabilise.two_time_scale(5e-4, 4.0, beta_1=0.0, beta_2=0.9)
    assert float(d_opt.learning_rate) == pytest.approx(1e-3)
    assert float(g_opt.learning_rate) == pytest.approx(2.5e-4)
    assert float(g_opt.beta_1) == 0.0 and float(d_opt.beta_2) == pytest.approx(0.9)
    assert d_opt is not g_opt
    with pytest.raises(ValueError, match="positive"):
        stabilise.two_time_scale(5e-4, 0)


# --------------------------------------------------------------------------- the variants


def test_each_variant_changes_its_one_piece_and_the_papers_settings():
    built = {v: stabilise.build_variant(v, seed=0, recipe={"steps_per_execution": 1}) for v in stabilise.VARIANTS}
    assert type(built["baseline"].gan_loss) is losses.NonSaturating and built["baseline"].gan_loss.real_label == 1.0
    assert built["smooth"].gan_loss.real_label == pytest.approx(0.9)
    assert isinstance(built["noisy"].gan_loss, losses.NoisyLabels)
    assert isinstance(built["fm"].g_penalties[0], penalties.FeatureMatching)
    for v in ("wgangp", "wgangp_shared"):
        assert isinstance(built[v].gan_loss, losses.Wasserstein)
        assert isinstance(built[v].d_penalties[0], penalties.GradientPenalty) and built[v].d_penalties[0].weight == 10.0
    assert isinstance(built["hinge"].gan_loss, losses.Hinge)
    assert any(isinstance(layer, keras.layers.SpectralNormalization) for layer in built["sn"].discriminator.layers)
    # Gulrajani et al., Algorithm 1: 5 critic steps, Adam(1e-4, 0, 0.9); SAGAN/BigGAN's TTUR rates: D 4e-4, G 1e-4
    want = {"wgangp": (1e-4, 1e-4, 0.0, 0.9, 5), "ttur": (4e-4, 1e-4, 0.5, 0.999, 1)}
    for v, gan in built.items():
        if v != "sn":
            assert not any(isinstance(layer, keras.layers.SpectralNormalization) for layer in gan.discriminator.layers)
        got = (float(gan.d_optimizer.learning_rate), float(gan.g_optimizer.learning_rate),
               float(gan.d_optimizer.beta_1), float(gan.g_optimizer.beta_2), gan.d_steps)
        assert got == pytest.approx(want.get(v, (5e-4, 5e-4, 0.5, 0.999, 1))), v
        assert gan.ema_decay == stabilise.RECIPE["ema_decay"]
    with pytest.raises(ValueError, match="Valid: baseline"):
        stabilise.build_variant("dropout")


def _differences(a: dict, b: dict) -> set:
    return {k for k in a.keys() | b.keys() if a.get(k) != b.get(k)}


@pytest.mark.parametrize("name", list(stabilise.DEMOS))
def test_each_demo_is_one_setting_away_from_its_base(name):
    what, override, base = stabilise.DEMOS[name]
    base_name = "wgangp" if base == "wgan_no_gp" else base
    diff = _differences(stabilise.settings(base, override), stabilise.settings(base_name))
    gan, ref = stabilise.build_variant(base, recipe=override), stabilise.build_variant(base_name)
    if name == "wgan_no_gp":   # the one change is the missing penalty
        assert diff == set() and gan.d_penalties == [] and len(ref.d_penalties) == 1
        assert type(gan.gan_loss) is type(ref.gan_loss) and gan.d_steps == ref.d_steps == 5
    else:
        assert len(diff) == 1, diff
        assert len(override) == 1 and gan.d_penalties == ref.d_penalties == []


def test_the_critic_gap_ignores_a_shift_of_every_score():
    rng = np.random.default_rng(0)
    real, fake = rng.normal(2.0, 1.0, 500), rng.normal(-1.0, 1.0, 500)
    g = stabilise.gap(real, fake)
    assert g == pytest.approx(np.mean(real) - np.mean(fake))
    assert stabilise.gap(real + 1000.0, fake + 1000.0) == pytest.approx(g)
    assert float(losses.Wasserstein().discriminator(real[:, None] + 1000.0, fake[:, None] + 1000.0)) == pytest.approx(
        float(losses.Wasserstein().discriminator(real[:, None], fake[:, None])), abs=1e-3)   # float32 at 1000


@pytest.fixture(scope="module")
def small_digits():
    return data.load_digits("train", limit=640, verbose=False).images


def test_train_records_curves_and_scores(small_digits):
    recipe = {"steps": 40, "steps_per_execution": 5, "n_fd": 50, "fd_every": 2}
    out = stabilise.train_variant("noisy", 0, recipe, images=small_digits, curves=True, n_eval=50)
    c = out["curves"]
    assert [r["step"] for r in c] == [20, 40] and [r["epoch"] for r in c] == [1, 2]
    assert 0 < c[0]["seconds"] < c[1]["seconds"] <= out["seconds"] + 1e-6
    assert c[0]["fd"] is None and c[1]["fd"] is not None and c[1]["fd_ema"] is not None
    assert 0 <= c[1]["kl"] <= np.log(10) + 1e-9 and 0.1 <= c[1]["top_share"] <= 1.0
    keys = ("d_loss", "g_loss", "d_real", "d_fake", "real_logit", "fake_logit", "gap")
    assert all(np.isfinite(r[k]) for r in c for k in keys)
    assert all(r["gap"] == pytest.approx(r["real_logit"] - r["fake_logit"]) for r in c)
    assert out["raw"]["n"] == 50 and 0 <= out["raw"]["classes"] <= 10
    assert out["raw"]["classes"] == sum(s >= 0.03 for s in out["raw"]["class_shares"])
    assert out["samples"].dtype == np.uint8 and out["samples"].shape == (50, 28, 28, 1)
    assert out["g_steps"] == out["d_updates"] == 40
    # the stored (uint8) samples re-score to the run's numbers
    assert stabilise.score_samples(stabilise.dequantize(out["samples"]))["fd"] == pytest.approx(out["ema"]["fd"])
    with pytest.raises(ValueError, match="multiple"):
        stabilise.train_variant("baseline", 0, {"steps": 15}, images=small_digits)


def test_evaluate_refuses_non_finite_samples():
    x = np.zeros((10, 28, 28, 1), "float32")
    x[3, 0, 0, 0] = np.nan
    assert stabilise.score_samples(x) is None


def test_table_means_spreads_bar_and_paired_changes():
    def run(variant, seed, fd, ema, score=7.0, share=0.08, seconds=1.0):
        res = None if fd is None else {"fd": fd, "classes": 10, "kl_to_uniform": 0.1, "classifier_score": score,
                                       "class_shares": [share] + [(1 - share) / 9] * 9}
        return {"variant": variant, "seed": seed, "raw": res, "ema": None if ema is None else {**res, "fd": ema},
                "seconds": seconds, "g_steps": 10, "d_updates": 50 if variant == "wgangp" else 10}

    rows = stabilise.table([run("sn", 0, 10, 8), run("baseline", 1, 20, 40, score=5.0), run("baseline", 0, 40, 20),
                            run("sn", 1, None, None), run("wgangp", 0, 30, 25), run("wgangp", 1, 30, 35)])
    assert [r["variant"] for r in rows] == ["baseline", "sn", "wgangp"]        # VARIANTS order
    base, sn, wg = rows
    assert base["fd"] == pytest.approx((30.0, 10.0)) and base["fd_ema"] == pytest.approx((30.0, 10.0))
    assert base["seeds"] == [0, 1] and base["per_seed"] == [20, 40]
    assert base["passed"] == 1          # seed 1: FD 40 > 30 and score 5 < 6
    assert sn["fd"] == pytest.approx((10.0, 0.0)) and sn["failed"] == 1 and sn["vs_baseline"] == [-12, None]
    assert wg["vs_baseline"] == [5, -5] and wg["d_updates"] == 50
    assert stabilise.verdict([-1, -2, -3]) == "better in 3/3 seeds"
    assert stabilise.verdict([1, 2, 3]) == "worse in 3/3 seeds"
    assert stabilise.verdict(wg["vs_baseline"]).startswith("no consistent change")
    text = stabilise.format_table(rows)
    assert "30.0 ±   10.0" in text and "1 of 2 runs not finite" in text and "1/2" in text


def test_at_seconds_reads_a_curve_at_equal_time():
    curve = [{"step": 10 * i, "seconds": 5.0 * i, "fd_ema": None if i % 2 else 100.0 / i} for i in range(1, 7)]
    assert stabilise.at_seconds(curve, 21.0) == (25.0, 40, 20.0)
    assert stabilise.at_seconds(curve, 9.0) is None


def test_batchnorm_modes():
    r = stabilise.batchnorm_modes()
    assert abs(r["training=True"]["output_mean"]) < 0.01
    assert r["training=True"]["output_std"] == pytest.approx(1.0, abs=0.01)
    assert r["training=True"]["moving_mean_moved"]
    for k in ("no training argument", "training=True, trainable=False"):
        assert r[k]["output_mean"] == pytest.approx(3.0, abs=0.3) and not r[k]["moving_mean_moved"]
