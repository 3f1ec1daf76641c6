"""Lesson 04's exercise checks, each tried three ways: the solution passes, the untouched
stub says "not done yet", and a planted typical bug gets its own specific message. The open
exercise 4.4 is judged on what its three runs draw; its wrong answers are runs that change
nothing or two things, another generator, fewer than three seeds, a longer budget, samples not
drawn by the GAN's own generator, and generators that miss modes or cover them unevenly."""

import contextlib

import keras
import numpy as np
import pytest
from exercise_asserts import expect_not_done, expect_pass, expect_wrong, verdict
from exercise_asserts import raise_not_implemented as _raise_not_implemented

from gan_lib import GAN, checks, mixtures, models, penalties

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


# --------------------------------------------------------------------------- 4.4 (open): cover the grid


def staircase_generator(gan, levels=(5, 5), uneven=False):
    """Set ``gan``'s toy-MLP generator (8 -> 128 x 3 ReLU -> 2) to a hand-made map from the latent to the grid's
    modes: each of z's first two numbers goes through a ReLU staircase whose steps sit at the normal quantiles,
    so each of ``levels`` columns (rows) gets an equal share. It stands for a GAN trained until it draws exactly
    the grid (no training: reaching that takes minutes). ``uneven`` moves the steps so the shares differ."""
    from scipy.stats import norm

    ws = [np.zeros_like(w) for w in gan.generator.get_weights()]  # W1 b1 W2 b2 W3 b3 W4 b4
    steep, unit = 1000.0, 0
    for axis, n in enumerate(levels):
        shares = np.arange(1, n) / n
        if uneven:
            shares = shares ** 2
        for t in norm.ppf(shares):
            ws[0][axis, unit], ws[1][unit] = steep, -steep * t          # relu(A (z - t))
            ws[0][axis, unit + 1], ws[1][unit + 1] = steep, -steep * t - 1.0  # relu(A (z - t) - 1)
            ws[2][unit, unit // 2], ws[2][unit + 1, unit // 2] = 1.0, -1.0  # a step from 0 to 1
            ws[4][unit // 2, unit // 2] = 1.0
            ws[6][unit // 2, axis] = 2.0                                  # each step moves 2 (one mode)
            unit += 2
        ws[7][axis] = -4.0
    # each seed's own weights where they change nothing: units no later layer reads
    ws[0][:, unit:] = np.random.default_rng(gan.seed).normal(0, 0.1, ws[0][:, unit:].shape)
    gan.generator.set_weights(ws)
    if gan.ema_generator is not None:
        gan.ema_generator.set_weights(ws)
    return gan


def grid_gan(remedy="r1", seed=0, steps=4000, staircase=True, **kwargs):
    """A course GAN for the grid as ``collapse.build_remedy`` makes it, its generator set by
    :func:`staircase_generator`, marked as trained for ``steps`` steps with the recipe's batch."""
    from gan_lib import collapse

    gan = collapse.build_remedy("grid", remedy, seed)
    if staircase:
        staircase_generator(gan, **kwargs)
    gan.g_optimizer.iterations.assign(steps)
    gan.batch_sizes_used = (collapse.RECIPE["batch_size"],)
    return gan


@pytest.fixture(scope="module")
def r1_runs():
    """The reference answer: three R1 runs (seeds 0, 1, 2) that draw the grid."""
    return [grid_gan(seed=s) for s in range(3)]


@contextlib.contextmanager
def steps_taken(gans, steps):
    before = [int(g.g_optimizer.iterations) for g in gans]
    for g in gans:
        g.g_optimizer.iterations.assign(steps)
    try:
        yield gans
    finally:
        for g, b in zip(gans, before):
            g.g_optimizer.iterations.assign(b)


def check(change, gans):
    return lambda: checks.check_4_4({"change": change, "gans": gans})


def test_4_4_staircase_draws_the_grid(r1_runs):
    r = mixtures.score(mixtures.draw(r1_runs[0], 2500, seed=1), "grid")
    assert r["modes"] == 25 and r["high_quality"] > 0.98 and r["reverse_kl"] < 0.02, r


def test_4_4_solution_passes(capsys, full_mode, r1_runs):
    expect_pass(capsys, "4.4", check("R1 penalty on D", r1_runs))


def test_4_4_solution_passes_in_quick_mode(capsys, quick_mode_env, r1_runs):
    with steps_taken(r1_runs, 500):
        expect_pass(capsys, "4.4", check("R1 penalty on D", r1_runs))


def test_4_4_stub_is_not_done(capsys):
    expect_not_done(capsys, "4.4", lambda: checks.check_4_4(None))
    expect_not_done(capsys, "4.4", check("R1", None))


def test_4_4_refuses_other_than_one_change(capsys, full_mode, r1_runs):
    expect_wrong(capsys, "4.4", check("nothing", [grid_gan("vanilla", 3)] + r1_runs[1:]),
                 "is section 3's vanilla GAN")
    expect_wrong(capsys, "4.4", check("minibatch std", [grid_gan("mbstd", 3)] + r1_runs[1:]),
                 "changes 2 things at once", "D's penalties", "D's network")
    saved = r1_runs[2].d_penalties
    r1_runs[2].d_penalties = [penalties.R1Penalty(10.0)]  # the third run with another weight
    try:
        expect_wrong(capsys, "4.4", check("R1", r1_runs), "do not share one recipe")
    finally:
        r1_runs[2].d_penalties = saved


def test_4_4_refuses_a_bigger_generator_or_latent(capsys, full_mode, r1_runs):
    def with_g(latent_dim, width):
        g, _ = models.toy_mlp(latent_dim, width, 3)
        gan = GAN(g, r1_runs[0].discriminator, seed=3, d_penalties=r1_runs[0].d_penalties, ema_decay=0.999)
        gan.compile(keras.optimizers.Adam(1e-3, beta_1=0.5), keras.optimizers.Adam(1e-3, beta_1=0.5))
        gan.g_optimizer.iterations.assign(4000)
        gan.batch_sizes_used = (512,)
        return [gan] + r1_runs[1:]

    expect_wrong(capsys, "4.4", check("wider G", with_g(8, 256)), "generator is not the lesson's", "keeps G")
    expect_wrong(capsys, "4.4", check("latent 16", with_g(16, 128)), "latent 16")


def test_4_4_refuses_what_is_not_three_runs(capsys, full_mode, r1_runs):
    expect_wrong(capsys, "4.4", check("R1", [r1_runs[0]] * 3), "not 3 seeds")
    expect_wrong(capsys, "4.4", check("R1", [r1_runs[0], r1_runs[0], r1_runs[1]]), "seeds are [0, 0, 1]")
    expect_wrong(capsys, "4.4", check("R1", r1_runs[:2]), "list of the 3 GANs", "2 items")
    real = [mixtures.get("grid").sample(2500, seed=s) for s in range(3)]
    expect_wrong(capsys, "4.4", check("R1", real), "an array of samples")
    with steps_taken(r1_runs, 8000):
        expect_wrong(capsys, "4.4", check("R1", r1_runs), "8,000 generator steps", "budget")
    expect_wrong(capsys, "4.4", check("", r1_runs), "say in a few words")


def test_4_4_judges_what_the_generators_draw(capsys, full_mode, r1_runs):
    twenty = grid_gan(seed=3, levels=(4, 5))  # four columns of five: 20 modes
    expect_wrong(capsys, "4.4", check("R1", [twenty] + r1_runs[1:]), "1 of 3 runs cover fewer than 25 modes",
                 "full-mode bar", "20/25 modes")
    uneven = grid_gan(seed=4, uneven=True)  # every mode, unequal shares
    expect_wrong(capsys, "4.4", check("R1", [uneven] + r1_runs[1:]), "not evenly", "at most 0.1")


def test_4_4_quick_mode_bar(capsys, quick_mode_env, r1_runs):
    # 20 modes meet the quick bar (5 modes); an untrained generator (its samples near the origin) does not.
    with steps_taken(r1_runs, 500):
        expect_pass(capsys, "4.4", check("R1", [grid_gan(seed=3, steps=500, levels=(4, 5))] + r1_runs[1:]))
        untrained = grid_gan(seed=4, steps=500, staircase=False)
        expect_wrong(capsys, "4.4", check("R1", [untrained] + r1_runs[1:]), "fewer than 5 modes",
                     "quick-mode bar")


def test_4_4_samples_come_from_the_generator(capsys, quick_mode_env, r1_runs):
    # A GAN whose sampler is swapped for a model that outputs real grid modes: the check reads the generator.
    modes = keras.ops.convert_to_tensor(mixtures.get("grid").means.astype("float32"))

    class RealSampler(GAN):
        @property
        def sampler(self):
            z = keras.Input((8,))
            idx = keras.ops.cast(keras.ops.clip((z[:, 0] + 3) / 6 * 25, 0, 24), "int32")
            return keras.Model(z, keras.layers.Lambda(lambda i: keras.ops.take(modes, i, axis=0),
                                                      output_shape=(2,))(idx))

    base = grid_gan(seed=3, steps=500, staircase=False)
    gan = RealSampler(base.generator, base.discriminator, seed=3, d_penalties=base.d_penalties, n_fixed=8,
                      ema_decay=base.ema_decay)
    gan.compile(keras.optimizers.Adam(1e-3, beta_1=0.5), keras.optimizers.Adam(1e-3, beta_1=0.5))
    gan.g_optimizer.iterations.assign(500)
    gan.batch_sizes_used = (512,)
    assert mixtures.score(mixtures.draw(gan, 2500), "grid")["modes"] > 5  # the swapped sampler draws the grid
    with steps_taken(r1_runs, 500):
        expect_wrong(capsys, "4.4", check("R1", [gan] + r1_runs[1:]), "fewer than 5 modes")
