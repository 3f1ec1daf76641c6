"""Lesson 05's emoji study: its pieces, and its committed runs re-scored from their samples."""

import json

import numpy as np
import pytest

from gan_lib.core import augment
from gan_lib.data import colour
from gan_lib.lessons import colour_study as cs
from gan_lib.lessons import study


def test_build_switches_diffaugment_and_nothing_else():
    plain, aug = cs.build("dcgan", seed=0), cs.build("dcgan_diffaugment", seed=0)
    assert plain.augment is None
    assert isinstance(aug.augment, augment.DiffAugment) and aug.augment.policy == cs.POLICY
    assert aug.augment.fill == 1.0          # translation uncovers white, the emoji's background
    assert aug.augment_fakes                 # both reals and fakes, or D learns the augmentation
    assert plain.latent_dim == aug.latent_dim == cs.RECIPE["latent_dim"]
    assert plain.ema_decay == aug.ema_decay == cs.RECIPE["ema_decay"]
    paper = cs.build("dcgan_diffaugment_paper", seed=0)       # the paper code's order and padding
    assert paper.augment.policy == ("brightness", "saturation", "contrast", "translation", "cutout")
    assert paper.augment.fill == 0.0 and sorted(paper.augment.policy) == sorted(cs.POLICY)
    # Same seed, same initial weights: the runs differ only by the augmentation.
    for a, b, c in zip(plain.generator.get_weights(), aug.generator.get_weights(), paper.generator.get_weights()):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)


def test_build_refuses_an_unknown_model():
    with pytest.raises(ValueError, match="choose one of"):
        cs.build("dcgan_sn")


@pytest.mark.parametrize("args, says", [(["--models", "dcgan,wgan"], "--models wgan: the study's models are"),
                                        (["--seeds", "a"], "--seeds a: give whole numbers")])
def test_cli_refuses_bad_values_in_one_line(args, says, capsys):
    with pytest.raises(SystemExit) as stop:
        cs.main(args)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err


def test_score_reads_real_emoji_as_real_and_a_repeated_one_as_collapsed():
    held = colour.load_emoji_raw("heldout").images
    real = cs.score(held)                     # uint8, as stored
    assert real["fd"] < 5 and real["distinct_share"] > 0.95
    one = cs.score(np.repeat(held[:1], 300, axis=0))
    assert one["fd"] > 50 and one["distinct_share"] < 0.01 and max(one["shares"]) == 1.0


def test_table_averages_over_seeds():
    def run(seed, fd):
        return {"model": "a", "seed": seed,
                "ema": {"fd": fd, "kl_to_real": 0.5, "confidence": 0.6, "distinct_share": 1.0}}
    (row,) = cs.table([run(0, 10.0), run(1, 20.0)])
    assert row["fd"] == pytest.approx((15.0, 5.0)) and row["fd_each"] == [10.0, 20.0]
    assert "15.0 ± 5.0" in cs.format_table([row])


