"""The exercise checks of every lesson, one function per exercise.

``check_<lesson>_<k>(answer)`` inspects a student's answer and

* returns quietly if it is right,
* raises :class:`gan_lib.coursework.exercises.NotDone` (or lets ``NotImplementedError``
  through) if the stub is still there,
* raises :class:`gan_lib.coursework.exercises.Wrong` with a specific message and a hint
  if it finds a typical mistake.

A notebook's check cell wraps it in :func:`gan_lib.coursework.exercises.check`, which
turns the outcome into one printed verdict line::

    exercises.check("1.1", lambda: checks.check_1_1(answer_1_1))

Keeping the checks here (not in the notebooks) lets ``tests/`` run each one
against the solution, the untouched stub and a planted typical bug.
"""

from __future__ import annotations

import math

import numpy as np

from gan_lib.coursework.exercises import NotDone, Wrong, expect_close, expect_done, expect_function


def _attempt(what, hint, fn, *args):
    """Call a student's function: a stub's ``NotDone``/``NotImplementedError`` passes through,
    any other crash becomes a :class:`Wrong` that names the call (``what``) and gives ``hint``."""
    try:
        return fn(*args)
    except (NotDone, NotImplementedError):
        raise
    except Exception as e:
        raise Wrong(f"{what} raised {type(e).__name__}: {e}.", hint) from None

# =========================================================================== lesson 01: the GAN game


def _lesson01_point():
    """Exercise 1.1's setting: p_data = N(4, 1.25), p_g = N(2, 1), at x = 4."""
    from gan_lib.lessons import theory

    x = 4.0
    return float(theory.TARGET.pdf(x)), float(theory.gaussian(2.0, 1.0).pdf(x))


def check_1_1(answer) -> None:
    """D*(4) for p_data = N(4, 1.25) and p_g = N(2, 1)."""
    expect_done(answer, "D*(4)")
    if isinstance(answer, (str, bytes)):
        raise Wrong(f"D*(4) should be one number, got the text {answer!r}.", "drop the quotes")
    try:
        v = float(np.asarray(answer, dtype=np.float64).reshape(-1)[0]) if np.size(answer) == 1 else None
    except (TypeError, ValueError):
        v = None
    if v is None:
        raise Wrong(f"D*(4) should be one number, got {type(answer).__name__} {answer!r}.",
                    "evaluate both densities at the single point x = 4.0")
    pd, pg = _lesson01_point()
    target = pd / (pd + pg)
    hint = "D*(x) = p_data(x) / (p_data(x) + p_g(x)); theory.TARGET.pdf(4.0) gives p_data(4)"
    if math.isfinite(v) and abs(v - pg / (pd + pg)) < 1e-3:
        raise Wrong(f"{v:.4f} is p_g / (p_data + p_g): the probability that x = 4 is *fake*.",
                    "D outputs the probability of *real*, so p_data goes on top")
    if math.isfinite(v) and abs(v - pd / pg) < 1e-3:
        raise Wrong(f"{v:.4f} is the density ratio p_data / p_g, not a probability.",
                    "divide by the sum p_data + p_g instead")
    if not (math.isfinite(v) and 0.0 <= v <= 1.0):
        raise Wrong(f"{v!r} is not a probability: D* always lies in [0, 1].", hint)
    expect_close(v, target, 1e-3, "your D*(4)", hint)


def _jsd_cases():
    from gan_lib.lessons import theory

    x = theory.GRID
    p, q = theory.TARGET.pdf(x), theory.FIXED_G.pdf(x)
    far_a, far_b = theory.gaussian(-3.0, 0.3).pdf(x), theory.gaussian(11.0, 0.3).pdf(x)
    return x, [
        ("identical densities", p, p, 0.0),
        ("two densities that do not overlap", far_a, far_b, math.log(2)),
        ("p_data and the fixed generator of this lesson", p, q, theory.js_divergence(p, q, x)),
        ("the same pair, swapped", q, p, theory.js_divergence(p, q, x)),
    ]


def check_1_2(js) -> None:
    """A function ``js(p, q, x)``: the Jensen-Shannon divergence in nats, via KL."""
    expect_function(js, "your js function", "js should be a function js(p, q, x)")
    x, cases = _jsd_cases()
    got = []
    for what, p, q, want in cases:
        hint = "p and q are NumPy arrays of density values on the grid x"
        v = _number(_attempt(f"js(p, q, x) (for {what})", hint, js, p, q, x), f"js(p, q, x) (for {what})", hint)
        got.append((what, v, want))
    (_, v_same, _), (_, v_far, _), (_, v_pq, w_pq), (_, v_qp, _) = got
    hint = "JSD(p || q) = 0.5 * KL(p || m) + 0.5 * KL(q || m) with m = (p + q) / 2"
    if not math.isfinite(v_far):
        raise Wrong("For two densities that do not overlap your js returns infinity.",
                    "compare each density with the mixture m = (p + q) / 2, not with each other: "
                    "m is positive wherever p or q is, so both KL terms stay finite")
    if abs(v_pq - v_qp) > 1e-6:
        raise Wrong(f"Your js is not symmetric: js(p, q) = {v_pq:.4f} but js(q, p) = {v_qp:.4f}.", hint)
    if abs(v_far - 1.0) < 1e-3 and abs(v_pq - w_pq / math.log(2)) < 1e-3:
        raise Wrong("Your JSD of non-overlapping densities is 1.0: that is in bits (log base 2).",
                    "the course measures in nats (natural log), where the maximum is log 2 ≈ 0.693")
    if abs(v_far - 2 * math.log(2)) < 1e-3 and abs(v_pq - 2 * w_pq) < 1e-3:
        raise Wrong("Your values are exactly twice the JSD (e.g. 1.386 = log 4 for non-overlapping densities).",
                    "each KL term gets a weight of 1/2")
    for what, v, want in got:
        expect_close(v, want, 1e-4, f"js for {what}", hint)


def check_1_3(ns_loss) -> None:
    """A function ``ns_loss(logits)``: the non-saturating generator loss, stable for any logit."""
    import keras

    from gan_lib.core import losses

    expect_function(ns_loss, "your ns_loss function", "ns_loss should be a function of D's logits")
    logits = np.array([[-3.0], [-0.5], [0.0], [1.0], [4.0]], dtype=np.float32)
    hint = "-log D = -log sigmoid(l) = softplus(-l); keras.ops.softplus and keras.ops.mean do it"
    out = keras.ops.convert_to_numpy(_attempt("ns_loss(logits)", "logits is a tensor of shape (N, 1)",
                                              ns_loss, keras.ops.convert_to_tensor(logits)))
    try:
        out = np.asarray(out, dtype=np.float64)
    except (TypeError, ValueError):
        raise Wrong(f"ns_loss returns {type(out).__name__} {out!r:.60}, not a number.",
                    "return keras.ops.mean(...) of a tensor of losses") from None
    if out.size != 1:
        raise Wrong(f"ns_loss returns shape {out.shape}; a loss is one number, the mean over the batch.",
                    "wrap it in keras.ops.mean(...)")
    v = float(out.reshape(()))
    want = float(keras.ops.convert_to_numpy(losses.generator_loss_nonsaturating(logits)))
    saturating = float(keras.ops.convert_to_numpy(losses.generator_loss_minimax(logits)))
    if math.isfinite(v) and abs(v - saturating) < 1e-4:
        raise Wrong("That is the saturating (minimax) loss log(1 - D), the one that stalls.",
                    "the non-saturating loss is -log D(G(z))")
    if math.isfinite(v) and abs(v + want) < 1e-4:
        raise Wrong("The sign is flipped: that is +log D, which G would *decrease* by making D reject its fakes.",
                    "G minimises -log D(G(z))")
    expect_close(v, want, 1e-4, "your loss for logits [-3, -0.5, 0, 1, 4]", hint)
    extreme = np.array([[-200.0], [200.0]], dtype=np.float32)
    e = float(np.asarray(keras.ops.convert_to_numpy(ns_loss(keras.ops.convert_to_tensor(extreme)))).reshape(()))
    if not math.isfinite(e):
        raise Wrong(f"For logits [-200, 200] your loss is {e}: log(sigmoid(-200)) underflows to log(0).",
                    "compute it from the logit: -log sigmoid(l) = softplus(-l), which stays finite")
    expect_close(e, 100.0, 1e-2, "your loss for logits [-200, 200]", hint)


def _as_samples(answer):
    """Samples from a trained GAN (anything with ``sample``) or an array of samples."""
    if hasattr(answer, "sample") and callable(answer.sample):
        return np.asarray(answer.sample(5000, seed=1), dtype=np.float64)
    return np.asarray(answer, dtype=np.float64)


#: Exercise 1.4's bar: the binned JSD (5,000 samples) to ``theory.EXERCISE_MIXTURE``. A solution
#: trained to the end scores about 0.03-0.06; bumps twice too wide score about 0.1 and fail.
JSD_MAX_1_4 = 0.08


