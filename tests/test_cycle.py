"""Lesson 09's CycleGAN (gan_lib.lessons.cycle) and its losses, each with a hand-checked value."""

import keras
import numpy as np
import pytest

from gan_lib import losses
from gan_lib.lessons import cycle

# --------------------------------------------------------------------------- the losses


def test_identity_loss_worked_value():
    # |1 - 1| + |-1 - 0| + |0 - 0.5| = 1.5, over 3 values
    assert float(losses.identity_loss([1.0, -1.0, 0.0], [1.0, 0.0, 0.5])) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="G\\(y\\) for the same batch"):
        losses.identity_loss(np.zeros((2, 3)), np.zeros((3, 2)))


def test_least_squares_discriminator_loss_worked_value():
    # real [1, 0]: ((1-1)^2 + (0-1)^2) / 2 = 0.5; fake [0.5, 0]: (0.25 + 0) / 2 = 0.125; halved sum 0.3125
    assert float(losses.least_squares_discriminator_loss([1.0, 0.0], [0.5, 0.0])) == pytest.approx(0.3125)
    # a PatchGAN's map of scores is averaged like any other shape
    real, fake = np.ones((2, 7, 7, 1)), np.zeros((2, 7, 7, 1))
    assert float(losses.least_squares_discriminator_loss(real, fake)) == 0.0
    assert float(losses.least_squares_discriminator_loss(fake, real)) == pytest.approx(1.0)


def test_least_squares_generator_loss_worked_value():
    # ((0-1)^2 + (1-1)^2 + (0.5-1)^2) / 3 = 1.25 / 3
    assert float(losses.least_squares_generator_loss([0.0, 1.0, 0.5])) == pytest.approx(1.25 / 3)


# --------------------------------------------------------------------------- the task and its measures


def test_thicken_grows_a_pixel_into_a_block():
    x = -np.ones((1, 28, 28, 1), np.float32)
    x[0, 5, 5, 0] = 1.0
    x[0, 0, 27, 0] = 0.5                      # in a corner: the window is cut by the edge
    t = cycle.thicken(x)
    assert (t[0, 4:7, 4:7, 0] == 1.0).all() and (t[0, 0:2, 26:28, 0] == 0.5).all()
    assert (t == 1.0).sum() == 9 and (t == 0.5).sum() == 4 and (t == -1.0).sum() == 784 - 13


def test_stroke_width_of_a_bar_and_a_blank():
    bar = -np.ones((2, 28, 28, 1))
    bar[0, 10:13, 5:15, 0] = 1.0              # 3 x 10: ink 30, perimeter 2 * (3 + 10) = 26
    w = cycle.stroke_width(bar)
    assert w[0] == pytest.approx(60 / 26) and w[1] == 0.0
    # thickening the bar by 2 pixels each way: 5 x 12, ink 60, perimeter 34
    assert cycle.stroke_width(cycle.thicken(bar))[0] == pytest.approx(120 / 34)


def test_binarise_and_width_boundary():
    x = np.array([[-0.5, 0.0], [0.01, 1.0]])
    np.testing.assert_array_equal(cycle.binarise(x), [[-1, -1], [1, 1]])
    thin = -np.ones((3, 28, 28, 1))
    thin[:, 10:13, 5:15] = 1.0                # width 60/26 each
    thick = cycle.thicken(thin)               # width 120/34 each
    assert cycle.width_boundary(thin, thick) == pytest.approx((60 / 26 + 120 / 34) / 2)


