"""Lesson 04's experiment: the vanilla GAN and its remedies on the 2-D mixtures.

One recipe (:data:`RECIPE`) for every model, so a comparison differs only in
the remedy. Each remedy is a reusable piece of ``gan_lib`` plugged into the
course's :class:`gan_lib.core.gan.GAN` through an extension point:

============  =====================================================  ==========================
name          what changes                                           extension point
============  =====================================================  ==========================
``vanilla``   nothing: non-saturating loss, one sample per D call    -
``r1``        R1 penalty: D's gradient at real points kept small     ``d_penalties``
``pacgan``    R1, and D judges packs of ``pack`` samples             ``d_input_transform``
``mbstd``     R1, and D gets the batch's spread as an extra feature  a layer in D
``wgangp``    Wasserstein loss + gradient penalty                    ``loss``, ``d_penalties``
============  =====================================================  ==========================

Unrolled GANs (Metz et al., 2017) are not here: G's update differentiates
through ``k`` future updates of D, which the extension points (a loss, a
penalty, an input transform) cannot express without a second training loop.

``python -m gan_lib.lessons.collapse --benchmark ring --remedy pacgan --seed 0`` trains one model and prints its score.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import keras
import numpy as np

from gan_lib import models
from gan_lib.core import config, losses, packing, penalties
from gan_lib.core.gan import GAN
from gan_lib.measure import metrics, mixtures
from gan_lib.plotting import make_gif

#: The names of the models compared, vanilla first.
REMEDIES = ("vanilla", "r1", "pacgan", "mbstd", "wgangp")
#: The models whose D carries the R1 penalty (``r1`` alone; ``pacgan`` and ``mbstd`` on top of it).
WITH_R1 = ("r1", "pacgan", "mbstd")

#: The shared recipe: same networks, batch, optimizer and number of generator steps for every model.
RECIPE = {
    "latent_dim": 8,
    "width": 128,
    "depth": 3,
    "batch_size": 512,
    "steps": 4000,           # generator updates (d_steps = 1 for every model)
    "learning_rate": 1e-3,
    "beta_1": 0.5,
    "beta_2": 0.999,
    "ema_decay": 0.999,      # samples come from the average of G's weights
    "pack": 2,               # PacGAN2
    "mbstd_group": 4,        # MinibatchStd groups of 4 samples
    "gp_weight": 1.0,
    "r1_weight": 1.0,        # R1 penalty on real data, for the models in WITH_R1
    "train_size": 51200,     # real samples drawn once per run (100 batches = one "epoch")
    "steps_per_execution": 100,
}




def build_remedy(benchmark, remedy: str, seed: int = 0, recipe: dict | None = None) -> GAN:
    """A compiled, untrained :class:`GAN` for ``remedy`` on ``benchmark`` with the shared recipe."""
    mixtures.get(benchmark)
    if remedy not in REMEDIES:
        raise ValueError(f"Unknown remedy {remedy!r}. Valid: {', '.join(REMEDIES)}.")
    r = {**RECIPE, **(recipe or {})}
    kwargs, loss, d_input = {}, "nonsaturating", 2
    if remedy in WITH_R1:
        kwargs["d_penalties"] = [penalties.R1Penalty(r["r1_weight"])]
    if remedy == "pacgan":
        pack = packing.Pack(r["pack"])
        kwargs["d_input_transform"] = pack
        d_input = pack.packed_shape((2,))[-1]
        if r["batch_size"] % r["pack"]:
            raise ValueError(f"batch_size {r['batch_size']} is not a multiple of the pack size {r['pack']}.")
    if remedy == "wgangp":
        loss = losses.Wasserstein()
        kwargs["d_penalties"] = [penalties.GradientPenalty(r["gp_weight"])]
    keras.utils.set_random_seed(seed)
    g, d = models.toy_mlp(r["latent_dim"], r["width"], r["depth"], d_input,
                          minibatch_std=r["mbstd_group"] if remedy == "mbstd" else False)
    gan = GAN(g, d, seed=seed, ema_decay=r["ema_decay"], n_fixed=8, **kwargs)

    def adam():
        return keras.optimizers.Adam(r["learning_rate"], beta_1=r["beta_1"], beta_2=r["beta_2"])

    gan.compile(adam(), adam(), loss=loss, steps_per_execution=r["steps_per_execution"])
    return gan


def train_remedy(benchmark, remedy: str, seed: int = 0, recipe: dict | None = None, callbacks=()) -> dict:
    """Train one model and score 2,500 samples. Returns ``{"gan", "samples", "score", "seconds"}``.

    The real training set (``train_size`` samples of the mixture) and every
    random draw are functions of ``seed``. Training itself is one
    ``gan.fit_images`` call (``callbacks`` go to it, e.g. a :class:`Track`);
    this function exists for the lesson's *recipe*: it turns the recipe's
    generator ``steps`` into epochs over ``train_size`` samples (refusing a
    budget that is not whole epochs), draws the seed's training set, and
    scores the result the same way for every remedy, so a table row differs
    from the next only in the remedy.
    """
    r = {**RECIPE, **(recipe or {})}
    mix = mixtures.get(benchmark)
    gan = build_remedy(mix, remedy, seed, r)
    steps_per_epoch = r["train_size"] // r["batch_size"]
    if r["steps"] % steps_per_epoch:
        raise ValueError(f"steps={r['steps']} is not a multiple of the {steps_per_epoch} steps of one pass "
                         f"over train_size={r['train_size']} at batch_size={r['batch_size']}.")
    real = mix.sample(r["train_size"], seed=seed)
    start = time.perf_counter()
    gan.fit_images(real, r["batch_size"], r["steps"] // steps_per_epoch, seed=seed, callbacks=callbacks)
    seconds = time.perf_counter() - start
    samples = mixtures.draw(gan, mixtures.N_SCORE, seed=seed)
    return {"gan": gan, "samples": samples, "score": mixtures.score(samples, mix), "seconds": seconds}


class Track(keras.callbacks.Callback):
    """Every ``every`` epochs, keep ``n`` samples of the generator and their score (for plots over training).

    ``self.steps[i]``, ``self.samples[i]`` and ``self.scores[i]`` belong together;
    samples are drawn from the same latents each time (``seed``), from the raw
    generator (not the weight average) so the hopping is visible.
    """

    def __init__(self, mixture, every: int = 1, n: int = 1000, seed: int = 0):
        super().__init__()
        self.mixture, self.every, self.n, self.seed = mixtures.get(mixture), every, n, seed
        self.steps, self.samples, self.scores = [], [], []

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every == 0:
            x = mixtures.draw(self.model.generator, self.n, self.seed)
            self.steps.append(int(self.model.g_optimizer.iterations.numpy()))
            self.samples.append(x)
            self.scores.append(mixtures.score(x, self.mixture) if np.all(np.isfinite(x)) else None)


# --------------------------------------------------------------------------- pictures


def plot_samples(samples, mixture, ax=None, title=None, size=3.0):
    """Scatter 2-D samples (small dots) over the mixture's modes (circles of radius 3 std)."""
    import matplotlib.pyplot as plt

    m = mixtures.get(mixture)
    if ax is None:
        _, ax = plt.subplots(figsize=(size, size))
    x = np.asarray(samples)
    ax.scatter(x[:, 0], x[:, 1], s=1, alpha=0.4, color="C0")
    for mu in m.means:
        ax.add_patch(plt.Circle(mu, max(m.radius, 0.04 * np.ptp(m.means)), fill=False, color="C3", lw=0.6))
    lim = np.abs(m.means).max() * 1.6
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def save_gif(track, path, ms_per_frame: int = 150):
    """An animation of ``track``'s samples over training (one frame per snapshot), via :func:`plotting.make_gif`."""
    import matplotlib.pyplot as plt

    frames = []
    with tempfile.TemporaryDirectory() as tmp:
        for step, x, sc in zip(track.steps, track.samples, track.scores):
            fig, ax = plt.subplots(figsize=(3, 3), dpi=80)
            label = ("diverged" if sc is None
                     else f"{sc['modes']}/{sc['n_modes']} modes, KL {mixtures.format_kl(sc['reverse_kl'])}")
            plot_samples(x, track.mixture, ax, f"step {step}: {label}")
            fig.tight_layout()
            frames.append(Path(tmp) / f"frame_{len(frames):04d}.png")
            fig.savefig(frames[-1])
            plt.close(fig)
        return make_gif(frames, path, ms_per_frame=ms_per_frame)


