"""Behaviour of gan_lib.measure.evaluate on point sets whose answers are known by hand."""

import numpy as np
import pytest

from gan_lib import evaluate, metrics

# --------------------------------------------------------------------------- precision and recall


def test_identical_sets_have_precision_and_recall_one():
    x = np.random.default_rng(3).normal(size=(200, 5))
    assert evaluate.precision_recall(x, x, k=3) == {"precision": 1.0, "recall": 1.0, "k": 3, "n_real": 200,
                                                   "n_fake": 200}


def test_far_apart_sets_have_precision_and_recall_zero():
    rng = np.random.default_rng(4)
    r = evaluate.precision_recall(rng.normal(size=(150, 3)), rng.normal(size=(150, 3)) + 100.0)
    assert r["precision"] == 0.0 and r["recall"] == 0.0


def test_one_of_two_clusters_keeps_precision_and_halves_recall():
    """Real data: two far clusters; the 'generator' draws only one of them (mode collapse)."""
    rng = np.random.default_rng(5)
    real = np.concatenate([rng.normal(size=(200, 2)), rng.normal(size=(200, 2)) + 50.0])
    fake = rng.normal(size=(400, 2))
    r = evaluate.precision_recall(real, fake, k=3)
    assert r["precision"] > 0.95
    assert 0.45 <= r["recall"] <= 0.5  # the far cluster (half the real points) is never covered


def test_precision_recall_by_hand_on_a_line():
    # real at 0, 1, 2, 3 with k=1: every radius is 1, so the real manifold is [-1, 4].
    real = np.array([[0.0], [1.0], [2.0], [3.0]])
    fake = np.array([[0.5], [3.9], [4.5], [10.0]])
    # fake radii (k=1): 3.4, 0.6, 0.6, 5.5 -> balls [-2.9, 3.9], [3.3, 4.5], [3.9, 5.1], [4.5, 15.5]
    r = evaluate.precision_recall(real, fake, k=1)
    assert r["precision"] == 0.5      # 0.5 and 3.9 inside, 4.5 and 10 outside
    assert r["recall"] == 1.0         # 0..3 all inside the first fake ball


@pytest.mark.parametrize("real, fake, kw, phrase", [
    (np.zeros((3, 2)), np.zeros((10, 2)), {}, "real_features has 3 items"),
    (np.zeros((10, 2)), np.zeros((10, 3)), {}, "2 values each"),
    (np.zeros((10, 2)), np.zeros((0, 2)), {}, "fake_features is empty"),
    (np.zeros((10, 2)), np.zeros((10, 2)), {"k": 0}, "k=0"),
])
def test_precision_recall_bad_input(real, fake, kw, phrase):
    with pytest.raises(ValueError, match=phrase):
        evaluate.precision_recall(real, fake, **kw)


# --------------------------------------------------------------------------- density and coverage


def test_density_and_coverage_by_hand_on_a_line():
    # real at 0, 1, 2, 3 with k=1: balls [-1, 1], [0, 2], [1, 3], [2, 4].
    # fake 0.5 lies in the balls of 0 and 1, 3.9 in the ball of 3, 4.5 and 10 in none.
    r = evaluate.density_coverage(np.array([[0.0], [1.0], [2.0], [3.0]]),
                                  np.array([[0.5], [3.9], [4.5], [10.0]]), k=1)
    assert r["density"] == pytest.approx(3 / 4)    # (2 + 1 + 0 + 0) / (k * 4)
    assert r["coverage"] == pytest.approx(3 / 4)   # the ball of 2 ([1, 3]) holds no fake


def test_one_real_outlier_fools_precision_but_not_density_and_coverage():
    """A generator that puts every sample at one point next to a real outlier (an untrained G)."""
    rng = np.random.default_rng(7)
    real = np.concatenate([rng.normal(size=(199, 2)), [[12.0, 0.0]]])  # one outlier with a huge ball
    fake = np.tile([[9.0, 0.0]], (200, 1))
    pr = evaluate.precision_recall(real, fake, k=3)
    dc = evaluate.density_coverage(real, fake, k=3)
    assert pr["precision"] == 1.0               # every sample inside the outlier's ball
    assert dc["density"] == pytest.approx(1 / 3)  # ... but inside one ball, not about k
    assert dc["coverage"] == pytest.approx(1 / 200)


def test_density_and_coverage_of_identical_sets():
    x = np.random.default_rng(8).normal(size=(300, 4))
    r = evaluate.density_coverage(x, x, k=5)
    assert r["coverage"] == 1.0
    assert 0.9 < r["density"] < 1.3   # each point lies in its own ball and in about k others on average


def test_density_coverage_bad_input():
    with pytest.raises(ValueError, match="more than k=5"):
        evaluate.density_coverage(np.zeros((5, 2)), np.zeros((10, 2)))
    with pytest.raises(ValueError, match="fake_features is empty"):
        evaluate.density_coverage(np.zeros((10, 2)), np.zeros((0, 2)))


# --------------------------------------------------------------------------- FD at several sample sizes


def test_fd_by_sample_size_shows_the_small_n_bias():
    rng = np.random.default_rng(6)
    a, b = rng.normal(size=(2000, 8)), rng.normal(size=(2000, 8))  # the same distribution: true FD is 0
    rows = evaluate.fd_by_sample_size(a, b, [50, 200, 2000], repeats=3, seed=0)
    assert [r["n"] for r in rows] == [50, 200, 2000] and all(len(r["fds"]) == 3 for r in rows)
    means = [r["fd_mean"] for r in rows]
    assert means[0] > means[1] > means[2] > 0  # biased upwards, less so with more samples
    assert rows[2]["fd_mean"] == pytest.approx(metrics.frechet_distance(a, b))  # n = all: no sampling left
    assert rows[2]["fd_std"] == pytest.approx(0.0, abs=1e-9)
    # the bias falls roughly like 1/n: 40x fewer samples, many times the FD
    assert means[0] > 10 * means[2]


def test_fd_extrapolate_recovers_a_line_in_one_over_n():
    rows = [{"n": n, "fd_mean": 4.0 + 300.0 / n} for n in (100, 250, 1000)]
    fit = evaluate.fd_extrapolate(rows)
    assert fit["fd_inf"] == pytest.approx(4.0) and fit["slope"] == pytest.approx(300.0)
    with pytest.raises(ValueError, match="two or more different sample sizes"):
        evaluate.fd_extrapolate(rows[:1])


def test_fd_by_sample_size_bad_sizes():
    a = np.zeros((10, 2))
    with pytest.raises(ValueError, match="2 <= n <= 10"):
        evaluate.fd_by_sample_size(a, a, [20])
    with pytest.raises(ValueError, match="sizes is empty"):
        evaluate.fd_by_sample_size(a, a, [])
