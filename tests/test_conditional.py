"""Lesson 07's pieces: GAN(n_classes=...), the conditional models, labelled batches and gan_lib.lessons.conditional."""

import keras
import numpy as np
import pytest
from keras import layers

from gan_lib import checkpoint, conditional, data, models
from gan_lib.core.gan import GAN

# --------------------------------------------------------------------------- a tiny conditional pair


def tiny_conditional(n_classes=2, latent_dim=4, seed=0):
    """A small 1-D conditional pair: G([z, y]) -> x (one number) and D([x, y]) -> logit."""
    keras.utils.set_random_seed(seed)
    z, y = keras.Input((latent_dim,)), keras.Input((n_classes,))
    g = keras.Model([z, y], layers.Dense(1)(layers.Dense(32, activation="relu")(layers.Concatenate()([z, y]))))
    x, yd = keras.Input((1,)), keras.Input((n_classes,))
    f = layers.LeakyReLU(0.2, name="features")(layers.Dense(32)(layers.Concatenate()([x, yd])))
    d = keras.Model([x, yd], layers.Dense(1)(f))
    return g, d


EPOCHS = 6


def two_classes(n=1024):
    """Class 0 near -2, class 1 near +2 (std 0.2), alternating."""
    labels = np.arange(n) % 2
    x = 4.0 * labels - 2.0 + 0.2 * np.random.default_rng(0).standard_normal(n)
    return x.reshape(n, 1).astype("float32"), labels


def compiled(g, d, lr=5e-3, **kw):
    gan = GAN(g, d, n_classes=kw.pop("n_classes", 2), seed=0, **kw)
    gan.compile(keras.optimizers.Adam(lr, beta_1=0.5), keras.optimizers.Adam(lr, beta_1=0.5))
    return gan


@pytest.fixture(scope="module")
def trained_tiny():
    """A tiny conditional GAN trained on the two classes (a few seconds)."""
    images, labels = two_classes()
    gan = compiled(*tiny_conditional(), ema_decay=0.9)
    before = gan.sample(200, labels=np.repeat([0, 1], 100))
    history = gan.fit_images(images, 32, EPOCHS, labels=labels)
    return gan, before, history


def test_conditional_gan_learns_to_follow_the_label(trained_tiny):
    """After training, label 0 draws values near -2 and label 1 near +2; untrained, both looked alike."""
    gan, before, history = trained_tiny
    gap_before = before[100:].mean() - before[:100].mean()
    after = gan.sample(200, labels=np.repeat([0, 1], 100))
    assert abs(gap_before) < 1.0, gap_before
    assert abs(after[:100].mean() + 2) < 0.5 and abs(after[100:].mean() - 2) < 0.5, (after[:100].mean(),
                                                                                     after[100:].mean())
    assert set(history.history) == {"d_loss", "g_loss", "d_real", "d_fake"}
    assert all(np.isfinite(history.history["d_loss"]))


def test_the_latent_explorers_class_control_draws_the_class_asked_for(trained_tiny):
    """gan_lib.widgets on the trained pair: the class slider flips the sample from near -2 to near +2."""
    from gan_lib import widgets

    gan = trained_tiny[0]
    for seed in range(3):
        zero, one = (widgets.explorer_image(gan, seed=seed, label=c)[0] for c in (0, 1))
        assert zero < 0 < one, (seed, zero, one)


def test_default_labels_cycle_and_one_hot_rows_match_integers(trained_tiny):
    gan, _, _ = trained_tiny
    z = np.random.default_rng(0).standard_normal((6, 4)).astype("float32")
    cycled = gan.generate(z)  # labels 0, 1, 0, 1, ...
    np.testing.assert_array_equal(cycled, gan.generate(z, labels=[0, 1, 0, 1, 0, 1]))
    np.testing.assert_array_equal(cycled, gan.generate(z, labels=np.eye(2)[[0, 1, 0, 1, 0, 1]]))
    # sample(n, seed) with labels draws the same latents as without
    np.testing.assert_array_equal(gan.sample(4, seed=3), gan.sample(4, seed=3, labels=[0, 1, 0, 1]))


