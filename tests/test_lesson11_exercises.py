"""Lesson 11's exercise checks, each tried three ways: the solution passes, the untouched
stub says "not done yet", and planted typical bugs get their own specific messages."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from exercise_asserts import expect_not_done, expect_pass, expect_wrong
from exercise_asserts import raise_not_implemented as _raise_not_implemented

from gan_lib import checks, latent_edit

# --------------------------------------------------------------------------- 11.1: an inversion loop


def make_inverter(sign=1.0, update=True, loss="mse"):
    def invert_digits(generator, targets, steps, lr):
        x = tf.constant(np.asarray(targets, np.float32))
        z = tf.Variable(np.random.default_rng(0).standard_normal((len(x), generator.input_shape[-1])).astype("float32"))
        opt = keras.optimizers.Adam(lr)

        @tf.function  # traced once: keeps the test fast
        def step():
            with tf.GradientTape() as tape:
                out = generator(z, training=False)
                if loss == "mse":
                    value = tf.reduce_mean(tf.square(out - x))
                else:  # the square of the mean difference
                    value = tf.reduce_sum(tf.square(tf.reduce_mean(out - x, axis=[1, 2, 3])))
            grad = tape.gradient(value, z)
            if update:
                opt.apply_gradients([(sign * grad, z)])

        for _ in range(steps):
            step()
        return z.numpy()
    return invert_digits


def test_11_1_solution_passes(capsys):
    expect_pass(capsys, "11.1", lambda: checks.check_11_1(make_inverter()))


def test_11_1_stub_is_not_done(capsys):
    expect_not_done(capsys, "11.1", lambda: checks.check_11_1(_raise_not_implemented))
    expect_not_done(capsys, "11.1", lambda: checks.check_11_1(lambda g, t, s, lr: None))


def test_11_1_planted_bugs(capsys):
    expect_wrong(capsys, "11.1", lambda: checks.check_11_1(make_inverter(update=False)), "does not seem to change")
    expect_wrong(capsys, "11.1", lambda: checks.check_11_1(make_inverter(sign=-1.0)), "*worse*")
    expect_wrong(capsys, "11.1", lambda: checks.check_11_1(make_inverter(loss="mean_then_square")),
                 "squares the mean difference")
    expect_wrong(capsys, "11.1", lambda: checks.check_11_1(
        lambda g, t, s, lr: np.asarray(g(make_inverter()(g, t, s, lr)))), "expected (6, 8)")


# --------------------------------------------------------------------------- 11.2: a direction from labels


def probe(z, values):
    a = np.concatenate([z, np.ones((len(z), 1))], 1)
    w = np.linalg.lstsq(a, values, rcond=None)[0][:-1]
    return w / np.linalg.norm(w)


def test_11_2_solution_passes(capsys):
    expect_pass(capsys, "11.2", lambda: checks.check_11_2(probe))
    expect_pass(capsys, "11.2", lambda: checks.check_11_2(latent_edit.probe_direction))


def test_11_2_stub_is_not_done(capsys):
    expect_not_done(capsys, "11.2", lambda: checks.check_11_2(_raise_not_implemented))
    expect_not_done(capsys, "11.2", lambda: checks.check_11_2(lambda z, v: None))


def test_11_2_planted_bugs(capsys):
    def not_normalised(z, values):
        a = np.concatenate([z, np.ones((len(z), 1))], 1)
        return np.linalg.lstsq(a, values, rcond=None)[0][:-1]

    def uncentred(z, values):
        w = values @ z
        return w / np.linalg.norm(w)

    def other_labels(z, values):  # fitted to another attribute of the same latents
        return probe(z, checks.lesson11._direction_case()[2])

    expect_wrong(capsys, "11.2", lambda: checks.check_11_2(not_normalised), "not 1")
    expect_wrong(capsys, "11.2", lambda: checks.check_11_2(lambda z, v: -probe(z, v)), "wrong way")
    expect_wrong(capsys, "11.2", lambda: checks.check_11_2(uncentred), "without centring")
    expect_wrong(capsys, "11.2", lambda: checks.check_11_2(other_labels), "*other* values")
    expect_wrong(capsys, "11.2", lambda: checks.check_11_2(lambda z, v: np.append(probe(z, v), 0.0)), "shape")


# --------------------------------------------------------------------------- 11.3: an edit of one's own


def width(images):
    """The reference's measure: the ink-weighted spread of the digit's columns."""
    w = (np.asarray(images, np.float64).reshape(len(images), 28, 28) + 1) / 2
    cols = np.arange(28.0)[None, None, :]
    m = w.sum((1, 2))
    c0 = (w * cols).sum((1, 2)) / m
    return np.sqrt((w * (cols - c0[:, None, None]) ** 2).sum((1, 2)) / m)


@pytest.fixture(scope="module")
def lab():
    """The lesson's labelled samples of the seed-0 generator (section 4's z_lab) and their class basis."""
    from gan_lib.core.latent import classify

    g = latent_edit.load_generator(latent_edit.results_dir() / latent_edit.generator_file(0))
    z, attrs, x = latent_edit.labelled_samples(g, n=5000, seed=0, images=True)
    return z, x, attrs, latent_edit.class_directions(z, classify(x)[0])


def fitted(lab, values, conditional=True):
    z, _, _, basis = lab
    d = latent_edit.probe_direction(z, values)
    return latent_edit.conditional_direction(d, basis) if conditional else d


def test_11_3_solution_passes(capsys, lab):
    answer = {"direction": fitted(lab, width(lab[1])), "measure": width}
    expect_pass(capsys, "11.3", lambda: checks.check_11_3(answer))


def test_11_3_stub_is_not_done(capsys):
    expect_not_done(capsys, "11.3", lambda: checks.check_11_3(None))


def test_11_3_planted_bugs(capsys, lab):
    z, x, attrs, basis = lab
    d_width = fitted(lab, width(x))
    # the plain probe: width rises for nearly every sample, but the digit changes for most of them
    expect_wrong(capsys, "11.3", lambda: checks.check_11_3({"direction": fitted(lab, width(x), conditional=False),
                                                           "measure": width}), "*which digit*")
    # a direction fitted to another property (thickness, class-free) handed in with the width measure
    expect_wrong(capsys, "11.3", lambda: checks.check_11_3({"direction": fitted(lab, attrs["thickness"]),
                                                           "measure": width}), "not the one your measure follows")
    # a direction fitted to nothing: random, with the class directions projected out
    rnd = np.random.default_rng(3).standard_normal(z.shape[1])
    rnd = latent_edit.conditional_direction(rnd / np.linalg.norm(rnd), basis)
    expect_wrong(capsys, "11.3", lambda: checks.check_11_3({"direction": rnd, "measure": width}),
                 "not the one your measure follows")
    # the lesson's own slant, not a property of one's own
    expect_wrong(capsys, "11.3", lambda: checks.check_11_3({"direction": fitted(lab, attrs["slant"]),
                                                           "measure": latent_edit.slant}), "lesson's slant")
    expect_wrong(capsys, "11.3", lambda: checks.check_11_3({"direction": -d_width, "measure": width}), "*falls*")
    expect_wrong(capsys, "11.3", lambda: checks.check_11_3({"direction": 5 * d_width, "measure": width}), "length")
    expect_wrong(capsys, "11.3", lambda: checks.check_11_3({"direction": d_width,
                                                           "measure": lambda x: np.zeros(len(x))}), "same number")
    expect_wrong(capsys, "11.3", lambda: checks.check_11_3({"direction": d_width,
                                                           "measure": lambda x: np.zeros((len(x), 2))}), "one number")
