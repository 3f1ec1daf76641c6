"""The digits the course trains on, and how they reach a model.

The course's convention (docs/conventions.md):

* **Default data:** 10,000 real MNIST digits shipped with ``gan_lib``
  (``gan_lib/data/mnist_10k.npz``; provenance in ``data/README.md``), split
  once, stratified by class, into **8,000 train** and **2,000 held-out** digits.
  The split is stored beside the digits (``mnist_10k_split.npz``) and
  :func:`make_split` rebuilds it exactly.
* **Full MNIST** (``source="mnist"``) is opt-in: it downloads the 60,000
  training digits through ``keras.datasets.mnist.load_data()`` (internet once,
  then cached in ``~/.keras/datasets``), drops any digit identical to one of
  our held-out digits, and is scored against the *same* 2,000 held-out digits.
* Images are ``float32`` arrays of shape ``(N, 28, 28, 1)`` scaled to
  ``[-1, 1]`` (-1 = background), because the generators end in ``tanh``.
* Every load prints what it loaded. Nothing is ever substituted silently: a
  missing or broken file raises :class:`DataError` saying what to do.

Files are read with ``allow_pickle=False``: loading data never runs code.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path
from typing import NamedTuple

import numpy as np

DATA_DIR = Path(__file__).resolve().parent
SHIPPED_FILE = DATA_DIR / "mnist_10k.npz"
SPLIT_FILE = DATA_DIR / "mnist_10k_split.npz"

#: Valid values of ``source``.
SOURCES = {
    "shipped": "the 10,000 real MNIST digits shipped with gan_lib (8,000 train / 2,000 held-out)",
    "mnist": "full MNIST through keras.datasets.mnist.load_data() (needs internet once)",
}
SPLITS = ("train", "heldout")
IMAGE_SHAPE = (28, 28, 1)
HELDOUT_FRACTION = 0.2
SPLIT_SEED = 0


class DataError(RuntimeError):
    """Data that is missing, broken or not what the course expects."""


class Digits(NamedTuple):
    """Images in [-1, 1] with shape (N, 28, 28, 1), their labels, and where they came from."""

    images: np.ndarray
    labels: np.ndarray
    description: str


# --------------------------------------------------------------------------- files


def _read_npz(path: Path, keys: tuple[str, ...], what_to_do: str) -> dict[str, np.ndarray]:
    """Read arrays from an ``.npz`` without pickle, with errors that say what to do."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"Data file not found: {path}. {what_to_do}")
    try:
        with np.load(path, allow_pickle=False) as f:
            missing = [k for k in keys if k not in f.files]
            if missing:
                raise DataError(f"{path} has no array(s) {missing} (it has {f.files}). {what_to_do}")
            return {k: f[k] for k in keys}
    except DataError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as e:
        raise DataError(f"{path} is corrupt or not an .npz file ({e}). {what_to_do}") from e


_REINSTALL = (
    "It ships with gan_lib: restore it with `git checkout -- gan_lib/data` in the "
    "course repository, or reinstall gan_lib (see README.md)."
)


def load_shipped_raw(path: Path = SHIPPED_FILE) -> tuple[np.ndarray, np.ndarray]:
    """The shipped digits as stored: ``x`` uint8 (10000, 28, 28), ``y`` uint8 labels."""
    arrays = _read_npz(path, ("x", "y"), _REINSTALL)
    x, y = arrays["x"], arrays["y"]
    if x.dtype != np.uint8 or x.ndim != 3 or x.shape[1:] != (28, 28) or y.shape != (len(x),):
        raise DataError(
            f"{path} holds x{x.shape} {x.dtype} and y{y.shape}; expected uint8 x of shape "
            f"(N, 28, 28) and N labels. {_REINSTALL}"
        )
    if len(y) and (not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() > 9):
        raise DataError(f"{path} has labels outside the digits 0..9 (dtype {y.dtype}, range {y.min()}..{y.max()}). "
                        f"{_REINSTALL}")
    return x, y


