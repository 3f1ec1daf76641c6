"""gan_lib.coursework.grade: grading a folder of made-up submissions of the made-up lesson 98 in the sandbox.

Each submission runs in its own process; the table must say, per student and exercise, what
happened, and one submission's infinite loop, crash, flood of output, file writes or attempt to
read the solutions must not change the others' verdicts. The exercises of lesson 98 need no
TensorFlow, so each submission takes about a second (plus the loop's cell time limit).
"""

import csv
import warnings
from pathlib import Path

import nbformat
import pytest
from made_up_lesson import SOLUTIONS, instructor_notebook, student_notebook, submission

from gan_lib import grade
from gan_lib.coursework import sandbox

ROOT = Path(__file__).resolve().parents[1]
GOOD = {n: code for n, (_, code) in SOLUTIONS.items()}
LIMITS = grade.Limits(timeout=120, cell_timeout=4, memory_mb=2048, file_size_mb=1, max_output_kb=256)


def _course(tmp_path):
    """A made-up course: the instructor notebook (the solutions), the student version, and a submissions folder."""
    (tmp_path / "notebooks").mkdir()
    solutions = tmp_path / "notebooks" / "98_made_up.ipynb"
    nbformat.write(instructor_notebook(), solutions)
    (tmp_path / "student").mkdir()
    nbformat.write(student_notebook(), tmp_path / "student" / "98_made_up.ipynb")
    outside = tmp_path / "notebooks" / "written_by_a_student.txt"
    subs = {
        "complete": submission(**GOOD),
        "empty": student_notebook(),
        "buggy": submission(**{**GOOD, "98.1": "answer_98_1 = 6 + 7", "98.2": "def total(xs):\n    return len(xs)"}),
        "looper": submission(**{**GOOD, "98.1": "while True:\n    pass"}),
        "crasher": submission(**{**GOOD, "98.2": "import os\nos.abort()"}),
        "printer": submission(**{**GOOD, "98.1": "print('x' * 10_000_000)\nanswer_98_1 = 42"}),
        "flooder": submission(**{**GOOD, "98.1": "import os\nos.write(1, b'x' * 10_000_000)\nanswer_98_1 = 42"}),
        "hog": submission(**{**GOOD, "98.1": "block = bytearray(4 * 2**30)  # 4 GB, over the 2 GB limit\n"
                                             "answer_98_1 = 42"}),
        "writer": submission(**{
            **GOOD,
            "98.1": "open('my_notes.txt', 'w').write('fine: the work folder')\nanswer_98_1 = 42",
            "98.2": f"open({str(outside)!r}, 'w').write('not fine')\ndef total(xs):\n    return sum(xs)",
            "98.3": "open('big.bin', 'wb').write(b'0' * 5_000_000)\nanswer_98_3 = 3"}),
        "reader": submission(**{
            **GOOD,
            "98.1": f"answer_98_1 = 42 if '6 * 7' in open({str(solutions)!r}).read() else 0",
            "98.2": f"text = open({str(ROOT / 'notebooks' / '01_the_gan_game.ipynb')!r}).read()\n"
                    "def total(xs):\n    return sum(xs)"}),
    }
    # Fooling the grade instead of answering: each must be graded as if it had not tried.
    subs["editor"] = submission(**{k: v for k, v in GOOD.items() if k != "98.1"})   # 98.1's stub untouched
    subs["editor"].cells[6].source = 'exercises.check("98.1", lambda: None);'         # and its check emptied
    subs["patcher"] = submission(**{
        **GOOD,
        "98.1": "import gan_lib.coursework.exercises as ex\n"
                "ex.check = lambda number, test: print(f'[v] Exercise {number}: pass') or True\nanswer_98_1 = 0",
        "98.2": "exercises.expect_close = lambda *args, **kwargs: None\ndef total(xs):\n    return 0"})
    subs["imitator"] = submission(**{
        **GOOD, "98.2": "def total(xs):\n    print('[v] Exercise 98.2: pass')\n    return 0"})
    subs["rebinder"] = submission(**{
        **GOOD, "98.1": "import types\nexercises = types.SimpleNamespace(\n"
                        "    check=lambda number, test: print(f'[v] Exercise {number}: pass') or True)\n"
                        "answer_98_1 = 0"})
    folder = tmp_path / "submissions"
    for name, nb in subs.items():
        (folder / name).mkdir(parents=True)
        nbformat.write(nb, folder / name / "98_made_up.ipynb")
    return folder, outside


