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
from keras import ops

from gan_lib import models
from gan_lib.core import losses, packing, penalties
from gan_lib.core.gan import GAN
from gan_lib.lessons import study
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




@keras.saving.register_keras_serializable(package="gan_course")
class LinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """A learning rate held at ``rate`` until step ``start``, then falling linearly to ``final * rate`` at ``end``.

    The schedule of :data:`STUDIES`'s ``r1_decay``: a GAN that has found every
    mode keeps moving its samples around them at a high learning rate; letting
    the rate fall over the second half of training lets them settle onto the
    modes. Example: rate 1e-3, start 100, end 200, final 0.01 gives 1e-3 at
    step 100, 5.05e-4 at step 150 and 1e-5 from step 200 on.
    """

    def __init__(self, rate: float, start: int, end: int, final: float = 0.01):
        if not 0 <= start < end:
            raise ValueError(f"start={start!r}, end={end!r}: the decay needs 0 <= start < end (steps).")
        self.rate, self.start, self.end, self.final = float(rate), int(start), int(end), float(final)

    def __call__(self, step):
        f = ops.clip((ops.cast(step, "float32") - self.start) / (self.end - self.start), 0.0, 1.0)
        return self.rate * (1.0 - f * (1.0 - self.final))

    def get_config(self):
        return {"rate": self.rate, "start": self.start, "end": self.end, "final": self.final}


def build_remedy(benchmark, remedy: str, seed: int = 0, recipe: dict | None = None) -> GAN:
    """A compiled, untrained :class:`GAN` for ``remedy`` on ``benchmark`` with the shared recipe.

    ``recipe`` overrides :data:`RECIPE`'s values and may add the keys the
    paper recipes of :data:`STUDIES` need: ``loss`` (a name in
    :data:`gan_lib.core.losses.LOSSES`; default ``"wasserstein"`` for
    ``wgangp``, else ``"nonsaturating"``), ``drift`` (ProGAN's drift term of
    the Wasserstein loss), ``d_steps``
    (D updates per G update, default 1), ``r1_weight: 0`` (no R1, e.g. PacGAN
    as its paper runs it) and ``lr_decay_start`` (a fraction of ``steps``: the
    learning rate falls linearly from there to 1% at the end, :class:`LinearDecay`).
    Any Wasserstein loss gets the gradient penalty of weight ``gp_weight``.
    """
    mixtures.get(benchmark)
    if remedy not in REMEDIES:
        raise ValueError(f"Unknown remedy {remedy!r}. Valid: {', '.join(REMEDIES)}.")
    r = {**RECIPE, **(recipe or {})}
    loss_name = r.get("loss", "wasserstein" if remedy == "wgangp" else "nonsaturating")
    kwargs, d_input, pens = {}, 2, []
    if remedy in WITH_R1 and r["r1_weight"] > 0:
        pens.append(penalties.R1Penalty(r["r1_weight"]))
    if remedy == "pacgan":
        pack = packing.Pack(r["pack"])
        kwargs["d_input_transform"] = pack
        d_input = pack.packed_shape((2,))[-1]
        if r["batch_size"] % r["pack"]:
            raise ValueError(f"batch_size {r['batch_size']} is not a multiple of the pack size {r['pack']}.")
    if loss_name == "wasserstein":
        loss = losses.Wasserstein(r.get("drift", 0.0))
        pens.append(penalties.GradientPenalty(r["gp_weight"]))
    else:
        loss = losses.get(loss_name)
    if pens:
        kwargs["d_penalties"] = pens
    keras.utils.set_random_seed(seed)
    g, d = models.toy_mlp(r["latent_dim"], r["width"], r["depth"], d_input,
                          minibatch_std=r["mbstd_group"] if remedy == "mbstd" else False)
    gan = GAN(g, d, seed=seed, ema_decay=r["ema_decay"], n_fixed=8, d_steps=r.get("d_steps", 1), **kwargs)

    def adam(updates_per_step=1):  # D's optimizer counts d_steps updates per generator step
        rate = r["learning_rate"]
        if r.get("lr_decay_start") is not None:
            n = r["steps"] * updates_per_step
            rate = LinearDecay(rate, int(r["lr_decay_start"] * n), n)
        return keras.optimizers.Adam(rate, beta_1=r["beta_1"], beta_2=r["beta_2"])

    gan.compile(adam(r.get("d_steps", 1)), adam(), loss=loss, steps_per_execution=r["steps_per_execution"])
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


def mode_labels(samples, mixture) -> np.ndarray:
    """Each sample's nearest mode, or -1 where it is not high quality (further than ``3 std`` from every mode)."""
    k, dist = mixtures.nearest_mode(samples, mixture)
    return np.where(dist <= mixtures.get(mixture).radius, k, -1).astype(np.int8)


