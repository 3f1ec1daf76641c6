"""Lesson 02: its exercise checks, each tried three ways (the solution passes, the untouched
stub says "not done yet", a planted typical bug gets its own specific message), and the
behaviour of its modules gan_lib.lessons.classic (the stacked-model recipe) and gan_lib.lessons.vanilla
(levels, the D-wins signature, the TensorFlow 1 GAN article's buggy generator)."""

import keras
import numpy as np
import pytest
from exercise_asserts import expect_not_done, expect_pass, expect_wrong
from keras import layers

from gan_lib import callbacks, checks, classic, data, metrics, models, vanilla

# --------------------------------------------------------------------------- 2.1: parameter count


def test_2_1_solution_passes(capsys):
    expect_pass(capsys, "2.1", lambda: checks.check_2_1((64 * 128 + 128) + (128 * 784 + 784)))
    # ... and it is what Keras counts
    expect_pass(capsys, "2.1", lambda: checks.check_2_1(models.build("mlp", latent_dim=64)[0].count_params()))
    expect_pass(capsys, "2.1", lambda: checks.check_2_1(np.int64(109_456)))


def test_2_1_stub_is_not_done(capsys):
    expect_not_done(capsys, "2.1", lambda: checks.check_2_1(None))


def test_2_1_planted_bugs(capsys):
    expect_wrong(capsys, "2.1", lambda: checks.check_2_1(64 * 128 + 128 * 784), "biases")
    expect_wrong(capsys, "2.1", lambda: checks.check_2_1(114_064), "latent size of 100")
    expect_wrong(capsys, "2.1", lambda: checks.check_2_1(100_609), "discriminator")
    expect_wrong(capsys, "2.1", lambda: checks.check_2_1(64 * 128 + 128), "only the first layer")
    expect_wrong(capsys, "2.1", lambda: checks.check_2_1("109456"), "whole number")
    expect_wrong(capsys, "2.1", lambda: checks.check_2_1(12345), "not the generator's parameter count")
    # Biases counted once per layer instead of once per output unit.
    expect_wrong(capsys, "2.1", lambda: checks.check_2_1(64 * 128 + 128 * 784 + 2), "not the generator's")
    # The first layer's biases forgotten.
    expect_wrong(capsys, "2.1", lambda: checks.check_2_1(64 * 128 + 128 * 784 + 784), "not the generator's")
    # The output layer's biases forgotten (only the hidden layer's counted).
    expect_wrong(capsys, "2.1", lambda: checks.check_2_1(64 * 128 + 128 + 128 * 784), "not the generator's")


# ------------------------------------------------------------- 2.2: fix the TensorFlow 1 GAN article's generator


def _generator(latent_dim, activation="tanh", reshape=True, hidden=128, read_z=False):
    z = keras.Input((latent_dim,))
    h = layers.Dense(hidden, activation="relu")(z)
    out = layers.Dense(784, activation=activation)(z if read_z else h)
    return keras.Model(z, layers.Reshape((28, 28, 1))(out) if reshape else out)


class _DeadHidden(keras.Model):
    """A subclassed generator that owns a hidden layer but never uses it."""

    def __init__(self):
        super().__init__()
        self.hidden = layers.Dense(128, activation="relu")
        self.out = layers.Dense(784, activation="tanh")
        self.reshape = layers.Reshape((28, 28, 1))

    def call(self, z, training=False):
        self.hidden(z)
        return self.reshape(self.out(z))


def _dead_hidden(latent_dim):
    m = _DeadHidden()
    m(np.zeros((1, latent_dim), np.float32))
    return m


def test_2_2_solution_passes(capsys):
    expect_pass(capsys, "2.2", lambda: checks.check_2_2(_generator))

    def relu_as_a_layer(latent_dim):  # ReLU written as its own layer is the same generator
        z = keras.Input((latent_dim,))
        h = layers.ReLU()(layers.Dense(128)(z))
        return keras.Model(z, layers.Reshape((28, 28, 1))(layers.Dense(784, activation="tanh")(h)))

    expect_pass(capsys, "2.2", lambda: checks.check_2_2(relu_as_a_layer))


