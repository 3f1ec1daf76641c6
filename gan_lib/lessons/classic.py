"""The classic Keras GAN recipe (lesson 02), kept here so the notebook stays small.

The old Keras GAN tutorials the course draws on (among them the Keras MLP GAN
article) train a GAN without a custom training step:

1. compile the discriminator ``D`` on its own (binary cross-entropy);
2. set ``D.trainable = False`` and stack ``stacked = Sequential([G, D])``;
3. compile the stacked model, and then loop over batches:
   ``D.train_on_batch(real, 1)``, ``D.train_on_batch(fake, 0)``, and
   ``stacked.train_on_batch(z, 1)`` -- "G is trained through D, D stays frozen".

It works, but only because of *when* Keras reads the ``trainable`` flag. In
Keras 3 (measured by :func:`flag_experiments` and the tests) a model reads its
layers' ``trainable`` flags when its training function is built: at the first
``train_on_batch``/``fit`` call after ``compile``. That function is then reused,
so later changes of the flag are silently ignored until the next ``compile``:

* the stacked model, first trained while ``D.trainable`` is False, never
  updates D, however the flag is toggled afterwards (that is the intent);
* a stacked model first trained while D was still trainable keeps updating D
  even after ``D.trainable = False``;
* D itself, if its first ``train_on_batch`` happens while the flag is False
  (the Keras 2 recipe "compile D, freeze it, build the stack, train"), never
  learns at all: Keras only warns "The model does not have any trainable
  weights". Under Keras 2 the flag was read at ``compile`` time, so that
  recipe worked there.

The course's own loop (:class:`gan_lib.core.gan.GAN`) avoids the question: each
update differentiates with respect to an explicit weight list.

This module is a deliberate exception to the course's one training path
(``GAN.fit_images`` plus callbacks): lesson 02 shows the stacked recipe that
students meet in older tutorials and measures its pitfall, and that needs the
recipe's own ``train_on_batch`` loop (:func:`train_classic`), not the course's.

Discriminators here output logits, as everywhere in the course, so the losses
are ``BinaryCrossentropy(from_logits=True)``.
"""

from __future__ import annotations

import logging
import time
import warnings

import keras
import numpy as np

from gan_lib import models
from gan_lib.data import check_images, epoch_order

__all__ = ["build_classic", "train_classic", "weights_changed", "flag_experiments", "FLAG_SCENARIOS"]


def _bce():
    return keras.losses.BinaryCrossentropy(from_logits=True)


def _adam(lr, beta_1):
    return keras.optimizers.Adam(lr, beta_1=beta_1)


def build_classic(generator, discriminator, lr: float = 2e-4, beta_1: float = 0.5):
    """The recipe of the old tutorials: compile D, freeze it, stack and compile ``[G, D]``.

    Returns the compiled stacked model. ``discriminator`` is left compiled and
    with ``trainable = False``; :func:`train_classic` sets the flag back to True
    around D's own updates, as the tutorials do.
    """
    discriminator.trainable = True
    discriminator.compile(optimizer=_adam(lr, beta_1), loss=_bce())
    discriminator.trainable = False
    stacked = keras.Sequential([generator, discriminator], name="stacked")
    stacked.compile(optimizer=_adam(lr, beta_1), loss=_bce())
    return stacked


def weights_changed(model, step) -> bool:
    """Run ``step()`` and say whether any of ``model``'s weights changed."""
    before = [w.copy() for w in model.get_weights()]
    step()
    return any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def _mean_sigmoid(logits) -> float:
    return float(np.mean(1.0 / (1.0 + np.exp(-np.asarray(logits, np.float64)))))


def train_classic(generator, discriminator, stacked, images, epochs: int = 1, batch_size: int = 64,
                  seed: int = 0, toggle: bool = True, log=None) -> list[dict]:
    """The tutorials' loop: per batch, one D update on real + fake, then one stacked (G) update.

    ``toggle=True`` sets ``discriminator.trainable`` to True before D's update
    and back to False before the stacked update (steps 1-4 of the Keras MLP GAN article).
    Batches follow :func:`gan_lib.data.epoch_order` (the same order as the
    course's GAN for the same seed); latents are standard normal.

    Returns one dict per epoch with the keys of the course's GAN history
    (``d_loss``, ``g_loss``, ``d_real``, ``d_fake``: epoch means, D outputs as
    ``sigmoid(logit)`` on the batch D trained on) plus ``seconds`` and, for the
    first step of each epoch, ``d_step_changes_d`` and ``g_step_changes_d``:
    whether D's weights moved during D's update and during the stacked update.
    """
    x = check_images(images)
    n = len(x)
    if batch_size > n:
        raise ValueError(f"batch_size={batch_size} is larger than the data ({n} images).")
    steps = n // batch_size
    latent_dim = int(generator.input_shape[-1])
    rng = np.random.default_rng([seed, 3])
    ones = np.ones((batch_size, 1), np.float32)
    zeros = np.zeros((batch_size, 1), np.float32)
    history = []
    for epoch in range(epochs):
        t0 = time.perf_counter()
        order = epoch_order(n, seed, epoch)
        sums = dict(d_loss=0.0, g_loss=0.0, d_real=0.0, d_fake=0.0)
        flags = {}
        for s in range(steps):
            real = x[order[s * batch_size:(s + 1) * batch_size]]
            fake = generator.predict_on_batch(rng.standard_normal((batch_size, latent_dim)).astype(np.float32))
            if toggle:
                discriminator.trainable = True
            d_before = [w.copy() for w in discriminator.get_weights()] if s == 0 else None
            d_loss_real = float(discriminator.train_on_batch(real, ones))
            d_loss_fake = float(discriminator.train_on_batch(fake, zeros))
            if s == 0:
                flags["d_step_changes_d"] = any(not np.array_equal(a, b)
                                                for a, b in zip(d_before, discriminator.get_weights()))
            sums["d_real"] += _mean_sigmoid(discriminator.predict_on_batch(real))
            sums["d_fake"] += _mean_sigmoid(discriminator.predict_on_batch(fake))
            if toggle:
                discriminator.trainable = False
            z = rng.standard_normal((batch_size, latent_dim)).astype(np.float32)
            d_before = [w.copy() for w in discriminator.get_weights()] if s == 0 else None
            g_loss = float(stacked.train_on_batch(z, ones))
            if s == 0:
                flags["g_step_changes_d"] = any(not np.array_equal(a, b)
                                                for a, b in zip(d_before, discriminator.get_weights()))
            sums["d_loss"] += d_loss_real + d_loss_fake
            sums["g_loss"] += g_loss
        row = {"epoch": epoch + 1, **{k: v / steps for k, v in sums.items()}, **flags,
               "seconds": round(time.perf_counter() - t0, 2)}
        history.append(row)
        if log is not None:
            log(f"epoch {epoch + 1}: D loss {row['d_loss']:.3f}  G loss {row['g_loss']:.3f}  "
                f"mean D(x) {row['d_real']:.3f}  mean D(G(z)) {row['d_fake']:.3f}  ({row['seconds']:.1f} s)")
    return history


