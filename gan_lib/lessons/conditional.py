"""Class-conditional GANs (lesson 07): asking the generator for a digit, and checking it obeyed.

A conditional GAN (Mirza & Osindero, "Conditional Generative Adversarial Nets",
2014) gives both networks the class ``y``: G draws ``G(z, y)``, and D judges
pairs ``(x, y)``, so a 3 labelled "7" counts as fake. The course trains it
through the one :class:`gan_lib.core.gan.GAN` class with ``n_classes`` set; the
models are :data:`gan_lib.models.CONDITIONAL_MODELS`.

This module measures whether it obeys, with the course's classifier::

    acc = conditional.accuracy(gan)          # 100 samples asked for each digit
    print(conditional.format_accuracy(acc))  # one row per digit

and builds the lesson's pictures: a grid with one row per digit, and paths
within a class (fixed label, slerp between two latents) and across classes
(fixed latent, the one-hot row moving from one class to another). It also
holds the binary attribute of exercise 7.2 (thick vs thin strokes).

Per-class quality: :func:`gan_lib.measure.evaluate.intra_class_fd` (the intra-class FD of Miyato &
Koyama, 2018), :func:`class_fd` for samples, and :func:`class_fd_floor`, its
real-vs-real value at the same ``n`` (FD is biased upwards at ~200 per class)::

    asked = conditional.evaluation_labels()          # each digit as often as it has held-out digits
    fds = conditional.class_fd(gan.sample(len(asked), labels=asked), asked)
    print(fds.round(1), conditional.class_fd_floor().round(1))

Section 6's comparison over seeds (``make lesson07``, i.e. ``python -m
gan_lib.lessons.conditional``): :data:`COMPARED` models, each trained by
:func:`train_compared` with every seed of :data:`SEEDS`, a row per epoch;
:func:`save_results` writes ``runs/07_conditional/`` (``table.json`` and each
run's last scored samples), :func:`load_results` reads it back,
:func:`format_spread` and :func:`format_paired` print it.
"""

from __future__ import annotations

import json
import tempfile
import time
from functools import lru_cache
from pathlib import Path

import keras
import numpy as np

from gan_lib import data, models
from gan_lib.core import callbacks, config, latent
from gan_lib.core.gan import GAN
from gan_lib.measure import classifier, metrics
from gan_lib.measure.evaluate import intra_class_fd  # noqa: F401  (lesson 07 uses it as conditional.intra_class_fd)

#: Mean conditional accuracy (share of samples that the course classifier reads
#: as the digit asked for) that counts as "obeys the label". An untrained
#: conditional generator scores about 0.10 (one digit for every label); the
#: classifier reads 98.25% of the real held-out digits right.
ACCURACY_MIN = 0.90

#: A lower bar, "it has learned to use the label", for quick-mode checks.
LEARNED_ACCURACY = 0.30


def _check_conditional_gan(gan):
    if getattr(gan, "n_classes", None) is None:
        raise ValueError("This GAN is unconditional (built without n_classes); lesson 07's tools need "
                         "GAN(g, d, n_classes=10) with models.build_conditional(...).")


def accuracy(gan, n_per_class: int = 100, seed: int = 0) -> dict:
    """How often the course classifier reads a conditional sample as the digit asked for.

    Draws ``n_per_class`` samples for each of ``gan.n_classes`` digits (latents
    from ``seed``) and returns ``per_class`` (array of shares, digit 0 first),
    ``mean``, ``confusion`` (``n_classes x 10`` counts: row = asked, column =
    read), ``images`` (in the order 0,0,...,1,1,...) and ``labels`` (the asked digits).
    """
    _check_conditional_gan(gan)
    if isinstance(n_per_class, bool) or not isinstance(n_per_class, (int, np.integer)) or n_per_class < 1:
        raise ValueError(f"n_per_class={n_per_class!r}: use a whole number of at least 1, e.g. 100.")
    k = gan.n_classes
    labels = np.repeat(np.arange(k), n_per_class)
    images = gan.sample(len(labels), seed=seed, labels=labels)
    _, probs = classifier.features_and_probs(images)
    read = probs.argmax(1)
    confusion = np.zeros((k, probs.shape[1]), dtype=np.int64)
    np.add.at(confusion, (labels, read), 1)
    per_class = per_class_accuracy(labels, read, k)
    return {"per_class": per_class, "mean": float(per_class.mean()), "confusion": confusion,
            "images": images, "labels": labels}


