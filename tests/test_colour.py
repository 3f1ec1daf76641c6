"""gan_lib.data.colour: CIFAR-10 read offline from files in the real on-disk format, the loud fallback,
and the stand-in's provenance (every patch re-cut from scikit-image's own photographs)."""

import pickle
import tarfile
import time

import numpy as np
import pytest

from gan_lib import colour
from gan_lib.data import DataError


def _write_batch(path, images_nhwc, labels):
    """A CIFAR-10 python batch exactly as the archive holds it: a pickled dict with bytes keys,
    'data' uint8 (N, 3072) in channel-major order (all red, then green, then blue), 'labels' a list."""
    data = images_nhwc.transpose(0, 3, 1, 2).reshape(len(images_nhwc), 3072)
    d = {b"batch_label": b"training batch 1 of 5", b"labels": [int(v) for v in labels], b"data": data,
         b"filenames": [f"img_{i}.png".encode() for i in range(len(labels))]}
    with open(path, "wb") as f:
        pickle.dump(d, f, protocol=2)


def _fake_cifar(folder, n=4, seed=0):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    written = {}
    for name in colour.CIFAR_FILES:
        x = rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)
        y = rng.integers(0, 10, n)
        _write_batch(folder / name, x, y)
        written[name] = (x, y)
    return written


def test_reads_extracted_batches_in_keras_layout(tmp_path):
    written = _fake_cifar(colour.cifar10_dir(tmp_path))
    (xtr, ytr), (xte, yte) = colour.load_cifar10(tmp_path, download=False)
    assert xtr.shape == (20, 32, 32, 3) and xtr.dtype == np.uint8 and xte.shape == (4, 32, 32, 3)
    np.testing.assert_array_equal(xtr[:4], written["data_batch_1"][0])  # channel order restored exactly
    np.testing.assert_array_equal(xtr[16:], written["data_batch_5"][0])
    np.testing.assert_array_equal(ytr[4:8], written["data_batch_2"][1])
    np.testing.assert_array_equal(xte, written["test_batch"][0])
    np.testing.assert_array_equal(yte, written["test_batch"][1])


def test_decodes_the_planar_format(tmp_path):
    data = np.zeros((1, 3072), np.uint8)
    data[0, 1] = 255           # red plane, row 0, column 1
    data[0, 1024 + 32] = 7     # green plane, row 1, column 0
    path = tmp_path / "b"
    with open(path, "wb") as f:
        pickle.dump({b"data": data, b"labels": [3]}, f, protocol=2)
    x, y = colour.read_cifar_batch(path)
    assert x.shape == (1, 32, 32, 3) and y.tolist() == [3]
    assert x[0, 0, 1, 0] == 255 and x[0, 1, 0, 1] == 7 and int(x.sum()) == 262


def test_extracts_a_hand_placed_archive(tmp_path):
    src = tmp_path / "src" / "cifar-10-batches-py"
    written = _fake_cifar(src, n=2)
    home = tmp_path / "home"
    (home / "datasets").mkdir(parents=True)
    with tarfile.open(home / "datasets" / colour.CIFAR_ARCHIVE, "w:gz") as tar:
        tar.add(src, arcname="cifar-10-batches-py")
    (xtr, _), (xte, _) = colour.load_cifar10(home, download=False)
    assert len(xtr) == 10 and (colour.cifar10_dir(home) / "test_batch").exists()
    np.testing.assert_array_equal(xte, written["test_batch"][0])


def test_missing_data_fails_fast_and_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setattr(colour, "online", lambda *a, **k: False)
    t = time.perf_counter()
    with pytest.raises(DataError, match=r"cifar-10-python\.tar\.gz.*data_batch_1.*Colab"):
        colour.load_cifar10(tmp_path)
    assert time.perf_counter() - t < 5


