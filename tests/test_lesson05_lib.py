"""Lesson 05's gan_lib pieces: the article's colour models, spectral normalisation, the hinge loss,
D's accuracy callback, the control panel with resuming, the two-sample test and FID's plumbing."""

import dataclasses
import math

import keras
import numpy as np
import pytest
from keras import layers

from gan_lib import checkpoint, losses, metrics, models, panel, two_sample
from gan_lib.core.callbacks import DiscriminatorAccuracy
from gan_lib.core.gan import GAN

# --------------------------------------------------------------------------- models


def test_article_model_sizes_and_shapes():
    keras.utils.set_random_seed(0)
    g, d = models.build("cifar_article")
    # G: Dense 100 -> 4096 (+bias); three Conv2DTranspose 4x4 (256->128, 128->128, 128->128); Conv2D 3x3 128->3
    g_count = (100 * 4096 + 4096) + (16 * 256 * 128 + 128) + 2 * (16 * 128 * 128 + 128) + (9 * 128 * 3 + 3)
    # D: Conv2D 3x3 3->64, 64->128, 128->128, 128->256; Dense 4096 -> 1
    d_count = (27 * 64 + 64) + (9 * 64 * 128 + 128) + (9 * 128 * 128 + 128) + (9 * 128 * 256 + 256) + 4097
    assert g.count_params() == g_count == 1_466_115
    assert d.count_params() == d_count == 522_497
    assert g.output_shape == (None, 32, 32, 3) and d.output_shape == (None, 1)
    assert [layer.output.shape[1:] for layer in d.layers if isinstance(layer, layers.Conv2D)] == \
        [(32, 32, 64), (16, 16, 128), (8, 8, 128), (4, 4, 256)]
    assert d.get_layer("features").output.shape[1:] == (4096,)
    assert [layer.rate for layer in d.layers if isinstance(layer, layers.Dropout)] == [0.4]
    assert {layer.negative_slope for layer in d.layers if isinstance(layer, layers.LeakyReLU)} == {0.2}
    x = g(np.random.default_rng(0).standard_normal((3, 100)).astype("float32"), training=False)
    assert float(np.max(np.abs(x))) <= 1.0


@pytest.mark.parametrize("name, g_params, d_params", [
    ("cifar_article", 1_466_115, 522_497), ("cifar_article_sn", 1_466_115, 522_497 + 577),
    ("cifar_small", 470_915, 132_225), ("cifar_small_sn", 470_915, 132_225 + 289),
    # BatchNorm in G: 4 numbers per channel (2 trained) after the Dense (4*4*128) and each transposed conv (64)
    ("cifar_small_bn_sn", 470_915 + 4 * (2048 + 3 * 64), 132_225 + 289),
    # DCGAN at 32x32: Dense 128 -> 4*4*256, transposed convs 256->128->64->32 (4x4), a 3x3 conv to RGB,
    # BatchNorm (4 per channel) after the Dense and each transposed conv; D: convs 3->64->128->256 (4x4),
    # BatchNorm after the last two, Dense 4096 -> 1.
    ("emoji_dcgan",
     (128 * 4096 + 4096) + 16 * 256 * 128 + 128 + 16 * 128 * 64 + 64 + 16 * 64 * 32 + 32 + 9 * 32 * 3 + 3
     + 4 * (256 + 128 + 64 + 32),
     16 * 3 * 64 + 64 + 16 * 64 * 128 + 128 + 16 * 128 * 256 + 256 + 4 * (128 + 256) + 4096 + 1),
])
def test_colour_parameter_counts(name, g_params, d_params):
    """The counts the colour module's docstring tabulates (SN adds only its power-iteration vectors)."""
    g, d = models.build(name)
    assert (g.count_params(), d.count_params()) == (g_params, d_params)
    # Not trained: SN's power-iteration vectors; BatchNorm's moving mean and variance (2 per channel).
    untrained = {"cifar_article_sn": 64 + 128 + 128 + 256 + 1, "cifar_small_sn": 32 + 64 + 64 + 128 + 1,
                 "cifar_small_bn_sn": 32 + 64 + 64 + 128 + 1, "emoji_dcgan": 2 * (128 + 256)}.get(name, 0)
    assert sum(int(np.prod(w.shape)) for w in d.trainable_weights) == d_params - untrained


