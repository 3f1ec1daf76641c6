"""Lesson 09's exercise checks (beyond DCGAN): the truncation trick (9.1), CycleGAN's cycle loss (9.2),
and SAGAN's attention (9.3)."""

from __future__ import annotations

import math

import numpy as np

from gan_lib.coursework.checks.common import call_array, refusing
from gan_lib.coursework.exercises import Wrong, expect_function


def _truncated_variance(t: float) -> float:
    phi = math.exp(-t * t / 2) / math.sqrt(2 * math.pi)
    big_phi = 0.5 * (1 + math.erf(t / math.sqrt(2)))
    return 1 - 2 * t * phi / (2 * big_phi - 1)


def check_9_1(truncate) -> None:
    """A function ``truncate(z, threshold, rng)``: every entry with ``|z| > threshold`` re-drawn until inside.

    The re-draws must come from the ``rng`` given: the check calls the function twice with generators
    of the same seed (the results must agree) and once with another seed (the re-drawn entries must
    differ), so NumPy's global generator or a fixed seed inside the function is refused. The course's
    ``latent.truncated_normal`` is refused too (:class:`refusing`)."""
    from gan_lib.core import latent

    expect_function(truncate, "your truncate function",
                    "truncate should be a function truncate(z, threshold, rng)")
    hint = ("re-draw only the entries outside, and keep re-drawing those still outside: a fresh normal draw "
            "can land outside again")
    t = 0.7
    z = np.random.default_rng(5).standard_normal((3000, 8))
    with refusing("latent.truncated_normal", latent, "truncated_normal", answer=truncate):
        out = call_array(truncate, "truncate(z, 0.7, rng)", hint, z.copy(), t, np.random.default_rng(6))
        again = call_array(truncate, "truncate(z, 0.7, rng) again", hint, z.copy(), t, np.random.default_rng(6))
        other = call_array(truncate, "truncate(z, 0.7, rng) with another seed", hint, z.copy(), t,
                           np.random.default_rng(7))
    if out.shape != z.shape:
        raise Wrong(f"truncate returned shape {out.shape} for z of shape {z.shape}; it must keep the shape "
                    "(every latent keeps all its coordinates).", "assign into a copy of z instead of dropping entries")
    inside = np.abs(z) <= t
    if np.abs(out).max() > t + 1e-9:
        share = float((np.abs(out) > t).mean())
        raise Wrong(f"{share:.1%} of the values are still outside [-0.7, 0.7] (one round of re-drawing "
                    "leaves about half of them outside again).", hint)
    if (np.abs(np.abs(out) - t) < 1e-9).mean() > 0.05:
        raise Wrong("Many values sit exactly at ±0.7: that is clipping (np.clip), which piles the tails up at "
                    "the edge. The truncation trick re-draws them instead.", hint)
    if not np.allclose(out[inside], z[inside]):
        raise Wrong("Values that were already inside [-0.7, 0.7] changed. Only the entries outside are "
                    "re-drawn; the rest of each latent stays as it was.",
                    "select the entries with a mask: outside = np.abs(z) > threshold")
    if out.shape == again.shape == other.shape and (not np.array_equal(out, again) or np.array_equal(out, other)):
        raise Wrong("Your re-draws do not come from the rng you are given: two generators with the same seed "
                    "gave " + ("different results" if not np.array_equal(out, again) else
                               "the same results as a generator with another seed") + ".",
                    "draw with rng.standard_normal(...), not np.random.* or a generator of your own")
    var = float(out[~inside].var())
    want = _truncated_variance(t)
    if abs(var - want) > 0.005:          # about 4 standard errors for the ~11,600 re-drawn values
        raise Wrong(f"The re-drawn values have variance {var:.3f}; a standard normal truncated to [-0.7, 0.7] "
                    f"has {want:.3f}. Draw them from the normal distribution (rng.standard_normal), not "
                    "uniformly.", hint)


_CYCLE_X = np.random.default_rng(9).uniform(-1, 1, (6, 8, 8, 1))


def _cycle_pair():
    """Exercise 9.2's translators: g inverts and flips the rows; f is an imperfect way back (0.8 g^-1 + 0.1).

    The shift keeps f and g from commuting (g(f(x)) = 0.8 x - 0.1, f(g(x)) = 0.8 x + 0.1), so a loss
    computed round the cycle the wrong way gives another value (0.127 against 0.122); with f = 0.8 g^-1
    alone it did not. The shift is small enough that f(g(x)) - x still takes both signs."""
    def g(x):
        return -np.asarray(x)[:, ::-1]

    def f(y):
        return 0.8 * (-np.asarray(y)[:, ::-1]) + 0.1

    return g, f


