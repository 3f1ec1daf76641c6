"""gan_lib.coursework.reports: points from the headings, feedback per student, the summary per
exercise, written answers, and the Canvas / Gradescope exports (checked against fixture files
written by hand)."""

import csv
from pathlib import Path

import nbformat
import pytest
from made_up_lesson import student_notebook
from nbformat.v4 import new_markdown_cell, new_notebook

from gan_lib import grade
from gan_lib.coursework import assignments, reports

FIXTURES = Path(__file__).parent / "fixtures"
POINTS = {"97.1": 1, "98.1": 1, "98.2": 2, "98.3": 5}
EXPECTED = {97: [("97.1", "easy")], 98: [("98.1", "easy"), ("98.2", "medium"), ("98.3", "open")]}


def _r(status, detail=""):
    return {"status": status, "detail": detail, "seconds": 1.0}


def _subs(tmp_path):
    alice97 = grade.Submission("alice", tmp_path / "alice" / "97_other.ipynb", 97, {"97.1": _r("pass")})
    alice98 = grade.Submission("alice", tmp_path / "alice" / "98_made_up.ipynb", 98,
                               {"98.1": _r("pass"), "98.2": _r("pass"), "98.3": _r("pass")},
                               written={"98.3": "The largest is 3,\nbecause max."})
    bob98 = grade.Submission("bob", tmp_path / "bob" / "98_made_up.ipynb", 98,
                             {"98.1": _r("wrong", "your product is 13; expected about 42 (within 0).\n   Hint: 6 * 7"),
                              "98.2": _r("pass"), "98.3": _r("not done")})
    return [alice97, alice98, bob98]


def _write(tmp_path, roster=None):
    out = tmp_path / "grades"
    paths = grade.write_reports(_subs(tmp_path), EXPECTED, out, "none", grade.Limits(), [], POINTS, roster)
    return out, paths


def _rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def test_points_come_from_the_heading_or_the_level():
    nb = new_notebook(cells=[new_markdown_cell("### Exercise 5.1 (easy)\n\ntext"),
                             new_markdown_cell("### Exercise 5.2 (open, 5 points)\n\ntext"),
                             new_markdown_cell("### Exercise 5.3 (medium, 1 point)\n\ntext"),
                             new_markdown_cell("### Exercise 5.4 (open)\n\ntext")])
    got = {ex.number: ex.points for ex in assignments.find_exercises(nb, instructor=False)}
    assert got == {"5.1": 1, "5.2": 5, "5.3": 1, "5.4": 3}


def test_gradebook_exports_match_the_fixture_files(tmp_path):
    roster = {"alice": {"name": "Alice Liddell", "id": "101", "sis_user_id": "A1", "section": "S1",
                        "email": "alice@example.org"}}
    out, _ = _write(tmp_path, roster)
    assert _rows(out / "canvas.csv") == _rows(FIXTURES / "canvas_gradebook.csv")
    assert _rows(out / "gradescope.csv") == _rows(FIXTURES / "gradescope.csv")
    grades = {r[0]: r for r in _rows(out / "grades.csv")}
    assert grades["student"][-2:] == ["passed", "points"]
    assert grades["alice"][-2:] == ["4", "9"] and grades["bob"][-2:] == ["1", "2"]


def test_feedback_summary_and_written_answers(tmp_path):
    out, paths = _write(tmp_path)
    bob = (out / "feedback" / "bob.md").read_text()
    assert "Points: **2 of 8**." in bob
    assert "| 98.1 | wrong | 0 / 1 |" in bob and "| 98.3 | not done | 0 / 5 |" in bob
    assert "**98.1 (wrong).** your product is 13" in bob and "Hint: 6 * 7" in bob
    alice = (out / "feedback" / "alice.md").read_text()
    assert "Points: **9 of 9**." in alice and "> because max." in alice
    summary = (out / "summary.md").read_text()
    assert "| 98.1 | 1 | 2 | 1 | wrong (1): your product is 13; expected about 42 (within 0). |" in summary
    assert "| 97.1 | 1 | 1 | 1 |  |" in summary
    answers = (out / "answers.md").read_text()
    assert "## Exercise 98.3" in answers and "**alice**" in answers and "> The largest is 3," in answers
    assert {p.name for p in paths} >= {"feedback", "summary.md", "answers.md", "canvas.csv", "gradescope.csv"}


def test_written_answers_are_the_students_own_markdown():
    ref = student_notebook()
    sub = student_notebook()
    sub.cells.insert(12, new_markdown_cell("**My answer.** The largest of the numbers is 3."))
    assert reports.written_answers(sub, ref) == {"98.3": "**My answer.** The largest of the numbers is 3."}
    assert reports.written_answers(ref, ref) == {}
    # an answer cell keeps the student's text without its first line (either form the lessons use)
    for cell in ("**Your answer (98.3).**\n\n_Replace this line with your write-up._",
                 "**Your report** (replace this line with your runs' numbers)."):
        ref2, sub2 = student_notebook(), student_notebook()
        ref2.cells.insert(13, new_markdown_cell(cell))
        sub2.cells.insert(13, new_markdown_cell(cell.split("\n")[0].split(" (")[0] + "\n\nThree seeds agree."))
        assert reports.written_answers(sub2, ref2) == {"98.3": "Three seeds agree."}


def test_a_bad_roster_is_refused_in_one_line(tmp_path, capsys):
    with pytest.raises(FileNotFoundError, match="no such file. Give a CSV with a 'student' column"):
        reports.read_roster(tmp_path / "nope.csv")
    bad = tmp_path / "roster.csv"
    bad.write_text("name,email\nAlice,a@x\n")
    with pytest.raises(ValueError, match="one of them 'student'"):
        reports.read_roster(bad)
    (tmp_path / "subs").mkdir()
    nbformat.write(student_notebook(), tmp_path / "subs" / "ann_98.ipynb")
    assert grade.main([str(tmp_path / "subs"), "--roster", str(bad), "--out", str(tmp_path / "g")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: --roster") and "'student'" in err