def check_1_4(answer) -> None:
    """A GAN (or its samples) that learned ``theory.EXERCISE_MIXTURE``: both modes, JSD at most
    :data:`JSD_MAX_1_4`."""
    from gan_lib.lessons import theory

    expect_done(answer, "your trained GAN")
    try:
        s = _as_samples(answer)
    except (TypeError, ValueError) as e:
        raise Wrong(f"Could not read samples from your answer ({e}).",
                    "set answer_1_4 to your trained GAN (the object you called fit on)") from None
    if s.ndim == 2 and s.shape[1] == 1:
        s = s[:, 0]
    if s.ndim != 1 or len(s) < 1000:
        raise Wrong(f"Expected at least 1,000 one-number samples, got an array of shape {s.shape}.",
                    "pass the trained GAN itself, or gan.sample(5000)")
    if not np.all(np.isfinite(s)):
        raise Wrong("Some samples are NaN or infinite: the training diverged.", "try a smaller learning rate")
    target = theory.EXERCISE_MIXTURE
    shares = theory.mode_shares(s, target)
    jsd = theory.histogram_jsd(s, target)
    modes = ", ".join(f"{share:.0%} near {m:g}" for share, m in zip(shares, target.means))
    if shares.max() >= 0.9:
        k = int(np.argmax(shares))
        raise Wrong(f"Mode collapse: {shares[k]:.0%} of your samples sit near {target.means[k]:g} "
                    f"and the other mode is (almost) empty ({modes}).",
                    "a wider generator, more epochs, or another seed; lesson 04 is about this failure")
    if shares.min() < 0.25:
        raise Wrong(f"Your generator covers the modes unevenly ({modes}); each should get about half.",
                    "train longer: the weaker mode usually fills in")
    if jsd > JSD_MAX_1_4:
        raise Wrong(f"Both modes are there ({modes}) but the JSD to the target is {jsd:.3f} > {JSD_MAX_1_4}: "
                    "the shape is still off (bumps too wide or too narrow, in the wrong place, "
                    "or too many samples between them).",
                    "compare the histogram with the target curve; train longer or try a lower learning "
                    "rate (e.g. lr=2e-4 in theory_nets.make_gan)")


# =========================================================================== lesson 03: DCGAN on MNIST

#: (size, kernel, stride, padding) cases for exercise 3.1, all with kernel >= stride.
TCONV_CASES = [(7, 5, 1, "same"), (7, 5, 2, "same"), (14, 5, 2, "same"), (7, 4, 2, "same"),
               (7, 4, 2, "valid"), (3, 3, 2, "valid"), (5, 3, 1, "valid"), (4, 2, 2, "valid")]


def _keras_tconv_size(size, kernel, stride, padding):
    """What Keras' Conv2DTranspose really outputs (height of a size x size input)."""
    import keras

    layer = keras.layers.Conv2DTranspose(1, kernel, strides=stride, padding=padding)
    return int(layer.compute_output_shape((1, size, size, 1))[1])


