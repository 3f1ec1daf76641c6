"""Lesson 09, section 4: BigGAN's generator pieces, trained, against lesson 07's conditional DCGAN, over seeds.

:func:`gan_lib.models.conditional.cond_biggan` is lesson 07's conditional DCGAN
(``cond_dcgan``) with BigGAN's generator pieces: a shared class embedding,
class-conditional BatchNorm, a hierarchical latent and orthogonal regularisation;
its discriminator is the same projection D. ``make lesson09`` trains four models
(:data:`MODELS`) with lesson 07's recipe and seeds (:data:`gan_lib.lessons.conditional.RECIPE`:
batch 16, Adam(5e-4, 0.5), weight average 0.999, 10 epochs of the 8,000 training digits),
scoring each after every epoch exactly as lesson 07 did
(:func:`gan_lib.lessons.conditional.train_compared`):

* ``cond_biggan``, the pieces;
* ``cond_biggan_no_ortho``, the same without orthogonal regularisation, the piece BigGAN
  added so that its generator would take the truncation trick well;
* ``cond_biggan_no_bias``, the same without the bias of its first (Dense) layer: the
  course's first version, whose collapse under truncation this isolates;
* ``cond_dcgan``, lesson 07's model trained again, because truncation is measured on the
  trained generator, which lesson 07 does not keep (its rows can be checked against lesson
  07's committed table).

After training it measures the **truncation trick** (:data:`THRESHOLDS`) on each with
conditional accuracy and precision/recall in the classifier's feature space (lesson 08).

Writes ``runs/09_beyond_dcgan/biggan/``: ``biggan.json`` (rows per epoch and
truncation scores per model and seed) and each run's last scored samples
(``<model>_seed<k>.npz``, uint8, with the digits asked for), which the tests re-score.
Runs already in ``biggan.json`` with the same recipe are kept, so models and seeds can be
trained by separate processes (``--models``, ``--seeds``).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from gan_lib import data
from gan_lib.core import config, latent
from gan_lib.lessons import conditional, study
from gan_lib.measure import classifier, evaluate

MODEL = "cond_biggan"
BASELINE = "cond_dcgan"
#: Trained by the study, in this order.
MODELS = (MODEL, "cond_biggan_no_ortho", "cond_biggan_no_bias", BASELINE)
SEEDS = (0, 1, 2)
#: Truncation thresholds measured after training (None: the untruncated N(0, I)).
THRESHOLDS = (None, 2.0, 1.0, 0.5, 0.25)
RESULTS_FOLDER = "runs/09_beyond_dcgan/biggan"
RESULTS_FILE = "biggan.json"


def truncation(gan, thresholds=None, seed: int = 5) -> list[dict]:
    """For each threshold (default :data:`THRESHOLDS`): conditional accuracy, precision and recall (k = 3)
    of samples asked for each digit as often as it has held-out digits, against the held-out digits' features."""
    thresholds = THRESHOLDS if thresholds is None else thresholds
    asked = conditional.evaluation_labels(gan.n_classes)
    held = data.load_digits("heldout", verbose=False).images
    f_real, _ = classifier.features_and_probs(held[:len(asked)])
    rows = []
    for t in thresholds:
        z = latent.truncated_normal(len(asked), gan.latent_dim, threshold=t, seed=seed)
        images = conditional.dequantize(conditional.quantize(gan.generate(z, labels=asked)))
        feats, probs = classifier.features_and_probs(images)
        pr = evaluate.precision_recall(f_real, feats, k=3)
        rows.append({"threshold": t, "accuracy": float(np.mean(probs.argmax(1) == asked)),
                     "precision": pr["precision"], "recall": pr["recall"]})
    return rows


def results_dir(quick: bool | None = None) -> Path:
    """``runs/09_beyond_dcgan/biggan`` in full mode; in quick mode a temporary one (:func:`study.results_dir`)."""
    return study.results_dir(RESULTS_FOLDER, "gan_course_09_biggan_", quick)


def run(seeds=SEEDS, folder=None, log=print, models_=MODELS) -> Path:
    """Train each of ``models_`` with each seed and lesson 07's recipe; write :data:`RESULTS_FILE` and the samples."""
    folder = Path(folder) if folder is not None else results_dir()
    folder.mkdir(parents=True, exist_ok=True)
    quick = config.quick_mode()
    digits = data.load_digits("train", limit=config.pick(full=None, quick=1000), verbose=False)
    recipe = dict(conditional.RECIPE, epochs=config.pick(full=conditional.RECIPE["epochs"], quick=1))
    runs = []
    for model in models_:
        for seed in seeds:
            t0 = time.perf_counter()
            r = conditional.train_compared(model, seed, digits, recipe, verbose=False, keep_gan=True)
            gan = r.pop("gan")
            r["truncation"] = truncation(gan)
            r["seconds"] = round(time.perf_counter() - t0, 1)
            name = conditional.sample_file(model, seed)
            np.savez_compressed(folder / name, images=r.pop("samples"), asked=r.pop("asked").astype(np.uint8))
            runs.append({**r, "file": name})
            last = r["rows"][-1]
            log(f"{model} seed {seed}: accuracy {last['accuracy']:.1%}, FD {last['fd']:.2f} ({r['seconds']:.0f} s)")
            _write(folder, recipe, quick, runs)
    return folder / RESULTS_FILE


