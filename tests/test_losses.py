"""gan_lib.core.losses: golden values computed by hand, gradients, stability, the registry."""

import math

import numpy as np
import pytest
import tensorflow as tf

from gan_lib import losses


def softplus(v: float) -> float:
    """log(1 + e^v), by hand (fine for the small values used here)."""
    return math.log1p(math.exp(v))


def value(t) -> float:
    return float(np.asarray(t))


def zeros(n=4):
    return np.zeros((n, 1), np.float32)


# --------------------------------------------------------------------------- golden values


def test_d_loss_at_logits_zero_is_log_4():
    assert value(losses.discriminator_loss(zeros(), zeros())) == pytest.approx(math.log(4), abs=1e-6)


def test_nonsaturating_g_loss_at_logit_zero_is_log_2():
    assert value(losses.generator_loss_nonsaturating(zeros())) == pytest.approx(math.log(2), abs=1e-6)


def test_minimax_g_loss_at_logit_zero_is_minus_log_2():
    assert value(losses.generator_loss_minimax(zeros())) == pytest.approx(-math.log(2), abs=1e-6)


def test_values_at_logit_two_match_softplus_by_hand():
    two = np.full((3, 1), 2.0, np.float32)
    # D: real term -log(sigmoid(2)) = softplus(-2); fake term -log(1 - sigmoid(2)) = softplus(2)
    assert value(losses.discriminator_loss(two, two)) == pytest.approx(softplus(-2) + softplus(2), abs=1e-6)
    assert value(losses.generator_loss_nonsaturating(two)) == pytest.approx(softplus(-2), abs=1e-6)
    assert value(losses.generator_loss_minimax(two)) == pytest.approx(-softplus(2), abs=1e-6)
    # the same numbers straight from the probabilities
    d = 1 / (1 + math.exp(-2))
    assert value(losses.generator_loss_nonsaturating(two)) == pytest.approx(-math.log(d), abs=1e-6)
    assert value(losses.generator_loss_minimax(two)) == pytest.approx(math.log(1 - d), abs=1e-6)


def test_losses_are_batch_means():
    real = np.array([[2.0], [-1.0]], np.float32)
    fake = np.array([[0.5], [-3.0]], np.float32)
    expected_d = (softplus(-2) + softplus(1)) / 2 + (softplus(0.5) + softplus(-3)) / 2
    assert value(losses.discriminator_loss(real, fake)) == pytest.approx(expected_d, abs=1e-6)
    assert value(losses.generator_loss_nonsaturating(fake)) == pytest.approx(
        (softplus(-0.5) + softplus(3)) / 2, abs=1e-6)
    assert value(losses.generator_loss_minimax(fake)) == pytest.approx(-(softplus(0.5) + softplus(-3)) / 2, abs=1e-6)


def test_one_sided_label_smoothing_by_hand():
    real = np.full((2, 1), 2.0, np.float32)
    fake = np.full((2, 1), -1.0, np.float32)
    expected = 0.9 * softplus(-2) + 0.1 * softplus(2) + softplus(-1)  # fake target stays 0
    assert value(losses.discriminator_loss(real, fake, real_label=0.9)) == pytest.approx(expected, abs=1e-6)
    assert value(losses.NonSaturating(real_label=0.9).discriminator(real, fake)) == pytest.approx(expected, abs=1e-6)
    # smoothing changes only the real term
    unsmoothed = value(losses.discriminator_loss(real, fake))
    assert unsmoothed == pytest.approx(softplus(-2) + softplus(-1), abs=1e-6)


# --------------------------------------------------------------------------- gradients and stability


def _grad(loss_fn, logit: float) -> float:
    x = tf.Variable([[logit]], dtype=tf.float32)
    with tf.GradientTape() as tape:
        loss = loss_fn(x)
    return float(tape.gradient(loss, x).numpy()[0, 0])