def check_3_1(tconv_size) -> None:
    """A function ``tconv_size(size, kernel, stride, padding)``: a Conv2DTranspose's output size."""
    expect_function(tconv_size, "your tconv_size function",
                    "tconv_size should be a function tconv_size(size, kernel, stride, padding)")
    got = []
    for case in TCONV_CASES:
        v = _attempt(f"tconv_size{case}", "size, kernel and stride are whole numbers; padding is 'same' or 'valid'",
                     tconv_size, *case)
        try:
            if isinstance(v, (str, bytes, bool)) or float(v) != int(float(v)):
                raise TypeError
            got.append(float(v))
        except (TypeError, ValueError, OverflowError):
            raise Wrong(f"tconv_size{case} returned {v!r}; expected a whole number (a count of pixels).",
                        "use integer arithmetic: * and + of whole numbers") from None
    want = [_keras_tconv_size(*c) for c in TCONV_CASES]
    if all(g == w for g, w in zip(got, want)):
        return
    conv = [math.ceil(s / st) if p == "same" else (s - k) // st + 1 for s, k, st, p in TCONV_CASES]
    if all(g == c for g, c in zip(got, conv)):
        raise Wrong("Those are the output sizes of an ordinary strided convolution (Conv2D), which shrinks "
                    "its input. A transposed convolution runs it backwards: it grows the input.",
                    "with 'same' padding the output is size * stride")
    same_ok = all(g == w for g, w, c in zip(got, want, TCONV_CASES) if c[3] == "same")
    valid_ok = all(g == w for g, w, c in zip(got, want, TCONV_CASES) if c[3] == "valid")
    first = next((c, g, w) for c, g, w in zip(TCONV_CASES, got, want) if g != w)
    case, g, w = first
    if same_ok and not valid_ok:
        raise Wrong(f"Right for padding='same', wrong for 'valid': tconv_size{case} = {g:g}, Keras gives {w}.",
                    "with 'valid' padding nothing is cropped: each input pixel is spread over a kernel-sized "
                    "patch, stride pixels apart, so (size - 1) * stride + kernel")
    if valid_ok and not same_ok:
        raise Wrong(f"Right for padding='valid', wrong for 'same': tconv_size{case} = {g:g}, Keras gives {w}.",
                    "'same' crops the overhang so that the output is exactly size * stride")
    raise Wrong(f"tconv_size{case} = {g:g}, but Keras' Conv2DTranspose gives {w}.",
                "'same': size * stride; 'valid': (size - 1) * stride + kernel")


def _slerp_cases():
    rng = np.random.default_rng(3)
    z0, z1 = rng.standard_normal(64), rng.standard_normal(64)
    return z0, z1, [0.0, 0.25, 0.5, 0.75, 1.0]


def check_3_2(slerp) -> None:
    """A function ``slerp(z0, z1, t)`` for one number t: spherical interpolation, safe for parallel vectors."""
    from gan_lib.core import latent

    expect_function(slerp, "your slerp function", "slerp should be a function slerp(z0, z1, t)")
    z0, z1, ts = _slerp_cases()

    def call(a, b, t):
        out = _attempt(f"slerp(z0, z1, {t})", "z0 and z1 are NumPy vectors of 64 numbers; t is one number",
                       slerp, a, b, t)
        try:
            out = np.asarray(out, dtype=np.float64)
        except (TypeError, ValueError):
            raise Wrong(f"slerp(z0, z1, {t}) returned {type(out).__name__} {out!r:.60}, not a vector of numbers.",
                        "return a NumPy array of the same shape as z0") from None
        if out.shape != a.shape:
            raise Wrong(f"slerp(z0, z1, {t}) has shape {out.shape}; expected one vector of shape {a.shape}.")
        return out

    got = [call(z0, z1, t) for t in ts]
    want = [np.asarray(latent.slerp(z0, z1, t), np.float64) for t in ts]
    close = lambda a, b: bool(np.allclose(a, b, rtol=1e-4, atol=1e-4))  # noqa: E731
    if any(not np.all(np.isfinite(g)) for g in got):
        raise Wrong("Your slerp returns NaN or infinity for two ordinary random vectors.",
                    "the angle is arccos(dot(z0, z1) / (|z0| |z1|)); clip the cosine to [-1, 1]")
    if close(got[0], z1) and close(got[-1], z0):
        raise Wrong("Your path runs backwards: slerp(z0, z1, 0) gives z1.", "t = 0 must give z0 and t = 1 must give z1")
    if all(close(g, (1 - t) * z0 + t * z1) for g, t in zip(got, ts)):
        mid = np.linalg.norm(got[2])
        raise Wrong(f"That is linear interpolation (lerp): halfway, its length is {mid:.2f}, while z0 and z1 "
                    f"have lengths {np.linalg.norm(z0):.2f} and {np.linalg.norm(z1):.2f}.",
                    "weight z0 by sin((1 - t) theta) / sin(theta) and z1 by sin(t theta) / sin(theta)")
    theta = np.arccos(np.clip(z0 @ z1 / (np.linalg.norm(z0) * np.linalg.norm(z1)), -1, 1))
    if close(got[0], np.sin(theta) * z0) and not close(got[0], z0):
        raise Wrong(f"At t = 0 you get sin(theta) * z0 (theta = {theta:.3f} rad), not z0.",
                    "divide both weights by sin(theta)")
    for t, g, w in zip(ts, got, want):
        if not close(g, w):
            raise Wrong(f"slerp(z0, z1, {t}) differs from spherical interpolation by up to "
                        f"{np.abs(g - w).max():.3g}.",
                        "sin((1 - t) theta) / sin(theta) * z0 + sin(t theta) / sin(theta) * z1")
    e = np.zeros_like(z0)
    e[0] = 3.0  # z0 = 3 e_1 and z1 = 6 e_1: the cosine is exactly 1, the angle exactly 0
    with np.errstate(invalid="ignore", divide="ignore"):
        parallel = call(e, 2.0 * e, 0.5)
    if not np.all(np.isfinite(parallel)):
        raise Wrong("For parallel vectors (z1 = 2 z0, angle 0) your slerp returns NaN: sin(theta) = 0 there.",
                    "when sin(theta) is tiny, the two paths coincide: fall back to (1 - t) z0 + t z1")
    if not close(parallel, 1.5 * e):
        raise Wrong("For parallel vectors (z1 = 2 z0) slerp(z0, z1, 0.5) should be 1.5 z0, as a straight line gives.",
                    "when sin(theta) is tiny, fall back to (1 - t) z0 + t z1")


#: What exercise 3.3 may change, and the course DCGAN's default for each.
COURSE_DEFAULTS_3_3 = {"lr": 5e-4, "beta_1": 0.5, "batch_size": 16, "ema_decay": 0.999, "d_steps": 1,
                       "latent_dim": 64, "loss": "nonsaturating"}


def _gan_setting(gan, setting):
    """The value of ``setting`` that ``gan`` really uses, or ``...`` if it cannot be read from it."""
    import keras

    if setting in ("lr", "beta_1"):
        opt = getattr(gan, "g_optimizer", None)
        attr = "learning_rate" if setting == "lr" else "beta_1"
        v = getattr(opt, attr, None)
        return Ellipsis if v is None else float(keras.ops.convert_to_numpy(v))
    if setting == "ema_decay":
        return gan.ema_decay
    if setting == "d_steps":
        return gan.d_steps
    if setting == "latent_dim":
        return gan.latent_dim
    if setting == "loss":
        return getattr(getattr(gan, "gan_loss", None), "name", Ellipsis)
    return Ellipsis  # batch_size: a property of the training call, not of the model


def _untrained_fd(gan, n=1000):
    import keras

    from gan_lib.measure import metrics

    fresh = keras.models.clone_model(gan.generator)  # same architecture, new random weights
    z = np.random.default_rng([5, 17]).standard_normal((n, gan.latent_dim)).astype("float32")
    return metrics.evaluate(keras.ops.convert_to_numpy(fresh(z, training=False)))["fd"]


def check_3_3(answer) -> None:
    """``{"setting": name, "value": v, "gan": trained GAN}``: one setting of the course DCGAN changed,
    the GAN really uses it, and its samples beat an untrained generator's FD by more than 2x."""
    from gan_lib.measure import metrics

    expect_done(answer, "answer_3_3")
    if not isinstance(answer, dict) or not {"setting", "value", "gan"} <= set(answer):
        raise Wrong(f"answer_3_3 should be a dict with keys 'setting', 'value' and 'gan', got {answer!r:.80}.",
                    'e.g. {"setting": "batch_size", "value": 64, "gan": my_gan}')
    setting, value, gan = answer["setting"], answer["value"], answer["gan"]
    expect_done(gan, "your trained GAN")
    if setting not in COURSE_DEFAULTS_3_3:
        raise Wrong(f"{setting!r} is not one of the settings this exercise compares: "
                    f"{', '.join(COURSE_DEFAULTS_3_3)}.")
    default = COURSE_DEFAULTS_3_3[setting]
    if value == default:
        raise Wrong(f"{setting} = {value!r} is the course's default: nothing changed.",
                    "pick another value, train, and compare with the course DCGAN's row of the table")
    if not hasattr(gan, "sample") or not hasattr(gan, "generator"):
        raise Wrong(f"'gan' should be the course GAN you trained, got {type(gan).__name__}.")
    used = _gan_setting(gan, setting)
    if used is not Ellipsis:
        try:
            same = (used == value) if not isinstance(used, float) or value is None else \
                math.isclose(used, float(value), rel_tol=1e-6)
        except (TypeError, ValueError):
            raise Wrong(f"{setting} should be a number, got {type(value).__name__} {value!r:.60}.",
                        f"the course's default is {default!r}") from None
        if not same:
            raise Wrong(f"You say {setting} = {value!r}, but your GAN uses {setting} = {used!r}.",
                        "build the GAN with the changed setting (train.build_gan(...) takes lr, beta_1, "
                        "loss, ema_decay, latent_dim)")
    images = np.asarray(gan.sample(1000, seed=5))
    if not np.all(np.isfinite(images)):
        raise Wrong("Your GAN's samples contain NaN: the training diverged.", "a smaller learning rate, or another seed")
    fd = metrics.evaluate(images)["fd"]
    fd0 = _untrained_fd(gan)
    if not fd < fd0 / 2:
        raise Wrong(f"Your GAN's FD is {fd:.1f}; an untrained generator of the same shape scores {fd0:.1f}. "
                    "It has not learned enough to measure the change: the check asks for less than half.",
                    "train for more epochs (or check that you trained the GAN you passed)")


# =========================================================================== lesson 02: vanilla GAN on MNIST


def check_2_1(answer) -> None:
    """Parameters of the articles' MLP generator (100 -> 128 -> 784) with a latent size of 64."""
    expect_done(answer, "the parameter count")
    if isinstance(answer, (str, bytes)):
        raise Wrong(f"The parameter count should be a whole number, got the text {answer!r}.", "drop the quotes")
    try:
        v = float(answer)
    except (TypeError, ValueError):
        raise Wrong(f"The parameter count should be a whole number, got {type(answer).__name__} {answer!r}.") from None
    want = 64 * 128 + 128 + 128 * 784 + 784
    hint = "a Dense layer from m to n numbers has m*n weights plus n biases; add both layers"
    if v == 64 * 128 + 128 * 784:
        raise Wrong(f"{v:,.0f} counts the weights but not the biases.", "each Dense layer also has one bias per output")
    if v == 114_064:
        raise Wrong("114,064 is the generator with a latent size of 100; the question asks for 64.", hint)
    if v == 100_609:
        raise Wrong("100,609 is the discriminator's count; the question is about the generator.", hint)
    if v == 64 * 128 + 128:
        raise Wrong(f"{v:,.0f} is only the first layer (64 -> 128).", "add the output layer 128 -> 784")
    if v != want:
        raise Wrong(f"{v:,.0f} is not the generator's parameter count.", hint)


def check_2_2(build) -> None:
    """A function ``build(latent_dim)`` returning the TensorFlow 1 article's generator with its bug fixed, in the course's format."""
    import keras

    from gan_lib.lessons import vanilla

    expect_function(build, "your generator function",
                    "Expected a function build(latent_dim) that returns a Keras model")
    model = _attempt("build(100)", "return a keras.Model or keras.Sequential", build, 100)
    expect_done(model, "the model your function returns")
    if not isinstance(model, keras.Model):
        raise Wrong(f"build(100) returned {type(model).__name__}, not a Keras model.")
    z = np.random.default_rng(0).standard_normal((8, 100)).astype(np.float32)
    try:
        out = np.asarray(keras.ops.convert_to_numpy(model(z, training=False)))
    except Exception as e:
        raise Wrong(f"Calling your model on a batch of shape (8, 100) raised {type(e).__name__}: {e}.",
                    "its input must be a latent vector of latent_dim numbers") from None
    n = model.count_params()
    if n == 100 * 784 + 784:
        raise Wrong(f"Your generator has {n:,} parameters: only the output layer. The bug is still there: "
                    "the 784-unit layer reads z, so the 128-unit hidden layer feeds nothing.",
                    "pass the hidden layer's output, not z, to the second Dense layer")
    dead = vanilla.dead_weights(model, latent_dim=100)
    if dead:
        raise Wrong(f"These weights get no gradient, so they can never learn: {', '.join(dead)}. "
                    "Some layer's output never reaches the generator's output.",
                    "each layer must read the previous layer's output")
    if n != 114_064:
        raise Wrong(f"Your generator has {n:,} parameters; the articles' generator (100 -> 128 -> 784) has 114,064.",
                    "one hidden Dense layer of 128 units, then a Dense layer of 784 units")
    if out.shape[1:] == (784,):
        raise Wrong("Your generator outputs flat vectors of 784 numbers; the course's images have shape (28, 28, 1).",
                    "end with keras.layers.Reshape((28, 28, 1))")
    if out.shape != (8, 28, 28, 1):
        raise Wrong(f"For 8 latent vectors your generator outputs shape {out.shape}; expected (8, 28, 28, 1).")
    wide = np.asarray(keras.ops.convert_to_numpy(model(20 * z, training=False)))
    if wide.min() >= 0.0 and wide.max() <= 1.0:
        raise Wrong("Your outputs stay in [0, 1] (a sigmoid): the article's data were in [0, 1], the course's digits "
                    "are in [-1, 1] (background -1), so D could tell fakes by their grey background.",
                    "end with tanh, which maps to [-1, 1]")
    if wide.min() < -1.0 - 1e-6 or wide.max() > 1.0 + 1e-6:
        raise Wrong(f"Your outputs range over [{wide.min():.3g}, {wide.max():.3g}]; images must lie in [-1, 1].",
                    "end with a tanh activation")


def check_2_3(answer) -> None:
    """A trained MNIST GAN (or 2,000 of its samples) that passes lesson 02's levels (vanilla.LEVELS)."""
    from gan_lib.data import check_images
    from gan_lib.lessons import vanilla
    from gan_lib.measure import metrics

    expect_done(answer, "your trained GAN")
    try:
        if hasattr(answer, "sample") and callable(answer.sample):
            samples = answer.sample(metrics.N_EVAL, seed=5)
        else:
            samples = answer
        samples = np.asarray(samples, dtype=np.float32)
    except (TypeError, ValueError) as e:
        raise Wrong(f"Could not read samples from your answer ({e}).",
                    "set answer_2_3 to your trained GAN (the object you called fit on)") from None
    if not np.all(np.isfinite(samples)):
        raise Wrong("Some samples are NaN or infinite: the training diverged.", "try a smaller learning rate")
    try:
        samples = check_images(samples, name="your samples")
    except ValueError as e:
        raise Wrong(str(e), "pass the GAN itself, or gan.sample(2000)") from None
    if len(samples) < metrics.N_EVAL:
        raise Wrong(f"{len(samples):,} samples: the protocol scores {metrics.N_EVAL:,}.", "pass the GAN itself")
    r = metrics.evaluate(samples)
    lv = vanilla.LEVELS
    shares = np.asarray(r["class_shares"])
    top = int(shares.argmax())
    if shares[top] >= 0.5:
        raise Wrong(f"Mode collapse: {shares[top]:.0%} of your samples are read as the digit {top} "
                    f"(KL to uniform {r['kl_to_uniform']:.2f}).",
                    "train longer, or lower D's advantage (learning rates); lesson 04 is about this failure")
    if r["fd"] > lv["fd_max"]:
        raise Wrong(f"Your samples' Frechet distance is {r['fd']:.1f} (must be at most {lv['fd_max']:g}; "
                    "an untrained generator scores about 340).",
                    "train for more steps or with a larger learning rate such as 1e-3")
    if r["classifier_score"] < lv["score_min"]:
        raise Wrong(f"Classifier score {r['classifier_score']:.2f} (must be at least {lv['score_min']:g}): "
                    "too few samples read clearly as one digit.", "train longer")
    if r["kl_to_uniform"] > lv["kl_max"]:
        raise Wrong(f"The digits are covered unevenly: KL to uniform {r['kl_to_uniform']:.2f} "
                    f"(must be at most {lv['kl_max']:g}); shares "
                    + " ".join(f"{d}:{s:.2f}" for d, s in enumerate(shares)) + ".",
                    "train longer; a generator usually fills in the rare digits late")


# =========================================================================== lesson 05: a CIFAR-10 GAN in colour


def _call(fn, args, name, hint):
    """Call a student's function; turn a crash into a Wrong with the inputs that caused it."""
    shown = ", ".join(repr(a.tolist() if isinstance(a, np.ndarray) else a) for a in args)
    return _attempt(f"{name}({shown})", hint, fn, *args)


def _number(v, what, hint):
    try:
        if isinstance(v, (str, bytes)):
            raise TypeError
        return float(np.asarray(v, dtype=np.float64).reshape(()))
    except (TypeError, ValueError):
        raise Wrong(f"{what} should be one number, got {type(v).__name__} {v!r}.", hint) from None


_ACC_CASES = [
    (np.array([2.0, 0.3, -1.0, 4.0]), np.array([-3.0, 0.2, -0.1, -2.0])),
    (np.array([0.4, 0.1, 0.2]), np.array([0.3, -0.2, 0.05])),
    (np.array([-1.0, -2.0]), np.array([1.0, 2.0])),
]


def check_5_1(d_accuracy) -> None:
    """A function ``d_accuracy(real_logits, fake_logits) -> (acc_real, acc_fake)`` from D's logits."""
    expect_function(d_accuracy, "your d_accuracy function",
                    "d_accuracy should be a function d_accuracy(real_logits, fake_logits)")
    hint = "D says 'real' when its logit is above 0 (sigmoid(logit) > 0.5)"
    for real, fake in _ACC_CASES:
        out = _call(d_accuracy, (real, fake), "d_accuracy", hint)
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise Wrong(f"d_accuracy returned {out!r}; expected a pair (accuracy on real, accuracy on fake).",
                        "return two numbers: return acc_real, acc_fake")
        got = (_number(out[0], "the accuracy on real", hint), _number(out[1], "the accuracy on fake", hint))
        want = (float(np.mean(real > 0)), float(np.mean(fake <= 0)))
        if np.allclose(got, want, atol=1e-6):
            continue
        if np.allclose(got, (np.mean(real > 0.5), np.mean(fake <= 0.5)), atol=1e-6):
            raise Wrong(f"For real logits {real.tolist()} you count a logit above 0.5 as 'real'. These are "
                        "logits, not probabilities: the threshold 0.5 on sigmoid(logit) is 0 on the logit.", hint)
        if np.isclose(got[0], want[0]) and np.isclose(got[1], 1 - want[1]):
            raise Wrong(f"Your accuracy on fake is the share of fakes D calls *real* ({got[1]:.2f}); accuracy "
                        "on fake images is the share it correctly calls fake.", "use fake_logits <= 0")
        raise Wrong(f"d_accuracy({real.tolist()}, {fake.tolist()}) = ({got[0]:.3f}, {got[1]:.3f}); "
                    f"expected ({want[0]:.3f}, {want[1]:.3f}).", hint)


_HINGE_CASES = [
    (np.array([2.0, 0.5, -1.0]), np.array([-2.0, 0.0, 1.5])),
    (np.array([0.0, 0.0]), np.array([0.0, 0.0])),
    (np.array([3.0, 1.5]), np.array([-4.0, -1.2])),
]


def check_5_2(d_hinge) -> None:
    """A function ``d_hinge(real_logits, fake_logits)``: the hinge loss of the discriminator (a number)."""
    from gan_lib.core import losses

    expect_function(d_hinge, "your d_hinge function",
                    "d_hinge should be a function d_hinge(real_logits, fake_logits)")
    hint = "mean(max(0, 1 - real_logits)) + mean(max(0, 1 + fake_logits)); np.maximum(0, ...) clips"
    for real, fake in _HINGE_CASES:
        got = _number(_call(d_hinge, (real, fake), "d_hinge", hint), "d_hinge's value", hint)
        want = float(losses.discriminator_loss_hinge(real, fake))
        if abs(got - want) < 1e-5:
            continue
        if abs(got - (np.mean(1 - real) + np.mean(1 + fake))) < 1e-5:
            raise Wrong(f"d_hinge({real.tolist()}, {fake.tolist()}) = {got:.4f}: without the clipping at 0, "
                        "confident logits beyond the margin make the loss negative and D keeps pushing them.", hint)
        if abs(got - (np.mean(np.maximum(0, 1 + real)) + np.mean(np.maximum(0, 1 - fake)))) < 1e-5:
            raise Wrong("The signs are swapped: your D wants real logits below -1 and fakes above +1.", hint)
        raise Wrong(f"d_hinge({real.tolist()}, {fake.tolist()}) = {got:.4f}; expected {want:.4f}.", hint)


_FD1_CASES = [(0.0, 1.0, 0.0, 1.0), (1.0, 1.0, 3.0, 1.0), (0.0, 1.0, 0.0, 3.0), (2.0, 0.5, -1.0, 2.0)]


def check_5_3(fd_1d) -> None:
    """A function ``fd_1d(mu1, sd1, mu2, sd2)``: the Frechet distance between N(mu1, sd1^2) and N(mu2, sd2^2)."""
    from gan_lib.measure import metrics

    expect_function(fd_1d, "your fd_1d function", "fd_1d should be a function fd_1d(mu1, sd1, mu2, sd2)")
    hint = "in one dimension the formula becomes (mu1 - mu2)**2 + (sd1 - sd2)**2"
    for mu1, sd1, mu2, sd2 in _FD1_CASES:
        got = _number(_call(fd_1d, (mu1, sd1, mu2, sd2), "fd_1d", hint), "fd_1d's value", hint)
        want = metrics.frechet_distance_gaussians([mu1], [[sd1 ** 2]], [mu2], [[sd2 ** 2]])
        if abs(got - want) < 1e-6:
            continue
        case = f"fd_1d{(mu1, sd1, mu2, sd2)} = {got:.4g}, expected {want:.4g}"
        if abs(got - ((mu1 - mu2) ** 2 + (sd1 ** 2 - sd2 ** 2) ** 2)) < 1e-6:
            raise Wrong(f"{case}: you compared the variances; the trace term compares standard deviations "
                        "(the square root in Tr(C1 + C2 - 2 (C1 C2)^1/2) gives sd1 * sd2).", hint)
        if abs(got - (abs(mu1 - mu2) + (sd1 - sd2) ** 2)) < 1e-6:
            raise Wrong(f"{case}: the distance between the means is squared in the formula.", hint)
        if abs(got - (mu1 - mu2) ** 2) < 1e-6:
            raise Wrong(f"{case}: you left out the covariance term, so two Gaussians with the same mean and "
                        "different spreads score 0.", hint)
        raise Wrong(f"{case}.", hint)


# =========================================================================== lesson 04: mode collapse


def _call_4(fn, what, *args):
    return _attempt(what, "it receives NumPy arrays; return NumPy values", fn, *args)


def _array_4(value, what):
    """A student's returned value as a float array, or a Wrong saying what came back instead."""
    try:
        return np.asarray(value, np.float64)
    except (TypeError, ValueError):
        raise Wrong(f"{what} returned {type(value).__name__} {value!r:.60}, not numbers.",
                    "return a NumPy array of numbers") from None


#: Exercise 4.1's histograms of high-quality samples over the modes, and what KL(q || uniform) is for each.
KL_CASES_4_1 = ([10, 10, 10, 10], [40, 0, 0, 0], [30, 10, 0, 0], [3, 1, 0, 0, 0, 0, 0, 0])


def check_4_1(reverse_kl) -> None:
    """A function ``reverse_kl(counts)``: KL(q || uniform) of a histogram, None when it is all zeros."""
    from gan_lib.measure import mixtures

    expect_function(reverse_kl, "your reverse_kl function", "reverse_kl should be a function of the counts")
    hint = "q = counts / counts.sum(); KL = sum over the modes with q > 0 of q * log(K * q)"
    for counts in KL_CASES_4_1:
        c = np.array(counts)
        with np.errstate(divide="ignore", invalid="ignore"):
            got = _call_4(reverse_kl, f"reverse_kl({counts})", c)
        want = mixtures.reverse_kl(c)
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
        empty = _call_4(reverse_kl, "reverse_kl([0, 0, 0])", np.zeros(3, int))
    if empty is not None:
        raise Wrong(f"reverse_kl([0, 0, 0]) returned {empty!r}: with no high-quality sample there is no "
                    "histogram, so there is no number to give.", "return None when counts.sum() == 0")


def check_4_2(pack) -> None:
    """A function ``pack(x, m)``: PacGAN's packing of a NumPy batch ``(N, d)`` into ``(N / m, m d)``."""
    from gan_lib.core.packing import Pack

    expect_function(pack, "your pack function", "pack should be a function pack(x, m)")
    x = np.arange(24, dtype=np.float32).reshape(12, 2)
    for m in (1, 2, 3, 4):
        got = np.asarray(_call_4(pack, f"pack(x, {m})", x, m))
        want = np.asarray(Pack(m)(x))
        if got.shape != want.shape:
            raise Wrong(f"pack(x, {m}) for x of shape {x.shape} has shape {got.shape}; expected {want.shape}.",
                        "a batch of N samples of d numbers becomes N / m packs of m * d numbers")
        if not np.array_equal(got, want):
            interleaved = x.reshape(m, -1, 2).transpose(1, 0, 2).reshape(-1, m * 2)
            if np.array_equal(got, interleaved):
                raise Wrong(f"pack(x, {m}) puts samples 0, {12 // m}, ... into the first pack: it takes every "
                            f"{12 // m}-th sample instead of {m} consecutive ones.",
                            "x.reshape(-1, m * d) keeps consecutive samples together")
            raise Wrong(f"pack(x, {m}) has the right shape but the wrong numbers: its first pack is "
                        f"{got[0].tolist()}, expected {want[0].tolist()}.",
                        "pack i holds samples m*i ... m*i + m - 1, one after the other")


def check_4_3(minibatch_std) -> None:
    """A function ``minibatch_std(x)``: the batch's mean feature std, appended as one more column."""
    from gan_lib.core.layers import MinibatchStd

    expect_function(minibatch_std, "your minibatch_std function",
                    "minibatch_std should be a function of a batch x")
    rng = np.random.default_rng(4)
    x = (rng.normal(size=(16, 3)) * [1.0, 2.0, 0.5]).astype(np.float32)
    got = _array_4(_call_4(minibatch_std, "minibatch_std(x)", x), "minibatch_std(x)")
    want = np.asarray(MinibatchStd(epsilon=0.0)(x), np.float64)
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
                    "std over the batch (axis 0) for each feature, then the mean of those stds")