def test_2_2_refuses_the_courses_own_generator(capsys):
    # Before: passed (same 114,064 parameters, tanh, right shape), though it is not the article's
    # generator fixed but the library's MLP generator with LeakyReLU.
    expect_wrong(capsys, "2.2", lambda: checks.check_2_2(lambda n: models.build("mlp", latent_dim=n)[0]),
                 "LeakyReLU", "ReLU")

    def linear_hidden(latent_dim):  # the activation of the hidden layer dropped while fixing the wiring
        z = keras.Input((latent_dim,))
        h = layers.Dense(128)(z)
        return keras.Model(z, layers.Reshape((28, 28, 1))(layers.Dense(784, activation="tanh")(h)))

    expect_wrong(capsys, "2.2", lambda: checks.check_2_2(linear_hidden), "no ReLU")
    # ReLU copied onto the output layer too: images in [0, inf), never the background -1.
    expect_wrong(capsys, "2.2", lambda: checks.check_2_2(lambda n: _generator(n, activation="relu")),
                 "must lie in [-1, 1]")


def test_2_2_stub_is_not_done(capsys):
    def stub(latent_dim):
        raise NotImplementedError

    expect_not_done(capsys, "2.2", lambda: checks.check_2_2(stub))
    expect_not_done(capsys, "2.2", lambda: checks.check_2_2(None))


def test_2_2_planted_bugs(capsys):
    expect_wrong(capsys, "2.2", lambda: checks.check_2_2(vanilla.tf1_generator), "79,184", "reads z")
    expect_wrong(capsys, "2.2", lambda: checks.check_2_2(_dead_hidden), "no gradient")
    expect_wrong(capsys, "2.2", lambda: checks.check_2_2(lambda n: _generator(n, activation="sigmoid")),
                 "[0, 1]", "tanh")
    expect_wrong(capsys, "2.2", lambda: checks.check_2_2(lambda n: _generator(n, activation=None)),
                 "must lie in [-1, 1]")
    expect_wrong(capsys, "2.2", lambda: checks.check_2_2(lambda n: _generator(n, reshape=False)), "(28, 28, 1)")
    expect_wrong(capsys, "2.2", lambda: checks.check_2_2(lambda n: _generator(n, hidden=256)), "114,064")
    expect_wrong(capsys, "2.2", lambda: checks.check_2_2(lambda n: "a model"), "not a Keras model")
    expect_wrong(capsys, "2.2", lambda: checks.check_2_2(_generator(100)), "function")


# --------------------------------------------------------------------------- 2.3: a GAN that learned digits


@pytest.fixture(scope="module")
def real_digits():
    return data.load_digits("train", verbose=False).images[:2000]


class FakeGAN:
    """Not a GAN: anything with ``sample(n)``, here returning given images."""

    def __init__(self, images):
        self.images = images

    def sample(self, n, seed=0):
        return self.images[:n]


def gan_returning(images, steps=1):
    """A course GAN whose generator looks images up by latent (no learning), marked as having taken
    ``steps`` optimizer steps: it stands for a GAN trained until it draws exactly these images."""
    from gan_lib import GAN

    table = keras.ops.convert_to_tensor(np.asarray(images, np.float32))
    n = len(images)

    def look_up(z):
        u = 0.5 * (1.0 + keras.ops.erf(z[:, 0] / np.sqrt(2.0)))
        return keras.ops.take(table, keras.ops.cast(keras.ops.clip(u * n, 0, n - 1), "int32"), axis=0)

    z = keras.Input((100,))
    gan = GAN(keras.Model(z, keras.layers.Lambda(look_up)(z)), models.build("mlp")[1])
    gan.compile()
    gan.g_optimizer.iterations.assign(steps)
    return gan


