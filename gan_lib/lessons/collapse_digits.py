"""Lesson 04, section 7: a partial collapse on MNIST, made on purpose, and packing tried on it, over seeds.

The course DCGAN's networks (:func:`gan_lib.models.digits.dcgan`) covered all ten
digits in every recipe change lesson 04 lists (one exploratory seed each). A
partial collapse does appear when G's latent has only 2 numbers. Why is a
hypothesis, not tested here: a continuous G on a connected latent must make
in-between images wherever the data fall into separate pieces (Khayatkhoei,
Singh and Elgammal, "Disconnected manifold learning for generative adversarial
networks", NeurIPS 2018), and a 2-number latent may leave G too little room to
keep those regions small; or, more simply, G's samples lie on a 2-D surface that
cannot reach most real digits.

=====================  ======  ====  ==============================================
name                   latent  pack  what
=====================  ======  ====  ==============================================
``dcgan``              64      1     the course DCGAN's networks, this study's recipe
``dcgan_z2``           2       1     the same pair, G given 2 latent numbers
``dcgan_z2_pacgan2``   2       2     the same, D judging pairs (PacGAN2, no R1)
``dcgan_z2_pacgan4``   2       4     the same, D judging packs of 4 (PacGAN4)
=====================  ======  ====  ==============================================

One recipe for all (:data:`RECIPE`): Adam(5e-4, beta_1 0.5) for both networks,
batch 32 (so D sees 16 pairs or 8 packs of 4 per step), the non-saturating loss,
2,000 steps, no weight average (the raw G is scored). The PacGAN paper's MNIST
experiment differs: stacked MNIST (1,000 modes), a DCGAN with BatchNorm in D and
100 uniform latent numbers, 64 packs per D step, two G updates per D update,
Adam(2e-4), 50 epochs, 10 runs.

Each run is scored on 2,000 samples (:func:`score`): FD, class shares (the
classifier's verdicts), missing classes (share below :data:`MISSING_BELOW`),
precision/recall and density/coverage in the classifier's feature space.

``make lesson04`` runs :func:`run_study` and writes ``runs/04_mode_collapse/mnist/``:
each run's samples as compressed uint8 (``<model>_seed<k>.npz``) and scores
(``<model>_seed<k>.json``, with the recipe that made them), and ``mnist.json``
gathering them, which the tests re-score.
"""

from __future__ import annotations

import json
import time
from functools import lru_cache
from pathlib import Path

import keras
import numpy as np

from gan_lib import data, models
from gan_lib.core import config, packing
from gan_lib.core.gan import GAN
from gan_lib.lessons import collapse, study
from gan_lib.lessons.stabilise import dequantize, quantize
from gan_lib.measure import evaluate, metrics

#: The study's models: ``name -> (latent_dim, pack)``.
MODELS = {
    "dcgan": (64, 1),
    "dcgan_z2": (2, 1),
    "dcgan_z2_pacgan2": (2, 2),
    "dcgan_z2_pacgan4": (2, 4),
}
#: One recipe for every model (epochs of the 8,000 shipped training digits).
RECIPE = {"epochs": 8, "batch_size": 32, "lr": 5e-4, "beta_1": 0.5, "loss": "nonsaturating"}
#: A class with a smaller share of the samples than this (a tenth of the uniform 10%) counts as missing.
MISSING_BELOW = 0.01
#: Samples scored per run.
N_SAMPLES = 2000
#: Samples (and held-out digits) per class for the FD within each class
#: (:func:`gan_lib.measure.evaluate.within_class_fd`): a class drawn for fewer than 100 of the
#: 2,000 samples (5%) is not measured.
CLASS_FD_N = 100
RESULTS_FILE = "mnist.json"


def build(model: str, seed: int = 0, recipe: dict | None = None) -> GAN:
    """The compiled GAN of one of :data:`MODELS`, its weights drawn from ``seed``."""
    if model not in MODELS:
        raise ValueError(f"model={model!r}: choose one of {sorted(MODELS)}.")
    r = dict(RECIPE, **(recipe or {}))
    latent_dim, pack = MODELS[model]
    if r["batch_size"] % pack:
        raise ValueError(f"batch_size {r['batch_size']} is not a multiple of the pack size {pack}.")
    keras.utils.set_random_seed(seed)
    # Two builds, one network kept from each: the committed runs were drawn this way, and one
    # build would give D other initial weights. D sees `pack` digits as channels.
    g, _ = models.digits.dcgan(latent_dim)
    _, d = models.digits.dcgan(latent_dim, channels=pack)
    gan = GAN(g, d, seed=seed, d_input_transform=packing.Pack(pack) if pack > 1 else None)
    gan.compile(keras.optimizers.Adam(r["lr"], beta_1=r["beta_1"]),
                keras.optimizers.Adam(r["lr"], beta_1=r["beta_1"]), loss=r["loss"])
    return gan


