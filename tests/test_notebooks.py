"""Structural tests of every lesson notebook (notebooks/NN_*.ipynb): the template of
docs/conventions.md, section 7, and the exercise markup of section 8.

These tests read the stored notebooks; they do not execute them (``make test`` runs
each notebook under nbval in quick mode, ``make notebooks`` re-runs them in full mode).
Each rule is a ``rule_*`` function that raises ``AssertionError`` with a message saying
what to fix; the tests at the end check the rules themselves on small synthetic notebooks.
"""

import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from gan_lib import course

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PARAMS = [pytest.param(p, id=p.name) for p in NOTEBOOKS] or [
    pytest.param(None, id="no-notebooks", marks=pytest.mark.skip(reason="no notebooks/NN_*.ipynb yet"))
]

#: Paths of the machine a notebook ran on must not leak into stored outputs.
MACHINE_PATH = re.compile(r"(/work/|/tmp/|/home/[^/\s]+|/Users/|/root/|/private/var/|site-packages|"
                          r"[A-Za-z]:\\+(Users|Windows))")
EXERCISE_HEADING = re.compile(r"^### Exercise (\d+)\.(\d+) \((easy|medium|open)\)\s*$", re.M)
BEGIN, END, STUB = "### BEGIN SOLUTION", "### END SOLUTION", "### STUB:"


def rel(path):
    return path.relative_to(ROOT).as_posix()


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def output_text(output):
    """The text of one stored output (streams, text/plain, text/html, errors); never image data."""
    if output.get("output_type") == "stream":
        return output.get("text", "")
    if output.get("output_type") == "error":
        return "\n".join([output.get("ename", ""), output.get("evalue", "")] + output.get("traceback", []))
    data = output.get("data", {})
    return "\n".join(str(data[k]) for k in ("text/plain", "text/html", "text/markdown") if k in data)


def stored_text(cell):
    return "".join(output_text(o) for o in cell.get("outputs", []))


# =========================================================================== the rules


def rule_title_cell(nb, name):
    first = nb.cells[0]
    assert first.cell_type == "markdown", f"{name}: the first cell must be the markdown title cell"
    badge = course.colab_badge(name)
    assert badge in first.source, (f"{name}: the title cell must contain the Colab badge exactly as "
                                   f"gan_lib.coursework.course.colab_badge({name!r}) writes it:\n{badge}")
    assert re.search(r"^#+\s*Learning objectives", first.source, re.M | re.I), \
        f"{name}: the title cell needs a 'Learning objectives' heading"


def rule_setup_cell(nb, name):
    sources = [c.source.strip() for c in code_cells(nb)]
    assert course.SETUP_CELL.strip() in sources, \
        f"{name}: no code cell equals gan_lib.coursework.course.SETUP_CELL (copy it verbatim)"


def rule_full_run_header(nb, name):
    headers = [c for c in code_cells(nb) if "course.run_header(" in c.source]
    assert headers, f"{name}: no cell calls course.run_header(seed=...)"
    text = stored_text(headers[0])
    assert text.strip(), (f"{name}: the run header cell has no stored output. Stored outputs must come "
                          "from a full run: run `make notebooks` (or scripts/run_notebooks.sh).")
    assert "Mode: quick" not in text, (f"{name}: the stored outputs come from a QUICK run (the header says "
                                       "'Mode: quick'). Re-run it in full mode: `make notebooks`.")
    assert "Mode: full" in text, f"{name}: the run header's stored output does not say 'Mode: full'"


def rule_footer_last(nb, name):
    cells = [c for c in code_cells(nb) if c.source.strip()]
    assert cells and "run.footer()" in cells[-1].source, f"{name}: the last code cell must call run.footer()"


def rule_no_errors(nb, name):
    for i, cell in enumerate(nb.cells):
        for o in cell.get("outputs", []):
            assert o.get("output_type") != "error", \
                f"{name}, cell {i}: stored error {o.get('ename')}: {o.get('evalue')}"


def rule_no_machine_paths(nb, name):
    for i, cell in enumerate(nb.cells):
        m = MACHINE_PATH.search(stored_text(cell))
        assert m is None, f"{name}, cell {i}: stored output contains a machine path ({m.group(0)!r})"


