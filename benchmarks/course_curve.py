"""The course's default run (``make train``'s settings) with its quality after every epoch.

    python benchmarks/course_curve.py      # writes benchmarks/reference/course_default.json

Trains exactly what ``make train`` trains (``gan_lib.train.DEFAULTS``, through
``gan_lib.train.train``, in a temporary run folder) and, after every epoch,
evaluates 2,000 samples of the same fixed latents as the run's own
``Evaluate`` callback against the 2,000 held-out digits. Evaluating does not
touch the training's random state, so the run is the same as ``make train``'s.
The seconds recorded per epoch are training only (from the epoch's start to
its last step), not the evaluation. ``make bench`` reads the JSON for time to
quality; ``make bench FULL=1`` re-runs this script.
"""

from __future__ import annotations

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

OUT = ROOT / "benchmarks" / "reference" / "course_default.json"


class Curve(keras.callbacks.Callback):
    """Training seconds and the evaluation protocol's figures after every epoch."""

    def __init__(self, steps_per_epoch):
        super().__init__()
        self.steps = steps_per_epoch
        self.rows = []

    def on_epoch_begin(self, epoch, logs=None):
        self.t0 = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.t_last = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        seconds = self.t_last - self.t0
        r = metrics.evaluate(self.model.sample(metrics.N_EVAL, seed=123))
        self.rows.append({"epoch": epoch + 1, "seconds": round(seconds, 3),
                          "g_loss": round(float(logs["g_loss"]), 4), "d_loss": round(float(logs["d_loss"]), 4),
                          "fd": round(r["fd"], 3), "classifier_score": round(r["classifier_score"], 3),
                          "min_class_share": round(min(r["class_shares"]), 4)})
        print(json.dumps(self.rows[-1]), flush=True)


def main(out: Path = OUT) -> dict:
    d = train.DEFAULTS
    curve = Curve(8000 // d["batch_size"])
    with tempfile.TemporaryDirectory() as tmp:
        result = train.train(out=str(Path(tmp) / "run"), eval_every=0, callbacks=[curve])
    record = {
        "recipe": f"gan_lib.train.DEFAULTS (make train): {json.dumps({k: v for k, v in d.items() if k != 'out'})}",
        "data": "shipped MNIST train split (8,000 digits); FD vs the 2,000 held-out digits, after every epoch",
        "steps_per_epoch": curve.steps,
        "machine": machine(),
        "finished": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "final_metrics": {k: result[k] for k in ("fd", "classifier_score", "class_shares", "passes")},
        "epochs": curve.rows,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=1) + "\n")
    print(f"wrote {out} (median {np.median([r['seconds'] for r in curve.rows]):.1f} s/epoch of training)")
    return record


if __name__ == "__main__":
    main()