def test_label_mix_moves_between_the_classes(trained_tiny):
    """Across classes: the output moves from about -2 to about +2 as the one-hot row slides from 0 to 1."""
    gan, _, _ = trained_tiny
    z = np.zeros(4, "float32")
    images = conditional.across_classes(gan, z, 0, 1, steps=5)
    values = images.reshape(5)
    assert values[0] < -1 and values[-1] > 1, values
    assert np.all(np.diff(values) > 0), values
    np.testing.assert_allclose(images[0], gan.generate(z[None], labels=[0])[0], rtol=0, atol=1e-6)  # batch 5 vs 1


def test_training_is_deterministic_and_resumes_bit_identically():
    """Same seed, same labelled batches: one 2-epoch call equals 1 + 1 epochs through a checkpoint."""
    images, labels = two_classes(128)

    def make():
        return compiled(*tiny_conditional(seed=1), ema_decay=0.9)

    a = make()
    a.fit_images(images, 32, 2, labels=labels)
    b = make()
    b.fit_images(images, 32, 1, labels=labels)
    b.fit_images(images, 32, 2, initial_epoch=1, labels=labels)
    for (name, va), (_, vb) in zip(a.state_variables(), b.state_variables()):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(va), keras.ops.convert_to_numpy(vb), err_msg=name)


def test_checkpoint_round_trip(tmp_path):
    images, labels = two_classes(64)
    gan = compiled(*tiny_conditional(seed=2))
    gan.fit_images(images, 32, 1, labels=labels)
    checkpoint.save(gan, tmp_path, epoch=1, history=[], config={"model": "tiny"})
    other = compiled(*tiny_conditional(seed=3))
    checkpoint.restore_latest(other, tmp_path, config={"model": "tiny"}, log=lambda *a: None)
    z = gan.fixed_latent[:8]
    np.testing.assert_array_equal(gan.generate(z), other.generate(z))


def test_training_batches_with_labels_keep_pairs_and_order():
    images = np.arange(20, dtype="float32").reshape(20, 1, 1, 1) * np.ones((20, 2, 2, 1), "float32")
    labels = np.arange(20) * 10
    plain = [b.numpy() for b in data.training_batches(images, 6, 4, 0, 2)]
    pairs = [(x.numpy(), y.numpy()) for x, y in data.training_batches(images, 6, 4, 0, 2, labels=labels)]
    assert len(pairs) == len(plain) == 6  # 3 full batches per epoch
    for x_plain, (x, y) in zip(plain, pairs):
        np.testing.assert_array_equal(x, x_plain)
        np.testing.assert_array_equal(y, x[:, 0, 0, 0].astype(int) * 10)
    with pytest.raises(ValueError, match="one label per image"):
        data.training_batches(images, 6, 4, 0, 1, labels=labels[:5])


# --------------------------------------------------------------------------- errors


def test_bad_conditional_settings_say_what_to_do():
    g, d = tiny_conditional()
    for bad in (1, "2", True, 2.0):
        with pytest.raises(ValueError, match="n_classes"):
            GAN(g, d, n_classes=bad)
    with pytest.raises(ValueError, match="two inputs.*build_conditional"):
        GAN(g, d, n_classes=10)  # the pair is built for 2 classes
    g_plain, d_plain = models.build("dcgan")
    with pytest.raises(ValueError, match="generator must take two inputs"):
        GAN(g_plain, d_plain, n_classes=10)
    with pytest.raises(ValueError, match="do not see the labels"):
        GAN(g, d, n_classes=2, d_penalties=[lambda gan, r, f: 0.0])


