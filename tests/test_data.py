"""gan_lib.data: the shipped digits, the fixed split, checks, scaling and batches."""

import keras
import numpy as np
import pytest

from gan_lib import data
from gan_lib.data import DataError

CLASS_COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]


@pytest.fixture(scope="module")
def raw():
    return data.load_shipped_raw()


@pytest.fixture(scope="module")
def split():
    return data.load_split()


@pytest.fixture(scope="module")
def train_set():
    return data.load_digits("train", verbose=False)


@pytest.fixture(scope="module")
def heldout_set():
    return data.load_digits("heldout", verbose=False)


def _valid_images(n=4):
    return np.random.default_rng(0).uniform(-1, 1, (n, 28, 28, 1)).astype(np.float32)


# --------------------------------------------------------------------------- the shipped file and the split


def test_shipped_file_holds_10000_uint8_digits_with_known_class_counts(raw):
    x, y = raw
    assert x.shape == (10000, 28, 28)
    assert x.dtype == np.uint8
    assert y.shape == (10000,)
    assert np.bincount(y, minlength=10).tolist() == CLASS_COUNTS
    assert x.max() == 255 and x.min() == 0  # real pixels, not an empty array


def test_stored_split_equals_make_split_exactly(raw, split):
    _, y = raw
    train_idx, heldout_idx = split
    rebuilt_train, rebuilt_heldout = data.make_split(y)
    np.testing.assert_array_equal(train_idx, rebuilt_train)  # same members, same order
    np.testing.assert_array_equal(heldout_idx, rebuilt_heldout)


def test_split_is_disjoint_complete_8000_2000(split):
    train_idx, heldout_idx = split
    assert len(train_idx) == 8000 and len(heldout_idx) == 2000
    assert len(np.unique(train_idx)) == 8000 and len(np.unique(heldout_idx)) == 2000
    assert len(np.intersect1d(train_idx, heldout_idx)) == 0
    np.testing.assert_array_equal(np.sort(np.concatenate([train_idx, heldout_idx])), np.arange(10000))


def test_split_is_stratified_20_percent_of_each_digit(raw, split):
    _, y = raw
    _, heldout_idx = split
    per_class = np.bincount(y[heldout_idx], minlength=10)
    assert per_class.tolist() == [round(0.2 * c) for c in CLASS_COUNTS]


def test_split_prefixes_are_class_mixed(raw, split):
    """The shipped file is grouped by digit; the stored orders are shuffled so a prefix mixes classes."""
    _, y = raw
    train_idx, heldout_idx = split
    assert len(np.unique(y[:100])) == 1  # raw file: grouped
    assert len(np.unique(y[train_idx[:100]])) == 10
    assert len(np.unique(y[heldout_idx[:100]])) == 10


def test_make_split_depends_on_seed_only(raw):
    _, y = raw
    a = data.make_split(y, seed=1)
    b = data.make_split(y, seed=1)
    c = data.make_split(y, seed=2)
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(np.sort(a[1]), np.sort(c[1]))


# --------------------------------------------------------------------------- load_digits


def test_load_digits_train_format_and_printed_line(capsys, raw, split):
    d = data.load_digits("train")
    out = capsys.readouterr().out
    assert out.startswith("Data:")
    assert "train split" in out and "8,000" in out
    assert d.images.dtype == np.float32
    assert d.images.shape == (8000, 28, 28, 1)
    assert d.images.min() == -1.0 and d.images.max() == 1.0
    assert d.labels.shape == (8000,)
    x, y = raw
    np.testing.assert_array_equal(d.labels, y[split[0]])
    np.testing.assert_array_equal(data.to_uint8(d.images)[..., 0], x[split[0]])
    assert d.description in out


def test_load_digits_heldout_names_its_split(capsys, heldout_set, raw, split):
    d = data.load_digits("heldout")
    out = capsys.readouterr().out
    assert out.startswith("Data:")
    assert "held-out" in out and "2,000" in out
    assert d.images.shape == (2000, 28, 28, 1)
    np.testing.assert_array_equal(d.labels, raw[1][split[1]])
    np.testing.assert_array_equal(d.images, heldout_set.images)


