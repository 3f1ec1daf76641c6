"""The Frechet Inception Distance (FID), for colour images, where the Inception weights can be had.

Heusel et al., "GANs Trained by a Two Time-Scale Update Rule Converge to a
Local Nash Equilibrium", NeurIPS 2017. Embed real and generated images with
InceptionV3 (ImageNet weights, the 2,048 values of its last pooling layer),
fit a Gaussian to each set, and take the Frechet distance between the two::

    FID = ||mu_r - mu_g||^2 + Tr(C_r + C_g - 2 (C_r C_g)^{1/2})

The formula lives once in :func:`gan_lib.measure.metrics.frechet_distance_gaussians`
(tests check it against closed-form cases); this module only supplies the
Inception features.

**Bias at small n.** Means and covariances estimated from ``n`` samples are
noisy, and the noise adds to the distance: two samples of the *same*
distribution score above 0, by roughly ``d / n``-sized terms summed over the
``d`` feature dimensions (for Inception, ``d = 2048``). Published CIFAR-10 FIDs
use n = 50,000 (or 10,000 against the test set); a FID from 2,000 samples is
markedly higher and compares only with FIDs at the same n (Binkowski et al.,
"Demystifying MMD GANs", ICLR 2018, show the bias and propose KID instead).

Weights: ``keras.applications.InceptionV3(weights="imagenet")`` downloads
about 90 MB once (Colab: instant). Without them (no internet, as on the
course's CI machines) :func:`inception` raises :class:`FIDUnavailable` with
what to do, within a few seconds, instead of hanging or crashing.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from gan_lib.core.config import online
from gan_lib.data.colour import keras_home
from gan_lib.measure.metrics import frechet_distance

WEIGHTS_FILE = "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"
WEIGHTS_HOST = "storage.googleapis.com"
INPUT_SIZE = 299


class FIDUnavailable(RuntimeError):
    """The InceptionV3 weights cannot be loaded here."""


def weights_cached(home=None) -> bool:
    """True if Keras' cache already holds the InceptionV3 weights."""
    home = keras_home() if home is None else home
    return (home / "models" / WEIGHTS_FILE).exists()


def inception(home=None):
    """InceptionV3 without its classifier, pooled to 2,048 features; :class:`FIDUnavailable` if impossible."""
    if not weights_cached(home) and not online(WEIGHTS_HOST):
        raise FIDUnavailable(
            f"FID needs InceptionV3's ImageNet weights ({WEIGHTS_FILE}, about 90 MB), which are not in "
            f"~/.keras/models/ and cannot be downloaded here (no internet). Run this cell in Colab, or copy "
            f"the file into ~/.keras/models/. The classifier two-sample test below needs no weights.")

    try:
        return keras.applications.InceptionV3(include_top=False, weights="imagenet", pooling="avg",
                                              input_shape=(INPUT_SIZE, INPUT_SIZE, 3))
    except Exception as e:  # a failed or damaged download
        raise FIDUnavailable(f"InceptionV3's weights could not be loaded ({type(e).__name__}: {e}). "
                             f"Delete ~/.keras/models/{WEIGHTS_FILE} if it is damaged and try again.") from e


def inception_features(images, model, batch_size: int = 100) -> np.ndarray:
    """(N, 2048) features of images in [-1, 1] (N, H, W, 3), resized to 299x299 as Inception expects."""
    x = np.asarray(images, dtype=np.float32)
    if x.ndim != 4 or x.shape[-1] != 3:
        raise ValueError(f"images has shape {x.shape}; FID needs colour images (N, H, W, 3) in [-1, 1].")
    out = []
    for i in range(0, len(x), batch_size):
        big = ops.image.resize(x[i:i + batch_size], (INPUT_SIZE, INPUT_SIZE), interpolation="bilinear")
        out.append(ops.convert_to_numpy(model(big, training=False)))  # InceptionV3 takes [-1, 1] inputs
    return np.concatenate(out)


def fid(images_a, images_b, features=None) -> float:
    """FID between two sets of images; ``features`` maps images to (N, d) (default: InceptionV3)."""
    if features is None:
        model = inception()

        def features(x):
            return inception_features(x, model)

    return frechet_distance(features(images_a), features(images_b))


def small_n_bias(d: int = 64, sizes=(100, 500, 2000, 10000), seed: int = 0) -> dict:
    """Frechet distance between two samples of size n of the *same* Gaussian N(0, I_d), per n.

    The true distance is 0; what is printed is pure estimation bias. It
    shrinks roughly like 1/n, which is why FIDs compare only at equal n.
    """
    rng = np.random.default_rng(seed)
    return {int(n): frechet_distance(rng.standard_normal((n, d)), rng.standard_normal((n, d))) for n in sizes}
