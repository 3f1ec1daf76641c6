"""Exercise 3.4: a DCGAN training step written by hand, checked against the course's GAN.train_step.

The reference answer must pass; each wrong answer below is a mistake a student really makes, written
as code, and must be refused with its own message (the test fails if any wrong answer passes)."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from exercise_asserts import expect_not_done, expect_pass, expect_wrong
from exercise_asserts import raise_not_implemented as _raise_not_implemented
from keras import ops

from gan_lib import checks
from gan_lib.coursework.checks import lesson03

bce = keras.losses.BinaryCrossentropy(from_logits=True)


def reference(generator, discriminator, g_optimizer, d_optimizer, real, z_d, z_g):
    """The notebook's solution: D first (its tape, its optimizer), then G against the updated D."""
    fake = generator(z_d, training=True)
    with tf.GradientTape() as d_tape:
        real_logits = discriminator(real, training=True)
        fake_logits = discriminator(fake, training=True)
        d_loss = ops.mean(ops.softplus(-real_logits)) + ops.mean(ops.softplus(fake_logits))
    d_grads = d_tape.gradient(d_loss, discriminator.trainable_weights)
    d_optimizer.apply_gradients(zip(d_grads, discriminator.trainable_weights))
    with tf.GradientTape() as g_tape:
        g_logits = discriminator(generator(z_g, training=True), training=True)
        g_loss = ops.mean(ops.softplus(-g_logits))
    g_grads = g_tape.gradient(g_loss, generator.trainable_weights)
    g_optimizer.apply_gradients(zip(g_grads, generator.trainable_weights))
    return d_loss, g_loss


def with_keras_bce(generator, discriminator, g_optimizer, d_optimizer, real, z_d, z_g):
    """Also right: Keras' cross-entropy from logits, as in TensorFlow's tutorial, and float returns."""
    with tf.GradientTape() as tape:
        real_out = discriminator(real, training=True)
        fake_out = discriminator(generator(z_d, training=True), training=True)
        d_loss = bce(tf.ones_like(real_out), real_out) + bce(tf.zeros_like(fake_out), fake_out)
    d_optimizer.apply_gradients(zip(tape.gradient(d_loss, discriminator.trainable_variables),
                                    discriminator.trainable_variables))
    with tf.GradientTape() as tape:
        out = discriminator(generator(z_g, training=True), training=True)
        g_loss = bce(tf.ones_like(out), out)
    g_optimizer.apply_gradients(zip(tape.gradient(g_loss, generator.trainable_variables),
                                    generator.trainable_variables))
    return float(d_loss), float(g_loss)


def _d_loss(discriminator, real, fake):
    real_logits = discriminator(real, training=True)
    fake_logits = discriminator(fake, training=True)
    return bce(tf.ones_like(real_logits), real_logits) + bce(tf.zeros_like(fake_logits), fake_logits)


def _g_loss(discriminator, fake):
    logits = discriminator(fake, training=True)
    return bce(tf.ones_like(logits), logits)


# ------------------------------------------------------------------- (a) a tape or an optimizer for the wrong net


def one_tape_for_both(generator, discriminator, g_optimizer, d_optimizer, real, z_d, z_g):
    """One tape, D's loss differentiated with respect to every weight of the GAN."""
    weights = generator.trainable_weights + discriminator.trainable_weights
    with tf.GradientTape() as tape:
        d_loss = _d_loss(discriminator, real, generator(z_d, training=True))
    d_optimizer.apply_gradients(zip(tape.gradient(d_loss, weights), weights))
    with tf.GradientTape() as tape:
        g_loss = _g_loss(discriminator, generator(z_g, training=True))
    g_optimizer.apply_gradients(zip(tape.gradient(g_loss, generator.trainable_weights), generator.trainable_weights))
    return d_loss, g_loss


def optimizers_mixed_up(generator, discriminator, g_optimizer, d_optimizer, real, z_d, z_g):
    """D's gradients sent to g_optimizer's weights, G's to d_optimizer's (a copy-paste slip)."""
    with tf.GradientTape() as tape:
        d_loss = _d_loss(discriminator, real, generator(z_d, training=True))
    g_optimizer.apply_gradients(zip(tape.gradient(d_loss, discriminator.trainable_weights),
                                    discriminator.trainable_weights))
    with tf.GradientTape() as tape:
        g_loss = _g_loss(discriminator, generator(z_g, training=True))
    d_optimizer.apply_gradients(zip(tape.gradient(g_loss, generator.trainable_weights), generator.trainable_weights))
    return d_loss, g_loss


