"""Lesson 09, section 3: the StyleGAN study's mixing measure on known cases, its plumbing, and its
committed runs re-scored from their samples and weights."""

import json
import types

import numpy as np
import pytest

from gan_lib import data
from gan_lib.lessons import collapse_digits, study
from gan_lib.lessons import style_study as ss


class _Mapping:
    """z -> w = z, with the input shape a Keras model has."""

    input_shape = (None, 4)

    def __call__(self, z):
        return z


def _synthesis_of(which):
    """A fake synthesis network: real digits picked by one style input's first number; no noise."""
    digits = data.load_digits("heldout", verbose=False).images

    def synthesis(ws):
        w = np.asarray(ws[which])
        return digits[(np.abs(w[:, 0]) * 1e4).astype(int) % len(digits)]
    return synthesis


@pytest.mark.parametrize("which", [0, -1])
def test_mixing_reads_a_generator_whose_digit_only_one_style_decides(which):
    m = ss.mixing(_Mapping(), _synthesis_of(which), n=300)
    assert m["pairs_differ"] > 200 and m["pairs_differ"] + m["pairs_same"] == 300
    assert m["noise_change"] == pytest.approx(0.0, abs=1e-5)     # nothing random in it
    for c in ("crossover_1", "crossover_2"):
        r = m[c]
        if which == 0:      # only the first (coarse) input matters: every mix is image A
            assert (r["coarse_digit"], r["fine_digit"], r["pixel_change"]) == (1.0, 0.0, 0.0)
            assert r["width_corr_coarse"] == pytest.approx(1.0)
        else:               # only the last (fine) input matters: every mix is image B
            assert (r["coarse_digit"], r["fine_digit"], r["pixel_change"]) == (0.0, 1.0, 1.0)
            assert r["width_corr_fine"] == pytest.approx(1.0)


def test_build_gives_each_model_its_recipe_and_refuses_an_unknown_one():
    dc, sg = ss.build("dcgan", seed=0), ss.build("stylegan", seed=0)
    assert dc.d_penalties == [] and [type(p).__name__ for p in sg.d_penalties] == ["R1Penalty"]
    assert sg.d_penalties[0].weight == ss.RECIPE["stylegan"]["r1"] == 1.0
    assert sg.d_penalties[0].every == 16 and ss.build("stylegan_r1_each_step").d_penalties[0].every == 1
    assert float(sg.g_optimizer.beta_1) == 0.0 and float(dc.g_optimizer.beta_1) == 0.5
    assert sg.generator.count_params() == 97_699 and dc.generator.count_params() == 558_849
    # the same discriminator design for both
    assert [w.shape for w in dc.discriminator.weights] == [w.shape for w in sg.discriminator.weights]
    with pytest.raises(ValueError, match="choose one of dcgan, stylegan, stylegan_r1_each_step"):
        ss.build("stylegan2")


