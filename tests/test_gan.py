"""The GAN class: it learns, its extension points are used, its errors are clear."""

import keras
import numpy as np
import pytest
from keras import layers

from gan_lib import losses, models
from gan_lib.core.gan import GAN


def tiny_1d(latent_dim=4, seed=0):
    """A small 1-D generator and discriminator (logits, 'features' layer)."""
    keras.utils.set_random_seed(seed)
    g = keras.Sequential([keras.Input((latent_dim,)), layers.Dense(16, activation="relu"), layers.Dense(1)])
    d = keras.Sequential([keras.Input((1,)), layers.Dense(32), layers.LeakyReLU(0.2, name="features"), layers.Dense(1)])
    return g, d


def fit_1d(gan, x, epochs, batch=128, seed=0):
    return gan.fit_images(x, batch, epochs, seed=seed)


def test_tiny_gan_learns_a_gaussian():
    """A 1-D GAN moves from N(~0, small) to the target N(3, 0.5^2) within a few seconds of training."""
    rng = np.random.default_rng(0)
    x = rng.normal(3.0, 0.5, size=(4096, 1)).astype("float32")
    g, d = tiny_1d()
    gan = GAN(g, d, seed=0)
    gan.compile(keras.optimizers.Adam(2e-3, beta_1=0.5), keras.optimizers.Adam(2e-3, beta_1=0.5))
    before = gan.sample(4000)
    assert abs(before.mean() - 3.0) > 1.5  # untrained: far from the target
    history = fit_1d(gan, x, epochs=25)
    after = gan.sample(4000)
    assert abs(after.mean() - 3.0) < 0.25, after.mean()
    assert abs(after.std() - 0.5) < 0.2, after.std()
    # fit's History carries the course's metrics, one value per epoch
    assert set(history.history) == {"d_loss", "g_loss", "d_real", "d_fake"}
    assert len(history.history["d_loss"]) == 25
    assert all(0 <= v <= 1 for v in history.history["d_real"] + history.history["d_fake"])
    # the batch size of every fit_images call can be read back (exercise 3.3's check reads it)
    assert gan.batch_sizes_used == (128,)
    gan.fit_images(x, 256, 26, initial_epoch=25, seed=0)  # one more epoch, in larger batches
    assert gan.batch_sizes_used == (128, 256)


def test_generator_loss_falls_when_d_is_frozen_in_time():
    """G's loss against a fixed D falls as G trains (the non-saturating loss gives G a gradient)."""
    g, d = tiny_1d()
    gan = GAN(g, d, seed=1)
    gan.compile(keras.optimizers.Adam(1e-9), keras.optimizers.Adam(5e-3))  # D effectively frozen
    x = np.random.default_rng(1).normal(3.0, 0.5, size=(2048, 1)).astype("float32")
    h = fit_1d(gan, x, epochs=8).history["g_loss"]
    assert h[-1] < h[0] - 0.05, h


def test_train_step_uses_explicit_training_flag_and_weight_lists():
    """Only D's weights change in D's update and only G's in G's: with G's lr 0, G must not move."""
    g, d = tiny_1d()
    gan = GAN(g, d, seed=0)
    gan.compile(keras.optimizers.Adam(1e-2), keras.optimizers.SGD(0.0))
    g_before = [w.copy() for w in g.get_weights()]
    d_before = [w.copy() for w in d.get_weights()]
    fit_1d(gan, np.ones((256, 1), "float32"), epochs=1)
    assert all(np.array_equal(a, b) for a, b in zip(g_before, g.get_weights()))
    assert any(not np.array_equal(a, b) for a, b in zip(d_before, d.get_weights()))


def test_extension_points_are_called():
    calls = {"d_pen": 0, "g_pen": 0, "transform": 0}

    def d_pen(gan, real, fake):
        calls["d_pen"] += 1
        return 0.0 * keras.ops.mean(gan.features(real))

    def g_pen(gan, real, fake):
        calls["g_pen"] += 1
        gap = keras.ops.mean(gan.features(real), 0) - keras.ops.mean(gan.features(fake), 0)
        return keras.ops.mean(keras.ops.square(gap))

    def transform(x):
        calls["transform"] += 1
        return x * 1.0

    g, d = tiny_1d()
    gan = GAN(g, d, d_steps=3, d_penalties=[d_pen], g_penalties=[g_pen], d_input_transform=transform, seed=0)
    gan.compile(loss=losses.Minimax())
    fit_1d(gan, np.ones((256, 1), "float32"), epochs=1)
    # traced once: 3 D steps -> 3 D penalties; 1 G step -> 1 G penalty; transform for D's inputs and features
    assert calls["d_pen"] == 3 and calls["g_pen"] == 1
    assert calls["transform"] >= 3 * 2 + 1
    assert gan.features(np.zeros((5, 1), "float32")).shape == (5, 32)


