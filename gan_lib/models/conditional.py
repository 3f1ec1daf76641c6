"""Class-conditional generators and discriminators for the 28x28x1 digits (lesson 07).

Both networks take a second input ``y``: the class as an ``(N, n_classes)``
one-hot row (float, so a mix of two rows interpolates between classes). G maps
``[z (N, latent_dim), y]`` to ``(N, 28, 28, 1)`` images in [-1, 1]; D maps
``[images, y]`` to ``(N, 1)`` logits. They train through
``GAN(g, d, n_classes=...)``. Parameter counts at ``latent_dim=64``,
``n_classes=10`` (checked in ``tests/test_conditional.py``):

=============================  =========  =========  ===========================================
builder                        G params   D params   D's conditioning
=============================  =========  =========  ===========================================
``cond_dcgan``                 659,361    201,281    a projection term ``(E y) . h``
``cond_dcgan_concat``          659,361    148,801    ``n_classes`` one-hot planes on the image
``cond_dcgan_concat_matched``  659,361    202,201    the same planes, first convolution 88 wide
=============================  =========  =========  ===========================================

``cond_dcgan_concat_matched`` exists for a fair comparison (lesson 07): its D
has as many parameters as the projection D (within 0.5%), so a difference
between the two is not simply a difference in size. Its generator is the
same as the other two.
"""

from __future__ import annotations

import keras
from keras import layers

from gan_lib.data import IMAGE_SHAPE
from gan_lib.models.parts import check_positive_ints


def cond_dcgan(latent_dim: int = 64, n_classes: int = 10, embed_dim: int = 16, d_conditioning: str = "projection",
               d_width: int = 64):
    """The course's DCGAN (:func:`gan_lib.models.digits.dcgan`) made class-conditional (Mirza & Osindero, 2014).

    G: ``y -> Dense(embed_dim, no bias)``, a learned **label embedding** (for a
    one-hot row it is a table lookup), concatenated with ``z``; then the same
    layers as ``dcgan``'s generator.

    D: the same convolutions as ``dcgan``'s discriminator, up to the layer
    named ``"features"`` (which sees the image only), then, with
    ``d_conditioning="projection"`` (Miyato & Koyama, "cGANs with Projection
    Discriminator", ICLR 2018), ``logit = w . h + b + (E y) . h``: a class
    embedding ``E y`` (``Dense(6272, no bias)`` of the one-hot row) dotted with
    the features ``h``. With ``"concat"`` the one-hot row is instead broadcast
    to ``n_classes`` constant 28x28 planes stacked onto the image (the
    classic cGAN input), and the logit is ``w . h + b``.

    ``d_width`` is the number of filters of D's first convolution (64 in
    ``dcgan``). D's parameters grow by ``(16 c + 1 + 2048) * d_width`` per
    unit of width (``c`` input channels: 1, or ``1 + n_classes`` with concat);
    ``h`` keeps its 6,272 numbers whatever the width.
    """
    if d_conditioning not in ("projection", "concat"):
        raise ValueError(f"d_conditioning={d_conditioning!r}: use 'projection' or 'concat'.")
    check_positive_ints(latent_dim=latent_dim, n_classes=n_classes, embed_dim=embed_dim, d_width=d_width)

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
    x = layers.Conv2D(d_width, 4, strides=2, padding="same")(x)
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


def cond_dcgan_concat(latent_dim: int = 64, n_classes: int = 10, d_width: int = 64):
    """:func:`cond_dcgan` whose discriminator sees the label as ``n_classes`` constant planes stacked onto the image."""
    return cond_dcgan(latent_dim, n_classes, d_conditioning="concat", d_width=d_width)


#: The first-convolution width at which the concat D matches the projection D's size
#: (at ``n_classes=10``: 202,201 against 201,281 parameters, 0.46% more).
MATCHED_WIDTH = 88


def cond_dcgan_concat_matched(latent_dim: int = 64, n_classes: int = 10):
    """:func:`cond_dcgan_concat` with D's first convolution ``MATCHED_WIDTH`` (88) filters wide instead of 64.

    The concat D has 52,480 fewer parameters than the projection D of
    :func:`cond_dcgan` (148,801 against 201,281: it has no 62,720-weight class
    table). Each filter of its first convolution costs ``16 * 11 + 1`` weights
    there and ``16 * 128`` in the second, 2,225 in all, so 24 more filters
    bring it to 202,201, within 0.5% of the projection D. A comparison of the
    two then asks how the label enters, not how big D is.
    """
    return cond_dcgan_concat(latent_dim, n_classes, d_width=MATCHED_WIDTH)