def test_quantise_and_blur_worked_values():
    x = np.array([-1.0, -0.4, 0.1, 0.6, 1.0])
    # 2 levels: -1 or 1; 3 levels: -1, 0, 1 (0.1 -> 1.1 of 2 steps -> 1 -> 0; 0.6 -> 1.6 -> 2 -> 1)
    np.testing.assert_allclose(cycle.quantise(x, 2), [-1, -1, 1, 1, 1])
    np.testing.assert_allclose(cycle.quantise(x, 3), [-1, 0, 0, 1, 1])
    assert len(np.unique(cycle.quantise(np.linspace(-1, 1, 1000), 256))) == 256
    img = np.zeros((1, 5, 5, 1))
    img[0, 2, 2, 0] = 1.0
    k = np.exp(-np.array([1.0, 0.0, 1.0]) / (2 * 0.25))
    k /= k.sum()                              # [0.1065, 0.7870, 0.1065]
    b = cycle.blur(img, 0.5)
    assert b[0, 2, 2, 0] == pytest.approx(k[1] ** 2, rel=1e-6) and b[0, 1, 2, 0] == pytest.approx(k[0] * k[1], rel=1e-6)
    assert b.sum() == pytest.approx(1.0, rel=1e-6)
    np.testing.assert_allclose(cycle.blur(np.full((1, 4, 4, 1), 0.3), 0.5), 0.3, rtol=1e-6)


def test_unpaired_batches_are_passes_in_independent_orders():
    a, b = np.arange(10.0), np.arange(10.0) + 100
    x, y = cycle.unpaired_batches(a, b, batch_size=4, steps=5, seed=3)
    assert x.shape == y.shape == (20,)
    assert sorted(x[:10]) == list(a) and sorted(y[:10] - 100) == list(a)      # each pass is a permutation
    assert not np.array_equal(x[:10], y[:10] - 100)                           # in another order than B's
    x2, _ = cycle.unpaired_batches(a, b, batch_size=4, steps=5, seed=3)
    np.testing.assert_array_equal(x, x2)


# --------------------------------------------------------------------------- the model


class _Net:
    """A stand-in translator with the ``predict`` of a Keras model."""

    def __init__(self, fn):
        self.fn = fn

    def predict(self, x, batch_size=None, verbose=0):
        return self.fn(x)


def test_measure_and_hiding_of_a_translator_that_thickens_and_one_that_keeps():
    rng = np.random.default_rng(0)
    thin = -np.ones((40, 28, 28, 1), np.float32)
    for i in range(40):                        # vertical bars of width 2, in different places
        c = rng.integers(4, 22)
        thin[i, 4:24, c:c + 2] = 1.0
    task = {"test_a": thin[:20], "test_b": cycle.thicken(thin[20:])}

    class Model:
        g = _Net(cycle.thicken)
        f = _Net(lambda y: y)                  # F keeps what it gets: the cycle returns thicken(x)

    m = cycle.measure(Model, task)
    assert m["moved_ab"] == 1.0 and m["moved_ba"] == 0.0 and m["boundary_ok"] == 1.0
    assert "true_ab" not in m                  # no labels, no true-digit shares
    # with labels: the classifier's own readings as the "true" digits make the inputs 100% right and the
    # true-digit shares equal the kept shares; labels one class off make the inputs 0% right
    read_a, read_b = cycle.digits_of(task["test_a"]), cycle.digits_of(task["test_b"])
    m = cycle.measure(Model, {**task, "labels_a": read_a, "labels_b": read_b})
    assert m["true_input_a"] == m["true_input_b"] == 1.0
    assert (m["true_ab"], m["true_ba"]) == (m["kept_ab"], m["kept_ba"])
    m = cycle.measure(Model, {**task, "labels_a": (read_a + 1) % 10, "labels_b": (read_b + 1) % 10})
    assert m["true_input_a"] == m["true_input_b"] == 0.0 and m["true_ba"] == 0.0   # F(y) = y
    # A -> B -> A: thicken turns each 20 x 2 bar into 22 x 4: 48 pixels change by 2, 96 / 784 per image;
    # B -> A -> B: G(F(y)) = thicken(y) turns 22 x 4 into 24 x 6: 56 pixels change by 2, 112 / 784
    assert m["cycle"] == pytest.approx(96 / 784 + 112 / 784, rel=1e-6)
    # identity: G(y) = thicken(y) changes y as above (112 / 784); F(x) = x not at all
    assert m["identity"] == pytest.approx(112 / 784, rel=1e-6)
    h = cycle.hiding(Model, task["test_a"], levels=(2,), blurs=())
    assert h["as is"]["change"] == 0.0 and h["thicken(x) instead of G(x)"]["change"] == 0.0
    assert h["as is"]["rec"] == pytest.approx(96 / 784, rel=1e-6) == h["quantised to 2 levels"]["rec"]