def test_labels_errors_are_clear():
    images, labels = two_classes(64)
    gan = compiled(*tiny_conditional())
    with pytest.raises(ValueError, match="Pass labels="):
        gan.fit_images(images, 32, 1)
    with pytest.raises(ValueError, match="from 0 to 1"):
        gan.fit_images(images, 32, 1, labels=labels + 1)
    with pytest.raises(ValueError, match=r"shape \(64,\)"):
        gan.fit_images(images, 32, 1, labels=labels[:10])
    z = np.zeros((3, 4), "float32")
    with pytest.raises(ValueError, match="sum to 1"):
        gan.generate(z, labels=np.ones((3, 2)))
    with pytest.raises(ValueError, match="rows of 2 class weights"):
        gan.generate(z, labels=np.ones((3, 5)) / 5)
    plain = GAN(*models.build("mlp"), seed=0)
    plain.compile()
    with pytest.raises(ValueError, match="unconditional"):
        plain.generate(np.zeros((2, 100), "float32"), labels=[0, 1])
    with pytest.raises(ValueError, match="unconditional"):
        plain.fit_images(images, 32, 1, labels=labels)
    with pytest.raises(ValueError, match="unconditional"):
        conditional.accuracy(plain)


# --------------------------------------------------------------------------- the course's conditional models


@pytest.fixture(scope="module")
def cond_pairs():
    # cond_biggan (another generator) has its own tests: tests/test_biggan_pieces.py
    return {name: models.build_conditional(name) for name in models.CONDITIONAL_MODELS
            if not name.startswith("cond_biggan")}


def test_conditional_models_shapes_and_parameter_counts(cond_pairs):
    # G: embedding 10*16; Dense (64 + 16) * 6272; BN 4 * 6272; ConvT 4*4*128*64; BN 4*64; ConvT 4*4*64 + 1
    g_params = 160 + 80 * 6272 + 4 * 6272 + 131_072 + 256 + 1_025
    # D: the dcgan convolutions (1,088 + 131,200) and Dense(1) on 6,272 features (6,273) ...
    trunk = 1_088 + 131_200 + 6_273
    d_params = {"cond_dcgan": trunk + 10 * 6272,                       # ... + the class embedding E
                "cond_dcgan_concat": trunk + 4 * 4 * 10 * 64,          # ... + 10 more input planes
                # ... with 88 first-layer filters: 24 more, each 4*4*11 + 1 weights there and 4*4*128 in conv 2
                "cond_dcgan_concat_matched": trunk + 4 * 4 * 10 * 64 + 24 * (4 * 4 * 11 + 1 + 4 * 4 * 128)}
    z = np.random.default_rng(0).standard_normal((3, 64)).astype("float32")
    y = np.eye(10, dtype="float32")[[0, 4, 9]]
    for name, (g, d) in cond_pairs.items():
        assert g.count_params() == g_params, name
        assert d.count_params() == d_params[name], name
        x = keras.ops.convert_to_numpy(g([z, y], training=False))
        assert x.shape == (3, 28, 28, 1) and np.abs(x).max() <= 1.0
        assert keras.ops.convert_to_numpy(d([x, y], training=False)).shape == (3, 1)
        assert d.get_layer("features").output.shape == (None, 6272)


def test_matched_concat_d_has_the_projection_d_size_and_the_same_generator(cond_pairs):
    """Lesson 07's fair comparison: D parameter counts within 2%, generators layer for layer the same."""
    (g_p, d_p), (g_c, d_c) = cond_pairs["cond_dcgan"], cond_pairs["cond_dcgan_concat_matched"]
    assert abs(d_c.count_params() / d_p.count_params() - 1) < 0.02, (d_p.count_params(), d_c.count_params())
    assert abs(cond_pairs["cond_dcgan_concat"][1].count_params() / d_p.count_params() - 1) > 0.2  # the unmatched one
    assert [(type(la).__name__, la.count_params()) for la in g_p.layers] == \
        [(type(la).__name__, la.count_params()) for la in g_c.layers]
    assert models.conditional.MATCHED_WIDTH == 88
    assert next(la for la in d_c.layers if isinstance(la, layers.Conv2D)).filters == 88
    # the width argument: every extra first-layer filter costs 4*4*11 + 1 + 4*4*128 parameters
    _, d_65 = models.cond_dcgan_concat(d_width=65)
    assert d_65.count_params() - cond_pairs["cond_dcgan_concat"][1].count_params() == 4 * 4 * 11 + 1 + 4 * 4 * 128


