"""Lesson 09: a CycleGAN that trains on a CPU, thin digits <-> thick digits, and what its cycle can hide.

CycleGAN (Zhu, Park, Isola and Efros, "Unpaired Image-to-Image Translation using Cycle-Consistent
Adversarial Networks", ICCV 2017) trains two translators, ``G: A -> B`` and ``F: B -> A``, each
against its own discriminator, with no pairs. Its generators' loss is

    L = L_GAN(G, D_B) + L_GAN(F, D_A) + lambda * L_cyc + lambda_id * L_id,

    L_cyc = E_x ||F(G(x)) - x||_1 + E_y ||G(F(y)) - y||_1      (losses.cycle_consistency_loss)
    L_id  = E_y ||G(y) - y||_1 + E_x ||F(x) - x||_1            (losses.identity_loss)

with the least-squares adversarial loss (``losses.least_squares_*``), lambda = 10 and
lambda_id = 5 (the paper's 0.5 * lambda). This module's pieces:

* **The task** (:func:`domains`): domain A is the shipped digits as they are ("thin"), domain B
  is *other* digits thickened by a 3x3 grey dilation (:func:`thicken`): no image of A has its
  thick twin in B, so the data are unpaired. The test inputs are held-out digits (A) and other
  held-out digits thickened (B).
* **The measure** (:func:`stroke_width`): ``2 * ink / perimeter`` (ink and perimeter from the
  pixels mapped to [0, 1]; the perimeter is the image's total variation), which is the width of
  a long band and, unlike the plain ink of lesson 07, hardly depends on the digit's class. The
  two domains are separated at :func:`width_boundary`, the midpoint of their median widths.
* **The model** (:func:`translator`, :func:`patch_discriminator`, :class:`CycleGAN`): small
  convolutional networks and a ``keras.Model`` with its own ``train_step`` (two generators and two
  discriminators; the course's :class:`gan_lib.core.gan.GAN` trains one generator fed by noise,
  so this is the one other training step of the course, and the reason it is here).
* **The score** (:func:`measure`): the share of test inputs whose translation crosses the width
  boundary into the other domain, the share whose digit the course classifier still reads the
  same, and the cycle and identity losses on the test inputs.
* **The hiding problem** (:func:`hiding`): Chu, Zhmoginov and Sandler ("CycleGAN, a Master of
  Steganography", NIPS 2017 workshop) found that a trained CycleGAN hides what it needs for the
  way back in faint, near-invisible signal in its translations. :func:`hiding` reconstructs
  ``F(G(x))`` from ``G(x)`` as it is, quantised to fewer grey levels (:func:`quantise`), or
  slightly blurred (:func:`blur`), and from the plain thickened input ``thicken(x)``.
  :func:`faint_copy_pair` is a pair that hides on purpose, to show what the test finds then. In the
  stored runs (seeds 0-2) the trained CycleGAN hides nothing that way: what ``F`` reads back is the
  visible shape of ``G(x)``, which survives quantising to black and white and the blur.

``python -m gan_lib.lessons.cycle`` (``make lesson09``) trains seeds 0-2 and writes
``runs/09_beyond_dcgan/cyclegan.json``; the notebook trains seed 0 live and loads the table.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from gan_lib.core import config, losses
from gan_lib.core.latent import classify

RESULTS_FOLDER = "runs/09_beyond_dcgan"
RESULTS_FILE = "cyclegan.json"
SEEDS = (0, 1, 2)
#: Training settings of the stored runs (full) and of quick mode.
SETTINGS = {"full": {"steps": 1500, "batch_size": 16, "n_test": 1000},
            "quick": {"steps": 150, "batch_size": 16, "n_test": 200}}
CYCLE_WEIGHT = 10.0
IDENTITY_WEIGHT = 5.0
#: Adam's learning rate for all four networks (the paper's 2e-4 was slower here for no gain)
LEARNING_RATE = 5e-4
#: Channels of the translators and discriminators. 16 left seed 2 crossing the width boundary for only 78.9%
#: of its inputs (seeds 0-2: 90.0%, 80.2%, 78.9%); 32 is the stored runs' width.
WIDTH = 32
#: Grey levels and blur widths :func:`hiding` tries (a PNG stores 256 levels).
LEVELS = (256, 16, 4, 2)
BLURS = (0.5,)


# --------------------------------------------------------------------------- the task and its measure


def thicken(images, size: int = 3) -> np.ndarray:
    """Grey dilation: each pixel becomes the largest value in the ``size x size`` window around it.

    On digits in [-1, 1] (ink near +1) every stroke grows by ``size - 1`` pixels across; a lone
    ink pixel becomes a ``size x size`` block. Outside the image counts as background (-1).
    """
    x = np.asarray(images, np.float32)
    r = size // 2
    pad = np.pad(x, ((0, 0), (r, r), (r, r), (0, 0)), constant_values=-1.0)
    h, w = x.shape[1:3]
    out = np.full_like(x, -1.0)
    for dy in range(size):
        for dx in range(size):
            out = np.maximum(out, pad[:, dy:dy + h, dx:dx + w])
    return out


def stroke_width(images) -> np.ndarray:
    """Each image's stroke width: ``2 * ink / perimeter``, pixels mapped from [-1, 1] to [0, 1].

    ink = the sum of the pixels; perimeter = the sum of the absolute differences between
    neighbouring pixels across rows and columns (the image's total variation; outside the image
    counts as 0). A band of width w and length L has ink ``w L`` and perimeter ``2 (w + L)``, so
    the measure is ``w L / (w + L)``, close to w for a long band: a 3 x 10 bar gives
    ``60 / 26 = 2.31``. A blank image gives 0.
    """
    w = (np.asarray(images, np.float64).reshape(len(images), 28, 28) + 1.0) / 2.0
    p = np.pad(w, ((0, 0), (1, 1), (1, 1)))
    perimeter = np.abs(np.diff(p, axis=1)).sum((1, 2)) + np.abs(np.diff(p, axis=2)).sum((1, 2))
    ink = w.sum((1, 2))
    return np.where(perimeter > 0, 2.0 * ink / np.maximum(perimeter, 1e-12), 0.0)


def width_boundary(a_images, b_images) -> float:
    """The width that separates the two domains: the midpoint of their median stroke widths."""
    return float((np.median(stroke_width(a_images)) + np.median(stroke_width(b_images))) / 2)


def binarise(images) -> np.ndarray:
    """Ink (pixels above 0) to +1, the rest to -1: pure black and white digits."""
    return np.where(np.asarray(images) > 0, 1.0, -1.0).astype(np.float32)


def domains(n_test: int = 1000, limit: int | None = None, verbose: bool = False) -> dict:
    """The unpaired task: ``train_a`` (the first half of the training digits, as they are: grey
    edges), ``train_b`` (the second half, black and white (:func:`binarise`) and thickened),
    ``test_a`` (the first ``n_test`` held-out digits) and ``test_b`` (the next ``n_test`` held-out
    digits, black and white and thickened), with the held-out ``labels_a`` and ``labels_b``.
    ``limit`` caps the training digits (quick mode).

    Domain B is black and white, so a translation into it has no visible place for the grey edges
    of its input, which the way back must reproduce: what ``F`` needs to get ``x`` back from
    ``G(x)`` can then only travel as faint signal, and :func:`hiding` looks for it."""
    from gan_lib import data

    train = data.load_digits("train", limit=limit, verbose=verbose).images
    held = data.load_digits("heldout", verbose=verbose)
    half = len(train) // 2
    return {"train_a": train[:half], "train_b": thicken(binarise(train[half:2 * half])),
            "test_a": held.images[:n_test], "test_b": thicken(binarise(held.images[n_test:2 * n_test])),
            "labels_a": held.labels[:n_test], "labels_b": held.labels[n_test:2 * n_test]}


# --------------------------------------------------------------------------- the networks


def translator(name: str, width: int = WIDTH):
    """A small image-to-image generator, 28x28x1 -> 28x28x1 in [-1, 1] (tanh).

    CycleGAN's ResNet generator cut down to a CPU: a strided 4x4 convolution to 14x14 (``width``
    channels), one residual block of two 3x3 convolutions, a transposed 3x3 convolution back to
    28x28 (``width / 2``) and a 3x3 convolution to one channel. No normalisation (the paper uses
    instance normalisation); LeakyReLU (0.2) instead of ReLU, because with ReLU seed 1 (of the two
    seeds run that way) lost its thick-to-thin translator: its output went nearly blank.
    """
    from keras import layers

    def act(h):
        return layers.LeakyReLU(0.2)(h)

    x_in = keras.Input((28, 28, 1))
    h = act(layers.Conv2D(width, 4, strides=2, padding="same")(x_in))
    r = act(layers.Conv2D(width, 3, padding="same")(h))
    r = layers.Conv2D(width, 3, padding="same")(r)
    h = act(layers.Add()([h, r]))
    h = act(layers.Conv2DTranspose(width // 2, 3, strides=2, padding="same")(h))
    out = layers.Conv2D(1, 3, padding="same", activation="tanh")(h)
    return keras.Model(x_in, out, name=name)


def patch_discriminator(name: str, width: int = WIDTH):
    """A PatchGAN discriminator (Isola et al. 2017, CycleGAN's): a 7x7 map of scores, one per
    overlapping patch, no sigmoid (the least-squares loss reads raw scores). Two strided 4x4
    convolutions (LeakyReLU 0.2) and a 3x3 convolution to one channel."""
    from keras import layers

    x_in = keras.Input((28, 28, 1))
    h = layers.LeakyReLU(0.2)(layers.Conv2D(width, 4, strides=2, padding="same")(x_in))
    h = layers.LeakyReLU(0.2)(layers.Conv2D(2 * width, 4, strides=2, padding="same")(h))
    out = layers.Conv2D(1, 3, padding="same")(h)
    return keras.Model(x_in, out, name=name)


class CycleGAN(keras.Model):
    """Two translators ``g`` (A -> B) and ``f`` (B -> A) and two discriminators ``d_a`` and ``d_b``.

    Each ``train_step`` takes a batch ``(x, y)``, x from A and y from B (unpaired), and makes one
    Adam step for both discriminators (least squares, halved) and then one for both translators
    (least squares + ``cycle_weight`` * cycle + ``identity_weight`` * identity). The trackers
    report each part: ``d_a``, ``d_b``, ``adv`` (the two translators' adversarial losses added),
    ``cycle`` (both directions added) and ``identity`` (both added).
    """

    def __init__(self, g, f, d_a, d_b, cycle_weight=CYCLE_WEIGHT, identity_weight=IDENTITY_WEIGHT, **kwargs):
        super().__init__(**kwargs)
        self.g, self.f, self.d_a, self.d_b = g, f, d_a, d_b
        self.cycle_weight, self.identity_weight = float(cycle_weight), float(identity_weight)
        self.trackers = {k: keras.metrics.Mean(name=k) for k in ("d_a", "d_b", "adv", "cycle", "identity")}

    @property
    def metrics(self):
        return list(self.trackers.values())

    def compile(self, g_optimizer=None, d_optimizer=None, **kwargs):
        super().compile(**kwargs)
        self.g_optimizer = g_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)
        self.d_optimizer = d_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)

    def call(self, x, training=False):
        return self.g(x, training=training)

    def generator_losses(self, x, y, training=True):
        """The translators' loss parts for one batch: ``{"adv", "cycle", "identity", "total"}``."""
        fake_b, fake_a = self.g(x, training=training), self.f(y, training=training)
        adv = (losses.least_squares_generator_loss(self.d_b(fake_b, training=training))
               + losses.least_squares_generator_loss(self.d_a(fake_a, training=training)))
        cyc = (losses.cycle_consistency_loss(x, self.f(fake_b, training=training))
               + losses.cycle_consistency_loss(y, self.g(fake_a, training=training)))
        idt = (losses.identity_loss(y, self.g(y, training=training))
               + losses.identity_loss(x, self.f(x, training=training)))
        total = adv + self.cycle_weight * cyc + self.identity_weight * idt
        return {"adv": adv, "cycle": cyc, "identity": idt, "total": total}

    def train_step(self, data):
        x, y = data
        fake_b = ops.stop_gradient(self.g(x, training=True))
        fake_a = ops.stop_gradient(self.f(y, training=True))
        d_weights = self.d_a.trainable_weights + self.d_b.trainable_weights
        with tf.GradientTape() as tape:
            d_a = losses.least_squares_discriminator_loss(self.d_a(x, training=True),
                                                          self.d_a(fake_a, training=True))
            d_b = losses.least_squares_discriminator_loss(self.d_b(y, training=True),
                                                          self.d_b(fake_b, training=True))
            d_total = d_a + d_b
        self.d_optimizer.apply_gradients(zip(tape.gradient(d_total, d_weights), d_weights))
        g_weights = self.g.trainable_weights + self.f.trainable_weights
        with tf.GradientTape() as tape:
            parts = self.generator_losses(x, y)
        self.g_optimizer.apply_gradients(zip(tape.gradient(parts["total"], g_weights), g_weights))
        for name, value in (("d_a", d_a), ("d_b", d_b), ("adv", parts["adv"]), ("cycle", parts["cycle"]),
                            ("identity", parts["identity"])):
            self.trackers[name].update_state(value)
        return {k: m.result() for k, m in self.trackers.items()}


def build(seed: int = 0, width: int = WIDTH, lr: float = LEARNING_RATE):
    """A compiled, untrained CycleGAN for 28x28 digits, its weights drawn from ``seed`` (Adam, ``lr``, beta_1 0.5)."""
    keras.utils.set_random_seed(seed)
    model = CycleGAN(translator("G_thin_to_thick", width), translator("F_thick_to_thin", width),
                     patch_discriminator("D_A", width), patch_discriminator("D_B", width))
    model.compile(g_optimizer=keras.optimizers.Adam(lr, beta_1=0.5), d_optimizer=keras.optimizers.Adam(lr, beta_1=0.5))
    return model


def unpaired_batches(a, b, batch_size: int, steps: int, seed: int):
    """``(x, y)`` arrays of ``steps * batch_size`` images each: A and B shuffled independently per pass
    (``numpy.random.default_rng(seed)``), so batch i pairs unrelated images."""
    rng = np.random.default_rng(seed)

    def stream(images):
        need, parts = steps * batch_size, []
        while sum(len(p) for p in parts) < need:
            parts.append(images[rng.permutation(len(images))])
        return np.concatenate(parts)[:need]

    return stream(a), stream(b)


def fit(model, a, b, steps: int, batch_size: int = 16, seed: int = 0, verbose: int = 0):
    """Train ``model`` for ``steps`` steps on unpaired batches of ``a`` and ``b``; returns the last
    step's tracker values and the seconds taken."""
    x, y = unpaired_batches(a, b, batch_size, steps, seed)
    start = time.perf_counter()
    hist = model.fit(x, y, batch_size=batch_size, epochs=1, shuffle=False, verbose=verbose)
    return {k: float(v[-1]) for k, v in hist.history.items()}, time.perf_counter() - start


def translate(net, images, batch_size: int = 500) -> np.ndarray:
    """``net`` applied in inference mode, as a NumPy array (``net``: a Keras model or a NumPy function)."""
    x = np.asarray(images, np.float32)
    if hasattr(net, "predict"):
        return np.asarray(net.predict(x, batch_size=batch_size, verbose=0))
    return np.asarray(net(x), np.float32)


def faint_copy_pair(eps: float = 0.005):
    """A translator pair that hides its input on purpose: the problem :func:`hiding` looks for.

    ``g(x) = (1 - eps) * thicken(binarise(x)) + eps * x``: a black-and-white thick digit, each
    pixel moved towards grey by up to ``2 eps`` by a faint copy of ``x``; ``f(y) = (y - (1 - eps)
    * sign(y)) / eps`` reads the copy back exactly. With eps = 0.005 no pixel moves by more than
    0.01 (1.3 grey levels of 256), yet ``f(g(x)) = x``.
    """
    def g(x):
        return ((1 - eps) * thicken(binarise(x)) + eps * np.asarray(x)).astype(np.float32)

    def f(y):
        y = np.asarray(y, np.float64)
        return np.clip((y - (1 - eps) * np.where(y > 0, 1.0, -1.0)) / eps, -1, 1).astype(np.float32)

    return g, f


# --------------------------------------------------------------------------- scores


def digits_of(images) -> np.ndarray:
    """The course classifier's digit for each image (:func:`gan_lib.core.latent.classify`)."""
    return classify(images)[0]


def measure(model, task: dict) -> dict:
    """How well the trained ``model`` translates the test inputs of ``task`` (:func:`domains`).

    * ``moved_ab`` / ``moved_ba``: the share of test inputs whose translation lies on the other
      domain's side of :func:`width_boundary` (the boundary puts ``boundary_ok`` of the real test
      images on their own side);
    * ``kept_ab`` / ``kept_ba``: the share whose digit the course classifier reads the same before
      and after translation (``kept_thicken``: the same for the plain thickening ``A -> thicken(A)``,
      what a perfect translator would reach);
    * ``true_ab`` / ``true_ba``: the share of translations the classifier reads as the input's *true*
      digit (the held-out labels ``labels_a`` / ``labels_b``), beside ``true_input_a`` / ``true_input_b``,
      the classifier's accuracy on the inputs themselves. ``kept_ba`` compares with the classifier's
      reading of a thick input, which is wrong for about one in eight: ``true_ba`` is what F's
      translations are worth;
    * ``cycle`` and ``identity``: the two losses on the test inputs (both directions added, as in training).
    """
    a, b = task["test_a"], task["test_b"]
    boundary = width_boundary(a, b)
    ga, fb = translate(model.g, a), translate(model.f, b)
    da, db = digits_of(a), digits_of(b)
    cycle = (float(losses.cycle_consistency_loss(a, translate(model.f, ga)))
             + float(losses.cycle_consistency_loss(b, translate(model.g, fb))))
    identity = (float(losses.identity_loss(b, translate(model.g, b)))
                + float(losses.identity_loss(a, translate(model.f, a))))
    return {"boundary": boundary,
            "boundary_ok": float((np.mean(stroke_width(a) < boundary) + np.mean(stroke_width(b) > boundary)) / 2),
            "width_a": float(np.median(stroke_width(a))), "width_b": float(np.median(stroke_width(b))),
            "width_ab": float(np.median(stroke_width(ga))), "width_ba": float(np.median(stroke_width(fb))),
            "moved_ab": float(np.mean(stroke_width(ga) > boundary)),
            "moved_ba": float(np.mean(stroke_width(fb) < boundary)),
            "kept_ab": float(np.mean(digits_of(ga) == da)), "kept_ba": float(np.mean(digits_of(fb) == db)),
            "kept_thicken": float(np.mean(digits_of(thicken(a)) == da)),
            **_true_digits(task, ga, fb, da, db),
            "cycle": cycle, "identity": identity}


def _true_digits(task, ga, fb, da, db) -> dict:
    """The ``true_*`` shares of :func:`measure` (empty if the task has no labels)."""
    if "labels_a" not in task or "labels_b" not in task:
        return {}
    la, lb = np.asarray(task["labels_a"]), np.asarray(task["labels_b"])
    return {"true_ab": float(np.mean(digits_of(ga) == la)), "true_ba": float(np.mean(digits_of(fb) == lb)),
            "true_input_a": float(np.mean(da == la)), "true_input_b": float(np.mean(db == lb))}


def quantise(images, levels: int) -> np.ndarray:
    """``images`` in [-1, 1] rounded to ``levels`` evenly spaced grey levels (256: what an 8-bit PNG stores)."""
    x = (np.clip(np.asarray(images, np.float64), -1, 1) + 1) / 2 * (levels - 1)
    return (np.round(x) / (levels - 1) * 2 - 1).astype(np.float32)


def blur(images, sigma: float = 0.5) -> np.ndarray:
    """A Gaussian blur of standard deviation ``sigma`` pixels (3x3 kernel; the edges repeat)."""
    t = np.arange(-1, 2)
    k = np.exp(-t ** 2 / (2 * sigma ** 2))
    k /= k.sum()
    x = np.pad(np.asarray(images, np.float64), ((0, 0), (1, 1), (1, 1), (0, 0)), mode="edge")
    x = sum(k[i] * x[:, i:i + x.shape[1] - 2] for i in range(3))
    x = sum(k[i] * x[:, :, i:i + x.shape[2] - 2] for i in range(3))
    return x.astype(np.float32)


def hiding(model, images, levels=LEVELS, blurs=BLURS) -> dict:
    """Does ``F`` read ``x`` back from faint signal in ``G(x)``? For each way of passing ``G(x)`` on:

    ``rec``: the cycle loss ``mean |F(passed) - x|``; ``kept``: the share of digits the classifier
    reads the same in ``F(passed)`` as in ``x``; ``change``: ``mean |passed - G(x)|``, how much the
    passing changed the translation. The ways: ``as is``; ``quantised to L levels`` (:func:`quantise`);
    ``blurred (sigma s)`` (:func:`blur`); and ``thicken(x)``, the plain thickening in place of G(x)
    (a thick digit with nothing hidden in it).
    """
    x = np.asarray(images, np.float32)
    gx = translate(model.g, x)
    dx = digits_of(x)
    ways = {"as is": gx}
    for n in levels:
        ways[f"quantised to {n} levels"] = quantise(gx, n)
    for s in blurs:
        ways[f"blurred (sigma {s:g})"] = blur(gx, s)
    ways["thicken(x) instead of G(x)"] = thicken(x)
    out = {}
    for name, passed in ways.items():
        back = translate(model.f, passed)
        out[name] = {"rec": float(np.mean(np.abs(back - x))), "kept": float(np.mean(digits_of(back) == dx)),
                     "change": float(np.mean(np.abs(passed - gx)))}
    return out


def format_hiding(h: dict) -> str:
    lines = [f"{'G(x) passed on':30s} {'change to G(x)':>14s} {'cycle loss |F(.) - x|':>22s} {'digit kept':>11s}"]
    for name, r in h.items():
        lines.append(f"{name:30s} {r['change']:14.4f} {r['rec']:22.3f} {r['kept']:11.1%}")
    return "\n".join(lines)


def format_measure(m: dict) -> str:
    return "\n".join([
        f"stroke width (median): thin test digits {m['width_a']:.2f}, thick {m['width_b']:.2f}; boundary "
        f"{m['boundary']:.2f} (puts {m['boundary_ok']:.1%} of the real test digits on their own side)",
        f"G thin -> thick: median width {m['width_ab']:.2f}, crossed the boundary {m['moved_ab']:.1%}, digit kept "
        f"{m['kept_ab']:.1%} (plain thickening keeps {m['kept_thicken']:.1%})",
        f"F thick -> thin: median width {m['width_ba']:.2f}, crossed the boundary {m['moved_ba']:.1%}, digit kept "
        f"{m['kept_ba']:.1%}",
        *([f"read as the true digit: thin inputs {m['true_input_a']:.1%}, G's translations {m['true_ab']:.1%}; "
           f"thick inputs {m['true_input_b']:.1%}, F's translations {m['true_ba']:.1%}"] if "true_ab" in m else []),
        f"test losses: cycle {m['cycle']:.3f}, identity {m['identity']:.3f} (both directions added)"])


# --------------------------------------------------------------------------- runs


def run_seed(seed: int, steps: int, batch_size: int, n_test: int, task: dict | None = None,
             model_out: list | None = None) -> dict:
    """Train one CycleGAN from ``seed`` and score it: a JSON-ready row (``model_out`` receives the model)."""
    task = domains(n_test) if task is None else task
    model = build(seed)
    last, seconds = fit(model, task["train_a"], task["train_b"], steps, batch_size, seed)
    row = {"seed": seed, "steps": steps, "batch_size": batch_size, "seconds": round(seconds, 1),
           "train": last, "test": measure(model, task), "hiding": hiding(model, task["test_a"])}
    if model_out is not None:
        model_out.append(model)
    return row


SUMMARY_KEYS = ("moved_ab", "moved_ba", "kept_ab", "kept_ba", "true_ab", "true_ba", "cycle", "identity")


def summary(rows: list[dict]) -> dict:
    """Mean and sample standard deviation over the rows of each test number and each hiding ``rec``."""
    def stats(values):
        v = np.asarray(values, np.float64)
        return {"mean": float(v.mean()), "sd": float(v.std(ddof=1)) if len(v) > 1 else 0.0,
                "values": [float(t) for t in v]}

    out = {k: stats([r["test"][k] for r in rows]) for k in SUMMARY_KEYS}
    for way in rows[0]["hiding"]:
        out[f"rec: {way}"] = stats([r["hiding"][way]["rec"] for r in rows])
        out[f"kept: {way}"] = stats([r["hiding"][way]["kept"] for r in rows])
    return out


def format_summary(s: dict) -> str:
    lines = []
    for name, v in s.items():
        pct = name.startswith(("moved", "kept", "true"))
        f = (lambda t: f"{100 * t:.1f}%") if pct else (lambda t: f"{t:.3f}")
        lines.append(f"{name:42s} {f(v['mean']):>7s} ± {f(v['sd']):>6s}   " + " ".join(f(t) for t in v["values"]))
    return "\n".join(lines)


def results_dir() -> Path:
    """``runs/09_beyond_dcgan`` of the repository (fetched into a cache outside a clone)."""
    return config.committed_folder(RESULTS_FOLDER)


def load_results(folder=None) -> dict:
    """The stored ``cyclegan.json`` of ``make lesson09``."""
    folder = results_dir() if folder is None else Path(folder)
    return json.loads((folder / RESULTS_FILE).read_text())


def main(argv=None):
    """``python -m gan_lib.lessons.cycle``: train and score seeds 0-2, write ``cyclegan.json``."""
    from gan_lib.core.cli import OneLineParser

    p = OneLineParser(prog="python -m gan_lib.lessons.cycle",
                      description="Lesson 09's CycleGAN (thin <-> thick digits) over seeds 0-2.")
    p.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    p.add_argument("--out", default=None, help="where cyclegan.json goes (default runs/09_beyond_dcgan; "
                                               "a temporary folder in quick mode)")
    a = p.parse_args(argv)
    quick = config.quick_mode()
    settings = SETTINGS["quick" if quick else "full"]
    if a.out is not None:
        out = Path(a.out)
    else:
        out = Path(tempfile.mkdtemp(prefix="gan_course_09_quick_")) if quick else results_dir()
    out.mkdir(parents=True, exist_ok=True)
    task = domains(settings["n_test"], limit=1000 if quick else None)
    rows = []
    for s in a.seeds:
        rows.append(run_seed(s, **settings, task=task))
        print(f"seed {s}: {rows[-1]['seconds']:.0f} s")
        print(format_measure(rows[-1]["test"]))
        print(format_hiding(rows[-1]["hiding"]), flush=True)
    doc = {"mode": "quick" if quick else "full", "seeds": list(a.seeds), "settings": settings,
           "cycle_weight": CYCLE_WEIGHT, "identity_weight": IDENTITY_WEIGHT, "rows": rows,
           "summary": summary(rows)}
    (out / RESULTS_FILE).write_text(json.dumps(doc, indent=1) + "\n")
    print(format_summary(doc["summary"]))
    print(f"wrote {out / RESULTS_FILE}")


if __name__ == "__main__":
    main()
