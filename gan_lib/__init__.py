"""gan_lib: the small library behind the GAN course's notebooks.

Find a concept by its folder:

==============  ===================================================================
``core/``       the ``GAN`` keras.Model and its train step, the checks on its inputs,
                losses, penalties, layers, packing, latents, checkpoints, callbacks,
                the quick/full switch, a training run's folder, the CLI helpers
``data/``       the shipped MNIST digits and their fixed split; colour images (CIFAR-10,
                the offline colour set)
``models/``     generators and discriminators by family (digits, colour, toy 2-D,
                conditional, style) and a registry of the named pairs (``ModelSpec``)
``measure/``    every number the course prints: Frechet distance, classifier score,
                precision/recall, density/coverage, nearest neighbours, the two-sample
                test, FID, the 2-D mixture benchmarks
``lessons/``    the experiments each lesson runs (theory for 01, classic for 02, ...)
``coursework/`` notebook header, exercises and their checks, student versions, grading
``train.py``    the training command line (``python -m gan_lib.train``, ``make train``)
``plotting.py`` grids, GIFs, loss curves
==============  ===================================================================

The notebooks import short names: ``from gan_lib import GAN, losses, metrics, checks``.
Every module listed in :data:`MODULES` can be imported that way; it is loaded on first
use, so ``import gan_lib`` stays cheap (no TensorFlow until a module needs it). The
plumbing of ``core/`` (``gan_checks``, ``run_folder``, ``cli``) has no short name. Every
module, with what it holds, is in docs/architecture.md.
"""

import os as _os

# TensorFlow's C++ start-up chatter (oneDNN notices, grappler remapper messages)
# buries what students need to read. Python errors are unaffected.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

__version__ = "0.1.0"

import importlib.util as _util

if _util.find_spec("tensorflow") is None:
    raise ImportError(
        "gan_lib needs TensorFlow, which is not installed here. Install one build: "
        "`pip install tensorflow` (Colab already has it), `pip install tensorflow-cpu`, "
        "or `pip install 'tensorflow[and-cuda]'` for an NVIDIA GPU. gan_lib does not list it "
        "as a dependency so that installing gan_lib never replaces the TensorFlow you have."
    )


# Short names for the modules a lesson uses (loaded on first use, PEP 562).
MODULES = {
    # core
    "gan": "gan_lib.core.gan", "losses": "gan_lib.core.losses", "penalties": "gan_lib.core.penalties",
    "layers": "gan_lib.core.layers", "packing": "gan_lib.core.packing", "latent": "gan_lib.core.latent",
    "checkpoint": "gan_lib.core.checkpoint",
    "augment": "gan_lib.core.augment", "callbacks": "gan_lib.core.callbacks", "config": "gan_lib.core.config",
    # data and models
    "data": "gan_lib.data", "colour": "gan_lib.data.colour",
    "models": "gan_lib.models", "style": "gan_lib.models.style",
    # measures
    "metrics": "gan_lib.measure.metrics", "classifier": "gan_lib.measure.classifier",
    "emoji_classifier": "gan_lib.measure.emoji_classifier",
    "evaluate": "gan_lib.measure.evaluate", "neighbours": "gan_lib.measure.neighbours", "fid": "gan_lib.measure.fid",
    "two_sample": "gan_lib.measure.two_sample", "mixtures": "gan_lib.measure.mixtures",
    # lessons
    "theory": "gan_lib.lessons.theory", "theory_nets": "gan_lib.lessons.theory_nets",
    "theory_plots": "gan_lib.lessons.theory_plots", "classic": "gan_lib.lessons.classic",
    "vanilla": "gan_lib.lessons.vanilla",
    "tracking": "gan_lib.lessons.tracking", "collapse": "gan_lib.lessons.collapse", "panel": "gan_lib.lessons.panel",
    "collapse_digits": "gan_lib.lessons.collapse_digits", "collapse_fast_d": "gan_lib.lessons.collapse_fast_d",
    "colour_study": "gan_lib.lessons.colour_study", "colour_longer": "gan_lib.lessons.colour_longer",
    "study": "gan_lib.lessons.study",
    "stabilise": "gan_lib.lessons.stabilise", "conditional": "gan_lib.lessons.conditional",
    "latent_edit": "gan_lib.lessons.latent_edit", "little_data": "gan_lib.lessons.little_data",
    "provenance": "gan_lib.lessons.provenance", "cycle": "gan_lib.lessons.cycle", "recipes": "gan_lib.lessons.recipes",
    "biggan": "gan_lib.lessons.biggan",
    # coursework
    "course": "gan_lib.coursework.course", "exercises": "gan_lib.coursework.exercises",
    "checks": "gan_lib.coursework.checks", "assignments": "gan_lib.coursework.assignments",
    "cells": "gan_lib.coursework.cells", "grade": "gan_lib.coursework.grade", "sandbox": "gan_lib.coursework.sandbox",
    # top level
    "train": "gan_lib.train", "plotting": "gan_lib.plotting", "widgets": "gan_lib.widgets",
    "devices": "gan_lib.core.devices",
}
# Classes and functions a lesson uses often enough to import by name.
NAMES = {"GAN": "gan_lib.core.gan"}

__all__ = sorted([*MODULES, *NAMES])


def __getattr__(name):
    import importlib

    if name in MODULES:
        return importlib.import_module(MODULES[name])
    if name in NAMES:
        return getattr(importlib.import_module(NAMES[name]), name)
    raise AttributeError(f"module 'gan_lib' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *__all__])
