"""Lesson 04's exercise checks (mode collapse): KL(q || uniform) of a mode histogram (4.1), PacGAN's
packing (4.2), and the minibatch standard deviation feature (4.3)."""

from __future__ import annotations

import math

import numpy as np

from gan_lib.coursework.checks.common import array, call, refusing
from gan_lib.coursework.exercises import Wrong, expect_function

#: What a lesson-04 function is told when it crashes.
CALL_HINT = "it receives NumPy arrays; return NumPy values"

#: Exercise 4.1's histograms of high-quality samples over the modes, and what KL(q || uniform) is for each.
KL_CASES_4_1 = ([10, 10, 10, 10], [40, 0, 0, 0], [30, 10, 0, 0], [3, 1, 0, 0, 0, 0, 0, 0])


def check_4_1(reverse_kl) -> None:
    """A function ``reverse_kl(counts)``: KL(q || uniform) of a histogram, None when it is all zeros.

    Calling ``mixtures.reverse_kl`` (the course's own) is refused (:class:`refusing`)."""
    from gan_lib.measure import mixtures

    expect_function(reverse_kl, "your reverse_kl function", "reverse_kl should be a function of the counts")
    hint = "turn the counts into shares q first; the formula in the text then sums over the modes that have q > 0"
    wants = [mixtures.reverse_kl(np.array(counts)) for counts in KL_CASES_4_1]
    with refusing("mixtures.reverse_kl", mixtures, "reverse_kl", answer=reverse_kl):
        _check_4_1_cases(reverse_kl, wants, hint)


def _check_4_1_cases(reverse_kl, wants, hint) -> None:
    for counts, want in zip(KL_CASES_4_1, wants):
        c = np.array(counts)
        with np.errstate(divide="ignore", invalid="ignore"):
            got = call(reverse_kl, f"reverse_kl({counts})", CALL_HINT, c)
        if got is None:
            raise Wrong(f"reverse_kl({counts}) returned None, but these counts have {c.sum()} samples.",
                        "return None only when there is no sample at all")
        try:
            v = float(got)
        except (TypeError, ValueError):
            raise Wrong(f"reverse_kl({counts}) should be one number, got {type(got).__name__}.") from None
        if math.isnan(v):
            raise Wrong(f"reverse_kl({counts}) is NaN: an empty mode gives 0 * log 0.",
                        "by convention 0 log 0 = 0: sum only over the modes with q > 0")
        if math.isinf(v):
            raise Wrong(f"reverse_kl({counts}) is infinite: that is KL(uniform || q), the other direction, "
                        "which explodes when a mode is missing.", "weight the logs by q, not by 1/K")
        c_f = c.astype(float)
        if abs(v - float(np.sum(c_f[c > 0] * np.log(len(c) * c_f[c > 0])))) < 1e-6 and abs(v - want) > 1e-6:
            raise Wrong(f"reverse_kl({counts}) = {v:.3f} uses the raw counts.", "divide the counts by their sum first")
        if abs(v - want) > 1e-6:
            raise Wrong(f"reverse_kl({counts}) = {v:.4f}, expected {want:.4f}.", hint)
    with np.errstate(divide="ignore", invalid="ignore"):
        empty = call(reverse_kl, "reverse_kl([0, 0, 0])", CALL_HINT, np.zeros(3, int))
    if empty is not None:
        raise Wrong(f"reverse_kl([0, 0, 0]) returned {empty!r}: with no high-quality sample there is no "
                    "histogram, so there is no number to give.", "return None when counts.sum() == 0")


def check_4_2(pack) -> None:
    """A function ``pack(x, m)``: PacGAN's packing of a NumPy batch ``(N, d)`` into ``(N / m, m d)``.

    Using the course's ``packing.Pack`` layer is refused (:class:`refusing`)."""
    from gan_lib.core import packing

    expect_function(pack, "your pack function", "pack should be a function pack(x, m)")
    x = np.arange(24, dtype=np.float32).reshape(12, 2)
    wants = {m: np.asarray(packing.Pack(m)(x)) for m in (1, 2, 3, 4)}
    with refusing("packing.Pack", packing, "Pack", answer=pack):
        got_all = {m: np.asarray(call(pack, f"pack(x, {m})", CALL_HINT, x.copy(), m)) for m in wants}
    for m, want in wants.items():
        got = got_all[m]
        if got.shape != want.shape:
            raise Wrong(f"pack(x, {m}) for x of shape {x.shape} has shape {got.shape}; expected {want.shape}.",
                        "a batch of N samples of d numbers becomes N / m packs of m * d numbers")
        if not np.array_equal(got, want):
            interleaved = x.reshape(m, -1, 2).transpose(1, 0, 2).reshape(-1, m * 2)
            if np.array_equal(got, interleaved):
                raise Wrong(f"pack(x, {m}) puts samples 0, {12 // m}, ... into the first pack: it takes every "
                            f"{12 // m}-th sample instead of {m} consecutive ones.",
                            "a plain (row-major) reshape keeps consecutive samples together; nothing needs transposing")
            raise Wrong(f"pack(x, {m}) has the right shape but the wrong numbers: its first pack is "
                        f"{got[0].tolist()}, expected {want[0].tolist()}.",
                        "pack i holds samples m*i ... m*i + m - 1, one after the other")


def check_4_3(minibatch_std) -> None:
    """A function ``minibatch_std(x)``: the batch's mean feature std, appended as one more column.

    Using the course's ``layers.MinibatchStd`` is refused (:class:`refusing`)."""
    from gan_lib.core import layers

    expect_function(minibatch_std, "your minibatch_std function",
                    "minibatch_std should be a function of a batch x")
    rng = np.random.default_rng(4)
    x = (rng.normal(size=(16, 3)) * [1.0, 2.0, 0.5]).astype(np.float32)
    want = np.asarray(layers.MinibatchStd(epsilon=0.0)(x), np.float64)
    with refusing("layers.MinibatchStd", layers, "MinibatchStd", answer=minibatch_std):
        got = array(call(minibatch_std, "minibatch_std(x)", CALL_HINT, x.copy()), "minibatch_std(x)")
    if got.shape != want.shape:
        raise Wrong(f"minibatch_std(x) for x of shape {x.shape} has shape {got.shape}; expected {want.shape}.",
                    "keep every column of x and append one column (the same number in every row)")
    if not np.allclose(got[:, :3], x, atol=1e-6):
        raise Wrong("The first columns of your output are not x itself.", "append the new column: np.concatenate")
    s = got[:, 3]
    if np.allclose(s, x.std(axis=0, ddof=1).mean(), atol=1e-5):
        raise Wrong("You used the sample std (ddof=1); the layer uses the population std over the batch.",
                    "np.std's default ddof=0")
    if np.allclose(s, x.std(axis=1), atol=1e-5):
        raise Wrong("Your new column differs from row to row: you took the std across each sample's features.",
                    "the std is over the batch (axis 0), one per feature, then averaged into one number")
    if not np.allclose(s, want[:, 3], atol=1e-5):
        raise Wrong(f"The appended column is {s[0]:.4f}, expected {want[0, 3]:.4f}.",
                    "read the text again for the order: one spread per feature over the batch first, then "
                    "one number from those")
