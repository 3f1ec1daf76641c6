"""The "control panel" of a GAN run: every setting in one documented object, and resuming.

The Keras CIFAR-10 GAN article the course draws on ("Generating Images: An
Introduction to GANs by Building One") keeps its settings as loose variables at
the bottom of a script (latent size, epochs, batch size, how often to save and
summarise, and a ``load_weights`` flag that needs the epoch typed in by hand to
resume).
Here they are one frozen dataclass, :class:`ControlPanel`, and
:func:`train_run` trains, checkpoints and resumes through the course's one
training loop (``GAN.fit_images``) and its checkpoints (:mod:`gan_lib.core.checkpoint`):

* a checkpoint (both networks, the weight average, both optimizers, the random
  state, the history) is written atomically at **every** epoch end (the
  article saves every few epochs and loses the epochs in between);
* ``train_run(panel, ..., resume=True)`` finds the newest checkpoint itself
  and continues from it; the continued run is bit-identical to one that was
  never stopped (batches are a pure function of ``(seed, epoch)``);
* a checkpoint written with other settings is refused with a message, instead
  of silently training a different run.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from gan_lib import models as models_mod
from gan_lib.core import checkpoint
from gan_lib.core import losses as losses_mod
from gan_lib.core.callbacks import DiscriminatorAccuracy, RunRecorder, SampleGrid, TrainingDiverged
from gan_lib.core.config import LONG_ENV, mode_name, set_determinism
from gan_lib.train import build_gan


@dataclass(frozen=True)
class ControlPanel:
    """Every setting of one GAN run.

    Attributes:
        model: a name in :data:`gan_lib.models.MODELS` (e.g. ``"cifar_article"``, ``"cifar_small_sn"``).
        latent_dim: length of the latent vector z (the article: 100).
        loss: a name in :data:`gan_lib.core.losses.LOSSES` (``"nonsaturating"`` = the article's BCE, ``"hinge"``).
        ema_decay: average of G's weights (e.g. 0.999), or ``None`` (the article has none).
        batch_size: images per step (the article: 128, as 64 real + 64 fake in two D updates).
        lr, beta_1: Adam's learning rate and first-moment decay (the article: 2e-4 and 0.5, as DCGAN).
        epochs: the epoch to train up to (a resumed run continues to this one).
        seed: seeds the weights, the latent draws and the batch order.
        data: a short name of the training data; part of what a checkpoint must match.
        summarize_every: print a summary line (losses, D's accuracy) every this many epochs.
        keep: how many of the newest checkpoints to keep.
    """

    model: str = "cifar_small"
    latent_dim: int = 100
    loss: str = "nonsaturating"
    ema_decay: float | None = None
    batch_size: int = 64
    lr: float = 2e-4
    beta_1: float = 0.5
    epochs: int = 10
    seed: int = 0
    data: str = "emoji"
    summarize_every: int = 1
    keep: int = 2

    def __post_init__(self):
        if self.model not in models_mod.MODELS:
            raise ValueError(f"model={self.model!r} is unknown. Valid models: {', '.join(models_mod.MODELS)}.")
        if self.loss not in losses_mod.LOSSES:
            raise ValueError(f"loss={self.loss!r} is unknown. Valid losses: {', '.join(losses_mod.LOSSES)}.")
        for name in ("latent_dim", "batch_size", "epochs", "summarize_every", "keep"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"{name}={v!r}: it must be a whole number of at least 1.")
        if not (isinstance(self.lr, (int, float)) and self.lr > 0):
            raise ValueError(f"lr={self.lr!r}: the learning rate must be a positive number, e.g. 2e-4.")
        if not 0 <= self.beta_1 < 1:
            raise ValueError(f"beta_1={self.beta_1!r}: use a value in [0, 1), e.g. 0.5.")
        if self.ema_decay is not None and not 0 < self.ema_decay < 1:
            raise ValueError(f"ema_decay={self.ema_decay!r}: use a value in (0, 1) such as 0.999, or None.")

    def replace(self, **changes) -> "ControlPanel":
        """A copy with some settings changed (the panel itself never changes)."""
        return dataclasses.replace(self, **changes)

    def checkpoint_config(self, train_images: int) -> dict:
        """The settings a checkpoint stores and a resumed run must match (all but ``epochs``)."""
        return {"model": self.model, "latent_dim": self.latent_dim, "loss": self.loss, "ema_decay": self.ema_decay,
                "batch_size": self.batch_size, "lr": self.lr, "beta_1": self.beta_1, "seed": self.seed,
                "data": self.data, "train_images": int(train_images)}

    def describe(self) -> str:
        """One line per setting, for the notebook."""
        return "\n".join(f"  {f.name:<16} {getattr(self, f.name)!r}" for f in dataclasses.fields(self))

    def build_gan(self):
        """The compiled course GAN for these settings (weights from ``seed``)."""
        set_determinism(self.seed)
        return build_gan(self.model, self.seed, self.lr, self.beta_1, self.loss, self.ema_decay, self.latent_dim)


def train_run(panel: ControlPanel, images, run_dir, real_for_accuracy=None, resume: bool = True,
              stop_after: int | None = None, log=print):
    """Train ``panel``'s GAN on ``images`` up to ``panel.epochs``; return ``(gan, history)``.

    Training itself is one ``gan.fit_images`` call with callbacks. This
    function exists for what a *resumable run* adds around it: finding the
    newest checkpoint and checking it was written with the same settings,
    starting at its epoch, writing a checkpoint and ``history.csv`` at every
    epoch end, refusing to overwrite a finished run, and turning a diverged run
    into a :class:`gan_lib.core.callbacks.TrainingDiverged` error.

    ``run_dir`` receives ``checkpoints/``, ``samples/epoch_*.png`` (the fixed
    latent batch) and ``history.csv``. With ``resume=True`` a run folder that
    holds a checkpoint is continued from its newest one; with ``resume=False``
    such a folder is refused (nothing is overwritten). ``stop_after`` stops
    after that epoch, as if the machine had been switched off.
    ``real_for_accuracy`` (images) adds D's accuracy on real and fake images
    (:class:`gan_lib.core.callbacks.DiscriminatorAccuracy`) to the history.
    """
    run_dir = Path(run_dir)
    if checkpoint.list_checkpoints(run_dir) and not resume:
        raise checkpoint.CheckpointError(f"{run_dir} already holds a run; pass resume=True to continue it, "
                                         "or choose another folder.")
    gan = panel.build_gan()
    config = panel.checkpoint_config(len(images))
    history, start = [], 0
    header = checkpoint.restore_latest(gan, run_dir, config, log=log) if resume else None
    if header is not None:
        history, start = header["history"], header["epoch"]
        log(f"Resumed {run_dir.name} from its checkpoint of epoch {start}.")
    end = panel.epochs if stop_after is None else min(stop_after, panel.epochs)
    callbacks = [SampleGrid(run_dir / "samples")]
    if real_for_accuracy is not None:
        callbacks.append(DiscriminatorAccuracy(real_for_accuracy))
    recorder = RunRecorder(run_dir, config, history, keep=panel.keep)
    callbacks.append(recorder)

    def summary(epoch, logs):
        if (epoch + 1) % panel.summarize_every == 0 or epoch + 1 == end:
            row = recorder.history[-1] if recorder.history else {}
            acc = (f", D accuracy real {row['d_acc_real']:.0%} fake {row['d_acc_fake']:.0%}"
                   if "d_acc_real" in row else "")
            log(f"epoch {epoch + 1:>3}/{panel.epochs}: d_loss {row.get('d_loss', float('nan')):.3f}, "
                f"g_loss {row.get('g_loss', float('nan')):.3f}{acc}")

    callbacks.append(keras.callbacks.LambdaCallback(on_epoch_end=summary))
    t0 = time.perf_counter()
    if start < end:
        gan.fit_images(images, panel.batch_size, end, initial_epoch=start, seed=panel.seed, callbacks=callbacks)
    if recorder.diverged:
        raise TrainingDiverged(f"Training diverged at epoch {recorder.diverged['epoch']}: "
                               f"{recorder.diverged['values']}. Try a smaller lr or another seed.")
    gan.train_seconds = time.perf_counter() - t0
    return gan, recorder.history


def same_state(gan_a, gan_b) -> tuple[int, int]:
    """``(variables equal bit for bit, variables compared)`` between two GANs' full training state."""
    a, b = gan_a.state_variables(), gan_b.state_variables()
    if [n for n, _ in a] != [n for n, _ in b]:
        raise ValueError("The two GANs hold different variables: they are not the same model.")
    equal = sum(bool(np.array_equal(np.asarray(x.numpy()), np.asarray(y.numpy()))) for (_, x), (_, y) in zip(a, b))
    return equal, len(a)


# --------------------------------------------------------------------------- lesson 05's budget, per mode


@dataclass(frozen=True)
class Budget:
    """Lesson 05's data and run sizes in one mode (:data:`BUDGETS`; :func:`budget` picks the current one).

    Full mode fits a laptop CPU and holds the stored outputs; quick mode is CI's.
    **Long mode** (``GAN_COURSE_LONG=1``, for a GPU or Colab) trains on all of real
    CIFAR-10, for longer, and computes FID: it refuses to run on anything else, since
    its point is the CIFAR-10 figures the CPU lesson cannot make (the other modes use
    CIFAR-10 when it is on the machine, else the shipped emoji, loudly).

    Attributes:
        mode: ``"full"``, ``"quick"`` or ``"long"``.
        source: ``"auto"`` (CIFAR-10 if it can be had, else the emoji) or ``"cifar10"`` (required).
        train_images: training images (None: all of them).
        heldout_images: held-out images loaded (the real side of every comparison).
        demo_images: images of section 4's stop-and-resume demonstration.
        epochs: section 5's runs; ``longer_epochs``: section 6's resumed run.
        c2st_images, c2st_steps, c2st_repeats: the two-sample test's size per side, training steps, repeats.
        distinct_images: samples of the collapse calibration.
        fid_images: samples per side for FID; ``fid_required``: FID must be computed (long mode).
    """

    mode: str
    source: str
    train_images: int | None
    heldout_images: int
    demo_images: int
    epochs: int
    longer_epochs: int
    c2st_images: int
    c2st_steps: int
    c2st_repeats: int
    distinct_images: int
    fid_images: int
    fid_required: bool

    def load(self, split: str = "train", verbose: bool = True, home=None):
        """The lesson's ``split`` images for this mode (:func:`gan_lib.data.colour.load_colour`).

        In long mode a machine without CIFAR-10 (and no internet) gets a
        :class:`gan_lib.data.DataError` that says how to get it, never the emoji.
        """
        from gan_lib.data import DataError, colour

        limit = self.train_images if split == "train" else self.heldout_images
        try:
            return colour.load_colour(split, source=self.source, limit=limit, verbose=verbose, home=home)
        except DataError as e:
            if self.mode != "long":
                raise
            raise DataError(f"Long mode ({LONG_ENV}=1) trains on real CIFAR-10, which is not available here. "
                            f"{e} Or unset {LONG_ENV} to run the CPU lesson on the shipped emoji.") from e

    def fid_model(self, log=print):
        """InceptionV3 for FID, or None (with a message) where its weights cannot be had; long mode requires it."""
        from gan_lib.measure import fid

        try:
            return fid.inception()
        except fid.FIDUnavailable as e:
            if self.fid_required:
                raise fid.FIDUnavailable(f"Long mode ({LONG_ENV}=1) reports FID and needs InceptionV3's "
                                         f"weights: {e}") from e
            log(f"FID not computed here: {e}")
            return None


#: Lesson 05's budget per mode. Long: all 50,000 CIFAR-10 training images at batch 32 are 1,562
#: steps an epoch, so section 5's runs make 15,620 steps each and the resumed run continues to 46,860.
BUDGETS = {
    "full": Budget("full", "auto", 2816, 1000, 512, 10, 30, 600, 150, 2, 500, 2000, False),
    "quick": Budget("quick", "auto", 512, 300, 64, 2, 3, 150, 60, 1, 300, 200, False),
    "long": Budget("long", "cifar10", None, 10000, 512, 10, 30, 2000, 300, 2, 1000, 10000, True),
}


def budget(mode: str | None = None) -> Budget:
    """Lesson 05's :class:`Budget` for ``mode`` (default: the current mode, :func:`gan_lib.core.config.mode_name`)."""
    mode = mode_name() if mode is None else mode
    if mode not in BUDGETS:
        raise ValueError(f"mode={mode!r}: use one of {', '.join(BUDGETS)}.")
    return BUDGETS[mode]
