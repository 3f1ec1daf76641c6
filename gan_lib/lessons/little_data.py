"""Lesson 10's experiment: the course DCGAN on 250, 1,000 and 8,000 digits, with and without augmentation.

Every run is lesson 06's baseline (:data:`gan_lib.lessons.stabilise.RECIPE`: the
course DCGAN, batch 32, Adam(5e-4, 0.5), non-saturating loss, an average of G's
weights) trained for the same :data:`RECIPE` ``steps`` generator updates; only
the number of training digits and the augmentation differ:

==============  ==============================================================  =============================
method          what D sees in training                                          paper
==============  ==============================================================  =============================
``none``        the images as they are                                          -
``diffaug``     translation + cutout on real **and** fake, both players' steps  Zhao et al. 2020 (DiffAugment)
``ada``         the same operations, each with an adaptive probability ``p``    Karras et al. 2020 (ADA)
``reals_only``  translation + cutout on the reals only (the mistake)            Zhao et al. 2020, section 3
==============  ==============================================================  =============================

Each run records, every ``log_every`` steps, D's accuracy on its training digits
and on as many held-out digits (inference mode, no augmentation), ADA's ``r_t``
and ``p``, and every ``fd_every`` steps the FD of the weight average. At the end
2,000 samples of the average are scored: FD, class shares, precision and recall
(classifier features), the memorisation measure (pixels) and the two leak
measures (:func:`leak`).

``make lesson10`` (``python -m gan_lib.lessons.little_data``) trains every cell
of :data:`CELLS` for every seed of :data:`SEEDS` and writes ``runs/10_little_data/``:
one JSON per run, the samples of seed 0 (uint8) and ``table.json``.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import keras
import numpy as np

from gan_lib import data, models
from gan_lib.core import augment, config
from gan_lib.core.gan import GAN
from gan_lib.lessons import stabilise
from gan_lib.measure import evaluate, metrics, neighbours

#: The shared recipe: lesson 06's baseline, a shorter budget, the logging of this lesson.
RECIPE = {
    **{k: stabilise.RECIPE[k] for k in ("latent_dim", "batch_size", "learning_rate", "beta_1", "beta_2",
                                          "ema_decay", "steps_per_execution")},
    "steps": 2000,          # generator updates for every run, whatever the number of digits
    "log_every": 100,       # D's accuracies, r_t and p
    "fd_every": 500,        # FD of the weight average (n_fd samples)
    "n_fd": 1000,
    "n_probe": 250,         # training and held-out digits D is asked about
    "ada_speed": 20_000,    # images for ADA's p to go 0 -> 1 (the paper: 500,000; see METHODS)
    "ada_target": augment.ADA_TARGET,
}

#: name -> (what D sees, paper)
METHODS = {
    "none": ("no augmentation", "-"),
    "diffaug": ("DiffAugment: translation + cutout on real and fake images, both players", "Zhao et al. 2020"),
    "ada": ("ADA: the same operations with probability p, adapted so that r_t stays near 0.6; p can go "
            "0 -> 1 in 20k images (the paper's 500k are more images than a run sees)", "Karras et al. 2020"),
    "reals_only": ("translation + cutout on the real images only (the leak)", "Zhao et al. 2020, section 3"),
    "translation": ("DiffAugment with translation only (no cutout), real and fake, both players",
                    "Zhao et al. 2020 (one of its policies)"),
}
SIZES = (250, 1000, 8000)
#: (training digits, method) of the table.
CELLS = ((250, "none"), (250, "diffaug"), (250, "ada"), (250, "reals_only"), (1000, "none"), (8000, "none"))
#: A single-seed probe of a likely cause (seed 0): translation without cutout at the table's budget.
#: The long cells: no augmentation vs DiffAugment at three times the budget (``LONG_STEPS``, every seed,
#: stored in ``long/``), where the plain run degrades.
PROBE_CELLS = ((250, "translation"),)
LONG_CELLS = ((250, "none"), (250, "diffaug"))
LONG_STEPS = 6000
LONG_FOLDER = "long"
SEEDS = (0, 1, 2)
STORED_SEEDS = (0,)
RESULTS_FOLDER = "runs/10_little_data"
TABLE_FILE = "table.json"
N_SCORE = 2000


def make_augment(method: str, recipe: dict | None = None):
    """``(augment, augment_fakes)`` for the GAN of ``method`` (a name in :data:`METHODS`)."""
    r = {**RECIPE, **(recipe or {})}
    if method not in METHODS:
        raise ValueError(f"Unknown method {method!r}. Valid: {', '.join(METHODS)}.")
    if method == "none":
        return None, True
    if method == "ada":
        return augment.AdaptiveAugment(target=r["ada_target"], speed=r["ada_speed"]), True
    if method == "translation":
        return augment.DiffAugment(("translation",)), True
    return augment.DiffAugment(), method == "diffaug"


def build_gan(method: str, seed: int = 0, recipe: dict | None = None, aug=None) -> GAN:
    """A compiled, untrained course DCGAN with ``method``'s augmentation (or ``aug``, an instance to use
    in its place, applied to fakes as ``method``'s is)."""
    r = {**RECIPE, **(recipe or {})}
    made, fakes = make_augment(method, r)
    aug = made if aug is None else aug
    keras.utils.set_random_seed(seed)
    g, d = models.dcgan(r["latent_dim"])
    gan = GAN(g, d, seed=seed, ema_decay=r["ema_decay"], augment=aug, augment_fakes=fakes)
    gan.compile(*(keras.optimizers.Adam(r["learning_rate"], beta_1=r["beta_1"], beta_2=r["beta_2"])
                  for _ in range(2)), steps_per_execution=r["steps_per_execution"])
    return gan


