"""Lesson 04's reusable pieces: packing, minibatch std, the Wasserstein loss, the gradient penalty."""

import math

import keras
import numpy as np
import pytest

from gan_lib import layers, losses, models, packing, penalties
from gan_lib.core.gan import GAN


def value(t) -> float:
    return float(np.asarray(t))


# --------------------------------------------------------------------------- packing


def test_pack_vectors_by_hand():
    x = np.arange(12, dtype=np.float32).reshape(6, 2)
    out = np.asarray(packing.Pack(3)(x))
    np.testing.assert_array_equal(out, [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11]])
    assert packing.Pack(3).packed_shape((2,)) == (6,)
    assert packing.Pack(1)(x) is x


def test_pack_images_along_channels():
    x = np.arange(4 * 2 * 2, dtype=np.float32).reshape(4, 2, 2, 1)
    out = np.asarray(packing.Pack(2)(x))
    assert out.shape == (2, 2, 2, 2) == (2,) + packing.Pack(2).packed_shape((2, 2, 1))
    np.testing.assert_array_equal(out[1, ..., 0], x[2, ..., 0])  # pack 1 = samples 2, 3
    np.testing.assert_array_equal(out[1, ..., 1], x[3, ..., 0])


def test_pack_errors():
    with pytest.raises(ValueError, match="multiple of 4"):
        packing.Pack(4)(np.zeros((6, 2), np.float32))
    with pytest.raises(ValueError, match="at least 1"):
        packing.Pack(0)


# --------------------------------------------------------------------------- minibatch std


def test_minibatch_std_by_hand():
    x = np.array([[0, 0], [2, 4], [4, 8], [6, 12]], np.float32)
    out = np.asarray(layers.MinibatchStd(epsilon=0.0)(x))
    # population stds over the batch: sqrt(5) and 2 sqrt(5); their mean 1.5 sqrt(5)
    np.testing.assert_allclose(out[:, 2], 1.5 * math.sqrt(5), rtol=1e-6)
    np.testing.assert_array_equal(out[:, :2], x)
    grouped = np.asarray(layers.MinibatchStd(group_size=2, epsilon=0.0)(x))
    # groups {0, 2} and {1, 3}: stds (2, 4) -> 3 for both groups
    np.testing.assert_allclose(grouped[:, 2], 3.0, rtol=1e-6)
    same = np.asarray(layers.MinibatchStd()(np.ones((8, 3), np.float32)))
    np.testing.assert_allclose(same[:, 3], 1e-4, rtol=1e-3)  # sqrt(0 + eps)


def test_minibatch_std_errors_and_config():
    with pytest.raises(ValueError, match="multiple of 4"):
        layers.MinibatchStd(group_size=4)(np.zeros((6, 2), np.float32))
    with pytest.raises(ValueError, match="whole number >= 2"):
        layers.MinibatchStd(group_size=1)
    layer = layers.MinibatchStd(group_size=4)
    assert layers.MinibatchStd.from_config(layer.get_config()).group_size == 4
    _, d = models.toy_mlp(width=8, depth=2, minibatch_std=True)
    assert d.layers[-1].input.shape[-1] == 9


# --------------------------------------------------------------------------- Wasserstein loss


def test_wasserstein_golden_values():
    real, fake = np.array([[1.0], [3.0]], np.float32), np.array([[0.0], [-2.0]], np.float32)
    assert value(losses.wasserstein_critic_loss(real, fake)) == pytest.approx(-3.0)
    assert value(losses.wasserstein_generator_loss(fake)) == pytest.approx(1.0)
    pair = losses.get("wasserstein")
    assert isinstance(pair, losses.Wasserstein) and losses.LOSSES["wasserstein"] is losses.Wasserstein
    assert value(pair.discriminator(real, fake)) == pytest.approx(-3.0)
    drift = losses.Wasserstein(drift=0.001)
    assert value(drift.discriminator(real, fake)) == pytest.approx(-3.0 + 0.001 * 5.0)
    with pytest.raises(ValueError, match="drift"):
        losses.Wasserstein(drift=-1)


# --------------------------------------------------------------------------- gradient penalty


def linear_critic(w):
    d = keras.Sequential([keras.Input((len(w),)), keras.layers.Dense(1)])
    d.layers[-1].set_weights([np.array(w, np.float32)[:, None], np.zeros(1, np.float32)])
    return d


