"""A small fully connected pair for 2-D points (lesson 04's Gaussian mixtures).

:func:`toy_mlp` returns ``(generator, discriminator)``: G maps ``(N, latent_dim)``
latents (8 by default) to ``(N, 2)`` points; D maps ``(N, d_input_dim)`` (2, or
``2 m`` for PacGAN packs of ``m``) to ``(N, 1)`` logits. With the defaults
(``width=128, depth=3``) G has 34,434 and D 33,537 parameters. Not in
:data:`gan_lib.models.MODELS`, whose models make images.
"""

from __future__ import annotations

import keras
from keras import layers

from gan_lib.models.parts import check_positive_ints


def toy_mlp(latent_dim: int = 8, width: int = 128, depth: int = 3, d_input_dim: int = 2,
            minibatch_std: bool = False, scale: float = 1.0):
    """A small fully connected pair for 2-D data (the Gaussian mixtures of :mod:`gan_lib.measure.mixtures`).

    G: ``latent_dim -> width x depth (ReLU) -> 2`` (linear output, in the data's own units).
    D: ``d_input_dim -> width x depth (LeakyReLU 0.2) -> 1`` logit; the last hidden
    layer is named ``"features"``. ``d_input_dim`` is 2, or ``2 m`` for PacGAN packs of
    ``m`` (see :class:`gan_lib.core.packing.Pack`). ``minibatch_std=True`` inserts a
    :class:`gan_lib.core.layers.MinibatchStd` (whole batch) before D's output layer
    (a whole number instead sets its group size).

    ``scale`` is the data's typical size (e.g. 2 for the 5x5 grid, whose modes lie 2 apart):
    G's output is multiplied by it and D's input divided by it, so both networks work
    with numbers near 1 while samples stay in the data's own units.

    PacGAN's and VEEGAN's 2-D experiments use a bigger pair (G 4 x 400, D 3 x 200 units);
    this one is sized to train in seconds on a CPU.
    """
    if not scale > 0:
        raise ValueError(f"scale={scale!r}: use a positive number (the data's typical size, e.g. 1 or 2).")
    check_positive_ints(latent_dim=latent_dim, width=width, depth=depth, d_input_dim=d_input_dim)
    from gan_lib.core.layers import MinibatchStd

    g = keras.Sequential([keras.Input((latent_dim,))]
                         + [layers.Dense(width, activation="relu") for _ in range(depth)]
                         + [layers.Dense(2), layers.Rescaling(float(scale))], name="generator")
    d_layers = [keras.Input((d_input_dim,)), layers.Rescaling(1.0 / float(scale))]
    for i in range(depth):
        d_layers += [layers.Dense(width),
                     layers.LeakyReLU(negative_slope=0.2, name="features" if i == depth - 1 else None)]
    if minibatch_std is not False and minibatch_std is not None:
        d_layers.append(MinibatchStd(None if minibatch_std is True else minibatch_std))
    d = keras.Sequential(d_layers + [layers.Dense(1)], name="discriminator")
    return g, d
