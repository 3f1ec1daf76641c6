"""Differentiable augmentation for the discriminator: DiffAugment and ADA's adaptive probability.

With little data, D memorises its training images: it calls them real and every
other image, held-out real digits included, fake. Augmenting what D sees makes
memorising harder. Two rules make it work (Zhao, Liu, Lin, Zhu and Han,
"Differentiable Augmentation for Data-Efficient GAN Training", NeurIPS 2020;
Karras, Aittala, Hellsten, Laine, Lehtinen and Aila, "Training Generative
Adversarial Networks with Limited Data", NeurIPS 2020):

1. augment **real and fake** images alike, in **both** players' steps. Augmenting
   only the reals teaches G to make augmented-looking images (the "leak": D's
   idea of real now includes grey squares and shifted digits);
2. the augmentation must be **differentiable**, since G's gradient flows through it.

Each operation maps a batch ``(N, H, W, C)`` in [-1, 1] to a batch of the same
shape, with randomness from a ``keras.random.SeedGenerator`` (the GAN's own, so a
seeded run repeats and its state is checkpointed), and is applied to each image
with probability ``p`` (1 for DiffAugment; ADA adapts it):

==============  ==========================================================  ===========
operation       what it does (DiffAugment's definitions)                     parameter
==============  ==========================================================  ===========
``translation`` shift by whole pixels, up to 1/8 of the side each way       ``ratio``
``cutout``      set a square of half the side to 0, at a random place        ``ratio``
``brightness``  add ``u - 0.5``, ``u ~ U(0, 1)``                             -
``saturation``  scale each pixel's distance to its channel mean by ``2u``    -
``contrast``    scale the distance to the image mean by ``u + 0.5``          -
==============  ==========================================================  ===========

Two differences from the papers' code, stated here and in lesson 10:

* DiffAugment pads a translated image with 0, mid-grey in [-1, 1]. On digits,
  whose background is -1, that draws a grey band; :func:`translation` pads with
  ``fill=-1`` (the background) by default, so it moves the digit and nothing else.
  ``fill=0.0`` gives the paper's padding. Cutout keeps the paper's 0 (its grey
  square is the point: D must judge a digit with a piece missing).
* ADA (:class:`AdaptiveAugment`) applies its 18 operations (flips, rotations,
  scaling, colour, ...) each with probability ``p``; here ``p`` drives the
  DiffAugment operations above. Its controller is the paper's: every ``interval``
  steps, ``r_t = E[sign(D(real))]`` over those steps and ``p += sign(r_t - target)
  * images / speed``, clipped to [0, 1] (the paper's code clips at 0 only; a ``p`` above 1
  would act as 1). ADA's ``speed`` is 500k images (``p`` can go from 0 to 1 in
  500k images); a laptop run sees far fewer, so lesson 10 sets it lower and says so.
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops

OPERATIONS = ("translation", "cutout", "brightness", "saturation", "contrast")
#: DiffAugment's policy for the digits (its colour operations do nothing useful on one channel).
DIGITS_POLICY = ("translation", "cutout")


def _uniform(shape, seed, dtype="float32"):
    return ops.cast(keras.random.uniform(shape, seed=seed), dtype)


def brightness(images, seed):
    """``x + (u - 0.5)`` per image, ``u ~ U(0, 1)`` (DiffAugment's ``rand_brightness``)."""
    u = _uniform((ops.shape(images)[0], 1, 1, 1), seed, images.dtype)
    return images + (u - 0.5)


def saturation(images, seed):
    """``(x - m) * 2u + m`` per image, ``m`` the mean over channels (a no-op on one channel)."""
    u = _uniform((ops.shape(images)[0], 1, 1, 1), seed, images.dtype)
    mean = ops.mean(images, axis=3, keepdims=True)
    return (images - mean) * (2.0 * u) + mean


def contrast(images, seed):
    """``(x - m) * (u + 0.5) + m`` per image, ``m`` the image's mean."""
    u = _uniform((ops.shape(images)[0], 1, 1, 1), seed, images.dtype)
    mean = ops.mean(images, axis=(1, 2, 3), keepdims=True)
    return (images - mean) * (u + 0.5) + mean


def translation(images, seed, ratio: float = 0.125, fill: float = -1.0):
    """Shift each image by whole pixels, ``(dy, dx)`` uniform in ``[-s, s]``, ``s = round(ratio * side)``.

    Pixels moved in from outside take the value ``fill`` (-1, the digits' background;
    DiffAugment uses 0). Differentiable: the output is a gather from the padded input,
    so gradients flow to the pixels that were kept. Example: a 28x28 image shifts by
    up to 4 pixels (``round(0.125 * 28) = 4`` with ``ratio=0.125``).
    """
    n, h, w = ops.shape(images)[0], images.shape[1], images.shape[2]
    sy, sx = int(round(ratio * h)), int(round(ratio * w))
    dy = ops.cast(ops.floor(_uniform((n, 1), seed) * (2 * sy + 1)), "int32")  # 0..2s: the shift plus s
    dx = ops.cast(ops.floor(_uniform((n, 1), seed) * (2 * sx + 1)), "int32")
    padded = tf.pad(images - fill, [[0, 0], [sy, sy], [sx, sx], [0, 0]]) + fill
    rows = ops.arange(h, dtype="int32")[None, :] + 2 * sy - dy  # (n, h): output row i reads row i - shift
    cols = ops.arange(w, dtype="int32")[None, :] + 2 * sx - dx
    out = tf.gather(padded, rows, axis=1, batch_dims=1)
    return tf.gather(out, cols, axis=2, batch_dims=1)


def cutout(images, seed, ratio: float = 0.5):
    """Set a square of side ``round(ratio * side)`` to 0, centred at a random pixel (it may overhang the edge).

    DiffAugment's ``rand_cutout``: on a 28x28 digit a 14x14 square, a quarter of the image,
    turns mid-grey. Differentiable: a multiplication by a 0/1 mask.
    """
    n, h, w = ops.shape(images)[0], images.shape[1], images.shape[2]
    ch, cw = int(round(ratio * h)), int(round(ratio * w))
    cy = ops.floor(_uniform((n, 1, 1), seed) * h)
    cx = ops.floor(_uniform((n, 1, 1), seed) * w)
    yy = ops.arange(h, dtype="float32")[None, :, None]
    xx = ops.arange(w, dtype="float32")[None, None, :]
    inside_y = (yy >= cy - ch // 2) & (yy < cy - ch // 2 + ch)
    inside_x = (xx >= cx - cw // 2) & (xx < cx - cw // 2 + cw)
    mask = 1.0 - ops.cast(inside_y & inside_x, images.dtype)
    return images * mask[..., None]


_OPS = {"translation": translation, "cutout": cutout, "brightness": brightness,
        "saturation": saturation, "contrast": contrast}


def check_policy(policy) -> tuple:
    """``policy`` as a tuple of operation names, or a ``ValueError`` that lists the valid ones."""
    if isinstance(policy, str):
        policy = tuple(p.strip() for p in policy.split(",") if p.strip())
    policy = tuple(policy)
    bad = [p for p in policy if p not in _OPS]
    if bad or not policy:
        raise ValueError(f"Augmentation policy {policy!r}: use one or more of {', '.join(OPERATIONS)} "
                         "(e.g. 'translation,cutout').")
    return policy


class DiffAugment:
    """``augment(images, seed) -> images``: the policy's operations in turn, each applied with probability ``p``.

    ``p = 1`` (the default) is DiffAugment: every image is augmented by every
    operation. The GAN calls it on real and fake images in both players' steps
    (``GAN(..., augment=DiffAugment())``); with ``augment_fakes=False`` only on
    the reals, the leaking mistake. ``variables`` is empty (nothing to checkpoint).
    """

    def __init__(self, policy=DIGITS_POLICY, probability: float = 1.0, fill: float = -1.0):
        self.policy = check_policy(policy)
        if not 0.0 <= float(probability) <= 1.0:
            raise ValueError(f"probability={probability!r}: use a number in [0, 1].")
        self.fill = float(fill)
        self._p = float(probability)

    @property
    def p(self):
        """The probability of applying each operation to each image."""
        return self._p

    @property
    def variables(self) -> list:
        return []

    def _op(self, name, images, seed):
        return translation(images, seed, fill=self.fill) if name == "translation" else _OPS[name](images, seed)

    def __call__(self, images, seed):
        for name in self.policy:
            out = self._op(name, images, seed)
            p = self.p
            if isinstance(p, float) and p >= 1.0:
                images = out
                continue
            apply = _uniform((ops.shape(images)[0], 1, 1, 1), seed) < p
            images = ops.where(apply, out, images)
        return images

    def update(self, real_logits):
        """Called by the GAN after each D step with D's logits on the reals (nothing to adapt here)."""

    def __repr__(self):
        return f"{type(self).__name__}(policy={','.join(self.policy)!r}, p={float(ops.convert_to_numpy(self.p)):.3g})"


#: ADA's settings (Karras et al. 2020, section 3): target r_t, steps between adjustments, images for p 0 -> 1.
ADA_TARGET = 0.6
ADA_INTERVAL = 4
ADA_SPEED = 500_000


class AdaptiveAugment(DiffAugment):
    """ADA's adaptive probability ``p`` (Karras et al. 2020) driving the policy's operations.

    The overfitting heuristic is ``r_t = E[sign(D(x_real))]``: 0 when D cannot tell
    its training images from fakes, 1 when it calls every one real with
    confidence. Every ``interval`` D steps, ``p`` moves by ``sign(r_t - target) *
    images / speed`` (``images`` seen in those steps), clipped to [0, 1]. With the
    paper's ``speed`` of 500,000 images and batch 32 an adjustment every 4 steps
    moves ``p`` by 128 / 500,000 = 0.000256.

    Worked value: after 4 steps of 32 reals, 100 with positive logits and 28 with
    negative ones, ``r_t = (100 - 28) / 128 = 0.5625 < 0.6``, so ``p`` falls by 0.000256.
    ``p`` and ``r_t`` are variables, saved in checkpoints with the GAN's state.
    """

    def __init__(self, policy=DIGITS_POLICY, target: float = ADA_TARGET, interval: int = ADA_INTERVAL,
                 speed: float = ADA_SPEED, initial_p: float = 0.0, fill: float = -1.0):
        super().__init__(policy, initial_p, fill)
        if not 0.0 < float(target) < 1.0:
            raise ValueError(f"target={target!r}: use a number between 0 and 1 (ADA uses 0.6).")
        if isinstance(interval, bool) or not isinstance(interval, int) or interval < 1:
            raise ValueError(f"interval={interval!r}: use a whole number of steps, at least 1 (ADA uses 4).")
        if not float(speed) > 0:
            raise ValueError(f"speed={speed!r}: use a positive number of images (ADA uses 500,000).")
        self.target, self.interval, self.speed = float(target), interval, float(speed)
        self._p = keras.Variable(float(initial_p), trainable=False, name="ada_p")
        self.rt = keras.Variable(0.0, trainable=False, name="ada_rt")  # the last adjustment's r_t
        self._sign_sum = keras.Variable(0.0, trainable=False, name="ada_sign_sum")
        self._count = keras.Variable(0.0, trainable=False, name="ada_count")
        self._steps = keras.Variable(0, trainable=False, dtype="int32", name="ada_steps")

    @property
    def variables(self) -> list:
        return [self._p, self.rt, self._sign_sum, self._count, self._steps]

    def update(self, real_logits):
        """Accumulate ``sign(D(real))``; every ``interval`` calls, adjust ``p`` (ADA's controller)."""
        signs = ops.sign(ops.cast(ops.reshape(real_logits, (-1,)), "float32"))
        self._sign_sum.assign_add(ops.sum(signs))
        self._count.assign_add(ops.cast(ops.shape(signs)[0], "float32"))
        self._steps.assign_add(1)
        due = ops.equal(self._steps % self.interval, 0)
        rt = self._sign_sum / ops.maximum(self._count, 1.0)
        p_new = ops.clip(self._p + ops.sign(rt - self.target) * self._count / self.speed, 0.0, 1.0)
        self._p.assign(ops.where(due, p_new, self._p))
        self.rt.assign(ops.where(due, rt, self.rt))
        self._sign_sum.assign(ops.where(due, 0.0, self._sign_sum))
        self._count.assign(ops.where(due, 0.0, self._count))


def r_t(real_logits) -> float:
    """ADA's overfitting heuristic ``E[sign(D(x))]`` for logits on real training images.

    Example: logits ``[2.0, -1.0, 0.5, 3.0]`` give ``(1 - 1 + 1 + 1) / 4 = 0.5``.
    """
    x = ops.convert_to_numpy(ops.sign(ops.cast(ops.reshape(real_logits, (-1,)), "float32")))
    if x.size == 0:
        raise ValueError("r_t needs at least one logit.")
    return float(x.mean())
