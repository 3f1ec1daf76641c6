"""``make bench``: how fast the course trains on this machine, and how fast it gets good.

    python benchmarks/bench.py                 # a few minutes; what `make bench` runs
    python benchmarks/bench.py --full          # also re-runs both reference curves (hours on a CPU)
    python benchmarks/bench.py --out benchmarks/results/cpu-2core.txt

It prints, in this order:

1. **The machine**: CPU, cores, Python, TensorFlow and Keras versions, GPUs.
2. **Throughput of every model** in ``gan_lib.models.MODELS`` (the image shape
   comes from each discriminator's input, so new models are picked up), trained
   through the course's ``GAN`` with the course's default settings
   (``gan_lib.train.DEFAULTS``) at two batch sizes: the course's (16) and the
   tutorial's (256). For each: the first step (tracing + compiling + one
   step), then steps/s, images/s and seconds per epoch of 8,000 digits,
   measured over a few seconds of steady training.
3. **Side by side**: the TensorFlow DCGAN tutorial's loop (two GradientTapes
   in a ``tf.function``, batch 256, Adam 1e-4; ``tutorial_reference.make_train_step``)
   against the course's default training (``GAN.fit`` with ``DEFAULTS``), live,
   per step, per image and per epoch, as ratios.
4. **Options** worth measuring on the course's default: XLA
   (``jit_compile=True``) and ``steps_per_execution``.
5. **Time to quality**: wall time until the Frechet distance first reaches a
   stated level, for the course's old default run (``dcgan`` at batch 16) and
   the tutorial recipe, from their committed per-epoch curves
   (``benchmarks/reference/*.json``) with the seconds per step re-measured
   live. ``--full`` re-runs those curves.
6. **Old and new ``make train`` recipes side by side**: FD and classifier score against
   wall time for the old recipe (``dcgan``, batch 16) and the new one
   (``dcgan_deep``, batch 32, ``gan_lib.train.DEFAULTS``), from their curves
   with live seconds per step, and when each first meets the clean-digits bar
   (:data:`gan_lib.measure.metrics.CLEAN`).

Timings are wall-clock on whatever else the machine is doing: the output
prints the load average so a reader can judge.
"""

from __future__ import annotations

import io
import json
import os
import platform
import subprocess
import sys
import time
from contextlib import redirect_stdout
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tutorial_reference as tref  # noqa: E402

from gan_lib import data, metrics, models, train  # noqa: E402
from gan_lib.core.cli import OneLineParser  # noqa: E402

REFERENCE = ROOT / "benchmarks" / "reference" / "tutorial_150.json"
COURSE_CURVE = ROOT / "benchmarks" / "reference" / "course_default.json"  # the old make train: dcgan, batch 16
NEW_CURVE = ROOT / "benchmarks" / "reference" / "make_train_deep.json"   # make train now: dcgan_deep, batch 32
OLD_RECIPE = ("dcgan", 16)  # (model, batch) of the old make train, timed live for its curve
EPOCH_IMAGES = 8000  # the course's training split
TARGET_EPOCHS = 150  # the reference: the TensorFlow tutorial's recipe after 150 epochs


# --------------------------------------------------------------------------- machine


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_lines() -> list[str]:
    gpus = tf.config.list_physical_devices("GPU")
    gpu_names = []
    for g in gpus:
        try:
            gpu_names.append(tf.config.experimental.get_device_details(g).get("device_name", g.name))
        except Exception:  # details are not available on every platform
            gpu_names.append(g.name)
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return [
        f"CPU      {cpu_name()} ({platform.machine()}), {os.cpu_count()} cores visible",
        f"load     {', '.join(f'{x:.1f}' for x in load)} (1/5/15 min averages; above the core count means "
        f"other jobs shared the CPU)" if load else "load     unknown",
        f"software Python {platform.python_version()}, TensorFlow {tf.__version__}, Keras {keras.__version__}, "
        f"{platform.system()} {platform.release()}",
        f"GPU      {', '.join(gpu_names) if gpu_names else 'none (CPU only)'}",
        f"threads  TensorFlow intra-op {tf.config.threading.get_intra_op_parallelism_threads() or 'auto'}, "
        f"inter-op {tf.config.threading.get_inter_op_parallelism_threads() or 'auto'}",
    ]


# --------------------------------------------------------------------------- timing the course's GAN


