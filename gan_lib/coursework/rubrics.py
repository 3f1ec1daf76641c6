"""Rubrics of open exercises: the markup, and the marking sheet an instructor fills in.

**Markup** (docs/conventions.md, section 8). Inside an exercise's block (its heading cell or a
markdown cell under it, in the student version too, so students see how they are marked), a line
that starts with *Rubric* (plain, bold or a heading: ``**Rubric**``, ``Rubric:``,
``#### Rubric (the write-up)``), then a markdown list, one criterion per item, each naming its
points (``(2 points)``, ``2 points:``, ``1 pt``)::

    **Rubric** (the write-up, marked by hand):
    - (2 points) names the one change and says why it should help
    - (1 point) three seeds, the spread printed
    - 1 point: says what the check's tolerance still lets through

The rubric's points are *added* to the exercise's points from its heading, which the check earns:
``### Exercise 1.4 (open)`` with the rubric above is worth 3 + 4 = 7 points.

**Marking sheet.** ``make grade`` writes ``grades/rubric.csv``: one row per student, exercise and
criterion (``student, exercise, criterion, max_points, points, comment, description``), ``points``
and ``comment`` blank. The instructor fills in ``points`` (a number from 0 to ``max_points``) and,
if they like, ``comment``, then runs ``make grade`` again: the marks are read back, kept in the new
sheet, added to the totals of ``grades.csv``, ``canvas.csv`` and ``gradescope.csv``, and shown in
each student's feedback file. A blank mark counts 0 and the feedback says "not marked yet".
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from gan_lib.coursework import assignments

RUBRIC_LINE = re.compile(r"^\s*(?:#+\s*)?[*_]*Rubric\b", re.I)
ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*\S)\s*$")
POINTS = re.compile(r"(\d+(?:\.\d+)?)\s*(?:points?|pts?)\b", re.I)
SHEET_COLUMNS = ("student", "exercise", "criterion", "max_points", "points", "comment", "description")


@dataclass
class Criterion:
    text: str
    points: float


@dataclass
class Rubric:
    criteria: list = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(c.points for c in self.criteria)

    def markdown(self) -> str:
        return "\n".join(f"{k}. {c.text}" for k, c in enumerate(self.criteria, 1))


def parse_rubric(text: str, where: str = "the rubric") -> Rubric | None:
    """The rubric in a markdown ``text`` (``None`` if it has no *Rubric* line); a clear
    :class:`~gan_lib.coursework.assignments.MarkupError` for an item without points or a rubric without items."""
    lines = text.split("\n")
    start = next((i for i, ln in enumerate(lines) if RUBRIC_LINE.match(ln)), None)
    if start is None:
        return None
    items, blank = [], False
    for ln in lines[start + 1:]:
        m = ITEM.match(ln)
        if m:
            items.append(m.group(1))
            blank = False
        elif not ln.strip():
            if items:
                blank = True
        elif items and not blank and ln[:1].isspace():
            items[-1] += " " + ln.strip()          # an item continued on an indented line
        else:
            break
    if not items:
        raise assignments.MarkupError(f"{where}: a 'Rubric' line with no list under it. Write one criterion "
                                      "per line, as '- (2 points) what earns them'.")
    rubric = Rubric()
    for item in items:
        m = POINTS.search(item)
        if not m:
            raise assignments.MarkupError(f"{where}: the rubric item {item!r} names no points. Write them in the "
                                          "item, e.g. '- (2 points) ...' or '- 1 point: ...'.")
        rubric.criteria.append(Criterion(item, float(m.group(1))))
    return rubric


def find_rubric(nb, ex) -> Rubric | None:
    """The rubric of exercise ``ex`` (:class:`~gan_lib.coursework.assignments.Exercise`) of ``nb``, if it has one."""
    for j in range(ex.heading, ex.block_end):
        cell = nb.cells[j]
        if cell.cell_type != "markdown":
            continue
        text = assignments.source(cell)
        if j == ex.heading:  # only the exercise's part of its heading cell
            m = assignments.EXERCISE_HEADING.search(text)
            text = text[m.start():] if m else text
        text = assignments.strip_markdown_solutions(text, f"exercise {ex.number}")
        rubric = parse_rubric(text, f"Exercise {ex.number}")
        if rubric:
            return rubric
    return None


def notebook_rubrics(nb) -> dict:
    """``{exercise: Rubric}`` of a course notebook (instructor or student version)."""
    out = {}
    for ex in assignments.find_exercises(nb, instructor=False):
        rubric = find_rubric(nb, ex)
        if rubric:
            out[ex.number] = rubric
    return out


def reference_rubrics(reference) -> dict:
    """``{exercise: Rubric}`` from the lessons (student versions) in the folder ``reference``."""
    import nbformat

    out = {}
    if reference is None or not Path(reference).is_dir():
        return out
    for path in sorted(Path(reference).glob("[0-9][0-9]_*.ipynb")):
        out.update(notebook_rubrics(nbformat.read(path, as_version=4)))
    return out


# =========================================================================== the marking sheet


def read_marks(path, rubrics: dict) -> dict:
    """``{(student, exercise, criterion): (points or None, comment)}`` from a filled-in marking sheet.

    A missing sheet gives ``{}``. A mark that is not a number, is negative or is above the
    criterion's points raises ``ValueError`` naming the file, line and what to write instead.
    """
    path = Path(path)
    if not path.is_file():
        return {}
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = [c for c in ("student", "exercise", "criterion", "points") if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: not a marking sheet (no column {', '.join(missing)}). Delete it or restore "
                             f"the columns {', '.join(SHEET_COLUMNS)}.")
        marks = {}
        for line, row in enumerate(reader, 2):
            key = (row["student"].strip(), row["exercise"].strip(), row["criterion"].strip())
            text = (row.get("points") or "").strip()
            comment = (row.get("comment") or "").strip()
            rubric = rubrics.get(key[1])
            if not text:
                marks[key] = (None, comment)
                continue
            try:
                value = float(text)
            except ValueError:
                raise ValueError(f"{path}, line {line}: the mark {text!r} for {key[0]}, exercise {key[1]}, "
                                 f"criterion {key[2]} is not a number. Write the points (e.g. 1 or 1.5) "
                                 "or leave it blank.") from None
            top = None
            if rubric and key[2].isdigit() and 1 <= int(key[2]) <= len(rubric.criteria):
                top = rubric.criteria[int(key[2]) - 1].points
            if value < 0 or (top is not None and value > top):
                raise ValueError(f"{path}, line {line}: the mark {text} for {key[0]}, exercise {key[1]}, "
                                 f"criterion {key[2]} is outside 0..{top:g}, the criterion's points.")
            marks[key] = (value, comment)
    return marks


def write_sheet(path, rubrics: dict, rows: dict, marks: dict) -> None:
    """Write the marking sheet: a row per student, exercise with a rubric, and criterion, with the
    ``marks`` already given (from :func:`read_marks`) filled in. ``rows`` is grading's table
    (student -> exercise -> verdict): an exercise appears for the students who submitted its lesson."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(SHEET_COLUMNS)
        for st in sorted(rows):
            for number in sorted(rows[st], key=lambda n: tuple(int(x) for x in n.split("."))):
                for k, c in enumerate(rubrics.get(number, Rubric()).criteria, 1):
                    value, comment = marks.get((st, number, str(k)), (None, ""))
                    w.writerow([st, number, k, f"{c.points:g}", "" if value is None else f"{value:g}", comment,
                                c.text])


def earned(marks: dict, student: str, number: str, rubric: Rubric | None) -> float:
    """The hand-marked points ``student`` has for exercise ``number`` (blank marks count 0)."""
    if not rubric:
        return 0.0
    return sum(marks.get((student, number, str(k)), (None, ""))[0] or 0.0 for k in range(1, len(rubric.criteria) + 1))
