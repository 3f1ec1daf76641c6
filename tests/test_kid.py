"""KID (the unbiased kernel distance) against a hand computation, its unbiasedness across sample
sizes, and the bootstrap interval that says when two models cannot be told apart."""

import numpy as np
import pytest

from gan_lib.measure import evaluate, metrics


def test_kernel_and_mmd_by_hand():
    x = np.array([[1.0, 0.0], [0.0, 1.0]])
    y = np.array([[1.0, 1.0], [0.0, 0.0]])
    # k(a, b) = (a.b / 2 + 1)^3: x1.y1 = 1 -> 3.375, x1.y2 = 0 -> 1, x1.x2 = 0 -> 1, y1.y2 = 0 -> 1
    assert evaluate.polynomial_kernel(x, y) == pytest.approx(np.array([[3.375, 1.0], [3.375, 1.0]]))
    # off-diagonal means 1 and 1; cross mean (3.375 + 1 + 3.375 + 1) / 4 = 2.1875; 1 + 1 - 2 * 2.1875
    assert evaluate.mmd2_unbiased(x, y) == pytest.approx(-2.375)


def test_kid_is_unbiased_where_fd_is_not():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((4000, 16)), rng.standard_normal((4000, 16))   # the same distribution
    small, large = evaluate.kid(a, b, subsets=40, subset_size=100), evaluate.kid(a, b, subsets=10, subset_size=1000)
    assert abs(small["kid"]) < 3 * small["std"] / np.sqrt(40) + 1e-3 and abs(large["kid"]) < 1e-3
    fd_small = np.mean([metrics.frechet_distance(a[i:i + 100], b[i:i + 100]) for i in range(0, 4000, 100)])
    assert fd_small > 10 * metrics.frechet_distance(a, b) > 0       # FD's bias at n = 100 dwarfs its value at 4,000
    shifted = evaluate.kid(a, b + 0.5, subsets=10, subset_size=500)  # a real difference reads clearly above 0
    assert shifted["kid"] > 20 * shifted["std"] / np.sqrt(10)


def test_bootstrap_tells_apart_only_what_differs():
    rng = np.random.default_rng(1)
    real = rng.standard_normal((300, 8))
    near, same, far = rng.standard_normal((300, 8)), rng.standard_normal((300, 8)), rng.standard_normal((300, 8)) + 0.5

    def stat(r, f):
        return evaluate.mmd2_unbiased(r, f)

    sets = {"near": near, "same": same, "far": far}
    ci = {k: evaluate.bootstrap_ci(stat, real, v, repeats=40) for k, v in sets.items()}
    assert ci["far"]["low"] <= ci["far"]["value"] <= ci["far"]["high"]
    assert evaluate.distinguishable(ci["near"], ci["far"]) and not evaluate.distinguishable(ci["near"], ci["same"])


def test_bad_input():
    with pytest.raises(ValueError, match="at least 2 of each"):
        evaluate.mmd2_unbiased(np.zeros((1, 3)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match="subset_size 50"):
        evaluate.kid(np.zeros((40, 3)), np.zeros((40, 3)), subset_size=50)
    with pytest.raises(ValueError, match="level=1.5"):
        evaluate.bootstrap_ci(evaluate.mmd2_unbiased, np.zeros((5, 2)), np.zeros((5, 2)), level=1.5)


def test_paired_bootstrap_shares_the_resamples_and_tells_apart_what_differs():
    rng = np.random.default_rng(2)
    real = rng.standard_normal((200, 4))
    base = rng.standard_normal((200, 4))
    fakes = {"a": base, "a + 0.02": base + 0.02, "far": base + 1.0}

    def mean_shift(r, f):               # a statistic whose value is known: the gap of the first coordinate's means
        return float(f[:, 0].mean() - r[:, 0].mean())

    boot = evaluate.paired_bootstrap(mean_shift, real, fakes, repeats=60, level=0.9, seed=3)
    assert set(boot["rows"]) == set(fakes) and boot["draws"]["a"].shape == (60,)
    assert boot["rows"]["a"]["value"] == pytest.approx(mean_shift(real, base))
    # each model's own interval is about +-0.16 wide (two sets of 200 standard normals) ...
    assert 0.1 < boot["rows"]["a"]["high"] - boot["rows"]["a"]["low"] < 0.5
    # ... so a shift of 0.02 hides inside it: the intervals overlap, ...
    assert not evaluate.distinguishable(boot["rows"]["a"], boot["rows"]["a + 0.02"])
    # ... but resampled with the same real rows and the same indices the difference is 0.02 in every repeat
    paired = evaluate.difference_ci(boot, "a + 0.02", "a")
    assert paired["low"] == pytest.approx(0.02) and paired["high"] == pytest.approx(0.02)
    assert paired["difference"] == pytest.approx(0.02) and paired["distinguishable"]
    far = evaluate.difference_ci(boot, "a", "far")
    assert far["distinguishable"] and far["high"] == pytest.approx(-1.0)
    same = evaluate.difference_ci(boot, "a", "a")
    assert same["low"] == same["high"] == 0 and not same["distinguishable"]


def test_paired_bootstrap_refuses_bad_input():
    x = np.zeros((10, 2))
    with pytest.raises(ValueError, match="same number of samples"):
        evaluate.paired_bootstrap(evaluate.mmd2_unbiased, x, {"a": x, "b": x[:5]})
    with pytest.raises(ValueError, match="should be a dict"):
        evaluate.paired_bootstrap(evaluate.mmd2_unbiased, x, [x])
    boot = evaluate.paired_bootstrap(lambda r, f: 0.0, x, {"a": x}, repeats=2)
    with pytest.raises(ValueError, match="No model named 'b'"):
        evaluate.difference_ci(boot, "a", "b")