# =========================================================================== lesson 06: stabilising training


def _call_6(fn, what, *args):
    return _attempt(what, "it receives NumPy arrays; return a number", fn, *args)


def _number_6(value, what, hint=None) -> float:
    if isinstance(value, (str, bytes)) or value is None:
        raise Wrong(f"{what} should be one number, got {type(value).__name__} {value!r:.60}.", hint)
    try:
        v = np.asarray(value, np.float64)
    except (TypeError, ValueError):
        raise Wrong(f"{what} should be one number, got {type(value).__name__}.", hint) from None
    if v.size != 1:
        raise Wrong(f"{what} has shape {v.shape}; it should be one number (the mean over the batch).", hint)
    return float(v.reshape(()))


#: Exercise 6.1's cases: (real logits, fake logits, real label).
SMOOTH_CASES_6_1 = (([2.0, -1.0, 0.5], [-3.0, 0.0, 1.0], 0.9), ([0.0, 0.0], [0.0, 0.0], 1.0),
                    ([4.0, 1.0], [-2.0, -0.5], 0.8))


def check_6_1(smoothed_d_loss) -> None:
    """A function ``smoothed_d_loss(real_logits, fake_logits, real_label)``: D's BCE with one-sided smoothing."""
    from gan_lib.core import losses

    expect_function(smoothed_d_loss, "your smoothed_d_loss function", "smoothed_d_loss should be a function")
    hint = ("mean over the real logits of BCE(target real_label) plus mean over the fake logits of BCE(target 0); "
            "BCE(l, t) = t * softplus(-l) + (1 - t) * softplus(l)")

    def bce(logits, t):
        return np.mean(t * np.logaddexp(0, -logits) + (1 - t) * np.logaddexp(0, logits))

    for real, fake, label in SMOOTH_CASES_6_1:
        r, f = np.array(real), np.array(fake)
        what = f"smoothed_d_loss({real}, {fake}, {label})"
        with np.errstate(all="ignore"):
            got = _number_6(_call_6(smoothed_d_loss, what, r, f, label), what, hint)
        want = float(losses.discriminator_loss(r[:, None], f[:, None], label))
        if abs(got - want) <= 1e-4:
            continue
        if label < 1 and abs(got - (bce(r, label) + bce(f, 1 - label))) < 1e-4:
            raise Wrong(f"{what} = {got:.4f}: you smoothed the fake labels too (target {1 - label:g} instead of 0).",
                        "one-sided: only the real labels move; a soft fake label would reward G's mistakes")
        if label < 1 and abs(got - (bce(r, 1.0) + bce(f, 0.0))) < 1e-4:
            raise Wrong(f"{what} = {got:.4f} ignores real_label: that is the unsmoothed loss.",
                        "use real_label as the real images' target")
        if abs(got - (len(r) * bce(r, label) + len(f) * bce(f, 0.0))) < 1e-4:
            raise Wrong(f"{what} = {got:.4f}: you summed over the batch.", "take the mean over each batch")
        raise Wrong(f"{what} = {got:.4f}, expected {want:.4f}.", hint)
    big = np.array([60.0, -60.0])
    with np.errstate(all="ignore"):
        got = _number_6(_call_6(smoothed_d_loss, "smoothed_d_loss(large logits)", big, -big, 0.9), "the loss")
    if not math.isfinite(got):
        raise Wrong(f"For logits of ±60 your loss is {got}: log(sigmoid(l)) underflows to log(0).",
                    "work with logits: -log(sigmoid(l)) = softplus(-l) = np.logaddexp(0, -l)")