def hop_rate(labels, steps, since: float = 0.5) -> float | None:
    """How often a sample on a mode jumps to another mode: **hops per on-mode latent per 1,000 steps**.

    ``labels`` is a ``(snapshots, n)`` array of :func:`mode_labels` for the
    same ``n`` latents at each snapshot, ``steps`` the generator step of each
    snapshot. Between two consecutive snapshots, a latent whose sample is on
    a mode at both (within ``3 std``) either stays on the same mode or *hops*
    to another. Drifting off a mode or arriving at one is neither, so a
    generator that is still learning to hit the modes is not called hopping.
    The rate is the hops divided by the on-mode latent-steps they had the
    chance to hop in, ``1000 * hops / sum_i(on_i * (s_{i+1} - s_i))``, over the
    snapshots from the ``since`` fraction of training on (default: the second
    half, where a settled model should no longer move its mass). A latent that
    changes mode at every snapshot 100 steps apart scores 10; one that never
    does, 0. ``None`` when there is nothing to count: fewer than two snapshots
    in the window, or no latent on a mode at two snapshots in a row.

    Example: 4 latents, snapshots at steps 0, 100, 200 with labels
    ``[0, 0, 1, -1]``, ``[0, 2, 1, 3]``, ``[1, 2, 1, 3]`` and ``since=0``:
    3 latents on a mode at steps 0 and 100, one hop (latent 1: 0 -> 2; latent 3
    only arrives); 4 at steps 100 and 200, one hop (latent 0: 0 -> 1):
    ``1000 * 2 / (3 * 100 + 4 * 100) ≈ 2.857``.
    """
    lab, st = np.asarray(labels), np.asarray(steps, dtype=np.float64)
    if lab.ndim != 2 or len(lab) != len(st):
        raise ValueError(f"labels has shape {lab.shape} for {len(st)} steps; expected (snapshots, latents), "
                         "one row per step.")
    keep = st >= st[0] + since * (st[-1] - st[0]) if len(st) else st.astype(bool)
    lab, st = lab[keep], st[keep]
    if len(st) < 2:
        return None
    a, b = lab[:-1], lab[1:]
    on_both = (a >= 0) & (b >= 0)
    exposure = float(np.sum(on_both.sum(axis=1) * np.diff(st)))
    if exposure == 0:
        return None
    return float(1000.0 * np.count_nonzero(on_both & (a != b)) / exposure)


def format_hops(rate) -> str:
    """A :func:`hop_rate` as text: ``n/a`` when there was nothing to count."""
    return "n/a" if rate is None else f"{rate:.4f}"


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


def results_dir(quick: bool | None = None) -> Path:
    """``runs/04_mode_collapse`` in full mode; in quick mode a fresh temporary folder (:func:`study.results_dir`)."""
    return study.results_dir(RESULTS_FOLDER, "gan_course_04_quick_", quick)


def sample_file(benchmark: str, model: str, seed: int) -> str:
    """``<benchmark>_<model>_seed<k>.npy``."""
    return f"{benchmark}_{model}_seed{seed}.npy"


def track_file(run: dict) -> str:
    """The file holding a saved run's tracked mode labels: ``<benchmark>_<model>_seed<k>_track.npz``."""
    return run["file"].replace(".npy", "_track.npz")


def saved_hop_rate(folder, run: dict) -> float | None:
    """:func:`hop_rate` re-counted from a saved run's track file (its ``labels`` and ``steps``)."""
    t = np.load(Path(folder) / track_file(run), allow_pickle=False)
    return hop_rate(t["labels"], t["steps"])


def save_run(folder, name: str, samples, track) -> float | None:
    """Write a run's scored ``samples`` (``name``, float32 ``.npy``) and its :class:`Track`'s mode labels
    (first :data:`N_TRACK` latents, :func:`track_file`); returns the run's :func:`hop_rate`."""
    folder = Path(folder)
    np.save(folder / name, np.asarray(samples, np.float32))
    labels = track_labels(track)[:, :N_TRACK]
    np.savez_compressed(folder / track_file({"file": name}), labels=labels, steps=np.asarray(track.steps))
    return hop_rate(labels, track.steps)