def g_gradient_from_d_tape(generator, discriminator, g_optimizer, d_optimizer, real, z_d, z_g):
    """G's gradient asked of D's tape, after that tape has closed."""
    with tf.GradientTape(persistent=True) as d_tape:
        d_loss = _d_loss(discriminator, real, generator(z_d, training=True))
    d_optimizer.apply_gradients(zip(d_tape.gradient(d_loss, discriminator.trainable_weights),
                                    discriminator.trainable_weights))
    g_loss = _g_loss(discriminator, generator(z_g, training=True))
    g_optimizer.apply_gradients(zip(d_tape.gradient(g_loss, generator.trainable_weights), generator.trainable_weights))
    return d_loss, g_loss


# --------------------------------------------------------------------------- (b) D moved by G's update


def d_moved_by_g(generator, discriminator, g_optimizer, d_optimizer, real, z_d, z_g):
    """G's loss differentiated with respect to G and D together (the combined model without a frozen D)."""
    with tf.GradientTape() as tape:
        d_loss = _d_loss(discriminator, real, generator(z_d, training=True))
    d_optimizer.apply_gradients(zip(tape.gradient(d_loss, discriminator.trainable_weights),
                                    discriminator.trainable_weights))
    weights = generator.trainable_weights + discriminator.trainable_weights
    with tf.GradientTape() as tape:
        g_loss = _g_loss(discriminator, generator(z_g, training=True))
    g_optimizer.apply_gradients(zip(tape.gradient(g_loss, weights), weights))
    return d_loss, g_loss


# --------------------------------------------------------------------------- (c) the saturating loss


def saturating_g_loss(generator, discriminator, g_optimizer, d_optimizer, real, z_d, z_g):
    """G minimises log(1 - D(G(z))): "G maximises D's loss on the fakes"."""
    with tf.GradientTape() as tape:
        d_loss = _d_loss(discriminator, real, generator(z_d, training=True))
    d_optimizer.apply_gradients(zip(tape.gradient(d_loss, discriminator.trainable_weights),
                                    discriminator.trainable_weights))
    with tf.GradientTape() as tape:
        logits = discriminator(generator(z_g, training=True), training=True)
        g_loss = -bce(tf.zeros_like(logits), logits)
    g_optimizer.apply_gradients(zip(tape.gradient(g_loss, generator.trainable_weights), generator.trainable_weights))
    return d_loss, g_loss


# --------------------------------------------------------------------------- (d) inference-mode calls


def no_training_flag(generator, discriminator, g_optimizer, d_optimizer, real, z_d, z_g):
    """The networks called as plain functions (Keras 3: BatchNorm in inference mode)."""
    with tf.GradientTape() as tape:
        real_out, fake_out = discriminator(real), discriminator(generator(z_d))
        d_loss = bce(tf.ones_like(real_out), real_out) + bce(tf.zeros_like(fake_out), fake_out)
    d_optimizer.apply_gradients(zip(tape.gradient(d_loss, discriminator.trainable_weights),
                                    discriminator.trainable_weights))
    with tf.GradientTape() as tape:
        out = discriminator(generator(z_g))
        g_loss = bce(tf.ones_like(out), out)
    g_optimizer.apply_gradients(zip(tape.gradient(g_loss, generator.trainable_weights), generator.trainable_weights))
    return d_loss, g_loss


def inference_fakes_for_d(generator, discriminator, g_optimizer, d_optimizer, real, z_d, z_g):
    """D's fakes made with training=False ("G is not being trained here")."""
    with tf.GradientTape() as tape:
        d_loss = _d_loss(discriminator, real, generator(z_d, training=False))
    d_optimizer.apply_gradients(zip(tape.gradient(d_loss, discriminator.trainable_weights),
                                    discriminator.trainable_weights))
    with tf.GradientTape() as tape:
        g_loss = _g_loss(discriminator, generator(z_g, training=True))
    g_optimizer.apply_gradients(zip(tape.gradient(g_loss, generator.trainable_weights), generator.trainable_weights))
    return d_loss, g_loss


# --------------------------------------------------------------------------- (e) latents


def swapped_latents(generator, discriminator, g_optimizer, d_optimizer, real, z_d, z_g):
    return reference(generator, discriminator, g_optimizer, d_optimizer, real, z_g, z_d)


def same_latent(generator, discriminator, g_optimizer, d_optimizer, real, z_d, z_g):
    return reference(generator, discriminator, g_optimizer, d_optimizer, real, z_d, z_d)