def per_class_accuracy(asked, read, n_classes: int = 10) -> np.ndarray:
    """For each class c: the share of samples asked for c that were read as c (NaN if none was asked)."""
    asked, read = np.asarray(asked), np.asarray(read)
    if asked.shape != read.shape or asked.ndim != 1:
        raise ValueError(f"asked {asked.shape} and read {read.shape} must be two equal-length 1-D arrays.")
    hits = np.bincount(asked[asked == read], minlength=n_classes)[:n_classes]
    totals = np.bincount(asked, minlength=n_classes)[:n_classes]
    with np.errstate(invalid="ignore", divide="ignore"):
        return hits / totals


def format_accuracy(result: dict, bar: float = ACCURACY_MIN) -> str:
    """A table: one row per digit asked for, its accuracy and the digit it is most often mistaken for."""
    conf = result["confusion"]
    lines = ["asked  read as asked  most common other reading"]
    for c, acc in enumerate(result["per_class"]):
        others = conf[c].copy()
        others[c] = 0
        other = f"{others.argmax()} ({others.max() / conf[c].sum():.0%})" if others.max() else "-"
        lines.append(f"{c:5d}  {acc:13.1%}  {other}")
    verdict = "pass" if result["mean"] >= bar else "FAIL"
    lines.append(f"mean   {result['mean']:13.1%}  (pass at >= {bar:.0%})  {verdict}")
    return "\n".join(lines)


def class_grid(gan, digits=None, per_row: int = 10, seed: int = 0) -> np.ndarray:
    """Samples with one row per digit in ``digits`` (default all), ``per_row`` each.

    Column ``j`` uses the same latent in every row, so a column shows one
    "style" (slant, thickness) drawn as each digit.
    """
    _check_conditional_gan(gan)
    digits = list(range(gan.n_classes)) if digits is None else [int(d) for d in digits]
    z = np.random.default_rng([seed, 19]).standard_normal((per_row, gan.latent_dim)).astype("float32")
    zs = np.tile(z, (len(digits), 1))
    labels = np.repeat(digits, per_row)
    return gan.generate(zs, labels=labels)


def within_class(gan, digit: int, z0, z1, steps: int = 10) -> np.ndarray:
    """Images along the slerp path from ``z0`` to ``z1`` with the label fixed to ``digit``."""
    _check_conditional_gan(gan)
    zs = latent.path(z0, z1, steps=steps, method="slerp").astype("float32")
    return gan.generate(zs, labels=np.full(len(zs), int(digit)))


def label_path(a: int, b: int, steps: int = 10, n_classes: int = 10) -> np.ndarray:
    """Rows ``(1 - t) onehot(a) + t onehot(b)`` for ``t`` from 0 to 1: ``(steps, n_classes)``."""
    for name, v in (("a", a), ("b", b)):
        if not 0 <= int(v) < n_classes:
            raise ValueError(f"{name}={v!r}: choose a class from 0 to {n_classes - 1}.")
    if steps < 2:
        raise ValueError(f"steps={steps!r}: use at least 2 (the two ends).")
    eye = np.eye(n_classes, dtype="float32")
    t = np.linspace(0.0, 1.0, steps, dtype="float32")[:, None]
    return (1 - t) * eye[int(a)] + t * eye[int(b)]


def across_classes(gan, z, a: int, b: int, steps: int = 10) -> np.ndarray:
    """Images for one fixed latent ``z`` while the label moves from class ``a`` to class ``b``."""
    _check_conditional_gan(gan)
    z = np.asarray(z, dtype="float32").reshape(1, -1)
    return gan.generate(np.repeat(z, steps, axis=0), labels=label_path(a, b, steps, gan.n_classes))


