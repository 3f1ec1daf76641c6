"""The course's lessons as Otter-Grader assignments (``make assignments FORMAT=otter``).

Otter-Grader (https://otter-grader.readthedocs.io) is a tool many instructors already run:
``otter assign`` turns one *source notebook* into a student notebook, a solution notebook and an
``autograder.zip``, and ``otter run -a autograder.zip submission.ipynb`` grades a submission
without Docker (Gradescope runs the same zip). This module writes that source notebook for a
lesson from the course's own exercise markup (docs/conventions.md, section 8), so the lessons
keep one home and nothing is written by hand per lesson:

=====================================  ==================================================
course markup                          Otter-Assign source
=====================================  ==================================================
``### Exercise 1.4 (open, 3 points)``  a question ``exercise_1_4`` worth 3 points; the
                                       heading cell is its prompt
the exercise's code cells              a ``PROMPT`` block (the student version of each
                                       cell: TODO and ``### STUB:``) and a ``SOLUTION``
                                       block (each cell whole between ``# BEGIN SOLUTION
                                       NO PROMPT`` and ``# END SOLUTION``: the student
                                       version keeps an empty cell in its place)
the check call                         the question's one public test: the course's check
                                       statement, expecting ``[v] Exercise 1.4: pass``
the check cell                         kept after the question (it prints the hints)
a ``Rubric`` list (open exercises)     a manual question ``exercise_1_4_writeup`` worth the
                                       rubric's points, with the rubric as its prompt and
                                       Otter's answer cell (the lesson's answer cell goes)
``<!-- BEGIN SOLUTION -->`` markdown   left out (it is the instructor's write-up)
=====================================  ==================================================

``otter`` itself is an instructor's tool, pinned in ``requirements-instructor.txt`` and
installed by ``make venv INSTRUCTOR=1``; this module only writes notebooks and does not import it.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

from gan_lib.coursework import assignments, cells, reports, rubrics

#: The ``# ASSIGNMENT CONFIG`` of every lesson (Otter 7). ``run_tests`` is off: running the
#: solution at assign time would train every model of the lesson; the course's own tests grade the
#: reference solution with ``otter run`` instead (tests/test_otter_assign.py).
CONFIG = """# ASSIGNMENT CONFIG
name: {name}
init_cell: true
check_all_cell: false
export_cell: false
run_tests: false
solutions_pdf: false
template_pdf: false
generate:
  pdf: false
  filtering: false
"""

PASS_LINE = "[v] Exercise {number}: pass"
OTTER_BEGIN, OTTER_END = "# BEGIN SOLUTION NO PROMPT", "# END SOLUTION"


def question_name(number: str) -> str:
    """Otter's name of exercise ``number`` (``"1.4"`` -> ``"exercise_1_4"``): a file name and an identifier."""
    return "exercise_" + number.replace(".", "_")


def _raw(text: str):
    from nbformat.v4 import new_raw_cell

    return new_raw_cell(text)


def _code(src: str):
    from nbformat.v4 import new_code_cell

    return new_code_cell(src)


def _markdown(src: str):
    from nbformat.v4 import new_markdown_cell

    return new_markdown_cell(src)


def _solution_source(src: str) -> str:
    """A solution cell for Otter: the course's markers and stubs taken out, and the whole cell inside
    Otter's ``# BEGIN SOLUTION NO PROMPT`` ... ``# END SOLUTION``, so that the student version keeps
    only the prompt cell before it (Otter keeps a solution block's code cells and strips only the
    lines so marked)."""
    keep = []
    for line in src.split("\n"):
        s = line.strip()
        if s.startswith((assignments.BEGIN, assignments.END, assignments.STUB)):
            continue
        keep.append(line)
    return "\n".join([OTTER_BEGIN, *keep, OTTER_END])


def _test_cell(number: str, check: str):
    """The question's test: the course's check statement(s), with the output a pass prints (a doctest)."""
    from nbformat.v4 import new_output

    lines = [ln.rstrip().rstrip(";") for ln in check.strip().split("\n")]
    cell = _code("\n".join(lines))
    cell.outputs = [new_output("stream", name="stdout", text=PASS_LINE.format(number=number) + "\n"),
                    new_output("execute_result", data={"text/plain": "True"}, execution_count=1)]
    cell.execution_count = 1
    return cell


def _markdown_prompt(src: str, where: str) -> str:
    return assignments.strip_markdown_solutions(src, where)