def _write(folder: Path, recipe: dict, quick: bool, runs: list[dict]) -> None:
    """Write :data:`RESULTS_FILE`, keeping the runs of other models and seeds already there with the same
    recipe (so they can be trained by separate processes, and a finished run is never lost)."""
    path = folder / RESULTS_FILE
    mine = {(r["model"], r["seed"]) for r in runs}
    kept = []
    if path.exists():
        old = json.loads(path.read_text())
        if old.get("recipe") == recipe and old.get("quick") == quick:
            kept = [r for r in old["runs"] if (r["model"], r["seed"]) not in mine]
    order = {m: i for i, m in enumerate(MODELS)}
    every = sorted(kept + runs, key=lambda r: (order.get(r["model"], len(order)), r["model"], r["seed"]))
    have = {(r["model"], r["seed"]) for r in every}
    doc = {"recipe": recipe, "quick": quick, "models": list(MODELS), "baseline": BASELINE, "runs": every,
           "table": conditional.spread(every), "complete": {(m, s) for m in MODELS for s in SEEDS} <= have}
    path.write_text(json.dumps(doc, indent=1) + "\n")


def load_results(folder=None) -> dict:
    """The committed study (``biggan.json``)."""
    path = Path(folder or results_dir(quick=False)) / RESULTS_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `make lesson09` to train the BigGAN study.")
    return json.loads(path.read_text())


def compare(doc: dict, baseline: dict | None = None, model: str = MODEL) -> list[dict]:
    """Per seed, at ``model``'s last epoch: its accuracy and FD, and lesson 07's committed :data:`BASELINE`
    at that epoch (``baseline``: lesson 07's results, loaded if None)."""
    baseline = conditional.load_results() if baseline is None else baseline
    base = {(r["seed"], row["epoch"]): row for r in baseline["runs"] if r["model"] == BASELINE for row in r["rows"]}
    out = []
    for r in (r for r in doc["runs"] if r["model"] == model):
        mine = r["rows"][-1]
        theirs = base.get((r["seed"], mine["epoch"]))
        if theirs is None:
            raise ValueError(f"seed {r['seed']}: lesson 07's table has no {BASELINE} run of {mine['epoch']} "
                             "epochs with this seed to compare with.")
        out.append({"seed": r["seed"], "epoch": mine["epoch"], "model": model,
                    "accuracy": (mine["accuracy"], theirs["accuracy"]), "fd": (mine["fd"], theirs["fd"])})
    return out


def format_compare(rows: list[dict]) -> str:
    model = rows[0]["model"] if rows else MODEL
    lines = [f"{'seed':>4s}  {'accuracy ' + model:>22s}  {BASELINE + ' (lesson 07)':>22s}  {'FD ' + model:>16s}  "
             f"{BASELINE + ' (lesson 07)':>22s}"]
    for r in rows:
        lines.append(f"{r['seed']:4d}  {r['accuracy'][0]:22.1%}  {r['accuracy'][1]:22.1%}  {r['fd'][0]:16.2f}  "
                     f"{r['fd'][1]:22.2f}")
    return "\n".join(lines)


def truncation_table(doc: dict) -> list[dict]:
    """Per model and threshold: accuracy, precision and recall as (mean, population sd) over seeds, and each seed's."""
    out = []
    for model in dict.fromkeys(r["model"] for r in doc["runs"]):
        group = [r for r in doc["runs"] if r["model"] == model]
        for i, row in enumerate(group[0]["truncation"]):
            entry = {"model": model, "threshold": row["threshold"], "seeds": [r["seed"] for r in group]}
            for k in ("accuracy", "precision", "recall"):
                vals = [r["truncation"][i][k] for r in group]
                entry[k] = (float(np.mean(vals)), float(np.std(vals)))
                entry[k + "_each"] = vals
            out.append(entry)
    return out


def format_truncation(doc: dict) -> str:
    """Truncation rows: model, threshold, then accuracy / precision / recall as mean ± sd over seeds."""
    lines = [f"{'model':22s} {'threshold':>9s}  {'accuracy':>15s}  {'precision':>13s}  {'recall':>13s}"]
    for e in truncation_table(doc):
        t = "none" if e["threshold"] is None else f"{e['threshold']:g}"
        lines.append(f"{e['model']:22s} {t:>9s}  {e['accuracy'][0]:7.1%} ± {e['accuracy'][1]:5.1%}  "
                     f"{e['precision'][0]:5.3f} ± {e['precision'][1]:5.3f}  "
                     f"{e['recall'][0]:5.3f} ± {e['recall'][1]:5.3f}")
    return "\n".join(lines)


def main(argv=None):
    from gan_lib.core.cli import OneLineParser

    p = OneLineParser(prog="python -m gan_lib.lessons.biggan", description=__doc__.split("\n")[0])
    p.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    p.add_argument("--models", nargs="+", default=list(MODELS), help=f"any of {', '.join(MODELS)} (default: all)")
    p.add_argument("--out", default=None, help=f"results folder (default: {RESULTS_FOLDER})")
    a = p.parse_args(argv)
    if any(s < 0 for s in a.seeds):
        p.error(f"--seeds {a.seeds}: use whole numbers of at least 0")
    bad = [m for m in a.models if m not in MODELS]
    if bad:
        p.error(f"--models {' '.join(bad)}: the study's models are {', '.join(MODELS)}")
    path = run(a.seeds, a.out, models_=a.models)
    doc = load_results(path.parent)
    print(conditional.format_spread(doc["table"]))
    print(format_truncation(doc))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
