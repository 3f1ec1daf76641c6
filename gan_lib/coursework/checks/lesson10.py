"""Lesson 10's exercise checks (GANs with little data): a differentiable shift (10.1), ADA's
controller step (10.2), and the best 250-digit run one can make (10.3)."""

from __future__ import annotations

import numpy as np

from gan_lib.coursework.checks.common import array, call, number
from gan_lib.coursework.exercises import Wrong, expect_done, expect_function

#: 10.1's cases: (dy, dx) per image, down and right positive (the last image is a frame with ink on every edge).
SHIFTS_10_1 = ((0, 0), (2, -3), (-4, 1), (3, 3), (-1, -4), (4, 0), (3, -2))
#: 10.2's target r_t (ADA's).
TARGET_10_2 = 0.6
#: 10.3: generator steps the check trains for, per mode (full: the lesson's budget, little_data.RECIPE["steps"]);
#: the FD bar applies in full mode only.
STEPS_10_3 = {"full": 2000, "quick": 100}
#: 10.3 passes when the FD is below the stored no-augmentation run (seed 0) by at least this much: a re-run
#: of that very recipe, on a CPU that rounds differently, must not pass.
MARGIN_10_3 = 1.0


def _oracle_shift(img, dy, dx, fill=-1.0):
    out = np.full_like(img, fill)
    h, w = img.shape[:2]
    src = img[max(0, -dy):h - max(0, dy), max(0, -dx):w - max(0, dx)]
    out[max(0, dy):max(0, dy) + src.shape[0], max(0, dx):max(0, dx) + src.shape[1]] = src
    return out


def _case_10_1():
    from gan_lib import data

    x = data.load_digits("heldout", limit=len(SHIFTS_10_1) - 1, verbose=False).images
    frame = -np.ones((1, 28, 28, 1), np.float32)  # ink touching every edge: a shift that wraps around shows
    frame[0, [0, 1, -2, -1], :] = frame[0, :, [0, 1, -2, -1]] = 1.0
    frame[0, 10:18, 12:16] = 1.0
    return np.concatenate([x, frame]), np.array(SHIFTS_10_1, np.int32)


def _matches(got, x, shifts, **kw):
    return all(np.allclose(g, _oracle_shift(i, int(dy), int(dx), **kw), atol=1e-6)
               for g, i, (dy, dx) in zip(got, x, shifts))


def check_10_1(shift_images) -> None:
    """``shift_images(images, shifts)`` moves image ``i`` down ``shifts[i, 0]`` and right ``shifts[i, 1]``
    pixels, with the background (-1) moving in, using TensorFlow/Keras operations so that gradients
    flow back to the pixels that were kept."""
    import tensorflow as tf

    expect_function(shift_images, "your shift_images function", "shift_images should be a function")
    x, shifts = _case_10_1()
    hint = "images is a float32 tensor (N, 28, 28, 1), shifts an int32 array (N, 2); return a tensor of images' shape"
    got = array(expect_done(call(shift_images, "shift_images(images, shifts)", hint, tf.constant(x), shifts.copy()),
                            "the value your function returns"), "shift_images", hint)
    if got.shape != x.shape:
        raise Wrong(f"shift_images returned shape {got.shape}; expected {x.shape}, the shape of the images.", hint)
    if not _matches(got, x, shifts):
        rolled = [np.roll(i, (int(dy), int(dx)), axis=(0, 1)) for i, (dy, dx) in zip(x, shifts)]
        if all(np.allclose(g, r, atol=1e-6) for g, r in zip(got, rolled)):
            raise Wrong("Your shift wraps around: ink that leaves at one edge comes back at the other.",
                        "pad the images with the background value -1, then cut the shifted window out of the "
                        "padded image (tf.pad, then a gather or a slice), instead of tf.roll")
        if _matches(got, x, shifts, fill=0.0):
            raise Wrong("Your shift fills the uncovered border with 0, which is mid-grey in [-1, 1]: D would "
                        "see a grey band that no real digit has.",
                        "fill with -1, the digits' black background (pad images - (-1) with zeros, add -1 back)")
        if _matches(got, x, -shifts):
            raise Wrong("Your images move the wrong way: up for a positive dy, left for a positive dx.",
                        "output pixel (i, j) reads input pixel (i - dy, j - dx)")
        if _matches(got, x, shifts[:, ::-1]):
            raise Wrong("Your shift swaps the axes: dy moves the image right and dx down.",
                        "shifts[:, 0] is the row (axis 1 of the batch), shifts[:, 1] the column (axis 2)")
        bad = next(k for k, (g, i, (dy, dx)) in enumerate(zip(got, x, shifts))
                   if not np.allclose(g, _oracle_shift(i, int(dy), int(dx)), atol=1e-6))
        raise Wrong(f"Image {bad} (shift {tuple(int(v) for v in shifts[bad])}) is not the input moved by that "
                    "many whole pixels with -1 moving in.", "compare your output with the input on a digit of your own")
    variable = tf.Variable(x)
    try:
        with tf.GradientTape() as tape:
            out = shift_images(variable, shifts.copy())
            total = tf.reduce_sum(tf.convert_to_tensor(out))
        grad = tape.gradient(total, variable)
    except Exception as e:  # e.g. NumPy called on a tensor being watched
        raise Wrong(f"shift_images could not be differentiated ({type(e).__name__}: {str(e)[:100]}).",
                    "use tf or keras.ops operations only, no NumPy: G's gradient must flow through the shift") from None
    if grad is None:
        raise Wrong("No gradient flows through your shift_images: it leaves TensorFlow (NumPy, .numpy(), "
                    "or a constant), so G could not learn through it.",
                    "build the output from the input tensor with tf.pad and tf.gather (or slicing)")
    kept = np.stack([_oracle_shift(np.ones_like(i), -int(dy), -int(dx), fill=0.0) for i, (dy, dx) in zip(x, shifts)])
    if not np.allclose(np.asarray(grad), kept, atol=1e-6):
        raise Wrong("The gradient of the sum of your output is not 1 on every kept pixel and 0 on every "
                    "pixel pushed out of the image.", "let each output pixel be exactly one input pixel (or the fill)")


