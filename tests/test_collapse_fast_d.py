"""Lesson 04, section 7: the FD within classes on known cases, the fast-D study's pieces, and its committed runs."""

import json

import numpy as np
import pytest

from gan_lib.lessons import collapse_digits as cd
from gan_lib.lessons import collapse_fast_d as fd
from gan_lib.measure import evaluate

# --------------------------------------------------------------------------- the FD within classes


def test_within_class_fd_by_hand():
    """1-D features: class 0 is shifted by 1 (FD = 1^2 = 1, equal spreads), class 1 matches (0),
    class 2 has one sample only (not measured at n = 2)."""
    real = np.array([[0.0], [2.0], [10.0], [12.0], [20.0], [22.0]])
    real_y = [0, 0, 1, 1, 2, 2]
    fake = np.array([[1.0], [3.0], [10.0], [12.0], [21.0]])
    fake_y = [0, 0, 1, 1, 2]
    fds = evaluate.within_class_fd(real, real_y, fake, fake_y, n=2)
    assert fds[0] == pytest.approx(1.0) and fds[1] == pytest.approx(0.0, abs=1e-9) and fds[2] is None


def test_within_class_fd_uses_the_first_n_of_each_class():
    real = np.array([[0.0], [2.0], [100.0]])
    fake = np.array([[0.0], [2.0], [-50.0]])
    assert evaluate.within_class_fd(real, [0, 0, 0], fake, [0, 0, 0], n=2) == [pytest.approx(0.0, abs=1e-9)]


@pytest.mark.parametrize("kwargs, says", [({"n": 1}, "at least 2"),
                                          ({"fake_labels": [0, 1]}, "one label per row"),
                                          ({"fake_features": np.zeros((3, 2))}, "features")])
def test_within_class_fd_refuses_bad_input(kwargs, says):
    args = {"real_features": np.zeros((3, 1)), "real_labels": [0, 0, 0], "fake_features": np.zeros((3, 1)),
            "fake_labels": [0, 0, 0], **kwargs}
    with pytest.raises(ValueError, match=says):
        evaluate.within_class_fd(**args)


@pytest.fixture(scope="module")
def known():
    """lesson 04's known cases (collapse_digits.known_cases), scored."""
    names = {"real digits 0-1,999": "real", "real digits 2,000-3,999": "real2", "real digits 4,000-5,999": "real3",
             "real digits of 0-4 only": "half", "10 real digits per class": "few", "pixel noise, std 0.3": "noise03",
             "pixel noise, std 0.6": "noise06", "blur, std 1.5 pixels": "blur"}
    return {names[name]: cd.score(images) for name, images in cd.known_cases().items()}


def test_within_class_fd_on_known_cases(known):
    """The floor holds over disjoint real sets; dropping classes 5-9 (other images) leaves it near the floor
    while the FD jumps; a collapse inside each class, noise and blur raise it."""
    floors = [known[k]["mean_class_fd"] for k in ("real", "real2", "real3")]
    assert max(floors) < 1.2 * min(floors) and max(floors) < 15
    assert all(v is not None for k in ("real", "real2", "real3") for v in known[k]["class_fd"])
    half = known["half"]
    assert half["class_fd"][5:] == [None] * 5 and all(v is not None for v in half["class_fd"][:5])
    assert half["mean_class_fd"] < 1.3 * max(floors)
    assert half["fd"] > 20 * known["real"]["fd"]
    assert known["few"]["mean_class_fd"] > 5 * max(floors) and known["few"]["fd"] < 15   # the FD barely sees it
    assert max(floors) < known["noise03"]["mean_class_fd"] < known["noise06"]["mean_class_fd"] < \
        known["blur"]["mean_class_fd"]


# --------------------------------------------------------------------------- the study's pieces


def test_build_reads_back_each_models_design():
    plain = fd.build("mlp_fast_d")
    assert plain.d_input_transform is None
    assert float(plain.d_optimizer.learning_rate) == pytest.approx(5 * float(plain.g_optimizer.learning_rate))
    packed = fd.build("mlp_fast_d_pacgan4")
    assert packed.d_input_transform.degree == 4 and tuple(packed.discriminator.input_shape) == (None, 28, 28, 4)
    mbstd = fd.build("mlp_fast_d_mbstd")
    (layer,) = [layer for layer in mbstd.discriminator.layers if type(layer).__name__ == "MinibatchStd"]
    assert layer.group_size == 4
    equal, slow = fd.build("mlp_equal_lr"), fd.build("mlp_slow_d")
    for gan, g_lr, d_lr in ((packed, 2e-4, 1e-3), (mbstd, 2e-4, 1e-3), (equal, 1e-3, 1e-3), (slow, 2e-4, 2e-4)):
        assert (float(gan.g_optimizer.learning_rate), float(gan.d_optimizer.learning_rate)) == \
            pytest.approx((g_lr, d_lr))
    for gan in (packed, mbstd, equal, slow):      # every remedy leaves G as it is
        assert [w.shape for w in gan.generator.weights] == [w.shape for w in plain.generator.weights]


