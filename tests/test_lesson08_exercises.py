"""Lesson 08's exercise checks, each tried three ways: the solution passes, the untouched
stub says "not done yet", and a planted typical bug gets its own specific message."""

import numpy as np
import pytest
from exercise_asserts import expect_not_done, expect_pass, expect_wrong, verdict
from exercise_asserts import raise_not_implemented as _raise_not_implemented

from gan_lib import checks, data, evaluate, neighbours


def _distances(points):
    points = np.asarray(points, np.float64)
    return np.linalg.norm(points[:, None, :] - points[None, :, :], axis=-1)


# --------------------------------------------------------------------------- 8.1: kth_radius


def kth_radius_solution(points, k):
    return np.sort(_distances(points), axis=1)[:, k]


def test_8_1_solution_passes(capsys):
    expect_pass(capsys, "8.1", lambda: checks.check_8_1(kth_radius_solution))


def test_8_1_cases_are_right_by_brute_force():
    for k, want in checks.RADIUS_CASES_8_1.items():
        np.testing.assert_allclose(kth_radius_solution(checks.RADIUS_POINTS_8, k), want)


def test_8_1_stub_is_not_done(capsys):
    expect_not_done(capsys, "8.1", lambda: checks.check_8_1(_raise_not_implemented))
    expect_not_done(capsys, "8.1", lambda: checks.check_8_1(None))


def test_8_1_planted_bugs(capsys):
    def counts_itself(points, k):
        return np.sort(_distances(points), axis=1)[:, k - 1]

    def one_too_far(points, k):
        return np.sort(_distances(points), axis=1)[:, k + 1]

    def squared(points, k):
        return kth_radius_solution(points, k) ** 2

    def column(points, k):
        return kth_radius_solution(points, k)[:, None]

    def first_coordinate_only(points, k):
        p = np.asarray(points)[:, :1]
        return np.sort(np.abs(p - p.T), axis=1)[:, k]

    expect_wrong(capsys, "8.1", lambda: checks.check_8_1(counts_itself), "own nearest neighbour")
    expect_wrong(capsys, "8.1", lambda: checks.check_8_1(one_too_far), "one neighbour too far")
    expect_wrong(capsys, "8.1", lambda: checks.check_8_1(squared), "squared distances")
    expect_wrong(capsys, "8.1", lambda: checks.check_8_1(column), "shape (4, 1)", "one radius per point")
    expect_wrong(capsys, "8.1", lambda: checks.check_8_1(first_coordinate_only), "60 random points")
    expect_wrong(capsys, "8.1", lambda: checks.check_8_1(lambda p, k: p.nope), "AttributeError")
    expect_wrong(capsys, "8.1", lambda: checks.check_8_1(3), "should be a function")


# --------------------------------------------------------------------------- 8.2: precision


def precision_solution(real, fake, k):
    real, fake = np.asarray(real, np.float64), np.asarray(fake, np.float64)
    radii = kth_radius_solution(real, k)
    d = np.linalg.norm(fake[:, None, :] - real[None, :, :], axis=-1)
    return float(np.mean(np.any(d <= radii[None, :], axis=1)))


def test_8_2_solution_passes(capsys):
    expect_pass(capsys, "8.2", lambda: checks.check_8_2(precision_solution))


def test_8_2_line_example_by_hand():
    r = evaluate.precision_recall(checks.PRECISION_REAL_8, checks.PRECISION_FAKE_8, k=1)
    assert (r["precision"], r["recall"]) == (0.5, 1.0)


def test_8_2_stub_is_not_done(capsys):
    expect_not_done(capsys, "8.2", lambda: checks.check_8_2(_raise_not_implemented))