# --------------------------------------------------------------------------- a binary attribute (exercise 7.2)


def ink(images) -> np.ndarray:
    """The amount of ink in each image: the sum of its pixels mapped from [-1, 1] to [0, 1]."""
    x = np.asarray(images, dtype=np.float64)
    return ((x + 1.0) / 2.0).reshape(len(x), -1).sum(1)


def thickness_labels(images, threshold: float | None = None) -> np.ndarray:
    """1 for "thick" (more ink than ``threshold``), 0 for "thin"; ``threshold`` defaults to the median ink.

    Returns ``(labels, threshold)`` so samples can be judged with the training data's threshold.
    """
    amount = ink(images)
    threshold = float(np.median(amount)) if threshold is None else float(threshold)
    return (amount > threshold).astype(np.int64), threshold


# --------------------------------------------------------------------------- quality over training


def accuracy_row(gan, n_per_class: int = 50, seed: int = 1) -> dict:
    """``accuracy`` (mean conditional accuracy) and ``per_class`` of :func:`accuracy`, for a row per epoch.

    Pass it as ``extra`` to :class:`gan_lib.core.callbacks.QualityTracker`, so
    that each epoch's row also says how well the generator obeys the label::

        tracker = callbacks.QualityTracker(n=1000, extra=conditional.accuracy_row)
        gan.fit_images(digits.images, 16, epochs, labels=digits.labels, callbacks=[tracker])
        print(conditional.format_rows(tracker.rows))
    """
    acc = accuracy(gan, n_per_class=n_per_class, seed=seed)
    return {"accuracy": acc["mean"], "per_class": [round(float(a), 4) for a in acc["per_class"]]}


def format_rows(rows) -> str:
    """One line per epoch: seconds, FD, mean conditional accuracy, worst class.

    ``rows``: those of a :class:`gan_lib.core.callbacks.QualityTracker` with ``extra=accuracy_row``.
    """
    out = []
    for r in rows:
        worst = int(np.argmin(r["per_class"]))
        out.append(f"epoch {r['epoch']:3d}  {r['seconds']:6.0f} s  FD {r['fd']:7.1f}  "
                   f"conditional accuracy {r['accuracy']:6.1%}  worst digit {worst} ({r['per_class'][worst]:.0%})")
    return "\n".join(out)


# --------------------------------------------------------------------------- intra-class Frechet distance


@lru_cache(maxsize=1)
def _class_reference():
    """Classifier features and labels of the held-out digits, and of the training digits (computed once)."""
    held = data.load_digits("heldout", verbose=False)
    train = data.load_digits("train", verbose=False)
    f_held, _ = classifier.features_and_probs(held.images)
    f_train, _ = classifier.features_and_probs(train.images)
    return {"held": (f_held, np.asarray(held.labels)), "train": (f_train, np.asarray(train.labels))}


def heldout_counts(n_classes: int = 10) -> np.ndarray:
    """How many held-out digits each class has (about 200): the ``n`` of each class's FD."""
    return np.bincount(data.load_digits("heldout", verbose=False).labels, minlength=n_classes)[:n_classes]


def class_fd_floor(n_classes: int = 10) -> np.ndarray:
    """Real-vs-real per-class FD: the first ``n_c`` training digits of class ``c`` against the ``n_c`` held-out ones.

    ``n_c`` is the class's held-out count, the same ``n`` as :func:`class_fd` uses
    for samples, so a generator's ``FD_c`` can be read against it: a perfect
    generator scores about the floor, not 0.
    """
    ref = _class_reference()
    (f_held, y_held), (f_train, y_train) = ref["held"], ref["train"]
    counts = np.bincount(y_held, minlength=n_classes)[:n_classes]
    keep = np.concatenate([np.flatnonzero(y_train == c)[:counts[c]] for c in range(n_classes)])
    return intra_class_fd(f_train[keep], y_train[keep], f_held, y_held, n_classes)


