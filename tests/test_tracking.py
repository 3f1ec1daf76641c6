"""gan_lib.lessons.tracking and the QualityTracker callback it reads: per-epoch rows, budgets, the plot."""

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from gan_lib import callbacks, config, data, tracking, train  # noqa: E402


@pytest.fixture(scope="module")
def rows():
    config.set_determinism(0)
    gan = train.build_gan("mlp", seed=0, lr=5e-4, beta_1=0.5, loss="nonsaturating", ema_decay=0.999)
    images = data.load_digits("train", limit=128, verbose=False).images
    tracker = callbacks.QualityTracker(n=200, raw_too=True, extra=lambda g: {"latent_dim": g.latent_dim})
    gan.fit_images(images, 32, 2, callbacks=[tracker])
    return tracker.rows


def test_one_row_per_epoch_with_the_protocols_numbers(rows):
    assert [r["epoch"] for r in rows] == [1, 2]
    for r in rows:
        for key in ("seconds", "d_loss", "g_loss", "fd", "fd_floor", "classifier_score", "min_share",
                    "fd_raw", "classifier_score_raw", "min_share_raw"):
            assert key in r, key
        assert len(r["class_shares"]) == 10 and abs(sum(r["class_shares"]) - 1) < 1e-3
        assert r["min_share"] == min(r["class_shares"])
        assert r["fd"] > r["fd_floor"] > 0
        assert r["latent_dim"] == 100  # the extra columns (the mlp model draws 100 numbers)
    assert 0 < rows[0]["seconds"] <= rows[1]["seconds"]


def test_format_rows_and_plot(rows):
    text = tracking.format_rows(rows, shares=True)
    assert text.count("\n") == 1 and "FD" in text and "shares" in text
    assert "FD" in tracking.format_rows(rows, suffix="_raw")
    fig = tracking.plot_quality({"mlp": rows}, floor=rows[-1]["fd_floor"])
    assert len(fig.axes) == 2 and fig.axes[0].get_yscale() == "log"


def test_batch_larger_than_data_is_refused():
    gan = train.build_gan("mlp", seed=0, lr=5e-4, beta_1=0.5, loss="nonsaturating", ema_decay=None)
    with pytest.raises(ValueError, match="larger than the data"):
        gan.fit_images(data.load_digits("train", limit=8, verbose=False).images, 16, 1,
                       callbacks=[callbacks.QualityTracker()])
