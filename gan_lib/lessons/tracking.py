"""Quality over time: plots and tables of a GAN's per-epoch quality rows.

Lessons compare models by *how good they get for how much compute*. The rows
come from the course's one training path, ``GAN.fit_images``, with a
:class:`gan_lib.core.callbacks.QualityTracker`: after every epoch it records
the training wall-clock time so far and the evaluation protocol's numbers
(:func:`gan_lib.measure.metrics.evaluate`) on a fixed latent batch::

    tracker = callbacks.QualityTracker(n=1000)
    gan.fit_images(digits.images, 16, 8, callbacks=[tracker])
    tracking.plot_quality({"course DCGAN": tracker.rows}, floor=tracker.rows[-1]["fd_floor"])

The seconds count training only: the time spent measuring is left out, so a
curve against seconds shows what the training itself costs.
"""

from __future__ import annotations


def plot_quality(runs: dict, floor: float | None = None, key: str = "fd", title: str = "Quality over time"):
    """FD (log scale) per epoch and against training seconds, one line per run.

    ``runs`` maps a label to the rows of a :class:`~gan_lib.core.callbacks.QualityTracker`; ``floor`` draws the
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
