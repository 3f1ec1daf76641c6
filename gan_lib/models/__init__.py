"""Generators and discriminators.

Each builder returns ``(generator, discriminator)``:

* the generator maps a latent batch ``(N, latent_dim)`` to images
  ``(N, 28, 28, 1)`` in [-1, 1] (``tanh`` output);
* the discriminator maps images to **logits** ``(N, 1)`` – a real number, large
  for "real". The probability it assigns is ``sigmoid(logit)``. Keeping logits
  (and ``from_logits=True`` losses) is numerically safer than a sigmoid layer.
* the discriminator's last hidden activation is a layer named ``"features"``,
  which feature matching and similar tricks read (see ``GAN.features``).

Models for the digits (28x28x1):

``mlp``
    The articles' fully connected pair (the TensorFlow 1 and Keras MLP GAN articles): G 100 -> 128 -> 784,
    114,064 parameters; D 784 -> 128 -> 1, 100,609 parameters.
``tutorial_dcgan``
    TensorFlow's DCGAN tutorial, as in the step-by-step DCGAN article: Dense 7x7x256 -> Conv2DTranspose
    128/64/1 with BatchNorm and LeakyReLU; D Conv2D 64/128 with Dropout 0.3.
``dcgan``
    The course's default: a smaller, faster DCGAN tuned for a laptop CPU
    (no BatchNorm or Dropout in D; ``make train`` trains it with Adam(5e-4, beta_1=0.5),
    batches of 16 and an EMA of G's weights, see ``gan_lib.train.DEFAULTS``).

Models for colour images (32x32x3, lesson 05; :func:`image_shape` tells a model's shape):

``cifar_article``, ``cifar_article_sn``
    The CIFAR-10 GAN of source article 002, without and with spectral normalisation in D.
``cifar_small``, ``cifar_small_sn``
    The same design at half width (about 4x less computation), for a CPU.

Class-conditional models (lesson 07; in :data:`CONDITIONAL_MODELS`, built with
:func:`build_conditional`, trained through ``GAN(..., n_classes=10)``):

``cond_dcgan``, ``cond_dcgan_concat``
    The course's DCGAN with a label input in both networks: a label embedding
    next to ``z`` in G; in D a projection term or one-hot planes on the image.
"""

from __future__ import annotations

import functools
import math
import numbers

import keras
from keras import layers

from gan_lib.data import IMAGE_SHAPE


def mlp(latent_dim: int = 100):
    """The fully connected GAN of the source articles (LeakyReLU slope 0.01)."""
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
    """TensorFlow's DCGAN tutorial, layer for layer (5x5 kernels, no biases before BatchNorm)."""
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


def dcgan(latent_dim: int = 64):
    """The course's default DCGAN: 7x7x128 -> 14x14x64 -> 28x28x1; D 64/128 strided convolutions."""
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
            keras.Input(IMAGE_SHAPE),
            layers.Conv2D(64, 4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(128, 4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Flatten(name="features"),
            layers.Dense(1),
        ],
        name="discriminator",
    )
    return g, d


#: name -> (builder, default latent size, one-line description)
MODELS = {
    "mlp": (mlp, 100, "the articles' MLP pair (114,064 / 100,609 parameters)"),
    "tutorial_dcgan": (tutorial_dcgan, 100, "TensorFlow's DCGAN tutorial recipe"),
    "dcgan": (dcgan, 64, "the course's default DCGAN, tuned for a CPU"),
}


def layer_table(model, names=(), name_width: int = 20, shape_width: int = 18, trainable: bool = False) -> str:
    """A model's layers as a text table: layer, output shape, parameters, and a total row.

    Layers whose name is in ``names`` are shown by name (``z``, ``y``, ``features``...), the
    others by their class. ``trainable=True`` adds the trainable-parameter count to the
    total (it differs from the total when a model has BatchNorm statistics or spectral-norm
    vectors). The widths set the first two columns; the lessons pick them to fit their models.
    """
    rows = [f"{'layer':{name_width}s} {'output shape':>{shape_width}s} {'parameters':>11s}"]
    for layer in model.layers:
        name = layer.name if layer.name in names else type(layer).__name__
        rows.append(f"{name:{name_width}s} {str(layer.output.shape):>{shape_width}s} {layer.count_params():>11,}")
    total = f"{'total':{name_width}s} {'':>{shape_width}s} {model.count_params():>11,}"
    if trainable:
        total += f"   ({sum(math.prod(w.shape) for w in model.trainable_weights):,} trainable)"
    return "\n".join(rows + [total])