def class_fd(images, asked, n_classes: int = 10) -> np.ndarray:
    """Per-class FD of ``images`` (generated for the digits ``asked``) against the held-out digits of each class.

    Use as many images per class as the class has held-out digits
    (:func:`heldout_counts`), so that every ``FD_c`` compares two sets of equal
    size and sits beside :func:`class_fd_floor`.
    """
    feats, _ = classifier.features_and_probs(images)
    f_held, y_held = _class_reference()["held"]
    return intra_class_fd(feats, asked, f_held, y_held, n_classes)


# --------------------------------------------------------------------------- the comparison of section 6 over seeds

#: Lesson 07's comparison: the projection D against the concat D of the same size, same G and recipe.
COMPARED = ("cond_dcgan", "cond_dcgan_concat_matched")
#: The recipe of the notebook's ``new_cgan`` (lesson 03's default) and the budget of the comparison.
RECIPE = {"batch_size": 16, "learning_rate": 5e-4, "beta_1": 0.5, "ema_decay": 0.999, "epochs": 10}
SEEDS = (0, 1, 2)

#: Where ``make lesson07`` writes the table and the final samples (committed to the repository).
RESULTS_FOLDER = "runs/07_conditional"
TABLE_FILE = "table.json"


def new_cgan(name: str = "cond_dcgan", seed: int = 0, n_classes: int = 10, recipe: dict | None = None):
    """A compiled conditional :class:`gan_lib.core.gan.GAN` with the lesson's recipe, weights drawn from ``seed``."""
    r = {**RECIPE, **(recipe or {})}
    keras.utils.set_random_seed(seed)
    g, d = models.build_conditional(name, n_classes=n_classes)
    gan = GAN(g, d, n_classes=n_classes, ema_decay=r["ema_decay"], seed=seed)

    def adam():
        return keras.optimizers.Adam(r["learning_rate"], beta_1=r["beta_1"])

    gan.compile(d_optimizer=adam(), g_optimizer=adam())
    return gan


def quantize(images) -> np.ndarray:
    """Images in [-1, 1] as uint8 (0..255), the form in which the results are stored."""
    return np.clip(np.rint((np.asarray(images, np.float64) + 1.0) * 127.5), 0, 255).astype(np.uint8)


def dequantize(q) -> np.ndarray:
    """uint8 images back to float32 in [-1, 1]."""
    return (np.asarray(q, np.float32) / np.float32(127.5) - np.float32(1.0)).astype(np.float32)


def score_samples(images, asked, n_classes: int = 10) -> dict:
    """Every number of the comparison for samples ``images`` generated for the digits ``asked``.

    ``fd`` and ``fd_floor`` (all samples against all held-out digits,
    :func:`gan_lib.measure.metrics.evaluate`), ``accuracy`` (mean over classes)
    and ``per_class`` accuracy, ``class_fd`` (per-class FD) and its mean ``class_fd_mean``.
    """
    images, asked = np.asarray(images, np.float32), np.asarray(asked).astype(int)
    feats, probs = classifier.features_and_probs(images)
    per_class = per_class_accuracy(asked, probs.argmax(1), n_classes)
    f_held, y_held = _class_reference()["held"]
    cfd = intra_class_fd(feats, asked, f_held, y_held, n_classes)
    overall = metrics.evaluate(images, n=len(images))
    return {"fd": overall["fd"], "fd_floor": overall["fd_floor"], "accuracy": float(per_class.mean()),
            "per_class": [float(a) for a in per_class], "class_fd": [float(v) for v in cfd],
            "class_fd_mean": float(np.mean(cfd))}


def evaluation_labels(n_classes: int = 10) -> np.ndarray:
    """The digits asked for when scoring: each class as often as it has held-out digits (2,000 in all), sorted."""
    return np.repeat(np.arange(n_classes), heldout_counts(n_classes))


