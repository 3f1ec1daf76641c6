"""Loss scaling in ``GAN.train_step`` and mixed precision (what a GPU run uses; tested on the CPU)."""

import keras
import numpy as np
import pytest

from gan_lib import models
from gan_lib.core.gan import GAN

LATENT = 8


def real_batch(n=32, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, 28, 28, 1)).astype("float32")


def trained_weights(optimizer, steps=2):
    keras.utils.set_random_seed(3)
    g, d = models.mlp(LATENT)
    gan = GAN(g, d, seed=1)
    gan.compile(d_optimizer=optimizer(), g_optimizer=optimizer())
    gan.fit(real_batch(32 * steps), batch_size=32, epochs=1, verbose=0, shuffle=False)
    return [w.numpy() for w in g.weights + d.weights]


def test_loss_scale_optimizer_gives_the_plain_update():
    # LossScaleOptimizer divides the gradients by its scale (32768 at first); the update equals
    # plain SGD's only if train_step multiplied the loss by that scale.
    plain = trained_weights(lambda: keras.optimizers.SGD(0.1))
    scaled = trained_weights(lambda: keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.1)))
    start = trained_weights(lambda: keras.optimizers.SGD(0.0))
    assert max(np.max(np.abs(a - b)) for a, b in zip(plain, start)) > 1e-3  # SGD moved the weights
    for a, b in zip(plain, scaled):
        np.testing.assert_allclose(a, b, atol=1e-6)


@pytest.fixture
def mixed_policy():
    keras.config.set_dtype_policy("mixed_float16")
    try:
        yield
    finally:
        keras.config.set_dtype_policy("float32")


def test_mixed_float16_wraps_the_optimizers_and_trains(mixed_policy):
    keras.utils.set_random_seed(4)
    g, d = models.mlp(LATENT)
    gan = GAN(g, d, seed=2, ema_decay=0.9)
    gan.compile()
    assert isinstance(gan.d_optimizer, keras.optimizers.LossScaleOptimizer)
    assert isinstance(gan.g_optimizer, keras.optimizers.LossScaleOptimizer)
    z = np.zeros((2, LATENT), "float32")
    assert keras.ops.convert_to_numpy(g(z)).dtype == np.float16      # computed in float16
    assert all(w.dtype == "float32" for w in g.weights + d.weights)  # weights kept in float32
    before = [w.numpy().copy() for w in g.trainable_weights]
    h = gan.fit(real_batch(96), batch_size=32, epochs=1, verbose=0, shuffle=False).history
    assert all(np.isfinite(v[-1]) for v in h.values())
    assert all(not np.array_equal(a, w.numpy()) for a, w in zip(before, g.trainable_weights))
    assert gan.generate(np.ones((3, LATENT), "float32")).shape == (3, 28, 28, 1)