def test_gradient_penalty_of_a_linear_critic_by_hand():
    g, _ = models.toy_mlp(latent_dim=2, width=4, depth=1)
    real = np.random.default_rng(0).normal(size=(16, 2)).astype(np.float32)
    fake = np.zeros((16, 2), np.float32)
    # D(x) = 2 x_1: gradient norm 2 everywhere, penalty 10 (2 - 1)^2 = 10 whatever eps is.
    gan = GAN(g, linear_critic([2.0, 0.0]))
    assert value(penalties.GradientPenalty()(gan, real, fake)) == pytest.approx(10.0, rel=1e-5)
    # D(x) = 0.6 x_1 + 0.8 x_2 is 1-Lipschitz with slope 1: no penalty.
    gan = GAN(g, linear_critic([0.6, 0.8]))
    assert value(penalties.gradient_penalty()(gan, real, fake)) == pytest.approx(0.0, abs=1e-6)
    # With packs of 2 the gradient is taken on the packed input: w = (2, 0, 0, 0) has norm 2 again.
    gan = GAN(g, linear_critic([2.0, 0.0, 0.0, 0.0]), d_input_transform=packing.Pack(2))
    assert value(penalties.GradientPenalty(weight=1.0)(gan, real, fake)) == pytest.approx(1.0, rel=1e-5)


def test_r1_penalty_of_a_linear_critic_by_hand():
    g, _ = models.toy_mlp(latent_dim=2, width=4, depth=1)
    real = np.random.default_rng(0).normal(size=(16, 2)).astype(np.float32)
    # D(x) = 2 x_1 + 0 x_2: squared gradient norm 4 at every real point, penalty (weight / 2) * 4.
    gan = GAN(g, linear_critic([2.0, 0.0]))
    assert value(penalties.R1Penalty(weight=1.0)(gan, real, None)) == pytest.approx(2.0, rel=1e-5)
    assert value(penalties.R1Penalty()(gan, real, None)) == pytest.approx(20.0, rel=1e-5)
    # A flat critic pays nothing; fakes play no part (they are not even read).
    assert value(penalties.R1Penalty()(GAN(g, linear_critic([0.0, 0.0])), real, None)) == 0.0
    # Packs of 2: w = (1, 1, 1, 1) on the packed input has squared norm 4 per pack.
    gan = GAN(g, linear_critic([1.0, 1.0, 1.0, 1.0]), d_input_transform=packing.Pack(2))
    assert value(penalties.R1Penalty(weight=0.5)(gan, real, None)) == pytest.approx(1.0, rel=1e-5)
    with pytest.raises(ValueError, match="positive"):
        penalties.R1Penalty(weight=-1.0)


