"""Generators and discriminators, by family, and a registry of the named pairs.

The builders of :mod:`.digits`, :mod:`.colour`, :mod:`.conditional` and :mod:`.toy`
return ``(generator, discriminator)``. The generator ends in ``tanh`` (images in
[-1, 1]) except the toy pair's, whose 2-D points are in the data's own units. The
discriminator returns **logits** ``(N, 1)``: a real number, large for "real"; the
probability it assigns is ``sigmoid(logit)`` (logits and ``from_logits=True``
losses are numerically safer than a sigmoid layer). Its last hidden
representation is a layer named ``"features"`` (only Dropout, a minibatch-std
feature or a projection term lie between it and the logit), which feature
matching and similar tricks read (see ``GAN.features``).

=============================  ==================  ========================================
module                         shapes              builders
=============================  ==================  ========================================
:mod:`.digits`                 z -> 28x28x1        ``mlp``, ``tutorial_dcgan``, ``dcgan``,
                                                   ``dcgan_deep``, ``dcgan_wide``, ``dcgan_sa``,
                                                   ``dcgan_uniform``, ``mlp_wide``
:mod:`.colour`                 z -> 32x32x3        ``cifar_article``, ``cifar_article_sn``,
                                                   ``cifar_small``, ``cifar_small_sn``,
                                                   ``cifar_small_bn_sn``, ``emoji_dcgan``
:mod:`.conditional`            [z, y] -> 28x28x1   ``cond_dcgan``, ``cond_dcgan_concat``,
                                                   ``cond_dcgan_concat_matched``, ``cond_biggan``,
                                                   ``cond_biggan_no_ortho``, ``cond_biggan_no_bias``
:mod:`.toy`                    z -> 2-D points     ``toy_mlp``
:mod:`.style`                  z -> 28x28x1        ``style_generator`` (G, mapping, synthesis:
                                                   no D) and StyleGAN's pieces
=============================  ==================  ========================================

Each module's docstring tabulates its models' parameter counts. The builders of the
first four are importable from here (``models.dcgan(64)``); StyleGAN's pieces from
``gan_lib.models.style`` (short name ``style``).

The registry, :data:`REGISTRY`, names the pairs a run can ask for by name, each
as a :class:`ModelSpec` (builder, default latent size, image shape, whether it is
class-conditional, a description). :data:`MODELS` holds the unconditional ones
(what ``gan_lib.train``'s ``--model`` and ``make bench`` choose from),
:data:`CONDITIONAL_MODELS` the class-conditional ones (lesson 07, trained through
``GAN(..., n_classes=10)``). ``mlp_wide`` and ``toy_mlp`` are not registered:
the lessons call them directly with their own settings.

* :func:`build` / :func:`build_conditional` build a registered pair;
* :func:`image_shape` and :func:`names_for` answer from the registry, without
  building anything;
* :func:`layer_table` prints a model's layers, :func:`load` reads a saved one;
* :func:`recalibrate_batchnorm` sets a model's BatchNorm statistics to their
  averages over batches of inputs ("precise BN"), with no weight update.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import keras
import numpy as np

from gan_lib.data import IMAGE_SHAPE
from gan_lib.models.colour import (
    COLOUR_SHAPE,
    cifar_article,
    cifar_article_sn,
    cifar_small,
    cifar_small_bn_sn,
    cifar_small_sn,
    emoji_dcgan,
)
from gan_lib.models.conditional import (
    cond_biggan,
    cond_biggan_no_bias,
    cond_biggan_no_ortho,
    cond_dcgan,
    cond_dcgan_concat,
    cond_dcgan_concat_matched,
)
from gan_lib.models.digits import dcgan, dcgan_deep, dcgan_sa, dcgan_uniform, dcgan_wide, mlp, mlp_wide, tutorial_dcgan
from gan_lib.models.parts import check_positive_ints
from gan_lib.models.toy import toy_mlp

__all__ = [
    "COLOUR_SHAPE", "CONDITIONAL_MODELS", "MODELS", "REGISTRY", "ModelSpec",
    "build", "build_conditional", "image_shape", "layer_table", "load", "names_for", "recalibrate_batchnorm", "spec",
    "mlp", "tutorial_dcgan", "dcgan", "dcgan_deep", "dcgan_wide", "dcgan_sa", "dcgan_uniform", "mlp_wide",
    "cifar_article", "cifar_article_sn", "cifar_small", "cifar_small_bn_sn", "cifar_small_sn", "emoji_dcgan",
    "cond_dcgan", "cond_dcgan_concat", "cond_dcgan_concat_matched", "cond_biggan", "cond_biggan_no_ortho",
    "cond_biggan_no_bias", "toy_mlp",
]


@dataclass(frozen=True)
class ModelSpec:
    """What the course knows about a named pair without building it.

    Attributes:
        name: the registry's key, e.g. ``"dcgan"``.
        builder: ``builder(latent_dim)`` (conditional: ``builder(latent_dim, n_classes)``)
            returns ``(generator, discriminator)``.
        latent_dim: the default length of ``z``.
        image_shape: ``(H, W, C)`` of the images G makes and D judges.
        conditional: ``True`` if both networks also take the one-hot class ``y``.
        description: one line for listings and error messages.
    """

    name: str
    builder: Callable
    latent_dim: int
    image_shape: tuple
    conditional: bool
    description: str


# Declaration order is listing order (``names_for``, ``make bench``, the CLI's help).
REGISTRY: dict[str, ModelSpec] = {s.name: s for s in (
    ModelSpec("mlp", mlp, 100, IMAGE_SHAPE, False,
              "the articles' MLP pair (G 114,064 / D 100,609 parameters)"),
    ModelSpec("tutorial_dcgan", tutorial_dcgan, 100, IMAGE_SHAPE, False,
              "TensorFlow's DCGAN tutorial recipe"),
    ModelSpec("dcgan", dcgan, 64, IMAGE_SHAPE, False,
              "the course's default DCGAN, tuned for a CPU"),
    ModelSpec("dcgan_deep", dcgan_deep, 64, IMAGE_SHAPE, False,
              "make train's DCGAN for clean digits (G 7x7x128 -> 64 -> 32 -> 1, D 32/64/128)"),
    ModelSpec("dcgan_wide", dcgan_wide, 64, IMAGE_SHAPE, False,
              "a wider DCGAN for clean digits (G 1,509,697 / D 660,929 parameters)"),
    ModelSpec("cifar_article", cifar_article, 100, COLOUR_SHAPE, False,
              "the Keras CIFAR-10 GAN article's model (32x32x3; G 1,466,115 / D 522,497 parameters)"),
    ModelSpec("cifar_article_sn", cifar_article_sn, 100, COLOUR_SHAPE, False,
              "the Keras CIFAR-10 GAN article's model with spectral normalisation in D"),
    ModelSpec("cifar_small", cifar_small, 100, COLOUR_SHAPE, False,
              "the Keras CIFAR-10 GAN article's design at half width, for a CPU"),
    ModelSpec("cifar_small_sn", cifar_small_sn, 100, COLOUR_SHAPE, False,
              "the half-width CIFAR-10 design with spectral normalisation in D"),
    ModelSpec("cifar_small_bn_sn", cifar_small_bn_sn, 100, COLOUR_SHAPE, False,
              "the half-width CIFAR-10 design with BatchNorm in G (as DCGAN) and spectral normalisation in D"),
    ModelSpec("emoji_dcgan", emoji_dcgan, 128, COLOUR_SHAPE, False,
              "the DCGAN paper's design at 32x32x3, lesson 05's emoji study (G 1,219,523 / D 664,513 parameters)"),
    ModelSpec("dcgan_sa", dcgan_sa, 64, IMAGE_SHAPE, False,
              "the course's DCGAN with SAGAN self-attention at 14x14 in G and D (lesson 09)"),
    ModelSpec("dcgan_uniform", dcgan_uniform, 64, IMAGE_SHAPE, False,
              "the course's DCGAN trained on uniform latents on (-1, 1) (lesson 09)"),
    ModelSpec("cond_dcgan", cond_dcgan, 64, IMAGE_SHAPE, True,
              "the course's DCGAN with a label embedding in G and a projection D"),
    ModelSpec("cond_dcgan_concat", cond_dcgan_concat, 64, IMAGE_SHAPE, True,
              "the course's DCGAN with a label embedding in G, one-hot planes stacked onto D's input"),
    ModelSpec("cond_dcgan_concat_matched", cond_dcgan_concat_matched, 64, IMAGE_SHAPE, True,
              "cond_dcgan_concat with D's first convolution 88 wide: as many D parameters as the projection D"),
    ModelSpec("cond_biggan", cond_biggan, 64, IMAGE_SHAPE, True,
              "cond_dcgan with BigGAN's G pieces: shared class embedding, conditional BatchNorm, z chunks, "
              "orthogonal regularisation, a biased first layer (lesson 09)"),
    ModelSpec("cond_biggan_no_ortho", cond_biggan_no_ortho, 64, IMAGE_SHAPE, True,
              "cond_biggan without orthogonal regularisation (lesson 09's ablation)"),
    ModelSpec("cond_biggan_no_bias", cond_biggan_no_bias, 64, IMAGE_SHAPE, True,
              "cond_biggan without the bias of its Dense layer (lesson 09's ablation)"),
)}

#: The unconditional pairs: generators take ``z`` alone (``gan_lib.train``, ``make bench``).
MODELS: dict[str, ModelSpec] = {k: s for k, s in REGISTRY.items() if not s.conditional}
#: The class-conditional pairs: generators take ``[z, y]``; train through ``GAN(..., n_classes=...)``.
CONDITIONAL_MODELS: dict[str, ModelSpec] = {k: s for k, s in REGISTRY.items() if s.conditional}


def _listing(specs) -> str:
    return "; ".join(f"'{s.name}' ({s.description})" for s in specs.values())


def spec(name: str) -> ModelSpec:
    """The :class:`ModelSpec` of a registered model, or a ``ValueError`` listing the known names."""
    if name not in REGISTRY:
        raise ValueError(f"Unknown model {name!r}. Known models: {', '.join(MODELS)}; "
                         f"class-conditional: {', '.join(CONDITIONAL_MODELS)}.")
    return REGISTRY[name]


def _latent_dim(s: ModelSpec, latent_dim) -> int:
    latent_dim = s.latent_dim if latent_dim is None else latent_dim
    check_positive_ints(latent_dim=latent_dim)
    return int(latent_dim)


def build(name: str, latent_dim: int | None = None):
    """Build the named unconditional pair ``(generator, discriminator)``.

    ``latent_dim`` defaults to the model's own (:attr:`ModelSpec.latent_dim`: 100
    for the articles' models, 64 for the course's DCGANs).
    """
    if name in CONDITIONAL_MODELS:
        raise ValueError(f"{name!r} is a class-conditional model: build it with "
                         f"models.build_conditional({name!r}) and train it with GAN(g, d, n_classes=10).")
    if name not in MODELS:
        raise ValueError(f"Unknown model {name!r}. Valid models: {_listing(MODELS)}. "
                         f"Class-conditional models (models.build_conditional): {', '.join(CONDITIONAL_MODELS)}.")
    s = MODELS[name]
    return s.builder(_latent_dim(s, latent_dim))


def build_conditional(name: str, latent_dim: int | None = None, n_classes: int = 10):
    """Build the named class-conditional pair ``(generator, discriminator)`` for ``n_classes`` classes."""
    if name not in CONDITIONAL_MODELS:
        hint = " (an unconditional model: use models.build)" if name in MODELS else ""
        raise ValueError(f"Unknown conditional model {name!r}{hint}. "
                         f"Valid conditional models: {_listing(CONDITIONAL_MODELS)}.")
    s = CONDITIONAL_MODELS[name]
    return s.builder(_latent_dim(s, latent_dim), n_classes)


def image_shape(name: str) -> tuple:
    """The image shape ``(H, W, C)`` a registered model makes and judges (from its spec; nothing is built)."""
    return spec(name).image_shape


def names_for(shape, conditional: bool = False) -> list:
    """The registered models whose images have ``shape``, e.g. ``(28, 28, 1)`` or ``(32, 32, 3)``.

    Unconditional ones by default (what ``gan_lib.train`` can train); ``conditional=True``
    lists the class-conditional ones instead.
    """
    return [k for k, s in REGISTRY.items() if s.image_shape == tuple(shape) and s.conditional == conditional]


def layer_table(model, names=(), name_width: int = 20, shape_width: int = 18, trainable: bool = False) -> str:
    """A model's layers as a text table: layer, output shape, parameters, and a total row.

    Layers whose name is in ``names`` are shown by name (``z``, ``y``, ``features``...), the
    others by their class. ``trainable=True`` adds the trainable-parameter count to the
    total (it differs from the total when a model has BatchNorm statistics or spectral-norm
    vectors). The widths set the first two columns; the lessons pick them to fit their models.
    A layer with several outputs (e.g. ``LatentChunks``) shows each output's shape.
    """
    rows = [f"{'layer':{name_width}s} {'output shape':>{shape_width}s} {'parameters':>11s}"]
    for layer in model.layers:
        name = layer.name if layer.name in names else type(layer).__name__
        out = layer.output
        shape = " ".join(str(o.shape) for o in out) if isinstance(out, (list, tuple)) else str(out.shape)
        rows.append(f"{name:{name_width}s} {shape:>{shape_width}s} {layer.count_params():>11,}")
    total = f"{'total':{name_width}s} {'':>{shape_width}s} {model.count_params():>11,}"
    if trainable:
        total += f"   ({sum(math.prod(w.shape) for w in model.trainable_weights):,} trainable)"
    return "\n".join(rows + [total])


def batchnorm_layers(model) -> list:
    """Every ``BatchNormalization`` layer of ``model``, nested models included, in call order."""
    found = []
    for layer in getattr(model, "layers", []):
        if isinstance(layer, keras.layers.BatchNormalization):
            found.append(layer)
        else:
            found.extend(batchnorm_layers(layer))
    return found


def recalibrate_batchnorm(model, inputs, batch_size: int = 500) -> int:
    """Precise BatchNorm: set every BatchNorm layer's moving statistics to their average over ``inputs``.

    In training, ``BatchNormalization`` keeps exponential moving averages of its
    batch statistics, ``m <- momentum * m + (1 - momentum) * mean(batch)`` with
    ``momentum = 0.99``: after ``t`` updates the initial values (mean 0, variance 1)
    still weigh ``0.99^t`` (0.39 after 93 updates), and the rest is a mix of
    weights that have since changed. Samples drawn in inference mode then use
    statistics that no batch of the *current* network has. Precise BN (Wu &
    Johnson, "Rethinking 'Batch' in BatchNorm", 2021, section 3) recomputes them
    for the current weights: it runs ``inputs`` through ``model`` in training mode,
    batch by batch, and sets each layer's moving mean and variance to the plain
    average of the ``K`` batch means and variances, by giving the ``k``-th batch
    (``k = 0..K-1``) the momentum ``k / (k + 1)``:

        m_K = (1/K) * sum_k mean(batch_k),   v_K = (1/K) * sum_k var(batch_k).

    Later layers see earlier layers normalised by batch statistics, as in
    training. Only the non-trainable statistics change; every trainable weight
    (and each layer's ``momentum``) is left as it was. Returns the number of
    BatchNorm layers recalibrated (0: the model has none and nothing ran).
    """
    layers = batchnorm_layers(model)
    if not layers:
        return 0
    inputs = np.asarray(inputs, np.float32)
    if len(inputs) < 2 or batch_size < 2:
        raise ValueError(f"{len(inputs)} inputs in batches of {batch_size}: need at least 2 of each.")
    momenta = [layer.momentum for layer in layers]
    try:
        for k, start in enumerate(range(0, len(inputs) - 1, batch_size)):
            chunk = inputs[start:start + batch_size]
            if len(chunk) < 2:
                break
            for layer in layers:
                layer.momentum = k / (k + 1.0)
            model(chunk, training=True)
    finally:
        for layer, m in zip(layers, momenta):
            layer.momentum = m
    return len(layers)


def load(path):
    """Load a saved generator or discriminator (``.keras``) in Keras' safe mode.

    Safe mode refuses files that would run code while loading (such as
    serialized lambdas), so a downloaded model cannot execute anything.
    """
    from pathlib import Path

    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError(f"{path}: expected a .keras file "
                         "(what gan_lib.train writes, e.g. runs/default/generator.keras).")
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist. Train a model first (make train) or check the path.")
    try:
        return keras.models.load_model(path, safe_mode=True, compile=False)
    except Exception as e:
        raise ValueError(f"{path} could not be loaded as a Keras model ({type(e).__name__}: {e}). "
                         "It may be damaged or written by another Keras version; retrain or re-download it.") from e
