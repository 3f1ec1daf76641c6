"""Generators and discriminators for the 28x28x1 digits (lessons 02, 03, 06 and 09).

Every builder returns ``(generator, discriminator)``: G maps ``(N, latent_dim)``
latents to ``(N, 28, 28, 1)`` images in [-1, 1] (``tanh`` output); D maps such
images to ``(N, 1)`` logits, and its last hidden representation is the layer
named ``"features"``. Parameter counts at the default latent size (checked in
``tests/test_models.py``):

=================  ======  ==========  =========  ==========================================
builder            latent  G params    D params   what
=================  ======  ==========  =========  ==========================================
``mlp``            100     114,064     100,609    the articles' MLP pair
``tutorial_dcgan`` 100     2,330,944   212,865    TensorFlow's DCGAN tutorial
``dcgan``          64      558,849     138,561    the course's small DCGAN, for a CPU (the lessons')
``dcgan_deep``     64      591,009     166,625    ``make train``'s: clean digits in 5 min
``dcgan_wide``     64      1,509,697   660,929    a wider DCGAN for clean digits (slower)
``dcgan_sa``       64      563,970     143,682    ``dcgan`` + self-attention at 14x14 (lesson 09)
``dcgan_uniform``  64      558,849     138,561    ``dcgan`` on uniform latents (lesson 09)
``mlp_wide``       64      550,416     533,505    lesson 06's wider MLP pair (not registered)
=================  ======  ==========  =========  ==========================================
"""

from __future__ import annotations

import keras
from keras import layers

from gan_lib.core.layers import MinibatchStd
from gan_lib.data import IMAGE_SHAPE
from gan_lib.models.parts import spectral_norm_if


def mlp(latent_dim: int = 100):
    """The fully connected GAN of the Keras MLP GAN and TensorFlow 1 GAN articles (LeakyReLU slope 0.01).

    G: ``latent_dim -> 128 -> 784`` reshaped to 28x28x1; D: ``784 -> 128 -> 1``,
    the 128-unit activation being ``"features"``.
    """
    g = keras.Sequential(
        [
            keras.Input((latent_dim,)),
            layers.Dense(128),
            layers.LeakyReLU(negative_slope=0.01),
            layers.Dense(28 * 28, activation="tanh"),
            layers.Reshape(IMAGE_SHAPE),
        ],
        name="generator",
    )
    d = keras.Sequential(
        [
            keras.Input(IMAGE_SHAPE),
            layers.Flatten(),
            layers.Dense(128),
            layers.LeakyReLU(negative_slope=0.01, name="features"),
            layers.Dense(1),
        ],
        name="discriminator",
    )
    return g, d


def tutorial_dcgan(latent_dim: int = 100):
    """TensorFlow's DCGAN tutorial, layer for layer (5x5 kernels, no biases before BatchNorm).

    G: Dense 7x7x256 -> Conv2DTranspose 128 (stride 1) / 64 / 1 (stride 2), BatchNorm
    and LeakyReLU after each but the last; D: Conv2D 64 / 128 (stride 2) with
    LeakyReLU and Dropout 0.3, flattened to 6,272 ``"features"``.
    """
    g = keras.Sequential(
        [
            keras.Input((latent_dim,)),
            layers.Dense(7 * 7 * 256, use_bias=False),
            layers.BatchNormalization(),
            layers.LeakyReLU(),
            layers.Reshape((7, 7, 256)),
            layers.Conv2DTranspose(128, 5, strides=1, padding="same", use_bias=False),
            layers.BatchNormalization(),
            layers.LeakyReLU(),
            layers.Conv2DTranspose(64, 5, strides=2, padding="same", use_bias=False),
            layers.BatchNormalization(),
            layers.LeakyReLU(),
            layers.Conv2DTranspose(1, 5, strides=2, padding="same", use_bias=False, activation="tanh"),
        ],
        name="generator",
    )
    d = keras.Sequential(
        [
            keras.Input(IMAGE_SHAPE),
            layers.Conv2D(64, 5, strides=2, padding="same"),
            layers.LeakyReLU(),
            layers.Dropout(0.3),
            layers.Conv2D(128, 5, strides=2, padding="same"),
            layers.LeakyReLU(),
            layers.Dropout(0.3),
            layers.Flatten(name="features"),
            layers.Dense(1),
        ],
        name="discriminator",
    )
    return g, d


