"""Checkpoints that survive crashes, and resuming from them.

A checkpoint is one ``.npz`` file, ``ckpt-<epoch>.npz``, written at the end
of an epoch. It holds every variable of :meth:`GAN.state_variables` (both
networks, the weight average, both optimizers, the random-generator state),
the fixed latent batch, the epoch and the run's history, plus a JSON header
describing the run. Arrays only: loading it never runs code from the file.

Crash safety:

* A checkpoint is written to a temporary file, flushed to disk, then renamed
  into place (an atomic step on one file system). A kill at any moment leaves
  either the old or the new file, never half of one.
* The newest ``keep`` checkpoints are kept. If the newest cannot be read (a
  truncated copy, a full disk), :func:`restore_latest` says so and falls back
  to the one before.
* A state with a NaN or infinite value is never written (:class:`NonFiniteState`),
  so the checkpoints on disk are always ones training can continue from; older
  ones are deleted only after the new one is safely in place.
* A write that fails (a full disk) removes its temporary file, leaves the
  previous checkpoints untouched and raises :class:`CheckpointError`.

Fault injection: tests set the environment variable ``GAN_LIB_FAULT`` to a
point's name (see :func:`fault_point`) and the process kills itself there with
SIGKILL, so a crash at an exact moment is repeatable instead of a race.
"""

from __future__ import annotations

import json
import os
import re
import signal
import zipfile
import zlib
from pathlib import Path

import numpy as np

FORMAT_VERSION = 1
_NAME = re.compile(r"^ckpt-(\d{5})\.npz$")


class CheckpointError(RuntimeError):
    """A checkpoint that is missing, unreadable, or does not fit the model."""


class NonFiniteState(CheckpointError):
    """The model's state holds NaN or inf values: saving it would replace a good checkpoint with a useless one."""


#: The environment variable that names a fault point (tests only).
FAULT_ENV = "GAN_LIB_FAULT"


