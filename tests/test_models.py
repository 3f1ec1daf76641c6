"""gan_lib.models: parameter counts, shapes, ranges, the 'features' layer, the tutorial's layers."""

import keras
import numpy as np
import pytest
from keras import layers

from gan_lib import models


@pytest.fixture(scope="module")
def pairs():
    keras.utils.set_random_seed(0)
    return {name: models.build(name) for name in models.MODELS}


def test_registry_names():
    assert {"mlp", "tutorial_dcgan", "dcgan"} <= set(models.MODELS)
    # Registration order; lesson 09 adds two DCGAN variants the training CLI can also train.
    assert models.names_for((28, 28, 1)) == ["mlp", "tutorial_dcgan", "dcgan", "dcgan_sa", "dcgan_uniform"]
    assert models.names_for((32, 32, 3)) == ["cifar_article", "cifar_article_sn", "cifar_small", "cifar_small_sn"]


def test_mlp_parameter_counts(pairs):
    g, d = pairs["mlp"]
    # G: 100*128 + 128 + 128*784 + 784; D: 784*128 + 128 + 128 + 1
    assert g.count_params() == 100 * 128 + 128 + 128 * 784 + 784 == 114_064
    assert d.count_params() == 784 * 128 + 128 + 128 + 1 == 100_609


@pytest.mark.parametrize("name", ["mlp", "tutorial_dcgan", "dcgan"])
def test_generator_output_shape_and_range(pairs, name):
    g, _ = pairs[name]
    latent_dim = models.MODELS[name][1]
    assert g.input_shape == (None, latent_dim)
    z = np.random.default_rng(0).normal(scale=3.0, size=(5, latent_dim)).astype(np.float32)
    x = keras.ops.convert_to_numpy(g(z, training=False))
    assert x.shape == (5, 28, 28, 1)
    assert x.min() >= -1.0 and x.max() <= 1.0
    assert x.std() > 0  # not a constant image


@pytest.mark.parametrize("name", ["mlp", "tutorial_dcgan", "dcgan"])
def test_discriminator_outputs_one_logit_per_image(pairs, name):
    _, d = pairs[name]
    x = np.random.default_rng(0).uniform(-1, 1, (6, 28, 28, 1)).astype(np.float32)
    logits = keras.ops.convert_to_numpy(d(x, training=False))
    assert logits.shape == (6, 1)
    assert np.all(np.isfinite(logits))
    assert d.layers[-1].get_config().get("activation") == "linear"  # logits, not probabilities


@pytest.mark.parametrize("name,width", [("mlp", 128), ("tutorial_dcgan", 7 * 7 * 128), ("dcgan", 7 * 7 * 128)])
def test_discriminator_has_a_features_layer(pairs, name, width):
    _, d = pairs[name]
    feat = d.get_layer("features")
    assert feat.output.shape[1:] == (width,)
    # the layer right before the output layer
    assert d.layers[-2] is feat


@pytest.mark.parametrize("name", ["mlp", "tutorial_dcgan", "dcgan"])
def test_generator_ends_in_tanh(pairs, name):
    g, _ = pairs[name]
    acts = [l.get_config().get("activation") for l in g.layers if "activation" in l.get_config()]
    assert acts[-1] == "tanh"


def test_tutorial_dcgan_layers(pairs):
    g, d = pairs["tutorial_dcgan"]
    dense = [l for l in g.layers if isinstance(l, layers.Dense)]
    assert len(dense) == 1
    assert dense[0].units == 7 * 7 * 256 and dense[0].use_bias is False
    deconv = [l for l in g.layers if isinstance(l, layers.Conv2DTranspose)]
    assert [l.filters for l in deconv] == [128, 64, 1]
    assert [l.strides for l in deconv] == [(1, 1), (2, 2), (2, 2)]
    assert all(l.kernel_size == (5, 5) and l.use_bias is False for l in deconv)
    assert sum(isinstance(l, layers.BatchNormalization) for l in g.layers) == 3

    convs = [l for l in d.layers if isinstance(l, layers.Conv2D)]
    assert [l.filters for l in convs] == [64, 128]
    assert all(l.kernel_size == (5, 5) and l.strides == (2, 2) for l in convs)
    dropouts = [l for l in d.layers if isinstance(l, layers.Dropout)]
    assert [l.rate for l in dropouts] == [0.3, 0.3]


def test_course_dcgan_has_no_batchnorm_or_dropout_in_d(pairs):
    _, d = pairs["dcgan"]
    assert not any(isinstance(l, (layers.BatchNormalization, layers.Dropout)) for l in d.layers)


def test_custom_latent_dim():
    g, _ = models.build("dcgan", latent_dim=16)
    assert g.input_shape == (None, 16)
    x = g(np.zeros((2, 16), np.float32), training=False)
    assert tuple(x.shape) == (2, 28, 28, 1)


def test_unknown_model_lists_valid_names():
    with pytest.raises(ValueError) as e:
        models.build("stylegan")
    msg = str(e.value)
    assert "'stylegan'" in msg
    for name in models.MODELS:
        assert f"'{name}'" in msg


@pytest.mark.parametrize("bad", [0, -3, 2.5, "64"])
def test_bad_latent_dim(bad):
    with pytest.raises(ValueError, match="latent_dim"):
        models.build("mlp", latent_dim=bad)


def test_numpy_integer_latent_dim_is_accepted():
    g, _ = models.build("mlp", latent_dim=np.int64(8))
    assert g.input_shape == (None, 8)


def test_layer_table_rows_names_and_trainable_count():
    import keras

    inp = keras.Input((2,), name="z")
    h = keras.layers.Dense(3, name="features")(inp)       # 2*3 + 3 = 9 parameters
    out = keras.layers.BatchNormalization()(h)             # 4*3 = 12, 6 of them trainable
    table = models.layer_table(keras.Model(inp, out), names={"z"}, trainable=True).splitlines()
    assert table[0].split() == ["layer", "output", "shape", "parameters"]
    assert table[1].split()[0] == "z" and table[1].split()[-1] == "0"
    assert table[2].split()[0] == "Dense" and table[2].split()[-1] == "9"  # not in names: shown by class
    assert table[3].split()[-1] == "12"
    assert table[4].startswith("total") and table[4].endswith("21   (15 trainable)")
    assert len(table[1]) == len(table[0])  # columns line up