def test_ema_generator_averages_and_is_used_for_sampling():
    g, d = tiny_1d()
    gan = GAN(g, d, ema_decay=0.99, seed=0)
    gan.compile()
    assert gan.sampler is gan.ema_generator
    fit_1d(gan, np.full((512, 1), 3.0, "float32"), epochs=2)
    raw = [w for w in g.get_weights()]
    avg = [w for w in gan.ema_generator.get_weights()]
    assert any(not np.allclose(a, b) for a, b in zip(raw, avg))  # an average, not a copy
    z = np.zeros((3, 4), "float32")
    assert np.allclose(gan.generate(z), gan.ema_generator(z, training=False).numpy())


def test_d_steps_counts_discriminator_updates():
    g, d = tiny_1d()
    gan = GAN(g, d, d_steps=2, seed=0)
    gan.compile()
    fit_1d(gan, np.ones((256, 1), "float32"), epochs=1, batch=64)
    assert int(gan.d_optimizer.iterations.numpy()) == 2 * int(gan.g_optimizer.iterations.numpy()) == 8


def test_sampling_shapes_range_and_determinism():
    g, d = models.build("dcgan")
    gan = GAN(g, d, seed=3)
    x = gan.sample(10, seed=5)
    assert x.shape == (10, 28, 28, 1) and x.min() >= -1 and x.max() <= 1
    assert np.array_equal(x, gan.sample(10, seed=5))
    assert not np.array_equal(x, gan.sample(10, seed=6))
    assert gan.fixed_latent.shape == (64, 64)


def test_latent_size_mismatch_is_a_clear_error():
    g, d = models.build("mlp")
    gan = GAN(g, d)
    with pytest.raises(ValueError, match=r"expects \(N, 100\)"):
        gan.generate(np.zeros((4, 64), "float32"))


def test_bad_settings_are_clear_errors():
    g, d = tiny_1d()
    with pytest.raises(ValueError, match="d_steps"):
        GAN(g, d, d_steps=0)
    with pytest.raises(ValueError, match="ema_decay"):
        GAN(g, d, ema_decay=1.5)
    gan = GAN(g, d)
    opt = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="optimizer each"):
        gan.compile(opt, opt)
    with pytest.raises(ValueError, match="Unknown GAN loss"):
        gan.compile(loss="wgan-typo")


def test_features_requires_a_features_layer():
    g = keras.Sequential([keras.Input((2,)), layers.Dense(1)])
    d = keras.Sequential([keras.Input((1,)), layers.Dense(1)])
    with pytest.raises(ValueError, match="features"):
        GAN(g, d).features(np.zeros((1, 1), "float32"))


def test_discriminate_returns_d_logits_in_inference_mode():
    """By hand: D is one Dense layer with weight 2 and bias -1, so logit(x) = 2x - 1."""
    g = keras.Sequential([keras.Input((2,)), layers.Dense(1)])
    d = keras.Sequential([keras.Input((1,)), layers.Dropout(0.9), layers.Dense(1)])
    d.layers[-1].set_weights([np.array([[2.0]], "float32"), np.array([-1.0], "float32")])
    gan = GAN(g, d)
    x = np.array([[0.0], [0.5], [3.0]], "float32")
    for batch_size in (500, 2):  # chunking changes nothing; Dropout is off in inference mode
        np.testing.assert_allclose(gan.discriminate(x, batch_size=batch_size), [-1.0, 0.0, 5.0])
    assert gan.discriminate(np.zeros((0, 1), "float32")).shape == (0,)
    with pytest.raises(ValueError, match="unconditional"):
        gan.discriminate(x, labels=[0, 1, 0])
    with pytest.raises(ValueError, match=r"images have shape \(3, 2\); this discriminator judges images of shape "
                                         r"\(N, 1\)"):
        gan.discriminate(np.zeros((3, 2), "float32"))
    # through d_input_transform, as in training: packs of 2 halve the number of logits
    packed = GAN(g, keras.Sequential([keras.Input((2,)), layers.Dense(1)]),
                 d_input_transform=lambda t: keras.ops.reshape(t, (-1, 2)))
    assert packed.discriminate(np.zeros((4, 1), "float32")).shape == (2,)