def plot_mode_histogram(track, ax=None):
    """Heat map: share of the high-quality samples at each mode (rows) for each snapshot (columns)."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 2.5))
    k = track.mixture.n_modes
    shares = np.array([np.asarray(s["counts"]) / max(1, sum(s["counts"])) if s else np.zeros(k)
                       for s in track.scores]).T
    im = ax.imshow(shares, aspect="auto", cmap="viridis", vmin=0, vmax=min(1.0, 4.0 / k),
                   extent=(track.steps[0], track.steps[-1], k - 0.5, -0.5), interpolation="nearest")
    ax.set_xlabel("generator step")
    ax.set_ylabel("mode")
    plt.colorbar(im, ax=ax, label="share of high-quality samples")
    return ax


# --------------------------------------------------------------------------- results: table, files


#: Where the full-mode run stores its scored samples and table (committed to the repository).
RESULTS_FOLDER = "runs/04_mode_collapse"
TABLE_FILE = "table.json"


def results_dir(quick: bool | None = None):
    """The folder for scored samples: ``runs/04_mode_collapse`` of the repository in full mode.

    Quick mode (CI) never writes there: it gets a fresh temporary folder, so a
    quick run cannot overwrite the committed full-mode artefacts.
    """
    quick = config.quick_mode() if quick is None else quick
    if quick:
        return Path(tempfile.mkdtemp(prefix="gan_course_04_quick_"))
    return config.committed_folder(RESULTS_FOLDER)  # outside a clone: fetched once into a cache (Colab)


def sample_file(benchmark: str, model: str, seed: int) -> str:
    """``<benchmark>_<model>_seed<k>.npy``."""
    return f"{benchmark}_{model}_seed{seed}.npy"


def table(runs: list[dict]) -> list[dict]:
    """Mean and spread (population std) over seeds per (benchmark, model).

    ``runs``: dicts with ``benchmark``, ``model`` and the keys of a
    :func:`gan_lib.measure.mixtures.score` (``modes``, ``n_modes``, ``high_quality``,
    ``reverse_kl``). The reverse-KL mean is over the seeds that have one;
    ``kl_missing`` counts those without (no high-quality sample).
    """
    rows = []
    keys = list(dict.fromkeys((r["benchmark"], r["model"]) for r in runs))
    for bench, model in keys:
        group = [r for r in runs if (r["benchmark"], r["model"]) == (bench, model)]
        m_mean, m_std, _ = metrics.mean_std([r["modes"] for r in group])
        hq_mean, hq_std, _ = metrics.mean_std([r["high_quality"] for r in group])
        kl_mean, kl_std, kl_missing = metrics.mean_std([r["reverse_kl"] for r in group])
        rows.append({"benchmark": bench, "model": model, "seeds": len(group), "n_modes": group[0]["n_modes"],
                     "modes_mean": m_mean, "modes_std": m_std, "high_quality_mean": hq_mean,
                     "high_quality_std": hq_std, "reverse_kl_mean": kl_mean, "reverse_kl_std": kl_std,
                     "kl_missing": kl_missing,
                     "meets_target": sum(mixtures.meets_target(r) for r in group)})
    return rows


def format_table(rows: list[dict]) -> str:
    """The table as fixed-width text (mean ± std over seeds)."""
    lines = [f"{'benchmark':9s} {'model':8s} {'modes':>13s} {'high quality %':>15s} {'reverse KL':>15s} "
             f"{'on target':>9s}"]
    for r in rows:
        kl = ("n/a" if r["reverse_kl_mean"] is None
              else f"{r['reverse_kl_mean']:.3f} ± {r['reverse_kl_std']:.3f}")
        if r["kl_missing"]:
            kl += f" ({r['kl_missing']} n/a)"
        lines.append(f"{r['benchmark']:9s} {r['model']:8s} "
                     f"{r['modes_mean']:5.1f} ± {r['modes_std']:3.1f}/{r['n_modes']:<2d} "
                     f"{100 * r['high_quality_mean']:7.1f} ± {100 * r['high_quality_std']:4.1f} "
                     f"{kl:>15s} {r['meets_target']:>5d}/{r['seeds']}")
    return "\n".join(lines)


def save_results(folder, runs: list[dict], samples: dict, extra: dict | None = None):
    """Write each run's 2,500 scored samples (float32 ``.npy``) and ``table.json`` into ``folder``.

    ``samples`` maps ``(benchmark, model, seed)`` to the array that was scored.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out_runs = []
    for r in runs:
        name = sample_file(r["benchmark"], r["model"], r["seed"])
        np.save(folder / name, np.asarray(samples[(r["benchmark"], r["model"], r["seed"])], np.float32))
        out_runs.append({**r, "file": name})
    doc = {"recipe": RECIPE, "runs": out_runs, "table": table(runs), **(extra or {})}
    (folder / TABLE_FILE).write_text(json.dumps(doc, indent=1) + "\n")
    return folder / TABLE_FILE


def main(argv=None):
    """``python -m gan_lib.lessons.collapse``: a bad value ends in one ``error:`` line and exit code 2."""
    from gan_lib.core.cli import OneLineParser

    p = OneLineParser(prog="python -m gan_lib.lessons.collapse", description=__doc__.split("\n")[0])
    p.add_argument("--benchmark", default="ring", choices=list(mixtures.BENCHMARKS))
    p.add_argument("--remedy", default="vanilla", choices=REMEDIES)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--steps", type=int, default=RECIPE["steps"])
    a = p.parse_args(argv)
    per_pass = RECIPE["train_size"] // RECIPE["batch_size"]
    if a.seed < 0:
        p.error(f"--seed {a.seed}: use a whole number of at least 0")
    if a.steps < per_pass or a.steps % per_pass:
        p.error(f"--steps {a.steps}: use a positive multiple of {per_pass} (one pass over the training set), "
                f"e.g. {RECIPE['steps']}")
    out = train_remedy(a.benchmark, a.remedy, a.seed, {"steps": a.steps})
    print(f"{a.benchmark} {a.remedy} seed {a.seed}: {mixtures.summary(out['score'])} ({out['seconds']:.0f} s)")


if __name__ == "__main__":
    main()
