"""Lesson 03's comparison (gan_lib.lessons.recipes, `make lesson03`): precise BatchNorm, the equal-time plan,
scoring that leaves the run alone, the pipeline on a tiny budget, and the committed runs/03_dcgan/ results
(complete over seeds, re-scoring each stored sample file gives its stored numbers, the table is their spread)."""

import json
from pathlib import Path

import keras
import numpy as np
import pytest

from gan_lib import data, models, recipes

FOLDER = Path(__file__).resolve().parents[1] / recipes.RESULTS_FOLDER
DOC = json.loads((FOLDER / recipes.TABLE_FILE).read_text()) if (FOLDER / recipes.TABLE_FILE).exists() else None
stored = pytest.mark.skipif(DOC is None, reason="runs/03_dcgan/table.json is not there yet (make lesson03)")

#: Two cheap variants for the pipeline tests: one plain, and "E" with its raw generator read as "D".
TINY = {"A": dict(label="A", model="dcgan", lr=1e-4, beta_1=0.9, batch_size=64, ema_decay=None),
        "D": dict(label="D", model="dcgan", lr=5e-4, beta_1=0.5, batch_size=16, ema_decay=None, runs_as=("E", "_raw")),
        "E": dict(label="E", model="dcgan", lr=5e-4, beta_1=0.5, batch_size=16, ema_decay=0.999)}


def _bn_stats(model):
    return [np.array(w) for layer in models.batchnorm_layers(model) for w in (layer.moving_mean, layer.moving_variance)]


# ----------------------------------------------------------------- precise BatchNorm


def test_recalibration_sets_the_moving_statistics_to_the_batch_averages_and_touches_no_weight():
    keras.utils.set_random_seed(0)
    g, _ = models.build("dcgan")
    z = np.random.default_rng(1).standard_normal((400, 64)).astype("float32")
    trainable = [np.array(w) for w in g.trainable_weights]
    first = models.batchnorm_layers(g)[0]            # BatchNorm right after the Dense layer
    dense = keras.Sequential(g.layers[:2])          # input -> Dense (no BatchNorm yet)
    h = keras.ops.convert_to_numpy(dense(z))
    before = np.array(first.moving_mean)
    assert models.recalibrate_batchnorm(g, z, batch_size=100) == 2
    want_mean = np.mean([h[i:i + 100].mean(0) for i in range(0, 400, 100)], axis=0)
    want_var = np.mean([h[i:i + 100].var(0) for i in range(0, 400, 100)], axis=0)
    got_mean = np.array(first.moving_mean)
    np.testing.assert_allclose(got_mean, want_mean, rtol=1e-3, atol=1e-4)   # float32 round-off only
    np.testing.assert_allclose(first.moving_variance, want_var, rtol=1e-3, atol=1e-5)
    last_batch = h[300:].mean(0)                      # not the last batch's mean: all four, weighted alike
    assert np.abs(got_mean - want_mean).max() < 0.1 * np.abs(last_batch - want_mean).max()
    assert np.abs(np.array(first.moving_mean) - before).max() > 1e-3   # it moved, from the initial zeros
    for w, v in zip(g.trainable_weights, trainable):
        np.testing.assert_array_equal(w, v)
    assert {layer.momentum for layer in models.batchnorm_layers(g)} == {0.99}


def test_recalibration_makes_inference_mode_match_a_large_training_batch():
    keras.utils.set_random_seed(0)
    g, _ = models.build("tutorial_dcgan")
    z = np.random.default_rng(2).standard_normal((512, 100)).astype("float32")
    train_mode = keras.ops.convert_to_numpy(g(z, training=True))
    gap_before = np.abs(keras.ops.convert_to_numpy(g(z, training=False)) - train_mode).mean()
    models.recalibrate_batchnorm(g, z, batch_size=512)     # one batch: exactly its statistics
    gap_after = np.abs(keras.ops.convert_to_numpy(g(z, training=False)) - train_mode).mean()
    assert gap_after < 0.05 * gap_before, (gap_before, gap_after)


def test_a_model_without_batchnorm_is_left_alone_and_bad_sizes_are_refused():
    g, _ = models.build("mlp")
    weights = [np.array(w) for w in g.weights]
    assert models.recalibrate_batchnorm(g, np.zeros((10, 100), "float32")) == 0
    for w, v in zip(g.weights, weights):
        np.testing.assert_array_equal(w, v)
    g2, _ = models.build("dcgan")
    with pytest.raises(ValueError, match="at least 2"):
        models.recalibrate_batchnorm(g2, np.zeros((1, 64), "float32"))


# ----------------------------------------------------------------- the plan and the scoring


def test_the_plan_gives_each_variant_the_same_seconds_and_a_shared_grid():
    costs = {"per_update": {"A": 0.8, "D": 0.03, "E": 0.032}}
    pl = recipes.plan(costs, 31, TINY)
    assert pl["budget_seconds"] == pytest.approx(31 * 0.8)
    assert pl["updates"] == {"A": 31, "D": 826, "E": 775}
    for key, u in pl["updates"].items():
        assert u * costs["per_update"][key] <= pl["budget_seconds"] < (u + 1) * costs["per_update"][key]
    assert pl["checkpoints"]["A"] == [15, 31]
    e = pl["checkpoints"]["E"]                       # E's run also carries D (its raw G) to D's budget
    assert e == [15, 31, 62, 124, 248, 496, 775, 826]
    assert set(pl["grid"]) <= set(e) and "D" not in pl["checkpoints"]