def d_accuracy(gan: GAN, images) -> float:
    """Share of ``images`` that D calls real (logit > 0), in inference mode and without augmentation."""
    return float(np.mean(gan.discriminate(images) > 0))


class Overfitting(keras.callbacks.Callback):
    """Every ``fit`` epoch (``log_every`` steps): D's verdicts on training and held-out digits, ADA's state, FD.

    ``rows``: dicts with ``step`` (G updates so far), ``acc_train`` and
    ``acc_heldout`` (share called real, :func:`d_accuracy`), ``acc_fake`` (share of
    fakes from the fixed latents called fake), ``r_t`` (:func:`gan_lib.core.augment.r_t`
    on the training probe, inference mode), ``p`` and ``ada_rt`` (an ADA run's
    probability and the r_t its controller last used; None otherwise) and
    ``fd`` (FD of ``n_fd`` samples of the weight average, every ``fd_every`` epochs, never if 0; else None).
    """

    def __init__(self, train_probe, heldout_probe, fd_every: int = 5, n_fd: int = 1000, seed: int = 0):
        super().__init__()
        self.train_probe, self.heldout_probe = train_probe, heldout_probe
        self.fd_every, self.n_fd, self.seed = fd_every, n_fd, seed
        self.rows = []

    def on_epoch_end(self, epoch, logs=None):
        gan = self.model
        logits = gan.discriminate(self.train_probe)
        fake = gan.generate(gan.fixed_latent, generator=gan.generator)
        aug = gan.augment
        row = {"step": int(gan.g_optimizer.iterations.numpy()), "acc_train": float(np.mean(logits > 0)),
               "acc_heldout": d_accuracy(gan, self.heldout_probe),
               "acc_fake": float(np.mean(gan.discriminate(fake) <= 0)), "r_t": augment.r_t(logits),
               "p": float(np.asarray(aug.p)) if isinstance(aug, augment.AdaptiveAugment) else None,
               "ada_rt": float(np.asarray(aug.rt)) if isinstance(aug, augment.AdaptiveAugment) else None,
               "fd": None}
        if self.fd_every and (epoch + 1) % self.fd_every == 0:
            z = np.random.default_rng([self.seed, 13]).standard_normal((self.n_fd, gan.latent_dim)).astype("float32")
            x = gan.generate(z)
            row["fd"] = metrics.evaluate(x, n=self.n_fd)["fd"] if np.all(np.isfinite(x)) else None
        self.rows.append(row)


# --------------------------------------------------------------------------- the leak, measured


