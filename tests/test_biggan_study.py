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
    monkeypatch.setattr(biggan, "SEEDS", (0, 1))
    path = biggan.run(seeds=(0,), folder=tmp_path, log=lambda *_: None)
    doc = json.loads(path.read_text())
    (r,) = doc["runs"]
    assert r["model"] == "cond_biggan" and not doc["complete"] and "gan" not in r
    # a second process training another seed keeps the first one's run
    biggan.run(seeds=(1,), folder=tmp_path, log=lambda *_: None)
    doc = json.loads(path.read_text())
    assert [x["seed"] for x in doc["runs"]] == [0, 1] and doc["complete"] and doc["runs"][0] == r
    assert [t["threshold"] for t in r["truncation"]] == [None, 0.5]
    with np.load(tmp_path / r["file"]) as f:
        assert f["images"].dtype == np.uint8 and len(f["images"]) == len(f["asked"]) == 2000


def test_compare_pairs_seeds_with_lesson_07_and_refuses_a_missing_one():
    base = {"runs": [{"model": "cond_dcgan", "seed": 0, "rows": [{"epoch": 10, "accuracy": 0.9, "fd": 3.0}]}]}
    doc = {"runs": [{"seed": 0, "rows": [{"epoch": 10, "accuracy": 0.95, "fd": 2.0, "seconds": 5.0}]}]}
    (row,) = biggan.compare(doc, base)
    assert row["accuracy"] == (0.95, 0.9) and row["fd"] == (2.0, 3.0)
    doc["runs"][0]["seed"] = 1
    with pytest.raises(ValueError, match="no cond_dcgan run of 10 epochs with this seed"):
        biggan.compare(doc, base)


def test_cli_refuses_negative_seeds(capsys):
    with pytest.raises(SystemExit):
        biggan.main(["--seeds", "-1"])
    err = capsys.readouterr().err
    assert "--seeds" in err and "Traceback" not in err
