"""The committed full-mode results of lesson 09's CycleGAN (runs/09_beyond_dcgan/, written by `make lesson09`):
every seed is there, the summary is the spread of the stored rows, the numbers that need no trained model
re-score from the held-out digits, and the notebook's claims hold in the stored table."""

import json

import numpy as np
import pytest

from gan_lib.lessons import cycle

FOLDER = cycle.results_dir()
DOC = json.loads((FOLDER / cycle.RESULTS_FILE).read_text())


def test_the_full_run_is_complete():
    assert DOC["mode"] == "full", "the committed table must come from a full-mode run"
    assert DOC["seeds"] == list(cycle.SEEDS) and [r["seed"] for r in DOC["rows"]] == list(cycle.SEEDS)
    assert DOC["settings"] == cycle.SETTINGS["full"]
    assert DOC["cycle_weight"] == cycle.CYCLE_WEIGHT and DOC["identity_weight"] == cycle.IDENTITY_WEIGHT
    for r in DOC["rows"]:
        assert r["steps"] == DOC["settings"]["steps"] and set(r["train"]) == {"d_a", "d_b", "adv", "cycle", "identity"}


def test_the_summary_is_the_spread_of_the_rows():
    again = cycle.summary(DOC["rows"])
    assert set(again) == set(DOC["summary"])
    for name, s in DOC["summary"].items():
        np.testing.assert_allclose(s["mean"], again[name]["mean"], rtol=1e-12)
        np.testing.assert_allclose(s["sd"], again[name]["sd"], rtol=1e-12)


def test_the_committed_files_are_small():
    assert sum(p.stat().st_size for p in FOLDER.iterdir()) < 200_000


@pytest.fixture(scope="module")
def task():
    return cycle.domains(DOC["settings"]["n_test"])


def test_the_numbers_of_the_data_rescore(task):
    """The width boundary, the real digits' widths and the plain thickening's kept share need no model."""
    boundary = cycle.width_boundary(task["test_a"], task["test_b"])
    kept_thicken = float(np.mean(cycle.digits_of(cycle.thicken(task["test_a"])) == cycle.digits_of(task["test_a"])))
    for r in DOC["rows"]:
        t = r["test"]
        assert t["boundary"] == pytest.approx(boundary, rel=1e-9)
        assert t["width_a"] == pytest.approx(float(np.median(cycle.stroke_width(task["test_a"]))), rel=1e-9)
        assert t["kept_thicken"] == pytest.approx(kept_thicken, abs=1e-9)
        assert t["true_input_b"] == pytest.approx(
            float(np.mean(cycle.digits_of(task["test_b"]) == task["labels_b"])), abs=1e-9)
        # the plain thickening row of the hiding test is G-independent in its input: thicken(x)
        assert set(r["hiding"]) == {"as is", *(f"quantised to {n} levels" for n in cycle.LEVELS),
                                    *(f"blurred (sigma {s:g})" for s in cycle.BLURS), "thicken(x) instead of G(x)"}


def test_the_lessons_claims_hold_in_the_stored_table():
    s = DOC["summary"]
    # the trained translators cross the width boundary and keep the digit (notebook section 5)
    assert min(s["moved_ab"]["values"]) >= 0.8
    assert min(s["kept_ab"]["values"]) >= 0.9 and min(s["moved_ba"]["values"]) >= 0.8
    # F's translations are read as their true digit at least as often as the thick inputs themselves
    assert all(r["test"]["true_ba"] >= r["test"]["true_input_b"] for r in DOC["rows"])
    # no seed's reconstruction depends on faint signal: black and white or blurred, the cycle loss rises
    # by less than 0.01, far less than the plain thickening costs (section 5, "What a cycle can hide")
    for r in DOC["rows"]:
        h = r["hiding"]
        assert h["quantised to 2 levels"]["rec"] - h["as is"]["rec"] < 0.01
        assert h["blurred (sigma 0.5)"]["rec"] - h["as is"]["rec"] < 0.01
        assert h["thicken(x) instead of G(x)"]["rec"] > h["as is"]["rec"] + 0.03
