"""Lesson 06's experiment: stabilising tricks on MNIST, one recipe, measured over seeds.

Every variant is the same small model (:func:`gan_lib.models.mlp_wide`), batch,
optimizer and number of generator steps (:data:`RECIPE`), trained by the one
:class:`gan_lib.core.gan.GAN`; it differs from the baseline in **one** piece of
``gan_lib`` plugged into an extension point:

===============  ==================================================  =============================
variant          what changes (paper)                                piece / extension point
===============  ==================================================  =============================
``baseline``     nothing: non-saturating loss, Adam 5e-4 for both    -
``smooth``       real labels 0.9 (Salimans et al. 2016)              ``losses.NonSaturating(0.9)``
``noisy``        5% of D's labels flipped (Salimans et al.; ganhacks) ``losses.NoisyLabels(0.05)``
``fm``           feature matching (Salimans et al. 2016)             ``penalties.FeatureMatching``, ``g_penalties``
``sn``           spectral norm in D (Miyato et al. 2018)             ``models.mlp_wide(spectral_norm=True)``
``wgangp``       Wasserstein loss + gradient penalty (Gulrajani 2017) ``losses.Wasserstein``, ``d_penalties``
``hinge``        hinge loss (Lim & Ye 2017; Miyato et al. 2018)      ``losses.Hinge``
``ttur``         D learns 4x faster than G (Heusel et al. 2017)      :func:`two_time_scale` optimizers
===============  ==================================================  =============================

The weight average of G (``GAN(ema_decay=...)``, Yazici et al. 2019) changes no
update, only which weights are sampled, so every run is scored twice: raw G and
its average. :data:`DEMOS` are the runs that show failures (D winning, a critic
that diverges, oscillation) and are not in the table.
"""

from __future__ import annotations

import time

import keras
import numpy as np

from gan_lib import data, models
from gan_lib.core import losses, penalties
from gan_lib.core.gan import GAN
from gan_lib.measure import metrics

#: The shared recipe: same networks, batch, optimizers and number of generator steps for every variant.
RECIPE = {
    "latent_dim": 64,
    "batch_size": 64,
    "steps": 2000,               # generator updates; d_steps = 1 for every variant
    "learning_rate": 5e-4,
    "beta_1": 0.5,
    "beta_2": 0.999,
    "ema_decay": 0.99,           # the weight average of G that every run also scores
    "steps_per_execution": 25,   # 25 training steps per call into TensorFlow (same updates, less overhead)
    "label_smoothing": 0.9,
    "flip": 0.05,
    "fm_weight": 1.0,
    "gp_weight": 10.0,
    "ttur_ratio": 4.0,           # TTUR: D's rate = ratio x G's, their geometric mean = learning_rate
}

#: name -> (what changes, paper)
VARIANTS = {
    "baseline": ("nothing: non-saturating loss, one Adam rate", "Goodfellow et al. 2014"),
    "smooth": ("one-sided label smoothing: real label 0.9", "Salimans et al. 2016"),
    "noisy": ("noisy labels: 5% of D's labels flipped", "Salimans et al. 2016; ganhacks"),
    "fm": ("feature matching added to G's loss", "Salimans et al. 2016"),
    "sn": ("spectral normalisation in every layer of D", "Miyato et al. 2018"),
    "wgangp": ("Wasserstein loss + gradient penalty 10", "Gulrajani et al. 2017"),
    "hinge": ("hinge loss", "Lim & Ye 2017; Miyato et al. 2018"),
    "ttur": ("two time-scales: D 4x faster than G", "Heusel et al. 2017"),
}

#: Failure demonstrations (seed 0, same recipe otherwise): name -> (what, recipe overrides, base variant).
DEMOS = {
    "d_wins": ("Adam's default momentum beta_1 0.9, rate 1e-3", {"learning_rate": 1e-3, "beta_1": 0.9}, "baseline"),
    "d_wins_sn": ("the same, spectral norm in D", {"learning_rate": 1e-3, "beta_1": 0.9}, "sn"),
    "d_wins_smooth": ("the same, real labels 0.9", {"learning_rate": 1e-3, "beta_1": 0.9}, "smooth"),
    "wgan_no_gp": ("Wasserstein loss without a gradient penalty", {}, "wgan_no_gp"),
    "g_fast": ("G's rate 25x D's (D 2e-4, G 5e-3)", {"d_lr": 2e-4, "g_lr": 5e-3, "fd_every": 1}, "baseline"),
}


