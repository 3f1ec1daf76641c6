"""Lesson 09, section 4: the BigGAN study's plumbing, and its committed runs re-scored from their samples."""

import json

import keras
import numpy as np
import pytest

from gan_lib import models
from gan_lib.core.gan import GAN
from gan_lib.lessons import biggan, conditional


def untrained_run(name, seed, digits=None, recipe=None, verbose=True, keep_gan=False):
    """train_compared's shape without the training: an untrained cond_biggan, scored once."""
    keras.utils.set_random_seed(seed)
    gan = GAN(*models.build_conditional(name), n_classes=10, seed=seed)
    q, asked = conditional.class_samples(gan)
    row = {"epoch": 1, "seconds": 0.0, **conditional.score_samples(conditional.dequantize(q), asked)}
    out = {"model": name, "seed": seed, "d_params": 1, "g_params": 1, "rows": [row], "samples": q, "asked": asked}
    return {**out, "gan": gan} if keep_gan else out


def test_run_writes_rows_truncation_and_samples(tmp_path, monkeypatch):
    monkeypatch.setattr(conditional, "train_compared", untrained_run)
    monkeypatch.setattr(biggan, "THRESHOLDS", (None, 0.5))
    monkeypatch.setattr(conditional, "evaluation_labels", lambda n_classes=10: np.repeat(np.arange(n_classes), 20))
    monkeypatch.setattr(biggan, "SEEDS", (0, 1))
    monkeypatch.setattr(biggan, "MODELS", ("cond_biggan", "cond_dcgan"))
    path = biggan.run(seeds=(0,), folder=tmp_path, log=lambda *_: None, models_=["cond_biggan"])
    doc = json.loads(path.read_text())
    (r,) = doc["runs"]
    assert r["model"] == "cond_biggan" and not doc["complete"] and "gan" not in r
    # other processes training another seed, or another model, keep the first one's run
    biggan.run(seeds=(1,), folder=tmp_path, log=lambda *_: None, models_=["cond_biggan"])
    biggan.run(seeds=(0, 1), folder=tmp_path, log=lambda *_: None, models_=["cond_dcgan"])
    doc = json.loads(path.read_text())
    assert [(x["model"], x["seed"]) for x in doc["runs"]] == [("cond_biggan", 0), ("cond_biggan", 1),
                                                             ("cond_dcgan", 0), ("cond_dcgan", 1)]
    assert doc["complete"] and doc["runs"][0] == r
    table = biggan.truncation_table(doc)
    assert [(e["model"], e["threshold"]) for e in table] == [("cond_biggan", None), ("cond_biggan", 0.5),
                                                            ("cond_dcgan", None), ("cond_dcgan", 0.5)]
    each = [x["truncation"][1]["recall"] for x in doc["runs"][:2]]
    assert table[1]["recall"] == pytest.approx((np.mean(each), np.std(each))) and table[1]["recall_each"] == each
    assert [t["threshold"] for t in r["truncation"]] == [None, 0.5]
    with np.load(tmp_path / r["file"]) as f:
        assert f["images"].dtype == np.uint8 and len(f["images"]) == len(f["asked"]) == 200


def test_compare_pairs_seeds_with_lesson_07_and_refuses_a_missing_one():
    base = {"runs": [{"model": "cond_dcgan", "seed": 0, "rows": [{"epoch": 10, "accuracy": 0.9, "fd": 3.0}]}]}
    doc = {"runs": [{"model": "cond_biggan", "seed": 0, "rows": [{"epoch": 10, "accuracy": 0.95, "fd": 2.0}]},
                    {"model": "cond_dcgan", "seed": 0, "rows": [{"epoch": 10, "accuracy": 0.5, "fd": 9.0}]}]}
    (row,) = biggan.compare(doc, base)
    assert row["accuracy"] == (0.95, 0.9) and row["fd"] == (2.0, 3.0)
    doc["runs"][0]["seed"] = 1
    with pytest.raises(ValueError, match="no cond_dcgan run of 10 epochs with this seed"):
        biggan.compare(doc, base)


@pytest.mark.parametrize("args, says", [(["--seeds", "-1"], "--seeds [-1]: use whole numbers"),
                                        (["--models", "cond_sngan"], "--models cond_sngan: the study's models are")])
def test_cli_refuses_bad_values(args, says, capsys):
    with pytest.raises(SystemExit):
        biggan.main(args)
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err


# ------------------------------------------------------------------ the committed study (make lesson09)

@pytest.fixture(scope="module")
def committed():
    return biggan.load_results()


def test_committed_study_is_complete_with_lesson_07s_recipe(committed):
    assert committed["complete"] and committed["quick"] is False
    assert committed["recipe"] == {**conditional.RECIPE, "epochs": 10}
    assert sorted((r["model"], r["seed"]) for r in committed["runs"]) == sorted(
        (m, s) for m in biggan.MODELS for s in biggan.SEEDS)
    for r in committed["runs"]:
        assert [row["epoch"] for row in r["rows"]] == list(range(1, 11))
        assert [t["threshold"] for t in r["truncation"]] == list(biggan.THRESHOLDS)


def test_cond_dcgan_trained_again_reproduces_lesson_07(committed):
    rows = biggan.compare(committed, model="cond_dcgan")
    assert len(rows) == 3 and all(r["accuracy"][0] == r["accuracy"][1] and r["fd"][0] == r["fd"][1] for r in rows)


@pytest.mark.parametrize("model", biggan.MODELS)
def test_committed_samples_rescore_to_the_last_epochs_numbers(committed, model):
    run = next(r for r in committed["runs"] if r["model"] == model and r["seed"] == 0)
    with np.load(biggan.results_dir(quick=False) / run["file"]) as f:
        again = conditional.score_samples(conditional.dequantize(f["images"]), f["asked"])
    last = run["rows"][-1]
    assert again["accuracy"] == pytest.approx(last["accuracy"], abs=1e-6)
    assert again["fd"] == pytest.approx(last["fd"], rel=1e-4)
    assert again["class_fd_mean"] == pytest.approx(last["class_fd_mean"], rel=1e-4)
