"""Exercises as assignments: the exercise markup, finding exercises in a notebook, the student version.

The exercise markup is docs/conventions.md, section 8: a markdown heading
``### Exercise <lesson>.<k> (easy|medium|open)``, a code cell with the solution
between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` lines (an optional
``### STUB: <code>`` line inside says what the student gets instead; default
``raise NotImplementedError``), then a check cell calling
``exercises.check("<lesson>.<k>", ...)``. Markdown that gives a solution away
sits between ``<!-- BEGIN SOLUTION -->`` and ``<!-- END SOLUTION -->`` lines.

This module is the one home of that markup's meaning for tools:

* :func:`find_exercises` lists a notebook's exercises and their cells;
* :func:`student_version` turns an instructor notebook into the student's
  (``scripts/make_student.py``, ``make student``);
* :func:`strip_solution` / :func:`strip_markdown_solutions` remove the solutions
  from one cell.

Which cells grading runs for each exercise, and running them, is
:mod:`gan_lib.coursework.cells`.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from gan_lib.coursework import course

EXERCISE_HEADING = re.compile(r"^### Exercise (\d+)\.(\d+) \((easy|medium|open)(?:, (\d+) points?)?\)\s*$", re.M)
#: Points of an exercise whose heading does not give them (``### Exercise 2.3 (open, 5 points)`` does).
DEFAULT_POINTS = {"easy": 1, "medium": 2, "open": 3}
BEGIN, END, STUB = "### BEGIN SOLUTION", "### END SOLUTION", "### STUB:"
MD_BEGIN, MD_END = "<!-- BEGIN SOLUTION -->", "<!-- END SOLUTION -->"
CHECK_CALL = re.compile(r"exercises\.check\(|checks\.check_\w+\(")
#: A markdown heading of level 1 or 2 ends an exercise's block (e.g. "## Summary").
SECTION_HEADING = re.compile(r"^#{1,2}\s", re.M)

#: Where ``make student`` writes the student versions (same file names as notebooks/).
STUDENT_DIR = "student"
INSTRUCTOR_DIR = "notebooks"

STUDENT_NOTE = (
    "> **Student version.** The solutions of the exercises are removed: each exercise's code cell "
    "has a `TODO` where your answer goes, and the check cell under it tells you whether it is "
    "right (`pass`), `not done yet`, or what looks wrong, with a hint. Outputs stored under the "
    "exercises are cleared; the other cells keep the outputs of a full run for you to compare with."
)


class MarkupError(ValueError):
    """An exercise's markup is broken; the message says which exercise and what to fix."""


@dataclass
class Exercise:
    """One exercise of a notebook, with the indices (into ``nb.cells``) of its cells."""

    lesson: int
    k: int
    level: str
    points: int
    heading: int                                   # the markdown cell with the heading
    cells: list = field(default_factory=list)      # code cells from the heading to the check cell
    check: int | None = None                       # the check cell
    block_end: int = 0                             # first cell after the exercise's block

    @property
    def number(self) -> str:
        return f"{self.lesson}.{self.k}"


def source(cell) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def find_exercises(nb, instructor: bool = True) -> list:
    """The notebook's exercises in order, each with its cells.

    ``instructor=True`` (an instructor notebook) requires a solution cell
    (``### BEGIN SOLUTION``) before the check cell and raises
    :class:`MarkupError` otherwise. ``instructor=False`` (a student version or
    a submission, whose solution markers are gone) only needs the check cell;
    an exercise without one gets ``check=None``.
    """
    cells = nb.cells
    found = []
    for i, cell in enumerate(cells):
        if cell.cell_type == "markdown":
            for m in EXERCISE_HEADING.finditer(source(cell)):
                points = int(m.group(4)) if m.group(4) else DEFAULT_POINTS[m.group(3)]
                found.append(Exercise(int(m.group(1)), int(m.group(2)), m.group(3), points, heading=i))
    for n, ex in enumerate(found):
        stop = found[n + 1].heading if n + 1 < len(found) else len(cells)
        end = stop
        for j in range(ex.heading + 1, stop):
            c = cells[j]
            if c.cell_type == "markdown" and SECTION_HEADING.search(source(c)):
                end = j
                break
        ex.block_end = end
        code = [j for j in range(ex.heading + 1, end) if cells[j].cell_type == "code"]
        first = ex.heading
        if instructor:
            first = next((j for j in code if BEGIN in source(cells[j])), None)
            if first is None:
                raise MarkupError(f"Exercise {ex.number}: no solution cell ({BEGIN} ... {END}) after its heading.")
        names_it = re.compile(r"""["']""" + re.escape(ex.number) + r"""["']""")
        check = next((j for j in code if j > first and CHECK_CALL.search(source(cells[j]))
                      and (instructor or names_it.search(source(cells[j])))), None)
        if check is None and instructor:
            raise MarkupError(f"Exercise {ex.number}: no check cell (exercises.check(...)) after its solution.")
        ex.check = check
        ex.cells = [j for j in code if check is not None and j <= check]
    return found


