"""Lesson 03's exercise checks (3.1-3.3; 3.4 in test_lesson03_train_step.py), each tried three ways: the
solution passes, the untouched stub says "not done yet", and wrong answers written as a student gets them
wrong (issue 19: the library's own function, a setting the GAN does not use, a stand-in for a trained
GAN) are refused with their own message."""

import math

import keras
import numpy as np
import pytest
from exercise_asserts import expect_not_done, expect_pass, expect_wrong, verdict
from exercise_asserts import raise_not_implemented as _raise_not_implemented

from gan_lib import checks, data, latent, models, train
from gan_lib.core.gan import GAN
from gan_lib.coursework.checks import lesson03

# --------------------------------------------------------------------------- 3.1: tconv_size


def tconv_solution(size, kernel, stride, padding):
    return size * stride if padding == "same" else (size - 1) * stride + kernel


def test_3_1_solution_passes(capsys):
    expect_pass(capsys, "3.1", lambda: checks.check_3_1(tconv_solution))


def test_3_1_cases_agree_with_keras():
    for case in checks.TCONV_CASES:
        assert tconv_solution(*case) == checks.lesson03._keras_tconv_size(*case), case


def test_3_1_hints_do_not_give_the_formula(capsys):
    def off_by_one(size, kernel, stride, padding):
        return tconv_solution(size, kernel, stride, padding) + 1

    def conv_formula(size, kernel, stride, padding):
        return math.ceil(size / stride) if padding == "same" else (size - kernel) // stride + 1

    for wrong in (off_by_one, conv_formula, lambda *a: tconv_solution(*a[:3], "valid")):
        ok, out = verdict(capsys, "3.1", lambda w=wrong: checks.check_3_1(w))
        assert not ok and "size * stride" not in out and "(size - 1) * stride + kernel" not in out, out


def test_3_1_stub_is_not_done(capsys):
    expect_not_done(capsys, "3.1", lambda: checks.check_3_1(_raise_not_implemented))
    expect_not_done(capsys, "3.1", lambda: checks.check_3_1(None))


def test_3_1_planted_bugs(capsys):
    def conv_formula(size, kernel, stride, padding):  # the ordinary (shrinking) convolution
        return math.ceil(size / stride) if padding == "same" else (size - kernel) // stride + 1

    def valid_without_kernel(size, kernel, stride, padding):
        return size * stride

    def same_like_valid(size, kernel, stride, padding):
        return (size - 1) * stride + kernel

    def off_by_one(size, kernel, stride, padding):
        return tconv_solution(size, kernel, stride, padding) + 1

    def crashes(size, kernel, stride, padding):
        return size.shape

    expect_wrong(capsys, "3.1", lambda: checks.check_3_1(conv_formula), "ordinary strided convolution", "grows")
    expect_wrong(capsys, "3.1", lambda: checks.check_3_1(valid_without_kernel), "wrong for 'valid'",
                 "nothing is cropped")
    expect_wrong(capsys, "3.1", lambda: checks.check_3_1(same_like_valid), "wrong for 'same'", "crops the overhang")
    expect_wrong(capsys, "3.1", lambda: checks.check_3_1(off_by_one), "Keras' Conv2DTranspose gives")
    expect_wrong(capsys, "3.1", lambda: checks.check_3_1(crashes), "AttributeError")

    def asks_keras(size, kernel, stride, padding):  # reads the answer off the layer instead of working it out
        layer = keras.layers.Conv2DTranspose(1, kernel, strides=stride, padding=padding)
        return int(layer.compute_output_shape((1, size, size, 1))[1])

    expect_wrong(capsys, "3.1", lambda: checks.check_3_1(asks_keras), "calls keras.layers.Conv2DTranspose",
                 "whose output size the exercise asks you to work out")
    expect_wrong(capsys, "3.1", lambda: checks.check_3_1(lambda *a: "14"), "whole number")
    expect_wrong(capsys, "3.1", lambda: checks.check_3_1(28), "should be a function")


# --------------------------------------------------------------------------- 3.2: slerp


def slerp_solution(z0, z1, t):
    z0, z1 = np.asarray(z0, np.float64), np.asarray(z1, np.float64)
    theta = np.arccos(np.clip(z0 @ z1 / (np.linalg.norm(z0) * np.linalg.norm(z1)), -1.0, 1.0))
    if np.sin(theta) < 1e-6:
        return (1 - t) * z0 + t * z1
    return (np.sin((1 - t) * theta) * z0 + np.sin(t * theta) * z1) / np.sin(theta)


def test_3_2_solution_passes(capsys):
    expect_pass(capsys, "3.2", lambda: checks.check_3_2(slerp_solution))


def test_3_2_refuses_the_librarys_slerp(capsys):
    # Before: latent.slerp itself passed (the prompt said not to call it; nothing checked it).
    expect_wrong(capsys, "3.2", lambda: checks.check_3_2(latent.slerp), "is latent.slerp itself")
    expect_wrong(capsys, "3.2", lambda: checks.check_3_2(lambda z0, z1, t: latent.slerp(z0, z1, t)),
                 "calls latent.slerp")
    expect_wrong(capsys, "3.2", lambda: checks.check_3_2(lambda z0, z1, t: latent.path(z0, z1, 5)[round(4 * t)]),
                 "calls latent.slerp")


