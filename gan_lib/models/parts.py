"""Small pieces the model families share: optional spectral normalisation and argument checks."""

from __future__ import annotations

from keras import layers

from gan_lib.core.config import positive_int


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
    """Raise a clear ``ValueError`` unless every value is a whole number of at least 1 (NumPy integers count).

    Each value goes through :func:`gan_lib.core.config.positive_int`, the course's one count check.
    """
    for name, v in values.items():
        positive_int(name, v)
