"""StyleGAN's ideas, small enough for a CPU (lesson 09). An illustration, not a reproduction.

StyleGAN (Karras, Laine and Aila, CVPR 2019) and StyleGAN2 (Karras et al., CVPR 2020)
change *how the latent reaches the generator*:

* a **mapping network** (:func:`mapping_network`) turns ``z`` into an intermediate
  latent ``w`` (an 8-layer MLP in the paper; here 4 layers of 64);
* the synthesis network starts from a **learned constant** (:class:`ConstantInput`)
  instead of from ``z``;
* ``w`` enters every layer as a **style**: an affine map of ``w`` scales each input
  channel of the convolution (:class:`ModulatedConv2D`; StyleGAN2's modulation and
  *demodulation*, which replaced StyleGAN's AdaIN);
* per-pixel **noise** (:class:`NoiseInjection`) supplies fine random detail;
* because each layer has its own style input, layers can take styles from different
  latents: **style mixing** (coarse layers from one ``w``, fine layers from another).

:func:`style_generator` builds a small style-based generator for the 28x28 digits out
of these pieces; lesson 09 trains it with StyleGAN2's R1 penalty and Adam settings
(:mod:`gan_lib.lessons.style_study`; lazy regularisation is
``gan_lib.core.penalties.R1Penalty(every=16)``). Not included: progressive growing
(StyleGAN2 dropped it too), equalised learning rates outside the mapping network, path
length regularisation, minibatch standard deviation and the residual discriminator, and
the paper's resolution and scale.
"""

from __future__ import annotations

import keras
from keras import layers, ops

from gan_lib.data import IMAGE_SHAPE


def modulated_conv(x, kernel, styles, demodulate: bool = True, eps: float = 1e-8):
    """StyleGAN2's modulated convolution (Karras et al. 2020, section 2.2, eqs. 1 and 3).

    ``x``: ``(N, H, W, C_in)``; ``kernel``: ``(k, k, C_in, C_out)``; ``styles``: ``(N, C_in)``.
    For each sample ``n`` the kernel is *modulated*, ``w'_ijk = s_i w_ijk`` (input
    channel ``i`` scaled by the sample's style ``s_i``), and, if ``demodulate``,
    *demodulated*, ``w''_ijk = w'_ijk / sqrt(sum_{i,k} w'_ijk^2 + eps)``, so that
    each output channel ``j`` has unit expected scale again whatever the style.
    Computed as in the paper's non-grouped form: scale the input's channels by
    ``s``, convolve with the shared kernel, scale each output channel by its
    demodulation factor (same result, no per-sample kernels). Padding "same".
    """
    x = ops.convert_to_tensor(x, dtype="float32")
    kernel = ops.convert_to_tensor(kernel, dtype="float32")
    styles = ops.convert_to_tensor(styles, dtype="float32")
    if len(x.shape) != 4 or len(kernel.shape) != 4 or len(styles.shape) != 2:
        raise ValueError(f"Expected x (N, H, W, C_in), kernel (k, k, C_in, C_out), styles (N, C_in); got "
                         f"{tuple(x.shape)}, {tuple(kernel.shape)}, {tuple(styles.shape)}.")
    if not (x.shape[-1] == kernel.shape[2] == styles.shape[-1]):
        raise ValueError(f"Input channels disagree: x has {x.shape[-1]}, the kernel expects {kernel.shape[2]}, "
                         f"styles give {styles.shape[-1]}; one style value per input channel is needed.")
    y = ops.conv(x * styles[:, None, None, :], kernel, strides=1, padding="same")
    if demodulate:
        energy = ops.sum(ops.square(kernel), axis=(0, 1))                  # (C_in, C_out): sum over k
        d = ops.rsqrt(ops.matmul(ops.square(styles), energy) + eps)          # (N, C_out)
        y = y * d[:, None, None, :]
    return y


@keras.saving.register_keras_serializable(package="gan_lib")
class PixelNorm(layers.Layer):
    """Scale each latent vector to unit root-mean-square: ``z / sqrt(mean(z^2) + eps)`` (StyleGAN's mapping input)."""

    def call(self, z):
        return z * ops.rsqrt(ops.mean(ops.square(z), axis=-1, keepdims=True) + 1e-8)


