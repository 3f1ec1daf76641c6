"""gan_lib.measure.metrics: closed forms, sample estimates, and the protocol's verdicts."""

import math

import keras
import numpy as np
import pytest

from gan_lib import data, metrics, models

# --------------------------------------------------------------------------- Frechet distance


@pytest.mark.parametrize("m1,s1,m2,s2", [(0.0, 1.0, 0.0, 1.0), (1.0, 2.0, -0.5, 0.5), (3.0, 0.1, 3.0, 4.0)])
def test_frechet_1d_closed_form(m1, s1, m2, s2):
    fd = metrics.frechet_distance_gaussians([m1], [[s1 ** 2]], [m2], [[s2 ** 2]])
    assert fd == pytest.approx((m1 - m2) ** 2 + (s1 - s2) ** 2, abs=1e-9)


def test_frechet_accepts_scalars_for_one_dimension():
    assert metrics.frechet_distance_gaussians(1.0, 4.0, 0.0, 1.0) == pytest.approx(1.0 + (2 - 1) ** 2, abs=1e-9)


def test_frechet_diagonal_covariances_sum_over_dimensions():
    mu1, mu2 = np.array([0.0, 1.0, -2.0]), np.array([1.0, 1.0, 0.0])
    s1, s2 = np.array([1.0, 2.0, 0.5]), np.array([3.0, 1.0, 0.5])
    expected = float(np.sum((mu1 - mu2) ** 2) + np.sum((s1 - s2) ** 2))  # 1 + 4 + (4 + 1) = 10
    assert expected == 10.0
    fd = metrics.frechet_distance_gaussians(mu1, np.diag(s1 ** 2), mu2, np.diag(s2 ** 2))
    assert fd == pytest.approx(expected, abs=1e-9)


def test_frechet_identical_gaussians_is_zero():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(5, 5))
    cov = a @ a.T + 0.1 * np.eye(5)
    mu = rng.normal(size=5)
    assert abs(metrics.frechet_distance_gaussians(mu, cov, mu, cov)) < 1e-9


def test_frechet_full_covariances_match_an_independent_formula():
    """Tr((C1 C2)^{1/2}) = sum of square roots of the eigenvalues of C1 C2 (real and >= 0)."""
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(4, 4)), rng.normal(size=(4, 4))
    c1, c2 = a @ a.T + 0.5 * np.eye(4), b @ b.T + 0.5 * np.eye(4)
    mu1, mu2 = rng.normal(size=4), rng.normal(size=4)
    tr_sqrt = np.sum(np.sqrt(np.linalg.eigvals(c1 @ c2).real))
    expected = np.sum((mu1 - mu2) ** 2) + np.trace(c1) + np.trace(c2) - 2 * tr_sqrt
    fd = metrics.frechet_distance_gaussians(mu1, c1, mu2, c2)
    assert fd == pytest.approx(expected, rel=1e-9)
    assert metrics.frechet_distance_gaussians(mu2, c2, mu1, c1) == pytest.approx(fd, rel=1e-9)  # symmetric


def test_frechet_gaussians_shape_errors():
    with pytest.raises(ValueError, match="Shapes do not fit"):
        metrics.frechet_distance_gaussians(np.zeros(2), np.eye(2), np.zeros(3), np.eye(3))
    with pytest.raises(ValueError, match="Shapes do not fit"):
        metrics.frechet_distance_gaussians(np.zeros(2), np.eye(3), np.zeros(2), np.eye(3))


