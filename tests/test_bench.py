"""``make bench``'s time-to-quality arithmetic and verdicts, on made-up curves (no training, no timing)."""

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import bench  # noqa: E402


def curve(fds, seconds=10.0):
    return [{"epoch": i + 1, "seconds": seconds, "fd": fd, "classifier_score": 7.0 if fd < 30 else 3.0,
             "min_class_share": 0.05} for i, fd in enumerate(fds)]


def write(tmp_path, monkeypatch, ref_fds, course_fds):
    ref = {"machine": "test machine", "steps_per_epoch": 32, "xla": True, "epochs": curve(ref_fds, 60.0)}
    cur = {"machine": "test machine", "steps_per_epoch": 500, "epochs": curve(course_fds, 12.0)}
    (tmp_path / "ref.json").write_text(json.dumps(ref))
    (tmp_path / "cur.json").write_text(json.dumps(cur))
    monkeypatch.setattr(bench, "REFERENCE", tmp_path / "ref.json")
    monkeypatch.setattr(bench, "COURSE_CURVE", tmp_path / "cur.json")
    monkeypatch.setattr(bench, "ROOT", tmp_path)


def run(course_s_per_step, tutorial_s_per_step):
    lines = []
    results = bench.time_to_quality(course_s_per_step, tutorial_s_per_step, lines.append)
    return "\n".join(lines), results


def test_times_are_epochs_times_steps_times_live_seconds(tmp_path, monkeypatch):
    # The tutorial reaches its best (20) at epoch 150; the course gets below 20 at epoch 3.
    write(tmp_path, monkeypatch, [300.0] * 149 + [20.0], [80.0, 40.0, 19.0, 25.0])
    text, results = run(0.02, 2.0)
    best = next(k for k in results if "tutorial's best" in k)
    assert results[best]["tutorial_s"] == pytest.approx(150 * 8000 / 256 * 2.0)  # 9,375 s: 31.25 batches of 256
    assert results[best]["course_s"] == pytest.approx(3 * 500 * 0.02)    # 30 s
    passbar = next(k for k in results if k.startswith("pass bar"))
    assert results[passbar]["course_s"] == pytest.approx(3 * 500 * 0.02)  # FD 19 with score 7: passes
    assert "-> met" in text and "150 of 150 epochs" in text


def test_a_course_slower_than_a_tenth_is_not_met(tmp_path, monkeypatch):
    write(tmp_path, monkeypatch, [300.0] * 149 + [20.0], [80.0, 40.0, 19.0])
    text, _ = run(2.0, 2.0)  # 3 epochs x 500 steps x 2 s = 3,000 s > 9,375 s / 10
    assert "-> NOT met" in text


def test_a_course_that_never_gets_there_is_not_met(tmp_path, monkeypatch):
    write(tmp_path, monkeypatch, [300.0] * 149 + [10.0], [80.0, 40.0, 19.0])
    text, _ = run(0.02, 2.0)
    assert "never reaches FD 10.0" in text and "NOT met" in text


def test_a_partial_reference_is_reported_as_not_judged(tmp_path, monkeypatch):
    write(tmp_path, monkeypatch, [350.0, 300.0, 320.0], [80.0, 40.0])
    text, _ = run(0.02, 2.0)
    assert "3 of 150 epochs recorded" in text
    assert "NOT JUDGED YET" in text and "-> met" not in text


def test_missing_curves_say_how_to_make_them(tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "REFERENCE", tmp_path / "nope.json")
    monkeypatch.setattr(bench, "COURSE_CURVE", tmp_path / "nope2.json")
    monkeypatch.setattr(bench, "ROOT", tmp_path)
    text, results = run(0.02, 2.0)
    assert results == {} and "make bench FULL=1" in text


@pytest.mark.parametrize("args, message", [
    (["--budget", "0"], "--budget 0.0: give a positive number"),
    (["--batches", "16", "0"], "--batches 0"),
    (["--models", "gan9000"], "--models gan9000: unknown; valid models:"),
    (["--out", "."], "is a folder"),
    (["--budget", "soon"], "invalid float value: 'soon'"),
])
def test_bad_arguments_end_in_one_line_before_any_measuring(capsys, args, message):
    with pytest.raises(SystemExit) as e:
        bench.main(args)
    err = capsys.readouterr()
    assert e.value.code == 2
    assert err.out == ""  # refused before the report started
    assert len(err.err.strip().splitlines()) == 1 and err.err.startswith("error: ") and message in err.err


def test_out_under_a_file_is_refused(capsys, tmp_path):
    (tmp_path / "a_file").write_text("x")
    with pytest.raises(SystemExit):
        bench.main(["--out", str(tmp_path / "a_file" / "report.txt")])
    assert "cannot write there" in capsys.readouterr().err


def write_old_and_new(tmp_path, monkeypatch, old_rows, new_rows):
    old = {"machine": "test machine", "recipe": "dcgan: {}", "steps_per_epoch": 500, "epochs": old_rows}
    new = {"machine": "test machine", "recipe": "wide: {}", "settings": {"model": "dcgan_wide", "batch_size": 64},
           "steps_per_epoch": 125, "epochs": new_rows}
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps(new))
    monkeypatch.setattr(bench, "COURSE_CURVE", tmp_path / "old.json")
    monkeypatch.setattr(bench, "NEW_CURVE", tmp_path / "new.json")
    monkeypatch.setattr(bench, "ROOT", tmp_path)


def test_side_by_side_prices_each_recipe_with_its_own_step_time(tmp_path, monkeypatch):
    old = curve([60.0, 25.0, 20.0])  # passes the lessons' bar (FD <= 30, score 7), never the clean one
    new = curve([50.0, 12.0, 8.0, 7.0])
    new[2]["classifier_score"] = 7.4   # FD 8 but score below 7.5: not clean yet
    new[3]["classifier_score"] = 7.8   # clean at epoch 4
    for r in new:
        r["min_class_share"] = 0.06
    new[3]["near_copy_share"] = 0.004
    write_old_and_new(tmp_path, monkeypatch, old, new)
    lines = []
    results = bench.side_by_side(0.02, 0.25, lines.append)
    text = "\n".join(lines)
    passbar = next(k for k in results if k.startswith("pass bar"))
    cleanbar = next(k for k in results if k.startswith("clean bar"))
    assert results[passbar]["old"] == pytest.approx(2 * 500 * 0.02)  # epoch 2: 20 s
    assert results[passbar]["new"] == pytest.approx(2 * 125 * 0.25)  # epoch 2: FD 12, score 7
    assert results[cleanbar] == {"old": None, "new": pytest.approx(4 * 125 * 0.25)}
    assert "not in 3 ep" in text and "(ep 4)" in text
    assert "dcgan_wide, batch 64" in text and "0.004 at epoch 4" in text
    assert bench.new_recipe() == ("dcgan_wide", 64)


def test_side_by_side_says_how_to_make_missing_curves(tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "COURSE_CURVE", tmp_path / "nope.json")
    monkeypatch.setattr(bench, "NEW_CURVE", tmp_path / "nope2.json")
    monkeypatch.setattr(bench, "ROOT", tmp_path)
    lines = []
    assert bench.side_by_side(0.02, 0.25, lines.append) == {}
    assert "make bench FULL=1" in lines[0]