#: The orders of events that :func:`flag_experiments` tries, with what each shows.
FLAG_SCENARIOS = {
    "the tutorials' recipe: flag True for D's step, False for the stack's":
        ["compile_d", "freeze", "compile_stack", "unfreeze", "d_step", "freeze", "stack_step"],
    "Keras 2 style: compile D, freeze, build the stack, never unfreeze":
        ["compile_d", "freeze", "compile_stack", "d_step", "stack_step"],
    "flag set to False after both models have trained once":
        ["compile_d", "compile_stack", "d_step", "stack_step", "freeze", "d_step", "stack_step"],
    "the same, then the stack compiled again":
        ["compile_d", "compile_stack", "d_step", "stack_step", "freeze", "recompile_stack", "stack_step"],
    "no freezing at all":
        ["compile_d", "compile_stack", "d_step", "stack_step"],
}


def flag_experiments(model: str = "mlp", batch_size: int = 64, seed: int = 0) -> list[dict]:
    """Measure which updates move D's weights, for each order of events in :data:`FLAG_SCENARIOS`.

    Returns one dict per scenario: ``scenario``, ``d_step_changes_d`` and
    ``stack_step_changes_d`` (for the *last* D step and the *last* stacked step
    of the scenario; ``None`` if it has none) and ``stack_step_changes_g``.
    Keras' warning about a model without trainable weights, and TensorFlow's
    about retracing (each scenario builds new models), are silenced here: the
    measured booleans say the same thing.
    """
    rng = np.random.default_rng(seed)
    real = rng.uniform(-1, 1, (batch_size, 28, 28, 1)).astype(np.float32)
    ones = np.ones((batch_size, 1), np.float32)
    rows = []
    tf_logger = logging.getLogger("tensorflow")
    level = tf_logger.level
    tf_logger.setLevel(logging.ERROR)
    try:
        for name, events in FLAG_SCENARIOS.items():
            rows.append(_flag_scenario(name, events, model, real, ones, rng, seed))
    finally:
        tf_logger.setLevel(level)
    return rows


def _flag_scenario(name, events, model, real, ones, rng, seed) -> dict:
    """One row of :func:`flag_experiments`: fresh networks, the events in order, what moved."""
    batch_size = len(real)
    keras.utils.set_random_seed(seed)
    g, d = models.build(model)
    z = rng.standard_normal((batch_size, int(g.input_shape[-1]))).astype(np.float32)
    row = {"scenario": name, "d_step_changes_d": None, "stack_step_changes_d": None,
           "stack_step_changes_g": None}
    stacked = None
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The model does not have any trainable weights")
        for event in events:
            if event == "compile_d":
                d.compile(optimizer=_adam(2e-4, 0.5), loss=_bce())
            elif event == "freeze":
                d.trainable = False
            elif event == "unfreeze":
                d.trainable = True
            elif event == "compile_stack":
                stacked = keras.Sequential([g, d])
                stacked.compile(optimizer=_adam(2e-4, 0.5), loss=_bce())
            elif event == "recompile_stack":
                stacked.compile(optimizer=_adam(2e-4, 0.5), loss=_bce())
            elif event == "d_step":
                row["d_step_changes_d"] = weights_changed(d, lambda: d.train_on_batch(real, ones))
            elif event == "stack_step":
                g_before = [w.copy() for w in g.get_weights()]
                row["stack_step_changes_d"] = weights_changed(d, lambda s=stacked: s.train_on_batch(z, ones))
                row["stack_step_changes_g"] = any(not np.array_equal(a, b)
                                                  for a, b in zip(g_before, g.get_weights()))
            else:  # pragma: no cover - a typo in FLAG_SCENARIOS
                raise ValueError(f"unknown event {event!r}")
    return row
