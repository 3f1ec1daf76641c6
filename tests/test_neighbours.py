"""Behaviour of gan_lib.measure.neighbours on point sets whose answers are known by hand."""

import numpy as np
import pytest

from gan_lib import neighbours

# --------------------------------------------------------------------------- nearest_neighbours


def test_nearest_neighbours_by_hand():
    refs = np.array([[0.0, 0.0], [3.0, 4.0], [10.0, 0.0]])
    queries = np.array([[0.0, 1.0], [3.0, 4.0], [9.0, 0.0]])
    dist, idx = neighbours.nearest_neighbours(queries, refs, k=2)
    assert dist.shape == idx.shape == (3, 2)
    np.testing.assert_array_equal(idx, [[0, 1], [1, 0], [2, 1]])
    np.testing.assert_allclose(dist, [[1.0, np.hypot(3, 3)], [0.0, 5.0], [1.0, np.hypot(6, 4)]])


def test_nearest_neighbours_flattens_images_and_matches_brute_force():
    rng = np.random.default_rng(0)
    refs = rng.uniform(-1, 1, (57, 6, 5, 1)).astype("float32")
    queries = rng.uniform(-1, 1, (23, 6, 5, 1)).astype("float32")
    dist, idx = neighbours.nearest_neighbours(queries, refs, k=3, batch_size=4)  # several blocks
    brute = np.linalg.norm(queries.reshape(23, 1, -1).astype(np.float64) - refs.reshape(1, 57, -1), axis=2)
    want_idx = np.argsort(brute, axis=1, kind="stable")[:, :3]
    np.testing.assert_array_equal(idx, want_idx)
    np.testing.assert_allclose(dist, np.take_along_axis(brute, want_idx, 1), rtol=1e-12)
    assert np.all(np.diff(dist, axis=1) >= 0)


def test_identical_image_has_distance_exactly_zero():
    rng = np.random.default_rng(1)
    refs = rng.uniform(-1, 1, (40, 28, 28, 1)) * 100  # large values: the |a|^2+|b|^2-2ab trick alone leaves rounding
    dist, idx = neighbours.nearest_neighbours(refs[[7, 30]], refs)
    assert idx[:, 0].tolist() == [7, 30]
    assert dist[:, 0].tolist() == [0.0, 0.0]


def test_ties_go_to_the_lower_index():
    refs = np.array([[1.0], [-1.0], [1.0]])
    _, idx = neighbours.nearest_neighbours(np.array([[0.0]]), refs, k=3)
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
        neighbours.nearest_neighbours(queries, refs, **kw)


def test_nearest_neighbours_non_numeric():
    with pytest.raises(TypeError, match="numeric"):
        neighbours.nearest_neighbours([["a", "b"]], np.zeros((3, 2)))


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
    r = neighbours.memorisation(samples, train, held)
    assert r["sample_distances"][5] == 0.0 and r["sample_distances"][17] == 0.0
    assert r["sample_train_index"][5] == 123 and r["sample_train_index"][17] == 45
    assert r["flagged"][5] and r["flagged"][17]
    assert r["exact_copies"] == 2
    assert {r["closest"][0][:2], r["closest"][1][:2]} == {(5, 123), (17, 45)}
    assert r["closest"][0][2] == 0.0 and len(r["closest"]) == 8


def test_new_samples_look_like_held_out_and_copies_do_not(point_clouds):
    train, held, new = point_clouds
    fresh = neighbours.memorisation(new, train, held)
    assert set(fresh["share_below"]) == {1.0, 5.0}
    assert fresh["share_below"][1.0] < 0.04 and fresh["share_below"][5.0] < 0.12
    assert 0.85 < fresh["median_ratio"] < 1.15
    assert fresh["exact_copies"] == 0
    copies = neighbours.memorisation(train[:200] + 0.01, train, held)  # near-copies
    assert copies["share_below"][1.0] == 1.0 and copies["share_below"][5.0] == 1.0
    assert copies["median_ratio"] < 0.05 and copies["flagged"].all()
    # the thresholds are percentiles of the held-out distances, computed by hand here
    d_held = np.min(np.linalg.norm(held.reshape(300, 1, -1) - train.reshape(1, 400, -1), axis=2), axis=1)
    assert fresh["thresholds"][5.0] == pytest.approx(np.percentile(d_held, 5))
    assert fresh["median_held_out"] == pytest.approx(np.median(d_held))


def test_memorisation_with_a_feature_function(point_clouds):
    train, held, new = point_clouds
    first_pixel = lambda x: np.asarray(x).reshape(len(x), -1)[:, :1]  # noqa: E731
    r = neighbours.memorisation(new, train, held, features=first_pixel, percentiles=(10,), n_closest=3)
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
        neighbours.memorisation(new, train, held, **kw)


def test_memorisation_bad_shapes(point_clouds):
    train, held, new = point_clouds
    with pytest.raises(ValueError, match="samples is empty"):
        neighbours.memorisation(new[:0], train, held)
    with pytest.raises(ValueError, match="at least 2"):
        neighbours.memorisation(new, train, held[:1])
    with pytest.raises(ValueError, match="16 values each"):
        neighbours.memorisation(new, train[:, :2], held)


def test_memorisation_summary_mentions_the_calibration(point_clouds):
    train, held, new = point_clouds
    text = neighbours.memorisation_summary(neighbours.memorisation(train[:10], train, held))
    assert "100.0% below the held-out 1st percentile" in text and "(new digits: 1%)" in text
    assert "exact copies: 10 of 10" in text
