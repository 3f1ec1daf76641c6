"""Run one submission's exercises and write one verdict per exercise (the child side of
:mod:`gan_lib.coursework.grade`).

``python -m gan_lib.coursework.grade_runner PLAN.json`` is started by the grader inside
its sandbox, in a temporary folder that holds only the submission and the
plan. It runs the cells the plan lists in notebook order (each exercise's own
cells and the earlier cells they need, never the whole notebook), each under
a time limit, runs each exercise's check call, and appends one JSON line per
exercise to the plan's results file as soon as it knows the verdict, so that
what was graded survives if the process is killed later.

Before any student code runs it installs an audit hook (PEP 578) that refuses
to open files outside the allowed folders for reading, anywhere but the work
folder for writing, and refuses to start programs. The hook is a second line
of defence behind the sandbox (and the only file guard when no sandbox is
available); code that goes around Python (ctypes) is not stopped by it.

The checks cannot be swapped from a cell either. The runner keeps the original
functions of the course's check modules (:data:`GUARDED`: ``exercises`` and, when a
check uses it, every module of ``checks``) and, before each check, puts back any
that a cell replaced and binds the names ``exercises`` and ``checks`` to the real
modules; the verdict then says what was replaced. (What it does not guard: the
libraries a check calls, NumPy or TensorFlow, which a determined cell could still
patch; the instructor reads the submission.)
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import traceback


class CellTimeout(BaseException):
    """A cell or check ran past the plan's per-cell time limit."""


class OutputLimit(BaseException):
    """A cell or check printed more than the plan's per-cell output limit."""


class CappedStream:
    """``sys.stdout`` / ``sys.stderr`` that raise :class:`OutputLimit` once a cell has printed ``cap`` bytes,
    so one exercise that floods the output stops alone instead of getting the whole notebook killed."""

    def __init__(self, stream, cap: int):
        self.stream, self.cap, self.used = stream, cap, 0

    def write(self, text):
        self.used += len(text.encode("utf-8", "replace")) if isinstance(text, str) else len(text)
        if self.used > self.cap:
            raise OutputLimit()
        return self.stream.write(text)

    def __getattr__(self, name):
        return getattr(self.stream, name)


_SPAWN_EVENTS = {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
                 "os.forkpty", "pty.spawn"}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def install_guard(read_roots, write_roots) -> None:
    """Refuse (PermissionError) file opens outside ``read_roots`` / writes outside ``write_roots``, and spawns."""
    read_roots = tuple(os.path.realpath(r) for r in read_roots)
    write_roots = tuple(os.path.realpath(r) for r in write_roots)

    def inside(path, roots):
        return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots)

    def hook(event, args):
        if event in _SPAWN_EVENTS:
            raise PermissionError(f"grading sandbox: starting programs is not allowed ({event})")
        if event != "open" or not args or isinstance(args[0], int) or args[0] is None:
            return
        path = os.path.realpath(os.path.abspath(os.fsdecode(args[0])))
        mode, flags = (args[1] if len(args) > 1 else None), (args[2] if len(args) > 2 else 0)
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or bool((flags or 0) & _WRITE_FLAGS)
        if writing and not inside(path, write_roots):
            raise PermissionError(f"grading sandbox: writing {path} is not allowed (only the work folder)")
        if not inside(path, read_roots + write_roots):
            raise PermissionError(f"grading sandbox: reading {path} is not allowed")

    sys.addaudithook(hook)


#: The course's check machinery, kept safe from cells: module name -> the short name notebooks use.
GUARDED = {"gan_lib.coursework.exercises": "exercises", "gan_lib.coursework.checks": "checks"}


def keep_originals(check_sources) -> dict:
    """``{module name: (module, copy of its namespace)}`` for the modules the checks use, taken
    before any submitted code runs. ``checks`` (which imports TensorFlow) only if a check names it."""
    import importlib
    import pkgutil

    names = ["gan_lib.coursework.exercises"]
    if any("checks." in src for src in check_sources):
        pkg = importlib.import_module("gan_lib.coursework.checks")
        names += [pkg.__name__] + [f"{pkg.__name__}.{m.name}" for m in pkgutil.iter_modules(pkg.__path__)]
    kept = {}
    for name in names:
        module = importlib.import_module(name)
        kept[name] = (module, dict(vars(module)))
    return kept


def put_back(kept: dict, namespace: dict) -> tuple:
    """Restore every kept module's original bindings and the names ``exercises`` and ``checks`` in
    ``namespace``; return (what a cell had replaced, the namespace to run the check in)."""
    replaced = []
    for name, (module, original) in kept.items():
        if sys.modules.get(name) is not module:
            replaced.append(name)
            sys.modules[name] = module
        current = vars(module)
        for key, value in original.items():
            if not key.startswith("__") and current.get(key, _MISSING) is not value:
                replaced.append(f"{name}.{key}")
                setattr(module, key, value)
    for name, short in GUARDED.items():
        if name in kept:
            if short in namespace and namespace[short] is not kept[name][0]:
                replaced.append(f"the name {short!r}")
            namespace[short] = kept[name][0]
    return replaced, namespace