def test_build_refuses_unknown_model_and_odd_batches():
    with pytest.raises(ValueError, match="choose one of"):
        fd.build("mlp_no_such_model")
    with pytest.raises(ValueError, match="multiple of the pack size 4"):
        fd.build("mlp_fast_d_pacgan4", recipe={"batch_size": 66})


def test_tiny_study_writes_its_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_COURSE_QUICK", "1")
    path = fd.run_study(seeds=(0,), models_=["mlp_fast_d"], folder=tmp_path, log=lambda *_: None)
    doc = json.loads(path.read_text())
    (run,) = doc["runs"]
    assert run["model"] == "mlp_fast_d" and run["recipe"]["epochs"] == 1 and run["quick"] is True
    assert len(run["class_fd"]) == 10 and doc["class_fd_n"] == cd.CLASS_FD_N
    (row,) = fd.table(doc["runs"])
    assert "FD in classes" in fd.format_table([row])


# --------------------------------------------------------------------------- the committed study

@pytest.fixture(scope="module")
def study():
    return fd.load_results()


def test_committed_runs_rescore_to_their_numbers(study):
    assert {(r["model"], r["seed"]) for r in study["runs"]} == {(m, s) for m in fd.MODELS for s in (0, 1, 2)}
    for r in study["runs"]:
        again = cd.score(np.load(fd.results_dir(quick=False) / cd.sample_file(r["model"], r["seed"]))["images"])
        assert again["fd"] == pytest.approx(r["fd"], abs=1e-3), r
        assert again["missing"] == r["missing"], r
        assert [v is None for v in again["class_fd"]] == [v is None for v in r["class_fd"]], r
        assert again["mean_class_fd"] == pytest.approx(r["mean_class_fd"], abs=1e-3), r
        for k in ("coverage", "kl_to_uniform", "min_class_share"):
            assert again[k] == pytest.approx(r[k], abs=1e-6), (k, r["model"], r["seed"])
        assert r["recipe"] == fd.RECIPE and r["quick"] is False


def test_committed_study_shows_what_lesson_04_says(study, known):
    """Section 7's claims, re-read from the committed runs."""
    runs = {(r["model"], r["seed"]): r for r in study["runs"]}

    def on_collapsed_classes(model, seed):
        kept = [k for k, v in enumerate(runs["mlp_fast_d", seed]["class_fd"]) if v is not None]
        return np.array([runs[model, seed]["class_fd"][k] for k in kept], dtype=float), kept

    for seed in (0, 1, 2):
        collapsed = runs["mlp_fast_d", seed]
        # 4-5 digits missing, 0, 2, 5 and 6 in every seed; mostly 1, 7 and 9 drawn
        assert 4 <= len(collapsed["missing"]) <= 5 and {0, 2, 5, 6} <= set(collapsed["missing"])
        assert {7, 9} <= set(np.argsort(collapsed["class_shares"])[-3:])
        # its main digits: about twice the real floor, near light noise (19.5), and near the equal-rate run's
        assert collapsed["mean_class_fd"] < 1.4 * known["noise03"]["mean_class_fd"]
        own, kept = on_collapsed_classes("mlp_fast_d", seed)
        assert len(kept) in (3, 4)
        assert abs(own.mean() - on_collapsed_classes("mlp_equal_lr", seed)[0].mean()) < 6
        # minibatch std and PacGAN4 restore every class; minibatch std with the best FD, PacGAN4 with bad digits
        for remedy in ("mlp_fast_d_mbstd", "mlp_fast_d_pacgan4"):
            assert runs[remedy, seed]["missing"] == [] and runs[remedy, seed]["kl_to_uniform"] < 0.1
        assert runs["mlp_fast_d_mbstd", seed]["fd"] == min(runs[m, seed]["fd"] for m in fd.MODELS)
        assert runs["mlp_fast_d_pacgan4", seed]["mean_class_fd"] > known["noise06"]["mean_class_fd"]
        assert (on_collapsed_classes("mlp_fast_d_pacgan4", seed)[0] > own).all()
        # minibatch std's 7s and 9s are worse than the collapsed model's
        for digit in (7, 9):
            assert runs["mlp_fast_d_mbstd", seed]["class_fd"][digit] > collapsed["class_fd"][digit]
    # equal rates either way bring most classes back; 0 stays under 1% in three of the six runs
    assert [runs["mlp_equal_lr", s]["missing"] for s in (0, 1, 2)] == [[0], [], [0]]
    assert [runs["mlp_slow_d", s]["missing"] for s in (0, 1, 2)] == [[0], [], []]
    rows = {r["model"]: r for r in fd.table(study["runs"])}
    for equal in ("mlp_equal_lr", "mlp_slow_d"):
        assert rows[equal]["kl_to_uniform"][0] < rows["mlp_fast_d"]["kl_to_uniform"][0] / 3
        assert rows[equal]["coverage"][0] > rows["mlp_fast_d"]["coverage"][0] + 0.2
    assert rows["mlp_fast_d_pacgan4"]["coverage"][0] <= rows["mlp_fast_d"]["coverage"][0]