def class_samples(gan, seed: int = 5) -> tuple:
    """``(uint8 images, asked)``: one sample per held-out digit, asked for its class (the scored samples)."""
    asked = evaluation_labels(gan.n_classes)
    return quantize(gan.sample(len(asked), seed=seed, labels=asked)), asked


class ClassTracker(callbacks.EpochRows):
    """:class:`gan_lib.core.callbacks.EpochRows` whose rows carry :func:`score_samples` after every epoch.

    The samples are :func:`class_samples` (the same latents every epoch), scored as
    stored (uint8), so a stored sample file re-scores to its row exactly;
    ``self.last`` keeps the newest ``(uint8 images, asked)``.
    """

    def __init__(self, seed: int = 5):
        super().__init__()
        self.seed, self.last = seed, None

    def measure(self, gan) -> dict:
        q, asked = class_samples(gan, self.seed)
        self.last = (q, asked)
        return score_samples(dequantize(q), asked, gan.n_classes)


def train_compared(name: str, seed: int, digits=None, recipe: dict | None = None, verbose: bool = True,
                   keep_gan: bool = False) -> dict:
    """Train one model of :data:`COMPARED` (or any conditional model) with ``seed`` (weights, batch order,
    samples); a row per epoch.

    Returns ``{"model", "seed", "d_params", "g_params", "rows", "samples", "asked"}``;
    ``samples`` (uint8) are the last epoch's scored samples. ``keep_gan=True`` adds the
    trained ``"gan"`` (for measures taken after training, e.g. lesson 09's truncation).
    """
    r = {**RECIPE, **(recipe or {})}
    digits = data.load_digits("train", verbose=False) if digits is None else digits
    gan = new_cgan(name, seed, recipe=r)
    tracker = ClassTracker()
    gan.fit_images(digits.images, r["batch_size"], r["epochs"], seed=seed, labels=digits.labels, callbacks=[tracker])
    if verbose:
        for row in tracker.rows:
            print(f"{name} seed {seed} epoch {row['epoch']}: {row['seconds']:.0f} s, FD {row['fd']:.2f}, "
                  f"accuracy {row['accuracy']:.1%}, mean class FD {row['class_fd_mean']:.1f}", flush=True)
    q, asked = tracker.last
    out = {"model": name, "seed": seed, "d_params": int(gan.discriminator.count_params()),
           "g_params": int(gan.generator.count_params()),
           "rows": [{k: v for k, v in row.items() if k in _ROW_KEYS} for row in tracker.rows],
           "samples": q, "asked": asked}
    return {**out, "gan": gan} if keep_gan else out


_ROW_KEYS = ("epoch", "seconds", "fd", "fd_floor", "accuracy", "per_class", "class_fd", "class_fd_mean")
#: The measures summarised over seeds (per epoch).
MEASURES = ("accuracy", "fd", "class_fd_mean")


def sample_file(model: str, seed: int) -> str:
    """``<model>_seed<k>.npz``: the last epoch's scored samples (uint8) and the digits they were asked for."""
    return f"{model}_seed{seed}.npz"


def spread(runs: list[dict]) -> list[dict]:
    """Mean and population std over seeds, per model and epoch, of :data:`MEASURES` and of each class's FD.

    ``runs``: dicts with ``model``, ``seed`` and ``rows`` (one per epoch, as
    :func:`train_compared` returns). Each output row also keeps the per-seed values.
    """
    out = []
    for model in dict.fromkeys(r["model"] for r in runs):
        group = sorted((r for r in runs if r["model"] == model), key=lambda r: r["seed"])
        for i in range(min(len(r["rows"]) for r in group)):
            rows = [r["rows"][i] for r in group]
            row = {"model": model, "epoch": rows[0]["epoch"], "seeds": [r["seed"] for r in group]}
            for m in MEASURES:
                row[m] = [float(x[m]) for x in rows]
                row[m + "_mean"], row[m + "_std"], _ = metrics.mean_std(row[m])
            cfd = np.array([x["class_fd"] for x in rows], np.float64)
            row["class_fd_by_class_mean"] = [float(v) for v in cfd.mean(0)]
            out.append(row)
    return out


