"""Class-conditional GANs (lesson 07): asking the generator for a digit, and checking it obeyed.

A conditional GAN (Mirza & Osindero, "Conditional Generative Adversarial Nets",
2014) gives both networks the class ``y``: G draws ``G(z, y)``, and D judges
pairs ``(x, y)``, so a 3 labelled "7" counts as fake. The course trains it
through the one :class:`gan_lib.core.gan.GAN` class with ``n_classes`` set; the
models are :data:`gan_lib.models.CONDITIONAL_MODELS`.

This module measures whether it obeys, with the course's classifier::

    acc = conditional.accuracy(gan)          # 100 samples asked for each digit
    print(conditional.format_accuracy(acc))  # one row per digit

and builds the lesson's pictures: a grid with one row per digit, and paths
within a class (fixed label, slerp between two latents) and across classes
(fixed latent, the one-hot row moving from one class to another). It also
holds the binary attribute of exercise 7.2 (thick vs thin strokes).
"""

from __future__ import annotations

import numpy as np

from gan_lib.core import latent
from gan_lib.measure import classifier

#: Mean conditional accuracy (share of samples that the course classifier reads
#: as the digit asked for) that counts as "obeys the label". An untrained
#: conditional generator scores about 0.10 (one digit for every label); the
#: classifier reads 98.25% of the real held-out digits right.
ACCURACY_MIN = 0.90

#: A lower bar, "it has learned to use the label", for quick-mode checks.
LEARNED_ACCURACY = 0.30


def _check_conditional_gan(gan):
    if getattr(gan, "n_classes", None) is None:
        raise ValueError("This GAN is unconditional (built without n_classes); lesson 07's tools need "
                         "GAN(g, d, n_classes=10) with models.build_conditional(...).")


def accuracy(gan, n_per_class: int = 100, seed: int = 0) -> dict:
    """How often the course classifier reads a conditional sample as the digit asked for.

    Draws ``n_per_class`` samples for each of ``gan.n_classes`` digits (latents
    from ``seed``) and returns ``per_class`` (array of shares, digit 0 first),
    ``mean``, ``confusion`` (``n_classes x 10`` counts: row = asked, column =
    read), ``images`` (in the order 0,0,...,1,1,...) and ``labels`` (the asked digits).
    """
    _check_conditional_gan(gan)
    if isinstance(n_per_class, bool) or not isinstance(n_per_class, (int, np.integer)) or n_per_class < 1:
        raise ValueError(f"n_per_class={n_per_class!r}: use a whole number of at least 1, e.g. 100.")
    k = gan.n_classes
    labels = np.repeat(np.arange(k), n_per_class)
    images = gan.sample(len(labels), seed=seed, labels=labels)
    _, probs = classifier.features_and_probs(images)
    read = probs.argmax(1)
    confusion = np.zeros((k, probs.shape[1]), dtype=np.int64)
    np.add.at(confusion, (labels, read), 1)
    per_class = per_class_accuracy(labels, read, k)
    return {"per_class": per_class, "mean": float(per_class.mean()), "confusion": confusion,
            "images": images, "labels": labels}


def per_class_accuracy(asked, read, n_classes: int = 10) -> np.ndarray:
    """For each class c: the share of samples asked for c that were read as c (NaN if none was asked)."""
    asked, read = np.asarray(asked), np.asarray(read)
    if asked.shape != read.shape or asked.ndim != 1:
        raise ValueError(f"asked {asked.shape} and read {read.shape} must be two equal-length 1-D arrays.")
    hits = np.bincount(asked[asked == read], minlength=n_classes)[:n_classes]
    totals = np.bincount(asked, minlength=n_classes)[:n_classes]
    with np.errstate(invalid="ignore", divide="ignore"):
        return hits / totals


def format_accuracy(result: dict, bar: float = ACCURACY_MIN) -> str:
    """A table: one row per digit asked for, its accuracy and the digit it is most often mistaken for."""
    conf = result["confusion"]
    lines = ["asked  read as asked  most common other reading"]
    for c, acc in enumerate(result["per_class"]):
        others = conf[c].copy()
        others[c] = 0
        other = f"{others.argmax()} ({others.max() / conf[c].sum():.0%})" if others.max() else "-"
        lines.append(f"{c:5d}  {acc:13.1%}  {other}")
    verdict = "pass" if result["mean"] >= bar else "FAIL"
    lines.append(f"mean   {result['mean']:13.1%}  (pass at >= {bar:.0%})  {verdict}")
    return "\n".join(lines)