def _logits(positive: int, negative: int) -> np.ndarray:
    rng = np.random.default_rng(positive * 100 + negative)
    return np.concatenate([rng.uniform(0.1, 3.0, positive), -rng.uniform(0.1, 3.0, negative)]).astype(np.float32)


#: 10.2's cases: (p, positive logits, negative logits, speed) -> the new p by ADA's rule.
CASES_10_2 = ((0.5, 70, 30, 1000.0), (0.5, 55, 45, 1000.0), (0.5, 78, 22, 1000.0), (0.02, 10, 90, 1000.0),
              (0.99, 95, 5, 1000.0), (0.3, 81, 19, 500_000.0), (0.4, 85, 15, 100.0))


def _ada_rule(p, logits, speed, target=TARGET_10_2, *, use_acc=False, clip="both", proportional=False, sign=1.0):
    """The new p; ``clip`` "both" ([0, 1], the course's), "low" (at 0 only, ADA's own code) or "none"."""
    rt = float(np.mean(logits > 0)) if use_acc else float(np.mean(np.sign(logits)))
    step = (rt - target) if proportional else np.sign(rt - target)
    p = p + sign * step * len(logits) / speed
    return {"both": float(np.clip(p, 0.0, 1.0)), "low": float(max(p, 0.0)), "none": float(p)}[clip]


def check_10_2(ada_update) -> None:
    """``ada_update(p, real_logits, speed)`` is one step of ADA's controller: ``r_t = mean(sign(logits))``,
    ``p + sign(r_t - 0.6) * len(logits) / speed``, clipped to [0, 1] (clipping at 0 only, as ADA's own
    code does, passes too)."""
    expect_function(ada_update, "your ada_update function", "ada_update should be a function")
    hint = "return one number, the new p"
    results = []  # (p, logits, speed, what was called, what came back)
    for p, pos, neg, speed in CASES_10_2:
        logits = _logits(pos, neg)
        args = f"ada_update({p}, logits with {pos} positive and {neg} negative, speed={speed:g})"
        got = number(expect_done(call(ada_update, args, hint, p, logits.copy(), speed), "the value ada_update returns"),
                     args, hint)
        results.append((p, logits, speed, args, got))

    def agrees(**kw):
        return all(abs(got - _ada_rule(p, lg, sp, **kw)) <= 1e-9 + 1e-6 * abs(_ada_rule(p, lg, sp, **kw))
                   for p, lg, sp, _, got in results)

    if agrees() or agrees(clip="low"):  # ADA's own code clips at 0 only; either passes
        return
    p, logits, speed, args, got = next(r for r in results if abs(r[4] - _ada_rule(*r[:3])) > 1e-9 + 1e-6 * abs(
        _ada_rule(*r[:3])))  # the first case that fails
    want, rt = _ada_rule(p, logits, speed), float(np.mean(np.sign(logits)))
    for kw, message, fix in (
            ({"use_acc": True}, "You used the share of logits above 0 as r_t; ADA's r_t is the mean of their "
             f"signs (here {rt:.2f}), which runs from -1 to 1.", "r_t = np.mean(np.sign(logits))"),
            ({"clip": "none"}, "Your p goes below 0: a probability must be clipped.",
             "np.clip(p, 0, 1) after the step"),
            ({"proportional": True}, "Your step is proportional to r_t - 0.6; ADA moves p by a fixed amount in "
             "the direction of its sign.", "np.sign(r_t - 0.6) * len(logits) / speed"),
            ({"sign": -1.0}, "Your p moves the wrong way: when D is too sure of the reals (r_t above 0.6) p must "
             "rise, giving D more augmentation.", "p + np.sign(r_t - 0.6) * ..."),
    ):
        if agrees(**kw):
            raise Wrong(f"{args} returned {got:.6f}; expected {want:.6f}. {message}", fix)
    raise Wrong(f"{args} returned {got:.6f}; expected {want:.6f} (r_t = {rt:.2f}).",
                "p + sign(r_t - 0.6) * (number of logits) / speed, clipped to [0, 1]")


