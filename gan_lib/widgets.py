"""The latent explorer of lessons 03 and 07: move through a generator's latent space with sliders.

The controls pick one latent vector and, for a conditional GAN, one class:

* ``seed`` draws a base latent ``z0`` (a standard normal draw, the kind G was trained on);
* ``a`` and ``b`` move from ``z0`` along two fixed directions ``u`` and ``v`` (orthonormal, the same
  for every seed and every generator of that latent size), so ``z = z0 + a u + b v``: a 2-D window
  on the latent space, centred on ``z0``;
* ``truncation`` re-draws the entries of ``z0`` beyond ``±truncation`` (the truncation trick,
  :func:`gan_lib.core.latent.truncated_normal`; ``None`` = off): smaller values stay near the
  centre of the latent space, where samples are cleanest and least varied;
* ``label`` (conditional GANs only) is the class asked for.

:func:`explorer_image` is the pure function from those values to the image; :func:`explorer`
wires it to ipywidgets sliders (works in Jupyter and, with its custom widget manager, Colab);
:func:`show` draws the explorer where a live kernel can use it and, always, a fixed
:func:`preset_grid` of a few slider values, so the stored notebook, GitHub and nbval show a
picture too.
"""

from __future__ import annotations

import io

import numpy as np

from gan_lib.core import config, latent
from gan_lib.data import to_uint8

#: The slider ranges: ``a`` and ``b`` span three standard deviations either way.
SPAN = 3.0
#: The truncation slider's choices (None = no truncation), loosest first.
TRUNCATIONS = (None, 2.0, 1.5, 1.0, 0.5, 0.25)
#: The fixed grid's values of ``a`` and ``b`` (and of the class row, for conditional GANs).
PRESETS = (-2.0, -1.0, 0.0, 1.0, 2.0)


def directions(latent_dim: int) -> np.ndarray:
    """The two orthonormal directions ``(2, latent_dim)`` the ``a`` and ``b`` sliders move along."""
    if isinstance(latent_dim, bool) or not isinstance(latent_dim, (int, np.integer)) or latent_dim < 2:
        raise ValueError(f"latent_dim={latent_dim!r}: the explorer needs a latent space of at least 2 numbers.")
    q, _ = np.linalg.qr(np.random.default_rng([latent_dim, 29]).standard_normal((latent_dim, 2)))
    return q.T


def explorer_latent(latent_dim: int, seed: int = 0, a: float = 0.0, b: float = 0.0, truncation=None) -> np.ndarray:
    """The latent ``z0(seed, truncation) + a u + b v`` (float32, shape ``(latent_dim,)``)."""
    for name, v in (("a", a), ("b", b)):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) or not np.isfinite(v):
            raise ValueError(f"{name}={v!r}: give a number (the sliders run from {-SPAN:g} to {SPAN:g}).")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed={seed!r}: give a whole number of 0 or more.")
    u, v = directions(latent_dim)
    z0 = latent.truncated_normal(1, latent_dim, truncation, seed=int(seed))[0]
    return (z0 + a * u + b * v).astype(np.float32)


def _check_label(gan, label) -> None:
    n_classes = getattr(gan, "n_classes", None)
    if n_classes is None and label is not None:
        raise ValueError(f"label={label!r}: this GAN is unconditional; it takes no class. Leave label=None.")
    if n_classes is not None:
        if isinstance(label, bool) or not isinstance(label, (int, np.integer)) or not 0 <= label < n_classes:
            raise ValueError(f"label={label!r}: this conditional GAN needs a class from 0 to {n_classes - 1}.")


def _generate(gan, settings: list[dict], seed: int, truncation) -> np.ndarray:
    """One ``gan.generate`` call for many control settings (each a dict of ``a``, ``b``, ``label``)."""
    for s in settings:
        _check_label(gan, s.get("label"))
    z = np.stack([explorer_latent(gan.latent_dim, seed, s.get("a", 0.0), s.get("b", 0.0), truncation)
                  for s in settings])
    labels = None if getattr(gan, "n_classes", None) is None else np.array([int(s["label"]) for s in settings])
    return gan.generate(z, labels=labels)


def explorer_image(gan, seed: int = 0, a: float = 0.0, b: float = 0.0, truncation=None, label=None) -> np.ndarray:
    """The generator's image for the controls, as ``gan.generate`` returns it (values in [-1, 1]).

    ``label`` is required for a conditional GAN (an integer class) and refused otherwise.
    """
    return _generate(gan, [dict(a=a, b=b, label=label)], seed, truncation)[0]


