"""Shared assertions for the exercise-check tests (tests/test_lessonNN_exercises.py).

Each exercise check is tried three ways: the solution passes, the untouched stub
says "not done yet", and a planted typical bug gets its own specific message.
"""


def verdict(capsys, number, test):
    """Run exercises.check and return (returned bool, printed line)."""
    from gan_lib import exercises

    ok = exercises.check(number, test)
    return ok, capsys.readouterr().out


def expect_pass(capsys, number, test):
    ok, out = verdict(capsys, number, test)
    assert ok and "pass" in out, out


def expect_not_done(capsys, number, test):
    ok, out = verdict(capsys, number, test)
    assert not ok and "not done yet" in out, out


def expect_wrong(capsys, number, test, *phrases):
    ok, out = verdict(capsys, number, test)
    assert not ok and "not yet right" in out, out
    for phrase in phrases:
        assert phrase in out, out


def raise_not_implemented(*args, **kwargs):
    raise NotImplementedError