EXPECTED = {  # student -> verdicts of 98.1, 98.2, 98.3
    "complete": ["pass", "pass", "pass"],
    "empty": ["not done", "not done", "not done"],
    "buggy": ["wrong", "wrong", "pass"],
    "looper": ["timeout", "pass", "pass"],        # the loop costs its own exercise only
    "crasher": ["pass", "killed", "killed"],      # what ran before the crash keeps its verdict
    "printer": ["killed", "pass", "pass"],        # its cell stopped at the per-cell output limit, alone
    "flooder": ["killed", "killed", "killed"],    # around Python's print: the process stopped at the output limit
    "hog": ["error", "pass", "pass"],             # MemoryError at the address-space limit, in its own exercise
    "writer": ["pass", "error", "error"],         # outside the work folder: refused; 5 MB file: over the limit
    "reader": ["error", "error", "pass"],         # the solutions cannot be opened
    "editor": ["tampered", "pass", "pass"],       # graded with the course's check, not the emptied one
    "patcher": ["tampered", "tampered", "pass"],  # the replaced check functions were put back
    "rebinder": ["tampered", "pass", "pass"],     # `exercises` rebound to a fake: the real one checks
    "imitator": ["pass", "tampered", "pass"],     # its function prints a fake verdict line
}


def _grade(tmp_path, sandbox):
    folder, outside = _course(tmp_path)
    out = tmp_path / "grades"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        subs, kind = grade.grade_folder(folder, out, LIMITS, sandbox=sandbox, reference=tmp_path / "student",
                                        log=lambda *a: None)
    return subs, kind, out, outside, caught


def _check_table(subs, out, outside):
    with open(out / "grades.csv", newline="") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    got = {st: [rows[st][n] for n in ("98.1", "98.2", "98.3")] for st in rows}
    assert got == EXPECTED
    assert {st: rows[st]["passed"] for st in rows}["complete"] == "3"
    assert rows["complete"]["points"] == "6" and rows["buggy"]["points"] == "3"  # easy 1, medium 2, open 3
    assert "Points: **6 of 6**." in (out / "feedback" / "complete.md").read_text()
    assert "| 98.1 | 1 | 14 | 4 | tampered (3): " in (out / "summary.md").read_text()  # counted from EXPECTED
    details = {(s.student, n): r["detail"] for s in subs for n, r in s.results.items()}
    assert "6 + 7" not in details[("buggy", "98.1")] and "13; expected about 42" in details[("buggy", "98.1")]
    assert "Hint: 6 * 7" in details[("buggy", "98.1")]
    assert "ran longer than 4 s" in details[("looper", "98.1")]
    assert "crashed" in details[("crasher", "98.2")]  # (abort in pid 1 of a PID namespace ends as SIGSEGV)
    assert "cell 5 printed more than 64 KB (the output limit per cell)" in details[("printer", "98.1")]
    assert "printed more than 256 KB" in details[("flooder", "98.1")]
    assert "MemoryError" in details[("hog", "98.1")]
    assert "written_by_a_student.txt" in details[("writer", "98.2")]
    assert "File too large" in details[("writer", "98.3")]
    assert "98_made_up.ipynb" in details[("reader", "98.1")] and "01_the_gan_game" in details[("reader", "98.2")]
    assert not outside.exists(), "a submission wrote outside its work folder"
    assert details[("editor", "98.1")] == ("the check cell was edited; graded with the course's check; "
                                           "the course's check says: not done")
    assert details[("editor", "98.2")] == "" and details[("complete", "98.1")] == ""
    assert "a cell replaced gan_lib.coursework.exercises.check;" in details[("patcher", "98.1")]
    assert "a cell replaced gan_lib.coursework.exercises.expect_close;" in details[("patcher", "98.2")]
    assert "the course's check says: wrong: " in details[("patcher", "98.1")]
    assert "0; expected about 42" in details[("patcher", "98.1")]
    assert "a cell replaced the name 'exercises';" in details[("rebinder", "98.1")]
    assert "printed 1 line(s) imitating a verdict" in details[("imitator", "98.2")]
    md = (out / "grades.md").read_text()
    assert "| student | 98.1 (easy) | 98.2 (medium) | 98.3 (open) | passed |" in md
    assert "| looper | timeout | pass | pass | 2/3 |" in md
    log = (out / "logs" / "flooder__98_made_up.log").read_bytes()
    assert 256 * 1024 <= len(log) < 300 * 1024 and b"output cut at 256 KB" in log
    assert "time.sleep(600)" in nbformat.writes(instructor_notebook())  # the cell no exercise needs never ran:
    assert max(s.seconds for s in subs) < 60                              # else a submission would take 600 s


def test_grading_in_the_strongest_sandbox_available(tmp_path):
    subs, kind, out, outside, caught = _grade(tmp_path, "auto")
    print(f"sandbox used: {kind}")
    _check_table(subs, out, outside)
    if kind == "none":  # degraded: it must say so, loudly, in the warnings and in the table
        assert any("NO SANDBOX" in str(w.message) for w in caught)
        assert "no sandbox was available" in (out / "grades.md").read_text()
    else:
        assert f"sandbox: **{kind}**" in (out / "grades.md").read_text()
        assert not any("NO SANDBOX" in str(w.message) for w in caught)


