"""Generators and discriminators for 32x32x3 colour images (lesson 05, CIFAR-10 or its stand-in).

Every builder returns ``(generator, discriminator)``: G maps ``(N, latent_dim)``
latents (100 by default) to ``(N, 32, 32, 3)`` images in [-1, 1]; D maps them
to ``(N, 1)`` logits. D's ``"features"`` layer is its flattened last
convolution (4x4x256 = 4,096 numbers at full width), followed by Dropout(0.4)
and the output layer. Parameter counts at ``latent_dim=100`` (checked in
``tests/test_lesson05_lib.py``):

=====================  ==========  =========  ===================================
builder                G params    D params   what
=====================  ==========  =========  ===================================
``cifar_article``      1,466,115   522,497    the Keras CIFAR-10 article's GAN
``cifar_article_sn``   1,466,115   523,074    the same, spectral norm in D
``cifar_small``        470,915     132,225    half width: ~3.8x fewer multiply-adds
``cifar_small_sn``     470,915     132,514    half width, spectral norm in D
``cifar_small_bn_sn``  479,875     132,514    half width, BatchNorm in G, SN in D
``emoji_dcgan``        1,219,523   664,513    the DCGAN paper's design at 32x32 (128 latents)
=====================  ==========  =========  ===================================

(Spectral normalisation adds no trainable parameters, only each layer's
power-iteration vector: 577 numbers at full width, 289 at half width.
BatchNorm adds 4 numbers per channel, 2 of them trained.)
"""

from __future__ import annotations

import keras
from keras import layers

from gan_lib.models.parts import spectral_norm_if

#: The shape of CIFAR-10 images (and of the course's colour stand-in).
COLOUR_SHAPE = (32, 32, 3)


def cifar_article(latent_dim: int = 100, spectral_norm: bool = False, width: float = 1.0,
                  batchnorm: bool = False):
    """The model of the Keras CIFAR-10 GAN article, "Generating Images: An Introduction to GANs by Building One"
    (after Machine Learning Mastery's CIFAR-10 GAN).

    D: 32x32x3 -> Conv2D 64 (3x3) -> three strided Conv2D 128/128/256 (3x3, stride 2)
    -> 4x4x256 -> Flatten -> Dropout(0.4) -> Dense(1); LeakyReLU(0.2) after each convolution.
    G: Dense 4x4x256 -> three Conv2DTranspose 128 (4x4, stride 2) -> 32x32x128 ->
    Conv2D 3 (3x3) with tanh; LeakyReLU(0.2) in between.

    At ``width=1`` these are the article's networks: G 1,466,115 and D 522,497
    parameters. Fixes: D ends in a logit (the article's sigmoid sits inside the
    loss), the LeakyReLU slope is 0.2 (the article's text says 0.02).
    ``spectral_norm=True`` wraps every Conv2D and Dense of D in
    ``keras.layers.SpectralNormalization``. ``width`` scales every filter
    count (e.g. 0.5 for a faster CPU version of the same design).
    ``batchnorm=True`` puts BatchNormalization before each of G's LeakyReLUs,
    as the DCGAN paper's generator has (Radford et al., 2016); the article's G has none.
    """
    if not 0 < width <= 4:
        raise ValueError(f"width={width!r}: use a factor in (0, 4], e.g. 1 for the article's sizes or 0.5.")

    def f(n):
        return max(1, int(round(n * width)))

    def act():
        return [layers.BatchNormalization(), layers.LeakyReLU(negative_slope=0.2)] if batchnorm else \
            [layers.LeakyReLU(negative_slope=0.2)]

    g = keras.Sequential(
        [
            keras.Input((latent_dim,)),
            layers.Dense(4 * 4 * f(256)),
            *act(),
            layers.Reshape((4, 4, f(256))),
            layers.Conv2DTranspose(f(128), 4, strides=2, padding="same"),
            *act(),
            layers.Conv2DTranspose(f(128), 4, strides=2, padding="same"),
            *act(),
            layers.Conv2DTranspose(f(128), 4, strides=2, padding="same"),
            *act(),
            layers.Conv2D(3, 3, padding="same", activation="tanh"),
        ],
        name="generator",
    )
    d = keras.Sequential(
        [
            keras.Input(COLOUR_SHAPE),
            spectral_norm_if(layers.Conv2D(f(64), 3, padding="same"), spectral_norm),
            layers.LeakyReLU(negative_slope=0.2),
            spectral_norm_if(layers.Conv2D(f(128), 3, strides=2, padding="same"), spectral_norm),
            layers.LeakyReLU(negative_slope=0.2),
            spectral_norm_if(layers.Conv2D(f(128), 3, strides=2, padding="same"), spectral_norm),
            layers.LeakyReLU(negative_slope=0.2),
            spectral_norm_if(layers.Conv2D(f(256), 3, strides=2, padding="same"), spectral_norm),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Flatten(name="features"),
            layers.Dropout(0.4),
            spectral_norm_if(layers.Dense(1), spectral_norm),
        ],
        name="discriminator",
    )
    return g, d


