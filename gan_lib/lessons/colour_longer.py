"""Lesson 05's longer emoji runs: the study's plain DCGAN trained twice as long, and the truncation trick.

:mod:`gan_lib.lessons.colour_study` stops at 150 epochs (3,450 steps), where the
plain DCGAN draws flags, smileys and heads among many smudges. This study trains
the same model with the same recipe and seeds for :data:`EPOCHS` epochs
(:data:`RECIPE`) and scores the weight average of G at :data:`SNAPSHOTS` on the
study's fixed latents (the emoji classifier's FD, category KL and confidence, and
the distinct share of :func:`gan_lib.measure.two_sample.distinct_share`). After
training it measures BigGAN's **truncation trick**
(:func:`gan_lib.core.latent.truncated_normal`, lesson 09) at :data:`THRESHOLDS`;
:func:`rescale_to_length` separates its two effects (shorter latents, narrower
directions) for lesson 05's test of why it fails here.

These are new runs of the study's recipe, not its runs continued: the study's
scripts seed Keras but do not switch on TensorFlow's op determinism
(:func:`gan_lib.core.config.set_determinism`), so the 3,450-step snapshot records
whether its samples equal the study's committed ones (``vs_study_run``; they did not).

The final weight average's weights are stored in float16
(``dcgan_seed<k>_generator.npz``, 2.4 MB) and its samples are made from those
rounded weights, so the notebook and the tests regenerate exactly what was
scored (:func:`load_generator`). ``make lesson05`` runs :func:`run` and writes
``runs/05_colour/longer/``: per seed the weights and ``dcgan_seed<k>.json`` (recipe,
snapshot rows, truncation rows, seconds), and ``longer.json`` gathering them.
"""

from __future__ import annotations

import json
import sys
import time
import zipfile
from pathlib import Path

import keras
import numpy as np

from gan_lib.core import config, latent
from gan_lib.lessons import colour_study, study
from gan_lib.lessons.stabilise import dequantize, quantize
from gan_lib.measure import metrics

MODEL = "dcgan"
EPOCHS = 300
#: The study's recipe, twice as long.
RECIPE = dict(colour_study.RECIPE, epochs=EPOCHS)
#: Epochs after which the weight average is scored (the last one after rounding to float16).
SNAPSHOTS = (150, 200, 250, 300)
#: Truncation thresholds measured after training (None: the untruncated N(0, I)).
THRESHOLDS = (None, 1.5, 1.0, 0.5)
TRUNCATION_SEED = 5
RESULTS_FOLDER = "runs/05_colour/longer"
RESULTS_FILE = "longer.json"


def results_dir(quick: bool | None = None) -> Path:
    """``runs/05_colour/longer`` in full mode; in quick mode a fresh temporary folder (:func:`study.results_dir`)."""
    return study.results_dir(RESULTS_FOLDER, "colour_longer_", quick)


#: The study's scoring latents (one home: :func:`gan_lib.lessons.colour_study.fixed_latents`).
fixed_latents = colour_study.fixed_latents


class Snapshots(keras.callbacks.Callback):
    """After each epoch in ``epochs``: the weight average's samples of ``z``, quantised to uint8."""

    def __init__(self, epochs, z):
        super().__init__()
        self.epochs, self.z, self.samples = set(epochs), z, {}

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 in self.epochs:
            self.samples[epoch + 1] = quantize(self.model.generate(self.z, generator=self.model.ema_generator))


def round_to_float16(model) -> list[np.ndarray]:
    """Round ``model``'s weights to float16 in place; return them as float16 arrays (what is stored)."""
    w16 = [np.asarray(w).astype(np.float16) for w in model.get_weights()]
    model.set_weights([w.astype(np.float32) for w in w16])
    return w16


def rescale_to_length(z, length: float | None = None) -> np.ndarray:
    """Each latent of ``z`` scaled to ``length`` (default sqrt(dim), a standard normal latent's typical length).

    Truncation changes two things at once: which directions latents point in and how long they are
    (a 128-number normal latent has length about 11.3, one truncated at 0.5 about 3.2). Rescaling
    truncated latents to the untruncated length keeps the first change and undoes the second, so
    comparing the two says which one a generator reacts to. E.g. ``[[3, 4]]`` -> ``[[0.849, 1.131]]``.
    """
    z = np.asarray(z, np.float32)
    length = np.sqrt(z.shape[-1]) if length is None else length
    return (z / np.linalg.norm(z, axis=-1, keepdims=True) * length).astype(np.float32)