def build(name: str, latent_dim: int | None = None):
    """Build the named pair ``(generator, discriminator)``.

    ``latent_dim`` defaults to the model's own (100 for the articles' models,
    64 for the course's DCGAN).
    """
    if name not in MODELS:
        valid = "; ".join(f"'{k}' ({v[2]})" for k, v in MODELS.items())
        raise ValueError(f"Unknown model {name!r}. Valid models: {valid}.")
    builder, default_dim, _ = MODELS[name]
    latent_dim = default_dim if latent_dim is None else latent_dim
    if isinstance(latent_dim, bool) or not isinstance(latent_dim, numbers.Integral) or latent_dim <= 0:
        raise ValueError(f"latent_dim={latent_dim!r}: it must be a positive whole number.")
    return builder(int(latent_dim))


def load(path):
    """Load a saved generator or discriminator (``.keras``) in Keras' safe mode.

    Safe mode refuses files that would run code while loading (such as
    serialized lambdas), so a downloaded model cannot execute anything.
    """
    from pathlib import Path

    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError(f"{path}: expected a .keras file (what gan_lib.train writes, e.g. runs/default/generator.keras).")
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist. Train a model first (make train) or check the path.")
    try:
        return keras.models.load_model(path, safe_mode=True, compile=False)
    except Exception as e:
        raise ValueError(f"{path} could not be loaded as a Keras model ({type(e).__name__}: {e}). "
                         "It may be damaged or written by another Keras version; retrain or re-download it.") from e


# =========================================================================== colour (32x32x3) models, lesson 05

#: The shape of CIFAR-10 images (and of the course's colour stand-in).
COLOUR_SHAPE = (32, 32, 3)


def _sn(layer, spectral_norm: bool):
    """Wrap ``layer`` in Keras' ``SpectralNormalization`` when ``spectral_norm`` is true.

    Spectral normalisation (Miyato et al., "Spectral Normalization for
    Generative Adversarial Networks", ICLR 2018) divides a layer's kernel by
    an estimate of its largest singular value (one power-iteration step per
    training call), so every layer of D is at most 1-Lipschitz.
    """
    return layers.SpectralNormalization(layer, power_iterations=1) if spectral_norm else layer