def test_2_3_solution_passes(capsys, real_digits):
    # A GAN that draws real digits is what a perfect generator would be.
    expect_pass(capsys, "2.3", lambda: checks.check_2_3(gan_returning(real_digits)))


def test_2_3_stub_is_not_done(capsys):
    expect_not_done(capsys, "2.3", lambda: checks.check_2_3(None))


def test_2_3_planted_bugs(capsys, real_digits):
    labels = data.load_digits("train", verbose=False).labels
    ones = data.load_digits("train", verbose=False).images[labels == 1]
    expect_wrong(capsys, "2.3", lambda: checks.check_2_3(gan_returning(ones)), "Mode collapse", "digit 1")
    nan_gan = gan_returning(np.full((10, 28, 28, 1), np.nan, np.float32))
    expect_wrong(capsys, "2.3", lambda: checks.check_2_3(nan_gan), "NaN")
    expect_wrong(capsys, "2.3", lambda: checks.check_2_3(gan_returning((real_digits + 1) * 127.5)), "127.5", "tanh")


def test_2_3_refuses_answers_that_are_not_a_trained_gan(capsys, real_digits):
    # Before: the first two passed (the check scored whatever images it was handed).
    expect_wrong(capsys, "2.3", lambda: checks.check_2_3(real_digits), "GAN you trained", "array of samples")
    expect_wrong(capsys, "2.3", lambda: checks.check_2_3(FakeGAN(real_digits)), "GAN you trained", "FakeGAN")
    # Built and compiled as in section 4, but fit never called.
    from gan_lib import train

    untrained = train.build_gan("mlp", seed=1, lr=1e-3, beta_1=0.5, loss="nonsaturating", ema_decay=None)
    expect_wrong(capsys, "2.3", lambda: checks.check_2_3(untrained), "not been trained")
    # An untrained generator's samples handed over as an array.
    z = np.random.default_rng(0).standard_normal((2000, 100)).astype(np.float32)
    expect_wrong(capsys, "2.3", lambda: checks.check_2_3(untrained.generator.predict(z, verbose=0)),
                 "GAN you trained")


def _fake_result(fd=100.0, score=3.0, shares=(0.1,) * 10):
    r = {"n": 2000, "fd": fd, "fd_floor": 1.3, "classifier_score": score, "class_shares": list(shares),
         "kl_to_uniform": metrics.kl_to_uniform(shares)}
    r["passes"] = metrics.meets_bar(r)
    return r


@pytest.mark.parametrize("result,phrases", [
    (_fake_result(fd=250.0), ("Frechet distance is 250.0", "at most 200")),
    (_fake_result(score=1.5), ("Classifier score 1.50", "at least 2")),
    (_fake_result(shares=(0.35, 0.35, 0.3, 0, 0, 0, 0, 0, 0, 0)), ("unevenly", "KL to uniform")),
    (_fake_result(shares=(0.6, 0.4, 0, 0, 0, 0, 0, 0, 0, 0)), ("Mode collapse", "60%", "digit 0")),
])
def test_2_3_names_the_level_that_fails(capsys, monkeypatch, real_digits, result, phrases):
    """Each of the lesson's levels has its own message (the protocol's numbers are stubbed)."""
    gan = gan_returning(real_digits)
    monkeypatch.setattr(metrics, "evaluate", lambda images, n=None: result)
    expect_wrong(capsys, "2.3", lambda: checks.check_2_3(gan), *phrases)
    monkeypatch.setattr(metrics, "evaluate", lambda images, n=None: _fake_result())
    expect_pass(capsys, "2.3", lambda: checks.check_2_3(gan))


@pytest.mark.parametrize("name", ["check_2_1", "check_2_2", "check_2_3"])
def test_every_check_has_a_docstring(name):
    assert getattr(checks, name).__doc__


# --------------------------------------------------------------------------- gan_lib.lessons.vanilla


