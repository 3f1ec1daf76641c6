"""Lesson 07's exercise checks (conditional GANs): per-class accuracy of a conditional generator (7.1),
thin/thick labels from the ink of a digit (7.2), and a GAN conditioned on thickness (7.3)."""

from __future__ import annotations

import numpy as np

from gan_lib.coursework.checks.common import array, call, refusing, trained_gan_samples
from gan_lib.coursework.exercises import Wrong, expect_done, expect_function


def _accuracy_case():
    """Exercise 7.1's example: 3 classes asked for, read back with a few mistakes (hand-countable)."""
    asked = np.array([0, 0, 0, 0, 1, 1, 2, 2, 2, 2, 2, 2])
    read = np.array([0, 0, 1, 2, 1, 1, 2, 2, 2, 0, 0, 1])
    return asked, read, np.array([0.5, 1.0, 0.5])  # 2/4, 2/2, 3/6


def check_7_1(per_class_accuracy) -> None:
    """``per_class_accuracy(asked, read, n_classes)``: for each class, the share of samples asked for it read as it.

    Calling the course's ``conditional.per_class_accuracy`` (or ``conditional.accuracy``) is refused
    (:class:`refusing`)."""
    from gan_lib.lessons import conditional

    expect_function(per_class_accuracy, "your per_class_accuracy function",
                    "per_class_accuracy should be a function")
    rng = np.random.default_rng(5)
    asked_r, read_r = rng.integers(0, 10, 500), rng.integers(0, 10, 500)
    want_r = conditional.per_class_accuracy(asked_r, read_r, 10)
    with refusing("conditional.per_class_accuracy", conditional, "per_class_accuracy", conditional, "accuracy",
                  answer=per_class_accuracy):
        _check_7_1_cases(per_class_accuracy, asked_r, read_r, want_r)


def _check_7_1_cases(per_class_accuracy, asked_r, read_r, want_r) -> None:
    asked, read, want = _accuracy_case()
    got = call(per_class_accuracy, "per_class_accuracy(asked, read, 3)",
               "asked and read are NumPy arrays of whole numbers of the same length", asked.copy(), read.copy(), 3)
    got = array(expect_done(got, "the value your function returns"), "per_class_accuracy", None)
    if got.ndim == 0 or got.size == 1:
        overall = float(np.mean(asked == read))
        msg = ("That is the overall accuracy (all classes together)." if abs(float(got.reshape(-1)[0]) - overall) < 1e-6
               else f"per_class_accuracy returned one number ({float(got.reshape(-1)[0]):.4g}).")
        raise Wrong(msg, "return one share per class: an array of n_classes numbers")
    if got.shape != (3,):
        raise Wrong(f"per_class_accuracy(asked, read, 3) has shape {got.shape}; expected (3,), one share per class.",
                    "use n_classes for the length, and count per class, not per sample")
    if np.allclose(got, [2, 2, 3]):
        raise Wrong("Your function returns counts of correct samples (2, 2, 3), not shares.",
                    "divide by how many samples were asked for each class")
    precision = np.array([2 / 4, 2 / 4, 3 / 4])  # read as 0: 4 samples, 2 asked for 0; ...
    if np.allclose(got, precision):
        raise Wrong("You divided by how many samples were *read* as each class (that is precision).",
                    "divide by how many samples were *asked* for each class: asked == c")
    if not np.allclose(got, want):
        raise Wrong(f"For asked={asked.tolist()} and read={read.tolist()} your function gives "
                    f"{np.round(got, 4).tolist()}; counting by hand gives {want.tolist()}.",
                    "for each class, look only at the samples that were asked for it: what share of those "
                    "was read as that class?")
    got = array(call(per_class_accuracy, "per_class_accuracy(asked, read, 10) on 500 random labels", None,
                     asked_r.copy(), read_r.copy(), 10), "per_class_accuracy", None)
    if got.shape != (10,) or not np.allclose(got, want_r):
        raise Wrong("Your function is right on the small example but not on 500 random labels of 10 classes.",
                    "do not assume 3 classes or a fixed order of the samples")


def _thickness_case():
    from gan_lib import data

    images = data.load_digits("train", limit=600, verbose=False).images
    amount = ((images.astype(np.float64) + 1) / 2).reshape(len(images), -1).sum(1)
    return images, amount


