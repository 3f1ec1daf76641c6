"""Lesson 07's exercise checks, each tried three ways: the solution passes, the untouched
stub says "not done yet", and a planted typical bug gets its own specific message."""

import numpy as np
import pytest
from exercise_asserts import expect_not_done, expect_pass, expect_wrong, verdict
from exercise_asserts import raise_not_implemented as _raise_not_implemented

from gan_lib import checks, conditional, data, models
from gan_lib.core.gan import GAN

# --------------------------------------------------------------------------- 7.1: per-class accuracy


def accuracy_solution(asked, read, n_classes):
    asked, read = np.asarray(asked), np.asarray(read)
    return np.array([np.mean(read[asked == c] == c) for c in range(n_classes)])


def test_7_1_solution_passes(capsys):
    expect_pass(capsys, "7.1", lambda: checks.check_7_1(accuracy_solution))


def test_7_1_refuses_the_librarys_function(capsys):
    # Before: passed (the prompt said not to call it; nothing checked it).
    expect_wrong(capsys, "7.1", lambda: checks.check_7_1(conditional.per_class_accuracy),
                 "is conditional.per_class_accuracy itself")
    expect_wrong(capsys, "7.1", lambda: checks.check_7_1(lambda a, r, n: conditional.per_class_accuracy(a, r, n)),
                 "calls conditional.per_class_accuracy")

    def confusion_diagonal_of_counts(asked, read, n_classes):  # diagonal of the confusion matrix, not divided
        m = np.zeros((n_classes, n_classes))
        np.add.at(m, (asked, read), 1)
        return np.diag(m) / len(asked)

    expect_wrong(capsys, "7.1", lambda: checks.check_7_1(confusion_diagonal_of_counts), "counting by hand gives")


def test_7_1_example_is_counted_right_by_hand():
    asked, read, want = checks.lesson07._accuracy_case()
    np.testing.assert_allclose(accuracy_solution(asked, read, 3), want)


def test_7_1_stub_is_not_done(capsys):
    expect_not_done(capsys, "7.1", lambda: checks.check_7_1(_raise_not_implemented))
    expect_not_done(capsys, "7.1", lambda: checks.check_7_1(None))
    expect_not_done(capsys, "7.1", lambda: checks.check_7_1(lambda a, r, n: None))


@pytest.mark.filterwarnings("ignore:Mean of empty slice", "ignore:invalid value encountered")
def test_7_1_planted_bugs(capsys):
    def overall(asked, read, n_classes):
        return np.mean(np.asarray(asked) == np.asarray(read))

    def precision(asked, read, n_classes):  # divides by how often each class was read
        asked, read = np.asarray(asked), np.asarray(read)
        return np.array([np.mean(asked[read == c] == c) for c in range(n_classes)])

    def counts(asked, read, n_classes):
        asked, read = np.asarray(asked), np.asarray(read)
        return np.array([np.sum((asked == c) & (read == c)) for c in range(n_classes)])

    def ten_classes_always(asked, read, n_classes):
        return accuracy_solution(asked, read, 10)

    def first_three_only(asked, read, n_classes):  # right on the example, not in general
        return accuracy_solution(asked, read, n_classes)[:3]

    expect_wrong(capsys, "7.1", lambda: checks.check_7_1(overall), "overall accuracy", "one share per class")
    expect_wrong(capsys, "7.1", lambda: checks.check_7_1(precision), "*read* as each class", "precision")
    expect_wrong(capsys, "7.1", lambda: checks.check_7_1(counts), "counts", "divide by how many")
    expect_wrong(capsys, "7.1", lambda: checks.check_7_1(ten_classes_always), "shape (10,)", "n_classes")
    expect_wrong(capsys, "7.1", lambda: checks.check_7_1(first_three_only), "500 random labels")
    expect_wrong(capsys, "7.1", lambda: checks.check_7_1(lambda a, r, n: a.missing), "AttributeError")
    expect_wrong(capsys, "7.1", lambda: checks.check_7_1(0.5), "should be a function")


# --------------------------------------------------------------------------- 7.2: thickness labels


def thick_solution(images):
    amount = ((np.asarray(images, np.float64) + 1) / 2).reshape(len(images), -1).sum(1)
    return (amount > np.median(amount)).astype(int)


def test_7_2_solution_passes(capsys):
    expect_pass(capsys, "7.2", lambda: checks.check_7_2(thick_solution))
    # the raw [-1, 1] sum orders the images the same way: also right
    expect_pass(capsys, "7.2", lambda: checks.check_7_2(
        lambda x: (x.reshape(len(x), -1).sum(1) > np.median(x.reshape(len(x), -1).sum(1))).astype(int)))