def fault_point(name: str) -> None:
    """Kill this process with SIGKILL if ``GAN_LIB_FAULT`` equals ``name`` (fault-injection tests).

    Points: ``step:<epoch>:<step>`` (after that training step), ``checkpoint-write:<epoch>``
    (the temporary file written, not yet renamed), ``final-outputs`` (the generator saved,
    the rest of the run's outputs not yet). Unset, this costs one dictionary lookup.
    """
    if os.environ.get(FAULT_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def nonfinite(named_arrays) -> list[str]:
    """Names of the float arrays in ``(name, array)`` pairs that hold a NaN or inf value."""
    bad = []
    for name, v in named_arrays:
        a = np.asarray(v.numpy() if hasattr(v, "numpy") else v)
        if a.dtype.kind == "f" and not np.all(np.isfinite(a)):
            bad.append(name)
    return bad


def checkpoint_dir(run_dir) -> Path:
    return Path(run_dir) / "checkpoints"


def list_checkpoints(run_dir) -> list[Path]:
    """Checkpoints of a run, oldest first."""
    d = checkpoint_dir(run_dir)
    if not d.is_dir():
        return []
    return sorted(p for p in d.iterdir() if _NAME.match(p.name))


def save(gan, run_dir, epoch: int, history: list[dict], config: dict, keep: int = 2) -> Path:
    """Write ``ckpt-<epoch>.npz`` atomically and delete all but the newest ``keep``.

    Raises :class:`NonFiniteState` (writing nothing) if any weight or optimizer
    variable is NaN or inf, and :class:`CheckpointError` if the file cannot be
    written; in both cases the existing checkpoints are left as they were.
    """
    d = checkpoint_dir(run_dir)
    d.mkdir(parents=True, exist_ok=True)
    state = gan.state_variables()
    bad = nonfinite(state)
    if bad:
        raise NonFiniteState(f"Not writing the checkpoint of epoch {epoch}: {len(bad)} variable(s) hold NaN or inf "
                             f"(first: {', '.join(bad[:3])}).")
    header = {
        "format": FORMAT_VERSION,
        "epoch": int(epoch),
        "config": config,
        "history": history,
        "variables": [[name, list(v.shape), str(v.dtype)] for name, v in state],
    }
    arrays = {f"v{i:04d}": np.asarray(v.numpy() if hasattr(v, "numpy") else v) for i, (_, v) in enumerate(state)}
    arrays["fixed_latent"] = gan.fixed_latent
    arrays["header"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    final = d / f"ckpt-{epoch:05d}.npz"
    tmp = d / f".tmp-{os.getpid()}-{epoch:05d}.npz"
    for stale in d.glob(".tmp-*.npz"):  # left by a run killed while writing; never a checkpoint
        stale.unlink(missing_ok=True)
    try:
        with open(tmp, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            fault_point(f"checkpoint-write:{epoch}")
            os.fsync(f.fileno())
        os.replace(tmp, final)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        kept = list_checkpoints(run_dir)
        raise CheckpointError(
            f"Could not write the checkpoint of epoch {epoch} to {d} ({e.strerror or e}). "
            + (f"The previous checkpoint {kept[-1].name} is intact. " if kept else "")
            + "Free some disk space (or choose another --out), then continue with --resume.") from e
    try:  # make the rename itself durable
        fd = os.open(d, os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)
    except OSError:
        pass
    for old in list_checkpoints(run_dir)[:-keep]:
        old.unlink(missing_ok=True)
    return final


def read(path) -> tuple[dict, dict[str, np.ndarray]]:
    """The header and arrays of one checkpoint; :class:`CheckpointError` if unreadable."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {k: f[k] for k in f.files}
        header = json.loads(arrays.pop("header").tobytes().decode())
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zlib.error, UnicodeDecodeError) as e:
        raise CheckpointError(f"Checkpoint {path} is unreadable ({type(e).__name__}: {e}).") from e
    if header.get("format") != FORMAT_VERSION:
        raise CheckpointError(f"Checkpoint {path} has format {header.get('format')}; "
                              f"this gan_lib reads {FORMAT_VERSION}.")
    return header, arrays


def _check_fits(gan, header, path, config):
    if config is not None:
        # Everything but the number of epochs must match, or the resumed run
        # would not be the run that was stopped.
        keys = ("model", "latent_dim", "loss", "ema_decay", "batch_size", "lr", "beta_1", "seed", "data",
                "train_images")
        mine = {k: config.get(k) for k in keys}
        theirs = {k: header["config"].get(k) for k in mine}
        if mine != theirs:
            differ = ", ".join(f"{k} {theirs[k]!r} (this run: {mine[k]!r})" for k in keys if mine[k] != theirs[k])
            raise CheckpointError(
                f"Checkpoint {path} was written by a run with other settings: {differ}. "
                "Resume with the same settings, or start a new run in another output folder."
            )
    written = header.get("config") or {}
    origin = "It was written for a different model"
    if written.get("model") is not None:
        origin += f" ({written['model']!r}, latent size {written.get('latent_dim')}"
        origin += f"; this model has latent size {getattr(gan, 'latent_dim', '?')})"
    origin += ": build that model to load it, or train this one in another output folder."
    state = gan.state_variables()
    stored = header["variables"]
    if len(stored) != len(state):
        raise CheckpointError(f"Checkpoint {path} holds {len(stored)} variables; this model has {len(state)}. "
                              + origin)
    for (name, v), (sname, sshape, _) in zip(state, stored):
        if name != sname or list(v.shape) != list(sshape):
            raise CheckpointError(f"Checkpoint {path} does not fit this model: {sname} has shape {sshape}, "
                                  f"the model's {name} has shape {list(v.shape)}. " + origin)


def restore(gan, path, config: dict | None = None) -> dict:
    """Load a checkpoint into ``gan`` (compiled); return its header (epoch, history, config)."""
    header, arrays = read(path)
    _check_fits(gan, header, path, config)
    missing = [k for k in [f"v{i:04d}" for i in range(len(header["variables"]))] + ["fixed_latent"]
               if k not in arrays]
    if missing:
        raise CheckpointError(f"Checkpoint {path} is unreadable (arrays {missing[:3]} are missing).")
    for i, (_, v) in enumerate(gan.state_variables()):
        v.assign(arrays[f"v{i:04d}"])
    gan.fixed_latent = arrays["fixed_latent"]
    header["path"] = str(path)  # which file was loaded (restore_latest may have skipped a damaged one)
    return header


def restore_latest(gan, run_dir, config: dict | None = None, log=print) -> dict | None:
    """Restore the newest readable checkpoint of ``run_dir``; ``None`` if there is none.

    An unreadable newest checkpoint is reported and skipped; a readable one that
    does not fit the model is an error (falling back would hide the mistake).
    The returned header's ``"path"`` is the file actually loaded.
    """
    found = list_checkpoints(run_dir)
    for path in reversed(found):
        try:
            header = restore(gan, path, config)
        except CheckpointError as e:
            if "unreadable" not in str(e):
                raise
            log(f"WARNING: {e} Falling back to the previous checkpoint.")
            continue
        return header
    if found:
        raise CheckpointError(f"No readable checkpoint in {checkpoint_dir(run_dir)} "
                              f"({len(found)} found, all damaged). Move that folder away to start this run "
                              "again, or start a new run with another --out.")
    return None