def cifar_article_sn(latent_dim: int = 100):
    """The article's CIFAR-10 GAN with spectral normalisation in every layer of D."""
    return cifar_article(latent_dim, spectral_norm=True)


def cifar_small(latent_dim: int = 100, spectral_norm: bool = False):
    """The article's CIFAR-10 design at half width (every filter count halved).

    About 3.8x fewer multiply-adds per image in G and in D than :func:`cifar_article`.
    """
    return cifar_article(latent_dim, spectral_norm=spectral_norm, width=0.5)


def cifar_small_sn(latent_dim: int = 100):
    """:func:`cifar_small` with spectral normalisation in D."""
    return cifar_small(latent_dim, spectral_norm=True)


def cifar_small_bn_sn(latent_dim: int = 100):
    """:func:`cifar_small` with BatchNormalization in G and spectral normalisation in D."""
    return cifar_article(latent_dim, spectral_norm=True, width=0.5, batchnorm=True)


def emoji_dcgan(latent_dim: int = 128):
    """The DCGAN paper's design at 32x32 (Radford, Metz and Chintala, ICLR 2016), lesson 05's study model.

    G: Dense 4x4x256 -> three Conv2DTranspose 128/64/32 (4x4, stride 2) -> 32x32x32 -> Conv2D 3
    (3x3) with tanh; BatchNormalization and ReLU after the Dense layer and each transposed
    convolution. D: three strided Conv2D 64/128/256 (4x4, stride 2) -> 4x4x256 -> Flatten
    (``"features"``) -> Dense(1); LeakyReLU(0.2) after each, BatchNormalization after all but
    the first (as in the paper). No pooling, no Dropout. Against :func:`cifar_article`, D has
    no full-resolution 3x3 layer and G's last transposed convolution has 32 filters, not 128:
    about 26 and 18 million multiply-adds per image, a third of the article's G.
    """
    g = keras.Sequential(
        [
            keras.Input((latent_dim,)),
            layers.Dense(4 * 4 * 256),
            layers.Reshape((4, 4, 256)),
            layers.BatchNormalization(),
            layers.ReLU(),
            *[layer for n in (128, 64, 32) for layer in (
                layers.Conv2DTranspose(n, 4, strides=2, padding="same"), layers.BatchNormalization(), layers.ReLU())],
            layers.Conv2D(3, 3, padding="same", activation="tanh"),
        ],
        name="generator",
    )
    d = keras.Sequential(
        [
            keras.Input(COLOUR_SHAPE),
            layers.Conv2D(64, 4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(128, 4, strides=2, padding="same"),
            layers.BatchNormalization(),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(256, 4, strides=2, padding="same"),
            layers.BatchNormalization(),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Flatten(name="features"),
            layers.Dense(1),
        ],
        name="discriminator",
    )
    return g, d