def two_time_scale(learning_rate: float = 5e-4, ratio: float = 4.0, beta_1: float = 0.5, beta_2: float = 0.999):
    """``(d_optimizer, g_optimizer)``: Adams whose rates differ by ``ratio`` (TTUR).

    Heusel, Ramsauer, Unterthiner, Nessler and Hochreiter ("GANs Trained by a Two
    Time-Scale Update Rule Converge to a Local Nash Equilibrium", NeurIPS 2017)
    prove convergence when D learns on a faster time scale than G, so that G
    always faces a nearly optimal D. D's rate is ``learning_rate * sqrt(ratio)``
    and G's ``learning_rate / sqrt(ratio)`` (their geometric mean stays
    ``learning_rate``). SAGAN and BigGAN use D 4e-4, G 1e-4 (ratio 4).
    """
    if not learning_rate > 0 or not ratio > 0:
        raise ValueError(f"learning_rate={learning_rate!r}, ratio={ratio!r}: use positive numbers, e.g. 5e-4 and 4.")
    root = float(np.sqrt(ratio))
    return (keras.optimizers.Adam(learning_rate * root, beta_1=beta_1, beta_2=beta_2),
            keras.optimizers.Adam(learning_rate / root, beta_1=beta_1, beta_2=beta_2))


def build_variant(variant: str, seed: int = 0, recipe: dict | None = None) -> GAN:
    """A compiled, untrained :class:`GAN` for ``variant`` (a name in :data:`VARIANTS` or ``wgan_no_gp``).

    ``recipe`` overrides :data:`RECIPE`; ``d_lr``/``g_lr`` in it set each network's rate directly.
    """
    if variant not in VARIANTS and variant != "wgan_no_gp":
        raise ValueError(f"Unknown variant {variant!r}. Valid: {', '.join(VARIANTS)} (and 'wgan_no_gp').")
    r = {**RECIPE, **(recipe or {})}
    loss, kwargs = losses.NonSaturating(), {}
    if variant == "smooth":
        loss = losses.NonSaturating(real_label=r["label_smoothing"])
    elif variant == "noisy":
        loss = losses.NoisyLabels(flip=r["flip"], seed=seed)
    elif variant == "fm":
        kwargs["g_penalties"] = [penalties.FeatureMatching(r["fm_weight"])]
    elif variant == "wgangp":
        loss = losses.Wasserstein()
        kwargs["d_penalties"] = [penalties.GradientPenalty(r["gp_weight"])]
    elif variant == "wgan_no_gp":
        loss = losses.Wasserstein()
    elif variant == "hinge":
        loss = losses.Hinge()
    keras.utils.set_random_seed(seed)
    g, d = models.mlp_wide(r["latent_dim"], spectral_norm=variant == "sn")
    gan = GAN(g, d, seed=seed, ema_decay=r["ema_decay"], n_fixed=16, **kwargs)
    if variant == "ttur":
        d_opt, g_opt = two_time_scale(r["learning_rate"], r["ttur_ratio"], r["beta_1"], r["beta_2"])
    else:
        def adam(lr):
            return keras.optimizers.Adam(lr, beta_1=r["beta_1"], beta_2=r["beta_2"])
        d_opt, g_opt = adam(r.get("d_lr", r["learning_rate"])), adam(r.get("g_lr", r["learning_rate"]))
    gan.compile(d_opt, g_opt, loss=loss, steps_per_execution=r["steps_per_execution"])
    return gan


def score_samples(generator_images) -> dict | None:
    """:func:`gan_lib.measure.metrics.evaluate` plus ``classes`` (digits with at least 3% of samples).

    None if the samples are not finite (a diverged run).
    """
    x = np.asarray(generator_images)
    if not np.all(np.isfinite(x)):
        return None
    r = metrics.evaluate(x)
    r["classes"] = int(sum(s >= metrics.THRESHOLDS["min_class_share"] for s in r["class_shares"]))
    return r