def test_8_2_planted_bugs(capsys):
    def recall_instead(real, fake, k):
        return precision_solution(fake, real, k)

    def radius_counts_self(real, fake, k):
        radii = np.sort(_distances(real), axis=1)[:, k - 1]
        d = np.linalg.norm(np.asarray(fake)[:, None, :] - np.asarray(real)[None, :, :], axis=-1)
        return float(np.mean(np.any(d <= radii[None, :], axis=1)))

    def strict(real, fake, k):
        radii = kth_radius_solution(real, k)
        d = np.linalg.norm(np.asarray(fake)[:, None, :] - np.asarray(real)[None, :, :], axis=-1)
        return float(np.mean(np.any(d < radii[None, :], axis=1)))

    def count(real, fake, k):
        return precision_solution(real, fake, k) * len(fake)

    def per_point(real, fake, k):
        radii = kth_radius_solution(real, k)
        d = np.linalg.norm(np.asarray(fake)[:, None, :] - np.asarray(real)[None, :, :], axis=-1)
        return np.any(d <= radii[None, :], axis=1)

    def nearest_ball_only(real, fake, k):  # compares only with the nearest real point's ball
        radii = kth_radius_solution(real, k)
        d = np.linalg.norm(np.asarray(fake)[:, None, :] - np.asarray(real)[None, :, :], axis=-1)
        j = d.argmin(1)
        return float(np.mean(d[np.arange(len(d)), j] <= radii[j] * 0.5))

    expect_wrong(capsys, "8.2", lambda: checks.check_8_2(recall_instead), "that is recall")
    expect_wrong(capsys, "8.2", lambda: checks.check_8_2(radius_counts_self), "counted itself")
    expect_wrong(capsys, "8.2", lambda: checks.check_8_2(strict), "on the edge", "<=")
    expect_wrong(capsys, "8.2", lambda: checks.check_8_2(count), "a count")
    expect_wrong(capsys, "8.2", lambda: checks.check_8_2(per_point), "one number")
    expect_wrong(capsys, "8.2", lambda: checks.check_8_2(nearest_ball_only), "expected 0.5")
    expect_wrong(capsys, "8.2", lambda: checks.check_8_2(lambda r, f, k: "0.5"), "text")
    expect_wrong(capsys, "8.2", lambda: checks.check_8_2("precision"), "should be a function")


# --------------------------------------------------------------------------- 8.3: game the classifier score


@pytest.fixture(scope="module")
def train_digits():
    return data.load_digits("train", verbose=False)


def cheat_solution(train):
    one_each = np.stack([train.images[np.flatnonzero(train.labels == d)[0]] for d in range(10)])
    return np.tile(one_each, (100, 1, 1, 1))


def test_8_3_solution_passes(capsys, train_digits):
    expect_pass(capsys, "8.3", lambda: checks.check_8_3(cheat_solution(train_digits)))


def test_8_3_stub_is_not_done(capsys):
    expect_not_done(capsys, "8.3", lambda: checks.check_8_3(None))


def test_8_3_planted_bugs(capsys, train_digits):
    held = data.load_digits("heldout", verbose=False).images
    ones = np.repeat(train_digits.images[np.flatnonzero(train_digits.labels == 1)[:10]], 100, axis=0)
    expect_wrong(capsys, "8.3", lambda: checks.check_8_3(held[:1000]), "nothing exposes", "games the score")
    expect_wrong(capsys, "8.3", lambda: checks.check_8_3(ones), "classifier score of your images is 1.")
    expect_wrong(capsys, "8.3", lambda: checks.check_8_3(cheat_solution(train_digits)[:100]), "at least 500")
    expect_wrong(capsys, "8.3", lambda: checks.check_8_3(cheat_solution(train_digits)[..., 0]), "shape")
    expect_wrong(capsys, "8.3", lambda: checks.check_8_3(cheat_solution(train_digits) * 255), "[-1, 1]")
    expect_wrong(capsys, "8.3", lambda: checks.check_8_3(cheat_solution), "should be an array")


# --------------------------------------------------------------------------- 8.4: KID's unbiased MMD^2 by hand


def _kernel(a, b):
    return (np.asarray(a, np.float64) @ np.asarray(b, np.float64).T / np.shape(a)[1] + 1) ** 3


def mmd2_solution(x, y):
    kxx, kyy, kxy = _kernel(x, x), _kernel(y, y), _kernel(x, y)
    m, n = len(x), len(y)
    return ((kxx.sum() - np.trace(kxx)) / (m * (m - 1)) + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
            - 2 * kxy.mean())