@pytest.fixture(scope="module")
def model():
    return cycle.build(seed=0)


def test_the_generator_loss_is_the_weighted_sum_of_its_parts(model):
    x = cycle.binarise(np.random.default_rng(1).uniform(-1, 1, (4, 28, 28, 1)))
    y = cycle.thicken(x[::-1])
    parts = model.generator_losses(x, y, training=False)
    g, f = model.g, model.f
    cyc = float(losses.cycle_consistency_loss(x, f(g(x)))) + float(losses.cycle_consistency_loss(y, g(f(y))))
    idt = float(losses.identity_loss(y, g(y))) + float(losses.identity_loss(x, f(x)))
    adv = float(losses.least_squares_generator_loss(model.d_b(g(x)))
                + losses.least_squares_generator_loss(model.d_a(f(y))))
    assert float(parts["cycle"]) == pytest.approx(cyc, rel=1e-5)
    assert float(parts["identity"]) == pytest.approx(idt, rel=1e-5)
    assert float(parts["total"]) == pytest.approx(adv + 10 * cyc + 5 * idt, rel=1e-5)


def test_a_train_step_moves_all_four_networks_and_reports_each_loss(model):
    before = [w.copy() for net in (model.g, model.f, model.d_a, model.d_b) for w in net.get_weights()[:1]]
    a = cycle.binarise(np.random.default_rng(2).uniform(-1, 1, (8, 28, 28, 1)))
    y = cycle.thicken(a[::-1])
    parts = model.generator_losses(a, y, training=True)
    last = {k: float(v) for k, v in model.train_step((a, y)).items()}    # one step, run eagerly (no tracing)
    assert set(last) == {"d_a", "d_b", "adv", "cycle", "identity"}
    for k in ("cycle", "identity"):          # the trackers report the step's parts (D steps first, so not adv)
        assert last[k] == pytest.approx(float(parts[k]), rel=1e-5)
    assert last["adv"] > 0 and last["d_a"] > 0 and last["d_b"] > 0
    after = [net.get_weights()[0] for net in (model.g, model.f, model.d_a, model.d_b)]
    assert all(not np.array_equal(b, c) for b, c in zip(before, after))


def test_the_networks_shapes():
    g, d = cycle.translator("g"), cycle.patch_discriminator("d")
    x = np.zeros((2, 28, 28, 1), np.float32)
    assert tuple(g(x).shape) == (2, 28, 28, 1) and tuple(d(x).shape) == (2, 7, 7, 1)
    assert float(keras.ops.max(keras.ops.abs(g(x + 1e3)))) <= 1.0          # tanh output


def test_the_faint_copy_pair_hides_its_input_and_loses_it_when_blurred_or_quantised():
    g, f = cycle.faint_copy_pair(eps=0.005)
    x = np.linspace(-1, 1, 2 * 784, dtype=np.float32).reshape(2, 28, 28, 1)
    y = g(x)
    # every pixel within 2 eps = 0.01 of the black-and-white thick digit, and the way back is exact
    assert np.abs(y - cycle.thicken(cycle.binarise(x))).max() <= 0.01 + 1e-6
    np.testing.assert_allclose(f(y), x, atol=1e-4)
    # one grey level of 256 is 2 / 255 = 0.0078 in [-1, 1]: rounding moves y by up to 0.0039, x by up to 0.78
    assert np.abs(f(cycle.quantise(y, 256)) - x).max() > 0.5