class Curves(keras.callbacks.Callback):
    """Per epoch: the logged losses and D outputs, D's mean logits on fixed batches, and FD every ``fd_every`` epochs.

    ``self.rows`` is a list of dicts with ``step``, ``d_loss``, ``g_loss``, ``d_real``,
    ``d_fake`` (epoch means of ``sigmoid(logit)``), ``real_logit``/``fake_logit``
    (D's mean logit on ``probe`` real images and on fakes from fixed latents,
    inference mode; for a critic these are its scores) and ``fd``/``fd_ema``
    (FD of ``n_fd`` samples of raw G and of its average, against as many
    held-out digits), ``kl`` (raw G's class shares' KL to uniform), ``top_share``
    and ``top_digit`` (its most frequent digit and that digit's share); these are
    None between evaluations or when the samples are not finite.
    """

    def __init__(self, probe, fd_every: int = 2, n_fd: int = 500, seed: int = 0):
        super().__init__()
        self.probe = np.asarray(probe, np.float32)
        self.fd_every, self.n_fd, self.seed = fd_every, n_fd, seed
        self.rows = []

    def _score(self, generator):
        z = np.random.default_rng([self.seed, 13]).standard_normal((self.n_fd, self.model.latent_dim)).astype("float32")
        x = self.model.generate(z, generator=generator)
        if not np.all(np.isfinite(x)):
            return None
        return metrics.evaluate(x, n=self.n_fd)

    def on_epoch_end(self, epoch, logs=None):
        gan = self.model
        z = gan.fixed_latent
        fake = gan.generate(z, generator=gan.generator)
        row = {"step": int(gan.g_optimizer.iterations.numpy()), **{k: float(v) for k, v in (logs or {}).items()},
               "real_logit": float(np.mean(gan.discriminator(self.probe, training=False))),
               "fake_logit": float(np.mean(gan.discriminator(fake, training=False))),
               "fd": None, "fd_ema": None, "kl": None, "top_share": None}
        if (epoch + 1) % self.fd_every == 0:
            raw, ema = self._score(gan.generator), self._score(gan.sampler)
            if raw is not None:
                row.update(fd=raw["fd"], kl=raw["kl_to_uniform"], top_share=max(raw["class_shares"]),
                           top_digit=int(np.argmax(raw["class_shares"])))
            row["fd_ema"] = None if ema is None else ema["fd"]
        self.rows.append(row)


