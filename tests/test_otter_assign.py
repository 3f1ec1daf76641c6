"""The lessons as Otter-Grader assignments (gan_lib.coursework.otter_assign, `make assignments FORMAT=otter`).

The structure of every lesson's Otter-Assign source is checked without Otter. The round trip
needs otter-grader (requirements-instructor.txt; CI installs it with `make venv INSTRUCTOR=1`):
lesson 01 goes through `scripts/make_assignments.py` and `otter assign`, then `otter run` grades
the reference solution (full marks, 8 of 8) and a student's wrong submission (2 of 8: exercise
1.2 right, 1.1 and 1.3 wrong, 1.4 not done). Both graded notebooks hold only the cells their
exercises need (gan_lib.coursework.cells.grading_plan), so the test does not re-run the whole
lesson (nbval does that); the two `otter run`s run side by side.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from made_up_lesson import NAME, instructor_notebook
from nbformat.v4 import new_markdown_cell

from gan_lib.coursework import assignments, cells, otter_assign

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _otter():
    try:
        import otter  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("otter-grader is missing in CI: .ci/run must run `make venv INSTRUCTOR=1`.")
        pytest.skip("otter-grader is not installed (an instructor's tool): `make venv INSTRUCTOR=1` installs it")


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem[:2] for p in LESSONS])
def test_every_lesson_becomes_an_otter_source_with_one_question_per_exercise(path):
    nb = nbformat.read(path, as_version=4)
    src = otter_assign.source_notebook(nb, path.relative_to(ROOT).as_posix())
    raw = [assignments.source(c) for c in src.cells if c.cell_type == "raw"]
    assert raw[0].startswith("# ASSIGNMENT CONFIG\nname: " + path.stem)
    exercises = assignments.find_exercises(nb)
    questions = [r for r in raw if r.startswith("# BEGIN QUESTION") and "manual: true" not in r]
    assert questions == [f"# BEGIN QUESTION\nname: {otter_assign.question_name(ex.number)}\npoints: {ex.points}"
                         for ex in exercises]
    lines = [ln.strip() for c in src.cells for ln in assignments.source(c).split("\n")]
    assert not [ln for ln in lines if ln.startswith(("### BEGIN SOLUTION", "### STUB:", "<!-- BEGIN SOLUTION -->"))]
    tests = [c for i, c in enumerate(src.cells) if i and assignments.source(src.cells[i - 1]) == "# BEGIN TESTS"]
    official = cells.official_checks(nb)
    assert [assignments.source(c) for c in tests] == [official[ex.number].rstrip(";") for ex in exercises]
    assert all(c.outputs[0]["text"] == f"[v] Exercise {ex.number}: pass\n" for c, ex in zip(tests, exercises))


def test_the_prompt_is_the_student_version_and_a_rubric_becomes_a_manual_question():
    nb = instructor_notebook()
    nb.cells[10].source += "\n\n**Rubric**\n- (2 points) says why\n- 1 point: names max"
    nb.cells.insert(13, new_markdown_cell("**Your answer (98.3).**\n\n_Replace this line with your write-up._"))
    src = otter_assign.source_notebook(nb, NAME)
    texts = [(c.cell_type, assignments.source(c)) for c in src.cells]
    i = texts.index(("raw", "# BEGIN QUESTION\nname: exercise_98_1\npoints: 1"))
    assert texts[i + 2:i + 5] == [("raw", "# BEGIN PROMPT"),
                                  ("code", "# TODO (exercise 98.1): replace `None` with your answer, then run the "
                                           "check cell below.\nanswer_98_1 = None\nprint(answer_98_1)"),
                                  ("raw", "# END PROMPT")]
    assert texts[i + 6] == ("code", "# BEGIN SOLUTION NO PROMPT\nanswer_98_1 = 6 * 7\nprint(answer_98_1)\n"
                                    "# END SOLUTION")
    j = texts.index(("raw", "# BEGIN QUESTION\nname: exercise_98_3_writeup\nmanual: true\npoints: 3"))
    assert "1. (2 points) says why\n2. 1 point: names max" in texts[j + 1][1]
    assert not [t for t in texts if t[1].startswith("**Your answer")]  # Otter's answer cell replaces the lesson's
    assert "The solution uses sum()" not in nbformat.writes(src)


def test_a_check_cell_otter_cannot_use_is_refused_with_its_exercise():
    nb = instructor_notebook()
    nb.cells[6].source = "ok = exercises.check('98.1', lambda: None)\nok2 = exercises.check('98.1', lambda: None)"
    with pytest.raises(assignments.MarkupError, match="exercise 98.1's check cell should call exercises.check"):
        otter_assign.source_notebook(nb, NAME)


def test_make_assignments_refuses_an_unknown_format_or_lesson(capsys):
    sys.path.insert(0, str(ROOT / "scripts"))
    import make_assignments

    assert make_assignments.main(["--format", "nbgrader", "--source-only"]) == 2
    assert "FORMAT=nbgrader is not supported" in capsys.readouterr().err
    with pytest.raises(SystemExit, match="no lesson 42 in notebooks/"):
        make_assignments.main(["--lessons", "42", "--source-only"])


def _needed_cells_only(nb):
    """``nb`` without the code cells no exercise needs (the lesson's demonstrations)."""
    keep = set()
    for item in cells.grading_plan(nb):
        keep |= {*item.needs, *item.cells, item.check_cell}
    keep.add(0)  # Otter's init cell
    nb.cells = [c for i, c in enumerate(nb.cells) if c.cell_type != "code" or i in keep]
    return nb


def _answer(nb, number, code):
    marker = f"# TODO (exercise {number})"
    hits = [c for c in nb.cells if c.cell_type == "code" and marker in assignments.source(c)]
    assert len(hits) == 1, f"no single answer cell for {number}"
    hits[0].source = code


def test_lesson_01_round_trip_through_otter_assign_and_otter_run(tmp_path):
    _otter()
    out = tmp_path / "otter"
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_assignments.py"), "--lessons", "01",
                        "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    dist = out / "01_the_gan_game" / "dist"
    zips = sorted((dist / "autograder").glob("01_the_gan_game-autograder_*.zip"))
    assert len(zips) == 1
    reference = _needed_cells_only(nbformat.read(dist / "autograder" / "01_the_gan_game.ipynb", as_version=4))
    wrong = nbformat.read(dist / "student" / "01_the_gan_game.ipynb", as_version=4)
    solutions = assignments.find_exercises(nbformat.read(ROOT / "notebooks" / "01_the_gan_game.ipynb", as_version=4))
    student_text = nbformat.writes(wrong)
    for line in ("answer_1_1 = float(theory.optimal_discriminator", "keras.ops.softplus(-logits)",
                 "m = 0.5 * (p + q)", "answer_1_4 = mix_gan"):  # a line of each solution
        assert line not in student_text, f"otter's student notebook gives away {line!r}"
    assert len(solutions) == 4
    # A student's mistakes: D* with p_data and p_g swapped; the saturating loss; 1.4 not attempted.
    _answer(wrong, "1.1", "answer_1_1 = float(theory.optimal_discriminator(theory.gaussian(2.0, 1.0).pdf(4.0), "
                          "theory.TARGET.pdf(4.0)))")
    _answer(wrong, "1.2", "def js(p, q, x):\n    m = 0.5 * (p + q)\n"
                          "    return 0.5 * theory.kl_divergence(p, m, x) + 0.5 * theory.kl_divergence(q, m, x)")
    _answer(wrong, "1.3", "def ns_loss(logits):\n"
                          "    return keras.ops.mean(keras.ops.log(1 - keras.ops.sigmoid(logits)))")
    wrong = _needed_cells_only(wrong)
    env = {**os.environ, "GAN_COURSE_QUICK": "1", "MPLBACKEND": "Agg"}
    runs = {}
    for name, nb in (("reference", reference), ("wrong", wrong)):
        folder = tmp_path / name
        folder.mkdir()
        nbformat.write(nb, folder / "01_the_gan_game.ipynb")
        runs[name] = subprocess.Popen([sys.executable, "-m", "otter", "run", "--no-logo", "-a", str(zips[0]),
                                       "-o", str(folder), str(folder / "01_the_gan_game.ipynb")],
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    scores = {}
    for name, proc in runs.items():
        log, _ = proc.communicate(timeout=900)
        assert proc.returncode == 0, log[-3000:]
        results = json.loads((tmp_path / name / "results.json").read_text())
        scores[name] = {t["name"]: (t["score"], t["max_score"]) for t in results["tests"] if "exercise" in t["name"]}
    assert scores["reference"] == {"exercise_1_1": (1, 1), "exercise_1_2": (2, 2), "exercise_1_3": (2, 2),
                                   "exercise_1_4": (3, 3)}
    assert scores["wrong"] == {"exercise_1_1": (0, 1), "exercise_1_2": (2, 2), "exercise_1_3": (0, 2),
                               "exercise_1_4": (0, 3)}
