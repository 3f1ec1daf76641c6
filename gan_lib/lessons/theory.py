"""GAN theory on the real line: densities, the optimal discriminator, the value
function, the Jensen-Shannon divergence, and tiny 1-D GANs (lesson 01).

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
Training a GAN goes through :class:`gan_lib.core.gan.GAN`; training D alone against
a fixed G (:func:`train_discriminator`) is plain supervised Keras.

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
class Mixture:
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


def gaussian(mean: float, std: float) -> Mixture:
    """The normal distribution N(mean, std) (std, not variance)."""
    return Mixture((float(mean),), (float(std),), (1.0,))


def mixture(means, stds, weights=None) -> Mixture:
    """A Gaussian mixture; equal weights unless given."""
    weights = [1.0 / len(means)] * len(means) if weights is None else list(weights)
    return Mixture(tuple(map(float, means)), tuple(map(float, stds)), tuple(map(float, weights)))


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


def optimal_value(p_data: Mixture, p_g: Mixture, x=GRID) -> float:
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


def generator_loss_gradients_autodiff(d_fake) -> dict:
    """The same gradients as :func:`generator_loss_gradients`, by ``tf.GradientTape``
    through the course's loss functions (:mod:`gan_lib.core.losses`)."""
    import tensorflow as tf

    from gan_lib.core import losses

    d = np.asarray(d_fake, dtype=np.float64)
    logits = tf.constant(np.log(d) - np.log1p(-d), dtype=tf.float32)
    n = float(d.size)
    out = {}
    for name, fn in (("minimax", losses.generator_loss_minimax), ("nonsaturating", losses.generator_loss_nonsaturating)):
        with tf.GradientTape() as tape:
            tape.watch(logits)
            loss = fn(logits) * n  # the losses are batch means; times n gives each sample's own derivative
        out[name] = tape.gradient(loss, logits).numpy().astype(np.float64)
    return out


# --------------------------------------------------------------------------- tiny models


def build_generator(latent_dim: int = 4, hidden: int = 32, seed: int = 0, output_bias: float = 0.0):
    """A tiny MLP generator ``(N, latent_dim) -> (N, 1)``: two LeakyReLU layers, linear output.

    Its weights depend only on ``seed`` (not on what ran before). ``output_bias``
    is the initial bias of the output layer: where G's first samples sit
    (near 0 by default; lesson 01 starts one generator at -3, far from the data).
    """
    import keras
    from keras import layers

    init = lambda k: keras.initializers.GlorotUniform(seed=seed * 100 + k)  # noqa: E731
    return keras.Sequential(
        [
            keras.Input((latent_dim,)),
            layers.Dense(hidden, kernel_initializer=init(1)),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Dense(hidden, kernel_initializer=init(2)),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Dense(1, kernel_initializer=init(3),
                         bias_initializer=keras.initializers.Constant(output_bias)),
        ],
        name="generator_1d",
    )


def build_discriminator(hidden: int = 32, seed: int = 0):
    """A tiny MLP discriminator ``(N, 1) -> (N, 1)`` logits; its last hidden activation is ``"features"``."""
    import keras
    from keras import layers

    init = lambda k: keras.initializers.GlorotUniform(seed=seed * 100 + 50 + k)  # noqa: E731
    return keras.Sequential(
        [
            keras.Input((1,)),
            layers.Dense(hidden, kernel_initializer=init(1)),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Dense(hidden, kernel_initializer=init(2)),
            layers.LeakyReLU(negative_slope=0.2, name="features"),
            layers.Dense(1, kernel_initializer=init(3)),
        ],
        name="discriminator_1d",
    )


def copy_model(model):
    """A new model with the same architecture and the same weights (for side-by-side runs)."""
    import keras

    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    return clone


def generate(generator, n: int, seed: int = 0) -> np.ndarray:
    """``n`` samples of ``generator`` (inference mode) for standard-normal latents drawn with ``seed``."""
    import keras

    z = np.random.default_rng([seed, 11]).standard_normal((n, int(generator.input_shape[-1]))).astype(np.float32)
    return keras.ops.convert_to_numpy(generator(z, training=False)).astype(np.float32)