def check_6_2(feature_matching) -> None:
    """A function ``feature_matching(f_real, f_fake)``: ``||mean f_real - mean f_fake||^2``."""
    expect_function(feature_matching, "your feature_matching function",
                    "feature_matching should be a function")
    rng = np.random.default_rng(6)
    f_real = rng.normal(1.0, 1.0, (32, 5))
    f_fake = rng.normal(0.0, 2.0, (32, 5))
    got = _number_6(_call_6(feature_matching, "feature_matching(f_real, f_fake)", f_real, f_fake),
                    "feature_matching(f_real, f_fake)")
    diff = f_real.mean(0) - f_fake.mean(0)
    want = float(np.sum(diff ** 2))
    if abs(got - want) <= 1e-6 * max(1.0, want):
        same = _number_6(_call_6(feature_matching, "feature_matching(f, f[::-1])", f_real, f_real[::-1]),
                         "feature_matching(f, f[::-1])")
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
        raise Wrong(f"{got:.4f} is the distance itself; the loss is its square ({want:.4f}).", "square it")
    if abs(got - want / diff.size) < 1e-6:
        raise Wrong(f"{got:.4f} is the mean over the {diff.size} features; the squared norm sums them ({want:.4f}).",
                    "np.sum, not np.mean, over the features")
    raise Wrong(f"feature_matching(f_real, f_fake) = {got:.4f}, expected {want:.4f}.",
                "np.sum((f_real.mean(axis=0) - f_fake.mean(axis=0)) ** 2)")


