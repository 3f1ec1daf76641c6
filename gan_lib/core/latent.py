"""Walking through a generator's latent space.

A generator maps every point ``z`` of its latent space to an image, so a path
from ``z0`` to ``z1`` becomes a sequence of images. Two ways to draw the path:

* :func:`lerp`, the straight line ``(1 - t) z0 + t z1``. Simple, but for the
  standard-normal latents GANs are trained on it cuts through the middle of the
  distribution: two independent draws in ``d`` dimensions both have length
  about ``sqrt(d)``, while their midpoint has length about ``sqrt(d / 2)``, a
  region the generator almost never saw in training.
* :func:`slerp`, spherical linear interpolation (Shoemake 1985; for GANs, White
  2016): it turns ``z0`` into ``z1`` along the great circle between them, so
  for two latents of equal length every point on the path keeps that length.

:func:`find_digit_latents` draws many latents and keeps those whose samples the
course's classifier reads, most confidently, as a chosen digit: the endpoints
for an interpolation "from a 1 to a 7".
"""

from __future__ import annotations

import numpy as np


def _as_pair(z0, z1):
    a = np.asarray(z0, dtype=np.float64)
    b = np.asarray(z1, dtype=np.float64)
    if a.ndim != 1 or a.shape != b.shape:
        raise ValueError("z0 and z1 must be two latent vectors of the same length; "
                         f"got shapes {a.shape} and {b.shape}.")
    return a, b


def _as_t(t):
    t = np.asarray(t, dtype=np.float64)
    return t.reshape(-1), t.ndim == 0


def lerp(z0, z1, t):
    """Straight-line interpolation ``(1 - t) z0 + t z1``.

    ``t`` is a number (returns one vector) or a sequence (returns one row per
    value). ``t = 0`` gives ``z0``, ``t = 1`` gives ``z1``.
    """
    a, b = _as_pair(z0, z1)
    ts, scalar = _as_t(t)
    out = (1.0 - ts[:, None]) * a + ts[:, None] * b
    return (out[0] if scalar else out).astype(np.float32)


def slerp(z0, z1, t, eps: float = 1e-7):
    """Spherical interpolation along the great circle from ``z0`` to ``z1``.

    ``sin((1 - t) theta) / sin(theta) * z0 + sin(t theta) / sin(theta) * z1``,
    where ``theta`` is the angle between ``z0`` and ``z1``. For (nearly)
    parallel vectors, where ``sin(theta)`` vanishes, it falls back to
    :func:`lerp`. ``t`` as in :func:`lerp`.
    """
    a, b = _as_pair(z0, z1)
    ts, scalar = _as_t(t)
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na < eps or nb < eps:
        return lerp(z0, z1, t)
    cos = np.clip(np.dot(a, b) / (na * nb), -1.0, 1.0)
    theta = np.arccos(cos)
    if np.sin(theta) < 1e-6:
        return lerp(z0, z1, t)
    w0 = np.sin((1.0 - ts) * theta) / np.sin(theta)
    w1 = np.sin(ts * theta) / np.sin(theta)
    out = w0[:, None] * a + w1[:, None] * b
    return (out[0] if scalar else out).astype(np.float32)


def path(z0, z1, steps: int = 10, method: str = "slerp"):
    """``steps`` latents from ``z0`` to ``z1`` (both included), shape ``(steps, d)``."""
    if method not in ("slerp", "lerp"):
        raise ValueError(f"method={method!r}: use 'slerp' or 'lerp'.")
    if not isinstance(steps, (int, np.integer)) or steps < 2:
        raise ValueError(f"steps={steps!r}: a path needs at least 2 points (its two ends).")
    ts = np.linspace(0.0, 1.0, steps)
    return (slerp if method == "slerp" else lerp)(z0, z1, ts)


def classify(images):
    """The course classifier's reading of images in [-1, 1]: ``(digits, confidences)``."""
    from gan_lib.measure import classifier  # TensorFlow only here: latent paths are NumPy

    _, probs = classifier.features_and_probs(images)
    return probs.argmax(1), probs.max(1)


def find_digit_latents(gan, digit: int, n: int = 1, candidates: int = 2000, seed: int = 0):
    """Latents whose samples the course classifier reads most confidently as ``digit``.

    Draws ``candidates`` standard-normal latents (from ``seed``), generates their
    images with ``gan.generate`` and returns ``(latents, confidences)`` of the
    ``n`` best, best first (shape ``(n, latent_dim)`` and ``(n,)``). Raises
    ``ValueError`` if fewer than ``n`` samples are read as that digit, which
    means the generator rarely draws it (lesson 04: mode collapse).
    """
    if not 0 <= int(digit) <= 9:
        raise ValueError(f"digit={digit!r}: choose a digit from 0 to 9.")
    z = np.random.default_rng([seed, 13]).standard_normal((candidates, gan.latent_dim)).astype(np.float32)
    labels, conf = classify(gan.generate(z))
    hits = np.flatnonzero(labels == int(digit))
    if len(hits) < n:
        raise ValueError(f"Only {len(hits)} of {candidates} samples read as a {digit}; asked for {n}. "
                         "Train longer, or draw more candidates.")
    best = hits[np.argsort(-conf[hits], kind="stable")[:n]]
    return z[best], conf[best]


# =========================================================================== truncation (lesson 09)


def truncated_normal(n: int, dim: int, threshold=None, seed: int = 0) -> np.ndarray:
    """``n`` latents of size ``dim`` from a standard normal truncated to ``|z_i| <= threshold``.

    BigGAN's *truncation trick* (Brock, Donahue and Simonyan, "Large Scale GAN
    Training for High Fidelity Natural Image Synthesis", ICLR 2019, section 3.1):
    every coordinate whose magnitude exceeds ``threshold`` is **re-drawn** until
    it falls inside, so the latents stay normal-shaped, only without the tails.
    A small threshold keeps samples near the middle of the latent space, where
    a generator is best trained (higher fidelity) at the price of variety; no
    truncation (``threshold=None``) is the ordinary ``N(0, I)`` the generator
    was trained on. Clipping instead of re-drawing would pile mass up at
    ``±threshold``, latents the generator never saw in such numbers.

    Deterministic for a given ``seed``. Returns float32 ``(n, dim)``.
    """
    for name, v in (("n", n), ("dim", dim)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name}={v!r}: use a whole number of at least 1.")
    rng = np.random.default_rng([seed, 19])
    z = rng.standard_normal((n, dim))
    if threshold is None:
        return z.astype(np.float32)
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.floating)) or not threshold > 0:
        raise ValueError(f"threshold={threshold!r}: use a positive number such as 0.5 or 1.0, "
                         "or None for no truncation.")
    out = np.abs(z) > threshold
    while out.any():                    # about 1 - P(|z| <= t) of the entries are re-drawn each round
        z[out] = rng.standard_normal(int(out.sum()))
        out = np.abs(z) > threshold
    return z.astype(np.float32)
