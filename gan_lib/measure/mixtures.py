"""2-D Gaussian mixtures: the mode-collapse benchmarks and their metrics.

The two standard toy problems of the mode-collapse literature (Srivastava et
al., "VEEGAN", NeurIPS 2017; Lin et al., "PacGAN", NeurIPS 2018):

``ring``  8 Gaussians with means ``(cos 2 pi k/8, sin 2 pi k/8)``, std 0.01.
``grid``  25 Gaussians with means ``{-4, -2, 0, 2, 4}^2``, std 0.05.

Every mode has the same weight. Scores use 2,500 generated samples
(:data:`N_SCORE`) and three numbers (:func:`score`):

* **modes covered** - a mode counts when at least one *high-quality* sample
  has it as its nearest mode;
* **high-quality share** - the fraction of samples within ``3 std`` of their
  nearest mode;
* **reverse KL** - ``KL(q || uniform) = sum_k q_k log(K q_k)`` where ``q`` is
  the histogram of the high-quality samples over the ``K`` modes
  (``0 log 0 = 0``). 0 means every mode equally often; ``log K`` means one
  mode. With no high-quality sample ``q`` does not exist: the score says so
  (``reverse_kl`` is ``None``) instead of inventing a number.

Everything is NumPy, so results can be checked outside a notebook::

    from gan_lib import mixtures
    x = mixtures.draw(gan, 2500, seed=0)          # (2500, 2) float32
    print(mixtures.summary(mixtures.score(x, "ring")))
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Samples scored per model (PacGAN's protocol).
N_SCORE = 2500
#: A sample is high-quality when it lies within this many stds of its nearest mode.
HQ_STDS = 3.0


@dataclass(frozen=True)
class Mixture:
    """An equal-weight mixture of isotropic 2-D Gaussians.

    Attributes:
        name: ``"ring"`` or ``"grid"`` (used in file names).
        means: ``(K, 2)`` float64 array, one row per mode.
        std: the standard deviation of every mode (both coordinates).
    """

    name: str
    means: np.ndarray
    std: float

    @property
    def n_modes(self) -> int:
        return len(self.means)

    @property
    def radius(self) -> float:
        """Distance from a mode within which a sample is high-quality (``3 std``)."""
        return HQ_STDS * self.std

    def sample(self, n: int, seed: int = 0) -> np.ndarray:
        """``n`` real samples (float32 ``(n, 2)``): a uniformly drawn mode plus Gaussian noise, seeded."""
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n <= 0:
            raise ValueError(f"n={n!r}: ask for a positive whole number of samples.")
        rng = np.random.default_rng([seed, 404])
        k = rng.integers(0, self.n_modes, size=n)
        return (self.means[k] + self.std * rng.standard_normal((n, 2))).astype(np.float32)

    def __repr__(self):
        return f"Mixture({self.name!r}, {self.n_modes} modes, std {self.std:g})"


def ring_mixture(n_modes: int = 8, radius: float = 1.0, std: float = 0.01) -> Mixture:
    """Modes evenly spaced on a circle: means ``radius * (cos 2 pi k/K, sin 2 pi k/K)``."""
    angles = 2 * np.pi * np.arange(n_modes) / n_modes
    return Mixture("ring", radius * np.stack([np.cos(angles), np.sin(angles)], axis=1), float(std))


def grid_mixture(side: int = 5, spacing: float = 2.0, std: float = 0.05) -> Mixture:
    """A ``side x side`` grid centred on 0: means ``{-4, -2, 0, 2, 4}^2`` for the defaults."""
    axis = spacing * (np.arange(side) - (side - 1) / 2)
    xx, yy = np.meshgrid(axis, axis, indexing="ij")
    return Mixture("grid", np.stack([xx.ravel(), yy.ravel()], axis=1), float(std))


#: The two benchmarks by name.
BENCHMARKS = {"ring": ring_mixture(), "grid": grid_mixture()}


def get(mixture) -> Mixture:
    """A :class:`Mixture` from an instance or a name in :data:`BENCHMARKS`."""
    if isinstance(mixture, Mixture):
        return mixture
    if isinstance(mixture, str) and mixture in BENCHMARKS:
        return BENCHMARKS[mixture]
    raise ValueError(f"Unknown mixture {mixture!r}. Valid names: {', '.join(BENCHMARKS)}; or pass a Mixture.")


# --------------------------------------------------------------------------- metrics


def _check_samples(samples) -> np.ndarray:
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"Samples have shape {x.shape}; expected (N, 2): one row of two coordinates per sample. "
                         "Reshape with samples.reshape(-1, 2) if they are 2-D points stored differently.")
    if len(x) == 0:
        raise ValueError("The sample set is empty: score at least one sample (the protocol uses 2,500).")
    if not np.all(np.isfinite(x)):
        raise ValueError("Samples contain NaN or infinity: the generator diverged; there is nothing to score.")
    return x


def nearest_mode(samples, mixture) -> tuple[np.ndarray, np.ndarray]:
    """For each sample, the index of its nearest mode and the distance to it."""
    m = get(mixture)
    x = _check_samples(samples)
    d = np.linalg.norm(x[:, None, :] - m.means[None, :, :], axis=2)
    k = d.argmin(axis=1)
    return k, d[np.arange(len(x)), k]


def mode_counts(samples, mixture) -> np.ndarray:
    """How many *high-quality* samples sit at each mode (length ``K`` integer array)."""
    m = get(mixture)
    k, dist = nearest_mode(samples, m)
    return np.bincount(k[dist <= m.radius], minlength=m.n_modes)


def reverse_kl(counts) -> float | None:
    """``KL(q || uniform) = sum_k q_k log(K q_k)`` for ``q = counts / sum(counts)``; ``0 log 0 = 0``.

    Returns ``None`` when the counts sum to 0 (no high-quality sample: there is
    no histogram to compare).
    """
    c = np.asarray(counts, dtype=np.float64)
    if c.ndim != 1 or len(c) == 0:
        raise ValueError(f"counts has shape {c.shape}; expected one count per mode, a 1-D array.")
    if np.any(c < 0):
        raise ValueError("counts must not be negative.")
    total = c.sum()
    if total == 0:
        return None
    q = c / total
    nz = q > 0
    return float(np.sum(q[nz] * np.log(len(q) * q[nz])))


def score(samples, mixture) -> dict:
    """The benchmark's three numbers (and the histogram) for a set of 2-D samples.

    Returns a dict with ``modes`` (modes covered, int), ``n_modes``,
    ``high_quality`` (share in [0, 1]), ``reverse_kl`` (float, or ``None`` when
    no sample is high-quality), ``counts`` (high-quality samples per mode, a
    list) and ``n`` (samples scored).
    """
    m = get(mixture)
    counts = mode_counts(samples, m)
    n = len(np.asarray(samples))
    return {
        "mixture": m.name,
        "n": int(n),
        "modes": int(np.count_nonzero(counts)),
        "n_modes": m.n_modes,
        "high_quality": float(counts.sum() / n),
        "reverse_kl": reverse_kl(counts),
        "counts": [int(c) for c in counts],
    }


#: Lesson 04's bar ("on target"), set beyond PacGAN4's published numbers: every mode, >= 95% high quality,
#: reverse KL <= 0.05.
TARGET = {"high_quality_min": 0.95, "reverse_kl_max": 0.05}


def meets_target(result: dict) -> bool:
    """True when every mode is covered, high quality >= 95% and reverse KL <= 0.05."""
    kl = result["reverse_kl"]
    return bool(result["modes"] == result["n_modes"] and result["high_quality"] >= TARGET["high_quality_min"]
                and kl is not None and kl <= TARGET["reverse_kl_max"])


def format_kl(kl) -> str:
    return "n/a (no high-quality sample)" if kl is None else f"{kl:.3f}"


def summary(result: dict) -> str:
    """One line: modes covered, high-quality share, reverse KL."""
    return (f"{result['mixture']}: modes {result['modes']}/{result['n_modes']}, "
            f"high quality {100 * result['high_quality']:.1f}%, reverse KL {format_kl(result['reverse_kl'])}")


# --------------------------------------------------------------------------- sampling a generator


def draw(model, n: int = N_SCORE, seed: int = 0, batch_size: int = 2500) -> np.ndarray:
    """``n`` samples (float32 ``(n, 2)``) from a trained 2-D generator, in inference mode.

    ``model`` is a :class:`gan_lib.core.gan.GAN` (its :attr:`~gan_lib.core.gan.GAN.sampler`
    is used, so the weight average when there is one) or any Keras model that
    maps ``(N, latent_dim)`` standard-normal latents to ``(N, 2)``. The latents
    are a pure function of ``seed``.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n <= 0:
        raise ValueError(f"n={n!r}: ask for a positive whole number of samples.")
    generator = getattr(model, "sampler", model)
    try:
        latent_dim = int(generator.input_shape[-1])
    except (AttributeError, TypeError) as e:
        raise TypeError(f"draw() needs a GAN or a built Keras generator, got {type(model).__name__}.") from e
    from keras import ops  # TensorFlow only to draw samples: scoring mixtures is NumPy

    z = np.random.default_rng([seed, 11]).standard_normal((n, latent_dim)).astype(np.float32)
    out = np.concatenate([ops.convert_to_numpy(generator(z[i:i + batch_size], training=False))
                          for i in range(0, n, batch_size)])
    if out.shape != (n, 2):
        raise ValueError(f"The generator returned shape {out.shape}; a 2-D generator must return (N, 2).")
    return out.astype(np.float32)

