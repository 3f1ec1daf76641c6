"""The course's switches, read in one place, and the few checks every entry point shares.

Besides quick mode (below) this module holds :func:`set_determinism` (seed
everything, deterministic TensorFlow ops), :func:`online` (can a download
work here?) and :func:`positive_int` (a count given by a user).

Quick mode
----------
Every notebook and script runs in one of two modes:

* **full** – what a student runs; the stored notebook outputs come from it.
* **quick** – what CI runs: less data and fewer steps, *the same code path*.

The switch is the environment variable ``GAN_COURSE_QUICK`` (``1`` = quick).
Nothing else in the course reads that variable: ask :func:`quick_mode` or
:func:`pick` instead, so a lesson says once what it shrinks::

    epochs = config.pick(full=30, quick=2)

A third mode, **long** (``GAN_COURSE_LONG=1``), is for a GPU or Colab: a lesson
that has more to show with more compute says so with ``pick(..., long=...)``
(lesson 05: all of real CIFAR-10, longer runs, FID); every other value, and
every lesson that gives no ``long``, runs as in full mode. Setting both
switches is refused.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import numpy as np

from gan_lib import __version__ as _VERSION

#: The one environment variable that selects quick mode.
QUICK_ENV = "GAN_COURSE_QUICK"
#: The one environment variable that selects long mode (a GPU or Colab).
LONG_ENV = "GAN_COURSE_LONG"

#: ``owner/name`` of the course's GitHub repository; the Colab badges and the
#: notebooks' setup cells are built from it (see :mod:`gan_lib.coursework.course`).
REPO_SLUG = "gan-course/gan-course"
#: The release the Colab badges open and the setup cells install: the git tag ``v<version>``
#: that ``make release VERSION=...`` makes (``scripts/release.py``), so a notebook opened in
#: Colab always runs against the library it was released with, never a moving ``main``.
REPO_REF = f"v{_VERSION}"

#: The seed a lesson uses unless it says otherwise.
DEFAULT_SEED = 42


def _switch(name: str, what: str) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise ValueError(
        f"{name}={value!r} is not understood: set it to 1 for {what} mode, "
        "or 0 (or leave it unset) for full mode."
    )


def quick_mode() -> bool:
    """True when ``GAN_COURSE_QUICK`` is set to 1/true/yes/on."""
    return _switch(QUICK_ENV, "quick")


def long_mode() -> bool:
    """True when ``GAN_COURSE_LONG`` is set to 1/true/yes/on (and quick mode is not also on)."""
    on = _switch(LONG_ENV, "long")
    if on and quick_mode():
        raise ValueError(f"{QUICK_ENV} and {LONG_ENV} are both set: quick mode is for CI, long mode for a GPU. "
                         f"Unset one of them.")
    return on


def mode_name() -> str:
    """``"quick"``, ``"long"`` or ``"full"``."""
    if long_mode():
        return "long"
    return "quick" if quick_mode() else "full"


_AS_FULL = object()


def pick(full, quick, long=_AS_FULL):
    """Return ``quick`` in quick mode, ``long`` in long mode (``full`` if no ``long`` is given), else ``full``."""
    if long is not _AS_FULL and long_mode():
        return long
    return quick if quick_mode() else full


def set_determinism(seed: int) -> None:
    """Seed Python, NumPy and TensorFlow and make TensorFlow's ops deterministic.

    Every run of the course starts here (the notebooks' header, ``make train``,
    lesson 05's control panel), so one seed gives one result. TensorFlow is
    imported only when this is called: the rest of this module stays cheap.
    """
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def online(host: str, port: int = 443, timeout: float = 3.0) -> bool:
    """True if a TCP connection to ``host:port`` opens within ``timeout`` seconds.

    The one check, before a download, that this machine can reach the internet
    (CIFAR-10 in :mod:`gan_lib.data.colour`, InceptionV3's weights in
    :mod:`gan_lib.measure.fid`), so an offline run gets a clear message instead
    of a long network timeout.
    """
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def positive_int(name: str, value, error=ValueError) -> int:
    """``value`` as an int if it is a whole number of at least 1; otherwise ``error`` saying so.

    The one check of counts given by a user (``k``, ``batch_size``, ``epochs``...);
    ``error`` lets the training command line raise its own ``RunError``.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise error(f"{name}={value!r}: it must be a whole number of at least 1.")
    return int(value)


# --------------------------------------------------------------------------- committed results

#: Where :func:`committed_folder` fetches a lesson's committed results when ``gan_lib`` runs from an
#: installed copy (Colab's ``%pip install``, which brings the package but not ``runs/``): a URL or a
#: folder holding the repository's files. The default is GitHub's raw files at the release tag.
FILES_ENV = "GAN_COURSE_FILES"


def repository_root() -> Path | None:
    """The repository ``gan_lib`` runs from (the folder holding its ``pyproject.toml``), or None for an
    installed copy."""
    root = Path(__file__).resolve().parents[2]
    return root if (root / "pyproject.toml").is_file() else None


def files_source() -> str:
    """Where committed files come from outside the repository (:data:`FILES_ENV` or GitHub at the tag)."""
    return os.environ.get(FILES_ENV) or f"https://raw.githubusercontent.com/{REPO_SLUG}/{REPO_REF}"


def committed_files(folder: str) -> list:
    """The files committed under ``folder`` (e.g. ``"runs/11_inversion"``), by the list the package carries
    (``gan_lib/assets/committed_runs.json``, written by ``scripts/make_manifest.py``)."""
    import json

    listing = json.loads((Path(__file__).resolve().parents[1] / "assets" / "committed_runs.json").read_text())
    return listing.get(folder, [])


def committed_folder(folder: str, files=None, log=print) -> Path:
    """The repository's committed results folder ``folder`` (e.g. ``"runs/11_inversion"``), wherever gan_lib runs.

    From a clone of the repository: ``<repository>/<folder>``, as it is. From an installed copy: the
    folder under the current directory if it is there; else a cache folder
    (``$XDG_CACHE_HOME`` or ``~/.cache``, then ``gan_course/<tag>/<folder>``) into which each of
    ``files`` (default: :func:`committed_files`) that is missing is fetched from :func:`files_source`
    (it says so). Raises
    ``FileNotFoundError`` with what to do when a file can be had neither way.
    """
    import shutil
    import urllib.request

    root = repository_root()
    if root is not None:
        return root / folder
    if (Path.cwd() / folder).is_dir():
        return Path.cwd() / folder
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gan_course" / REPO_REF / folder
    files = committed_files(folder) if files is None else files
    missing = [name for name in files if not (cache / name).is_file()]
    if missing:
        source = files_source()
        cache.mkdir(parents=True, exist_ok=True)
        log(f"Fetching {len(missing)} committed file(s) of {folder} from {source} into {cache}")
        for name in missing:
            where = f"{source.rstrip('/')}/{folder}/{name}"
            part = cache / (name + ".part")
            part.parent.mkdir(parents=True, exist_ok=True)  # names may hold a subfolder (runs/10_little_data/long/...)
            try:
                if "://" in source:
                    with urllib.request.urlopen(where, timeout=60) as r, open(part, "wb") as f:
                        shutil.copyfileobj(r, f)
                else:
                    shutil.copyfile(where, part)
            except OSError as e:
                part.unlink(missing_ok=True)
                raise FileNotFoundError(
                    f"{folder}/{name} (committed with the course) is not here and could not be fetched from "
                    f"{where} ({e}). Run the lesson from a clone of the repository (git clone "
                    f"https://github.com/{REPO_SLUG}.git), copy its {folder} folder into the current folder, or "
                    f"set {FILES_ENV} to a folder or URL holding the repository's files.") from e
            part.replace(cache / name)
    return cache
