"""Lesson 09's gan_lib pieces: SAGAN self-attention, the truncation trick, StyleGAN's
modulated convolution / mapping network / noise, CycleGAN's cycle-consistency loss and
the synthetic-media label."""

import math

import keras
import numpy as np
import pytest

from gan_lib import latent, losses, models, provenance, style
from gan_lib.core.gan import GAN
from gan_lib.core.layers import SelfAttention

RNG = np.random.default_rng(0)

# --------------------------------------------------------------------------- self-attention


def _attention_layer(c=16, seed=0):
    keras.utils.set_random_seed(seed)
    layer = SelfAttention()
    layer.build((None, 5, 6, c))
    return layer


def test_attention_starts_as_the_identity_and_rows_sum_to_one():
    layer = _attention_layer()
    x = RNG.standard_normal((3, 5, 6, 16)).astype("float32")
    assert float(keras.ops.convert_to_numpy(layer.gamma)) == 0.0
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x)), x)
    a = keras.ops.convert_to_numpy(layer.attention(x))
    assert a.shape == (3, 30, 30) and (a >= 0).all()
    np.testing.assert_allclose(a.sum(-1), 1.0, atol=1e-5)
    # SAGAN's channel reductions: keys/queries C/8, values C/2, back to C
    assert [tuple(part.kernel.shape) for part in (layer.query, layer.key, layer.value, layer.out)] == \
        [(16, 2), (16, 2), (16, 8), (8, 16)]


def test_attention_matches_numpy_by_hand():
    layer = _attention_layer()
    layer.gamma.assign(0.7)
    x = RNG.standard_normal((2, 5, 6, 16)).astype("float32")
    wq, wk, wv, wo = (keras.ops.convert_to_numpy(p.kernel) for p in (layer.query, layer.key, layer.value, layer.out))
    flat = x.reshape(2, 30, 16).astype(np.float64)
    logits = (flat @ wq) @ (flat @ wk).transpose(0, 2, 1)
    a = np.exp(logits - logits.max(-1, keepdims=True))
    a /= a.sum(-1, keepdims=True)                        # softmax over the keys (last axis)
    want = x + 0.7 * ((a @ (flat @ wv)) @ wo).reshape(x.shape)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(x)), want, atol=1e-4)


def test_attention_reaches_across_the_whole_image():
    """A pixel in the far corner changes the output at (0, 0); a 3x3 convolution could not."""
    layer = _attention_layer()
    layer.gamma.assign(1.0)
    x = RNG.standard_normal((1, 5, 6, 16)).astype("float32")
    x2 = x.copy()
    x2[0, 4, 5] += 3.0
    y, y2 = (keras.ops.convert_to_numpy(layer(v)) for v in (x, x2))
    assert np.abs(y2[0, 0, 0] - y[0, 0, 0]).max() > 1e-3
    conv = keras.layers.Conv2D(16, 3, padding="same")
    c, c2 = (keras.ops.convert_to_numpy(conv(v)) for v in (x, x2))
    assert np.abs(c2[0, 0, 0] - c[0, 0, 0]).max() == 0.0


def test_attention_refuses_bad_settings_and_inputs():
    with pytest.raises(ValueError, match="key_ratio=0"):
        SelfAttention(key_ratio=0)
    with pytest.raises(ValueError, match=r"\(N, H, W, C\)"):
        SelfAttention().build((None, 30, 16))


def test_dcgan_sa_adds_attention_to_both_networks_and_trains(tmp_path):
    g, d = models.build("dcgan_sa")
    g0, d0 = models.build("dcgan")
    extra = 3 * 0 + (64 * 8) * 2 + 64 * 32 + 32 * 64 + 1       # query, key, value, out, gamma
    assert g.count_params() - g0.count_params() == extra == d.count_params() - d0.count_params()
    assert g.get_layer("attention").output.shape[1:] == (14, 14, 64)
    assert d.get_layer("attention").output.shape[1:] == (14, 14, 64)
    assert d.get_layer("features").output.shape[1:] == (7 * 7 * 128,)
    gan = GAN(g, d, ema_decay=0.99, seed=0)          # EMA clones G: the layer must clone
    gan.compile()
    images = RNG.uniform(-1, 1, (32, 28, 28, 1)).astype("float32")
    gan.fit_images(images, batch_size=16, epochs=1)
    assert float(keras.ops.convert_to_numpy(g.get_layer("attention").gamma)) != 0.0   # it learned to attend
    g.save(tmp_path / "g.keras")
    back = keras.models.load_model(tmp_path / "g.keras")
    z = RNG.standard_normal((2, 64)).astype("float32")
    np.testing.assert_allclose(back(z, training=False), g(z, training=False), atol=1e-6)


