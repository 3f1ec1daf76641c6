"""The TensorFlow DCGAN tutorial's recipe, trained the tutorial's way, as a reference run.

The tutorial (tensorflow.org/tutorials/generative/dcgan) trains its DCGAN with
a hand-written loop: a ``tf.function`` step with two ``GradientTape``s, Adam(1e-4)
for both networks, batches of 256, the data shuffled each epoch and the last
partial batch kept. This script reproduces that loop (our code, the tutorial's
recipe; the models are ``gan_lib.models.tutorial_dcgan``) on the course's 8,000
training digits and records, after every epoch, the course's Frechet distance
(2,000 samples from a fixed latent batch against the 2,000 held-out digits) and
the seconds the epoch's training took.

    python benchmarks/tutorial_reference.py --epochs 150 --out benchmarks/reference/tutorial_150.json

It writes the JSON and a checkpoint (``<out>.ckpt.npz``: both networks, both
optimizers, the noise generator's state) after every epoch; ``--resume`` goes
on from there with the batches and latents an uninterrupted run would have used.
``make bench`` reads this file for time-to-quality; ``make bench FULL=1`` re-runs it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from gan_lib import data, metrics, models  # noqa: E402

BATCH = 256
NOISE_DIM = 100
LR = 1e-4


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} CPU cores, {platform.system()} {platform.release()}, " \
           f"Python {platform.python_version()}, TensorFlow {tf.__version__}, " \
           f"GPU: {', '.join(d.name for d in tf.config.list_physical_devices('GPU')) or 'none'}"


def make_train_step(generator, discriminator, g_opt, d_opt, noise_rng, xla=False):
    """The tutorial's training step: two GradientTapes in one ``tf.function``.

    ``noise_rng`` is a ``tf.random.Generator``; ``xla`` compiles the step with
    XLA. Returns ``step(real) -> (g_loss, d_loss)``. ``make bench`` times this
    same function against the course's ``GAN.train_step``.
    """
    bce = keras.losses.BinaryCrossentropy(from_logits=True)

    @tf.function(jit_compile=xla)
    def train_step(real):
        noise = noise_rng.normal([tf.shape(real)[0], NOISE_DIM])
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            fake = generator(noise, training=True)
            real_out = discriminator(real, training=True)
            fake_out = discriminator(fake, training=True)
            g_loss = bce(tf.ones_like(fake_out), fake_out)
            d_loss = bce(tf.ones_like(real_out), real_out) + bce(tf.zeros_like(fake_out), fake_out)
        g_opt.apply_gradients(zip(g_tape.gradient(g_loss, generator.trainable_variables),
                                  generator.trainable_variables))
        d_opt.apply_gradients(zip(d_tape.gradient(d_loss, discriminator.trainable_variables),
                                  discriminator.trainable_variables))
        return g_loss, d_loss

    return train_step


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--epochs", type=int, default=150)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--eval-every", type=int, default=1)
    p.add_argument("--out", default="benchmarks/reference/tutorial_150.json")
    p.add_argument("--resume", action="store_true", help="go on from the checkpoint beside --out")
    p.add_argument("--xla", action="store_true", help="compile the step with XLA (same recipe, faster on some CPUs)")
    a = p.parse_args(argv)

    keras.utils.set_random_seed(a.seed)
    images = data.load_digits("train").images
    generator, discriminator = models.tutorial_dcgan(NOISE_DIM)
    g_opt, d_opt = keras.optimizers.Adam(LR), keras.optimizers.Adam(LR)
    noise_rng = tf.random.Generator.from_seed(a.seed)
    fixed = np.random.default_rng([a.seed, 11]).standard_normal((metrics.N_EVAL, NOISE_DIM)).astype("float32")

    train_step = make_train_step(generator, discriminator, g_opt, d_opt, noise_rng, a.xla)

    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "recipe": "TensorFlow DCGAN tutorial: tutorial_dcgan models, two GradientTapes in a tf.function, "
                  "Adam(1e-4) for both, batch 256 (last partial batch kept), shuffled each epoch",
        "data": f"shipped MNIST train split ({len(images):,} digits); FD vs the 2,000 held-out digits",
        "steps_per_epoch": int(np.ceil(len(images) / BATCH)),
        "machine": machine(),
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "seed": a.seed,
        "xla": bool(a.xla),
        "epochs": [],
    }
    ckpt = out.with_name(out.stem + ".ckpt.npz")
    g_opt.build(generator.trainable_variables)
    d_opt.build(discriminator.trainable_variables)
    variables = (generator.weights + discriminator.weights + list(g_opt.variables) + list(d_opt.variables)
                 + [noise_rng.state])
    first = 1
    if a.resume:
        saved = np.load(ckpt, allow_pickle=False)
        for i, v in enumerate(variables):
            v.assign(saved[f"v{i:04d}"])
        record = json.loads(out.read_text())
        record["epochs"] = record["epochs"][: int(saved["epoch"])]
        first = int(saved["epoch"]) + 1
        print(f"Resuming after epoch {first - 1}")
    for epoch in range(first, a.epochs + 1):
        order = data.epoch_order(len(images), a.seed, epoch)
        t0 = time.perf_counter()
        for i in range(0, len(images), BATCH):
            g_loss, d_loss = train_step(tf.constant(images[order[i:i + BATCH]]))
        float(g_loss)  # wait for the last step
        seconds = time.perf_counter() - t0
        row = {"epoch": epoch, "seconds": round(seconds, 3), "g_loss": round(float(g_loss), 4),
               "d_loss": round(float(d_loss), 4)}
        if epoch % a.eval_every == 0 or epoch == a.epochs:
            imgs = np.concatenate([generator(fixed[i:i + 500], training=False).numpy()
                                   for i in range(0, len(fixed), 500)])
            r = metrics.evaluate(imgs)
            row.update(fd=round(r["fd"], 3), classifier_score=round(r["classifier_score"], 3),
                       min_class_share=min(r["class_shares"]))
        record["epochs"].append(row)
        record["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
        arrays = {f"v{i:04d}": np.asarray(v.numpy()) for i, v in enumerate(variables)}
        np.savez(ckpt.with_suffix(".tmp.npz"), epoch=epoch, **arrays)
        ckpt.with_suffix(".tmp.npz").replace(ckpt)
        tmp = out.with_suffix(".tmp")
        tmp.write_text(json.dumps(record, indent=1))
        tmp.replace(out)
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
