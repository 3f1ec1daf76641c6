"""Keras callbacks for the course's GAN: what happens at the end of each epoch.

* :class:`SampleGrid` draws the fixed latent batch and saves a PNG grid, so
  you can watch the *same* latent points turn into digits.
* :class:`Evaluate` adds the course's quality numbers to the epoch's logs
  every few epochs (Frechet distance, classifier score).
* :class:`RunRecorder` keeps the run's history, writes ``history.csv`` and a
  checkpoint, and stops a diverging run before it overwrites a good checkpoint:
  it watches every step's losses and, before each checkpoint, every weight and
  optimizer variable (a step whose loss is finite can still leave NaN weights).

Put them in this order in ``fit(callbacks=[...])``: the recorder stores what
the others added to the logs.
"""

from __future__ import annotations

import csv
import math
import time
from pathlib import Path

import keras

from gan_lib.core import checkpoint
from gan_lib.plotting import save_grid


class SampleGrid(keras.callbacks.Callback):
    """Save ``<folder>/epoch_<k>.png``: the generator's images for the fixed latent batch."""

    def __init__(self, folder, every: int = 1):
        super().__init__()
        self.folder = Path(folder)
        self.every = every

    def on_epoch_end(self, epoch, logs=None):
        if not all(math.isfinite(float(v)) for v in (logs or {}).values()) or not state_is_finite(self.model):
            return  # a diverged epoch: nothing worth drawing
        if (epoch + 1) % self.every == 0:
            save_grid(self.model.generate(self.model.fixed_latent), self.folder / f"epoch_{epoch + 1:04d}.png", ncols=8)


class Evaluate(keras.callbacks.Callback):
    """Every ``every`` epochs, add ``fd`` and ``classifier_score`` of ``n`` samples to the logs.

    ``n`` defaults to the protocol's 2,000, so the numbers compare with the
    thresholds (Frechet distance is biased upwards at smaller n).
    """

    def __init__(self, every: int = 5, n: int = 2000, last_epoch: int | None = None):
        super().__init__()
        self.every, self.n, self.last_epoch = every, n, last_epoch

    def on_epoch_end(self, epoch, logs=None):
        from gan_lib.measure import metrics

        if logs is None or not self.every:
            return
        if (epoch + 1) % self.every == 0 or epoch + 1 == self.last_epoch:
            if all(math.isfinite(float(v)) for v in logs.values()) and state_is_finite(self.model):
                r = metrics.evaluate(self.model.sample(self.n, seed=123))
                logs["fd"] = r["fd"]
                logs["classifier_score"] = r["classifier_score"]


class TrainingDiverged(RuntimeError):
    """A loss, a weight or an optimizer variable became NaN or infinite."""


def state_is_finite(gan) -> bool:
    """True when every weight and optimizer variable of ``gan`` is finite (no NaN, no inf)."""
    return not checkpoint.nonfinite(gan.state_variables())


