"""Colour images for lesson 05: CIFAR-10 when it is here, a named stand-in when it is not.

CIFAR-10 (Krizhevsky, 2009): 60,000 colour photographs of 32x32 pixels in ten
classes, 50,000 for training and 10,000 for testing. The course uses the
training images to train and the 10,000 test images as its **held-out** set
(nothing trains on them; they are what samples are compared with).

Where CIFAR-10 comes from (:func:`load_cifar10`), in this order:

1. the batches Keras already extracted: ``<KERAS_HOME>/datasets/
   cifar-10-batches-py-target/cifar-10-batches-py/{data_batch_1..5,test_batch}``
   (``KERAS_HOME`` defaults to ``~/.keras``; this is where
   ``keras.datasets.cifar10.load_data()`` of Keras 3.15 extracts them). They
   are read directly: Keras itself would re-download the 163 MB archive if its
   copy ``cifar-10-batches-py-target_archive`` had been deleted, even with the
   extracted folder in place;
2. the archive ``cifar-10-python.tar.gz`` placed by hand in
   ``<KERAS_HOME>/datasets/`` (it is extracted into the folder above);
3. ``keras.datasets.cifar10.load_data()``, which downloads once (Colab has
   internet), but only after a 3-second check that the server can be reached,
   so a machine without internet gets an explanation instead of a hang.

The batch files are Python pickles. They are read with an unpickler that only
rebuilds NumPy arrays, so a tampered file cannot run code.

When CIFAR-10 is missing, ``load_colour(source="auto")`` says so loudly (what
to download, where to put it) and uses the **shipped emoji** (:func:`load_emoji_raw`):
1,906 Google Noto emoji at 32x32 on white (Apache-2.0; provenance in
``data/README.md``). They are real colour images, but icons, not photographs:
flat colours, outlines, a white background and few textures. Every description
of them says "not CIFAR-10". The older stand-in (:func:`standin_patches`: 32x32
patches of the seven public-domain / CC0 colour photographs inside
scikit-image) stays available as ``source="standin"`` only; no lesson uses it.

Images are float32 ``(N, 32, 32, 3)`` in [-1, 1], like the digits.
"""

from __future__ import annotations

import os
import pickle
import tarfile
from pathlib import Path
from typing import NamedTuple

import numpy as np

from gan_lib.core.config import online
from gan_lib.data import DataError, to_model_range

IMAGE_SHAPE = (32, 32, 3)
CIFAR_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
CIFAR_HOST = "www.cs.toronto.edu"  # where CIFAR_URL lives: checked before downloading
CIFAR_ARCHIVE = "cifar-10-python.tar.gz"
CIFAR_FILES = tuple(f"data_batch_{i}" for i in range(1, 6)) + ("test_batch",)
CIFAR_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
#: Valid values of ``source`` in :func:`load_colour`.
SOURCES = {
    "auto": "CIFAR-10 if it is on this machine or can be downloaded, else the shipped emoji (said loudly)",
    "cifar10": "CIFAR-10 only (an error if it cannot be had)",
    "standin": "the stand-in: 32x32 patches of scikit-image's colour photographs",
    "emoji": "the shipped emoji: 1,906 Noto emoji at 32x32 on white, in 9 categories (icons, not photographs)",
}

# --------------------------------------------------------------------------- CIFAR-10


def keras_home() -> Path:
    """Where Keras caches downloads: ``$KERAS_HOME`` or ``~/.keras``."""
    return Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras").expanduser()


def cifar10_dir(home=None) -> Path:
    """The folder holding the extracted batches (Keras 3.15's layout)."""
    home = keras_home() if home is None else Path(home)
    return home / "datasets" / "cifar-10-batches-py-target" / "cifar-10-batches-py"


_ALLOWED = frozenset({("numpy", "ndarray"), ("numpy", "dtype"), ("numpy.core.multiarray", "_reconstruct"),
                      ("numpy._core.multiarray", "_reconstruct"), ("numpy.core.multiarray", "scalar"),
                      ("numpy._core.multiarray", "scalar"),
                      # Python 3 writes bytes into protocol-2 pickles as _codecs.encode(text, "latin1"),
                      # a pure conversion; the original Python 2 files need only the numpy names.
                      ("_codecs", "encode")})