def exercise_blocks(nb):
    """[(lesson, k, level, later_cells)] for each exercise heading, with the cells up to the next one."""
    cells = nb.cells
    found = []
    for i, cell in enumerate(cells):
        if cell.cell_type != "markdown":
            continue
        for m in EXERCISE_HEADING.finditer(cell.source):
            found.append((i, int(m.group(1)), int(m.group(2)), m.group(3)))
    blocks = []
    for n, (i, lesson, k, level) in enumerate(found):
        stop = found[n + 1][0] if n + 1 < len(found) else len(cells)
        blocks.append((lesson, k, level, cells[i + 1:stop]))
    return blocks


def rule_solution_markers(nb, name):
    for i, cell in enumerate(code_cells(nb)):
        inside = False
        for line in cell.source.splitlines():
            s = line.strip()
            if s.startswith(BEGIN):
                assert not inside, f"{name}, code cell {i}: '{BEGIN}' inside an open solution block"
                inside = True
            elif s.startswith(END):
                assert inside, f"{name}, code cell {i}: '{END}' without a '{BEGIN}' before it"
                inside = False
            elif s.startswith(STUB):
                assert inside, f"{name}, code cell {i}: '{STUB}' outside a solution block"
        assert not inside, f"{name}, code cell {i}: '{BEGIN}' has no matching '{END}' in the same cell"


def rule_exercises(nb, name, lesson):
    blocks = exercise_blocks(nb)
    assert len(blocks) >= 3, f"{name}: {len(blocks)} exercise(s); every lesson needs at least three"
    numbers = [(les, k) for les, k, _, _ in blocks]
    assert len(set(numbers)) == len(numbers), f"{name}: exercise numbers repeat: {numbers}"
    for les, k, _, later in blocks:
        ex = f"Exercise {les}.{k}"
        assert les == lesson, f"{name}: '{ex}' is numbered for lesson {les}, but this is lesson {lesson}"
        code = [c for c in later if c.cell_type == "code"]
        sol = next((j for j, c in enumerate(code) if BEGIN in c.source), None)
        assert sol is not None, f"{name}: '{ex}' is not followed by a solution cell ({BEGIN} ... {END})"
        checks = [c for c in code[sol + 1:] if re.search(r"exercises\.check\(|checks\.check_\w+\(", c.source)]
        assert checks, f"{name}: '{ex}' has no check cell (exercises.check(...)) after its solution"
        assert f'"{les}.{k}"' in checks[0].source or f"'{les}.{k}'" in checks[0].source, \
            f"{name}: the check cell after '{ex}' does not name exercise {les}.{k}"


def rule_stored_solutions_pass(nb, name):
    for les, k, _, later in exercise_blocks(nb):
        text = "".join(stored_text(c) for c in later if c.cell_type == "code")
        assert f"Exercise {les}.{k}: pass" in text, \
            f"{name}: the stored output of exercise {les}.{k}'s check does not say 'pass'"


def rule_nbval_checked_cells(nb, name):
    marked = [c for c in code_cells(nb) if "# NBVAL_CHECK_OUTPUT" in c.source]
    assert marked, f"{name}: no cell is marked '# NBVAL_CHECK_OUTPUT' (CI would compare nothing)"
    for c in marked:
        assert "verbose=1" not in c.source, f"{name}: a checked cell uses verbose=1 (progress bars carry timings)"


# =========================================================================== every lesson notebook

RULES = [rule_title_cell, rule_setup_cell, rule_full_run_header, rule_footer_last, rule_no_errors,
         rule_no_machine_paths, rule_solution_markers, rule_stored_solutions_pass, rule_nbval_checked_cells]


@pytest.mark.parametrize("path", PARAMS)
def test_valid_nbformat(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.cells, f"{rel(path)} has no cells"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.__name__[5:])
@pytest.mark.parametrize("path", PARAMS)
def test_notebook_follows_the_template(path, rule):
    rule(nbformat.read(path, as_version=4), rel(path))


