"""What grading gives an instructor beyond the table: points, feedback per student, a summary per
exercise, the students' written answers, and gradebook exports (``make grade`` writes them all).

* **Points** come from the exercise headings: ``### Exercise 2.3 (open, 5 points)``, or by level
  when a heading gives none (:data:`gan_lib.coursework.assignments.DEFAULT_POINTS`: easy 1,
  medium 2, open 3). A ``pass`` earns the exercise's points; every other verdict earns 0.
* ``feedback/<student>.md``: per notebook, each exercise's verdict, points and the check's
  message with its hint: the file to send back to the student.
* ``summary.md``: per exercise, how many submissions passed and the most common failure.
* ``answers.md``: for each exercise, what each student wrote in markdown cells of their own
  inside it (the written answers of open exercises, typically in the exercise's answer cell), with
  the exercise's rubric, to read and mark by hand.
* ``rubric.csv``: the marking sheet of the rubrics of open exercises
  (:mod:`gan_lib.coursework.rubrics`): fill in the points, run ``make grade`` again, and the
  marks join the totals below and the feedback files. An exercise with a rubric is worth its
  heading's points (the check) plus the rubric's.
* ``canvas.csv``: a Canvas gradebook import (``Student, ID, SIS User ID, Section``, then one
  column of points per lesson, blank where that lesson was not submitted, and a
  ``Points Possible`` row);
  ``gradescope.csv``: ``Name, SID, Email, Total Score``, then the points of each exercise.
  Names and IDs come from an optional roster CSV (columns ``student`` — the submission's
  folder or file name — and any of ``name, id, sis_user_id, section, email``).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

from gan_lib.coursework import assignments, rubrics

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


#: The first line of an open exercise's answer cell (a markdown cell the lesson leaves for the
#: write-up); the line itself and the placeholder under it are not part of the answer.
ANSWER_CELL = re.compile(r"^\*\*Your (?:answer|report)\b")
ANSWER_PLACEHOLDER = re.compile(r"^_?\(?(?:Replace this|Write your answer)[^\n]*$", re.I | re.M)


def is_answer_cell(text: str) -> bool:
    """Whether a markdown cell is an exercise's answer cell (``**Your answer (1.4).**``, ``**Your report** ...``)."""
    return bool(ANSWER_CELL.match(text))


def _answer_text(text: str) -> str:
    """A student's markdown without the answer cell's own first line and placeholder."""
    if is_answer_cell(text):
        text = text.split("\n", 1)[1] if "\n" in text else ""
    return ANSWER_PLACEHOLDER.sub("", text).strip()


def written_answers(submission_nb, reference_nb) -> dict:
    """``{exercise: text}``: the markdown a student wrote inside each exercise's block: cells that
    are not in the reference's block of the same exercise, and the exercise's answer cell
    (first line ``**Your answer``) once its placeholder is replaced."""
    ref = {ex.number: ex for ex in assignments.find_exercises(reference_nb, instructor=False)}
    given = set()
    for ex in ref.values():
        given |= {assignments.source(reference_nb.cells[j]).strip()
                  for j in range(ex.heading, ex.block_end) if reference_nb.cells[j].cell_type == "markdown"}
    out = {}
    for ex in assignments.find_exercises(submission_nb, instructor=False):
        texts = [assignments.source(submission_nb.cells[j]).strip() for j in range(ex.heading + 1, ex.block_end)
                 if submission_nb.cells[j].cell_type == "markdown"]
        mine = [_answer_text(t) for t in texts if t and t not in given]
        mine = [t for t in mine if t]
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


def _earned(status: str, points: float) -> float:
    return points if status == "pass" else 0


def _fmt(x: float) -> str:
    return f"{x:g}"


def _lesson_of(number: str) -> int:
    return int(number.split(".")[0])


