"""Lesson 10's machinery (gan_lib.lessons.little_data): the leak measures validated on known cases,
the table and comparisons on hand-made runs, a short run end to end, the command line."""

import keras
import numpy as np
import pytest

from gan_lib import data
from gan_lib.core import augment
from gan_lib.lessons import little_data as ld


@pytest.fixture(scope="module")
def heldout():
    return data.load_digits("heldout", verbose=False).images[:500]


def test_grey_patch_finds_cutouts_and_not_real_digits(heldout):
    """Validated where the answer is known: real digits have no grey square, cut-out digits do."""
    assert ld.grey_patch(heldout).mean() <= 0.01
    cut = np.asarray(augment.cutout(heldout, keras.random.SeedGenerator(0)))
    assert ld.grey_patch(cut).mean() >= 0.95


def test_grey_patch_by_hand():
    img = -np.ones((2, 10, 10, 1), "float32")
    img[0, 2:8, 3:9] = 0.1  # a 6x6 block within 0.3 of 0
    img[1, 2:8, 3:8] = 0.1  # 6x5: too narrow
    assert ld.grey_patch(img).tolist() == [True, False]


def test_centroid_offset_sees_translation_and_not_real_digits(heldout):
    real = ld.leak(heldout, heldout)
    assert real["centroid_rms"] < 1.0 and real["reference_centroid_rms"] == real["centroid_rms"]
    moved = np.asarray(augment.translation(heldout, keras.random.SeedGenerator(1)))
    # uniform whole-pixel shifts in [-4, 4] on each axis: rms about sqrt(2 * 20/3) = 3.7 px
    assert 3.0 < ld.leak(moved, heldout)["centroid_rms"] < 4.5


def test_ink_centroids_by_hand():
    img = -np.ones((1, 5, 5, 1))
    img[0, 1, 3] = 1.0  # all the ink at row 1, column 3
    assert ld.ink_centroids(img).tolist() == [[1.0, 3.0]]


def fake_run(size, method, seed, fd):
    curve = [{"step": 100, "acc_train": 0.5, "acc_heldout": 0.6}, {"step": 200, "acc_train": 0.9, "acc_heldout": 0.2}]
    scores = {m: 0.0 for m in ld.MEASURES} | {"fd": fd}
    return {"size": size, "method": method, "seed": seed, "scores": scores, "curve": curve}


def test_table_and_compare_by_hand():
    runs = [fake_run(250, "none", s, fd) for s, fd in enumerate((50.0, 60.0, 70.0))]
    runs += [fake_run(250, "diffaug", s, fd) for s, fd in enumerate((40.0, 55.0, 71.0))]
    rows = {(r["size"], r["method"]): r for r in ld.table(runs)}
    assert rows[(250, "none")]["fd"]["mean"] == pytest.approx(60.0)
    assert rows[(250, "none")]["fd"]["std"] == pytest.approx(np.std([50, 60, 70]))
    assert rows[(250, "none")]["acc_heldout"] == {"first": pytest.approx(0.4), "last": pytest.approx(0.4)}
    assert ld.window_mean(runs[0]["curve"], "acc_train", steps=100) == pytest.approx(0.9)
    assert ld.window_mean(runs[0]["curve"], "acc_train", last=False, steps=100) == pytest.approx(0.5)
    c = ld.compare(runs, 250, "diffaug")
    assert c["diffs"] == [-10.0, -5.0, 1.0] and c["verdict"].startswith("no consistent change")
    runs[-1]["scores"]["fd"] = 69.0
    assert ld.compare(runs, 250, "diffaug")["verdict"] == "better in 3/3 seeds"


def test_make_augment_names_each_method():
    assert ld.make_augment("none") == (None, True)
    aug, fakes = ld.make_augment("reals_only")
    assert isinstance(aug, augment.DiffAugment) and fakes is False
    aug, fakes = ld.make_augment("ada")
    assert isinstance(aug, augment.AdaptiveAugment) and aug.speed == ld.RECIPE["ada_speed"] and fakes
    with pytest.raises(ValueError, match="Valid: none, diffaug"):
        ld.make_augment("mixup")


def test_a_short_run_end_to_end(tmp_path):
    out = ld.train_run(250, "ada", 0, {"steps": 20, "log_every": 10, "fd_every": 20, "n_fd": 200}, n_score=300)
    assert out["steps"] == 20 and [r["step"] for r in out["curve"]] == [10, 20]
    assert out["curve"][-1]["p"] is not None and out["curve"][-1]["fd"] is not None
    assert out["samples"].dtype == np.uint8 and out["samples"].shape == (300, 28, 28, 1)
    path = ld.save_run(tmp_path, out)
    assert path.name == "n250_ada_seed0.json" and (tmp_path / "n250_ada_seed0.npz").exists()
    doc = ld.load_results(tmp_path) if ld.write_table(tmp_path) else None
    assert doc["complete"] is False and len(doc["runs"]) == 1
    assert np.array_equal(ld.stored_samples(250, "ada", folder=tmp_path), out["samples"])


@pytest.mark.parametrize("args, message", [(["--cells", "300:none"], "SIZE one of"),
                                           (["--cells", "250:mixup"], "METHOD one of")])
def test_command_line_refuses_bad_cells(args, message, capsys):
    with pytest.raises(SystemExit):
        ld.main(args)
    assert message in capsys.readouterr().err


def test_missing_results_say_how_to_make_them(tmp_path):
    with pytest.raises(FileNotFoundError, match="make lesson10"):
        ld.load_results(tmp_path)


def test_rt_summary_by_hand():
    trace = {"seed": 0, "target": 0.6, "rows": [
        {"step": 10, "p": 0.0, "probe": 1.0, "training_path": 0.8, "controller": 0.5},
        {"step": 20, "p": 0.1, "probe": -1.0, "training_path": -1.0, "controller": 0.7}]}
    s = ld.rt_summary(trace)
    assert s["probe_mean"] == 0.0 and s["controller_mean"] == pytest.approx(0.6)
    assert s["path_mean"] == pytest.approx(-0.1)
    assert s["path_gap"] == pytest.approx(0.1) and s["probe_swing"] == 2.0
    assert s["controller_swing"] == pytest.approx(0.2) and s["controller_at_target"] == 0.5 and s["p_max"] == 0.1
    assert "seed" in ld.format_rt([s]) and "50%" in ld.format_rt([s])


def test_rt_trace_reads_all_three_every_10_steps():
    t = ld.rt_trace(0, steps=20, every=10)
    assert [r["step"] for r in t["rows"]] == [10, 20]
    for r in t["rows"]:
        assert -1 <= r["probe"] <= 1 and -1 <= r["training_path"] <= 1 and -1 <= r["controller"] <= 1
        assert r["controller"] * 320 == pytest.approx(round(r["controller"] * 320), abs=1e-3)  # 10 steps of 32 signs
    with pytest.raises(ValueError, match="multiple of steps_per_execution"):
        ld.rt_trace(0, steps=20, every=5)