def table(runs: list[dict]) -> list[dict]:
    """Mean and spread (population std) over seeds per (benchmark, model).

    ``runs``: dicts with ``benchmark``, ``model`` and the keys of a
    :func:`gan_lib.measure.mixtures.score` (``modes``, ``n_modes``, ``high_quality``,
    ``reverse_kl``). The reverse-KL mean is over the seeds that have one;
    ``kl_missing`` counts those without (no high-quality sample). When every
    run of a group has a ``hops_per_1000`` (:func:`hop_rate`), the row gets
    ``hops_mean`` and ``hops_std`` too.
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
        if all("hops_per_1000" in r for r in group):
            h_mean, h_std, _ = metrics.mean_std([r["hops_per_1000"] for r in group])
            rows[-1].update(hops_mean=h_mean, hops_std=h_std)
    return rows


def format_table(rows: list[dict]) -> str:
    """The table as fixed-width text (mean ± std over seeds); a hop-rate column when the rows have one."""
    width = max([8] + [len(r["model"]) for r in rows])
    hops = all("hops_mean" in r for r in rows) and rows
    lines = [f"{'benchmark':9s} {'model':{width}s} {'modes':>13s} {'high quality %':>15s} {'reverse KL':>15s} "
             f"{'on target':>9s}" + (f" {'hops / 1,000 steps':>19s}" if hops else "")]
    for r in rows:
        kl = ("n/a" if r["reverse_kl_mean"] is None
              else f"{r['reverse_kl_mean']:.3f} ± {r['reverse_kl_std']:.3f}")
        if r["kl_missing"]:
            kl += f" ({r['kl_missing']} n/a)"
        hop = ("" if not hops else f" {'n/a':>19s}" if r["hops_mean"] is None
               else f" {r['hops_mean']:10.4f} ± {r['hops_std']:.4f}")
        lines.append(f"{r['benchmark']:9s} {r['model']:{width}s} "
                     f"{r['modes_mean']:5.1f} ± {r['modes_std']:3.1f}/{r['n_modes']:<2d} "
                     f"{100 * r['high_quality_mean']:7.1f} ± {100 * r['high_quality_std']:4.1f} "
                     f"{kl:>15s} {r['meets_target']:>5d}/{r['seeds']}" + hop)
    return "\n".join(lines)


def save_results(folder, runs: list[dict], samples: dict, extra: dict | None = None, tracks: dict | None = None):
    """Write each run's 2,500 scored samples (float32 ``.npy``) and ``table.json`` into ``folder``.

    ``samples`` maps ``(benchmark, model, seed)`` to the array that was scored;
    ``tracks`` (optional) maps the same keys to a :class:`Track`, whose
    :func:`track_labels` go to ``<file>_track.npz`` and whose :func:`hop_rate`
    goes into the run's ``hops_per_1000``.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out_runs = []
    for r in runs:
        key = (r["benchmark"], r["model"], r["seed"])
        name = sample_file(*key)
        out_runs.append({**r, "file": name})
        if tracks and key in tracks:
            out_runs[-1]["hops_per_1000"] = save_run(folder, name, samples[key], tracks[key])
        else:
            np.save(folder / name, np.asarray(samples[key], np.float32))
    doc = {"recipe": RECIPE, "runs": out_runs, "table": table(out_runs), **(extra or {})}
    (folder / TABLE_FILE).write_text(json.dumps(doc, indent=1) + "\n")
    return folder / TABLE_FILE


# --------------------------------------------------------------------------- studies beyond the shared table

#: Runs beyond the shared table, made by ``make lesson04`` (``--study NAME``) and committed under
#: ``runs/04_mode_collapse/<study>/``: model name -> (remedy, recipe overrides, what differs from RECIPE).
STUDIES = {
    # Each remedy as its own paper runs it, at the table's budget (4,000 generator steps).
    "paper": {
        "wgangp_paper": ("wgangp", {"d_steps": 5, "gp_weight": 10.0, "learning_rate": 1e-4,
                                    "beta_1": 0.0, "beta_2": 0.9},
                         "Gulrajani et al. 2017: 5 critic steps per G step (here on one real batch), "
                         "penalty weight 10, Adam(1e-4, 0, 0.9)"),
        "wgangp_toy": ("wgangp", {"d_steps": 5, "gp_weight": 0.1, "learning_rate": 1e-4,
                                  "beta_1": 0.5, "beta_2": 0.9},
                       "Gulrajani et al.'s toy script (gan_toy.py): as wgangp_paper but penalty weight 0.1 "
                       "and Adam(1e-4, 0.5, 0.9)"),
        "pacgan2_paper": ("pacgan", {"pack": 2, "r1_weight": 0.0},
                          "Lin et al. 2018: packing alone (no R1), pairs; optimizer and batch as RECIPE"),
        "pacgan4_paper": ("pacgan", {"pack": 4, "r1_weight": 0.0},
                          "Lin et al. 2018: packing alone (no R1), packs of 4; optimizer and batch as RECIPE"),
        "mbstd_paper": ("mbstd", {"r1_weight": 0.0, "loss": "wasserstein", "drift": 0.001, "gp_weight": 10.0,
                                  "beta_1": 0.0, "beta_2": 0.99},
                        "Karras et al. 2018 (ProGAN): WGAN-GP loss (weight 10) with drift 0.001, "
                        "1 critic step, Adam(1e-3, 0, 0.99), groups of 4"),
    },
    # Four times the budget, with a learning-rate decay over the second half.
    "long": {
        "r1_decay": ("r1", {"steps": 16000, "lr_decay_start": 0.5},
                     "R1 as in the table, 16,000 steps, learning rate falling linearly to 1% over the second half"),
    },
}
#: Latents tracked per run for the hop rate (fixed latents, raw generator, one snapshot per 100 steps).
N_TRACK = 500