def tutorial_style(generator, discriminator, g_optimizer, d_optimizer, real, z_d, z_g):
    """TensorFlow tutorial's step: one noise batch, both tapes at once, both updates from one forward pass."""
    with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
        fake = generator(z_d, training=True)
        real_out, fake_out = discriminator(real, training=True), discriminator(fake, training=True)
        g_loss = bce(tf.ones_like(fake_out), fake_out)
        d_loss = bce(tf.ones_like(real_out), real_out) + bce(tf.zeros_like(fake_out), fake_out)
    g_grads = gen_tape.gradient(g_loss, generator.trainable_variables)
    d_grads = disc_tape.gradient(d_loss, discriminator.trainable_variables)
    d_optimizer.apply_gradients(zip(d_grads, discriminator.trainable_variables))
    g_optimizer.apply_gradients(zip(g_grads, generator.trainable_variables))
    return d_loss, g_loss


def stale_d_for_g(generator, discriminator, g_optimizer, d_optimizer, real, z_d, z_g):
    """Both losses recorded on one persistent tape first, then both updates: G's loss sees the old D."""
    with tf.GradientTape(persistent=True) as tape:
        d_loss = _d_loss(discriminator, real, generator(z_d, training=True))
        g_loss = _g_loss(discriminator, generator(z_g, training=True))
    d_optimizer.apply_gradients(zip(tape.gradient(d_loss, discriminator.trainable_weights),
                                    discriminator.trainable_weights))
    g_optimizer.apply_gradients(zip(tape.gradient(g_loss, generator.trainable_weights), generator.trainable_weights))
    return d_loss, g_loss


# --------------------------------------------------------------------------- (f) no updates, and other slips


def no_updates(generator, discriminator, g_optimizer, d_optimizer, real, z_d, z_g):
    """The right losses and gradients, but nothing applied."""
    with tf.GradientTape() as tape:
        d_loss = _d_loss(discriminator, real, generator(z_d, training=True))
    tape.gradient(d_loss, discriminator.trainable_weights)
    with tf.GradientTape() as tape:
        g_loss = _g_loss(discriminator, generator(z_g, training=True))
    tape.gradient(g_loss, generator.trainable_weights)
    return d_loss, g_loss


def only_d_updated(generator, discriminator, g_optimizer, d_optimizer, real, z_d, z_g):
    with tf.GradientTape() as tape:
        d_loss = _d_loss(discriminator, real, generator(z_d, training=True))
    d_optimizer.apply_gradients(zip(tape.gradient(d_loss, discriminator.trainable_weights),
                                    discriminator.trainable_weights))
    with tf.GradientTape() as tape:
        g_loss = _g_loss(discriminator, generator(z_g, training=True))
    tape.gradient(g_loss, generator.trainable_weights)
    return d_loss, g_loss


def g_first(generator, discriminator, g_optimizer, d_optimizer, real, z_d, z_g):
    with tf.GradientTape() as tape:
        g_loss = _g_loss(discriminator, generator(z_g, training=True))
    g_optimizer.apply_gradients(zip(tape.gradient(g_loss, generator.trainable_weights), generator.trainable_weights))
    with tf.GradientTape() as tape:
        d_loss = _d_loss(discriminator, real, generator(z_d, training=True))
    d_optimizer.apply_gradients(zip(tape.gradient(d_loss, discriminator.trainable_weights),
                                    discriminator.trainable_weights))
    return d_loss, g_loss


def concatenated_batch(generator, discriminator, g_optimizer, d_optimizer, real, z_d, z_g):
    """Real and fake in one call of D, with one mean over the 2N labels."""
    with tf.GradientTape() as tape:
        logits = discriminator(tf.concat([real, generator(z_d, training=True)], 0), training=True)
        labels = tf.concat([tf.ones((len(real), 1)), tf.zeros((len(z_d), 1))], 0)
        d_loss = bce(labels, logits)
    d_optimizer.apply_gradients(zip(tape.gradient(d_loss, discriminator.trainable_weights),
                                    discriminator.trainable_weights))
    with tf.GradientTape() as tape:
        g_loss = _g_loss(discriminator, generator(z_g, training=True))
    g_optimizer.apply_gradients(zip(tape.gradient(g_loss, generator.trainable_weights), generator.trainable_weights))
    return d_loss, g_loss


def course_train_step(generator, discriminator, g_optimizer, d_optimizer, real, z_d, z_g):
    """The course's GAN.train_step itself, its two latent draws replaced by z_d and z_g: the very update the
    check compares with, so it passed before the check refused the library's step."""
    from gan_lib.core.gan import GAN

    class Scripted(GAN):
        def _latents(self, n):
            return ops.convert_to_tensor(self.script.pop(0))

    gan = Scripted(generator, discriminator)
    gan.script = [z_d, z_g]
    gan.compile(d_optimizer=d_optimizer, g_optimizer=g_optimizer)
    logs = gan.train_step(ops.convert_to_tensor(real))
    return logs["d_loss"], logs["g_loss"]