def probabilities(discriminator, x) -> np.ndarray:
    """``sigmoid(D(x))`` for points ``x`` (any shape), as a flat float64 array."""
    import keras

    x = np.asarray(x, dtype=np.float32).reshape(-1, 1)
    logits = discriminator(x, training=False)
    return keras.ops.convert_to_numpy(keras.ops.sigmoid(logits)).astype(np.float64).ravel()


def logits(discriminator, x) -> np.ndarray:
    """D's logits for points ``x``, as a flat float64 array."""
    import keras

    x = np.asarray(x, dtype=np.float32).reshape(-1, 1)
    return keras.ops.convert_to_numpy(discriminator(x, training=False)).astype(np.float64).ravel()


def train_discriminator(discriminator, real, fake, epochs: int, batch_size: int = 256, lr: float = 1e-3,
                        seed: int = 0):
    """Train D alone to tell ``real`` (label 1) from ``fake`` (label 0) samples.

    Plain supervised Keras: ``compile`` with ``BinaryCrossentropy(from_logits=True)``
    and ``fit``. This is *not* a GAN loop: the generator does not move. With as
    many real as fake samples, the best possible classifier is D*. Returns the
    ``History``.
    """
    import keras

    real, fake = np.asarray(real, np.float32).reshape(-1, 1), np.asarray(fake, np.float32).reshape(-1, 1)
    x = np.concatenate([real, fake])
    y = np.concatenate([np.ones((len(real), 1)), np.zeros((len(fake), 1))]).astype(np.float32)
    order = np.random.default_rng([seed, 3]).permutation(len(x))
    discriminator.compile(optimizer=keras.optimizers.Adam(lr),
                          loss=keras.losses.BinaryCrossentropy(from_logits=True))
    return discriminator.fit(x[order], y[order], epochs=epochs, batch_size=batch_size, shuffle=False, verbose=0)


# --------------------------------------------------------------------------- 1-D GANs


def make_gan(generator, discriminator, loss: str = "nonsaturating", lr: float = 1e-3, seed: int = 0,
             g_optimizer: str = "adam", g_lr: float | None = None):
    """The course's :class:`~gan_lib.core.gan.GAN` around 1-D models, compiled.

    D is updated with Adam(lr, beta_1=0.5). G too, unless ``g_optimizer="sgd"``:
    plain gradient descent with learning rate ``g_lr``, whose step is exactly
    ``g_lr`` times the gradient (lesson 01 uses it to see gradient sizes).
    """
    import keras

    from gan_lib.core.gan import GAN

    g_lr = lr if g_lr is None else g_lr
    if g_optimizer == "adam":
        g_opt = keras.optimizers.Adam(g_lr, beta_1=0.5)
    elif g_optimizer == "sgd":
        g_opt = keras.optimizers.SGD(g_lr)
    else:
        raise ValueError(f"g_optimizer={g_optimizer!r}: use 'adam' or 'sgd'.")
    gan = GAN(generator, discriminator, seed=seed)
    gan.compile(d_optimizer=keras.optimizers.Adam(lr, beta_1=0.5), g_optimizer=g_opt, loss=loss)
    return gan


def train_gan(gan, data, epochs_from: int, epochs_to: int, batch_size: int = 128, seed: int = 0):
    """Train ``gan`` on ``data`` for epochs ``epochs_from .. epochs_to - 1`` (call again to continue).

    Batches come from :func:`gan_lib.data.training_batches`, a pure function
    of (seed, epoch), so training in chunks sees the same batches as one call.
    Returns the list of per-epoch logs.
    """
    if epochs_to <= epochs_from:
        return []
    h = gan.fit_images(data, batch_size, epochs_to, initial_epoch=epochs_from, seed=seed)
    keys = list(h.history)
    return [{k: float(h.history[k][i]) for k in keys} for i in range(len(h.history[keys[0]]))]


