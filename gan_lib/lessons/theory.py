"""GAN theory on the real line: densities, the optimal discriminator, the value
function and the Jensen-Shannon divergence (lesson 01).

Everything here works on one-dimensional data, where a density is a curve we
can draw and integrate on a grid. That makes the theory of Goodfellow et al.,
"Generative Adversarial Nets" (NeurIPS 2014) checkable with numbers:

* for a fixed generator density ``p_g`` the best discriminator is
  ``D*(x) = p_data(x) / (p_data(x) + p_g(x))`` (:func:`optimal_discriminator`);
* at that discriminator the value of the game is
  ``V(D*, G) = -log 4 + 2 JSD(p_data || p_g)`` (:func:`value_function`,
  :func:`js_divergence`), so the game's minimum ``-log 4`` is reached exactly
  when ``p_g = p_data``;
* the two generator losses give very different gradients when D rejects the
  fakes (:func:`generator_loss_gradients`).

Conventions (docs/conventions.md): discriminators output **logits** and name
their last hidden activation ``"features"``. The 1-D generators end in a
*linear* layer, not ``tanh``: the toy data live around 4, outside [-1, 1].
This module is NumPy only: densities, the exact theory on a grid, and statistics of
samples. The tiny 1-D networks and their GANs are in :mod:`gan_lib.lessons.theory_nets`
(Keras), the lesson's figures in :mod:`gan_lib.lessons.theory_plots`.

All logarithms are natural (nats): ``log 4 ≈ 1.386``, and the JSD lies in
``[0, log 2]``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: The lesson's target distribution: N(4, 1.25).
TARGET_MEAN, TARGET_STD = 4.0, 1.25

#: Pass/fail thresholds the lesson prints. An untrained model fails each
#: (tests/test_theory.py checks that); a trained one passes.
THRESHOLDS = {
    "d_mean_abs_max": 0.08,   # trained D vs D*: mean |sigmoid(D(x)) - D*(x)| on the support
    "mean_error_max": 0.25,   # |mean of G's samples - target mean|
    "std_error_max": 0.25,    # |std of G's samples - target std|
    "jsd_max": 0.03,          # JSD (nats) between G's samples and the target, in bins
    "stalled_jsd_min": 0.3,   # a run whose JSD is still above this has not learned
}

#: A grid wide enough for every density of the lesson (integrals use it).
GRID = np.linspace(-6.0, 14.0, 4001)


# --------------------------------------------------------------------------- densities


def _erf(x):
    return np.vectorize(math.erf, otypes=[float])(x)


@dataclass(frozen=True)
class Density1D:
    """A mixture of Gaussians on the real line (one component = a Gaussian).

    ``pdf``, ``cdf`` and ``sample`` are exact; ``mean`` and ``std`` are the
    mixture's own moments.
    """

    means: tuple
    stds: tuple
    weights: tuple

    def __post_init__(self):
        if not (len(self.means) == len(self.stds) == len(self.weights)) or not self.means:
            raise ValueError("Give as many means, stds and weights as there are components (at least one).")
        if min(self.stds) <= 0:
            raise ValueError(f"stds={self.stds}: every standard deviation must be positive.")
        if min(self.weights) < 0 or abs(sum(self.weights) - 1.0) > 1e-9:
            raise ValueError(f"weights={self.weights}: they must be non-negative and sum to 1.")

    def pdf(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        out = np.zeros_like(x)
        for m, s, w in zip(self.means, self.stds, self.weights):
            out += w * np.exp(-0.5 * ((x - m) / s) ** 2) / (s * math.sqrt(2 * math.pi))
        return out

    def cdf(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        out = np.zeros_like(x)
        for m, s, w in zip(self.means, self.stds, self.weights):
            out += w * 0.5 * (1.0 + _erf((x - m) / (s * math.sqrt(2))))
        return out

    def sample(self, n: int, seed: int = 0) -> np.ndarray:
        """``n`` samples as float32 of shape ``(n, 1)`` (the shape models take)."""
        rng = np.random.default_rng([seed, 1])
        k = rng.choice(len(self.means), size=n, p=np.asarray(self.weights) / sum(self.weights))
        x = np.asarray(self.means)[k] + np.asarray(self.stds)[k] * rng.standard_normal(n)
        return x.astype(np.float32)[:, None]

    @property
    def mean(self) -> float:
        return float(np.dot(self.weights, self.means))

    @property
    def std(self) -> float:
        second = np.dot(self.weights, np.square(self.stds) + np.square(self.means))
        return float(math.sqrt(second - self.mean ** 2))

    def __str__(self):
        parts = [f"N({m:g}, {s:g})" for m, s in zip(self.means, self.stds)]
        if len(parts) == 1:
            return parts[0]
        return " + ".join(f"{w:g}·{p}" for w, p in zip(self.weights, parts))


def gaussian(mean: float, std: float) -> Density1D:
    """The normal distribution N(mean, std) (std, not variance)."""
    return Density1D((float(mean),), (float(std),), (1.0,))


def mixture(means, stds, weights=None) -> Density1D:
    """A Gaussian mixture; equal weights unless given."""
    weights = [1.0 / len(means)] * len(means) if weights is None else list(weights)
    return Density1D(tuple(map(float, means)), tuple(map(float, stds)), tuple(map(float, weights)))


#: The lesson's target ``p_data``.
TARGET = gaussian(TARGET_MEAN, TARGET_STD)

#: The fixed generator density of the optimal-discriminator section: it puts
#: its mass on both sides of the data and too little in the middle.
FIXED_G = mixture([2.0, 6.0], [0.8, 0.8])

#: The two-mode target of the open exercise (and a preview of lesson 04).
EXERCISE_MIXTURE = mixture([0.0, 5.0], [0.6, 0.6])


# --------------------------------------------------------------------------- theory on a grid


def integrate(y, x=GRID) -> float:
    """The integral of samples ``y`` of a function on the grid ``x`` (trapezoid rule)."""
    y, x = np.asarray(y, dtype=np.float64), np.asarray(x, dtype=np.float64)
    return float(np.sum(0.5 * (y[1:] + y[:-1]) * np.diff(x)))


def optimal_discriminator(p_data, p_g) -> np.ndarray:
    """``D*(x) = p_data(x) / (p_data(x) + p_g(x))`` for density values on a grid.

    Where both densities are 0 nothing is ever seen and any answer is optimal;
    this returns 1/2 there.
    """
    p_data, p_g = np.asarray(p_data, dtype=np.float64), np.asarray(p_g, dtype=np.float64)
    total = p_data + p_g
    return np.where(total > 0, p_data / np.where(total > 0, total, 1.0), 0.5)


def _xlogy(x, y):
    """``x * log(y)`` with ``0 * log(anything) = 0``."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    safe = np.where(x > 0, y, 1.0)
    return np.where(x > 0, x * np.log(np.maximum(safe, 1e-300)), 0.0)


