"""Label generated images as synthetic (lesson 09, responsible use).

:func:`save_labelled_png` writes an image as a PNG whose metadata says it is
synthetic, and which model made it; :func:`read_label` reads that back. The label
uses the IPTC "digital source type" vocabulary that news agencies and the C2PA
content-credentials standard use for media made by a trained model
(:data:`TRAINED_ALGORITHMIC_MEDIA`).

Plain metadata is a courtesy, not a safeguard: any re-encoding (a screenshot, a
re-save, most uploads) drops it, and anyone can write it. Lesson 09 shows both.
Signed manifests (C2PA), visible captions and watermarks are the stronger tools.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, PngImagePlugin

from gan_lib import __version__
from gan_lib.data import to_uint8

#: IPTC NewsCodes "digital source type" for media created by a trained algorithm (a GAN's samples).
TRAINED_ALGORITHMIC_MEDIA = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"


def _one_image(image) -> np.ndarray:
    """``image`` as float32 (H, W) or (H, W, 3) in [-1, 1], or a clear error."""
    x = np.asarray(image, dtype=np.float32)
    if x.ndim == 3 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim not in (2, 3) or (x.ndim == 3 and x.shape[-1] != 3):
        raise ValueError(f"Expected one image (H, W), (H, W, 1) or (H, W, 3); got shape {x.shape}. "
                         "Pass a single sample, e.g. samples[0].")
    if not np.isfinite(x).all() or x.min() < -1.0001 or x.max() > 1.0001:
        raise ValueError("Expected pixel values in [-1, 1] (the course's format); got values in "
                         f"[{np.nanmin(x):.3g}, {np.nanmax(x):.3g}].")
    return x


def save_labelled_png(image, path, model: str, note: str = "") -> Path:
    """Write ``image`` (values in [-1, 1]) to ``path`` as a PNG labelled as synthetic.

    Text fields: ``DigitalSourceType`` (:data:`TRAINED_ALGORITHMIC_MEDIA`),
    ``Synthetic`` (``"yes"``), ``Generator`` (``model``) and ``Description`` (``note``).
    """
    if not isinstance(model, str) or not model.strip():
        raise ValueError("model: say which model made the image, e.g. 'gan_lib dcgan, lesson 09'.")
    info = PngImagePlugin.PngInfo()
    for key, value in (("DigitalSourceType", TRAINED_ALGORITHMIC_MEDIA), ("Synthetic", "yes"),
                       ("Generator", model), ("Description", note), ("Software", f"gan_lib {__version__}")):
        info.add_text(key, value)
    path = Path(path)
    Image.fromarray(to_uint8(_one_image(image))).save(path, pnginfo=info)
    return path


def read_label(path) -> dict:
    """The text fields of a PNG; ``{}`` when it carries none. ``label["Synthetic"] == "yes"`` if labelled."""
    with Image.open(path) as im:
        return dict(getattr(im, "text", {}) or {})


def is_labelled_synthetic(path) -> bool:
    """True when the PNG at ``path`` says it was made by a trained model."""
    label = read_label(path)
    return label.get("Synthetic") == "yes" and label.get("DigitalSourceType") == TRAINED_ALGORITHMIC_MEDIA
