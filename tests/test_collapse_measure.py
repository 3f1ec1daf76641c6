"""two_sample.distinct_share, calibrated on collapses made on purpose: k repeated real images must
read as collapsed, real training images and a held-out split must not (negative controls)."""

import numpy as np
import pytest

from gan_lib.data import colour, load_digits
from gan_lib.measure import two_sample


def _sets(name):
    if name == "emoji":
        return (colour.load_colour("train", source="emoji", verbose=False).images,
                colour.load_colour("heldout", source="emoji", verbose=False).images)
    return load_digits("train", verbose=False).images, load_digits("heldout", verbose=False).images


@pytest.fixture(scope="module", params=["emoji", "digits"])
def data(request):
    return _sets(request.param)


@pytest.mark.parametrize("k", [1, 2, 8, 64])
@pytest.mark.parametrize("noise", [0.0, 0.03])
def test_k_repeated_images_read_as_collapsed(data, k, noise):
    train, held = data
    rng = np.random.default_rng(k)
    picks = train[rng.choice(len(train), k, replace=False)]
    samples = picks[rng.integers(0, k, 500)] + noise * rng.standard_normal((500, *train.shape[1:]))
    r = two_sample.distinct_share(samples, held)
    assert r["collapsed"], r
    assert r["distinct"] <= k if noise == 0 else r["distinct_share"] < two_sample.COLLAPSE_SHARE


def test_real_images_do_not_read_as_collapsed(data):
    train, held = data
    for samples, reference in ((train[:500], held), (held[:380], train[:1000])):
        r = two_sample.distinct_share(samples, reference)
        assert not r["collapsed"] and r["distinct_share"] > 0.95, r


def test_counts_by_hand():
    ref = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])   # nearest-neighbour distances: 1/sqrt2, 1/sqrt2, 1/sqrt2
    samples = np.array([[0.0, 0.0], [0.1, 0.0], [1.0, 1.0], [0.3, 0.0]])
    r = two_sample.distinct_share(samples, ref, tolerance=0.25 * np.sqrt(2))  # threshold 0.25 (RMS over 2 pixels)
    assert r["threshold"] == pytest.approx(0.25)
    # RMS distance [0,0]-[0.1,0] = 0.0707 < 0.25: same; [0.3,0] is 0.212 from [0,0]: same; [1,1]: distinct
    assert (r["distinct"], r["n"]) == (2, 4) and r["distinct_share"] == 0.5 and not r["collapsed"]


def test_bad_input():
    with pytest.raises(ValueError, match="at least two images"):
        two_sample.distinct_share(np.zeros((1, 4)), np.zeros((5, 4)))
    with pytest.raises(ValueError, match="use one shape"):
        two_sample.distinct_share(np.zeros((5, 4)), np.zeros((5, 3)))
