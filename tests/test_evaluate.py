"""Behaviour of gan_lib.measure.evaluate on point sets whose answers are known by hand."""

import numpy as np
import pytest

from gan_lib import evaluate, metrics

# --------------------------------------------------------------------------- nearest_neighbours


def test_nearest_neighbours_by_hand():
    refs = np.array([[0.0, 0.0], [3.0, 4.0], [10.0, 0.0]])
    queries = np.array([[0.0, 1.0], [3.0, 4.0], [9.0, 0.0]])
    dist, idx = evaluate.nearest_neighbours(queries, refs, k=2)
    assert dist.shape == idx.shape == (3, 2)
    np.testing.assert_array_equal(idx, [[0, 1], [1, 0], [2, 1]])
    np.testing.assert_allclose(dist, [[1.0, np.hypot(3, 3)], [0.0, 5.0], [1.0, np.hypot(6, 4)]])


def test_nearest_neighbours_flattens_images_and_matches_brute_force():
    rng = np.random.default_rng(0)
    refs = rng.uniform(-1, 1, (57, 6, 5, 1)).astype("float32")
    queries = rng.uniform(-1, 1, (23, 6, 5, 1)).astype("float32")
    dist, idx = evaluate.nearest_neighbours(queries, refs, k=3, batch_size=4)  # several blocks
    brute = np.linalg.norm(queries.reshape(23, 1, -1).astype(np.float64) - refs.reshape(1, 57, -1), axis=2)
    want_idx = np.argsort(brute, axis=1, kind="stable")[:, :3]
    np.testing.assert_array_equal(idx, want_idx)
    np.testing.assert_allclose(dist, np.take_along_axis(brute, want_idx, 1), rtol=1e-12)
    assert np.all(np.diff(dist, axis=1) >= 0)


def test_identical_image_has_distance_exactly_zero():
    rng = np.random.default_rng(1)
    refs = rng.uniform(-1, 1, (40, 28, 28, 1)) * 100  # large values: the |a|^2+|b|^2-2ab trick alone leaves rounding
    dist, idx = evaluate.nearest_neighbours(refs[[7, 30]], refs)
    assert idx[:, 0].tolist() == [7, 30]
    assert dist[:, 0].tolist() == [0.0, 0.0]


def test_ties_go_to_the_lower_index():
    refs = np.array([[1.0], [-1.0], [1.0]])
    _, idx = evaluate.nearest_neighbours(np.array([[0.0]]), refs, k=3)
    assert idx.tolist() == [[0, 1, 2]]


@pytest.mark.parametrize("queries, refs, kw, phrase", [
    (np.zeros((0, 4)), np.zeros((3, 4)), {}, "queries is empty"),
    (np.zeros((2, 4)), np.zeros((0, 4)), {}, "references is empty"),
    (np.zeros(4), np.zeros((3, 4)), {}, "one axis only"),
    (np.zeros((2, 4)), np.zeros((3, 5)), {}, "4 values each"),
    (np.zeros((2, 4)), np.zeros((3, 4)), {"k": 4}, "only 3 references"),
    (np.zeros((2, 4)), np.zeros((3, 4)), {"k": 0}, "k=0"),
    (np.zeros((2, 4)), np.zeros((3, 4)), {"batch_size": 0}, "batch_size=0"),
    (np.full((2, 4), np.nan), np.zeros((3, 4)), {}, "NaN"),
])
def test_nearest_neighbours_bad_input(queries, refs, kw, phrase):
    with pytest.raises(ValueError, match=phrase):
        evaluate.nearest_neighbours(queries, refs, **kw)


def test_nearest_neighbours_non_numeric():
    with pytest.raises(TypeError, match="numeric"):
        evaluate.nearest_neighbours([["a", "b"]], np.zeros((3, 2)))


# --------------------------------------------------------------------------- memorisation