class _ArraysOnly(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}: a CIFAR-10 batch holds only arrays")


def read_cifar_batch(path) -> tuple[np.ndarray, np.ndarray]:
    """One CIFAR-10 batch file -> ``(uint8 images (N, 32, 32, 3), int64 labels (N,))``."""
    path = Path(path)
    try:
        with open(path, "rb") as f:
            d = _ArraysOnly(f, encoding="bytes").load()
        d = {(k.decode() if isinstance(k, bytes) else k): v for k, v in d.items()}
        data = np.asarray(d["data"], dtype=np.uint8)
        labels = np.asarray(d["labels"], dtype=np.int64)
        images = data.reshape(len(data), 3, 32, 32).transpose(0, 2, 3, 1)
    except (OSError, EOFError, KeyError, ValueError, AttributeError, TypeError, pickle.UnpicklingError) as e:
        raise DataError(f"{path} is not a readable CIFAR-10 batch ({type(e).__name__}: {e}). Delete the folder "
                        f"{path.parent} and put a fresh copy of {CIFAR_ARCHIVE} in its place "
                        f"(download it from {CIFAR_URL}).") from e
    if len(images) != len(labels):
        raise DataError(f"{path}: {len(images)} images but {len(labels)} labels; the file is damaged.")
    return images, labels


def _show(path: Path) -> str:
    """A path for messages, with the home folder written as ~."""
    try:
        return "~/" + Path(path).relative_to(Path.home()).as_posix()
    except ValueError:
        return str(path)


def missing_message(home=None) -> str:
    """What to do when CIFAR-10 is not on this machine."""
    folder = cifar10_dir(home)
    return (f"CIFAR-10 is not on this machine and cannot be downloaded here (no internet). "
            f"To use it: download {CIFAR_URL} (163 MB) and put it at {_show(folder.parents[1] / CIFAR_ARCHIVE)}, "
            f"or extract it so that {_show(folder / 'data_batch_1')} exists; or open the lesson in Colab, "
            f"where keras.datasets.cifar10.load_data() downloads it.")


def load_cifar10(home=None, download: bool = True):
    """``((x_train, y_train), (x_test, y_test))`` as uint8 ``(N, 32, 32, 3)`` and int64 labels.

    Raises :class:`gan_lib.data.DataError` saying what to download and where
    when the data is neither here nor downloadable (checked within 3 seconds).
    """
    folder = cifar10_dir(home)
    archive = folder.parents[1] / CIFAR_ARCHIVE
    if not all((folder / f).exists() for f in CIFAR_FILES) and archive.exists():
        try:
            with tarfile.open(archive) as tar:
                tar.extractall(folder.parent, filter="data")
        except (OSError, tarfile.TarError, EOFError) as e:
            raise DataError(f"{archive} could not be extracted ({type(e).__name__}: {e}); download it again "
                            f"from {CIFAR_URL}.") from e
    if all((folder / f).exists() for f in CIFAR_FILES):
        parts = [read_cifar_batch(folder / f) for f in CIFAR_FILES]
        x_train = np.concatenate([p[0] for p in parts[:5]])
        y_train = np.concatenate([p[1] for p in parts[:5]])
        return (x_train, y_train), parts[5]
    if download and online(CIFAR_HOST):
        import keras

        (x_train, y_train), (x_test, y_test) = keras.datasets.cifar10.load_data()
        return (x_train, y_train.reshape(-1).astype(np.int64)), (x_test, y_test.reshape(-1).astype(np.int64))
    raise DataError(missing_message(home))


# --------------------------------------------------------------------------- the stand-in