def _images_6(value):
    """A student's returned batch as a float array, or a Wrong saying what came back instead."""
    try:
        return np.asarray(value, np.float64)
    except (TypeError, ValueError):
        raise Wrong(f"interpolate returned {type(value).__name__} {value!r:.60}, not a batch of images.",
                    "return eps * real + (1 - eps) * fake, a NumPy array shaped like real") from None


def check_6_3(interpolate) -> None:
    """A function ``interpolate(real, fake, rng)``: WGAN-GP's points, one uniform weight per sample."""
    expect_function(interpolate, "your interpolate function",
                    "interpolate should be a function interpolate(real, fake, rng)")
    n = 2000
    real = np.ones((n, 4, 4, 1), np.float32)
    fake = np.zeros((n, 4, 4, 1), np.float32)
    got = _images_6(_call_6(interpolate, "interpolate(real, fake, rng)", real, fake, np.random.default_rng(0)))
    if got.shape != real.shape:
        raise Wrong(f"interpolate(real, fake, rng) for batches of shape {real.shape} has shape {got.shape}.",
                    "draw eps with shape (N, 1, 1, 1) so it broadcasts over each image")
    # with real = 1 and fake = 0 the result *is* eps (or 1 - eps)
    flat = got.reshape(n, -1)
    if np.allclose(flat, flat[:1]):
        raise Wrong("Every sample got the same weight: one eps for the whole batch checks one line only.",
                    "one eps per sample: shape (N, 1, 1, 1)")
    if not np.allclose(flat, flat[:, :1]):
        raise Wrong("The weight differs between pixels of one image: the points are not on the line from the "
                    "fake to the real image.", "one eps per sample, broadcast over its pixels: shape (N, 1, 1, 1)")
    eps = flat[:, 0]
    if eps.min() < 0 or eps.max() > 1:
        raise Wrong(f"Weights range from {eps.min():.2f} to {eps.max():.2f}: points outside the segment between "
                    "the fake and the real image (a normal draw does this).", "rng.uniform(0, 1, ...)")
    if abs(eps.mean() - 0.5) > 0.05 or abs(eps.std() - np.sqrt(1 / 12)) > 0.05:
        raise Wrong(f"The weights have mean {eps.mean():.2f} and std {eps.std():.2f}; uniform on [0, 1] "
                    f"has 0.50 and {np.sqrt(1 / 12):.2f}.", "rng.uniform(0, 1, ...)")
    real2 = np.full((n, 4, 4, 1), 3.0, np.float32)
    fake2 = np.full((n, 4, 4, 1), -1.0, np.float32)
    got2 = _images_6(_call_6(interpolate, "interpolate(real, fake, rng)", real2, fake2, np.random.default_rng(0)))
    if got2.shape != real2.shape or got2.min() < -1 - 1e-6 or got2.max() > 3 + 1e-6:
        raise Wrong("For real images of 3s and fakes of -1s some points fall outside [-1, 3].",
                    "xhat = eps * real + (1 - eps) * fake")


# =========================================================================== lesson 07: conditional GANs


def _accuracy_case():
    """Exercise 7.1's example: 3 classes asked for, read back with a few mistakes (hand-countable)."""
    asked = np.array([0, 0, 0, 0, 1, 1, 2, 2, 2, 2, 2, 2])
    read = np.array([0, 0, 1, 2, 1, 1, 2, 2, 2, 0, 0, 1])
    return asked, read, np.array([0.5, 1.0, 0.5])  # 2/4, 2/2, 3/6


def check_7_1(per_class_accuracy) -> None:
    """``per_class_accuracy(asked, read, n_classes)``: for each class, the share of samples asked for it read as it."""
    expect_function(per_class_accuracy, "your per_class_accuracy function",
                    "per_class_accuracy should be a function")
    asked, read, want = _accuracy_case()
    got = _attempt("per_class_accuracy(asked, read, 3)",
                   "asked and read are NumPy arrays of whole numbers of the same length",
                   per_class_accuracy, asked.copy(), read.copy(), 3)
    expect_done(got, "the value your function returns")
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        raise Wrong(f"per_class_accuracy returned {type(got).__name__}, not numbers.") from None
    if got.ndim == 0 or got.size == 1:
        overall = float(np.mean(asked == read))
        msg = ("That is the overall accuracy (all classes together)." if abs(float(got.reshape(-1)[0]) - overall) < 1e-6
               else f"per_class_accuracy returned one number ({float(got.reshape(-1)[0]):.4g}).")
        raise Wrong(msg, "return one share per class: an array of n_classes numbers")
    if got.shape != (3,):
        raise Wrong(f"per_class_accuracy(asked, read, 3) has shape {got.shape}; expected (3,), one share per class.",
                    "use n_classes for the length, and count per class, not per sample")
    if np.allclose(got, [2, 2, 3]):
        raise Wrong("Your function returns counts of correct samples (2, 2, 3), not shares.",
                    "divide by how many samples were asked for each class")
    precision = np.array([2 / 4, 2 / 4, 3 / 4])  # read as 0: 4 samples, 2 asked for 0; ...
    if np.allclose(got, precision):
        raise Wrong("You divided by how many samples were *read* as each class (that is precision).",
                    "divide by how many samples were *asked* for each class: asked == c")
    if not np.allclose(got, want):
        raise Wrong(f"For asked={asked.tolist()} and read={read.tolist()} your function gives "
                    f"{np.round(got, 4).tolist()}; counting by hand gives {want.tolist()}.",
                    "for class c: (asked == c) & (read == c) counted, over (asked == c) counted")
    rng = np.random.default_rng(5)
    asked, read = rng.integers(0, 10, 500), rng.integers(0, 10, 500)
    from gan_lib.lessons.conditional import per_class_accuracy as reference

    got = np.asarray(per_class_accuracy(asked, read, 10), dtype=np.float64)
    if got.shape != (10,) or not np.allclose(got, reference(asked, read, 10)):
        raise Wrong("Your function is right on the small example but not on 500 random labels of 10 classes.",
                    "do not assume 3 classes or a fixed order of the samples")


def _thickness_case():
    from gan_lib import data

    images = data.load_digits("train", limit=600, verbose=False).images
    amount = ((images.astype(np.float64) + 1) / 2).reshape(len(images), -1).sum(1)
    return images, amount


def check_7_2(thick_labels) -> None:
    """``thick_labels(images)``: 1 where an image has more ink than the median of the batch, else 0."""
    expect_function(thick_labels, "your thick_labels function", "thick_labels should be a function")
    images, amount = _thickness_case()
    got = _attempt("thick_labels(images)", "images has shape (N, 28, 28, 1) with values in [-1, 1]",
                   thick_labels, images.copy())
    expect_done(got, "the value your function returns")
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        raise Wrong(f"thick_labels returned {type(got).__name__}, not an array of 0s and 1s.") from None
    if got.shape != (len(images),):
        raise Wrong(f"thick_labels gives shape {got.shape} for {len(images)} images; expected ({len(images)},), "
                    "one label per image.", "add up each image's pixels: reshape to (N, -1) and sum over axis 1")
    if not np.isin(got, [0, 1]).all():
        raise Wrong("thick_labels should return only 0 (thin) and 1 (thick).",
                    "compare each image's ink with the median: (ink > median).astype(int)")
    want = (amount > np.median(amount)).astype(np.float64)
    if np.array_equal(got, want):
        return
    if np.array_equal(got, 1 - want):
        raise Wrong("Your labels are reversed: 1 marks the thin digits.", "1 = more ink than the median")
    if np.array_equal(got, (amount > amount.mean()).astype(np.float64)):
        raise Wrong(f"You split at the mean ink ({amount.mean():.1f}), not the median ({np.median(amount):.1f}): "
                    f"{got.mean():.0%} of the digits are 'thick' instead of half.",
                    "np.median splits the data into two equal halves")
    pixels = (images > 0).reshape(len(images), -1).sum(1)
    if np.array_equal(got, (pixels > np.median(pixels)).astype(np.float64)):
        raise Wrong("You counted the pixels above 0 rather than adding up the ink.",
                    "ink is the sum of (x + 1) / 2 over an image's pixels: grey pixels count in part")
    agree = float(np.mean(got == want))
    raise Wrong(f"Your labels agree with 'more ink than the median' for {agree:.0%} of 600 digits.",
                "ink per image = sum over its pixels of (x + 1) / 2; label 1 if above the median of the batch")