def test_a_pickle_that_would_run_code_is_refused(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    path = tmp_path / "data_batch_1"
    with open(path, "wb") as f:
        pickle.dump({b"data": Evil(), b"labels": []}, f, protocol=2)
    with pytest.raises(DataError, match="not a readable CIFAR-10 batch.*refusing to load __builtin__.print"):
        colour.read_cifar_batch(path)


def test_truncated_batch_is_a_data_error(tmp_path):
    _fake_cifar(tmp_path / "x")
    p = tmp_path / "x" / "data_batch_1"
    p.write_bytes(p.read_bytes()[:100])
    with pytest.raises(DataError, match="not a readable CIFAR-10 batch.*download it"):
        colour.read_cifar_batch(p)


def test_load_colour_prefers_cifar_and_scales(tmp_path):
    _fake_cifar(colour.cifar10_dir(tmp_path), n=3)
    d = colour.load_colour("train", home=tmp_path, download=False, verbose=False)
    assert d.source == "cifar10" and d.images.shape == (15, 32, 32, 3) and d.images.dtype == np.float32
    assert d.images.min() >= -1 and d.images.max() <= 1 and "CIFAR-10" in d.description
    assert "STAND-IN" not in d.description
    h = colour.load_colour("heldout", home=tmp_path, download=False, verbose=False, limit=2)
    assert h.images.shape == (2, 32, 32, 3)
    with pytest.raises(DataError):
        colour.load_colour("train", source="cifar10", home=tmp_path / "empty", download=False)


def test_fallback_to_the_shipped_emoji_is_loud(tmp_path, capsys):
    d = colour.load_colour("train", home=tmp_path, download=False, limit=10)
    out = capsys.readouterr().out
    assert d.source == "emoji" and "not CIFAR-10" in d.description and d.images.shape == (10, 32, 32, 3)
    assert "CIFAR-10 is not on this machine" in out and "NOT CIFAR-10" in out and "to measure in Colab" in out
    assert "Data: EMOJI (not CIFAR-10)" in out
    assert colour.load_colour("train", home=tmp_path, download=False, verbose=False).images.shape[0] == 1525


@pytest.mark.parametrize("kwargs,message", [
    (dict(split="test"), "split='test'"), (dict(source="imagenet"), "source='imagenet'"),
    (dict(limit=0), "limit=0"), (dict(limit=2.5), "limit=2.5"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        colour.load_colour(verbose=False, **{"source": "standin", **kwargs})


# --------------------------------------------------------------------------- the stand-in


@pytest.fixture(scope="module")
def standin():
    return colour.standin_patches()


def test_stand_in_holds_the_distinct_images_it_claims(standin):
    x, where = standin
    assert x.shape[1:] == (32, 32, 3) and x.dtype == np.uint8
    distinct = len({p.tobytes() for p in x})
    assert distinct == len(x) >= colour.STANDIN_MIN_DISTINCT
    assert set(where[:, 0]) == set(range(len(colour.STANDIN_PHOTOS)))  # every photograph contributes
    assert float(x.reshape(len(x), -1).std(1).min()) >= colour.STANDIN_MIN_STD  # no flat patches


def test_every_sampled_patch_is_cut_from_the_scikit_image_photograph(standin):
    """Re-cut patches straight from skimage.data's files and compare them byte for byte."""
    import skimage.data
    from PIL import Image

    x, where = standin
    rng = np.random.default_rng(0)
    for i in rng.choice(len(x), 40, replace=False):
        p, short, r, c = (int(v) for v in where[i])
        photo = np.asarray(getattr(skimage.data, colour.STANDIN_PHOTOS[p])())[..., :3]
        h, w = photo.shape[:2]
        s = short / min(h, w)
        img = np.asarray(Image.fromarray(photo).resize((max(32, round(w * s)), max(32, round(h * s))),
                                                       Image.LANCZOS))
        np.testing.assert_array_equal(x[i], img[r:r + 32, c:c + 32])


def test_stand_in_is_not_noise(standin):
    """Neighbouring pixels of photographs are strongly correlated; noise's are not."""
    x = standin[0].astype(np.float64)
    a, b = x[:, :, :-1].reshape(-1), x[:, :, 1:].reshape(-1)
    assert np.corrcoef(a, b)[0, 1] > 0.8


def test_stand_in_split_is_fixed_and_disjoint(standin):
    tr = colour.load_colour("train", source="standin", verbose=False).images
    held = colour.load_colour("heldout", source="standin", verbose=False).images
    assert len(tr) + len(held) == len(standin[0])
    assert len(held) == round(colour.HELDOUT_FRACTION * len(standin[0]))
    keys = {p.tobytes() for p in tr}
    assert not any(p.tobytes() in keys for p in held)
    again = colour.load_colour("train", source="standin", verbose=False, limit=50).images
    np.testing.assert_array_equal(again, tr[:50])
