"""Keras callbacks for the course's GAN: what happens at the end of each epoch.

* :class:`SampleGrid` draws the fixed latent batch and saves a PNG grid, so
  you can watch the *same* latent points turn into digits.
* :class:`Evaluate` adds the course's quality numbers to the epoch's logs
  every few epochs (Frechet distance, classifier score).
* :class:`RunRecorder` keeps the run's history, writes ``history.csv`` and a
  checkpoint, and stops a diverging run before it overwrites a good checkpoint:
  it watches every step's losses and, before each checkpoint, every weight and
  optimizer variable (a step whose loss is finite can still leave NaN weights).
* :class:`TensorBoardLog` writes the same per-epoch numbers, the fixed latent grid and the
  run's settings as TensorBoard logs (``tensorboard --logdir <run>/tensorboard``).
* :class:`EpochRows` and :class:`QualityTracker` keep one row per epoch (logs,
  training seconds; the protocol's quality numbers) for lessons that compare
  runs by quality over time. Lessons train with ``gan.fit_images(...)`` plus
  these callbacks instead of wrapping the training loop.

Put them in this order in ``fit(callbacks=[...])``: the recorder stores what
the others added to the logs.
"""

from __future__ import annotations

import csv
import math
import time
from pathlib import Path

import keras
import numpy as np

from gan_lib.core import checkpoint
from gan_lib.measure import metrics
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


class TensorBoardLog(keras.callbacks.Callback):
    """TensorBoard logs of a run, one step per epoch (the epoch number, so a resumed run continues).

    Every number in the epoch's logs becomes a scalar (losses, mean D(x) and D(G(z)) as
    ``d_real`` / ``d_fake``, and the quality numbers :class:`Evaluate` added, which it must
    therefore follow in the callback list); the fixed latent batch becomes an image
    ``samples`` (an 8-column grid in [0, 255]); ``settings`` (a dict) is written once as text
    at the first epoch of the run. Read the logs with ``tensorboard --logdir <log_dir>``.
    """

    def __init__(self, log_dir, settings: dict | None = None, image_every: int = 1):
        super().__init__()
        self.log_dir, self.settings, self.image_every = Path(log_dir), settings, image_every
        self.writer = None

    def on_train_begin(self, logs=None):
        import tensorflow as tf

        self.writer = tf.summary.create_file_writer(str(self.log_dir))

    def on_epoch_end(self, epoch, logs=None):
        import tensorflow as tf

        from gan_lib.plotting import grid

        step = epoch + 1
        with self.writer.as_default(step=step):
            if self.settings is not None:
                lines = "\n".join(f"| {k} | {v} |" for k, v in self.settings.items())
                tf.summary.text("settings", "| setting | value |\n|---|---|\n" + lines)
                self.settings = None
            for key, value in (logs or {}).items():
                if isinstance(value, (int, float, np.floating, np.integer)) or np.ndim(value) == 0:
                    tf.summary.scalar(key, float(value))
            if step % self.image_every == 0 and state_is_finite(self.model):
                g = grid(self.model.generate(self.model.fixed_latent), ncols=8)
                tf.summary.image("samples", (g[..., None] if g.ndim == 2 else g)[None])
        self.writer.flush()

    def on_train_end(self, logs=None):
        if self.writer is not None:
            self.writer.close()


