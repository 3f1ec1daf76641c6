"""Lesson 06's exercise checks (stabilising training): D's loss with one-sided label smoothing (6.1),
feature matching (6.2), WGAN-GP's interpolated points (6.3), and an open experiment: one trick on the
lesson's recipe over three seeds (6.4)."""

from __future__ import annotations

import functools
import math

import numpy as np

from gan_lib.coursework.checks.common import (
    architecture,
    array,
    call,
    number,
    refusing,
    three_trained_runs,
    trained_gan_samples,
    training_recipe,
)
from gan_lib.coursework.exercises import Wrong, expect_done, expect_function

#: What a lesson-06 function is told when it crashes, and what its loss should be.
CALL_HINT = "it receives NumPy arrays; return a number"
ONE_LOSS = "one number (the mean over the batch)"

#: Exercise 6.1's cases: (real logits, fake logits, real label). The last has batches of different sizes
#: (a loss that pairs real i with fake i works only when they are equal).
SMOOTH_CASES_6_1 = (([2.0, -1.0, 0.5], [-3.0, 0.0, 1.0], 0.9), ([0.0, 0.0], [0.0, 0.0], 1.0),
                    ([4.0, 1.0], [-2.0, -0.5], 0.8), ([1.5, -0.5, 3.0], [-1.0, 2.0], 0.9))


def check_6_1(smoothed_d_loss) -> None:
    """A function ``smoothed_d_loss(real_logits, fake_logits, real_label)``: D's BCE with one-sided smoothing.

    Calling the course's ``losses.discriminator_loss`` (or ``discriminator_loss_flipped``, or the
    cross-entropy behind both) is refused (:class:`refusing`)."""
    from gan_lib.core import losses

    expect_function(smoothed_d_loss, "your smoothed_d_loss function", "smoothed_d_loss should be a function")
    wants = [float(losses.discriminator_loss(np.array(r)[:, None], np.array(f)[:, None], label))
             for r, f, label in SMOOTH_CASES_6_1]
    with refusing("losses.discriminator_loss", losses, "discriminator_loss", losses, "discriminator_loss_flipped",
                  losses, "_bce_with_logits", answer=smoothed_d_loss,
                  what="the course's own version of the loss this exercise asks you to write"):
        _check_6_1_cases(smoothed_d_loss, wants)


def _check_6_1_cases(smoothed_d_loss, wants) -> None:
    hint = ("each batch gets its own mean of a binary cross-entropy from logits; the real images' target is "
            "real_label, the fakes' 0; write BCE with softplus (np.logaddexp(0, .)) as section 2.1 does")

    def bce(logits, t):
        return np.mean(t * np.logaddexp(0, -logits) + (1 - t) * np.logaddexp(0, logits))

    for (real, fake, label), want in zip(SMOOTH_CASES_6_1, wants):
        r, f = np.array(real), np.array(fake)
        what = f"smoothed_d_loss({real}, {fake}, {label})"
        with np.errstate(all="ignore"):
            try:
                got = number(call(smoothed_d_loss, what, CALL_HINT, r, f, label), what, hint, one=ONE_LOSS)
            except Wrong as e:
                if len(r) == len(f) or "broadcast" not in str(e):
                    raise
                raise Wrong(f"{what} fails for {len(r)} real and {len(f)} fake logits: you add the real and fake "
                            "terms sample by sample, which needs batches of equal size.",
                            "take the mean over the real batch and the mean over the fake batch separately, "
                            "then add the two means") from None
        if abs(got - want) <= 1e-4:
            continue
        if label < 1 and abs(got - (bce(r, label) + bce(f, 1 - label))) < 1e-4:
            raise Wrong(f"{what} = {got:.4f}: you smoothed the fake labels too (target {1 - label:g} instead of 0).",
                        "one-sided: only the real labels move; a soft fake label would reward G's mistakes")
        if label < 1 and abs(got - (bce(r, 1.0) + bce(f, 0.0))) < 1e-4:
            raise Wrong(f"{what} = {got:.4f} ignores real_label: that is the unsmoothed loss.",
                        "use real_label as the real images' target")
        if label < 1 and abs(got - (label * bce(r, 1.0) + bce(f, 0.0))) < 1e-4:
            raise Wrong(f"{what} = {got:.4f}: you scaled the real images' loss by real_label. A target of 0.9 "
                        "is not 0.9 times the loss for a target of 1: it also charges D for being too sure.",
                        "with target t, BCE has two terms, one weighted by t and one by 1 - t")
        if abs(got - (len(r) * bce(r, label) + len(f) * bce(f, 0.0))) < 1e-4:
            raise Wrong(f"{what} = {got:.4f}: you summed over the batch.", "take the mean over each batch")
        raise Wrong(f"{what} = {got:.4f}, expected {want:.4f}.", hint)
    big = np.array([60.0, -60.0])
    with np.errstate(all="ignore"):
        got = number(call(smoothed_d_loss, "smoothed_d_loss(large logits)", CALL_HINT, big, -big, 0.9), "the loss",
                     one=ONE_LOSS)
    if not math.isfinite(got):
        raise Wrong(f"For logits of ±60 your loss is {got}: log(sigmoid(l)) underflows to log(0).",
                    "work with logits: -log(sigmoid(l)) = softplus(-l) = np.logaddexp(0, -l)")