def grey_patch(images, size: int = 6, tol: float = 0.3) -> np.ndarray:
    """Per image: does it hold a ``size`` x ``size`` square whose every pixel is within ``tol`` of 0 (mid-grey)?

    Real digits are black (-1) with white (+1) strokes; their few grey pixels sit on
    stroke edges, never in a 6x6 block. Cutout paints a grey square of 14x14 (at least
    7x7 of it inside the image), so a generator that learned cutout from its reals
    draws such blocks.
    """
    x = np.abs(np.asarray(images, np.float32)[..., 0]) <= tol
    # a size x size all-True block, via a 2-D running sum (integral image)
    s = np.pad(np.cumsum(np.cumsum(x, 1, dtype=np.int32), 2, dtype=np.int32), ((0, 0), (1, 0), (1, 0)))
    block = s[:, size:, size:] - s[:, :-size, size:] - s[:, size:, :-size] + s[:, :-size, :-size]
    return (block == size * size).reshape(len(x), -1).any(1)


def ink_centroids(images) -> np.ndarray:
    """``(N, 2)`` (row, column) centre of mass of each image's ink (pixel values mapped to 0..1)."""
    ink = (np.asarray(images, np.float64)[..., 0] + 1.0) / 2.0
    total = np.maximum(ink.sum((1, 2)), 1e-9)
    h, w = ink.shape[1:]
    rows = (ink.sum(2) * np.arange(h)).sum(1) / total
    cols = (ink.sum(1) * np.arange(w)).sum(1) / total
    return np.stack([rows, cols], 1)


def leak(images, reference) -> dict:
    """The two signs that G learned the reals' augmentation, each against ``reference`` (real digits).

    ``grey_patch_share``: share of images with a grey square (:func:`grey_patch`), from cutout.
    ``centroid_rms``: root-mean-square distance (pixels) of each image's ink centroid from the
    reference's mean centroid, from translation (MNIST centres its digits by their mass:
    real digits sit within about a pixel). ``reference_*``: the same for the reference.
    """
    centre = ink_centroids(reference).mean(0)

    def rms(x):
        return float(np.sqrt(np.mean(np.sum((ink_centroids(x) - centre) ** 2, 1))))

    return {"grey_patch_share": float(np.mean(grey_patch(images))), "centroid_rms": rms(images),
            "reference_grey_patch_share": float(np.mean(grey_patch(reference))),
            "reference_centroid_rms": rms(reference)}


# --------------------------------------------------------------------------- one run


def score(images, train_images, heldout) -> dict:
    """FD and class measures (:func:`gan_lib.measure.metrics.evaluate`), precision/recall on classifier
    features, memorisation in pixels against ``train_images`` and the leak measures."""
    from gan_lib.measure import classifier

    x = np.asarray(images, np.float32)
    out = stabilise.score_samples(x)
    if out is None:
        return None
    out.pop("passes", None)
    f_fake, _ = classifier.features_and_probs(x)
    f_real, _ = classifier.features_and_probs(heldout[:len(x)])
    pr = evaluate.precision_recall(f_real, f_fake)
    mem = neighbours.memorisation(x, train_images, heldout)
    return {**out, "precision": pr["precision"], "recall": pr["recall"],
            "copied_share": mem["share_below"][1.0], "median_ratio": mem["median_ratio"],
            **leak(x, heldout)}


def run_name(size: int, method: str, seed: int) -> str:
    return f"n{size}_{method}_seed{seed}"