def test_load_digits_verbose_false_prints_nothing(capsys):
    data.load_digits("heldout", limit=5, verbose=False)
    assert capsys.readouterr().out == ""


def test_limit_gives_a_prefix_and_says_so(capsys, train_set):
    d = data.load_digits("train", limit=100)
    out = capsys.readouterr().out
    assert "first 100 used" in out
    np.testing.assert_array_equal(d.images, train_set.images[:100])
    np.testing.assert_array_equal(d.labels, train_set.labels[:100])


@pytest.mark.parametrize("limit", [0, -5, 2.5, "10"])
def test_bad_limit_is_refused(limit):
    with pytest.raises(ValueError, match="limit"):
        data.load_digits("train", limit=limit, verbose=False)


def test_unknown_source_lists_valid_sources():
    with pytest.raises(ValueError) as e:
        data.load_digits("train", source="cifar")
    msg = str(e.value)
    assert "'cifar'" in msg and "'shipped'" in msg and "'mnist'" in msg


def test_unknown_split_lists_valid_splits():
    with pytest.raises(ValueError) as e:
        data.load_digits("test")
    msg = str(e.value)
    assert "'test'" in msg and "train" in msg and "heldout" in msg


# --------------------------------------------------------------------------- missing and broken files


def test_missing_file_is_a_data_error_that_says_what_to_do(tmp_path):
    for load in (data.load_shipped_raw, data.load_split):
        with pytest.raises(DataError) as e:
            load(tmp_path / "nope.npz")
        msg = str(e.value)
        assert "not found" in msg and "nope.npz" in msg
        assert "git checkout -- gan_lib/data" in msg


def test_garbage_file_is_a_data_error_that_says_what_to_do(tmp_path):
    path = tmp_path / "garbage.npz"
    path.write_bytes(b"\x00\x13 this is not an npz file \xff" * 20)
    for load in (data.load_shipped_raw, data.load_split):
        with pytest.raises(DataError) as e:
            load(path)
        msg = str(e.value)
        assert "corrupt" in msg and "garbage.npz" in msg
        assert "git checkout -- gan_lib/data" in msg