@pytest.mark.parametrize("name", ["cifar_article", "cifar_article_sn", "cifar_small", "cifar_small_sn",
                                  "cifar_small_bn_sn", "emoji_dcgan"])
def test_colour_models_register_with_their_shape(name):
    assert models.image_shape(name) == (32, 32, 3)
    assert name in models.names_for((32, 32, 3)) and name not in models.names_for((28, 28, 1))


def test_batchnorm_in_g_sits_before_every_leaky_relu_and_nowhere_in_d():
    g, d = models.build("cifar_small_bn_sn")
    kinds = [type(layer).__name__ for layer in g.layers]
    assert kinds.count("BatchNormalization") == kinds.count("LeakyReLU") == 4
    assert all(kinds[i - 1] == "BatchNormalization" for i, k in enumerate(kinds) if k == "LeakyReLU")
    assert not any(isinstance(layer, layers.BatchNormalization) for layer in d.layers)
    plain, _ = models.build("cifar_small")
    assert not any(isinstance(layer, layers.BatchNormalization) for layer in plain.layers)


def test_spectral_norm_wraps_every_weight_layer_of_d_only():
    g, d = models.build("cifar_small_sn")
    wrapped = [layer for layer in d.layers if isinstance(layer, layers.SpectralNormalization)]
    assert len(wrapped) == 5 and not any(isinstance(layer, (layers.Conv2D, layers.Dense)) for layer in d.layers)
    assert not any(isinstance(layer, layers.SpectralNormalization) for layer in g.layers)
    plain = models.build("cifar_small")[1]
    # SN adds only the power-iteration vectors u (one per wrapped layer, one entry per output unit)
    assert d.count_params() - plain.count_params() == 32 + 64 + 64 + 128 + 1


def test_bad_width_is_refused():
    with pytest.raises(ValueError, match="width=0"):
        models.cifar_article(width=0)


def _sigma(kernel):
    w = np.asarray(kernel).reshape(-1, kernel.shape[-1])
    return float(np.linalg.svd(w, compute_uv=False)[0])


def test_spectral_normalization_makes_the_largest_singular_value_one():
    keras.utils.set_random_seed(1)
    init = keras.initializers.RandomNormal(stddev=2.0)
    layer = layers.SpectralNormalization(layers.Conv2D(8, 3, kernel_initializer=init))
    x = np.random.default_rng(0).standard_normal((2, 6, 6, 3)).astype("float32")
    layer(x, training=False)
    before = _sigma(layer.kernel)
    assert before > 5  # far from 1 to start with
    layer(x, training=False)
    assert _sigma(layer.kernel) == pytest.approx(before)  # inference leaves the kernel alone
    for _ in range(20):
        layer(x, training=True)  # one power-iteration step per training call
    assert _sigma(layer.kernel) == pytest.approx(1.0, abs=0.02)


# --------------------------------------------------------------------------- hinge loss


def test_hinge_golden_values():
    # D: mean(relu(1 - [2, 0.5, -1])) + mean(relu(1 + [-2, 0, 1.5])) = (0 + 0.5 + 2)/3 + (0 + 1 + 2.5)/3 = 2
    assert float(losses.discriminator_loss_hinge([2.0, 0.5, -1.0], [-2.0, 0.0, 1.5])) == pytest.approx(2.0)
    assert float(losses.discriminator_loss_hinge(np.zeros(4), np.zeros(4))) == pytest.approx(2.0)
    # beyond the margin a sample costs nothing
    assert float(losses.discriminator_loss_hinge([1.0, 5.0], [-1.0, -7.0])) == 0.0
    assert float(losses.generator_loss_hinge([1.0, -3.0])) == pytest.approx(1.0)