def test_minimax_gradient_vanishes_when_d_rejects_fakes():
    grads = [_grad(losses.generator_loss_minimax, logit) for logit in (0.0, -5.0, -10.0, -20.0)]
    assert grads[0] == pytest.approx(-0.5, abs=1e-6)  # -sigmoid(0)
    assert grads[1] == pytest.approx(-1 / (1 + math.exp(5)), rel=1e-4)
    assert abs(grads[3]) < 1e-8
    assert all(abs(b) < abs(a) for a, b in zip(grads, grads[1:]))  # shrinks towards 0


def test_nonsaturating_gradient_tends_to_minus_one_when_d_rejects_fakes():
    grads = [_grad(losses.generator_loss_nonsaturating, logit) for logit in (0.0, -5.0, -20.0)]
    assert grads[0] == pytest.approx(-0.5, abs=1e-6)
    assert grads[1] == pytest.approx(-1 / (1 + math.exp(-5)), rel=1e-4)
    assert grads[2] == pytest.approx(-1.0, abs=1e-6)


@pytest.mark.parametrize("logit", [100.0, -100.0])
def test_losses_and_gradients_finite_at_extreme_logits(logit):
    x = np.full((2, 1), logit, np.float32)
    for v in (losses.discriminator_loss(x, x), losses.discriminator_loss(x, x, 0.9),
              losses.generator_loss_nonsaturating(x), losses.generator_loss_minimax(x)):
        assert math.isfinite(value(v))
    # softplus(100) = 100 (up to e^-100): the loss keeps its size instead of becoming inf
    assert value(losses.discriminator_loss(x, x)) == pytest.approx(abs(logit), rel=1e-6)
    for fn in (losses.generator_loss_nonsaturating, losses.generator_loss_minimax):
        assert math.isfinite(_grad(fn, logit))


# --------------------------------------------------------------------------- validation and registry


@pytest.mark.parametrize("real_label", [0.0, -0.1, 1.1, float("nan")])
def test_invalid_real_label_raises(real_label):
    with pytest.raises(ValueError, match="real_label"):
        losses.discriminator_loss(zeros(), zeros(), real_label=real_label)
    with pytest.raises(ValueError, match="real_label"):
        losses.NonSaturating(real_label=real_label)


def test_loss_pairs_use_the_right_generator_loss():
    two = np.full((2, 1), 2.0, np.float32)
    assert value(losses.NonSaturating().generator(two)) == pytest.approx(softplus(-2), abs=1e-6)
    assert value(losses.Minimax().generator(two)) == pytest.approx(-softplus(2), abs=1e-6)
    assert value(losses.Minimax().discriminator(two, two)) == pytest.approx(softplus(-2) + softplus(2), abs=1e-6)


def test_get_by_name():
    ns = losses.get("nonsaturating")
    mm = losses.get("minimax")
    assert type(ns) is losses.NonSaturating and ns.real_label == 1.0
    assert type(mm) is losses.Minimax
    assert {"nonsaturating", "minimax"} <= set(losses.LOSSES)  # later lessons register more pairs


def test_get_passes_instances_through():
    pair = losses.Minimax(real_label=0.9)
    assert losses.get(pair) is pair


@pytest.mark.parametrize("bad", ["hinge_loss", "NonSaturating", None, losses.Minimax])
def test_get_unknown_lists_valid_names(bad):
    with pytest.raises(ValueError) as e:
        losses.get(bad)
    msg = str(e.value)
    assert "nonsaturating" in msg and "minimax" in msg and "GANLoss" in msg


def test_base_class_must_be_overridden():
    base = losses.GANLoss()
    with pytest.raises(NotImplementedError):
        base.discriminator(zeros(), zeros())
    with pytest.raises(NotImplementedError):
        base.generator(zeros())


def test_repr_shows_the_setting():
    assert repr(losses.NonSaturating(0.9)) == "NonSaturating(real_label=0.9)"
    assert repr(losses.Minimax()) == "Minimax(real_label=1.0)"
