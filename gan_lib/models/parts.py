"""Small pieces the model families share: optional spectral normalisation and argument checks."""

from __future__ import annotations

import numbers

from keras import layers


def spectral_norm_if(layer, on: bool):
    """``layer`` wrapped in Keras' ``SpectralNormalization`` when ``on`` is true, else ``layer`` itself.

    Spectral normalisation (Miyato et al., "Spectral Normalization for
    Generative Adversarial Networks", ICLR 2018) divides a layer's kernel by
    an estimate of its largest singular value (one power-iteration step per
    training call), so every wrapped layer of D is at most 1-Lipschitz. It
    adds one non-trainable vector per layer (the power iteration's ``u``), e.g.
    769 numbers for :func:`gan_lib.models.digits.mlp_wide`'s discriminator.
    """
    return layers.SpectralNormalization(layer, power_iterations=1) if on else layer


def check_positive_ints(**values) -> None:
    """Raise a clear ``ValueError`` unless every value is a positive whole number (NumPy integers count)."""
    for name, v in values.items():
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v <= 0:
            raise ValueError(f"{name}={v!r}: it must be a positive whole number.")
