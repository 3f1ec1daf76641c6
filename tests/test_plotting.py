"""gan_lib.plotting: grid geometry, PNG grids, GIFs, loss curves."""

import numpy as np
import pytest
from PIL import Image

from gan_lib import plotting


def images(n, value=None, seed=0):
    if value is not None:
        return np.full((n, 28, 28, 1), value, np.float32)
    return np.random.default_rng(seed).uniform(-1, 1, (n, 28, 28, 1)).astype(np.float32)


@pytest.mark.parametrize("n,ncols,pad,rows,cols", [
    (16, None, 2, 4, 4),   # default: a square
    (10, None, 2, 3, 4),   # ceil(sqrt(10)) = 4 columns, ceil(10/4) = 3 rows
    (10, 5, 2, 2, 5),
    (7, 7, 0, 1, 7),
    (1, None, 3, 1, 1),
])
def test_grid_shape(n, ncols, pad, rows, cols):
    g = plotting.grid(images(n), ncols=ncols, pad=pad)
    assert g.dtype == np.uint8
    assert g.shape == (rows * (28 + pad) + pad, cols * (28 + pad) + pad)


def test_grid_places_images_row_by_row_with_white_gaps():
    x = np.stack([np.full((28, 28, 1), v, np.float32) for v in (-1.0, 0.0, 1.0)])  # black, grey, white
    g = plotting.grid(x, ncols=2, pad=2)
    assert g.shape == (2 * 30 + 2, 2 * 30 + 2)
    assert np.all(g[2:30, 2:30] == 0)          # image 0: row 0, col 0
    assert np.all(g[2:30, 32:60] == 128)       # image 1: row 0, col 1
    assert np.all(g[32:60, 2:30] == 255)       # image 2: row 1, col 0
    assert np.all(g[:2, :] == 255) and np.all(g[:, 30:32] == 255)  # gaps are white
    assert np.all(g[32:60, 32:60] == 255)      # the empty cell stays white


def test_grid_keeps_colour_channels():
    x = np.random.default_rng(0).uniform(-1, 1, (4, 8, 8, 3)).astype(np.float32)
    assert plotting.grid(x, pad=1).shape == (2 * 9 + 1, 2 * 9 + 1, 3)


def test_grid_accepts_images_without_channel_axis():
    assert plotting.grid(images(4)[..., 0], pad=2).shape == (62, 62)


def test_save_grid_writes_a_png_of_the_expected_size(tmp_path):
    path = plotting.save_grid(images(10), tmp_path / "sub" / "grid.png", ncols=5, scale=3)
    assert path == tmp_path / "sub" / "grid.png"
    with Image.open(path) as im:
        assert im.format == "PNG"
        assert im.size == ((5 * 30 + 2) * 3, (2 * 30 + 2) * 3)  # (width, height)
        pixels = np.asarray(im)
    small = plotting.grid(images(10), ncols=5)
    np.testing.assert_array_equal(pixels[::3, ::3], small)  # nearest-neighbour enlargement


def test_save_grid_scale_1_is_the_grid_itself(tmp_path):
    path = plotting.save_grid(images(4), tmp_path / "g.png", scale=1)
    with Image.open(path) as im:
        np.testing.assert_array_equal(np.asarray(im), plotting.grid(images(4)))


def test_make_gif_frames_and_hold(tmp_path):
    frames = [plotting.save_grid(images(4, seed=i), tmp_path / f"f{i}.png") for i in range(4)]
    path = plotting.make_gif(frames, tmp_path / "train.gif", ms_per_frame=100, hold_last=5)
    with Image.open(path) as im:
        assert im.format == "GIF" and im.is_animated
        # Pillow stores the 5 repeats of the last frame as one frame shown 6 times as long
        assert im.n_frames == 4
        durations = []
        for k in range(im.n_frames):
            im.seek(k)
            durations.append(im.info["duration"])
        assert durations == [100, 100, 100, 600]
        assert im.info.get("loop") == 0  # loops forever


def test_make_gif_without_hold(tmp_path):
    frames = [plotting.save_grid(images(4, seed=i), tmp_path / f"f{i}.png") for i in range(3)]
    path = plotting.make_gif(frames, tmp_path / "a.gif", ms_per_frame=50, hold_last=0)
    with Image.open(path) as im:
        assert im.n_frames == 3


def test_make_gif_of_no_frames_writes_nothing(tmp_path):
    assert plotting.make_gif([], tmp_path / "none.gif") is None
    assert not (tmp_path / "none.gif").exists()


def test_plot_history_writes_a_png(tmp_path):
    history = [{"d_loss": 1.3 - 0.1 * i, "g_loss": 0.7 + 0.2 * i, "d_real": 0.5 + 0.05 * i, "d_fake": 0.5 - 0.05 * i}
               for i in range(5)]
    fig = plotting.plot_history(history, tmp_path / "history.png", title="Run")
    with Image.open(tmp_path / "history.png") as im:
        assert im.format == "PNG"
        assert im.size == (1000, 350)  # figsize (10, 3.5) at 100 dpi
    losses_ax, d_ax = fig.axes
    assert losses_ax.get_title() == "Run: losses"
    np.testing.assert_allclose(losses_ax.lines[0].get_ydata(), [h["d_loss"] for h in history])
    np.testing.assert_allclose(d_ax.lines[1].get_ydata(), [h["d_fake"] for h in history])
    np.testing.assert_array_equal(losses_ax.lines[0].get_xdata(), [1, 2, 3, 4, 5])


def test_plot_history_needs_the_logged_keys(tmp_path):
    with pytest.raises(KeyError, match="d_real"):
        plotting.plot_history([{"d_loss": 1.0, "g_loss": 1.0}], tmp_path / "h.png")


def test_show_grid_draws_on_given_axes():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    out = plotting.show_grid(images(4), title="samples", ax=ax)
    assert out is ax and ax.get_title() == "samples"
    np.testing.assert_array_equal(ax.images[0].get_array(), plotting.grid(images(4)))
    plt.close(fig)
