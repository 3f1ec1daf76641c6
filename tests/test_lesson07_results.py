"""The committed full-mode results of lesson 07 (runs/07_conditional/, written by `make lesson07`):
every model x seed is there, re-scoring each run's stored last-epoch samples gives its stored numbers,
and the table is the spread of the stored runs."""

import json
from pathlib import Path

import numpy as np
import pytest

from gan_lib import conditional, models

FOLDER = Path(__file__).resolve().parents[1] / conditional.RESULTS_FOLDER
DOC = json.loads((FOLDER / conditional.TABLE_FILE).read_text())


def test_the_full_run_is_complete():
    assert DOC["mode"] == "full" and DOC["complete"], "the committed table must come from a finished full-mode run"
    assert DOC["train_digits"] == 8000
    seeds = DOC["seeds"]
    assert len(seeds) >= 3
    assert {(r["model"], r["seed"]) for r in DOC["runs"]} == {(m, s) for m in conditional.COMPARED for s in seeds}
    assert {(r["model"], r["epoch"]) for r in DOC["table"]} == {
        (m, e) for m in conditional.COMPARED for e in range(1, DOC["epochs"] + 1)}
    for r in DOC["runs"]:
        assert r["file"] == conditional.sample_file(r["model"], r["seed"])
        assert [row["epoch"] for row in r["rows"]] == list(range(1, DOC["epochs"] + 1))


def test_the_compared_discriminators_match_in_size_and_generators_agree():
    d = {r["model"]: r["d_params"] for r in DOC["runs"]}
    g = {r["g_params"] for r in DOC["runs"]}
    assert abs(d["cond_dcgan_concat_matched"] / d["cond_dcgan"] - 1) < 0.02 and len(g) == 1
    for name in conditional.COMPARED:  # the stored counts are today's models'
        assert models.build_conditional(name)[1].count_params() == d[name]


def test_the_committed_files_are_small():
    total = sum(p.stat().st_size for p in FOLDER.iterdir())
    assert total < 5_000_000, total


def test_the_floor_is_todays_floor():
    np.testing.assert_allclose(DOC["class_fd_floor"], conditional.class_fd_floor(), rtol=1e-4)


@pytest.mark.parametrize("run", DOC["runs"], ids=lambda r: r["file"])
def test_rescoring_the_stored_samples_gives_the_last_rows_numbers(run):
    with np.load(FOLDER / run["file"], allow_pickle=False) as f:
        q, asked = f["images"], f["asked"]
    assert q.dtype == np.uint8 and q.shape == (2000, 28, 28, 1)
    np.testing.assert_array_equal(asked, conditional.evaluation_labels())
    got, want = conditional.score_samples(conditional.dequantize(q), asked), run["rows"][-1]
    for k in ("fd", "fd_floor", "accuracy", "class_fd_mean"):
        assert got[k] == pytest.approx(want[k], rel=1e-4, abs=1e-6), k
    np.testing.assert_allclose(got["per_class"], want["per_class"], atol=1e-12)
    np.testing.assert_allclose(got["class_fd"], want["class_fd"], rtol=1e-4)


def test_the_table_is_the_spread_of_the_stored_runs():
    got, want = conditional.spread(DOC["runs"]), DOC["table"]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.keys() == w.keys()
        for k in g:
            if k == "model":
                assert g[k] == w[k]
            else:
                np.testing.assert_allclose(g[k], w[k], rtol=1e-12, err_msg=f"{g['model']} epoch {g['epoch']}: {k}")