def class_grid(gan, digits=None, per_row: int = 10, seed: int = 0) -> np.ndarray:
    """Samples with one row per digit in ``digits`` (default all), ``per_row`` each.

    Column ``j`` uses the same latent in every row, so a column shows one
    "style" (slant, thickness) drawn as each digit.
    """
    _check_conditional_gan(gan)
    digits = list(range(gan.n_classes)) if digits is None else [int(d) for d in digits]
    z = np.random.default_rng([seed, 19]).standard_normal((per_row, gan.latent_dim)).astype("float32")
    zs = np.tile(z, (len(digits), 1))
    labels = np.repeat(digits, per_row)
    return gan.generate(zs, labels=labels)


def within_class(gan, digit: int, z0, z1, steps: int = 10) -> np.ndarray:
    """Images along the slerp path from ``z0`` to ``z1`` with the label fixed to ``digit``."""
    _check_conditional_gan(gan)
    zs = latent.path(z0, z1, steps=steps, method="slerp").astype("float32")
    return gan.generate(zs, labels=np.full(len(zs), int(digit)))


def label_path(a: int, b: int, steps: int = 10, n_classes: int = 10) -> np.ndarray:
    """Rows ``(1 - t) onehot(a) + t onehot(b)`` for ``t`` from 0 to 1: ``(steps, n_classes)``."""
    for name, v in (("a", a), ("b", b)):
        if not 0 <= int(v) < n_classes:
            raise ValueError(f"{name}={v!r}: choose a class from 0 to {n_classes - 1}.")
    if steps < 2:
        raise ValueError(f"steps={steps!r}: use at least 2 (the two ends).")
    eye = np.eye(n_classes, dtype="float32")
    t = np.linspace(0.0, 1.0, steps, dtype="float32")[:, None]
    return (1 - t) * eye[int(a)] + t * eye[int(b)]


def across_classes(gan, z, a: int, b: int, steps: int = 10) -> np.ndarray:
    """Images for one fixed latent ``z`` while the label moves from class ``a`` to class ``b``."""
    _check_conditional_gan(gan)
    z = np.asarray(z, dtype="float32").reshape(1, -1)
    return gan.generate(np.repeat(z, steps, axis=0), labels=label_path(a, b, steps, gan.n_classes))


# --------------------------------------------------------------------------- a binary attribute (exercise 7.2)


def ink(images) -> np.ndarray:
    """The amount of ink in each image: the sum of its pixels mapped from [-1, 1] to [0, 1]."""
    x = np.asarray(images, dtype=np.float64)
    return ((x + 1.0) / 2.0).reshape(len(x), -1).sum(1)


def thickness_labels(images, threshold: float | None = None) -> np.ndarray:
    """1 for "thick" (more ink than ``threshold``), 0 for "thin"; ``threshold`` defaults to the median ink.

    Returns ``(labels, threshold)`` so samples can be judged with the training data's threshold.
    """
    amount = ink(images)
    threshold = float(np.median(amount)) if threshold is None else float(threshold)
    return (amount > threshold).astype(np.int64), threshold


# --------------------------------------------------------------------------- quality over training


def accuracy_row(gan, n_per_class: int = 50, seed: int = 1) -> dict:
    """``accuracy`` (mean conditional accuracy) and ``per_class`` of :func:`accuracy`, for a row per epoch.

    Pass it as ``extra`` to :class:`gan_lib.core.callbacks.QualityTracker`, so
    that each epoch's row also says how well the generator obeys the label::

        tracker = callbacks.QualityTracker(n=1000, extra=conditional.accuracy_row)
        gan.fit_images(digits.images, 16, epochs, labels=digits.labels, callbacks=[tracker])
        print(conditional.format_rows(tracker.rows))
    """
    acc = accuracy(gan, n_per_class=n_per_class, seed=seed)
    return {"accuracy": acc["mean"], "per_class": [round(float(a), 4) for a in acc["per_class"]]}


def format_rows(rows) -> str:
    """One line per epoch: seconds, FD, mean conditional accuracy, worst class.

    ``rows``: those of a :class:`gan_lib.core.callbacks.QualityTracker` with ``extra=accuracy_row``.
    """
    out = []
    for r in rows:
        worst = int(np.argmin(r["per_class"]))
        out.append(f"epoch {r['epoch']:3d}  {r['seconds']:6.0f} s  FD {r['fd']:7.1f}  "
                   f"conditional accuracy {r['accuracy']:6.1%}  worst digit {worst} ({r['per_class'][worst]:.0%})")
    return "\n".join(out)
