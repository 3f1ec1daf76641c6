"""gan_lib.measure.emoji_classifier: the shipped emoji category classifier, its card, and what its score reads.

The score is checked on cases whose answer is known: held-out emoji read like the
training emoji; k repeated emoji read as fewer categories and a larger distance the
smaller k is; noise and a constant image read as far away.
"""

import hashlib
import shutil

import numpy as np
import pytest

from gan_lib.data import colour
from gan_lib.measure import emoji_classifier as ec


@pytest.fixture(scope="module")
def card():
    return ec.card()


@pytest.fixture(scope="module")
def heldout():
    return colour.load_emoji_raw("heldout")


@pytest.fixture(scope="module")
def heldout_x(heldout):
    return heldout.images.astype("float32") / 127.5 - 1


@pytest.fixture
def fresh_load():
    ec.load.cache_clear()
    yield
    ec.load.cache_clear()


def test_card_describes_the_shipped_weights(card, heldout):
    assert card["sha256"] == hashlib.sha256(ec.WEIGHTS.read_bytes()).hexdigest()
    assert card["version"] == ec.VERSION and card["feature_layer"] == "features"
    assert card["categories"] == list(heldout.categories) and len(card["categories"]) == ec.N_CATEGORIES
    assert card["heldout_images"] == len(heldout.images) == 381
    assert "train split" in card["trained_on"]
    # Well above always answering the largest category (chance 18%), and every category above zero.
    assert card["heldout_accuracy"] >= 0.55 and card["heldout_accuracy"] > 3 * card["chance"]
    assert set(card["heldout_accuracy_per_category"]) == set(card["categories"])
    assert min(card["heldout_accuracy_per_category"].values()) > 0.1


def test_card_accuracy_is_what_the_weights_score(card, heldout, heldout_x):
    _, probs = ec.features_and_probs(heldout_x)
    assert probs.shape == (381, ec.N_CATEGORIES)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    assert np.mean(probs.argmax(axis=1) == heldout.category) == pytest.approx(card["heldout_accuracy"], abs=1e-3)


def test_held_out_emoji_read_like_the_training_emoji(heldout_x):
    r = ec.score(heldout_x)
    assert r["n"] == 381 and r["fd"] < 5 and r["kl_to_real"] < 0.05
    assert sum(r["shares"]) == pytest.approx(1.0)
    assert min(r["shares"]) > 0.03  # every category is there


def test_repeated_emoji_read_as_collapsed_and_the_fewer_the_farther(heldout_x):
    rng = np.random.default_rng(0)
    fds = {}
    for k in (1, 2, 8, 64):
        x = heldout_x[np.resize(rng.choice(len(heldout_x), k, replace=False), len(heldout_x))]
        r = ec.score(x)
        fds[k] = r["fd"]
        if k == 1:
            assert max(r["shares"]) == 1.0 and r["kl_to_real"] > 5
    assert fds[1] > fds[2] > fds[8] > fds[64] > ec.score(heldout_x)["fd"]
    assert fds[1] > 50


def test_noise_and_blank_images_are_far(heldout_x):
    rng = np.random.default_rng(1)
    assert ec.score(rng.uniform(-1, 1, (300, 32, 32, 3)).astype("float32"))["fd"] > 100
    assert ec.score(np.ones((100, 32, 32, 3), "float32"))["fd"] > 100


def test_bad_input_is_refused_with_a_fix():
    with pytest.raises(ValueError, match="expected \\(N, 32, 32, 3\\)"):
        ec.features_and_probs(np.zeros((3, 28, 28, 1), "float32"))
    with pytest.raises(ValueError, match="to_model_range"):
        ec.features_and_probs(np.zeros((3, 32, 32, 3), np.uint8))


def test_damaged_weights_are_refused(tmp_path, monkeypatch, fresh_load):
    damaged = tmp_path / "emoji_classifier.weights.h5"
    shutil.copyfile(ec.WEIGHTS, damaged)
    b = bytearray(damaged.read_bytes())
    b[len(b) // 2:len(b) // 2 + 8] = bytes(x ^ 0xFF for x in b[len(b) // 2:len(b) // 2 + 8])
    damaged.write_bytes(bytes(b))
    monkeypatch.setattr(ec, "WEIGHTS", damaged)
    with pytest.raises(ec.ClassifierError, match="SHA-256.*git checkout -- gan_lib/assets"):
        ec.load()


def test_missing_weights_name_the_command_that_remakes_them(tmp_path, monkeypatch, fresh_load):
    monkeypatch.setattr(ec, "WEIGHTS", tmp_path / "gone.weights.h5")
    with pytest.raises(ec.ClassifierError, match="missing.*train_classifier.py --emoji"):
        ec.load()
