"""Lesson 10's exercise checks, each tried three ways: the solution passes, the untouched
stub says "not done yet", and planted typical bugs get their own specific messages."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from exercise_asserts import expect_not_done, expect_pass, expect_wrong
from exercise_asserts import raise_not_implemented as _raise_not_implemented

from gan_lib import checks, little_data
from gan_lib.coursework.checks import lesson10

# --------------------------------------------------------------------------- 10.1: a differentiable shift


def make_shift(fill=-1.0, roll=False, sign=1, swap=False, numpy=False):
    def shift_images(images, shifts):
        shifts = np.asarray(shifts)[:, ::-1] if swap else np.asarray(shifts)
        if numpy:
            x = np.asarray(images)
            return np.stack([lesson10._oracle_shift(i, int(dy), int(dx)) for i, (dy, dx) in zip(x, shifts)])
        out = []
        for k in range(len(shifts)):
            dy, dx = sign * int(shifts[k, 0]), sign * int(shifts[k, 1])
            img = images[k]
            if roll:
                out.append(tf.roll(img, (dy, dx), (0, 1)))
                continue
            p = 4
            padded = tf.pad(img - fill, [[p, p], [p, p], [0, 0]]) + fill
            out.append(padded[p - dy:p - dy + 28, p - dx:p - dx + 28])
        return tf.stack(out)
    return shift_images


def test_10_1_solution_passes(capsys):
    expect_pass(capsys, "10.1", lambda: checks.check_10_1(make_shift()))


def test_10_1_course_translation_pieces_pass(capsys):
    """The course's own gather-based translation, given the shifts instead of drawing them, passes too."""
    def shift_images(images, shifts):
        s = 4
        padded = tf.pad(images + 1.0, [[0, 0], [s, s], [s, s], [0, 0]]) - 1.0
        rows = tf.range(28)[None, :] + s - tf.constant(shifts[:, :1], tf.int32)
        cols = tf.range(28)[None, :] + s - tf.constant(shifts[:, 1:], tf.int32)
        return tf.gather(tf.gather(padded, rows, axis=1, batch_dims=1), cols, axis=2, batch_dims=1)
    expect_pass(capsys, "10.1", lambda: checks.check_10_1(shift_images))


def test_10_1_plain_keras_ops_pass(capsys):
    def shift_images(images, shifts):
        padded = keras.ops.pad(images + 1.0, [[0, 0], [4, 4], [4, 4], [0, 0]]) - 1.0
        return keras.ops.stack([padded[i, 4 - int(dy):32 - int(dy), 4 - int(dx):32 - int(dx)]
                                for i, (dy, dx) in enumerate(shifts)])
    expect_pass(capsys, "10.1", lambda: checks.check_10_1(shift_images))


def test_10_1_stub_is_not_done(capsys):
    expect_not_done(capsys, "10.1", lambda: checks.check_10_1(_raise_not_implemented))


@pytest.mark.parametrize("kwargs, phrase", [
    ({"roll": True}, "wraps around"),
    ({"fill": 0.0}, "mid-grey"),
    ({"sign": -1}, "wrong way"),
    ({"swap": True}, "swaps the axes"),
    ({"numpy": True}, "No gradient flows"),
])
def test_10_1_typical_bugs_get_their_message(capsys, kwargs, phrase):
    expect_wrong(capsys, "10.1", lambda: checks.check_10_1(make_shift(**kwargs)), phrase)


def test_10_1_wrong_shape_and_crash(capsys):
    expect_wrong(capsys, "10.1", lambda: checks.check_10_1(lambda images, shifts: images[:, :20]), "expected")
    expect_wrong(capsys, "10.1", lambda: checks.check_10_1(lambda images, shifts: 1 / 0), "ZeroDivisionError")


# --------------------------------------------------------------------------- 10.2: ADA's controller


def ada_update(p, logits, speed, *, acc=False, clip=True, proportional=False, sign=1.0, target=0.6):
    rt = np.mean(np.asarray(logits) > 0) if acc else np.mean(np.sign(logits))
    step = (rt - target) if proportional else np.sign(rt - target)
    p = p + sign * step * len(logits) / speed
    return float(np.clip(p, 0, 1)) if clip else float(p)