@keras.saving.register_keras_serializable(package="gan_lib")
class ModulatedConv2D(layers.Layer):
    """A convolution whose kernel each sample's style ``w`` modulates: call it on ``[x, w]``.

    A learned affine map ``s = A w + b`` (bias initialised to 1, so every style
    starts as "leave the channel alone") gives one scale per input channel;
    :func:`modulated_conv` applies it. ``demodulate=False`` for the last layer
    that writes pixels (StyleGAN2's toRGB).
    """

    def __init__(self, filters: int, kernel_size: int = 3, demodulate: bool = True, **kwargs):
        super().__init__(**kwargs)
        if isinstance(filters, bool) or not isinstance(filters, int) or filters < 1:
            raise ValueError(f"filters={filters!r}: use a whole number of at least 1.")
        if isinstance(kernel_size, bool) or not isinstance(kernel_size, int) or kernel_size < 1:
            raise ValueError(f"kernel_size={kernel_size!r}: use a whole number of at least 1, e.g. 3.")
        self.filters, self.kernel_size, self.demodulate = filters, kernel_size, bool(demodulate)

    def build(self, input_shape):
        x_shape, w_shape = input_shape
        c_in = int(x_shape[-1])
        self.affine = layers.Dense(c_in, bias_initializer="ones", name="affine")
        self.affine.build(tuple(w_shape))
        self.kernel = self.add_weight(shape=(self.kernel_size, self.kernel_size, c_in, self.filters),
                                      initializer="he_normal", name="kernel")
        self.bias = self.add_weight(shape=(self.filters,), initializer="zeros", name="bias")

    def call(self, inputs):
        x, w = inputs
        return modulated_conv(x, self.kernel, self.affine(w), self.demodulate) + self.bias

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0][:-1]) + (self.filters,)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "demodulate": self.demodulate}


@keras.saving.register_keras_serializable(package="gan_lib")
class NoiseInjection(layers.Layer):
    """Add fresh Gaussian noise to every pixel, scaled per channel by a learned weight (initially 0).

    StyleGAN's source of fine, random detail (hair strands, pores; here, stroke
    texture): the same ``w`` with other noise gives the same image with other
    details. Noise comes from the layer's own seeded generator.
    """

    def __init__(self, seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.seed = int(seed)
        self.seed_generator = keras.random.SeedGenerator(self.seed)

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(int(input_shape[-1]),), initializer="zeros", name="scale")

    def call(self, x):
        s = ops.shape(x)
        noise = keras.random.normal((s[0], s[1], s[2], 1), seed=self.seed_generator)
        return x + noise * self.scale

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


@keras.saving.register_keras_serializable(package="gan_lib")
class ConstantInput(layers.Layer):
    """A learned ``(H, W, C)`` tensor, repeated for every sample of the batch it is called with.

    The synthesis network starts from this instead of from ``z``: all
    variation comes in through the styles and the noise.
    """

    def __init__(self, shape=(7, 7, 64), **kwargs):
        super().__init__(**kwargs)
        self.const_shape = tuple(int(s) for s in shape)

    def build(self, input_shape):
        self.const = self.add_weight(shape=self.const_shape, initializer=keras.initializers.RandomNormal(stddev=1.0),
                                     name="const")

    def call(self, w):
        return ops.broadcast_to(self.const[None], (ops.shape(w)[0],) + self.const_shape)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self.const_shape

    def get_config(self):
        return {**super().get_config(), "shape": self.const_shape}


@keras.saving.register_keras_serializable(package="gan_lib")
class ScaledDense(layers.Layer):
    """A Dense layer with StyleGAN's *equalised learning rate* and a learning-rate multiplier.

    The weights are stored as ``N(0, 1 / lr_mul^2)`` draws and multiplied by
    ``lr_mul * sqrt(2 / fan_in)`` at run time (He scaling done in the forward pass).
    Adam's steps do not depend on a gradient's scale, so the stored weights move
    as fast as any other, and the *used* weights move ``lr_mul`` times as fast:
    StyleGAN trains its mapping network with ``lr_mul = 0.01``, which keeps it
    from collapsing every ``z`` onto a few ``w`` early in training.
    """

    def __init__(self, units: int, lr_mul: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        if not lr_mul > 0:
            raise ValueError(f"lr_mul={lr_mul!r}: use a positive number (StyleGAN's mapping network: 0.01).")
        self.units, self.lr_mul = int(units), float(lr_mul)

    def build(self, input_shape):
        fan_in = int(input_shape[-1])
        self.scale = self.lr_mul * (2.0 / fan_in) ** 0.5
        self.kernel = self.add_weight(shape=(fan_in, self.units), name="kernel",
                                      initializer=keras.initializers.RandomNormal(stddev=1.0 / self.lr_mul))
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

    def call(self, x):
        return ops.matmul(x, self.kernel * self.scale) + self.bias * self.lr_mul

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "lr_mul": self.lr_mul}


def mapping_network(latent_dim: int = 32, w_dim: int = 32, depth: int = 4, lr_mul: float = 0.01):
    """``z -> w``: PixelNorm, then ``depth`` :class:`ScaledDense` layers with LeakyReLU(0.2).

    StyleGAN: 8 layers of 512 with ``lr_mul = 0.01``.
    """
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
        raise ValueError(f"depth={depth!r}: use a whole number of at least 1 (StyleGAN uses 8).")
    z = keras.Input((latent_dim,))
    h = PixelNorm()(z)
    for i in range(depth):
        h = layers.LeakyReLU(negative_slope=0.2)(ScaledDense(w_dim, lr_mul=lr_mul, name=f"map_{i}")(h))
    return keras.Model(z, h, name="mapping")


