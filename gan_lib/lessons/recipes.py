"""Lesson 03's comparison: TensorFlow's DCGAN tutorial recipe, step by step, against the course's DCGAN.

Five variants (:data:`VARIANTS`), each one change away from the one before:
A, the tutorial's recipe (its model, Adam(1e-4, beta_1 0.9), batch 256, no
weight average); B, Adam(5e-4, 0.5); C, batch 16; D, the course's DCGAN; E,
plus an EMA of G's weights (the course's default). D is E's run read through the
raw generator.

A fair comparison needs three things that one notebook run does not give:

* **Cost per update after tracing.** The first call of a Keras training step
  traces it into a graph, which can take as long as many updates. :func:`update_costs`
  times single updates after that, interleaving the compute configurations update
  by update in one process (so all face the same CPU load), and takes the median.
  A run's "seconds" are then ``updates x cost``, and the equal time budget is
  ``a_updates x cost(A)``: each variant trains for ``budget / cost(variant)``
  updates (:func:`plan`).
* **Settled BatchNorm statistics.** BatchNorm's moving averages (momentum 0.99)
  still weigh their initial values by ``0.99^t`` after ``t`` updates. Every
  checkpoint is scored twice: with the moving statistics as training left them
  (``fd_moving``), and after :func:`gan_lib.models.recalibrate_batchnorm`
  ("precise BN", ``fd``), which is the number compared. The training run's own
  statistics are put back afterwards, so scoring never changes the run.
* **Seeds.** Every variant with each of :data:`SEEDS` (weights, batch order,
  latents); :func:`spread` gives the mean and spread over seeds.

Scores at the same numbers of generator updates (one grid for all runs, see
:func:`plan`) give the per-update comparison; each variant's last checkpoint is
its equal-time point. ``make lesson03`` (``python -m
gan_lib.lessons.recipes``) writes ``runs/03_dcgan/``: ``table.json`` and each
run's last scored samples (uint8), which the tests re-score.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import tempfile
import time
from pathlib import Path

import keras
import numpy as np

from gan_lib import data, models
from gan_lib.core import config
from gan_lib.core.gan import GAN
from gan_lib.lessons.conditional import dequantize, quantize
from gan_lib.measure import metrics

#: The five variants; ``runs_as`` names the run a variant is read from (D: E's raw generator).
VARIANTS = {
    "A": dict(label="A: tutorial recipe", model="tutorial_dcgan", lr=1e-4, beta_1=0.9, batch_size=256,
              ema_decay=None),
    "B": dict(label="B: + Adam(5e-4, 0.5)", model="tutorial_dcgan", lr=5e-4, beta_1=0.5, batch_size=256,
              ema_decay=None),
    "C": dict(label="C: + batch 16", model="tutorial_dcgan", lr=5e-4, beta_1=0.5, batch_size=16, ema_decay=None),
    "D": dict(label="D: + course model", model="dcgan", lr=5e-4, beta_1=0.5, batch_size=16, ema_decay=None,
              runs_as=("E", "_raw")),
    "E": dict(label="E: + EMA 0.999 (course default)", model="dcgan", lr=5e-4, beta_1=0.5, batch_size=16,
              ema_decay=0.999),
}
SEEDS = (0, 1, 2)
#: A's updates in full mode (one epoch of batch 256 on 8,000 digits); the equal time budget is this times A's cost.
A_UPDATES = 31
#: Scoring: samples per checkpoint, latents drawn for precise BN (and their batch size).
N_SCORE, N_RECAL, RECAL_BATCH = 1000, 1000, 500
RESULTS_FOLDER = "runs/03_dcgan"
TABLE_FILE = "table.json"
COSTS_FILE = "costs.json"


def new_gan(key: str, seed: int, variants=None) -> GAN:
    """The compiled course :class:`~gan_lib.core.gan.GAN` of variant ``key``, weights drawn from ``seed``."""
    v = (variants or VARIANTS)[key]
    keras.utils.set_random_seed(seed)
    g, d = models.build(v["model"])
    gan = GAN(g, d, ema_decay=v["ema_decay"], seed=seed)
    gan.compile(d_optimizer=keras.optimizers.Adam(v["lr"], beta_1=v["beta_1"]),
                g_optimizer=keras.optimizers.Adam(v["lr"], beta_1=v["beta_1"]), loss="nonsaturating")
    return gan


def compute_key(v: dict) -> str:
    """What an update's cost depends on: the model, the batch size and whether G's weights are averaged.

    The optimiser's settings change no arithmetic, so A and B (and nothing else) share a cost.
    """
    return f"{v['model']}/batch {v['batch_size']}/" + ("EMA" if v["ema_decay"] is not None else "no EMA")


def update_costs(images, variants=None, rounds: int = 10, seconds: float = 0.5) -> dict:
    """Seconds per update after tracing, for each compute configuration, interleaved update by update.

    One fresh GAN per :func:`compute_key` is traced with two ``train_on_batch``
    calls (not timed). Then ``rounds`` rounds each run a few single updates of
    every configuration in turn (about ``seconds`` per configuration and round,
    at least one update), timing every ``train_on_batch`` call on its own, so a
    change of the CPU's load hits all configurations alike. The cost is the median
    of all of a configuration's timed updates. Returns ``{"per_update": {variant: s},
    "per_config": {config: s}, "timed_updates": {config: n}, "loadavg": [before, after]}``
    (``os.getloadavg()``'s 1-minute value).
    """
    variants = variants or VARIANTS
    load0 = os.getloadavg()[0]
    configs = {}
    for key, v in variants.items():
        configs.setdefault(compute_key(v), key)
    gans, batches, times, reps = {}, {}, {}, {}
    for conf, key in configs.items():
        gans[conf] = new_gan(key, 0, variants)
        batches[conf] = images[:variants[key]["batch_size"]]
        t = []
        for _ in range(3):
            t0 = time.perf_counter()
            gans[conf].train_on_batch(batches[conf])
            t.append(time.perf_counter() - t0)
        reps[conf] = max(1, int(seconds / max(t[-1], 1e-4)))  # the first two calls trace
        times[conf] = []
    for _ in range(rounds):
        for conf in configs:
            for _ in range(reps[conf]):
                t0 = time.perf_counter()
                gans[conf].train_on_batch(batches[conf])
                times[conf].append(time.perf_counter() - t0)
    per_config = {c: statistics.median(t) for c, t in times.items()}
    return {"per_update": {k: per_config[compute_key(v)] for k, v in variants.items()}, "per_config": per_config,
            "timed_updates": {c: len(t) for c, t in times.items()},
            "loadavg": [round(load0, 2), round(os.getloadavg()[0], 2)]}


def plan(costs: dict, a_updates: int = A_UPDATES, variants=None) -> dict:
    """Updates per variant for the equal time budget ``a_updates x cost(A)``, and the checkpoints.

    ``costs`` is :func:`update_costs`' result. Returns ``budget_seconds``,
    ``updates`` (``floor(budget / cost)`` per variant, at least 1) and
    ``checkpoints`` per *trained* run: one grid shared by all runs, half of
    ``a_updates``, ``a_updates`` and then ``a_updates x 2, 4, 8, ...``, cut at the run's
    variants' equal-time points, which are added. Every variant is scored at
    every grid point below its budget, so the per-update comparison at ``u``
    updates holds every variant that got ``u``.
    """
    variants = variants or VARIANTS
    per = costs["per_update"]
    budget = a_updates * per["A"]
    updates = {k: max(1, int(budget / per[k] + 1e-9)) for k in variants}  # A: exactly a_updates
    grid = {max(1, a_updates // 2), a_updates}
    u = 2 * a_updates
    while u < max(updates.values()):
        grid.add(u)
        u *= 2
    checkpoints = {}
    for key in variants:
        run = variants[key].get("runs_as", (key, ""))[0]
        checkpoints[run] = sorted({*checkpoints.get(run, ()), *(g for g in grid if g < updates[key]), updates[key]})
    return {"budget_seconds": budget, "updates": updates, "grid": sorted(grid), "checkpoints": checkpoints}


class UpdateScores(keras.callbacks.Callback):
    """Score a GAN's generator(s) after given numbers of updates, then stop training at the last one.

    At each checkpoint every generator (the sampler, and the raw G too if the GAN
    keeps a weight average: suffix ``_raw``) draws :data:`N_SCORE` samples from
    fixed latents twice: with the moving BatchNorm statistics training left
    (``fd_moving``, ``score_moving``, ``min_share_moving``) and after
    :func:`gan_lib.models.recalibrate_batchnorm` (``fd``, ``score``, ``min_share``,
    ``class_shares``), each scored as stored (uint8). The statistics are restored
    afterwards. ``wall_seconds`` is the training time so far (tracing included,
    scoring left out). ``self.last`` keeps the last recalibrated samples per suffix.
    """

    def __init__(self, checkpoints, seed: int = 123):
        super().__init__()
        self.checkpoints = sorted(set(int(c) for c in checkpoints))
        self.seed, self.rows, self.last = seed, [], {}
        self.done, self._wall, self._t0 = 0, 0.0, None

    def on_train_batch_begin(self, batch, logs=None):
        self._t0 = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self._wall += time.perf_counter() - self._t0
        self.done += 1
        if self.done in self.checkpoints:
            self.rows.append({"updates": self.done, "wall_seconds": round(self._wall, 2), **self.measure(self.model)})
        if self.done >= self.checkpoints[-1]:
            self.model.stop_training = True

    def measure(self, gan) -> dict:
        rng = np.random.default_rng([self.seed, 17])
        z = rng.standard_normal((N_SCORE, gan.latent_dim)).astype("float32")
        z_recal = rng.standard_normal((N_RECAL, gan.latent_dim)).astype("float32")
        row = {}
        pairs = [("", gan.sampler)] + ([("_raw", gan.generator)] if gan.ema_generator is not None else [])
        for sfx, g in pairs:
            row.update(_scores(gan.generate(z, generator=g), "_moving" + sfx))
            stats = [w.numpy() for w in g.non_trainable_weights]
            models.recalibrate_batchnorm(g, z_recal, RECAL_BATCH)
            q = quantize(gan.generate(z, generator=g))
            for w, v in zip(g.non_trainable_weights, stats):
                w.assign(v)
            self.last[sfx] = q
            row.update(_scores(q, sfx, shares=True))
        return row


def _scores(images, sfx: str, shares: bool = False) -> dict:
    """FD, classifier score and smallest class share of samples (uint8 or float), keys ending in ``sfx``."""
    images = np.asarray(images)
    x = dequantize(images if images.dtype == np.uint8 else quantize(images))  # scored as stored
    r = metrics.evaluate(x, n=len(x))
    out = {f"fd{sfx}": r["fd"], f"score{sfx}": r["classifier_score"], f"min_share{sfx}": min(r["class_shares"]),
           "fd_floor": r["fd_floor"]}
    if shares:
        out[f"class_shares{sfx}"] = r["class_shares"]
    return out


def score_samples(q) -> dict:
    """The scores of stored uint8 samples (what a checkpoint row holds without a suffix)."""
    return _scores(np.asarray(q, np.uint8), "", shares=True)


def train_run(key: str, seed: int, images, checkpoints, variants=None, log=print) -> dict:
    """Train run ``key`` with ``seed`` up to its last checkpoint; its rows and last recalibrated samples."""
    v = (variants or VARIANTS)[key]
    gan = new_gan(key, seed, variants)
    scores = UpdateScores(checkpoints)
    steps = len(images) // v["batch_size"]
    gan.fit_images(images, v["batch_size"], math.ceil(max(checkpoints) / steps), seed=seed, callbacks=[scores])
    if log is not None:
        r = scores.rows[-1]
        log(f"run {key} seed {seed}: {r['updates']} updates, {r['wall_seconds']:.0f} s of training "
            f"(tracing included), FD {r['fd']:.1f} (moving BN statistics: {r['fd_moving']:.1f})")
    return {"run": key, "seed": seed, "rows": scores.rows, "samples": scores.last}


def sample_file(key: str, seed: int) -> str:
    """``<variant>_seed<k>.npz``: a variant's last scored samples (uint8, after precise BN)."""
    return f"{key}_seed{seed}.npz"


def variant_rows(runs: list[dict], key: str, variants=None) -> dict:
    """``{seed: rows}`` of variant ``key``, its keys without suffix (D: E's ``_raw`` columns)."""
    run, sfx = (variants or VARIANTS)[key].get("runs_as", (key, ""))
    out = {}
    for r in runs:
        if r["run"] != run:
            continue
        rows = []
        for row in r["rows"]:
            new = {"updates": row["updates"], "wall_seconds": row["wall_seconds"], "fd_floor": row["fd_floor"]}
            for m in ("fd", "score", "min_share", "fd_moving", "score_moving", "min_share_moving", "class_shares"):
                new[m] = row[m + sfx]
            rows.append(new)
        out[r["seed"]] = rows
    return out


MEASURES = ("fd", "fd_moving", "score", "min_share")


def spread(runs: list[dict], updates: dict, variants=None) -> list[dict]:
    """Mean, population std, min and max over seeds of :data:`MEASURES` for each variant and update count.

    Only update counts that every seed of the variant scored, up to the
    variant's equal-time point ``updates[key]``; each row also keeps the per-seed values.
    """
    variants = variants or VARIANTS
    out = []
    for key in variants:
        by_seed = variant_rows(runs, key, variants)
        if not by_seed:
            continue
        counts = sorted(set.intersection(*({r["updates"] for r in rows} for rows in by_seed.values())))
        for u in (c for c in counts if c <= updates[key]):
            row = {"variant": key, "updates": u, "seeds": sorted(by_seed)}
            for m in MEASURES:
                vals = [next(r[m] for r in rows if r["updates"] == u) for _, rows in sorted(by_seed.items())]
                row.update({m: vals, f"{m}_mean": float(np.mean(vals)), f"{m}_std": float(np.std(vals)),
                            f"{m}_min": float(min(vals)), f"{m}_max": float(max(vals))})
            out.append(row)
    return out


def at(table: list[dict], key: str, updates: int) -> dict:
    """The spread row of variant ``key`` at ``updates``."""
    return next(r for r in table if r["variant"] == key and r["updates"] == updates)


def format_table(doc: dict, updates: int | None = None, variants=None) -> str:
    """One line per variant: FD (precise BN, then moving statistics), score and smallest share, mean +- std
    over seeds and the per-seed FDs; at ``updates`` (the same for all) or, by default, at the equal-time point."""
    variants = variants or VARIANTS
    lines = [f"{'variant':34s} {'updates':>7s} {'seconds':>7s}  {'FD (precise BN)':>16s}  {'FD (moving)':>14s}  "
             f"{'score':>11s}  {'smallest share':>14s}  FD per seed"]
    for key, v in variants.items():
        u = doc["updates"][key] if updates is None else updates
        r = at(doc["table"], key, u)
        secs = u * doc["costs"]["per_update"][key]
        lines.append(f"{v['label']:34s} {u:7d} {secs:7.0f}  {r['fd_mean']:8.1f} ± {r['fd_std']:5.1f}  "
                     f"{r['fd_moving_mean']:6.1f} ± {r['fd_moving_std']:5.1f}  "
                     f"{r['score_mean']:5.2f} ± {r['score_std']:3.2f}  {r['min_share_mean']:6.3f} ± "
                     f"{r['min_share_std']:4.3f}  " + " ".join(f"{x:.1f}" for x in r["fd"]))
    return "\n".join(lines)


def shared_updates(doc: dict, keys=None) -> int:
    """The largest number of updates at which every variant (or those of ``keys``) has a row."""
    counts = [{r["updates"] for r in doc["table"] if r["variant"] == k} for k in (keys or doc["variants"])]
    return max(set.intersection(*counts))


def plot_curves(doc: dict, key: str = "fd", floor: float | None = None):
    """Mean over seeds (line) and the seeds' range (band) of ``key`` per update (left) and per second (right).

    Seconds are updates x the variant's measured cost per update after tracing
    (``doc["costs"]``); the dotted line on the right is the equal time budget.
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True)
    for k, v in doc["variants"].items():
        rows = [r for r in doc["table"] if r["variant"] == k]
        u = np.array([r["updates"] for r in rows], float)
        mean = [r[f"{key}_mean"] for r in rows]
        lo, hi = [r[f"{key}_min"] for r in rows], [r[f"{key}_max"] for r in rows]
        for ax, x in zip(axes, (u, u * doc["costs"]["per_update"][k])):
            line, = ax.plot(x, mean, marker="o", ms=3, label=v["label"])
            ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.15)
    axes[1].axvline(doc["budget_seconds"], color="gray", ls=":", lw=1)
    for ax, xlabel in zip(axes, ("generator updates", "seconds (updates x cost per update after tracing)")):
        if floor is not None:
            ax.axhline(floor, color="gray", ls="--", lw=0.8)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.grid(alpha=0.3, which="both")
    axes[0].set_ylabel("Frechet distance, precise BN (lower is better)" if key == "fd" else key)
    axes[0].set_title(f"per update ({len(doc['seeds'])} seeds: mean and range)")
    axes[1].set_title("per second of training")
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    return fig


def format_costs(costs: dict, variants=None) -> str:
    """Seconds per update of each compute configuration (which variants share it), and the load."""
    variants = variants or VARIANTS
    lines = []
    for conf, sec in costs["per_config"].items():
        who = ", ".join(k for k, v in variants.items() if compute_key(v) == conf)
        lines.append(f"{conf:34s} {1000 * sec:8.1f} ms per update  (variants {who}; median of "
                     f"{costs['timed_updates'][conf]} timed updates)")
    lines.append(f"load average (1 min) before and after: {costs['loadavg'][0]:.2f}, {costs['loadavg'][1]:.2f}")
    return "\n".join(lines)


def results_dir(quick: bool | None = None) -> Path:
    """``runs/03_dcgan`` of the repository in full mode; a fresh temporary folder in quick mode."""
    quick = config.quick_mode() if quick is None else quick
    if quick:
        return Path(tempfile.mkdtemp(prefix="gan_course_03_quick_"))
    return config.committed_folder(RESULTS_FOLDER)  # outside a clone: fetched once into a cache (Colab)


def save_results(folder, runs: list[dict], pl: dict, costs: dict, extra: dict | None = None, variants=None) -> Path:
    """Write each variant's last samples (compressed uint8, ``sample_file``) and ``table.json``."""
    variants = variants or VARIANTS
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out_runs = []
    for r in runs:
        files = {}
        for key, v in variants.items():
            run, sfx = v.get("runs_as", (key, ""))
            if run == r["run"]:
                files[key] = sample_file(key, r["seed"])
                np.savez_compressed(folder / files[key], images=r["samples"][sfx])
        out_runs.append({"run": r["run"], "seed": r["seed"], "rows": r["rows"], "files": files})
    doc = {"variants": variants, "costs": costs, **pl, "runs": out_runs,
           "table": spread(runs, pl["updates"], variants), **(extra or {})}
    (folder / TABLE_FILE).write_text(json.dumps(doc, indent=1) + "\n")
    return folder / TABLE_FILE


def load_results(folder=None) -> dict:
    """The stored ``table.json`` of ``make lesson03`` (default: the repository's ``runs/03_dcgan``)."""
    folder = results_dir(quick=False) if folder is None else Path(folder)
    return json.loads((folder / TABLE_FILE).read_text())


def compare(folder, seeds=SEEDS, a_updates: int = A_UPDATES, images=None, variants=None, rounds: int = 10,
            cost_seconds: float = 0.5, costs: dict | None = None, only=None, log=print) -> Path:
    """Measure the costs, plan the budget, train every run for every seed, write ``folder``; return table.json.

    ``costs`` (:func:`update_costs`' result, e.g. another folder's) skips the measurement, and
    ``only`` (run keys, e.g. ``("A", "B")``) trains some runs, so that separate processes can
    share one plan and the work (:func:`merge_results` joins their folders).
    """
    variants = variants or VARIANTS
    log = log or (lambda *_: None)
    images = data.load_digits("train", verbose=False).images if images is None else images
    start = time.perf_counter()
    costs = update_costs(images, variants, rounds, cost_seconds) if costs is None else costs
    Path(folder).mkdir(parents=True, exist_ok=True)
    (Path(folder) / COSTS_FILE).write_text(json.dumps(costs, indent=1) + "\n")  # other processes can share it
    log(format_costs(costs, variants))
    pl = plan(costs, a_updates, variants)
    log(f"budget {pl['budget_seconds']:.0f} s = {a_updates} updates of A; updates: {pl['updates']}")
    runs, trained = [], [k for k in pl["checkpoints"] if only is None or k in only]
    for s in seeds:
        for key in trained:
            runs.append(train_run(key, s, images, pl["checkpoints"][key], variants, log))
            path = save_results(folder, runs, pl, costs, {
                "mode": "quick" if config.quick_mode() else "full", "seeds": list(seeds), "a_updates": a_updates,
                "train_digits": len(images), "complete": len(runs) == len(seeds) * len(trained),
                "total_seconds": round(time.perf_counter() - start, 1)}, variants)
    return path


def merge_results(folder, *others) -> Path:
    """Add the runs of the results folders ``others`` (same costs, plan and variants) to ``folder``."""
    folder = Path(folder)
    doc = load_results(folder)
    plan_keys = ("variants", "costs", "budget_seconds", "updates", "grid", "checkpoints", "a_updates", "train_digits")
    have = {(r["run"], r["seed"]) for r in doc["runs"]}
    for other in map(Path, others):
        more = load_results(other)
        if any(more[k] != doc[k] for k in plan_keys):
            raise ValueError(f"{other}: its costs, plan or variants differ from {folder}'s; only runs that share "
                             "one plan (--costs-from) can be merged.")
        for r in more["runs"]:
            if (r["run"], r["seed"]) not in have:
                doc["runs"].append(r)
                have.add((r["run"], r["seed"]))
                for name in r["files"].values():
                    (folder / name).write_bytes((other / name).read_bytes())
        doc["total_seconds"] = max(doc["total_seconds"], more["total_seconds"])
    doc["runs"].sort(key=lambda r: (r["seed"], r["run"]))
    doc["seeds"] = sorted({r["seed"] for r in doc["runs"]})
    doc["complete"] = have == {(run, s) for run in doc["checkpoints"] for s in doc["seeds"]}
    doc["table"] = spread(doc["runs"], doc["updates"], doc["variants"])
    (folder / TABLE_FILE).write_text(json.dumps(doc, indent=1) + "\n")
    return folder / TABLE_FILE


def main(argv=None):
    """``python -m gan_lib.lessons.recipes``: lesson 03's comparison over seeds -> ``runs/03_dcgan/``."""
    from gan_lib.core.cli import OneLineParser

    p = OneLineParser(prog="python -m gan_lib.lessons.recipes",
                      description="Lesson 03: the tutorial's DCGAN recipe vs the course's, per update and per "
                                  "second after tracing, with precise BatchNorm statistics, over seeds.")
    p.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    p.add_argument("--a-updates", type=int, default=None,
                   help=f"the tutorial recipe's updates; sets the equal time budget (default {A_UPDATES}; quick 3)")
    p.add_argument("--out", default=None, help="results folder (default: runs/03_dcgan; a temporary folder in quick "
                                               "mode)")
    p.add_argument("--costs-from", default=None, help="a results folder whose costs.json (and so plan) to reuse")
    p.add_argument("--runs", nargs="+", default=None, help="train only these runs (A B C E; D is E's raw G)")
    p.add_argument("--merge", nargs="+", default=None, help="add these folders' runs to --out's, train nothing")
    a = p.parse_args(argv)
    if a.merge:
        path = merge_results(a.out or results_dir(quick=False), *a.merge)
        print(format_table(load_results(path.parent)))
        return
    a_updates = a.a_updates if a.a_updates is not None else config.pick(full=A_UPDATES, quick=3)
    if a_updates < 1:
        p.error(f"--a-updates {a_updates}: use a whole number of at least 1, e.g. {A_UPDATES}")
    if any(s < 0 for s in a.seeds):
        p.error(f"--seeds {a.seeds}: use whole numbers of at least 0")
    digits = data.load_digits("train", limit=config.pick(full=None, quick=1000))
    costs = None if a.costs_from is None else json.loads((Path(a.costs_from) / COSTS_FILE).read_text())
    path = compare(results_dir() if a.out is None else a.out, a.seeds, a_updates, digits.images, costs=costs,
                   only=a.runs)
    doc = load_results(path.parent)
    print(format_table(doc))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
