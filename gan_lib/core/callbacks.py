"""Keras callbacks for the course's GAN: what happens at the end of each epoch.

* :class:`SampleGrid` draws the fixed latent batch and saves a PNG grid, so
  you can watch the *same* latent points turn into digits.
* :class:`Evaluate` adds the course's quality numbers to the epoch's logs
  every few epochs (Frechet distance, classifier score).
* :class:`RunRecorder` keeps the run's history, writes ``history.csv`` and a
  checkpoint, and stops a diverging run before it overwrites a good checkpoint.

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
        if not all(math.isfinite(float(v)) for v in (logs or {}).values()):
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
            if all(math.isfinite(float(v)) for v in logs.values()):
                r = metrics.evaluate(self.model.sample(self.n, seed=123))
                logs["fd"] = r["fd"]
                logs["classifier_score"] = r["classifier_score"]


class TrainingDiverged(RuntimeError):
    """A loss became NaN or infinite."""


class RunRecorder(keras.callbacks.Callback):
    """History, ``history.csv`` and a checkpoint at every epoch end; a guard against NaN.

    ``history`` is the list restored from a checkpoint (empty for a new run).
    If a loss is NaN or infinite at the end of an epoch, no checkpoint is
    written, training stops, and :attr:`diverged` describes what happened.
    """

    def __init__(self, run_dir, config: dict, history: list | None = None, keep: int = 2):
        super().__init__()
        self.run_dir = Path(run_dir)
        self.config = config
        self.history = list(history or [])
        self.keep = keep
        self.diverged = None
        self._t0 = None

    def on_epoch_begin(self, epoch, logs=None):
        self._t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        logs = {k: float(v) for k, v in (logs or {}).items()}
        bad = {k: v for k, v in logs.items() if not math.isfinite(v)}
        if bad:
            self.diverged = {"epoch": epoch + 1, "values": bad}
            self.model.stop_training = True
            return
        row = {"epoch": epoch + 1, **logs, "seconds": round(time.perf_counter() - self._t0, 2)}
        self.history.append(row)
        checkpoint.save(self.model, self.run_dir, epoch + 1, self.history, self.config, keep=self.keep)
        write_history_csv(self.history, self.run_dir / "history.csv")


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