def check_6_2(feature_matching) -> None:
    """A function ``feature_matching(f_real, f_fake)``: ``||mean f_real - mean f_fake||^2``.

    Calling the course's ``penalties.feature_matching_distance`` is refused (:class:`refusing`)."""
    from gan_lib.core import penalties

    expect_function(feature_matching, "your feature_matching function",
                    "feature_matching should be a function")
    rng = np.random.default_rng(6)
    f_real = rng.normal(1.0, 1.0, (32, 5))
    f_fake = rng.normal(0.0, 2.0, (32, 5))
    with refusing("penalties.feature_matching_distance", penalties, "feature_matching_distance",
                  answer=feature_matching,
                  what="the course's own version of the distance this exercise asks you to write"):
        got = number(call(feature_matching, "feature_matching(f_real, f_fake)", CALL_HINT, f_real, f_fake),
                     "feature_matching(f_real, f_fake)", one=ONE_LOSS)
        same = number(call(feature_matching, "feature_matching(f, f[::-1])", CALL_HINT, f_real, f_real[::-1]),
                      "feature_matching(f, f[::-1])", one=ONE_LOSS)
    diff = f_real.mean(0) - f_fake.mean(0)
    want = float(np.sum(diff ** 2))
    if abs(got - want) <= 1e-6 * max(1.0, want):
        if abs(same) > 1e-9:
            raise Wrong(f"The same batch in another order scores {same:.4f}, not 0.",
                        "compare the two batches' mean features, not sample by sample")
        return
    pairwise = float(np.mean(np.sum((f_real - f_fake) ** 2, axis=1)))
    if abs(got - pairwise) < 1e-6 * max(1.0, pairwise):
        raise Wrong(f"You compared sample i of the real batch with sample i of the fakes ({got:.3f}); "
                    f"feature matching compares the batches' means ({want:.3f}).",
                    "take the mean over the batch first, then the squared distance")
    if abs(got - np.sqrt(want)) < 1e-6:
        raise Wrong(f"{got:.4f} is the distance itself; the loss is its square ({want:.4f}).",
                    "the loss is the squared Euclidean distance")
    if abs(got - want / diff.size) < 1e-6:
        raise Wrong(f"{got:.4f} is the mean over the {diff.size} features; the squared norm sums them ({want:.4f}).",
                    "a squared Euclidean norm adds up the squares of every coordinate")
    if abs(got - float(np.sum(np.abs(diff)))) < 1e-6:
        raise Wrong(f"{got:.4f} adds up the absolute differences of the means (an L1 distance); feature matching "
                    f"is the squared Euclidean distance ({want:.4f}).", "square the differences instead")
    raise Wrong(f"feature_matching(f_real, f_fake) = {got:.4f}, expected {want:.4f}.",
                "one mean feature vector per batch (average over the samples, axis 0), then the squared "
                "Euclidean distance between the two vectors")


