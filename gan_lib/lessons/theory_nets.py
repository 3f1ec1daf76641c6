"""Tiny 1-D networks for lesson 01: generators, discriminators, D trained alone, and 1-D GANs.

The exact theory (densities, ``D*``, the value function, the JSD) is NumPy and
lives in :mod:`gan_lib.lessons.theory`; this module holds what needs Keras:

* :func:`build_generator` and :func:`build_discriminator`: MLPs whose weights
  depend only on their seed. The generators end in a *linear* layer, not
  ``tanh``: the toy data live around 4, outside [-1, 1]. Discriminators output
  logits and name their last hidden activation ``"features"``.
* :func:`train_discriminator`: D alone against a fixed G, plain supervised Keras.
* :func:`make_gan`: the course's :class:`gan_lib.core.gan.GAN` around them,
  compiled. Train it like every other GAN of the course, with
  ``gan.fit_images(data, 128, epochs)`` (add a
  :class:`gan_lib.core.callbacks.EpochRows` to keep each epoch's losses).
* :func:`generator_gradient` and :func:`generator_loss_gradients_autodiff`: the
  gradients the lesson compares with the formulas of
  :func:`gan_lib.lessons.theory.generator_loss_gradients`.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from gan_lib.core import losses
from gan_lib.core.gan import GAN

# --------------------------------------------------------------------------- tiny models


def build_generator(latent_dim: int = 4, hidden: int = 32, seed: int = 0, output_bias: float = 0.0):
    """A tiny MLP generator ``(N, latent_dim) -> (N, 1)``: two LeakyReLU layers, linear output.

    Its weights depend only on ``seed`` (not on what ran before). ``output_bias``
    is the initial bias of the output layer: where G's first samples sit
    (near 0 by default; lesson 01 starts one generator at -3, far from the data).
    """
    def init(k):
        return keras.initializers.GlorotUniform(seed=seed * 100 + k)

    return keras.Sequential(
        [
            keras.Input((latent_dim,)),
            layers.Dense(hidden, kernel_initializer=init(1)),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Dense(hidden, kernel_initializer=init(2)),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Dense(1, kernel_initializer=init(3),
                         bias_initializer=keras.initializers.Constant(output_bias)),
        ],
        name="generator_1d",
    )


def build_discriminator(hidden: int = 32, seed: int = 0):
    """A tiny MLP discriminator ``(N, 1) -> (N, 1)`` logits; its last hidden activation is ``"features"``."""
    def init(k):
        return keras.initializers.GlorotUniform(seed=seed * 100 + 50 + k)

    return keras.Sequential(
        [
            keras.Input((1,)),
            layers.Dense(hidden, kernel_initializer=init(1)),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Dense(hidden, kernel_initializer=init(2)),
            layers.LeakyReLU(negative_slope=0.2, name="features"),
            layers.Dense(1, kernel_initializer=init(3)),
        ],
        name="discriminator_1d",
    )


def copy_model(model):
    """A new model with the same architecture and the same weights (for side-by-side runs)."""
    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    return clone


def generate(generator, n: int, seed: int = 0) -> np.ndarray:
    """``n`` samples of ``generator`` (inference mode) for standard-normal latents drawn with ``seed``."""
    z = np.random.default_rng([seed, 11]).standard_normal((n, int(generator.input_shape[-1]))).astype(np.float32)
    return keras.ops.convert_to_numpy(generator(z, training=False)).astype(np.float32)


def probabilities(discriminator, x) -> np.ndarray:
    """``sigmoid(D(x))`` for points ``x`` (any shape), as a flat float64 array."""
    x = np.asarray(x, dtype=np.float32).reshape(-1, 1)
    logits = discriminator(x, training=False)
    return keras.ops.convert_to_numpy(keras.ops.sigmoid(logits)).astype(np.float64).ravel()


def logits(discriminator, x) -> np.ndarray:
    """D's logits for points ``x``, as a flat float64 array."""
    x = np.asarray(x, dtype=np.float32).reshape(-1, 1)
    return keras.ops.convert_to_numpy(discriminator(x, training=False)).astype(np.float64).ravel()