def train_variant(variant: str, seed: int = 0, recipe: dict | None = None, images=None, curves: bool = False,
                  n_eval: int = metrics.N_EVAL) -> dict:
    """Train one variant and score ``n_eval`` samples of raw G and of its weight average.

    Returns ``{"variant", "seed", "raw", "ema", "seconds", "curves", "gan"}``;
    ``raw``/``ema`` are results of :func:`score_samples` (None if the samples are not
    finite), ``curves`` the rows of a :class:`Curves` callback (``curves=True``) or None.
    ``images``: the training digits (default: the shipped training split).

    Training itself is one ``gan.fit_images`` call; this function exists for
    the lesson's recipe: generator ``steps`` turned into whole epochs, the
    variant built by :func:`build_variant`, and both generators scored on the
    same latents, so every row of the table is measured the same way.
    """
    r = {**RECIPE, **(recipe or {})}
    x = data.load_digits("train", verbose=False).images if images is None else images
    steps_per_epoch = len(x) // r["batch_size"]
    if r["steps"] % steps_per_epoch:
        raise ValueError(f"steps={r['steps']} is not a multiple of the {steps_per_epoch} steps of one epoch "
                         f"({len(x)} images at batch_size={r['batch_size']}).")
    gan = build_variant(variant, seed, r)
    cbs = [Curves(x[:256], fd_every=r.get("fd_every", 2), n_fd=r.get("n_fd", 500), seed=seed)] if curves else []
    start = time.perf_counter()
    gan.fit_images(x, r["batch_size"], r["steps"] // steps_per_epoch, seed=seed, callbacks=cbs)
    seconds = time.perf_counter() - start
    z = np.random.default_rng([seed, 11]).standard_normal((n_eval, gan.latent_dim)).astype("float32")
    raw = score_samples(gan.generate(z, generator=gan.generator)[:n_eval])
    ema = score_samples(gan.generate(z, generator=gan.sampler)[:n_eval])
    return {"variant": variant, "seed": seed, "raw": raw, "ema": ema, "seconds": seconds,
            "curves": cbs[0].rows if curves else None, "gan": gan}


# --------------------------------------------------------------------------- the table


def table(runs: list[dict]) -> list[dict]:
    """Mean and spread (population std over seeds) per variant, in :data:`VARIANTS` order.

    ``runs``: results of :func:`train_variant`. Columns: ``fd``, ``fd_ema``, ``classes``,
    ``kl``, ``score`` as ``(mean, std)`` pairs, and ``failed`` (runs whose
    samples were not finite).
    """
    rows = []
    names = [v for v in VARIANTS if any(r["variant"] == v for r in runs)]
    names += [v for v in dict.fromkeys(r["variant"] for r in runs) if v not in names]
    for name in names:
        group = [r for r in runs if r["variant"] == name]

        def get(key, which="raw", group=group):
            return [None if r[which] is None else r[which][key] for r in group]

        fd = metrics.mean_std(get("fd"))
        row = {"variant": name, "seeds": len(group), "failed": fd[2],
               "fd": fd[:2], "fd_ema": metrics.mean_std(get("fd", "ema"))[:2],
               "classes": metrics.mean_std(get("classes"))[:2],
               "kl": metrics.mean_std(get("kl_to_uniform"))[:2], "score": metrics.mean_std(get("classifier_score"))[:2],
               "seconds": float(np.mean([r["seconds"] for r in group]))}
        rows.append(row)
    return rows


def format_table(rows: list[dict]) -> str:
    """The table as fixed-width text (mean ± std over seeds)."""
    def ms(pair, fmt):
        m, s = pair
        return "n/a" if m is None else f"{m:{fmt}} ± {s:{fmt}}"

    lines = [f"{'variant':9s} {'FD (raw G)':>15s} {'FD (EMA of G)':>15s} {'digits >= 3%':>13s} "
             f"{'KL to uniform':>14s} {'clf. score':>12s} {'s/run':>6s}"]
    for r in rows:
        line = (f"{r['variant']:9s} {ms(r['fd'], '6.1f'):>15s} {ms(r['fd_ema'], '6.1f'):>15s} "
                f"{ms(r['classes'], '4.1f'):>13s} {ms(r['kl'], '5.2f'):>14s} {ms(r['score'], '4.2f'):>12s} "
                f"{r['seconds']:6.0f}")
        if r["failed"]:
            line += f"  ({r['failed']} of {r['seeds']} runs not finite)"
        lines.append(line)
    return "\n".join(lines)


# --------------------------------------------------------------------------- pictures


def plot_curves(named_rows: dict, keys=("d_real", "d_fake"), axes=None, title_prefix=""):
    """One panel per key, one line per run: ``named_rows`` maps a label to :class:`Curves` rows."""
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, len(keys), figsize=(4.2 * len(keys), 3.0))
    axes = np.atleast_1d(axes)
    for ax, key in zip(axes, keys):
        for label, rows in named_rows.items():
            pts = [(r["step"], r[key]) for r in rows if r.get(key) is not None]
            if pts:
                ax.plot(*zip(*pts), marker=".", label=label)
        ax.set_xlabel("generator step")
        ax.set_title(f"{title_prefix}{key}", fontsize=9)
        ax.legend(fontsize=7)
    return axes


# --------------------------------------------------------------------------- the BatchNorm pitfalls


def batchnorm_modes(seed: int = 0) -> dict:
    """Measure what a ``BatchNormalization`` layer does under the calls GAN code makes.

    A fresh layer (moving mean 0, variance 1) gets a batch whose features have
    mean 3 and std 2. Returns the mean of its output for each way of calling it:

    * ``training=True``: batch statistics, output mean about 0;
    * no ``training`` argument: Keras 3 has no global learning phase, so this is
      **inference** mode (moving statistics): output mean about 3;
    * ``training=True`` after ``layer.trainable = False``: also **inference**
      mode. Keras (since 2.1.3, and Keras 3) runs a frozen BatchNorm layer on its
      moving statistics, so the stacked ``[G, D]`` model of the old tutorials,
      with ``D.trainable = False``, trains G against a D whose BatchNorm
      behaves differently from the D that was trained;

    and whether the moving mean moved after each call.
    """
    layer = keras.layers.BatchNormalization()
    layer.build((None, 4))
    x = np.random.default_rng(seed).normal(3.0, 2.0, (64, 4)).astype("float32")
    out = {}
    for what, kwargs, freeze in (("training=True", {"training": True}, False),
                                 ("no training argument", {}, False),
                                 ("training=True, trainable=False", {"training": True}, True)):
        layer.trainable = not freeze
        before = np.array(layer.moving_mean.numpy())
        y = np.asarray(layer(x, **kwargs))
        out[what] = {"output_mean": float(y.mean()), "output_std": float(y.std()),
                     "moving_mean_moved": bool(not np.allclose(before, layer.moving_mean.numpy()))}
    layer.trainable = True
    return out