def value_function(d, p_data, p_g, x=GRID) -> float:
    """``V(D, G) = ∫ p_data(x) log D(x) dx + ∫ p_g(x) log(1 - D(x)) dx``.

    ``d`` holds D's *probabilities* on the grid ``x``. D maximises V; its
    training loss is ``-V``: the binary cross-entropy on the real batch (label 1)
    *plus* the binary cross-entropy on the fake batch (label 0). (Keras'
    ``BinaryCrossentropy`` on one balanced batch of both averages over all of it
    and gives ``-V / 2``.)
    """
    d = np.asarray(d, dtype=np.float64)
    return integrate(_xlogy(p_data, d) + _xlogy(p_g, 1.0 - d), x)


def optimal_value(p_data: Density1D, p_g: Density1D, x=GRID) -> float:
    """``V(D*, G)``: the value of the game when D plays its best response to ``p_g``."""
    pd, pg = p_data.pdf(x), p_g.pdf(x)
    return value_function(optimal_discriminator(pd, pg), pd, pg, x)


def kl_divergence(p, q, x=GRID) -> float:
    """``KL(p || q) = ∫ p log(p / q) dx`` in nats (``inf`` if q = 0 where p > 0)."""
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    if np.any((p > 0) & (q <= 0)):
        return math.inf
    return integrate(_xlogy(p, p) - _xlogy(p, q), x)


def js_divergence(p, q, x=GRID) -> float:
    """``JSD(p || q) = ½ KL(p || m) + ½ KL(q || m)`` with ``m = (p + q) / 2``; in [0, log 2]."""
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    m = 0.5 * (p + q)
    return 0.5 * kl_divergence(p, m, x) + 0.5 * kl_divergence(q, m, x)


def support_mask(p_data, p_g, rel: float = 0.05) -> np.ndarray:
    """Grid points where the samples are: ``(p_data + p_g) / 2`` at least ``rel`` times its maximum."""
    m = 0.5 * (np.asarray(p_data) + np.asarray(p_g))
    return m >= rel * m.max()


def compare_discriminators(d_trained, d_star, mask, x=None) -> dict:
    """Max and mean ``|d_trained - d_star|`` over the grid points in ``mask``.

    With the grid ``x``, also ``"where"``: the point of the largest gap.
    """
    diff = np.abs(np.asarray(d_trained, dtype=np.float64) - np.asarray(d_star, dtype=np.float64))[mask]
    out = {"max_abs": float(diff.max()), "mean_abs": float(diff.mean())}
    if x is not None:
        out["where"] = float(np.asarray(x)[mask][int(np.argmax(diff))])
    return out


