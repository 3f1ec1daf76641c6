"""Lesson 03's exercise checks, each tried three ways: the solution passes, the untouched
stub says "not done yet", and a planted typical bug gets its own specific message."""

import math

import numpy as np
import pytest
from exercise_asserts import expect_not_done, expect_pass, expect_wrong
from exercise_asserts import raise_not_implemented as _raise_not_implemented

from gan_lib import checks, data, latent, train

# --------------------------------------------------------------------------- 3.1: tconv_size


def tconv_solution(size, kernel, stride, padding):
    return size * stride if padding == "same" else (size - 1) * stride + kernel


def test_3_1_solution_passes(capsys):
    expect_pass(capsys, "3.1", lambda: checks.check_3_1(tconv_solution))


def test_3_1_cases_agree_with_keras():
    for case in checks.TCONV_CASES:
        assert tconv_solution(*case) == checks.lesson03._keras_tconv_size(*case), case


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
                 "(size - 1) * stride + kernel")
    expect_wrong(capsys, "3.1", lambda: checks.check_3_1(same_like_valid), "wrong for 'same'", "size * stride")
    expect_wrong(capsys, "3.1", lambda: checks.check_3_1(off_by_one), "Keras' Conv2DTranspose gives")
    expect_wrong(capsys, "3.1", lambda: checks.check_3_1(crashes), "AttributeError")
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
    expect_pass(capsys, "3.2", lambda: checks.check_3_2(latent.slerp))  # the library's own


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
    expect_wrong(capsys, "3.2", lambda: checks.check_3_2("slerp"), "should be a function")


# --------------------------------------------------------------------------- 3.3: change one setting


class RealDigitsGAN:
    """What a well-trained solution amounts to: a course GAN whose samples are real digits."""

    def __init__(self, gan):
        self._gan = gan
        self._digits = data.load_digits("train", verbose=False).images

    def __getattr__(self, name):
        return getattr(self._gan, name)

    def sample(self, n, seed=0):
        return self._digits[np.random.default_rng(seed).permutation(len(self._digits))[:n]]


@pytest.fixture(scope="module")
def beta_09():
    return train.build_gan("dcgan", seed=0, lr=5e-4, beta_1=0.9, loss="nonsaturating", ema_decay=0.999)


def test_3_3_solution_passes(capsys, beta_09):
    good = RealDigitsGAN(beta_09)
    expect_pass(capsys, "3.3", lambda: checks.check_3_3({"setting": "beta_1", "value": 0.9, "gan": good}))
    expect_pass(capsys, "3.3", lambda: checks.check_3_3({"setting": "batch_size", "value": 64, "gan": good}))


def test_3_3_stub_is_not_done(capsys, beta_09):
    expect_not_done(capsys, "3.3", lambda: checks.check_3_3(None))
    expect_not_done(capsys, "3.3", lambda: checks.check_3_3({"setting": "beta_1", "value": 0.9, "gan": None}))


def test_3_3_planted_bugs(capsys, beta_09):
    good = RealDigitsGAN(beta_09)
    expect_wrong(capsys, "3.3", lambda: checks.check_3_3({"setting": "beta_1", "value": 0.5, "gan": good}),
                 "course's default")
    expect_wrong(capsys, "3.3", lambda: checks.check_3_3({"setting": "lr", "value": 1e-3, "gan": good}),
                 "your GAN uses lr = 0.0005")
    expect_wrong(capsys, "3.3", lambda: checks.check_3_3({"setting": "ema_decay", "value": None, "gan": good}),
                 "your GAN uses ema_decay = 0.999")
    expect_wrong(capsys, "3.3", lambda: checks.check_3_3({"setting": "beta_1", "value": 0.9, "gan": beta_09}),
                 "untrained generator", "less than half")
    expect_wrong(capsys, "3.3", lambda: checks.check_3_3({"setting": "dropout", "value": 0.3, "gan": good}),
                 "not one of the settings")
    expect_wrong(capsys, "3.3", lambda: checks.check_3_3(beta_09), "should be a dict")

    class Diverged(RealDigitsGAN):
        def sample(self, n, seed=0):
            return np.full((n, 28, 28, 1), np.nan, "float32")

    expect_wrong(capsys, "3.3", lambda: checks.check_3_3({"setting": "beta_1", "value": 0.9,
                                                           "gan": Diverged(beta_09)}), "NaN")


@pytest.mark.parametrize("name", ["check_3_1", "check_3_2", "check_3_3"])
def test_every_check_has_a_docstring(name):
    assert getattr(checks, name).__doc__