def test_8_4_hand_case_by_hand():
    # k(x1, x2) = (0/2 + 1)^3 = 1, k(y1, y2) = 1; cross: x1.y1 = 1 -> 1.5^3 = 3.375, x1.y2 = 0 -> 1,
    # x2.y1 = 1 -> 3.375, x2.y2 = 0 -> 1; mean 2.1875. 1 + 1 - 2 * 2.1875 = -2.375
    assert mmd2_solution(checks.MMD_X_8_4, checks.MMD_Y_8_4) == pytest.approx(-2.375) == checks.MMD_HAND_8_4
    assert evaluate.mmd2_unbiased(checks.MMD_X_8_4, checks.MMD_Y_8_4) == pytest.approx(checks.MMD_HAND_8_4)


def test_8_4_solution_passes(capsys):
    expect_pass(capsys, "8.4", lambda: checks.check_8_4(mmd2_solution))


def test_8_4_stub_is_not_done(capsys):
    expect_not_done(capsys, "8.4", lambda: checks.check_8_4(_raise_not_implemented))
    expect_not_done(capsys, "8.4", lambda: checks.check_8_4(None))


def test_8_4_planted_bugs(capsys):
    def v_statistic(x, y):  # the biased estimate: every pair, diagonal included
        return _kernel(x, x).mean() + _kernel(y, y).mean() - 2 * _kernel(x, y).mean()

    def diagonal_out_over_m_squared(x, y):
        kxx, kyy = _kernel(x, x), _kernel(y, y)
        return ((kxx.sum() - np.trace(kxx)) / len(x) ** 2 + (kyy.sum() - np.trace(kyy)) / len(y) ** 2
                - 2 * _kernel(x, y).mean())

    def one_pair_count(x, y):  # m(m-1) for both sums, as if the sets were the same size
        kxx, kyy, m = _kernel(x, x), _kernel(y, y), len(x)
        return ((kxx.sum() - np.trace(kxx)) + (kyy.sum() - np.trace(kyy))) / (m * (m - 1)) - 2 * _kernel(x, y).mean()

    def cross_once(x, y):
        return mmd2_solution(x, y) + _kernel(x, y).mean()

    def dot_not_scaled(x, y):
        return mmd2_solution(np.asarray(x) * np.sqrt(np.shape(x)[1]), np.asarray(y) * np.sqrt(np.shape(y)[1]))

    def squared_kernel(x, y):
        k = lambda a, b: (a @ b.T / a.shape[1] + 1) ** 2  # noqa: E731
        kxx, kyy = k(x, x), k(y, y)
        m, n = len(x), len(y)
        return ((kxx.sum() - np.trace(kxx)) / (m * (m - 1)) + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
                - 2 * k(x, y).mean())

    def with_sqrt(x, y):
        return np.sqrt(abs(mmd2_solution(x, y)))

    def per_pair(x, y):
        return _kernel(x, y)

    expect_wrong(capsys, "8.4", lambda: checks.check_8_4(v_statistic), "diagonal terms", "biased")
    expect_wrong(capsys, "8.4", lambda: checks.check_8_4(diagonal_out_over_m_squared), "m(m-1) pairs")
    expect_wrong(capsys, "8.4", lambda: checks.check_8_4(one_pair_count), "expected -2.375")
    expect_wrong(capsys, "8.4", lambda: checks.check_8_4(cross_once), "counted once")
    expect_wrong(capsys, "8.4", lambda: checks.check_8_4(dot_not_scaled), "divides the dot product")
    expect_wrong(capsys, "8.4", lambda: checks.check_8_4(squared_kernel), "degree 3")
    expect_wrong(capsys, "8.4", lambda: checks.check_8_4(with_sqrt), "square root")
    expect_wrong(capsys, "8.4", lambda: checks.check_8_4(per_pair), "one number")
    expect_wrong(capsys, "8.4", lambda: checks.check_8_4(lambda x, y: -mmd2_solution(x, y)), "wrong sign")
    expect_wrong(capsys, "8.4", lambda: checks.check_8_4(evaluate.mmd2_unbiased), "course's own version")
    expect_wrong(capsys, "8.4", lambda: checks.check_8_4(lambda x, y: evaluate.mmd2_unbiased(x, y)),
                 "calls evaluate.mmd2_unbiased")
    expect_wrong(capsys, "8.4", lambda: checks.check_8_4(lambda x, y: evaluate.kid(x, y, subsets=1, subset_size=2)),
                 "calls evaluate.mmd2_unbiased")
    expect_wrong(capsys, "8.4", lambda: checks.check_8_4("mmd"), "should be a function")