def dcgan(latent_dim: int = 64, spectral_norm: bool = False, channels: int = 1):
    """The course's small DCGAN, the lessons': 7x7x128 -> 14x14x64 -> 28x28x1; D 64/128 strided convolutions.

    Smaller and faster than the tutorial's, with no BatchNorm or Dropout in D.
    Lessons 03 and 07-09 train it by name (Adam(5e-4, beta_1=0.5), batches of
    16, an EMA of G's weights). It was ``make train``'s default until it was
    measured to plateau (FD 24.7, classifier score 6.6 after 16 epochs, about half its
    samples malformed); ``make train`` now trains :func:`dcgan_deep`.
    ``spectral_norm=True`` wraps D's two convolutions and its last Dense layer
    (:func:`gan_lib.models.parts.spectral_norm_if`; lesson 06), adding only the
    power iteration's vectors (64 + 128 + 1 non-trainable numbers).
    """
    g = keras.Sequential(
        [
            keras.Input((latent_dim,)),
            layers.Dense(7 * 7 * 128, use_bias=False),
            layers.BatchNormalization(),
            layers.ReLU(),
            layers.Reshape((7, 7, 128)),
            layers.Conv2DTranspose(64, 4, strides=2, padding="same", use_bias=False),
            layers.BatchNormalization(),
            layers.ReLU(),
            layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh"),
        ],
        name="generator",
    )
    d = keras.Sequential(
        [
            keras.Input(IMAGE_SHAPE[:-1] + (channels,)),
            spectral_norm_if(layers.Conv2D(64, 4, strides=2, padding="same"), spectral_norm),
            layers.LeakyReLU(negative_slope=0.2),
            spectral_norm_if(layers.Conv2D(128, 4, strides=2, padding="same"), spectral_norm),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Flatten(name="features"),
            spectral_norm_if(layers.Dense(1), spectral_norm),
        ],
        name="discriminator",
    )
    return g, d


def _three_stage(latent_dim: int, g_width: int, d_width: int):
    """A DCGAN with two upsamplings and three strided convolutions, widths doubling/halving.

    G: Dense 7x7x(4w) -> Conv2DTranspose 2w and w (4x4, stride 2), each followed by
    BatchNorm and ReLU, then a 3x3 Conv2D to one ``tanh`` channel. D: Conv2D v, 2v, 4v
    (4x4, stride 2: 14x14, 7x7, 4x4) with LeakyReLU 0.2 and no BatchNorm or Dropout,
    flattened to 16v ``"features"``. (w = ``g_width``, v = ``d_width``.)
    """
    # Layers are made in the order they run: Keras draws each layer's initial weights when it
    # is made, so this order is what keeps a seeded run bit-identical.
    w, v = g_width, d_width
    g_layers = [keras.Input((latent_dim,)), layers.Dense(7 * 7 * 4 * w, use_bias=False), layers.BatchNormalization(),
                layers.ReLU(), layers.Reshape((7, 7, 4 * w))]
    for ch in (2 * w, w):
        g_layers += [layers.Conv2DTranspose(ch, 4, strides=2, padding="same", use_bias=False),
                     layers.BatchNormalization(), layers.ReLU()]
    g_layers.append(layers.Conv2D(1, 3, padding="same", activation="tanh"))
    g = keras.Sequential(g_layers, name="generator")
    d_layers = [keras.Input(IMAGE_SHAPE)]
    for ch in (v, 2 * v, 4 * v):
        d_layers += [layers.Conv2D(ch, 4, strides=2, padding="same"), layers.LeakyReLU(negative_slope=0.2)]
    d_layers += [layers.Flatten(name="features"), layers.Dense(1)]
    return g, keras.Sequential(d_layers, name="discriminator")


def dcgan_deep(latent_dim: int = 64):
    """``make train``'s DCGAN for clean digits: 7x7x128 -> 14x14x64 -> 28x28x32 -> 28x28x1; D 32/64/128.

    :func:`dcgan` with one more stage on each side. G: Dense 7x7x128 -> Conv2DTranspose
    64 and 32 (4x4, stride 2), each followed by BatchNorm and ReLU, then a 3x3 Conv2D
    to one ``tanh`` channel, so the last upsampling has 32 channels to draw strokes with
    instead of one. D: Conv2D 32, 64, 128 (4x4, stride 2: 14x14, 7x7, 4x4) with
    LeakyReLU 0.2 and no BatchNorm or Dropout, flattened to 2,048 ``"features"``.
    Why this size: among the pairs measured for ``make train`` (benchmarks/results/
    make_train_recipe.md) it is the cheapest that meets
    :data:`gan_lib.measure.metrics.CLEAN` at seeds 0, 1 and 2 within five minutes of
    training on 2 CPU cores: a step at batch 32 costs about 0.4 of a
    :func:`dcgan_wide` step (0.049 s against 0.126 s idle), so its 6,000 steps take about 4.9 min.
    """
    return _three_stage(latent_dim, 32, 32)


