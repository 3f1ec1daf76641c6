"""Lesson 04, section 7: a partial collapse with readable digits (D learning 5x faster than G), and its remedies.

The fully connected pair :func:`gan_lib.models.digits.mlp_wide` (G 64 -> 256 ->
512 -> 784, D 784 -> 512 -> 256 -> 1, LeakyReLU 0.2, no BatchNorm) trained with D's
learning rate five times G's drops whole digits while it draws the digits it keeps
well. The study trains:

=========================  ====  ==========  ==========  =====================================================
name                       pack  G's lr      D's lr      what
=========================  ====  ==========  ==========  =====================================================
``mlp_fast_d``             1     2e-4        1e-3        the collapse: D 5x faster than G
``mlp_fast_d_pacgan4``     4     2e-4        1e-3        D judges packs of 4 digits (PacGAN4, no R1)
``mlp_fast_d_mbstd``       1     2e-4        1e-3        D sees the minibatch standard deviation (ProGAN)
``mlp_equal_lr``           1     1e-3        1e-3        the suspected cause removed: G raised to D's rate
``mlp_slow_d``             1     2e-4        2e-4        the same ratio, the other way: D lowered to G's rate
=========================  ====  ==========  ==========  =====================================================

Packing widens D's input (4 digits, so its first layer has 4x the weights) and the
minibatch standard deviation adds one feature before D's output; ``mlp_equal_lr`` and
``mlp_slow_d`` change only a learning rate, so together they separate the ratio of the rates
from G's own rate. G's network is the same in every model. One recipe for
all (:data:`RECIPE`): Adam with beta_1 0.5, batch 64, the non-saturating loss, 96 epochs
of the 8,000 shipped training digits (12,000 steps), the raw G (no weight average) scored
on 2,000 samples by :func:`gan_lib.lessons.collapse_digits.score`, which adds the FD within
each class: the quality of the digits a model draws, blind to the ones it drops.

``make lesson04`` runs :func:`run_study` and writes ``runs/04_mode_collapse/mnist_fast_d/``
(each run's uint8 samples and scores, and ``fast_d.json`` gathering them); the tests
re-score it.
"""

from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np

from gan_lib import models
from gan_lib.core import packing
from gan_lib.core.gan import GAN
from gan_lib.lessons import collapse_digits, study
from gan_lib.lessons.stabilise import dequantize

#: The study's models: name -> (pack, G's learning rate, D's learning rate, minibatch-std group or None).
MODELS = {
    "mlp_fast_d": (1, 2e-4, 1e-3, None),
    "mlp_fast_d_pacgan4": (4, 2e-4, 1e-3, None),
    "mlp_fast_d_mbstd": (1, 2e-4, 1e-3, 4),
    "mlp_equal_lr": (1, 1e-3, 1e-3, None),
    "mlp_slow_d": (1, 2e-4, 2e-4, None),
}
#: One recipe for every model (epochs of the 8,000 shipped training digits; 125 steps each).
RECIPE = {"epochs": 96, "batch_size": 64, "beta_1": 0.5, "loss": "nonsaturating", "latent_dim": 64}
RESULTS_FOLDER = "runs/04_mode_collapse/mnist_fast_d"
RESULTS_FILE = "fast_d.json"
N_SAMPLES = collapse_digits.N_SAMPLES


def build(model: str, seed: int = 0, recipe: dict | None = None) -> GAN:
    """The compiled GAN of one of :data:`MODELS`, its weights drawn from ``seed``."""
    if model not in MODELS:
        raise ValueError(f"model={model!r}: choose one of {sorted(MODELS)}.")
    r = dict(RECIPE, **(recipe or {}))
    pack, g_lr, d_lr, mbstd = MODELS[model]
    if r["batch_size"] % (pack * (mbstd or 1)):
        raise ValueError(f"batch_size {r['batch_size']} is not a multiple of the pack size {pack} "
                         f"times the minibatch-std group {mbstd or 1}.")
    keras.utils.set_random_seed(seed)
    g, d = models.digits.mlp_wide(r["latent_dim"], channels=pack, minibatch_std=mbstd)
    gan = GAN(g, d, seed=seed, d_input_transform=packing.Pack(pack) if pack > 1 else None)
    gan.compile(d_optimizer=keras.optimizers.Adam(d_lr, beta_1=r["beta_1"]),
                g_optimizer=keras.optimizers.Adam(g_lr, beta_1=r["beta_1"]), loss=r["loss"])
    return gan


def train(model: str, seed: int, images, recipe: dict | None = None) -> tuple[np.ndarray, float]:
    """Train one model and return its :data:`N_SAMPLES` samples (uint8) and the seconds it took."""
    r = dict(RECIPE, **(recipe or {}))
    return collapse_digits.fit_and_sample(build(model, seed, r), images, r, seed)


def results_dir(quick: bool | None = None) -> Path:
    """``runs/04_mode_collapse/mnist_fast_d`` in full mode; a temporary folder in quick mode (``study.results_dir``)."""
    return study.results_dir(RESULTS_FOLDER, "gan_course_04_fast_d_", quick)


def run_study(seeds=(0, 1, 2), models_=None, folder=None, recipe: dict | None = None, log=print) -> Path:
    """Train and score every model and seed into ``folder`` (runs made with this recipe and mode are kept).

    Quick mode (CI) trains one epoch of 1,000 digits. Writes and returns ``folder/fast_d.json``.
    """
    return collapse_digits.run_digit_study(
        Path(folder) if folder is not None else results_dir(), MODELS, models_, seeds, dict(RECIPE, **(recipe or {})),
        train, RESULTS_FILE, log,
        models={k: {"pack": v[0], "g_lr": v[1], "d_lr": v[2], "minibatch_std": v[3]} for k, v in MODELS.items()})


def load_results(folder=None) -> dict:
    """The committed study (``fast_d.json``)."""
    return study.load_results(folder or results_dir(quick=False), RESULTS_FILE,
                              "run `make lesson04` to train the fast-D study")


def load_samples(model: str, seed: int, folder=None) -> np.ndarray:
    """A committed run's samples as float32 in [-1, 1]."""
    return dequantize(study.load_samples(folder or results_dir(quick=False), model, seed))


#: The table's columns: :data:`gan_lib.lessons.collapse_digits.COLUMNS` with the FD within classes after the FD.
COLUMNS = collapse_digits.COLUMNS[:1] + (("mean_class_fd", "FD in classes", 14, ".1f"),) + collapse_digits.COLUMNS[1:]


def table(runs: list[dict]) -> list[dict]:
    """One row per model: mean and sd over seeds of each of :data:`COLUMNS`, and the missing classes per seed."""
    return collapse_digits.table(runs, COLUMNS)


def format_table(rows: list[dict]) -> str:
    """The table as text: mean ± sd over seeds of each of :data:`COLUMNS`, and the missing classes."""
    return collapse_digits.format_table(rows, COLUMNS)


def main(argv=None):
    a = study.parse_cli(argv, __doc__.split("\n")[0], MODELS, RESULTS_FOLDER)
    path = run_study(a.seeds, a.models, a.out)
    print(format_table(table(json.loads(path.read_text())["runs"])))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
