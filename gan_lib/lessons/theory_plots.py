"""The figures of lesson 01: densities and discriminators, the value landscape, the
generator losses' gradients, and 1-D GANs' samples against the target.

Each function draws one figure from numbers computed elsewhere
(:mod:`gan_lib.lessons.theory` for the exact theory, :mod:`gan_lib.lessons.theory_nets`
for the trained networks) and returns the ``matplotlib`` figure.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

from gan_lib.lessons import theory
from gan_lib.lessons.theory import TARGET, Density1D


def plot_discriminators(x, p_data, p_g, d_star, d_trained=None, mask=None, title=None):
    """Two densities (top) and D* with a trained D (bottom), on the grid ``x``."""
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
    d = np.logspace(-6, math.log10(0.999), 400) if d_fake is None else np.asarray(d_fake)
    g = theory.generator_loss_gradients(d)
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


def plot_runs(runs: dict, target: Density1D = TARGET, x=None):
    """Side by side: the samples of each run (histogram) against the target density."""
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


def plot_snapshots(snapshots: list, target: Density1D = TARGET):
    """One panel per snapshot ``(epoch, samples, x, d_prob)``: G's histogram, the target, and D's output."""
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