def write_instructor_reports(subs, cols, rows, points: dict, out: Path, roster: dict | None = None,
                             rubric_of: dict | None = None, marks: dict | None = None) -> list:
    """Write feedback/, summary.md, answers.md, rubric.csv, canvas.csv and gradescope.csv; return their paths.

    ``cols, rows`` are :func:`gan_lib.coursework.grade.table`'s (exercise columns; student ->
    exercise -> verdict); ``points`` is :func:`reference_points`'s; ``rubric_of`` is
    :func:`gan_lib.coursework.rubrics.reference_rubrics`'s and ``marks`` the instructor's marks so far
    (:func:`gan_lib.coursework.rubrics.read_marks`; by default read from ``out/rubric.csv``).
    """
    roster = roster or {}
    rubric_of = rubric_of or {}
    out = Path(out)
    if marks is None:
        marks = rubrics.read_marks(out / "rubric.csv", rubric_of)
    students = sorted(rows)
    auto = {n: points.get(n, 0) for n in cols}
    pts = {n: auto[n] + (rubric_of[n].total if n in rubric_of else 0) for n in cols}

    def got(st, n):  # the check's points plus the hand-marked ones
        return _earned(rows[st][n], auto[n]) + rubrics.earned(marks, st, n, rubric_of.get(n))

    paths = []

    # One feedback file per student.
    fb = out / "feedback"
    fb.mkdir(parents=True, exist_ok=True)
    for st in students:
        mine = sorted((s for s in subs if s.student == st), key=lambda s: s.path.name)
        total = sum(got(st, n) for n in rows[st])
        possible = sum(pts[n] for n in rows[st])
        lines = [f"# Feedback for {roster.get(st, {}).get('name') or st}", "",
                 f"Points: **{_fmt(total)} of {_fmt(possible)}**.", ""]
        for s in mine:
            lines += [f"## {s.path.name}", "", "| exercise | verdict | points |", "|---|---|---|"]
            numbers = [n for n in cols if n in rows[st] and _lesson_of(n) == s.lesson] or sorted(s.results)
            for n in numbers:
                status = rows[st].get(n, s.results.get(n, {}).get("status", "missing"))
                earned = _earned(status, auto.get(n, 0))
                line = f"| {n} | {status} | {_fmt(earned)} / {_fmt(auto.get(n, 0))} |"
                if n in rubric_of:
                    line = (f"| {n} | {status}, write-up | {_fmt(earned + rubrics.earned(marks, st, n, rubric_of[n]))}"
                            f" / {_fmt(pts[n])} |")
                lines.append(line)
            lines.append("")
            for n in numbers:
                r = s.results.get(n) or s.results.get("*")
                if r and r["status"] != "pass" and r["detail"]:
                    lines += [f"**{n} ({r['status']}).** " + r["detail"].strip().replace("\n", "  \n"), ""]
            for n in numbers:
                if n in rubric_of:
                    lines += [f"**{n}, the write-up** (rubric, marked by your instructor):", "",
                              "| criterion | points | comment |", "|---|---|---|"]
                    for k, c in enumerate(rubric_of[n].criteria, 1):
                        value, comment = marks.get((st, n, str(k)), (None, ""))
                        given = "not marked yet" if value is None else _fmt(value)
                        lines.append(f"| {k}. {c.text} | {given} / {_fmt(c.points)} | {comment} |".replace("\n", " "))
                    lines.append("")
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
        shown = _fmt(pts[n]) if n not in rubric_of else f"{_fmt(auto[n])} + {_fmt(rubric_of[n].total)} (rubric)"
        lines.append(f"| {n} | {shown} | {len(verdicts)} | {verdicts.count('pass')} | "
                     + common.replace("|", "\\|") + " |")
    path = out / "summary.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    paths.append(path)

    # Written answers, grouped by exercise, to mark by hand (with the rubric to mark them by).
    lines = ["# Written answers", "",
             "Markdown each student wrote inside an exercise (open exercises ask for it). Mark the rubrics "
             "in rubric.csv and run `make grade` again.", ""]
    for n in cols:
        answers = [(s.student, s.written[n]) for s in sorted(subs, key=lambda s: s.student)
                   if n in getattr(s, "written", {})]
        if answers or n in rubric_of:
            lines += [f"## Exercise {n}", ""]
            if n in rubric_of:
                lines += [f"Rubric ({_fmt(rubric_of[n].total)} points):", "", rubric_of[n].markdown(), ""]
            for st, text in answers:
                lines += [f"**{st}**", "", *("> " + ln for ln in text.splitlines()), ""]
            if not answers:
                lines += ["_No written answer submitted._", ""]
    path = out / "answers.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    paths.append(path)

    # The marking sheet (kept filled in across runs).
    if rubric_of:
        path = out / "rubric.csv"
        rubrics.write_sheet(path, rubric_of, {st: {n: v for n, v in rows[st].items() if n in rubric_of}
                                              for st in students}, marks)
        paths.append(path)

    # Canvas: one column per lesson.
    lessons = sorted({_lesson_of(n) for n in cols})
    path = out / "canvas.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Student", "ID", "SIS User ID", "Section"] + [f"Lesson {lesson:02d}" for lesson in lessons])
        w.writerow(["    Points Possible", "", "", ""]
                   + [_fmt(sum(pts[n] for n in cols if _lesson_of(n) == lesson)) for lesson in lessons])
        for st in students:
            who = roster.get(st, {})
            per_lesson = []
            for lesson in lessons:  # blank (not graded) where the lesson's notebook was not submitted
                mine = [n for n in rows[st] if _lesson_of(n) == lesson]
                per_lesson.append(_fmt(sum(got(st, n) for n in mine)) if mine else "")
            w.writerow([who.get("name") or st, who.get("id", ""), who.get("sis_user_id", ""), who.get("section", "")]
                       + per_lesson)
    paths.append(path)

    # Gradescope-style: total and one column per exercise.
    path = out / "gradescope.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Name", "SID", "Email", "Total Score"] + [f"{n} ({_fmt(pts[n])} pts)" for n in cols])
        for st in students:
            who = roster.get(st, {})
            earned = [got(st, n) if n in rows[st] else "" for n in cols]
            w.writerow([who.get("name") or st, who.get("sis_user_id") or who.get("id", ""), who.get("email", ""),
                        _fmt(sum(e for e in earned if e != ""))] + [e if e == "" else _fmt(e) for e in earned])
    paths.append(path)
    return paths
