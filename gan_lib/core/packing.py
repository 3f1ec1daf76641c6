"""PacGAN packing: the discriminator judges ``m`` samples at once.

Lin, Khetan, Fanti and Oh, "PacGAN: The power of two samples in generative
adversarial networks", NeurIPS 2018.

Packing concatenates ``m`` samples of the same kind (all real, or all fake)
along the last axis and lets D score the pack. D then judges the distribution
of packs, not of single samples: a generator that drops modes makes too many
packs whose members look alike (real packs share a mode only as often as the
data's mode weights say), so the packed D can see and punish missing variety
that a one-sample D cannot.
In PacGAN's analysis packing turns the divergence the game minimises into one
that penalises mode collapse more strongly the larger ``m`` is (PacGAN2,
PacGAN3, PacGAN4, ...). The only change is D's input width, ``m`` times the
original (2-D points -> ``2m`` numbers; ``(28, 28, 1)`` images -> ``(28, 28, m)``).

Plug it into the course's GAN with its ``d_input_transform`` extension point::

    pack = packing.Pack(4)
    g, d = models.toy_mlp(d_input_dim=pack.packed_shape((2,))[-1])
    gan = GAN(g, d, d_input_transform=pack)
"""

from __future__ import annotations

from keras import ops


class Pack:
    """Concatenate groups of ``degree`` consecutive samples along the last axis.

    ``(N, d1, ..., dk)`` becomes ``(N / degree, d1, ..., d(k-1), degree * dk)``:
    pack ``i`` holds samples ``degree*i ... degree*i + degree - 1``, sample ``j``
    of the pack in channels ``j*dk ... (j+1)*dk - 1``. ``N`` must be a
    multiple of ``degree``. ``Pack(1)`` changes nothing.
    """

    def __init__(self, degree: int):
        if isinstance(degree, bool) or not isinstance(degree, int) or degree < 1:
            raise ValueError(f"degree={degree!r}: pack a whole number of at least 1 samples (PacGAN uses 2 to 4).")
        self.degree = degree

    def packed_shape(self, sample_shape) -> tuple:
        """Shape of one pack, given one sample's shape (without the batch axis)."""
        shape = tuple(int(s) for s in sample_shape)
        if not shape:
            raise ValueError("sample_shape is empty: give one sample's shape, e.g. (2,) or (28, 28, 1).")
        return shape[:-1] + (self.degree * shape[-1],)

    def __call__(self, x):
        m = self.degree
        if m == 1:
            return x
        shape = tuple(x.shape)
        if len(shape) < 2:
            raise ValueError(f"Pack needs a batch of samples (N, ...), got shape {shape}.")
        n = shape[0]
        if n is not None and n % m:
            raise ValueError(f"A batch of {n} samples cannot be cut into packs of {m}: "
                             f"use a batch size that is a multiple of {m}.")
        rest = shape[1:]
        x = ops.reshape(x, (-1, m) + rest)                      # (N/m, m, d1..dk)
        k = len(rest)
        perm = (0,) + tuple(range(2, 1 + k)) + (1, 1 + k)       # (N/m, d1..d(k-1), m, dk)
        x = ops.transpose(x, perm)
        return ops.reshape(x, (-1,) + rest[:-1] + (m * rest[-1],))

    def __repr__(self):
        return f"Pack({self.degree})"
