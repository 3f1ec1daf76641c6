"""Lesson 02's FD ladder: real digits spoiled in known ways, scored by the course's protocol.

The ladder is only a reading aid if each rung does what its name says and the
protocol ranks the rungs the way the spoiling implies; these tests check both
on hand-made inputs and on the shipped digits.
"""

import numpy as np
import pytest

from gan_lib import data
from gan_lib.lessons import vanilla


def test_blur_matrix_rows_sum_to_one_and_spread_like_a_gaussian():
    b = vanilla._blur_matrix(28, 1.0)
    assert np.allclose(b.sum(1), 1.0)
    # away from the border a row is exp(-k^2 / 2) normalised: the neighbour weighs exp(-1/2) of the centre
    assert b[14, 15] / b[14, 14] == pytest.approx(np.exp(-0.5))
    assert b[14, 16] / b[14, 14] == pytest.approx(np.exp(-2.0))


def test_spoil_blur_keeps_ink_and_spreads_a_single_pixel():
    x = -np.ones((1, 28, 28, 1), np.float32)
    x[0, 14, 14, 0] = 1.0
    y = vanilla.spoil(x, "blur", 1.0)
    assert y.shape == x.shape
    # a constant image stays constant (rows sum to 1); the bright pixel spreads to its neighbours
    assert np.allclose(vanilla.spoil(-np.ones_like(x), "blur", 1.0), -1.0, atol=1e-6)
    assert y[0, 14, 14, 0] < 1.0 and y[0, 14, 15, 0] > -1.0 and y[0, 14, 15, 0] == pytest.approx(y[0, 15, 14, 0])


def test_spoil_noise_is_clipped_seeded_and_of_the_stated_size():
    x = np.zeros((200, 28, 28, 1), np.float32)
    y = vanilla.spoil(x, "noise", 0.3)
    assert y.min() >= -1 and y.max() <= 1
    assert np.std(y) == pytest.approx(0.3, rel=0.02)
    assert np.array_equal(y, vanilla.spoil(x, "noise", 0.3))  # same seed, same noise
    assert vanilla.spoil(x, "none", 0).base is None and np.array_equal(vanilla.spoil(x, "none", 0), x)


def test_spoil_speckle_flips_the_stated_share_to_black_or_white():
    x = np.zeros((100, 28, 28, 1), np.float32)        # mid-grey, so every flipped pixel shows
    y = vanilla.spoil(x, "speckle", 0.1)
    flipped = y != 0
    assert flipped.mean() == pytest.approx(0.1, abs=0.005)
    assert set(np.unique(y[flipped])) == {-1.0, 1.0} and abs((y[flipped] == 1).mean() - 0.5) < 0.02
    assert np.array_equal(y, vanilla.spoil(x, "speckle", 0.1)) and y.dtype == np.float32
    assert np.array_equal(vanilla.spoil(x, "speckle", 0.0), x)
    with pytest.raises(ValueError, match="share of pixels"):
        vanilla.spoil(x, "speckle", 5)


def test_spoil_classes_keeps_only_the_named_digits():
    real = data.load_digits("train", verbose=False)
    x, y = real.images[:500], real.labels[:500]
    kept = vanilla.spoil(x, "classes", 3, labels=y)
    assert kept.shape == x.shape
    # every kept image is one of the digits 0, 1, 2 of the input
    allowed = {im.tobytes() for im, lab in zip(x, y) if lab < 3}
    assert all(im.tobytes() in allowed for im in kept)


def test_spoil_refuses_bad_input():
    x = np.zeros((2, 28, 28, 1), np.float32)
    with pytest.raises(ValueError, match="labels"):
        vanilla.spoil(x, "classes", 3)
    with pytest.raises(ValueError, match="none, noise, speckle, blur, classes"):
        vanilla.spoil(x, "jitter", 1)


def test_the_ladder_reads_as_its_names_say():
    """Real digits sit at the floor; more noise or blur, or fewer digits, reads worse (n=500 to stay quick)."""
    rows = {r["name"]: r for r in vanilla.fd_ladder(n=500)}
    fd = {k: r["fd"] for k, r in rows.items()}
    assert fd["real training digits"] < 10  # the floor at n=500 is about 7 (FD is biased upwards at small n)
    noise = [fd["real training digits"], fd["pixel noise, std 0.1"], fd["pixel noise, std 0.3"],
             fd["pixel noise, std 0.6"]]
    assert noise == sorted(noise)
    assert fd["blur, std 0.7 pixels"] < fd["blur, std 1.5 pixels"]
    assert fd["only digits 0-4"] < fd["only the digit 0"]
    # one digit: the classifier score is at its minimum and the class shares are all one digit
    assert rows["only the digit 0"]["classifier_score"] < 1.2
    assert rows["only the digit 0"]["kl_to_uniform"] == pytest.approx(np.log(10), abs=0.05)
    assert rows["real training digits"]["classifier_score"] > 9
    assert all(r["images"].shape == (8, 28, 28, 1) for r in rows.values())