def source_notebook(nb, instructor_path: str):
    """The Otter-Assign source notebook of the instructor notebook ``nb`` (not modified).

    Raises :class:`gan_lib.coursework.assignments.MarkupError` if the lesson's markup is broken
    (or its check statement is not the one-call form this conversion expects).
    """
    name = Path(instructor_path).stem
    exercises = assignments.find_exercises(nb)
    if not exercises:
        raise assignments.MarkupError(f"{instructor_path}: no exercises to turn into Otter questions.")
    official = cells.official_checks(nb)
    by_heading = {ex.heading: ex for ex in exercises}
    out = copy.deepcopy(nb)
    new = [_raw(CONFIG.format(name=name).strip())]
    i = 0
    while i < len(nb.cells):
        ex = by_heading.get(i)
        if ex is None:
            cell = copy.deepcopy(nb.cells[i])
            if cell.cell_type == "markdown":
                cell.source = _markdown_prompt(assignments.source(cell), f"{instructor_path}, cell {i}")
            new.append(cell)
            i += 1
            continue
        check = official.get(ex.number, "")
        if not re.fullmatch(r"exercises\.check\([^\n]*\);?", check.strip()):
            raise assignments.MarkupError(
                f"{instructor_path}: exercise {ex.number}'s check cell should call exercises.check(...) once "
                f"on one line; found {check!r}.")
        heading = assignments.source(nb.cells[ex.heading])
        # Markdown of the heading cell before the exercise's heading (e.g. "## Exercises") stays outside.
        m = assignments.EXERCISE_HEADING.search(heading)
        before, prompt = heading[:m.start()].rstrip(), heading[m.start():]
        if before:
            new.append(_markdown(_markdown_prompt(before, f"{instructor_path}, cell {i}")))
        qname = question_name(ex.number)
        new += [_raw(f"# BEGIN QUESTION\nname: {qname}\npoints: {ex.points}"),
                _markdown(_markdown_prompt(prompt, f"{instructor_path}, cell {i}"))]
        own = [j for j in range(ex.heading + 1, ex.check)]
        md_between = [j for j in own if nb.cells[j].cell_type == "markdown"]
        for j in md_between:  # prompt text between the heading and the code
            text = _markdown_prompt(assignments.source(nb.cells[j]), f"{instructor_path}, cell {j}")
            if text.strip():
                new.append(_markdown(text))
        code = [j for j in own if nb.cells[j].cell_type == "code"]
        new.append(_raw("# BEGIN PROMPT"))
        for j in code:
            new.append(_code(assignments.strip_solution(assignments.source(nb.cells[j]), ex.number)))
        new += [_raw("# END PROMPT"), _raw("# BEGIN SOLUTION")]
        for j in code:
            new.append(_code(_solution_source(assignments.source(nb.cells[j]))))
        new += [_raw("# END SOLUTION"), _raw("# BEGIN TESTS"), _test_cell(ex.number, check),
                _raw("# END TESTS"), _raw("# END QUESTION")]
        # The course's check cell stays: it prints the hint and the plots under the answer.
        new.append(_code(assignments.source(nb.cells[ex.check])))
        rubric = rubrics.find_rubric(nb, ex)
        if rubric:
            new += [_raw(f"# BEGIN QUESTION\nname: {qname}_writeup\nmanual: true\npoints: {rubric.total:g}"),
                    _markdown(f"**Exercise {ex.number}, the write-up** (marked by hand, {rubric.total:g} points):\n\n"
                              + rubric.markdown()),
                    _raw("# BEGIN SOLUTION"),
                    _markdown("_The instructor's notes for this write-up are in the lesson's instructor "
                              "notebook (its markdown solution)._"),
                    _raw("# END SOLUTION"), _raw("# END QUESTION")]
        for j in range(ex.check + 1, ex.block_end):
            cell = copy.deepcopy(nb.cells[j])
            if rubric and cell.cell_type == "markdown" and reports.is_answer_cell(assignments.source(cell)):
                continue  # the write-up question above has Otter's own answer cell
            if cell.cell_type == "markdown":
                cell.source = _markdown_prompt(assignments.source(cell), f"{instructor_path}, cell {j}")
                if not cell.source.strip():
                    continue
            new.append(cell)
        i = ex.block_end
    out.cells = new
    out.metadata["gan_course"] = {"otter_source_of": instructor_path,
                                  "generated_by": "make assignments FORMAT=otter "
                                                  "(gan_lib.coursework.otter_assign); regenerate, do not edit"}
    return out
