"""Shared pytest set-up for gan_lib's tests.

* Plots never open a window (matplotlib's non-interactive Agg backend).
* ``GAN_COURSE_QUICK`` is the one switch between full and quick mode; ``make
  test`` sets it. Tests that depend on the mode ask for the ``full_mode`` or
  ``quick_mode_env`` fixture instead of reading the environment.
"""

import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from gan_lib import config  # noqa: E402


@pytest.fixture
def full_mode(monkeypatch):
    """Full mode: ``GAN_COURSE_QUICK`` unset for the duration of the test."""
    monkeypatch.delenv(config.QUICK_ENV, raising=False)


@pytest.fixture
def quick_mode_env(monkeypatch):
    """Quick mode: ``GAN_COURSE_QUICK=1`` for the duration of the test."""
    monkeypatch.setenv(config.QUICK_ENV, "1")
