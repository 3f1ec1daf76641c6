"""gan_lib.lessons.latent_edit (lesson 11) on cases with a known answer."""

import numpy as np
import pytest

from gan_lib import checks, data, latent_edit


def test_slant_is_zero_upright_and_signed_by_the_lean():
    upright = latent_edit.draw_strokes([(0.5, 0.1, 0.5, 0.9)])
    right = latent_edit.draw_strokes([(0.35, 0.9, 0.65, 0.1)])  # bottom left to top right: leans right
    left = latent_edit.draw_strokes([(0.35, 0.1, 0.65, 0.9)])  # top left to bottom right: leans left
    s = latent_edit.slant(np.stack([upright, right, left]))
    assert abs(s[0]) < 1e-6
    assert s[1] > 0.2 and s[2] < -0.2
    np.testing.assert_allclose(s[1], -s[2], rtol=1e-6)


def test_thickness_is_lesson07s_ink_and_grows_with_the_stroke():
    thin = latent_edit.draw_strokes([(0.5, 0.1, 0.5, 0.9)], width=0.8)
    thick = latent_edit.draw_strokes([(0.5, 0.1, 0.5, 0.9)], width=2.0)
    from gan_lib import conditional
    x = np.stack([thin, thick])
    np.testing.assert_array_equal(latent_edit.thickness(x), conditional.ink(x))
    assert latent_edit.thickness(x)[1] > 2 * latent_edit.thickness(x)[0]


def test_letters_are_images_in_the_course_format():
    letters = latent_edit.draw_letters()
    data.check_images(letters)
    assert letters.shape == (len(latent_edit.LETTER_STROKES), 28, 28, 1)
    assert letters.min() == -1.0 and letters.max() == 1.0
    assert len({x.tobytes() for x in letters}) == len(letters)


def test_probe_direction_recovers_a_known_direction_up_to_noise():
    rng = np.random.default_rng(0)
    w = rng.standard_normal(10)
    w /= np.linalg.norm(w)
    z = rng.standard_normal((2000, 10))
    d = latent_edit.probe_direction(z, 5 + 2 * z @ w + 0.1 * rng.standard_normal(2000))
    assert abs(np.linalg.norm(d) - 1) < 1e-12 and d @ w > 0.999


def test_nearest_training_mse_matches_brute_force():
    rng = np.random.default_rng(1)
    a, b = rng.uniform(-1, 1, (7, 28, 28, 1)), rng.uniform(-1, 1, (30, 28, 28, 1))
    brute = ((a[:, None] - b[None]) ** 2).reshape(7, 30, -1).mean(2)
    best, idx = latent_edit.nearest_training_mse(a, b, batch=3)
    np.testing.assert_allclose(best, brute.min(1), rtol=1e-9)
    np.testing.assert_array_equal(idx, brute.argmin(1))


def test_monotonic_and_class_kept():
    assert latent_edit.monotonic([[1, 2, 3], [1, 1, 2], [3, 2, 1]]).tolist() == [True, False, False]
    assert latent_edit.class_kept([[4, 4, 4], [4, 9, 4]]).tolist() == [True, False]


def test_invert_finds_latents_of_a_generators_own_images():
    g = checks.lesson11.toy_generator()
    z_true = np.random.default_rng(2).standard_normal((5, 8)).astype("float32")
    x = np.asarray(g(z_true))
    out = latent_edit.invert(g, x, steps=150, restarts=2, record_at=(0, 150))
    assert out["z"].shape == (5, 8) and out["curve"][150] < 0.2 * out["curve"][0]
    assert out["mse"].mean() < 0.01
    shell = latent_edit.invert(g, x, steps=20, restarts=1, project="shell", record_at=(0,))
    np.testing.assert_allclose(np.linalg.norm(shell["z"], axis=1), np.sqrt(8), rtol=1e-4)


def test_stored_generator_round_trip(tmp_path):
    from gan_lib import models

    gen, _ = models.build(latent_edit.MODEL)
    path = latent_edit.store_generator(gen, tmp_path / "g.npz", "note")
    back = latent_edit.load_generator(path)
    for a, b in zip(gen.get_weights(), back.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("seed", latent_edit.SEEDS)
def test_the_stored_generators_are_there_and_small(seed):
    path = latent_edit.results_dir() / latent_edit.generator_file(seed)
    assert path.stat().st_size < 1_500_000
    note = latent_edit.generator_note(seed)
    assert note["seed"] == seed and note["run_config"]["model"] == latent_edit.MODEL


def test_conditional_direction_of_the_worked_case():
    d = np.array([1.0, 1.0, 0.0]) / np.sqrt(2)
    np.testing.assert_allclose(latent_edit.conditional_direction(d, [[1.0, 0.0, 0.0]]), [0.0, 1.0, 0.0], atol=1e-12)
    # already orthogonal to the basis: unchanged
    np.testing.assert_allclose(latent_edit.conditional_direction([0.0, 0.6, 0.8], [[1.0, 0.0, 0.0]]),
                               [0.0, 0.6, 0.8], atol=1e-12)


def test_conditional_direction_refuses_what_it_cannot_do():
    with pytest.raises(ValueError, match="inside the class directions' span"):
        latent_edit.conditional_direction([1.0, 0.0, 0.0], [[1.0, 0.0, 0.0]])
    with pytest.raises(ValueError, match="latent space"):
        latent_edit.conditional_direction([1.0, 0.0], [[1.0, 0.0, 0.0]])


def test_class_directions_of_the_worked_case():
    z = np.random.default_rng(0).standard_normal((4000, 3))
    basis = latent_edit.class_directions(z, (z[:, 0] > 0).astype(int), n_classes=2)
    assert basis.shape == (1, 3)  # two one-hot probes with weights summing to zero: one direction
    assert abs(basis[0, 0]) > 0.99


def test_class_directions_are_orthonormal_and_span_the_class_probes():
    rng = np.random.default_rng(1)
    z = rng.standard_normal((6000, 12))
    w = rng.standard_normal((12, 4))  # four classes: the largest of four linear scores
    classes = np.argmax(z @ w, axis=1)
    basis = latent_edit.class_directions(z, classes, n_classes=4)
    assert basis.shape == (3, 12)
    np.testing.assert_allclose(basis @ basis.T, np.eye(3), atol=1e-10)
    # every difference of two class scores lies (nearly) in the span: projecting it out leaves little
    for i, j in [(0, 1), (1, 2), (0, 3)]:
        v = w[:, i] - w[:, j]
        v /= np.linalg.norm(v)
        assert np.linalg.norm(basis @ v) > 0.95
    # and a direction along which no class score changes is left alone
    free = np.linalg.svd(w.T)[2][-1]  # orthogonal to every column of w
    np.testing.assert_allclose(np.abs(latent_edit.conditional_direction(free, basis) @ free), 1.0, atol=0.02)
    with pytest.raises(ValueError, match="one class per latent"):
        latent_edit.class_directions(z, classes[:-1], n_classes=4)