def train_discriminator(discriminator, real, fake, epochs: int, batch_size: int = 256, lr: float = 1e-3,
                        seed: int = 0):
    """Train D alone to tell ``real`` (label 1) from ``fake`` (label 0) samples.

    Plain supervised Keras: ``compile`` with ``BinaryCrossentropy(from_logits=True)``
    and ``fit``. This is *not* a GAN loop: the generator does not move. With as
    many real as fake samples, the best possible classifier is D*. Returns the
    ``History``.
    """
    real, fake = np.asarray(real, np.float32).reshape(-1, 1), np.asarray(fake, np.float32).reshape(-1, 1)
    x = np.concatenate([real, fake])
    y = np.concatenate([np.ones((len(real), 1)), np.zeros((len(fake), 1))]).astype(np.float32)
    order = np.random.default_rng([seed, 3]).permutation(len(x))
    discriminator.compile(optimizer=keras.optimizers.Adam(lr),
                          loss=keras.losses.BinaryCrossentropy(from_logits=True))
    return discriminator.fit(x[order], y[order], epochs=epochs, batch_size=batch_size, shuffle=False, verbose=0)


# --------------------------------------------------------------------------- 1-D GANs and their gradients


def make_gan(generator, discriminator, loss: str = "nonsaturating", lr: float = 1e-3, seed: int = 0,
             g_optimizer: str = "adam", g_lr: float | None = None):
    """The course's :class:`~gan_lib.core.gan.GAN` around 1-D models, compiled.

    D is updated with Adam(lr, beta_1=0.5). G too, unless ``g_optimizer="sgd"``:
    plain gradient descent with learning rate ``g_lr``, whose step is exactly
    ``g_lr`` times the gradient (lesson 01 uses it to see gradient sizes).
    """
    g_lr = lr if g_lr is None else g_lr
    if g_optimizer == "adam":
        g_opt = keras.optimizers.Adam(g_lr, beta_1=0.5)
    elif g_optimizer == "sgd":
        g_opt = keras.optimizers.SGD(g_lr)
    else:
        raise ValueError(f"g_optimizer={g_optimizer!r}: use 'adam' or 'sgd'.")
    gan = GAN(generator, discriminator, seed=seed)
    gan.compile(d_optimizer=keras.optimizers.Adam(lr, beta_1=0.5), g_optimizer=g_opt, loss=loss)
    return gan


def generator_gradient(generator, discriminator, loss: str, z) -> np.ndarray:
    """G's gradient under ``loss`` for the latent batch ``z`` (D fixed): every weight's
    component, flattened into one float64 vector (``generator.count_params()`` long)."""
    fn = losses.get(loss).generator
    z = tf.constant(np.asarray(z, np.float32))
    with tf.GradientTape() as tape:
        value = fn(discriminator(generator(z, training=True), training=True))
    grads = tape.gradient(value, generator.trainable_weights)
    return np.concatenate([np.asarray(g, dtype=np.float64).ravel() for g in grads])


def generator_gradient_norm(generator, discriminator, loss: str, z) -> float:
    """The norm of G's gradient under ``loss`` for the latent batch ``z`` (D fixed)."""
    return float(np.linalg.norm(generator_gradient(generator, discriminator, loss, z)))


def gradient_per_weight(grad) -> dict:
    """The size of a gradient per weight: ``"rms"`` (root mean square of its components)
    and ``"max_abs"`` (its largest component in absolute value)."""
    g = np.asarray(grad, dtype=np.float64).ravel()
    return {"rms": float(np.sqrt(np.mean(np.square(g)))), "max_abs": float(np.max(np.abs(g)))}


def generator_loss_gradients_autodiff(d_fake) -> dict:
    """The gradients of :func:`gan_lib.lessons.theory.generator_loss_gradients`, by
    ``tf.GradientTape`` through the course's loss functions (:mod:`gan_lib.core.losses`)."""
    d = np.asarray(d_fake, dtype=np.float64)
    logits = tf.constant(np.log(d) - np.log1p(-d), dtype=tf.float32)
    n = float(d.size)
    out = {}
    for name, fn in (("minimax", losses.generator_loss_minimax),
                     ("nonsaturating", losses.generator_loss_nonsaturating)):
        with tf.GradientTape() as tape:
            tape.watch(logits)
            loss = fn(logits) * n  # the losses are batch means; times n gives each sample's own derivative
        out[name] = tape.gradient(loss, logits).numpy().astype(np.float64)
    return out
