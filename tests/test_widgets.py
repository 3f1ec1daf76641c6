"""The latent explorer (gan_lib.widgets): the callback from control values to an image, and its sliders."""

import numpy as np
import pytest

from gan_lib import models, widgets
from gan_lib.core.gan import GAN


@pytest.fixture(scope="module")
def digits_gan():
    """The course DCGAN, untrained: its images still depend on z (no training needed for these checks)."""
    g, d = models.build("dcgan")
    return GAN(g, d, seed=0)


@pytest.fixture(scope="module")
def cond_gan():
    g, d = models.build_conditional("cond_dcgan", n_classes=10)
    return GAN(g, d, n_classes=10, seed=0)


def test_directions_are_orthonormal_and_the_same_for_every_call():
    u, v = widgets.directions(64)
    assert np.allclose([u @ u, v @ v, u @ v], [1, 1, 0], atol=1e-12)
    assert np.array_equal(widgets.directions(64), np.stack([u, v]))


def test_latent_moves_by_a_and_b_along_the_directions():
    u, v = widgets.directions(8)
    z0 = widgets.explorer_latent(8, seed=3)
    z = widgets.explorer_latent(8, seed=3, a=2.0, b=-1.0)
    assert np.allclose(z - z0, 2.0 * u - 1.0 * v, atol=1e-6)
    assert not np.allclose(widgets.explorer_latent(8, seed=4), z0)
    # truncation bounds the base latent only
    assert np.abs(widgets.explorer_latent(8, seed=3, truncation=0.5)).max() <= 0.5 + 1e-6


def test_same_controls_give_the_identical_image_and_each_control_changes_it(digits_gan):
    base = widgets.explorer_image(digits_gan, seed=1, a=0.5, b=-0.5)
    assert base.shape == (28, 28, 1)
    assert np.array_equal(base, widgets.explorer_image(digits_gan, seed=1, a=0.5, b=-0.5))
    for changed in (dict(seed=2, a=0.5, b=-0.5), dict(seed=1, a=1.5, b=-0.5), dict(seed=1, a=0.5, b=0.5),
                    dict(seed=1, a=0.5, b=-0.5, truncation=0.25)):
        assert not np.array_equal(base, widgets.explorer_image(digits_gan, **changed)), changed


def test_class_control_changes_the_image_not_the_latent(cond_gan):
    zero = widgets.explorer_image(cond_gan, seed=0, label=0)
    seven = widgets.explorer_image(cond_gan, seed=0, label=7)
    assert not np.array_equal(zero, seven)
    assert np.array_equal(zero, widgets.explorer_image(cond_gan, seed=0, label=0))


def test_bad_controls_are_refused_with_what_to_do(digits_gan, cond_gan):
    with pytest.raises(ValueError, match="unconditional; it takes no class"):
        widgets.explorer_image(digits_gan, label=3)
    with pytest.raises(ValueError, match="needs a class from 0 to 9"):
        widgets.explorer_image(cond_gan, label=10)
    with pytest.raises(ValueError, match="needs a class from 0 to 9"):
        widgets.explorer_image(cond_gan)
    with pytest.raises(ValueError, match="a=nan: give a number"):
        widgets.explorer_latent(8, a=float("nan"))
    with pytest.raises(ValueError, match="seed=-1"):
        widgets.explorer_latent(8, seed=-1)
    with pytest.raises(ValueError, match="threshold=-1"):
        widgets.explorer_latent(8, truncation=-1)


def test_sliders_drive_the_image(digits_gan, cond_gan):
    box, controls, image = widgets.explorer(digits_gan, seed=5)
    assert set(controls) == {"seed", "a", "b", "truncation"}
    first = image.value
    assert first == widgets.to_png(widgets.explorer_image(digits_gan, seed=5))
    controls["a"].value = 1.0
    moved = image.value
    assert moved != first and moved == widgets.to_png(widgets.explorer_image(digits_gan, seed=5, a=1.0))
    controls["a"].value = 0.0
    assert image.value == first  # back to the same z: the same picture
    controls["truncation"].value = 0.5
    assert image.value == widgets.to_png(widgets.explorer_image(digits_gan, seed=5, truncation=0.5))
    _, c_controls, c_image = widgets.explorer(cond_gan)
    before = c_image.value
    c_controls["label"].value = 4
    assert c_image.value != before
    assert c_image.value == widgets.to_png(widgets.explorer_image(cond_gan, label=4))


def test_preset_grid_is_the_fixed_picture(digits_gan, cond_gan):
    images, caption = widgets.preset_grid(digits_gan, seed=0)
    assert images.shape == (25, 28, 28, 1)
    # one image against a batch of 25: equal up to the last bit, which some CPUs round by batch size
    np.testing.assert_allclose(images[7], widgets.explorer_image(digits_gan, seed=0, a=-0.0 + widgets.PRESETS[2],
                                                                 b=widgets.PRESETS[1]), rtol=0, atol=1e-6)
    assert caption.endswith("no truncation")
    c_images, c_caption = widgets.preset_grid(cond_gan, seed=0, truncation=1.0)
    assert c_images.shape == (50, 28, 28, 1) and "one row per class" in c_caption and "truncation 1.0" in c_caption


def test_no_sliders_outside_a_live_kernel(quick_mode_env, full_mode):
    assert widgets.live_kernel() is False  # plain pytest: no IPython kernel