def test_frechet_distance_of_samples_approaches_the_closed_form():
    rng = np.random.default_rng(0)
    n = 20000
    f1 = rng.normal([0.0, 0.0], [1.0, 2.0], size=(n, 2))
    f2 = rng.normal([1.0, 0.0], [2.0, 1.0], size=(n, 2))
    closed = metrics.frechet_distance_gaussians([0, 0], np.diag([1.0, 4.0]), [1, 0], np.diag([4.0, 1.0]))
    assert closed == pytest.approx(3.0, abs=1e-9)
    assert metrics.frechet_distance(f1, f2) == pytest.approx(closed, abs=0.1)
    # two samples of the same Gaussian: close to 0
    assert metrics.frechet_distance(f1[: n // 2], f1[n // 2:]) == pytest.approx(0.0, abs=0.02)


def test_frechet_distance_shape_errors():
    with pytest.raises(ValueError, match="features1 has shape"):
        metrics.frechet_distance(np.zeros(10), np.zeros((10, 2)))
    with pytest.raises(ValueError, match="features2 has shape"):
        metrics.frechet_distance(np.zeros((10, 2)), np.zeros((1, 2)))
    with pytest.raises(ValueError, match="Feature sizes differ: 2 vs 3"):
        metrics.frechet_distance(np.zeros((10, 2)), np.zeros((10, 3)))


# --------------------------------------------------------------------------- class shares and scores


def test_class_shares_count_argmax():
    probs = np.array([[0.9, 0.1, 0.0], [0.2, 0.7, 0.1], [0.6, 0.3, 0.1], [0.1, 0.1, 0.8]])
    np.testing.assert_allclose(metrics.class_shares(probs), [0.5, 0.25, 0.25])
    # classes that never win still get a (zero) share
    np.testing.assert_allclose(metrics.class_shares(np.eye(4)[[0, 0, 1]]), [2 / 3, 1 / 3, 0, 0])


def test_kl_to_uniform():
    assert metrics.kl_to_uniform(np.full(10, 0.1)) == pytest.approx(0.0, abs=1e-12)
    assert metrics.kl_to_uniform(np.eye(10)[3]) == pytest.approx(math.log(10), abs=1e-12)  # 0 log 0 = 0
    q = [0.5, 0.5, 0, 0]
    assert metrics.kl_to_uniform(q) == pytest.approx(math.log(2), abs=1e-12)
    assert math.isfinite(metrics.kl_to_uniform(q))


def test_classifier_score_bounds():
    uniform_classes = np.eye(10)[np.arange(100) % 10]  # confident and all classes equally often
    assert metrics.classifier_score(uniform_classes) == pytest.approx(10.0, rel=1e-6)
    all_same = np.eye(10)[np.full(100, 4)]  # mode collapse
    assert metrics.classifier_score(all_same) == pytest.approx(1.0, rel=1e-6)
    unsure = np.full((100, 10), 0.1)  # no sample is clearly a digit
    assert metrics.classifier_score(unsure) == pytest.approx(1.0, rel=1e-6)
    two_classes = np.eye(10)[np.arange(100) % 2]
    assert metrics.classifier_score(two_classes) == pytest.approx(2.0, rel=1e-6)


# --------------------------------------------------------------------------- the protocol


@pytest.fixture(scope="module")
def real_result():
    """2,000 training digits (like samples of a perfect generator) scored against the held-out ones."""
    return metrics.evaluate(data.load_digits("train", verbose=False).images[:2000])


def _untrained_samples(name, n=2000):
    keras.utils.set_random_seed(0)
    g, _ = models.build(name)
    z = np.random.default_rng(0).normal(size=(n, g.input_shape[1])).astype(np.float32)
    return keras.ops.convert_to_numpy(g(z, training=False))


@pytest.fixture(scope="module", params=["dcgan", "mlp"])
def untrained_result(request):
    return metrics.evaluate(_untrained_samples(request.param))


def test_evaluate_returns_the_protocol_fields(real_result):
    assert set(real_result) == {"n", "fd", "fd_floor", "classifier_score", "class_shares", "kl_to_uniform", "passes"}
    assert real_result["n"] == metrics.N_EVAL == 2000
    assert len(real_result["class_shares"]) == 10
    assert sum(real_result["class_shares"]) == pytest.approx(1.0, abs=1e-3)
    assert set(real_result["passes"]) == {"fd", "classifier_score", "every_class"}


def test_real_digits_pass_every_threshold(real_result):
    r = real_result
    assert r["passes"] == {"fd": True, "classifier_score": True, "every_class": True}
    assert r["fd"] <= metrics.THRESHOLDS["fd_max"]
    assert r["classifier_score"] >= metrics.THRESHOLDS["score_min"]
    assert min(r["class_shares"]) >= metrics.THRESHOLDS["min_class_share"]
    # the real-vs-real floor the docs quote (about 1.3), and real digits close to it
    assert 0.5 < r["fd_floor"] < 3.0
    assert r["fd"] < 2 * r["fd_floor"]
    assert r["kl_to_uniform"] < 0.05


def test_untrained_generator_fails_every_threshold(untrained_result):
    r = untrained_result
    assert r["passes"] == {"fd": False, "classifier_score": False, "every_class": False}
    assert r["fd"] > metrics.THRESHOLDS["fd_max"]
    assert r["classifier_score"] < metrics.THRESHOLDS["score_min"]
    assert min(r["class_shares"]) < metrics.THRESHOLDS["min_class_share"]


def test_summary_shows_verdicts(real_result, untrained_result):
    """summary() returns the lines to print (train.py logs them; lessons print them)."""
    good = metrics.summary(real_result)
    bad = metrics.summary(untrained_result)
    for text, verdict in ((good, "pass"), (bad, "FAIL")):
        lines = text.splitlines()
        assert len(lines) == 4
        assert lines[0].startswith("Frechet distance") and lines[0].endswith(f"  {verdict}")
        assert lines[1].startswith("classifier score") and lines[1].endswith(f"  {verdict}")
        assert lines[2].startswith("class shares") and "0:" in lines[2] and "9:" in lines[2]
        assert "smallest share" in lines[3] and lines[3].endswith(f"  {verdict}")
        assert text.count("FAIL") == (3 if verdict == "FAIL" else 0)
    assert f"{real_result['fd']:.2f}" in good and f"floor {real_result['fd_floor']:.2f}" in good
    assert f"<= {metrics.THRESHOLDS['fd_max']:g}" in good


def test_check_follows_thresholds():
    t = metrics.THRESHOLDS
    at_the_limits = {"fd": t["fd_max"], "classifier_score": t["score_min"], "class_shares": [t["min_class_share"]] * 10}
    assert metrics.meets_bar(at_the_limits) == {"fd": True, "classifier_score": True, "every_class": True}
    just_outside = {"fd": t["fd_max"] + 0.01, "classifier_score": t["score_min"] - 0.01,
                    "class_shares": [0.2] * 4 + [t["min_class_share"] - 0.001] + [0.1] * 5}
    assert metrics.meets_bar(just_outside) == {"fd": False, "classifier_score": False, "every_class": False}


# --------------------------------------------------------------------------- make train's clean-digits bar


def test_clean_bar_is_stricter_than_the_lessons_bar():
    c, t = metrics.CLEAN, metrics.THRESHOLDS
    assert c["fd_max"] < t["fd_max"] and c["score_min"] > t["score_min"]
    assert c["min_class_share"] > t["min_class_share"]
    assert 0.01 < c["near_copy_max"] < 0.5  # above what new digits give (1%), far below a copier


def test_clean_follows_its_bar():
    c = metrics.CLEAN
    at_the_limits = {"fd": c["fd_max"], "classifier_score": c["score_min"],
                     "class_shares": [c["min_class_share"]] * 10, "near_copy_share": c["near_copy_max"]}
    assert metrics.clean(at_the_limits) == {"fd": True, "classifier_score": True, "every_class": True,
                                            "no_near_copies": True}
    just_outside = {"fd": c["fd_max"] + 0.01, "classifier_score": c["score_min"] - 0.01,
                    "class_shares": [0.2] * 4 + [c["min_class_share"] - 0.001] + [0.1] * 5,
                    "near_copy_share": c["near_copy_max"] + 0.001}
    assert metrics.clean(just_outside) == {"fd": False, "classifier_score": False, "every_class": False,
                                           "no_near_copies": False}
    # what make train (gan_lib.core.run_folder.write_final_outputs) prints: a heading and one verdict line per figure
    text = metrics.clean_summary({**just_outside, "near_copy_expected": 0.01, "exact_copies": 0,
                                  "median_ratio": 1.0})
    assert len(text.splitlines()) == 5 and text.count("FAIL") == 4


def test_near_copies_tell_copied_training_digits_from_new_digits():
    """Training digits are copies of themselves (distance 0); held-out digits are new ones (about 1%)."""
    copied = metrics.near_copies(data.load_digits("train", verbose=False).images[:500])
    assert copied["near_copy_share"] == 1.0 and copied["exact_copies"] == 500
    new = metrics.near_copies(data.load_digits("heldout", verbose=False).images[:2000])
    assert new["near_copy_share"] <= metrics.CLEAN["near_copy_max"]
    assert new["near_copy_share"] == pytest.approx(0.01, abs=0.005) and new["exact_copies"] == 0


def test_real_digits_pass_the_clean_bar(real_result):
    r = {**real_result, "near_copy_share": 0.0}  # the copies side is tested above
    assert all(metrics.clean(r).values())


def test_evaluate_uses_the_first_n_images(real_result):
    x = data.load_digits("train", verbose=False).images[:600]
    r = metrics.evaluate(x, n=300)
    assert r["n"] == 300
    assert r["fd_floor"] > real_result["fd_floor"]  # FD's small-sample bias: the floor rises as n falls


def test_evaluate_rejects_bad_input():
    good = np.zeros((10, 28, 28, 1), np.float32)
    with pytest.raises(ValueError, match=r"x\[\.\.\., None\]"):
        metrics.evaluate(np.zeros((10, 28, 28), np.float32))
    with pytest.raises(ValueError, match="uint8"):
        metrics.evaluate(np.zeros((10, 28, 28, 1), np.uint8))
    with pytest.raises(ValueError, match="divide by 127.5"):
        metrics.evaluate(np.full((10, 28, 28, 1), 255.0, np.float32))
    with pytest.raises(ValueError, match="n=1"):
        metrics.evaluate(good, n=1)
    with pytest.raises(ValueError, match="n=11"):
        metrics.evaluate(good, n=11)


def test_learned_levels_pass_real_digits_and_fail_untrained(real_result, untrained_result):
    assert metrics.learned(real_result) == {"fd": True, "classifier_score": True, "coverage": True}
    assert metrics.learned(untrained_result) == {"fd": False, "classifier_score": False, "coverage": False}


def test_noisy_digits_fail_the_quality_threshold_but_pass_learned():
    """The FD pass level is not loose: real digits with pixel noise (std 0.5) fail it."""
    from gan_lib import data

    x = data.load_digits("train", verbose=False).images[:2000]
    noisy = np.clip(x + np.random.default_rng(0).normal(0, 0.5, x.shape), -1, 1).astype("float32")
    r = metrics.evaluate(noisy)
    assert r["fd"] > metrics.THRESHOLDS["fd_max"]
    assert all(metrics.learned(r).values())


def test_mean_std_by_hand_and_missing_values():
    # 1, 2, 3, 6: mean 3, population variance (4 + 1 + 0 + 9) / 4 = 3.5
    mean, std, missing = metrics.mean_std([1, 2, 3, 6])
    assert (mean, missing) == (3.0, 0) and std == pytest.approx(3.5 ** 0.5)
    assert metrics.mean_std([4.0, None, float("nan"), 2.0]) == (3.0, 1.0, 2)
    assert metrics.mean_std([None, None]) == (None, None, 2)


def test_scorecard_gives_the_protocols_numbers_and_refuses_a_bad_n():
    from gan_lib.measure import evaluate

    held = data.load_digits("heldout", verbose=False).images
    train = data.load_digits("train", limit=300, verbose=False).images
    x = train[:200]
    card = evaluate.scorecard(x, train, held, n=200)
    ref = metrics.evaluate(x, n=200)                     # the classifier once in the card, as here
    assert card["n"] == 200
    for k in ("fd", "fd_floor", "classifier_score", "kl_to_uniform"):
        assert card[k] == pytest.approx(ref[k], rel=1e-6)
    assert card["exact_copies"] == 200 and card["memorised_1"] == 1.0     # training digits are copies
    with pytest.raises(ValueError, match="n=5000"):
        evaluate.scorecard(x, train, held, n=5000)


def test_format_mean_std_is_the_tables_one_format():
    assert metrics.format_mean_std((15.0, 5.0), ".1f") == "15.0 ± 5.0"
    assert metrics.format_mean_std(metrics.mean_std([0.1, 0.3]), ".3f") == "0.200 ± 0.100"   # population sd
    assert metrics.format_mean_std(metrics.mean_std([None, float("nan")])) == "n/a"
