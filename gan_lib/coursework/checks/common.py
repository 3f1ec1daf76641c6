"""What every lesson's checks share: calling a student's function, and reading back what it returned.

A check never lets a student's crash or odd return value surface as a traceback. These helpers
turn both into a :class:`~gan_lib.coursework.exercises.Wrong` that names the call and says what
came back instead, while a stub's ``NotDone`` / ``NotImplementedError`` passes through (the
verdict is then "not done yet").
"""

from __future__ import annotations

import numpy as np

from gan_lib.coursework.exercises import NotDone, Wrong


def call(fn, what: str, hint: str | None, *args):
    """``fn(*args)``; any crash but a stub's becomes ``Wrong("<what> raised <Error>: <message>.", hint)``."""
    try:
        return fn(*args)
    except (NotDone, NotImplementedError):
        raise
    except Exception as e:
        raise Wrong(f"{what} raised {type(e).__name__}: {e}.", hint) from None


def shown(name: str, args) -> str:
    """How a call reads in a message: ``shown("f", (np.array([1.0]), 2))`` is ``"f([1.0], 2)"``."""
    return f"{name}(" + ", ".join(repr(a.tolist() if isinstance(a, np.ndarray) else a) for a in args) + ")"


def number(value, what: str, hint: str | None = None, one: str = "one number") -> float:
    """``value`` as a float, or a :class:`Wrong` saying that ``what`` should be ``one`` number.

    Text, ``None`` and anything NumPy cannot read as numbers are "<what> should be one number,
    got <type> <value>"; an array of more than one number is "<what> has shape <shape>; it
    should be one number". ``one`` can say more, e.g. "one number (the mean over the batch)".
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise Wrong(f"{what} should be {one}, got {type(value).__name__} {value!r:.60}.", hint)
    try:
        v = np.asarray(value, np.float64)
    except (TypeError, ValueError):
        raise Wrong(f"{what} should be {one}, got {type(value).__name__} {value!r:.60}.", hint) from None
    if v.size != 1:
        raise Wrong(f"{what} has shape {v.shape}; it should be {one}.", hint)
    return float(v.reshape(()))


def array(value, what: str, hint: str | None = "return a NumPy array of numbers", kind: str = "numbers",
          finite: bool = False) -> np.ndarray:
    """``value`` (a NumPy array, a list, a Keras or TensorFlow tensor) as a float64 array.

    Anything else is ``Wrong("<what> returned <type> <value>, not <kind>.", hint)``; with
    ``finite=True`` NaN or infinity is ``Wrong("<what> returned values that are not finite numbers.")``.
    """
    try:
        if not isinstance(value, (str, bytes, np.ndarray)) and hasattr(value, "shape"):
            import keras

            value = keras.ops.convert_to_numpy(value)
        arr = np.asarray(value, np.float64)
    except (TypeError, ValueError):
        raise Wrong(f"{what} returned {type(value).__name__} {value!r:.60}, not {kind}.", hint) from None
    if finite and not np.isfinite(arr).all():
        raise Wrong(f"{what} returned values that are not finite numbers.", hint)
    return arr


def call_array(fn, what: str, hint: str | None, *args) -> np.ndarray:
    """``fn(*args)`` as a float64 array of finite numbers: :func:`call`, then :func:`array` with ``finite=True``."""
    return array(call(fn, what, hint, *args), what, hint, finite=True)


class refusing:
    """Within ``with refusing("theory.js_divergence", theory, "js_divergence"):`` the course's own
    reference for an exercise still runs, but a call to it is noted; leaving the block then raises
    ``Wrong("... calls theory.js_divergence ...")``. An exercise that asks the student to write a
    formula cannot pass by calling the library function that computes it. Work out the expected
    values *before* the block (the check's own calls would be noted too). Pass the student's answer
    as ``answer=`` to refuse the library function handed over as it is (a name bound before the
    watch starts). A method works too (``refusing("GAN.train_step", GAN, "train_step")``); a
    ``staticmethod`` stays one while it is watched."""

    def __init__(self, name: str, module, attr: str, *more, answer=None,
                 what="the course's own version of what this exercise asks you to write"):
        self.name = name
        self.answer = answer
        self.what = what
        self.targets = [(module, attr)] + [(more[i], more[i + 1]) for i in range(0, len(more), 2)]
        self.used = False

    def __enter__(self):
        import inspect

        self.saved = [(m, a, inspect.getattr_static(m, a)) for m, a in self.targets]
        if self.answer is not None and any(self.answer is getattr(m, a) for m, a in self.targets):
            raise Wrong(f"Your answer is {self.name} itself, {self.what}.",
                        "write the computation yourself from the formula in the text")
        for m, a, original in self.saved:
            if isinstance(original, staticmethod):
                setattr(m, a, staticmethod(self._noting(original.__func__)))
            else:
                setattr(m, a, self._noting(original))
        return self

    def _noting(self, original):
        def noted(*args, **kwargs):
            self.used = True
            return original(*args, **kwargs)
        return noted

    def __exit__(self, kind, value, tb):
        for m, a, original in self.saved:
            setattr(m, a, original)
        if self.used and (kind is None or issubclass(kind, Wrong)):
            raise Wrong(f"Your answer calls {self.name}, {self.what}.",
                        "write the computation yourself from the formula in the text")
        return False


def trained_gan_samples(answer, n: int, seed: int, name: str, labels=None) -> np.ndarray:
    """``n`` samples the check draws itself, with its own latents, from ``answer``'s generator.

    The answer must be a course ``GAN`` whose generator has taken at least one optimizer step:
    an array of samples (which could be real data or draws from the target), an object that
    merely has a ``sample`` method, or an untrained GAN is refused with a message saying which.
    """
    import keras

    from gan_lib.core.gan import GAN

    if not isinstance(answer, GAN):
        got = "an array of samples" if hasattr(answer, "shape") else type(answer).__name__
        raise Wrong(f"{name} should be the GAN you trained (a gan_lib GAN), got {got}. The check draws the "
                    "samples itself, so samples made another way (the data, the target) do not count.",
                    f"set {name} to the GAN object you called fit on")
    g_optimizer = getattr(answer, "g_optimizer", None)
    if not isinstance(answer.generator, keras.Model) or g_optimizer is None or int(g_optimizer.iterations) == 0:
        raise Wrong(f"The GAN in {name} has not been trained: its generator has taken no optimizer step.",
                    "compile it and call fit (or fit_images) before the check")
    # The course's sampler (the weight average if there is one), read from the attributes themselves so
    # that a subclass overriding ``sampler`` or ``generate`` cannot hand over other samples.
    sampler = answer.ema_generator if getattr(answer, "ema_generator", None) is not None else answer.generator
    if sampler is not answer.generator and architecture(sampler) != architecture(answer.generator):
        raise Wrong(f"The weight average of the GAN in {name} is not a copy of its generator.",
                    "let the course's GAN make its weight average (GAN(..., ema_decay=...))")
    z = np.random.default_rng([seed, 19]).standard_normal((n, answer.latent_dim)).astype("float32")
    return np.asarray(GAN.generate(answer, z, generator=sampler, labels=labels))


def architecture(model) -> list:
    """What makes two networks the same network: each layer's class, output shape and parameter count."""
    return [(type(layer).__name__, tuple(layer.output.shape[1:]) if hasattr(layer, "output") else None,
             layer.count_params()) for layer in model.layers]


def training_recipe(gan) -> dict:
    """Everything of a course ``GAN``'s training that can be read back from the object, by what it is
    called in a message: the loss, the penalties, D's input transform, D's network, the two optimizers,
    the weight average, D's steps per G step and the batch sizes ``fit_images`` was called with."""
    import keras

    def optimizer(opt):
        opt = getattr(opt, "inner_optimizer", opt)
        values = [type(opt).__name__]
        for attr in ("learning_rate", "beta_1", "beta_2"):
            v = getattr(opt, attr, None)
            values.append(None if v is None else round(float(keras.ops.convert_to_numpy(v)), 9))
        return tuple(values)

    return {"the loss": repr(getattr(gan, "gan_loss", None)),
            "D's penalties": tuple(repr(p) for p in gan.d_penalties),
            "G's penalties": tuple(repr(p) for p in gan.g_penalties),
            "D's input transform (packing)": repr(gan.d_input_transform),
            "D's network": architecture(gan.discriminator),
            "the optimizers": (optimizer(getattr(gan, "d_optimizer", None)),
                               optimizer(getattr(gan, "g_optimizer", None))),
            "the weight average (ema_decay)": gan.ema_decay,
            "D steps per G step (d_steps)": gan.d_steps,
            "the batch size": tuple(dict.fromkeys(getattr(gan, "batch_sizes_used", ())))}


def three_trained_runs(gans, name: str, n: int = 3) -> list:
    """``gans`` as a list of ``n`` trained course GANs from ``n`` different seeds, or a :class:`Wrong`
    saying what is missing: a list of another length, something that is not a trained GAN (see
    :func:`trained_gan_samples`), the same GAN twice, or two runs with the same seed."""
    if not isinstance(gans, (list, tuple)) or len(gans) != n:
        got = f"{len(gans)} items" if isinstance(gans, (list, tuple)) else type(gans).__name__
        raise Wrong(f"{name} should be a list of the {n} GANs you trained, one per seed; got {got}.",
                    f"train one GAN per seed and put all {n} into a list")
    for i, gan in enumerate(gans):
        trained_gan_samples(gan, 1, 0, f"{name}[{i}]")
    seeds = [gan.seed for gan in gans]
    if len({id(g) for g in gans}) < n or len(set(seeds)) < n:
        raise Wrong(f"Your {n} runs are not {n} seeds: their seeds are {seeds}. One seed says nothing about "
                    "the spread from one run to the next.",
                    f"build each GAN with its own seed, e.g. seeds 0 to {n - 1}")
    weights = [np.concatenate([np.ravel(w) for w in g.generator.get_weights()]) for g in gans]
    for i in range(n):
        for j in range(i + 1, n):
            if weights[i].shape == weights[j].shape and np.array_equal(weights[i], weights[j]):
                raise Wrong(f"{name}[{i}] and {name}[{j}] have the same generator weights: that is one run, not two.",
                            "train each GAN from its own start")
    return list(gans)


def untrained_fd(gan, n: int = 1000) -> float:
    """The FD of ``n`` images from an untrained generator of ``gan``'s shape (same architecture, fresh
    random weights): the score of a run that learned nothing."""
    import keras

    from gan_lib.measure import metrics

    fresh = keras.models.clone_model(gan.generator)
    z = np.random.default_rng([5, 17]).standard_normal((n, gan.latent_dim)).astype("float32")
    return metrics.evaluate(keras.ops.convert_to_numpy(fresh(z, training=False)))["fd"]