def test_discriminate_needs_labels_on_a_conditional_gan():
    g, d = models.build_conditional("cond_dcgan", latent_dim=4, n_classes=3)
    gan = GAN(g, d, n_classes=3)
    x = np.zeros((2, 28, 28, 1), "float32")
    with pytest.raises(ValueError, match="class-conditional.*Pass labels="):
        gan.discriminate(x)
    logits = gan.discriminate(x, labels=[0, 2])
    y = np.eye(3, dtype="float32")[[0, 2]]
    np.testing.assert_allclose(logits, np.asarray(d([x, y], training=False))[:, 0], rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------------- bad input: clear messages


def digits_gan():
    g, d = models.build("mlp")
    gan = GAN(g, d, seed=0)
    gan.compile()
    return gan


@pytest.mark.parametrize("images, message", [
    (np.full((8, 28, 28, 1), 200, np.uint8), r"uint8 \(0\.\.255\).*to_model_range"),
    (np.full((8, 28, 28, 1), 200.0, np.float32), r"range over \[200, 200\].*divide by 127\.5"),
    (np.zeros((8, 32, 32, 3), np.float32), r"shape \(8, 32, 32, 3\); expected \(N, 28, 28, 1\).*makes 28x28x1 images"),
    (np.zeros((8, 28, 28), np.float32), r"x\[\.\.\., None\]"),
    (np.full((8, 28, 28, 1), np.nan, np.float32), "NaN or inf"),
])
def test_fit_images_refuses_bad_images_before_training(images, message):
    gan = digits_gan()
    before = [w.copy() for w in gan.generator.get_weights()]
    with pytest.raises(ValueError, match=message):
        gan.fit_images(images, 4, 1)
    assert all(np.array_equal(a, b) for a, b in zip(before, gan.generator.get_weights()))


@pytest.mark.parametrize("kwargs, message", [
    (dict(batch_size=4, epochs=0), "epochs=0"),
    (dict(batch_size=4, epochs=1.5), "epochs=1.5"),
    (dict(batch_size=4, epochs=2, initial_epoch=-1), "initial_epoch=-1"),
    (dict(batch_size=0, epochs=1), "batch_size=0"),
])
def test_fit_images_refuses_bad_counts(kwargs, message):
    with pytest.raises(ValueError, match=message):
        digits_gan().fit_images(np.zeros((8, 28, 28, 1), np.float32), **kwargs)


def test_fit_images_checks_points_without_an_image_range():
    g, d = tiny_1d()
    gan = GAN(g, d, seed=0)
    gan.compile()
    points = np.full((256, 1), 5.0, np.float64)  # 1-D data far outside [-1, 1] is fine (lessons 04, 06)
    checked = gan.check_training_data(points)
    assert checked.dtype == np.float32 and np.array_equal(checked, points)
    with pytest.raises(ValueError, match=r"shape \(256, 2\).*\(N, 1\)"):
        fit_1d(gan, np.zeros((256, 2), np.float32), epochs=1)
    with pytest.raises(ValueError, match="finite"):
        fit_1d(gan, np.full((256, 1), np.inf, np.float32), epochs=1)


@pytest.mark.parametrize("n", [0, -3, 2.5, True])
def test_sample_refuses_a_bad_count(n):
    with pytest.raises(ValueError, match=f"n={n!r}: give a whole number of at least 1"):
        digits_gan().sample(n)


def test_generate_refuses_empty_and_nonfinite_latents():
    gan = digits_gan()
    with pytest.raises(ValueError, match="empty"):
        gan.generate(np.zeros((0, 100), np.float32))
    with pytest.raises(ValueError, match="NaN or inf"):
        gan.generate(np.full((2, 100), np.nan, np.float32))
    with pytest.raises(ValueError, match="batch_size=0"):
        gan.generate(np.zeros((2, 100), np.float32), batch_size=0)
    assert gan.sample(3).shape == (3, 28, 28, 1)
