"""Quality over time: train a GAN epoch by epoch and measure it after each one.

Lessons compare models by *how good they get for how much compute*. This module
trains a course :class:`gan_lib.core.gan.GAN` with ``fit`` and, after every epoch,
records the training wall-clock time so far and the evaluation protocol's
numbers (:func:`gan_lib.measure.metrics.evaluate`) on a fixed latent batch::

    rows = tracking.fit_tracked(gan, digits.images, batch_size=16, epochs=8)
    tracking.plot_quality({"course DCGAN": rows}, floor=rows[-1]["fd_floor"])

The seconds count training only: the time spent measuring is left out, so a
curve against seconds shows what the training itself costs.
"""

from __future__ import annotations

import time

import keras
import numpy as np

from gan_lib.measure import metrics


class QualityTracker(keras.callbacks.Callback):
    """After each epoch, append a row to :attr:`rows`.

    A row holds ``epoch``, ``seconds`` (training time so far, measuring
    excluded), the epoch's mean ``d_loss``, ``g_loss``, ``d_real``, ``d_fake``,
    and for ``n`` samples of ``gan.sampler`` (the weight average if the GAN
    keeps one): ``fd``, ``fd_floor``, ``classifier_score``, ``class_shares``,
    ``min_share``. With ``raw_too=True`` and a weight average, the same numbers
    of the raw generator follow with the suffix ``_raw``. The latents are the
    same every epoch (``seed``), so changes come from the model alone.
    Put it first in ``callbacks`` so that other callbacks' time is not counted.
    """

    def __init__(self, n: int = 1000, seed: int = 123, raw_too: bool = False):
        super().__init__()
        self.n, self.seed, self.raw_too = n, seed, raw_too
        self.rows: list[dict] = []
        self._t0 = None
        self._total = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self._t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self._total += time.perf_counter() - self._t0
        gan = self.model
        row = {"epoch": epoch + 1, "seconds": round(self._total, 2)}
        row.update({k: float(v) for k, v in (logs or {}).items()})
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
        self.rows.append(row)


def fit_tracked(gan, images, batch_size: int, epochs: int, seed: int = 0, callbacks=(), n: int = 1000,
                raw_too: bool = False) -> list[dict]:
    """Train ``gan`` for ``epochs`` epochs on ``images`` and return one row per epoch.

    Batches come from :func:`gan_lib.data.training_batches` (a pure function of
    ``seed`` and the epoch), ``steps = len(images) // batch_size`` per epoch;
    ``callbacks`` run after the tracker (e.g. :class:`gan_lib.core.callbacks.SampleGrid`).
    See :class:`QualityTracker` for the rows.
    """
    tracker = QualityTracker(n=n, raw_too=raw_too)
    gan.fit_images(images, batch_size, epochs, seed=seed, callbacks=[tracker, *callbacks])
    return tracker.rows


def plot_quality(runs: dict, floor: float | None = None, key: str = "fd", title: str = "Quality over time"):
    """FD (log scale) per epoch and against training seconds, one line per run.

    ``runs`` maps a label to the rows of :func:`fit_tracked`; ``floor`` draws the
    real-vs-real floor as a dashed line.
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True)
    for label, rows in runs.items():
        ys = [r[key] for r in rows]
        axes[0].plot([r["epoch"] for r in rows], ys, marker="o", ms=3, label=label)
        axes[1].plot([r["seconds"] for r in rows], ys, marker="o", ms=3, label=label)
    for ax, xlabel in zip(axes, ("epoch", "training seconds (wall clock)")):
        if floor is not None:
            ax.axhline(floor, color="gray", ls="--", lw=0.8)
        ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.grid(alpha=0.3, which="both")
    axes[0].set_ylabel("Frechet distance (lower is better)")
    axes[0].set_title(f"{title}: per epoch")
    axes[1].set_title(f"{title}: per second of training")
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    return fig


def at_budget(rows: list[dict], seconds: float, slack: float = 0.05) -> dict:
    """The last row reached within ``seconds`` of training (plus ``slack``, 5%); the first row if none was."""
    within = [r for r in rows if r["seconds"] <= seconds * (1.0 + slack)]
    return within[-1] if within else rows[0]


def format_rows(rows: list[dict], suffix: str = "", shares: bool = False) -> str:
    """One line per epoch: seconds, FD, classifier score, smallest class share (and all shares)."""
    lines = []
    for r in rows:
        line = (f"epoch {r['epoch']:3d}  {r['seconds']:6.0f} s  FD {r['fd' + suffix]:7.1f}  "
                f"score {r['classifier_score' + suffix]:5.2f}  smallest share {r['min_share' + suffix]:.3f}")
        if shares:
            line += "  shares " + " ".join(f"{s:.2f}" for s in r["class_shares" + suffix])
        lines.append(line)
    return "\n".join(lines)