def fit_digits(gan: GAN, train, heldout, seed: int = 0, recipe: dict | None = None, callbacks=()) -> tuple:
    """Train ``gan`` for exactly ``recipe["steps"]`` G steps on ``train`` (the lesson's loop); return
    ``(seconds, curve)`` with the rows of :class:`Overfitting` (D asked about ``heldout``). ``callbacks``
    run after it, every ``log_every`` steps as well.

    The batches are :func:`gan_lib.data.training_batches`' (a pure function of the seed), cut at
    ``steps`` whatever the number of digits, so every cell of the table makes the same updates.
    """
    r = {**RECIPE, **(recipe or {})}
    steps, every = r["steps"], r["log_every"]
    if steps % every:
        raise ValueError(f"steps={steps} must be a multiple of log_every={every}.")
    epochs = -(-steps // (len(train) // r["batch_size"]))
    batches = data.training_batches(train, r["batch_size"], seed, 0, epochs).take(steps)
    fd_every = max(r["fd_every"] // every, 1) if r["fd_every"] else 0  # 0: no FD along the way
    cb = Overfitting(train[:r["n_probe"]], heldout[:r["n_probe"]], fd_every=fd_every,
                     n_fd=r["n_fd"], seed=seed)
    start = time.perf_counter()
    gan.batch_sizes_used += (int(r["batch_size"]),)
    gan.fit(batches, epochs=steps // every, steps_per_epoch=every, callbacks=[cb, *callbacks], verbose=0,
            shuffle=False)
    return time.perf_counter() - start, cb.rows


def digits_for(size: int) -> tuple:
    """``(train, heldout)``: the first ``size`` shipped training digits and the 2,000 held-out ones."""
    train = data.load_digits("train", limit=size, verbose=False).images
    if len(train) < size:
        raise ValueError(f"size={size}: only {len(train)} training digits ship with the course.")
    return train, data.load_digits("heldout", verbose=False).images


def final_samples(gan: GAN, seed: int, n: int = N_SCORE) -> np.ndarray:
    """``n`` samples of the course sampler (the weight average) from latents fixed by ``seed``, as uint8."""
    z = np.random.default_rng([seed, 11]).standard_normal((n, gan.latent_dim)).astype("float32")
    return stabilise.quantize(gan.generate(z))


def train_run(size: int, method: str, seed: int = 0, recipe: dict | None = None, n_score: int = N_SCORE) -> dict:
    """Train ``method`` on the first ``size`` training digits for ``recipe["steps"]`` G steps; score it.

    Returns a JSON-ready dict (``size``, ``method``, ``seed``, ``steps``, ``seconds``,
    ``scores`` of :func:`score` or None if diverged, ``curve`` rows of
    :class:`Overfitting`) plus ``samples`` (uint8) and ``gan``.
    """
    r = {**RECIPE, **(recipe or {})}
    train, heldout = digits_for(size)
    gan = build_gan(method, seed, r)
    seconds, curve = fit_digits(gan, train, heldout, seed, r)
    q = final_samples(gan, seed, n_score)
    finite = np.all(np.isfinite(gan.generate(gan.fixed_latent[:1])))
    scores = score(stabilise.dequantize(q), train, heldout) if finite else None
    return {"size": size, "method": method, "seed": seed, "steps": int(gan.g_optimizer.iterations.numpy()),
            "recipe": {k: r[k] for k in ("steps", "batch_size", "learning_rate", "ada_speed", "ada_target")},
            "seconds": round(seconds, 1), "scores": scores, "curve": curve, "samples": q, "gan": gan}


# --------------------------------------------------------------------------- the table


MEASURES = ("fd", "precision", "recall", "copied_share", "grey_patch_share", "centroid_rms")


def window_mean(curve: list[dict], key: str, last: bool = True, steps: int = 500) -> float:
    """The mean of ``key`` over the first (``last=False``) or the last ``steps`` generator steps of a curve.

    D's verdicts swing from one logged step to the next, so the table reads them over a window.
    """
    end = curve[-1]["step"]
    rows = [c for c in curve if (c["step"] > end - steps if last else c["step"] <= steps)]
    return float(np.mean([c[key] for c in rows]))


def table(runs: list[dict], cells=CELLS) -> list[dict]:
    """One row per cell: each measure's per-seed values, mean and standard deviation (over the seeds,
    ``metrics.mean_std``: numpy's population std, as in the course's other tables),
    and the overfitting signal: D's shares of training and held-out digits called real over the first
    and the last 500 steps (:func:`window_mean`), seed means."""
    rows = []
    for size, method in cells:
        mine = sorted((r for r in runs if r["size"] == size and r["method"] == method), key=lambda r: r["seed"])
        if not mine:
            continue
        row = {"size": size, "method": method, "seeds": [r["seed"] for r in mine]}
        for m in MEASURES:
            vals = [r["scores"][m] if r["scores"] else float("nan") for r in mine]
            mean, std, _ = metrics.mean_std(vals)
            row[m] = {"values": vals, "mean": mean, "std": std}
        for key in ("acc_train", "acc_heldout"):
            row[key] = {"first": float(np.mean([window_mean(r["curve"], key, last=False) for r in mine])),
                        "last": float(np.mean([window_mean(r["curve"], key, last=True) for r in mine]))}
        rows.append(row)
    return rows


def compare(runs: list[dict], size: int, method: str, base: str = "none", measure: str = "fd") -> dict:
    """``method`` minus ``base`` at ``size``, seed by seed (same seed = same data order and initial weights).

    Returns ``diffs`` (per seed), ``mean``, ``std`` and ``verdict``: "better 3/3" when every
    seed's FD fell, "worse 3/3" when every one rose, else "no consistent change". The verdict
    reads lower as better: use it for FD (or another lower-is-better ``measure``) only.
    """
    by = {(r["method"], r["seed"]): r["scores"][measure] for r in runs if r["size"] == size and r["scores"]}
    seeds = sorted(s for (m, s) in by if m == method and (base, s) in by)
    diffs = [by[(method, s)] - by[(base, s)] for s in seeds]
    mean, std, _ = metrics.mean_std(diffs)
    return {"method": method, "base": base, "size": size, "seeds": seeds, "diffs": diffs, "mean": mean,
            "std": std, "verdict": stabilise.verdict(diffs)}


def format_table(rows: list[dict]) -> str:
    """The table as text: mean ± std over seeds of each measure per cell."""
    head = (f"{'digits':>6s}  {'method':10s}  {'FD':>12s}  {'precision':>11s}  {'recall':>11s}  "
            f"{'copied':>11s}  {'grey sq.':>11s}  {'off-centre':>10s}")
    lines = [head, "-" * len(head)]

    def ms(r, m, fmt="{:.2f}"):
        if r[m]["mean"] is None:  # every seed diverged
            return "n/a"
        return f"{fmt.format(r[m]['mean'])} ± {fmt.format(r[m]['std'])}"

    for r in rows:
        lines.append(f"{r['size']:6d}  {r['method']:10s}  {ms(r, 'fd', '{:.1f}'):>12s}  {ms(r, 'precision'):>11s}  "
                     f"{ms(r, 'recall'):>11s}  {ms(r, 'copied_share'):>11s}  {ms(r, 'grey_patch_share'):>11s}  "
                     f"{ms(r, 'centroid_rms', '{:.1f}'):>10s}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- files


def results_dir() -> Path:
    """``runs/10_little_data`` of the repository (or of the working folder outside it)."""
    return config.committed_folder(RESULTS_FOLDER)  # outside a clone: fetched once into a cache (Colab)


def save_run(folder, out: dict) -> Path:
    """One result of :func:`train_run` as JSON (and its samples if its seed is in :data:`STORED_SEEDS`)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    name = run_name(out["size"], out["method"], out["seed"])
    doc = {k: v for k, v in out.items() if k not in ("gan", "samples")} | {"file": None}
    if out["seed"] in STORED_SEEDS:
        doc["file"] = name + ".npz"
        np.savez_compressed(folder / doc["file"], images=out["samples"])
    path = folder / (name + ".json")
    stabilise._write_json(path, doc)
    return path


def load_runs(folder) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(Path(folder).glob("n*_seed*.json"))]


def write_table(folder, extra: dict | None = None) -> Path:
    """``table.json``: the rows of :func:`table`, the comparisons at 250 digits, the recipe."""
    runs = load_runs(folder)
    done = {(r["size"], r["method"], r["seed"]) for r in runs}
    doc = {"complete": done >= {(s, m, k) for s, m in CELLS for k in SEEDS}, "recipe": RECIPE,
           "methods": METHODS, "cells": [list(c) for c in CELLS], "seeds": list(SEEDS),
           "runs": sorted(run_name(r["size"], r["method"], r["seed"]) + ".json" for r in runs),
           "table": table(runs),
           "compare": [compare(runs, 250, m) for m in ("diffaug", "ada", "reals_only")],
           "probes": [compare(runs, 250, m) for _, m in PROBE_CELLS],
           **(extra or {})}
    path = Path(folder) / TABLE_FILE
    stabilise._write_json(path, doc)
    return path


def load_results(folder=None) -> dict:
    """``table.json`` of ``make lesson10`` with its runs read in (default: ``runs/10_little_data``)."""
    folder = results_dir() if folder is None else Path(folder)
    path = folder / TABLE_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `make lesson10` (or git checkout {RESULTS_FOLDER}).")
    doc = json.loads(path.read_text())
    doc["runs"] = [json.loads((folder / f).read_text()) for f in doc["runs"]]
    doc["long"] = load_runs(folder / LONG_FOLDER)  # the long cells at LONG_STEPS (empty if not run)
    return doc


def stored_samples(size: int, method: str, seed: int = 0, folder=None) -> np.ndarray:
    """The stored uint8 samples of one run (seeds in :data:`STORED_SEEDS`)."""
    folder = results_dir() if folder is None else Path(folder)
    with np.load(folder / (run_name(size, method, seed) + ".npz")) as z:
        return z["images"]


def main(argv=None):
    """``python -m gan_lib.lessons.little_data``: train the cells, write the results folder."""
    from gan_lib.core.cli import OneLineParser

    p = OneLineParser(prog="python -m gan_lib.lessons.little_data",
                      description="Lesson 10: the course DCGAN on few digits, with and without augmentation.")
    p.add_argument("--cells", nargs="*", default=[f"{s}:{m}" for s, m in CELLS],
                   help="cells SIZE:METHOD to train (default: all of the table); none only rewrites table.json")
    p.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    p.add_argument("--steps", type=int, default=None, help="generator steps per run (default: 2000; quick: 200)")
    p.add_argument("--probes", action="store_true", help=f"also the seed-0 probes {PROBE_CELLS}")
    p.add_argument("--long", action="store_true",
                   help=f"also {LONG_CELLS} at {LONG_STEPS} steps, for each of --seeds, into OUT/{LONG_FOLDER}/")
    p.add_argument("--out", default=None, help="results folder (default: runs/10_little_data)")
    p.add_argument("--rt-trace", action="store_true",
                   help="only the ADA runs of --seeds with r_t read every 10 steps -> OUT/rt_trace_seed<k>.json")
    a = p.parse_args(argv)
    cells = []
    for c in a.cells:
        size, _, method = c.partition(":")
        if not size.isdigit() or method not in METHODS or int(size) not in SIZES:
            p.error(f"--cells {c!r}: use SIZE:METHOD with SIZE one of {SIZES} and METHOD one of {', '.join(METHODS)}")
        cells.append((int(size), method))
    steps = a.steps if a.steps is not None else config.pick(full=RECIPE["steps"], quick=200)
    recipe = {"steps": steps, "fd_every": min(RECIPE["fd_every"], steps)}
    folder = results_dir() if a.out is None else Path(a.out)
    if a.rt_trace:
        if a.out is None and config.quick_mode():  # never over the committed full-mode traces
            folder = Path(tempfile.mkdtemp(prefix="gan_course_10_quick_"))
        for seed in a.seeds:
            trace = rt_trace(seed, steps=steps)
            folder.mkdir(parents=True, exist_ok=True)
            stabilise._write_json(folder / rt_trace_file(seed), trace)
            print(format_rt([rt_summary(trace)]) + f"   ({trace['seconds']:.0f} s)", flush=True)
        return
    extra = {"mode": config.mode_name(), "steps": steps}
    start = time.perf_counter()
    jobs = [(folder, size, method, seed, recipe) for seed in a.seeds for size, method in cells]
    if a.probes:
        jobs += [(folder, size, method, 0, recipe) for size, method in PROBE_CELLS]
    if a.long:
        long_steps = config.pick(full=LONG_STEPS, quick=3 * steps)
        jobs += [(folder / LONG_FOLDER, size, method, seed, {"steps": long_steps})
                 for seed in a.seeds for size, method in LONG_CELLS]
    for where, size, method, seed, rec in jobs:
        out = train_run(size, method, seed, rec, n_score=config.pick(full=N_SCORE, quick=500))
        save_run(where, out)
        s = out["scores"]
        fd = s["fd"] if s else float("nan")
        print(f"{size:5d} digits, {method:11s} seed {seed}, {out['steps']} steps: FD {fd:6.1f}, "
              f"D held-out acc {out['curve'][-1]['acc_heldout']:.2f} ({out['seconds']:.0f} s)", flush=True)
    path = write_table(folder, extra)
    doc = load_results(folder)
    print(format_table(doc["table"]))
    print(f"{len(doc['runs'])} runs in {folder}; this call took {time.perf_counter() - start:.0f} s; wrote {path}")


# --------------------------------------------------------------------------- ADA's r_t, read three ways

def rt_trace_file(seed: int) -> str:
    """The file of seed ``seed``'s :func:`rt_trace` run, beside ``table.json``."""
    return f"rt_trace_seed{seed}.json"


class _CountingADA(augment.AdaptiveAugment):
    """ADA's controller that also keeps the signs it saw since the last :meth:`take_window` (for :func:`rt_trace`)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._win_sum = keras.Variable(0.0, trainable=False, name="trace_sum")
        self._win_n = keras.Variable(0.0, trainable=False, name="trace_n")

    def update(self, real_logits):
        signs = keras.ops.sign(keras.ops.cast(keras.ops.reshape(real_logits, (-1,)), "float32"))
        self._win_sum.assign_add(keras.ops.sum(signs))
        self._win_n.assign_add(keras.ops.cast(keras.ops.shape(signs)[0], "float32"))
        super().update(real_logits)

    def take_window(self) -> float:
        """The mean sign over the D steps since the last call (the controller's r_t over that window)."""
        value = float(self._win_sum.numpy() / max(float(self._win_n.numpy()), 1.0))
        self._win_sum.assign(0.0)
        self._win_n.assign(0.0)
        return value


def rt_trace(seed: int = 0, size: int = 250, steps: int | None = None, every: int = 10,
             recipe: dict | None = None) -> dict:
    """The table's ADA recipe and seed re-run (a separate run, not bit-identical to the stored one), with
    ADA's r_t read three ways every ``every`` steps, to tell why its controller keeps ``p`` low while D overfits:

    * ``probe``: r_t on the ``n_probe`` training digits, inference mode, no augmentation (section 5's reading);
    * ``training_path``: the same digits through the training step's path (training mode, augmented
      with the current ``p``, from a seed generator of its own, so the run's random draws are untouched);
    * ``controller``: the mean sign of D's logits on the real batches of the D steps since the last
      reading, which is what ADA's controller averages (over 4 steps at a time).
    """
    r = {**RECIPE, **(recipe or {})}
    r.update(steps=r["steps"] if steps is None else steps, log_every=every, fd_every=0)
    if every % r["steps_per_execution"]:
        raise ValueError(f"every={every} must be a multiple of steps_per_execution={r['steps_per_execution']}.")
    aug = _CountingADA(target=r["ada_target"], speed=r["ada_speed"])
    gan = build_gan("ada", seed, r, aug=aug)
    train, heldout = digits_for(size)
    probe = keras.ops.convert_to_tensor(train[:r["n_probe"]])
    own_seed = keras.random.SeedGenerator(seed + 7919)
    extra = []  # the two readings Overfitting does not make; its rows hold the step, p and the probe's r_t

    class Trace(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            path = np.asarray(gan.discriminator(aug(probe, own_seed), training=True))
            extra.append({"training_path": augment.r_t(path), "controller": aug.take_window()})

    seconds, curve = fit_digits(gan, train, heldout, seed, r, callbacks=[Trace()])
    rows = [{"step": c["step"], "p": c["p"], "probe": c["r_t"], **e} for c, e in zip(curve, extra)]
    return {"seed": seed, "size": size, "steps": r["steps"], "every": every, "target": r["ada_target"],
            "seconds": round(seconds, 1), "rows": rows}


def rt_summary(trace: dict) -> dict:
    """Per trace: the mean of each reading, how far the two probes are apart, how much each swings from one
    reading to the next, and the share of readings at which the controller's r_t reached the target."""
    rows = trace["rows"]
    probe, path, ctrl = (np.array([row[k] for row in rows]) for k in ("probe", "training_path", "controller"))
    return {"seed": trace["seed"], "probe_mean": float(probe.mean()), "path_mean": float(path.mean()),
            "controller_mean": float(ctrl.mean()),
            "path_gap": float(np.mean(np.abs(path - probe))),
            "probe_swing": float(np.mean(np.abs(np.diff(probe)))),
            "controller_swing": float(np.mean(np.abs(np.diff(ctrl)))),
            "controller_at_target": float(np.mean(ctrl >= trace["target"])),
            "p_max": float(max(row["p"] for row in rows))}


def format_rt(summaries: list[dict]) -> str:
    """One line per seed of :func:`rt_summary`."""
    lines = ["mean r_t over the run: probe (plain, inference) / training path (augmented) / controller; "
             "mean change between readings; share of readings with the controller at the target; largest p",
             f"{'seed':>4s} {'probe':>6s} {'path':>6s} {'ctrl':>6s} {'probe swing':>12s} {'ctrl swing':>11s} "
             f"{'ctrl >= 0.6':>12s} {'max p':>6s}"]
    for s in summaries:
        lines.append(f"{s['seed']:4d} {s['probe_mean']:6.2f} {s['path_mean']:6.2f} {s['controller_mean']:6.2f} "
                     f"{s['probe_swing']:12.2f} {s['controller_swing']:11.2f} {s['controller_at_target']:12.0%} "
                     f"{s['p_max']:6.2f}")
    return "\n".join(lines)


def load_rt_traces(folder=None) -> list[dict]:
    """The stored :func:`rt_trace` runs (``python -m gan_lib.lessons.little_data --rt-trace``), by seed."""
    folder = results_dir() if folder is None else Path(folder)
    return [json.loads((folder / rt_trace_file(s)).read_text()) for s in SEEDS if (folder / rt_trace_file(s)).exists()]


# --------------------------------------------------------------------------- pictures


def plot_overfitting(runs: list[dict], cells, seed: int = 0, axes=None):
    """For each ``(size, method)`` of ``cells``: D's share of training and of held-out digits called real
    over training (seed ``seed``), one panel each. The gap between the two lines is the overfitting."""
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, len(cells), figsize=(4 * len(cells), 3.2), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, (size, method) in zip(axes, cells):
        run = next(r for r in runs if r["size"] == size and r["method"] == method and r["seed"] == seed)
        plot_verdicts(run["curve"], ax=ax, title=f"{size:,} digits, {method}, seed {seed}", legend=ax is axes[0])
    return axes


def plot_verdicts(curve: list[dict], ax=None, title: str = "", legend: bool = True):
    """One curve of :class:`Overfitting`: D's share of training and of held-out digits called real."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.2))
    steps = [c["step"] for c in curve]
    ax.plot(steps, [c["acc_train"] for c in curve], label="training digits")
    ax.plot(steps, [c["acc_heldout"] for c in curve], label="held-out digits")
    ax.set(title=title, xlabel="generator step", ylabel="share D calls real", ylim=(-0.03, 1.03))
    if legend:
        ax.legend(loc="lower left", fontsize=8)
    return ax


def plot_ada(runs: list[dict], ax=None):
    """ADA's probability ``p`` over training, one line per stored ``ada`` run."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.2))
    for r in (r for r in runs if r["method"] == "ada"):
        ax.plot([c["step"] for c in r["curve"]], [c["p"] for c in r["curve"]], label=f"p, seed {r['seed']}")
    ax.set(xlabel="generator step", ylabel="augmentation probability p")
    ax.legend(fontsize=8)
    return ax


def plot_rt(trace: dict, ax=None, last: int | None = 500):
    """One :func:`rt_trace` run: the inference probe's r_t and the controller's windowed r_t against the step
    (the last ``last`` steps; None: all), with ADA's target."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.2))
    rows = [r for r in trace["rows"] if last is None or r["step"] > trace["steps"] - last]
    steps = [r["step"] for r in rows]
    ax.plot(steps, [r["probe"] for r in rows], ".-", lw=0.8, label="probe: 250 training digits, after the step")
    ax.plot(steps, [r["controller"] for r in rows], ".-", lw=0.8, label="controller: its batches, over 10 steps")
    ax.axhline(trace["target"], color="k", ls="--", lw=0.8, label=f"target {trace['target']}")
    ax.set(xlabel="generator step", ylabel="r_t = E[sign D(x)]", ylim=(-1.05, 1.05),
           title=f"ADA, {trace['size']} digits, seed {trace['seed']}")
    ax.legend(fontsize=7, loc="lower left")
    return ax


def plot_fd_curves(runs: list[dict], cells, ax=None):
    """FD of the weight average over training for each cell, mean over the seeds stored."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    for size, method in cells:
        mine = [r for r in runs if r["size"] == size and r["method"] == method]
        pts = sorted({c["step"] for r in mine for c in r["curve"] if c["fd"] is not None})
        fd = [np.mean([c["fd"] for r in mine for c in r["curve"] if c["step"] == s and c["fd"] is not None])
              for s in pts]
        ax.plot(pts, fd, marker="o", label=f"{size:,} digits, {method}")
    ax.set_xlabel("generator step")
    ax.set_ylabel("FD (1,000 samples), mean over seeds")
    ax.legend(fontsize=8)
    return ax


if __name__ == "__main__":
    main()
