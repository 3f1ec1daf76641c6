"""Fault injection: crashes at exact points, divergence, a full disk, damaged checkpoints, bad input.

Every case must end in a correct recovery (bit-identical to an uninterrupted run)
or a clear message, with nothing the user trained lost. Crashes are placed with
the ``GAN_LIB_FAULT`` hook (the process SIGKILLs itself at a named point), so no
test depends on timing. The runs are tiny (the MLP GAN, 256 digits, 4 steps an
epoch, 3 epochs); killed runs happen in their own processes, started together,
and every resume happens in this process (as fast as it gets: no second import
of TensorFlow).
"""

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
from test_train import tensorboard_events

from gan_lib import train
from gan_lib.core import checkpoint
from gan_lib.core.callbacks import TrainingDiverged

ROOT = Path(__file__).resolve().parents[1]
SMALL = dict(model="mlp", limit=256, batch_size=64, eval_every=0, seed=7)
CLI_SMALL = ["--model", "mlp", "--limit", "256", "--batch-size", "64", "--eval-every", "0", "--seed", "7"]
EPOCHS = 3
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
       "GAN_COURSE_QUICK": "0", "MPLBACKEND": "Agg"}
ENV.pop(checkpoint.FAULT_ENV, None)
KILL_POINTS = {"mid-epoch": "step:2:2", "checkpoint-write": "checkpoint-write:2", "final-outputs": "final-outputs"}


def quiet(*args):
    pass


