"""Lesson 04's exercise checks, each tried three ways: the solution passes, the untouched
stub says "not done yet", and a planted typical bug gets its own specific message."""

import numpy as np
from exercise_asserts import expect_not_done, expect_pass, expect_wrong
from exercise_asserts import raise_not_implemented as _raise_not_implemented

from gan_lib import checks

# --------------------------------------------------------------------------- 4.1: reverse KL


def reverse_kl_solution(counts):
    counts = np.asarray(counts, float)
    if counts.sum() == 0:
        return None
    q = counts / counts.sum()
    q = q[q > 0]
    return float(np.sum(q * np.log(len(counts) * q)))


def test_4_1_solution_passes(capsys):
    expect_pass(capsys, "4.1", lambda: checks.check_4_1(reverse_kl_solution))


def test_4_1_stub_is_not_done(capsys):
    expect_not_done(capsys, "4.1", lambda: checks.check_4_1(_raise_not_implemented))
    expect_not_done(capsys, "4.1", lambda: checks.check_4_1(None))


def test_4_1_planted_bugs(capsys):
    def no_zero_convention(counts):
        q = np.asarray(counts, float) / np.sum(counts)
        return float(np.sum(q * np.log(len(q) * q)))

    def other_direction(counts):
        q = np.asarray(counts, float) / np.sum(counts)
        k = len(q)
        return float(np.sum(1 / k * np.log((1 / k) / q)))

    def raw_counts(counts):
        c = np.asarray(counts, float)
        return float(np.sum(c[c > 0] * np.log(len(c) * c[c > 0])))

    def zero_when_empty(counts):
        return 0.0 if np.sum(counts) == 0 else reverse_kl_solution(counts)

    def log2(counts):
        v = reverse_kl_solution(counts)
        return None if v is None else v / np.log(2)

    expect_wrong(capsys, "4.1", lambda: checks.check_4_1(no_zero_convention), "NaN", "0 log 0 = 0")
    expect_wrong(capsys, "4.1", lambda: checks.check_4_1(other_direction), "KL(uniform || q)")
    expect_wrong(capsys, "4.1", lambda: checks.check_4_1(raw_counts), "raw counts")
    expect_wrong(capsys, "4.1", lambda: checks.check_4_1(zero_when_empty), "no high-quality sample")
    expect_wrong(capsys, "4.1", lambda: checks.check_4_1(log2), "expected")
    expect_wrong(capsys, "4.1", lambda: checks.check_4_1(3.0), "should be a function")


# --------------------------------------------------------------------------- 4.2: packing


def pack_solution(x, m):
    return x.reshape(-1, m * x.shape[1])


def test_4_2_solution_passes(capsys):
    expect_pass(capsys, "4.2", lambda: checks.check_4_2(pack_solution))


def test_4_2_stub_is_not_done(capsys):
    expect_not_done(capsys, "4.2", lambda: checks.check_4_2(_raise_not_implemented))
    expect_not_done(capsys, "4.2", lambda: checks.check_4_2(None))


def test_4_2_planted_bugs(capsys):
    def interleaved(x, m):
        return x.reshape(m, -1, x.shape[1]).transpose(1, 0, 2).reshape(-1, m * x.shape[1])

    def stacked(x, m):
        return x.reshape(-1, m, x.shape[1])

    def crashes(x, m):
        return x.reshape(m)

    expect_wrong(capsys, "4.2", lambda: checks.check_4_2(interleaved), "consecutive")
    expect_wrong(capsys, "4.2", lambda: checks.check_4_2(stacked), "has shape")
    expect_wrong(capsys, "4.2", lambda: checks.check_4_2(crashes), "ValueError")


# --------------------------------------------------------------------------- 4.3: minibatch std


def mbstd_solution(x):
    s = x.std(axis=0).mean()
    return np.concatenate([x, np.full((len(x), 1), s)], axis=1)


def test_4_3_solution_passes(capsys):
    expect_pass(capsys, "4.3", lambda: checks.check_4_3(mbstd_solution))


def test_4_3_stub_is_not_done(capsys):
    expect_not_done(capsys, "4.3", lambda: checks.check_4_3(_raise_not_implemented))
    expect_not_done(capsys, "4.3", lambda: checks.check_4_3(None))


def test_4_3_planted_bugs(capsys):
    def sample_std(x):
        return np.concatenate([x, np.full((len(x), 1), x.std(axis=0, ddof=1).mean())], axis=1)

    def per_row(x):
        return np.concatenate([x, x.std(axis=1, keepdims=True)], axis=1)

    def only_the_feature(x):
        return np.full((len(x), 1), x.std(axis=0).mean())

    def std_of_all(x):
        return np.concatenate([x, np.full((len(x), 1), x.std())], axis=1)

    expect_wrong(capsys, "4.3", lambda: checks.check_4_3(sample_std), "ddof=1")
    expect_wrong(capsys, "4.3", lambda: checks.check_4_3(per_row), "across each sample's features")
    expect_wrong(capsys, "4.3", lambda: checks.check_4_3(only_the_feature), "has shape")
    expect_wrong(capsys, "4.3", lambda: checks.check_4_3(std_of_all), "expected")