def losses_swapped(*args):
    d_loss, g_loss = reference(*args)
    return g_loss, d_loss


def returns_nothing(*args):
    reference(*args)


def wrong_signature(generator, discriminator, real, z):
    raise AssertionError("never called")


WRONG = [
    pytest.param(one_tape_for_both, ["d_optimizer was given G's weights"], id="a-one-tape-for-both"),
    pytest.param(optimizers_mixed_up, ["G's update also moved D"], id="a-optimizers-mixed-up"),
    pytest.param(g_gradient_from_d_tape, ["gradient of None", "one tape per update"], id="a-g-from-d-tape"),
    pytest.param(d_moved_by_g, ["G's update also moved D", "generator.trainable_weights only"], id="b-d-moved-by-g"),
    pytest.param(saturating_g_loss, ["saturating", "softplus(-l)"], id="c-saturating"),
    pytest.param(no_training_flag, ["BatchNorm running statistics did not move", "training=True"],
                 id="d-no-training-flag"),
    pytest.param(inference_fakes_for_d, ["BatchNorm running statistics differ", "training=True"],
                 id="d-inference-fakes-for-d"),
    pytest.param(swapped_latents, ["latents are swapped"], id="e-swapped"),
    pytest.param(same_latent, ["same latents (z_d)"], id="e-same-latent"),
    pytest.param(tutorial_style, ["D from before its update", "tutorial"], id="e-tutorial-style"),
    pytest.param(stale_d_for_g, ["D from before D's update"], id="stale-d"),
    pytest.param(no_updates, ["D's weights were never updated", "apply_gradients"], id="f-no-updates"),
    pytest.param(only_d_updated, ["G's weights were never updated"], id="f-only-d"),
    pytest.param(g_first, ["G was updated before D"], id="g-first"),
    pytest.param(concatenated_batch, ["half the course's"], id="concatenated"),
    pytest.param(losses_swapped, ["wrong order"], id="losses-swapped"),
    pytest.param(course_train_step, ["calls GAN.train_step", "the one this exercise asks you to write"],
                 id="library-train-step"),
    pytest.param(returns_nothing, ["should return the two losses"], id="returns-nothing"),
    pytest.param(wrong_signature, ["seven arguments"], id="wrong-signature"),
    pytest.param("dcgan_train_step", ["should be a function"], id="not-callable"),
]


@pytest.mark.parametrize("answer", [reference, with_keras_bce])
def test_3_4_right_answers_pass(capsys, answer):
    expect_pass(capsys, "3.4", lambda: checks.check_3_4(answer))


def test_3_4_stub_is_not_done(capsys):
    expect_not_done(capsys, "3.4", lambda: checks.check_3_4(_raise_not_implemented))
    expect_not_done(capsys, "3.4", lambda: checks.check_3_4(None))


@pytest.mark.parametrize("answer, phrases", WRONG)
def test_3_4_wrong_answers_are_refused(capsys, answer, phrases):
    expect_wrong(capsys, "3.4", lambda: checks.check_3_4(answer), *phrases)


def test_the_checks_library_step_is_the_course_gans_own():
    """The check's GAN with scripted latents makes exactly the update of a plain GAN whose draws they are."""
    from gan_lib.core.gan import GAN

    init, real, _, _ = lesson03._setting_3_4()
    g, d = lesson03._pair_3_4(init)
    gan = GAN(g, d, seed=5)
    gan.compile(d_optimizer=keras.optimizers.SGD(lesson03.LR_3_4), g_optimizer=keras.optimizers.SGD(lesson03.LR_3_4))
    logs = gan.train_step(ops.convert_to_tensor(real))
    seeds = keras.random.SeedGenerator(5)  # the plain GAN's two draws, repeated
    z_d, z_g = (ops.convert_to_numpy(keras.random.normal((len(real), 64), seed=seeds)) for _ in range(2))
    d_loss, g_loss, state = lesson03._library_step_3_4(init, real, z_d, z_g)
    assert np.isclose(d_loss, float(logs["d_loss"]), rtol=1e-6) and np.isclose(g_loss, float(logs["g_loss"]), rtol=1e-6)
    plain = lesson03._state_3_4(g, d)
    for part in ("G", "G_bn", "D"):
        assert lesson03._rel_err(state[part], plain[part]) < 1e-6, part


def test_3_4_is_fast():
    import time

    t = time.perf_counter()
    checks.check_3_4(reference)
    assert time.perf_counter() - t < 10
