"""DiffAugment's operations and ADA's controller (gan_lib.core.augment), and the GAN's augment hook."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_lib import data, models
from gan_lib.core import augment, checkpoint
from gan_lib.core.gan import GAN
from gan_lib.coursework.checks.lesson10 import _oracle_shift as shifted  # the oracle: moved down dy, right dx


@pytest.fixture(scope="module")
def digits():
    return data.load_digits("train", limit=64, verbose=False).images


def find_shift(before, after, fill=-1.0, limit=4):
    hits = [(dy, dx) for dy in range(-limit, limit + 1) for dx in range(-limit, limit + 1)
            if np.array_equal(shifted(before, dy, dx, fill), after)]
    return hits


def test_translation_is_a_whole_pixel_shift_within_an_eighth(digits):
    out = np.asarray(augment.translation(digits, keras.random.SeedGenerator(1)))
    shifts = []
    for before, after in zip(digits, out):
        hits = find_shift(before, after)
        assert hits, "every translated digit is an exact shift of the input, background moved in"
        shifts.append(hits[0])
    assert len(set(shifts)) > 10  # shifts differ from image to image
    assert max(max(abs(a), abs(b)) for a, b in shifts) <= 4  # round(0.125 * 28)
    # both extremes occur on both axes (an off-by-one range such as [-4, 3] would miss one)
    assert {-4, 4} <= {a for a, _ in shifts} and {-4, 4} <= {b for _, b in shifts}


def test_translation_fill_zero_is_the_papers_grey_padding(digits):
    out = np.asarray(augment.translation(digits[:16], keras.random.SeedGenerator(3), fill=0.0))
    moved = [find_shift(b, a, fill=0.0) for b, a in zip(digits[:16], out)]
    assert all(moved)
    assert any(h[0] != (0, 0) for h in moved) and (out == 0.0).any()


def test_cutout_greys_one_square_and_leaves_the_rest(digits):
    out = np.asarray(augment.cutout(digits, keras.random.SeedGenerator(2)))
    for before, after in zip(digits, out):
        changed = after != before
        grey = (after == 0.0) & (before != 0.0)
        assert np.array_equal(changed, grey)  # only pixels set to 0 changed
        ys, xs = np.nonzero(after[..., 0] == 0.0)
        if len(ys):  # a full 14x14 square, or the part of it inside the image (at least 7x7)
            assert ys.max() - ys.min() + 1 <= 14 and xs.max() - xs.min() + 1 <= 14
            assert ys.max() - ys.min() + 1 >= 7 and xs.max() - xs.min() + 1 >= 7


def test_colour_operations_follow_their_formulas(digits):
    seed = keras.random.SeedGenerator(4)
    b = np.asarray(augment.brightness(digits, seed)) - digits
    per_image = b.reshape(len(b), -1)
    assert np.allclose(per_image, per_image[:, :1], atol=1e-6)  # one offset per image
    assert np.all(np.abs(per_image[:, 0]) <= 0.5)
    c = np.asarray(augment.contrast(digits, seed))
    assert np.allclose(c.mean((1, 2, 3)), digits.mean((1, 2, 3)), atol=1e-5)  # the mean is kept
    assert np.allclose(np.asarray(augment.saturation(digits, seed)), digits)  # one channel: nothing to saturate
    rgb = np.random.default_rng(0).uniform(-1, 1, (4, 8, 8, 3)).astype("float32")
    s = np.asarray(augment.saturation(rgb, seed))
    assert np.allclose(s.mean(3), rgb.mean(3), atol=1e-6) and not np.allclose(s, rgb)


def test_probability_zero_changes_nothing_one_changes_every_image(digits):
    seed = keras.random.SeedGenerator(5)
    assert np.array_equal(np.asarray(augment.DiffAugment(probability=0.0)(digits, seed)), digits)
    out = np.asarray(augment.DiffAugment(("cutout",))(digits, seed))
    assert all((o != d).any() for o, d in zip(out, digits))


def test_gradients_flow_through_the_augmentation(digits):
    x = tf.Variable(digits[:8])
    with tf.GradientTape() as tape:
        y = augment.DiffAugment()(x, keras.random.SeedGenerator(6))
        loss = tf.reduce_sum(y)
    g = tape.gradient(loss, x).numpy()
    assert set(np.unique(g)) <= {0.0, 1.0}  # a kept pixel passes its gradient, a dropped one none
    assert 0.4 < (g == 1.0).mean() < 1.0


def test_r_t_worked_value():
    assert augment.r_t(np.array([2.0, -1.0, 0.5, 3.0])) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="at least one"):
        augment.r_t(np.zeros(0))


def test_ada_controller_adjusts_p_every_interval_by_the_papers_rule():
    ada = augment.AdaptiveAugment(initial_p=0.5)
    logits = np.array([1.0] * 25 + [-1.0] * 7, "float32")  # 4 such batches: 100 positive, 28 negative
    for i in range(4):
        ada.update(logits)
        if i < 3:
            assert float(ada.p.numpy()) == 0.5  # p moves only every 4 steps
    assert float(ada.rt.numpy()) == pytest.approx(72 / 128)  # 0.5625 < 0.6
    assert float(ada.p.numpy()) == pytest.approx(0.5 - 128 / 500_000)
    for _ in range(4):
        ada.update(np.ones(32, "float32"))  # r_t = 1 > 0.6: p rises
    assert float(ada.p.numpy()) == pytest.approx(0.5, abs=1e-7)


def test_ada_p_stays_in_the_unit_interval():
    ada = augment.AdaptiveAugment(speed=10, interval=1)
    for _ in range(5):
        ada.update(-np.ones(32, "float32"))
    assert float(ada.p.numpy()) == 0.0
    for _ in range(5):
        ada.update(np.ones(32, "float32"))
    assert float(ada.p.numpy()) == 1.0


@pytest.mark.parametrize("kwargs, match", [
    ({"policy": "translation,rotate"}, "one or more of translation"),
    ({"policy": ()}, "one or more of"),
    ({"probability": 1.5}, r"in \[0, 1\]"),
])
def test_bad_settings_say_what_to_use(kwargs, match):
    with pytest.raises(ValueError, match=match):
        augment.DiffAugment(**kwargs)


@pytest.mark.parametrize("kwargs, match", [({"target": 1.0}, "ADA uses 0.6"), ({"interval": 0}, "ADA uses 4"),
                                           ({"speed": 0}, "ADA uses 500,000")])
def test_bad_ada_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        augment.AdaptiveAugment(**kwargs)


class Spy:
    """An augmentation that counts the images it is given (and changes nothing)."""

    def __init__(self):
        self.calls = 0

    def __call__(self, images, seed):
        self.calls += 1
        return images


@pytest.mark.parametrize("fakes, calls", [(True, 3), (False, 1)])
def test_gan_augments_reals_and_fakes_in_both_steps_or_reals_only(digits, fakes, calls):
    spy = Spy()
    gan = GAN(*models.dcgan(64), seed=0, augment=spy, augment_fakes=fakes)
    gan.compile(run_eagerly=True)
    gan.train_step(tf.constant(digits[:8]))
    assert spy.calls == calls  # D's reals, D's fakes, G's fakes (the last two only with fakes=True)
    spy.calls = 0
    gan.discriminate(digits[:8])
    gan.generate(gan.fixed_latent[:4])
    assert spy.calls == 0  # a verdict after training sees the images as they are


def test_gan_refuses_an_augment_that_is_not_callable():
    with pytest.raises(ValueError, match="DiffAugment"):
        GAN(*models.dcgan(64), augment="translation")


def test_ada_state_is_checkpointed_and_restored_exactly(digits, tmp_path):
    def build():
        keras.utils.set_random_seed(0)
        gan = GAN(*models.dcgan(64), seed=0, augment=augment.AdaptiveAugment(speed=2_000, initial_p=0.25))
        gan.compile(steps_per_execution=2)
        return gan

    gan = build()
    gan.fit_images(digits, 32, 4, seed=0)
    assert float(gan.augment.p.numpy()) != 0.25 and float(gan.augment._steps.numpy()) == 8  # p moved
    checkpoint.save(gan, tmp_path, 4, [], {})
    other = build()
    checkpoint.restore(other, checkpoint.list_checkpoints(tmp_path)[-1])
    assert [float(v.numpy()) for v in other.augment.variables] == [float(v.numpy()) for v in gan.augment.variables]