#: Exercise 7.3: samples per label, and the share of them on the right side of
#: the training data's median ink (mean of the two labels) needed to pass.
#: An untrained generator draws one blob for both labels: at most 0.5 + noise.
ATTRIBUTE_N = 200
ATTRIBUTE_MIN = 0.70


def check_7_3(answer) -> None:
    """A GAN conditioned on thickness: ``{"gan": trained GAN with n_classes=2, "threshold": median ink}``."""
    from gan_lib.lessons.conditional import ink
    from gan_lib.measure import metrics

    expect_done(answer, "answer_7_3")
    if not isinstance(answer, dict) or not {"gan", "threshold"} <= set(answer):
        raise Wrong("answer_7_3 should be a dict {'gan': your trained GAN, 'threshold': the median ink}.")
    gan, threshold = expect_done(answer["gan"], "answer_7_3['gan']"), answer["threshold"]
    if getattr(gan, "n_classes", "missing") == "missing" or not hasattr(gan, "sample"):
        raise Wrong(f"answer_7_3['gan'] should be a course GAN, got {type(gan).__name__}.")
    if gan.n_classes != 2:
        raise Wrong(f"Your GAN has n_classes={gan.n_classes}; thin/thick is two classes.",
                    "GAN(g, d, n_classes=2) with models.build_conditional('cond_dcgan', n_classes=2)")
    try:
        threshold = float(threshold)
    except (TypeError, ValueError):
        raise Wrong(f"answer_7_3['threshold'] should be a number (the median ink), got {threshold!r}.") from None
    labels = np.repeat([0, 1], ATTRIBUTE_N)
    images = np.asarray(gan.sample(len(labels), seed=7, labels=labels))
    amount = ink(images)
    thin_ok, thick_ok = float(np.mean(amount[:ATTRIBUTE_N] <= threshold)), float(np.mean(amount[ATTRIBUTE_N:] > threshold))
    thin_ink, thick_ink = amount[:ATTRIBUTE_N].mean(), amount[ATTRIBUTE_N:].mean()
    said = (f"asked for thin (0): {thin_ok:.0%} below the threshold (mean ink {thin_ink:.1f}); asked for thick (1): "
            f"{thick_ok:.0%} above it (mean ink {thick_ink:.1f})")
    if thick_ink < thin_ink and (1 - thin_ok + 1 - thick_ok) / 2 >= ATTRIBUTE_MIN:
        raise Wrong(f"Your labels are reversed: {said}.", "label 1 must mean more ink than the median")
    if (thin_ok + thick_ok) / 2 < ATTRIBUTE_MIN:
        raise Wrong(f"Your GAN does not follow the label yet: {said}; pass at a mean of {ATTRIBUTE_MIN:.0%}.",
                    "train on thick_labels(digits.images) with fit_images(..., labels=...) for longer")
    learned = metrics.learned(metrics.evaluate(images))
    if not learned["fd"]:
        raise Wrong(f"It follows the label ({said}), but its samples are not digits yet "
                    f"(Frechet distance above {metrics.LEARNED['fd_max']:g}).", "train for more epochs")


# =========================================================================== lesson 08: evaluating GANs

#: Exercise 8.1's points on a line and the k-th nearest *other* point's distance, by hand:
#: from 0 the others lie 1, 3, 7 away; from 1: 1, 2, 6; from 3: 2, 3, 4; from 7: 4, 6, 7.
RADIUS_POINTS_8 = np.array([[0.0], [1.0], [3.0], [7.0]])
RADIUS_CASES_8_1 = {1: [1.0, 1.0, 2.0, 4.0], 2: [3.0, 2.0, 3.0, 6.0], 3: [7.0, 6.0, 4.0, 7.0]}


def _result_8(fn, what, *args):
    """Call a student's function; a crash becomes a Wrong that names the call."""
    return _attempt(what, "the arguments are NumPy arrays of shape (N, D); return NumPy values", fn, *args)


def check_8_1(kth_radius) -> None:
    """A function ``kth_radius(points, k)``: each point's distance to its k-th nearest *other* point, shape (N,)."""
    expect_function(kth_radius, "your kth_radius function",
                    "kth_radius should be a function kth_radius(points, k)")
    hint = "sort each row of the distance matrix; column 0 is the point itself (distance 0), so take column k"
    pts = RADIUS_POINTS_8
    for k, want in RADIUS_CASES_8_1.items():
        got = _array_4(_result_8(kth_radius, f"kth_radius(points, k={k})", pts.copy(), k), f"kth_radius(points, {k})")
        if got.shape != (len(pts),):
            if got.size == len(pts):
                raise Wrong(f"kth_radius returns shape {got.shape}; return one radius per point, shape ({len(pts)},).",
                            "flatten it, e.g. dist[:, k]")
            raise Wrong(f"kth_radius(points, {k}) for {len(pts)} points has shape {got.shape}; expected ({len(pts)},).",
                        hint)
        want = np.array(want)
        if k == 1 and np.allclose(got, 0.0):
            raise Wrong("Every radius is 0: each point counted itself as its own nearest neighbour.",
                        "skip the point itself: its distance 0 is the first entry of each sorted row")
        if k > 1 and np.allclose(got, RADIUS_CASES_8_1[k - 1]):
            raise Wrong(f"For k={k} you return the distance to the {k - 1}-th other point: the point itself was "
                        "counted as one of its neighbours.", hint)
        if k < 3 and np.allclose(got, RADIUS_CASES_8_1[k + 1]):
            raise Wrong(f"For k={k} you return the distance to the {k + 1}-th other point: one neighbour too far.",
                        hint)
        if np.allclose(got, want ** 2):
            raise Wrong(f"kth_radius(points, {k}) gives {got.tolist()}: squared distances.",
                        "take the square root: the radius is a distance")
        if not np.allclose(got, want, atol=1e-6):
            raise Wrong(f"kth_radius(points on a line at 0, 1, 3, 7, k={k}) = {np.round(got, 4).tolist()}; "
                        f"expected {want.tolist()}.", hint)
    from gan_lib.measure.neighbours import nearest_neighbours

    x = np.random.default_rng(8).normal(size=(60, 5))
    got = _array_4(_result_8(kth_radius, "kth_radius(x, 3) on 60 points in 5-D", x.copy(), 3), "kth_radius(x, 3)")
    want = nearest_neighbours(x, x, k=4)[0][:, 3]
    if got.shape != want.shape or not np.allclose(got, want, atol=1e-6):
        raise Wrong("Right on the points of a line, but not on 60 random points in 5-D.",
                    "use the Euclidean distance over all coordinates: np.linalg.norm(a - b, axis=-1)")


#: Exercise 8.2's hand-made sets: real points at 0, 1, 2, 3 (k=1: every radius 1, so the real
#: manifold is [-1, 4]); fakes at 0.5, 3.9, 4.5, 10 -> precision 2/4. The fakes' own k=1 radii are
#: 3.4, 0.6, 0.6, 5.5, and every real point lies within 3.4 of 0.5 -> recall 1.
PRECISION_REAL_8 = np.array([[0.0], [1.0], [2.0], [3.0]])
PRECISION_FAKE_8 = np.array([[0.5], [3.9], [4.5], [10.0]])