# --------------------------------------------------------------------------- generator-loss gradients


def generator_loss_gradients(d_fake) -> dict:
    """Gradient of each generator loss with respect to D's logit, as a function of ``D(G(z))``.

    With ``D = sigmoid(l)``:

    * minimax (saturating) loss ``log(1 - D)``:  ``d/dl = -D``, which vanishes as D -> 0;
    * non-saturating loss ``-log D``:            ``d/dl = -(1 - D)``, which tends to -1 as D -> 0.

    Both are negative: descending either loss raises the logit D gives the fakes.
    The chain rule multiplies these by ``dl/dθ_G``, the same for both losses.
    """
    d = np.asarray(d_fake, dtype=np.float64)
    return {"minimax": -d, "nonsaturating": -(1.0 - d)}


# --------------------------------------------------------------------------- samples against a target


def histogram_jsd(samples, target: Density1D = TARGET, bin_width: float = 0.25, span: float = 5.0) -> float:
    """JSD (nats) between the histogram of ``samples`` and ``target``'s exact mass in the same bins.

    Bins of ``bin_width`` cover ``target.mean ± span·target.std``; two more bins
    catch everything below and above, so no sample is lost.
    """
    s = np.asarray(samples, dtype=np.float64).ravel()
    lo, hi = target.mean - span * target.std, target.mean + span * target.std
    inner = np.arange(lo, hi + bin_width / 2, bin_width)
    edges = np.concatenate([[-np.inf], inner, [np.inf]])
    counts = np.histogram(s, bins=edges)[0].astype(np.float64)
    p = counts / counts.sum()
    cdf = np.concatenate([[0.0], target.cdf(inner), [1.0]])
    q = np.diff(cdf)
    m = 0.5 * (p + q)
    kl = lambda a: float(np.sum(_xlogy(a, a) - _xlogy(a, m)))  # noqa: E731
    return max(0.0, 0.5 * kl(p) + 0.5 * kl(q))


def sample_stats(samples, target: Density1D = TARGET) -> dict:
    """Mean, std, their errors against ``target``, and the binned JSD of ``samples``."""
    s = np.asarray(samples, dtype=np.float64).ravel()
    if not np.all(np.isfinite(s)):
        return {"mean": math.nan, "std": math.nan, "mean_error": math.inf, "std_error": math.inf, "jsd": math.log(2)}
    mean, std = float(s.mean()), float(s.std())
    return {"mean": mean, "std": std, "mean_error": abs(mean - target.mean), "std_error": abs(std - target.std),
            "jsd": histogram_jsd(s, target)}


def learned(stats: dict) -> bool:
    """True if samples match the target: mean, std and JSD each within :data:`THRESHOLDS`."""
    t = THRESHOLDS
    return bool(stats["mean_error"] <= t["mean_error_max"] and stats["std_error"] <= t["std_error_max"]
                and stats["jsd"] <= t["jsd_max"])


def stalled(stats: dict) -> bool:
    """True if samples are still far from the target (JSD above ``stalled_jsd_min``)."""
    return bool(stats["jsd"] >= THRESHOLDS["stalled_jsd_min"])


def mode_shares(samples, target: Density1D) -> np.ndarray:
    """The share of ``samples`` nearest to each of ``target``'s component means (within 3 stds of it)."""
    s = np.asarray(samples, dtype=np.float64).ravel()
    means, stds = np.asarray(target.means), np.asarray(target.stds)
    nearest = np.argmin(np.abs(s[:, None] - means[None, :]), axis=1)
    close = np.abs(s - means[nearest]) <= 3 * stds[nearest]
    return np.array([np.mean((nearest == k) & close) for k in range(len(means))])


def jsd_floor(target: Density1D = TARGET, n: int = 10_000, seed: int = 123) -> float:
    """The binned JSD of ``n`` samples drawn *from the target itself*: the best any generator can score."""
    return histogram_jsd(target.sample(n, seed=seed), target)


def format_stats(stats: dict) -> str:
    """One line for :func:`sample_stats`' numbers. Its JSD is the *binned* one of
    :func:`histogram_jsd` (0.25-wide bins), not the grid integral of :func:`js_divergence`."""
    return (f"mean {stats['mean']:.3f} (error {stats['mean_error']:.3f}), std {stats['std']:.3f} "
            f"(error {stats['std_error']:.3f}), JSD {stats['jsd']:.4f} nats")
