"""Rubrics of open exercises (gan_lib.coursework.rubrics): the markup, and the marking sheet's round
trip through two `make grade` runs: the sheet written blank, filled in by the instructor (the
fixture tests/fixtures/rubric_marked.csv), read back into the totals, both gradebook exports
(fixtures canvas_rubric.csv and gradescope_rubric.csv) and the feedback files."""

import csv
import shutil
from pathlib import Path

import nbformat
import pytest
from made_up_lesson import SOLUTIONS, student_notebook
from nbformat.v4 import new_markdown_cell

from gan_lib import grade
from gan_lib.coursework import assignments, rubrics

FIXTURES = Path(__file__).parent / "fixtures"
RUBRIC = ("**Rubric** (the write-up, marked by hand):\n"
          "- (2 points) says why the largest number answers it\n"
          "- 1 point: names the function that finds it")
ANSWER_CELL = "**Your answer (98.3).**\n\n_Replace this line with your write-up._"


def _with_rubric(nb):
    """The made-up lesson with a rubric under exercise 98.3's heading and an answer cell after its check."""
    nb.cells[10].source += "\n\n" + RUBRIC
    nb.cells.insert(13, new_markdown_cell(ANSWER_CELL))
    return nb


def _rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def test_the_rubric_markup_and_its_mistakes():
    r = rubrics.parse_rubric("Some prompt.\n\n" + RUBRIC + "\n\nMore text.")
    assert [(c.text, c.points) for c in r.criteria] == [
        ("(2 points) says why the largest number answers it", 2.0), ("1 point: names the function that finds it", 1.0)]
    assert r.total == 3
    # wt-ex03's form: a "Rubric" line, then a list; items numbered, continued on an indented line
    r = rubrics.parse_rubric("#### Rubric\n\n1. one change, named (1 pt)\n"
                             "2. three seeds and\n   the spread (2.5 points)")
    assert [c.points for c in r.criteria] == [1.0, 2.5]
    assert r.criteria[1].text == "three seeds and the spread (2.5 points)"
    assert rubrics.parse_rubric("No rubric here; the word rubric mid-line does not count.") is None
    with pytest.raises(assignments.MarkupError, match="names no points"):
        rubrics.parse_rubric("Rubric:\n- explains the result")
    with pytest.raises(assignments.MarkupError, match="a 'Rubric' line with no list under it"):
        rubrics.parse_rubric("**Rubric**\n\nThe write-up is marked by hand.")


def test_a_rubric_is_found_in_its_exercise_only():
    nb = _with_rubric(student_notebook())
    assert {n: r.total for n, r in rubrics.notebook_rubrics(nb).items()} == {"98.3": 3.0}


def _course(tmp_path):
    ref = tmp_path / "student"
    ref.mkdir()
    nbformat.write(_with_rubric(student_notebook()), ref / "98_made_up.ipynb")
    subs = tmp_path / "subs"
    good = {n: code for n, (_, code) in SOLUTIONS.items()}
    for student, answers, written in (
            ("alice", good, "**Your answer (98.3).**\n\nThe largest is 3: `max()` of the list."),
            ("bob", {**good, "98.1": "answer_98_1 = 6 + 7", "98.2": "def total(xs):\n    return len(xs)"}, None)):
        nb = _with_rubric(student_notebook())
        for number, code in answers.items():
            nb.cells[SOLUTIONS[number][0]].source = code
        if written:
            nb.cells[13].source = written
        (subs / student).mkdir(parents=True)
        nbformat.write(nb, subs / student / "98_made_up.ipynb")
    return ref, subs


def _grade(ref, subs, out):
    return grade.main([str(subs), "--out", str(out), "--reference", str(ref), "--timeout", "120"])


def test_marks_written_in_the_sheet_reach_the_totals_exports_and_feedback(tmp_path):
    ref, subs = _course(tmp_path)
    out = tmp_path / "grades"
    assert _grade(ref, subs, out) == 0
    sheet = _rows(out / "rubric.csv")
    assert sheet[0] == list(rubrics.SHEET_COLUMNS)
    assert [r[:5] for r in sheet[1:]] == [["alice", "98.3", "1", "2", ""], ["alice", "98.3", "2", "1", ""],
                                          ["bob", "98.3", "1", "2", ""], ["bob", "98.3", "2", "1", ""]]
    points = {r[0]: r[-1] for r in _rows(out / "grades.csv")}
    assert points["alice"] == "6" and points["bob"] == "3"  # checks only: 1 + 2 + 3 and 3
    assert "| 1. (2 points) says why the largest number answers it | not marked yet / 2 |  |" in (
        out / "feedback" / "alice.md").read_text()
    answers = (out / "answers.md").read_text()
    assert "Rubric (3 points):" in answers and "> The largest is 3: `max()` of the list." in answers
    assert "Replace this line" not in answers and "Your answer (98.3)" not in answers

    shutil.copy(FIXTURES / "rubric_marked.csv", out / "rubric.csv")   # the instructor marks ...
    assert _grade(ref, subs, out) == 0                                 # ... and grades again
    assert _rows(out / "canvas.csv") == _rows(FIXTURES / "canvas_rubric.csv")
    assert _rows(out / "gradescope.csv") == _rows(FIXTURES / "gradescope_rubric.csv")
    assert _rows(out / "rubric.csv") == _rows(FIXTURES / "rubric_marked.csv")  # the marks are kept
    points = {r[0]: r[-1] for r in _rows(out / "grades.csv")}
    assert points["alice"] == "8.5" and points["bob"] == "4"
    alice = (out / "feedback" / "alice.md").read_text()
    assert "Points: **8.5 of 9**." in alice and "| 98.3 | pass, write-up | 5.5 / 6 |" in alice
    assert "| 2. 1 point: names the function that finds it | 0.5 / 1 | name the function |" in alice
    bob = (out / "feedback" / "bob.md").read_text()
    assert "Points: **4 of 9**." in bob
    assert "| 2. 1 point: names the function that finds it | not marked yet / 1 |" in bob
    assert "| 98.3 | 3 + 3 (rubric) | 2 | 2 |" in (out / "summary.md").read_text()


@pytest.mark.parametrize("mark, message", [("3", "is outside 0..2, the criterion's points"),
                                           ("two", "is not a number. Write the points"),
                                           ("-1", "is outside 0..2")])
def test_a_bad_mark_is_refused_in_one_line_before_grading(tmp_path, capsys, mark, message):
    ref, subs = _course(tmp_path)
    out = tmp_path / "grades"
    out.mkdir()
    text = (FIXTURES / "rubric_marked.csv").read_text().replace("alice,98.3,1,2,2,", f"alice,98.3,1,2,{mark},")
    (out / "rubric.csv").write_text(text)
    assert _grade(ref, subs, out) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "rubric.csv, line 2: the mark" in err and message in err
    assert not (out / "grades.csv").exists()  # refused before any notebook was graded