def check_8_2(precision) -> None:
    """A function ``precision(real, fake, k)``: the share of fake points inside some real point's k-NN ball."""
    from gan_lib.measure.evaluate import precision_recall

    expect_function(precision, "your precision function",
                    "precision should be a function precision(real, fake, k)")
    hint = ("a fake point f counts if ||f - r_i|| <= radius_i for at least one real point r_i, where radius_i "
            "is r_i's distance to its k-th nearest other real point")

    def value(real, fake, k, what):
        v = _result_8(precision, what, real.copy(), fake.copy(), k)
        if isinstance(v, (str, bytes)):
            raise Wrong(f"{what} returned the text {v!r}; return a number between 0 and 1.", hint)
        try:
            arr = np.asarray(v, np.float64)
        except (TypeError, ValueError):
            raise Wrong(f"{what} returned {type(v).__name__} {v!r:.60}, not a number.", hint) from None
        if arr.size != 1:
            raise Wrong(f"{what} returned shape {arr.shape}; precision is one number, the share of fake points "
                        "inside the real manifold.", "take the mean of the per-point True/False")
        return float(arr.reshape(()))

    v = value(PRECISION_REAL_8, PRECISION_FAKE_8, 1, "precision(real, fake, k=1) on the line")
    if abs(v - 2.0) < 1e-9:
        raise Wrong("You return 2: a count of fake points. Precision is a share.", "divide by the number of fakes")
    if abs(v) < 1e-9:
        raise Wrong("Your precision of the line example is 0: every real ball has radius 0 because each real "
                    "point counted itself as its nearest neighbour.", "the radius is the k-th nearest *other* point")
    if abs(v - 1.0) < 1e-9:
        raise Wrong("Your precision of the line example is 1.0, but fakes at 4.5 and 10 lie outside every real "
                    "ball (the real manifold is [-1, 4] there): that is recall, real points inside the fakes' "
                    "balls, or balls measured around the fakes.", hint)
    if not math.isfinite(v) or abs(v - 0.5) > 1e-9:
        raise Wrong(f"precision(real at 0,1,2,3; fake at 0.5, 3.9, 4.5, 10; k=1) = {v}; expected 0.5 "
                    "(0.5 and 3.9 are inside, 4.5 and 10 are not).", hint)
    edge = value(PRECISION_REAL_8, np.array([[4.0], [-1.0], [5.0], [20.0]]), 1, "precision(..., fake at 4, -1, 5, 20)")
    if abs(edge - 0.5) > 1e-9:
        raise Wrong(f"With fakes exactly on the edge of a real ball (4 and -1) your precision is {edge}; expected "
                    "0.5.", "a point on the edge counts as inside: use <=, not <")
    rng = np.random.default_rng(9)
    real, fake = rng.normal(size=(80, 3)), rng.normal(size=(70, 3)) * 1.5 + 0.5
    for k in (2, 4):
        got = value(real, fake, k, f"precision(real, fake, k={k}) on random 3-D points")
        want = precision_recall(real, fake, k=k)["precision"]
        if abs(got - want) > 1e-9:
            raise Wrong(f"On 80 real and 70 fake random 3-D points with k={k} your precision is {got:.4f}; "
                        f"expected {want:.4f}.", hint)


def _cheat_reference():
    """Exercise 8.3's yardsticks: the shipped training and held-out digits."""
    from gan_lib import data

    return data.load_digits("train", verbose=False).images, data.load_digits("heldout", verbose=False).images


#: Exercise 8.3's bars: a classifier score at least this, and exposed by memorisation or recall.
CHEAT_8_3 = {"score_min": 8.0, "memorised_min": 0.5, "recall_max": 0.3, "n_min": 500, "n_used": 1000}


def check_8_3(images) -> None:
    """An array of at least 500 images (N, 28, 28, 1) in [-1, 1] whose classifier score is at least 8
    but which the memorisation check (at least half below the held-out 1st percentile) or recall
    (at most 0.3) exposes as a poor generator."""
    from gan_lib.data import check_images
    from gan_lib.measure import classifier, evaluate, metrics, neighbours

    expect_done(images, "your images")
    c = CHEAT_8_3
    if callable(images) or isinstance(images, (str, bytes, dict)):
        raise Wrong(f"answer_8_3 should be an array of images (N, 28, 28, 1), got {type(images).__name__}.",
                    "e.g. np.stack([...]) of training digits")
    try:
        x = check_images(images, name="answer_8_3")
    except Exception as e:  # noqa: BLE001 - the data module's message says how to convert
        raise Wrong(f"{e}", "images in [-1, 1], shape (N, 28, 28, 1), float32") from None
    if len(x) < c["n_min"]:
        raise Wrong(f"answer_8_3 has {len(x)} images; give at least {c['n_min']} so the numbers mean something.",
                    "repeat your images (np.repeat or np.tile) to make up the number")
    x = x[:c["n_used"]]
    feats, probs = classifier.features_and_probs(x)
    score = metrics.classifier_score(probs)
    if score < c["score_min"]:
        raise Wrong(f"The classifier score of your images is {score:.2f}; the bar is {c['score_min']:g}.",
                    "the score is high when each image is read confidently as one digit and all ten digits "
                    "appear equally often")
    train, held = _cheat_reference()
    mem = neighbours.memorisation(x, train, held)
    f_real, _ = classifier.features_and_probs(held[:len(x)])
    recall = evaluate.precision_recall(f_real, feats, k=3)["recall"]
    share = mem["share_below"][1.0]
    if share < c["memorised_min"] and recall > c["recall_max"]:
        raise Wrong(f"Classifier score {score:.2f}, but nothing exposes your images: {100 * share:.0f}% are closer "
                    f"to a training digit than the held-out 1st percentile and recall is {recall:.2f}. They look "
                    "like new, varied digits, which is what a good generator draws.",
                    "the exercise asks for a set that games the score: few distinct images, copied from the "
                    "training digits")


# =========================================================================== lesson 09: beyond DCGAN


def _call_9(fn, what, hint, *args):
    out = _attempt(what, hint, fn, *args)
    try:
        import keras

        if not isinstance(out, (str, bytes)) and hasattr(out, "shape") and not isinstance(out, np.ndarray):
            out = keras.ops.convert_to_numpy(out)
        arr = np.asarray(out, np.float64)
    except (TypeError, ValueError):
        raise Wrong(f"{what} returned {type(out).__name__} {out!r:.60}, not numbers.", hint) from None
    if arr.dtype == object or not np.isfinite(arr).all():
        raise Wrong(f"{what} returned values that are not finite numbers.", hint)
    return arr


def _truncated_variance(t: float) -> float:
    phi = math.exp(-t * t / 2) / math.sqrt(2 * math.pi)
    big_phi = 0.5 * (1 + math.erf(t / math.sqrt(2)))
    return 1 - 2 * t * phi / (2 * big_phi - 1)


def check_9_1(truncate) -> None:
    """A function ``truncate(z, threshold, rng)``: every entry with ``|z| > threshold`` re-drawn until inside."""
    expect_function(truncate, "your truncate function",
                    "truncate should be a function truncate(z, threshold, rng)")
    hint = ("re-draw only the entries outside (rng.standard_normal(count)), and repeat while any is still "
            "outside: a fresh normal draw can land outside again")
    t = 0.7
    z = np.random.default_rng(5).standard_normal((3000, 8))
    out = _call_9(truncate, "truncate(z, 0.7, rng)", hint, z.copy(), t, np.random.default_rng(6))
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
    var = float(out[~inside].var())
    want = _truncated_variance(t)
    if abs(var - want) > 0.005:          # about 4 standard errors for the ~11,600 re-drawn values
        raise Wrong(f"The re-drawn values have variance {var:.3f}; a standard normal truncated to [-0.7, 0.7] "
                    f"has {want:.3f}. Draw them from the normal distribution (rng.standard_normal), not "
                    "uniformly.", hint)


_CYCLE_X = np.random.default_rng(9).uniform(-1, 1, (6, 8, 8, 1))


def _cycle_pair():
    g = lambda x: -np.asarray(x)[:, ::-1]                 # noqa: E731  invert, flip rows
    f = lambda y: 0.8 * (-np.asarray(y)[:, ::-1])          # noqa: E731  an imperfect way back
    return g, f


def check_9_2(cycle_loss) -> None:
    """A function ``cycle_loss(x, g, f)``: mean |f(g(x)) - x| (CycleGAN's L1 cycle consistency)."""
    expect_function(cycle_loss, "your cycle_loss function",
                    "cycle_loss should be a function cycle_loss(x, g, f)")
    hint = "translate with g, come back with f, and average the absolute differences: mean(|f(g(x)) - x|)"
    x = _CYCLE_X
    g, f = _cycle_pair()
    got = _call_9(cycle_loss, "cycle_loss(x, g, f)", hint, x, g, f)
    if got.size != 1:
        raise Wrong(f"cycle_loss returned shape {got.shape}; a loss is one number (the mean over every value).",
                    "wrap it in np.mean(...)")
    v = float(got.reshape(()))
    back = f(g(x))
    want = float(np.mean(np.abs(back - x)))
    if abs(v - want) < 1e-6:
        ident = float(np.asarray(_call_9(cycle_loss, "cycle_loss(x, g, g_inverse)", hint, x, g,
                                         lambda y: -np.asarray(y)[:, ::-1])).reshape(-1)[0])
        if abs(ident) > 1e-9:
            raise Wrong(f"With f the exact inverse of g your loss is {ident:.4g}; it must be 0 there.", hint)
        return
    if abs(v - float(np.mean((back - x) ** 2))) < 1e-6:
        raise Wrong("That is the squared error. CycleGAN's cycle loss is the L1 norm (absolute values), which "
                    "blurs less than the squared error.", hint)
    if abs(v - float(np.mean(back - x))) < 1e-6 or abs(v - float(np.mean(x - back))) < 1e-6:
        raise Wrong("You averaged the signed differences: positive and negative errors cancel, so a poor "
                    "reconstruction can score near 0.", "take np.abs(...) before the mean")
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
    hint = ("scores = q @ k.T (one row per query, one column per key); softmax along each row (axis=-1), "
            "so each query's weights over the keys sum to 1; then weights @ v")
    for q, k, v in _attention_cases():
        got = _call_9(attend, "attend(q, k, v)", hint, q, k, v)
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