def make_split(labels: np.ndarray, fraction: float = HELDOUT_FRACTION, seed: int = SPLIT_SEED):
    """Stratified split: for each digit, ``fraction`` of its images (rounded) go to held-out.

    Returns ``(train_idx, heldout_idx)``, each in a fixed shuffled order (the
    shipped file is grouped by digit, so any prefix of a split is a fair,
    class-mixed subset). Deterministic in ``seed``; the stored split file was
    made by this function with the defaults.
    """
    rng = np.random.default_rng(seed)
    heldout = []
    for c in range(10):
        idx = np.flatnonzero(labels == c)
        rng.shuffle(idx)
        heldout.append(idx[: int(round(fraction * len(idx)))])
    heldout_idx = np.concatenate(heldout)
    train_idx = np.setdiff1d(np.arange(len(labels)), heldout_idx)
    return rng.permutation(train_idx).astype(np.int64), rng.permutation(heldout_idx).astype(np.int64)


def load_split(path: Path = SPLIT_FILE) -> tuple[np.ndarray, np.ndarray]:
    """The stored ``(train_idx, heldout_idx)`` into the shipped digits."""
    arrays = _read_npz(path, ("train_idx", "heldout_idx"), _REINSTALL)
    return arrays["train_idx"].astype(np.int64), arrays["heldout_idx"].astype(np.int64)


# --------------------------------------------------------------------------- scaling and checks


def to_model_range(x_uint8: np.ndarray) -> np.ndarray:
    """uint8 pixels 0..255 -> float32 in [-1, 1], with a channel axis: (N, 28, 28, 1)."""
    x = np.asarray(x_uint8, dtype=np.float32) / 127.5 - 1.0
    return x[..., None] if x.ndim == 3 else x


def to_uint8(images: np.ndarray) -> np.ndarray:
    """Images in [-1, 1] -> uint8 0..255 (for saving as PNG)."""
    x = (np.clip(np.asarray(images, dtype=np.float32), -1, 1) + 1.0) * 127.5
    return np.round(x).astype(np.uint8)


def check_images(images, shape: tuple[int, ...] = IMAGE_SHAPE, name: str = "images") -> np.ndarray:
    """Return ``images`` as float32 after checking the shape (N, *shape) and range [-1, 1].

    Raises ``ValueError`` naming what is wrong and how to fix it.
    """
    x = np.asarray(images)
    if x.dtype == np.uint8:
        raise ValueError(
            f"{name} are uint8 (0..255); the course's models use float32 in [-1, 1]. "
            "Convert with gan_lib.data.to_model_range(x)."
        )
    if x.ndim == len(shape) and x.shape == tuple(shape):
        raise ValueError(f"{name} has shape {x.shape}: that is one image; pass a batch of shape (N, *{shape}).")
    if x.ndim != len(shape) + 1 or tuple(x.shape[1:]) != tuple(shape):
        hint = ""
        if tuple(shape) == IMAGE_SHAPE and x.ndim == 3 and x.shape[1:] == (28, 28):
            hint = " Add the channel axis with x[..., None]."
        raise ValueError(f"{name} has shape {x.shape}; expected (N, {', '.join(map(str, shape))}).{hint}")
    if len(x) == 0:
        raise ValueError(f"{name} is empty: pass at least one image.")
    x = x.astype(np.float32, copy=False)
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or inf values.")
    lo, hi = float(x.min()), float(x.max())
    if lo < -1.001 or hi > 1.001:
        hint = " They look like 0..255 pixels: divide by 127.5 and subtract 1." if hi > 2 else ""
        raise ValueError(f"{name} range over [{lo:.3g}, {hi:.3g}]; expected values in [-1, 1].{hint}")
    return x


# --------------------------------------------------------------------------- loading


def _subset(images, labels, limit):
    """The first ``limit`` digits (splits are stored shuffled, so classes stay mixed)."""
    if limit is None:
        return images, labels
    if isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit <= 0:
        raise ValueError(f"limit={limit!r}: ask for a positive whole number of digits.")
    return images[:limit], labels[:limit]