def generator_gradient(generator, discriminator, loss: str, z) -> np.ndarray:
    """G's gradient under ``loss`` for the latent batch ``z`` (D fixed): every weight's
    component, flattened into one float64 vector (``generator.count_params()`` long)."""
    import tensorflow as tf

    from gan_lib.core import losses

    fn = losses.get(loss).generator
    z = tf.constant(np.asarray(z, np.float32))
    with tf.GradientTape() as tape:
        value = fn(discriminator(generator(z, training=True), training=True))
    grads = tape.gradient(value, generator.trainable_weights)
    return np.concatenate([np.asarray(g, dtype=np.float64).ravel() for g in grads])


def generator_gradient_norm(generator, discriminator, loss: str, z) -> float:
    """The norm of G's gradient under ``loss`` for the latent batch ``z`` (D fixed)."""
    return float(np.linalg.norm(generator_gradient(generator, discriminator, loss, z)))


def gradient_per_weight(grad) -> dict:
    """The size of a gradient per weight: ``"rms"`` (root mean square of its components)
    and ``"max_abs"`` (its largest component in absolute value)."""
    g = np.asarray(grad, dtype=np.float64).ravel()
    return {"rms": float(np.sqrt(np.mean(np.square(g)))), "max_abs": float(np.max(np.abs(g)))}


def histogram_jsd(samples, target: Mixture = TARGET, bin_width: float = 0.25, span: float = 5.0) -> float:
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


def sample_stats(samples, target: Mixture = TARGET) -> dict:
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


def mode_shares(samples, target: Mixture) -> np.ndarray:
    """The share of ``samples`` nearest to each of ``target``'s component means (within 3 stds of it)."""
    s = np.asarray(samples, dtype=np.float64).ravel()
    means, stds = np.asarray(target.means), np.asarray(target.stds)
    nearest = np.argmin(np.abs(s[:, None] - means[None, :]), axis=1)
    close = np.abs(s - means[nearest]) <= 3 * stds[nearest]
    return np.array([np.mean((nearest == k) & close) for k in range(len(means))])


def jsd_floor(target: Mixture = TARGET, n: int = 10_000, seed: int = 123) -> float:
    """The binned JSD of ``n`` samples drawn *from the target itself*: the best any generator can score."""
    return histogram_jsd(target.sample(n, seed=seed), target)


def format_stats(stats: dict) -> str:
    """One line for :func:`sample_stats`' numbers. Its JSD is the *binned* one of
    :func:`histogram_jsd` (0.25-wide bins), not the grid integral of :func:`js_divergence`."""
    return (f"mean {stats['mean']:.3f} (error {stats['mean_error']:.3f}), std {stats['std']:.3f} "
            f"(error {stats['std_error']:.3f}), JSD {stats['jsd']:.4f} nats")


# --------------------------------------------------------------------------- plots


def plot_discriminators(x, p_data, p_g, d_star, d_trained=None, mask=None, title=None):
    """Two densities (top) and D* with a trained D (bottom), on the grid ``x``."""
    import matplotlib.pyplot as plt

    fig, (a, b) = plt.subplots(2, 1, figsize=(8, 5.5), sharex=True)
    a.plot(x, p_data, color="C0", label="$p_{data}$")
    a.plot(x, p_g, color="C3", label="$p_g$ (fixed generator)")
    a.set_ylabel("density")
    a.legend()
    if title:
        a.set_title(title)
    b.plot(x, d_star, color="k", lw=2, label="$D^*(x) = p_{data}/(p_{data}+p_g)$")
    if d_trained is not None:
        b.plot(x, d_trained, color="C2", ls="--", lw=2, label="trained D: sigmoid(logit)")
    b.axhline(0.5, color="gray", lw=0.8, ls=":")
    if mask is not None:
        xs = np.asarray(x)[mask]
        for ax in (a, b):
            ax.axvspan(np.asarray(x).min(), xs.min(), color="0.92", zorder=0)
            ax.axvspan(xs.max(), np.asarray(x).max(), color="0.92", zorder=0)
    b.set_ylim(-0.03, 1.03)
    b.set_xlabel("x")
    b.set_ylabel("D(x)")
    b.legend(loc="upper left")
    fig.tight_layout()
    return fig


