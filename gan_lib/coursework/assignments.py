"""Exercises as assignments: find them in a notebook, make the student version, slice what they need.

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
* :func:`grading_plan` says which cells grading must run for each exercise
  (the exercise's own cells, the check call, and the earlier cells that
  define the names they use, nothing else), used by :mod:`gan_lib.coursework.grade`;
* :func:`run_cell` / :func:`run_check` execute them (in the grading sandbox,
  or in-process in the tests).
"""

from __future__ import annotations

import ast
import builtins
import copy
import re
import symtable
from dataclasses import dataclass, field

from gan_lib.coursework import course

EXERCISE_HEADING = re.compile(r"^### Exercise (\d+)\.(\d+) \((easy|medium|open)\)\s*$", re.M)
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
                found.append(Exercise(int(m.group(1)), int(m.group(2)), m.group(3), heading=i))
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


# =========================================================================== what grading must run

#: Names a notebook cell may use without defining them.
PREDEFINED = set(dir(builtins)) | {"get_ipython", "display", "__name__", "__file__", "__builtins__"}


def python_source(src: str) -> str:
    """A cell's source as plain Python (IPython's ``%magic`` and ``!shell`` lines become calls)."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(src)


def _scope_globals(table) -> set:
    """Names that nested scopes (functions, classes, lambdas, comprehensions) read from the module."""
    names = set()
    for child in table.get_children():
        for sym in child.get_symbols():
            if sym.is_global() and sym.is_referenced():
                names.add(sym.get_name())
        names |= _scope_globals(child)
    return names


def _targets(node) -> set:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del))}


_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _stmt_names(stmt, defined: set, needed: set) -> None:
    """Walk one module-level statement in execution order, adding the names it reads before defining them."""
    def reads(*nodes):
        stack = [n for n in nodes if n is not None]
        while stack:
            n = stack.pop()
            if isinstance(n, ast.Name):
                if isinstance(n.ctx, ast.Load) and n.id not in defined:
                    needed.add(n.id)
            elif isinstance(n, _COMPREHENSIONS):
                stack.append(n.generators[0].iter)  # the rest runs in its own scope (_scope_globals)
            elif isinstance(n, ast.Lambda):
                stack.extend(n.args.defaults + [d for d in n.args.kw_defaults if d is not None])
            else:
                stack.extend(ast.iter_child_nodes(n))

    if isinstance(stmt, (ast.For, ast.AsyncFor)):
        reads(stmt.iter)
        defined |= _targets(stmt.target)
        for s in stmt.body + stmt.orelse:
            _stmt_names(s, defined, needed)
    elif isinstance(stmt, (ast.If, ast.While)):
        reads(stmt.test)
        for s in stmt.body + stmt.orelse:
            _stmt_names(s, defined, needed)
    elif isinstance(stmt, (ast.With, ast.AsyncWith)):
        for item in stmt.items:
            reads(item.context_expr)
            if item.optional_vars is not None:
                defined |= _targets(item.optional_vars)
        for s in stmt.body:
            _stmt_names(s, defined, needed)
    elif isinstance(stmt, ast.Try):
        for s in stmt.body:
            _stmt_names(s, defined, needed)
        for h in stmt.handlers:
            reads(h.type)
            if h.name:
                defined.add(h.name)
            for s in h.body:
                _stmt_names(s, defined, needed)
        for s in stmt.orelse + stmt.finalbody:
            _stmt_names(s, defined, needed)
    elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        # Decorators, defaults and bases run now; the body runs later (see _scope_globals).
        reads(*stmt.decorator_list)
        if isinstance(stmt, ast.ClassDef):
            reads(*stmt.bases, *[k.value for k in stmt.keywords])
        else:
            reads(*stmt.args.defaults, *[d for d in stmt.args.kw_defaults if d is not None])
        defined.add(stmt.name)
    elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
        for alias in stmt.names:
            defined.add((alias.asname or alias.name).split(".")[0])
    elif isinstance(stmt, (ast.Global, ast.Nonlocal, ast.Pass, ast.Break, ast.Continue)):
        pass
    else:  # simple statements: the right-hand side is read before the targets are bound
        targets = []
        if isinstance(stmt, ast.Assign):
            targets = stmt.targets
        elif isinstance(stmt, (ast.AugAssign, ast.AnnAssign)):
            targets = [stmt.target]
            if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name) \
                    and stmt.target.id not in defined:
                needed.add(stmt.target.id)  # x += 1 reads x
        value_nodes = [n for n in ast.iter_child_nodes(stmt) if n not in targets]
        reads(*value_nodes)
        for t in targets:
            if not isinstance(t, ast.Name):
                reads(t)  # a[i] = ..., obj.x = ...: reads a, i, obj
        for n in ast.walk(stmt):  # named expressions (:=) bind at module level too
            if isinstance(n, ast.NamedExpr):
                defined.add(n.target.id)
        for t in targets:
            defined |= _targets(t)


def cell_names(src: str):
    """``(defines, needs)`` of a code cell: the module-level names it binds, and those it reads from before it.

    An over-estimate of ``needs`` costs only time (an extra earlier cell runs);
    an under-estimate would make grading fail with a NameError, so when in
    doubt a name counts as needed. A cell that does not parse defines nothing
    and needs nothing (running it shows the student the syntax error).
    """
    code = python_source(src)
    try:
        tree = ast.parse(code)
        table = symtable.symtable(code, "<cell>", "exec")
    except SyntaxError:
        return set(), set()
    defined, needed = set(), set()
    for stmt in tree.body:
        _stmt_names(stmt, defined, needed)
    needed |= _scope_globals(table) - defined
    return defined, needed - PREDEFINED


def check_statements(src: str) -> str:
    """Only the module-level statements of a check cell that call a check (what grading runs of it)."""
    code = python_source(src)
    tree = ast.parse(code)
    lines = code.split("\n")
    keep = [s for s in tree.body if CHECK_CALL.search("\n".join(lines[s.lineno - 1:s.end_lineno]))]
    return "\n".join("\n".join(lines[s.lineno - 1:s.end_lineno]) for s in keep)


@dataclass
class PlanItem:
    """One exercise in a grading plan: the cells to have run, the exercise's own cells, the check call."""

    number: str
    level: str
    needs: list        # earlier cells the exercise's cells depend on (transitively), in order
    cells: list        # the exercise's own code cells (heading .. check cell, without the check cell)
    check_cell: int
    check: str         # the check cell's check statement(s)


