"""Lesson 04's exercise checks (mode collapse): KL(q || uniform) of a mode histogram (4.1), PacGAN's
packing (4.2), the minibatch standard deviation feature (4.3), and an open experiment: one change that
makes the vanilla GAN cover the 5x5 grid, over three seeds (4.4)."""

from __future__ import annotations

import functools
import math

import numpy as np

from gan_lib.coursework.checks.common import (
    architecture,
    array,
    call,
    refusing,
    three_trained_runs,
    trained_gan_samples,
    training_recipe,
)
from gan_lib.coursework.exercises import Wrong, expect_done, expect_function

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


# --------------------------------------------------------------------------- 4.4 (open): cover the grid

#: Exercise 4.4's bar, per seed, for the 2,500 samples the check draws itself from each GAN. Full mode
#: (the recipe's 4,000 steps): every mode of the grid and a reverse KL of at most 0.1, which section 5's
#: vanilla runs miss in every seed (20 to 23 modes, KL 0.37 to 0.73) and its R1 runs meet in every seed
#: (25 modes, KL at most 0.03). Quick mode (500 steps, where no model tried yet covers the grid: vanilla
#: and R1 both hit 17 to 21 modes with about 2% high-quality samples) asks only that each run learned
#: the grid's scale: at least 5 modes, where an untrained generator hits at most 1.
BAR_4_4 = {"full": {"modes": 25, "reverse_kl_max": 0.1}, "quick": {"modes": 5, "reverse_kl_max": None}}
#: The most generator steps a run may take (the recipe's budget in full mode).
STEPS_4_4 = 4000


@functools.lru_cache(maxsize=1)
def _vanilla_4_4():
    """Section 3's vanilla GAN on the grid, as a recipe to compare with (built once, never trained)."""
    from gan_lib.lessons import collapse

    gan = collapse.build_remedy("grid", "vanilla", 0)
    gan.batch_sizes_used = (collapse.RECIPE["batch_size"],)
    return gan


def check_4_4(answer) -> None:
    """``{"change": what you changed, "gans": [three trained GANs, one per seed]}``: the vanilla GAN of
    section 3 on the grid with **one** thing changed (not G's network or latent), judged by what its runs
    achieve on samples the check draws itself.

    The check reads each GAN's recipe back (:func:`training_recipe`) and compares it with section 3's
    vanilla GAN: exactly one part may differ, G must be the lesson's toy MLP, no run may take more than
    :data:`STEPS_4_4` generator steps, and the three runs must be three seeds. Each generator is then
    scored on 2,500 fresh latents of the check's own against :data:`BAR_4_4` (full mode, or the lower
    quick-mode bar when ``GAN_COURSE_QUICK`` is set)."""
    from gan_lib.core import config
    from gan_lib.measure import mixtures

    expect_done(answer, "answer_4_4")
    if not isinstance(answer, dict) or not {"change", "gans"} <= set(answer):
        raise Wrong(f"answer_4_4 should be a dict with keys 'change' and 'gans', got {answer!r:.80}.",
                    '{"change": "what you changed, in a few words", "gans": [gan_seed0, gan_seed1, gan_seed2]}')
    if not isinstance(answer["change"], str) or not answer["change"].strip():
        raise Wrong("answer_4_4['change'] should say in a few words what you changed.",
                    'e.g. "R1 penalty on D, weight 1"')
    gans = three_trained_runs(expect_done(answer["gans"], "answer_4_4['gans']"), "answer_4_4['gans']")
    vanilla = _vanilla_4_4()
    base = training_recipe(vanilla)
    for i, gan in enumerate(gans):
        if gan.latent_dim != vanilla.latent_dim or architecture(gan.generator) != architecture(vanilla.generator):
            raise Wrong(f"answer_4_4['gans'][{i}]'s generator is not the lesson's ({gan.generator.count_params():,} "
                        f"parameters, latent {gan.latent_dim}; the lesson's toy MLP has "
                        f"{vanilla.generator.count_params():,}, latent {vanilla.latent_dim}). The exercise keeps G "
                        "and its latent as they are and changes something else.",
                        "build G with models.toy_mlp(8, 128, 3), or start from collapse.build_remedy('grid', ...)")
        steps = int(gan.g_optimizer.iterations)
        if steps > STEPS_4_4:
            raise Wrong(f"answer_4_4['gans'][{i}] took {steps:,} generator steps; the budget is the recipe's "
                        f"{STEPS_4_4:,}. Training longer is not the one change this exercise asks for.",
                        f"train for at most {STEPS_4_4:,} steps (quick mode: fewer)")
        mine = training_recipe(gan)
        changed = [k for k in base if mine[k] != base[k]]
        if not changed:
            raise Wrong(f"answer_4_4['gans'][{i}] is section 3's vanilla GAN: nothing in its loss, penalties, "
                        "networks, optimizers, weight average, D steps or batch size differs.",
                        "change one of those, and only one")
        if len(changed) > 1:
            raise Wrong(f"answer_4_4['gans'][{i}] changes {len(changed)} things at once: {', '.join(changed)}. "
                        "With two changes the runs cannot say which one helped (section 5's pacgan and mbstd "
                        "rows are R1 plus one more piece).", "keep everything but one of them as in section 3")
    if len({tuple(k for k in base if training_recipe(g)[k] != base[k]) for g in gans}) > 1 or \
            len({repr(training_recipe(g)) for g in gans}) > 1:
        raise Wrong("Your three runs do not share one recipe: they differ in more than the seed.",
                    "build the three GANs the same way, with seeds 0, 1 and 2")
    mode = "quick" if config.quick_mode() else "full"
    bar = BAR_4_4[mode]
    rows = []
    for i, gan in enumerate(gans):
        samples = trained_gan_samples(gan, mixtures.N_SCORE, 44 + i, f"answer_4_4['gans'][{i}]")
        rows.append(mixtures.score(samples, "grid"))
    said = "; ".join(f"seed {g.seed}: {r['modes']}/25 modes, reverse KL {mixtures.format_kl(r['reverse_kl'])}"
                     for g, r in zip(gans, rows))
    low = [r for r in rows if r["modes"] < bar["modes"]]
    if low:
        raise Wrong(f"On 2,500 fresh samples of each generator ({said}), {len(low)} of 3 runs cover fewer than "
                    f"{bar['modes']} modes ({mode}-mode bar).",
                    "look at your runs' scatter plots: which modes are missing, and when during training did "
                    "they go? Then try another change")
    if bar["reverse_kl_max"] is not None:
        uneven = [r for r in rows if r["reverse_kl"] is None or r["reverse_kl"] > bar["reverse_kl_max"]]
        if uneven:
            raise Wrong(f"Every mode is covered, but not evenly ({said}): the bar asks for a reverse KL of at "
                        f"most {bar['reverse_kl_max']} in every seed.",
                        "a generator that hops between modes leaves an uneven histogram at the end")