def to_png(image, scale: int = 6) -> bytes:
    """One image in [-1, 1] as PNG bytes, enlarged ``scale`` times (nearest neighbour)."""
    from PIL import Image

    x = to_uint8(image)
    if x.ndim == 3 and x.shape[-1] == 1:
        x = x[..., 0]
    img = Image.fromarray(x)
    img = img.resize((img.width * scale, img.height * scale), Image.NEAREST)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def preset_grid(gan, seed: int = 0, truncation=None) -> tuple[np.ndarray, str]:
    """The fixed picture of the explorer: ``(images, caption)``.

    Unconditional: a 5x5 grid of ``a`` (columns) and ``b`` (rows) at :data:`PRESETS`.
    Conditional: one row per class, ``a`` at :data:`PRESETS` along each row (``b = 0``).
    """
    n_classes = getattr(gan, "n_classes", None)
    if n_classes is None:
        cells = [dict(a=a, b=b) for b in PRESETS for a in PRESETS]
        caption = f"seed {seed}: a = {list(PRESETS)} across, b = the same values down"
    else:
        cells = [dict(a=a, b=0.0, label=c) for c in range(n_classes) for a in PRESETS]
        caption = f"seed {seed}, b = 0: one row per class (0 at the top), a = {list(PRESETS)} across"
    images = _generate(gan, cells, seed, truncation)
    return images, caption + (f", truncation {truncation}" if truncation is not None else ", no truncation")


def explorer(gan, seed: int = 0, scale: int = 6):
    """The interactive explorer: an ipywidgets box of sliders above the generator's image.

    Returns ``(box, controls, image)``; ``controls`` maps ``seed``, ``a``, ``b``, ``truncation``
    (and ``label``) to their widgets and ``image`` is the ``ipywidgets.Image`` redrawn on
    every change (set a control's ``.value`` to drive it from code, as the tests do).
    """
    import ipywidgets as w

    controls = {
        "seed": w.IntSlider(value=seed, min=0, max=99, description="seed"),
        "a": w.FloatSlider(value=0.0, min=-SPAN, max=SPAN, step=0.1, description="a"),
        "b": w.FloatSlider(value=0.0, min=-SPAN, max=SPAN, step=0.1, description="b"),
        # ipywidgets cannot hold None as a slider value: 0 stands for "off"
        "truncation": w.SelectionSlider(options=[("off", 0.0) if t is None else (f"{t:g}", t) for t in TRUNCATIONS],
                                        value=0.0, description="truncation"),
    }
    n_classes = getattr(gan, "n_classes", None)
    if n_classes is not None:
        controls["label"] = w.IntSlider(value=0, min=0, max=n_classes - 1, description="class")
    image = w.Image(format="png")

    def redraw(_change=None):
        values = {k: c.value for k, c in controls.items()}
        values["truncation"] = values["truncation"] or None
        image.value = to_png(explorer_image(gan, **values), scale)

    for c in controls.values():
        c.observe(redraw, names="value")
    redraw()
    return w.HBox([w.VBox(list(controls.values())), image]), controls, image


def _enable_colab_widgets() -> None:
    """Colab draws ipywidgets 8 only with its custom widget manager; elsewhere this does nothing."""
    try:
        from google.colab import output  # only in Colab
    except ImportError:
        return
    output.enable_custom_widget_manager()


def live_kernel() -> bool:
    """True in a full-mode IPython kernel with ipywidgets installed: where the sliders can be used.

    Quick mode (CI under nbval) and plain Python get only the fixed grid.
    """
    if config.quick_mode():
        return False
    try:
        import ipywidgets  # noqa: F401
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def show(gan, seed: int = 0, truncation=None, size: float = 5.0):
    """Draw the explorer (in a live kernel) and the fixed grid of :func:`preset_grid` (always).

    Returns the caption of the grid, which holds in both modes.
    """
    from gan_lib import plotting

    if live_kernel():
        from IPython.display import display

        _enable_colab_widgets()
        box, _, _ = explorer(gan, seed=seed)
        display(box)
    images, caption = preset_grid(gan, seed=seed, truncation=truncation)
    plotting.show_grid(images, ncols=len(PRESETS), size=size, title="latent explorer, fixed values")
    return caption