def test_lazy_r1_adds_k_times_its_gradient_on_due_steps_of_the_compiled_step():
    """Through GAN.fit (the compiled train_step, ops.cond inside D's tape): with D(x) = w . x the
    penalty is (weight / 2) |w|^2, its gradient weight * w. One SGD(1) step from w = (2, 0) moves w by
    every * weight * w more than without R1 on a due step, and by nothing more on the others."""
    real = np.random.default_rng(0).normal(size=(16, 2)).astype(np.float32)

    def d_after_one_step(every, start_iteration=0):
        keras.utils.set_random_seed(0)
        g, _ = models.toy_mlp(latent_dim=2, width=4, depth=1)
        gan = GAN(g, linear_critic([2.0, 0.0]), seed=0,
                  d_penalties=[penalties.R1Penalty(1.0, every=every)] if every else [])
        gan.compile(d_optimizer=keras.optimizers.SGD(1.0), g_optimizer=keras.optimizers.SGD(0.0))
        gan.d_optimizer.iterations.assign(start_iteration)
        gan.fit_images(real, batch_size=16, epochs=1)
        return gan.discriminator.layers[-1].get_weights()[0][:, 0]

    plain = d_after_one_step(None)
    np.testing.assert_allclose(plain - d_after_one_step(1), [2.0, 0.0], atol=1e-5)     # 1 x 1 x (2, 0)
    np.testing.assert_allclose(plain - d_after_one_step(4), [8.0, 0.0], atol=1e-5)     # due at step 0: 4 x
    np.testing.assert_allclose(plain - d_after_one_step(4, start_iteration=1), [0.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(plain - d_after_one_step(4, start_iteration=8), [8.0, 0.0], atol=1e-5)


def test_lazy_r1_counts_every_kth_d_step_k_times():
    g, _ = models.toy_mlp(latent_dim=2, width=4, depth=1)
    real = np.random.default_rng(0).normal(size=(16, 2)).astype(np.float32)
    gan = GAN(g, linear_critic([2.0, 0.0]))
    gan.compile()
    lazy = penalties.R1Penalty(weight=1.0, every=4)            # every-step value: 2.0 (above)
    got = []
    for step in range(9):
        gan.d_optimizer.iterations.assign(step)
        got.append(value(lazy(gan, real, None)))
    assert got == pytest.approx([8.0, 0, 0, 0, 8.0, 0, 0, 0, 8.0], rel=1e-5)   # the same 2.0 per step on average
    assert repr(lazy) == "R1Penalty(weight=1.0, every=4)"
    with pytest.raises(ValueError, match="every=0"):
        penalties.R1Penalty(every=0)


def test_interpolation_weight_is_uniform_per_sample():
    g, d = models.toy_mlp(latent_dim=2, width=4, depth=1)
    gan = GAN(g, d, seed=3)
    xhat, eps = penalties.GradientPenalty.interpolates(gan, np.ones((4000, 2), np.float32),
                                                       np.zeros((4000, 2), np.float32))
    xhat, eps = np.asarray(xhat), np.asarray(eps)[:, 0]
    np.testing.assert_allclose(xhat[:, 0], eps)       # one eps per sample, shared by its coordinates
    np.testing.assert_allclose(xhat[:, 1], eps)
    assert eps.min() >= 0 and eps.max() <= 1
    assert abs(eps.mean() - 0.5) < 0.02 and abs(eps.var() - 1 / 12) < 0.01  # Uniform[0, 1]
    with pytest.raises(ValueError, match="differ in shape"):
        penalties.GradientPenalty.interpolates(gan, np.ones((4, 2)), np.ones((4, 3)))
    with pytest.raises(ValueError, match="positive"):
        penalties.GradientPenalty(weight=0)


def test_remedies_train_through_the_gan_class():
    """One short fit per extension point: finite losses, and the critic's loss falls under WGAN-GP."""
    from gan_lib import mixtures

    real = mixtures.get("ring").sample(512, seed=0)
    pack = packing.Pack(2)
    g, d = models.toy_mlp(latent_dim=2, width=16, depth=2, d_input_dim=4, minibatch_std=True)
    gan = GAN(g, d, d_input_transform=pack, d_penalties=[penalties.GradientPenalty()], seed=0)
    gan.compile(keras.optimizers.Adam(1e-3, 0.5, 0.9), keras.optimizers.Adam(1e-3, 0.5, 0.9), loss="wasserstein")
    h = gan.fit_images(real, 64, 6, seed=0).history
    assert all(np.isfinite(h["d_loss"])) and all(np.isfinite(h["g_loss"]))
    assert h["d_loss"][-1] < h["d_loss"][0]


# --------------------------------------------------------------------------- lesson 04's experiment helpers


def test_table_by_hand():
    from gan_lib import collapse

    runs = [dict(benchmark="ring", model="vanilla", seed=0, modes=8, n_modes=8, high_quality=0.96, reverse_kl=0.01),
            dict(benchmark="ring", model="vanilla", seed=1, modes=6, n_modes=8, high_quality=0.70, reverse_kl=None)]
    (row,) = collapse.table(runs)
    assert row["modes_mean"] == 7.0 and row["modes_std"] == 1.0
    assert row["high_quality_mean"] == pytest.approx(0.83) and row["high_quality_std"] == pytest.approx(0.13)
    assert row["reverse_kl_mean"] == 0.01 and row["kl_missing"] == 1 and row["meets_target"] == 1
    assert "(1 n/a)" in collapse.format_table([row])


def test_quick_mode_never_writes_the_committed_folder(tmp_path):
    from gan_lib import collapse

    full = collapse.results_dir(quick=False)
    quick = collapse.results_dir(quick=True)
    assert full.as_posix().endswith(collapse.RESULTS_FOLDER)
    assert full.resolve() not in quick.resolve().parents and quick.resolve() != full.resolve()
    quick.rmdir()


def test_build_rejects_unknown_names():
    from gan_lib import collapse

    with pytest.raises(ValueError, match="Valid: vanilla, r1, pacgan, mbstd, wgangp"):
        collapse.build_remedy("ring", "unrolled")
    with pytest.raises(ValueError, match="Valid names: ring, grid"):
        collapse.build_remedy("spiral", "vanilla")
    gan = collapse.build_remedy("ring", "pacgan")
    assert gan.discriminator.input_shape == (None, 2 * collapse.RECIPE["pack"])


def test_build_puts_each_remedy_at_its_extension_point():
    from gan_lib import collapse

    def penalty_types(gan):
        return [type(p).__name__ for p in gan.d_penalties]

    assert penalty_types(collapse.build_remedy("ring", "vanilla")) == []
    for name in ("r1", "pacgan", "mbstd"):          # R1 is the base of the packed and the mbstd model
        gan = collapse.build_remedy("ring", name)
        assert penalty_types(gan) == ["R1Penalty"]
        assert gan.d_penalties[0].weight == collapse.RECIPE["r1_weight"]
    assert penalty_types(collapse.build_remedy("ring", "wgangp")) == ["GradientPenalty"]
    mbstd_d = collapse.build_remedy("grid", "mbstd").discriminator
    assert any(isinstance(layer, layers.MinibatchStd) for layer in mbstd_d.layers)
    assert collapse.build_remedy("ring", "r1", recipe={"r1_weight": 5.0}).d_penalties[0].weight == 5.0


def test_hop_rate_by_hand():
    from gan_lib import collapse

    labels = [[0, 0, 1, -1], [0, 2, 1, 3], [1, 2, 1, 3]]       # 4 fixed latents at steps 0, 100, 200
    # whole run: 3 latents on a mode at steps 0 and 100, latent 1 hops 0 -> 2 (latent 3 only arrives);
    # 4 on a mode at steps 100 and 200, latent 0 hops 0 -> 1
    assert collapse.hop_rate(labels, [0, 100, 200], since=0) == pytest.approx(1000 * 2 / (3 * 100 + 4 * 100))
    # second half (steps 100-200): only latent 0's hop
    assert collapse.hop_rate(labels, [0, 100, 200]) == pytest.approx(1000 * 1 / (4 * 100))
    # leaving a mode is not a hop either; one snapshot, or no latent on a mode twice in a row,
    # leaves nothing to count (a generator that never hits a mode is not "still")
    assert collapse.hop_rate([[0, 1], [0, -1], [0, -1]], [0, 100, 200], since=0) == 0.0
    assert collapse.hop_rate([[0, 1], [-1, -1]], [0, 100], since=0) is None
    assert collapse.hop_rate([[0, 1]], [100]) is None
    with pytest.raises(ValueError, match="one row per step"):
        collapse.hop_rate([[0, 1], [1, 0]], [0, 100, 200])


def test_mode_labels_mark_samples_off_every_mode():
    from gan_lib import collapse, mixtures

    ring = mixtures.get("ring")
    x = np.array([ring.means[3], ring.means[5] + [0.02, 0.0], [0.0, 0.0]])   # on mode 3, 2 std off 5, nowhere
    np.testing.assert_array_equal(collapse.mode_labels(x, ring), [3, 5, -1])


def test_a_hopping_generator_reads_as_hopping_and_a_still_one_does_not():
    """The measure on made-up tracks where the answer is known."""
    from gan_lib import collapse

    grid = np.array([[i, j] for i in range(5) for j in range(5)], dtype=float) * 2 - 4
    steps = np.arange(0, 2100, 100)
    still = [collapse.mode_labels(np.repeat(grid, 4, axis=0), "grid") for _ in steps]
    hopping = [collapse.mode_labels(np.roll(np.repeat(grid, 4, axis=0), 4 * t, axis=0), "grid")
               for t in range(len(steps))]                       # every latent moves one mode per snapshot
    assert collapse.hop_rate(still, steps) == 0.0
    assert collapse.hop_rate(hopping, steps) == pytest.approx(10.0)   # 1 hop per latent per 100 steps
    # half the latents off every mode: the rate is per latent *on* a mode, so it does not halve
    half = [np.where(np.arange(100) % 2 == 0, lab, -1) for lab in hopping]
    assert collapse.hop_rate(half, steps) == pytest.approx(10.0)


def test_linear_decay_by_hand():
    from gan_lib import collapse

    sched = collapse.LinearDecay(1e-3, start=100, end=200)
    got = [float(sched(s)) for s in (0, 100, 150, 200, 300)]
    assert got == pytest.approx([1e-3, 1e-3, 5.05e-4, 1e-5, 1e-5], rel=1e-5)
    again = collapse.LinearDecay.from_config(sched.get_config())
    assert float(again(150)) == pytest.approx(5.05e-4, rel=1e-5)
    with pytest.raises(ValueError, match="0 <= start < end"):
        collapse.LinearDecay(1e-3, start=200, end=200)


def test_paper_recipes_build_what_their_papers_describe():
    from gan_lib import collapse

    def parts(name):
        remedy, over, _ = collapse.STUDIES["paper"][name]
        gan = collapse.build_remedy("grid", remedy, recipe=over)
        return gan, [type(p).__name__ for p in gan.d_penalties]

    gan, pens = parts("wgangp_paper")
    assert (gan.d_steps, pens, gan.d_penalties[0].weight) == (5, ["GradientPenalty"], 10.0)
    assert float(gan.d_optimizer.learning_rate) == pytest.approx(1e-4) and gan.d_optimizer.beta_1 == 0.0
    assert gan.d_optimizer.beta_2 == 0.9
    gan, pens = parts("wgangp_toy")               # the authors' toy script: weight 0.1, beta_1 0.5
    assert (gan.d_steps, pens, gan.d_penalties[0].weight) == (5, ["GradientPenalty"], 0.1)
    assert gan.d_optimizer.beta_1 == 0.5 and gan.g_optimizer.beta_1 == 0.5
    for name, m in (("pacgan2_paper", 2), ("pacgan4_paper", 4)):
        gan, pens = parts(name)
        assert pens == [] and gan.discriminator.input_shape == (None, 2 * m)   # packing alone, no R1
    gan, pens = parts("mbstd_paper")
    assert pens == ["GradientPenalty"] and type(gan.gan_loss).__name__ == "Wasserstein"
    assert gan.gan_loss.drift == 0.001 and gan.d_steps == 1 and gan.g_optimizer.beta_2 == 0.99
    assert any(isinstance(layer, layers.MinibatchStd) for layer in gan.discriminator.layers)
    remedy, over, _ = collapse.STUDIES["long"]["r1_decay"]
    gan = collapse.build_remedy("grid", remedy, recipe=over)
    rate = gan.g_optimizer.learning_rate
    assert isinstance(gan.g_optimizer._learning_rate, collapse.LinearDecay)
    assert (gan.g_optimizer._learning_rate.start, gan.g_optimizer._learning_rate.end) == (8000, 16000)
    assert float(rate) == pytest.approx(1e-3)


def test_a_study_writes_each_run_once_and_loads_them_back(tmp_path, monkeypatch):
    from gan_lib import collapse, mixtures

    monkeypatch.setitem(collapse.STUDIES, "tiny", {
        "r1_short": ("r1", {"steps": 30, "train_size": 2560, "batch_size": 256, "steps_per_execution": 10,
                            "lr_decay_start": 0.5}, "test")})
    folder = collapse.run_study("tiny", benchmarks=("ring",), seeds=(0, 1), folder=tmp_path)
    runs = collapse.load_study("tiny", folder=folder)
    assert [(r["model"], r["seed"]) for r in runs] == [("r1_short", 0), ("r1_short", 1)]
    for r in runs:
        x = np.load(folder / r["file"])
        assert mixtures.score(x, "ring")["counts"] == r["counts"]
        track = np.load(folder / collapse.track_file(r))
        assert track["labels"].shape == (3, collapse.N_TRACK)       # one snapshot per 10-step pass
        assert track["steps"].tolist() == [10, 20, 30]
        assert r["hops_per_1000"] == collapse.hop_rate(track["labels"], track["steps"])
        assert collapse.saved_hop_rate(folder, r) == r["hops_per_1000"]
    stamp = (folder / runs[0]["file"]).stat().st_mtime_ns
    collapse.run_study("tiny", benchmarks=("ring",), seeds=(0,), folder=tmp_path)   # already there: skipped
    assert (folder / runs[0]["file"]).stat().st_mtime_ns == stamp



# --------------------------------------------------------------------------- the command line


@pytest.mark.parametrize("args, message", [
    (["--steps", "0"], "--steps 0: use a positive multiple of 100"),
    (["--steps", "150"], "--steps 150"),
    (["--seed", "-1"], "--seed -1"),
    (["--remedy", "magic"], "invalid choice: 'magic'"),
    (["--study", "paper", "--models", "wgangp"], "study 'paper' has wgangp_paper, wgangp_toy, pacgan2_paper"),
    (["--study", "long", "--seeds", "-2"], "--seeds [-2]"),
    (["--study", "magic"], "invalid choice: 'magic'"),
])
def test_collapse_cli_refuses_bad_values_in_one_line(capsys, args, message):
    from gan_lib.lessons import collapse

    with pytest.raises(SystemExit) as e:
        collapse.main(args)
    err = capsys.readouterr().err.strip()
    assert e.value.code == 2
    assert len(err.splitlines()) == 1 and err.startswith("error: ") and message in err, err