def test_hinge_registered_and_gradients():
    import tensorflow as tf

    loss = losses.get("hinge")
    assert isinstance(loss, losses.Hinge) and "hinge" in losses.LOSSES
    real = tf.Variable([2.0, 0.5])
    fake = tf.Variable([-3.0, 0.0])
    with tf.GradientTape() as tape:
        v = loss.discriminator(real, fake)
    gr, gf = tape.gradient(v, [real, fake])
    np.testing.assert_allclose(gr.numpy(), [0.0, -0.5])  # only the real logit inside the margin moves
    np.testing.assert_allclose(gf.numpy(), [0.0, 0.5])
    with tf.GradientTape() as tape:
        v = loss.generator(fake)
    np.testing.assert_allclose(tape.gradient(v, fake).numpy(), [-0.5, -0.5])  # never saturates


# --------------------------------------------------------------------------- D accuracy callback


class _Const(keras.layers.Layer):
    """A 'discriminator' whose logit is the image's mean pixel (so accuracies can be computed by hand)."""

    def call(self, x):
        return keras.ops.mean(x, axis=(1, 2, 3))[:, None]


def test_discriminator_accuracy_by_hand():
    g = keras.Sequential([keras.Input((2,)), layers.Dense(12), layers.Reshape((2, 2, 3))])
    d = keras.Sequential([keras.Input((2, 2, 3)), _Const()])
    gan = GAN(g, d, seed=0)
    gan.compile()
    real = np.stack([np.full((2, 2, 3), v, np.float32) for v in (0.5, -0.2, 0.1, 0.3)])  # 3 of 4 above 0
    cb = DiscriminatorAccuracy(real, n_fake=200)
    cb.set_model(gan)
    acc_real, acc_fake = cb.accuracies()
    assert acc_real == 0.75
    z = np.random.default_rng([99, 5]).standard_normal((200, 2)).astype("float32")
    fake_logits = np.asarray(g(z)).mean(axis=(1, 2, 3))
    assert acc_fake == pytest.approx(np.mean(fake_logits <= 0))
    logs = {"d_loss": 1.0}
    cb.on_epoch_end(0, logs)
    assert logs["d_acc_real"] == 0.75 and "d_acc_fake" in logs
    with pytest.raises(ValueError, match="batch of images"):
        DiscriminatorAccuracy(np.zeros((4, 4)))


class _CondConst(keras.layers.Layer):
    """A conditional 'discriminator': the image's mean pixel, minus 1 for class 0, plus 1 for class 1."""

    def call(self, inputs):
        x, y = inputs
        return keras.ops.mean(x, axis=(1, 2, 3))[:, None] + (y[:, 1:2] - y[:, 0:1])


def _tiny_conditional_gan():
    z, y = keras.Input((2,)), keras.Input((2,))
    g = keras.Model([z, y], layers.Reshape((2, 2, 3))(layers.Dense(12)(layers.Concatenate()([z, y]))))
    img, yd = keras.Input((2, 2, 3)), keras.Input((2,))
    d = keras.Model([img, yd], _CondConst()([img, yd]))
    gan = GAN(g, d, n_classes=2, seed=0)
    gan.compile()
    return gan


def test_discriminator_accuracy_on_a_conditional_gan_by_hand():
    gan = _tiny_conditional_gan()
    real = np.stack([np.full((2, 2, 3), v, np.float32) for v in (0.5, -0.2, 0.1, -0.3)])
    # logits: 0.5 - 1, -0.2 - 1, 0.1 + 1, -0.3 + 1 = -0.5, -1.2, 1.1, 0.7: D calls 2 of 4 real
    cb = DiscriminatorAccuracy(real, n_fake=50, labels=[0, 0, 1, 1])
    cb.set_model(gan)
    acc_real, acc_fake = cb.accuracies()
    assert acc_real == 0.5
    # fakes: classes 0, 1, 0, 1, ... judged with the class they were made for
    z = np.random.default_rng([99, 5]).standard_normal((50, 2)).astype("float32")
    y = np.eye(2, dtype="float32")[np.arange(50) % 2]
    fake_logits = np.asarray(gan.generator([z, y])).mean(axis=(1, 2, 3)) + y[:, 1] - y[:, 0]
    assert acc_fake == pytest.approx(np.mean(fake_logits <= 0))
    assert 0 < acc_fake < 1  # both kinds of verdict occur, so the labels matter
    logs = {"d_loss": 1.0}
    cb.on_epoch_end(0, logs)
    assert logs["d_acc_real"] == 0.5 and logs["d_acc_fake"] == acc_fake