def check_9_2(cycle_loss) -> None:
    """A function ``cycle_loss(x, g, f)``: mean |f(g(x)) - x| (CycleGAN's L1 cycle consistency).

    Calling the course's ``losses.cycle_consistency_loss`` is refused (:class:`refusing`)."""
    from gan_lib.core import losses

    expect_function(cycle_loss, "your cycle_loss function",
                    "cycle_loss should be a function cycle_loss(x, g, f)")
    hint = ("go all the way round the cycle, in the order the text gives, and compare where you end up with "
            "where you started, value by value")
    x = _CYCLE_X
    g, f = _cycle_pair()
    with refusing("losses.cycle_consistency_loss", losses, "cycle_consistency_loss", answer=cycle_loss):
        got = call_array(cycle_loss, "cycle_loss(x, g, f)", hint, x.copy(), g, f)
    if got.size != 1:
        raise Wrong(f"cycle_loss returned shape {got.shape}; a loss is one number (the mean over every value).",
                    "wrap it in np.mean(...)")
    v = float(got.reshape(()))
    back = f(g(x))
    want = float(np.mean(np.abs(back - x)))
    if abs(v - want) < 1e-6:
        ident = float(call_array(cycle_loss, "cycle_loss(x, g, g_inverse)", hint, x, g,
                                 lambda y: -np.asarray(y)[:, ::-1]).reshape(-1)[0])
        if abs(ident) > 1e-9:
            raise Wrong(f"With f the exact inverse of g your loss is {ident:.4g}; it must be 0 there.", hint)
        return
    if abs(v - float(np.mean((back - x) ** 2))) < 1e-6:
        raise Wrong("That is the squared error. CycleGAN's cycle loss is the L1 norm (absolute values), which "
                    "blurs less than the squared error.", hint)
    if abs(v - float(np.mean(back - x))) < 1e-6 or abs(v - float(np.mean(x - back))) < 1e-6:
        raise Wrong("You averaged the signed differences: positive and negative errors cancel, so a poor "
                    "reconstruction can score near 0.", "take np.abs(...) before the mean")
    if abs(v - float(np.mean(np.abs(g(f(x)) - x)))) < 1e-6:
        raise Wrong("You went round the cycle the other way, g(f(x)): this direction's cycle translates with g "
                    "first and comes back with f.", hint)
    if abs(v - float(np.mean(np.abs(g(x) - x)))) < 1e-6:
        raise Wrong("You compared the translation g(x) with x. The cycle goes all the way round: "
                    "compare f(g(x)) with x.", hint)
    if abs(v - float(np.sum(np.abs(back - x)))) < 1e-4 or abs(v - float(np.mean(np.sum(np.abs(back - x),
                                                                                      axis=(1, 2, 3))))) < 1e-4:
        raise Wrong("You summed instead of averaging: the loss would then grow with the image size and batch.",
                    "use np.mean over every value")
    raise Wrong(f"cycle_loss gives {v:.5f}; expected {want:.5f}.", hint)


def _attention_cases():
    rng = np.random.default_rng(11)
    return [(rng.standard_normal((5, 4)), rng.standard_normal((7, 4)), rng.standard_normal((7, 3))),
            (rng.standard_normal((3, 2)) * 3, rng.standard_normal((3, 2)) * 3, rng.standard_normal((3, 6)))]


def _softmax(a, axis):
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def check_9_3(attend) -> None:
    """A function ``attend(q, k, v)``: SAGAN's attention, ``softmax(q k^T, over the keys) v``."""
    expect_function(attend, "your attend function", "attend should be a function attend(q, k, v)")
    hint = ("one score per (query, key) pair; each query's weights over the keys must sum to 1; the output "
            "row of a query is its weighted average of the values")
    for q, k, v in _attention_cases():
        got = call_array(attend, "attend(q, k, v)", hint, q, k, v)
        want = _softmax(q @ k.T, -1) @ v
        if got.shape != want.shape:
            raise Wrong(f"attend returned shape {got.shape} for {len(q)} queries and values of size {v.shape[1]}; "
                        f"expected {want.shape}: one averaged value per query.", hint)
        if np.allclose(got, want, atol=1e-6):
            continue
        if np.allclose(got, _softmax(q @ k.T, 0) @ v, atol=1e-6):
            raise Wrong("Your softmax runs over the queries (axis 0): each key's weights sum to 1, so a "
                        "query's weights do not. Normalise along each row.", hint)
        if np.allclose(got, (q @ k.T) @ v, atol=1e-6):
            raise Wrong("There is no softmax: raw scores are not weights (they can be negative and do not sum "
                        "to 1).", hint)
        if np.allclose(got, _softmax(q @ k.T / np.sqrt(q.shape[1]), -1) @ v, atol=1e-6):
            raise Wrong("You divided the scores by sqrt(d), as Transformers do. SAGAN uses the plain dot "
                        "product; leave the scaling out here.", hint)
        raise Wrong(f"attend differs from softmax(q k^T) v by up to {np.abs(got - want).max():.3g}.", hint)