@pytest.mark.parametrize("path", PARAMS)
def test_exercises_are_well_formed(path):
    rule_exercises(nbformat.read(path, as_version=4), rel(path), lesson=int(path.name[:2]))


# =========================================================================== the rules catch what they should

NAME = "notebooks/99_example.ipynb"


def _good_notebook():
    """A minimal notebook that follows every rule."""
    header = new_code_cell('from gan_lib import course\nrun = course.run_header(seed=0)')
    header.outputs = [new_output("stream", name="stdout", text="Mode: full   (...)\nSeed: 0\n")]
    cells = [new_markdown_cell(f"# Lesson 99\n\n{course.colab_badge(NAME)}\n\n## Learning objectives\n\n1. x"),
             new_code_cell(course.SETUP_CELL), header,
             new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(1)")]
    for k in (1, 2, 3):
        check = new_code_cell(f'exercises.check("99.{k}", lambda: checks.check_99_{k}(a))')
        check.outputs = [new_output("stream", name="stdout", text=f"[v] Exercise 99.{k}: pass\n")]
        cells += [new_markdown_cell(f"### Exercise 99.{k} (easy)\n\nDo it."),
                  new_code_cell(f"### BEGIN SOLUTION\n### STUB: a = None\na = {k}\n### END SOLUTION"), check]
    cells.append(new_code_cell("run.footer()"))
    return new_notebook(cells=cells)


def _all_rules(nb):
    for rule in RULES:
        rule(nb, NAME)
    rule_exercises(nb, NAME, lesson=99)


def test_rules_accept_a_good_notebook():
    _all_rules(_good_notebook())


@pytest.mark.parametrize("breakage,message", [
    (lambda nb: nb.cells[2].outputs.__setitem__(0, new_output("stream", name="stdout", text="Mode: quick\n")),
     "QUICK run"),
    (lambda nb: nb.cells[2].__setitem__("outputs", []), "no stored output"),
    (lambda nb: nb.cells[0].__setitem__("source", "# Lesson 99\n\n## Learning objectives"), "Colab badge"),
    (lambda nb: nb.cells[0].__setitem__("source", f"# L\n{course.colab_badge(NAME)}"), "Learning objectives"),
    (lambda nb: nb.cells[1].__setitem__("source", "import gan_lib"), "SETUP_CELL"),
    (lambda nb: nb.cells.pop(), "run.footer()"),
    (lambda nb: nb.cells[3].__setitem__("outputs", [new_output("error", ename="ValueError", evalue="x",
                                                               traceback=[])]), "stored error"),
    (lambda nb: nb.cells[3].__setitem__("outputs", [new_output("stream", name="stderr",
                                                               text="File /work/main/x.py line 1\n")]),
     "machine path"),
    (lambda nb: nb.cells[5].__setitem__("source", "### BEGIN SOLUTION\na = 1"), "no matching"),
    (lambda nb: nb.cells[5].__setitem__("source", "### STUB: a = None\na = 1"), "outside a solution block"),
    (lambda nb: nb.cells[6].__setitem__("outputs", []), "does not say 'pass'"),
    (lambda nb: nb.cells[3].__setitem__("source", "print(1)"), "NBVAL_CHECK_OUTPUT"),
])
def test_rules_catch_breakage(breakage, message):
    nb = _good_notebook()
    breakage(nb)
    with pytest.raises(AssertionError, match=re.escape(message)):
        _all_rules(nb)


@pytest.mark.parametrize("breakage,message", [
    (lambda nb: [nb.cells.pop(4) for _ in range(3)], "needs at least three"),
    (lambda nb: nb.cells.pop(5), "not followed by a solution cell"),
    (lambda nb: nb.cells.pop(6), "has no check cell"),
    (lambda nb: nb.cells[4].__setitem__("source", "### Exercise 98.1 (easy)"), "numbered for lesson 98"),
    (lambda nb: nb.cells[6].__setitem__("source", 'exercises.check("99.2", f)'), "does not name exercise 99.1"),
])
def test_exercise_rule_catches_breakage(breakage, message):
    nb = _good_notebook()
    breakage(nb)
    with pytest.raises(AssertionError, match=re.escape(message)):
        rule_exercises(nb, NAME, lesson=99)
