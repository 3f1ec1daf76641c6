"""A training run's folder: what it holds, the checks before anything is written, and the final outputs.

``python -m gan_lib.train`` (see :mod:`gan_lib.train`) writes one folder per run.
Everything that knows that folder's layout lives here, apart from the training
loop, so the command line reads as "check, train, write":

* :data:`OUTPUT_FOLDERS` and :data:`OUTPUT_FILES` name what a run writes;
  :func:`check_output_folder` refuses, before any work and creating nothing, a
  folder where one of them could not be written (a file where a folder goes,
  a read-only parent); :func:`make_writable` then creates it and proves it.
* :func:`write_settings` stores the run's settings in ``run_config.json``;
  :func:`saved_settings` and :func:`resume_settings` read them back for
  ``--resume``, which continues a run with its own settings.
* :func:`write_final_outputs` writes the GIF, loss plot, models, samples and
  metrics of a trained run, each through :func:`write_atomic` so that a crash
  leaves the old file or the new one, never half of one.

Problems are a :class:`RunError` whose message says what to do.
"""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path


class RunError(RuntimeError):
    """A run that cannot start or go on; the message says what to do."""


#: What a run writes into its folder: sub-folders, then files (checked before any work).
OUTPUT_FOLDERS = ("checkpoints", "samples", "tensorboard")
OUTPUT_FILES = ("generator.keras", "discriminator.keras", "samples.npy", "metrics.json", "run_config.json",
                "history.csv", "losses.png", "training.gif")
#: Settings a resumed run may change; every other one must match the stopped run's.
RESUME_MAY_CHANGE = ("epochs", "eval_every")


def check_output_folder(folder: Path) -> Path:
    """Refuse (creating nothing) an output folder where some file of the run could not be written."""
    fix = "Move it away or choose another --out."
    if folder.exists() and not folder.is_dir():
        raise RunError(f"Cannot write to the output folder {folder}: it is a file. {fix}")
    for name in OUTPUT_FOLDERS:
        if (folder / name).exists() and not (folder / name).is_dir():
            raise RunError(f"{folder / name} is a file, but the run writes its {name} into a folder there. {fix}")
    for name in OUTPUT_FILES:
        if (folder / name).is_dir():
            raise RunError(f"{folder / name} is a folder, but the run writes a file there. {fix}")
    ancestor = folder
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir() or not os.access(ancestor, os.W_OK | os.X_OK):
        why = "is a file" if ancestor.exists() and not ancestor.is_dir() else "is not writable"
        raise RunError(f"Cannot write to the output folder {folder} ({ancestor} {why}). Choose another with --out.")
    return folder


def make_writable(folder: Path) -> Path:
    """Create the output folder (after every check passed) and prove a file can be written there."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as e:
        raise RunError(f"Cannot write to the output folder {folder} ({e.strerror or e}). "
                       "Choose another with --out.") from e
    return folder


def write_atomic(path: Path, write) -> None:
    """``write(tmp)`` a sibling temporary file, then rename it to ``path``: a crash leaves old or new, never half."""
    tmp = path.with_name(f".tmp-{os.getpid()}-{path.name}")  # keeps the suffix Keras and NumPy look at
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_settings(run_dir: Path, run_config: dict) -> None:
    """Store the run's settings in ``run_dir/run_config.json`` (what ``--resume`` reads back)."""
    write_atomic(run_dir / "run_config.json", lambda p: p.write_text(json.dumps(run_config, indent=2) + "\n"))


