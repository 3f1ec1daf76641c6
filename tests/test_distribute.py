"""The GAN under ``tf.distribute.MirroredStrategy`` with two logical CPU devices.

Logical devices must be configured before TensorFlow starts, so everything runs
in one fresh Python process (``DRIVER``) that prints its measurements as JSON;
the tests below check them. The driver trains the same MLP GAN (no BatchNorm,
no Dropout: its step does not depend on how the batch is split) from the same
weights twice: on two replicas under ``MirroredStrategy``, and on one device
with the latents the two replicas draw (replica ``r`` draws from this step's
seed with ``r`` folded in, see ``GAN._latents``).

Tolerance: weights after 5 steps agree to ``TOL`` (float32; the replicas'
gradients are summed in another order than one device sums its batch).
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOL = 1e-5

DRIVER = textwrap.dedent("""
    import json, os
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import keras
    import numpy as np
    from gan_lib import data, models
    from gan_lib.core.gan import GAN

    LATENT, BATCH, STEPS = 16, 32, 5
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    out = {"replicas": strategy.num_replicas_in_sync}
    images = data.load_digits("train", limit=BATCH * STEPS, verbose=False).images
    keras.utils.set_random_seed(1)
    g0, d0 = models.mlp(LATENT)
    weights = (g0.get_weights(), d0.get_weights())


    class OneDeviceAsTwoReplicas(GAN):
        # One device, drawing the latents that replicas 0 and 1 draw, in that order.
        def _latents(self, n):
            seed = tf.cast(self.seed_generator.next(), "int64")
            return tf.concat([tf.random.stateless_normal(
                (n // 2, self.latent_dim), tf.random.experimental.stateless_fold_in(seed, r)) for r in (0, 1)], 0)


    def make(cls, optimizer):
        g, d = models.mlp(LATENT)
        g.set_weights(weights[0])
        d.set_weights(weights[1])
        gan = cls(g, d, seed=5, ema_decay=0.9)
        opt = (lambda: keras.optimizers.SGD(0.05)) if optimizer == "sgd" else (
            lambda: keras.optimizers.Adam(1e-3, beta_1=0.5))
        gan.compile(d_optimizer=opt(), g_optimizer=opt())
        return gan


    def batches(steps):
        return tf.data.Dataset.from_tensor_slices(images[: BATCH * steps]).batch(BATCH)


    def state(gan):
        return [v.numpy() for v in gan.generator.weights + gan.discriminator.weights + gan.ema_generator.weights]


    # Each replica's latents, drawn inside one replicated step.
    with strategy.scope():
        gan = make(GAN, "sgd")
    draw = tf.function(lambda: strategy.run(lambda: gan._latents(4)))
    first = [z.numpy() for z in strategy.experimental_local_results(draw())]
    second = [z.numpy() for z in strategy.experimental_local_results(draw())]
    out["latents"] = {"first": [z.tolist() for z in first], "second": [z.tolist() for z in second]}

    for optimizer in ("sgd", "adam"):
        with strategy.scope():
            two = make(GAN, optimizer)
        one = make(OneDeviceAsTwoReplicas, optimizer)
        # One step: the logged metrics are those of the global batch.
        h2 = two.fit(batches(1), epochs=1, verbose=0).history
        h1 = one.fit(batches(1), epochs=1, verbose=0).history
        out[optimizer] = {"metrics_two": {k: v[-1] for k, v in h2.items()},
                          "metrics_one": {k: v[-1] for k, v in h1.items()}}
        moved = max(float(np.max(np.abs(a - b))) for a, b in zip(state(one), [*weights[0], *weights[1], *weights[0]]))
        two.fit(batches(STEPS - 1), epochs=1, verbose=0)
        one.fit(batches(STEPS - 1), epochs=1, verbose=0)
        diff = max(float(np.max(np.abs(a - b))) for a, b in zip(state(two), state(one)))
        out[optimizer].update(max_weight_diff=diff, moved_in_one_step=moved)
    # The course's entry point and its default DCGAN (BatchNorm in G, per-replica statistics) run too.
    with strategy.scope():
        g, d = models.build("dcgan")
        dcgan = GAN(g, d, seed=0, ema_decay=0.999)
        dcgan.compile()
    h = dcgan.fit_images(images[:BATCH * 2], BATCH, 1, seed=0).history
    out["dcgan_fit_images"] = {k: v[-1] for k, v in h.items()}
    print("RESULT " + json.dumps(out))
""")


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    script = tmp_path_factory.mktemp("dist") / "driver.py"
    script.write_text(DRIVER)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CUDA_VISIBLE_DEVICES": ""}
    r = subprocess.run([sys.executable, str(script)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    line = [x for x in r.stdout.splitlines() if x.startswith("RESULT ")]
    assert line, r.stdout[-2000:] + r.stderr[-2000:]
    return json.loads(line[0][len("RESULT "):])


def test_two_replicas(result):
    assert result["replicas"] == 2


def test_each_replica_draws_its_own_latents(result):
    import numpy as np

    first = [np.array(z) for z in result["latents"]["first"]]
    second = [np.array(z) for z in result["latents"]["second"]]
    assert first[0].shape == (4, 16)
    assert not np.allclose(first[0], first[1]), "both replicas drew the same latents"
    assert not np.allclose(first[0], second[0]), "the seed did not advance between steps"
    assert all(abs(z.std() - 1) < 0.5 for z in first + second)  # standard normal draws


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_metrics_are_those_of_the_global_batch(result, optimizer):
    two, one = result[optimizer]["metrics_two"], result[optimizer]["metrics_one"]
    assert set(two) == {"d_loss", "g_loss", "d_real", "d_fake"}
    for k in two:
        assert two[k] == pytest.approx(one[k], abs=1e-5), k


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_steps_match_single_device_training(result, optimizer):
    r = result[optimizer]
    # The comparison means something: one step moves the weights far more than the tolerance.
    assert r["moved_in_one_step"] > 50 * TOL
    # With plain SGD a loss summed (not averaged) over replicas would double every step; Adam would hide that.
    assert r["max_weight_diff"] < TOL, r


def test_fit_images_trains_the_course_dcgan(result):
    logged = result["dcgan_fit_images"]
    assert set(logged) == {"d_loss", "g_loss", "d_real", "d_fake"}
    assert all(0 < logged[k] < 10 for k in ("d_loss", "g_loss"))
    assert all(0 < logged[k] < 1 for k in ("d_real", "d_fake"))
