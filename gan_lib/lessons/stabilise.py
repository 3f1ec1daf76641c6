"""Lesson 06's experiment: stabilising tricks on the course's DCGAN, one budget, three seeds.

Every variant is the course's DCGAN (:func:`gan_lib.models.dcgan`), trained by the one
:class:`gan_lib.core.gan.GAN` for the same number of **generator** steps at the same
batch (:data:`RECIPE`: batch 32, Adam(5e-4, beta_1 0.5), an EMA of G's weights);
each differs from the baseline in one piece of ``gan_lib`` plugged into an
extension point, except the two that run with their papers' settings
(:data:`PAPER`), which also change the optimizer:

=================  ===================================================  ==============================
variant            what changes (paper)                                 piece / extension point
=================  ===================================================  ==============================
``baseline``       nothing: non-saturating loss, Adam 5e-4 for both     -
``smooth``         real labels 0.9 (Salimans et al. 2016)               ``losses.NonSaturating(0.9)``
``noisy``          5% of D's labels flipped (Salimans et al.; ganhacks)  ``losses.NoisyLabels(0.05)``
``fm``             feature matching (Salimans et al. 2016)              ``penalties.FeatureMatching``
``sn``             spectral norm in D (Miyato et al. 2018)              ``models.dcgan(spectral_norm=True)``
``wgangp``         Wasserstein loss + gradient penalty 10, **5 critic    ``losses.Wasserstein``,
                   steps per G step, Adam(1e-4, 0, 0.9)** (Gulrajani     ``d_penalties``, ``d_steps=5``
                   et al. 2017, Algorithm 1)
``wgangp_shared``  the same loss and penalty on the shared recipe        ``losses.Wasserstein``,
                   (1 critic step, Adam(5e-4, 0.5)): what lesson 06       ``d_penalties``
                   ran before
``hinge``          hinge loss (Lim & Ye 2017; Miyato et al. 2018)       ``losses.Hinge``
``ttur``           **D 4e-4, G 1e-4** (Heusel et al. 2017; the rates    separate Adam rates
                   of SAGAN and BigGAN)
=================  ===================================================  ==============================

Compute is counted per generator step (every variant makes ``steps`` G updates)
and in seconds; WGAN-GP also makes 5 D updates per G update, so its runs take
several times longer. Every run records a curve (:class:`Curves`) with its
training seconds, so the table can also be read at equal time.

``make lesson06`` (``python -m gan_lib.lessons.stabilise``) trains every
variant for every seed of :data:`SEEDS` and the failure demonstrations of
:data:`DEMOS` (seed 0, each one setting away from its base), and writes
``runs/06_stabilise/``: one JSON file per run (final scores of raw G and of its
average, the curve), the scored samples of seed 0 (uint8), and ``table.json``
(:func:`table`). :func:`load_results` reads it back for the notebook and tests.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

import keras
import numpy as np

from gan_lib import data, models
from gan_lib.core import config, losses, penalties
from gan_lib.core.gan import GAN
from gan_lib.measure import metrics

#: The shared recipe: same network, batch, optimizer and number of generator steps for every variant.
RECIPE = {
    "latent_dim": 64,
    "batch_size": 32,
    "steps": 3500,               # generator updates: 14 epochs of the 8,000 shipped digits (baseline at the bar)
    "d_steps": 1,                # D updates per G update
    "learning_rate": 5e-4,
    "beta_1": 0.5,
    "beta_2": 0.999,
    "ema_decay": 0.999,          # the weight average of G (the course's sampler); raw G is scored too
    "steps_per_execution": 10,   # 10 training steps per call into TensorFlow (same updates, less overhead)
    "label_smoothing": 0.9,
    "flip": 0.05,
    "fm_weight": 1.0,
    "gp_weight": 10.0,
    "fd_every": 2,               # curves: FD of n_fd samples every fd_every epochs
    "n_fd": 1000,
}

#: The settings two variants take from their papers (on top of :data:`RECIPE`).
#: WGAN-GP: Gulrajani et al. 2017, Algorithm 1 (n_critic 5, alpha 1e-4, beta_1 0, beta_2 0.9, lambda 10).
#: TTUR: D 4e-4, G 1e-4 as in SAGAN (Zhang et al. 2019) and BigGAN (Brock et al. 2019); those papers
#: also set Adam's betas to (0, 0.9), which is not adopted here, so TTUR changes only the two rates.
PAPER = {
    "wgangp": {"d_steps": 5, "learning_rate": 1e-4, "beta_1": 0.0, "beta_2": 0.9},
    "wgan_no_gp": {"d_steps": 5, "learning_rate": 1e-4, "beta_1": 0.0, "beta_2": 0.9},
    "ttur": {"d_lr": 4e-4, "g_lr": 1e-4},
}

#: name -> (what changes, paper)
VARIANTS = {
    "baseline": ("nothing: non-saturating loss, Adam(5e-4, 0.5) for both", "Goodfellow et al. 2014"),
    "smooth": ("one-sided label smoothing: real label 0.9", "Salimans et al. 2016"),
    "noisy": ("noisy labels: 5% of D's labels flipped", "Salimans et al. 2016; ganhacks"),
    "fm": ("feature matching added to G's loss", "Salimans et al. 2016"),
    "sn": ("spectral normalisation in every layer of D with weights", "Miyato et al. 2018"),
    "wgangp": ("Wasserstein loss + gradient penalty 10; 5 critic steps, Adam(1e-4, 0, 0.9)",
               "Gulrajani et al. 2017"),
    "wgangp_shared": ("Wasserstein loss + gradient penalty 10 on the shared recipe (1 critic step, "
                      "Adam(5e-4, 0.5))", "Gulrajani et al. 2017 (loss only)"),
    "hinge": ("hinge loss", "Lim & Ye 2017; Miyato et al. 2018"),
    "ttur": ("two time-scales: D 4e-4, G 1e-4", "Heusel et al. 2017; rates of SAGAN/BigGAN"),
}

SEEDS = (0, 1, 2)

#: Failure demonstrations (seed 0): name -> (the one change, recipe overrides, base variant).
#: ``wgan_no_gp`` is ``wgangp`` without its penalty (the same 5 critic steps and Adam).
DEMOS = {
    "d_fast": ("D's learning rate 5e-3 (10x); G's stays 5e-4", {"d_lr": 5e-3}, "baseline"),
    "beta1_09": ("Adam's beta_1 0.9 (its default) for both networks", {"beta_1": 0.9}, "baseline"),
    "wgan_no_gp": ("no gradient penalty (WGAN-GP's settings otherwise)", {}, "wgan_no_gp"),
    "g_fast": ("G's learning rate 5e-3 (10x); D's stays 5e-4", {"g_lr": 5e-3}, "baseline"),
}
#: Demonstrations are shorter than the table's runs: their curves are read against the
#: first ``DEMO_STEPS`` of the base variant's seed-0 curve (same seed, same batches).
DEMO_STEPS = 1000

#: Where ``make lesson06`` writes its results (committed to the repository).
RESULTS_FOLDER = "runs/06_stabilise"
TABLE_FILE = "table.json"
#: Seeds whose final samples are stored (uint8), so that tests can re-score them.
STORED_SEEDS = (0,)


def two_time_scale(learning_rate: float = 5e-4, ratio: float = 4.0, beta_1: float = 0.5, beta_2: float = 0.999):
    """``(d_optimizer, g_optimizer)``: Adams whose rates differ by ``ratio`` (TTUR).

    Heusel, Ramsauer, Unterthiner, Nessler and Hochreiter ("GANs Trained by a Two
    Time-Scale Update Rule Converge to a Local Nash Equilibrium", NeurIPS 2017)
    prove convergence when D learns on a faster time scale than G, so that G
    always faces a nearly optimal D. D's rate is ``learning_rate * sqrt(ratio)``
    and G's ``learning_rate / sqrt(ratio)`` (their geometric mean stays
    ``learning_rate``). SAGAN and BigGAN use D 4e-4, G 1e-4 (ratio 4, geometric mean 2e-4).
    """
    if not learning_rate > 0 or not ratio > 0:
        raise ValueError(f"learning_rate={learning_rate!r}, ratio={ratio!r}: use positive numbers, e.g. 5e-4 and 4.")
    root = float(np.sqrt(ratio))
    return (keras.optimizers.Adam(learning_rate * root, beta_1=beta_1, beta_2=beta_2),
            keras.optimizers.Adam(learning_rate / root, beta_1=beta_1, beta_2=beta_2))


def settings(variant: str, recipe: dict | None = None) -> dict:
    """The full settings of ``variant``: :data:`RECIPE`, then its :data:`PAPER` settings, then ``recipe``."""
    if variant not in VARIANTS and variant != "wgan_no_gp":
        raise ValueError(f"Unknown variant {variant!r}. Valid: {', '.join(VARIANTS)} (and 'wgan_no_gp').")
    r = {**RECIPE, **PAPER.get(variant, {}), **(recipe or {})}
    r.setdefault("d_lr", r["learning_rate"])
    r.setdefault("g_lr", r["learning_rate"])
    return r


def build_variant(variant: str, seed: int = 0, recipe: dict | None = None) -> GAN:
    """A compiled, untrained :class:`GAN` for ``variant`` (a name in :data:`VARIANTS` or ``wgan_no_gp``).

    ``recipe`` overrides :func:`settings`; ``d_lr``/``g_lr`` in it set each network's rate directly.
    """
    r = settings(variant, recipe)
    loss, kwargs = losses.NonSaturating(), {}
    if variant == "smooth":
        loss = losses.NonSaturating(real_label=r["label_smoothing"])
    elif variant == "noisy":
        loss = losses.NoisyLabels(flip=r["flip"], seed=seed)
    elif variant == "fm":
        kwargs["g_penalties"] = [penalties.FeatureMatching(r["fm_weight"])]
    elif variant in ("wgangp", "wgangp_shared"):
        loss = losses.Wasserstein()
        kwargs["d_penalties"] = [penalties.GradientPenalty(r["gp_weight"])]
    elif variant == "wgan_no_gp":
        loss = losses.Wasserstein()
    elif variant == "hinge":
        loss = losses.Hinge()
    keras.utils.set_random_seed(seed)
    g, d = models.dcgan(r["latent_dim"], spectral_norm=variant == "sn")
    gan = GAN(g, d, d_steps=r["d_steps"], seed=seed, ema_decay=r["ema_decay"], n_fixed=64, **kwargs)

    def adam(lr):
        return keras.optimizers.Adam(lr, beta_1=r["beta_1"], beta_2=r["beta_2"])

    gan.compile(adam(r["d_lr"]), adam(r["g_lr"]), loss=loss, steps_per_execution=r["steps_per_execution"])
    return gan


def quantize(images) -> np.ndarray:
    """Images in [-1, 1] as uint8 (0..255): the form in which samples are scored and stored."""
    return np.clip(np.rint((np.asarray(images, np.float64) + 1.0) * 127.5), 0, 255).astype(np.uint8)


def dequantize(q) -> np.ndarray:
    """uint8 images back to float32 in [-1, 1]."""
    return (np.asarray(q, np.float32) / np.float32(127.5) - np.float32(1.0)).astype(np.float32)


def score_samples(generator_images) -> dict | None:
    """:func:`gan_lib.measure.metrics.evaluate` plus ``classes`` (digits with at least 3% of samples).

    None if the samples are not finite (a diverged run).
    """
    x = np.asarray(generator_images)
    if not np.all(np.isfinite(x)):
        return None
    r = metrics.evaluate(x)
    r["classes"] = int(sum(s >= metrics.THRESHOLDS["min_class_share"] for s in r["class_shares"]))
    return r


def gap(real_scores, fake_scores) -> float:
    """The critic's real-minus-fake gap, ``mean D(real) - mean D(fake)`` (logits or critic scores).

    The Wasserstein loss depends on D's scores only through this difference, so a
    constant added to every score changes nothing; raw scores can drift freely,
    the gap cannot. For a 1-Lipschitz critic it estimates the earth mover's distance.
    """
    return float(np.mean(real_scores) - np.mean(fake_scores))


class Curves(keras.callbacks.Callback):
    """Per epoch: training seconds, the logged losses, D's scores on fixed batches and, every ``fd_every`` epochs, FD.

    ``self.rows`` is a list of dicts with ``epoch``, ``step`` (G updates so far),
    ``seconds`` (training time so far, this callback's own time excluded; the
    first epoch includes tracing), ``d_loss``, ``g_loss``, ``d_real``, ``d_fake``
    (epoch means of ``sigmoid(logit)``), ``real_logit``/``fake_logit`` (D's mean
    logit on ``probe`` real images and on fakes from the GAN's fixed latents,
    inference mode; for a critic these are its scores), ``gap`` (their
    difference, :func:`gap`) and ``fd``/``fd_ema`` (FD of ``n_fd`` samples of
    raw G and of its average, against as many held-out digits), ``kl`` and
    ``top_share`` (raw G's class shares' KL to uniform and its most frequent
    digit's share); these are None between evaluations or when the samples are
    not finite.
    """

    def __init__(self, probe, fd_every: int = 2, n_fd: int = 500, seed: int = 0):
        super().__init__()
        self.probe = np.asarray(probe, np.float32)
        self.fd_every, self.n_fd, self.seed = fd_every, n_fd, seed
        self.rows = []
        self._start, self._own = None, 0.0

    def on_train_begin(self, logs=None):
        self._start, self._own = time.perf_counter(), 0.0

    def _score(self, generator):
        z = np.random.default_rng([self.seed, 13]).standard_normal((self.n_fd, self.model.latent_dim)).astype("float32")
        x = self.model.generate(z, generator=generator)
        if not np.all(np.isfinite(x)):
            return None
        return metrics.evaluate(x, n=self.n_fd)

    def on_epoch_end(self, epoch, logs=None):
        t0 = time.perf_counter()
        gan = self.model
        fake = gan.generate(gan.fixed_latent, generator=gan.generator)
        real_logit, fake_logit = gan.discriminate(self.probe), gan.discriminate(fake)
        row = {"epoch": epoch + 1, "step": int(gan.g_optimizer.iterations.numpy()),
               "seconds": round(t0 - self._start - self._own, 2),
               **{k: float(v) for k, v in (logs or {}).items()},
               "real_logit": float(np.mean(real_logit)), "fake_logit": float(np.mean(fake_logit)),
               "gap": gap(real_logit, fake_logit), "fd": None, "fd_ema": None, "kl": None, "top_share": None}
        if (epoch + 1) % self.fd_every == 0:
            raw, ema = self._score(gan.generator), self._score(gan.sampler)
            if raw is not None:
                row.update(fd=raw["fd"], kl=raw["kl_to_uniform"], top_share=max(raw["class_shares"]))
            row["fd_ema"] = None if ema is None else ema["fd"]
        self.rows.append(row)
        self._own += time.perf_counter() - t0


def train_variant(variant: str, seed: int = 0, recipe: dict | None = None, images=None, curves: bool = True,
                  n_eval: int = metrics.N_EVAL) -> dict:
    """Train one variant and score ``n_eval`` samples of raw G and of its weight average.

    Returns ``{"variant", "seed", "settings", "raw", "ema", "seconds", "g_steps",
    "d_updates", "curves", "samples", "gan"}``: ``raw``/``ema`` are results of
    :func:`score_samples` for the samples as stored (uint8; None if not finite),
    ``samples`` the uint8 samples of the average, ``seconds`` the training time
    (the curve's own time excluded), ``curves`` the rows of a :class:`Curves`
    callback (or None). ``images``: the training digits (default: the shipped training split).

    Training itself is one ``gan.fit_images`` call; this function exists for
    the lesson's recipe: generator ``steps`` turned into whole epochs, the
    variant built by :func:`build_variant`, and both generators scored on the
    same latents, so every row of the table is measured the same way.
    """
    r = settings(variant, recipe)
    x = data.load_digits("train", verbose=False).images if images is None else images
    steps_per_epoch = len(x) // r["batch_size"]
    if r["steps"] % steps_per_epoch:
        raise ValueError(f"steps={r['steps']} is not a multiple of the {steps_per_epoch} steps of one epoch "
                         f"({len(x)} images at batch_size={r['batch_size']}).")
    gan = build_variant(variant, seed, r)
    cb = Curves(x[:256], fd_every=r["fd_every"], n_fd=r["n_fd"], seed=seed) if curves else None
    start = time.perf_counter()
    gan.fit_images(x, r["batch_size"], r["steps"] // steps_per_epoch, seed=seed, callbacks=[cb] if cb else [])
    seconds = time.perf_counter() - start - (cb._own if cb else 0.0)
    z = np.random.default_rng([seed, 11]).standard_normal((n_eval, gan.latent_dim)).astype("float32")
    raw_q, ema_q = quantize(gan.generate(z, generator=gan.generator)), quantize(gan.generate(z, generator=gan.sampler))
    raw = score_samples(dequantize(raw_q)) if np.all(np.isfinite(gan.generate(z[:1], generator=gan.generator))) \
        else None
    ema = score_samples(dequantize(ema_q)) if np.all(np.isfinite(gan.generate(z[:1]))) else None
    g_steps = int(gan.g_optimizer.iterations.numpy())
    return {"variant": variant, "seed": seed, "settings": {k: r[k] for k in _SETTING_KEYS},
            "raw": raw, "ema": ema, "seconds": round(seconds, 2), "g_steps": g_steps,
            "d_updates": int(gan.d_optimizer.iterations.numpy()),
            "curves": cb.rows if cb else None, "samples": ema_q, "gan": gan}


_SETTING_KEYS = ("batch_size", "steps", "d_steps", "d_lr", "g_lr", "beta_1", "beta_2", "ema_decay", "gp_weight")


# --------------------------------------------------------------------------- the table


def _bar(result) -> bool:
    """Does one scored run meet the lessons' bar (:data:`gan_lib.measure.metrics.THRESHOLDS`)?"""
    return result is not None and all(metrics.meets_bar(result).values())


def table(runs: list[dict]) -> list[dict]:
    """Mean and spread (population std over seeds) per variant, in :data:`VARIANTS` order.

    ``runs``: results of :func:`train_variant` (or their stored JSON). Columns:
    ``fd``, ``fd_ema``, ``score_ema``, ``min_share_ema``, ``classes``, ``kl``,
    ``score`` as ``(mean, std)`` pairs; ``passed`` (seeds whose averaged G meets
    the bar), ``failed`` (runs whose samples were not finite), ``seconds`` (mean
    training time), ``g_steps`` and ``d_updates`` (per run), ``per_seed`` (FD of
    the average, seed by seed) and, against the baseline with the same seeds,
    ``vs_baseline`` (per-seed difference of the average's FD, negative = better).
    """
    rows = []
    names = [v for v in VARIANTS if any(r["variant"] == v for r in runs)]
    names += [v for v in dict.fromkeys(r["variant"] for r in runs) if v not in names]
    base = {r["seed"]: r for r in runs if r["variant"] == "baseline"}
    for name in names:
        group = sorted((r for r in runs if r["variant"] == name), key=lambda r: r["seed"])

        def get(key, which="raw", group=group):
            return [None if r[which] is None else r[which][key] for r in group]

        fd = metrics.mean_std(get("fd"))
        row = {"variant": name, "seeds": [r["seed"] for r in group], "failed": fd[2],
               "fd": fd[:2], "fd_ema": metrics.mean_std(get("fd", "ema"))[:2],
               "score_ema": metrics.mean_std(get("classifier_score", "ema"))[:2],
               "min_share_ema": metrics.mean_std([None if r["ema"] is None else min(r["ema"]["class_shares"])
                                                  for r in group])[:2],
               "classes": metrics.mean_std(get("classes"))[:2],
               "kl": metrics.mean_std(get("kl_to_uniform"))[:2], "score": metrics.mean_std(get("classifier_score"))[:2],
               "passed": sum(_bar(r["ema"]) for r in group),
               "seconds": float(np.mean([r["seconds"] for r in group])),
               "g_steps": group[0]["g_steps"], "d_updates": group[0]["d_updates"],
               "per_seed": get("fd", "ema"), "vs_baseline": None}
        if name != "baseline" and all(r["seed"] in base for r in group):
            row["vs_baseline"] = [None if r["ema"] is None or base[r["seed"]]["ema"] is None
                                  else r["ema"]["fd"] - base[r["seed"]]["ema"]["fd"] for r in group]
        rows.append(row)
    return rows


def verdict(diffs) -> str:
    """A claim only where every seed agrees: "better in 3/3 seeds", "worse in 3/3 seeds", else no consistent change.

    ``diffs``: per-seed FD differences against the baseline (negative = lower FD = better).
    """
    d = [x for x in diffs if x is not None]
    if not d:
        return "n/a"
    better = sum(x < 0 for x in d)
    if better == len(d):
        return f"better in {better}/{len(d)} seeds"
    if better == 0:
        return f"worse in {len(d)}/{len(d)} seeds"
    return f"no consistent change (better in {better}/{len(d)} seeds)"


def format_table(rows: list[dict]) -> str:
    """The table as fixed-width text: mean ± std over seeds, then the comparison with the baseline seed by seed."""
    ms = metrics.format_mean_std

    lines = [f"{'variant':13s} {'FD (EMA of G)':>15s} {'FD (raw G)':>15s} {'score (EMA)':>12s} "
             f"{'min share':>14s} {'bar':>4s} {'s/run':>6s} {'G steps':>7s} {'D updates':>9s}"]
    for r in rows:
        line = (f"{r['variant']:13s} {ms(r['fd_ema'], '6.1f'):>15s} {ms(r['fd'], '6.1f'):>15s} "
                f"{ms(r['score_ema'], '4.2f'):>12s} {ms(r['min_share_ema'], '5.3f'):>14s} "
                f"{r['passed']}/{len(r['seeds'])} {r['seconds']:6.0f} {r['g_steps']:7d} {r['d_updates']:9d}")
        if r["failed"]:
            line += f"  ({r['failed']} of {len(r['seeds'])} runs not finite)"
        lines.append(line)
    lines.append("")
    lines.append("FD of the average, per seed, and the change from the baseline seed by seed (negative = better):")
    for r in rows:
        per = " ".join("  n/a" if v is None else f"{v:5.1f}" for v in r["per_seed"])
        line = f"{r['variant']:13s} seeds {r['seeds']}: {per}"
        if r["vs_baseline"] is not None:
            d = [x for x in r["vs_baseline"] if x is not None]
            line += ("   change " + " ".join(f"{x:+5.1f}" for x in d)
                     + (f"  mean {np.mean(d):+5.1f} ± {np.std(d):4.1f}" if d else "") + f"  {verdict(d)}")
        lines.append(line)
    return "\n".join(lines)


def at_seconds(curve: list[dict], seconds: float, key: str = "fd_ema"):
    """The last scored ``key`` of a curve reached within ``seconds`` of training (None if none was)."""
    pts = [r for r in curve if r.get(key) is not None and r["seconds"] <= seconds]
    return (pts[-1][key], pts[-1]["step"], pts[-1]["seconds"]) if pts else None


# --------------------------------------------------------------------------- results: files


def results_dir(quick: bool | None = None):
    """``runs/06_stabilise`` of the repository in full mode; a fresh temporary folder in quick mode."""
    quick = config.quick_mode() if quick is None else quick
    if quick:
        return Path(tempfile.mkdtemp(prefix="gan_course_06_quick_"))
    return config.committed_folder(RESULTS_FOLDER)  # outside a clone: fetched once into a cache (Colab)


def run_file(variant: str, seed: int) -> str:
    """``<variant>_seed<k>.json``: one run's settings, scores and curve."""
    return f"{variant}_seed{seed}.json"


def sample_file(variant: str, seed: int) -> str:
    """``<variant>_seed<k>.npz``: the run's scored samples of the weight average (uint8)."""
    return f"{variant}_seed{seed}.npz"


def _write_json(path: Path, doc):
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(doc, indent=1) + "\n")
    tmp.replace(path)  # atomic: two writers never leave half a file


def save_run(folder, out: dict, kind: str = "variant") -> Path:
    """Write one result of :func:`train_variant` (its samples too if its seed is in :data:`STORED_SEEDS`)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    doc = {k: v for k, v in out.items() if k not in ("gan", "samples")} | {"kind": kind, "file": None}
    for which in ("raw", "ema"):  # drop what the table does not use
        if doc[which] is not None:
            doc[which] = {k: v for k, v in doc[which].items() if k != "passes"}
    name = f"demo_{out['variant']}" if kind == "demo" else out["variant"]
    if kind == "variant" and out["seed"] in STORED_SEEDS:
        doc["file"] = sample_file(out["variant"], out["seed"])
        np.savez_compressed(folder / doc["file"], images=out["samples"])
    path = folder / run_file(name, out["seed"])
    _write_json(path, doc)
    return path


def load_runs(folder, kind: str = "variant") -> list[dict]:
    """The stored runs (``kind`` "variant" or "demo") of a results folder."""
    docs = [json.loads(p.read_text()) for p in sorted(Path(folder).glob("*_seed*.json"))]
    return [d for d in docs if d["kind"] == kind]


def write_table(folder, extra: dict | None = None) -> Path:
    """``table.json``: :func:`table` of the stored runs, the demos' names, and ``extra`` (mode, budget)."""
    runs = load_runs(folder)
    done = {(r["variant"], r["seed"]) for r in runs}
    doc = {"complete": done >= {(v, s) for v in VARIANTS for s in SEEDS}, "recipe": RECIPE,
           "paper": PAPER, "variants": list(VARIANTS), "seeds": list(SEEDS),
           "runs": sorted(run_file(r["variant"], r["seed"]) for r in runs), "table": table(runs),
           "demos": sorted(run_file("demo_" + r["variant"], r["seed"]) for r in load_runs(folder, "demo")),
           **(extra or {})}
    path = Path(folder) / TABLE_FILE
    _write_json(path, doc)
    return path


def load_results(folder=None) -> dict:
    """``table.json`` of ``make lesson06`` with ``runs`` and ``demos`` read in (default: ``runs/06_stabilise``)."""
    folder = results_dir(quick=False) if folder is None else Path(folder)
    doc = json.loads((folder / TABLE_FILE).read_text())
    doc["runs"] = [json.loads((folder / f).read_text()) for f in doc["runs"]]
    doc["demos"] = {d["variant"]: d for d in (json.loads((folder / f).read_text()) for f in doc["demos"])}
    return doc


def main(argv=None):
    """``python -m gan_lib.lessons.stabilise``: train the variants and demos, write the results folder."""
    from gan_lib.core.cli import OneLineParser

    p = OneLineParser(prog="python -m gan_lib.lessons.stabilise",
                      description="Lesson 06's comparison of stabilising tricks on the course's DCGAN, over seeds.")
    p.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=list(VARIANTS),
                   help="variants to train; none (--variants --demos) only rewrites table.json")
    p.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    p.add_argument("--demos", nargs="*", default=list(DEMOS), choices=list(DEMOS),
                   help="failure demonstrations to run (seed 0); none: --demos")
    p.add_argument("--steps", type=int, default=RECIPE["steps"], help="generator steps per run")
    p.add_argument("--demo-steps", type=int, default=DEMO_STEPS)
    p.add_argument("--limit", type=int, default=None, help="train on the first LIMIT digits (tests)")
    p.add_argument("--n-eval", type=int, default=metrics.N_EVAL, help="samples scored per run")
    p.add_argument("--out", default=None, help="results folder (default: runs/06_stabilise; a temporary "
                                               "folder in quick mode)")
    a = p.parse_args(argv)
    if any(s < 0 for s in a.seeds):
        p.error(f"--seeds {a.seeds}: use whole numbers of at least 0")
    if a.steps < 1 or a.demo_steps < 1:
        p.error(f"--steps {a.steps} --demo-steps {a.demo_steps}: use whole numbers of at least 1")
    limit = a.limit if a.limit is not None else config.pick(full=None, quick=1000)
    digits = data.load_digits("train", limit=limit, verbose=False).images
    folder = results_dir() if a.out is None else Path(a.out)
    start = time.perf_counter()
    extra = {"mode": config.mode_name(), "steps": a.steps, "demo_steps": a.demo_steps, "train_digits": len(digits),
             "n_eval": a.n_eval}
    for seed in a.seeds:
        for v in a.variants:
            out = train_variant(v, seed, {"steps": a.steps, "n_fd": min(RECIPE["n_fd"], a.n_eval)}, digits,
                                n_eval=a.n_eval)
            save_run(folder, out)
            e = out["ema"]
            print(f"{v:13s} seed {seed}: FD (EMA) {e['fd'] if e else float('nan'):6.1f}, "
                  f"FD (raw) {out['raw']['fd'] if out['raw'] else float('nan'):6.1f}, "
                  f"score {e['classifier_score'] if e else float('nan'):.2f}  ({out['seconds']:.0f} s)", flush=True)
            write_table(folder, extra)
    for name in a.demos:
        what, override, base = DEMOS[name]
        out = train_variant(base, 0, {**override, "steps": a.demo_steps, "fd_every": 1,
                                      "n_fd": min(RECIPE["n_fd"], a.n_eval)}, digits, n_eval=a.n_eval)
        out["variant"], out["base"], out["what"] = name, base, what
        save_run(folder, out, kind="demo")
        print(f"demo {name}: {what} ({out['seconds']:.0f} s)", flush=True)
    path = write_table(folder, extra)
    doc = load_results(folder)
    n_runs = len(doc["runs"])
    print(format_table(doc["table"]))
    print(f"{n_runs} runs in {folder}; this call took {time.perf_counter() - start:.0f} s; wrote {path}")


