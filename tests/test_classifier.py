"""gan_lib.measure.classifier: the shipped instrument, its card, and refusal of damaged weights."""

import hashlib
import shutil

import numpy as np
import pytest

from gan_lib import classifier, data


@pytest.fixture(scope="module")
def card():
    return classifier.card()


@pytest.fixture(scope="module")
def heldout():
    return data.load_digits("heldout", verbose=False)


@pytest.fixture(scope="module")
def heldout_outputs(heldout):
    return classifier.features_and_probs(heldout.images)


@pytest.fixture
def fresh_load():
    """Clear the cached model before and after, so a patched file is really read and nothing leaks."""
    classifier.load.cache_clear()
    yield
    classifier.load.cache_clear()


def test_card_describes_the_shipped_weights(card):
    assert card["version"] == classifier.VERSION
    assert card["feature_layer"] == classifier.FEATURE_LAYER == "features"
    assert card["heldout_accuracy"] >= 0.97
    assert card["heldout_digits"] == 2000
    assert "train split" in card["trained_on"]  # never trained on the held-out digits
    assert card["sha256"] == hashlib.sha256(classifier.WEIGHTS.read_bytes()).hexdigest()


def test_features_and_probs_shapes(heldout_outputs):
    feats, probs = heldout_outputs
    assert feats.shape == (2000, 128) and probs.shape == (2000, 10)
    assert feats.dtype == np.float64 and probs.dtype == np.float64
    np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-5)
    assert probs.min() >= 0
    assert feats.min() >= 0  # ReLU features
    assert (feats > 0).any(axis=0).sum() > 64  # most units are alive on real digits


def test_heldout_accuracy_matches_the_card(heldout, heldout_outputs, card):
    _, probs = heldout_outputs
    accuracy = float(np.mean(probs.argmax(1) == heldout.labels))
    assert accuracy == pytest.approx(card["heldout_accuracy"], abs=0.002)


def test_batching_does_not_change_the_outputs(heldout, heldout_outputs):
    feats, probs = classifier.features_and_probs(heldout.images[:50], batch_size=16)
    np.testing.assert_allclose(feats, heldout_outputs[0][:50], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(probs, heldout_outputs[1][:50], rtol=1e-4, atol=1e-5)


def test_load_is_cached():
    assert classifier.load() is classifier.load()


def test_features_and_probs_checks_its_input():
    with pytest.raises(ValueError, match="to_model_range"):
        classifier.features_and_probs(np.zeros((3, 28, 28, 1), np.uint8))
    with pytest.raises(ValueError, match=r"x\[\.\.\., None\]"):
        classifier.features_and_probs(np.zeros((3, 28, 28), np.float32))


def test_damaged_weights_are_refused(tmp_path, monkeypatch, fresh_load):
    damaged = tmp_path / "mnist_classifier.weights.h5"
    shutil.copyfile(classifier.WEIGHTS, damaged)
    b = bytearray(damaged.read_bytes())
    middle = len(b) // 2
    b[middle:middle + 8] = bytes(x ^ 0xFF for x in b[middle:middle + 8])
    damaged.write_bytes(bytes(b))
    monkeypatch.setattr(classifier, "WEIGHTS", damaged)
    with pytest.raises(classifier.ClassifierError) as e:
        classifier.load()
    msg = str(e.value)
    assert "SHA-256" in msg and "git checkout -- gan_lib/assets" in msg


def test_missing_weights_are_refused(tmp_path, monkeypatch, fresh_load):
    monkeypatch.setattr(classifier, "WEIGHTS", tmp_path / "gone.weights.h5")
    with pytest.raises(classifier.ClassifierError, match="missing.*train_classifier.py"):
        classifier.load()


def test_missing_card_is_refused(tmp_path, monkeypatch, fresh_load):
    monkeypatch.setattr(classifier, "CARD", tmp_path / "gone.json")
    with pytest.raises(classifier.ClassifierError, match="missing"):
        classifier.card()
    with pytest.raises(classifier.ClassifierError, match="missing"):
        classifier.load()