def test_projection_discriminator_adds_class_embedding_dot_features(cond_pairs):
    """logit(x, a) - logit(x, b) = (E[a] - E[b]) . features(x): the projection formula, by hand."""
    _, d = cond_pairs["cond_dcgan"]
    x = data.load_digits("heldout", verbose=False).images[:4]
    eye = np.eye(10, dtype="float32")
    la = keras.ops.convert_to_numpy(d([x, eye[[3] * 4]], training=False))[:, 0]
    lb = keras.ops.convert_to_numpy(d([x, eye[[8] * 4]], training=False))[:, 0]
    h = keras.ops.convert_to_numpy(keras.Model(d.inputs[0], d.get_layer("features").output)(x))
    E = d.get_layer("class_embedding").get_weights()[0]  # (10, 6272)
    np.testing.assert_allclose(la - lb, h @ (E[3] - E[8]), rtol=1e-3, atol=1e-3)
    gan = GAN(*cond_pairs["cond_dcgan"], n_classes=10)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(gan.features(x)), h, rtol=1e-5, atol=1e-5)


def test_build_conditional_errors():
    with pytest.raises(ValueError, match="unconditional model: use models.build"):
        models.build_conditional("dcgan")
    with pytest.raises(ValueError, match="'projection' or 'concat'"):
        models.cond_dcgan(d_conditioning="both")
    assert not set(models.CONDITIONAL_MODELS) & set(models.MODELS)  # gan_lib.train's models stay unconditional


# --------------------------------------------------------------------------- gan_lib.lessons.conditional


class RealDigits:
    """Stands in for a perfect conditional GAN: 'samples' are held-out digits of the asked class."""

    n_classes, latent_dim = 10, 64

    def __init__(self):
        d = data.load_digits("heldout", verbose=False)
        self.by_class = [d.images[d.labels == c] for c in range(10)]

    def sample(self, n, seed=0, labels=None):
        rng = np.random.default_rng(seed)
        return np.stack([self.by_class[c][rng.integers(len(self.by_class[c]))] for c in labels])


def test_accuracy_of_real_digits_is_high_and_of_an_untrained_generator_low(cond_pairs):
    real = conditional.accuracy(RealDigits(), n_per_class=30)
    assert real["mean"] > 0.95 and real["per_class"].shape == (10,)
    assert real["confusion"].sum() == 300 and (real["confusion"].sum(1) == 30).all()
    untrained = conditional.accuracy(GAN(*cond_pairs["cond_dcgan"], n_classes=10), n_per_class=30)
    assert untrained["mean"] < conditional.LEARNED_ACCURACY
    table = conditional.format_accuracy(untrained)
    assert table.count("\n") == 11 and table.endswith("FAIL")


def test_accuracy_row_is_the_accuracy_of_real_digits_as_a_tracker_row():
    row = conditional.accuracy_row(RealDigits(), n_per_class=20, seed=3)
    acc = conditional.accuracy(RealDigits(), n_per_class=20, seed=3)
    assert set(row) == {"accuracy", "per_class"}
    assert row["accuracy"] == acc["mean"] > 0.9
    assert row["per_class"] == [round(float(a), 4) for a in acc["per_class"]] and len(row["per_class"]) == 10
    with pytest.raises(ValueError, match="unconditional"):
        conditional.accuracy_row(GAN(*models.build("mlp")))


def test_per_class_accuracy_by_hand():
    got = conditional.per_class_accuracy([0, 0, 1, 1, 1, 2], [0, 1, 1, 1, 0, 0], 4)
    np.testing.assert_allclose(got[:3], [0.5, 2 / 3, 0.0])
    assert np.isnan(got[3])  # never asked for
    with pytest.raises(ValueError, match="equal-length"):
        conditional.per_class_accuracy([0, 1], [0], 2)