def score(images, held_out=None) -> dict:
    """FD, class shares, missing classes, the FD within each class and the feature-space measures of ``images``.

    ``images``: uint8 or in [-1, 1]. The FD within each class (``class_fd``, one entry per
    digit, ``None`` where fewer than :data:`CLASS_FD_N` samples are read as it) compares the
    samples read as a digit with the held-out digits of that digit (always the whole held-out
    split, whatever ``held_out`` is); ``mean_class_fd`` averages the measured ones.

    Images are scored as they would be stored (quantised to uint8), so a stored run
    re-scores to the same numbers. ``held_out``: the real digits for precision/recall
    and density/coverage (default: the shipped held-out split).
    """
    from gan_lib.measure import classifier

    x = np.asarray(images)
    x = dequantize(x if x.dtype == np.uint8 else quantize(x))
    n = min(len(x), N_SAMPLES)
    f_fake, probs = classifier.features_and_probs(x[:n])      # the classifier runs once on the samples
    r = metrics.evaluate_features(f_fake, probs)
    f_real = (metrics.held_out_features(n) if held_out is None
              else classifier.features_and_probs(np.asarray(held_out)[:n])[0])
    shares = np.asarray(r["class_shares"])
    f_held, y_held = _held_out_features()
    class_fd = evaluate.within_class_fd(f_held, y_held, f_fake, probs.argmax(1), n=CLASS_FD_N)
    measured = [v for v in class_fd if v is not None]
    return {
        "fd": r["fd"],
        "class_fd": class_fd,
        "mean_class_fd": float(np.mean(measured)) if measured else None,
        "class_shares": r["class_shares"],
        "kl_to_uniform": r["kl_to_uniform"],
        "min_class_share": float(shares.min()),
        "missing": [int(k) for k in np.flatnonzero(shares < MISSING_BELOW)],
        **evaluate.precision_recall(f_real, f_fake, k=3),
        **evaluate.density_coverage(f_real, f_fake, k=5),
    }


def known_cases() -> dict:
    """Lesson 04's known cases for the FD within classes: name -> 2,000 or so shipped training digits.

    Three disjoint sets of real digits (the floor and its spread), other real digits of 0-4
    only (dropped classes), 10 real digits per class each repeated 20 times (a collapse within
    each class), and real digits spoiled by pixel noise (std 0.3, 0.6) or a blur (std 1.5
    pixels; :func:`gan_lib.lessons.vanilla.spoil`).
    """
    from gan_lib.lessons import vanilla

    train = data.load_digits("train", verbose=False)
    x, y = train.images, train.labels
    few = np.concatenate([np.repeat(x[:2000][y[:2000] == k][:10], 20, axis=0) for k in range(10)])
    return {"real digits 0-1,999": x[:2000], "real digits 2,000-3,999": x[2000:4000],
            "real digits 4,000-5,999": x[4000:6000], "real digits of 0-4 only": x[6000:][y[6000:] < 5],
            "10 real digits per class": few,
            "pixel noise, std 0.3": vanilla.spoil(x[:2000], "noise", 0.3),
            "pixel noise, std 0.6": vanilla.spoil(x[:2000], "noise", 0.6),
            "blur, std 1.5 pixels": vanilla.spoil(x[:2000], "blur", 1.5)}


@lru_cache(maxsize=1)
def _held_out_features():
    """The classifier's features of all held-out digits (shared with the FD's cache), and their labels."""
    labels = data.load_digits("heldout", verbose=False).labels
    return metrics.held_out_features(len(labels)), labels


def train(model: str, seed: int, images, recipe: dict | None = None) -> tuple[np.ndarray, float]:
    """Train one model and return its :data:`N_SAMPLES` samples (uint8) and the seconds it took."""
    r = dict(RECIPE, **(recipe or {}))
    return fit_and_sample(build(model, seed, r), images, r, seed)


def fit_and_sample(gan: GAN, images, recipe: dict, seed: int) -> tuple[np.ndarray, float]:
    """Train ``gan`` for ``recipe``'s epochs and batch size; its :data:`N_SAMPLES` samples (uint8) and the seconds."""
    t0 = time.perf_counter()
    gan.fit_images(images, recipe["batch_size"], recipe["epochs"], seed=seed)
    seconds = time.perf_counter() - t0
    return quantize(gan.sample(N_SAMPLES, seed=1000 + seed)), seconds


sample_file = study.sample_file


def results_dir(quick: bool | None = None) -> Path:
    """``runs/04_mode_collapse/mnist`` in full mode; in quick mode a fresh temporary folder (as lesson 04's table)."""
    return collapse.results_dir(quick) / "mnist"


