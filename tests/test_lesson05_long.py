"""Long mode (GAN_COURSE_LONG=1, for a GPU or Colab): the switch itself, and lesson 05's budget under it —
real CIFAR-10 and nothing else, the longer schedule, and FID — with the CIFAR-10 loader and InceptionV3's
weights mocked, since neither exists on the course's CI machines."""

import keras
import numpy as np
import pytest

from gan_lib import colour, config, fid, panel
from gan_lib.data import DataError


@pytest.fixture
def long_env(monkeypatch):
    monkeypatch.delenv(config.QUICK_ENV, raising=False)
    monkeypatch.setenv(config.LONG_ENV, "1")


@pytest.fixture
def full_env(monkeypatch):
    monkeypatch.delenv(config.QUICK_ENV, raising=False)
    monkeypatch.delenv(config.LONG_ENV, raising=False)


# --------------------------------------------------------------------------- the switch


def test_long_mode_is_its_own_mode_and_pick_falls_back_to_full(long_env):
    assert config.long_mode() and not config.quick_mode() and config.mode_name() == "long"
    assert config.pick(full=10, quick=2, long=30) == 30
    assert config.pick(full=10, quick=2) == 10              # a value with no long variant runs as in full mode
    assert config.pick(full=2816, quick=512, long=None) is None   # None is a value ("all images"), not "unset"


def test_without_the_switch_pick_ignores_long(full_env, monkeypatch):
    assert config.mode_name() == "full" and config.pick(full=10, quick=2, long=30) == 10
    monkeypatch.setenv(config.QUICK_ENV, "1")
    assert config.mode_name() == "quick" and config.pick(full=10, quick=2, long=30) == 2


def test_both_switches_at_once_are_refused(monkeypatch):
    monkeypatch.setenv(config.QUICK_ENV, "1")
    monkeypatch.setenv(config.LONG_ENV, "1")
    with pytest.raises(ValueError, match="GAN_COURSE_QUICK and GAN_COURSE_LONG are both set"):
        config.mode_name()


def test_a_bad_value_names_the_long_switch(monkeypatch):
    monkeypatch.delenv(config.QUICK_ENV, raising=False)
    monkeypatch.setenv(config.LONG_ENV, "maybe")
    with pytest.raises(ValueError, match=r"GAN_COURSE_LONG='maybe' is not understood: set it to 1 for long mode"):
        config.long_mode()


# --------------------------------------------------------------------------- lesson 05's budget


def test_long_budget_selects_cifar10_a_longer_schedule_and_fid(long_env):
    b, full = panel.budget(), panel.BUDGETS["full"]
    assert b.mode == "long" and b.source == "cifar10" and b.train_images is None   # all 50,000 images
    assert b.fid_required and not full.fid_required
    assert b.epochs >= full.epochs and b.longer_epochs > b.epochs
    # steps, not epochs, are the budget: all of CIFAR-10 at the lesson's batch of 32 against the CPU run's 2,816 images
    steps = lambda budget, n: budget.epochs * (n // 32)  # noqa: E731
    assert steps(b, 50_000) >= 15 * steps(full, 2816)
    assert b.fid_images >= 10_000 and b.heldout_images >= b.fid_images and b.c2st_images > full.c2st_images


def test_full_and_quick_budgets_keep_the_emoji_fallback(full_env, monkeypatch):
    assert panel.budget().mode == "full" and panel.budget().source == "auto"
    monkeypatch.setenv(config.QUICK_ENV, "1")
    assert panel.budget().mode == "quick" and panel.budget().source == "auto"
    with pytest.raises(ValueError, match="use one of full, quick, long"):
        panel.budget("huge")


def _fake_cifar10(n_train=300, n_test=120):
    rng = np.random.default_rng(0)
    return ((rng.integers(0, 256, (n_train, 32, 32, 3), dtype=np.uint8), rng.integers(0, 10, n_train)),
            (rng.integers(0, 256, (n_test, 32, 32, 3), dtype=np.uint8), rng.integers(0, 10, n_test)))


def test_long_mode_loads_every_cifar10_image(long_env, monkeypatch, capsys):
    monkeypatch.setattr(colour, "load_cifar10", lambda home=None, download=True: _fake_cifar10())
    train = panel.budget().load("train")
    assert train.source == "cifar10" and len(train.images) == 300            # no limit: every training image
    assert "Data: CIFAR-10, training images: 300 images" in capsys.readouterr().out
    held = panel.budget().load("heldout", verbose=False)
    assert held.source == "cifar10" and len(held.images) == 120              # the test set (fewer than the limit)


def test_long_mode_without_cifar10_refuses_instead_of_using_the_emoji(long_env, monkeypatch, capsys):
    def missing(home=None, download=True):
        raise DataError("CIFAR-10 is not on this machine (put it at ~/.keras/datasets/...).")

    monkeypatch.setattr(colour, "load_cifar10", missing)
    with pytest.raises(DataError, match=r"Long mode \(GAN_COURSE_LONG=1\) trains on real CIFAR-10.*"
                                        r"not on this machine.*unset GAN_COURSE_LONG"):
        panel.budget().load("train")
    assert "EMOJI" not in capsys.readouterr().out
    # the same machine in full mode falls back to the emoji, loudly, as before
    monkeypatch.delenv(config.LONG_ENV)
    d = panel.budget().load("train")
    assert d.source == "emoji" and "EMOJI (not CIFAR-10)" in capsys.readouterr().out


def _tiny_inception():
    """A stand-in for InceptionV3 with the same interface (299x299x3 in, pooled features out)."""
    keras.utils.set_random_seed(0)
    x = keras.Input((fid.INPUT_SIZE, fid.INPUT_SIZE, 3))
    y = keras.layers.GlobalAveragePooling2D()(keras.layers.Conv2D(8, 3, strides=8)(x))
    return keras.Model(x, y)


def test_long_mode_computes_fid_when_the_weights_load(long_env, monkeypatch):
    model = _tiny_inception()
    monkeypatch.setattr(fid, "inception", lambda home=None: model)
    got = panel.budget().fid_model()
    assert got is model
    rng = np.random.default_rng(1)
    a, b = (rng.uniform(-1, 1, (40, 32, 32, 3)).astype("float32") for _ in range(2))
    same = fid.frechet_distance(fid.inception_features(a, got), fid.inception_features(a, got))
    other = fid.frechet_distance(fid.inception_features(a, got), fid.inception_features(-np.abs(b), got))
    assert abs(same) < 1e-6 and other > 1e-3


def test_long_mode_without_inception_weights_refuses(long_env, monkeypatch):
    def unavailable(home=None):
        raise fid.FIDUnavailable("FID needs InceptionV3's ImageNet weights (...), which are not in ~/.keras/models/")

    monkeypatch.setattr(fid, "inception", unavailable)
    with pytest.raises(fid.FIDUnavailable, match=r"Long mode \(GAN_COURSE_LONG=1\) reports FID.*~/.keras/models"):
        panel.budget().fid_model()
    # full mode says so and goes on without FID
    monkeypatch.delenv(config.LONG_ENV)
    said = []
    assert panel.budget().fid_model(log=said.append) is None
    assert said and said[0].startswith("FID not computed here: FID needs InceptionV3's")
