"""Lesson 09, section 4: BigGAN's generator pieces, trained, against lesson 07's conditional DCGAN, over seeds.

:func:`gan_lib.models.conditional.cond_biggan` is lesson 07's conditional DCGAN
(``cond_dcgan``) with BigGAN's generator pieces: a shared class embedding,
class-conditional BatchNorm, a hierarchical latent and orthogonal regularisation;
its discriminator is the same projection D. ``make lesson09`` trains it with
lesson 07's recipe and seeds (:data:`gan_lib.lessons.conditional.RECIPE`: batch 16,
Adam(5e-4, 0.5), weight average 0.999, 10 epochs of the 8,000 training digits),
scoring it after every epoch exactly as lesson 07 scored ``cond_dcgan``
(:func:`gan_lib.lessons.conditional.train_compared`), so the two can be compared
seed by seed from lesson 07's committed table. After training it measures the
**truncation trick** (:data:`THRESHOLDS`) with precision and recall in the
classifier's feature space (lesson 08) and conditional accuracy.

Writes ``runs/09_beyond_dcgan/biggan/``: ``biggan.json`` (rows per epoch and
truncation scores per seed) and each seed's last scored samples
(``cond_biggan_seed<k>.npz``, uint8, with the digits asked for), which the tests re-score.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import numpy as np

from gan_lib import data
from gan_lib.core import config, latent
from gan_lib.lessons import conditional
from gan_lib.measure import classifier, evaluate

MODEL = "cond_biggan"
BASELINE = "cond_dcgan"
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
    """``runs/09_beyond_dcgan/biggan`` in full mode; a fresh temporary folder in quick mode."""
    quick = config.quick_mode() if quick is None else quick
    if quick:
        return Path(tempfile.mkdtemp(prefix="gan_course_09_biggan_"))
    return config.committed_folder(RESULTS_FOLDER)


def run(seeds=SEEDS, folder=None, log=print) -> Path:
    """Train :data:`MODEL` with each seed and lesson 07's recipe; write :data:`RESULTS_FILE` and the samples."""
    folder = Path(folder) if folder is not None else results_dir()
    folder.mkdir(parents=True, exist_ok=True)
    quick = config.quick_mode()
    digits = data.load_digits("train", limit=config.pick(full=None, quick=1000), verbose=False)
    recipe = dict(conditional.RECIPE, epochs=config.pick(full=conditional.RECIPE["epochs"], quick=1))
    runs = []
    for seed in seeds:
        t0 = time.perf_counter()
        r = conditional.train_compared(MODEL, seed, digits, recipe, verbose=False, keep_gan=True)
        gan = r.pop("gan")
        r["truncation"] = truncation(gan)
        r["seconds"] = round(time.perf_counter() - t0, 1)
        name = conditional.sample_file(MODEL, seed)
        np.savez_compressed(folder / name, images=r.pop("samples"), asked=r.pop("asked").astype(np.uint8))
        runs.append({**r, "file": name})
        last = r["rows"][-1]
        log(f"{MODEL} seed {seed}: accuracy {last['accuracy']:.1%}, FD {last['fd']:.2f} ({r['seconds']:.0f} s)")
        _write(folder, recipe, quick, runs)
    return folder / RESULTS_FILE


def _write(folder: Path, recipe: dict, quick: bool, runs: list[dict]) -> None:
    """Write :data:`RESULTS_FILE`, keeping the runs of other seeds already there with the same recipe
    (so seeds can be trained by separate processes, and a finished seed is never lost)."""
    path = folder / RESULTS_FILE
    mine = {r["seed"] for r in runs}
    kept = []
    if path.exists():
        old = json.loads(path.read_text())
        if old.get("recipe") == recipe and old.get("quick") == quick:
            kept = [r for r in old["runs"] if r["seed"] not in mine]
    every = sorted(kept + runs, key=lambda r: r["seed"])
    doc = {"recipe": recipe, "quick": quick, "model": MODEL, "baseline": BASELINE, "runs": every,
           "table": conditional.spread(every), "complete": set(SEEDS) <= {r["seed"] for r in every}}
    path.write_text(json.dumps(doc, indent=1) + "\n")


def load_results(folder=None) -> dict:
    """The committed study (``biggan.json``)."""
    path = Path(folder or results_dir(quick=False)) / RESULTS_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `make lesson09` to train the BigGAN study.")
    return json.loads(path.read_text())


def compare(doc: dict, baseline: dict | None = None) -> list[dict]:
    """Per seed, at :data:`MODEL`'s last epoch: its accuracy and FD, and lesson 07's :data:`BASELINE` at that epoch."""
    baseline = conditional.load_results() if baseline is None else baseline
    base = {(r["seed"], row["epoch"]): row for r in baseline["runs"] if r["model"] == BASELINE for row in r["rows"]}
    out = []
    for r in doc["runs"]:
        mine = r["rows"][-1]
        theirs = base.get((r["seed"], mine["epoch"]))
        if theirs is None:
            raise ValueError(f"seed {r['seed']}: lesson 07's table has no {BASELINE} run of {mine['epoch']} "
                             "epochs with this seed to compare with.")
        out.append({"seed": r["seed"], "epoch": mine["epoch"],
                    "accuracy": (mine["accuracy"], theirs["accuracy"]), "fd": (mine["fd"], theirs["fd"]),
                    "seconds": (sum(x["seconds"] for x in r["rows"]), None)})
    return out


def format_compare(rows: list[dict]) -> str:
    lines = [f"{'seed':>4s}  {'accuracy ' + MODEL:>22s}  {BASELINE:>10s}  {'FD ' + MODEL:>16s}  {BASELINE:>10s}"]
    for r in rows:
        lines.append(f"{r['seed']:4d}  {r['accuracy'][0]:22.1%}  {r['accuracy'][1]:10.1%}  {r['fd'][0]:16.2f}  "
                     f"{r['fd'][1]:10.2f}")
    return "\n".join(lines)


def format_truncation(doc: dict) -> str:
    """Truncation rows: threshold, then accuracy / precision / recall as mean ± sd over seeds."""
    lines = [f"{'threshold':>9s}  {'accuracy':>15s}  {'precision':>13s}  {'recall':>13s}"]
    for i, row in enumerate(doc["runs"][0]["truncation"]):
        vals = {k: [r["truncation"][i][k] for r in doc["runs"]] for k in ("accuracy", "precision", "recall")}
        t = "none" if row["threshold"] is None else f"{row['threshold']:g}"
        lines.append(f"{t:>9s}  {np.mean(vals['accuracy']):7.1%} ± {np.std(vals['accuracy']):5.1%}  "
                     f"{np.mean(vals['precision']):5.3f} ± {np.std(vals['precision']):5.3f}  "
                     f"{np.mean(vals['recall']):5.3f} ± {np.std(vals['recall']):5.3f}")
    return "\n".join(lines)


def main(argv=None):
    from gan_lib.core.cli import OneLineParser

    p = OneLineParser(prog="python -m gan_lib.lessons.biggan", description=__doc__.split("\n")[0])
    p.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    p.add_argument("--out", default=None, help=f"results folder (default: {RESULTS_FOLDER})")
    a = p.parse_args(argv)
    if any(s < 0 for s in a.seeds):
        p.error(f"--seeds {a.seeds}: use whole numbers of at least 0")
    path = run(a.seeds, a.out)
    doc = load_results(path.parent)
    print(conditional.format_spread(doc["table"]))
    print(format_truncation(doc))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