#: The colour photographs shipped inside scikit-image that the stand-in cuts up
#: (``skimage.data.<name>()``), all public domain, CC0 or "no known copyright
#: restrictions" (see data/README.md).
STANDIN_PHOTOS = ("astronaut", "chelsea", "coffee", "hubble_deep_field", "immunohistochemistry", "retina", "rocket")
#: Each photograph is shrunk so that its shorter side has each of these lengths,
#: then cut into 32x32 patches on a grid of step 32 (non-overlapping) and again
#: on the grid shifted by 16 pixels.
STANDIN_SCALES = (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384)
#: Patches whose pixels vary less than this (std of 0..255 values) are left out
#: (black sky of the Hubble field, the retina's black border).
STANDIN_MIN_STD = 8.0
#: The stand-in holds at least this many distinct images (a test checks it).
STANDIN_MIN_DISTINCT = 7000
STANDIN_NAME = "STAND-IN (not CIFAR-10): 32x32 patches of scikit-image's 7 colour photographs"


def _resize_short_side(photo: np.ndarray, short: int) -> np.ndarray:
    from PIL import Image

    h, w = photo.shape[:2]
    s = short / min(h, w)
    size = (max(32, round(w * s)), max(32, round(h * s)))
    return np.asarray(Image.fromarray(photo).resize(size, Image.LANCZOS))


def standin_patches() -> tuple[np.ndarray, np.ndarray]:
    """``(uint8 patches (N, 32, 32, 3), provenance (N, 4))``: photo index, scale, row, column.

    Deterministic: the same scikit-image gives the same patches. Exact
    duplicates and nearly flat patches are left out.
    """
    try:
        import skimage.data
    except ImportError as e:
        raise DataError("The colour stand-in needs scikit-image (pip install scikit-image; "
                        "requirements.txt pins it). Or use CIFAR-10: " + missing_message()) from e
    patches, where, seen = [], [], set()
    for p, name in enumerate(STANDIN_PHOTOS):
        photo = np.asarray(getattr(skimage.data, name)())[..., :3]
        for short in STANDIN_SCALES:
            img = _resize_short_side(photo, short)
            cells = [(r, c) for off in (0, 16) for r in range(off, img.shape[0] - 31, 32)
                     for c in range(off, img.shape[1] - 31, 32)]
            for r, c in cells:
                patch = img[r:r + 32, c:c + 32]
                key = patch.tobytes()
                if patch.std() < STANDIN_MIN_STD or key in seen:
                    continue
                seen.add(key)
                patches.append(patch)
                where.append((p, short, r, c))
    return np.stack(patches), np.asarray(where, dtype=np.int64)


# --------------------------------------------------------------------------- one loader for the lesson


class ColourImages(NamedTuple):
    """Images in [-1, 1] with shape (N, 32, 32, 3), labels, a description, and the source used."""

    images: np.ndarray
    labels: np.ndarray
    description: str
    source: str  # "cifar10", "standin" or "emoji"


HELDOUT_FRACTION = 0.2
_SPLIT_SEED = 5

# --------------------------------------------------------------------------- the shipped emoji

EMOJI_FILE = Path(__file__).with_name("emoji32.npz")
EMOJI_NAME = "EMOJI (not CIFAR-10): Google Noto emoji, icons rather than photographs, 32x32 on white"
_EMOJI_KEYS = ("images", "category", "categories", "names", "group", "heldout")


class Emoji(NamedTuple):
    """The shipped emoji of one split: uint8 images, category index, the category names, emoji names."""

    images: np.ndarray      # uint8 (N, 32, 32, 3)
    category: np.ndarray    # int (N,), index into categories
    categories: tuple
    names: np.ndarray