def test_label_path_and_within_class_and_grid(cond_pairs):
    rows = conditional.label_path(1, 7, steps=5)
    np.testing.assert_allclose(rows[:, 1], [1, 0.75, 0.5, 0.25, 0])
    np.testing.assert_allclose(rows[:, 7], [0, 0.25, 0.5, 0.75, 1])
    np.testing.assert_allclose(rows.sum(1), 1)
    with pytest.raises(ValueError, match="from 0 to 9"):
        conditional.label_path(1, 10)
    gan = GAN(*cond_pairs["cond_dcgan"], n_classes=10)
    z0, z1 = np.random.default_rng(0).standard_normal((2, 64)).astype("float32")
    walk = conditional.within_class(gan, 3, z0, z1, steps=6)
    assert walk.shape == (6, 28, 28, 1)
    np.testing.assert_allclose(walk[0], gan.generate(z0[None], labels=[3])[0], atol=1e-5)
    grid = conditional.class_grid(gan, digits=[2, 5], per_row=4)
    assert grid.shape == (8, 28, 28, 1)
    np.testing.assert_allclose(grid[4:], conditional.class_grid(gan, digits=[5], per_row=4), rtol=0, atol=1e-6)


def test_thickness_labels_split_at_the_median():
    x = np.full((4, 28, 28, 1), -1.0, "float32")
    for i, k in enumerate([10, 40, 20, 30]):  # ink = k pixels at +1
        x[i].reshape(-1)[:k] = 1.0
    np.testing.assert_allclose(conditional.ink(x), [10, 40, 20, 30])
    labels, threshold = conditional.thickness_labels(x)
    assert threshold == 25.0 and labels.tolist() == [0, 1, 0, 1]
    assert conditional.thickness_labels(x, threshold=15)[0].tolist() == [0, 1, 1, 1]


# --------------------------------------------------------------------------- intra-class FD


def test_intra_class_fd_by_hand_on_tiny_gaussian_features():
    """1-D: class 0 {0, 2} vs {1, 3}: (1 - 2)^2 + 2 + 2 - 2 sqrt(2 * 2) = 1; class 1 {0, 0, 3, 3} vs {1, 1, 4, 4}
    (both variances 3, ddof 1): 1. 2-D: identical covariances, means 3 apart in x and 4 in y: 25."""
    f = np.array([[0.0], [2.0], [0.0], [0.0], [3.0], [3.0]])
    y = np.array([0, 0, 1, 1, 1, 1])
    ref = np.array([[1.0], [3.0], [1.0], [1.0], [4.0], [4.0]])
    np.testing.assert_allclose(conditional.intra_class_fd(f, y, ref, y, n_classes=2), [1.0, 1.0], atol=1e-9)
    # a class that only one side has is NaN, not a number
    out = conditional.intra_class_fd(f, y, ref, y, n_classes=3)
    assert np.isnan(out[2]) and np.isfinite(out[:2]).all()
    pts = np.random.default_rng(0).standard_normal((50, 2))
    two_d = conditional.intra_class_fd(pts, np.zeros(50), pts + [3.0, 4.0], np.zeros(50), n_classes=1)
    np.testing.assert_allclose(two_d, [25.0], atol=1e-6)
    # two clusters 10 apart in x and y: scored against themselves 0, with the labels swapped (10^2 + 10^2)
    lab = np.arange(50) % 2
    feats = pts + 10.0 * lab[:, None]
    np.testing.assert_allclose(conditional.intra_class_fd(feats, lab, feats, lab, n_classes=2), [0, 0], atol=1e-6)
    swapped = conditional.intra_class_fd(feats, lab, feats, 1 - lab, n_classes=2)
    assert np.all(np.abs(swapped - 200) < 20), swapped
    with pytest.raises(ValueError, match="one label per feature"):
        conditional.intra_class_fd(f, y[:3], ref, y)


@pytest.fixture(scope="module")
def class_floor():
    return conditional.class_fd_floor()


def test_real_digits_of_each_class_score_near_the_floor(class_floor):
    """Other training digits of class c (not the ones the floor uses) against held-out c: about the floor."""
    train = data.load_digits("train", verbose=False)
    counts = conditional.heldout_counts()
    assert counts.sum() == 2000 and counts.min() > 150
    take = np.concatenate([np.flatnonzero(train.labels == c)[-counts[c]:] for c in range(10)])
    fd = conditional.class_fd(train.images[take], train.labels[take])
    assert np.all(class_floor > 1) and np.all(class_floor < 15), class_floor   # FD's bias at n = 200: not 0
    assert np.all(fd < 1.5 * class_floor + 1.0), (fd, class_floor)


