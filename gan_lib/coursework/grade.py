"""Grade a folder of submitted notebooks: one row per student, one column per exercise (``make grade``).

::

    python -m gan_lib.coursework.grade SUBMISSIONS [--out grades] [--timeout 1800] ...
    make grade SUBMISSIONS=path/to/folder

``SUBMISSIONS`` holds the students' notebooks, either one folder per student
(``alice/02_vanilla_gan_mnist.ipynb``) or files named after the student
(``alice.ipynb``, ``alice_02.ipynb``); a notebook's lesson comes from its file
name (``NN_...``) or else from its exercise headings. Each notebook is graded
in its own process, in a fresh temporary folder, with only the cells its
exercises need (see :func:`gan_lib.coursework.cells.grading_plan`), under limits on
wall time, CPU time, memory, file size and printed output. The verdict of each
exercise is one of

=========  ==============================================================
pass       the check passed
not done   the stub is still there
wrong      the check found a mistake (the message and hint are in the details)
error      the student's code crashed in a way the check could not explain
timeout    a cell or the whole notebook ran past its time limit
killed     a cell printed more than a quarter of the output limit, or the process
           was stopped: CPU, memory or output limit, or a crash
missing    the exercise's heading is not in the notebook
tampered   the submission tried to change its grade: its check cell was edited or
           deleted, a cell replaced the course's check functions, or its code
           printed a line imitating a verdict (the course's own check still ran:
           its verdict is in the details)
=========  ==============================================================

and the results go to ``OUT/grades.csv`` and ``OUT/grades.md`` (the table),
``OUT/details.csv`` (every verdict with its message and seconds),
``OUT/logs/`` (what each notebook printed, cut at the output limit), and the points,
feedback files, summary, written answers, rubric marking sheet (``OUT/rubric.csv``: fill it in
and grade again to add the marks) and gradebook exports of :mod:`gan_lib.coursework.reports`.

Isolation (docs/instructors.md, "What the grading sandbox isolates"): the
strongest available of ``bwrap`` (bubblewrap), ``unshare`` (unprivileged user,
mount, PID, network and IPC namespaces from util-linux, with a private root
that holds only the system's programs, Python, the virtual environment and
``gan_lib``) or none (limits only, with a loud warning). Submissions never see
the repository's ``notebooks/`` (the solutions), ``tests/``, ``.git`` or each
other. The sandboxes, the limits and the watched child process live in
:mod:`gan_lib.coursework.sandbox`; what runs inside is :mod:`gan_lib.coursework.grade_runner`.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import shutil
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from gan_lib.coursework import assignments, cells, reports, rubrics
from gan_lib.coursework.sandbox import (
    INSIDE_WORK,
    NO_SANDBOX_WARNING,
    ROOT,
    Limits,
    SandboxUnavailable,
    base_env,
    choose_sandbox,
    death,
    python_executable,
    run_limited,
    sandbox_command,
    system_paths,
)

MAX_NOTEBOOK_BYTES = 50 * 2**20


# =========================================================================== one submission


@dataclass
class Submission:
    """One submitted notebook: whose, where, which lesson, and its verdicts once graded."""

    student: str
    path: Path
    lesson: int | None = None
    results: dict = field(default_factory=dict)   # exercise -> {"status", "detail", "seconds"}
    seconds: float = 0.0
    written: dict = field(default_factory=dict)   # exercise -> the markdown the student wrote in it


def expected_exercises(reference: Path | None) -> dict:
    """{lesson: [(number, level), ...]} from the student versions (or any notebooks) in ``reference``."""
    import nbformat

    out = {}
    if reference is None or not reference.is_dir():
        return out
    for path in sorted(reference.glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for ex in assignments.find_exercises(nb, instructor=False):
            out.setdefault(ex.lesson, []).append((ex.number, ex.level))
    return out


def reference_checks(reference: Path | None) -> dict:
    """``{lesson: {exercise: check statement}}`` from the student versions in ``reference``: what grading runs."""
    import nbformat

    out = {}
    if reference is None or not reference.is_dir():
        return out
    for path in sorted(reference.glob("[0-9][0-9]_*.ipynb")):
        for number, check in cells.official_checks(nbformat.read(path, as_version=4)).items():
            out.setdefault(int(number.split(".")[0]), {})[number] = check
    return out


def _written(sub: Submission, reference: Path) -> dict:
    """The student's written answers (:func:`gan_lib.coursework.reports.written_answers`), or {} if unreadable."""
    import nbformat

    refs = sorted(reference.glob(f"{sub.lesson:02d}_*.ipynb")) if sub.lesson is not None else []
    if not refs or "*" in sub.results:
        return {}
    try:
        return reports.written_answers(nbformat.read(sub.path, as_version=4), nbformat.read(refs[0], as_version=4))
    except Exception:  # noqa: BLE001 - written answers are extra; grading already reported a broken notebook
        return {}


