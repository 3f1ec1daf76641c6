"""Exercise checks that tell a student what is wrong, not just "assert failed".

Markup (docs/conventions.md, "Exercises"): an exercise is a markdown cell
headed ``### Exercise <lesson>.<k> (easy|medium|open)``, a code cell whose
solution sits between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` lines,
and a check cell that calls :func:`check`. The student version of a notebook
replaces each solution block with its ``### STUB:`` line (for example
``answer_1_1 = None``) or, if there is none, with ``raise NotImplementedError``.

The check itself lives in :mod:`gan_lib.coursework.checks` (``check_<lesson>_<k>``,
one function per exercise, taking the answer), so a lesson's two cells are::

    ### BEGIN SOLUTION
    ### STUB: answer_1_1 = None
    answer_1_1 = float(theory.optimal_discriminator(theory.TARGET.pdf(4.0), theory.gaussian(2.0, 1.0).pdf(4.0)))
    ### END SOLUTION
    print(answer_1_1)

::

    exercises.check("1.1", lambda: checks.check_1_1(answer_1_1));

A check function returns (pass), raises :class:`NotDone` (or lets
``NotImplementedError`` through, or finds the stub's ``None``: "not done yet"),
or raises :class:`Wrong` with a specific message and a hint; the helpers below
(:func:`expect_done`, :func:`expect_function`, :func:`expect_close`,
:func:`expect_shape`) say the usual ones. :func:`check` turns the outcome into
one printed verdict line: ``[v] Exercise 1.1: pass``, ``[ ] ... not done yet``
or ``[x] ... not yet right. <message>``.
"""

from __future__ import annotations

import math


class NotDone(Exception):
    """The student has not attempted the exercise yet (the stub is still there)."""


class Wrong(Exception):
    """The attempt is wrong; the message says how, and gives a hint."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message + (f"\n   Hint: {hint}" if hint else ""))


def check(exercise: str, test) -> bool:
    """Run ``test()`` and print one verdict line for exercise ``exercise``; return True on pass."""
    try:
        test()
    except (NotDone, NotImplementedError):
        print(f"[ ] Exercise {exercise}: not done yet - replace the stub in the cell above (the `None` or the "
              "`raise NotImplementedError` line) with your answer, run it, then run this check.")
        return False
    except Wrong as e:
        print(f"[x] Exercise {exercise}: not yet right. {e}")
        return False
    print(f"[v] Exercise {exercise}: pass")
    return True


def expect_done(value, what: str = "your answer"):
    """Raise :class:`NotDone` if ``value`` is still the stub's ``None`` or ``...``."""
    if value is None or value is Ellipsis:
        raise NotDone(what)
    return value


def expect_function(value, what: str, should: str):
    """Raise :class:`NotDone` for the stub's ``None``/``...``, and :class:`Wrong` (``"<should>, got
    <type>."``) if ``value`` is not callable; return it otherwise."""
    expect_done(value, what)
    if not callable(value):
        raise Wrong(f"{should}, got {type(value).__name__}.")
    return value


def expect_close(value, target: float, tol: float, what: str, hint: str | None = None) -> None:
    """Pass if ``value`` is a number within ``tol`` of ``target``; else say how far off it is."""
    expect_done(value, what)
    if isinstance(value, (str, bytes)):
        raise Wrong(f"{what} should be a number, got {type(value).__name__} {value!r}.", hint)
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise Wrong(f"{what} should be a number, got {type(value).__name__} {value!r}.", hint) from None
    if not math.isfinite(v):
        raise Wrong(f"{what} is {v}; expected a finite number.", hint)
    if abs(v - target) > tol:
        raise Wrong(f"{what} is {v:.6g}; expected about {target:.6g} (within {tol:g}).", hint)


def expect_shape(array, shape: tuple, what: str, hint: str | None = None) -> None:
    """Pass if ``array`` has exactly ``shape``; else say what it has."""
    expect_done(array, what)
    got = tuple(getattr(array, "shape", ()))
    if got != tuple(shape):
        raise Wrong(f"{what} has shape {got}; expected {tuple(shape)}.", hint)