# --------------------------------------------------------------------------- pictures


def plot_curves(named_rows: dict, keys=("d_real", "d_fake"), axes=None, title_prefix=""):
    """One panel per key, one line per run: ``named_rows`` maps a label to :class:`Curves` rows."""
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, len(keys), figsize=(4.2 * len(keys), 3.0))
    axes = np.atleast_1d(axes)
    for ax, key in zip(axes, keys):
        for label, rows in named_rows.items():
            pts = [(r["step"], r[key]) for r in rows if r.get(key) is not None]
            if pts:
                ax.plot(*zip(*pts), marker=".", label=label)
        ax.set_xlabel("generator step")
        ax.set_title(f"{title_prefix}{key}", fontsize=9)
        ax.legend(fontsize=7)
    return axes


# --------------------------------------------------------------------------- the BatchNorm pitfalls


def batchnorm_modes(seed: int = 0) -> dict:
    """Measure what a ``BatchNormalization`` layer does under the calls GAN code makes.

    A fresh layer (moving mean 0, variance 1) gets a batch whose features have
    mean 3 and std 2. Returns the mean of its output for each way of calling it:

    * ``training=True``: batch statistics, output mean about 0;
    * no ``training`` argument: Keras 3 has no global learning phase, so this is
      **inference** mode (moving statistics): output mean about 3;
    * ``training=True`` after ``layer.trainable = False``: also **inference**
      mode. Keras (since 2.1.3, and Keras 3) runs a frozen BatchNorm layer on its
      moving statistics, so the stacked ``[G, D]`` model of the old tutorials,
      with ``D.trainable = False``, trains G against a D whose BatchNorm
      behaves differently from the D that was trained;

    and whether the moving mean moved after each call.
    """
    layer = keras.layers.BatchNormalization()
    layer.build((None, 4))
    x = np.random.default_rng(seed).normal(3.0, 2.0, (64, 4)).astype("float32")
    out = {}
    for what, kwargs, freeze in (("training=True", {"training": True}, False),
                                 ("no training argument", {}, False),
                                 ("training=True, trainable=False", {"training": True}, True)):
        layer.trainable = not freeze
        before = np.array(layer.moving_mean.numpy())
        y = np.asarray(layer(x, **kwargs))
        out[what] = {"output_mean": float(y.mean()), "output_std": float(y.std()),
                     "moving_mean_moved": bool(not np.allclose(before, layer.moving_mean.numpy()))}
    layer.trainable = True
    return out


if __name__ == "__main__":
    main()