#: What exercise 6.3's interpolate should return.
IMAGES_HINT = "return the points themselves, a NumPy array shaped like real"


def _weights_6_3(real, fake, got):
    """Per sample: the weight ``eps`` that puts the point nearest ``got`` on the line through fake and
    real, and how far ``got`` is from that line (0 for a point on it)."""
    n = len(real)
    r, f, x = (np.asarray(a, np.float64).reshape(n, -1) for a in (real, fake, got))
    d = r - f
    eps = np.sum((x - f) * d, axis=1) / np.sum(d * d, axis=1)
    off = np.abs(x - (f + eps[:, None] * d)).max(axis=1)
    return eps, off


def check_6_3(interpolate) -> None:
    """A function ``interpolate(real, fake, rng)``: WGAN-GP's points, one uniform weight per sample.

    The check's real and fake images are random (not constant), so each point's weight is read back from
    where it lies between its pair; the weights must come from the ``rng`` given (the same seed gives the
    same points, another seed other points). Calling ``penalties.GradientPenalty.interpolates`` is
    refused (:class:`refusing`)."""
    from gan_lib.core import penalties

    expect_function(interpolate, "your interpolate function",
                    "interpolate should be a function interpolate(real, fake, rng)")
    n = 1000  # small images: a weight of shape (N,) broadcasts to N x N images before the shape is seen
    data_rng = np.random.default_rng([6, 3])
    real = data_rng.uniform(-1, 1, (n, 3, 3, 1)).astype(np.float32)
    fake = data_rng.uniform(-1, 1, (n, 3, 3, 1)).astype(np.float32)
    def run(seed):
        got = array(call(interpolate, "interpolate(real, fake, rng)", CALL_HINT, real.copy(), fake.copy(),
                         np.random.default_rng(seed)), "interpolate", IMAGES_HINT, kind="a batch of images")
        if got.shape != real.shape:
            raise Wrong(f"interpolate(real, fake, rng) for batches of shape {real.shape} has shape {got.shape}.",
                        "draw eps with shape (N, 1, 1, 1) so it broadcasts over each image")
        return got

    with refusing("penalties.GradientPenalty.interpolates", penalties.GradientPenalty, "interpolates",
                  what="the course's own version of what this exercise asks you to write"):
        runs = [run(seed) for seed in (0, 0, 1)]
    got = runs[0]
    eps, off = _weights_6_3(real, fake, got)
    if off.max() > 1e-4:
        flat = (got - fake).reshape(n, -1) / np.where(np.abs((real - fake).reshape(n, -1)) > 1e-3,
                                                       (real - fake).reshape(n, -1), np.nan)
        if np.nanmax(np.nanstd(flat, axis=1)) > 1e-3 and np.all(np.nanmin(flat, axis=1) >= -1e-4) \
                and np.all(np.nanmax(flat, axis=1) <= 1 + 1e-4):
            raise Wrong("The weight differs between pixels of one image: the points are not on the line from the "
                        "fake to the real image.",
                        "one eps per sample, broadcast over its pixels: shape (N, 1, 1, 1)")
        raise Wrong(f"Some points are up to {off.max():.3f} away from the line through their fake and real "
                    "image: they are not eps * real + (1 - eps) * fake for any eps.",
                    "the two weights must add up to 1, and multiply the real and the fake image")
    if np.allclose(eps, eps[0]):
        raise Wrong("Every sample got the same weight: one eps for the whole batch checks one line only.",
                    "one eps per sample: shape (N, 1, 1, 1)")
    if eps.min() < -1e-6 or eps.max() > 1 + 1e-6:
        raise Wrong(f"Weights range from {eps.min():.2f} to {eps.max():.2f}: points outside the segment between "
                    "the fake and the real image (a normal draw does this).", "draw from a uniform distribution")
    if abs(eps.mean() - 0.5) > 0.05 or abs(eps.std() - np.sqrt(1 / 12)) > 0.05:
        raise Wrong(f"The weights have mean {eps.mean():.2f} and std {eps.std():.2f}; uniform on [0, 1] "
                    f"has 0.50 and {np.sqrt(1 / 12):.2f}.", "draw from a uniform distribution on [0, 1]")
    if not np.allclose(runs[1], got):
        raise Wrong("Two calls with generators of the same seed gave different points: the weights do not come "
                    "from the rng you were given.", "draw eps with rng, the generator passed in")
    if np.allclose(runs[2], got):
        raise Wrong("Generators of two different seeds gave the same points: the weights do not come from the "
                    "rng you were given.", "draw eps with rng, the generator passed in")


