"""Every exercise check in gan_lib.coursework.checks gives feedback a student can act on, for any lesson.

Generic, so that checks added by later lessons are held to it too: no bare ``assert`` (a student
would see "AssertionError" and nothing else), a docstring saying what the answer is, "not done yet"
for the stub's ``None``, and for answers of the wrong kind a "not yet right" message, never a
traceback. (Each lesson's tests/test_lessonNN_exercises.py tries the solution and its typical bugs.)
"""

import ast
import inspect
from pathlib import Path

import pytest

from gan_lib import checks, exercises

ROOT = Path(__file__).resolve().parents[1]
CHECKS = sorted(n for n in dir(checks) if n.startswith("check_") and callable(getattr(checks, n)))


def _raises_value_error(*args, **kwargs):
    raise ValueError("the student's function is broken")


#: Answers of the wrong kind a student might hand in to any exercise.
WRONG_KINDS = [pytest.param("42", id="text"), pytest.param(7, id="number"), pytest.param({}, id="empty-dict"),
               pytest.param([1.0, 2.0], id="list"), pytest.param(_raises_value_error, id="function-that-crashes"),
               pytest.param(lambda *a, **k: "x", id="function-returning-text")]


def test_there_are_checks():
    assert len(CHECKS) >= 9, CHECKS


CHECK_MODULES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "gan_lib" / "coursework" / "checks").glob("*.py"))


def test_every_lesson_has_its_checks_module():
    assert [p.rsplit("/", 1)[1] for p in CHECK_MODULES if "lesson" in p] == [f"lesson0{k}.py" for k in range(1, 10)]


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
