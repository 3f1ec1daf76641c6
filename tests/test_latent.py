"""Behaviour of gan_lib.core.latent: lerp and slerp paths, and finding latents for a chosen digit."""

import numpy as np
import pytest

from gan_lib import latent


@pytest.fixture
def pair():
    rng = np.random.default_rng(0)
    return rng.standard_normal(64), rng.standard_normal(64)


def test_lerp_endpoints_and_midpoint(pair):
    z0, z1 = pair
    np.testing.assert_allclose(latent.lerp(z0, z1, 0.0), z0, atol=1e-6)
    np.testing.assert_allclose(latent.lerp(z0, z1, 1.0), z1, atol=1e-6)
    np.testing.assert_allclose(latent.lerp(z0, z1, 0.5), (z0 + z1) / 2, atol=1e-6)
    assert latent.lerp(z0, z1, [0, 0.5, 1]).shape == (3, 64)
    assert latent.lerp(z0, z1, 0.5).dtype == np.float32


def test_slerp_endpoints(pair):
    z0, z1 = pair
    np.testing.assert_allclose(latent.slerp(z0, z1, 0.0), z0, atol=1e-5)
    np.testing.assert_allclose(latent.slerp(z0, z1, 1.0), z1, atol=1e-5)
    assert latent.slerp(z0, z1, np.linspace(0, 1, 7)).shape == (7, 64)


def test_slerp_keeps_the_length_of_equal_length_vectors(pair):
    z0, z1 = pair
    z1 = z1 / np.linalg.norm(z1) * np.linalg.norm(z0)
    norms = np.linalg.norm(latent.slerp(z0, z1, np.linspace(0, 1, 11)), axis=1)
    np.testing.assert_allclose(norms, np.linalg.norm(z0), rtol=1e-5)
    # while the straight line sags in the middle (about 1/sqrt(2) for near-orthogonal vectors)
    assert np.linalg.norm(latent.lerp(z0, z1, 0.5)) < 0.8 * np.linalg.norm(z0)


def test_slerp_follows_the_arc_at_constant_angular_speed(pair):
    z0, z1 = pair
    u0, u1 = z0 / np.linalg.norm(z0), z1 / np.linalg.norm(z1)
    theta = np.arccos(u0 @ u1)
    mid = latent.slerp(u0, u1, 0.25)
    assert np.isclose(np.arccos(np.clip(mid @ u0 / np.linalg.norm(mid), -1, 1)), 0.25 * theta, atol=1e-5)


def test_slerp_of_parallel_vectors_falls_back_to_lerp(pair):
    z0, _ = pair
    out = latent.slerp(z0, 2 * z0, 0.5)
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out, 1.5 * z0, rtol=1e-5)
    np.testing.assert_allclose(latent.slerp(np.zeros(4), np.ones(4), 0.5), 0.5 * np.ones(4))


def test_path_and_its_errors(pair):
    z0, z1 = pair
    p = latent.path(z0, z1, steps=5)
    assert p.shape == (5, 64)
    np.testing.assert_allclose(p[[0, -1]], [z0, z1], atol=1e-5)
    with pytest.raises(ValueError, match="slerp' or 'lerp"):
        latent.path(z0, z1, method="cubic")
    with pytest.raises(ValueError, match="at least 2"):
        latent.path(z0, z1, steps=1)
    with pytest.raises(ValueError, match="same length"):
        latent.lerp(z0, z1[:3], 0.5)


class DigitStamp:
    """Stands in for a GAN: each latent's sign of z[0] picks a real held-out 1 or 7."""

    latent_dim = 8

    def __init__(self):
        from gan_lib import data

        held = data.load_digits("heldout", verbose=False)
        self.one = held.images[held.labels == 1][0]
        self.seven = held.images[held.labels == 7][0]

    def generate(self, z):
        return np.where(np.asarray(z)[:, :1, None, None] > 0, self.one, self.seven).astype("float32")


def test_find_digit_latents_returns_latents_read_as_that_digit():
    gan = DigitStamp()
    z, conf = latent.find_digit_latents(gan, 7, n=3, candidates=50, seed=1)
    assert z.shape == (3, 8) and conf.shape == (3,)
    assert np.all(z[:, 0] <= 0)                      # the latents that draw the 7
    assert np.all(np.diff(conf) <= 0) and conf[0] > 0.9
    read, _ = latent.classify(gan.generate(z))
    assert np.all(read == 7)


def test_find_digit_latents_says_when_the_digit_is_missing():
    with pytest.raises(ValueError, match="read as a 3"):
        latent.find_digit_latents(DigitStamp(), 3, candidates=20)
    with pytest.raises(ValueError, match="from 0 to 9"):
        latent.find_digit_latents(DigitStamp(), 12)