def cifar_article(latent_dim: int = 100, spectral_norm: bool = False, width: float = 1.0):
    """The CIFAR-10 GAN of source article 002 (after Machine Learning Mastery's CIFAR-10 GAN).

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
    """
    if not 0 < width <= 4:
        raise ValueError(f"width={width!r}: use a factor in (0, 4], e.g. 1 for the article's sizes or 0.5.")

    def f(n):
        return max(1, int(round(n * width)))

    g = keras.Sequential(
        [
            keras.Input((latent_dim,)),
            layers.Dense(4 * 4 * f(256)),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Reshape((4, 4, f(256))),
            layers.Conv2DTranspose(f(128), 4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2DTranspose(f(128), 4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2DTranspose(f(128), 4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(3, 3, padding="same", activation="tanh"),
        ],
        name="generator",
    )
    d = keras.Sequential(
        [
            keras.Input(COLOUR_SHAPE),
            _sn(layers.Conv2D(f(64), 3, padding="same"), spectral_norm),
            layers.LeakyReLU(negative_slope=0.2),
            _sn(layers.Conv2D(f(128), 3, strides=2, padding="same"), spectral_norm),
            layers.LeakyReLU(negative_slope=0.2),
            _sn(layers.Conv2D(f(128), 3, strides=2, padding="same"), spectral_norm),
            layers.LeakyReLU(negative_slope=0.2),
            _sn(layers.Conv2D(f(256), 3, strides=2, padding="same"), spectral_norm),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Flatten(name="features"),
            layers.Dropout(0.4),
            _sn(layers.Dense(1), spectral_norm),
        ],
        name="discriminator",
    )
    return g, d


def cifar_article_sn(latent_dim: int = 100):
    """The article's CIFAR-10 GAN with spectral normalisation in every layer of D."""
    return cifar_article(latent_dim, spectral_norm=True)


def cifar_small(latent_dim: int = 100, spectral_norm: bool = False):
    """The article's CIFAR-10 design at half width (every filter count halved): about 4x faster on a CPU."""
    return cifar_article(latent_dim, spectral_norm=spectral_norm, width=0.5)


def cifar_small_sn(latent_dim: int = 100):
    """:func:`cifar_small` with spectral normalisation in D."""
    return cifar_small(latent_dim, spectral_norm=True)


MODELS.update({
    "cifar_article": (cifar_article, 100, "the CIFAR-10 GAN of article 002 (32x32x3; G 1,466,115 / D 522,497 parameters)"),
    "cifar_article_sn": (cifar_article_sn, 100, "article 002's CIFAR-10 GAN with spectral normalisation in D"),
    "cifar_small": (cifar_small, 100, "article 002's CIFAR-10 design at half width, for a CPU"),
    "cifar_small_sn": (cifar_small_sn, 100, "the half-width CIFAR-10 design with spectral normalisation in D"),
})


@functools.lru_cache(maxsize=None)
def image_shape(name: str) -> tuple:
    """The image shape ``(H, W, C)`` a named model makes and judges (read from its discriminator's input)."""
    if name not in MODELS:
        raise ValueError(f"Unknown model {name!r}. Valid models: {', '.join(MODELS)}.")
    _, d = build(name)
    return tuple(int(s) for s in d.input_shape[1:])


def names_for(shape) -> list:
    """The registered models whose images have ``shape``, e.g. ``(28, 28, 1)`` or ``(32, 32, 3)``."""
    return [name for name in MODELS if image_shape(name) == tuple(shape)]


# =========================================================================== 2-D toy models (lesson 04)


def toy_mlp(latent_dim: int = 8, width: int = 128, depth: int = 3, d_input_dim: int = 2,
            minibatch_std: bool = False, scale: float = 1.0):
    """A small fully connected pair for 2-D data (the Gaussian mixtures of :mod:`gan_lib.measure.mixtures`).

    G: ``latent_dim -> width x depth (ReLU) -> 2`` (linear output, in the data's own units).
    D: ``d_input_dim -> width x depth (LeakyReLU 0.2) -> 1`` logit; the last hidden
    layer is named ``"features"``. ``d_input_dim`` is 2, or ``2 m`` for PacGAN packs of
    ``m`` (see :class:`gan_lib.core.packing.Pack`). ``minibatch_std=True`` inserts a
    :class:`gan_lib.core.layers.MinibatchStd` (whole batch) before D's output layer.

    ``scale`` is the data's typical size (e.g. 2 for the 5x5 grid, whose modes lie 2 apart):
    G's output is multiplied by it and D's input divided by it, so both networks work
    with numbers near 1 while samples stay in the data's own units.

    PacGAN's and VEEGAN's 2-D experiments use a bigger pair (G 4 x 400, D 3 x 200 units);
    this one is sized to train in seconds on a CPU.
    """
    if not scale > 0:
        raise ValueError(f"scale={scale!r}: use a positive number (the data's typical size, e.g. 1 or 2).")
    for name, v in (("latent_dim", latent_dim), ("width", width), ("depth", depth), ("d_input_dim", d_input_dim)):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v <= 0:
            raise ValueError(f"{name}={v!r}: it must be a positive whole number.")
    from gan_lib.core.layers import MinibatchStd

    g = keras.Sequential([keras.Input((latent_dim,))]
                         + [layers.Dense(width, activation="relu") for _ in range(depth)]
                         + [layers.Dense(2), layers.Rescaling(float(scale))], name="generator")
    d_layers = [keras.Input((d_input_dim,)), layers.Rescaling(1.0 / float(scale))]
    for i in range(depth):
        d_layers += [layers.Dense(width),
                     layers.LeakyReLU(negative_slope=0.2, name="features" if i == depth - 1 else None)]
    if minibatch_std is not False and minibatch_std is not None:
        d_layers.append(MinibatchStd(None if minibatch_std is True else minibatch_std))
    d = keras.Sequential(d_layers + [layers.Dense(1)], name="discriminator")
    return g, d


# =========================================================================== lesson 06's MNIST pair


def mlp_wide(latent_dim: int = 64, spectral_norm: bool = False):
    """A wider fully connected pair for lesson 06's comparisons (fast on a CPU, learns in 2,000 steps).

    G: ``latent_dim -> 256 -> 512 -> 784`` (LeakyReLU 0.2, ``tanh`` output) -> 28x28x1;
    D: ``784 -> 512 -> 256 -> 1`` logit (LeakyReLU 0.2; the 256-unit activation is
    ``"features"``). No BatchNorm or Dropout anywhere, so spectral normalisation,
    gradient penalties and feature matching apply without caveats.
    ``spectral_norm=True`` wraps every Dense layer of D (see :func:`_sn`).
    At ``latent_dim=64``: G 550,416 and D 533,505 parameters.
    Not in :data:`MODELS` (the training CLI and ``make bench`` time the course's registered pairs).
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
            keras.Input(IMAGE_SHAPE),
            layers.Flatten(),
            _sn(layers.Dense(512), spectral_norm),
            layers.LeakyReLU(negative_slope=0.2),
            _sn(layers.Dense(256), spectral_norm),
            layers.LeakyReLU(negative_slope=0.2, name="features"),
            _sn(layers.Dense(1), spectral_norm),
        ],
        name="discriminator",
    )
    return g, d


# =========================================================================== class-conditional models (lesson 07)


def cond_dcgan(latent_dim: int = 64, n_classes: int = 10, embed_dim: int = 16, d_conditioning: str = "projection"):
    """The course's DCGAN (:func:`dcgan`) made class-conditional (Mirza & Osindero, 2014).

    Both networks get a second input ``y``: the class as an ``(N, n_classes)``
    one-hot row (float, so a mix of two rows interpolates between classes).

    G: ``y -> Dense(embed_dim, no bias)``, a learned **label embedding** (for a
    one-hot row it is a table lookup), concatenated with ``z``; then the same
    layers as :func:`dcgan`'s generator.

    D: the same convolutions as :func:`dcgan`'s discriminator, up to the layer
    named ``"features"`` (which sees the image only), then, with
    ``d_conditioning="projection"`` (Miyato & Koyama, "cGANs with Projection
    Discriminator", ICLR 2018), ``logit = w . h + b + (E y) . h``: a class
    embedding ``E y`` (``Dense(6272, no bias)`` of the one-hot row) dotted with
    the features ``h``. With ``"concat"`` the one-hot row is instead broadcast
    to ``n_classes`` constant 28x28 planes stacked onto the image (the
    classic cGAN input), and the logit is ``w . h + b``.
    """
    if d_conditioning not in ("projection", "concat"):
        raise ValueError(f"d_conditioning={d_conditioning!r}: use 'projection' or 'concat'.")
    for name, v in (("latent_dim", latent_dim), ("n_classes", n_classes), ("embed_dim", embed_dim)):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v <= 0:
            raise ValueError(f"{name}={v!r}: it must be a positive whole number.")

    z = keras.Input((latent_dim,), name="z")
    y = keras.Input((n_classes,), name="y")
    e = layers.Dense(embed_dim, use_bias=False, name="label_embedding")(y)
    x = layers.Concatenate()([z, e])
    x = layers.Dense(7 * 7 * 128, use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    x = layers.Reshape((7, 7, 128))(x)
    x = layers.Conv2DTranspose(64, 4, strides=2, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    out = layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh")(x)
    g = keras.Model([z, y], out, name="generator")

    img = keras.Input(IMAGE_SHAPE, name="images")
    yd = keras.Input((n_classes,), name="y")
    x = img
    if d_conditioning == "concat":
        planes = layers.Reshape((1, 1, n_classes))(yd)
        planes = layers.UpSampling2D(size=IMAGE_SHAPE[:2])(planes)  # (N, 28, 28, n_classes) constant planes
        x = layers.Concatenate()([img, planes])
    x = layers.Conv2D(64, 4, strides=2, padding="same")(x)
    x = layers.LeakyReLU(negative_slope=0.2)(x)
    x = layers.Conv2D(128, 4, strides=2, padding="same")(x)
    x = layers.LeakyReLU(negative_slope=0.2)(x)
    h = layers.Flatten(name="features")(x)
    logit = layers.Dense(1)(h)
    if d_conditioning == "projection":
        class_embedding = layers.Dense(7 * 7 * 128, use_bias=False, name="class_embedding")(yd)
        inner = layers.Dot(axes=1, name="projection")([class_embedding, h])
        logit = layers.Add()([logit, inner])
    d = keras.Model([img, yd], logit, name="discriminator")
    return g, d


def cond_dcgan_concat(latent_dim: int = 64, n_classes: int = 10):
    """:func:`cond_dcgan` whose discriminator sees the label as 10 constant planes stacked onto the image."""
    return cond_dcgan(latent_dim, n_classes, d_conditioning="concat")


#: Class-conditional pairs, name -> (builder, default latent size, one-line description).
#: Kept apart from :data:`MODELS` (whose generators take a latent batch alone):
#: these take ``[z, y]`` and train through ``GAN(..., n_classes=...)``.
CONDITIONAL_MODELS = {
    "cond_dcgan": (cond_dcgan, 64, "the course's DCGAN with a label embedding in G and a projection D"),
    "cond_dcgan_concat": (cond_dcgan_concat, 64, "the course's DCGAN with a label embedding in G, "
                                                 "one-hot planes stacked onto D's input"),
}


def build_conditional(name: str, latent_dim: int | None = None, n_classes: int = 10):
    """Build the named class-conditional pair ``(generator, discriminator)`` for ``n_classes`` classes."""
    if name not in CONDITIONAL_MODELS:
        valid = "; ".join(f"'{k}' ({v[2]})" for k, v in CONDITIONAL_MODELS.items())
        hint = " (an unconditional model: use models.build)" if name in MODELS else ""
        raise ValueError(f"Unknown conditional model {name!r}{hint}. Valid conditional models: {valid}.")
    builder, default_dim, _ = CONDITIONAL_MODELS[name]
    latent_dim = default_dim if latent_dim is None else latent_dim
    return builder(latent_dim, n_classes)


# =========================================================================== self-attention (lesson 09)


def dcgan_sa(latent_dim: int = 64):
    """The course's DCGAN with one SAGAN self-attention block on the 14x14 maps of G and of D.

    Everything else is :func:`dcgan`, so a comparison with it measures the
    attention blocks alone (about 5,000 extra parameters on each side).
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


MODELS["dcgan_sa"] = (dcgan_sa, 64, "the course's DCGAN with SAGAN self-attention at 14x14 in G and D (lesson 09)")


def dcgan_uniform(latent_dim: int = 64):
    """The course's DCGAN whose generator sees **uniform** latents on (-1, 1) (article 000's choice).

    The GAN still draws ``z ~ N(0, I)``; a first :class:`gan_lib.core.layers.NormalToUniform`
    layer maps each coordinate to a uniform one, so the rest of the generator is
    trained on uniform latents. Compare it with :func:`dcgan` on one budget (lesson 09).
    """
    from gan_lib.core.layers import NormalToUniform

    g, d = dcgan(latent_dim)
    g_u = keras.Sequential([keras.Input((latent_dim,)), NormalToUniform(name="to_uniform"), *g.layers],
                           name="generator")
    return g_u, d


MODELS["dcgan_uniform"] = (dcgan_uniform, 64, "the course's DCGAN trained on uniform latents on (-1, 1) (lesson 09)")
