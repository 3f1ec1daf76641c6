"""Keras layers that the course's discriminators and generators can include.

``MinibatchStd``
    Minibatch standard deviation (Karras, Aila, Laine and Lehtinen, "Progressive
    Growing of GANs", ICLR 2018, section 3), a simple form of the *minibatch
    discrimination* of Salimans et al. ("Improved Techniques for Training
    GANs", NeurIPS 2016).
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