def plot_landscape(mus, values, best_mu=None):
    """``V(D*, G)`` for generators N(mu, std) shifted along the line, with the floor -log 4."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.4))
    ax.plot(mus, values, color="C0", lw=2, label="$V(D^*, G)$ for $p_g = N(\\mu, 1.25)$")
    ax.axhline(-math.log(4), color="k", ls="--", lw=1, label="$-\\log 4$")
    ax.axhline(0.0, color="gray", ls=":", lw=1, label="0 (JSD = log 2: no overlap)")
    if best_mu is not None:
        ax.axvline(best_mu, color="C3", lw=1, label=f"$\\mu$ = {best_mu:g} (the data's mean)")
    ax.set_xlabel("$\\mu$, the generator's mean")
    ax.set_ylabel("value of the game")
    ax.legend(fontsize=8, loc="center right")
    fig.tight_layout()
    return fig


def plot_generator_gradients(d_fake=None):
    """The magnitude of each generator loss's gradient (w.r.t. D's logit) against D(G(z)), log scale."""
    import matplotlib.pyplot as plt

    d = np.logspace(-6, math.log10(0.999), 400) if d_fake is None else np.asarray(d_fake)
    g = generator_loss_gradients(d)
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.6))
    a.plot(d, np.log1p(-d), color="C3", label="minimax: $\\log(1-D)$")
    a.plot(d, -np.log(d), color="C0", label="non-saturating: $-\\log D$")
    a.set_xscale("log")
    a.set_xlabel("D(G(z))")
    a.set_ylabel("generator loss")
    a.set_title("The two generator losses")
    a.legend()
    b.loglog(d, np.abs(g["minimax"]), color="C3", label="minimax: $|\\partial/\\partial l| = D$")
    b.loglog(d, np.abs(g["nonsaturating"]), color="C0", label="non-saturating: $1 - D$")
    b.axvspan(d.min(), 0.01, color="0.92", zorder=0)
    b.text(d.min() * 2, 2e-3, "D wins here", fontsize=9)
    b.set_xlabel("D(G(z))")
    b.set_ylabel("|gradient w.r.t. the logit|")
    b.set_title("What reaches the generator")
    b.legend(loc="lower right")
    fig.tight_layout()
    return fig


def plot_runs(runs: dict, target: Mixture = TARGET, x=None):
    """Side by side: the samples of each run (histogram) against the target density."""
    import matplotlib.pyplot as plt

    if x is None:
        lo = min(m - 5 * s for m, s in zip(target.means, target.stds))
        hi = max(m + 5 * s for m, s in zip(target.means, target.stds))
        x = np.linspace(lo, hi, 400)
    fig, axes = plt.subplots(1, len(runs), figsize=(5 * len(runs), 3.4), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, (name, samples) in zip(axes, runs.items()):
        s = np.asarray(samples).ravel()
        s = s[np.isfinite(s)]
        lo, hi = min(x.min(), np.percentile(s, 0.5)), max(x.max(), np.percentile(s, 99.5))
        ax.hist(s, bins=np.linspace(lo, hi, 80), density=True, color="C1", alpha=0.6, label="G's samples")
        ax.plot(x, target.pdf(x), color="C0", lw=2, label=f"target {target}")
        ax.set_title(name)
        ax.set_xlabel("x")
    axes[0].set_ylabel("density")
    axes[0].legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig


def plot_snapshots(snapshots: list, target: Mixture = TARGET):
    """One panel per snapshot ``(epoch, samples, x, d_prob)``: G's histogram, the target, and D's output."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(snapshots), figsize=(3.6 * len(snapshots), 3.2), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, (epoch, samples, x, d_prob) in zip(axes, snapshots):
        s = np.asarray(samples).ravel()
        bins = np.linspace(x.min(), x.max(), 70)
        # Heights relative to *all* samples: those outside the frame are not drawn, not rescaled in.
        ax.hist(s, bins=bins, weights=np.full(len(s), 1.0 / (len(s) * (bins[1] - bins[0]))),
                color="C1", alpha=0.6, label="G's samples")
        ax.plot(x, target.pdf(x), color="C0", lw=2, label="$p_{data}$")
        ax.plot(x, d_prob, color="k", ls="--", lw=1.2, label="D(x)")
        ax.set_ylim(0, 1.05)
        ax.set_title(f"epoch {epoch}")
        ax.set_xlabel("x")
    axes[0].legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig
