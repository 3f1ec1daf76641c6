"""Lesson 05's study: GANs on the shipped emoji over three seeds, at a budget where samples take shape.

The notebook's own runs are ten epochs (470 steps) of one seed each: enough to
teach training, checkpoints and measures, too little for emoji to take shape or
for a ranking. This study trains the DCGAN paper's design at 32x32
(:func:`gan_lib.models.colour.emoji_dcgan`) for longer, over seeds, and scores
every run with the emoji category classifier (:mod:`gan_lib.measure.emoji_classifier`)
and the collapse count (:func:`gan_lib.measure.two_sample.distinct_share`).

===========================  =====================================================
name                         what
===========================  =====================================================
``dcgan``                    the DCGAN recipe: non-saturating loss, Adam(2e-4, beta_1 0.5)
``dcgan_diffaugment``        the same, every image D sees (real and fake, in both
                             players' steps) translated, cut out and colour-jittered:
                             DiffAugment (Zhao et al., NeurIPS 2020), the remedy for
                             little data that lesson 10 teaches; 1,525 training emoji
                             are little data (:data:`POLICY`: colour last, white fill)
``dcgan_diffaugment_paper``  the same with the order and padding of the paper's code
                             (:data:`PAPER_POLICY`: colour first, fill 0)
===========================  =====================================================

One recipe (:data:`RECIPE`): batch 64, the 1,525 training base emoji, :data:`RECIPE`
``epochs`` of them, a weight average of G (decay 0.995, :data:`RECIPE`). Each run
is scored on 2,000 samples of its raw G and of its average. ``make lesson05`` runs
:func:`run_study` and writes ``runs/05_colour/``: per run the average's samples
(uint8, ``<model>_seed<k>.npz``) and both generators' scores with the recipe
(``<model>_seed<k>.json``), and ``emoji.json`` gathering them; the tests re-score the
samples. ``--probe`` (:func:`probe`; ``make lesson05`` runs it for :data:`PROBED`) trains
seed 0 again and records, every epoch, whether D has begun to memorise its training
emoji: the condition DiffAugment is meant to cure.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import keras
import numpy as np

from gan_lib.core import augment, config
from gan_lib.core.gan import GAN
from gan_lib.lessons import study
from gan_lib.lessons.stabilise import dequantize, quantize
from gan_lib.measure import emoji_classifier, metrics, two_sample

#: DiffAugment's operations for colour images: the DiffAugment paper's CIFAR-10 policy (colour,
#: translation, cutout), in the order the course first ran it, translation filling with white.
POLICY = ("translation", "cutout", "brightness", "saturation", "contrast")
#: The same operations in the order of the paper's code, translation padding with 0 (mid-grey in [-1, 1]).
PAPER_POLICY = ("brightness", "saturation", "contrast", "translation", "cutout")
#: The study's models: ``name -> (policy, translation fill)`` of their DiffAugment, or None for none.
MODELS = {"dcgan": None, "dcgan_diffaugment": (POLICY, 1.0), "dcgan_diffaugment_paper": (PAPER_POLICY, 0.0)}
#: The models :func:`probe` was run on by ``make lesson05``.
PROBED = ("dcgan", "dcgan_diffaugment")
#: One recipe for every model.
RECIPE = {"epochs": 150, "batch_size": 64, "lr": 2e-4, "beta_1": 0.5, "loss": "nonsaturating",
          "ema_decay": 0.995, "latent_dim": 128}
N_SAMPLES = 2000
RESULTS_FILE = "emoji.json"
RESULTS_FOLDER = "runs/05_colour"


def emoji(split: str, quick: bool = False) -> np.ndarray:
    """The shipped emoji of ``split`` as float32 in [-1, 1]; quick mode's training set is the first 256."""
    from gan_lib.data import colour

    images = colour.load_emoji_raw(split).images
    return dequantize(images[:256] if quick and split == "train" else images)


def build(model: str, seed: int = 0, recipe: dict | None = None) -> GAN:
    """The compiled GAN of one of :data:`MODELS`, its weights drawn from ``seed``."""
    from gan_lib.models.colour import emoji_dcgan

    if model not in MODELS:
        raise ValueError(f"model={model!r}: choose one of {sorted(MODELS)}.")
    r = dict(RECIPE, **(recipe or {}))
    keras.utils.set_random_seed(seed)
    g, d = emoji_dcgan(r["latent_dim"])
    spec = MODELS[model]
    aug = augment.DiffAugment(spec[0], fill=spec[1]) if spec is not None else None
    gan = GAN(g, d, seed=seed, ema_decay=r["ema_decay"], augment=aug)
    gan.compile(keras.optimizers.Adam(r["lr"], beta_1=r["beta_1"]),
                keras.optimizers.Adam(r["lr"], beta_1=r["beta_1"]), loss=r["loss"])
    return gan


def score(images) -> dict:
    """The emoji classifier's reading of ``images`` (uint8 or [-1, 1]) and their distinct share.

    Images are scored as stored (quantised to uint8), so a committed run re-scores
    to the same numbers. Keys: ``fd``, ``kl_to_real``, ``confidence``, ``shares``
    (:func:`gan_lib.measure.emoji_classifier.score`) and ``distinct_share``.
    """

    x = np.asarray(images)
    x = dequantize(x if x.dtype == np.uint8 else quantize(x))[:N_SAMPLES]
    r = emoji_classifier.score(x)
    held = emoji("heldout")
    r["distinct_share"] = two_sample.distinct_share(x, held)["distinct_share"]
    return r


def fixed_latents(seed: int, n: int | None = None, dim: int = RECIPE["latent_dim"]) -> np.ndarray:
    """The latents a run of ``seed`` is scored on (the first ``n``, default :data:`N_SAMPLES`), float32."""
    n = N_SAMPLES if n is None else n
    return np.random.default_rng(1000 + seed).standard_normal((n, dim)).astype("float32")


def train(model: str, seed: int, images, recipe: dict | None = None):
    """Train one model; return the average's samples (uint8), both generators' scores and the seconds."""
    r = dict(RECIPE, **(recipe or {}))
    gan = build(model, seed, r)
    t0 = time.perf_counter()
    gan.fit_images(images, r["batch_size"], r["epochs"], seed=seed)
    seconds = time.perf_counter() - t0
    z = fixed_latents(seed, N_SAMPLES, gan.latent_dim)
    raw = quantize(gan.generate(z, generator=gan.generator))
    ema = quantize(gan.generate(z, generator=gan.ema_generator))
    return ema, {"raw": score(raw), "ema": score(ema)}, seconds


def results_dir(quick: bool | None = None) -> Path:
    """``runs/05_colour`` in full mode; in quick mode a fresh temporary folder (:func:`study.results_dir`)."""
    return study.results_dir(RESULTS_FOLDER, "colour_study_", quick)


def run_study(seeds=(0, 1, 2), models_=None, folder=None, recipe: dict | None = None, log=print) -> Path:
    """Train and score every model and seed into ``folder`` (skipping runs done with this recipe and mode).

    Quick mode (CI) trains 2 epochs of 256 emoji. :data:`RESULTS_FILE` gathers the
    runs and refuses to mix recipes.
    """

    folder = Path(folder) if folder is not None else results_dir()
    folder.mkdir(parents=True, exist_ok=True)
    quick = config.quick_mode()
    r = dict(RECIPE, **(recipe or {}))
    if quick:
        r["epochs"] = 2
    study.train_missing(folder, models_ or MODELS, seeds, r, quick, lambda: emoji("train", quick), train, format_run,
                        log)
    models = {k: None if v is None else {"policy": list(v[0]), "fill": v[1]} for k, v in MODELS.items()}
    return study.write_results(folder, RESULTS_FILE, study.gather(folder, MODELS), r, quick, models=models,
                               n_samples=N_SAMPLES)


def load_results(folder=None) -> dict:
    """The committed study (``emoji.json``)."""
    return study.load_results(folder or results_dir(quick=False), RESULTS_FILE,
                              "run `make lesson05` to train the emoji study")


def load_samples(model: str, seed: int, folder=None) -> np.ndarray:
    """A committed run's samples (its weight average's) as float32 in [-1, 1]."""
    return dequantize(study.load_samples(folder or results_dir(quick=False), model, seed))


def probe(model: str = "dcgan", seed: int = 0, folder=None, recipe: dict | None = None) -> Path:
    """Train one run of the study again, recording after every epoch how its D reads real emoji it trained on
    and held-out ones (:class:`gan_lib.lessons.little_data.Overfitting`: the share of each that D calls real).

    A D that memorises its training images calls them real and the held-out ones fake; that
    gap is what DiffAugment exists to close (lesson 10). Writes ``probe_<model>_seed<k>.json``
    (the recipe and one row per epoch) and returns its path.
    """
    from gan_lib.lessons.little_data import Overfitting

    folder = Path(folder) if folder is not None else results_dir()
    folder.mkdir(parents=True, exist_ok=True)
    r = dict(RECIPE, **(recipe or {}))
    quick = config.quick_mode()
    if quick:
        r["epochs"] = 2
    train_x, held = emoji("train", quick), emoji("heldout")
    gan = build(model, seed, r)
    watch = Overfitting(train_x[:len(held)], held, fd_every=0, seed=seed)
    gan.fit_images(train_x, r["batch_size"], r["epochs"], seed=seed, callbacks=[watch])
    rows = [{k: row[k] for k in ("step", "acc_train", "acc_heldout", "acc_fake", "r_t")} for row in watch.rows]
    path = folder / f"probe_{model}_seed{seed}.json"
    path.write_text(json.dumps({"model": model, "seed": seed, "recipe": r, "quick": quick,
                                "probe_images": len(held), "rows": rows}, indent=1) + "\n")
    return path


def load_probe(model: str = "dcgan", seed: int = 0, folder=None) -> dict:
    """A committed :func:`probe` (``probe_<model>_seed<k>.json``)."""
    return study.load_results(folder or results_dir(quick=False), f"probe_{model}_seed{seed}.json",
                              "run `make lesson05` to train the emoji study and its probes")


def format_run(run: dict) -> str:
    return " | ".join(f"{g}: FD {run[g]['fd']:.1f}, KL {run[g]['kl_to_real']:.2f}, "
                      f"distinct {run[g]['distinct_share']:.2f}" for g in ("raw", "ema"))


def table(runs: list[dict], which: str = "ema") -> list[dict]:
    """One row per model: mean and sd over seeds of ``which`` generator's FD, KL, confidence and distinct share."""
    rows = []
    for model in dict.fromkeys(r["model"] for r in runs):
        mine = [r for r in runs if r["model"] == model]
        rs = [r[which] for r in mine]
        row = {"model": model, "seeds": [r["seed"] for r in mine], "fd_each": [x["fd"] for x in rs]}
        for k in ("fd", "kl_to_real", "confidence", "distinct_share"):
            row[k] = metrics.mean_std([x[k] for x in rs])[:2]
        rows.append(row)
    return rows


def format_table(rows: list[dict]) -> str:
    w = max([18] + [len(r["model"]) for r in rows])
    lines = [f"{'model':{w}s} {'FD':>13s} {'KL to real':>12s} {'confidence':>12s} {'distinct':>12s}  FD per seed"]
    for r in rows:
        def ms(k, fmt, r=r):
            return metrics.format_mean_std(r[k], fmt)
        lines.append(f"{r['model']:{w}s} {ms('fd', '.1f'):>13s} {ms('kl_to_real', '.2f'):>12s} "
                     f"{ms('confidence', '.2f'):>12s} {ms('distinct_share', '.2f'):>12s}  "
                     + ", ".join(f"{v:.1f}" for v in r["fd_each"]))
    return "\n".join(lines)


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--probe" in argv:   # D's verdicts on training and held-out emoji, epoch by epoch (default: dcgan, seed 0)
        argv.remove("--probe")
        a = study.parse_cli(argv, __doc__.split("\n")[0], MODELS, "runs/05_colour")
        models_ = a.models if "--models" in argv else ["dcgan"]
        seeds = a.seeds if "--seeds" in argv else [0]
        for model in models_:
            for seed in seeds:
                print(f"wrote {probe(model, seed, a.out)}")
        return
    a = study.parse_cli(argv, __doc__.split("\n")[0], MODELS, "runs/05_colour")
    path = run_study(a.seeds, a.models, a.out)
    print(format_table(table(json.loads(path.read_text())["runs"])))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