def test_10_2_solution_passes(capsys):
    expect_pass(capsys, "10.2", lambda: checks.check_10_2(ada_update))


def test_10_2_worked_values():
    """By hand: 70 positive and 30 negative logits give r_t = 0.7 - 0.3 = 0.4 < 0.6, so p = 0.5 - 100/1000
    = 0.4; 95 and 5 give r_t = 0.9 > 0.6, so p = 0.99 + 0.1, clipped to 1."""
    assert lesson10._ada_rule(0.5, lesson10._logits(70, 30), 1000.0) == pytest.approx(0.4)
    assert lesson10._ada_rule(0.99, lesson10._logits(95, 5), 1000.0) == 1.0
    assert lesson10._ada_rule(0.99, lesson10._logits(95, 5), 1000.0, clip="low") == pytest.approx(1.09)


def test_10_2_clipping_at_zero_only_as_adas_code_does_passes(capsys):
    def ada_code(p, logits, speed):
        return max(p + np.sign(np.mean(np.sign(logits)) - 0.6) * len(logits) / speed, 0.0)
    expect_pass(capsys, "10.2", lambda: checks.check_10_2(ada_code))


def test_10_2_stub_is_not_done(capsys):
    expect_not_done(capsys, "10.2", lambda: checks.check_10_2(_raise_not_implemented))


@pytest.mark.parametrize("kwargs, phrase", [
    ({"acc": True}, "share of logits above 0"),
    ({"clip": False}, "clipped"),
    ({"proportional": True}, "proportional"),
    ({"sign": -1.0}, "wrong way"),
    ({"target": 0.5}, "expected"),
])
def test_10_2_typical_bugs_get_their_message(capsys, kwargs, phrase):
    expect_wrong(capsys, "10.2", lambda: checks.check_10_2(lambda p, lg, s: ada_update(p, lg, s, **kwargs)), phrase)


def test_10_2_text_is_refused(capsys):
    expect_wrong(capsys, "10.2", lambda: checks.check_10_2(lambda p, lg, s: "0.5"), "one number")


# --------------------------------------------------------------------------- 10.3: the best 250-digit run


def test_10_3_diffaugment_passes_in_quick_mode(capsys, monkeypatch):
    monkeypatch.setenv("GAN_COURSE_QUICK", "1")  # no bar in quick mode, whatever the suite runs in
    monkeypatch.setitem(lesson10.STEPS_10_3, "quick", 20)
    expect_pass(capsys, "10.3", lambda: checks.check_10_3({"build": lambda s: little_data.build_gan("diffaug", s)}))


@pytest.mark.skipif(lesson10._bar_10_3() is None, reason="runs/10_little_data has no full-mode results (make lesson10)")
def test_10_3_full_mode_bar_refuses_a_run_worse_than_no_augmentation(capsys, monkeypatch):
    """In full mode the bar is the stored no-augmentation FD: 20 steps of training do not beat it."""
    monkeypatch.setenv("GAN_COURSE_QUICK", "0")
    monkeypatch.setitem(lesson10.STEPS_10_3, "full", 20)
    expect_wrong(capsys, "10.3", lambda: checks.check_10_3({"build": lambda s: little_data.build_gan("diffaug", s)}),
                 "The exercise asks for better")


def test_10_3_trains_for_the_lessons_budget_in_full_mode():
    assert lesson10.STEPS_10_3["full"] == little_data.RECIPE["steps"]


def test_10_3_stub_is_not_done(capsys):
    expect_not_done(capsys, "10.3", lambda: checks.check_10_3(None))


@pytest.mark.parametrize("answer, phrase", [
    ({"gan": 1}, "the key 'build'"),
    ({"build": 3}, "function of the seed"),
    ({"build": lambda s: keras.Sequential()}, "not a gan_lib GAN"),
    ({"build": lambda s: little_data.build_gan("reals_only", s)}, "augments the real images only"),
])
def test_10_3_wrong_answers_get_their_message(capsys, answer, phrase):
    expect_wrong(capsys, "10.3", lambda: checks.check_10_3(answer), phrase)


def test_10_3_refuses_an_uncompiled_gan(capsys):
    from gan_lib import GAN, models

    expect_wrong(capsys, "10.3", lambda: checks.check_10_3({"build": lambda s: GAN(*models.dcgan(64))}),
                 "not compiled")