def test_discriminator_accuracy_labels_are_checked():
    gan = _tiny_conditional_gan()
    real = np.zeros((4, 2, 2, 3), np.float32)
    cb = DiscriminatorAccuracy(real)
    cb.set_model(gan)
    with pytest.raises(ValueError, match=r"class-conditional.*DiscriminatorAccuracy\(real, labels=\.\.\.\)"):
        cb.on_train_begin()
    with pytest.raises(ValueError, match=r"one integer class per real image: shape \(4,\)"):
        DiscriminatorAccuracy(real, labels=[0, 1])
    with pytest.raises(ValueError, match="whole numbers from 0 to 1"):
        cb = DiscriminatorAccuracy(real, labels=[0, 1, 2, 0])
        cb.set_model(gan)
        cb.accuracies()
    plain = GAN(keras.Sequential([keras.Input((2,)), layers.Dense(12), layers.Reshape((2, 2, 3))]),
                keras.Sequential([keras.Input((2, 2, 3)), _Const()]), seed=0)
    cb = DiscriminatorAccuracy(real, labels=[0, 1, 0, 1])
    cb.set_model(plain)
    with pytest.raises(ValueError, match="labels= was given, but this GAN is unconditional"):
        cb.on_train_begin()


# --------------------------------------------------------------------------- control panel and resuming


@pytest.fixture(scope="module")
def tiny_images():
    from gan_lib import colour

    return colour.load_colour("train", source="emoji", limit=64, verbose=False).images