class RunRecorder(keras.callbacks.Callback):
    """History, ``history.csv`` and a checkpoint at every epoch end; a guard against NaN.

    ``history`` is the list restored from a checkpoint (empty for a new run).
    The guard looks at every step's losses (stopping at once at the first
    non-finite one) and, before a checkpoint is written, at every variable
    that goes into it. On a NaN or inf no checkpoint is written, training
    stops, and :attr:`diverged` says where and what: ``{"epoch", "step", "steps", "what", "values"}``
    (``values``: the non-finite losses, or the names of the non-finite variables).
    """

    def __init__(self, run_dir, config: dict, history: list | None = None, keep: int = 2):
        super().__init__()
        self.run_dir = Path(run_dir)
        self.config = config
        self.history = list(history or [])
        self.keep = keep
        self.diverged = None
        self._t0 = None
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._t0 = time.perf_counter()
        self._epoch = epoch

    def _stop(self, step, what, values):
        steps = (self.params or {}).get("steps")
        self.diverged = {"epoch": self._epoch + 1, "step": step, "steps": steps, "what": what, "values": values}
        self.model.stop_training = True

    def on_train_batch_end(self, batch, logs=None):
        checkpoint.fault_point(f"step:{self._epoch + 1}:{batch + 1}")
        if self.diverged:
            return
        # The logs are running means over the epoch: the first non-finite one is this step's loss.
        bad = {k: float(v) for k, v in (logs or {}).items() if not math.isfinite(float(v))}
        if bad:
            self._stop(batch + 1, "its losses became " + ", ".join(f"{k}={v}" for k, v in bad.items()), bad)

    def on_epoch_end(self, epoch, logs=None):
        if self.diverged:
            return
        logs = {k: float(v) for k, v in (logs or {}).items()}
        bad = {k: v for k, v in logs.items() if not math.isfinite(v)}
        if bad:
            self._stop(None, "its losses became " + ", ".join(f"{k}={v}" for k, v in bad.items()), bad)
            return
        row = {"epoch": epoch + 1, **logs, "seconds": round(time.perf_counter() - self._t0, 2)}
        try:
            checkpoint.save(self.model, self.run_dir, epoch + 1, [*self.history, row], self.config, keep=self.keep)
        except checkpoint.NonFiniteState:
            bad_vars = checkpoint.nonfinite(self.model.state_variables())
            steps = (self.params or {}).get("steps")
            self._stop(steps, f"{len(bad_vars)} of its variables became NaN or inf (first: "
                              f"{', '.join(bad_vars[:3])}) while every logged loss stayed finite",
                       {"non-finite variables": bad_vars})
            return
        self.history.append(row)
        write_history_csv(self.history, self.run_dir / "history.csv")

    def describe_divergence(self) -> str:
        """One sentence: where training diverged and what went wrong (``""`` if it did not)."""
        d = self.diverged
        if not d:
            return ""
        where = f"epoch {d['epoch']}"
        if d["step"] is not None:
            where += f", step {d['step']}" + (f" of {d['steps']}" if d["steps"] else "")
        return f"Training diverged at {where}: {d['what']}."


def write_history_csv(history: list[dict], path) -> None:
    keys = []
    for row in history:
        keys += [k for k in row if k not in keys]
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys)
        w.writeheader()
        w.writerows(history)


class DiscriminatorAccuracy(keras.callbacks.Callback):
    """Add D's accuracy on real and on fake images to each epoch's logs (``d_acc_real``, ``d_acc_fake``).

    The "summarize performance" of the source articles, done without touching
    the training step: at the end of every epoch D (in inference mode) judges
    the same ``real`` images and the generator's images for a fixed latent
    batch; a logit above 0 counts as "real". Accuracy on real is the share it
    calls real, on fake the share it calls fake. Both near 100% for many
    epochs means D wins outright and G gets little signal (non-convergence);
    both near 50% means D cannot tell (good, or D has collapsed too).

    It draws nothing from the GAN's random generator, so a run with this
    callback trains exactly like one without it.
    """

    def __init__(self, real, n_fake: int | None = None, seed: int = 99):
        super().__init__()
        import numpy as np

        self.real = np.asarray(real, dtype="float32")
        if self.real.ndim != 4 or len(self.real) < 1:
            raise ValueError(f"real has shape {self.real.shape}; pass a batch of images (N, H, W, C).")
        self.n_fake = len(self.real) if n_fake is None else int(n_fake)
        self.seed = seed

    def accuracies(self):
        """``(accuracy on real, accuracy on fake)`` of the current D and generator."""
        import numpy as np
        from keras import ops

        gan = self.model
        z = np.random.default_rng([self.seed, 5]).standard_normal((self.n_fake, gan.latent_dim)).astype("float32")
        fake = gan.generate(z, generator=gan.generator)

        def logits(x):
            return np.concatenate([ops.convert_to_numpy(gan._d(x[i:i + 500], training=False)).reshape(-1)
                                   for i in range(0, len(x), 500)])

        return float(np.mean(logits(self.real) > 0)), float(np.mean(logits(fake) <= 0))

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        if all(math.isfinite(float(v)) for v in logs.values()):
            logs["d_acc_real"], logs["d_acc_fake"] = self.accuracies()