def cond_biggan(latent_dim: int = 64, n_classes: int = 10, embed_dim: int = 16, ortho_beta: float | None = 1e-4,
                dense_bias: bool = True):
    """The course's conditional DCGAN with BigGAN's generator pieces (Brock, Donahue and Simonyan, ICLR 2019).

    G keeps :func:`cond_dcgan`'s layers (Dense to 7x7x128, a transposed convolution to
    14x14x64, one to 28x28x1) and changes how the class and the latent enter:

    * a **shared class embedding**: ``y -> Dense(embed_dim, no bias)``, used by every
      block, instead of being concatenated with ``z`` at the input;
    * **class-conditional BatchNorm** (:class:`gan_lib.core.layers.ConditionalBatchNorm`)
      in place of each BatchNorm: the gain and bias of every channel come from the
      embedding (and a latent chunk);
    * a **hierarchical latent** (:class:`gan_lib.core.layers.LatentChunks`): ``z`` is
      split into three chunks (22, 21, 21 numbers for 64), one for the Dense layer and
      one joined to the embedding for each conditional BatchNorm;
    * **orthogonal regularisation** (:class:`gan_lib.core.penalties.OrthogonalRegularizer`,
      beta 1e-4) on the kernels of the Dense layer and both transposed convolutions
      (``ortho_beta=None`` for none).

    The Dense layer has a bias, as BigGAN's first linear layer does: with the class entering
    only through per-channel BatchNorms, that bias is where G keeps a learned 7x7 layout when
    ``z`` is small, which the truncation trick needs (``dense_bias=False``, lesson 09's
    ``cond_biggan_no_bias``, measures what happens without it).

    D is :func:`cond_dcgan`'s projection discriminator, unchanged, so a comparison
    with ``cond_dcgan`` measures the generator's pieces. Not carried over from the
    paper: residual blocks, spectral normalisation in G and D, self-attention, large
    batches, and the two-time-scale learning rates.
    """
    from gan_lib.core.layers import ConditionalBatchNorm, LatentChunks
    from gan_lib.core.penalties import OrthogonalRegularizer

    check_positive_ints(latent_dim=latent_dim, n_classes=n_classes, embed_dim=embed_dim)
    if latent_dim < 3:
        raise ValueError(f"latent_dim={latent_dim}: the hierarchical latent needs at least 3 numbers (one chunk "
                         "per block).")
    k = latent_dim // 3
    reg = OrthogonalRegularizer(ortho_beta) if ortho_beta is not None else None

    z = keras.Input((latent_dim,), name="z")
    y = keras.Input((n_classes,), name="y")
    e = layers.Dense(embed_dim, use_bias=False, name="shared_embedding")(y)
    z0, z1, z2 = LatentChunks([latent_dim - 2 * k, k, k], name="latent_chunks")(z)
    x = layers.Dense(7 * 7 * 128, use_bias=dense_bias, kernel_regularizer=reg)(z0)
    x = layers.Reshape((7, 7, 128))(x)
    x = ConditionalBatchNorm(name="cbn_7x7")([x, layers.Concatenate()([e, z1])])
    x = layers.ReLU()(x)
    x = layers.Conv2DTranspose(64, 4, strides=2, padding="same", use_bias=False, kernel_regularizer=reg)(x)
    x = ConditionalBatchNorm(name="cbn_14x14")([x, layers.Concatenate()([e, z2])])
    x = layers.ReLU()(x)
    out = layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh", kernel_regularizer=reg)(x)
    g = keras.Model([z, y], out, name="generator")
    _, d = cond_dcgan(latent_dim, n_classes, embed_dim)
    return g, d


def cond_biggan_no_ortho(latent_dim: int = 64, n_classes: int = 10, embed_dim: int = 16):
    """:func:`cond_biggan` without orthogonal regularisation: lesson 09's ablation of the one piece
    BigGAN added so that truncation would work."""
    return cond_biggan(latent_dim, n_classes, embed_dim, ortho_beta=None)


def cond_biggan_no_bias(latent_dim: int = 64, n_classes: int = 10, embed_dim: int = 16):
    """:func:`cond_biggan` with no bias in its Dense layer (lesson 09's first version of it): its 7x7 input
    shrinks with ``z`` whatever the class, and truncated it draws digits, mostly of the wrong class."""
    return cond_biggan(latent_dim, n_classes, embed_dim, dense_bias=False)