def test_3_2_stub_is_not_done(capsys):
    expect_not_done(capsys, "3.2", lambda: checks.check_3_2(_raise_not_implemented))


def test_3_2_planted_bugs(capsys):
    def lerp(z0, z1, t):
        return (1 - t) * np.asarray(z0) + t * np.asarray(z1)

    def backwards(z0, z1, t):
        return slerp_solution(z1, z0, t)

    def no_division(z0, z1, t):
        theta = np.arccos(np.clip(z0 @ z1 / (np.linalg.norm(z0) * np.linalg.norm(z1)), -1.0, 1.0))
        return np.sin((1 - t) * theta) * z0 + np.sin(t * theta) * z1

    def no_fallback(z0, z1, t):
        theta = np.arccos(np.clip(z0 @ z1 / (np.linalg.norm(z0) * np.linalg.norm(z1)), -1.0, 1.0))
        with np.errstate(invalid="ignore", divide="ignore"):
            return (np.sin((1 - t) * theta) * z0 + np.sin(t * theta) * z1) / np.sin(theta)

    def unnormalised_angle(z0, z1, t):
        with np.errstate(invalid="ignore"):
            theta = np.arccos(z0 @ z1)  # forgot to divide by the lengths
        return (np.sin((1 - t) * theta) * z0 + np.sin(t * theta) * z1) / np.sin(theta)

    def weights_swapped(z0, z1, t):
        theta = np.arccos(np.clip(z0 @ z1 / (np.linalg.norm(z0) * np.linalg.norm(z1)), -1.0, 1.0))
        return (np.sin(t * theta) * z0 + np.sin((1 - t) * theta) * z1) / np.sin(theta)

    expect_wrong(capsys, "3.2", lambda: checks.check_3_2(lerp), "linear interpolation", "sin(t theta)")
    expect_wrong(capsys, "3.2", lambda: checks.check_3_2(backwards), "runs backwards")
    expect_wrong(capsys, "3.2", lambda: checks.check_3_2(weights_swapped), "runs backwards")
    expect_wrong(capsys, "3.2", lambda: checks.check_3_2(no_division), "sin(theta) * z0", "divide")
    expect_wrong(capsys, "3.2", lambda: checks.check_3_2(no_fallback), "parallel", "fall back")
    expect_wrong(capsys, "3.2", lambda: checks.check_3_2(unnormalised_angle), "NaN", "|z0| |z1|")
    expect_wrong(capsys, "3.2", lambda: checks.check_3_2(lambda z0, z1, t: np.stack([z0, z1])), "shape")

    def on_the_unit_sphere(z0, z1, t):  # normalised for the angle, and never scaled back
        return slerp_solution(z0 / np.linalg.norm(z0), z1 / np.linalg.norm(z1), t)

    expect_wrong(capsys, "3.2", lambda: checks.check_3_2(on_the_unit_sphere), "length 1", "never scaled back")
    expect_wrong(capsys, "3.2", lambda: checks.check_3_2("slerp"), "should be a function")


# --------------------------------------------------------------------------- 3.3: change one setting


def course_gan(steps=1, batch_size=16, **changes):
    """The course DCGAN as exercise 3.3 builds it (defaults from the check's table, ``changes`` on top),
    marked as trained with ``fit_images(batch_size)`` for ``steps`` steps without training (the FD bar is
    stood in for where a test says so: reaching it takes minutes of training)."""
    settings = dict(lr=5e-4, beta_1=0.5, loss="nonsaturating", ema_decay=0.999, latent_dim=None)
    settings.update(changes)
    gan = train.build_gan("dcgan", seed=0, **settings)
    gan.g_optimizer.iterations.assign(steps)
    gan.batch_sizes_used = (batch_size,) if batch_size else ()
    return gan


@pytest.fixture
def fd_bar_met(monkeypatch):
    """Stand in for the FD of a GAN trained for minutes: 30, against an untrained generator's 400."""
    monkeypatch.setattr(lesson03, "_fd_and_untrained_fd", lambda gan, images: (30.0, 400.0))


def test_3_3_solution_passes(capsys, fd_bar_met):
    expect_pass(capsys, "3.3", lambda: checks.check_3_3({"setting": "beta_1", "value": 0.9,
                                                         "gan": course_gan(beta_1=0.9)}))
    expect_pass(capsys, "3.3", lambda: checks.check_3_3({"setting": "batch_size", "value": 64,
                                                         "gan": course_gan(batch_size=64)}))
    expect_pass(capsys, "3.3", lambda: checks.check_3_3({"setting": "ema_decay", "value": None,
                                                         "gan": course_gan(ema_decay=None)}))


def test_3_3_stub_is_not_done(capsys):
    expect_not_done(capsys, "3.3", lambda: checks.check_3_3(None))
    expect_not_done(capsys, "3.3", lambda: checks.check_3_3({"setting": "beta_1", "value": 0.9, "gan": None}))


