"""Keras layers that the course's discriminators and generators can include.

``MinibatchStd``
    Minibatch standard deviation (Karras, Aila, Laine and Lehtinen, "Progressive
    Growing of GANs", ICLR 2018, section 3), a simple form of the *minibatch
    discrimination* of Salimans et al. ("Improved Techniques for Training
    GANs", NeurIPS 2016).
``SelfAttention``
    SAGAN's self-attention block (lesson 09).
``NormalToUniform``
    Normal latents to uniform ones (lesson 09).
``ConditionalBatchNorm``
    BatchNorm whose gain and bias come from a class embedding (BigGAN, lesson 09).
"""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="gan_lib")
class MinibatchStd(keras.layers.Layer):
    """Append one feature: how much the samples of the batch differ from each other.

    For a batch ``x`` of shape ``(N, ..., C)`` split into groups of
    ``group_size`` samples (``None``: the whole batch is one group), it computes
    the standard deviation of every feature over each group, averages those
    into one number per group,

        s = mean_features sqrt(Var_group(x) + eps),

    and appends ``s`` as an extra channel to every sample of the group
    (output ``(N, ..., C + 1)``).

    Why it fights mode collapse: a discriminator that sees one sample at a
    time cannot tell that all fakes are the same point. With this feature it
    can: real batches have the data's spread, a collapsed generator's batches
    have ``s`` near 0, so D learns to reject small ``s`` and G is pushed to
    spread out. The real and fake batches must go through D in separate calls
    (the course's GAN does this), or ``s`` would mix both.
    """

    def __init__(self, group_size: int | None = None, epsilon: float = 1e-8, **kwargs):
        super().__init__(**kwargs)
        if group_size is not None and (isinstance(group_size, bool) or not isinstance(group_size, int)
                                       or group_size < 2):
            raise ValueError(f"group_size={group_size!r}: use None (whole batch) or a whole number >= 2, e.g. 4.")
        self.group_size = group_size
        self.epsilon = float(epsilon)

    def call(self, x):
        shape = ops.shape(x)
        n = shape[0]
        g = n if self.group_size is None else self.group_size
        if self.group_size is not None and isinstance(n, int) and n % g:
            raise ValueError(f"MinibatchStd(group_size={g}) got a batch of {n}: use a batch size that is a "
                             f"multiple of {g}, or group_size=None.")
        grouped = ops.reshape(x, (g, -1) + tuple(x.shape[1:]))          # (G, N/G, ...): sample i in group i % (N/G)
        std = ops.sqrt(ops.var(grouped, axis=0) + self.epsilon)        # (N/G, ...)
        s = ops.mean(ops.reshape(std, (ops.shape(std)[0], -1)), axis=1)  # (N/G,)
        s = ops.tile(s, (g,))                                           # (N,): sample i gets group i % (N/G)
        s = ops.reshape(s, (-1,) + (1,) * (len(x.shape) - 1))
        s = ops.broadcast_to(s, tuple(ops.shape(x)[:-1]) + (1,))
        return ops.concatenate([x, ops.cast(s, x.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        last = input_shape[-1]
        return tuple(input_shape[:-1]) + (None if last is None else last + 1,)

    def get_config(self):
        return {**super().get_config(), "group_size": self.group_size, "epsilon": self.epsilon}


# =========================================================================== self-attention (lesson 09)


@keras.saving.register_keras_serializable(package="gan_lib")
class SelfAttention(keras.layers.Layer):
    """SAGAN's self-attention block for feature maps ``(N, H, W, C)`` (Zhang, Goodfellow, Metaxas
    and Odena, "Self-Attention Generative Adversarial Networks", ICML 2019, section 3).

    A convolution mixes only neighbouring pixels; this block lets every position
    read every other one. With 1x1 convolutions (``Dense`` on the channel axis)
    it computes, for the ``H*W`` positions,

        q = x W_q,  k = x W_k   (C / key_ratio channels each),   v = x W_v   (C / value_ratio),
        A = softmax_over_keys(q k^T)                             (H*W x H*W, every row sums to 1),
        y = x + gamma * (A v) W_o,

    so output position ``j`` adds a weighted average of the values of *all*
    positions, weighted by how well their keys match its query. ``gamma`` is a
    learned scalar that starts at 0: the block starts as the identity and the
    network lets attention in only as far as it helps (SAGAN's choice).
    ``key_ratio=8`` and ``value_ratio=2`` are SAGAN's channel reductions.
    :meth:`attention` returns ``A`` for plots. Cost: ``(H*W)^2`` per image, so
    use it on small maps (SAGAN puts it at 32x32 and 64x64 of 128x128 images;
    the course's digits use the 14x14 maps).
    """

    def __init__(self, key_ratio: int = 8, value_ratio: int = 2, **kwargs):
        super().__init__(**kwargs)
        for name, r in (("key_ratio", key_ratio), ("value_ratio", value_ratio)):
            if isinstance(r, bool) or not isinstance(r, int) or r < 1:
                raise ValueError(f"{name}={r!r}: use a whole number >= 1 (SAGAN: key_ratio=8, value_ratio=2).")
        self.key_ratio, self.value_ratio = key_ratio, value_ratio

    def build(self, input_shape):
        if len(input_shape) != 4 or input_shape[-1] is None:
            raise ValueError(f"SelfAttention expects feature maps (N, H, W, C) with a known C; got {input_shape}.")
        c = int(input_shape[-1])
        ck, cv = max(1, c // self.key_ratio), max(1, c // self.value_ratio)
        self.query = keras.layers.Dense(ck, use_bias=False, name="query")
        self.key = keras.layers.Dense(ck, use_bias=False, name="key")
        self.value = keras.layers.Dense(cv, use_bias=False, name="value")
        self.out = keras.layers.Dense(c, use_bias=False, name="out")
        for layer, n_in in ((self.query, c), (self.key, c), (self.value, c), (self.out, cv)):
            layer.build((None, n_in))
        self.gamma = self.add_weight(shape=(), initializer="zeros", name="gamma")

    def _flat(self, x):
        s = ops.shape(x)
        return ops.reshape(x, (s[0], s[1] * s[2], s[3]))

    def attention(self, x):
        """The attention matrix ``A`` of shape ``(N, H*W, H*W)``: row ``j`` is where position ``j`` looks."""
        flat = self._flat(x)
        logits = ops.matmul(self.query(flat), ops.transpose(self.key(flat), (0, 2, 1)))
        return ops.softmax(logits, axis=-1)

    def call(self, x):
        flat = self._flat(x)
        mixed = ops.matmul(self.attention(x), self.value(flat))      # (N, H*W, C / value_ratio)
        return x + self.gamma * ops.reshape(self.out(mixed), ops.shape(x))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "key_ratio": self.key_ratio, "value_ratio": self.value_ratio}


@keras.saving.register_keras_serializable(package="gan_lib")
class NormalToUniform(keras.layers.Layer):
    """Turn standard-normal latents into uniform ones on (-1, 1): ``u = erf(z / sqrt(2))`` (lesson 09).

    If ``z ~ N(0, 1)`` then ``Phi(z)`` is uniform on (0, 1), and ``2 Phi(z) - 1 =
    erf(z / sqrt(2))`` is uniform on (-1, 1): the latents of the TensorFlow 1 GAN
    article. Put it first in a generator to train that generator on uniform
    latents while the course's ``GAN`` keeps drawing normal ones.
    """

    def call(self, z):
        return ops.erf(z * 0.7071067811865476)


@keras.saving.register_keras_serializable(package="gan_lib")
class ConditionalBatchNorm(keras.layers.Layer):
    """Class-conditional BatchNorm (de Vries et al. 2017; Dumoulin et al. 2017; BigGAN, Brock et al. 2019).

    Called on ``[x, e]``: ``x`` a feature map or vector with ``C`` channels last, ``e`` a
    per-example conditioning vector (in BigGAN, a class embedding shared by every
    layer, concatenated with a chunk of ``z``). ``x`` is normalised with the batch's
    statistics as BatchNorm does (moving averages at inference), but without
    BatchNorm's own gain and bias; instead each example gets its own::

        y = (1 + gamma(e)) * (x - mean) / sqrt(var + epsilon) + beta(e)

    with ``gamma`` and ``beta`` two Dense layers from ``e`` to ``C`` numbers (no
    bias, zero-initialised, so at initialisation the layer is plain BatchNorm with
    gain 1 and bias 0). The class therefore sets the gain and bias of every channel
    of the layer: how much of each feature to draw, per class.
    """

    def __init__(self, momentum: float = 0.99, epsilon: float = 1e-3, **kwargs):
        super().__init__(**kwargs)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.norm = keras.layers.BatchNormalization(momentum=momentum, epsilon=epsilon, center=False, scale=False)

    def build(self, input_shape):
        x_shape, e_shape = input_shape
        channels = int(x_shape[-1])
        self.norm.build(x_shape)
        self.gamma = keras.layers.Dense(channels, use_bias=False, kernel_initializer="zeros", name="gamma")
        self.beta = keras.layers.Dense(channels, use_bias=False, kernel_initializer="zeros", name="beta")
        self.gamma.build(e_shape)
        self.beta.build(e_shape)

    def call(self, inputs, training=None):
        x, e = inputs
        y = self.norm(x, training=training)
        shape = (-1,) + (1,) * (len(x.shape) - 2) + (x.shape[-1],)
        gain = ops.reshape(1.0 + self.gamma(e), shape)
        bias = ops.reshape(self.beta(e), shape)
        return y * gain + bias

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "epsilon": self.epsilon}


@keras.saving.register_keras_serializable(package="gan_lib")
class LatentChunks(keras.layers.Layer):
    """Split ``z`` into consecutive chunks of the given sizes (BigGAN's hierarchical latent, Brock et al. 2019).

    BigGAN feeds one chunk to G's first layer and one to each later block's
    conditional BatchNorm (with the class embedding), so the latent acts at every
    scale, not only at the start.
    """

    def __init__(self, sizes, **kwargs):
        super().__init__(**kwargs)
        self.sizes = [int(s) for s in sizes]
        if not self.sizes or min(self.sizes) < 1:
            raise ValueError(f"sizes={sizes!r}: give one positive chunk size per block.")

    def call(self, z):
        if z.shape[-1] is not None and z.shape[-1] != sum(self.sizes):
            raise ValueError(f"z has {z.shape[-1]} numbers but the chunks add up to {sum(self.sizes)}.")
        starts = [sum(self.sizes[:i]) for i in range(len(self.sizes))]
        return [z[:, s:s + n] for s, n in zip(starts, self.sizes)]

    def compute_output_shape(self, input_shape):
        return [(input_shape[0], n) for n in self.sizes]

    def get_config(self):
        return {**super().get_config(), "sizes": self.sizes}