def test_7_2_refuses_the_librarys_function(capsys):
    # Before: passed; conditional.thickness_labels is named in 7.3's prompt no more.
    expect_wrong(capsys, "7.2", lambda: checks.check_7_2(lambda x: conditional.thickness_labels(x)[0]),
                 "calls conditional.thickness_labels")

    def median_of_pixels(x):  # the median of every pixel value, not of the images' ink
        amount = ((np.asarray(x, np.float64) + 1) / 2).reshape(len(x), -1).sum(1)
        return (amount > np.median((x + 1) / 2) * 784).astype(int)

    expect_wrong(capsys, "7.2", lambda: checks.check_7_2(median_of_pixels), "agree with")
    ok, out = verdict(capsys, "7.2", lambda: checks.check_7_2(median_of_pixels))
    assert "(ink > median)" not in out and "median of the batch" in out, out


def test_7_2_stub_is_not_done(capsys):
    expect_not_done(capsys, "7.2", lambda: checks.check_7_2(_raise_not_implemented))
    expect_not_done(capsys, "7.2", lambda: checks.check_7_2(None))


def test_7_2_planted_bugs(capsys):
    def ink(x):
        return ((x + 1) / 2).reshape(len(x), -1).sum(1)

    def reversed_(x):
        return (ink(x) <= np.median(ink(x))).astype(int)

    def mean_split(x):
        return (ink(x) > ink(x).mean()).astype(int)

    def pixel_count(x):
        p = (x > 0).reshape(len(x), -1).sum(1)
        return (p > np.median(p)).astype(int)

    def per_pixel(x):
        return (x > 0).astype(int)

    def ink_itself(x):
        return ink(x)

    def fixed_threshold(x):
        return (ink(x) > 150).astype(int)

    expect_wrong(capsys, "7.2", lambda: checks.check_7_2(reversed_), "reversed")
    expect_wrong(capsys, "7.2", lambda: checks.check_7_2(mean_split), "mean ink", "median")
    expect_wrong(capsys, "7.2", lambda: checks.check_7_2(pixel_count), "counted the pixels")
    expect_wrong(capsys, "7.2", lambda: checks.check_7_2(per_pixel), "one label per image")
    expect_wrong(capsys, "7.2", lambda: checks.check_7_2(ink_itself), "only 0 (thin) and 1 (thick)")
    expect_wrong(capsys, "7.2", lambda: checks.check_7_2(fixed_threshold), "agree with")

    def any_ink_counted(x):  # counts the pixels that are not pure background (x > -1), not the ink
        p = (x > -1).reshape(len(x), -1).sum(1)
        return (p > np.median(p)).astype(int)

    expect_wrong(capsys, "7.2", lambda: checks.check_7_2(any_ink_counted), "agree with")


def test_7_2_the_planted_bugs_really_differ_on_the_check_data():
    """The check's digits separate the bugs: mean and median split differently, pixel counts differ from ink."""
    images, amount = checks.lesson07._thickness_case()
    median_split = amount > np.median(amount)
    assert np.mean(median_split) == 0.5
    assert np.mean(amount > amount.mean()) != 0.5


# --------------------------------------------------------------------------- 7.3: condition on thickness


class DigitsByThickness:
    """Not a GAN: an object with ``sample(n, seed, labels)`` that draws held-out digits from the asked side."""

    latent_dim = 64
    n_classes = 2

    def __init__(self):
        self.images = data.load_digits("heldout", verbose=False).images
        self.labels, self.threshold = conditional.thickness_labels(self.images)

    def sample(self, n, seed=0, labels=None):
        rng = np.random.default_rng(seed)
        return np.stack([self.images[rng.choice(np.flatnonzero(self.labels == w))] for w in np.asarray(labels)])


@pytest.fixture(scope="module")
def heldout_by_ink():
    """Held-out digits sorted by ink, and the training digits' median ink (the check's threshold)."""
    images = data.load_digits("heldout", verbose=False).images
    order = np.argsort(conditional.ink(images))
    return images[order], conditional.thickness_labels(data.load_digits("train", verbose=False).images)[1]


def gan_by_ink(sorted_images, thin=(0.0, 0.5), thick=(0.5, 1.0), steps=1):
    """A course conditional GAN whose generator looks up held-out digits by latent (no learning): for
    label 0 from the ink quantiles ``thin``, for label 1 from ``thick``. Marked as having taken
    ``steps`` optimizer steps, it stands for a GAN trained until it draws exactly that."""
    import keras

    table = keras.ops.convert_to_tensor(np.asarray(sorted_images, np.float32))
    n = len(sorted_images)

    def look_up(inputs):
        z, y = inputs
        u = 0.5 * (1.0 + keras.ops.erf(z[:, 0] / np.sqrt(2.0)))
        lo = y[:, 0] * thin[0] + y[:, 1] * thick[0]
        hi = y[:, 0] * thin[1] + y[:, 1] * thick[1]
        idx = keras.ops.clip((lo + u * (hi - lo)) * n, 0, n - 1)
        return keras.ops.take(table, keras.ops.cast(idx, "int32"), axis=0)

    z, y = keras.Input((64,)), keras.Input((2,))
    generator = keras.Model([z, y], keras.layers.Lambda(look_up)([z, y]))
    gan = GAN(generator, models.build_conditional("cond_dcgan", n_classes=2)[1], n_classes=2)
    gan.compile()
    gan.g_optimizer.iterations.assign(steps)
    return gan