# =========================================================================== the student version


def strip_solution(src: str, number: str) -> str:
    """``src`` with each solution block replaced by a TODO comment and its stub (same indentation)."""
    out, inside, stubs, indent = [], False, [], ""
    for line in src.split("\n"):
        s = line.strip()
        if s.startswith(BEGIN):
            if inside:
                raise MarkupError(f"Exercise {number}: '{BEGIN}' inside an open solution block.")
            inside, stubs, indent = True, [], line[: len(line) - len(line.lstrip())]
        elif s.startswith(END):
            if not inside:
                raise MarkupError(f"Exercise {number}: '{END}' without '{BEGIN}' before it.")
            inside = False
            stubs = stubs or ["raise NotImplementedError"]
            what = "replace `None` with your answer" if any(st.endswith("= None") for st in stubs) \
                else "delete the `raise` line and write your code"
            out.append(f"{indent}# TODO (exercise {number}): {what}, then run the check cell below.")
            out.extend(indent + st for st in stubs)
        elif inside:
            if s.startswith(STUB):
                stubs.append(s[len(STUB):].strip())
        else:
            out.append(line)
    if inside:
        raise MarkupError(f"Exercise {number}: '{BEGIN}' has no matching '{END}' in the same cell.")
    return "\n".join(out)


def strip_markdown_solutions(src: str, where: str) -> str:
    """Markdown ``src`` without its ``<!-- BEGIN SOLUTION -->`` ... ``<!-- END SOLUTION -->`` parts."""
    out, inside = [], False
    for line in src.split("\n"):
        s = line.strip()
        if s == MD_BEGIN:
            if inside:
                raise MarkupError(f"{where}: '{MD_BEGIN}' inside an open markdown solution.")
            inside = True
        elif s == MD_END:
            if not inside:
                raise MarkupError(f"{where}: '{MD_END}' without '{MD_BEGIN}' before it.")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise MarkupError(f"{where}: '{MD_BEGIN}' has no matching '{MD_END}' in the same cell.")
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip("\n")


def student_path(instructor_path: str) -> str:
    """``notebooks/01_x.ipynb`` -> ``student/01_x.ipynb`` (paths from the repository root)."""
    name = instructor_path.replace("\\", "/").rsplit("/", 1)[-1]
    return f"{STUDENT_DIR}/{name}"


def student_version(nb, instructor_path: str):
    """The student version of the instructor notebook ``nb`` (not modified) stored at ``instructor_path``.

    Solutions become TODO + stub; markdown solutions go; every output stored
    between an exercise's heading and the end of its block is cleared (solution
    cells print answers, check cells print "pass" and plot what the solution
    trained, and a "run it and see" cell can print what the student was asked to
    predict); the Colab badge opens the student version.
    """
    exercises = find_exercises(nb)
    if not exercises:
        raise MarkupError(f"{instructor_path}: no exercises (### Exercise N.k (easy|medium|open) headings).")
    out = copy.deepcopy(nb)
    spath = student_path(instructor_path)
    title = source(out.cells[0])
    badge, new_badge = course.colab_badge(instructor_path), course.colab_badge(spath)
    if out.cells[0].cell_type != "markdown" or badge not in title:
        raise MarkupError(f"{instructor_path}: the first cell must hold the Colab badge {badge}")
    out.cells[0].source = title.replace(badge, f"{new_badge}\n\n{STUDENT_NOTE}", 1)
    owner = {}
    for ex in exercises:
        for j in range(ex.heading, ex.block_end):
            owner[j] = ex
    for i, cell in enumerate(out.cells):
        src = source(cell)
        if cell.cell_type == "code":
            if BEGIN in src or STUB in src or END in src:
                ex = owner.get(i)
                if ex is None:
                    raise MarkupError(f"{instructor_path}, cell {i}: a solution block outside any exercise.")
                cell.source = strip_solution(src, ex.number)
            if i in owner:
                cell.outputs = []
                cell.execution_count = None
        elif cell.cell_type == "markdown" and (MD_BEGIN in src or MD_END in src):
            cell.source = strip_markdown_solutions(src, f"{instructor_path}, cell {i}")
    out.metadata["gan_course"] = {"student_version_of": instructor_path,
                                  "generated_by": "make student (scripts/make_student.py); edit the instructor "
                                                  "version and regenerate instead of editing this file"}
    return out