def truncation(gan, thresholds=THRESHOLDS, n: int = colour_study.N_SAMPLES, seed: int = TRUNCATION_SEED) -> list[dict]:
    """For each threshold: :func:`colour_study.score` of ``n`` samples of the weight average from truncated latents."""
    rows = []
    for t in thresholds:
        z = latent.truncated_normal(n, gan.latent_dim, threshold=t, seed=seed)
        rows.append({"threshold": t, **colour_study.score(quantize(gan.generate(z)))})
    return rows


def train(seed: int, images, recipe: dict | None = None, snapshots=SNAPSHOTS, thresholds=THRESHOLDS,
          n: int = colour_study.N_SAMPLES):
    """Train one seed; return ``(float16 weights of the weight average, run dict)``."""
    r = dict(RECIPE, **(recipe or {}))
    gan = colour_study.build(MODEL, seed, r)
    z = fixed_latents(seed, n, r["latent_dim"])
    snap = Snapshots([e for e in snapshots if e < r["epochs"]], z)
    t0 = time.perf_counter()
    gan.fit_images(images, r["batch_size"], r["epochs"], seed=seed, callbacks=[snap])
    seconds = time.perf_counter() - t0
    raw_last = colour_study.score(quantize(gan.generate(z, generator=gan.generator)))
    weights = round_to_float16(gan.ema_generator)
    snap.samples[r["epochs"]] = quantize(gan.generate(z))
    steps = len(images) // r["batch_size"]
    rows = [{"epoch": e, "step": e * steps, **colour_study.score(x)} for e, x in sorted(snap.samples.items())]
    study_epochs = colour_study.RECIPE["epochs"]
    if study_epochs in snap.samples and dict(r, epochs=study_epochs) == colour_study.RECIPE:
        try:   # is this run, at the study's length, the study's committed run again?
            committed = study.load_samples(colour_study.results_dir(quick=False), MODEL, seed)
            mine = snap.samples[study_epochs]
            rows[[x["epoch"] for x in rows].index(study_epochs)]["vs_study_run"] = {
                "identical": bool(np.array_equal(committed, mine)),
                "max_abs_diff": int(np.abs(committed.astype(int) - mine.astype(int)).max())}
        except FileNotFoundError:
            pass
    run = {"model": MODEL, "seed": seed, "recipe": r, "quick": config.quick_mode(), "seconds": round(seconds, 1),
           "n_samples": n, "snapshots": rows, "raw_last": raw_last, "truncation": truncation(gan, thresholds, n)}
    return weights, run


def weights_file(seed: int) -> str:
    return f"{MODEL}_seed{seed}_generator.npz"


def run(seeds=(0, 1, 2), folder=None, log=print) -> Path:
    """Train every seed not yet in ``folder`` with :data:`RECIPE` and this mode; write :data:`RESULTS_FILE`.

    Quick mode (CI) trains 2 epochs of 256 emoji, snapshots after epoch 1 and scores 200 samples.
    """
    folder = Path(folder) if folder is not None else results_dir()
    folder.mkdir(parents=True, exist_ok=True)
    quick = config.quick_mode()
    recipe = dict(RECIPE, epochs=2) if quick else dict(RECIPE)
    kwargs = {"snapshots": (1,), "n": 200} if quick else {}
    images = None
    for seed in seeds:
        if study.is_done(folder, MODEL, seed, recipe, quick, data_file=weights_file(seed)):
            continue
        if images is None:
            images = colour_study.emoji("train", quick)
        weights, r = train(seed, images, recipe, **kwargs)
        np.savez_compressed(folder / weights_file(seed), *weights)
        (folder / f"{MODEL}_seed{seed}.json").write_text(json.dumps(r, indent=1) + "\n")
        last = r["snapshots"][-1]
        log(f"seed {seed}: FD {last['fd']:.1f} after {last['step']:,} steps ({r['seconds']:.0f} s)")
    runs = [json.loads(p.read_text()) for p in sorted(folder.glob(f"{MODEL}_seed*.json"))]
    return study.write_results(folder, RESULTS_FILE, runs, recipe, quick, thresholds=list(THRESHOLDS))