def run_study(seeds=(0, 1, 2), models_=None, folder=None, recipe: dict | None = None, log=print) -> Path:
    """Train and score every model and seed into ``folder``; then write :data:`RESULTS_FILE`.

    Each run writes its samples (``<model>_seed<k>.npz``) and its scores with the recipe
    and mode that made it (``<model>_seed<k>.json``). A run whose files are there *with
    the same recipe and mode* is not trained again, so a study can be resumed or split
    across processes; one made otherwise is trained again. Quick mode (CI) trains one
    epoch of 1,000 digits. :data:`RESULTS_FILE` gathers every run in the folder and
    refuses to mix recipes.
    """
    return run_digit_study(Path(folder) if folder is not None else results_dir(), MODELS, models_, seeds,
                           dict(RECIPE, **(recipe or {})), train, RESULTS_FILE, log,
                           models={k: {"latent_dim": v[0], "pack": v[1]} for k, v in MODELS.items()})


def run_digit_study(folder: Path, all_models: dict, models_, seeds, recipe: dict, train_fn, results_file: str, log,
                    **fields) -> Path:
    """The runner of this module's study and of :mod:`gan_lib.lessons.collapse_fast_d`.

    Trains every ``(model, seed)`` of ``models_`` (default: all of ``all_models``) that ``folder``
    lacks with ``train_fn(model, seed, images, recipe)``, scores it with :func:`score`, and
    writes ``results_file`` gathering every run of ``all_models`` in ``folder``, with ``fields``.
    Quick mode (CI) trains one epoch of 1,000 digits.
    """
    folder.mkdir(parents=True, exist_ok=True)
    quick = config.quick_mode()
    r = dict(recipe, epochs=1) if quick else dict(recipe)

    def train_and_score(model, seed, images, recipe):
        q, seconds = train_fn(model, seed, images, recipe)
        return q, score(q), seconds

    study.train_missing(folder, models_ or all_models, seeds, r, quick,
                        lambda: data.load_digits("train", limit=1000 if quick else None).images,
                        train_and_score, format_run, log)
    return study.write_results(folder, results_file, study.gather(folder, all_models), r, quick,
                               missing_below=MISSING_BELOW, n_samples=N_SAMPLES, class_fd_n=CLASS_FD_N, **fields)


def load_results(folder=None) -> dict:
    """The committed study (``mnist.json``)."""
    return study.load_results(folder or results_dir(quick=False), RESULTS_FILE,
                              "run `make lesson04` to train the MNIST study")


def load_samples(model: str, seed: int, folder=None) -> np.ndarray:
    """A committed run's samples as float32 in [-1, 1]."""
    return dequantize(study.load_samples(folder or results_dir(quick=False), model, seed))


def missing_at(run: dict, below: float = MISSING_BELOW) -> list[int]:
    """The classes whose share of a run's samples (the classifier's verdicts) is below ``below``."""
    return [k for k, share in enumerate(run["class_shares"]) if share < below]


def format_run(run: dict) -> str:
    missing = ", ".join(map(str, run["missing"])) or "none"
    return (f"FD {run['fd']:.1f}, smallest class {run['min_class_share']:.1%}, missing {missing}, "
            f"KL {run['kl_to_uniform']:.3f}, coverage {run['coverage']:.2f}")


#: The table's columns after the model's name: (key, heading, width, format).
COLUMNS = (("fd", "FD", 13, ".1f"), ("min_class_share", "smallest class", 15, ".3f"),
           ("kl_to_uniform", "KL to uniform", 14, ".3f"), ("coverage", "coverage", 12, ".2f"))


def table(runs: list[dict], columns=COLUMNS) -> list[dict]:
    """One row per model: mean and sd over seeds of each of ``columns``' measures, and the missing classes per seed."""
    rows = []
    for model in dict.fromkeys(r["model"] for r in runs):
        rs = [r for r in runs if r["model"] == model]
        row = {"model": model, "seeds": [r["seed"] for r in rs], "missing": [r["missing"] for r in rs]}
        for k, *_ in columns:
            row[k] = metrics.mean_std([r[k] for r in rs])[:2]
        rows.append(row)
    return rows


def format_table(rows: list[dict], columns=COLUMNS) -> str:
    """The table as text: each of ``columns`` as mean ± sd over seeds, then the missing classes of each seed."""
    def ms(row, key, fmt):
        return metrics.format_mean_std(row[key], fmt)

    lines = [f"{'model':18s} " + " ".join(f"{head:>{width}s}" for _, head, width, _ in columns)
             + "  missing classes per seed"]
    for r in rows:
        missing = " | ".join(",".join(map(str, m)) or "-" for m in r["missing"])
        lines.append(f"{r['model']:18s} " + " ".join(f"{ms(r, key, fmt):>{width}s}" for key, _, width, fmt in columns)
                     + f"  {missing}")
    return "\n".join(lines)


def main(argv=None):
    a = study.parse_cli(argv, __doc__.split("\n")[0], MODELS, "runs/04_mode_collapse/mnist")
    path = run_study(a.seeds, a.models, a.out)
    print(format_table(table(json.loads(path.read_text())["runs"])))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
