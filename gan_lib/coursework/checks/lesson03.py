"""Lesson 03's exercise checks (DCGAN on MNIST): a transposed convolution's output size (3.1),
spherical interpolation of latents (3.2), one setting of the course DCGAN changed and trained (3.3),
and one DCGAN training step written by hand (3.4)."""

from __future__ import annotations

import copy
import functools
import math

import numpy as np

from gan_lib.coursework.checks.common import (
    architecture,
    array,
    call,
    number,
    refusing,
    trained_gan_samples,
    untrained_fd,
)
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
    """A function ``tconv_size(size, kernel, stride, padding)``: a Conv2DTranspose's output size.

    Building a ``keras.layers.Conv2DTranspose`` to read its output shape is refused (:class:`refusing`):
    the exercise asks for the rule, not for Keras' answer."""
    import keras

    expect_function(tconv_size, "your tconv_size function",
                    "tconv_size should be a function tconv_size(size, kernel, stride, padding)")
    want = [_keras_tconv_size(*c) for c in TCONV_CASES]
    with refusing("keras.layers.Conv2DTranspose", keras.layers, "Conv2DTranspose",
                  what="the layer whose output size the exercise asks you to work out"):
        got = _tconv_answers(tconv_size)
    if all(g == w for g, w in zip(got, want)):
        return
    _diagnose_3_1(got, want)


def _tconv_answers(tconv_size) -> list[float]:
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
    return got


