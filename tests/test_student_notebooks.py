"""Student versions (student/NN_*.ipynb, `make student`), the exercise markup tools of
gan_lib.coursework.assignments and the grading plan of gan_lib.coursework.cells.

* the committed student versions are exactly what `make student` writes from notebooks/ today;
* they follow the template rules that apply to them (badge of the student copy, setup cell) and
  hold no solution: no markers, no solution line, no stored output under an exercise;
* each exercise's check, run against the student's stubs, says "not done yet" (only the exercise's
  cells and the cells they need run, in-process: seconds, not a notebook run);
* the generator and the grading slice on small synthetic notebooks.

That the instructor versions pass every check is tested by tests/test_lessonNN_exercises.py (each
check against the solution) and tests/test_notebooks.py (stored check outputs say "pass").
"""

import importlib.util
import re
from pathlib import Path

import nbformat
import pytest
from made_up_lesson import NAME, instructor_notebook, student_notebook
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from test_notebooks import rule_no_machine_paths, rule_setup_cell, rule_solution_markers, rule_title_cell

from gan_lib import assignments, cells, course

ROOT = Path(__file__).resolve().parents[1]
INSTRUCTOR = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PARAMS = [pytest.param(p, id=p.name) for p in INSTRUCTOR] or [
    pytest.param(None, id="no-notebooks", marks=pytest.mark.skip(reason="no notebooks/NN_*.ipynb yet"))]