class Evaluate(keras.callbacks.Callback):
    """Every ``every`` epochs, add ``fd`` and ``classifier_score`` of ``n`` samples to the logs.

    ``n`` defaults to the protocol's 2,000, so the numbers compare with the
    thresholds (Frechet distance is biased upwards at smaller n).
    """

    def __init__(self, every: int = 5, n: int = 2000, last_epoch: int | None = None):
        super().__init__()
        self.every, self.n, self.last_epoch = every, n, last_epoch

    def on_epoch_end(self, epoch, logs=None):
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

    The "summarize performance" step of the Keras GAN articles the course draws on (D's
    accuracy on real and fake images, as in the CIFAR-10 GAN article), done without touching
    the training step: at the end of every epoch D (in inference mode, through
    :meth:`gan_lib.core.gan.GAN.discriminate`) judges the same ``real`` images and
    the generator's images for a fixed latent batch; a logit above 0 counts as
    "real". Accuracy on real is the share it calls real, on fake the share it
    calls fake. Both near 100% for many epochs means D wins outright and G gets
    little signal (non-convergence); both near 50% means D cannot tell (good, or
    D has collapsed too).

    A class-conditional GAN (``GAN(..., n_classes=k)``) needs ``labels``, the
    integer class of each real image; the fakes are drawn for the classes 0, 1,
    ..., k - 1, 0, 1, ... in turn and judged with those classes.

    It draws nothing from the GAN's random generator, so a run with this
    callback trains exactly like one without it.
    """

    def __init__(self, real, n_fake: int | None = None, seed: int = 99, labels=None):
        super().__init__()
        import numpy as np

        self.real = np.asarray(real, dtype="float32")
        if self.real.ndim != 4 or len(self.real) < 1:
            raise ValueError(f"real has shape {self.real.shape}; pass a batch of images (N, H, W, C).")
        self.labels = None if labels is None else np.asarray(labels)
        if self.labels is not None and self.labels.shape != (len(self.real),):
            raise ValueError(f"labels have shape {self.labels.shape}; give one integer class per real image: "
                             f"shape ({len(self.real)},).")
        self.n_fake = len(self.real) if n_fake is None else int(n_fake)
        self.seed = seed

    def _check_labels(self):
        conditional = self.model.n_classes is not None
        if conditional and self.labels is None:
            raise ValueError("This GAN is class-conditional: D judges each image with its class. "
                             "Pass the real images' classes: DiscriminatorAccuracy(real, labels=...).")
        if not conditional and self.labels is not None:
            raise ValueError("labels= was given, but this GAN is unconditional; drop labels= "
                             "(or build the GAN with n_classes=...).")

    def on_train_begin(self, logs=None):
        self._check_labels()  # fail before the first epoch, not after it

    def accuracies(self):
        """``(accuracy on real, accuracy on fake)`` of the current D and generator."""
        import numpy as np

        self._check_labels()
        gan = self.model
        z = np.random.default_rng([self.seed, 5]).standard_normal((self.n_fake, gan.latent_dim)).astype("float32")
        fake_labels = None if gan.n_classes is None else np.arange(self.n_fake) % gan.n_classes
        fake = gan.generate(z, generator=gan.generator, labels=fake_labels)
        real_logits = gan.discriminate(self.real, labels=self.labels)
        fake_logits = gan.discriminate(fake, labels=fake_labels)
        return float(np.mean(real_logits > 0)), float(np.mean(fake_logits <= 0))

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        if all(math.isfinite(float(v)) for v in logs.values()):
            logs["d_acc_real"], logs["d_acc_fake"] = self.accuracies()


class EpochRows(keras.callbacks.Callback):
    """One row per epoch in :attr:`rows`: ``epoch``, training ``seconds`` so far and the epoch's logs.

    The logs are the GAN's epoch means (``d_loss``, ``g_loss``, ``d_real``,
    ``d_fake``) plus whatever callbacks before this one added. ``seconds``
    counts training only: the clock stops at this callback's epoch end and
    restarts at the next epoch's beginning, so measuring (here or in later
    callbacks) is left out. Pass the same instance to several ``fit`` calls to
    keep one list for a run trained in chunks::

        log = callbacks.EpochRows()
        gan.fit_images(data, 128, 5, callbacks=[log])
        gan.fit_images(data, 128, 10, initial_epoch=5, callbacks=[log])
        log.rows[-1]["d_fake"]

    Subclasses add columns by overriding :meth:`measure`.
    """

    def __init__(self):
        super().__init__()
        self.rows: list[dict] = []
        self._t0 = None
        self._total = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self._t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self._total += time.perf_counter() - self._t0
        row = {"epoch": epoch + 1, "seconds": round(self._total, 2)}
        row.update({k: float(v) for k, v in (logs or {}).items()})
        row.update(self.measure(self.model))
        self.rows.append(row)

    def measure(self, gan) -> dict:
        """Extra columns for this epoch's row (none here)."""
        return {}


class QualityTracker(EpochRows):
    """:class:`EpochRows` plus the evaluation protocol's numbers after every epoch (digits).

    For ``n`` samples of ``gan.sampler`` (the weight average if the GAN keeps
    one) each row gets ``fd``, ``fd_floor``, ``classifier_score``,
    ``class_shares`` and ``min_share`` (:func:`gan_lib.measure.metrics.evaluate`).
    With ``raw_too=True`` and a weight average, the same numbers of the raw
    generator follow with the suffix ``_raw``. The latents are the same every
    epoch (``seed``), so changes come from the model alone. ``extra``, a
    function ``gan -> dict``, adds more columns (e.g.
    :func:`gan_lib.lessons.conditional.accuracy_row`). Put it first in
    ``callbacks`` so that other callbacks' time is not counted::

        tracker = callbacks.QualityTracker(n=1000)
        gan.fit_images(digits.images, 16, 8, callbacks=[tracker])
        tracking.plot_quality({"course DCGAN": tracker.rows})
    """

    def __init__(self, n: int = 1000, seed: int = 123, raw_too: bool = False, extra=None):
        super().__init__()
        self.n, self.seed, self.raw_too, self.extra = n, seed, raw_too, extra

    def measure(self, gan) -> dict:
        row = {}
        z = np.random.default_rng([self.seed, 17]).standard_normal((self.n, gan.latent_dim)).astype("float32")
        models = [("", gan.sampler)]
        if self.raw_too and gan.ema_generator is not None:
            models.append(("_raw", gan.generator))
        for suffix, model in models:
            r = metrics.evaluate(gan.generate(z, generator=model))
            row.update({f"fd{suffix}": r["fd"], f"classifier_score{suffix}": r["classifier_score"],
                        f"class_shares{suffix}": r["class_shares"],
                        f"min_share{suffix}": float(min(r["class_shares"]))})
            row["fd_floor"] = r["fd_floor"]
        if self.extra is not None:
            row.update(self.extra(gan))
        return row
