"""Lesson 09, section 3: a small StyleGAN against the course DCGAN on one time budget, over seeds.

Three models, each with its own recipe (:data:`RECIPE`):

==============  ==========================================================================
``dcgan``       section 1's course DCGAN: Adam(5e-4, beta_1 0.5), batch 16, 4 epochs
                (2,000 steps), weight average 0.999, the non-saturating loss
``stylegan``    :func:`gan_lib.models.style.style_generator` (97,699 parameters) against the
                same discriminator, trained as StyleGAN2 trains: the R1 penalty (gamma 1)
                with lazy regularisation (computed every 16th D step, times 16),
                Adam(1e-3, beta_1 0, beta_2 0.99) (StyleGAN2: 2e-3), batch 16, weight
                average 0.999, the non-saturating loss; 3 epochs (1,500 steps), which take
                about as long on a CPU as the DCGAN's 2,000: a StyleGAN step costs more
                (it convolves at every resolution)
``stylegan_r1_  the same with R1 on every D step (StyleGAN2's paper measured lazy
each_step``     regularisation to cost nothing in quality; here it is measured again)
==============  ==========================================================================

Each run commits 2,000 uint8 samples of its weight average and their scores
(:func:`gan_lib.lessons.collapse_digits.score`: FD, class shares, missing classes,
precision/recall, density/coverage) with its training seconds. The time budgets are
compared with :func:`step_times`, short bursts of every model timed in turns (whole
runs timed minutes apart do not compare on this CPU). Each StyleGAN run also commits
its weight average's weights (``<model>_seed<k>.weights.h5``, 0.5 MB), and :func:`mixing` measures style mixing
on them: which latent decides the digit, what the fine styles change, what the noise
changes. The tests re-score the samples and re-measure the mixing from the weights.

``make lesson09`` runs :func:`run_study` and writes ``runs/09_beyond_dcgan/stylegan/``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import keras
import numpy as np

from gan_lib import data, models
from gan_lib.core import config
from gan_lib.core.gan import GAN
from gan_lib.core.latent import classify
from gan_lib.core.penalties import R1Penalty
from gan_lib.lessons import collapse_digits, study
from gan_lib.lessons.stabilise import dequantize, quantize
from gan_lib.measure import metrics
from gan_lib.models import style

MODELS = ("dcgan", "stylegan", "stylegan_r1_each_step")
#: The models with a style-based generator (their weights are kept and their mixing measured).
STYLE_MODELS = ("stylegan", "stylegan_r1_each_step")
#: Each model's recipe (one dict, so the study's runs can be checked against one recipe).
RECIPE = {
    "dcgan": {"epochs": 4, "batch_size": 16, "lr": 5e-4, "beta_1": 0.5, "beta_2": 0.999, "r1": 0.0, "r1_every": 1,
              "ema_decay": 0.999, "loss": "nonsaturating"},
    "stylegan": {"epochs": 3, "batch_size": 16, "lr": 1e-3, "beta_1": 0.0, "beta_2": 0.99, "r1": 1.0, "r1_every": 16,
                 "ema_decay": 0.999, "loss": "nonsaturating"},
}
#: The same StyleGAN with R1 on every D step instead of lazily: what lazy regularisation costs or saves here.
RECIPE["stylegan_r1_each_step"] = dict(RECIPE["stylegan"], r1_every=1)
N_SAMPLES = 2000
RESULTS_FOLDER = "runs/09_beyond_dcgan/stylegan"
RESULTS_FILE = "style.json"
#: Latent pairs for the mixing measures, and the seeds of their two halves.
N_PAIRS = 1000
PAIR_SEEDS = (21, 22)


def results_dir(quick: bool | None = None) -> Path:
    """``runs/09_beyond_dcgan/stylegan`` in full mode; in quick mode a temporary one (:func:`study.results_dir`)."""
    return study.results_dir(RESULTS_FOLDER, "gan_course_09_style_", quick)


def build(model: str, seed: int = 0, recipe: dict | None = None) -> GAN:
    """The compiled GAN of ``model`` (one of :data:`MODELS`), its weights drawn from ``seed``."""
    if model not in MODELS:
        raise ValueError(f"model={model!r}: choose one of {', '.join(MODELS)}.")
    r = (recipe or RECIPE)[model]
    keras.utils.set_random_seed(seed)
    if model in STYLE_MODELS:
        g = style.style_generator(seed=seed)[0]
        d = models.build("dcgan")[1]
    else:
        g, d = models.build("dcgan")
    gan = GAN(g, d, ema_decay=r["ema_decay"], seed=seed,
              d_penalties=[R1Penalty(r["r1"], every=r["r1_every"])] if r["r1"] > 0 else [])
    gan.compile(d_optimizer=keras.optimizers.Adam(r["lr"], beta_1=r["beta_1"], beta_2=r["beta_2"]),
                g_optimizer=keras.optimizers.Adam(r["lr"], beta_1=r["beta_1"], beta_2=r["beta_2"]),
                loss=r["loss"])
    return gan


def weights_file(model: str, seed: int) -> str:
    return f"{model}_seed{seed}.weights.h5"


def load_generator(seed: int, folder=None, model: str = "stylegan"):
    """``(generator, mapping, synthesis)`` of a committed StyleGAN run: its weight average, freshly built."""
    path = Path(folder or results_dir(quick=False)) / weights_file(model, seed)
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `make lesson09` to train the StyleGAN study.")
    g, mapping, synthesis = style.style_generator(seed=seed)
    g.load_weights(path)
    return g, mapping, synthesis


def mixing(mapping, synthesis, n: int = N_PAIRS) -> dict:
    """Style mixing measured on ``n`` pairs of latents ``(z_a, z_b)`` (seeds :data:`PAIR_SEEDS`).

    Image A uses ``w_a`` everywhere, B ``w_b``; the mix takes ``w_a`` (coarse) for the
    first ``crossover`` resolutions and ``w_b`` (fine) for the rest. For each crossover
    (1: 7x7 coarse; 2: 7x7 and 14x14 coarse) it returns, over the pairs whose A and B the
    course classifier reads as different digits, the share of mixes read as A's digit
    (``coarse_digit``) and as B's (``fine_digit``); over all pairs, the mean pixel change
    from A to the mix as a fraction of that from A to B (``pixel_change``); and over the
    pairs of the same digit, the correlation of the mix's stroke width
    (:func:`gan_lib.lessons.cycle.stroke_width`) with A's and with B's
    (``width_corr_coarse``, ``width_corr_fine``). ``noise_change``: the mean pixel change
    when only the noise is drawn again (200 draws for one ``w``), as a fraction of the change
    between different ``w`` (200 latents).
    """
    from gan_lib.lessons import cycle

    za, zb = (np.random.default_rng(s).standard_normal((n, int(mapping.input_shape[-1]))).astype("float32")
              for s in PAIR_SEEDS)
    wa, wb = (keras.ops.convert_to_numpy(mapping(z)) for z in (za, zb))

    def draw(ws):
        return keras.ops.convert_to_numpy(synthesis(ws))

    a, b = draw(style.mix_styles(wa, wa)), draw(style.mix_styles(wb, wb))
    da, db = classify(a)[0], classify(b)[0]
    sa, sb = cycle.stroke_width(a), cycle.stroke_width(b)
    differ, same = da != db, da == db
    out = {"pairs": n, "pairs_differ": int(differ.sum()), "pairs_same": int(same.sum())}
    for crossover in (1, 2):
        m = draw(style.mix_styles(wa, wb, crossover))
        dm, sm = classify(m)[0], cycle.stroke_width(m)
        out[f"crossover_{crossover}"] = {
            "coarse_digit": float(np.mean(dm[differ] == da[differ])),
            "fine_digit": float(np.mean(dm[differ] == db[differ])),
            "pixel_change": float(np.abs(m - a).mean() / np.abs(b - a).mean()),
            "width_corr_coarse": float(np.corrcoef(sm[same], sa[same])[0, 1]),
            "width_corr_fine": float(np.corrcoef(sm[same], sb[same])[0, 1]),
        }
    one = draw(style.mix_styles(*[np.repeat(wa[:1], 200, 0)] * 2))
    many = draw(style.mix_styles(wa[:200], wa[:200]))
    out["noise_change"] = float(np.abs(one - one.mean(0)).mean() / np.abs(many - one.mean(0)).mean())
    return out


def train(model: str, seed: int, images, recipe: dict | None = None, folder=None):
    """Train one run; return its uint8 samples and the seconds training took.

    A StyleGAN run also writes its weight average's weights into ``folder`` (if given).
    """
    r = (recipe or RECIPE)[model]
    gan = build(model, seed, recipe)
    t0 = time.perf_counter()
    gan.fit_images(images, r["batch_size"], r["epochs"], seed=seed)
    seconds = time.perf_counter() - t0
    if model in STYLE_MODELS and folder is not None:
        gan.sampler.save_weights(Path(folder) / weights_file(model, seed))
    return quantize(gan.sample(N_SAMPLES, seed=2024)), seconds


def step_times(images, models_=MODELS, repeats: int = 7, steps: int = 50, recipe: dict | None = None) -> dict:
    """Median milliseconds per training step of each model, timed in turns on the same machine.

    Each model's GAN (seed 0) is built and warmed up (one untimed burst, which compiles
    its step); then ``repeats`` rounds each time ``steps`` steps of every model in turn.
    This CPU's speed changes by up to 2x from one minute to the next, so whole runs timed
    minutes apart do not compare; bursts taken in turns and their medians do.
    """
    r = recipe or RECIPE
    batch = {m: r[m]["batch_size"] for m in models_}
    gans = {m: build(m, 0, recipe) for m in models_}
    for m, gan in gans.items():
        gan.fit_images(images[:steps * batch[m]], batch[m], 1, seed=0)
    times = {m: [] for m in models_}
    for k in range(repeats):
        for m, gan in gans.items():
            t0 = time.perf_counter()
            gan.fit_images(images[:steps * batch[m]], batch[m], k + 2, initial_epoch=k + 1, seed=0)
            times[m].append(1000 * (time.perf_counter() - t0) / steps)
    return {m: float(np.median(t)) for m, t in times.items()}


def budget_seconds(step_ms: dict, recipe: dict, n_images: int = 8000) -> dict:
    """Each model's training budget in seconds: its steps (epochs x ``n_images // batch``) x its median step time."""
    return {m: step_ms[m] / 1000 * recipe[m]["epochs"] * (n_images // recipe[m]["batch_size"]) for m in step_ms}


def run_study(seeds=(0, 1, 2), models_=MODELS, folder=None, log=print, time_steps: bool = True) -> Path:
    """Train and score every model and seed into ``folder``, then write :data:`RESULTS_FILE`.

    One run at a time, seed by seed. Each run records its seconds, but this CPU's speed
    changes by up to 2x over minutes, so the budgets are compared with :func:`step_times`
    (bursts of every model timed in turns, run after the training) and :func:`budget_seconds`.
    Runs already there with this recipe and mode are kept. Quick mode (CI) trains one epoch
    of 1,000 digits. ``time_steps=False`` skips the step timing (and leaves it out of the file)."""
    folder = Path(folder) if folder is not None else results_dir()
    folder.mkdir(parents=True, exist_ok=True)
    quick = config.quick_mode()
    recipe = {m: dict(RECIPE[m], epochs=1) if quick else dict(RECIPE[m]) for m in MODELS}

    def train_and_score(model, seed, images, recipe):
        q, seconds = train(model, seed, images, recipe, folder)
        scores = collapse_digits.score(q)
        if model in STYLE_MODELS:
            _, mapping, synthesis = load_generator(seed, folder, model)
            scores["mixing"] = mixing(mapping, synthesis, N_PAIRS)
        return q, scores, seconds

    images = data.load_digits("train", limit=1000 if quick else None).images
    for seed in seeds:   # seed by seed, so each seed's runs share the machine's state (its speed varies)
        study.train_missing(folder, models_, [seed], recipe, quick, lambda: images, train_and_score,
                            collapse_digits.format_run, log)
    timing = {}
    if time_steps:
        ms = step_times(images, MODELS, repeats=2 if quick else 7, steps=5 if quick else 50, recipe=recipe)
        log("median ms per step, timed in turns: " + ", ".join(f"{m} {v:.1f}" for m, v in ms.items()))
        timing = {"step_ms": ms, "budget_seconds": budget_seconds(ms, recipe, len(images))}
    return study.write_results(folder, RESULTS_FILE, study.gather(folder, MODELS), recipe, quick,
                               n_samples=N_SAMPLES, **timing)


def load_results(folder=None) -> dict:
    """The committed study (``style.json``)."""
    return study.load_results(folder or results_dir(quick=False), RESULTS_FILE,
                              "run `make lesson09` to train the StyleGAN study")


def load_samples(model: str, seed: int, folder=None) -> np.ndarray:
    """A committed run's samples as float32 in [-1, 1]."""
    return dequantize(study.load_samples(folder or results_dir(quick=False), model, seed))


def table(runs: list[dict]) -> list[dict]:
    """One row per model: mean and sd (population, as the course's other tables) over seeds of FD,
    classes covered, smallest share, precision, recall, coverage and seconds."""
    rows = []
    for model in dict.fromkeys(r["model"] for r in runs):
        rs = [r for r in runs if r["model"] == model]
        row = {"model": model, "seeds": [r["seed"] for r in rs], "fd_per_seed": [r["fd"] for r in rs],
               "classes": [10 - len(r["missing"]) for r in rs]}
        for k in ("fd", "min_class_share", "precision", "recall", "coverage", "seconds"):
            row[k] = metrics.mean_std([r[k] for r in rs])[:2]
        rows.append(row)
    return rows


def format_table(rows: list[dict]) -> str:
    lines = [f"{'model':22s} {'training s':>10s} {'FD':>12s} {'classes':>9s} {'smallest class':>15s} "
             f"{'precision':>12s} {'recall':>12s} {'coverage':>12s}  FD per seed"]
    for r in rows:
        def ms(k, fmt, r=r):
            return metrics.format_mean_std(r[k], fmt)
        lines.append(f"{r['model']:22s} {ms('seconds', '.0f'):>10s} {ms('fd', '.1f'):>12s} "
                     f"{'/'.join(map(str, r['classes'])):>9s} {ms('min_class_share', '.3f'):>15s} "
                     f"{ms('precision', '.2f'):>12s} {ms('recall', '.2f'):>12s} {ms('coverage', '.2f'):>12s}  "
                     f"{', '.join(f'{x:.1f}' for x in r['fd_per_seed'])}")
    return "\n".join(lines)


def mixing_table(runs: list[dict], model: str = "stylegan") -> dict:
    """The ``model`` runs' mixing measures: ``{crossover: {measure: (mean, sd)}}`` plus ``noise_change``."""
    mix = [r["mixing"] for r in runs if r["model"] == model]
    out = {c: {k: metrics.mean_std([m[c][k] for m in mix])[:2] for k in mix[0][c]}
           for c in ("crossover_1", "crossover_2")}
    out["noise_change"] = metrics.mean_std([m["noise_change"] for m in mix])[:2]
    return out


def format_mixing(runs: list[dict], model: str = "stylegan") -> str:
    t = mixing_table(runs, model)
    lines = [f"{'coarse styles from A at':26s} {'mix reads as A':>15s} {'as B':>13s} {'pixel change':>13s} "
             f"{'width r with A':>15s} {'with B':>13s}"]
    for c, label in (("crossover_1", "7x7"), ("crossover_2", "7x7 and 14x14")):
        r = t[c]

        def ms(k, pct=False, r=r):
            m, s = r[k]
            return f"{100 * m:.1f} ± {100 * s:.1f}%" if pct else f"{m:.2f} ± {s:.2f}"
        lines.append(f"{label:26s} {ms('coarse_digit', True):>15s} {ms('fine_digit', True):>13s} "
                     f"{ms('pixel_change'):>13s} {ms('width_corr_coarse'):>15s} {ms('width_corr_fine'):>13s}")
    m, s = t["noise_change"]
    lines.append(f"noise only (same w): pixel change {m:.3f} ± {s:.3f} of a new w's")
    return "\n".join(lines)


def main(argv=None):
    a = study.parse_cli(argv, __doc__.split("\n")[0], MODELS, RESULTS_FOLDER)
    path = run_study(a.seeds, a.models, a.out)
    runs = json.loads(path.read_text())["runs"]
    print(format_table(table(runs)))
    for model in STYLE_MODELS:
        if any(r["model"] == model for r in runs):
            print(f"{model}:\n{format_mixing(runs, model)}")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