@pytest.mark.parametrize("change,message", [
    (dict(model="gan9000"), "model='gan9000' is unknown"), (dict(loss="l2"), "loss='l2' is unknown"),
    (dict(batch_size=0), "batch_size=0"), (dict(epochs=1.5), "epochs=1.5"), (dict(lr=0), "lr=0"),
    (dict(beta_1=1.0), "beta_1=1.0"), (dict(ema_decay=1.5), "ema_decay=1.5"),
])
def test_panel_refuses_nonsense(change, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        panel.ControlPanel(**change)


def test_panel_is_one_documented_object():
    p = panel.ControlPanel()
    assert p.replace(epochs=3).epochs == 3 and p.epochs == 10
    text = p.describe()
    assert "latent_dim" in text and "summarize_every" in text
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.epochs = 5  # frozen: a run's settings do not change under it


def test_stop_and_resume_is_bit_identical_with_dropout_and_spectral_norm(tmp_path, tiny_images):
    p = panel.ControlPanel(model="cifar_small_sn", loss="hinge", epochs=2, batch_size=32, ema_decay=0.9)
    full, h_full = panel.train_run(p, tiny_images, tmp_path / "a", real_for_accuracy=tiny_images[:8],
                                   log=lambda *a: None)
    _, h_part = panel.train_run(p, tiny_images, tmp_path / "b", real_for_accuracy=tiny_images[:8], stop_after=1,
                                log=lambda *a: None)
    assert len(h_part) == 1
    resumed, h_res = panel.train_run(p, tiny_images, tmp_path / "b", real_for_accuracy=tiny_images[:8],
                                     log=lambda *a: None)
    equal, total = panel.same_state(full, resumed)
    assert equal == total and total > 0
    names = [n for n, _ in full.state_variables()]
    assert any(n.startswith("layer_rng/") for n in names)  # Dropout's seed state is saved
    strip = [{k: v for k, v in r.items() if k != "seconds"} for r in h_full]
    assert strip == [{k: v for k, v in r.items() if k != "seconds"} for r in h_res]
    assert {"d_acc_real", "d_acc_fake"} <= set(h_full[-1])


def test_resume_refuses_other_settings_and_overwrites_nothing(tmp_path, tiny_images):
    p = panel.ControlPanel(model="cifar_small", epochs=1, batch_size=32)
    panel.train_run(p, tiny_images, tmp_path, log=lambda *a: None)
    with pytest.raises(checkpoint.CheckpointError, match="already holds a run"):
        panel.train_run(p, tiny_images, tmp_path, resume=False, log=lambda *a: None)
    with pytest.raises(checkpoint.CheckpointError, match="Resume with the same settings"):
        panel.train_run(p.replace(lr=1e-3, epochs=2), tiny_images, tmp_path, log=lambda *a: None)


def test_models_without_dropout_keep_their_checkpoint_layout():
    """The Dropout fix adds state only for models that have layer randomness."""
    g, d = models.build("dcgan")
    gan = GAN(g, d, seed=0)
    gan.compile()
    assert not any(n.startswith("layer_rng/") for n, _ in gan.state_variables())


# --------------------------------------------------------------------------- two-sample test


def test_c2st_same_distribution_is_near_chance():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((400, 8)), rng.standard_normal((400, 8))
    r = two_sample.c2st(a, b, repeats=3, steps=100)
    assert abs(r["accuracy"] - 0.5) < 0.06 and len(r["accuracies"]) == 3 and r["n_test"] == 400


def test_c2st_disjoint_distributions_are_separated():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((300, 8)), rng.standard_normal((300, 8)) + 4.0
    assert two_sample.c2st(a, b, repeats=2, steps=300)["accuracy"] > 0.97


def test_c2st_on_images_and_in_between():
    rng = np.random.default_rng(2)
    real = rng.uniform(-1, 1, (300, 8, 8, 3)).astype("float32")
    partly = real.copy()
    partly[:, :4] = 0.0  # half of each image wrong: easy; the classifier should find it
    r = two_sample.c2st(real, partly, repeats=2, steps=100)
    assert r["accuracy"] > 0.9
    mild = np.clip(real + rng.normal(0, 0.02, real.shape), -1, 1).astype("float32")  # nearly the same
    assert two_sample.c2st(real, mild, repeats=2, steps=100)["accuracy"] < 0.7


def test_c2st_is_deterministic_and_checks_input():
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((60, 4)), rng.standard_normal((60, 4)) + 1
    first = two_sample.c2st(a, b, repeats=2, steps=20)["accuracies"]
    assert first == two_sample.c2st(a, b, repeats=2, steps=20)["accuracies"]
    with pytest.raises(ValueError, match="same kind of example"):
        two_sample.c2st(np.zeros((20, 4)), np.zeros((20, 5)))
    with pytest.raises(ValueError, match="at least 10"):
        two_sample.c2st(np.zeros((5, 4)), np.zeros((20, 4)))
    with pytest.raises(ValueError, match="repeats=0"):
        two_sample.c2st(a, b, repeats=0)


def test_diversity_sees_copies():
    rng = np.random.default_rng(4)
    x = rng.uniform(-1, 1, (200, 4, 4, 3))
    assert two_sample.diversity(x) == pytest.approx(math.sqrt(2 / 3), rel=0.05)  # E(a-b)^2 = 2 Var = 2/3
    collapsed = np.repeat(x[:1], 200, axis=0)
    assert two_sample.diversity(collapsed) == 0.0
    with pytest.raises(ValueError, match="at least two"):
        two_sample.diversity(x[:1])


# --------------------------------------------------------------------------- FID plumbing (offline)


def test_fid_is_the_frechet_distance_of_the_features():
    from gan_lib import fid

    rng = np.random.default_rng(5)
    a, b = rng.standard_normal((300, 4, 4, 3)), rng.standard_normal((300, 4, 4, 3)) + 0.5

    def feats(x):
        return x.reshape(len(x), -1)[:, :6]

    assert fid.fid(a, b, features=feats) == pytest.approx(metrics.frechet_distance(feats(a), feats(b)))


def test_frechet_closed_form_with_correlated_covariances():
    """Covariances R diag(a) R^T and R diag(b) R^T commute, so FD = |mu1-mu2|^2 + sum (sqrt a - sqrt b)^2."""
    theta = 0.7
    r = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
    c1, c2 = r @ np.diag([4.0, 1.0]) @ r.T, r @ np.diag([1.0, 9.0]) @ r.T
    want = (1 ** 2 + 2 ** 2) + (2 - 1) ** 2 + (1 - 3) ** 2
    assert metrics.frechet_distance_gaussians([0, 0], c1, [1, 2], c2) == pytest.approx(want, abs=1e-9)


def test_small_n_bias_shrinks_like_one_over_n():
    from gan_lib import fid

    b = fid.small_n_bias(d=16, sizes=(100, 1000, 10000))
    assert b[100] > b[1000] > b[10000] > 0
    assert 5 < b[100] / b[1000] < 20  # roughly 10x for 10x the samples


def test_fid_without_weights_or_internet_explains(tmp_path, monkeypatch):
    from gan_lib import fid

    monkeypatch.setattr(fid, "online", lambda *a, **k: False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(fid.FIDUnavailable, match="InceptionV3.*Colab.*two-sample test"):
        fid.inception()
    with pytest.raises(ValueError, match="colour images"):
        fid.inception_features(np.zeros((2, 8, 8, 1)), model=None)


def test_colour_gap_and_learned_bar():
    rng = np.random.default_rng(6)
    real = np.clip(rng.normal(0.2, 0.4, (300, 8, 8, 3)), -1, 1)
    assert two_sample.colour_gap(real, real) == 0.0
    shifted = real.copy()
    shifted[..., 1] -= 0.3  # green channel 0.3 darker
    assert two_sample.colour_gap(shifted, real) == pytest.approx(0.3, abs=1e-9)
    grey = np.full_like(real, 0.01) + rng.normal(0, 0.005, real.shape)  # what an untrained generator draws
    v = two_sample.learned(grey, real)
    assert not v["diversity"] and not v["colour"]
    other = np.clip(rng.normal(0.2, 0.4, (300, 8, 8, 3)), -1, 1)
    v = two_sample.learned(other, real)
    assert v["diversity"] and v["colour"] and v["diversity_ratio"] == pytest.approx(1.0, abs=0.05)


def test_digit_training_command_refuses_colour_models_with_a_pointer(tmp_path):
    from gan_lib import train

    with pytest.raises(train.RunError, match=r"makes 32x32x3 images.*28x28x1 digits.*gan_lib.lessons.panel.train_run"):
        train.train(model="cifar_small", out=str(tmp_path / "x"), log=lambda *a: None)
    assert not (tmp_path / "x" / "checkpoints").exists()


# --------------------------------------------------------------------------- the two-sample test at coarser scales


def _smooth_images(rng, n, size=16, blocks=4):
    """Random colour images made of blocks x blocks flat squares: all their content is coarse."""
    coarse = rng.uniform(-0.5, 0.5, (n, blocks, blocks, 3))
    k = size // blocks
    return np.repeat(np.repeat(coarse, k, axis=1), k, axis=2).astype("float32")


def test_thumbnails_average_blocks_by_hand():
    x = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)  # rows 0-3, 4-7, 8-11, 12-15
    t = two_sample.thumbnails(x, 2)
    assert t.shape == (1, 2, 2, 1)
    np.testing.assert_allclose(t[0, :, :, 0], [[(0 + 1 + 4 + 5) / 4, (2 + 3 + 6 + 7) / 4],
                                               [(8 + 9 + 12 + 13) / 4, (10 + 11 + 14 + 15) / 4]])
    assert two_sample.thumbnails(x, 1)[0, 0, 0, 0] == pytest.approx(7.5)  # the mean of 0..15
    np.testing.assert_array_equal(two_sample.thumbnails(x, 4), x)  # own size: unchanged
    rgb = np.zeros((2, 8, 8, 3), "float32")
    rgb[..., 0] = 1.0  # pure red keeps its colour at every size
    np.testing.assert_allclose(two_sample.thumbnails(rgb, 1)[:, 0, 0], [[1, 0, 0], [1, 0, 0]])


@pytest.mark.parametrize("bad", [3, 0, 64, True, 2.0])
def test_thumbnails_refuse_sizes_that_do_not_divide(bad):
    with pytest.raises(ValueError, match=r"does not divide the 32x32 images; use one of \[1, 2, 4, 8, 16, 32\]"):
        two_sample.thumbnails(np.zeros((3, 32, 32, 3)), bad)


def test_resolution_needs_images():
    with pytest.raises(ValueError, match=r"need a batch of images \(N, H, W, C\)"):
        two_sample.c2st(np.zeros((20, 4)), np.ones((20, 4)), resolution=2)
    with pytest.raises(ValueError, match="resolutions is empty"):
        two_sample.c2st_scales(np.zeros((20, 4, 4, 3)), np.ones((20, 4, 4, 3)), resolutions=())


def test_fine_detail_is_told_apart_at_full_resolution_but_not_at_coarse():
    """Fakes = real-like images plus a +-0.4 pixel checkerboard. Every even block of a checkerboard
    averages to 0, so their 4x4 and 1x1 thumbnails have exactly the real images' distribution."""
    rng = np.random.default_rng(5)
    real = _smooth_images(rng, 300)
    checker = 0.4 * (-1.0) ** np.add.outer(np.arange(16), np.arange(16))
    fake = _smooth_images(rng, 300) + checker[None, :, :, None].astype("float32")
    np.testing.assert_allclose(two_sample.thumbnails(fake - _smooth_images(np.random.default_rng(5), 600)[300:], 4),
                               0.0, atol=1e-6)  # the detail is gone from the thumbnails
    r = two_sample.c2st_scales(real, fake, resolutions=(1, 4, 16), repeats=2, steps=150)
    assert list(r) == [1, 4, 16] and [v["resolution"] for v in r.values()] == [1, 4, 16]
    assert r[16]["accuracy"] > 0.95           # every pixel: the checkerboard is obvious
    assert abs(r[4]["accuracy"] - 0.5) < 0.1  # 4x4: the two sets look alike
    assert abs(r[1]["accuracy"] - 0.5) < 0.1


def test_colour_difference_is_told_apart_at_every_scale_and_identical_sets_at_none():
    rng = np.random.default_rng(6)
    real = _smooth_images(rng, 300)
    same = _smooth_images(rng, 300)
    redder = _smooth_images(rng, 300)
    redder[..., 0] += 0.5  # a colour cast: visible even in each image's mean colour
    for res in two_sample.c2st_scales(real, redder, resolutions=(1, 16), repeats=2, steps=50).values():
        assert res["accuracy"] > 0.9
    for res in two_sample.c2st_scales(real, same, resolutions=(1, 16), repeats=2, steps=50).values():
        assert abs(res["accuracy"] - 0.5) < 0.1 and res["std"] < 0.1


def test_c2st_without_resolution_is_unchanged_and_format_scales():
    rng = np.random.default_rng(7)
    a, b = _smooth_images(rng, 60, size=8), _smooth_images(rng, 60, size=8)
    full = two_sample.c2st(a, b, repeats=2, steps=20)
    assert full["resolution"] is None
    assert two_sample.c2st(a, b, repeats=2, steps=20, resolution=8)["accuracies"] == full["accuracies"]
    line = two_sample.format_scales("x", two_sample.c2st_scales(a, b, resolutions=(1, 8), repeats=2, steps=20))
    assert line.startswith("x ") and line.count("%") == 4
