"""Every exercise check in gan_lib.coursework.checks gives feedback a student can act on, for any lesson.

Generic, so that checks added by later lessons are held to it too: no bare ``assert`` (a student
would see "AssertionError" and nothing else), a docstring saying what the answer is, "not done yet"
for the stub's ``None``, and for answers of the wrong kind a "not yet right" message, never a
traceback. (Each lesson's tests/test_lessonNN_exercises.py tries the solution and its typical bugs.)
"""

import ast
import inspect
from pathlib import Path

import numpy as np
import pytest

from gan_lib import checks, exercises

ROOT = Path(__file__).resolve().parents[1]
CHECKS = sorted(n for n in dir(checks) if n.startswith("check_") and callable(getattr(checks, n)))


def _raises_value_error(*args, **kwargs):
    raise ValueError("the student's function is broken")


def _raises_not_implemented(*args, **kwargs):
    raise NotImplementedError


#: Answers of the wrong kind a student might hand in to any exercise.
WRONG_KINDS = [pytest.param("42", id="text"), pytest.param(7, id="number"), pytest.param({}, id="empty-dict"),
               pytest.param([1.0, 2.0], id="list"), pytest.param(_raises_value_error, id="function-that-crashes"),
               pytest.param(lambda *a, **k: "x", id="function-returning-text")]


def test_there_are_checks():
    assert len(CHECKS) >= 9, CHECKS


CHECK_MODULES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "gan_lib" / "coursework" / "checks").glob("*.py"))


def test_every_lesson_has_its_checks_module():
    lessons = sorted(f"lesson{p.name[:2]}.py" for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert [p.rsplit("/", 1)[1] for p in CHECK_MODULES if "lesson" in p] == lessons


@pytest.mark.parametrize("path", CHECK_MODULES + ["gan_lib/coursework/exercises.py"])
def test_no_bare_asserts(path):
    tree = ast.parse((ROOT / path).read_text())
    lines = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Assert)]
    assert not lines, f"{path} uses assert on lines {lines}: raise exercises.Wrong(message, hint) instead"


@pytest.mark.parametrize("name", CHECKS)
def test_check_has_a_docstring_and_one_argument(name):
    fn = getattr(checks, name)
    assert (fn.__doc__ or "").strip(), f"{name} needs a docstring saying what the answer is"
    assert len(inspect.signature(fn).parameters) == 1, f"{name} must take exactly one argument (the answer)"


@pytest.mark.parametrize("name", CHECKS)
def test_the_stub_is_not_done_yet(name, capsys):
    ok = exercises.check(name[6:].replace("_", "."), lambda: getattr(checks, name)(None))
    out = capsys.readouterr().out
    assert ok is False and "not done yet" in out, out


@pytest.mark.parametrize("answer", WRONG_KINDS)
@pytest.mark.parametrize("name", CHECKS)
def test_a_wrong_kind_of_answer_gets_a_message_not_a_traceback(name, answer, capsys):
    number = name[6:].replace("_", ".")
    try:
        ok = exercises.check(number, lambda: getattr(checks, name)(answer))
    except Exception as e:  # noqa: BLE001
        pytest.fail(f"{name}({answer!r}) raised {type(e).__name__}: {e} instead of a 'not yet right' message")
    out = capsys.readouterr().out
    assert ok is False and f"[x] Exercise {number}: not yet right." in out, out
    assert len(out.split("not yet right.", 1)[1].strip()) > 20, f"too little feedback: {out!r}"


def test_3_3_non_numeric_value_gets_a_message(capsys):
    from types import SimpleNamespace

    class FakeGAN:  # enough of a GAN for the check to read its learning rate
        generator = object()
        g_optimizer = SimpleNamespace(learning_rate=5e-4)

        def sample(self, n, seed=0):
            raise AssertionError("the check must stop before sampling")

    ok = exercises.check("3.3", lambda: checks.check_3_3({"setting": "lr", "value": "fast", "gan": FakeGAN()}))
    out = capsys.readouterr().out
    assert ok is False and "lr should be a number, got str 'fast'" in out and "default is 0.0005" in out, out


# --------------------------------------------------------------------------- the helpers every lesson's checks share


def test_call_passes_a_stub_through_and_turns_a_crash_into_feedback():
    from gan_lib.coursework.checks import common

    def boom(x):
        raise ValueError("boom")

    def not_done(x):
        raise exercises.NotDone("the stub")

    with pytest.raises(NotImplementedError):
        common.call(_raises_not_implemented, "f(1)", "a hint", 1)
    with pytest.raises(exercises.NotDone):
        common.call(not_done, "f(1)", "a hint", 1)
    with pytest.raises(exercises.Wrong) as e:
        common.call(boom, "f(1)", "pass a number", 1)
    assert str(e.value) == "f(1) raised ValueError: boom.\n   Hint: pass a number"
    assert common.call(lambda a, b: a * b, "f(6, 7)", None, 6, 7) == 42
    assert common.shown("d_hinge", (np.array([2.0, -1.0]), 0.5)) == "d_hinge([2.0, -1.0], 0.5)"


def test_number_reads_one_number_and_says_what_came_instead():
    from gan_lib.coursework.checks import common

    assert common.number(np.array([[2.5]]), "x") == 2.5
    assert common.number(np.float32(0.25), "x") == 0.25
    with pytest.raises(exercises.Wrong, match=r"^the loss should be one number, got str '3'\.$"):
        common.number("3", "the loss")
    with pytest.raises(exercises.Wrong, match=r"^the loss should be one number, got NoneType None\."):
        common.number(None, "the loss")
    with pytest.raises(exercises.Wrong, match=r"^the loss should be one number, got dict \{'a': 1\}\."):
        common.number({"a": 1}, "the loss")
    with pytest.raises(exercises.Wrong) as e:
        common.number([1.0, 2.0], "the loss", "take the mean", one="one number (the mean over the batch)")
    assert str(e.value) == ("the loss has shape (2,); it should be one number (the mean over the batch).\n"
                            "   Hint: take the mean")


def test_array_reads_arrays_and_tensors_and_refuses_the_rest():
    import keras

    from gan_lib.coursework.checks import common

    np.testing.assert_array_equal(common.array([[1, 2]], "f(x)"), np.array([[1.0, 2.0]]))
    got = common.array(keras.ops.convert_to_tensor(np.array([0.5, 1.5], np.float32)), "f(x)")
    assert got.dtype == np.float64 and got.tolist() == [0.5, 1.5]
    with pytest.raises(exercises.Wrong) as e:
        common.array("abc", "f(x)")
    assert str(e.value) == "f(x) returned str 'abc', not numbers.\n   Hint: return a NumPy array of numbers"
    with pytest.raises(exercises.Wrong, match=r"^interpolate returned dict \{\}, not a batch of images\.$"):
        common.array({}, "interpolate", None, kind="a batch of images")
    assert common.array([np.nan], "f(x)").shape == (1,)  # NaN is a number unless finite=True
    with pytest.raises(exercises.Wrong, match="not finite numbers"):
        common.call_array(lambda: [1.0, np.inf], "g()", None)
