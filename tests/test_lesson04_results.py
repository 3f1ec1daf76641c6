"""The committed full-mode results of lesson 04 (runs/04_mode_collapse/): re-scoring the stored
samples with gan_lib.measure.mixtures must give the stored per-run numbers and the stored table."""

import json
from pathlib import Path

import numpy as np
import pytest

from gan_lib import collapse, mixtures

FOLDER = Path(__file__).resolve().parents[1] / collapse.RESULTS_FOLDER
DOC = json.loads((FOLDER / collapse.TABLE_FILE).read_text())


def test_the_full_run_is_complete():
    assert DOC["mode"] == "full", "the committed table must come from a full-mode run"
    seeds = DOC["seeds"]
    assert len(seeds) >= 3
    expected = {(b, m, s) for b in mixtures.BENCHMARKS for m in collapse.REMEDIES for s in seeds}
    assert {(r["benchmark"], r["model"], r["seed"]) for r in DOC["runs"]} == expected
    for r in DOC["runs"]:
        assert r["file"] == collapse.sample_file(r["benchmark"], r["model"], r["seed"])


@pytest.mark.parametrize("run", DOC["runs"], ids=lambda r: r["file"])
def test_rescoring_a_sample_file_gives_its_numbers(run):
    x = np.load(FOLDER / run["file"], allow_pickle=False)
    assert x.dtype == np.float32 and x.shape == (mixtures.N_SCORE, 2)
    r = mixtures.score(x, run["benchmark"])
    assert r["counts"] == run["counts"]
    assert (r["modes"], r["n_modes"], r["n"]) == (run["modes"], run["n_modes"], run["n"])
    assert r["high_quality"] == pytest.approx(run["high_quality"], abs=1e-12)
    if run["reverse_kl"] is None:
        assert r["reverse_kl"] is None
    else:
        assert r["reverse_kl"] == pytest.approx(run["reverse_kl"], abs=1e-12)


def test_the_table_is_the_aggregate_of_the_rescored_runs():
    rescored = []
    for run in DOC["runs"]:
        score = mixtures.score(np.load(FOLDER / run["file"]), run["benchmark"])
        rescored.append({"benchmark": run["benchmark"], "model": run["model"], "seed": run["seed"], **score})
    got, want = collapse.table(rescored), DOC["table"]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.keys() == w.keys()
        for k in g:
            if isinstance(g[k], float):
                assert g[k] == pytest.approx(w[k], abs=1e-12), (g["benchmark"], g["model"], k)
            else:
                assert g[k] == w[k], (g["benchmark"], g["model"], k)
