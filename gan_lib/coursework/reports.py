"""What grading gives an instructor beyond the table: points, feedback per student, a summary per
exercise, the students' written answers, and gradebook exports (``make grade`` writes them all).

* **Points** come from the exercise headings: ``### Exercise 2.3 (open, 5 points)``, or by level
  when a heading gives none (:data:`gan_lib.coursework.assignments.DEFAULT_POINTS`: easy 1,
  medium 2, open 3). A ``pass`` earns the exercise's points; every other verdict earns 0.
* ``feedback/<student>.md``: per notebook, each exercise's verdict, points and the check's
  message with its hint: the file to send back to the student.
* ``summary.md``: per exercise, how many submissions passed and the most common failure.
* ``answers.md``: for each exercise, what each student wrote in markdown cells of their own
  inside it (the written answers of open exercises), to read and mark by hand.
* ``canvas.csv``: a Canvas gradebook import (``Student, ID, SIS User ID, Section``, then one
  column of points per lesson, blank where that lesson was not submitted, and a
  ``Points Possible`` row);
  ``gradescope.csv``: ``Name, SID, Email, Total Score``, then the points of each exercise.
  Names and IDs come from an optional roster CSV (columns ``student`` — the submission's
  folder or file name — and any of ``name, id, sis_user_id, section, email``).
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from gan_lib.coursework import assignments

ROSTER_COLUMNS = ("student", "name", "id", "sis_user_id", "section", "email")


def reference_points(reference: Path | None) -> dict:
    """``{exercise: points}`` from the student versions (or any course notebooks) in ``reference``."""
    import nbformat

    out = {}
    if reference is None or not Path(reference).is_dir():
        return out
    for path in sorted(Path(reference).glob("[0-9][0-9]_*.ipynb")):
        for ex in assignments.find_exercises(nbformat.read(path, as_version=4), instructor=False):
            out[ex.number] = ex.points
    return out


def written_answers(submission_nb, reference_nb) -> dict:
    """``{exercise: text}``: the markdown a student wrote inside each exercise's block (cells that
    are not in the reference's block of the same exercise)."""
    ref = {ex.number: ex for ex in assignments.find_exercises(reference_nb, instructor=False)}
    given = set()
    for ex in ref.values():
        given |= {assignments.source(reference_nb.cells[j]).strip()
                  for j in range(ex.heading, ex.block_end) if reference_nb.cells[j].cell_type == "markdown"}
    out = {}
    for ex in assignments.find_exercises(submission_nb, instructor=False):
        texts = [assignments.source(submission_nb.cells[j]).strip() for j in range(ex.heading + 1, ex.block_end)
                 if submission_nb.cells[j].cell_type == "markdown"]
        mine = [t for t in texts if t and t not in given]
        if mine:
            out[ex.number] = "\n\n".join(mine)
    return out


