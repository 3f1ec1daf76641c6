"""The training command: its run folder and logs, determinism across processes, divergence,
Ctrl-C (a real SIGINT), and clear errors on bad input. Crashes at exact points, damaged
checkpoints and resuming bit-identically are tests/test_faults.py's.

Runs that must be independent happen in fresh Python processes, as a user's would.
Each uses the small MLP GAN on a few hundred digits so the whole file takes seconds.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import keras
import numpy as np
import pytest

from gan_lib import checkpoint, metrics, train
from gan_lib.core.callbacks import TrainingDiverged

ROOT = Path(__file__).resolve().parents[1]
SMALL = ["--model", "mlp", "--limit", "512", "--batch-size", "64", "--eval-every", "0", "--seed", "7"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "GAN_COURSE_QUICK": "0", "MPLBACKEND": "Agg"}


def cli(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "gan_lib.train", *args], cwd=ROOT, env=ENV,
                          capture_output=True, text=True, timeout=timeout)


def final_state(run_dir):
    """All arrays of the newest checkpoint (weights, optimizers, RNG state) and the saved samples."""
    header, arrays = checkpoint.read(checkpoint.list_checkpoints(run_dir)[-1])
    return header["epoch"], arrays, np.load(Path(run_dir) / "samples.npy", allow_pickle=False)


def assert_identical(a, b):
    epoch_a, arrays_a, samples_a = a
    epoch_b, arrays_b, samples_b = b
    assert epoch_a == epoch_b
    assert arrays_a.keys() == arrays_b.keys()
    for k in arrays_a:
        assert np.array_equal(arrays_a[k], arrays_b[k]), f"array {k} differs"
    assert np.array_equal(samples_a, samples_b)



@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory):
    """Three 4-epoch runs, each in its own process, all started at once: the reference run (seed 7),
    the same command again and the same with seed 8. ``{name: (run folder, completed process)}``."""
    base = tmp_path_factory.mktemp("cli")
    other = [a if a != "7" else "8" for a in SMALL]
    commands = {"reference": SMALL, "again": SMALL, "other": other}
    procs = {name: subprocess.Popen([sys.executable, "-m", "gan_lib.train", *args, "--epochs", "4",
                                     "--out", str(base / name)], cwd=ROOT, env=ENV,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name, args in commands.items()}
    out = {}
    for name, p in procs.items():
        stdout, stderr = p.communicate(timeout=600)
        out[name] = (base / name, subprocess.CompletedProcess(p.args, p.returncode, stdout, stderr))
    return out


@pytest.fixture(scope="module")
def reference_run(cli_runs):
    """An uninterrupted 4-epoch run, in its own process."""
    out, r = cli_runs["reference"]
    assert r.returncode == 0, r.stderr[-2000:]
    return out, r


def test_run_folder_has_everything(reference_run):
    out, r = reference_run
    for name in ("training.gif", "losses.png", "history.csv", "generator.keras", "discriminator.keras",
                 "samples.npy", "metrics.json", "run_config.json", "samples/epoch_0004.png"):
        assert (out / name).exists(), name
    assert [p.name for p in checkpoint.list_checkpoints(out)] == ["ckpt-00003.npz", "ckpt-00004.npz"]
    samples = np.load(out / "samples.npy", allow_pickle=False)
    assert samples.shape == (2000, 28, 28, 1) and samples.dtype == np.float32
    assert samples.min() >= -1 and samples.max() <= 1
    m = json.loads((out / "metrics.json").read_text())
    assert {"fd", "fd_floor", "classifier_score", "class_shares", "passes", "seconds_per_epoch_median"} <= m.keys()
    assert "Data: shipped MNIST, train split" in r.stdout
    assert "Frechet distance" in r.stdout
    # the clean-digits bar (metrics.CLEAN) with the near-copy check, in metrics.json and printed
    assert set(m["clean"]) == {"fd", "classifier_score", "every_class", "no_near_copies"}
    assert 0.0 <= m["near_copy_share"] <= 1.0 and m["clean_bar"] == metrics.CLEAN
    assert m["clean"]["fd"] is False  # 4 epochs of the MLP on 512 digits: far from clean
    assert "clean-digits bar" in r.stdout and "near-copies" in r.stdout


def tensorboard_events(run_dir) -> dict:
    """{tag: [(step, value), ...]} from a run's TensorBoard logs (scalars as floats, images as shapes)."""
    import tensorflow as tf

    out = {}
    for path in sorted((Path(run_dir) / "tensorboard").glob("events.out.tfevents.*")):
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            for v in event.summary.value:
                arr = tf.make_ndarray(v.tensor)
                meta = v.metadata.plugin_data.plugin_name
                value = (arr.shape if meta == "images" else arr.item().decode() if meta == "text" else float(arr))
                out.setdefault(v.tag, []).append((event.step, value))
    return out