def test_levels_fail_an_untrained_generator_and_pass_real_digits(real_digits):
    untrained = models.build("mlp")[0]
    z = np.random.default_rng(1).standard_normal((2000, 100)).astype(np.float32)
    r0 = metrics.evaluate(untrained.predict(z, verbose=0))
    assert vanilla.learned(r0) == {"fd": False, "classifier_score": False, "coverage": False}
    r1 = metrics.evaluate(real_digits)
    assert vanilla.learned(r1) == {"fd": True, "classifier_score": True, "coverage": True}
    text = vanilla.verdict_lines(r0, "untrained")
    assert text.count("False") == 3 and "FD at most 200" in text


def test_levels_are_looser_than_the_course_thresholds():
    assert vanilla.LEVELS["fd_max"] > metrics.THRESHOLDS["fd_max"]
    assert vanilla.LEVELS["score_min"] < metrics.THRESHOLDS["score_min"]


def _rows(d_real, d_fake):
    return [{"d_real": r, "d_fake": f, "d_loss": 0.0, "g_loss": 0.0} for r, f in zip(d_real, d_fake)]


def test_discriminator_wins():
    assert vanilla.discriminator_wins(_rows([0.9, 0.99, 0.999, 1.0], [0.1, 0.01, 0.002, 0.001]))
    assert not vanilla.discriminator_wins(_rows([0.65, 0.64, 0.66], [0.4, 0.38, 0.41]))
    # Only the last epochs count: a D that won early and lost its edge is not winning.
    assert not vanilla.discriminator_wins(_rows([1.0, 1.0, 1.0, 0.7, 0.7, 0.7], [0.0, 0.0, 0.0, 0.4, 0.4, 0.4]))
    # A Keras History.history dict works too; keys logged only on some epochs are dropped.
    hist = {"d_real": [0.99, 0.99, 0.99], "d_fake": [0.01, 0.01, 0.01], "fd": [300.0]}
    assert vanilla.discriminator_wins(hist)
    assert vanilla.history_rows(hist)[2] == {"d_real": 0.99, "d_fake": 0.01, "epoch": 3}
    with pytest.raises(ValueError, match="empty"):
        vanilla.discriminator_wins([])


def test_tf1_generator_has_the_bug_and_dead_weights_finds_unused_layers():
    g = vanilla.tf1_generator()
    assert g.count_params() == 100 * 784 + 784           # the hidden layer is not in the model
    assert "hidden" not in [layer.name for layer in g.layers]
    out = g.predict(vanilla.uniform_latents(8, 100), verbose=0)
    assert out.shape == (8, 784) and out.min() >= 0 and out.max() <= 1
    assert vanilla.dead_weights(_dead_hidden(100), latent_dim=100)   # owned but unused -> no gradient
    assert vanilla.dead_weights(models.build("mlp")[0]) == []


def test_uniform_latents():
    z = vanilla.uniform_latents(1000, 100, seed=3)
    assert z.shape == (1000, 100) and z.dtype == np.float32
    assert -1 <= z.min() < -0.99 and 0.99 < z.max() <= 1
    np.testing.assert_array_equal(z, vanilla.uniform_latents(1000, 100, seed=3))


def test_snapshots_and_epoch_rows_record_a_short_fit(real_digits):
    from gan_lib.train import build_gan

    gan = build_gan("mlp", seed=0, lr=1e-3, beta_1=0.5, loss="nonsaturating", ema_decay=None)
    snap, rows = vanilla.Snapshots([0, 2], n=4), callbacks.EpochRows()
    gan.fit(data.training_batches(real_digits[:256], 64, 0, 0, 2), epochs=2, steps_per_epoch=4, verbose=0,
            callbacks=[snap, rows])
    assert sorted(snap.images) == [0, 2] and snap.images[2].shape == (4, 28, 28, 1)
    assert not np.array_equal(snap.images[0], snap.images[2])
    hist = vanilla.history_rows(rows)
    assert [h["epoch"] for h in hist] == [1, 2]
    assert {"d_loss", "g_loss", "d_real", "d_fake"} <= set(hist[0])