class GPUUtilisation:
    """Mean GPU utilisation (%) from ``nvidia-smi`` while a ``with`` block runs; ``None`` without one."""

    def __enter__(self):
        import shutil
        import threading

        self.samples, self._stop = [], threading.Event()
        self._thread = None
        if tf.config.list_physical_devices("GPU") and shutil.which("nvidia-smi"):
            self._thread = threading.Thread(target=self._poll, daemon=True)
            self._thread.start()
        return self

    def _poll(self):
        while not self._stop.wait(0.5):
            try:
                r = subprocess.run(["nvidia-smi", "--query-gpu=utilization.gpu", "--format=csv,noheader,nounits"],
                                   capture_output=True, text=True, timeout=5)
                self.samples.append(float(r.stdout.split()[0]))
            except (OSError, ValueError, IndexError, subprocess.SubprocessError):
                return

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=6)

    @property
    def mean(self):
        return float(np.mean(self.samples)) if self.samples else None


class StepClock(keras.callbacks.Callback):
    """Wall-clock time at the start of ``fit`` and after every executed batch."""

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()
        self.ends = []

    def on_train_batch_end(self, batch, logs=None):
        self.ends.append(time.perf_counter())


def images_for(discriminator, n: int, seed: int = 0) -> tuple[np.ndarray, str]:
    """Training images of the discriminator's input shape: the digits, or noise for other shapes."""
    shape = tuple(int(s) for s in discriminator.input_shape[1:])
    if shape == data.IMAGE_SHAPE:
        return data.load_digits("train", verbose=False).images, "MNIST digits"
    # Speed does not depend on the pixels; say plainly that these are not real images.
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (n, *shape)).astype("float32"), f"uniform noise of shape {shape} (speed only)"


def course_gan(model: str, jit_compile=False, steps_per_execution=1):
    """The course's GAN for ``model`` with ``train.DEFAULTS`` (optionally recompiled with options)."""
    d = train.DEFAULTS
    gan = train.build_gan(model, d["seed"], d["lr"], d["beta_1"], d["loss"], d["ema_decay"])
    if jit_compile or steps_per_execution != 1:
        gan.compile(d_optimizer=keras.optimizers.Adam(d["lr"], beta_1=d["beta_1"]),
                    g_optimizer=keras.optimizers.Adam(d["lr"], beta_1=d["beta_1"]), loss=d["loss"],
                    jit_compile=jit_compile, steps_per_execution=steps_per_execution)
    return gan


def set_op_determinism(on: bool) -> None:
    """Turn TensorFlow's op determinism on (what ``make train`` uses) or off.

    Keras silently refuses ``jit_compile=True`` while op determinism is on
    (``keras.src.trainers.trainer.model_supports_jit``), so XLA can only be
    timed with it off. TensorFlow has no public switch to turn it off again.
    """
    from tensorflow.python.framework import config as tf_config

    if on:
        tf.config.experimental.enable_op_determinism()
    else:
        tf_config.disable_op_determinism()


