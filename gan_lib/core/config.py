"""The course's switches, read in one place.

Quick mode
----------
Every notebook and script runs in one of two modes:

* **full** – what a student runs; the stored notebook outputs come from it.
* **quick** – what CI runs: less data and fewer steps, *the same code path*.

The switch is the environment variable ``GAN_COURSE_QUICK`` (``1`` = quick).
Nothing else in the course reads that variable: ask :func:`quick_mode` or
:func:`pick` instead, so a lesson says once what it shrinks::

    epochs = config.pick(full=30, quick=2)
"""

from __future__ import annotations

import os

#: The one environment variable that selects quick mode.
QUICK_ENV = "GAN_COURSE_QUICK"

#: ``owner/name`` of the course's GitHub repository; the Colab badges and the
#: notebooks' setup cells are built from it (see :mod:`gan_lib.coursework.course`).
REPO_SLUG = "gan-course/gan-course"
#: Branch the Colab badges open.
REPO_BRANCH = "main"

#: The seed a lesson uses unless it says otherwise.
DEFAULT_SEED = 42


def quick_mode() -> bool:
    """True when ``GAN_COURSE_QUICK`` is set to 1/true/yes/on."""
    value = os.environ.get(QUICK_ENV, "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise ValueError(
        f"{QUICK_ENV}={value!r} is not understood: set it to 1 for quick mode, "
        "or 0 (or leave it unset) for full mode."
    )


def mode_name() -> str:
    """``"quick"`` or ``"full"``."""
    return "quick" if quick_mode() else "full"


def pick(full, quick):
    """Return ``quick`` in quick mode and ``full`` otherwise."""
    return quick if quick_mode() else full