def test_3_3_refuses_what_the_gan_does_not_use(capsys, fd_bar_met):
    # A setting named but not used; before, batch_size could not be read back and any claim passed.
    expect_wrong(capsys, "3.3", lambda: checks.check_3_3({"setting": "lr", "value": 1e-3, "gan": course_gan()}),
                 "your GAN uses lr = 0.0005")
    expect_wrong(capsys, "3.3", lambda: checks.check_3_3({"setting": "batch_size", "value": 64,
                                                           "gan": course_gan()}), "your GAN uses batch_size = 16")
    expect_wrong(capsys, "3.3", lambda: checks.check_3_3({"setting": "ema_decay", "value": None,
                                                           "gan": course_gan()}), "your GAN uses ema_decay = 0.999")
    expect_wrong(capsys, "3.3", lambda: checks.check_3_3({"setting": "batch_size", "value": 64,
                                                           "gan": course_gan(batch_size=None)}),
                 "cannot read your batch size back", "fit_images")
    g_only = course_gan()  # a faster G only, named as the learning rate
    g_only.g_optimizer.learning_rate.assign(2e-3)
    expect_wrong(capsys, "3.3", lambda: checks.check_3_3({"setting": "lr", "value": 2e-3, "gan": g_only}),
                 "(D's, G's)", "both networks")


def test_3_3_refuses_two_changes_at_once(capsys, fd_bar_met):
    # Variant B's bundle (learning rate and beta_1 together) named as one setting.
    bundle = course_gan(lr=1e-4, beta_1=0.9)
    expect_wrong(capsys, "3.3", lambda: checks.check_3_3({"setting": "beta_1", "value": 0.9, "gan": bundle}),
                 "Besides beta_1, your GAN changes lr", "variant B")
    expect_wrong(capsys, "3.3", lambda: checks.check_3_3({"setting": "beta_1", "value": 0.9,
                                                           "gan": course_gan(beta_1=0.9, batch_size=64)}),
                 "changes batch_size = 64")


def test_3_3_refuses_what_is_not_the_trained_course_dcgan(capsys, fd_bar_met):
    # Before: anything with sample() and generator passed, e.g. a stand-in returning real digits.
    digits = data.load_digits("train", limit=1000, verbose=False).images

    class RealDigits:
        generator = None

        def sample(self, n, seed=0):
            return digits[:n]

    expect_wrong(capsys, "3.3", lambda: checks.check_3_3({"setting": "beta_1", "value": 0.9, "gan": RealDigits()}),
                 "should be the GAN you trained")
    expect_wrong(capsys, "3.3", lambda: checks.check_3_3({"setting": "beta_1", "value": 0.9, "gan": digits}),
                 "an array of samples")
    expect_wrong(capsys, "3.3", lambda: checks.check_3_3({"setting": "beta_1", "value": 0.9,
                                                           "gan": course_gan(steps=0, beta_1=0.9)}),
                 "has not been trained")
    mlp = GAN(*models.build("mlp", 64), ema_decay=0.999)  # lesson 02's MLP, with beta_1 changed
    mlp.compile(keras.optimizers.Adam(5e-4, beta_1=0.9), keras.optimizers.Adam(5e-4, beta_1=0.9))
    mlp.g_optimizer.iterations.assign(100)
    mlp.batch_sizes_used = (16,)
    expect_wrong(capsys, "3.3", lambda: checks.check_3_3({"setting": "beta_1", "value": 0.9, "gan": mlp}),
                 "not the course DCGAN's")


def test_3_3_refuses_a_gan_that_has_not_learned(capsys):
    # The real FD bar: an untrained course DCGAN marked as trained is no better than an untrained one.
    expect_wrong(capsys, "3.3", lambda: checks.check_3_3({"setting": "beta_1", "value": 0.9,
                                                           "gan": course_gan(beta_1=0.9)}),
                 "untrained generator", "less than half")


def test_3_3_planted_bugs(capsys, fd_bar_met):
    expect_wrong(capsys, "3.3", lambda: checks.check_3_3({"setting": "beta_1", "value": 0.5, "gan": course_gan()}),
                 "course's default")
    expect_wrong(capsys, "3.3", lambda: checks.check_3_3({"setting": "dropout", "value": 0.3, "gan": course_gan()}),
                 "not one of the settings")
    expect_wrong(capsys, "3.3", lambda: checks.check_3_3(course_gan()), "should be a dict")
    diverged = course_gan(beta_1=0.9)
    last = diverged.ema_generator.layers[-1]
    last.bias.assign(np.full(last.bias.shape, np.nan, "float32"))
    expect_wrong(capsys, "3.3", lambda: checks.check_3_3({"setting": "beta_1", "value": 0.9, "gan": diverged}),
                 "NaN")


@pytest.mark.parametrize("name", ["check_3_1", "check_3_2", "check_3_3", "check_3_4"])
def test_every_check_has_a_docstring(name):
    assert getattr(checks, name).__doc__
