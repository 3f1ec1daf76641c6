"""Lesson 02's tools: the vanilla (MLP) GAN on MNIST, measured.

* :data:`LEVELS` and :func:`learned`: the lesson's own pass levels. The
  course's :data:`gan_lib.measure.metrics.THRESHOLDS` (FD <= 30, ...) are set for
  convolutional GANs; an MLP GAN trained for a few minutes on a CPU does not
  reach them. These lower levels say "it learned digits": an untrained
  generator fails each of them, and the lesson's quick-mode run passes each.
* :data:`D_WINS` and :func:`discriminator_wins`: the signature of a run the
  discriminator has won (D(x) -> 1, D(G(z)) -> 0).
* :class:`Snapshots`: a callback that keeps the generator's images for the
  fixed latent batch at chosen epochs (in memory, for a figure).
* :func:`tf1_generator`: the generator of the TensorFlow 1 GAN article, rebuilt in
  Keras *with its bug*: the output layer reads the latent ``z`` instead of the
  hidden layer (exercise 2.2). :func:`dead_weights` finds weights that get no
  gradient, which is how the bug shows.
* :func:`uniform_latents`: that article's latent distribution, U(-1, 1).
* :data:`LADDER`, :func:`fd_ladder` and :func:`show_ladder`: real digits
  spoiled on purpose (pixel noise, blur, missing digits), each scored by the
  protocol, so that an FD or a classifier score can be read as a picture.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from gan_lib.core.callbacks import EpochRows
from gan_lib.measure import metrics
from gan_lib.plotting import show_grid

#: The lesson's pass levels, for 2,000 samples scored by :func:`gan_lib.measure.metrics.evaluate`.
#: Calibrated on the shipped data: an untrained MLP generator scores FD 330-380,
#: classifier score 1.0 and KL to uniform 2.3 (every sample the same class); the
#: lesson's quick run (1,860 steps on 2,000 digits) scores FD 159, score 2.75,
#: KL 0.37; its full run (10,000 steps on 8,000 digits) FD 72, score 4.57, KL 0.18 (the stored run of 5 Dec).
#: Real training digits score FD 1.3, score 9.5, KL near 0.
LEVELS = metrics.LEARNED  # one home: gan_lib.measure.metrics

#: A run the discriminator has won: over the last epochs, mean D(x) at least
#: ``d_real_min`` and mean D(G(z)) at most ``d_fake_max``.
D_WINS = {"d_real_min": 0.95, "d_fake_max": 0.05, "last": 3}


def learned(result: dict) -> dict:
    """The lesson's verdicts (True = pass): :func:`gan_lib.measure.metrics.learned`."""
    return metrics.learned(result)


def verdict_lines(result: dict, name: str = "generator") -> str:
    """Three lines of mode-independent verdicts (for ``# NBVAL_CHECK_OUTPUT`` cells)."""
    v = learned(result)
    return "\n".join([
        f"{name}: FD at most {LEVELS['fd_max']:g}: {v['fd']}",
        f"{name}: classifier score at least {LEVELS['score_min']:g}: {v['classifier_score']}",
        f"{name}: class shares within KL {LEVELS['kl_max']:g} of uniform: {v['coverage']}",
    ])


def _as_rows(history):
    """A list of per-epoch dicts from a list of dicts or a Keras ``History`` / its ``.history``."""
    h = getattr(history, "history", history)
    if isinstance(h, EpochRows):
        return list(h.rows)
    if isinstance(h, dict):
        # Keras' History keeps one list per key; keys logged only on some epochs
        # (such as Evaluate's "fd") have shorter lists that cannot be aligned: drop them.
        n = max((len(v) for v in h.values()), default=0)
        return [{k: float(v[i]) for k, v in h.items() if len(v) == n} for i in range(n)]
    return list(h)


def discriminator_wins(history) -> bool:
    """True if, over the last ``D_WINS['last']`` epochs, D calls real real and fake fake almost surely."""
    rows = _as_rows(history)
    if not rows:
        raise ValueError("The history is empty: train at least one epoch first.")
    last = rows[-D_WINS["last"]:]
    d_real = float(np.mean([r["d_real"] for r in last]))
    d_fake = float(np.mean([r["d_fake"] for r in last]))
    return d_real >= D_WINS["d_real_min"] and d_fake <= D_WINS["d_fake_max"]


