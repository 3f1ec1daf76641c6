"""The shipped emoji (gan_lib/data/emoji32.npz): what it holds, its split, the loader's errors on
bad files, and scripts/make_emoji.py checked on a made-up package whose pixels are known."""

import io
import json
import re
import sys
import tarfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from gan_lib.data import DataError, colour

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import make_emoji  # noqa: E402


def test_the_shipped_set():
    train, held = colour.load_emoji_raw("train"), colour.load_emoji_raw("heldout")
    assert (len(train.images), len(held.images)) == (1525, 381)
    assert train.images.dtype == np.uint8 and train.images.shape[1:] == (32, 32, 3)
    assert len(train.categories) == 9 and "Flags" in train.categories and "Component" not in train.categories
    counts = np.bincount(np.r_[train.category, held.category], minlength=9)
    assert counts.sum() == 1906 and counts.min() == 85  # Activities, the smallest category
    corners = np.r_[train.images[:, 0, 0], train.images[:, -1, -1]]
    assert np.mean(np.all(corners == 255, axis=1)) > 0.5  # white background where the icon is transparent
    assert len({im.tobytes() for im in train.images}) > 1500  # nearly all distinct
    with_tones = colour.load_emoji_raw("train", skin_tones=True)
    assert len(with_tones.images) + len(colour.load_emoji_raw("heldout", skin_tones=True).images) == 3781


def test_no_emoji_has_a_recoloured_twin_across_the_split():
    with np.load(colour.EMOJI_FILE) as f:
        group, held = f["group"], f["heldout"]
    for g in np.unique(group):
        assert len(set(held[group == g])) == 1, f"emoji group {g} straddles the split"


def test_load_colour_says_which_data_it_uses(capsys):
    c = colour.load_colour("heldout", source="emoji", limit=10)
    assert c.source == "emoji" and c.images.shape == (10, 32, 32, 3)
    assert -1.0 <= c.images.min() and c.images.max() <= 1.0
    out = capsys.readouterr().out
    assert out.startswith("Data: EMOJI (not CIFAR-10)") and "icons rather than photographs" in out


def _save(tmp_path, **arrays):
    with np.load(colour.EMOJI_FILE) as f:
        good = {k: f[k][:20] for k in f.files if f[k].ndim}
    path = tmp_path / "emoji32.npz"
    np.savez(path, **{**good, "categories": np.array(["a", "b", "c", "d", "e", "f", "g", "h", "i"]), **arrays})
    return path


@pytest.mark.parametrize("make, message", [
    (lambda tmp: tmp / "nope.npz", "Data file not found"),
    (lambda tmp: (tmp / "bad.npz").write_bytes(b"not a zip") and tmp / "bad.npz", "is corrupt or not an .npz"),
    (lambda tmp: _save(tmp, images=np.zeros((20, 28, 28, 3), np.uint8)), "expected uint8 (N, 32, 32, 3)"),
    (lambda tmp: _save(tmp, category=np.full(20, 12, np.int8)), "category indices outside 0..8"),
    (lambda tmp: _save(tmp, heldout=np.zeros(5, bool)), "expected uint8 (N, 32, 32, 3) and N of each"),
])
def test_bad_files_are_refused_with_what_to_do(tmp_path, make, message):
    with pytest.raises(DataError, match=re.escape(message)) as e:
        colour.load_emoji_raw("train", path=make(tmp_path))
    assert "make_emoji.py" in str(e.value) or "git checkout" in str(e.value)


def _png(rgba):
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, format="PNG")
    return buf.getvalue()


def test_make_emoji_composites_over_white_and_averages_2x2(tmp_path):
    left_red = np.zeros((64, 64, 4), np.uint8)
    left_red[:, :32] = (255, 0, 0, 255)                    # opaque red left half, transparent right half
    half_blue = np.zeros((64, 64, 4), np.uint8)
    half_blue[:, :] = (0, 0, 255, 128)                     # blue at alpha 128 everywhere
    stripes = np.zeros((64, 64, 4), np.uint8)
    stripes[::2] = (0, 0, 0, 255)                          # black every other row: 2x2 average is grey
    entries = [
        {"name": "RED", "image": "a.png", "category": "Symbols", "sort_order": 2, "has_img_google": True},
        {"name": "BLUE", "image": "b.png", "category": "Objects", "sort_order": 1, "has_img_google": True,
         "skin_variations": {"1F3FB": {"image": "c.png", "has_img_google": True}}},
        {"name": "SWATCH", "image": "d.png", "category": "Component", "sort_order": 3, "has_img_google": True},
    ]
    tarball = tmp_path / "pkg.tgz"
    with tarfile.open(tarball, "w:gz") as tar:
        for name, data in [("package/emoji.json", json.dumps(entries).encode()),
                           ("package/img/google/64/a.png", _png(left_red)),
                           ("package/img/google/64/b.png", _png(half_blue)),
                           ("package/img/google/64/c.png", _png(stripes)),
                           ("package/img/google/64/d.png", _png(left_red))]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    a = make_emoji.build(tarball)
    assert list(a["names"]) == ["BLUE", "BLUE (skin tone)", "RED"]       # by sort order; Component left out
    assert list(a["categories"]) == ["Objects", "Symbols"] and list(a["category"]) == [0, 0, 1]
    assert list(a["group"]) == [0, 0, 1]
    blue, grey, red = a["images"]
    assert np.all(red[:, :16] == (255, 0, 0)) and np.all(red[:, 16:] == (255, 255, 255))
    assert np.allclose(blue, (127, 127, 255), atol=1)                     # half blue over white
    assert np.allclose(grey, 127.5, atol=1)                               # black and white rows averaged
    assert len(set(a["heldout"][a["group"] == 0])) == 1
