"""The checks :class:`gan_lib.core.gan.GAN` runs on what it is given, each with a message that says what to do.

A GAN fails late and obscurely on bad input: a latent batch of the wrong width
breaks inside a Dense layer, 0..255 pixels train without an error but never
converge, a conditional GAN without labels fails deep inside ``train_step``.
So the GAN checks its settings, data, latents and labels on the way in, with
the functions here, and raises a ``ValueError`` that names the argument and the
fix. They are plain functions of arrays and numbers (no Keras state), which
keeps ``gan.py`` about training and lets each check be tested on its own.
"""

from __future__ import annotations

import numpy as np


def check_count(name, value, least=1) -> int:
    """A whole number of at least ``least``, or a ``ValueError`` that names it."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
        raise ValueError(f"{name}={value!r}: give a whole number of at least {least}.")
    return int(value)


def check_settings(d_steps, ema_decay) -> None:
    """``GAN(d_steps=..., ema_decay=...)``: at least one D update per step, a decay in (0, 1) or ``None``."""
    if not isinstance(d_steps, int) or d_steps < 1:
        raise ValueError(f"d_steps={d_steps!r}: use a whole number of at least 1.")
    if ema_decay is not None and not 0.0 < ema_decay < 1.0:
        raise ValueError(f"ema_decay={ema_decay!r}: use a value in (0, 1) such as 0.999, or None.")


def check_conditional(n_classes, generator, discriminator, d_penalties, g_penalties, d_input_transform):
    """Validate ``GAN(n_classes=...)`` against its networks; return ``n_classes`` (or ``None``)."""
    if n_classes is None:
        return None
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) or n_classes < 2:
        raise ValueError(f"n_classes={n_classes!r}: use a whole number of at least 2 (10 for the digits), "
                         "or None for an unconditional GAN.")
    for name, net in (("generator", generator), ("discriminator", discriminator)):
        shapes = net.input_shape
        if not (isinstance(shapes, list) and len(shapes) == 2 and shapes[1][-1] == n_classes):
            raise ValueError(f"With n_classes={n_classes} the {name} must take two inputs, "
                             f"[{'z' if name == 'generator' else 'images'}, y] with y of shape (N, {n_classes}); "
                             f"this one takes {shapes}. Build the pair with models.build_conditional(...).")
    if d_penalties or g_penalties or d_input_transform is not None:
        raise ValueError("d_penalties, g_penalties and d_input_transform do not see the labels, so a "
                         "conditional GAN (n_classes set) does not take them yet.")
    return int(n_classes)


def check_labels(labels, n, n_classes) -> np.ndarray:
    """Integer class labels ``(n,)`` in ``0 .. n_classes - 1``, as int32, or a clear error."""
    y = np.asarray(labels)
    if y.shape != (n,):
        raise ValueError(f"labels have shape {y.shape}; give one integer class per image: shape ({n},).")
    if y.size and (not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() >= n_classes):
        raise ValueError(f"labels must be whole numbers from 0 to {n_classes - 1} "
                         f"(got dtype {y.dtype}, range {y.min()}..{y.max()}).")
    return y.astype("int32")


def check_fit_labels(labels, n_classes) -> None:
    """Training takes labels exactly when the GAN is conditional (``n_classes`` set)."""
    if (labels is None) != (n_classes is None):
        raise ValueError("Pass labels= (one integer class per image) to train a conditional GAN, and "
                         "only then." if labels is None else
                         "labels= was given, but this GAN is unconditional; build it with n_classes=... "
                         "and conditional models (models.build_conditional) to use labels.")


def check_no_labels(labels, n_classes) -> None:
    """An unconditional GAN (``n_classes`` is ``None``) refuses ``labels=``."""
    if labels is not None and n_classes is None:
        raise ValueError("labels= was given, but this GAN is unconditional (built without n_classes).")


def check_judge_labels(labels, n_classes) -> None:
    """``discriminate``: a conditional D judges an image with its class, so labels come exactly then."""
    check_no_labels(labels, n_classes)
    if labels is None and n_classes is not None:
        raise ValueError("This GAN is class-conditional: its D judges each image together with its class. "
                         "Pass labels= (one integer class per image, or rows of class weights).")


def check_latents(z, latent_dim) -> np.ndarray:
    """A latent batch as float32 ``(N, latent_dim)`` with ``N >= 1`` and finite values, or a clear error."""
    z = np.asarray(z, dtype="float32")
    if z.ndim != 2 or z.shape[1] != latent_dim:
        raise ValueError(f"Latent batch has shape {z.shape}; this generator expects "
                         f"(N, {latent_dim}): {latent_dim} numbers per sample.")
    if len(z) == 0:
        raise ValueError(f"The latent batch is empty (shape {z.shape}): pass at least one latent vector.")
    if not np.all(np.isfinite(z)):
        raise ValueError("The latent batch contains NaN or inf values: draw finite latents, e.g. "
                         "np.random.default_rng(0).standard_normal((n, gan.latent_dim)).")
    return z


def check_judged_images(images, expected) -> np.ndarray:
    """Images for D as float32, of shape ``(N, *expected)`` (D's input shape), or a clear error."""
    images = np.asarray(images, dtype="float32")
    if images.shape[1:] != tuple(expected):
        raise ValueError(f"images have shape {images.shape}; this discriminator judges images of shape "
                         f"(N, {', '.join(map(str, expected))}).")
    return images


def check_training_data(examples, shape) -> np.ndarray:
    """``examples`` as float32 after checking they fit a generator making ``shape``, or a clear ``ValueError``.

    Images (``shape`` is ``(H, W, C)``) go through :func:`gan_lib.data.check_images`:
    shape, float in [-1, 1] (not 0..255 pixels), finite. Other data (2-D points in the
    mode-collapse lessons) are checked for shape and finiteness only.
    """
    from gan_lib.data import check_images

    shape = tuple(shape)
    if len(shape) == 3:
        try:
            return check_images(examples, shape, name="images")
        except ValueError as e:
            made = "x".join(map(str, shape))
            raise ValueError(f"{e} This GAN's generator makes {made} images, so it trains on images of "
                             "that shape.") from e
    x = np.asarray(examples)
    if x.ndim != len(shape) + 1 or tuple(x.shape[1:]) != shape or len(x) == 0:
        raise ValueError(f"Training data has shape {x.shape}; this GAN's generator makes examples of shape "
                         f"{shape}, so pass an array of shape (N, {', '.join(map(str, shape))}) with N >= 1.")
    if not np.issubdtype(x.dtype, np.number) or not np.all(np.isfinite(x)):
        raise ValueError("Training data must be finite numbers (no NaN or inf).")
    return x.astype("float32", copy=False)


def class_rows(labels, n, n_classes) -> np.ndarray:
    """A conditional GAN's ``(n, n_classes)`` class rows from integer labels or from rows.

    Integer labels become one-hot rows; rows are checked (non-negative,
    summing to 1) and passed on, so a mix such as ``0.3 * one_hot(1) +
    0.7 * one_hot(7)`` interpolates between two classes. No labels: the
    classes 0, 1, ..., n_classes - 1, 0, 1, ... in turn.
    """
    if n_classes is None:
        raise ValueError("This GAN is unconditional (built without n_classes): it has no classes.")
    k = n_classes
    if labels is None:
        labels = np.arange(n) % k
    y = np.asarray(labels)
    if y.ndim == 1:
        return np.eye(k, dtype="float32")[check_labels(y, n, k)]
    if y.shape != (n, k):
        raise ValueError(f"labels have shape {y.shape}; use {n} integer classes (shape ({n},)) or "
                         f"{n} rows of {k} class weights (shape ({n}, {k})).")
    y = y.astype("float32")
    if (y < 0).any() or not np.allclose(y.sum(1), 1.0, atol=1e-4):
        raise ValueError("Each row of class weights must be non-negative and sum to 1 (one-hot, or "
                         "a mix such as 0.3 * one-hot(a) + 0.7 * one-hot(b)).")
    return y