def test_scoring_at_checkpoints_does_not_change_the_run():
    images = data.load_digits("train", limit=320, verbose=False).images

    def run(checkpoints):
        gan = recipes.new_gan("E", 0, TINY)
        cbs = [recipes.UpdateScores(checkpoints)] if checkpoints else []
        gan.fit_images(images, 16, 1, callbacks=cbs)
        return gan, cbs

    recipes.N_SCORE, recipes.N_RECAL = 100, 100
    try:
        scored, (cb,) = run([3, 20])
        plain, _ = run([])
    finally:
        recipes.N_SCORE, recipes.N_RECAL = 1000, 1000
    assert [r["updates"] for r in cb.rows] == [3, 20] and int(scored.g_optimizer.iterations) == 20
    for a, b in zip(scored.generator.weights + scored.ema_generator.weights,
                    plain.generator.weights + plain.ema_generator.weights):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)   # BatchNorm statistics put back too
    row = cb.rows[-1]
    assert {"fd", "fd_moving", "fd_raw", "fd_moving_raw", "score", "min_share", "class_shares"} <= row.keys()
    assert row["fd"] != row["fd_moving"]            # precise BN changes what the samples look like
    assert row["fd"] == pytest.approx(recipes.score_samples(cb.last[""])["fd"], rel=1e-6)


def test_the_pipeline_on_a_tiny_budget_in_two_processes_merged(tmp_path, monkeypatch):
    monkeypatch.setattr(recipes, "N_SCORE", 100)
    monkeypatch.setattr(recipes, "N_RECAL", 100)
    images = data.load_digits("train", limit=320, verbose=False).images
    first, second = tmp_path / "first", tmp_path / "second"
    path = recipes.compare(first, seeds=(0,), a_updates=2, images=images, variants=TINY, rounds=1,
                           cost_seconds=0.05, log=None)
    doc = recipes.load_results(first)
    assert doc["complete"] and doc["seeds"] == [0] and len(doc["runs"]) == 2
    recipes.compare(second, seeds=(1,), a_updates=2, images=images, variants=TINY, costs=doc["costs"], log=None)
    recipes.merge_results(first, second)
    doc = recipes.load_results(path.parent)
    assert doc["complete"] and doc["seeds"] == [0, 1] and len(doc["runs"]) == 4
    assert doc["updates"] == recipes.plan(doc["costs"], 2, TINY)["updates"]
    assert sorted(p.name for p in first.glob("*.npz")) == sorted(
        recipes.sample_file(k, s) for k in TINY for s in (0, 1))
    for key in TINY:
        last = recipes.at(doc["table"], key, doc["updates"][key])
        assert len(last["fd"]) == 2 and last["fd_min"] <= last["fd_mean"] <= last["fd_max"]
    assert recipes.shared_updates(doc) == min(doc["updates"].values())
    assert "A" in recipes.format_table(doc, updates=recipes.shared_updates(doc), variants=TINY)
    assert len(recipes.plot_curves(doc).axes) == 2
    other = recipes.load_results(second)
    other["costs"]["per_update"]["A"] *= 2
    (second / recipes.TABLE_FILE).write_text(json.dumps(other))
    with pytest.raises(ValueError, match="share"):
        recipes.merge_results(first, second)


# ----------------------------------------------------------------- the committed results


@stored
def test_the_committed_run_is_complete():
    assert DOC["mode"] == "full" and DOC["complete"] and DOC["train_digits"] == 8000
    assert DOC["seeds"] == [0, 1, 2] and DOC["variants"] == json.loads(json.dumps(recipes.VARIANTS))
    assert {(r["run"], r["seed"]) for r in DOC["runs"]} == {(k, s) for k in "ABCE" for s in DOC["seeds"]}
    assert recipes.plan(DOC["costs"], DOC["a_updates"])["updates"] == DOC["updates"]
    cost = DOC["costs"]["per_update"]
    assert cost["A"] == cost["B"] and cost["A"] > cost["C"] > cost["D"]   # A and B: the same arithmetic
    for key in recipes.VARIANTS:   # every variant reached its equal-time point with every seed
        assert len(recipes.at(DOC["table"], key, DOC["updates"][key])["fd"]) == 3


@stored
def test_the_committed_files_are_small():
    # 15 files of 1,000 uint8 samples; A's and B's blurry blobs hardly compress (about 0.78 MB each)
    assert sum(p.stat().st_size for p in FOLDER.iterdir()) < 7_000_000


@stored
@pytest.mark.parametrize("key", list(recipes.VARIANTS))
def test_rescoring_the_stored_samples_gives_the_stored_numbers(key):
    run_key, sfx = recipes.VARIANTS[key].get("runs_as", (key, ""))
    for run in (r for r in DOC["runs"] if r["run"] == run_key):
        with np.load(FOLDER / run["files"][key], allow_pickle=False) as f:
            q = f["images"]
        assert q.dtype == np.uint8 and q.shape == (recipes.N_SCORE, 28, 28, 1)
        got, want = recipes.score_samples(q), run["rows"][-1]
        for m in ("fd", "score", "min_share"):
            assert got[m] == pytest.approx(want[m + sfx], rel=1e-4, abs=1e-6), (key, run["seed"], m)


@stored
def test_the_table_is_the_spread_of_the_stored_runs():
    got = recipes.spread(DOC["runs"], DOC["updates"])
    assert len(got) == len(DOC["table"])
    for g, w in zip(got, DOC["table"]):
        assert g.keys() == w.keys()
        for k in g:
            if k == "variant":
                assert g[k] == w[k]
            else:
                np.testing.assert_allclose(g[k], w[k], rtol=1e-12)