def _diagnose_3_1(got, want) -> None:
    conv = [math.ceil(s / st) if p == "same" else (s - k) // st + 1 for s, k, st, p in TCONV_CASES]
    if all(g == c for g, c in zip(got, conv)):
        raise Wrong("Those are the output sizes of an ordinary strided convolution (Conv2D), which shrinks "
                    "its input. A transposed convolution runs it backwards: it grows the input.",
                    "section 1's generator table goes 7 -> 14 -> 28 with stride 2: each stride multiplies")
    same_ok = all(g == w for g, w, c in zip(got, want, TCONV_CASES) if c[3] == "same")
    valid_ok = all(g == w for g, w, c in zip(got, want, TCONV_CASES) if c[3] == "valid")
    first = next((c, g, w) for c, g, w in zip(TCONV_CASES, got, want) if g != w)
    case, g, w = first
    if same_ok and not valid_ok:
        raise Wrong(f"Right for padding='same', wrong for 'valid': tconv_size{case} = {g:g}, Keras gives {w}.",
                    "with 'valid' padding nothing is cropped: each input pixel stamps a kernel-sized patch, "
                    "stride pixels after the previous one; count from the first stamp's first pixel to the "
                    "last stamp's last")
    if valid_ok and not same_ok:
        raise Wrong(f"Right for padding='valid', wrong for 'same': tconv_size{case} = {g:g}, Keras gives {w}.",
                    "'same' crops the overhang of the last stamp; section 1's table (7 -> 14 -> 28) shows what "
                    "is left")
    raise Wrong(f"tconv_size{case} = {g:g}, but Keras' Conv2DTranspose gives {w}.",
                "draw one row on paper: size input pixels, each stamping kernel pixels, stride apart; 'valid' "
                "keeps every stamped pixel, 'same' keeps a whole multiple of the input")


def _slerp_cases():
    rng = np.random.default_rng(3)
    z0, z1 = rng.standard_normal(64), rng.standard_normal(64)
    return z0, z1, [0.0, 0.25, 0.5, 0.75, 1.0]


def check_3_2(slerp) -> None:
    """A function ``slerp(z0, z1, t)`` for one number t: spherical interpolation, safe for parallel vectors.

    Calling the course's ``latent.slerp`` (or ``latent.path``, which calls it) is refused (:class:`refusing`)."""
    from gan_lib.core import latent

    expect_function(slerp, "your slerp function", "slerp should be a function slerp(z0, z1, t)")
    z0, z1, ts = _slerp_cases()
    want = [np.asarray(latent.slerp(z0, z1, t), np.float64) for t in ts]
    with refusing("latent.slerp", latent, "slerp", latent, "path", answer=slerp):
        _check_3_2_cases(slerp, z0, z1, ts, want)


def _check_3_2_cases(slerp, z0, z1, ts, want) -> None:
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
    if all(abs(np.linalg.norm(g) - 1) < 1e-3 for g in got):
        raise Wrong(f"Every point of your path has length 1, while z0 and z1 have lengths {np.linalg.norm(z0):.2f} "
                    f"and {np.linalg.norm(z1):.2f}: you normalised them and never scaled back.",
                    "the angle needs the unit vectors, but the weights multiply z0 and z1 themselves")
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


def _gan_settings(gan) -> dict:
    """Every setting of :data:`COURSE_DEFAULTS_3_3` as ``gan`` really uses it, read from the object.

    ``lr`` and ``beta_1`` are read from both optimizers (a pair ``(D's, G's)`` when they differ);
    ``batch_size`` from :attr:`GAN.batch_sizes_used` (``None`` if ``fit_images`` was never called,
    the batch sizes as a tuple if it was called with several)."""
    import keras

    def optimizer_value(attr):
        values = []
        for opt in (getattr(gan, "d_optimizer", None), getattr(gan, "g_optimizer", None)):
            v = getattr(getattr(opt, "inner_optimizer", opt), attr, None)
            values.append(None if v is None else float(keras.ops.convert_to_numpy(v)))
        return values[0] if values[0] == values[1] else tuple(values)

    used = tuple(dict.fromkeys(getattr(gan, "batch_sizes_used", ())))
    return {"lr": optimizer_value("learning_rate"), "beta_1": optimizer_value("beta_1"),
            "batch_size": (used[0] if len(used) == 1 else used or None), "ema_decay": gan.ema_decay,
            "d_steps": gan.d_steps, "latent_dim": gan.latent_dim,
            "loss": getattr(getattr(gan, "gan_loss", None), "name", None)}


def _same_setting(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-6)
    return a == b


def _fd_and_untrained_fd(gan, images) -> tuple[float, float]:
    """The FD of ``images``, and of as many images from an untrained generator of ``gan``'s shape."""
    from gan_lib.measure import metrics

    return metrics.evaluate(images)["fd"], untrained_fd(gan, len(images))


def check_3_3(answer) -> None:
    """``{"setting": name, "value": v, "gan": trained GAN}``: one setting of the course DCGAN changed,
    the GAN really uses it, and its samples beat an untrained generator's FD by more than 2x.

    The check reads every setting back from the GAN (both optimizers, ``ema_decay``, ``d_steps``,
    ``latent_dim``, the loss, the batch sizes ``fit_images`` was called with) and refuses one that
    differs from the value named, or a second setting changed as well. It refuses networks that are
    not the course DCGAN, and draws the 1,000 samples it scores itself from the generator
    (:func:`trained_gan_samples`), so a stand-in with its own ``sample`` does not count."""
    from gan_lib import models

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
    numeric = isinstance(default, (int, float)) and not (setting == "ema_decay" and value is None)
    if numeric and (isinstance(value, (bool, str, bytes)) or not isinstance(value, (int, float, np.number))):
        raise Wrong(f"{setting} should be a number, got {type(value).__name__} {value!r:.60}.",
                    f"the course's default is {default!r}")
    if _same_setting(value, default):
        raise Wrong(f"{setting} = {value!r} is the course's default: nothing changed.",
                    "pick another value, train, and compare with the course DCGAN's row of the table")
    from gan_lib.core.gan import GAN

    trained_gan_samples(gan, 1, 33, "answer_3_3['gan']")  # a course GAN, trained: refuses anything else
    used = _gan_settings(gan)
    g_ref, d_ref = models.build("dcgan", used["latent_dim"])
    sampler = gan.generator if gan.ema_generator is None else gan.ema_generator
    for net, ref, name in ((gan.generator, g_ref, "generator"), (gan.discriminator, d_ref, "discriminator"),
                           (sampler, g_ref, "weight-averaged generator")):
        if architecture(net) != architecture(ref):
            raise Wrong(f"Your GAN's {name} is not the course DCGAN's ({net.count_params():,} parameters; the "
                        f"course DCGAN's has {ref.count_params():,}). The exercise changes one training setting of "
                        "the course DCGAN, not its networks.",
                        'build it with train.build_gan("dcgan", ...) or models.build("dcgan", latent_dim)')
    if used["batch_size"] is None:
        raise Wrong("The check cannot read your batch size back: this GAN was never trained with fit_images.",
                    "train with gan.fit_images(images, batch_size, epochs)")
    if isinstance(used["batch_size"], tuple):
        raise Wrong(f"Your GAN was trained with several batch sizes ({', '.join(map(str, used['batch_size']))}): "
                    "that is not one setting changed.", "train one GAN from scratch with one batch size")
    if not _same_setting(used[setting], value):
        where = " (D's, G's)" if isinstance(used[setting], tuple) and setting in ("lr", "beta_1") else ""
        raise Wrong(f"You say {setting} = {value!r}, but your GAN uses {setting} = {used[setting]!r}{where}.",
                    "build the GAN with the changed setting (train.build_gan(...) takes lr, beta_1, "
                    "loss, ema_decay, latent_dim; fit_images takes the batch size) and give both networks "
                    "the same optimizer settings")
    others = [f"{k} = {used[k]!r} (default {d!r})" for k, d in COURSE_DEFAULTS_3_3.items()
              if k != setting and not _same_setting(used[k], d)]
    if others:
        raise Wrong(f"Besides {setting}, your GAN changes {'; '.join(others)}. With two changes at once the "
                    "comparison cannot say which one made the difference (variant B's problem in section 5).",
                    "keep every other setting at the course's default")
    z = np.random.default_rng([33, 19]).standard_normal((1000, gan.latent_dim)).astype("float32")
    images = GAN.generate(gan, z, generator=sampler)  # the check's own latents, through the course's networks
    if not np.all(np.isfinite(images)):
        raise Wrong("Your GAN's samples contain NaN: the training diverged.",
                    "a smaller learning rate, or another seed")
    fd, fd0 = _fd_and_untrained_fd(gan, images)
    if not fd < fd0 / 2:
        raise Wrong(f"Your GAN's FD is {fd:.1f}; an untrained generator of the same shape scores {fd0:.1f}. "
                    "It has not learned enough to measure the change: the check asks for less than half.",
                    "train for more epochs (or check that you trained the GAN you passed)")


# --------------------------------------------------------------------------- 3.4: one DCGAN training step

#: Exercise 3.4's setting: a small batch, plain SGD (its update is ``lr * gradient``, so any
#: difference in a gradient shows in the weights; Adam's first step is nearly ``lr * sign``).
BATCH_3_4, LR_3_4 = 8, 0.05
ARGS_3_4 = "(generator, discriminator, g_optimizer, d_optimizer, real, z_d, z_g)"


class _WatchedSGD:
    """Make the SGD optimizers handed to the student's step, logging every ``apply`` before it runs."""

    @staticmethod
    def make(name, log):
        import keras

        class Watched(keras.optimizers.SGD):
            def apply(self, grads, trainable_variables=None):
                log.append((name, [id(v) for v in (trainable_variables or [])],
                            any(g is None for g in grads)))
                return super().apply(grads, trainable_variables)

        return Watched(LR_3_4, name=name)


def _weights_3_4(net, rng):
    """DCGAN's initialisation (Radford et al. 2016: every weight from N(0, 0.02)), BatchNorm's defaults."""
    out = []
    for v in net.weights:
        name, shape = v.path.rsplit("/", 1)[-1], tuple(v.shape)
        if name in ("gamma", "moving_variance"):
            out.append(np.ones(shape, "float32"))
        elif name in ("beta", "moving_mean", "bias"):
            out.append(np.zeros(shape, "float32"))
        else:
            out.append((0.02 * rng.standard_normal(shape)).astype("float32"))
    return out


@functools.lru_cache(maxsize=1)
def _setting_3_4_once():
    from gan_lib import data, models

    g, d = models.build("dcgan")
    rng = np.random.default_rng([3, 4])
    init = (_weights_3_4(g, rng), _weights_3_4(d, rng))
    real = data.load_digits("train", limit=BATCH_3_4, verbose=False).images
    z_d, z_g = rng.standard_normal((2, BATCH_3_4, g.input_shape[-1])).astype("float32")
    return init, real, z_d, z_g


def _setting_3_4():
    """The initial weights of a course DCGAN (G, D), a batch of 8 real digits, and the two latent batches.

    Built once per process; each call gets its own copy, so an answer that changes its inputs in
    place cannot change what the next check compares with."""
    return copy.deepcopy(_setting_3_4_once())


def _pair_3_4(init):
    from gan_lib import models

    g, d = models.build("dcgan")
    g.set_weights(init[0])
    d.set_weights(init[1])
    return g, d


def _state_3_4(g, d):
    """Every weight after a step, by part: G's trainable weights, G's BatchNorm statistics, D's weights."""
    import keras

    def arrays(ws):
        return [keras.ops.convert_to_numpy(w).astype(np.float64) for w in ws]

    return {"G": arrays(g.trainable_weights), "G_bn": arrays(g.non_trainable_weights), "D": arrays(d.weights)}


def _library_step_3_4(init, real, z_d, z_g, loss="nonsaturating", d_lr=LR_3_4):
    """The course's own ``GAN.train_step`` on a fresh copy, with ``z_d`` and ``z_g`` as its two latent draws.

    Returns ``(d_loss, g_loss, state)``. ``d_lr=0`` leaves D where it was (to see what G's
    update would be against D before its update).
    """
    import keras

    from gan_lib.core.gan import GAN

    class ScriptedGAN(GAN):
        """The course's GAN with its latent draws replaced by given batches, in order (nothing else changes)."""

        def __init__(self, *args, latents, **kwargs):
            super().__init__(*args, **kwargs)
            self._scripted = list(latents)

        def _latents(self, n):
            return keras.ops.convert_to_tensor(self._scripted.pop(0))

    g, d = _pair_3_4(init)
    gan = ScriptedGAN(g, d, latents=[z_d, z_g])
    gan.compile(d_optimizer=keras.optimizers.SGD(d_lr), g_optimizer=keras.optimizers.SGD(LR_3_4), loss=loss)
    logs = gan.train_step(keras.ops.convert_to_tensor(real))
    return float(logs["d_loss"]), float(logs["g_loss"]), _state_3_4(g, d)


@functools.lru_cache(maxsize=16)
def _reference_3_4(latents=("z_d", "z_g"), loss="nonsaturating", d_lr=LR_3_4):
    """:func:`_library_step_3_4` on the check's setting, once per process for each variant the diagnosis tries.

    ``latents`` names the batches D's and G's updates use (``"z_d"`` or ``"z_g"``). The
    returned arrays are read-only, since every later check reads the same ones."""
    init, real, z_d, z_g = _setting_3_4_once()
    z = {"z_d": z_d, "z_g": z_g}
    d_loss, g_loss, state = _library_step_3_4(init, real, z[latents[0]], z[latents[1]], loss=loss, d_lr=d_lr)
    for arrays in state.values():
        for a in arrays:
            a.flags.writeable = False
    return d_loss, g_loss, state


def _rel_err(got, want) -> float:
    """Largest difference between two lists of arrays, relative to the largest value of ``want``."""
    scale = max(max((float(np.abs(w).max()) for w in want if w.size), default=0.0), 1e-12)
    return max((float(np.abs(a - b).max()) for a, b in zip(got, want) if a.size), default=0.0) / scale


def _update_err(got, want, before) -> float:
    """How far one update is from another, relative to the size of the right one (0 when equal)."""
    scale = max(max((float(np.abs(w - b).max()) for w, b in zip(want, before) if w.size), default=0.0), 1e-12)
    return max((float(np.abs(a - w).max()) for a, w in zip(got, want) if a.size), default=0.0) / scale


def _same_loss(a, b, tol=1e-5) -> bool:
    return abs(a - b) <= tol * max(abs(b), 1e-6)


def check_3_4(dcgan_train_step) -> None:
    """A function ``dcgan_train_step(generator, discriminator, g_optimizer, d_optimizer, real, z_d, z_g)``
    that makes one training step of the course's GAN and returns ``(d_loss, g_loss)``. Calling the
    course's ``GAN.train_step`` from it is refused (:class:`refusing`).

    Goodfellow et al. (2014), Algorithm 1 with k = 1, as :meth:`gan_lib.core.gan.GAN.train_step`
    does it: D descends ``softplus(-l(x)) + softplus(l(G(z_d)))`` (each term a batch mean, D called
    on real and fake separately) with its own tape and ``d_optimizer``; then G descends
    ``softplus(-l(G(z_g)))`` against the updated D, with its own tape and ``g_optimizer``. The check
    runs the student's step and the library's on two copies of one course DCGAN (same weights, same
    8 real digits, same latents, SGD) and asks that both losses and every weight agree
    (within 1e-5 relative).
    """
    import inspect

    from gan_lib.coursework.exercises import NotDone

    expect_function(dcgan_train_step, "your dcgan_train_step function",
                    f"dcgan_train_step should be a function dcgan_train_step{ARGS_3_4}")
    try:
        inspect.signature(dcgan_train_step).bind(*range(7))
    except TypeError:
        raise Wrong(f"dcgan_train_step should take seven arguments, {ARGS_3_4}, in that order.",
                    "keep the signature of the stub") from None
    except ValueError:
        pass  # a builtin without a signature: just call it
    init, real, z_d, z_g = _setting_3_4()
    g, d = _pair_3_4(init)
    before = _state_3_4(g, d)
    g_ids, d_ids = {id(w) for w in g.trainable_weights}, {id(w) for w in d.trainable_weights}
    log = []
    g_opt, d_opt = _WatchedSGD.make("g_optimizer", log), _WatchedSGD.make("d_optimizer", log)
    crash = None
    from gan_lib.core.gan import GAN

    with refusing("GAN.train_step", GAN, "train_step", answer=dcgan_train_step,
                  what="the course's own training step, the one this exercise asks you to write"):
        try:
            out = dcgan_train_step(g, d, g_opt, d_opt, real, z_d, z_g)
        except (NotDone, NotImplementedError):
            raise
        except Exception as e:  # noqa: BLE001  (diagnosed below, from what the optimizers were given first)
            crash, out = e, None

    # What each optimizer was asked to update, in order.
    for name, ids, none_grads in log:
        own, other, net = (d_ids, g_ids, "G") if name == "d_optimizer" else (g_ids, d_ids, "D")
        if set(ids) & other:
            if name == "d_optimizer":
                raise Wrong("d_optimizer was given G's weights: D's loss (or D's tape) is moving the generator.",
                            "D's update differentiates D's loss with respect to discriminator.trainable_weights "
                            "only, and applies those gradients with d_optimizer to those same weights")
            raise Wrong("G's update also moved D: g_optimizer was given D's weights, so D took a step to help G "
                        "fool it.",
                        "differentiate G's loss with respect to generator.trainable_weights only; D's weights "
                        "are read in G's loss but never written there")
        if none_grads:
            raise Wrong(f"{name} was given a gradient of None: that tape did not record the loss it was asked "
                        "to differentiate.",
                        "compute each loss inside the `with tf.GradientTape() as tape:` block whose tape you "
                        "then call, one tape per update")
    names = [name for name, _, _ in log]
    if crash is not None:
        raise Wrong(f"dcgan_train_step{ARGS_3_4} raised {type(crash).__name__}: {crash}.",
                    "D's gradients go to d_optimizer with discriminator.trainable_weights, G's to g_optimizer "
                    "with generator.trainable_weights")
    for name, net in (("d_optimizer", "D"), ("g_optimizer", "G")):
        if name not in names:
            raise Wrong(f"{net}'s weights were never updated: {name} was not used.",
                        f"after tape.gradient(...), call {name}.apply_gradients(zip(grads, weights))")
    if names.index("g_optimizer") < names.index("d_optimizer"):
        raise Wrong("G was updated before D. The course (Goodfellow et al.'s Algorithm 1) updates D first, "
                    "then G against the updated D.")
    if len(names) > 2:
        raise Wrong(f"The optimizers were applied {len(names)} times ({', '.join(names)}); one step is one "
                    "update of D and then one of G.")

    # The two losses it returned.
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise Wrong(f"dcgan_train_step returned {type(out).__name__} {out!r:.60}; it should return the two "
                    "losses, (d_loss, g_loss).", "return d_loss, g_loss")
    d_loss = number(out[0], "the first value returned (D's loss)", "return d_loss, g_loss")
    g_loss = number(out[1], "the second value returned (G's loss)", "return d_loss, g_loss")
    d_want, g_want, want = _reference_3_4()
    got = _state_3_4(g, d)
    ok = {"d_loss": _same_loss(d_loss, d_want), "g_loss": _same_loss(g_loss, g_want),
          "D": _update_err(got["D"], want["D"], before["D"]) < 1e-5,
          "G": _update_err(got["G"], want["G"], before["G"]) < 1e-5,
          "G_bn": _rel_err(got["G_bn"], want["G_bn"]) < 1e-5}
    if all(ok.values()):
        return
    if not ok["d_loss"] and not ok["g_loss"] and _same_loss(d_loss, g_want, 1e-4) and _same_loss(g_loss, d_want, 1e-4):
        raise Wrong("The two losses come back in the wrong order.", "return d_loss, g_loss")

    def like(run, parts=("D", "G", "G_bn"), losses=True, tol=1e-4):
        dl, gl, state = run
        return (all(_rel_err(got[p], state[p]) < tol for p in parts)
                and (not losses or (_same_loss(d_loss, dl, tol) and _same_loss(g_loss, gl, tol))))

    if like(_reference_3_4(("z_g", "z_d"))):
        raise Wrong("The latents are swapped: you used z_g for D's update and z_d for G's.",
                    "D's fakes are generator(z_d), G's are generator(z_g)")
    for name in ("z_d", "z_g"):
        if like(_reference_3_4((name, name))):
            raise Wrong(f"Both updates used the same latents ({name}). The course draws fresh latents for G's "
                        "update, after D's.", "D's fakes are generator(z_d), G's are generator(z_g)")
    if ok["D"] and like(_reference_3_4(("z_d", "z_d"), d_lr=0.0), parts=("G",), losses=False):
        raise Wrong("G's update used D from before its update, with D's fakes (one forward pass for both "
                    "losses, as in TensorFlow's tutorial). The course updates D first, then draws G's fakes "
                    "from z_g and scores them with the updated D.",
                    "compute G's loss in its own tape, after d_optimizer.apply_gradients(...)")
    if ok["D"] and like(_reference_3_4(d_lr=0.0), parts=("G",), losses=False):
        raise Wrong("G's loss was computed with D from before D's update (both losses recorded first, then "
                    "both updates). The course scores G's fakes with the updated D.",
                    "open G's tape after d_optimizer.apply_gradients(...)")
    if ok["D"] and like(_reference_3_4(loss="minimax"), parts=("G",), losses=False):
        raise Wrong("G's loss is the saturating one, log(1 - D(G(z))) = -softplus(l): its gradient vanishes "
                    "when D rejects the fakes (lesson 01). The course uses the non-saturating loss.",
                    "G's loss is -log D(G(z)) = softplus(-l), the cross-entropy of D's logits with the label 1 "
                    "(\"real\")")
    if not ok["G_bn"]:
        unchanged = _rel_err(got["G_bn"], before["G_bn"]) < 1e-7
        raise Wrong("G's BatchNorm running statistics " + ("did not move at all" if unchanged else
                                                           "differ from the course step's") +
                    ": G was called in inference mode somewhere. In Keras 3 a call without training= runs "
                    "BatchNorm in inference mode (the running averages, not the batch's statistics).",
                    "pass training=True to every call of generator and discriminator in the step")
    if not ok["d_loss"] and _same_loss(d_loss, d_want / 2, 1e-4):
        raise Wrong(f"D's loss is {d_loss:.5g}, half the course's {d_want:.5g}: one mean over real and fake "
                    "together. The course adds the mean over the real batch and the mean over the fake one.",
                    "call D on real and on fake separately: d_loss = BCE(1, real logits) + BCE(0, fake logits)")
    wrong = [what for key, what in (("d_loss", f"D's loss ({d_loss:.5g}; the course's step gives {d_want:.5g})"),
                                    ("g_loss", f"G's loss ({g_loss:.5g}; the course's step gives {g_want:.5g})"),
                                    ("D", "D's weights after the step"), ("G", "G's weights after the step"))
             if not ok[key]]
    raise Wrong("Your step differs from the course's GAN.train_step on the same weights, batch and latents in: "
                + "; ".join(wrong) + ".",
                "D: BCE of its logits on real (label 1) plus on generator(z_d) (label 0), its own tape and "
                "d_optimizer; then G: BCE of D's logits on generator(z_g) with label 1, its own tape and "
                "g_optimizer; training=True everywhere")