def test_figures_draw(real_digits):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = vanilla.show_snapshots({0: real_digits[:4], 5: real_digits[4:8]}, ncols=2)
    assert len(fig.axes) == 2 and fig.axes[1].get_title() == "epoch 5"
    r = {"class_shares": [0.1] * 10}
    ax = vanilla.plot_class_shares({"a": r, "b": r})
    assert len(ax.patches) == 20
    plt.close("all")


# --------------------------------------------------------------------------- gan_lib.lessons.classic


def test_flag_experiments_measure_when_keras_reads_trainable():
    rows = {r["scenario"]: r for r in classic.flag_experiments()}
    assert list(rows) == list(classic.FLAG_SCENARIOS)
    recipe, keras2, late, recompiled, unfrozen = rows.values()
    assert (recipe["d_step_changes_d"], recipe["stack_step_changes_d"]) == (True, False)
    assert (keras2["d_step_changes_d"], keras2["stack_step_changes_d"]) == (False, False)   # D never learns
    assert (late["d_step_changes_d"], late["stack_step_changes_d"]) == (True, True)          # flag ignored
    assert recompiled["stack_step_changes_d"] is False                                      # compile re-reads it
    assert (unfrozen["d_step_changes_d"], unfrozen["stack_step_changes_d"]) == (True, True)
    assert all(r["stack_step_changes_g"] for r in rows.values())


def test_classic_recipe_trains_d_only_in_ds_step(real_digits):
    keras.utils.set_random_seed(0)
    g, d = models.build("mlp")
    stacked = classic.build_classic(g, d, lr=1e-3)
    assert d.trainable is False and len(stacked.layers) == 2
    g0, d0 = [w.copy() for w in g.get_weights()], [w.copy() for w in d.get_weights()]
    hist = classic.train_classic(g, d, stacked, real_digits[:256], epochs=2, batch_size=64)
    assert len(hist) == 2
    for row in hist:
        assert row["d_step_changes_d"] is True and row["g_step_changes_d"] is False
        assert {"d_loss", "g_loss", "d_real", "d_fake", "seconds"} <= set(row)
        assert 0 <= row["d_real"] <= 1 and 0 <= row["d_fake"] <= 1
    assert any(not np.array_equal(a, b) for a, b in zip(g0, g.get_weights()))
    assert any(not np.array_equal(a, b) for a, b in zip(d0, d.get_weights()))
    # D learns to tell the real digits from the generator's early smudges.
    assert hist[-1]["d_real"] > hist[-1]["d_fake"]


def test_classic_loop_with_the_flag_left_true_lets_the_stack_move_d(real_digits):
    keras.utils.set_random_seed(0)
    g, d = models.build("mlp")
    stacked = classic.build_classic(g, d)
    d.trainable = True   # D's first train_on_batch sees the flag True, the stack's sees it False
    hist = classic.train_classic(g, d, stacked, real_digits[:128], epochs=1, toggle=False)
    # The stacked model built its training function with the flag as it was at its first
    # step; here that is True (we set it above), so the stacked step moves D too.
    assert hist[0]["d_step_changes_d"] is True and hist[0]["g_step_changes_d"] is True


def test_weights_changed():
    m = keras.Sequential([keras.Input((2,)), layers.Dense(1)])
    assert classic.weights_changed(m, lambda: None) is False
    assert classic.weights_changed(m, lambda: m.layers[0].kernel.assign(m.layers[0].kernel + 1.0)) is True


def test_train_classic_rejects_a_batch_larger_than_the_data(real_digits):
    g, d = models.build("mlp")
    stacked = classic.build_classic(g, d)
    with pytest.raises(ValueError, match="larger than the data"):
        classic.train_classic(g, d, stacked, real_digits[:10], batch_size=64)