# --------------------------------------------------------------------------- truncation


def test_truncated_normal_stays_inside_and_is_not_clipped():
    z = latent.truncated_normal(4000, 8, threshold=0.5, seed=3)
    assert z.shape == (4000, 8) and z.dtype == np.float32
    assert np.abs(z).max() <= 0.5
    assert (np.abs(z) > 0.499).mean() < 0.01          # clipping would put about 62% at the edges
    # a standard normal truncated to [-t, t] has variance 1 - 2 t phi(t) / (2 Phi(t) - 1)
    t = 0.5
    phi, Phi = math.exp(-t * t / 2) / math.sqrt(2 * math.pi), 0.5 * (1 + math.erf(t / math.sqrt(2)))
    assert abs(z.var() - (1 - 2 * t * phi / (2 * Phi - 1))) < 0.002
    np.testing.assert_array_equal(z, latent.truncated_normal(4000, 8, threshold=0.5, seed=3))


def test_no_truncation_is_a_standard_normal_and_bad_thresholds_are_refused():
    z = latent.truncated_normal(20000, 4, threshold=None, seed=1)
    assert abs(z.std() - 1) < 0.02 and np.abs(z).max() > 3
    # the same draw as threshold=None wherever a coordinate is already inside
    big = latent.truncated_normal(20000, 4, threshold=100.0, seed=1)
    np.testing.assert_array_equal(z, big)
    for bad in (0, -1.0, "1", True):
        with pytest.raises(ValueError, match="threshold="):
            latent.truncated_normal(5, 4, threshold=bad)
    with pytest.raises(ValueError, match="n=0"):
        latent.truncated_normal(0, 4, threshold=1.0)


# --------------------------------------------------------------------------- StyleGAN pieces


def _per_sample_kernel_conv(x, kernel, styles, demodulate):
    """The paper's definition: a separate, modulated (and demodulated) kernel for each sample."""
    out = []
    for n in range(len(x)):
        w = kernel * styles[n][None, None, :, None]
        if demodulate:
            w = w / np.sqrt((w ** 2).sum(axis=(0, 1, 2), keepdims=True) + 1e-8)
        out.append(keras.ops.convert_to_numpy(keras.ops.conv(x[n:n + 1], w, padding="same"))[0])
    return np.stack(out)


@pytest.mark.parametrize("demodulate", [True, False])
def test_modulated_conv_equals_per_sample_kernels(demodulate):
    x = RNG.standard_normal((3, 6, 6, 4)).astype("float32")
    kernel = RNG.standard_normal((3, 3, 4, 5)).astype("float32")
    styles = RNG.uniform(0.2, 2.0, (3, 4)).astype("float32")
    got = keras.ops.convert_to_numpy(style.modulated_conv(x, kernel, styles, demodulate))
    np.testing.assert_allclose(got, _per_sample_kernel_conv(x, kernel, styles, demodulate), rtol=1e-4, atol=1e-4)


def test_demodulation_cancels_the_overall_scale_of_a_style():
    x = RNG.standard_normal((2, 6, 6, 4)).astype("float32")
    kernel = RNG.standard_normal((3, 3, 4, 5)).astype("float32")
    s = RNG.uniform(0.5, 1.5, (2, 4)).astype("float32")
    a, b = (keras.ops.convert_to_numpy(style.modulated_conv(x, kernel, k * s)) for k in (1.0, 10.0))
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)
    c = keras.ops.convert_to_numpy(style.modulated_conv(x, kernel, 10 * s, demodulate=False))
    np.testing.assert_allclose(c, 10 * keras.ops.convert_to_numpy(style.modulated_conv(x, kernel, s, False)),
                               rtol=1e-4)


def test_modulated_conv_refuses_mismatched_channels():
    with pytest.raises(ValueError, match="one style value per input channel"):
        style.modulated_conv(np.zeros((1, 4, 4, 3)), np.zeros((3, 3, 3, 2)), np.ones((1, 5)))