def find_submissions(folder: Path) -> list:
    """Every notebook under ``folder`` as a :class:`Submission` (student = first folder, or file stem)."""
    subs = []
    for path in sorted(folder.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        rel = path.relative_to(folder)
        student = rel.parts[0] if len(rel.parts) > 1 else re.sub(r"[_-]?\d\d(_.*)?$", "", path.stem) or path.stem
        m = re.search(r"(?:^|[_-])(\d\d)_", path.name)
        subs.append(Submission(student, path, int(m.group(1)) if m else None))
    return subs


def grade_one(sub: Submission, kind: str, limits: Limits, logs: Path | None = None,
              official: dict | None = None) -> Submission:
    """Grade one notebook in its own sandboxed process; fills ``sub.results`` (exercise -> verdict).

    ``official`` (:func:`reference_checks`) holds the course's check statements per lesson: a
    lesson found there is checked with them, whatever the submission's check cells say.
    """
    import nbformat

    t0 = time.perf_counter()
    try:
        if sub.path.stat().st_size > MAX_NOTEBOOK_BYTES:
            raise ValueError(f"the file is larger than {MAX_NOTEBOOK_BYTES // 2**20} MB")
        nb = nbformat.read(sub.path, as_version=4)
        lesson = sub.lesson
        if lesson is None:
            lessons = [int(it.number.split(".")[0]) for it in cells.grading_plan(nb)]
            lesson = max(set(lessons), key=lessons.count) if lessons else None
        plan_items = cells.grading_plan(nb, (official or {}).get(lesson))
    except Exception as e:  # noqa: BLE001 - an unreadable submission is a verdict, not a crash of the grader
        sub.results["*"] = {"status": "error", "detail": f"not a readable notebook: {type(e).__name__}: {e}",
                            "seconds": 0.0}
        return sub
    sub.lesson = lesson
    tmp = Path(tempfile.mkdtemp(prefix="gan-grade-"))
    work = tmp / "work"
    (work / "tmp").mkdir(parents=True)
    inside = Path(INSIDE_WORK) if kind != "none" else work
    try:
        nbformat.write(nb, work / "submission.ipynb")
        plan = {
            "notebook": str(inside / "submission.ipynb"),
            "results": str(inside / "results.jsonl"),
            "cell_timeout": limits.cell_timeout,
            "read_roots": system_paths()[0] + system_paths()[1] + ["/proc", "/sys", "/dev"],
            "write_roots": [str(inside), "/dev/null"] + (["/tmp"] if kind != "none" else []),
            "cell_output_kb": max(1, limits.max_output_kb // 4),
            "items": [{"number": it.number, "needs": it.needs, "cells": it.cells, "check_cell": it.check_cell,
                       "check": it.check, "note": it.note} for it in plan_items],
        }
        (work / "plan.json").write_text(json.dumps(plan, indent=1), encoding="utf-8")
        argv = [python_executable(), "-m", "gan_lib.coursework.grade_runner", str(inside / "plan.json")]
        cmd = sandbox_command(kind, tmp, work, argv)
        env = base_env(inside, limits.quick)
        rc, log, printed, stop_reason = run_limited(cmd, work, env, limits)
        cap = limits.max_output_kb * 1024
        if logs is not None:
            logs.mkdir(parents=True, exist_ok=True)
            (logs / f"{sub.student}__{sub.path.stem}.log").write_bytes(log + (
                f"\n[... output cut at {limits.max_output_kb} KB; {printed:,} bytes printed]\n".encode()
                if printed > cap else b""))
        results_file = work / "results.jsonl"
        if results_file.is_file() and results_file.stat().st_size < 10 * 2**20:
            for line in results_file.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    r = json.loads(line)
                    number = str(r["exercise"])
                except (ValueError, KeyError, TypeError):
                    continue
                if number in {it.number for it in plan_items} and number not in sub.results:
                    status = r.get("status") if r.get("status") in cells.STATUSES else "error"
                    sub.results[number] = {"status": status, "detail": str(r.get("detail", ""))[:2000],
                                           "seconds": float(r.get("seconds") or 0.0)}
        if stop_reason is None and rc != 0:
            stop_reason = ("killed" if (rc < 0 or rc > 128) else "error", death(rc))
        for it in plan_items:
            if it.number not in sub.results:
                status, detail = stop_reason or ("error", "the process ended before this exercise's check ran")
                sub.results[it.number] = {"status": status, "detail": detail, "seconds": 0.0}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    sub.seconds = time.perf_counter() - t0
    return sub


# =========================================================================== the table


def _columns(subs, expected):
    lessons = sorted({s.lesson for s in subs if s.lesson is not None})
    cols = []
    for lesson in lessons:
        cols += [n for n, _ in expected.get(lesson, [])]
    for s in subs:
        for n in s.results:
            if n != "*" and n not in cols:
                cols.append(n)
    return sorted(cols, key=lambda n: tuple(int(x) for x in n.split(".")))


def table(subs, expected) -> tuple:
    """(columns, {student: {exercise: status}}); exercises of a submitted lesson that are absent are 'missing'."""
    cols = _columns(subs, expected)
    rows = {}
    for s in subs:
        row = rows.setdefault(s.student, {})
        lesson_cols = [n for n, _ in expected.get(s.lesson, [])] or [n for n in s.results if n != "*"]
        for n in lesson_cols:
            if "*" in s.results:
                row[n] = s.results["*"]["status"]
            else:
                row[n] = s.results.get(n, {"status": "missing"})["status"]
    return cols, rows


def write_reports(subs, expected, out: Path, kind: str, limits: Limits, reasons, points=None, roster=None,
                  rubric_of=None, marks=None) -> tuple:
    """Write grades.csv, grades.md and details.csv under ``out``, and with ``points``
    (:func:`gan_lib.coursework.reports.reference_points`) the feedback, summary, answers, marking
    sheet and gradebook exports of :mod:`gan_lib.coursework.reports`; return their paths.

    ``rubric_of`` (:func:`gan_lib.coursework.rubrics.reference_rubrics`) and ``marks`` (the filled-in
    ``out/rubric.csv``, read from there by default) add the hand-marked points to the totals."""
    out.mkdir(parents=True, exist_ok=True)
    cols, rows = table(subs, expected)
    students = sorted(rows)
    pts = points or {}
    rubric_of = rubric_of or {}
    if marks is None:
        marks = rubrics.read_marks(out / "rubric.csv", rubric_of)
    csv_path, md_path, details_path = out / "grades.csv", out / "grades.md", out / "details.csv"
    with open(csv_path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student"] + cols + ["passed", "points"])
        for st in students:
            row = rows[st]
            earned = sum(pts.get(n, 0) for n, v in row.items() if v == "pass") + sum(
                rubrics.earned(marks, st, n, rubric_of.get(n)) for n in row)
            w.writerow([st] + [row.get(c, "") for c in cols] + [sum(v == "pass" for v in row.values()), f"{earned:g}"])
    with open(details_path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student", "notebook", "exercise", "status", "seconds", "detail"])
        for s in sorted(subs, key=lambda s: (s.student, s.path.name)):
            for n, r in sorted(s.results.items()):
                w.writerow([s.student, s.path.name, n, r["status"], r["seconds"], r["detail"]])
            for n in [c for c, _ in expected.get(s.lesson, []) if c not in s.results and "*" not in s.results]:
                w.writerow([s.student, s.path.name, n, "missing", 0, "no heading or check cell for it"])
    levels = {n: lv for ex in expected.values() for n, lv in ex}
    lines = ["# Grades", "",
             f"Graded {len(subs)} notebook(s) of {len(students)} student(s) on {time.strftime('%Y-%m-%d %H:%M')}; "
             f"sandbox: **{kind}**; limits: {limits.timeout:g} s per notebook, {limits.cell_timeout:g} s per cell, "
             f"{limits.memory_mb} MB memory, {limits.file_size_mb} MB per file, {limits.max_output_kb} KB output"
             + (", quick mode" if limits.quick else ", full mode") + ".", ""]
    if kind == "none":
        lines += ["**Warning: no sandbox was available** (" + "; ".join(reasons) + "). See docs/instructors.md.", ""]
    lines.append("| student | " + " | ".join(f"{c} ({levels[c]})" if c in levels else c for c in cols) + " | passed |")
    lines.append("|---|" + "---|" * len(cols) + "---|")
    for st in students:
        row = rows[st]
        lines.append(f"| {st} | " + " | ".join(row.get(c, "—") for c in cols)
                     + f" | {sum(v == 'pass' for v in row.values())}/{len(row)} |")
    lines += ["", "— : that lesson's notebook was not submitted.", "",
              "## Details (everything but pass and not done)", ""]
    for s in sorted(subs, key=lambda s: (s.student, s.path.name)):
        for n, r in sorted(s.results.items()):
            if r["status"] not in ("pass", "not done"):
                detail = r["detail"].replace("\n", " ").replace("|", "\\|")
                lines.append(f"* **{s.student}**, {s.path.name}, exercise {n}: **{r['status']}**. {detail}")
    md_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    extra = reports.write_instructor_reports(subs, cols, rows, pts, out, roster, rubric_of, marks) \
        if points is not None else []
    return (csv_path, md_path, details_path, *extra)


def grade_folder(folder, out, limits: Limits | None = None, sandbox: str = "auto", reference=None,
                 log=print, roster=None) -> tuple:
    """Grade every notebook under ``folder``; write the reports under ``out``. Returns (submissions, kind)."""
    folder, out = Path(folder), Path(out)
    limits = limits or Limits()
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder: pass the folder that holds the submitted notebooks.")
    kind, reasons = choose_sandbox(sandbox)
    if kind == "none":
        warnings.warn(NO_SANDBOX_WARNING + "\nWhy: " + "; ".join(reasons), RuntimeWarning, stacklevel=2)
    log(f"Sandbox: {kind}" + (f" (not available: {'; '.join(reasons)})" if reasons else ""))
    subs = find_submissions(folder)
    if not subs:
        raise FileNotFoundError(f"No .ipynb files under {folder}.")
    reference = Path(reference) if reference else ROOT / assignments.STUDENT_DIR
    expected = expected_exercises(reference)
    official = reference_checks(reference)
    roster = reports.read_roster(roster) if roster else None
    rubric_of = rubrics.reference_rubrics(reference)
    marks = rubrics.read_marks(out / "rubric.csv", rubric_of)  # the instructor's marks so far: checked before grading
    if marks:
        log(f"Read {sum(v is not None for v, _ in marks.values())} rubric mark(s) from {out / 'rubric.csv'}")
    for s in subs:
        grade_one(s, kind, limits, logs=out / "logs", official=official)
        s.written = _written(s, reference)
        verdicts = ", ".join(f"{n} {r['status']}" for n, r in sorted(s.results.items()))
        log(f"{s.student:>16} {s.path.name}: {verdicts}  ({s.seconds:.1f} s)")
    paths = write_reports(subs, expected, out, kind, limits, reasons, reports.reference_points(reference), roster,
                          rubric_of, marks)
    log("Wrote " + ", ".join(str(p) for p in paths))
    return subs, kind


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m gan_lib.coursework.grade", description=__doc__.split("\n")[0])
    p.add_argument("submissions", help="folder of submitted notebooks (one folder per student, or <student>.ipynb)")
    p.add_argument("--out", default="grades", help="where to write grades.csv, grades.md, details.csv, logs/")
    d = Limits()
    p.add_argument("--timeout", type=float, default=d.timeout, help="wall seconds per notebook (default %(default)s)")
    p.add_argument("--cell-timeout", type=float, default=d.cell_timeout, help="wall seconds per cell")
    p.add_argument("--memory-mb", type=int, default=d.memory_mb)
    p.add_argument("--file-size-mb", type=int, default=d.file_size_mb)
    p.add_argument("--max-output-kb", type=int, default=d.max_output_kb)
    p.add_argument("--quick", action="store_true", help="grade in quick mode (less training in open exercises)")
    p.add_argument("--sandbox", default="auto", choices=["auto", "bwrap", "unshare", "none"])
    p.add_argument("--require-sandbox", action="store_true", help="refuse to grade without a sandbox")
    p.add_argument("--reference", default=None, help="folder of the lessons' student versions (default: student/)")
    p.add_argument("--roster", default=None,
                   help="CSV with a 'student' column and any of name, id, sis_user_id, section, email "
                        "(names and IDs for canvas.csv and gradescope.csv)")
    a = p.parse_args(argv)
    bad = [f"--{k.replace('_', '-')} {v}" for k, v in vars(a).items()
           if k in ("timeout", "cell_timeout", "memory_mb", "file_size_mb", "max_output_kb") and not v > 0]
    out = Path(a.out)
    while not out.exists() and out != out.parent:
        out = out.parent
    if bad or not out.is_dir():
        problem = (f"{', '.join(bad)}: each limit must be a positive number" if bad else
                   f"--out {a.out}: {out} is a file, not a folder; choose another --out")
        print(f"error: {problem}.", file=sys.stderr)
        return 2
    limits = Limits(timeout=a.timeout, cell_timeout=a.cell_timeout, memory_mb=a.memory_mb,
                    file_size_mb=a.file_size_mb, max_output_kb=a.max_output_kb, quick=a.quick)
    if a.require_sandbox and a.sandbox in ("auto", "none"):
        kind, reasons = choose_sandbox("auto")
        if kind == "none":
            print("No sandbox is available here: " + "; ".join(reasons), file=sys.stderr)
            return 2
    try:
        grade_folder(a.submissions, a.out, limits, a.sandbox, a.reference, roster=a.roster)
    except (OSError, ValueError, SandboxUnavailable) as e:  # OSError: a missing folder or roster, a failed write
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