def test_real_digits_of_the_wrong_class_score_far_above_the_floor(class_floor):
    """Real 1s presented as 7s (and 3s as 8s): realistic digits, the wrong class; per-class FD sees it."""
    train = data.load_digits("train", verbose=False)
    n = conditional.heldout_counts()
    ones, threes = train.images[train.labels == 1][:n[7]], train.images[train.labels == 3][:n[8]]
    fd = conditional.class_fd(np.concatenate([ones, threes]), np.repeat([7, 8], [n[7], n[8]]))
    assert np.isnan(fd[[0, 1, 2, 3, 4, 5, 6, 9]]).all()
    assert fd[7] > 10 * class_floor[7] and fd[8] > 5 * class_floor[8], (fd[[7, 8]], class_floor[[7, 8]])


def test_paired_verdict_claims_only_what_every_seed_backs():
    table = [{"model": "p", "epoch": 1, "seeds": [0, 1, 2], "accuracy": [0.9, 0.8, 0.7], "fd": [5.0, 6.0, 9.0]},
             {"model": "c", "epoch": 1, "seeds": [0, 1, 2], "accuracy": [0.8, 0.7, 0.6], "fd": [6.0, 5.0, 8.0]}]
    acc = conditional.paired_differences(table, "accuracy", "p", "c")[0]
    np.testing.assert_allclose(acc["diff"], [0.1, 0.1, 0.1])
    assert acc["a_ahead"] == 3 and conditional.verdict(acc) == "projection ahead in 3/3 seeds"
    fd = conditional.paired_differences(table, "fd", "p", "c")[0]   # lower FD is better: p ahead in seed 0 only
    assert fd["a_ahead"] == 1 and fd["mean"] == pytest.approx(1 / 3)
    assert conditional.verdict(fd) == "no consistent difference (projection ahead in 1/3 seeds)"
    table[1]["seeds"] = [0, 1, 3]
    with pytest.raises(ValueError, match="same seeds"):
        conditional.paired_differences(table, "fd", "p", "c")


def test_quantized_samples_come_back_within_half_a_grey_level():
    x = np.linspace(-1, 1, 1001, dtype=np.float32)
    q = conditional.quantize(x)
    assert q.dtype == np.uint8 and q[0] == 0 and q[-1] == 255
    assert np.abs(conditional.dequantize(q) - x).max() <= 0.5 / 127.5 + 1e-6


def test_one_compared_run_writes_a_table_that_loads_back(tmp_path):
    """The pipeline of `make lesson07` on a tiny budget: a row per epoch, uint8 samples, a table over the runs."""
    digits = data.load_digits("train", limit=160, verbose=False)
    runs = [conditional.train_compared(m, 0, digits, {"epochs": 2}, verbose=False) for m in conditional.COMPARED]
    r = runs[0]
    assert [row["epoch"] for row in r["rows"]] == [1, 2]
    assert r["samples"].dtype == np.uint8 and r["samples"].shape == (2000, 28, 28, 1)
    assert set(r["rows"][-1]) == set(conditional._ROW_KEYS) and len(r["rows"][-1]["class_fd"]) == 10
    conditional.save_results(tmp_path, runs, {"mode": "test"})
    doc = conditional.load_results(tmp_path)
    assert [(x["model"], x["epoch"]) for x in doc["table"]] == [(m, e) for m in conditional.COMPARED for e in (1, 2)]
    assert doc["table"][0]["seeds"] == [0] and doc["table"][0]["accuracy_std"] == 0.0
    with np.load(tmp_path / conditional.sample_file("cond_dcgan", 0)) as f:
        np.testing.assert_array_equal(f["images"], r["samples"])
    assert "cond_dcgan" in conditional.format_spread(doc["table"])
    assert "epoch  2" in conditional.format_paired(doc["table"])


def test_the_command_line_refuses_bad_values(capsys):
    for argv in (["--epochs", "0"], ["--seeds", "-1"]):
        with pytest.raises(SystemExit) as e:
            conditional.main(argv)
        assert e.value.code == 2
    assert "error:" in capsys.readouterr().err
