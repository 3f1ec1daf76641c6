"""Lesson 07's exercise checks, each tried three ways: the solution passes, the untouched
stub says "not done yet", and a planted typical bug gets its own specific message."""

import numpy as np
import pytest
from exercise_asserts import expect_not_done, expect_pass, expect_wrong
from exercise_asserts import raise_not_implemented as _raise_not_implemented

from gan_lib import checks, conditional, data, models
from gan_lib.core.gan import GAN

# --------------------------------------------------------------------------- 7.1: per-class accuracy


def accuracy_solution(asked, read, n_classes):
    asked, read = np.asarray(asked), np.asarray(read)
    return np.array([np.mean(read[asked == c] == c) for c in range(n_classes)])


def test_7_1_solution_passes(capsys):
    expect_pass(capsys, "7.1", lambda: checks.check_7_1(accuracy_solution))
    expect_pass(capsys, "7.1", lambda: checks.check_7_1(conditional.per_class_accuracy))  # the library's own


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
    expect_pass(capsys, "7.2", lambda: checks.check_7_2(lambda x: conditional.thickness_labels(x)[0]))
    # the raw [-1, 1] sum orders the images the same way: also right
    expect_pass(capsys, "7.2", lambda: checks.check_7_2(
        lambda x: (x.reshape(len(x), -1).sum(1) > np.median(x.reshape(len(x), -1).sum(1))).astype(int)))


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


def test_7_2_the_planted_bugs_really_differ_on_the_check_data():
    """The check's digits separate the bugs: mean and median split differently, pixel counts differ from ink."""
    images, amount = checks.lesson07._thickness_case()
    median_split = amount > np.median(amount)
    assert np.mean(median_split) == 0.5
    assert np.mean(amount > amount.mean()) != 0.5


# --------------------------------------------------------------------------- 7.3: condition on thickness


class DigitsByThickness:
    """A stand-in for a trained thickness-conditional GAN: held-out digits from the asked side of the median."""

    latent_dim = 64

    def __init__(self, n_classes=2, swap=False, blobs=False):
        self.n_classes, self.swap, self.blobs = n_classes, swap, blobs
        self.images = data.load_digits("heldout", verbose=False).images
        self.labels, self.threshold = conditional.thickness_labels(self.images)

    def sample(self, n, seed=0, labels=None):
        labels = np.asarray(labels)
        if self.blobs:  # follows the label perfectly, but draws no digits
            return np.where(labels[:, None, None, None] == 1, 1.0, -1.0) * np.ones((n, 28, 28, 1), "float32")
        want = 1 - labels if self.swap else labels
        rng = np.random.default_rng(seed)
        return np.stack([self.images[rng.choice(np.flatnonzero(self.labels == w))] for w in want])


@pytest.fixture(scope="module")
def thick_standin():
    return DigitsByThickness()


def test_7_3_solution_passes(capsys, thick_standin):
    answer = {"gan": thick_standin, "threshold": thick_standin.threshold}
    expect_pass(capsys, "7.3", lambda: checks.check_7_3(answer))


def test_7_3_stub_is_not_done(capsys):
    expect_not_done(capsys, "7.3", lambda: checks.check_7_3(None))
    expect_not_done(capsys, "7.3", lambda: checks.check_7_3({"gan": None, "threshold": 100.0}))


def test_7_3_planted_bugs(capsys, thick_standin):
    t = thick_standin.threshold
    expect_wrong(capsys, "7.3", lambda: checks.check_7_3({"gan": DigitsByThickness(swap=True), "threshold": t}),
                 "reversed", "label 1 must mean more ink")
    untrained = GAN(*models.build_conditional("cond_dcgan", n_classes=2), n_classes=2, seed=0)
    expect_wrong(capsys, "7.3", lambda: checks.check_7_3({"gan": untrained, "threshold": t}),
                 "does not follow the label yet")
    ten = GAN(*models.build_conditional("cond_dcgan"), n_classes=10, seed=0)
    expect_wrong(capsys, "7.3", lambda: checks.check_7_3({"gan": ten, "threshold": t}), "n_classes=10",
                 "two classes")
    expect_wrong(capsys, "7.3", lambda: checks.check_7_3({"gan": DigitsByThickness(blobs=True), "threshold": t}),
                 "not digits yet")
    expect_wrong(capsys, "7.3", lambda: checks.check_7_3({"gan": thick_standin, "threshold": "median"}),
                 "should be a number")
    expect_wrong(capsys, "7.3", lambda: checks.check_7_3(thick_standin), "should be a dict")
    expect_wrong(capsys, "7.3", lambda: checks.check_7_3({"gan": "my gan", "threshold": t}), "course GAN")