def test_style_generator_shapes_mixing_and_noise():
    keras.utils.set_random_seed(0)
    g, mapping, synthesis = style.style_generator(latent_dim=8, w_dim=8, widths=(16, 8, 8))
    z = RNG.standard_normal((4, 8)).astype("float32")
    x = keras.ops.convert_to_numpy(g(z))
    assert x.shape == (4, 28, 28, 1) and np.abs(x).max() <= 1
    w = mapping(z)
    assert tuple(w.shape) == (4, 8)
    # PixelNorm: scaling z does not change w
    np.testing.assert_allclose(keras.ops.convert_to_numpy(mapping(3 * z)), keras.ops.convert_to_numpy(w), atol=1e-5)
    # the generator is the synthesis network with w in every style input
    np.testing.assert_allclose(keras.ops.convert_to_numpy(synthesis([w, w, w])), x, atol=1e-6)
    # the fine style changes the image, and the noise does once its scale is not 0
    wa, wb = w[:1], w[1:2]
    assert style.mix_styles(wa, wb) == [wa, wa, wb] and style.mix_styles(wa, wb, 1) == [wa, wb, wb]
    same = keras.ops.convert_to_numpy(synthesis(style.mix_styles(wa, wa)))
    mixed = keras.ops.convert_to_numpy(synthesis(style.mix_styles(wa, wb)))
    assert np.abs(same - mixed).max() > 1e-4
    np.testing.assert_allclose(keras.ops.convert_to_numpy(synthesis([wa, wa, wa])), same, atol=1e-6)  # noise scale 0
    synthesis.get_layer("noise_28").scale.assign(np.ones(8, "float32"))
    assert np.abs(keras.ops.convert_to_numpy(synthesis([wa, wa, wa])) - same).max() > 1e-4


def test_style_generator_trains_in_the_course_gan():
    keras.utils.set_random_seed(0)
    g, _, _ = style.style_generator(latent_dim=8, w_dim=8, widths=(16, 8, 8))
    d = models.build("dcgan")[1]
    gan = GAN(g, d, seed=0)
    gan.compile()
    before = [w.copy() for w in g.get_weights()]
    images = RNG.uniform(-1, 1, (32, 28, 28, 1)).astype("float32")
    gan.fit_images(images, batch_size=16, epochs=1)
    assert any(np.abs(a - b).max() > 0 for a, b in zip(before, g.get_weights()))
    # the noise layers' seed states are saved with the GAN's state (bit-identical resumes)
    names = [n for n, _ in gan.state_variables()]
    assert any(n.startswith("layer_rng/") for n in names)


# --------------------------------------------------------------------------- cycle consistency


def test_cycle_consistency_loss_golden_values():
    assert float(losses.cycle_consistency_loss([0.0, 1.0], [0.5, 0.0])) == pytest.approx(0.75)
    x = RNG.uniform(-1, 1, (4, 28, 28, 1)).astype("float32")
    assert float(losses.cycle_consistency_loss(x, x)) == 0.0
    assert float(losses.cycle_consistency_loss(x, -x)) == pytest.approx(2 * np.abs(x).mean(), rel=1e-5)
    with pytest.raises(ValueError, match="same batch"):
        losses.cycle_consistency_loss(x, x[:2])


# --------------------------------------------------------------------------- labelling synthetic media


def test_label_round_trip_and_a_resave_drops_it(tmp_path):
    from PIL import Image

    img = np.linspace(-1, 1, 28 * 28, dtype="float32").reshape(28, 28, 1)
    path = provenance.save_labelled_png(img, tmp_path / "s.png", model="dcgan, lesson 09", note="a test")
    label = provenance.read_label(path)
    assert label["Synthetic"] == "yes" and label["Generator"] == "dcgan, lesson 09"
    assert label["DigitalSourceType"].endswith("trainedAlgorithmicMedia")
    assert provenance.is_labelled_synthetic(path)
    with Image.open(path) as im:
        pixels = np.asarray(im)
        assert pixels[0, 0] == 0 and pixels[-1, -1] == 255
        im.save(tmp_path / "resaved.png")
    assert provenance.read_label(tmp_path / "resaved.png") == {}
    assert not provenance.is_labelled_synthetic(tmp_path / "resaved.png")


def test_label_refuses_bad_input(tmp_path):
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        provenance.save_labelled_png(np.full((4, 4), 200.0), tmp_path / "a.png", model="m")
    with pytest.raises(ValueError, match="single sample"):
        provenance.save_labelled_png(np.zeros((2, 4, 4, 1)), tmp_path / "a.png", model="m")
    with pytest.raises(ValueError, match="which model"):
        provenance.save_labelled_png(np.zeros((4, 4)), tmp_path / "a.png", model=" ")