def grading_plan(nb) -> list:
    """For each exercise of a submission (or any notebook), the cells grading must run: its own
    cells, the earlier cells that define the names they use (transitively), and its check call.
    An exercise whose check cell is gone is left out (grading reports it as missing)."""
    exercises = [ex for ex in find_exercises(nb, instructor=False) if ex.check is not None]
    names = {}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            names[i] = cell_names(source(cell))

    def definer(name, before):
        for j in range(before - 1, -1, -1):
            if j in names and name in names[j][0]:
                return j
        return None

    plan = []
    for ex in exercises:
        own = [j for j in ex.cells if j != ex.check]
        check_src = check_statements(source(nb.cells[ex.check]))
        _, check_needs = cell_names(check_src)
        needed, todo = set(), [(n, ex.check) for n in check_needs]
        for j in own:
            todo += [(n, j) for n in names[j][1]]
        seen = set()
        while todo:
            name, before = todo.pop()
            if (name, before) in seen:
                continue
            seen.add((name, before))
            j = definer(name, before)
            if j is None or j in own or j in needed:
                continue
            needed.add(j)
            todo += [(n, j) for n in names[j][1]]
        plan.append(PlanItem(ex.number, ex.level, sorted(needed), own, ex.check, check_src))
    return plan


# =========================================================================== running cells


def new_namespace() -> dict:
    """A fresh notebook namespace: what a Jupyter kernel predefines that the lessons use."""
    from IPython.display import display

    return {"__name__": "__main__", "display": display, "get_ipython": lambda: None}


def run_cell(src: str, namespace: dict) -> None:
    """Run a notebook cell's source (magics transformed) in ``namespace``; exceptions propagate."""
    code = compile(python_source(src), "<cell>", "exec")
    exec(code, namespace)  # noqa: S102 - running notebook cells is the point


#: What grading reports for an exercise.
STATUSES = ("pass", "not done", "wrong", "error", "timeout", "killed", "missing")


def run_check(check_src: str, namespace: dict):
    """Run a check cell's check statement(s); return ``(status, message)`` with status pass/not done/wrong.

    The verdict comes from the return value of :func:`gan_lib.coursework.exercises.check`
    and the line it printed; an exception (a crash in the student's code that
    the check does not turn into feedback) propagates to the caller.
    """
    import contextlib
    import io

    buf = io.StringIO()
    tree = ast.parse(check_src)
    result = None
    with contextlib.redirect_stdout(buf):
        for stmt in tree.body:
            if isinstance(stmt, ast.Expr):
                result = eval(compile(ast.Expression(stmt.value), "<check>", "eval"), namespace)  # noqa: S307
            else:
                exec(compile(ast.Module([stmt], []), "<check>", "exec"), namespace)  # noqa: S102
    text = buf.getvalue().strip()
    verdicts = [ln for ln in text.splitlines() if re.match(r"\[[ vx]\] Exercise ", ln)]
    last = "\n".join(text.splitlines()[text.splitlines().index(verdicts[-1]):]) if verdicts else text
    if result is True and verdicts and "] Exercise" in verdicts[-1] and verdicts[-1].endswith(": pass"):
        return "pass", ""
    if result is False and verdicts and verdicts[-1].startswith("[ ]") and "not done yet" in verdicts[-1]:
        return "not done", ""
    if result is False and verdicts and verdicts[-1].startswith("[x]"):
        return "wrong", re.sub(r"^\[x\] Exercise [\d.]+: not yet right\.\s*", "", last)
    return "error", f"the check printed no verdict (returned {result!r}): {text[-300:]!r}"