def history_rows(history) -> list[dict]:
    """Per-epoch dicts (``epoch`` numbered from 1) from a Keras ``History`` or a
    :class:`gan_lib.core.callbacks.EpochRows`."""
    return [{**r, "epoch": i + 1} for i, r in enumerate(_as_rows(history))]


class Snapshots(keras.callbacks.Callback):
    """Keep ``gan.generate(gan.fixed_latent[:n])`` after each epoch in ``epochs`` (and before training)."""

    def __init__(self, epochs, n: int = 16):
        super().__init__()
        self.epochs = set(int(e) for e in epochs)
        self.n = n
        self.images = {}

    def on_train_begin(self, logs=None):
        if 0 in self.epochs and 0 not in self.images:
            self.images[0] = self.model.generate(self.model.fixed_latent[:self.n])

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 in self.epochs:
            self.images[epoch + 1] = self.model.generate(self.model.fixed_latent[:self.n])


def show_snapshots(snapshots: dict, ncols: int = 4, size: float = 2.2):
    """One grid per kept epoch, side by side."""
    import matplotlib.pyplot as plt

    keys = sorted(snapshots)
    fig, axes = plt.subplots(1, len(keys), figsize=(size * len(keys), size + 0.4))
    for ax, k in zip(np.atleast_1d(axes), keys):
        show_grid(snapshots[k], ncols=ncols, ax=ax, title=f"epoch {k}")
    fig.tight_layout()
    return fig


