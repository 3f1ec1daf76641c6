"""A notebook's code cells as grading sees them: what each defines and needs, which ones an exercise
needs, and running them.

* :func:`cell_names` reads a cell's source (IPython magics transformed) and says which
  module-level names it binds and which it reads before binding them;
* :func:`grading_plan` says, for each exercise of a submission, which cells grading must run:
  the exercise's own cells, its check call, and the earlier cells that define the names they
  use (transitively), nothing else; :mod:`gan_lib.coursework.grade` sends the plan to
  :mod:`gan_lib.coursework.grade_runner`;
* :func:`run_cell` / :func:`run_check` execute them (in the grading sandbox, or in-process in
  the tests), and :func:`run_check` turns the check's printed verdict line into a status.

The exercise markup itself (headings, solution blocks, check cells) is read by
:mod:`gan_lib.coursework.assignments`.
"""

from __future__ import annotations

import ast
import builtins
import re
import symtable
from dataclasses import dataclass

from gan_lib.coursework.assignments import CHECK_CALL, find_exercises, source

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
    check: str         # the check statement(s) grading runs: the course's own when it has them
    note: str = ""     # why the verdict is "tampered": the submission's check cell was edited or deleted


def official_checks(nb) -> dict:
    """``{exercise: check statement(s)}`` of a course notebook (a student version or the instructor's)."""
    return {ex.number: check_statements(source(nb.cells[ex.check]))
            for ex in find_exercises(nb, instructor=False) if ex.check is not None}


def grading_plan(nb, official: dict | None = None) -> list:
    """For each exercise of a submission (or any notebook), the cells grading must run: its own
    cells, the earlier cells that define the names they use (transitively), and its check call.
    An exercise whose check cell is gone is left out (grading reports it as missing).

    ``official`` (from :func:`official_checks` of the lesson's student version) is what the
    course checks: each exercise it lists is checked with the course's statement, not the one in
    the submission (a check cell edited to check nothing must not pass); an edited or deleted
    check cell is noted, and grading reports the exercise as "tampered". Exercises it does not
    list are not graded.
    """
    exercises = find_exercises(nb, instructor=False)
    if official is None:
        exercises = [ex for ex in exercises if ex.check is not None]
    else:
        exercises = [ex for ex in exercises if ex.number in official]
        for ex in exercises:
            if ex.check is None:  # the check cell is gone: check after the exercise's last cell
                ex.cells = [j for j in range(ex.heading + 1, ex.block_end) if nb.cells[j].cell_type == "code"]
                ex.check = ex.cells[-1] if ex.cells else ex.heading
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
        submitted = check_statements(source(nb.cells[ex.check])) if CHECK_CALL.search(
            source(nb.cells[ex.check])) else None
        own = [j for j in ex.cells if j != ex.check or submitted is None]
        check_src, note = submitted, ""
        if official is not None:
            if submitted is None:
                note = "the check cell was deleted; graded with the course's check"
            elif " ".join(submitted.split()) != " ".join(official[ex.number].split()):
                note = "the check cell was edited; graded with the course's check"
            check_src = official[ex.number]
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
        plan.append(PlanItem(ex.number, ex.level, sorted(needed), own, ex.check, check_src, note))
    return plan


# =========================================================================== running cells and checks


def new_namespace() -> dict:
    """A fresh notebook namespace: what a Jupyter kernel predefines that the lessons use."""
    from IPython.display import display

    return {"__name__": "__main__", "display": display, "get_ipython": lambda: None}


def run_cell(src: str, namespace: dict) -> None:
    """Run a notebook cell's source (magics transformed) in ``namespace``; exceptions propagate."""
    code = compile(python_source(src), "<cell>", "exec")
    exec(code, namespace)  # noqa: S102 - running notebook cells is the point


#: What grading reports for an exercise.
STATUSES = ("pass", "not done", "wrong", "error", "timeout", "killed", "missing", "tampered")


def run_check(check_src: str, namespace: dict):
    """Run a check cell's check statement(s); return ``(status, message)`` with status pass/not done/wrong
    (or tampered, if the student's code printed lines that imitate a verdict).

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
    if len(verdicts) > 1:  # exercises.check prints one; the others came from the student's code
        return "tampered", f"printed {len(verdicts) - 1} line(s) imitating a verdict: {verdicts[0][:100]!r}"
    last = "\n".join(text.splitlines()[text.splitlines().index(verdicts[-1]):]) if verdicts else text
    if result is True and verdicts and "] Exercise" in verdicts[-1] and verdicts[-1].endswith(": pass"):
        return "pass", ""
    if result is False and verdicts and verdicts[-1].startswith("[ ]") and "not done yet" in verdicts[-1]:
        return "not done", ""
    if result is False and verdicts and verdicts[-1].startswith("[x]"):
        return "wrong", re.sub(r"^\[x\] Exercise [\d.]+: not yet right\.\s*", "", last)
    return "error", f"the check printed no verdict (returned {result!r}): {text[-300:]!r}"