def load_emoji_raw(split: str = "train", skin_tones: bool = False, path=None) -> Emoji:
    """The shipped emoji as stored (``scripts/make_emoji.py``; provenance in data/README.md).

    1,906 Google Noto emoji (Apache License 2.0; flags public domain) in 9 categories, 64x64
    PNGs composited over white and shrunk to 32x32. The held-out split is 20% of the emoji
    (381), drawn with a fixed seed; ``skin_tones=True`` adds the 1,875 skin-tone variants of the
    people emoji, each in the split of its base emoji (3,781 in all, 60% of them people).
    """
    if split not in ("train", "heldout"):
        raise ValueError(f"split={split!r}: use 'train' or 'heldout'.")
    path = Path(path) if path is not None else EMOJI_FILE
    from gan_lib.data import _REINSTALL, _read_npz

    a = _read_npz(path, _EMOJI_KEYS, _REINSTALL + " To rebuild it: python3 scripts/make_emoji.py.")
    n = len(a["images"])
    if (a["images"].dtype != np.uint8 or a["images"].shape[1:] != IMAGE_SHAPE
            or any(len(a[k]) != n for k in ("category", "names", "group", "heldout"))):
        raise DataError(f"{path} holds images {a['images'].shape} {a['images'].dtype} and "
                        f"{len(a['category'])} categories; expected uint8 (N, 32, 32, 3) and N of each. "
                        f"{_REINSTALL} To rebuild it: python3 scripts/make_emoji.py.")
    if n and (a["category"].min() < 0 or a["category"].max() >= len(a["categories"])):
        raise DataError(f"{path} has category indices outside 0..{len(a['categories']) - 1}. {_REINSTALL}")
    keep = a["heldout"] if split == "heldout" else ~a["heldout"]
    if not skin_tones:  # the first image of each group is the base emoji
        keep &= np.r_[True, a["group"][1:] != a["group"][:-1]]
    return Emoji(a["images"][keep], a["category"][keep].astype(np.int64), tuple(a["categories"].tolist()),
                 a["names"][keep])


def _standin_split(split):
    x, where = standin_patches()
    order = np.random.default_rng(_SPLIT_SEED).permutation(len(x))
    n_held = int(round(HELDOUT_FRACTION * len(x)))
    idx = order[:n_held] if split == "heldout" else order[n_held:]
    return x[idx], where[idx, 0], len(order) - n_held, n_held


def load_colour(split: str = "train", source: str = "auto", limit: int | None = None, verbose: bool = True,
                home=None, download: bool = True) -> ColourImages:
    """Colour training or held-out images for lesson 05.

    ``source="auto"`` uses CIFAR-10 when it can and otherwise the shipped
    emoji, with a loud notice. ``limit`` keeps the first ``limit`` images of a
    fixed shuffled order (so subsets mix classes). Labels are CIFAR-10's
    classes, the emoji's category (``load_emoji_raw(...).categories``), or for
    the stand-in the index of the photograph a patch was cut from.
    """
    if split not in ("train", "heldout"):
        raise ValueError(f"split={split!r}: use 'train' or 'heldout'.")
    if source not in SOURCES:
        raise ValueError(f"source={source!r}: use one of {', '.join(SOURCES)}.")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 1):
        raise ValueError(f"limit={limit!r}: use a whole number of at least 1, or None for all images.")
    used = None
    if source in ("auto", "cifar10"):
        try:
            (xtr, ytr), (xte, yte) = load_cifar10(home, download=download)
            x, y = (xtr, ytr) if split == "train" else (xte, yte)
            order = np.random.default_rng(_SPLIT_SEED).permutation(len(x))
            x, y = x[order], y[order]
            what = f"CIFAR-10, {'training' if split == 'train' else 'held-out (test)'} images"
            used = "cifar10"
        except DataError as e:
            if source == "cifar10":
                raise
            if verbose:
                bar = "!" * 100
                print(f"{bar}\n!!! {e}\n!!! This run uses the shipped {EMOJI_NAME}.\n!!! Its figures are NOT "
                      f"CIFAR-10 figures; the lesson's CIFAR-10 numbers are to measure in Colab.\n{bar}")
            source = "emoji"
    if source == "emoji":
        e = load_emoji_raw(split)
        order = np.random.default_rng(_SPLIT_SEED).permutation(len(e.images))
        x, y = e.images[order], e.category[order]
        what = f"{EMOJI_NAME}, {'train' if split == 'train' else 'held-out'} split"
        used = "emoji"
    if source == "standin":
        x, y, n_train, n_held = _standin_split(split)
        what = (f"{STANDIN_NAME}, {'train' if split == 'train' else 'held-out'} split "
                f"({n_train:,} train / {n_held:,} held-out)")
        used = "standin"
    if limit is not None:
        x, y = x[:limit], y[:limit]
    desc = f"{what}: {len(x):,} images"
    if verbose:
        print(f"Data: {desc}")
    return ColourImages(to_model_range(x), y.astype(np.int64), desc, used)