def _full_mnist_train(heldout_raw: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Keras' 60,000 MNIST training digits minus any identical to a held-out digit."""
    import keras

    try:
        (x, y), _ = keras.datasets.mnist.load_data()
    except Exception as e:  # no internet, blocked download, corrupt cache
        raise DataError(
            "Full MNIST could not be loaded through keras.datasets.mnist.load_data() "
            f"({type(e).__name__}: {e}). It needs internet once: download "
            "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz and put it at "
            "~/.keras/datasets/mnist.npz, or use source='shipped' (the 10,000 digits that ship "
            "with the course)."
        ) from e
    held = {row.tobytes() for row in heldout_raw.reshape(len(heldout_raw), -1)}
    keep = np.array([row.tobytes() not in held for row in x.reshape(len(x), -1)])
    return x[keep], y[keep], int((~keep).sum())


def load_digits(split: str = "train", source: str = "shipped", limit: int | None = None,
                verbose: bool = True) -> Digits:
    """Load MNIST digits in the course's format.

    Args:
        split: ``"train"`` (8,000 shipped digits, or full MNIST's training set)
            or ``"heldout"`` (always the 2,000 shipped held-out digits: the
            course scores every model against them).
        source: ``"shipped"`` (default) or ``"mnist"`` (opt-in, downloads).
        limit: keep only the first this many digits of the split (a fixed,
            class-mixed subset); quick mode uses it.
        verbose: print which data was loaded.
    """
    if source not in SOURCES:
        valid = "; ".join(f"'{k}' ({v})" for k, v in SOURCES.items())
        raise ValueError(f"Unknown data source {source!r}. Valid sources: {valid}.")
    if split not in SPLITS:
        raise ValueError(f"Unknown split {split!r}. Valid splits: {', '.join(SPLITS)}.")
    x, y = load_shipped_raw()
    train_idx, heldout_idx = load_split()
    if len(np.intersect1d(train_idx, heldout_idx)) or max(train_idx.max(), heldout_idx.max()) >= len(x):
        raise DataError(f"{SPLIT_FILE} does not fit {SHIPPED_FILE}. {_REINSTALL}")

    if split == "heldout":
        xs, ys = x[heldout_idx], y[heldout_idx]
        what = f"shipped MNIST, held-out split ({len(heldout_idx):,} digits)"
    elif source == "shipped":
        xs, ys = x[train_idx], y[train_idx]
        what = f"shipped MNIST, train split ({len(train_idx):,} digits)"
    else:
        xs, ys, dropped = _full_mnist_train(x[heldout_idx])
        what = (f"full MNIST training set from keras.datasets ({len(xs):,} digits; "
                f"{dropped} identical to held-out digits removed)")
    before = len(xs)
    xs, ys = _subset(xs, ys, limit)
    if len(xs) < before:
        what += f", first {len(xs):,} used"
    if verbose:
        print(f"Data: {what}")
    return Digits(to_model_range(xs), ys.astype(np.int64), what)


# --------------------------------------------------------------------------- batches


def epoch_order(n: int, seed: int, epoch: int) -> np.ndarray:
    """The order in which epoch ``epoch`` visits ``n`` examples.

    A pure function of (seed, epoch), so a resumed run sees exactly the batches
    an uninterrupted run would have seen.
    """
    return np.random.default_rng([seed, epoch]).permutation(n)


def training_batches(images: np.ndarray, batch_size: int, seed: int, first_epoch: int, last_epoch: int,
                     labels: np.ndarray | None = None):
    """A ``tf.data.Dataset`` of shuffled full batches for epochs ``first_epoch..last_epoch-1``.

    Every epoch has ``len(images) // batch_size`` batches (the remainder is
    dropped, so every step sees the same batch size). With ``labels`` (one per
    image, for a conditional GAN) each element is ``(images, labels)``, in the
    same order as without them.
    """
    import tensorflow as tf

    n = len(images)
    if not isinstance(batch_size, (int, np.integer)) or batch_size <= 0:
        raise ValueError(f"batch_size={batch_size!r}: it must be a positive whole number.")
    if batch_size > n:
        raise ValueError(f"batch_size={batch_size} is larger than the data ({n} images): use at most {n}.")
    steps = n // batch_size
    order = np.concatenate([epoch_order(n, seed, e)[: steps * batch_size] for e in range(first_epoch, last_epoch)])
    images = tf.constant(images)
    ds = tf.data.Dataset.from_tensor_slices(order.astype(np.int32)).batch(batch_size)
    if labels is not None:
        if len(labels) != n:
            raise ValueError(f"{len(labels)} labels for {n} images: give exactly one label per image.")
        labels = tf.constant(labels)
        pick = tf.autograph.experimental.do_not_convert(lambda idx: (tf.gather(images, idx), tf.gather(labels, idx)))
        return ds.map(pick, num_parallel_calls=1, deterministic=True).prefetch(2)
    ds = ds.map(tf.autograph.experimental.do_not_convert(lambda idx: tf.gather(images, idx)),
                num_parallel_calls=1, deterministic=True)
    return ds.prefetch(2)
