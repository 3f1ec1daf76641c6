"""gan_lib.coursework.exercises: one verdict line per check, with specific feedback."""

import math

import numpy as np
import pytest

from gan_lib import exercises
from gan_lib.coursework.exercises import NotDone, Wrong


def run_check(capsys, test, exercise="1.1"):
    ok = exercises.check(exercise, test)
    out = capsys.readouterr().out
    return ok, out


def test_pass(capsys):
    ok, out = run_check(capsys, lambda: None, "2.3")
    assert ok is True
    assert out == "[v] Exercise 2.3: pass\n"


def _raise(exc):
    def test():
        raise exc
    return test


@pytest.mark.parametrize("test", [
    _raise(NotDone()),
    _raise(NotImplementedError()),
    lambda: exercises.expect_done(None),
    lambda: exercises.expect_done(...),
    lambda: exercises.expect_close(None, 1.0, 0.1, what="the loss"),
    lambda: exercises.expect_shape(None, (2, 3), what="the batch"),
])
def test_not_done_yet(capsys, test):
    ok, out = run_check(capsys, test, "1.2")
    assert ok is False
    assert out.startswith("[ ] Exercise 1.2: not done yet")
    assert out.count("\n") == 1
    assert "pass" not in out


def test_wrong_prints_message_and_hint(capsys):
    ok, out = run_check(capsys, _raise(Wrong("D's loss is 0.69; expected about 1.39.", hint="two terms")), "1.1")
    assert ok is False
    assert out.startswith("[x] Exercise 1.1: not yet right. D's loss is 0.69; expected about 1.39.")
    assert "\n   Hint: two terms" in out
    assert "pass" not in out and "not done yet" not in out


def test_wrong_without_hint_has_no_hint_line():
    assert str(Wrong("off by one")) == "off by one"
    assert str(Wrong("off by one", hint="count again")) == "off by one\n   Hint: count again"


def test_unexpected_errors_are_not_swallowed(capsys):
    """A bug in the student's code must show its traceback, never print 'pass'."""
    with pytest.raises(ZeroDivisionError):
        exercises.check("1.1", lambda: 1 / 0)
    assert "pass" not in capsys.readouterr().out


def test_expect_done_returns_the_value():
    assert exercises.expect_done(0) == 0  # 0 and False are answers, not the stub
    assert exercises.expect_done(False) is False
    arr = np.zeros(3)
    assert exercises.expect_done(arr) is arr


def test_expect_close_passes_within_tolerance():
    exercises.expect_close(math.log(4) + 5e-4, math.log(4), tol=1e-3, what="D's loss")
    exercises.expect_close(np.float32(1.0), 1.0, tol=0, what="x")
    exercises.expect_close(np.array(2.0), 2.0, tol=1e-9, what="x")


def test_expect_close_says_how_far_off():
    with pytest.raises(Wrong) as e:
        exercises.expect_close(0.5, math.log(4), tol=1e-3, what="D's loss", hint="each term is -log(1/2)")
    msg = str(e.value)
    assert msg.startswith("D's loss is 0.5; expected about 1.38629 (within 0.001).")
    assert msg.endswith("Hint: each term is -log(1/2)")


@pytest.mark.parametrize("bad", [[1.0, 2.0], np.array([1.0, 2.0]), {"a": 1}])
def test_expect_close_non_numbers(bad):
    with pytest.raises(Wrong, match="the loss should be a number, got"):
        exercises.expect_close(bad, 1.0, tol=0.1, what="the loss")


def test_expect_close_rejects_numeric_strings():
    with pytest.raises(Wrong, match="should be a number"):
        exercises.expect_close("1.386", math.log(4), tol=1e-3, what="D's loss")


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_expect_close_non_finite(bad):
    with pytest.raises(Wrong, match="expected a finite number"):
        exercises.expect_close(bad, 1.0, tol=1e9, what="the loss")


def test_expect_shape():
    exercises.expect_shape(np.zeros((4, 28, 28, 1)), (4, 28, 28, 1), what="the batch")
    with pytest.raises(Wrong) as e:
        exercises.expect_shape(np.zeros((4, 28, 28)), (4, 28, 28, 1), what="the batch", hint="add a channel axis")
    msg = str(e.value)
    assert msg.startswith("the batch has shape (4, 28, 28); expected (4, 28, 28, 1).")
    assert msg.endswith("Hint: add a channel axis")
    with pytest.raises(Wrong, match=r"has shape \(\); expected \(3,\)"):
        exercises.expect_shape(3.0, (3,), what="x")


def test_check_with_expect_helpers_end_to_end(capsys):
    answer = 0.7

    def _check():
        exercises.expect_close(answer, math.log(4), tol=1e-3, what="D's loss when both logits are 0",
                               hint="each of the two terms is -log(1/2)")

    ok, out = run_check(capsys, _check, "1.1")
    assert ok is False
    assert "[x] Exercise 1.1: not yet right. D's loss when both logits are 0 is 0.7" in out
    assert "Hint: each of the two terms is -log(1/2)" in out
    answer = math.log(4)
    ok, out = run_check(capsys, _check, "1.1")
    assert ok is True and out == "[v] Exercise 1.1: pass\n"


def test_expect_function_stub_wrong_kind_and_callable():
    with pytest.raises(exercises.NotDone):
        exercises.expect_function(None, "your f function", "f should be a function f(x)")
    with pytest.raises(exercises.Wrong, match=r"^f should be a function f\(x\), got int\.$"):
        exercises.expect_function(3, "your f function", "f should be a function f(x)")
    assert exercises.expect_function(len, "your f function", "f should be a function f(x)") is len