@pytest.mark.parametrize("name", ["check_8_1", "check_8_2", "check_8_3", "check_8_4"])
def test_every_check_has_a_docstring(name):
    assert getattr(checks, name).__doc__


# ------------------------------------------------- the library's own versions, and more wrong answers (issue 19)


def test_8_1_refuses_the_librarys_neighbour_search(capsys):
    # Before: passed (the prompt said NumPy only; nothing checked it).
    def via_library(points, k):
        return neighbours.nearest_neighbours(points, points, k=k + 1)[0][:, k]

    expect_wrong(capsys, "8.1", lambda: checks.check_8_1(via_library), "calls neighbours.nearest_neighbours")

    def manhattan(points, k):  # L1 distance instead of Euclidean: right on a line, wrong in 5-D
        d = np.abs(points[:, None, :] - points[None, :, :]).sum(-1)
        return np.sort(d, axis=1)[:, k]

    def unsorted_column(points, k):  # column k of the distance matrix, not of the sorted rows
        return _distances(points)[:, k]

    expect_wrong(capsys, "8.1", lambda: checks.check_8_1(manhattan), "60 random points", "Euclidean")
    expect_wrong(capsys, "8.1", lambda: checks.check_8_1(unsorted_column), "expected [1.0, 1.0, 2.0, 4.0]")
    ok, out = verdict(capsys, "8.1", lambda: checks.check_8_1(unsorted_column))
    assert "take column k" not in out and "*other* point" in out, out


def test_8_2_refuses_the_librarys_precision(capsys):
    expect_wrong(capsys, "8.2",
                 lambda: checks.check_8_2(lambda r, f, k: evaluate.precision_recall(r, f, k=k)["precision"]),
                 "calls evaluate.precision_recall")

    def mean_radius(real, fake, k):  # one ball size for every real point (the mean radius)
        radius = kth_radius_solution(real, k).mean()
        d = np.linalg.norm(fake[:, None, :] - real[None, :, :], axis=-1)
        return float(np.mean((d <= radius).any(axis=1)))

    def fake_radii(real, fake, k):  # balls around the real points sized by the *fake* points' radii
        r = kth_radius_solution(fake, k)
        d = np.linalg.norm(fake[:, None, :] - real[None, :, :], axis=-1)
        return float(np.mean((d <= r[None, :len(real)]).any(axis=1)))

    expect_wrong(capsys, "8.2", lambda: checks.check_8_2(mean_radius), "expected")
    expect_wrong(capsys, "8.2", lambda: checks.check_8_2(fake_radii), "expected")


def test_8_3_more_wrong_answers(capsys, train_digits):
    # Copies of five digits only: unbalanced, so the score stays low.
    five = np.stack([train_digits.images[np.flatnonzero(train_digits.labels == d)[0]] for d in range(5)])
    expect_wrong(capsys, "8.3", lambda: checks.check_8_3(np.tile(five, (200, 1, 1, 1))),
                 "classifier score of your images is", "all ten digits")
    # Ink and background swapped (the images "inverted" by 1 - x on the [0, 1] scale, here -x).
    expect_wrong(capsys, "8.3", lambda: checks.check_8_3(-cheat_solution(train_digits)), "classifier score")
    # Training digits themselves, all different: real-looking, but they game nothing (memorised, so exposed)
    # -- while held-out digits, also all different, are not exposed at all:
    held = data.load_digits("heldout", verbose=False).images
    expect_wrong(capsys, "8.3", lambda: checks.check_8_3(held[1000:2000]), "nothing exposes")
