"""Train a GAN on the digits and write everything a student wants to look at.

    python -m gan_lib.train                      # clean digits: dcgan_deep, about 5 min on 2 CPU cores
    python -m gan_lib.train --model mlp --epochs 30 --out runs/mlp
    python -m gan_lib.train --out runs/default --resume   # continue a stopped run

A run folder (``--out``, default ``runs/default``) receives:

=====================  =====================================================
``samples/epoch_*.png`` the fixed latent batch after each epoch
``training.gif``       those grids as an animation
``losses.png``         losses and D's mean outputs per epoch
``history.csv``        the same numbers, plus quality every few epochs
``checkpoints/``       the last two epoch checkpoints (resume from them)
``generator.keras``    the generator (the weight average, if used)
``discriminator.keras`` the discriminator
``samples.npy``        2,000 samples, float32 in [-1, 1], shape (2000, 28, 28, 1)
``metrics.json``       the evaluation protocol's figures and the run's facts
``run_config.json``    the settings of the run
``tensorboard/``       the same numbers, the grids and the settings for TensorBoard
                       (``tensorboard --logdir runs/default/tensorboard``)
=====================  =====================================================

The run is deterministic: the same settings and seed on the same machine give
bit-identical weights, also across a stop and ``--resume``.

This module is the command line and the training run; the folder's layout, its
checks, the stored settings and the final outputs are in :mod:`gan_lib.core.run_folder`,
one-line errors and Ctrl-C in :mod:`gan_lib.core.cli`.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

from gan_lib import data as data_mod
from gan_lib import models as models_mod
from gan_lib.core import config as course_config
from gan_lib.core import devices, run_folder
from gan_lib.core import losses as losses_mod
from gan_lib.core.cli import OneLineParser, StopOnCtrlC
from gan_lib.core.run_folder import RunError, check_output_folder, saved_settings

#: The default run: :func:`gan_lib.models.digits.dcgan_deep` at batch 32 for 24 epochs
#: (6,000 steps), chosen by measurement to meet :data:`gan_lib.measure.metrics.CLEAN`
#: at seeds 0, 1 and 2 in about five minutes of training on 2 CPU cores
#: (benchmarks/results/make_train_recipe.md).
DEFAULTS = {
    "model": "dcgan_deep",
    "epochs": 24,
    "batch_size": 32,
    "lr": 5e-4,
    "beta_1": 0.5,
    "loss": "nonsaturating",
    "ema_decay": 0.999,
    "data": "shipped",
    "seed": 0,
    "out": "runs/default",
    "eval_every": 6,
}
QUICK = {"epochs": 2, "limit": 1000}


def build_gan(model: str, seed: int, lr: float, beta_1: float, loss: str, ema_decay, latent_dim=None):
    """The compiled course GAN for a named model (see :mod:`gan_lib.models`)."""
    import keras

    from gan_lib.core.gan import GAN

    g, d = models_mod.build(model, latent_dim)
    gan = GAN(g, d, ema_decay=ema_decay, seed=seed)
    gan.compile(d_optimizer=keras.optimizers.Adam(lr, beta_1=beta_1),
                g_optimizer=keras.optimizers.Adam(lr, beta_1=beta_1), loss=loss)
    return gan


def train(model=None, epochs=None, batch_size=None, lr=None, beta_1=None, loss=None, ema_decay="default",
          data=None, seed=None, out=None, resume=False, eval_every=None, limit=None, callbacks=(),
          log=print) -> dict:
    """Train (or resume) a run and write its folder; return the final metrics dict.

    ``callbacks`` are extra Keras callbacks, run after the course's own.

    Arguments left as ``None`` take :data:`DEFAULTS` (and, in quick mode,
    :data:`QUICK`). Raises :class:`RunError` on bad settings,
    :class:`gan_lib.core.callbacks.TrainingDiverged` if a loss becomes NaN/inf.
    """
    try:
        quick = course_config.mode_name() == "quick"   # long mode trains as full mode does
    except ValueError as e:
        raise RunError(str(e)) from e
    cfg = dict(DEFAULTS)
    if quick:
        cfg["epochs"] = QUICK["epochs"]
    given = {k: v for k, v in dict(model=model, epochs=epochs, batch_size=batch_size, lr=lr, beta_1=beta_1,
                                   loss=loss, data=data, seed=seed, eval_every=eval_every).items() if v is not None}
    if ema_decay != "default":
        given["ema_decay"] = ema_decay  # None (no average) is a value here
    if limit is not None:
        given["limit"] = limit
    cfg["out"] = out if out is not None else cfg["out"]
    saved = saved_settings(Path(cfg["out"])) if resume else None
    if saved is not None:  # resuming: the run's own settings, and flags given again must agree
        given = run_folder.resume_settings(saved, given, (*DEFAULTS, "limit"))
    limit = given.pop("limit", QUICK["limit"] if quick and saved is None else None)
    cfg.update(given)

    # ---- check everything before any work
    digit_models = models_mod.names_for(data_mod.IMAGE_SHAPE)
    if cfg["model"] in models_mod.CONDITIONAL_MODELS:
        raise RunError(f"Model {cfg['model']!r} is class-conditional; this command trains unconditional models "
                       f"(valid models: {', '.join(digit_models)}). Conditional models train in lesson 07 "
                       "(gan_lib.lessons.conditional).")
    if cfg["model"] not in models_mod.MODELS:
        raise RunError(f"Unknown model {cfg['model']!r}. Valid models: {', '.join(digit_models)}.")
    if cfg["model"] not in digit_models:
        shape = "x".join(map(str, models_mod.image_shape(cfg["model"])))
        raise RunError(f"Model {cfg['model']!r} makes {shape} images; this command trains on 28x28x1 digits "
                       f"(valid models: {', '.join(digit_models)}). Colour models train with "
                       "gan_lib.lessons.panel.train_run on gan_lib.data.colour.load_colour() images (lesson 05).")
    if cfg["data"] not in data_mod.SOURCES:
        raise RunError(f"Unknown data {cfg['data']!r}. Valid: {', '.join(data_mod.SOURCES)}.")
    if cfg["loss"] not in losses_mod.LOSSES:
        raise RunError(f"Unknown loss {cfg['loss']!r}. Valid: {', '.join(losses_mod.LOSSES)}.")
    course_config.positive_int("epochs", cfg["epochs"], RunError)
    course_config.positive_int("batch_size", cfg["batch_size"], RunError)
    if not cfg["lr"] > 0:
        raise RunError(f"lr={cfg['lr']!r}: the learning rate must be positive (e.g. 2e-4).")
    if not 0 <= cfg["beta_1"] < 1:
        raise RunError(f"beta_1={cfg['beta_1']!r}: use a value in [0, 1), e.g. 0.5.")
    if cfg["ema_decay"] is not None and not 0 < cfg["ema_decay"] < 1:
        raise RunError(f"ema_decay={cfg['ema_decay']!r}: use a value in (0, 1) such as 0.999, or none.")
    if isinstance(cfg["eval_every"], bool) or not isinstance(cfg["eval_every"], int) or cfg["eval_every"] < 0:
        raise RunError(f"eval_every={cfg['eval_every']!r}: give a whole number of epochs, or 0 to evaluate "
                       "only at the end.")
    if limit is not None:
        course_config.positive_int("limit", limit, RunError)
    run_dir = check_output_folder(Path(cfg["out"]))

    from gan_lib.core import checkpoint

    existing = checkpoint.list_checkpoints(run_dir)
    if existing and not resume:
        raise RunError(f"{run_dir} already holds a run (latest checkpoint {existing[-1].name}). "
                       f"Continue it with --resume, or choose another --out so nothing is overwritten.")

    digits = data_mod.load_digits("train", cfg["data"], limit=limit, verbose=False)
    if cfg["batch_size"] > len(digits.images):
        raise RunError(f"batch_size={cfg['batch_size']} is larger than the data ({len(digits.images)} images).")
    spec = models_mod.spec(cfg["model"])
    latent_dim = spec.latent_dim
    run_config = {**cfg, "latent_dim": latent_dim, "data_description": digits.description,
                  "train_images": len(digits.images), "limit": limit, "mode": "quick" if quick else "full"}
    run_config.pop("out")

    log(f"Data: {digits.description}")
    log(f"Model: {cfg['model']} ({spec.description}), loss {cfg['loss']}, "
        f"batch {cfg['batch_size']}, Adam(lr={cfg['lr']:g}, beta_1={cfg['beta_1']:g}), "
        f"EMA {cfg['ema_decay']}, seed {cfg['seed']}, mode {run_config['mode']}")
    log(f"Machine: {devices.describe()}")

    course_config.set_determinism(cfg["seed"])
    gan = build_gan(cfg["model"], cfg["seed"], cfg["lr"], cfg["beta_1"], cfg["loss"], cfg["ema_decay"])

    from gan_lib.core.callbacks import Evaluate, RunRecorder, SampleGrid, TensorBoardLog, TrainingDiverged

    history, start_epoch = [], 0
    if resume:
        header = checkpoint.restore_latest(gan, run_dir, run_config, log=log)
        if header is None:
            log(f"No checkpoint in {run_dir}: starting a new run.")
        else:
            history, start_epoch = header["history"], header["epoch"]
            log(f"Resuming from epoch {start_epoch} ({Path(header['path']).name}).")
    run_folder.make_writable(run_dir)  # the first thing this run creates: every check above has passed
    run_folder.write_settings(run_dir, run_config)

    steps = len(digits.images) // cfg["batch_size"]
    recorder = RunRecorder(run_dir, run_config, history)
    all_callbacks = [SampleGrid(run_dir / "samples"),
                     Evaluate(cfg["eval_every"], last_epoch=cfg["epochs"]),
                     TensorBoardLog(run_dir / "tensorboard", run_config),
                     recorder, *callbacks]
    t0 = time.perf_counter()
    if start_epoch < cfg["epochs"]:
        log(f"Training epochs {start_epoch + 1}..{cfg['epochs']} ({steps} steps each) -> {run_dir}")
        try:
            with StopOnCtrlC() as ctrl_c_check:
                gan.fit_images(digits.images, cfg["batch_size"], cfg["epochs"], initial_epoch=start_epoch,
                               seed=cfg["seed"], callbacks=[*all_callbacks, ctrl_c_check], verbose=2)
        except KeyboardInterrupt:
            done = checkpoint.list_checkpoints(run_dir)
            where = f"the checkpoint of epoch {int(done[-1].name[5:10])}" if done else "no checkpoint yet"
            log(f"\nInterrupted. Kept {where} in {checkpoint.checkpoint_dir(run_dir)}. "
                f"Resume with:  python -m gan_lib.train --out {shlex.quote(str(run_dir))} --resume  "
                "(it reads the run's settings from run_config.json; add --epochs N to train longer)")
            raise
    train_seconds = time.perf_counter() - t0
    if recorder.diverged:
        good = checkpoint.list_checkpoints(run_dir)
        raise TrainingDiverged(
            recorder.describe_divergence() + " "
            + (f"Kept the last good checkpoint, {good[-1].name}, in {checkpoint.checkpoint_dir(run_dir)}; "
               if good else "It diverged before its first checkpoint, so there is none; ")
            + "no output was written from the diverged weights. "
            + "Try a smaller learning rate (--lr), another --seed, or the default settings.")

    return run_folder.write_final_outputs(gan, run_dir, recorder.history, run_config, train_seconds, log)


def main(argv=None) -> int:
    p = OneLineParser(prog="python -m gan_lib.train", description=__doc__.split("\n\n")[0],
                      formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", help=f"one of {', '.join(models_mod.names_for(data_mod.IMAGE_SHAPE))} "
                                    f"(default {DEFAULTS['model']})")
    p.add_argument("--epochs", type=int,
                   help=f"epochs in total (default {DEFAULTS['epochs']}; quick mode {QUICK['epochs']})")
    p.add_argument("--batch-size", type=int, help=f"default {DEFAULTS['batch_size']}")
    p.add_argument("--lr", type=float, help=f"Adam learning rate for both networks (default {DEFAULTS['lr']})")
    p.add_argument("--beta-1", type=float, help=f"Adam beta_1 (default {DEFAULTS['beta_1']})")
    p.add_argument("--loss", help=f"one of {', '.join(losses_mod.LOSSES)} (default {DEFAULTS['loss']})")
    p.add_argument("--ema", default="default",
                   help=f"decay of G's weight average, or 'none' (default {DEFAULTS['ema_decay']})")
    p.add_argument("--data", help=f"one of {', '.join(data_mod.SOURCES)} (default {DEFAULTS['data']})")
    p.add_argument("--seed", type=int, help=f"default {DEFAULTS['seed']}")
    p.add_argument("--out", help=f"run folder (default {DEFAULTS['out']})")
    p.add_argument("--eval-every", type=int,
                   help=f"epochs between quality checks, 0 = only at the end (default {DEFAULTS['eval_every']})")
    p.add_argument("--limit", type=int, help="train on only the first N digits")
    p.add_argument("--resume", action="store_true",
                   help="continue the run in --out from its latest checkpoint, with its own settings "
                        "(run_config.json; flags given again must agree, --epochs may grow); "
                        "starts fresh if there is no run")
    a = p.parse_args(argv)
    ema = a.ema
    if ema != "default":
        try:
            ema = None if ema.lower() in ("none", "0", "off") else float(ema)
        except ValueError:
            p.error(f"--ema {a.ema!r}: give a number such as 0.999, or 'none'")
    from gan_lib.core.callbacks import TrainingDiverged
    from gan_lib.core.checkpoint import CheckpointError

    try:
        train(model=a.model, epochs=a.epochs, batch_size=a.batch_size, lr=a.lr, beta_1=a.beta_1, loss=a.loss,
              ema_decay=ema, data=a.data, seed=a.seed, out=a.out, resume=a.resume, eval_every=a.eval_every,
              limit=a.limit)
    except (RunError, data_mod.DataError, CheckpointError, TrainingDiverged) as e:
        print(f"error: {e}", file=sys.stderr)
        return 3 if isinstance(e, TrainingDiverged) else 2
    except OSError as e:  # a file system refusing a write the checks could not foresee (full disk, ...)
        where = f"{e.filename}: " if e.filename else ""
        print(f"error: {where}{e.strerror or e}. Free some space or choose another --out, "
              "then continue with --resume.", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
