"""gan_lib.measure.mixtures: the benchmarks' geometry and their metrics on hand-made sample sets."""

import math

import numpy as np
import pytest

from gan_lib import mixtures, models

RING = mixtures.get("ring")
GRID = mixtures.get("grid")


def test_benchmark_geometry():
    assert RING.n_modes == 8 and RING.std == 0.01 and RING.radius == pytest.approx(0.03)
    np.testing.assert_allclose(RING.means[2], [0.0, 1.0], atol=1e-12)  # 2 pi * 2/8 = 90 degrees
    np.testing.assert_allclose(np.linalg.norm(RING.means, axis=1), 1.0)
    assert GRID.n_modes == 25 and GRID.std == 0.05 and GRID.radius == pytest.approx(0.15)
    assert {tuple(m) for m in GRID.means} == {(x, y) for x in (-4, -2, 0, 2, 4) for y in (-4, -2, 0, 2, 4)}


def test_all_modes_equally_often():
    x = np.repeat(RING.means, 10, axis=0) + 0.02  # every point 0.028 < 0.03 from its mode
    r = mixtures.score(x, "ring")
    assert (r["modes"], r["high_quality"], r["reverse_kl"], r["n"]) == (8, 1.0, 0.0, 80)
    assert r["counts"] == [10] * 8
    assert mixtures.meets_target(r)


def test_one_mode_gives_log_k():
    x = np.tile(GRID.means[7], (2500, 1)) + np.array([0.1, 0.0])
    r = mixtures.score(x, GRID)
    assert r["modes"] == 1 and r["high_quality"] == 1.0
    assert r["reverse_kl"] == pytest.approx(math.log(25))
    assert not mixtures.meets_target(r)


def test_all_far_away_has_no_reverse_kl():
    x = np.full((2500, 2), 5.0)
    r = mixtures.score(x, "ring")
    assert (r["modes"], r["high_quality"], r["reverse_kl"]) == (0, 0.0, None)
    assert "no high-quality sample" in mixtures.summary(r)
    assert not mixtures.meets_target(r)


def test_mixed_set_by_hand():
    # 4 samples at mode 0, 2 at mode 1, 1 just outside mode 2's radius, 1 far away: n = 8.
    m = RING.means
    x = np.concatenate([np.tile(m[0], (4, 1)), np.tile(m[1], (2, 1)), m[2:3] + [0.031, 0.0], [[10.0, 0.0]]])
    r = mixtures.score(x, "ring")
    assert r["modes"] == 2 and r["high_quality"] == pytest.approx(6 / 8)
    expected = 2 / 3 * math.log(8 * 2 / 3) + 1 / 3 * math.log(8 / 3)
    assert r["reverse_kl"] == pytest.approx(expected)
    inside = mixtures.score(m[2:3] + [0.029, 0.0], "ring")
    assert inside["modes"] == 1 and inside["high_quality"] == 1.0


def test_real_samples_score_like_a_gaussian():
    # Within 3 std in 2-D: P(chi2 with 2 dof <= 9) = 1 - exp(-4.5) = 0.9889.
    for mix in (RING, GRID):
        r = mixtures.score(mix.sample(2500, seed=1), mix)
        assert r["modes"] == mix.n_modes
        assert r["high_quality"] == pytest.approx(1 - math.exp(-4.5), abs=0.01)
        assert r["reverse_kl"] < 0.05
    a, b = RING.sample(100, seed=3), RING.sample(100, seed=3)
    assert a.dtype == np.float32 and a.shape == (100, 2)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, RING.sample(100, seed=4))


@pytest.mark.parametrize("bad, message", [
    (np.zeros((10, 3)), "expected (N, 2)"),
    (np.zeros(10), "expected (N, 2)"),
    (np.zeros((0, 2)), "empty"),
    (np.array([[np.nan, 0.0]]), "NaN"),
])
def test_bad_samples_get_clear_errors(bad, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        mixtures.score(bad, "ring")


def test_bad_names_and_counts():
    with pytest.raises(ValueError, match="Valid names: ring, grid"):
        mixtures.get("spiral")
    with pytest.raises(ValueError, match="positive whole number"):
        RING.sample(0)
    assert mixtures.reverse_kl([0, 0, 0]) is None
    assert mixtures.reverse_kl([5, 0]) == pytest.approx(math.log(2))
    with pytest.raises(ValueError, match="negative"):
        mixtures.reverse_kl([1, -1])
    with pytest.raises(ValueError, match="1-D"):
        mixtures.reverse_kl([[1, 2]])


def test_draw_from_a_generator():
    g, _ = models.toy_mlp(latent_dim=4, width=8, depth=1)
    x = mixtures.draw(g, 300, seed=5)
    assert x.shape == (300, 2) and x.dtype == np.float32
    # other batch sizes may round the last bit differently on some CPUs (oneDNN picks kernels by batch size)
    np.testing.assert_allclose(x, mixtures.draw(g, 300, seed=5, batch_size=7), rtol=0, atol=1e-6)
    assert not np.array_equal(x, mixtures.draw(g, 300, seed=6))
    g3, _ = models.build("mlp", latent_dim=4)
    with pytest.raises(ValueError, match=r"must return \(N, 2\)"):
        mixtures.draw(g3, 10)
    with pytest.raises(TypeError, match="needs a GAN or a built Keras generator"):
        mixtures.draw(object(), 10)
    with pytest.raises(ValueError, match="positive whole number"):
        mixtures.draw(g, 0)