def saved_settings(run_dir: Path) -> dict | None:
    """The settings in ``run_dir/run_config.json`` (``None`` if there is none), for ``--resume``."""
    path = run_dir / "run_config.json"
    if not path.is_file():
        return None
    try:
        saved = json.loads(path.read_text())
        if not isinstance(saved, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as e:
        raise RunError(f"{path} cannot be read ({e}), so --resume does not know this run's settings. "
                       "Restore the file, or start a new run with another --out.") from e
    return saved


def resume_settings(saved: dict, given: dict, names) -> dict:
    """The stopped run's settings ``names``, after checking that every setting given again agrees with them.

    ``saved`` comes from :func:`saved_settings`, ``given`` holds the settings passed
    again (flags); only :data:`RESUME_MAY_CHANGE` may differ. ``"out"`` is never
    taken from the file: the folder is where the run was found.
    """
    differ = [f"{k} {given[k]!r} (the run has {saved[k]!r})" for k in given
              if k not in RESUME_MAY_CHANGE and k in saved and given[k] != saved[k]]
    if differ:
        raise RunError("--resume continues the run with its own settings (run_config.json), but you gave "
                       f"{'; '.join(differ)}. Leave those flags out to continue it, or choose another --out "
                       "for a new run.")
    settings = {k: saved[k] for k in names if k in saved and k != "out"}
    if "limit" not in saved and "train_images" in saved:  # a run_config.json from before "limit" was stored
        settings["limit"] = saved["train_images"]  # the first train_images digits: the same data
    return {**settings, **given}


def write_final_outputs(gan, run_dir: Path, history: list, run_config: dict, train_seconds: float,
                        log=print) -> dict:
    """Write the GIF, loss plot, models, samples and metrics of a trained run; return the metrics.

    Refuses (:class:`gan_lib.core.callbacks.TrainingDiverged`, writing nothing)
    weights that hold NaN or inf. Each file is written to a temporary name and
    renamed into place.
    """
    import numpy as np

    from gan_lib import plotting
    from gan_lib.core import checkpoint
    from gan_lib.core.callbacks import TrainingDiverged
    from gan_lib.measure import classifier, metrics

    bad = checkpoint.nonfinite(gan.state_variables())
    if bad:
        raise TrainingDiverged(f"The trained weights hold NaN or inf ({', '.join(bad[:3])}), so no output was "
                               f"written. The checkpoints in {checkpoint.checkpoint_dir(run_dir)} are kept; "
                               "try a smaller learning rate (--lr) or another --seed.")
    frames = sorted((run_dir / "samples").glob("epoch_*.png"))
    plotting.make_gif(frames, run_dir / "training.gif")
    if history:
        plotting.plot_history(history, run_dir / "losses.png", title=run_config["model"])
    write_atomic(run_dir / "generator.keras", gan.sampler.save)
    checkpoint.fault_point("final-outputs")
    write_atomic(run_dir / "discriminator.keras", gan.discriminator.save)
    samples = gan.sample(metrics.N_EVAL, seed=2024)
    write_atomic(run_dir / "samples.npy", lambda p: np.save(p, samples.astype(np.float32), allow_pickle=False))
    result = metrics.evaluate(samples)
    result.update(metrics.near_copies(samples))
    result["clean"] = metrics.clean(result)
    epoch_seconds = [h["seconds"] for h in history]
    result.update({
        "model": run_config["model"],
        "data": run_config["data_description"],
        "epochs": len(history),
        "mode": run_config["mode"],
        "seconds_this_session": round(train_seconds, 1),
        "seconds_per_epoch_median": float(np.median(epoch_seconds)) if epoch_seconds else None,
        "seconds_training_total": round(float(np.sum(epoch_seconds)), 1),
        "classifier_heldout_accuracy": classifier.card()["heldout_accuracy"],
        "thresholds": metrics.THRESHOLDS,
        "clean_bar": metrics.CLEAN,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores, {platform.system()}",
    })
    write_atomic(run_dir / "metrics.json", lambda p: p.write_text(json.dumps(result, indent=2) + "\n"))
    log(f"\nTrained {len(history)} epochs in {result['seconds_training_total']:.0f} s of training "
        f"(median {result['seconds_per_epoch_median']:.1f} s/epoch). Samples of {run_config['model']} "
        f"against the {metrics.N_EVAL:,} held-out digits:")
    log(metrics.summary(result))
    log(metrics.clean_summary(result))
    log(f"Wrote {run_dir}/: training.gif, losses.png, history.csv, samples/, checkpoints/, tensorboard/, "
        "generator.keras, discriminator.keras, samples.npy, metrics.json, run_config.json")
    return result
