"""The committed full-mode results of lesson 10 (runs/10_little_data/, written by `make lesson10`):
complete, re-scored from the stored samples, and backing what the lesson says."""

import json

import pytest

from gan_lib import data
from gan_lib.lessons import little_data as ld
from gan_lib.lessons import stabilise


@pytest.fixture(scope="module")
def doc():
    return ld.load_results()


def test_every_cell_has_three_seeds_at_one_budget(doc):
    assert doc["complete"] and doc["mode"] == "full"
    for size, method in ld.CELLS:
        mine = [r for r in doc["runs"] if (r["size"], r["method"]) == (size, method)]
        assert sorted(r["seed"] for r in mine) == list(ld.SEEDS), (size, method)
        assert {r["steps"] for r in mine} == {doc["steps"]}
        assert all(r["scores"] is not None for r in mine)


def test_the_table_and_comparisons_follow_from_the_run_files(doc):
    assert doc["table"] == json.loads(json.dumps(ld.table(doc["runs"])))
    for c in doc["compare"]:
        again = ld.compare(doc["runs"], c["size"], c["method"])
        assert again["diffs"] == pytest.approx(c["diffs"]) and again["verdict"] == c["verdict"]


@pytest.fixture(scope="module")
def heldout():
    return data.load_digits("heldout", verbose=False).images


@pytest.mark.parametrize("cell", [(250, "none"), (250, "reals_only")])
def test_stored_samples_rescore_to_the_stored_numbers(doc, heldout, cell):
    size, method = cell
    run = next(r for r in doc["runs"] if (r["size"], r["method"], r["seed"]) == (size, method, 0))
    train = data.load_digits("train", limit=size, verbose=False).images
    again = ld.score(stabilise.dequantize(ld.stored_samples(size, method)), train, heldout)
    for key in ("fd", "precision", "recall", "grey_patch_share", "centroid_rms"):
        # FD through the classifier's float32 features: CPUs may round the last bits differently
        assert again[key] == pytest.approx(run["scores"][key], rel=2e-3, abs=2e-3), key


def _gap(curve, first: bool):
    return ld.window_mean(curve, "acc_train", last=not first) - ld.window_mean(curve, "acc_heldout", last=not first)


def test_at_250_digits_d_overfits_and_at_8000_it_does_not(doc):
    """The overfitting signal: at 250 digits the gap between D's verdicts on its training digits and on
    held-out digits grows from the first 500 steps to the last 500, in every seed; at 8,000 it stays small."""
    for r in doc["runs"]:
        if (r["size"], r["method"]) == (250, "none"):
            assert _gap(r["curve"], False) > _gap(r["curve"], True) + 0.2, r["seed"]
            assert _gap(r["curve"], False) > 0.3, r["seed"]
        if (r["size"], r["method"]) == (8000, "none"):
            assert abs(_gap(r["curve"], False)) < 0.1, r["seed"]


def test_augmenting_the_reals_only_leaks_and_augmenting_both_does_not(doc):
    for r in doc["runs"]:
        s = r["scores"]
        if r["method"] == "reals_only":
            assert s["grey_patch_share"] > 0.2 and s["centroid_rms"] > 2 * s["reference_centroid_rms"] + 1.0
        elif r["method"] in ("none", "diffaug", "translation", "ada"):
            assert s["grey_patch_share"] < 0.02, (r["method"], r["seed"])


def test_at_three_times_the_budget_diffaugment_wins_beyond_the_seeds_spread(doc):
    """The long runs (LONG_CELLS at LONG_STEPS, seeds 0-2): with no augmentation D's training verdicts
    rise while its held-out verdicts collapse (the overfitting signal) and FD degrades; DiffAugment's
    FD is lower in every seed, and the gap exceeds both cells' spread over the seeds."""
    runs = doc["long"]
    assert sorted((r["method"], r["seed"]) for r in runs) == sorted((m, s) for _, m in ld.LONG_CELLS for s in ld.SEEDS)
    assert {r["steps"] for r in runs} == {ld.LONG_STEPS}
    fd = {row["method"]: row["fd"] for row in ld.table(runs, ld.LONG_CELLS)}
    c = ld.compare(runs, 250, "diffaug")
    assert c["verdict"].startswith("better") and max(c["diffs"]) < 0
    assert fd["diffaug"]["mean"] + fd["diffaug"]["std"] < fd["none"]["mean"] - fd["none"]["std"], fd
    for r in (r for r in runs if r["method"] == "none"):
        rise = ld.window_mean(r["curve"], "acc_train", last=True) - ld.window_mean(r["curve"], "acc_train", last=False)
        assert rise > 0 and ld.window_mean(r["curve"], "acc_heldout", last=True) < 0.1, r["seed"]


def test_ada_s_r_t_read_three_ways_explains_why_its_p_stays_low():
    """runs/10_little_data/rt_trace_seed<k>.json (--rt-trace): the ADA run with r_t read every 10 steps."""
    traces = ld.load_rt_traces()
    assert [t["seed"] for t in traces] == list(ld.SEEDS)
    for t in traces:
        assert t["steps"] == ld.RECIPE["steps"] and t["every"] == 10 and len(t["rows"]) == t["steps"] // 10
        s = ld.rt_summary(t)
        assert s["controller_mean"] < t["target"]          # the controller's reading sits below its target...
        assert s["path_mean"] < s["probe_mean"] - 0.05     # ...mostly because it reads augmented reals
        assert abs(s["controller_mean"] - s["path_mean"]) < s["probe_mean"] - s["path_mean"]
        assert s["probe_swing"] > 2 * s["controller_swing"]  # one snapshot of D swings; the averages do not
        assert s["p_max"] <= 0.2