# --------------------------------------------------------------------------- 6.4 (open): one trick, three seeds

#: Exercise 6.4's budget and bar. Full mode: at least 500 generator steps per run (two epochs of the
#: 8,000 digits; the stored baseline runs' weight average is at FD(1,000) 70.5 to 75.7 there, so the
#: recipe already works at that budget, the lesson's condition for comparing tricks), and each run
#: must meet the course's "it learned digits" bar (``metrics.LEARNED``) on the check's own samples.
#: Quick mode (CI: 40 steps on 640 digits) has no quality bar: there the weight average the course
#: samples from has barely moved (measured: FD 382.6 after 40 steps of ``smooth``, seed 0, against
#: 379.1 for an untrained generator), so only the recipe, the seeds, the budget and the reported
#: numbers are checked.
MIN_STEPS_6_4 = {"full": 500, "quick": 40}
#: How far a reported FD may be from the check's own FD of 1,000 fresh samples (relative, absolute):
#: other latents and another sample size move FD by a few per cent (about 3,000 / n of bias).
FD_TOLERANCE_6_4 = (0.15, 10.0)


@functools.lru_cache(maxsize=32)
def _variant_recipe(trick: str, seed: int):
    """What a run of ``trick`` with ``seed`` is, as :func:`training_recipe` reads it, with G's network and
    latent size (the lesson's recipe, trained with ``fit_images`` at its batch size)."""
    from gan_lib.lessons import stabilise

    ref = stabilise.build_variant(trick, seed)
    ref.batch_sizes_used = (stabilise.RECIPE["batch_size"],)
    return training_recipe(ref), architecture(ref.generator), ref.latent_dim


def _score_6_4(gan, i: int) -> dict:
    """``metrics.evaluate`` of 1,000 samples the check draws itself from run ``i``'s generator."""
    from gan_lib.measure import metrics

    return metrics.evaluate(trained_gan_samples(gan, 1000, 64 + i, f"answer_6_4['gans'][{i}]"))


