"""A ``make train`` recipe's run with its quality after every epoch.

    python benchmarks/course_curve.py                    # the wide candidate  -> reference/make_train_wide.json
    python benchmarks/course_curve.py --recipe dcgan     # make train's recipe -> reference/course_default.json
    python benchmarks/course_curve.py --seed 1 --out benchmarks/results/curve_seed1.json

Two recipes (:data:`RECIPES`): ``dcgan``, ``make train``'s default (the small
``dcgan`` at batch 16, ``gan_lib.train.DEFAULTS``), and ``wide``, the candidate
for clean digits (``dcgan_wide`` at batch 32; benchmarks/results/make_train_recipe.md),
so ``make bench`` can print the two side by side. The script trains through ``gan_lib.train.train``
in a temporary run folder and, after every epoch, evaluates 2,000 samples of
fixed latents against the 2,000 held-out digits. Evaluating does not touch the
training's random state, so the run is the same as ``make train``'s.

* ``dcgan`` evaluates the latents of the run's own ``Evaluate`` callback
  (seed 123), as its committed curve always did.
* ``wide`` evaluates the latents ``make train``'s final report uses (seed
  2024), so the row of epoch N holds exactly the figures ``make train
  --epochs N`` prints; every ``--copies-every`` epochs (and at the last) it
  adds the near-copy share of :func:`gan_lib.measure.metrics.near_copies`.

The seconds recorded per epoch are training only (from the epoch's start to
its last step), not the evaluation. ``make bench`` reads both JSONs for time to
quality; ``make bench FULL=1`` re-runs this script for both recipes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import keras  # noqa: E402
import numpy as np  # noqa: E402
from tutorial_reference import machine  # noqa: E402

from gan_lib import metrics, train  # noqa: E402

#: The recipes this script can record, and where each curve is committed.
RECIPES = {
    "deep": {"settings": {"model": "dcgan_deep", "epochs": 24, "batch_size": 32, "lr": 5e-4, "beta_1": 0.5,
                          "loss": "nonsaturating", "ema_decay": 0.999, "data": "shipped", "seed": 0,
                          "eval_every": 6},
             "out": ROOT / "benchmarks" / "reference" / "make_train_deep.json", "latent_seed": 2024},
    "wide": {"settings": {"model": "dcgan_wide", "epochs": 10, "batch_size": 32, "lr": 5e-4, "beta_1": 0.5,
                          "loss": "nonsaturating", "ema_decay": 0.999, "data": "shipped", "seed": 0,
                          "eval_every": 4},
             "out": ROOT / "benchmarks" / "reference" / "make_train_wide.json", "latent_seed": 2024},
    "dcgan": {"settings": {"model": "dcgan", "epochs": 16, "batch_size": 16, "lr": 5e-4, "beta_1": 0.5,
                           "loss": "nonsaturating", "ema_decay": 0.999, "data": "shipped", "seed": 0,
                           "eval_every": 5},
              "out": ROOT / "benchmarks" / "reference" / "course_default.json", "latent_seed": 123},
}


class Curve(keras.callbacks.Callback):
    """Training seconds and the evaluation protocol's figures after every epoch."""

    def __init__(self, steps_per_epoch, latent_seed=123, copies_every=0, last_epoch=None):
        super().__init__()
        self.steps, self.latent_seed = steps_per_epoch, latent_seed
        self.copies_every, self.last_epoch = copies_every, last_epoch
        self.rows = []

    def on_epoch_begin(self, epoch, logs=None):
        self.t0 = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.t_last = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        seconds = self.t_last - self.t0
        samples = self.model.sample(metrics.N_EVAL, seed=self.latent_seed)
        r = metrics.evaluate(samples)
        row = {"epoch": epoch + 1, "seconds": round(seconds, 3),
               "g_loss": round(float(logs["g_loss"]), 4), "d_loss": round(float(logs["d_loss"]), 4),
               "fd": round(r["fd"], 3), "classifier_score": round(r["classifier_score"], 3),
               "min_class_share": round(min(r["class_shares"]), 4)}
        if self.copies_every and ((epoch + 1) % self.copies_every == 0 or epoch + 1 == self.last_epoch):
            row["near_copy_share"] = round(metrics.near_copies(samples)["near_copy_share"], 4)
        row["load_1min"] = round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None
        self.rows.append(row)
        print(json.dumps(row), flush=True)


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--recipe", choices=sorted(RECIPES), default="wide")
    p.add_argument("--seed", type=int, help="training seed (default: the recipe's)")
    p.add_argument("--epochs", type=int, help="epochs (default: the recipe's)")
    p.add_argument("--batch-size", type=int, help="batch size (default: the recipe's)")
    p.add_argument("--lr", type=float, help="Adam learning rate of both networks (default: the recipe's)")
    p.add_argument("--copies-every", type=int, default=2, help="epochs between near-copy checks (wide; 0 = never)")
    p.add_argument("--out", type=Path, help="where to write the JSON (default: the recipe's committed curve)")
    p.add_argument("--run-dir", type=Path, help="keep the run folder here (default: a temporary one, deleted)")
    p.add_argument("--resume", action="store_true",
                   help="continue --run-dir's run (e.g. with more --epochs), keeping --out's rows up to its checkpoint")
    a = p.parse_args(argv)
    recipe = RECIPES[a.recipe]
    d = dict(recipe["settings"])
    if a.seed is not None:
        d["seed"] = a.seed
    if a.epochs is not None:
        d["epochs"] = a.epochs
    if a.batch_size is not None:
        d["batch_size"] = a.batch_size
    if a.lr is not None:
        d["lr"] = a.lr
    copies = a.copies_every if a.recipe != "dcgan" else 0
    curve = Curve(8000 // d["batch_size"], recipe["latent_seed"], copies, d["epochs"])
    out = a.out or recipe["out"]
    if a.resume:
        if a.run_dir is None or not out.exists():
            p.error("--resume needs --run-dir (the stopped run) and --out (its curve so far)")
        from gan_lib import checkpoint

        done = checkpoint.list_checkpoints(a.run_dir)
        last = int(done[-1].name[5:10]) if done else 0
        curve.rows = [r for r in json.loads(out.read_text())["epochs"] if r["epoch"] <= last]
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = a.run_dir or Path(tmp) / "run"
        result = train.train(**{k: v for k, v in d.items() if k != "eval_every"}, out=str(run_dir),
                             eval_every=0, callbacks=[curve], resume=a.resume)
    record = {
        "recipe": f"{a.recipe}: {json.dumps(d)}",
        "settings": d,
        "data": "shipped MNIST train split (8,000 digits); FD vs the 2,000 held-out digits, after every epoch",
        "latent_seed": recipe["latent_seed"],
        "steps_per_epoch": curve.steps,
        "machine": machine(),
        "finished": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "final_metrics": {k: result[k] for k in ("fd", "classifier_score", "class_shares", "passes")
                          + (("near_copy_share", "clean") if "clean" in result else ())},
        "epochs": curve.rows,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=1) + "\n")
    print(f"wrote {out} (median {np.median([r['seconds'] for r in curve.rows]):.1f} s/epoch of training)")
    return record


if __name__ == "__main__":
    main()
