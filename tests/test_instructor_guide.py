"""docs/instructors.md: its syllabus is generated from the notebooks and must be up to date."""

import importlib.util
from pathlib import Path

import nbformat
from made_up_lesson import instructor_notebook
from nbformat.v4 import new_code_cell, new_output

ROOT = Path(__file__).resolve().parents[1]


def _make_syllabus():
    spec = importlib.util.spec_from_file_location("make_syllabus", ROOT / "scripts" / "make_syllabus.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_the_committed_guide_is_up_to_date():
    ms = _make_syllabus()
    text = ms.GUIDE.read_text(encoding="utf-8")
    assert ms.render(text) == text, "docs/instructors.md's syllabus is out of date: run `make student` and commit"


def test_every_lesson_and_exercise_is_in_the_syllabus():
    ms = _make_syllabus()
    table = ms.syllabus()
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        info = ms.lesson_info(path)
        assert info["title"] in table and f"../student/{path.name}" in table
        assert len(info["objectives"]) >= 3, f"{path.name}: the learning objectives were not found"
        assert info["exercises"], path.name
        for number, level, task in info["exercises"]:
            assert f"| {number} | {level} |" in table
            assert len(task) >= 20, (number, task)
        assert info["cpu"].endswith(" min"), f"{path.name}: no full-mode footer time found ({info['cpu']})"


def _lesson_info_of(tmp_path, nb):
    ms = _make_syllabus()
    (tmp_path / "notebooks").mkdir(exist_ok=True)
    path = tmp_path / "notebooks" / "98_made_up.ipynb"
    nbformat.write(nb, path)
    ms.ROOT = tmp_path
    return ms.lesson_info(path)


def test_run_times_come_from_the_stored_footer(tmp_path):
    nb = instructor_notebook()
    info = _lesson_info_of(tmp_path, nb)
    assert (info["cpu"], info["gpu"]) == ("not stored", "not measured")
    assert info["objectives"] == ["test the course's tools"]
    assert [(n, lv) for n, lv, _ in info["exercises"]] == [("98.1", "easy"), ("98.2", "medium"), ("98.3", "open")]
    header = new_code_cell("run = course.run_header(seed=0)")
    header.outputs = [new_output("stream", name="stdout", text="Mode: full\nMachine: x86_64, 0 GPU(s), CPU only\n")]
    footer = new_code_cell("run.footer()")
    footer.outputs = [new_output("stream", name="stdout", text="Notebook finished in 2.5 min (full mode, seed 0).\n")]
    nb.cells[2:2] = [header]
    nb.cells.append(footer)
    assert _lesson_info_of(tmp_path, nb)["cpu"] == "2.5 min"
    header.outputs[0]["text"] = "Mode: full\nMachine: x86_64, 1 GPU(s) (/physical_device:GPU:0)\n"
    info = _lesson_info_of(tmp_path, nb)
    assert (info["cpu"], info["gpu"]) == ("not measured", "2.5 min")
    footer.outputs[0]["text"] = "Notebook finished in 0.4 min (quick mode, seed 0).\n"
    assert _lesson_info_of(tmp_path, nb)["cpu"] == "not stored"  # a quick run's time is not a full-mode time
