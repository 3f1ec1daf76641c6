"""Lesson 05's longer emoji runs: the pieces, a quick run, and the committed runs regenerated from their weights."""

import json

import numpy as np
import pytest

from gan_lib.lessons import colour_longer as cl
from gan_lib.lessons import colour_study as cs


def test_recipe_is_the_studys_but_twice_as_long():
    assert cl.RECIPE == dict(cs.RECIPE, epochs=2 * cs.RECIPE["epochs"])
    assert cl.SNAPSHOTS[0] == cs.RECIPE["epochs"] and cl.SNAPSHOTS[-1] == cl.RECIPE["epochs"]
    # the study's scoring latents, so the 150-epoch snapshot can be compared with the study's samples
    assert cl.fixed_latents is cs.fixed_latents
    want = np.random.default_rng(1001).standard_normal((3, 128)).astype("float32")
    np.testing.assert_array_equal(cs.fixed_latents(1, 3), want)
    np.testing.assert_array_equal(cs.fixed_latents(1)[:3], want)


def test_rescale_to_length_keeps_directions_and_sets_the_length():
    got = cl.rescale_to_length([[3.0, 4.0], [0.0, -2.0]])          # default length sqrt(2)
    np.testing.assert_allclose(got, [[0.6 * 2 ** 0.5, 0.8 * 2 ** 0.5], [0.0, -(2 ** 0.5)]], rtol=1e-6)
    np.testing.assert_allclose(cl.rescale_to_length([[3.0, 4.0]], 10.0), [[6.0, 8.0]], rtol=1e-6)


def test_round_to_float16_rounds_in_place_and_returns_what_is_stored():
    import keras

    layer = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    layer.set_weights([np.array([[0.1]], np.float32), np.array([1 / 3], np.float32)])
    w16 = cl.round_to_float16(layer)
    assert [w.dtype for w in w16] == [np.float16, np.float16]
    # float16 keeps 11 significant bits: 0.1 -> 0.0999755859375, 1/3 -> 0.333251953125 (worked by hand)
    assert float(layer.get_weights()[0][0, 0]) == 0.0999755859375
    assert float(layer.get_weights()[1][0]) == 0.333251953125


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("GAN_COURSE_QUICK", "1")
    folder = tmp_path_factory.mktemp("longer")
    try:
        path = cl.run(seeds=(0,), folder=folder, log=lambda *_: None)
    finally:
        mp.undo()
    return folder, json.loads(path.read_text())


def test_quick_run_snapshots_every_asked_epoch_and_measures_every_threshold(quick_run):
    folder, doc = quick_run
    (run,) = doc["runs"]
    assert doc["quick"] is True and run["recipe"]["epochs"] == 2
    assert [(s["epoch"], s["step"]) for s in run["snapshots"]] == [(1, 4), (2, 8)]   # 256 emoji, batch 64
    assert [t["threshold"] for t in run["truncation"]] == list(cl.THRESHOLDS)
    assert all(t["n"] == 200 for t in run["truncation"]) and run["raw_last"]["n"] == 200
    assert (folder / cl.weights_file(0)).exists()


def test_stored_weights_regenerate_the_scored_samples(quick_run):
    folder, doc = quick_run
    g = cl.load_generator(0, folder)
    again = cs.score(cl.generate(g, cl.fixed_latents(0, 200)))
    assert again["fd"] == pytest.approx(doc["runs"][0]["snapshots"][-1]["fd"], rel=1e-6)


def test_a_run_already_made_is_not_trained_again(quick_run, monkeypatch):
    folder, _ = quick_run
    monkeypatch.setenv("GAN_COURSE_QUICK", "1")

    def must_not_train(*args, **kwargs):
        raise AssertionError("a run already made with this recipe was trained again")

    monkeypatch.setattr(cl, "train", must_not_train)
    cl.run(seeds=(0,), folder=folder, log=lambda *_: None)
    with pytest.raises(AssertionError, match="trained again"):
        cl.run(seeds=(1,), folder=folder, log=lambda *_: None)