def test_7_3_solution_passes(capsys, heldout_by_ink):
    images, median = heldout_by_ink
    expect_pass(capsys, "7.3", lambda: checks.check_7_3({"gan": gan_by_ink(images), "threshold": median}))


def test_7_3_stub_is_not_done(capsys):
    expect_not_done(capsys, "7.3", lambda: checks.check_7_3(None))
    expect_not_done(capsys, "7.3", lambda: checks.check_7_3({"gan": None, "threshold": 100.0}))


def test_7_3_planted_bugs(capsys, heldout_by_ink):
    images, t = heldout_by_ink
    swapped = gan_by_ink(images, thin=(0.5, 1.0), thick=(0.0, 0.5))
    expect_wrong(capsys, "7.3", lambda: checks.check_7_3({"gan": swapped, "threshold": t}),
                 "reversed", "label 1 must mean more ink")
    ignores_label = gan_by_ink(images, thin=(0.0, 1.0), thick=(0.0, 1.0))
    expect_wrong(capsys, "7.3", lambda: checks.check_7_3({"gan": ignores_label, "threshold": t}),
                 "does not follow the label yet")
    ten = GAN(*models.build_conditional("cond_dcgan"), n_classes=10, seed=0)
    expect_wrong(capsys, "7.3", lambda: checks.check_7_3({"gan": ten, "threshold": t}), "n_classes=10",
                 "two classes")
    right = gan_by_ink(images)
    expect_wrong(capsys, "7.3", lambda: checks.check_7_3({"gan": right, "threshold": "median"}),
                 "should be a number")
    expect_wrong(capsys, "7.3", lambda: checks.check_7_3(right), "should be a dict")
    expect_wrong(capsys, "7.3", lambda: checks.check_7_3({"gan": "my gan", "threshold": t}), "course GAN")


def test_7_3_refuses_a_threshold_of_the_students_choosing(capsys, heldout_by_ink):
    # A GAN that learned thin vs *medium* (label 1 draws the 30-60% ink quantiles): it fails at the
    # training median, but before this check passed it with a threshold set at the 30th percentile.
    images, t = heldout_by_ink
    thin_vs_medium = gan_by_ink(images, thin=(0.0, 0.3), thick=(0.3, 0.6))
    low = float(np.percentile(conditional.ink(images), 30))
    expect_wrong(capsys, "7.3", lambda: checks.check_7_3({"gan": thin_vs_medium, "threshold": low}),
                 "not by a threshold of your choice", "median of the ink of every training digit")
    expect_wrong(capsys, "7.3", lambda: checks.check_7_3({"gan": thin_vs_medium, "threshold": t}),
                 "does not follow the label yet")
    # 5% off the training digits' median is refused too; 1% off (a subset of the digits) is not.
    expect_wrong(capsys, "7.3", lambda: checks.check_7_3({"gan": gan_by_ink(images), "threshold": 1.05 * t}),
                 "not by a threshold of your choice")
    expect_pass(capsys, "7.3", lambda: checks.check_7_3({"gan": gan_by_ink(images), "threshold": 1.01 * t}))


def test_7_3_refuses_what_is_not_a_trained_gan(capsys, heldout_by_ink):
    images, t = heldout_by_ink
    # Before: passed (anything with n_classes and sample was taken for a GAN).
    expect_wrong(capsys, "7.3", lambda: checks.check_7_3({"gan": DigitsByThickness(), "threshold": t}),
                 "course GAN", "DigitsByThickness")
    untrained = GAN(*models.build_conditional("cond_dcgan", n_classes=2), n_classes=2, seed=0)
    untrained.compile()
    expect_wrong(capsys, "7.3", lambda: checks.check_7_3({"gan": untrained, "threshold": t}), "not been trained")
    two_blobs = np.concatenate([np.full((5, 28, 28, 1), -1.0, np.float32), np.full((5, 28, 28, 1), 1.0, np.float32)])
    expect_wrong(capsys, "7.3", lambda: checks.check_7_3({"gan": gan_by_ink(two_blobs), "threshold": t}),
                 "not digits yet")