def plot_class_shares(results: dict, ax=None):
    """Bars of the class shares of several :func:`gan_lib.measure.metrics.evaluate` results, with the uniform 0.1."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3))
    width = 0.8 / max(len(results), 1)
    for i, (name, r) in enumerate(results.items()):
        ax.bar(np.arange(10) + (i - (len(results) - 1) / 2) * width, r["class_shares"], width, label=name)
    ax.axhline(0.1, color="gray", ls="--", lw=0.8, label="uniform (0.1)")
    ax.set_xticks(range(10))
    ax.set_xlabel("digit (the classifier's verdict)")
    ax.set_ylabel("share of 2,000 samples")
    ax.legend(fontsize=8)
    return ax


# --------------------------------------------------------------------------- reading FD as a picture

#: Known ways of spoiling real digits: ``(name, kind, amount)``.
#: ``noise``: add Gaussian pixel noise of this std, clipped to [-1, 1];
#: ``speckle``: salt-and-pepper noise, this share of the pixels set to -1 or +1 at random
#: (lesson 08's blind-spot demonstration);
#: ``blur``: a Gaussian blur of this std in pixels; ``classes``: keep only
#: the digits ``0 .. amount - 1`` (a generator that lost the other modes).
LADDER = (
    ("real training digits", "none", 0),
    ("pixel noise, std 0.1", "noise", 0.1),
    ("pixel noise, std 0.3", "noise", 0.3),
    ("blur, std 0.7 pixels", "blur", 0.7),
    ("pixel noise, std 0.6", "noise", 0.6),
    ("only digits 0-4", "classes", 5),
    ("blur, std 1.5 pixels", "blur", 1.5),
    ("only the digit 0", "classes", 1),
)


def _blur_matrix(size: int, std: float) -> np.ndarray:
    """``B`` with ``B @ image @ B.T`` = a Gaussian blur of std ``std`` pixels (rows renormalised at the border)."""
    i = np.arange(size)
    b = np.exp(-0.5 * ((i[:, None] - i[None, :]) / std) ** 2)
    return b / b.sum(1, keepdims=True)


def spoil(images, kind: str, amount, labels=None, seed: int = 0) -> np.ndarray:
    """Real digits spoiled one known way (see :data:`LADDER`); returns as many images as it is given.

    ``classes`` needs ``labels`` and draws (with repetition, seeded) from the
    digits whose label is below ``amount``.
    """
    x = np.asarray(images, np.float32)
    if kind == "none":
        return x.copy()
    if kind == "noise":
        rng = np.random.default_rng(seed)
        return np.clip(x + amount * rng.standard_normal(x.shape).astype(np.float32), -1, 1)
    if kind == "speckle":
        if not 0 <= amount <= 1:
            raise ValueError(f"spoil(kind='speckle', amount={amount!r}): amount is the share of pixels to flip, "
                             "between 0 and 1 (e.g. 0.05).")
        rng = np.random.default_rng(seed)
        hit = rng.random(x.shape) < amount
        return np.where(hit, rng.choice(np.float32([-1.0, 1.0]), size=x.shape), x).astype(np.float32)
    if kind == "blur":
        b = _blur_matrix(x.shape[1], amount).astype(np.float32)
        return np.einsum("ij,njkc,lk->nilc", b, x, b)
    if kind == "classes":
        if labels is None:
            raise ValueError("spoil(kind='classes') needs the digits' labels.")
        keep = np.flatnonzero(np.asarray(labels) < amount)
        return x[np.random.default_rng(seed).choice(keep, size=len(x))]
    raise ValueError(f"Unknown kind {kind!r}: use one of none, noise, speckle, blur, classes.")


def fd_ladder(n: int = metrics.N_EVAL, ladder=LADDER) -> list[dict]:
    """Score each rung of ``ladder`` with :func:`gan_lib.measure.metrics.evaluate`.

    The spoiled images are the first ``n`` shipped *training* digits (the FD
    compares them with the held-out digits, as it does a generator's samples),
    so the first rung is the real-vs-real floor. Each row holds ``name``, the
    protocol's ``fd``, ``classifier_score``, ``kl_to_uniform`` and 8 of its ``images``.
    """
    from gan_lib import data

    real = data.load_digits("train", verbose=False)
    x, y = real.images[:n], real.labels[:n]
    rows = []
    for name, kind, amount in ladder:
        spoiled = spoil(x, kind, amount, labels=y)
        r = metrics.evaluate(spoiled)
        rows.append({"name": name, "fd": r["fd"], "classifier_score": r["classifier_score"],
                     "kl_to_uniform": r["kl_to_uniform"], "images": spoiled[:8]})
    return rows


def show_ladder(rows, extra=None, size: float = 1.1):
    """One row of 8 images per rung of :func:`fd_ladder`, titled with its FD and classifier score.

    ``extra``: more ``(name, images, result)`` rows to place by their FD (e.g. a trained GAN's samples).
    """
    import matplotlib.pyplot as plt

    rows = list(rows) + [{"name": n, "fd": r["fd"], "classifier_score": r["classifier_score"], "images": im[:8]}
                         for n, im, r in (extra or [])]
    rows.sort(key=lambda r: r["fd"])
    fig, axes = plt.subplots(len(rows), 1, figsize=(8 * size, len(rows) * size * 1.25))
    for ax, r in zip(np.atleast_1d(axes), rows):
        show_grid(r["images"], ncols=8, ax=ax)
        ax.set_title(f"{r['name']}: FD {r['fd']:.1f}, classifier score {r['classifier_score']:.2f}",
                     fontsize=9, loc="left")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- the TF1 article's generator


def tf1_generator(latent_dim: int = 100):
    """The TensorFlow 1 GAN article's generator, line for line in Keras, bug included.

    The article writes ``x = dense(z, 128, relu)`` and then ``x = dense(z, 784)``:
    the second layer reads ``z``, so the hidden layer feeds nothing. In Keras'
    functional API the orphaned layer is not even part of the model: the
    "generator" is one linear map followed by a sigmoid (79,184 parameters
    instead of 114,064). Its outputs are in [0, 1], as that article's data were.
    """
    z = keras.Input((latent_dim,), name="z")
    x = layers.Dense(128, activation="relu", name="hidden")(z)
    x = layers.Dense(784, name="out")(z)  # the bug: reads z, not the hidden layer
    x = layers.Activation("sigmoid")(x)
    return keras.Model(z, x, name="tf1_generator")


def uniform_latents(m: int, n: int, seed: int = 0) -> np.ndarray:
    """``m`` latent vectors of ``n`` numbers drawn uniformly from [-1, 1] (the TensorFlow 1 article's choice)."""
    return np.random.default_rng(seed).uniform(-1.0, 1.0, size=(m, n)).astype(np.float32)


def dead_weights(model, latent_dim: int | None = None, n: int = 16, seed: int = 0) -> list[str]:
    """Names of ``model``'s trainable weights whose gradient of the output's sum is exactly zero.

    A layer whose output never reaches the model's output gets no gradient: it
    can never learn.
    """
    latent_dim = latent_dim or int(model.input_shape[-1])
    z = tf.constant(np.random.default_rng(seed).standard_normal((n, latent_dim)).astype(np.float32))
    weights = model.trainable_weights
    with tf.GradientTape() as tape:
        out = tf.reduce_sum(model(z, training=True))
    grads = tape.gradient(out, weights)
    return [w.path if hasattr(w, "path") else w.name for w, g in zip(weights, grads)
            if g is None or not np.any(np.asarray(g))]
