"""The course's emoji category classifier: what lesson 05's colour samples are *of*.

The shipped emoji (:func:`gan_lib.data.colour.load_emoji_raw`) come in nine
categories (Activities, Animals & Nature, Flags, Food & Drink, Objects, People &
Body, Smileys & Emotion, Symbols, Travel & Places). This small CNN is trained on
the training split only, skin-tone variants included, and scored on the 381
held-out base emoji it never saw. Its weights ship with ``gan_lib``
(``assets/emoji_classifier.weights.h5``) with a card (``assets/emoji_classifier.json``:
SHA-256, held-out accuracy overall and per category, how it was made)::

    python scripts/train_classifier.py --emoji

It plays for the emoji the part the MNIST classifier plays for digits
(:mod:`gan_lib.measure.classifier`): its softmax gives a sample's category and
its confidence, its ``"features"`` layer (64 ReLU units) the space of a Fréchet
distance (:func:`score`). It is an icon classifier, not an Inception network: it
knows nine categories of 32x32 icons on white and nothing else, so its distance
is comparable only between runs on the emoji, never with published FIDs.
"""

from __future__ import annotations

import json
from functools import lru_cache

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from gan_lib.data import check_images
from gan_lib.measure import metrics
from gan_lib.measure.classifier import ASSETS, ClassifierError, _sha256, predict_batches, read_card

WEIGHTS = ASSETS / "emoji_classifier.weights.h5"
CARD = ASSETS / "emoji_classifier.json"
REMAKE = "python scripts/train_classifier.py --emoji"
VERSION = 1
FEATURE_LAYER = "features"
N_CATEGORIES = 9

__all__ = ["ClassifierError", "build_classifier", "card", "load", "features_and_probs", "score",
           "reference", "train_classifier"]


def build_classifier():
    """The classifier's architecture (weights not loaded): 32x32x3 in [-1, 1] -> 9 category logits."""
    return keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            layers.Conv2D(32, 3, padding="same", activation="relu"),
            layers.Conv2D(32, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(),
            layers.Conv2D(64, 3, padding="same", activation="relu"),
            layers.Conv2D(64, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(),
            layers.Conv2D(128, 3, padding="same", activation="relu"),
            layers.GlobalAveragePooling2D(),
            layers.Dropout(0.3),
            layers.Dense(64, activation="relu", name=FEATURE_LAYER),
            layers.Dropout(0.3),
            layers.Dense(N_CATEGORIES, name="logits"),
        ],
        name="emoji_classifier",
    )


def card() -> dict:
    """The card: weights hash, held-out accuracy (overall and per category), how it was made."""
    return read_card(CARD, WEIGHTS, REMAKE)


@lru_cache(maxsize=1)
def load():
    """The trained classifier as a Keras model with outputs ``(features, logits)``; refuses damaged weights."""
    card()
    model = build_classifier()
    model.load_weights(WEIGHTS)
    return keras.Model(model.inputs[0], [model.get_layer(FEATURE_LAYER).output, model.outputs[0]])


def features_and_probs(images, batch_size: int = 500):
    """Feature vectors (N, 64) and category probabilities (N, 9) of 32x32x3 images in [-1, 1]."""
    return predict_batches(load(), check_images(images, (32, 32, 3)), batch_size)


def _to_model_range(uint8_images):
    return uint8_images.astype("float32") / 127.5 - 1.0


@lru_cache(maxsize=1)
def reference():
    """Features of the training emoji (base emoji, 1,525): the real side of :func:`score`'s distance."""
    from gan_lib.data import colour

    feats, probs = features_and_probs(_to_model_range(colour.load_emoji_raw("train").images))
    return feats, probs


def score(images) -> dict:
    """What the classifier reads in ``images`` (32x32x3 in [-1, 1]), against the training emoji.

    Returns ``fd`` (Fréchet distance between the two sets' features, Heusel et al. 2017's
    formula on this classifier's features instead of Inception's), ``shares`` (the
    share of images whose top category is each category), ``kl_to_real`` (KL divergence
    from the training emoji's shares to these, so 0 means the same mix of categories),
    ``confidence`` (mean top probability) and ``n``.
    """
    feats, probs = features_and_probs(images)
    ref_feats, ref_probs = reference()
    shares = metrics.class_shares(probs)
    real = metrics.class_shares(ref_probs)
    kl = float(np.sum(real * (np.log(real + 1e-12) - np.log(shares + 1e-12))))
    return {"fd": metrics.frechet_distance(ref_feats, feats), "shares": shares.tolist(), "kl_to_real": kl,
            "confidence": float(probs.max(axis=1).mean()), "n": int(len(feats))}


def train_classifier(epochs: int = 40, seed: int = 0, verbose: int = 2) -> dict:
    """Train on the training emoji (skin tones included) and write the weights and the card.

    Augmentation: shifts of up to 3 pixels (filled with white, the emoji's
    background) and horizontal flips, which keep an emoji's category. Classes are
    weighted by the inverse of their frequency, since People & Body is 61% of the
    training set once skin tones are in. Held-out accuracy is measured on the
    381 held-out base emoji, overall and per category.
    """
    from gan_lib.data import colour

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    train = colour.load_emoji_raw("train", skin_tones=True)
    held = colour.load_emoji_raw("heldout")
    x, y = _to_model_range(train.images), train.category
    counts = np.bincount(y, minlength=N_CATEGORIES)
    weights = {c: float(len(y) / (N_CATEGORIES * counts[c])) for c in range(N_CATEGORIES)}
    model = build_classifier()
    shift = keras.layers.RandomTranslation(3 / 32, 3 / 32, fill_mode="constant", fill_value=1.0, seed=seed)
    flip = keras.layers.RandomFlip("horizontal", seed=seed)
    ds = (tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=seed).batch(64)
          .map(lambda a, b: (flip(shift(a, training=True), training=True), b)).prefetch(2))
    model.compile(keras.optimizers.Adam(1e-3),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    model.fit(ds, epochs=epochs, verbose=verbose, class_weight=weights)
    pred = np.argmax(model.predict(_to_model_range(held.images), verbose=0), axis=1)
    per = {name: round(float(np.mean(pred[held.category == c] == c)), 3)
           for c, name in enumerate(held.categories)}
    ASSETS.mkdir(parents=True, exist_ok=True)
    model.save_weights(WEIGHTS)
    info = {
        "name": "emoji_classifier",
        "version": VERSION,
        "sha256": _sha256(WEIGHTS),
        "heldout_accuracy": round(float(np.mean(pred == held.category)), 4),
        "heldout_accuracy_per_category": per,
        "heldout_images": int(len(held.images)),
        "chance": round(float(np.max(np.bincount(held.category)) / len(held.category)), 4),
        "categories": list(held.categories),
        "trained_on": f"shipped emoji, train split with skin tones ({len(x):,} images)",
        "epochs": epochs,
        "seed": seed,
        "feature_layer": FEATURE_LAYER,
        "made_by": REMAKE,
        "keras_version": keras.__version__,
        "tensorflow_version": tf.__version__,
    }
    CARD.write_text(json.dumps(info, indent=2) + "\n")
    load.cache_clear()
    reference.cache_clear()
    return info