def dcgan_wide(latent_dim: int = 64):
    """A wider DCGAN for clean digits: 7x7x256 -> 14x14x128 -> 28x28x64 -> 28x28x1.

    The same stages as :func:`dcgan_deep` at twice its width in G and D: Conv2D 64, 128,
    256 in D, flattened to 4,096 ``"features"``. At ``latent_dim=64``: G 1,509,697 and
    D 660,929 parameters. Why: ``make train``'s small :func:`dcgan` plateaus (FD 23.2
    after 40 epochs on the course protocol, measured by the team, not re-run here) with about
    half of its samples malformed; this pair at batch 64,
    Adam(5e-4, beta_1=0.5), EMA 0.999 meets :data:`gan_lib.measure.metrics.CLEAN`
    (seed 0: FD 7.2, classifier score 7.7 after 2,500 steps), but each step costs
    10-12x a ``dcgan`` step at batch 16 (measured on a shared 2-core CPU), so it is not
    ``make train``'s default: :func:`dcgan_deep` meets the same bar at three seeds in
    five minutes (benchmarks/results/make_train_recipe.md).
    """
    return _three_stage(latent_dim, 64, 64)


def dcgan_sa(latent_dim: int = 64):
    """The course's DCGAN with one SAGAN self-attention block on the 14x14 maps of G and of D.

    Everything else is :func:`dcgan`, so a comparison with it measures the
    attention blocks alone (5,121 extra parameters on each side).
    """
    from gan_lib.core.layers import SelfAttention

    g, d = dcgan(latent_dim)
    g_layers, d_layers = list(g.layers), list(d.layers)
    # G: Dense, BN, ReLU, Reshape, ConvT(14x14x64), BN, ReLU | attention | ConvT(28x28x1)
    g_sa = keras.Sequential([keras.Input((latent_dim,)), *g_layers[:7], SelfAttention(name="attention"),
                             *g_layers[7:]], name="generator")
    # D: Conv(14x14x64), LeakyReLU | attention | Conv, LeakyReLU, Flatten(features), Dense
    d_sa = keras.Sequential([keras.Input(IMAGE_SHAPE), *d_layers[:2], SelfAttention(name="attention"),
                             *d_layers[2:]], name="discriminator")
    return g_sa, d_sa


def dcgan_uniform(latent_dim: int = 64):
    """The course's DCGAN whose generator sees **uniform** latents on (-1, 1) (the TensorFlow 1 GAN article's choice).

    The GAN still draws ``z ~ N(0, I)``; a first :class:`gan_lib.core.layers.NormalToUniform`
    layer maps each coordinate to a uniform one, so the rest of the generator is
    trained on uniform latents. Compare it with :func:`dcgan` on one budget (lesson 09).
    """
    from gan_lib.core.layers import NormalToUniform

    g, d = dcgan(latent_dim)
    g_u = keras.Sequential([keras.Input((latent_dim,)), NormalToUniform(name="to_uniform"), *g.layers],
                           name="generator")
    return g_u, d


def mlp_wide(latent_dim: int = 64, spectral_norm: bool = False, channels: int = 1,
             minibatch_std: int | None = None):
    """A wider fully connected pair for lesson 06's comparisons (fast on a CPU, learns in 2,000 steps).

    G: ``latent_dim -> 256 -> 512 -> 784`` (LeakyReLU 0.2, ``tanh`` output) -> 28x28x1;
    D: ``784 -> 512 -> 256 -> 1`` logit (LeakyReLU 0.2; the 256-unit activation is
    ``"features"``). No BatchNorm or Dropout anywhere, so spectral normalisation,
    gradient penalties and feature matching apply without caveats.
    ``spectral_norm=True`` wraps every Dense layer of D
    (:func:`gan_lib.models.parts.spectral_norm_if`). ``channels``: D's input channels
    (PacGAN packs of m digits enter as m channels, lesson 04). ``minibatch_std``: a group
    size to append ProGAN's minibatch standard deviation
    (:class:`gan_lib.core.layers.MinibatchStd`) to D's features before its output layer.
    At ``latent_dim=64``: G 550,416 and D 533,505 parameters.
    Not in :data:`gan_lib.models.MODELS` (the training CLI and ``make bench`` time the
    course's registered pairs).
    """
    g = keras.Sequential(
        [
            keras.Input((latent_dim,)),
            layers.Dense(256),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Dense(512),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Dense(28 * 28, activation="tanh"),
            layers.Reshape(IMAGE_SHAPE),
        ],
        name="generator",
    )
    d = keras.Sequential(
        [
            keras.Input(IMAGE_SHAPE[:-1] + (channels,)),
            layers.Flatten(),
            spectral_norm_if(layers.Dense(512), spectral_norm),
            layers.LeakyReLU(negative_slope=0.2),
            spectral_norm_if(layers.Dense(256), spectral_norm),
            layers.LeakyReLU(negative_slope=0.2, name="features"),
            *([MinibatchStd(minibatch_std)] if minibatch_std else []),
            spectral_norm_if(layers.Dense(1), spectral_norm),
        ],
        name="discriminator",
    )
    return g, d
