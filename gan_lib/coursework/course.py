"""Helpers every notebook uses: the run header, the Colab badge, the setup cell.

A lesson's first code cells are (docs/conventions.md, "Notebook template")::

    # setup: works locally and in Colab
    ...                       # SETUP_CELL below
    run = course.run_header(seed=0)     # prints mode, data, seed, versions, start time

and its last code cell is ``run.footer()`` (prints the wall time). The test
suite reads the stored header of every notebook to make sure its stored
outputs come from a full run.
"""

from __future__ import annotations

import platform
import time
from dataclasses import dataclass, field

from gan_lib.core import config, devices

COLAB_BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"


def setup_cell(ref: str | None = None) -> str:
    """The first code cell of every notebook for release ``ref`` (default :data:`gan_lib.core.config.REPO_REF`).

    Locally ``gan_lib`` is installed by ``make``; in Colab the cell installs it from the
    repository at that release tag. Its dependencies are only keras/numpy/matplotlib/pillow
    (already in Colab), and TensorFlow is not among them, so Colab's TensorFlow is never touched.
    """
    ref = ref or config.REPO_REF
    return f'''# Setup: works locally (after `make`) and in Google Colab.
try:
    import gan_lib
except ImportError:  # Colab: install the course's library (it never reinstalls TensorFlow)
    %pip install -q "gan_lib @ git+https://github.com/{config.REPO_SLUG}.git@{ref}"
    import gan_lib  # noqa: F401  (the check that the install worked)'''


#: The setup cell of this release (every notebook's first code cell, verbatim).
SETUP_CELL = setup_cell()


def colab_url(notebook_path: str, ref: str | None = None) -> str:
    """The Colab address of a notebook of the course's repository (path from the repository root) at ``ref``."""
    return (f"https://colab.research.google.com/github/{config.REPO_SLUG}/blob/"
            f"{ref or config.REPO_REF}/{notebook_path}")


def colab_badge(notebook_path: str, ref: str | None = None) -> str:
    """Markdown for the "Open in Colab" badge of a notebook."""
    return f"[![Open In Colab]({COLAB_BADGE_IMAGE})]({colab_url(notebook_path, ref)})"


@dataclass
class RunInfo:
    """What :func:`run_header` printed, and the clock for :meth:`footer`."""

    mode: str
    seed: int
    data: str
    started: float = field(default_factory=time.perf_counter)

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def footer(self) -> None:
        """Print the notebook's wall time (stored outputs then show how long a full run took)."""
        print(f"Notebook finished in {self.elapsed() / 60:.1f} min ({self.mode} mode, seed {self.seed}).")


def run_header(seed: int = config.DEFAULT_SEED, data: str = "shipped MNIST (8,000 train / 2,000 held-out)") -> RunInfo:
    """Seed everything, make TensorFlow deterministic, and print the run header.

    The header says: mode (full or quick), the data the lesson uses, the seed,
    the versions of Python/TensorFlow/Keras/gan_lib, the machine, and the date.
    """
    import keras
    import numpy as np
    import tensorflow as tf

    from gan_lib import __version__
    from gan_lib.core.config import set_determinism

    set_determinism(seed)
    info = RunInfo(mode=config.mode_name(), seed=seed, data=data)
    print(f"Mode: {info.mode}   ({config.QUICK_ENV}=1 selects quick mode: less data, fewer steps, same code)")
    print(f"Data: {data}")
    print(f"Seed: {seed}")
    print(f"Versions: Python {platform.python_version()}, TensorFlow {tf.__version__}, Keras {keras.__version__}, "
          f"NumPy {np.__version__}, gan_lib {__version__}")
    gpus = devices.gpu_names()
    print(f"Machine: {platform.machine()}, {len(gpus)} GPU(s)" + (f" ({', '.join(gpus)})" if gpus else ", CPU only"))
    print(f"Started: {time.strftime('%Y-%m-%d %H:%M')}")
    return info