@pytest.fixture(scope="module")
def point_clouds():
    """Training and held-out 'images' from one distribution, 4x4 pixels, plus new samples from it."""
    rng = np.random.default_rng(2)
    train = rng.normal(size=(400, 4, 4, 1))
    held = rng.normal(size=(300, 4, 4, 1))
    new = rng.normal(size=(300, 4, 4, 1))
    return train, held, new


def test_copied_training_image_is_flagged(point_clouds):
    train, held, new = point_clouds
    samples = new.copy()
    samples[[5, 17]] = train[[123, 45]]  # two exact copies of training images
    r = evaluate.memorisation(samples, train, held)
    assert r["sample_distances"][5] == 0.0 and r["sample_distances"][17] == 0.0
    assert r["sample_train_index"][5] == 123 and r["sample_train_index"][17] == 45
    assert r["flagged"][5] and r["flagged"][17]
    assert r["exact_copies"] == 2
    assert {r["closest"][0][:2], r["closest"][1][:2]} == {(5, 123), (17, 45)}
    assert r["closest"][0][2] == 0.0 and len(r["closest"]) == 8


def test_new_samples_look_like_held_out_and_copies_do_not(point_clouds):
    train, held, new = point_clouds
    fresh = evaluate.memorisation(new, train, held)
    assert set(fresh["share_below"]) == {1.0, 5.0}
    assert fresh["share_below"][1.0] < 0.04 and fresh["share_below"][5.0] < 0.12
    assert 0.85 < fresh["median_ratio"] < 1.15
    assert fresh["exact_copies"] == 0
    copies = evaluate.memorisation(train[:200] + 0.01, train, held)  # near-copies
    assert copies["share_below"][1.0] == 1.0 and copies["share_below"][5.0] == 1.0
    assert copies["median_ratio"] < 0.05 and copies["flagged"].all()
    # the thresholds are percentiles of the held-out distances, computed by hand here
    d_held = np.min(np.linalg.norm(held.reshape(300, 1, -1) - train.reshape(1, 400, -1), axis=2), axis=1)
    assert fresh["thresholds"][5.0] == pytest.approx(np.percentile(d_held, 5))
    assert fresh["median_held_out"] == pytest.approx(np.median(d_held))


def test_memorisation_with_a_feature_function(point_clouds):
    train, held, new = point_clouds
    first_pixel = lambda x: np.asarray(x).reshape(len(x), -1)[:, :1]  # noqa: E731
    r = evaluate.memorisation(new, train, held, features=first_pixel, percentiles=(10,), n_closest=3)
    d = np.min(np.abs(new.reshape(300, -1)[:, :1] - train.reshape(1, -1, 16)[0][:, 0][None, :]), axis=1)
    np.testing.assert_allclose(r["sample_distances"], d)
    assert list(r["thresholds"]) == [10.0] and len(r["closest"]) == 3


@pytest.mark.parametrize("kw, phrase", [
    ({"percentiles": (0,)}, "strictly between 0 and 100"),
    ({"percentiles": ()}, "strictly between"),
    ({"features": "inception"}, "'pixels'"),
    ({"n_closest": 0}, "n_closest=0"),
])
def test_memorisation_bad_options(point_clouds, kw, phrase):
    train, held, new = point_clouds
    with pytest.raises(ValueError, match=phrase):
        evaluate.memorisation(new, train, held, **kw)


def test_memorisation_bad_shapes(point_clouds):
    train, held, new = point_clouds
    with pytest.raises(ValueError, match="samples is empty"):
        evaluate.memorisation(new[:0], train, held)
    with pytest.raises(ValueError, match="at least 2"):
        evaluate.memorisation(new, train, held[:1])
    with pytest.raises(ValueError, match="16 values each"):
        evaluate.memorisation(new, train[:, :2], held)


def test_memorisation_summary_mentions_the_calibration(point_clouds):
    train, held, new = point_clouds
    text = evaluate.memorisation_summary(evaluate.memorisation(train[:10], train, held))
    assert "100.0% below the held-out 1st percentile" in text and "(new digits: 1%)" in text
    assert "exact copies: 10 of 10" in text


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