#: The synthesis network's resolutions; each takes its own style input (one ``w`` per resolution).
RESOLUTIONS = (7, 14, 28)


def synthesis_network(w_dim: int = 64, widths=(64, 32, 16), seed: int = 0):
    """Three style inputs ``[w_7, w_14, w_28]`` -> a 28x28x1 image in [-1, 1], StyleGAN2's "skip" design.

    A learned constant 7x7x``widths[0]``; at each resolution r of :data:`RESOLUTIONS`
    (after bilinear upsampling from the previous one) a 3x3 :class:`ModulatedConv2D` of
    ``widths[i]`` filters, noise (:class:`NoiseInjection`) and LeakyReLU(0.2), all styled by
    ``w_r``; and a 1x1 modulated, not demodulated, convolution to one channel (StyleGAN2's
    toRGB) whose output is added to the upsampled image of the resolutions before. ``tanh``
    at the end. No BatchNorm: it would rescale each channel by batch statistics and undo
    what demodulation controls.

    The generator feeds the same ``w`` to all three inputs. **Style mixing** feeds
    different ones (:func:`mix_styles`): the 7x7 and 14x14 layers are the coarse ones, the
    28x28 layer the fine one.
    """
    widths = tuple(widths)
    if len(widths) != len(RESOLUTIONS) or any(isinstance(c, bool) or not isinstance(c, int) or c < 1 for c in widths):
        raise ValueError(f"widths={widths!r}: give {len(RESOLUTIONS)} whole numbers of filters, one per "
                         f"resolution {RESOLUTIONS}, e.g. (64, 32, 16).")
    ws = [keras.Input((w_dim,), name=f"w_{r}") for r in RESOLUTIONS]
    x = ConstantInput((7, 7, widths[0]), name="constant")(ws[0])
    image = None
    for i, (r, filters, w) in enumerate(zip(RESOLUTIONS, widths, ws)):
        if i > 0:
            x = layers.UpSampling2D(2, interpolation="bilinear", name=f"up_{r}")(x)
        x = ModulatedConv2D(filters, 3, name=f"modconv_{r}")([x, w])
        x = NoiseInjection(seed=seed + i, name=f"noise_{r}")(x)
        x = layers.LeakyReLU(negative_slope=0.2, name=f"lrelu_{r}")(x)
        y = ModulatedConv2D(1, 1, demodulate=False, name=f"to_image_{r}")([x, w])
        image = y if image is None else layers.UpSampling2D(2, interpolation="bilinear")(image) + y
    return keras.Model(ws, layers.Activation("tanh")(image), name="synthesis")


def mix_styles(w_coarse, w_fine, crossover: int = 2) -> list:
    """The synthesis network's inputs for style mixing: ``w_coarse`` for the first ``crossover``
    resolutions of :data:`RESOLUTIONS`, ``w_fine`` for the rest.

    ``crossover=2`` (the default): 7x7 and 14x14 coarse, 28x28 fine. ``crossover=1``: only 7x7
    coarse. Example: ``synthesis(mix_styles(w_a, w_b))``.
    """
    if isinstance(crossover, bool) or crossover not in range(1, len(RESOLUTIONS)):
        raise ValueError(f"crossover={crossover!r}: use 1 or 2, the number of resolutions "
                         f"(of {RESOLUTIONS}) that take the coarse style.")
    return [w_coarse] * crossover + [w_fine] * (len(RESOLUTIONS) - crossover)


def style_generator(latent_dim: int = 64, w_dim: int = 64, widths=(64, 32, 16), mapping_depth: int = 4,
                    seed: int = 0, mapping_lr_mul: float = 0.01):
    """``(generator, mapping, synthesis)`` of a small style-based generator for the digits.

    ``generator`` maps ``(N, latent_dim)`` to ``(N, 28, 28, 1)`` like every course
    generator (so it trains in :class:`gan_lib.core.gan.GAN` unchanged): ``w = mapping(z)``
    feeds every style input of ``synthesis``. For style mixing call
    ``synthesis(mix_styles(w_a, w_b))``. The defaults are lesson 09's model: 97,699
    parameters, a sixth of the course DCGAN generator's 558,849.
    """
    mapping = mapping_network(latent_dim, w_dim, mapping_depth, mapping_lr_mul)
    synthesis = synthesis_network(w_dim, widths, seed)
    z = keras.Input((latent_dim,))
    w = mapping(z)
    generator = keras.Model(z, synthesis([w] * len(RESOLUTIONS)), name="generator")
    assert tuple(generator.output_shape[1:]) == IMAGE_SHAPE
    return generator, mapping, synthesis