def check_7_2(thick_labels) -> None:
    """``thick_labels(images)``: 1 where an image has more ink than the median of the batch, else 0.

    Calling the course's ``conditional.thickness_labels`` is refused (:class:`refusing`)."""
    from gan_lib.lessons import conditional

    expect_function(thick_labels, "your thick_labels function", "thick_labels should be a function")
    images, amount = _thickness_case()
    with refusing("conditional.thickness_labels", conditional, "thickness_labels", answer=thick_labels):
        got = call(thick_labels, "thick_labels(images)", "images has shape (N, 28, 28, 1) with values in [-1, 1]",
                   images.copy())
    got = array(expect_done(got, "the value your function returns"), "thick_labels", None, kind="an array of 0s and 1s")
    if got.shape != (len(images),):
        raise Wrong(f"thick_labels gives shape {got.shape} for {len(images)} images; expected ({len(images)},), "
                    "one label per image.", "add up each image's pixels: reshape to (N, -1) and sum over axis 1")
    if not np.isin(got, [0, 1]).all():
        raise Wrong("thick_labels should return only 0 (thin) and 1 (thick).",
                    "compare each image's ink with the median ink of the batch, and turn True/False into 1/0")
    want = (amount > np.median(amount)).astype(np.float64)
    if np.array_equal(got, want):
        return
    if np.array_equal(got, 1 - want):
        raise Wrong("Your labels are reversed: 1 marks the thin digits.", "1 = more ink than the median")
    if np.array_equal(got, (amount > amount.mean()).astype(np.float64)):
        raise Wrong(f"You split at the mean ink ({amount.mean():.1f}), not the median ({np.median(amount):.1f}): "
                    f"{got.mean():.0%} of the digits are 'thick' instead of half.",
                    "np.median splits the data into two equal halves")
    pixels = (images > 0).reshape(len(images), -1).sum(1)
    if np.array_equal(got, (pixels > np.median(pixels)).astype(np.float64)):
        raise Wrong("You counted the pixels above 0 rather than adding up the ink.",
                    "ink is the sum of (x + 1) / 2 over an image's pixels: grey pixels count in part")
    agree = float(np.mean(got == want))
    raise Wrong(f"Your labels agree with 'more ink than the median' for {agree:.0%} of 600 digits.",
                "print a few images' ink next to your labels: is the ink mapped from [-1, 1] to [0, 1] before "
                "adding up, and is the split at the median of the batch?")


#: Exercise 7.3: samples per label, and the share of them on the right side of
#: the training data's median ink (mean of the two labels) needed to pass.
#: An untrained generator draws one blob for both labels: at most 0.5 + noise.
ATTRIBUTE_N = 200
ATTRIBUTE_MIN = 0.70


def check_7_3(answer) -> None:
    """A GAN conditioned on thickness: ``{"gan": trained GAN with n_classes=2, "threshold": median ink}``.

    The check does not trust the threshold it is given: it works out the median ink of the training
    digits itself, refuses a threshold more than 3% away from it, and judges with its own. It draws
    the samples itself from the GAN's generator (:func:`trained_gan_samples`), so a stand-in that
    merely has ``sample`` or an unfitted GAN is refused."""
    from gan_lib import data
    from gan_lib.lessons.conditional import ink
    from gan_lib.measure import metrics

    expect_done(answer, "answer_7_3")
    if not isinstance(answer, dict) or not {"gan", "threshold"} <= set(answer):
        raise Wrong("answer_7_3 should be a dict {'gan': your trained GAN, 'threshold': the median ink}.")
    gan, threshold = expect_done(answer["gan"], "answer_7_3['gan']"), answer["threshold"]
    from gan_lib.core.gan import GAN

    if not isinstance(gan, GAN):
        raise Wrong(f"answer_7_3['gan'] should be a course GAN, got {type(gan).__name__}.",
                    "put the GAN object you called fit_images on into the dict")
    if gan.n_classes != 2:
        raise Wrong(f"Your GAN has n_classes={gan.n_classes}; thin/thick is two classes.",
                    "GAN(g, d, n_classes=2) with models.build_conditional('cond_dcgan', n_classes=2)")
    try:
        threshold = float(threshold)
    except (TypeError, ValueError):
        raise Wrong(f"answer_7_3['threshold'] should be a number (the median ink), got {threshold!r}.") from None
    median = float(np.median(ink(data.load_digits("train", verbose=False).images)))
    if not abs(threshold - median) <= 0.03 * median:  # a subset of the training digits is fine (1,000: 0.2% off)
        raise Wrong(f"answer_7_3['threshold'] is {threshold:.1f}, but the median ink of the training digits is "
                    "another number; the check judges your samples by that median, not by a threshold of "
                    "your choice.", "the threshold is the median of the ink of every training digit, the same "
                    "number your thick_labels split at")
    threshold = median
    labels = np.repeat([0, 1], ATTRIBUTE_N)
    images = trained_gan_samples(gan, len(labels), 7, "answer_7_3['gan']", labels=labels)
    amount = ink(images)
    thin_ok = float(np.mean(amount[:ATTRIBUTE_N] <= threshold))
    thick_ok = float(np.mean(amount[ATTRIBUTE_N:] > threshold))
    thin_ink, thick_ink = amount[:ATTRIBUTE_N].mean(), amount[ATTRIBUTE_N:].mean()
    said = (f"asked for thin (0): {thin_ok:.0%} below the threshold (mean ink {thin_ink:.1f}); asked for thick (1): "
            f"{thick_ok:.0%} above it (mean ink {thick_ink:.1f})")
    if thick_ink < thin_ink and (1 - thin_ok + 1 - thick_ok) / 2 >= ATTRIBUTE_MIN:
        raise Wrong(f"Your labels are reversed: {said}.", "label 1 must mean more ink than the median")
    if (thin_ok + thick_ok) / 2 < ATTRIBUTE_MIN:
        raise Wrong(f"Your GAN does not follow the label yet: {said}; pass at a mean of {ATTRIBUTE_MIN:.0%}.",
                    "train on thick_labels(digits.images) with fit_images(..., labels=...) for longer")
    learned = metrics.learned(metrics.evaluate(images))
    if not learned["fd"]:
        raise Wrong(f"It follows the label ({said}), but its samples are not digits yet "
                    f"(Frechet distance above {metrics.LEARNED['fd_max']:g}).", "train for more epochs")