def test_truncated_file_is_a_data_error(tmp_path):
    path = tmp_path / "truncated.npz"
    b = data.SHIPPED_FILE.read_bytes()
    path.write_bytes(b[: len(b) // 2])
    with pytest.raises(DataError, match="corrupt"):
        data.load_shipped_raw(path)


def test_damaged_compressed_data_is_a_data_error(tmp_path):
    """Bytes flipped inside the compressed arrays (a well-formed zip around them)."""
    original = data.SHIPPED_FILE.read_bytes()
    for offset in (200, 1000, 4454, len(original) // 2):
        damaged = bytearray(original)
        for i in range(offset, offset + 16):
            damaged[i] ^= 0x5A
        path = tmp_path / f"damaged_{offset}.npz"
        path.write_bytes(bytes(damaged))
        with pytest.raises(DataError, match="corrupt"):
            data.load_shipped_raw(path)


def test_file_without_the_expected_arrays_is_a_data_error(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, a=np.zeros(3))
    with pytest.raises(DataError) as e:
        data.load_shipped_raw(path)
    assert "'x'" in str(e.value) and "'a'" in str(e.value)
    with pytest.raises(DataError, match="train_idx"):
        data.load_split(path)


def test_pickled_object_arrays_are_refused_not_executed(tmp_path):
    path = tmp_path / "objects.npz"
    np.savez(path, x=np.array([None, 1], dtype=object), y=np.zeros(2))
    with pytest.raises(DataError, match="corrupt"):
        data.load_shipped_raw(path)


def test_wrong_dtype_is_a_data_error(tmp_path):
    path = tmp_path / "float.npz"
    np.savez(path, x=np.zeros((3, 28, 28), np.float32), y=np.zeros(3, np.uint8))
    with pytest.raises(DataError, match="uint8"):
        data.load_shipped_raw(path)


# --------------------------------------------------------------------------- check_images


def test_check_images_accepts_valid_and_returns_float32():
    x = _valid_images().astype(np.float64)
    out = data.check_images(x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, x, atol=1e-7)


def test_check_images_rejects_uint8_and_says_how_to_convert():
    with pytest.raises(ValueError) as e:
        data.check_images(np.zeros((2, 28, 28, 1), np.uint8))
    assert "uint8" in str(e.value) and "to_model_range" in str(e.value)


def test_check_images_rejects_a_single_image():
    with pytest.raises(ValueError) as e:
        data.check_images(np.zeros((28, 28, 1), np.float32))
    assert "one image" in str(e.value) and "(N," in str(e.value)


def test_check_images_missing_channel_axis_hints_x_none():
    with pytest.raises(ValueError) as e:
        data.check_images(np.zeros((5, 28, 28), np.float32))
    assert "(5, 28, 28)" in str(e.value) and "x[..., None]" in str(e.value)


def test_check_images_other_wrong_shape_has_no_channel_hint():
    with pytest.raises(ValueError) as e:
        data.check_images(np.zeros((5, 32, 32, 3), np.float32))
    assert "(5, 32, 32, 3)" in str(e.value) and "expected (N, 28, 28, 1)" in str(e.value)
    assert "x[..., None]" not in str(e.value)


def test_check_images_rejects_empty():
    with pytest.raises(ValueError, match="empty"):
        data.check_images(np.zeros((0, 28, 28, 1), np.float32))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_check_images_rejects_nan_and_inf(bad):
    x = _valid_images()
    x[1, 3, 4, 0] = bad
    with pytest.raises(ValueError, match="NaN or inf"):
        data.check_images(x)


def test_check_images_0_255_floats_get_the_divide_hint():
    x = np.full((2, 28, 28, 1), 200.0, np.float32)
    x[0, 0, 0, 0] = 0.0
    with pytest.raises(ValueError) as e:
        data.check_images(x)
    msg = str(e.value)
    assert "expected values in [-1, 1]" in msg and "divide by 127.5" in msg


def test_check_images_slightly_out_of_range_has_no_divide_hint():
    x = _valid_images()
    x[0, 0, 0, 0] = 1.5
    with pytest.raises(ValueError) as e:
        data.check_images(x)
    assert "expected values in [-1, 1]" in str(e.value)
    assert "127.5" not in str(e.value)


def test_check_images_uses_the_given_name():
    with pytest.raises(ValueError, match="^fakes "):
        data.check_images(np.zeros((0, 28, 28, 1)), name="fakes")


# --------------------------------------------------------------------------- scaling


def test_to_model_range_maps_0_255_to_minus1_1_with_channel_axis():
    x = np.array([[[0, 255], [128, 127]]], np.uint8)  # (1, 2, 2)
    out = data.to_model_range(x)
    assert out.dtype == np.float32 and out.shape == (1, 2, 2, 1)
    np.testing.assert_allclose(out[0, :, :, 0], [[-1.0, 1.0], [128 / 127.5 - 1, 127 / 127.5 - 1]], atol=1e-6)


def test_to_model_range_and_to_uint8_round_trip(raw):
    x = raw[0][::10]
    back = data.to_uint8(data.to_model_range(x))
    assert back.dtype == np.uint8
    np.testing.assert_array_equal(back[..., 0], x)


def test_to_uint8_clips_out_of_range():
    np.testing.assert_array_equal(data.to_uint8(np.array([-3.0, -1.0, 0.0, 1.0, 7.0])), [0, 0, 128, 255, 255])


# --------------------------------------------------------------------------- batches


def test_epoch_order_is_a_permutation():
    order = data.epoch_order(100, seed=3, epoch=0)
    np.testing.assert_array_equal(np.sort(order), np.arange(100))


def test_epoch_order_is_a_pure_function_of_seed_and_epoch():
    np.testing.assert_array_equal(data.epoch_order(100, 3, 5), data.epoch_order(100, 3, 5))
    assert not np.array_equal(data.epoch_order(100, 3, 5), data.epoch_order(100, 3, 6))
    assert not np.array_equal(data.epoch_order(100, 3, 5), data.epoch_order(100, 4, 5))


def _indexed_images(n):
    """Images whose every pixel is their own index, so a batch tells which images it holds."""
    return np.broadcast_to(np.arange(n, dtype=np.float32)[:, None, None, None], (n, 28, 28, 1)).copy()


def test_training_batches_follow_epoch_order_with_full_batches():
    n, bs, seed = 10, 3, 7
    batches = [b.numpy() for b in data.training_batches(_indexed_images(n), bs, seed, first_epoch=1, last_epoch=3)]
    steps = n // bs
    assert len(batches) == 2 * steps
    assert all(b.shape == (bs, 28, 28, 1) for b in batches)
    seen = np.concatenate([b[:, 0, 0, 0] for b in batches]).astype(int)
    expected = np.concatenate([data.epoch_order(n, seed, e)[: steps * bs] for e in (1, 2)])
    np.testing.assert_array_equal(seen, expected)


def test_training_batches_resume_sees_the_same_batches():
    x = _indexed_images(12)
    full = [b.numpy() for b in data.training_batches(x, 4, 0, 0, 3)]
    resumed = [b.numpy() for b in data.training_batches(x, 4, 0, 2, 3)]
    assert len(resumed) == 3
    for a, b in zip(full[-3:], resumed):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("batch_size", [0, -4, 2.0])
def test_training_batches_bad_batch_size(batch_size):
    with pytest.raises(ValueError, match="batch_size.*positive whole number"):
        data.training_batches(_indexed_images(8), batch_size, 0, 0, 1)


def test_training_batches_batch_larger_than_data():
    with pytest.raises(ValueError) as e:
        data.training_batches(_indexed_images(8), 9, 0, 0, 1)
    assert "larger than the data" in str(e.value) and "at most 8" in str(e.value)


# --------------------------------------------------------------------------- full MNIST (offline)


def test_full_mnist_without_internet_says_where_to_put_the_file(monkeypatch):
    def no_internet(*args, **kwargs):
        raise OSError("Temporary failure in name resolution")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", no_internet)
    with pytest.raises(DataError) as e:
        data.load_digits("train", source="mnist", verbose=False)
    msg = str(e.value)
    assert "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz" in msg
    assert "~/.keras/datasets" in msg
    assert "source='shipped'" in msg
    assert "name resolution" in msg  # the cause is shown too


def test_full_mnist_drops_digits_identical_to_heldout_ones(monkeypatch, capsys, raw, split):
    x_raw, _ = raw
    rng = np.random.default_rng(0)
    fresh = rng.integers(0, 256, (20, 28, 28), dtype=np.uint8)
    copies = x_raw[split[1][[0, 5, 17]]]
    fake_x = np.concatenate([fresh[:10], copies, fresh[10:]])
    fake_y = np.arange(len(fake_x), dtype=np.uint8) % 10

    def fake_load_data(*args, **kwargs):
        return (fake_x, fake_y), (fake_x[:2], fake_y[:2])

    monkeypatch.setattr(keras.datasets.mnist, "load_data", fake_load_data)
    d = data.load_digits("train", source="mnist")
    out = capsys.readouterr().out
    assert out.startswith("Data:")
    assert "3 identical to held-out digits removed" in d.description and "20 digits" in d.description
    assert d.images.shape == (20, 28, 28, 1)
    np.testing.assert_array_equal(data.to_uint8(d.images)[..., 0], fresh)
    np.testing.assert_array_equal(d.labels, np.concatenate([fake_y[:10], fake_y[13:]]))


def test_full_mnist_heldout_is_still_the_shipped_heldout(monkeypatch, heldout_set):
    def must_not_download(*args, **kwargs):
        raise AssertionError("held-out digits must not come from keras.datasets")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", must_not_download)
    d = data.load_digits("heldout", source="mnist", verbose=False)
    np.testing.assert_array_equal(d.images, heldout_set.images)


@pytest.mark.parametrize("bad", [10, 255])
def test_labels_outside_0_to_9_are_a_data_error(tmp_path, bad):
    path = tmp_path / "labels.npz"
    y = np.zeros(3, np.uint8)
    y[1] = bad
    np.savez(path, x=np.zeros((3, 28, 28), np.uint8), y=y)
    with pytest.raises(DataError, match=f"labels outside the digits 0..9.*range 0..{bad}"):
        data.load_shipped_raw(path)


def test_a_bool_limit_is_refused():
    with pytest.raises(ValueError, match="limit=True"):
        data.load_digits("train", limit=True, verbose=False)
