#!/usr/bin/env python
"""Write the lessons as Otter-Grader assignments (`make assignments FORMAT=otter`).

For each lesson notebooks/NN_name.ipynb this writes

    OUT/NN_name/NN_name.ipynb            the Otter-Assign source notebook (gan_lib.coursework.otter_assign)
    OUT/NN_name/dist/student/            what `otter assign` gives students (tests inside the notebook)
    OUT/NN_name/dist/autograder/         the solution notebook and NN_name-autograder_*.zip

Grade a submission without Docker:  otter run -a OUT/NN_name/dist/autograder/*.zip submission.ipynb
(or upload the zip to Gradescope). Otter is an instructor's tool: `make venv INSTRUCTOR=1` installs
the versions pinned in requirements-instructor.txt. docs/instructors.md, "Grading with Otter-Grader".

    python scripts/make_assignments.py [--format otter] [--out assignments/otter] [--lessons 01 04] [--source-only]
"""

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gan_lib.coursework import assignments, otter_assign  # noqa: E402

FORMATS = ("otter",)
NO_OTTER = ("otter-grader is not installed in this environment. It is an instructor's tool: run "
            "`make venv INSTRUCTOR=1` (installs requirements-instructor.txt), or give --source-only to write "
            "only the Otter-Assign source notebooks.")


def otter_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("otter") is not None


def lesson_paths(lessons) -> list:
    paths = sorted((ROOT / assignments.INSTRUCTOR_DIR).glob("[0-9][0-9]_*.ipynb"))
    if lessons:
        wanted = {f"{int(x):02d}" for x in lessons}
        known = {p.name[:2] for p in paths}
        unknown = sorted(wanted - known)
        if unknown:
            raise SystemExit(f"error: no lesson {', '.join(unknown)} in notebooks/ "
                             f"(there are {', '.join(sorted(known))}).")
        paths = [p for p in paths if p.name[:2] in wanted]
    return paths


def build(path: Path, out: Path, run_otter: bool = True) -> Path:
    """Write one lesson's source notebook under ``out`` and, with ``run_otter``, run `otter assign` on it."""
    rel = path.relative_to(ROOT).as_posix()
    folder = out / path.stem
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / path.name
    nbformat.write(otter_assign.source_notebook(nbformat.read(path, as_version=4), rel), source)
    if run_otter:
        dist = folder / "dist"
        shutil.rmtree(dist, ignore_errors=True)
        r = subprocess.run([sys.executable, "-m", "otter", "assign", "--no-run-tests", "--no-pdfs", source.name,
                            "dist"], cwd=folder, capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(f"error: otter assign failed on {source}:\n{r.stdout[-2000:]}{r.stderr[-2000:]}")
        zips = sorted((dist / "autograder").glob("*-autograder_*.zip"))
        print(f"wrote {source.relative_to(out.parent) if out.parent in source.parents else source} "
              f"and {dist}/ (autograder: {zips[-1].name if zips else 'none'})")
    else:
        print(f"wrote {source}")
    return folder


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--format", default="otter", help=f"assignment format: {', '.join(FORMATS)} (default otter)")
    p.add_argument("--out", default=None, help="output folder (default assignments/<format>)")
    p.add_argument("--lessons", nargs="*", default=None, help="lesson numbers (default: every lesson)")
    p.add_argument("--source-only", action="store_true", help="write the source notebooks; do not run otter assign")
    a = p.parse_args(argv)
    if a.format not in FORMATS:
        print(f"error: FORMAT={a.format} is not supported; the formats are: {', '.join(FORMATS)} "
              "(nbgrader is not: see docs/instructors.md).", file=sys.stderr)
        return 2
    if not a.source_only and not otter_available():
        print(f"error: {NO_OTTER}", file=sys.stderr)
        return 2
    out = Path(a.out) if a.out else ROOT / "assignments" / a.format
    for path in lesson_paths(a.lessons):
        build(path, out.resolve(), run_otter=not a.source_only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