# --------------------------------------------------------------------------- uniform latents


def test_normal_to_uniform_gives_uniform_latents_and_dcgan_uniform_uses_it():
    from gan_lib.core.layers import NormalToUniform

    z = np.random.default_rng(2).standard_normal((50000, 2)).astype("float32")
    u = keras.ops.convert_to_numpy(NormalToUniform()(z))
    assert np.abs(u).max() < 1
    # uniform on (-1, 1): every tenth of the interval holds about a tenth of the values, variance 1/3
    counts = np.histogram(u, bins=10, range=(-1, 1))[0] / u.size
    np.testing.assert_allclose(counts, 0.1, atol=0.006)
    assert abs(u.var() - 1 / 3) < 0.005
    assert float(keras.ops.convert_to_numpy(NormalToUniform()(np.zeros((1, 1), "float32")))[0, 0]) == 0.0
    g, d = models.build("dcgan_uniform")
    g0, _ = models.build("dcgan")
    assert g.layers[0].name == "to_uniform" and g.count_params() == g0.count_params()
    assert g.output_shape == (None, 28, 28, 1)


# --------------------------------------------------------------------------- weight clipping


def test_clip_weights_keeps_every_critic_weight_in_range_during_training():
    from gan_lib import losses as L
    from gan_lib import penalties

    keras.utils.set_random_seed(0)
    g, d = models.toy_mlp(latent_dim=2, width=16, depth=2)
    assert penalties.clip_weights(d, 0.01) == len(d.trainable_weights)
    assert max(float(np.abs(w).max()) for w in d.get_weights()) <= 0.01      # clipped at once
    gan = GAN(g, d, seed=0)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-2), g_optimizer=keras.optimizers.Adam(1e-3),
                loss=L.Wasserstein())
    gan.fit_images(RNG.standard_normal((256, 2)).astype("float32"), batch_size=64, epochs=2)
    w = np.concatenate([x.ravel() for x in d.get_weights()])
    assert np.abs(w).max() <= 0.01 + 1e-7
    assert np.mean(np.abs(w) > 0.0099) > 0.2         # a large step drives many weights onto the bounds
    with pytest.raises(ValueError, match="c=0"):
        penalties.ClipWeights(0)


def test_style_generator_design_and_bad_settings():
    keras.utils.set_random_seed(0)
    g, mapping, synthesis = style.style_generator()
    names = [lay.name for lay in synthesis.layers]
    # StyleGAN2's skip design without BatchNorm: one styled 3x3 convolution, noise and toRGB per resolution
    assert not any("batch" in n for n in names)
    for r in (7, 14, 28):
        assert {f"modconv_{r}", f"noise_{r}", f"to_image_{r}"} <= set(names)
    assert not synthesis.get_layer("to_image_28").demodulate and synthesis.get_layer("modconv_28").demodulate
    # lesson 09's numbers: 97,699 parameters, of which the mapping network's 4 layers of 64 hold 4 * (64 * 64 + 64)
    assert g.count_params() == 97_699 and mapping.count_params() == 4 * (64 * 64 + 64) == 16_640
    with pytest.raises(ValueError, match="widths=\\(64, 32\\)"):
        style.synthesis_network(widths=(64, 32))
    with pytest.raises(ValueError, match="crossover=3"):
        style.mix_styles(None, None, 3)
    with pytest.raises(ValueError, match="lr_mul=0"):
        style.ScaledDense(4, lr_mul=0)


def test_scaled_dense_is_he_scaled_and_moves_lr_mul_times_as_fast():
    keras.utils.set_random_seed(0)
    slow, fast = style.ScaledDense(64, lr_mul=0.01), style.ScaledDense(64, lr_mul=1.0)
    x = RNG.standard_normal((4096, 32)).astype("float32")
    for layer in (slow, fast):
        y = keras.ops.convert_to_numpy(layer(x))
        assert abs(y.std() - np.sqrt(2.0)) < 0.2          # He scaling: output variance 2 for unit inputs
    # one Adam step of the same size on the stored weights moves the used weights lr_mul times as far
    for layer in (slow, fast):
        before = keras.ops.convert_to_numpy(layer.kernel) * layer.scale
        layer.kernel.assign(layer.kernel + 0.001)
        after = keras.ops.convert_to_numpy(layer.kernel) * layer.scale
        layer.moved = float(np.abs(after - before).mean())
    assert slow.moved / fast.moved == pytest.approx(0.01, rel=1e-2)
