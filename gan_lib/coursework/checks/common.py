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