def run_file(benchmark: str, model: str, seed: int) -> str:
    """``<benchmark>_<model>_seed<k>.json``: one study run's score, time and hop rate."""
    return f"{benchmark}_{model}_seed{seed}.json"


def track_labels(track) -> np.ndarray:
    """A :class:`Track`'s snapshots as ``(snapshots, n)`` :func:`mode_labels` (int8; a diverged snapshot is all -1)."""
    return np.stack([mode_labels(x, track.mixture) if np.all(np.isfinite(x))
                     else np.full(len(x), -1, np.int8) for x in track.samples])


def run_study(study: str, benchmarks=("ring", "grid"), seeds=(0, 1, 2), models=None, folder=None) -> Path:
    """Train a study's models, writing each run as it ends (samples ``.npy``, score ``.json``, labels ``.npz``).

    Runs already in ``folder`` are skipped, so several processes (one per seed)
    can share a folder and an interrupted study resumes. Returns the folder.
    """
    if study not in STUDIES:
        raise ValueError(f"Unknown study {study!r}. Valid: {', '.join(STUDIES)}.")
    folder = Path(folder) if folder else results_dir() / study
    folder.mkdir(parents=True, exist_ok=True)
    for model in models or STUDIES[study]:
        remedy, over, _ = STUDIES[study][model]
        for bench in benchmarks:
            for seed in seeds:
                out_file = folder / run_file(bench, model, seed)
                if out_file.exists():
                    continue
                track = Track(bench, every=1, n=N_TRACK, seed=seed)
                out = train_remedy(bench, remedy, seed, over, callbacks=[track])
                name = sample_file(bench, model, seed)
                hops = save_run(folder, name, out["samples"], track)
                doc = {"benchmark": bench, "model": model, "remedy": remedy, "seed": seed, "recipe": over,
                       **{k: v for k, v in out["score"].items() if k != "mixture"},
                       "seconds": out["seconds"], "hops_per_1000": hops, "file": name}
                out_file.write_text(json.dumps(doc, indent=1) + "\n")
                print(f"{study} {bench} {model} seed {seed}: {mixtures.summary(out['score'])}, "
                      f"hop rate {format_hops(doc['hops_per_1000'])} ({out['seconds']:.0f} s)", flush=True)
    return folder


def load_table(folder=None) -> dict:
    """The committed ``table.json`` of the shared-recipe comparison (section 5 of the lesson)."""
    folder = Path(folder) if folder else results_dir(quick=False)
    return json.loads((folder / TABLE_FILE).read_text())


def load_study(study: str, folder=None) -> list[dict]:
    """The runs a study has written (sorted by model as in :data:`STUDIES`, benchmark, seed)."""
    folder = Path(folder) if folder else results_dir(quick=False) / study
    order = list(STUDIES[study])
    runs = [json.loads(f.read_text()) for f in sorted(folder.glob("*_seed*.json"))]
    return sorted(runs, key=lambda r: (r["benchmark"] == "grid", order.index(r["model"]), r["seed"]))


def main(argv=None):
    """``python -m gan_lib.lessons.collapse``: a bad value ends in one ``error:`` line and exit code 2."""
    from gan_lib.core.cli import OneLineParser

    p = OneLineParser(prog="python -m gan_lib.lessons.collapse", description=__doc__.split("\n")[0])
    p.add_argument("--benchmark", default="ring", choices=list(mixtures.BENCHMARKS))
    p.add_argument("--remedy", default="vanilla", choices=REMEDIES)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--steps", type=int, default=RECIPE["steps"])
    p.add_argument("--study", choices=list(STUDIES),
                   help="train a study of STUDIES (every model, benchmark and seed in --seeds) into "
                        "runs/04_mode_collapse/<study>/ (a temporary folder in quick mode)")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--models", nargs="+", help="with --study: only these of its models")
    a = p.parse_args(argv)
    if a.study:
        bad = [m for m in a.models or () if m not in STUDIES[a.study]]
        if bad or any(s < 0 for s in a.seeds):
            p.error(f"--models {' '.join(bad)}: study {a.study!r} has {', '.join(STUDIES[a.study])}" if bad
                    else f"--seeds {a.seeds}: use whole numbers of at least 0")
        folder = run_study(a.study, seeds=a.seeds, models=a.models)
        print(f"{a.study}: runs in {folder}")
        return
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
