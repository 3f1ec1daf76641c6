"""Lesson 04's exercise checks, each tried three ways: the solution passes, the untouched
stub says "not done yet", and a planted typical bug gets its own specific message."""

import numpy as np
from exercise_asserts import expect_not_done, expect_pass, expect_wrong, verdict
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


# ------------------------------------------------- the library's own versions, and more wrong answers (issue 19)


def test_4_1_refuses_the_librarys_reverse_kl(capsys):
    from gan_lib import mixtures

    # Before: both passed (the prompt said not to, but nothing checked it).
    expect_wrong(capsys, "4.1", lambda: checks.check_4_1(mixtures.reverse_kl), "is mixtures.reverse_kl itself")
    expect_wrong(capsys, "4.1", lambda: checks.check_4_1(lambda counts: mixtures.reverse_kl(np.asarray(counts))),
                 "calls mixtures.reverse_kl")

    def over_all_modes_log_k(counts):  # log K * q instead of log(K * q)
        counts = np.asarray(counts, float)
        if counts.sum() == 0:
            return None
        q = counts / counts.sum()
        q = q[q > 0]
        return float(np.sum(q * np.log(len(counts)) * q))

    def k_of_nonempty_modes(counts):  # K taken after dropping the empty modes
        counts = np.asarray(counts, float)
        if counts.sum() == 0:
            return None
        q = counts[counts > 0] / counts.sum()
        return float(np.sum(q * np.log(len(q) * q)))

    expect_wrong(capsys, "4.1", lambda: checks.check_4_1(over_all_modes_log_k), "expected")
    expect_wrong(capsys, "4.1", lambda: checks.check_4_1(k_of_nonempty_modes), "reverse_kl([40, 0, 0, 0]) = 0.0000")
    # The hint guides without giving the formula away.
    ok, out = verdict(capsys, "4.1", lambda: checks.check_4_1(k_of_nonempty_modes))
    assert "log(K * q)" not in out and "shares" in out, out


def test_4_2_refuses_the_librarys_pack(capsys):
    from gan_lib import packing

    expect_wrong(capsys, "4.2", lambda: checks.check_4_2(lambda x, m: np.asarray(packing.Pack(m)(x))),
                 "calls packing.Pack")

    def column_major(x, m):  # reshape in Fortran order: samples of a pack interleaved feature by feature
        return x.reshape(-1, m * x.shape[1], order="F")

    def features_grouped(x, m):  # pack i = all first features, then all second features
        n, d = x.shape
        return x.reshape(n // m, m, d).transpose(0, 2, 1).reshape(n // m, m * d)

    expect_wrong(capsys, "4.2", lambda: checks.check_4_2(column_major), "wrong numbers")
    expect_wrong(capsys, "4.2", lambda: checks.check_4_2(features_grouped), "wrong numbers", "[0.0, 2.0, 1.0, 3.0]")
    ok, out = verdict(capsys, "4.2", lambda: checks.check_4_2(lambda x, m: x.reshape(m, -1, x.shape[1])
                                                          .transpose(1, 0, 2).reshape(-1, m * x.shape[1])))
    assert "consecutive" in out and "x.reshape(-1, m * d)" not in out, out


def test_4_3_refuses_the_librarys_layer(capsys):
    from gan_lib import layers

    expect_wrong(capsys, "4.3", lambda: checks.check_4_3(lambda x: np.asarray(layers.MinibatchStd(epsilon=0.0)(x))),
                 "calls layers.MinibatchStd")

    def variance_not_std(x):  # the mean variance: forgot the square root
        return np.concatenate([x, np.full((len(x), 1), x.var(axis=0).mean())], axis=1)

    def std_of_mean_variance(x):  # square root taken after averaging, not per feature
        return np.concatenate([x, np.full((len(x), 1), np.sqrt(x.var(axis=0).mean()))], axis=1)

    def std_of_feature_means(x):  # spread of each sample's mean, not of each feature
        return np.concatenate([x, np.full((len(x), 1), x.mean(axis=1).std())], axis=1)

    expect_wrong(capsys, "4.3", lambda: checks.check_4_3(variance_not_std), "expected")
    expect_wrong(capsys, "4.3", lambda: checks.check_4_3(std_of_mean_variance), "expected")
    expect_wrong(capsys, "4.3", lambda: checks.check_4_3(std_of_feature_means), "expected")