def paired_differences(table: list[dict], measure: str, a: str = COMPARED[0], b: str = COMPARED[1]) -> list[dict]:
    """Per epoch, ``a - b`` of ``measure`` seed by seed (the runs share their seeds), its mean and std,
    and how many seeds have ``a`` ahead (higher accuracy, lower FD)."""
    higher_is_better = measure == "accuracy"
    rows_a = {r["epoch"]: r for r in table if r["model"] == a}
    rows_b = {r["epoch"]: r for r in table if r["model"] == b}
    out = []
    for epoch in sorted(set(rows_a) & set(rows_b)):
        ra, rb = rows_a[epoch], rows_b[epoch]
        if ra["seeds"] != rb["seeds"]:
            raise ValueError(f"epoch {epoch}: seeds {ra['seeds']} and {rb['seeds']} differ; a paired comparison "
                             "needs the same seeds.")
        d = np.array(ra[measure]) - np.array(rb[measure])
        ahead = int(np.sum(d > 0) if higher_is_better else np.sum(d < 0))
        out.append({"epoch": epoch, "diff": [float(x) for x in d], "mean": float(d.mean()), "std": float(d.std()),
                    "a_ahead": ahead, "seeds": len(d)})
    return out


def verdict(diff: dict, a: str = "projection", b: str = "concat") -> str:
    """A claim only where every seed agrees: "``a`` ahead in 3/3 seeds", else "no consistent difference"."""
    n, k = diff["seeds"], diff["a_ahead"]
    if k == n:
        return f"{a} ahead in {k}/{n} seeds"
    if k == 0:
        return f"{b} ahead in {n}/{n} seeds"
    return f"no consistent difference ({a} ahead in {k}/{n} seeds)"


def format_paired(table: list[dict], measures=MEASURES) -> str:
    """For each measure and epoch: projection minus concat seed by seed, mean ± std, and :func:`verdict`."""
    scale = {"accuracy": 100.0}
    unit = {"accuracy": " points"}
    lines = []
    for m in measures:
        lines.append(f"{m}: projection - concat{unit.get(m, '')}, per seed, then mean ± std "
                     f"({'higher' if m == 'accuracy' else 'lower'} is better)")
        for d in paired_differences(table, m):
            k = scale.get(m, 1.0)
            per_seed = " ".join(f"{k * x:+6.1f}" for x in d["diff"])
            lines.append(f"  epoch {d['epoch']:2d}: {per_seed}   {k * d['mean']:+6.1f} ± {k * d['std']:4.1f}   "
                         f"{verdict(d)}")
    return "\n".join(lines)


def format_spread(table: list[dict]) -> str:
    """Per model and epoch: each measure as mean ± std over seeds, then the per-seed values."""
    lines = [f"{'model':26s} {'epoch':>5s}  {'accuracy %':>18s}  {'FD':>14s}  {'mean class FD':>14s}   per seed "
             "(accuracy % / FD / class FD)"]
    for r in table:
        per_seed = "  ".join(f"s{s}: {100 * a:.1f}/{f:.1f}/{c:.1f}"
                             for s, a, f, c in zip(r["seeds"], r["accuracy"], r["fd"], r["class_fd_mean"]))
        lines.append(f"{r['model']:26s} {r['epoch']:5d}  "
                     f"{100 * r['accuracy_mean']:8.1f} ± {100 * r['accuracy_std']:5.1f}  "
                     f"{r['fd_mean']:6.1f} ± {r['fd_std']:4.1f}  {r['class_fd_mean_mean']:6.1f} ± "
                     f"{r['class_fd_mean_std']:4.1f}   {per_seed}")
    return "\n".join(lines)