def read_roster(path) -> dict:
    """``{student: {name, id, sis_user_id, section, email}}`` from a CSV; a clear error if it is not one."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"--roster {path}: no such file. Give a CSV with a 'student' column "
                                f"(and any of {', '.join(ROSTER_COLUMNS[1:])}).")
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if not rows or "student" not in rows[0]:
        raise ValueError(f"--roster {path}: the first line must name the columns, one of them 'student' "
                         f"(the submission's folder or file name); found {list(rows[0]) if rows else 'nothing'}.")
    return {r["student"]: {k: (r.get(k) or "").strip() for k in ROSTER_COLUMNS[1:]} for r in rows}


def _earned(status: str, points: int) -> int:
    return points if status == "pass" else 0


def _lesson_of(number: str) -> int:
    return int(number.split(".")[0])


def write_instructor_reports(subs, cols, rows, points: dict, out: Path, roster: dict | None = None) -> list:
    """Write feedback/, summary.md, answers.md, canvas.csv and gradescope.csv; return their paths.

    ``cols, rows`` are :func:`gan_lib.coursework.grade.table`'s (exercise columns; student ->
    exercise -> verdict); ``points`` is :func:`reference_points`'s.
    """
    roster = roster or {}
    out = Path(out)
    students = sorted(rows)
    pts = {n: points.get(n, 0) for n in cols}
    paths = []

    # One feedback file per student.
    fb = out / "feedback"
    fb.mkdir(parents=True, exist_ok=True)
    for st in students:
        mine = sorted((s for s in subs if s.student == st), key=lambda s: s.path.name)
        got = sum(_earned(v, pts[n]) for n, v in rows[st].items())
        possible = sum(pts[n] for n in rows[st])
        lines = [f"# Feedback for {roster.get(st, {}).get('name') or st}", "",
                 f"Points: **{got} of {possible}**.", ""]
        for s in mine:
            lines += [f"## {s.path.name}", "", "| exercise | verdict | points |", "|---|---|---|"]
            numbers = [n for n in cols if n in rows[st] and _lesson_of(n) == s.lesson] or sorted(s.results)
            for n in numbers:
                status = rows[st].get(n, s.results.get(n, {}).get("status", "missing"))
                lines.append(f"| {n} | {status} | {_earned(status, pts.get(n, 0))} / {pts.get(n, 0)} |")
            lines.append("")
            for n in numbers:
                r = s.results.get(n) or s.results.get("*")
                if r and r["status"] != "pass" and r["detail"]:
                    lines += [f"**{n} ({r['status']}).** " + r["detail"].strip().replace("\n", "  \n"), ""]
            for n, text in sorted(getattr(s, "written", {}).items()):
                lines += [f"**Your written answer to {n}** (marked by your instructor):", "",
                          *("> " + ln for ln in text.splitlines()), ""]
        path = fb / f"{st}.md"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    paths.append(fb)

    # Per exercise: how many passed, and the most common way it failed.
    details = {}
    for s in subs:
        for n, r in s.results.items():
            details.setdefault(n, []).append(r)
    lines = ["# Summary per exercise", "", "| exercise | points | submitted | passed | most common failure |",
             "|---|---|---|---|---|"]
    for n in cols:
        verdicts = [rows[st][n] for st in students if n in rows[st]]
        failures = [v for v in verdicts if v != "pass"]
        common = ""
        if failures:
            status, count = Counter(failures).most_common(1)[0]
            msgs = Counter(r["detail"].splitlines()[0][:80] for r in details.get(n, [])
                           if r["status"] == status and r["detail"])
            common = f"{status} ({count})" + (f": {msgs.most_common(1)[0][0]}" if msgs else "")
        lines.append(f"| {n} | {pts[n]} | {len(verdicts)} | {verdicts.count('pass')} | "
                     + common.replace("|", "\\|") + " |")
    path = out / "summary.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    paths.append(path)

    # Written answers, grouped by exercise, to mark by hand.
    lines = ["# Written answers", "",
             "Markdown each student wrote inside an exercise (open exercises ask for it).", ""]
    for n in cols:
        answers = [(s.student, s.written[n]) for s in sorted(subs, key=lambda s: s.student)
                   if n in getattr(s, "written", {})]
        if answers:
            lines += [f"## Exercise {n}", ""]
            for st, text in answers:
                lines += [f"**{st}**", "", *("> " + ln for ln in text.splitlines()), ""]
    path = out / "answers.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    paths.append(path)

    # Canvas: one column per lesson.
    lessons = sorted({_lesson_of(n) for n in cols})
    path = out / "canvas.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Student", "ID", "SIS User ID", "Section"] + [f"Lesson {lesson:02d}" for lesson in lessons])
        w.writerow(["    Points Possible", "", "", ""]
                   + [sum(pts[n] for n in cols if _lesson_of(n) == lesson) for lesson in lessons])
        for st in students:
            who = roster.get(st, {})
            per_lesson = []
            for lesson in lessons:  # blank (not graded) where the lesson's notebook was not submitted
                mine = [(n, v) for n, v in rows[st].items() if _lesson_of(n) == lesson]
                per_lesson.append(sum(_earned(v, pts[n]) for n, v in mine) if mine else "")
            w.writerow([who.get("name") or st, who.get("id", ""), who.get("sis_user_id", ""), who.get("section", "")]
                       + per_lesson)
    paths.append(path)

    # Gradescope-style: total and one column per exercise.
    path = out / "gradescope.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Name", "SID", "Email", "Total Score"] + [f"{n} ({pts[n]} pts)" for n in cols])
        for st in students:
            who = roster.get(st, {})
            earned = [_earned(rows[st][n], pts[n]) if n in rows[st] else "" for n in cols]
            w.writerow([who.get("name") or st, who.get("sis_user_id") or who.get("id", ""), who.get("email", ""),
                        sum(e for e in earned if e != "")] + earned)
    paths.append(path)
    return paths