def time_course(model: str, batch: int, budget_s: float = 6.0, jit_compile=False, steps_per_execution=1,
                max_steps: int = 2000, deterministic=True) -> dict:
    """Time ``GAN.fit`` for ``model`` at ``batch``: first step, then steady seconds per step.

    The first ``fit`` runs 3 executions (tracing and compiling happen in the
    first); the second runs for about ``budget_s`` seconds. Seconds per step
    come from the times between executed batches, so ``fit``'s own set-up is
    not counted.
    """
    keras.utils.set_random_seed(0)
    set_op_determinism(deterministic)
    gan = course_gan(model, jit_compile, steps_per_execution)
    if bool(gan.jit_compile) != bool(jit_compile):
        raise RuntimeError(f"Keras set jit_compile={gan.jit_compile} (asked for {jit_compile})")
    spe = steps_per_execution
    images, what = images_for(gan.discriminator, max(EPOCH_IMAGES, batch * 4))
    clock = StepClock()

    def run(steps):
        epochs = -(-steps // (len(images) // batch))
        ds = data.training_batches(images, batch, 0, 0, epochs)
        gan.fit(ds, epochs=1, steps_per_epoch=steps, callbacks=[clock], verbose=0, shuffle=False)
        return np.diff([clock.start] + clock.ends)

    gaps = run(3 * spe)
    first = float(gaps[0])
    est = float(np.median(gaps[1:])) / spe
    steps = int(np.clip(budget_s / est, 10 * spe, max_steps)) // spe * spe
    with GPUUtilisation() as gpu:
        gaps = run(steps)
    per_step = float(np.sum(gaps[1:])) / (steps - spe)  # drop the first execution of the new fit
    return {"gpu_util": gpu.mean, "model": model, "batch": batch, "first_s": first, "s_per_step": per_step,
            "steps": steps, "data": what, "image_shape": tuple(int(s) for s in gan.discriminator.input_shape[1:]),
            "jit_compile": bool(gan.jit_compile), "steps_per_execution": spe, "deterministic": deterministic}


def time_tutorial(budget_s: float = 6.0, xla=False, batch: int = tref.BATCH) -> dict:
    """Time the tutorial's own loop (``tutorial_reference.make_train_step``) on the digits."""
    keras.utils.set_random_seed(0)
    images = data.load_digits("train", verbose=False).images
    g, d = models.tutorial_dcgan(tref.NOISE_DIM)
    g_opt, d_opt = keras.optimizers.Adam(tref.LR), keras.optimizers.Adam(tref.LR)
    step = tref.make_train_step(g, d, g_opt, d_opt, tf.random.Generator.from_seed(0), xla)
    rng = np.random.default_rng(0)

    def batches(k):
        return [tf.constant(images[rng.choice(len(images), batch, replace=False)]) for _ in range(k)]

    b = batches(1)[0]
    t0 = time.perf_counter()
    float(step(b)[0])
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    float(step(b)[0])
    est = time.perf_counter() - t0
    steps = int(np.clip(budget_s / est, 8, 500))
    bs = batches(steps)
    t0 = time.perf_counter()
    for b in bs:
        out = step(b)
    float(out[0])
    per_step = (time.perf_counter() - t0) / steps
    return {"model": "tutorial loop", "batch": batch, "first_s": first, "s_per_step": per_step, "steps": steps,
            "xla": xla}


def rate_row(r: dict) -> str:
    ips = r["batch"] / r["s_per_step"]
    epoch = EPOCH_IMAGES / ips
    gpu = f"   GPU busy {r['gpu_util']:.0f}%" if r.get("gpu_util") is not None else ""
    return (f"{r['model']:<24} {r['batch']:>5} {r['first_s']:>9.1f} {1 / r['s_per_step']:>8.1f} "
            f"{ips:>9.0f} {epoch:>9.1f} {r['steps']:>6}{gpu}")


RATE_HEADER = (f"{'model':<24} {'batch':>5} {'first s':>9} {'steps/s':>8} {'images/s':>9} "
               f"{'s/epoch':>9} {'timed':>6}")


# --------------------------------------------------------------------------- time to quality


def first_epoch(curve: list[dict], ok) -> dict | None:
    for row in curve:
        if row.get("fd") is not None and ok(row):
            return row
    return None


def passes(row: dict) -> bool:
    """The course's pass bar (metrics.THRESHOLDS): FD, classifier score and every class present."""
    t = metrics.THRESHOLDS
    return (row["fd"] <= t["fd_max"] and row["classifier_score"] >= t["score_min"]
            and row["min_class_share"] >= t["min_class_share"])


def fmt_time(s: float) -> str:
    if s is None:
        return "n/a"
    m, s = divmod(int(round(s)), 60)
    h, m = divmod(m, 60)
    return f"{h} h {m:02d} min" if h else f"{m} min {s:02d} s"


def time_to_quality(course_s_per_step: float, tutorial_s_per_step: float, out) -> dict:
    ref = json.loads(REFERENCE.read_text()) if REFERENCE.exists() else None
    cur = json.loads(COURSE_CURVE.read_text()) if COURSE_CURVE.exists() else None
    if ref is None or cur is None:
        missing = [str(p.relative_to(ROOT)) for p, x in ((REFERENCE, ref), (COURSE_CURVE, cur)) if x is None]
        out(f"  (missing {', '.join(missing)}: run `make bench FULL=1` to make the curves)")
        return {}
    ref_curve = [r for r in ref["epochs"] if r.get("fd") is not None]
    n_ref = len(ref["epochs"])
    ref_steps = ref["steps_per_epoch"]
    # 31 full batches and one of 64: count the last by its size (fair to the tutorial)
    ref_epoch_live = EPOCH_IMAGES / tref.BATCH * tutorial_s_per_step
    ref_epoch_recorded = float(np.median([r["seconds"] for r in ref["epochs"]]))
    cur_steps = cur["steps_per_epoch"]
    cur_epoch_live = cur_steps * course_s_per_step
    cur_epoch_recorded = float(np.median([r["seconds"] for r in cur["epochs"]]))
    out(f"  tutorial recipe: {REFERENCE.relative_to(ROOT)}: {n_ref} of {TARGET_EPOCHS} epochs recorded"
        + ("" if n_ref >= TARGET_EPOCHS else " (a partial curve: figures below use the epochs it has)")
        + f"; {ref_steps} steps/epoch; XLA {'on' if ref.get('xla', True) else 'off'}")
    out(f"    recorded on: {ref['machine']}; median {ref_epoch_recorded:.1f} s/epoch then, "
        f"{ref_epoch_live:.1f} s/epoch re-measured now (the faster tutorial variant)")
    out(f"  old default:  {COURSE_CURVE.relative_to(ROOT)}: {len(cur['epochs'])} epochs, {cur_steps} steps/epoch")
    out(f"    recorded on: {cur['machine']}; median {cur_epoch_recorded:.1f} s/epoch then, "
        f"{cur_epoch_live:.1f} s/epoch re-measured now")

    last = ref_curve[-1]
    best = min(ref_curve, key=lambda r: r["fd"])
    levels = [(f"FD <= {best['fd']:.1f} (the tutorial's best, epoch {best['epoch']})",
               lambda r, v=best["fd"]: r["fd"] <= v),
              (f"FD <= {last['fd']:.1f} (the tutorial's last, epoch {last['epoch']})",
               lambda r, v=last["fd"]: r["fd"] <= v),
              (f"FD <= {metrics.THRESHOLDS['fd_max']:g} (the course's pass level)",
               lambda r: r["fd"] <= metrics.THRESHOLDS["fd_max"]),
              ("pass bar: FD, classifier score and every class (metrics.THRESHOLDS)", passes)]
    out("")
    out(f"  {'level':<66} {'tutorial':>20} {'old default':>20} {'ratio':>7}")
    results = {}
    for name, ok in levels:
        r, c = first_epoch(ref_curve, ok), first_epoch(cur["epochs"], ok)
        rt = r["epoch"] * ref_epoch_live if r else None
        ct = c["epoch"] * cur_epoch_live if c else None
        rs = f"{fmt_time(rt)} (ep {r['epoch']})" if r else f"not in {n_ref} ep"
        cs = f"{fmt_time(ct)} (ep {c['epoch']})" if c else f"not in {len(cur['epochs'])} ep"
        ratio = f"{rt / ct:.1f}x" if (rt and ct) else "-"
        out(f"  {name:<66} {rs:>20} {cs:>20} {ratio:>7}")
        results[name] = {"tutorial_s": rt, "course_s": ct}
    full_ref = TARGET_EPOCHS * ref_epoch_live
    out("")
    out(f"  Goal: reach the tutorial's quality after {TARGET_EPOCHS} epochs in at most a tenth of its wall time.")
    out(f"    tutorial, {TARGET_EPOCHS} epochs at {ref_epoch_live:.1f} s/epoch: {fmt_time(full_ref)}; a tenth: "
        f"{fmt_time(full_ref / 10)}")
    if n_ref < TARGET_EPOCHS:
        out(f"    NOT JUDGED YET: the reference curve has {n_ref} of {TARGET_EPOCHS} epochs (its FD at epoch "
            f"{last['epoch']} is {last['fd']:.1f}); finish it with `make bench FULL=1`. Against the epochs it has:")
    c = first_epoch(cur["epochs"], lambda r: r["fd"] <= best["fd"])
    if c:
        ct = c["epoch"] * cur_epoch_live
        verdict = "met" if ct <= full_ref / 10 else "NOT met"
        out(f"    old default reaches FD {c['fd']:.1f} <= {best['fd']:.1f} (the tutorial's best) at epoch "
            f"{c['epoch']}: {fmt_time(ct)} = 1/{full_ref / ct:.0f} of the tutorial's {TARGET_EPOCHS} epochs"
            + (f" -> {verdict}" if n_ref >= TARGET_EPOCHS else f" ({verdict.lower()} so far)"))
    else:
        out(f"    old default never reaches FD {best['fd']:.1f} in its {len(cur['epochs'])} epochs -> NOT met")
    p = first_epoch(cur["epochs"], passes)
    out("  Goal: clean digits of every class in about 5 min: old default passes the bar at "
        + (f"epoch {p['epoch']}, {fmt_time(p['epoch'] * cur_epoch_live)} of training" if p else "no epoch"))
    return results


def clean(row: dict) -> bool:
    """make train's clean-digits bar (metrics.CLEAN) on a curve row: FD, score and every class.

    The near-copy figure is in the new recipe's curve only every few epochs, so it is
    reported beside the table rather than required here.
    """
    t = metrics.CLEAN
    return (row["fd"] <= t["fd_max"] and row["classifier_score"] >= t["score_min"]
            and row["min_class_share"] >= t["min_class_share"])


def new_recipe() -> tuple[str, int]:
    """(model, batch) of the new recipe's curve (NEW_CURVE's settings), to time it live."""
    if NEW_CURVE.exists():
        st = json.loads(NEW_CURVE.read_text()).get("settings", {})
        return st.get("model", "dcgan_deep"), int(st.get("batch_size", 32))
    return "dcgan_deep", 32


def side_by_side(old_s_per_step: float, new_s_per_step: float, out) -> dict:
    """The old and new ``make train`` recipes' curves in one table: FD and score against wall time.

    Each row's time is ``epoch x steps per epoch x the live seconds per step`` of its
    recipe, so both columns are on this machine today. Returns the seconds each recipe
    takes to first meet the pass bar and the clean bar (``None``: not in its curve).
    """
    old = json.loads(COURSE_CURVE.read_text()) if COURSE_CURVE.exists() else None
    new = json.loads(NEW_CURVE.read_text()) if NEW_CURVE.exists() else None
    if old is None or new is None:
        missing = [str(p.relative_to(ROOT)) for p, x in ((COURSE_CURVE, old), (NEW_CURVE, new)) if x is None]
        out(f"  (missing {', '.join(missing)}: run `make bench FULL=1` to make the curves)")
        return {}
    per_epoch = {"old": old["steps_per_epoch"] * old_s_per_step, "new": new["steps_per_epoch"] * new_s_per_step}
    out(f"  old: {COURSE_CURVE.relative_to(ROOT)} ({old['recipe'].split(':')[0]}); {old['steps_per_epoch']} "
        f"steps/epoch, {per_epoch['old']:.1f} s/epoch now")
    out(f"  new: {NEW_CURVE.relative_to(ROOT)} ({new['recipe'].split(':')[0]}); {new['steps_per_epoch']} "
        f"steps/epoch, {per_epoch['new']:.1f} s/epoch now")
    out(f"  recorded on: old {old['machine']}; new {new['machine']}")
    out("")
    half = f"{'epoch':>5} {'time':>12} {'FD':>7} {'score':>6} {'min share':>9}"
    st = new.get("settings", {})
    new_label = f"new ({st.get('model', '?')}, batch {st.get('batch_size', '?')})"
    out(f"  {'old make train (dcgan, batch 16)':<45}   {new_label:<45}")
    out(f"  {half}   {half}")

    def cell(row, key):
        if row is None:
            return " " * len(half)
        return (f"{row['epoch']:>5} {fmt_time(row['epoch'] * per_epoch[key]):>12} {row['fd']:>7.2f} "
                f"{row['classifier_score']:>6.2f} {row['min_class_share']:>9.3f}")

    o, n = old["epochs"], new["epochs"]
    for i in range(max(len(o), len(n))):
        out(f"  {cell(o[i] if i < len(o) else None, 'old')}   {cell(n[i] if i < len(n) else None, 'new')}")
    out("")
    t = metrics.CLEAN
    results = {}
    for label, ok in ((f"pass bar (metrics.THRESHOLDS: FD <= {metrics.THRESHOLDS['fd_max']:g}, ...)", passes),
                      (f"clean bar (metrics.CLEAN: FD <= {t['fd_max']:g}, score >= {t['score_min']:g}, "
                       f"every digit >= {t['min_class_share']:g})", clean)):
        found = {k: first_epoch(c["epochs"], ok) for k, c in (("old", old), ("new", new))}
        secs = {k: (r["epoch"] * per_epoch[k] if r else None) for k, r in found.items()}
        text = {k: (f"{fmt_time(secs[k])} (ep {found[k]['epoch']})" if found[k]
                    else f"not in {len(c['epochs'])} ep") for k, c in (("old", old), ("new", new))}
        out(f"  first meets the {label}: old {text['old']}, new {text['new']}")
        results[label] = secs
    copies = [r for r in n if r.get("near_copy_share") is not None]
    if copies:
        out(f"  new recipe's near-copies (share nearer a training digit than 99% of held-out digits; new digits "
            f"~0.01): {copies[-1]['near_copy_share']:.3f} at epoch {copies[-1]['epoch']} "
            f"(pass at <= {t['near_copy_max']:g})")
    return results


# --------------------------------------------------------------------------- main


def run_full(out):
    """Re-run both reference curves (what ``make bench FULL=1`` adds)."""
    py = sys.executable
    for recipe in ("dcgan", "deep"):
        out(f"Re-running the {recipe} recipe's curve (benchmarks/course_curve.py --recipe {recipe}) ...")
        subprocess.run([py, str(ROOT / "benchmarks" / "course_curve.py"), "--recipe", recipe], check=True, cwd=ROOT)
    # A partial reference curve (stopped run) is continued; a complete one is re-run from scratch.
    ckpt = REFERENCE.with_name(REFERENCE.stem + ".ckpt.npz")
    partial = REFERENCE.exists() and len(json.loads(REFERENCE.read_text())["epochs"]) < TARGET_EPOCHS
    resume = ["--resume"] if (partial and ckpt.exists()) else []
    out(f"{'Continuing' if resume else 'Re-running'} the tutorial reference (benchmarks/tutorial_reference.py "
        f"{' '.join(resume)}; hours on 2 CPU cores, minutes on a GPU) ...")
    subprocess.run([py, str(ROOT / "benchmarks" / "tutorial_reference.py"), "--epochs", str(TARGET_EPOCHS),
                    "--xla", "--out", str(REFERENCE), *resume], check=True, cwd=ROOT)


def check_args(p, a) -> None:
    """Refuse bad values before minutes of measuring: one ``error:`` line and exit code 2 (``p.error``)."""
    if not a.budget > 0:
        p.error(f"--budget {a.budget}: give a positive number of seconds, e.g. 6")
    bad = [b for b in a.batches if b < 1 or b > EPOCH_IMAGES]
    if bad:
        p.error(f"--batches {' '.join(map(str, bad))}: each batch size must be from 1 to {EPOCH_IMAGES:,}")
    unknown = [m for m in (a.models or []) if m not in models.MODELS]
    if unknown:
        p.error(f"--models {' '.join(unknown)}: unknown; valid models: {', '.join(models.MODELS)}")
    if a.out:
        out = Path(a.out)
        if out.is_dir():
            p.error(f"--out {a.out} is a folder; give a file name such as benchmarks/results/my-machine.txt")
        folder = out.parent
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
            p.error(f"--out {a.out}: cannot write there ({folder} is not a writable folder); choose another file")


def main(argv=None) -> int:
    p = OneLineParser(prog="python benchmarks/bench.py", description=__doc__.split("\n")[0])
    p.add_argument("--full", action="store_true", help="re-run the reference curves first (hours on a CPU)")
    p.add_argument("--budget", type=float, default=6.0, help="seconds of steady training per measurement")
    p.add_argument("--models", nargs="*", help=f"models to time (default: all of {', '.join(models.MODELS)})")
    p.add_argument("--batches", nargs="*", type=int, default=[train.DEFAULTS["batch_size"], tref.BATCH])
    p.add_argument("--skip-options", action="store_true", help="skip the XLA / steps_per_execution section")
    p.add_argument("--out", help="also write the report to this file")
    a = p.parse_args(argv)
    check_args(p, a)
    lines = []

    def out(s=""):
        print(s, flush=True)
        lines.append(s)

    if a.full:
        run_full(out)
    t_start = time.perf_counter()
    out(f"make bench  ({time.strftime('%Y-%m-%d %H:%M %Z')})")
    out("")
    out("== Machine")
    for line in machine_lines():
        out("  " + line)

    names = a.models or list(models.MODELS)
    out("")
    out(f"== Throughput: the course's GAN.fit with gan_lib.train.DEFAULTS (Adam {train.DEFAULTS['lr']:g}/"
        f"{train.DEFAULTS['beta_1']:g}, EMA {train.DEFAULTS['ema_decay']}), per model and batch size")
    out("   first s = tracing + compiling + the first step; s/epoch = 8,000 images; timed = steps measured")
    out("  " + RATE_HEADER)
    rows = {}
    for name in names:
        for batch in a.batches:
            with redirect_stdout(io.StringIO()):
                r = time_course(name, batch, a.budget)
            rows[name, batch] = r
            note = "" if r["data"] == "MNIST digits" else f"   [{r['data']}]"
            out("  " + rate_row(r) + note)

    out("")
    out("== Side by side: the TensorFlow DCGAN tutorial's loop vs the course's default training (live)")
    tut = {x: time_tutorial(a.budget, xla=x) for x in (False, True)}
    d = train.DEFAULTS
    course = rows.get((d["model"], d["batch_size"])) or time_course(d["model"], d["batch_size"], a.budget)
    out("  " + RATE_HEADER)
    for x, r in tut.items():
        out("  " + rate_row({**r, "model": f"tutorial{' +XLA' if x else ''}"}))
    out("  " + rate_row({**course, "model": "course default"}))
    # Compare with the faster of the tutorial's two variants (the reference run itself used XLA):
    # the conservative choice for any claim that the course is faster.
    fast_xla = tut[True]["s_per_step"] < tut[False]["s_per_step"]
    t = tut[fast_xla]
    out(f"  course default ({d['model']}, batch {d['batch_size']}) vs the faster tutorial variant, "
        f"tutorial{' +XLA' if fast_xla else ''} (tutorial_dcgan, batch {tref.BATCH}):")
    out(f"    per step : course {course['s_per_step'] * 1000:.1f} ms, tutorial {t['s_per_step'] * 1000:.0f} ms "
        f"-> the course's step is {t['s_per_step'] / course['s_per_step']:.1f}x faster")
    ci, ti = d["batch_size"] / course["s_per_step"], tref.BATCH / t["s_per_step"]
    out(f"    per image: course {ci:.0f} images/s, tutorial {ti:.0f} images/s -> ratio course/tutorial {ci / ti:.2f}")
    out(f"    per epoch of 8,000 digits: course {EPOCH_IMAGES // d['batch_size']} steps = "
        f"{EPOCH_IMAGES // d['batch_size'] * course['s_per_step']:.1f} s, tutorial "
        f"{-(-EPOCH_IMAGES // tref.BATCH)} steps (the last of 64) = "
        f"{EPOCH_IMAGES / tref.BATCH * t['s_per_step']:.1f} s")

    if not a.skip_options:
        out("")
        out(f"== Options on the course default ({d['model']}, batch {d['batch_size']}); kept only if faster")
        out("   det = TensorFlow op determinism (make train turns it on; Keras refuses XLA while it is on)")
        out("  " + RATE_HEADER + "   vs default")
        for jit, spe, det in ((False, 1, False), (True, 1, False), (False, 10, True), (True, 10, False)):
            label = f"{'XLA' if jit else 'no XLA'}, spe {spe}, det {'on' if det else 'off'}"
            try:
                with redirect_stdout(io.StringIO()):
                    r = time_course(d["model"], d["batch_size"], a.budget, jit_compile=jit, steps_per_execution=spe,
                                    deterministic=det)
                out("  " + rate_row({**r, "model": label}) + f"   {course['s_per_step'] / r['s_per_step']:.2f}x")
            except Exception as e:  # e.g. an op XLA cannot compile
                out(f"  {label}: failed ({type(e).__name__}: {str(e)[:120]})")
        set_op_determinism(True)

    old_model, old_batch = OLD_RECIPE
    if (old_model, old_batch) in rows:
        old = rows[old_model, old_batch]
    else:
        with redirect_stdout(io.StringIO()):
            old = time_course(old_model, old_batch, a.budget)
    out("")
    out("== Time to quality (FD at n=2,000 against the held-out digits; per-epoch curves, seconds re-measured now)")
    out(f"   the course's curve here is the OLD make train ({old_model}, batch {old_batch}: "
        f"{old['s_per_step'] * 1000:.1f} ms/step now)")
    time_to_quality(old["s_per_step"], t["s_per_step"], out)
    out("")
    out("== Old and new make train side by side (curves of seed 0; times = epochs x steps x seconds per step now)")
    new_model, new_batch = new_recipe()
    if (new_model, new_batch) in rows:
        new = rows[new_model, new_batch]
    else:
        with redirect_stdout(io.StringIO()):
            new = time_course(new_model, new_batch, a.budget)
    side_by_side(old["s_per_step"], new["s_per_step"], out)
    out("")
    out(f"(make bench took {fmt_time(time.perf_counter() - t_start)})")
    if a.out:
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        Path(a.out).write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