_MISSING = object()


def _alarm(signum, frame):
    raise CellTimeout()


def _short(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= 300 else text[:297] + "..."


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    with open(argv[0], encoding="utf-8") as f:
        plan = json.load(f)
    import nbformat

    from gan_lib.coursework import assignments, cells

    nb = nbformat.read(plan["notebook"], as_version=4)
    results = open(plan["results"], "a", encoding="utf-8")  # opened before the guard: the runner's channel

    def report(number, status, detail="", seconds=0.0):
        results.write(json.dumps({"exercise": number, "status": status, "detail": detail,
                                  "seconds": round(seconds, 1)}) + "\n")
        results.flush()

    # Import what the cells of every lesson import, before the guard (the guard still allows reading them).
    namespace = cells.new_namespace()
    kept = keep_originals([it["check"] for it in plan["items"]])
    cap_kb = plan.get("cell_output_kb", 64)
    sys.stdout = out = CappedStream(sys.stdout, cap_kb * 1024)
    sys.stderr = err = CappedStream(sys.stderr, cap_kb * 1024)
    signal.signal(signal.SIGALRM, _alarm)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too-big file is an OSError in the cell, not a dead process
    install_guard(plan["read_roots"], plan["write_roots"])

    items = plan["items"]
    users = {}  # cell -> exercises that need it
    for it in items:
        for j in it["needs"] + it["cells"]:
            users.setdefault(j, []).append(it["number"])
    timed_out, flooded, cell_errors = {}, {}, {}
    started = {it["number"]: None for it in items}
    checks_at = {}
    for it in items:
        checks_at.setdefault(it["check_cell"], []).append(it)
    limit = plan["cell_timeout"]
    for j in sorted(set(users) | set(checks_at)):
        if j in users:
            for number in users[j]:
                started[number] = started[number] or time.perf_counter()
            if all(n in timed_out or n in flooded for n in users[j]):
                continue
            out.used = err.used = 0
            print(f"== cell {j} (for exercise {', '.join(users[j])})", flush=True)
            signal.setitimer(signal.ITIMER_REAL, limit)
            try:
                cells.run_cell(assignments.source(nb.cells[j]), namespace)
            except CellTimeout:
                for number in users[j]:
                    timed_out[number] = f"cell {j} ran longer than {limit:g} s"
            except OutputLimit:
                for number in users[j]:
                    flooded[number] = f"cell {j} printed more than {cap_kb} KB (the output limit per cell)"
            except BaseException as e:  # noqa: BLE001 - a student's cell may raise anything, SystemExit included
                traceback.print_exc(file=err.stream)
                if not isinstance(e, NotImplementedError):
                    for number in users[j]:
                        cell_errors.setdefault(number, []).append(f"cell {j}: {_short(e)}")
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        for it in checks_at.get(j, []):
            number = it["number"]
            t0 = started[number] or time.perf_counter()
            if number in timed_out:
                report(number, "timeout", timed_out[number], time.perf_counter() - t0)
                continue
            if number in flooded:
                report(number, "killed", flooded[number], time.perf_counter() - t0)
                continue
            out.used = err.used = 0
            print(f"== check of exercise {number}", flush=True)
            replaced, check_ns = put_back(kept, namespace)
            tampering = [it.get("note") or ""]
            if replaced:
                tampering.append("a cell replaced " + ", ".join(sorted(set(replaced)))
                                 + "; graded with the course's originals")
            signal.setitimer(signal.ITIMER_REAL, limit)
            try:
                status, detail = cells.run_check(it["check"], check_ns)
            except CellTimeout:
                status, detail = "timeout", f"the check ran longer than {limit:g} s"
            except OutputLimit:
                status, detail = "killed", f"the check printed more than {cap_kb} KB (the output limit per cell)"
            except BaseException as e:  # noqa: BLE001
                traceback.print_exc(file=err.stream)
                status, detail = "error", f"the check raised {_short(e)}"
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            if status in ("error", "wrong") and cell_errors.get(number):
                detail = (detail + "; " if detail else "") + "your cells raised: " + "; ".join(cell_errors[number])
            tampering = [x for x in tampering if x]
            if tampering:  # the verdict the course's own check gives is kept in the detail
                said = f"the course's check says: {status}" + (f": {detail}" if detail else "")
                detail = "; ".join([*tampering, said])
                status = "tampered"
            report(number, status, detail, time.perf_counter() - t0)
    results.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
