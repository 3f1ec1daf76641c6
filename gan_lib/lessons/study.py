"""Studies over models and seeds whose samples are committed and re-scored by the tests.

A lesson's claim that one recipe beats another needs several seeds at a budget
where the difference shows, which is often more training than a notebook's ~20
minutes. So a ``make`` target runs the study once and commits, per run, the
samples (``<model>_seed<k>.npz``, uint8) and their scores with the recipe and
mode that made them (``<model>_seed<k>.json``); the notebook loads them and the
tests score the samples again. Used by lesson 04's MNIST studies
(:mod:`gan_lib.lessons.collapse_digits`, :mod:`gan_lib.lessons.collapse_fast_d`), lesson 05's
emoji study (:mod:`gan_lib.lessons.colour_study`) and lesson 09's StyleGAN and BigGAN studies.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np

from gan_lib.core import config


def results_dir(committed: str, prefix: str, quick: bool | None = None) -> Path:
    """Where a study writes: the committed folder ``committed`` (e.g. ``runs/05_colour``) in full mode.

    Quick mode (CI) never writes there: it gets a fresh temporary folder named
    ``<prefix>...``, so a quick run cannot overwrite the committed full-mode runs.
    Outside a clone the committed folder is fetched once into a cache (Colab).
    """
    quick = config.quick_mode() if quick is None else quick
    if quick:
        return Path(tempfile.mkdtemp(prefix=prefix))
    return config.committed_folder(committed)


def sample_file(model: str, seed: int) -> str:
    """``<model>_seed<k>.npz``: a run's samples (uint8); its scores are the ``.json`` of the same name."""
    return f"{model}_seed{seed}.npz"


def is_done(folder, model: str, seed: int, recipe: dict, quick: bool, data_file: str | None = None) -> bool:
    """True when the run's samples and scores are in ``folder``, made with this recipe and mode.

    ``data_file`` names what the run stores beside its ``<model>_seed<k>.json`` when that is not its
    samples (:func:`sample_file`), e.g. a generator's weights."""
    f = Path(folder) / sample_file(model, seed)
    scores = f.with_suffix(".json")
    if not ((Path(folder) / data_file if data_file else f).exists() and scores.exists()):
        return False
    old = json.loads(scores.read_text())
    return old.get("recipe") == recipe and old.get("quick") == quick


def save_run(folder, model: str, seed: int, samples: np.ndarray, run: dict) -> dict:
    """Write a run's uint8 samples and its ``run`` dict (scores, seconds, recipe, mode); return the dict."""
    if samples.dtype != np.uint8:
        raise ValueError(f"samples of dtype {samples.dtype}: store runs as uint8 (quantise them first).")
    f = Path(folder) / sample_file(model, seed)
    np.savez_compressed(f, images=samples)
    run = {"model": model, "seed": seed, **run}
    f.with_suffix(".json").write_text(json.dumps(run, indent=1))
    return run


def gather(folder, models) -> list[dict]:
    """Every run of ``models`` in ``folder``, ordered by model then seed; refuses runs of mixed recipes or modes."""
    models = list(models)
    runs = []
    for p in sorted(Path(folder).glob("*_seed*.json")):
        x = json.loads(p.read_text())
        # only <model>_seed<k>.json of the run it names: other files (a probe_<model>_seed<k>.json) are not runs
        if x.get("model") in models and p.stem == Path(sample_file(x["model"], x.get("seed", -1))).stem:
            runs.append(x)
    recipes = {json.dumps([x.get("recipe"), x.get("quick")], sort_keys=True) for x in runs}
    if len(recipes) > 1:
        raise ValueError(f"{folder} holds runs made with different recipes or modes: train them again with one "
                         "recipe (delete the old <model>_seed<k>.json files) before gathering them.")
    runs.sort(key=lambda x: (models.index(x["model"]), x["seed"]))
    return runs


def train_missing(folder, models, seeds, recipe: dict, quick: bool, load_images, train_one, describe, log=print):
    """Train and save every ``(model, seed)`` not already in ``folder`` with this recipe and mode.

    ``load_images()`` gives the training images (called once, only if something is trained);
    ``train_one(model, seed, images, recipe)`` returns ``(uint8 samples, scores dict, seconds)``;
    ``describe(run)`` is the run's one-line summary for ``log``.
    """
    images = None
    for model in models:
        for seed in seeds:
            if is_done(folder, model, seed, recipe, quick):
                continue
            if images is None:
                images = load_images()
            samples, scores, seconds = train_one(model, seed, images, recipe)
            run = save_run(folder, model, seed, samples,
                           {"seconds": round(seconds, 1), "recipe": recipe, "quick": quick, **scores})
            log(f"{model} seed {seed}: {describe(run)} ({seconds:.0f} s)")


def write_results(folder, name: str, runs: list[dict], recipe: dict, quick: bool, **fields) -> Path:
    """Write ``folder/name``: the recipe and mode the ``runs`` were made with (``recipe`` and ``quick``
    while there are none), then ``fields`` (the study's own), then the runs. Returns the path."""
    doc = {"recipe": runs[0]["recipe"] if runs else recipe, "quick": runs[0]["quick"] if runs else quick,
           **fields, "runs": runs}
    path = Path(folder) / name
    path.write_text(json.dumps(doc, indent=1))
    return path


def load_results(folder, name: str, how: str) -> dict:
    """The study ``folder/name``, or a ``FileNotFoundError`` that says to ``how`` (e.g. "run `make lesson05`")."""
    path = Path(folder) / name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: {how}.")
    return json.loads(path.read_text())


def load_samples(folder, model: str, seed: int) -> np.ndarray:
    """A committed run's samples, uint8 as stored."""
    path = Path(folder) / sample_file(model, seed)
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run the study's make target to train it.")
    with np.load(path) as f:
        return f["images"]


def parse_cli(argv, description: str, models, default_out: str):
    """The ``--out``, ``--seeds`` and ``--models`` of a study's command line, checked (one-line errors)."""
    import argparse

    p = argparse.ArgumentParser(description=description)
    p.add_argument("--out", default=None, help=f"results folder (default: {default_out})")
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--models", default=",".join(models))
    a = p.parse_args(argv)
    try:
        a.seeds = [int(s) for s in a.seeds.split(",")]
    except ValueError:
        p.error(f"--seeds {a.seeds}: give whole numbers separated by commas, e.g. 0,1,2.")
    a.models = a.models.split(",")
    bad = [m for m in a.models if m not in models]
    if bad:
        p.error(f"--models {','.join(bad)}: the study's models are {', '.join(models)}.")
    return a