def test_load_generator_refuses_a_missing_or_foreign_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="make lesson05"):
        cl.load_generator(0, tmp_path)
    np.savez_compressed(tmp_path / cl.weights_file(0), np.zeros((3, 3), np.float16))
    with pytest.raises(ValueError, match="does not hold the weights of models.colour.emoji_dcgan"):
        cl.load_generator(0, tmp_path)
    (tmp_path / cl.weights_file(1)).write_bytes(b"not a zip file")
    with pytest.raises(ValueError, match="not a readable weights file .*make lesson05"):
        cl.load_generator(1, tmp_path)
    with pytest.raises(FileNotFoundError, match="make lesson05"):
        cl.load_results(tmp_path)


def test_tables_give_mean_and_sd_over_seeds_and_each_seeds_fd():
    def scores(fd):
        return {"fd": fd, "kl_to_real": 0.1, "confidence": 0.5, "distinct_share": 1.0}

    runs = [{"snapshots": [{"epoch": 150, "step": 3450, **scores(fd)}],
             "truncation": [{"threshold": None, **scores(fd + 1)}, {"threshold": 1.0, **scores(fd - 1)}]}
            for fd in (10.0, 20.0)]
    snap = cl.format_snapshots(runs).splitlines()
    assert snap[1].split()[:4] == ["3,450", "15.0", "±", "5.0"] and snap[1].endswith("10.0, 20.0")
    trunc = cl.format_truncation(runs).splitlines()
    assert trunc[1].split()[:2] == ["none", "16.0"] and trunc[2].split()[:2] == ["1", "14.0"]
    assert trunc[2].endswith("9.0, 19.0")


# ------------------------------------------------------------------ the committed runs (runs/05_colour/longer)

@pytest.fixture(scope="module")
def committed():
    return cl.load_results()


def test_committed_runs_are_complete_and_made_with_the_recipe(committed):
    assert committed["quick"] is False and committed["recipe"] == cl.RECIPE
    assert [r["seed"] for r in committed["runs"]] == [0, 1, 2]
    for r in committed["runs"]:
        assert r["recipe"] == cl.RECIPE and r["n_samples"] == cs.N_SAMPLES
        assert [s["epoch"] for s in r["snapshots"]] == list(cl.SNAPSHOTS)
        assert [s["step"] for s in r["snapshots"]] == [e * (1525 // 64) for e in cl.SNAPSHOTS]
        assert [t["threshold"] for t in r["truncation"]] == list(cl.THRESHOLDS)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_stored_generators_rescore_to_the_committed_numbers(committed, seed):
    run = committed["runs"][seed]
    g = cl.load_generator(seed)
    again = cs.score(cl.generate(g, cl.fixed_latents(seed)))
    for k in ("fd", "kl_to_real", "confidence", "distinct_share"):
        assert again[k] == pytest.approx(run["snapshots"][-1][k], rel=1e-3, abs=1e-4), k
    if seed == 0:   # one truncated reading, the threshold the lesson shows
        from gan_lib.core import latent

        z = latent.truncated_normal(cs.N_SAMPLES, 128, threshold=1.0, seed=cl.TRUNCATION_SEED)
        row = next(t for t in run["truncation"] if t["threshold"] == 1.0)
        assert cs.score(cl.generate(g, z))["fd"] == pytest.approx(row["fd"], rel=1e-3)


def test_the_lessons_claims_hold_in_the_committed_runs(committed):
    study_fd = [r["ema"]["fd"] for r in cs.load_results()["runs"] if r["model"] == "dcgan"]
    for r in committed["runs"]:
        fds = [s["fd"] for s in r["snapshots"]]
        assert fds == sorted(fds, reverse=True) and len(set(fds)) == len(fds)   # falls at every snapshot
        assert fds[-1] < min(study_fd)                     # below every study run at 3,450 steps
        assert not r["snapshots"][0]["vs_study_run"]["identical"]   # the lesson says: new runs, not the study's
        untruncated = r["truncation"][0]["fd"]
        assert all(t["fd"] > untruncated for t in r["truncation"][1:])
        assert r["truncation"][-1]["threshold"] == 0.5 and r["truncation"][-1]["distinct_share"] < 0.5
