"""The course's own MNIST digit classifier: the instrument behind every MNIST metric.

A small CNN trained on the 8,000 shipped training digits only (never on the
held-out ones it is scored on). Its weights ship with ``gan_lib``
(``assets/mnist_classifier.weights.h5``) together with a JSON card
(``assets/mnist_classifier.json``): the version, the SHA-256 of the weights,
the held-out accuracy, and the command that made them::

    python scripts/train_classifier.py

Its layer ``"features"`` (128 ReLU units) is the feature space of the
course's Frechet distance; its softmax gives class shares and the
classifier score (see :mod:`gan_lib.measure.metrics`).
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

from gan_lib import data
from gan_lib.data import check_images

ASSETS = Path(__file__).resolve().parents[1] / "assets"
WEIGHTS = ASSETS / "mnist_classifier.weights.h5"
CARD = ASSETS / "mnist_classifier.json"
VERSION = 1
FEATURE_LAYER = "features"


class ClassifierError(RuntimeError):
    """The shipped classifier's weights are missing or damaged."""


def build_classifier():
    """The classifier's architecture (weights not loaded)."""
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(32, 3, activation="relu", padding="same"),
            layers.MaxPooling2D(),
            layers.Conv2D(64, 3, activation="relu", padding="same"),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.Dropout(0.3),
            layers.Dense(128, activation="relu", name=FEATURE_LAYER),
            layers.Dropout(0.3),
            layers.Dense(10, name="logits"),
        ],
        name="mnist_classifier",
    )


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_card(card_path: Path, weights: Path, remake: str) -> dict:
    """A shipped network's card, after checking that its weights exist and match the card's SHA-256.

    ``remake`` is the command that rebuilds both (named in every message). Shared by
    this classifier and :mod:`gan_lib.measure.emoji_classifier`.
    """
    if not Path(card_path).exists():
        raise ClassifierError(f"{card_path} is missing. Restore gan_lib/assets from the repository "
                              f"or rebuild it with `{remake}`.")
    info = json.loads(Path(card_path).read_text())
    if not Path(weights).exists():
        raise ClassifierError(f"{weights} is missing. Restore gan_lib/assets from the repository "
                              f"or rebuild it with `{remake}`.")
    if _sha256(weights) != info["sha256"]:
        raise ClassifierError(f"{weights} does not match the SHA-256 on its card ({card_path}): the file is "
                              "damaged or was replaced. Restore it with `git checkout -- gan_lib/assets`.")
    return info


def card() -> dict:
    """The classifier's card: version, weights hash, held-out accuracy, how it was made."""
    if not CARD.exists():
        raise ClassifierError(f"{CARD} is missing. Restore gan_lib/assets from the repository "
                              "or rebuild it with `python scripts/train_classifier.py`.")
    return json.loads(CARD.read_text())


@lru_cache(maxsize=1)
def load():
    """The trained classifier, as a Keras model whose outputs are ``(features, logits)``.

    Checks the weights against the hash on the card first, so a damaged file
    is reported instead of giving silently wrong metrics.
    """
    read_card(CARD, WEIGHTS, "python scripts/train_classifier.py")
    model = build_classifier()
    model.load_weights(WEIGHTS)
    return keras.Model(model.inputs[0], [model.get_layer(FEATURE_LAYER).output, model.outputs[0]])


def predict_batches(model, x, batch_size: int = 1000):
    """``(features, probabilities)`` of a ``(features, logits)`` model over ``x`` in batches, as float64."""
    feats, probs = [], []
    for i in range(0, len(x), batch_size):
        f, logits = model(x[i:i + batch_size], training=False)
        feats.append(ops.convert_to_numpy(f))
        probs.append(ops.convert_to_numpy(ops.softmax(logits)))
    return np.concatenate(feats).astype(np.float64), np.concatenate(probs).astype(np.float64)


def features_and_probs(images, batch_size: int = 1000):
    """Feature vectors (N, 128) and class probabilities (N, 10) for images in [-1, 1]."""
    return predict_batches(load(), check_images(images), batch_size)


def train_classifier(epochs: int = 12, seed: int = 0, verbose: int = 2) -> dict:
    """Train the classifier on the shipped training split and write weights and card.

    Light augmentation (random shifts of up to 2 pixels) helps it generalise to
    the slightly off-centre digits GANs draw.
    """
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    train_set = data.load_digits("train")
    held = data.load_digits("heldout")
    model = build_classifier()
    shift = keras.layers.RandomTranslation(2 / 28, 2 / 28, fill_value=-1.0, seed=seed)
    ds = (tf.data.Dataset.from_tensor_slices((train_set.images, train_set.labels))
          .shuffle(len(train_set.images), seed=seed).batch(128)
          .map(lambda x, y: (shift(x, training=True), y)).prefetch(2))
    model.compile(keras.optimizers.Adam(1e-3),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    model.fit(ds, epochs=epochs, verbose=verbose)
    _, acc = model.evaluate(held.images, held.labels, verbose=0)
    ASSETS.mkdir(parents=True, exist_ok=True)
    model.save_weights(WEIGHTS)
    info = {
        "name": "mnist_classifier",
        "version": VERSION,
        "sha256": _sha256(WEIGHTS),
        "heldout_accuracy": round(float(acc), 4),
        "heldout_digits": len(held.images),
        "trained_on": train_set.description,
        "epochs": epochs,
        "seed": seed,
        "feature_layer": FEATURE_LAYER,
        "made_by": "python scripts/train_classifier.py",
        "keras_version": keras.__version__,
        "tensorflow_version": tf.__version__,
    }
    CARD.write_text(json.dumps(info, indent=2) + "\n")
    load.cache_clear()
    return info