def test_tiny_study_writes_runs_and_skips_only_runs_of_the_same_recipe(tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_COURSE_QUICK", "1")
    monkeypatch.setattr(cs, "N_SAMPLES", 200)      # the mechanism, not the scores: fewer samples to make and score
    path = cs.run_study(seeds=(0,), models_=["dcgan"], folder=tmp_path, log=lambda *_: None)
    (run,) = json.loads(path.read_text())["runs"]
    assert run["model"] == "dcgan" and run["recipe"]["epochs"] == 2 and run["quick"] is True
    assert set(run) >= {"raw", "ema", "seconds"}
    assert study.load_samples(tmp_path, "dcgan", 0).shape == (cs.N_SAMPLES, 32, 32, 3)

    def must_not_train(*args, **kwargs):
        raise AssertionError("a run already made with this recipe was trained again")

    monkeypatch.setattr(cs, "train", must_not_train)
    cs.run_study(seeds=(0,), models_=["dcgan"], folder=tmp_path, log=lambda *_: None)
    with pytest.raises(AssertionError, match="trained again"):
        cs.run_study(seeds=(0,), models_=["dcgan"], folder=tmp_path, recipe={"lr": 1e-3}, log=lambda *_: None)


def test_study_refuses_float_samples_and_missing_files(tmp_path):
    with pytest.raises(ValueError, match="uint8"):
        study.save_run(tmp_path, "dcgan", 0, np.zeros((2, 32, 32, 3), "float32"), {})
    with pytest.raises(FileNotFoundError, match="make target"):
        study.load_samples(tmp_path, "dcgan", 5)
    with pytest.raises(FileNotFoundError, match="make lesson05"):
        cs.load_results(tmp_path)


def test_probe_records_d_verdicts_every_epoch(tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_COURSE_QUICK", "1")
    doc = json.loads(cs.probe("dcgan", 0, tmp_path).read_text())
    assert doc["recipe"]["epochs"] == len(doc["rows"]) == 2 and doc["quick"] is True
    assert [r["step"] for r in doc["rows"]] == [4, 8]          # 256 emoji at batch 64: 4 steps an epoch
    for r in doc["rows"]:
        assert all(0.0 <= r[k] <= 1.0 for k in ("acc_train", "acc_heldout", "acc_fake"))
    assert cs.load_probe("dcgan", 0, tmp_path) == doc
    with pytest.raises(FileNotFoundError, match="make lesson05"):
        cs.load_probe("dcgan", 4, tmp_path)


# ------------------------------------------------------------------ the committed study (runs/05_colour)

@pytest.fixture(scope="module")
def committed():
    return cs.load_results()


def test_committed_study_is_complete_and_made_with_the_recipe(committed):
    assert committed["quick"] is False and committed["recipe"] == cs.RECIPE
    assert sorted((r["model"], r["seed"]) for r in committed["runs"]) == [
        (m, s) for m in sorted(cs.MODELS) for s in (0, 1, 2)]
    assert all(r["recipe"] == cs.RECIPE for r in committed["runs"])


@pytest.mark.parametrize("model", sorted(cs.MODELS))
def test_committed_samples_rescore_to_the_stored_numbers(committed, model):
    for run in (r for r in committed["runs"] if r["model"] == model):
        again = cs.score(study.load_samples(cs.results_dir(quick=False), model, run["seed"]))
        for k in ("fd", "kl_to_real", "confidence", "distinct_share"):
            assert again[k] == pytest.approx(run["ema"][k], rel=1e-3, abs=1e-4), (model, run["seed"], k)
        np.testing.assert_allclose(again["shares"], run["ema"]["shares"], atol=1e-3)


@pytest.mark.parametrize("model", cs.PROBED)
def test_committed_probes_follow_the_recipe_epoch_by_epoch(model):
    doc = cs.load_probe(model, 0)
    assert doc["quick"] is False and doc["recipe"] == cs.RECIPE and doc["probe_images"] == 381
    steps_per_epoch = 1525 // cs.RECIPE["batch_size"]
    assert [r["step"] for r in doc["rows"]] == [steps_per_epoch * (e + 1) for e in range(cs.RECIPE["epochs"])]


def test_gather_takes_runs_and_leaves_other_files_of_the_folder(tmp_path):
    recipe = dict(cs.RECIPE)
    for seed in (0, 1):
        study.save_run(tmp_path, "dcgan", seed, np.zeros((2, 32, 32, 3), np.uint8), {"recipe": recipe, "quick": False})
    # a probe names its model too, but is not a run of the study
    (tmp_path / "probe_dcgan_seed0.json").write_text(json.dumps({"model": "dcgan", "seed": 0, "rows": []}))
    runs = study.gather(tmp_path, cs.MODELS)
    assert [(r["model"], r["seed"]) for r in runs] == [("dcgan", 0), ("dcgan", 1)]