def format_class_fd(table: list[dict], floor, epoch: int | None = None) -> str:
    """Per-class FD (mean over seeds) of each model at ``epoch`` (default: the last) beside the real-vs-real floor."""
    epoch = max(r["epoch"] for r in table) if epoch is None else epoch
    rows = [r for r in table if r["epoch"] == epoch]
    head = f"digit  {'floor':>6s}  " + "  ".join(f"{r['model']:>26s}" for r in rows)
    lines = [f"per-class FD after epoch {epoch} (mean over seeds; real-vs-real floor at the same n)", head]
    for c in range(len(floor)):
        lines.append(f"{c:5d}  {floor[c]:6.1f}  " + "  ".join(f"{r['class_fd_by_class_mean'][c]:26.1f}" for r in rows))
    return "\n".join(lines)


def results_dir(quick: bool | None = None):
    """``runs/07_conditional`` of the repository in full mode; a fresh temporary folder in quick mode."""
    quick = config.quick_mode() if quick is None else quick
    if quick:
        return Path(tempfile.mkdtemp(prefix="gan_course_07_quick_"))
    return config.committed_folder(RESULTS_FOLDER)  # outside a clone: fetched once into a cache (Colab)


def save_results(folder, runs: list[dict], extra: dict | None = None):
    """Write each run's last scored samples (``sample_file``, compressed uint8) and ``table.json``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out_runs = []
    for r in runs:
        name = sample_file(r["model"], r["seed"])
        np.savez_compressed(folder / name, images=r["samples"], asked=r["asked"].astype(np.uint8))
        out_runs.append({k: v for k, v in r.items() if k not in ("samples", "asked")} | {"file": name})
    doc = {"recipe": RECIPE, "models": list(COMPARED), "runs": out_runs, "table": spread(runs),
           "class_fd_floor": [float(v) for v in class_fd_floor()], **(extra or {})}
    (folder / TABLE_FILE).write_text(json.dumps(doc, indent=1) + "\n")
    return folder / TABLE_FILE


def load_results(folder=None) -> dict:
    """The stored ``table.json`` of ``make lesson07`` (default: the repository's ``runs/07_conditional``)."""
    folder = results_dir(quick=False) if folder is None else Path(folder)
    return json.loads((folder / TABLE_FILE).read_text())


def main(argv=None):
    """``python -m gan_lib.lessons.conditional``: train :data:`COMPARED` for each seed and write the results folder."""
    from gan_lib.core.cli import OneLineParser

    p = OneLineParser(prog="python -m gan_lib.lessons.conditional",
                      description="Lesson 07's comparison: projection D vs the concat D of the same size, over seeds.")
    p.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    p.add_argument("--epochs", type=int, default=RECIPE["epochs"])
    p.add_argument("--out", default=None, help="results folder (default: runs/07_conditional; a temporary "
                                               "folder in quick mode)")
    a = p.parse_args(argv)
    if a.epochs < 1:
        p.error(f"--epochs {a.epochs}: use a whole number of at least 1, e.g. {RECIPE['epochs']}")
    if any(s < 0 for s in a.seeds):
        p.error(f"--seeds {a.seeds}: use whole numbers of at least 0")
    quick = config.quick_mode()
    digits = data.load_digits("train", limit=config.pick(full=None, quick=1000))
    start = time.perf_counter()
    folder = results_dir() if a.out is None else a.out
    runs = []
    for s in a.seeds:
        for m in COMPARED:
            runs.append(train_compared(m, s, digits, {"epochs": a.epochs}))
            # written after every run, so a stopped job leaves the finished runs (``complete`` says whether all are)
            path = save_results(folder, runs, {"mode": "quick" if quick else "full", "seeds": list(a.seeds),
                                               "epochs": a.epochs, "train_digits": len(digits.images),
                                               "complete": len(runs) == len(a.seeds) * len(COMPARED),
                                               "total_seconds": round(time.perf_counter() - start, 1)})
    table = load_results(path.parent)
    print(format_spread(table["table"]))
    print(format_class_fd(table["table"], table["class_fd_floor"]))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