def start_cli(out, *extra, fault=None):
    env = dict(ENV) if fault is None else {**ENV, checkpoint.FAULT_ENV: fault}
    return subprocess.Popen([sys.executable, "-m", "gan_lib.train", *CLI_SMALL, "--epochs", str(EPOCHS),
                             "--out", str(out), *extra], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def state(run_dir):
    """The newest checkpoint's epoch and arrays, and the run's samples.npy."""
    header, arrays = checkpoint.read(checkpoint.list_checkpoints(run_dir)[-1])
    return header["epoch"], arrays, np.load(Path(run_dir) / "samples.npy", allow_pickle=False)


def assert_identical(a, b):
    assert a[0] == b[0]
    assert a[1].keys() == b[1].keys()
    for k in a[1]:
        assert np.array_equal(a[1][k], b[1][k]), f"array {k} differs"
    assert np.array_equal(a[2], b[2])


def names(run_dir):
    return [p.name for p in checkpoint.list_checkpoints(run_dir)]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """An uninterrupted run, one run SIGKILLed at each fault point and the full-disk run, all at once."""
    base = tmp_path_factory.mktemp("faults")
    procs = {name: start_cli(base / name, fault=point) for name, point in KILL_POINTS.items()}
    (base / "disk_full.py").write_text(DISK_FULL_DRIVER)
    procs["disk-full"] = subprocess.Popen([sys.executable, str(base / "disk_full.py"), *CLI_SMALL, "--epochs", "2",
                                          "--out", str(base / "disk-full")], cwd=ROOT, env=ENV,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # The uninterrupted run happens here, meanwhile (test_train checks runs across processes are identical).
    train.train(epochs=EPOCHS, out=str(base / "reference"), log=quiet, **SMALL)
    done = {name: (p, *p.communicate(timeout=600)) for name, p in procs.items()}
    disk_full = done.pop("disk-full")
    (base / "disk-full.json").write_text(json.dumps([disk_full[0].returncode, disk_full[2]]))
    for name, (p, _, err) in done.items():
        assert p.returncode == -signal.SIGKILL, (name, err[-2000:])
    return base


def copy_run(runs, name, tmp_path):
    dst = tmp_path / name
    shutil.copytree(runs / name, dst)
    return dst


# ---------------------------------------------------------------------------- SIGKILL, then --resume


@pytest.mark.parametrize("name, kept", [("mid-epoch", ["ckpt-00001.npz"]),
                                        ("checkpoint-write", ["ckpt-00001.npz"]),
                                        ("final-outputs", ["ckpt-00002.npz", "ckpt-00003.npz"])])
def test_sigkill_then_resume_is_bit_identical(runs, tmp_path, name, kept):
    out = copy_run(runs, name, tmp_path)
    assert names(out) == kept  # a killed write never became a checkpoint
    for path in checkpoint.list_checkpoints(out):
        checkpoint.read(path)  # every checkpoint left behind is readable
    assert not (out / "samples.npy").exists()  # the final outputs never got that far
    if name == "final-outputs":  # killed after the generator was saved: that file is whole
        assert keras.models.load_model(out / "generator.keras", safe_mode=True).output_shape == (None, 28, 28, 1)
    lines = []
    train.train(out=str(out), resume=True, log=lines.append)  # the run's settings come from run_config.json
    loaded = kept[-1]
    assert f"({loaded})" in "\n".join(lines)
    assert_identical(state(runs / "reference"), state(out))
    assert not list((out / "checkpoints").glob(".tmp-*")) and not list(out.glob(".tmp-*"))
    if name == "mid-epoch":  # the resumed run continues the history and the logs: no epoch repeated or reset
        history = checkpoint.read(checkpoint.list_checkpoints(out)[-1])[0]["history"]
        assert [h["epoch"] for h in history] == [1, 2, 3]
        events = tensorboard_events(out)
        assert [s for s, _ in events["g_loss"]] == [1, 2, 3]
        assert [s for s, _ in events["settings"]] == [1, 2]  # written at the start and at the resume


# ---------------------------------------------------------------------------- divergence


class Poison(keras.callbacks.Callback):
    """Make some variables NaN at one step of one epoch (before or after the step runs)."""

    def __init__(self, epoch, batch, when, what="generator"):
        super().__init__()
        self.epoch, self.batch, self.when, self.what = epoch, batch, when, what
        self._epoch = None

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def _poison(self, batch):
        if (self._epoch, batch) == (self.epoch, self.batch):
            variables = (self.model.generator.trainable_weights if self.what == "generator"
                         else [v for v in self.model.d_optimizer.variables if "float" in str(v.dtype)])
            for v in variables:
                v.assign(np.full(v.shape, np.nan, v.dtype))

    def on_train_batch_begin(self, batch, logs=None):
        if self.when == "before":
            self._poison(batch)

    def on_train_batch_end(self, batch, logs=None):
        if self.when == "after":
            self._poison(batch)


@pytest.mark.parametrize("poison, message", [
    # the case a guard on the logged losses misses: the last step's loss is finite, the weights are not
    (Poison(2, 3, "after"), r"epoch 3, step 4 of 4: \d+ of its variables became NaN or inf \(first: generator/"),
    (Poison(2, 3, "after", what="optimizer"), r"epoch 3, step 4 of 4: \d+ of its variables .*d_optimizer/"),
    (Poison(2, 0, "before"), r"epoch 3, step 1 of 4: its losses became"),
    (Poison(2, 3, "before"), r"epoch 3, step 4 of 4: its losses became"),
])
def test_divergence_keeps_the_last_finite_checkpoints_and_writes_no_output(tmp_path, poison, message):
    out = tmp_path / "nan"
    with pytest.raises(TrainingDiverged, match=message + r".*Kept the last good checkpoint, ckpt-00002.npz.*--lr"):
        train.train(epochs=EPOCHS, out=str(out), callbacks=[poison], log=quiet, **SMALL)
    assert names(out) == ["ckpt-00001.npz", "ckpt-00002.npz"]  # keep=2 deleted neither finite one
    for path in checkpoint.list_checkpoints(out):
        assert not checkpoint.nonfinite(checkpoint.read(path)[1].items())
    for name in ("generator.keras", "discriminator.keras", "samples.npy", "metrics.json"):
        assert not (out / name).exists(), name
    assert not (out / "samples" / "epoch_0003.png").exists()


def test_a_huge_learning_rate_is_stopped_with_a_finite_checkpoint(tmp_path):
    out = tmp_path / "lr"
    with pytest.raises(TrainingDiverged, match=r"diverged at epoch 1, step \d of 4: its losses became .*nan.*"
                                               r"before its first checkpoint, so there is none.*--lr"):
        train.train(**SMALL, epochs=3, lr=1e9, out=str(out), log=quiet)
    assert checkpoint.list_checkpoints(out) == []
    assert not (out / "generator.keras").exists() and not (out / "samples.npy").exists()


def test_checkpoint_save_refuses_a_nonfinite_state(tmp_path):
    gan = train.build_gan("mlp", 7, 5e-4, 0.5, "nonsaturating", 0.999)
    w = gan.generator.weights[0]
    w.assign(np.full(w.shape, np.inf, "float32"))
    with pytest.raises(checkpoint.NonFiniteState, match="epoch 5.*generator/000"):
        checkpoint.save(gan, tmp_path, 5, [], {})
    assert names(tmp_path) == [] and not list(checkpoint.checkpoint_dir(tmp_path).iterdir())


# ---------------------------------------------------------------------------- a full disk


DISK_FULL_DRIVER = """
import functools, resource, signal, sys, keras
from gan_lib import train

class FillTheDiskAfterEpoch1(keras.callbacks.Callback):  # runs after the checkpoint of epoch 1 is written
    def on_epoch_end(self, epoch, logs=None):
        if epoch == 0:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG), no kill
            resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, resource.RLIM_INFINITY))  # a checkpoint: ~3 MB

train.train = functools.partial(train.train, callbacks=[FillTheDiskAfterEpoch1()])  # what main() calls
sys.exit(train.main(sys.argv[1:]))
"""


def test_a_full_disk_gives_a_clear_error_and_keeps_the_previous_checkpoint(runs):
    out = runs / "disk-full"
    code, err = json.loads((runs / "disk-full.json").read_text())
    assert code == 2, err[-2000:]
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("error: Could not write the checkpoint of epoch 2")
    assert "ckpt-00001.npz is intact" in last and "--resume" in last
    assert names(out) == ["ckpt-00001.npz"]
    header, arrays = checkpoint.read(out / "checkpoints" / "ckpt-00001.npz")
    assert header["epoch"] == 1 and not checkpoint.nonfinite(arrays.items())
    assert not list((out / "checkpoints").glob(".tmp-*"))  # the failed write cleaned up after itself


# ---------------------------------------------------------------------------- damaged or foreign checkpoints


@pytest.mark.parametrize("damage", ["truncated", "zero-byte"])
def test_a_damaged_latest_checkpoint_falls_back_and_says_which_it_loaded(runs, tmp_path, damage):
    out = copy_run(runs, "reference", tmp_path)
    latest = out / "checkpoints" / "ckpt-00003.npz"
    latest.write_bytes(latest.read_bytes()[: latest.stat().st_size // 2] if damage == "truncated" else b"")
    (out / "samples.npy").unlink()
    config = json.loads((out / "run_config.json").read_text())
    del config["limit"]  # as written before the limit was stored: resume infers it from train_images
    (out / "run_config.json").write_text(json.dumps(config))
    lines = []
    train.train(out=str(out), resume=True, log=lines.append)
    text = "\n".join(lines)
    assert "ckpt-00003.npz is unreadable" in text and "Falling back" in text
    assert "Resuming from epoch 2 (ckpt-00002.npz)" in text
    assert_identical(state(runs / "reference"), state(out))


def test_all_checkpoints_damaged_is_a_clear_error(runs, tmp_path):
    out = copy_run(runs, "reference", tmp_path)
    for path in checkpoint.list_checkpoints(out):
        path.write_bytes(b"")
    with pytest.raises(checkpoint.CheckpointError, match="all damaged.*another --out"):
        train.train(out=str(out), resume=True, log=quiet)


def test_a_checkpoint_of_another_model_or_latent_size_is_refused(runs, tmp_path):
    ckpt = checkpoint.list_checkpoints(runs / "reference")[-1]
    other_latent = train.build_gan("mlp", 7, 5e-4, 0.5, "nonsaturating", 0.999, latent_dim=64)
    with pytest.raises(checkpoint.CheckpointError,
                       match="does not fit.*'mlp', latent size 100; this model has latent size 64"):
        checkpoint.restore(other_latent, ckpt)
    other_model = train.build_gan("dcgan", 7, 5e-4, 0.5, "nonsaturating", 0.999)
    with pytest.raises(checkpoint.CheckpointError, match="does not fit|variables"):
        checkpoint.restore(other_model, ckpt)
    # A run folder whose checkpoint came from another run: the message names the settings that differ.
    out = tmp_path / "foreign"
    (out / "checkpoints").mkdir(parents=True)
    shutil.copy(ckpt, out / "checkpoints" / ckpt.name)
    with pytest.raises(checkpoint.CheckpointError, match=r"other settings: batch_size 64 \(this run: 32\)"):
        train.train(**{**SMALL, "batch_size": 32}, epochs=EPOCHS, out=str(out), resume=True, log=quiet)


# ---------------------------------------------------------------------------- resume and Ctrl-C


def test_resume_hint_after_ctrl_c_works_exactly_as_printed(runs, tmp_path, capsys):
    class CtrlC(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise KeyboardInterrupt

    out = tmp_path / "stopped run"  # a space: the printed command must quote it
    lines = []
    with pytest.raises(KeyboardInterrupt):
        train.train(epochs=EPOCHS, out=str(out), callbacks=[CtrlC()], log=lines.append, **SMALL)
    hint = next(line for line in lines if "Resume with:" in line).split("Resume with:", 1)[1].split("  (")[0]
    argv = shlex.split(hint.strip())
    assert argv[:3] == ["python", "-m", "gan_lib.train"]
    assert train.main(argv[3:]) == 0
    assert_identical(state(runs / "reference"), state(out))


def test_resume_with_a_different_flag_names_it(runs, tmp_path, capsys):
    out = copy_run(runs, "reference", tmp_path)
    assert train.main(["--out", str(out), "--resume", "--lr", "0.001", "--seed", "7"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "lr 0.001 (the run has 0.0005)" in err and "seed" not in err  # seed 7 agrees with the run


# ---------------------------------------------------------------------------- bad CLI values


@pytest.mark.parametrize("setup, args, env, message", [
    (None, ["--limit", "0"], {}, "limit=0: it must be a whole number of at least 1"),
    (None, ["--eval-every", "-1"], {}, "eval_every=-1"),
    (None, ["--batch-size", "500", "--limit", "100"], {}, "batch_size=500 is larger than the data (100 images)"),
    (None, ["--epochs", "many"], {}, "argument --epochs: invalid int value: 'many'"),
    (None, [], {"GAN_COURSE_QUICK": "maybe"}, "GAN_COURSE_QUICK='maybe' is not understood"),
    (None, [], {"GAN_COURSE_LONG": "maybe"}, "GAN_COURSE_LONG='maybe' is not understood"),
    (None, [], {"GAN_COURSE_QUICK": "1", "GAN_COURSE_LONG": "1"}, "GAN_COURSE_QUICK and GAN_COURSE_LONG are both set"),
    ("checkpoints-file", [], {}, "checkpoints is a file"),
    ("samples-file", [], {}, "samples is a file"),
    ("generator-folder", [], {}, "generator.keras is a folder"),
    ("out-file", [], {}, "Cannot write to the output folder"),
])
def test_bad_cli_values_end_in_one_line_and_exit_2(tmp_path, capsys, monkeypatch, setup, args, env, message):
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    out = tmp_path / "run"
    if setup == "out-file":
        out.write_text("a file")
    elif setup:
        out.mkdir()
        thing = out / {"checkpoints-file": "checkpoints", "samples-file": "samples",
                       "generator-folder": "generator.keras"}[setup]
        thing.mkdir() if setup.endswith("folder") else thing.write_text("in the way")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    try:
        code = train.main(["--model", "mlp", "--epochs", "1", "--out", str(out), *args])
    except SystemExit as e:  # argparse's own refusals (a flag that is not a number)
        code = e.code
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1 and err.startswith("error: ") and message in err, err
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # a refused run creates nothing


def test_run_config_records_the_limit(runs):
    assert json.loads((runs / "reference" / "run_config.json").read_text())["limit"] == 256
