"""Lesson 09's exercise checks, each tried three ways: the solution passes, the untouched
stub says "not done yet", and a planted typical bug gets its own specific message."""

import numpy as np
from exercise_asserts import expect_not_done, expect_pass, expect_wrong, verdict
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
    expect_wrong(capsys, "9.1", lambda: checks.check_9_1(one_round), "still outside", "keep re-drawing")
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


def test_9_2_refuses_the_librarys_loss(capsys):
    # Before: passed (the prompt asks for NumPy; nothing checked it).
    from gan_lib import losses

    expect_wrong(capsys, "9.2", lambda: checks.check_9_2(
        lambda x, g, f: float(losses.cycle_consistency_loss(x, f(g(x))))), "calls losses.cycle_consistency_loss")


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


# ------------------------------------------------- more wrong answers (issue 19)


def test_9_1_refuses_draws_not_made_with_the_rng_given(capsys):
    def global_rng(z, threshold, rng):  # np.random instead of the rng argument
        z = np.array(z, dtype=np.float64)
        outside = np.abs(z) > threshold
        while outside.any():
            z[outside] = np.random.standard_normal(int(outside.sum()))
            outside = np.abs(z) > threshold
        return z

    def own_seed(z, threshold, rng):  # a generator of its own, the same on every call
        return truncate_solution(z, threshold, np.random.default_rng(0))

    # Before: both passed (the values are right in distribution).
    expect_wrong(capsys, "9.1", lambda: checks.check_9_1(global_rng), "rng you are given", "different results")
    expect_wrong(capsys, "9.1", lambda: checks.check_9_1(own_seed), "rng you are given", "another seed")
    ok, out = verdict(capsys, "9.1", lambda: checks.check_9_1(own_seed))
    assert "rng.standard_normal(...)" in out, out


def test_9_1_refuses_the_librarys_truncated_normal(capsys):
    def via_library(z, threshold, rng):
        z = np.array(z, dtype=np.float64)
        outside = np.abs(z) > threshold
        z[outside] = latent.truncated_normal(1, int(outside.sum()), threshold, seed=int(rng.integers(1 << 30)))[0]
        return z

    expect_wrong(capsys, "9.1", lambda: checks.check_9_1(via_library), "calls latent.truncated_normal")


def test_9_2_maps_that_do_not_commute(capsys):
    # Before: with f = 0.8 g^-1 the two orders gave the same loss, so g(f(x)) passed.
    expect_wrong(capsys, "9.2", lambda: checks.check_9_2(lambda x, g, f: np.mean(np.abs(g(f(x)) - x))),
                 "the other way", "g(f(x))")
    g, f = checks.lesson09._cycle_pair()
    x = checks.lesson09._CYCLE_X
    assert abs(np.mean(np.abs(g(f(x)) - x)) - np.mean(np.abs(f(g(x)) - x))) > 1e-3
    # Both directions' losses added: the full CycleGAN loss, not one direction's.
    expect_wrong(capsys, "9.2", lambda: checks.check_9_2(
        lambda x, g, f: np.mean(np.abs(f(g(x)) - x)) + np.mean(np.abs(g(f(x)) - x))), "expected")
    ok, out = verdict(capsys, "9.2", lambda: checks.check_9_2(lambda x, g, f: np.mean(np.abs(f(x) - x))))
    assert "mean(|f(g(x)) - x|)" not in out and "all the way round" in out, out


def test_9_3_more_wrong_answers(capsys):
    def keys_as_queries(q, k, v):  # exponentiated scores, never normalised
        return np.exp(q @ k.T) @ v

    def softmax_without_max_shift_but_sum_over_all(q, k, v):  # one softmax over the whole score matrix
        a = np.exp(q @ k.T)
        return (a / a.sum()) @ v

    def weights_times_keys(q, k, v):  # averages the keys instead of the values (shape differs)
        a = np.exp(q @ k.T)
        return (a / a.sum(axis=1, keepdims=True)) @ k

    expect_wrong(capsys, "9.3", lambda: checks.check_9_3(keys_as_queries), "attend differs")
    expect_wrong(capsys, "9.3", lambda: checks.check_9_3(softmax_without_max_shift_but_sum_over_all),
                 "attend differs")
    expect_wrong(capsys, "9.3", lambda: checks.check_9_3(weights_times_keys), "shape")
    ok, out = verdict(capsys, "9.3", lambda: checks.check_9_3(weights_times_keys))
    assert "q @ k.T" not in out and "weights @ v" not in out, out


# ------------------------------------------------- grading runs no training (issue 22)


def test_grading_lesson_09_trains_no_model():
    """Each exercise's grading plan runs only the setup cell: before, 9.2's example cell used the
    section-5 translators, whose cell used the StyleGAN section's classifier helper, so grading 9.2
    retrained the toy StyleGAN."""
    from pathlib import Path

    import nbformat

    from gan_lib import assignments, cells

    nb = nbformat.read(Path(__file__).resolve().parents[1] / "notebooks" / "09_beyond_dcgan.ipynb", as_version=4)
    plan = cells.grading_plan(nb)
    assert [it.number for it in plan] == ["9.1", "9.2", "9.3"]
    for it in plan:
        sources = [assignments.source(nb.cells[j]) for j in it.needs + it.cells]
        trains = [s.splitlines()[0] for s in sources if any(w in s for w in ("fit_images", ".fit(", "train_model"))]
        assert not trains, f"grading {it.number} runs a training cell: {trains}"
        assert len(it.needs) == 1 and "data.load_digits" in assignments.source(nb.cells[it.needs[0]])