def _make_student_module():
    spec = importlib.util.spec_from_file_location("make_student", ROOT / "scripts" / "make_student.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def student_of(path):
    return ROOT / assignments.student_path(path.relative_to(ROOT).as_posix())


# =========================================================================== the committed student versions


def test_student_versions_are_up_to_date():
    want = _make_student_module().expected(ROOT)
    have = {f"student/{p.name}" for p in (ROOT / "student").glob("*.ipynb")}
    assert set(want) == have, (f"student/ holds {sorted(have)} but notebooks/ gives {sorted(want)}: "
                               "run `make student` and commit student/")
    for rel, text in want.items():
        assert (ROOT / rel).read_text(encoding="utf-8") == text, \
            f"{rel} is out of date with its instructor notebook: run `make student` and commit student/"


@pytest.mark.parametrize("path", PARAMS)
def test_student_version_follows_the_rules(path):
    spath = student_of(path)
    rel = spath.relative_to(ROOT).as_posix()
    nb = nbformat.read(spath, as_version=4)
    nbformat.validate(nb)
    rule_title_cell(nb, rel)  # the badge opens the student copy, not the instructor's
    assert course.colab_url(rel) in nb.cells[0].source
    assert course.colab_url(path.relative_to(ROOT).as_posix()) not in nb.cells[0].source
    rule_setup_cell(nb, rel)
    rule_solution_markers(nb, rel)
    rule_no_machine_paths(nb, rel)
    assert nb.metadata["gan_course"]["student_version_of"] == path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", PARAMS)
def test_student_version_holds_no_solution(path):
    inst = nbformat.read(path, as_version=4)
    stud = nbformat.read(student_of(path), as_version=4)
    text = "\n".join(assignments.source(c) + "\n" + "".join(
        str(o) for o in c.get("outputs", [])) for c in stud.cells)
    for i, cell in enumerate(stud.cells):  # (the prose may *name* the markers; no cell may *use* them)
        src = assignments.source(cell)
        if cell.cell_type == "code":
            for marker in (assignments.BEGIN, assignments.END, assignments.STUB):
                assert marker not in src, f"{student_of(path).name}, cell {i} still contains {marker!r}"
        lines = [ln.strip() for ln in src.splitlines()]
        assert assignments.MD_BEGIN not in lines and assignments.MD_END not in lines, f"cell {i}"
    for ex in assignments.find_exercises(inst):
        for j in range(ex.heading, ex.block_end):
            assert not stud.cells[j].get("outputs"), \
                f"{student_of(path).name}, cell {j} (exercise {ex.number}): stored outputs must be cleared"
        sol = next(j for j in ex.cells if assignments.BEGIN in assignments.source(inst.cells[j]))
        assert f"TODO (exercise {ex.number})" in assignments.source(stud.cells[sol])
        # every substantial line of the solution is gone from the whole student notebook
        block = re.search(re.escape(assignments.BEGIN) + r"(.*?)" + re.escape(assignments.END),
                          assignments.source(inst.cells[sol]), re.S).group(1)
        for line in block.splitlines():
            s = line.strip()
            if len(s) > 12 and not s.startswith("#"):
                assert s not in text, f"{student_of(path).name}: solution line of exercise {ex.number} leaks: {s!r}"
    for cell in inst.cells:  # markdown solutions are gone too
        src = assignments.source(cell)
        if cell.cell_type == "markdown" and assignments.MD_BEGIN in src:
            hidden = src.split(assignments.MD_BEGIN, 1)[1].split(assignments.MD_END, 1)[0].strip()
            assert hidden and hidden.splitlines()[0] not in text


def _run_exercise(nb, item, namespace, ran):
    for j in item.needs + item.cells:
        if j not in ran:
            ran.add(j)
            try:
                cells.run_cell(assignments.source(nb.cells[j]), namespace)
            except NotImplementedError:  # a stub that raises (e.g. a cell that calls the unwritten function)
                pass
    return cells.run_check(item.check, namespace)


@pytest.mark.parametrize("path", PARAMS)
def test_student_checks_say_not_done_yet(path, monkeypatch, tmp_path):
    """Runs only each exercise's cells and what they need (the grading plan), never the whole notebook."""
    monkeypatch.chdir(tmp_path)
    nb = nbformat.read(student_of(path), as_version=4)
    plan = cells.grading_plan(nb)
    assert [it.number for it in plan] == [ex.number for ex in assignments.find_exercises(
        nbformat.read(path, as_version=4))]
    namespace, ran = cells.new_namespace(), set()
    for item in plan:
        assert _run_exercise(nb, item, namespace, ran) == ("not done", ""), f"exercise {item.number}"


# =========================================================================== the generator


def test_student_version_of_a_made_up_lesson():
    inst = instructor_notebook()
    before = nbformat.writes(inst)
    stud = student_notebook()
    assert nbformat.writes(inst) == before, "student_version must not modify the instructor notebook"
    assert course.colab_badge("student/98_made_up.ipynb") in stud.cells[0].source
    assert course.colab_badge(NAME) not in stud.cells[0].source
    assert "Student version" in stud.cells[0].source
    assert stud.cells[5].source == ("# TODO (exercise 98.1): replace `None` with your answer, then run the check "
                                    "cell below.\nanswer_98_1 = None\nprint(answer_98_1)")
    assert stud.cells[8].source == ("def total(xs):\n    # TODO (exercise 98.2): delete the `raise` line and write "
                                    "your code, then run the check cell below.\n    raise NotImplementedError")
    assert stud.cells[7].source == "### Exercise 98.2 (medium)\n\nWrite `total(xs)`, the sum of a list."
    assert stud.cells[5].outputs == [] and stud.cells[6].outputs == []          # inside exercise blocks
    assert stud.cells[14].outputs[0]["text"] == "the end\n"                     # after "## Summary": kept
    assert stud.cells[3].source == inst.cells[3].source                        # other cells untouched


def test_several_stub_lines_and_errors():
    src = "x = 1\n### BEGIN SOLUTION\n### STUB: a = None\n### STUB: b = None\na, b = 1, 2\n### END SOLUTION"
    assert assignments.strip_solution(src, "1.1").endswith("answer, then run the check cell below.\na = None\nb = None")
    with pytest.raises(assignments.MarkupError, match="no matching"):
        assignments.strip_solution("### BEGIN SOLUTION\nx = 1", "1.1")
    with pytest.raises(assignments.MarkupError, match="without"):
        assignments.strip_solution("x = 1\n### END SOLUTION", "1.1")
    with pytest.raises(assignments.MarkupError, match="no matching"):
        assignments.strip_markdown_solutions("a\n<!-- BEGIN SOLUTION -->\nb", "cell 3")
    nb = instructor_notebook()
    nb.cells[0].source = "# Lesson 98\n\n## Learning objectives"
    with pytest.raises(assignments.MarkupError, match="Colab badge"):
        assignments.student_version(nb, NAME)
    nb = instructor_notebook()
    nb.cells[5].source = "answer_98_1 = 42"
    with pytest.raises(assignments.MarkupError, match="Exercise 98.1: no solution cell"):
        assignments.student_version(nb, NAME)


# =========================================================================== what grading runs


@pytest.mark.parametrize("src,defines,needs", [
    ("x = x + 1", {"x"}, {"x"}),
    ("y = 2\nz = y * w", {"y", "z"}, {"w"}),
    ("for i in range(3):\n    t = i + u", {"i", "t"}, {"u"}),
    ("s = [k * m for k in ks]", {"s"}, {"m", "ks"}),
    ("def f(a):\n    return a + q + f(a) + later\nlater = 1", {"f", "later"}, {"q"}),
    ("import numpy as np\nfrom gan_lib import checks, theory", {"np", "checks", "theory"}, set()),
    ("%pip install x\nprint(len(v))", set(), {"v"}),
    ("try:\n    import gan_lib\nexcept ImportError:\n    gan_lib = None", {"gan_lib"}, set()),
    ("c += 1", {"c"}, {"c"}),
    ("d[key] = 1", set(), {"d", "key"}),
    ("def broken(:", set(), set()),  # a syntax error: the student sees it when the cell runs
])
def test_cell_names(src, defines, needs):
    assert cells.cell_names(src) == (defines, needs)


def test_grading_plan_runs_only_what_each_exercise_needs():
    nb_cells = [new_markdown_cell("# L"),
                new_code_cell("a = 1"),
                new_code_cell("b = a + 1"),
                new_code_cell("slow = expensive()"),
                new_code_cell("c = 3"),
                new_markdown_cell("### Exercise 99.1 (easy)"),
                new_code_cell("### BEGIN SOLUTION\nans = b\n### END SOLUTION"),
                new_code_cell('exercises.check("99.1", lambda: f(ans))\nprint(slow)'),  # print(slow) is not the check
                new_markdown_cell("### Exercise 99.2 (easy)"),
                new_code_cell("helper = c"),
                new_code_cell("### BEGIN SOLUTION\nans2 = helper\n### END SOLUTION"),
                new_code_cell('exercises.check("99.2", lambda: f(ans2))')]
    plan = cells.grading_plan(new_notebook(cells=nb_cells))
    assert [(p.number, p.needs, p.cells, p.check_cell) for p in plan] == [
        ("99.1", [1, 2], [6], 7), ("99.2", [4], [9, 10], 11)]
    assert plan[0].check == 'exercises.check("99.1", lambda: f(ans))'


def test_a_submission_without_a_check_cell_leaves_that_exercise_out():
    nb = student_notebook()
    nb.cells[9].source = "print('I deleted the check')"
    assert [p.number for p in cells.grading_plan(nb)] == ["98.1", "98.3"]


def test_run_check_reads_the_verdict(capsys):
    ns = cells.new_namespace()
    cells.run_cell("from gan_lib import exercises\nv = 2", ns)
    check = 'exercises.check("9.1", lambda: exercises.expect_close(v, 3, 0, "v", hint="add one"));'
    assert cells.run_check(check, ns) == ("wrong", "v is 2; expected about 3 (within 0).\n   Hint: add one")
    ns["v"] = None
    assert cells.run_check(check, ns) == ("not done", "")
    ns["v"] = 3
    assert cells.run_check(check, ns) == ("pass", "")
    # printing a fake verdict does not make a pass: it is reported as tampering
    fake = 'print("[v] Exercise 9.1: pass"); exercises.check("9.1", lambda: exercises.expect_done(None))'
    assert cells.run_check(fake, ns) == ("tampered", "printed 1 line(s) imitating a verdict: '[v] Exercise 9.1: pass'")
    with pytest.raises(ZeroDivisionError):
        cells.run_check('exercises.check("9.1", lambda: 1 / 0)', ns)