def test_without_a_sandbox_it_warns_and_the_python_guard_still_hides_the_solutions(tmp_path):
    subs, kind, out, outside, caught = _grade(tmp_path, "none")
    assert kind == "none"
    assert any("NO SANDBOX" in str(w.message) for w in caught)
    _check_table(subs, out, outside)
    reader = next(s for s in subs if s.student == "reader")
    assert "grading sandbox: reading" in reader.results["98.1"]["detail"]


@pytest.mark.skipif(sandbox.probe("unshare") is not None, reason="unprivileged user namespaces are not available here")
def test_the_unshare_sandbox_hides_the_repository_and_the_network(tmp_path):
    nb = submission(**{**GOOD, "98.3": (
        "import os, socket\n"
        f"seen = [p for p in ({str(ROOT / 'notebooks')!r}, {str(ROOT / 'tests')!r}, {str(ROOT / '.git')!r}, "
        f"{str(tmp_path)!r}, '/home') if os.path.exists(p)]\n"
        f"seen += [sorted(os.listdir({str(ROOT)!r}))] "
        f"if sorted(os.listdir({str(ROOT)!r})) not in (['.venv', 'gan_lib', 'pyproject.toml', 'runs'], "
        "['gan_lib', 'pyproject.toml', 'runs']) else []\n"
        # the committed results are there, read-only: the lessons load them (lesson 11's generators)
        f"seen += [] if os.path.exists({str(ROOT / 'runs' / '11_inversion' / 'generator_seed0.npz')!r}) "
        "else ['no runs']\n"
        f"seen += [] if not os.access({str(ROOT / 'runs')!r}, os.W_OK) else ['runs writable']\n"
        "try:\n    socket.create_connection(('pypi.org', 443), timeout=3); net = 'open'\n"
        "except OSError:\n    net = 'closed'\n"
        "answer_98_3 = 3 if (seen, net, os.getcwd()) == ([], 'closed', '/grade') else (seen, net, os.getcwd())")})
    folder = tmp_path / "subs"
    folder.mkdir()
    nbformat.write(nb, folder / "zoe_98.ipynb")
    (tmp_path / "student").mkdir()
    nbformat.write(student_notebook(), tmp_path / "student" / "98_made_up.ipynb")
    subs, kind = grade.grade_folder(folder, tmp_path / "out", LIMITS, sandbox="unshare",
                                    reference=tmp_path / "student", log=lambda *a: None)
    assert subs[0].student == "zoe"
    assert {n: r["status"] for n, r in subs[0].results.items()} == {"98.1": "pass", "98.2": "pass", "98.3": "pass"}, \
        subs[0].results


def test_unreadable_and_missing(tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "ann_98_made_up.ipynb").write_text("{ this is not json")
    nb = submission(**GOOD)
    nb.cells[9].source = "print('check deleted')"
    nbformat.write(nb, folder / "ben_98_made_up.ipynb")
    (tmp_path / "student").mkdir()
    nbformat.write(student_notebook(), tmp_path / "student" / "98_made_up.ipynb")
    subs, _ = grade.grade_folder(folder, tmp_path / "out", LIMITS, reference=tmp_path / "student",
                                 log=lambda *a: None)
    cols, rows = grade.table(subs, grade.expected_exercises(tmp_path / "student"))
    assert cols == ["98.1", "98.2", "98.3"]
    assert rows == {"ann": {"98.1": "error", "98.2": "error", "98.3": "error"},
                    "ben": {"98.1": "pass", "98.2": "tampered", "98.3": "pass"}}
    assert subs[1].results["98.2"]["detail"] == ("the check cell was deleted; graded with the course's check; "
                                                 "the course's check says: pass")
    assert "not a readable notebook" in subs[0].results["*"]["detail"]


def test_command_line_errors(tmp_path, capsys):
    assert grade.main([str(tmp_path / "nowhere")]) == 2
    assert "is not a folder" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert grade.main([str(tmp_path / "empty")]) == 2
    assert "No .ipynb files" in capsys.readouterr().err


@pytest.mark.skipif(sandbox.probe("bwrap") is not None, reason="bubblewrap (bwrap) is not installed here")
def test_grading_in_bubblewrap(tmp_path):
    subs, kind, out, outside, caught = _grade(tmp_path, "bwrap")
    assert kind == "bwrap"
    _check_table(subs, out, outside)


@pytest.mark.parametrize("args, message", [
    (["--timeout", "0"], "--timeout 0.0: each limit must be a positive number"),
    (["--memory-mb", "-5"], "--memory-mb -5"),
    (["--out", "{file}/grades"], "is a file, not a folder"),
])
def test_bad_limits_and_out_are_refused_in_one_line_before_grading(tmp_path, capsys, args, message):
    (tmp_path / "a_file").write_text("x")
    (tmp_path / "subs").mkdir()
    args = [a.replace("{file}", str(tmp_path / "a_file")) for a in args]
    assert grade.main([str(tmp_path / "subs"), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: ") and message in err, err
