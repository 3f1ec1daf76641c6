"""Lesson 09's exercise checks, each tried three ways: the solution passes, the untouched
stub says "not done yet", and a planted typical bug gets its own specific message."""

import numpy as np
from exercise_asserts import expect_not_done, expect_pass, expect_wrong
from exercise_asserts import raise_not_implemented as _raise_not_implemented

from gan_lib import checks, latent

# --------------------------------------------------------------------------- 9.1: truncation


def truncate_solution(z, threshold, rng):
    z = np.array(z, dtype=np.float64)
    outside = np.abs(z) > threshold
    while outside.any():
        z[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(z) > threshold
    return z


def test_9_1_solution_passes(capsys):
    expect_pass(capsys, "9.1", lambda: checks.check_9_1(truncate_solution))


def test_9_1_stub_is_not_done(capsys):
    expect_not_done(capsys, "9.1", lambda: checks.check_9_1(_raise_not_implemented))
    expect_not_done(capsys, "9.1", lambda: checks.check_9_1(None))


def test_9_1_planted_bugs(capsys):
    def clipped(z, t, rng):
        return np.clip(z, -t, t)

    def one_round(z, t, rng):
        z = np.array(z)
        out = np.abs(z) > t
        z[out] = rng.standard_normal(int(out.sum()))
        return z

    def redraw_everything(z, t, rng):
        return truncate_solution(rng.standard_normal(np.shape(z)), t, rng)

    def uniform_inside(z, t, rng):
        z = np.array(z)
        out = np.abs(z) > t
        z[out] = rng.uniform(-t, t, int(out.sum()))
        return z

    def dropped(z, t, rng):
        return z[np.all(np.abs(z) <= t, axis=1)]

    expect_wrong(capsys, "9.1", lambda: checks.check_9_1(clipped), "clipping")
    expect_wrong(capsys, "9.1", lambda: checks.check_9_1(one_round), "still outside", "repeat")
    expect_wrong(capsys, "9.1", lambda: checks.check_9_1(redraw_everything), "already inside")
    expect_wrong(capsys, "9.1", lambda: checks.check_9_1(uniform_inside), "variance", "uniformly")
    expect_wrong(capsys, "9.1", lambda: checks.check_9_1(dropped), "shape")
    expect_wrong(capsys, "9.1", lambda: checks.check_9_1(lambda z, t, rng: "z"), "not numbers")
    expect_wrong(capsys, "9.1", lambda: checks.check_9_1(lambda z, t, rng: z.nope), "AttributeError")
    expect_wrong(capsys, "9.1", lambda: checks.check_9_1(0.7), "should be a function")


def test_9_1_library_agrees_with_the_check():
    """gan_lib.core.latent.truncated_normal is the same idea: inside values kept, none outside."""
    z = latent.truncated_normal(3000, 8, threshold=0.7, seed=0)
    assert np.abs(z).max() <= 0.7 and (np.abs(np.abs(z) - 0.7) < 1e-6).mean() < 0.01


# --------------------------------------------------------------------------- 9.2: cycle consistency


def cycle_solution(x, g, f):
    return np.mean(np.abs(f(g(x)) - x))


def test_9_2_solution_passes(capsys):
    expect_pass(capsys, "9.2", lambda: checks.check_9_2(cycle_solution))


def test_9_2_library_loss_passes(capsys):
    from gan_lib import losses

    expect_pass(capsys, "9.2", lambda: checks.check_9_2(
        lambda x, g, f: float(losses.cycle_consistency_loss(x, f(g(x))))))


def test_9_2_stub_is_not_done(capsys):
    expect_not_done(capsys, "9.2", lambda: checks.check_9_2(_raise_not_implemented))


def test_9_2_planted_bugs(capsys):
    expect_wrong(capsys, "9.2", lambda: checks.check_9_2(lambda x, g, f: np.mean((f(g(x)) - x) ** 2)),
                 "squared error", "L1")
    expect_wrong(capsys, "9.2", lambda: checks.check_9_2(lambda x, g, f: np.mean(f(g(x)) - x)), "signed",
                 "np.abs")
    expect_wrong(capsys, "9.2", lambda: checks.check_9_2(lambda x, g, f: np.mean(np.abs(g(x) - x))),
                 "f(g(x)) with x")
    expect_wrong(capsys, "9.2", lambda: checks.check_9_2(lambda x, g, f: np.sum(np.abs(f(g(x)) - x))), "summed")
    expect_wrong(capsys, "9.2", lambda: checks.check_9_2(lambda x, g, f: np.abs(f(g(x)) - x)), "one number")
    expect_wrong(capsys, "9.2", lambda: checks.check_9_2(lambda x, g, f: np.mean(np.abs(f(x) - x))), "expected")
    expect_wrong(capsys, "9.2", lambda: checks.check_9_2(lambda x, g, f: f(g)), "raised")


# --------------------------------------------------------------------------- 9.3: attention


def attend_solution(q, k, v):
    s = q @ k.T
    w = np.exp(s - s.max(axis=1, keepdims=True))
    return (w / w.sum(axis=1, keepdims=True)) @ v


def test_9_3_solution_passes(capsys):
    expect_pass(capsys, "9.3", lambda: checks.check_9_3(attend_solution))


def test_9_3_library_layer_agrees(capsys):
    """The same computation through Keras ops (what gan_lib.core.layers.SelfAttention does per image)."""
    import keras

    def attend_keras(q, k, v):
        a = keras.ops.softmax(keras.ops.matmul(q, keras.ops.transpose(k)), axis=-1)
        return keras.ops.matmul(a, v)

    expect_pass(capsys, "9.3", lambda: checks.check_9_3(attend_keras))


def test_9_3_stub_is_not_done(capsys):
    expect_not_done(capsys, "9.3", lambda: checks.check_9_3(_raise_not_implemented))


def test_9_3_planted_bugs(capsys):
    def wrong_axis(q, k, v):
        s = q @ k.T
        w = np.exp(s - s.max(axis=0, keepdims=True))
        return (w / w.sum(axis=0, keepdims=True)) @ v

    def scaled(q, k, v):
        return attend_solution(q / np.sqrt(q.shape[1]), k, v)

    expect_wrong(capsys, "9.3", lambda: checks.check_9_3(wrong_axis), "over the queries")
    expect_wrong(capsys, "9.3", lambda: checks.check_9_3(lambda q, k, v: (q @ k.T) @ v), "no softmax")
    expect_wrong(capsys, "9.3", lambda: checks.check_9_3(scaled), "sqrt(d)")
    expect_wrong(capsys, "9.3", lambda: checks.check_9_3(lambda q, k, v: q @ k.T), "shape")
    expect_wrong(capsys, "9.3", lambda: checks.check_9_3(lambda q, k, v: attend_solution(k, q, v)), "raised")