def test_tensorboard_logs_match_the_history(reference_run):
    import csv

    out, _ = reference_run
    events = tensorboard_events(out)
    with open(out / "history.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    for tag in ("d_loss", "g_loss", "d_real", "d_fake"):
        assert [s for s, _ in events[tag]] == [1, 2, 3, 4], tag
        assert [v for _, v in events[tag]] == pytest.approx([float(r[tag]) for r in rows], rel=1e-5), tag
    assert [s for s, _ in events["samples"]] == [1, 2, 3, 4]
    assert events["samples"][0][1][0] == 3  # an encoded PNG grid: width, height and the image
    (step, text), = events["settings"]
    assert step == 1 and "| model | mlp |" in text and "| seed | 7 |" in text


def test_saved_generator_loads_safely_and_samples(reference_run):
    out, _ = reference_run
    g = keras.models.load_model(out / "generator.keras", safe_mode=True)  # what models.load does
    assert g(np.zeros((2, 100), "float32"), training=False).shape == (2, 28, 28, 1)


def test_two_fresh_processes_give_bit_identical_runs(reference_run, cli_runs):
    out, _ = reference_run
    again, r = cli_runs["again"]
    assert r.returncode == 0, r.stderr[-2000:]
    assert_identical(final_state(out), final_state(again))


def test_different_seed_gives_a_different_run(reference_run, cli_runs):
    out, _ = reference_run
    other, r = cli_runs["other"]
    assert r.returncode == 0, r.stderr[-2000:]
    assert json.loads((other / "run_config.json").read_text())["seed"] == 8
    assert not np.array_equal(final_state(out)[2], final_state(other)[2])




def test_ctrl_c_keeps_a_checkpoint_and_says_how_to_resume(tmp_path):
    out = tmp_path / "interrupted"
    p = subprocess.Popen([sys.executable, "-m", "gan_lib.train", *SMALL, "--epochs", "2000", "--out", str(out)],
                         cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while not checkpoint.list_checkpoints(out) and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(0.5)
    p.send_signal(signal.SIGINT)
    stdout, stderr = p.communicate(timeout=60)
    assert p.returncode == 130, stderr[-2000:]
    assert "Interrupted" in stdout and "--resume" in stdout
    assert checkpoint.list_checkpoints(out)
    checkpoint.read(checkpoint.list_checkpoints(out)[-1])


def test_existing_run_is_not_overwritten_without_resume(reference_run):
    out, _ = reference_run
    with pytest.raises(train.RunError, match="already holds a run.*--resume"):
        train.train(model="mlp", epochs=4, out=str(out), limit=512)


def test_resume_with_other_settings_is_refused(reference_run, tmp_path):
    out = tmp_path / "copy"
    out.mkdir()
    src = checkpoint.list_checkpoints(reference_run[0])[-1]
    (out / "checkpoints").mkdir()
    (out / "checkpoints" / src.name).write_bytes(src.read_bytes())
    with pytest.raises(checkpoint.CheckpointError, match="Resume with the same settings"):
        train.train(model="dcgan", epochs=5, out=str(out), limit=512, resume=True, log=lambda *a: None)


def test_checkpoint_for_another_model_is_refused(reference_run):
    g_model = train.build_gan("dcgan", 0, 2e-4, 0.5, "nonsaturating", None)
    with pytest.raises(checkpoint.CheckpointError, match="does not fit|variables"):
        checkpoint.restore(g_model, checkpoint.list_checkpoints(reference_run[0])[-1])


def test_diverging_run_stops_keeps_last_good_checkpoint(tmp_path):
    class PoisonAtEpoch2(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 1:
                w = self.model.generator.get_weights()
                w[0][:] = np.nan
                self.model.generator.set_weights(w)

    out = tmp_path / "nan"
    with pytest.raises(TrainingDiverged, match=r"diverged at epoch 2.*ckpt-00001.npz.*learning rate"):
        train.train(model="mlp", epochs=4, batch_size=64, limit=256, eval_every=0, out=str(out),
                    callbacks=[PoisonAtEpoch2()], log=lambda *a: None)
    assert [p.name for p in checkpoint.list_checkpoints(out)] == ["ckpt-00001.npz"]
    _, arrays = checkpoint.read(checkpoint.list_checkpoints(out)[0])
    assert all(np.all(np.isfinite(a)) for a in arrays.values() if a.dtype.kind == "f")


@pytest.mark.parametrize("kwargs, message", [
    (dict(model="gan9000"), "Unknown model 'gan9000'. Valid models: mlp, tutorial_dcgan, dcgan"),
    (dict(model="cond_dcgan"), "Model 'cond_dcgan' is class-conditional; this command trains unconditional models "
                               "(valid models: mlp, tutorial_dcgan, dcgan, dcgan_deep, dcgan_wide, dcgan_sa, "
                               "dcgan_uniform). "
                               "Conditional models train in lesson 07"),
    (dict(model="cifar_small"), "Model 'cifar_small' makes 32x32x3 images"),
    (dict(data="cifar"), "Unknown data 'cifar'. Valid: shipped, mnist"),
    (dict(loss="l2"), "Unknown loss 'l2'"),
    (dict(epochs=0), "epochs=0: it must be a whole number of at least 1"),
    (dict(epochs=-3), "epochs=-3"),
    (dict(batch_size=0), "batch_size=0"),
    (dict(batch_size=10_000, limit=100), "larger than the data"),
    (dict(lr=-1.0), "learning rate must be positive"),
    (dict(ema_decay=2.0), "ema_decay=2.0"),
])
def test_nonsense_settings_are_refused_before_any_work(tmp_path, kwargs, message):
    with pytest.raises(train.RunError, match=message.replace("(", r"\(").replace(")", r"\)")):
        train.train(out=str(tmp_path / "x"), log=lambda *a: None, **kwargs)


def test_unwritable_output_folder(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    with pytest.raises(train.RunError, match="Cannot write to the output folder.*--out"):
        train.train(out=str(blocker / "run"), log=lambda *a: None)


def test_cli_reports_errors_without_a_traceback(tmp_path):
    r = cli("--model", "nope", "--out", str(tmp_path / "x"))
    assert r.returncode == 2
    assert r.stderr.strip().splitlines()[-1].startswith("error: Unknown model 'nope'. Valid models:")
    assert "Traceback" not in r.stderr


def test_models_load_uses_safe_mode_and_clear_errors(reference_run, tmp_path):
    from gan_lib import models

    out, _ = reference_run
    g = models.load(out / "generator.keras")
    assert g.output_shape == (None, 28, 28, 1)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        models.load(tmp_path / "missing.keras")
    with pytest.raises(ValueError, match="expected a .keras file"):
        models.load(tmp_path / "weights.h5")
    bad = tmp_path / "bad.keras"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="could not be loaded"):
        models.load(bad)