def _bar_10_3():
    """The FD to beat in full mode: the stored 250-digit run without augmentation, seed 0."""
    from gan_lib.lessons import little_data

    try:
        doc = little_data.load_results()
    except FileNotFoundError:
        return None
    if doc.get("mode") != "full":
        return None
    run = next((r for r in doc["runs"] if r["size"] == 250 and r["method"] == "none" and r["seed"] == 0
                and r["steps"] == little_data.RECIPE["steps"]), None)
    return None if run is None or run["scores"] is None else float(run["scores"]["fd"])


def check_10_3(answer) -> None:
    """``{"build": build}``: ``build(seed)`` returns a compiled course ``GAN`` for 28x28 digits. The check
    trains it itself, on the lesson's 250 digits, for :data:`STEPS_10_3` generator steps with the lesson's
    loop and scores 2,000 samples of its sampler (500 in quick mode). A GAN that augments only the reals is
    refused (it leaks).
    The bar, in full mode: an FD below the stored 250-digit run without augmentation (seed 0) by
    :data:`MARGIN_10_3`. In quick
    mode the run is too short for any bar: the check trains and scores it and says so."""
    from gan_lib.core import config
    from gan_lib.core.gan import GAN
    from gan_lib.lessons import little_data, stabilise

    expect_done(answer, "answer_10_3")
    if not isinstance(answer, dict) or "build" not in answer:
        raise Wrong(f"answer_10_3 should be a dict with the key 'build', got {answer!r:.80}.",
                    '{"build": build} where build(seed) returns a compiled GAN')
    build = answer["build"]
    expect_function(build, "answer_10_3['build']", "answer_10_3['build'] should be a function of the seed")
    gan = call(build, "answer_10_3['build'](0)", "return a compiled gan_lib GAN", 0)
    if not isinstance(gan, GAN):
        raise Wrong(f"answer_10_3['build'](0) returned {type(gan).__name__}, not a gan_lib GAN.",
                    "return GAN(generator, discriminator, ...) after calling its compile method")
    if getattr(gan, "d_optimizer", None) is None:
        raise Wrong("The GAN your build returns is not compiled (it has no optimizers).", "call gan.compile(...)")
    if tuple(gan.generator.output_shape[1:]) != (28, 28, 1):
        raise Wrong(f"Your generator makes images of shape {gan.generator.output_shape[1:]}; the digits are 28x28x1.")
    if int(gan.g_optimizer.iterations) != 0:
        raise Wrong("The GAN your build returns has already been trained; the check trains it itself.",
                    "return a fresh GAN from build")
    if gan.augment is not None and not gan.augment_fakes:
        raise Wrong("Your GAN augments the real images only (augment_fakes=False): G then learns to draw the "
                    "augmentation (section 6's leak).", "augment the fakes too: augment_fakes=True")
    mode = "quick" if config.quick_mode() else "full"
    train, heldout = little_data.digits_for(250)
    steps = STEPS_10_3[mode]
    try:
        little_data.fit_digits(gan, train, heldout, 0, {"steps": steps, "log_every": steps,
                                                        "fd_every": 0})  # no FD along the way
    except Exception as e:
        raise Wrong(f"Training your GAN on the 250 digits failed ({type(e).__name__}: {str(e)[:120]}).",
                    "check that build(0) returns a GAN that trains with gan.fit_images on 28x28x1 digits") from None
    q = little_data.final_samples(gan, 0, little_data.N_SCORE if mode == "full" else 500)
    if not np.all(np.isfinite(gan.generate(gan.fixed_latent[:1]))):
        raise Wrong("Your GAN diverged: its samples are not finite numbers.", "lower the learning rates")
    fd = little_data.score(stabilise.dequantize(q), train, heldout)["fd"]
    bar = _bar_10_3()
    if mode == "quick" or bar is None:
        why = "quick mode" if mode == "quick" else "the stored results are missing (make lesson10)"
        print(f"   Your GAN trained {steps} steps on the 250 digits: FD {fd:.1f}. No bar is applied ({why}); "
              f"in full mode it must beat the 250-digit run without augmentation.")
        return
    if fd >= bar - MARGIN_10_3:
        raise Wrong(f"After {steps} steps on the 250 digits your GAN scores FD {fd:.1f}; the lesson's run without "
                    f"augmentation (seed 0) scores {bar:.1f}. The exercise asks for better, by at least "
                    f"{MARGIN_10_3}.",
                    "section 5's table and its probes say what costs at this budget; lesson 06 says what helped there")
    print(f"   Your GAN: FD {fd:.1f} after {steps} steps on the 250 digits (no augmentation, seed 0: {bar:.1f}).")
