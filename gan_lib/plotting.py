"""Pictures: sample grids, training GIFs and loss curves.

Grids and GIFs are built with NumPy and Pillow (fast, no figure needed);
curves use matplotlib. In a notebook, :func:`show_grid` draws inline.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from gan_lib.data import to_uint8


def grid(images, ncols: int | None = None, pad: int = 2) -> np.ndarray:
    """Tile images (N, H, W, C) in [-1, 1] into one uint8 array (rows x cols, white gaps)."""
    x = to_uint8(images)
    if x.ndim == 3:
        x = x[..., None]
    n, h, w, c = x.shape
    ncols = ncols or int(math.ceil(math.sqrt(n)))
    nrows = int(math.ceil(n / ncols))
    out = np.full((nrows * (h + pad) + pad, ncols * (w + pad) + pad, c), 255, np.uint8)
    for i in range(n):
        r, col = divmod(i, ncols)
        out[pad + r * (h + pad): pad + r * (h + pad) + h, pad + col * (w + pad): pad + col * (w + pad) + w] = x[i]
    return out[..., 0] if c == 1 else out


def save_grid(images, path, ncols: int | None = None, scale: int = 2) -> Path:
    """Save a grid of images as a PNG, enlarged ``scale`` times (nearest neighbour)."""
    from PIL import Image

    g = grid(images, ncols)
    img = Image.fromarray(g)
    if scale > 1:
        img = img.resize((img.width * scale, img.height * scale), Image.NEAREST)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path)
    return path


def make_gif(frame_paths, path, ms_per_frame: int = 200, hold_last: int = 5) -> Path | None:
    """Join PNG frames into a looping GIF (the last frame is held a little longer)."""
    from PIL import Image

    frame_paths = [Path(p) for p in frame_paths]
    if not frame_paths:
        return None
    frames = [Image.open(p).convert("P") for p in frame_paths]
    frames += [frames[-1]] * hold_last
    path = Path(path)
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=ms_per_frame, loop=0)
    return path


def show_grid(images, ncols: int | None = None, title: str | None = None, ax=None, size: float = 4.0):
    """Draw a grid of images with matplotlib (for notebooks)."""
    import matplotlib.pyplot as plt

    g = grid(images, ncols)
    if ax is None:
        _, ax = plt.subplots(figsize=(size, size))
    ax.imshow(g, cmap="gray" if g.ndim == 2 else None, vmin=0, vmax=255)
    ax.axis("off")
    if title:
        ax.set_title(title)
    return ax


def plot_history(history: list[dict], path=None, title: str = "Training"):
    """Plot the losses and D's mean outputs per epoch; save to ``path`` if given.

    ``history`` is a list of per-epoch dicts with keys d_loss, g_loss, d_real,
    d_fake (what ``fit`` logs for the course's GAN); epochs that also carry
    ``fd`` (see :class:`gan_lib.core.callbacks.Evaluate`) add a quality panel.
    """
    import matplotlib

    if path is not None:
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    epochs = np.arange(1, len(history) + 1)
    quality = [(h.get("epoch", i + 1), h["fd"]) for i, h in enumerate(history) if "fd" in h]
    if quality:
        fig, (a, b, c) = plt.subplots(1, 3, figsize=(15, 3.5))
        from gan_lib.measure.metrics import THRESHOLDS

        c.plot(*zip(*quality), "o-", label="Frechet distance")
        c.axhline(THRESHOLDS["fd_max"], color="gray", lw=0.8, ls="--", label=f"pass level {THRESHOLDS['fd_max']:g}")
        c.set_xlabel("epoch")
        c.set_title(f"{title}: quality (lower is better)")
        c.legend()
    else:
        fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.5))
    for key, label in (("d_loss", "D loss"), ("g_loss", "G loss")):
        a.plot(epochs, [h[key] for h in history], label=label)
    a.set_xlabel("epoch")
    a.set_ylabel("loss")
    a.set_title(f"{title}: losses")
    a.legend()
    for key, label in (("d_real", "mean D(x), real"), ("d_fake", "mean D(G(z)), fake")):
        b.plot(epochs, [h[key] for h in history], label=label)
    b.axhline(0.5, color="gray", lw=0.8, ls="--")
    b.set_ylim(0, 1)
    b.set_xlabel("epoch")
    b.set_ylabel("sigmoid(logit)")
    b.set_title(f"{title}: discriminator outputs")
    b.legend()
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=100)
        plt.close(fig)
    return fig