def load_results(folder=None) -> dict:
    """The committed study (``longer.json``)."""
    return study.load_results(folder or results_dir(quick=False), RESULTS_FILE,
                              "run `make lesson05` to train the longer emoji runs")


def load_generator(seed: int, folder=None, latent_dim: int = RECIPE["latent_dim"]):
    """The stored weight average of ``seed`` as a Keras generator (float16 weights, computed in float32)."""
    from gan_lib.models.colour import emoji_dcgan

    path = Path(folder or results_dir(quick=False)) / weights_file(seed)
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `make lesson05` to train the longer emoji runs.")
    g, _ = emoji_dcgan(latent_dim)
    try:
        with np.load(path) as f:
            weights = [f[f"arr_{i}"].astype(np.float32) for i in range(len(f.files))]
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as e:
        raise ValueError(f"{path} is not a readable weights file ({type(e).__name__}): restore it with "
                         "`git checkout -- runs/05_colour/longer` or train it again with `make lesson05`.") from None
    if [w.shape for w in weights] != [tuple(w.shape) for w in g.get_weights()]:
        raise ValueError(f"{path} does not hold the weights of models.colour.emoji_dcgan({latent_dim}): "
                         "train it again with `make lesson05`.")
    g.set_weights(weights)
    return g


def generate(g, z) -> np.ndarray:
    """``g``'s images of ``z`` in inference mode, quantised to uint8 as they were scored."""
    return quantize(np.concatenate([np.asarray(g(z[i:i + 500], training=False)) for i in range(0, len(z), 500)]))


COLUMNS = (("fd", "FD", ".1f"), ("kl_to_real", "KL to real", ".3f"), ("confidence", "confidence", ".2f"),
           ("distinct_share", "distinct", ".3f"))


def _rows_table(label: str, keys: list, rows_of, fmt_key) -> str:
    """One line per ``keys`` entry: mean ± sd over seeds of each of :data:`COLUMNS`, then each seed's FD."""
    head = f"{label:>9s} " + " ".join(f"{title:>15s}" for _, title, _ in COLUMNS) + "  FD per seed"
    lines = [head]
    for key in keys:
        rows = rows_of(key)
        cells = [metrics.format_mean_std(metrics.mean_std([x[k] for x in rows]), fmt) for k, _, fmt in COLUMNS]
        lines.append(f"{fmt_key(key):>9s} " + " ".join(f"{c:>15s}" for c in cells) + "  "
                     + ", ".join(f"{x['fd']:.1f}" for x in rows))
    return "\n".join(lines)


def format_snapshots(runs: list[dict]) -> str:
    """The weight average's scores at each snapshot: mean ± sd over ``runs`` (seeds), and each seed's FD."""
    epochs = [s["epoch"] for s in runs[0]["snapshots"]]

    def rows_of(e):
        return [next(s for s in r["snapshots"] if s["epoch"] == e) for r in runs]

    steps = {s["epoch"]: s["step"] for s in runs[0]["snapshots"]}
    return _rows_table("steps", epochs, rows_of, lambda e: f"{steps[e]:,}")


def format_truncation(runs: list[dict]) -> str:
    """The final weight average's scores at each truncation threshold: mean ± sd over ``runs``, each seed's FD."""
    thresholds = [t["threshold"] for t in runs[0]["truncation"]]

    def rows_of(t):
        return [next(x for x in r["truncation"] if x["threshold"] == t) for r in runs]

    return _rows_table("threshold", thresholds, rows_of, lambda t: "none" if t is None else f"{t:g}")


def images(g, z) -> np.ndarray:
    """:func:`generate`'s images as float32 in [-1, 1], for plots and pixel measures."""
    return dequantize(generate(g, z))


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    a = study.parse_cli(argv, __doc__.split("\n")[0], [MODEL], RESULTS_FOLDER)
    path = run(a.seeds, a.out)
    runs = json.loads(path.read_text())["runs"]
    print(format_snapshots(runs))
    print(format_truncation(runs))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