def check_6_4(answer) -> None:
    """``{"trick": a name of stabilise.VARIANTS, "gans": [three trained GANs], "fd": [their three FDs]}``:
    one stabilising trick on the lesson's recipe, three seeds, the FDs the student measured.

    The check reads each GAN's recipe back (:func:`training_recipe`) and compares it with
    ``stabilise.build_variant(trick, seed)``: the trick must really be on and nothing else changed
    (the generator is the course DCGAN), the runs are three seeds with the same number of steps, at
    least :data:`MIN_STEPS_6_4`. It draws 1,000 samples from each generator itself and scores them;
    the reported FDs must agree with its own (:data:`FD_TOLERANCE_6_4`), so numbers from other runs,
    the stored table or real data are refused. The bar: the course's ``metrics.LEARNED`` for every
    run in full mode; none in quick mode (see :data:`MIN_STEPS_6_4`)."""
    from gan_lib.core import config
    from gan_lib.lessons import stabilise
    from gan_lib.measure import metrics

    expect_done(answer, "answer_6_4")
    if not isinstance(answer, dict) or not {"trick", "gans", "fd"} <= set(answer):
        raise Wrong(f"answer_6_4 should be a dict with keys 'trick', 'gans' and 'fd', got {answer!r:.80}.",
                    '{"trick": "smooth", "gans": [gan_0, gan_1, gan_2], "fd": [fd_0, fd_1, fd_2]}')
    trick = answer["trick"]
    tricks = [v for v in stabilise.VARIANTS if v != "baseline"]
    if trick not in tricks:
        raise Wrong(f"answer_6_4['trick'] is {trick!r}; pick one of {', '.join(tricks)}.",
                    "the names of stabilise.VARIANTS, the rows of section 3's table")
    gans = three_trained_runs(expect_done(answer["gans"], "answer_6_4['gans']"), "answer_6_4['gans']")
    mode = "quick" if config.quick_mode() else "full"
    steps = [int(g.g_optimizer.iterations) for g in gans]
    if len(set(steps)) > 1:
        raise Wrong(f"Your runs took {', '.join(map(str, steps))} generator steps: a comparison over seeds needs "
                    "the same budget in each.", "train every seed for the same number of steps")
    if steps[0] < MIN_STEPS_6_4[mode]:
        raise Wrong(f"Your runs took {steps[0]} generator steps; the exercise asks for at least "
                    f"{MIN_STEPS_6_4[mode]} ({mode} mode), a budget at which the recipe's baseline already learns.",
                    "train longer (two epochs of the 8,000 digits are 500 steps at batch 32)")
    for i, gan in enumerate(gans):
        want, g_arch, latent_dim = _variant_recipe(trick, gan.seed)
        mine = training_recipe(gan)
        differ = [k for k in want if mine[k] != want[k]]
        if gan.latent_dim != latent_dim or architecture(gan.generator) != g_arch:
            differ.insert(0, "G's network")
        if differ:
            shown = "; ".join(f"{k}: yours {mine[k]!r:.70}, {trick}'s {want[k]!r:.70}" if k != "G's network"
                              else "G's network is not the course DCGAN" for k in differ[:2])
            raise Wrong(f"answer_6_4['gans'][{i}] is not the lesson's recipe with {trick} on: {shown}.",
                        f"build each run with stabilise.build_variant({trick!r}, seed) and train it with "
                        "fit_images at the recipe's batch size")
    reported = answer["fd"]
    if not isinstance(reported, (list, tuple)) or len(reported) != 3:
        raise Wrong("answer_6_4['fd'] should be the three FDs you measured, one per run, in the order of 'gans'.")
    try:
        reported = [float(v) for v in reported]
    except (TypeError, ValueError):
        raise Wrong(f"answer_6_4['fd'] should hold three numbers, got {answer['fd']!r:.80}.") from None
    results = [_score_6_4(gan, i) for i, gan in enumerate(gans)]
    rel, absolute = FD_TOLERANCE_6_4
    for i, (r, res) in enumerate(zip(reported, results)):
        if not abs(r - res["fd"]) <= max(rel * res["fd"], absolute):
            raise Wrong(f"You report FD {r:.1f} for run {i} (seed {gans[i].seed}), but 1,000 fresh samples of "
                        f"its generator score {res['fd']:.1f}: that number was not measured on this GAN.",
                        "measure each FD with metrics.evaluate on samples of the GAN you hand in")
    said = "; ".join(f"seed {g.seed}: FD {res['fd']:.1f}" for g, res in zip(gans, results))
    if mode == "full":
        failed = [(g, res) for g, res in zip(gans, results) if not all(metrics.learned(res).values())]
        if failed:
            raise Wrong(f"On the check's own samples ({said}), {len(failed)} of 3 runs do not meet the course's "
                        "'learned digits' bar (metrics.LEARNED): the comparison needs a budget at which every run "
                        "works.", "train longer, or say in your report which seeds failed and why")