def test_run_study_trains_scores_keeps_weights_and_resumes(tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_COURSE_QUICK", "1")
    images = data.load_digits("train", limit=128, verbose=False).images
    real_load = data.load_digits
    monkeypatch.setattr(ss.data, "load_digits", lambda split="train", **k: types.SimpleNamespace(images=images)
                        if split == "train" else real_load(split, **k))
    monkeypatch.setattr(ss, "N_PAIRS", 60)
    monkeypatch.setattr(ss, "N_SAMPLES", 200)
    logged = []
    path = ss.run_study(seeds=(0,), models_=("dcgan", "stylegan"), folder=tmp_path, log=logged.append,
                        time_steps=False)
    doc = json.loads(path.read_text())
    assert doc["quick"] and [(r["model"], r["seed"]) for r in doc["runs"]] == [("dcgan", 0), ("stylegan", 0)]
    assert doc["recipe"]["stylegan"]["epochs"] == 1 and doc["recipe"]["stylegan"]["r1"] == 1.0
    sg = doc["runs"][1]
    assert sg["mixing"]["pairs"] == 60 and "mixing" not in doc["runs"][0]
    # the mixing measures come from the committed weights: measured again, they are the same
    _, mapping, synthesis = ss.load_generator(0, tmp_path)
    assert ss.mixing(mapping, synthesis, 60) == sg["mixing"]
    with np.load(tmp_path / study.sample_file("stylegan", 0)) as f:
        assert f["images"].dtype == np.uint8 and len(f["images"]) == 200
    # done runs are kept: a second call trains nothing
    ss.run_study(seeds=(0,), models_=("dcgan", "stylegan"), folder=tmp_path, log=logged.append, time_steps=False)
    assert len(logged) == 2 and "step_ms" not in doc


def test_step_times_time_every_model_and_budgets_multiply_steps():
    images = data.load_digits("train", limit=64, verbose=False).images
    ms = ss.step_times(images, ("dcgan", "stylegan"), repeats=1, steps=2)
    assert sorted(ms) == ["dcgan", "stylegan"] and all(v > 0 for v in ms.values())
    # 30 ms x 4 epochs x (8,000 // 16 = 500 steps) = 60 s; 40 ms x 3 x 500 = 60 s
    assert ss.budget_seconds({"dcgan": 30.0, "stylegan": 40.0}, ss.RECIPE) == pytest.approx(
        {"dcgan": 60.0, "stylegan": 60.0})


def test_load_generator_says_how_to_make_a_missing_run(tmp_path):
    with pytest.raises(FileNotFoundError, match="make lesson09"):
        ss.load_generator(5, tmp_path)


def test_mixing_table_gives_mean_and_sd_over_seeds():
    def run(seed, coarse):
        c = {"coarse_digit": coarse, "fine_digit": 0.1, "pixel_change": 0.5, "width_corr_coarse": 0.2,
             "width_corr_fine": 0.3}
        return {"model": "stylegan", "seed": seed, "mixing": {"crossover_1": c, "crossover_2": c,
                                                             "noise_change": 0.01}}
    t = ss.mixing_table([run(0, 0.6), run(1, 0.8), {"model": "dcgan", "seed": 0}])
    assert t["crossover_2"]["coarse_digit"] == pytest.approx((0.7, 0.1))
    assert t["noise_change"] == pytest.approx((0.01, 0.0))


# --------------------------------------------------------------------------- the committed study


@pytest.fixture(scope="module")
def committed():
    return ss.load_results()


def test_committed_study_is_complete_and_made_with_the_recipe(committed):
    assert not committed["quick"] and committed["recipe"] == ss.RECIPE
    assert [(r["model"], r["seed"]) for r in committed["runs"]] == [(m, s) for m in ss.MODELS for s in (0, 1, 2)]


@pytest.mark.parametrize("model", ss.MODELS)
def test_committed_samples_rescore_to_their_numbers(committed, model):
    run = next(r for r in committed["runs"] if r["model"] == model and r["seed"] == 1)
    got = collapse_digits.score(study.load_samples(ss.results_dir(quick=False), model, 1))
    assert got["fd"] == pytest.approx(run["fd"], rel=1e-4, abs=1e-3)
    assert got["class_shares"] == run["class_shares"] and got["missing"] == run["missing"]


def test_committed_stylegan_weights_give_the_committed_samples_and_mixing(committed):
    from gan_lib.core.gan import GAN

    run = next(r for r in committed["runs"] if r["model"] == "stylegan" and r["seed"] == 0)
    # the weights are the run's: freshly loaded, they draw the committed samples again, bit for bit
    g, _, _ = ss.load_generator(0)
    with np.load(ss.results_dir(quick=False) / study.sample_file("stylegan", 0)) as f:
        committed_samples = f["images"][:200]
    np.testing.assert_array_equal(ss.quantize(GAN(g, ss.build("dcgan").discriminator).sample(200, seed=2024)),
                                  committed_samples)
    # and, freshly loaded again (the noise inputs start from their seeds), give the committed mixing measures
    _, mapping, synthesis = ss.load_generator(0)
    got = ss.mixing(mapping, synthesis, ss.N_PAIRS)
    assert _flat(got) == pytest.approx(_flat(run["mixing"]), rel=1e-6, abs=1e-6)


def _flat(d, prefix=""):
    out = {}
    for k, v in d.items():
        out.update(_flat(v, f"{prefix}{k}.") if isinstance(v, dict) else {f"{prefix}{k}": v})
    return out
