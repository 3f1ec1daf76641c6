"""Lesson 03's exercise checks (DCGAN on MNIST): a transposed convolution's output size (3.1),
spherical interpolation of latents (3.2), and one setting of the course DCGAN changed and trained (3.3)."""

from __future__ import annotations

import math

import numpy as np

from gan_lib.coursework.checks.common import array, call
from gan_lib.coursework.exercises import Wrong, expect_done, expect_function

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
        v = call(tconv_size, f"tconv_size{case}",
                 "size, kernel and stride are whole numbers; padding is 'same' or 'valid'", *case)
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

    def run(a, b, t):
        out = array(call(slerp, f"slerp(z0, z1, {t})", "z0 and z1 are NumPy vectors of 64 numbers; t is one number",
                         a, b, t),
                    f"slerp(z0, z1, {t})", "return a NumPy array of the same shape as z0", kind="a vector of numbers")
        if out.shape != a.shape:
            raise Wrong(f"slerp(z0, z1, {t}) has shape {out.shape}; expected one vector of shape {a.shape}.")
        return out

    def close(a, b):
        return bool(np.allclose(a, b, rtol=1e-4, atol=1e-4))

    got = [run(z0, z1, t) for t in ts]
    want = [np.asarray(latent.slerp(z0, z1, t), np.float64) for t in ts]
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
        parallel = run(e, 2.0 * e, 0.5)
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
        raise Wrong("Your GAN's samples contain NaN: the training diverged.",
                    "a smaller learning rate, or another seed")
    fd = metrics.evaluate(images)["fd"]
    fd0 = _untrained_fd(gan)
    if not fd < fd0 / 2:
        raise Wrong(f"Your GAN's FD is {fd:.1f}; an untrained generator of the same shape scores {fd0:.1f}. "
                    "It has not learned enough to measure the change: the check asks for less than half.",
                    "train for more epochs (or check that you trained the GAN you passed)")
