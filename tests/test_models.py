"""gan_lib.models: the registry of named pairs, parameter counts, shapes, ranges, the 'features' layer,
the tutorial's layers."""

import dataclasses

import keras
import numpy as np
import pytest
from keras import layers

from gan_lib import models


@pytest.fixture(scope="module")
def pairs():
    keras.utils.set_random_seed(0)
    return {name: models.build(name) for name in models.MODELS}


#: The 32x32x3 models in registration order (one list, so a new colour model updates one place).
COLOUR_MODELS = ["cifar_article", "cifar_article_sn", "cifar_small", "cifar_small_sn", "cifar_small_bn_sn",
                 "emoji_dcgan"]


def test_registry_names():
    assert {"mlp", "tutorial_dcgan", "dcgan"} <= set(models.MODELS)
    # Registration order; make train's dcgan_deep, the wider candidate, and lesson 09's two DCGAN variants.
    assert models.names_for((28, 28, 1)) == ["mlp", "tutorial_dcgan", "dcgan", "dcgan_deep", "dcgan_wide",
                                                 "dcgan_sa", "dcgan_uniform"]
    assert models.names_for((32, 32, 3)) == COLOUR_MODELS


# --------------------------------------------------------------------------- the registry


def test_registry_splits_into_unconditional_and_conditional():
    assert set(models.REGISTRY) == set(models.MODELS) | set(models.CONDITIONAL_MODELS)
    assert not set(models.MODELS) & set(models.CONDITIONAL_MODELS)
    assert [s.conditional for s in models.CONDITIONAL_MODELS.values()] == [True] * 6
    assert not any(s.conditional for s in models.MODELS.values())
    assert all(name == s.name for name, s in models.REGISTRY.items())
    assert models.names_for((28, 28, 1), conditional=True) == ["cond_dcgan", "cond_dcgan_concat",
                                                              "cond_dcgan_concat_matched", "cond_biggan",
                                                              "cond_biggan_no_ortho", "cond_biggan_no_bias"]
    assert models.names_for((32, 32, 3), conditional=True) == []
    assert models.names_for((2,)) == []  # the toy pair is not registered


def test_spec_fields_by_hand():
    s = models.spec("dcgan")
    assert (s.name, s.builder, s.latent_dim, s.image_shape, s.conditional) == (
        "dcgan", models.dcgan, 64, (28, 28, 1), False)
    assert models.spec("cifar_small").image_shape == (32, 32, 3) and models.spec("mlp").latent_dim == 100
    assert models.spec("cond_dcgan").conditional is True
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.latent_dim = 8


@pytest.mark.parametrize("name", [n for n in models.REGISTRY if not n.startswith("cifar_article")])
def test_every_spec_builds_its_declared_shapes(name):
    """The builder's networks match the spec: G's latent size and image shape, D's input and logit."""
    s = models.REGISTRY[name]
    g, d = (models.build_conditional if s.conditional else models.build)(name)
    if s.conditional:
        assert g.input_shape == [(None, s.latent_dim), (None, 10)]
        assert d.input_shape == [(None, *s.image_shape), (None, 10)]
    else:
        assert g.input_shape == (None, s.latent_dim)
        assert d.input_shape == (None, *s.image_shape)
    assert g.output_shape == (None, *s.image_shape)
    assert d.output_shape == (None, 1)
    # a latent size other than the default reaches G's input
    g8, _ = (models.build_conditional if s.conditional else models.build)(name, latent_dim=8)
    assert (g8.input_shape[0] if s.conditional else g8.input_shape) == (None, 8)


@pytest.mark.parametrize("name", ["cifar_article", "cifar_article_sn"])
def test_big_colour_specs_match_their_builders(name):
    s = models.REGISTRY[name]
    g, d = models.build(name)
    assert g.input_shape == (None, s.latent_dim) == (None, 100)
    assert g.output_shape == d.input_shape == (None, *s.image_shape) == (None, 32, 32, 3)


def test_image_shape_and_names_for_build_nothing(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a model was built to learn its shape")

    for name, s in list(models.REGISTRY.items()):
        monkeypatch.setitem(models.REGISTRY, name, dataclasses.replace(s, builder=refuse))
    assert models.image_shape("dcgan") == (28, 28, 1)
    assert models.image_shape("cifar_small_sn") == (32, 32, 3)
    assert models.image_shape("cond_dcgan") == (28, 28, 1)
    assert models.names_for((32, 32, 3)) == COLOUR_MODELS


def test_unknown_names_list_the_known_ones():
    for ask in (models.spec, models.image_shape):
        with pytest.raises(ValueError) as e:
            ask("stylegan")
        msg = str(e.value)
        assert msg.startswith("Unknown model 'stylegan'. Known models: mlp, tutorial_dcgan, dcgan,")
        assert ("class-conditional: cond_dcgan, cond_dcgan_concat, cond_dcgan_concat_matched, cond_biggan, "
                "cond_biggan_no_ortho, cond_biggan_no_bias." in msg)
    with pytest.raises(ValueError, match=r"'cond_dcgan' is a class-conditional model: build it with "
                                         r"models.build_conditional\('cond_dcgan'\)"):
        models.build("cond_dcgan")
    with pytest.raises(ValueError, match="Unknown conditional model 'nope'. Valid conditional models: "
                                         "'cond_dcgan' "):
        models.build_conditional("nope")


@pytest.mark.parametrize("bad", [0, -1, 1.5])
def test_bad_conditional_latent_dim(bad):
    with pytest.raises(ValueError, match=f"latent_dim={bad!r}: it must be a whole number of at least 1"):
        models.build_conditional("cond_dcgan", latent_dim=bad)


# --------------------------------------------------------------------------- the digits models


def test_mlp_parameter_counts(pairs):
    g, d = pairs["mlp"]
    # G: 100*128 + 128 + 128*784 + 784; D: 784*128 + 128 + 128 + 1
    assert g.count_params() == 100 * 128 + 128 + 128 * 784 + 784 == 114_064
    assert d.count_params() == 784 * 128 + 128 + 128 + 1 == 100_609


@pytest.mark.parametrize("name", ["mlp", "tutorial_dcgan", "dcgan", "dcgan_deep", "dcgan_wide"])
def test_generator_output_shape_and_range(pairs, name):
    g, _ = pairs[name]
    latent_dim = models.MODELS[name].latent_dim
    assert g.input_shape == (None, latent_dim)
    z = np.random.default_rng(0).normal(scale=3.0, size=(5, latent_dim)).astype(np.float32)
    x = keras.ops.convert_to_numpy(g(z, training=False))
    assert x.shape == (5, 28, 28, 1)
    assert x.min() >= -1.0 and x.max() <= 1.0
    assert x.std() > 0  # not a constant image


@pytest.mark.parametrize("name", ["mlp", "tutorial_dcgan", "dcgan", "dcgan_deep", "dcgan_wide"])
def test_discriminator_outputs_one_logit_per_image(pairs, name):
    _, d = pairs[name]
    x = np.random.default_rng(0).uniform(-1, 1, (6, 28, 28, 1)).astype(np.float32)
    logits = keras.ops.convert_to_numpy(d(x, training=False))
    assert logits.shape == (6, 1)
    assert np.all(np.isfinite(logits))
    assert d.layers[-1].get_config().get("activation") == "linear"  # logits, not probabilities


@pytest.mark.parametrize("name,width", [("mlp", 128), ("tutorial_dcgan", 7 * 7 * 128), ("dcgan", 7 * 7 * 128),
                                        ("dcgan_deep", 4 * 4 * 128), ("dcgan_wide", 4 * 4 * 256)])
def test_discriminator_has_a_features_layer(pairs, name, width):
    _, d = pairs[name]
    feat = d.get_layer("features")
    assert feat.output.shape[1:] == (width,)
    # the layer right before the output layer
    assert d.layers[-2] is feat


@pytest.mark.parametrize("name", ["mlp", "tutorial_dcgan", "dcgan", "dcgan_deep", "dcgan_wide"])
def test_generator_ends_in_tanh(pairs, name):
    g, _ = pairs[name]
    acts = [layer.get_config().get("activation") for layer in g.layers if "activation" in layer.get_config()]
    assert acts[-1] == "tanh"


def test_tutorial_dcgan_layers(pairs):
    g, d = pairs["tutorial_dcgan"]
    dense = [layer for layer in g.layers if isinstance(layer, layers.Dense)]
    assert len(dense) == 1
    assert dense[0].units == 7 * 7 * 256 and dense[0].use_bias is False
    deconv = [layer for layer in g.layers if isinstance(layer, layers.Conv2DTranspose)]
    assert [layer.filters for layer in deconv] == [128, 64, 1]
    assert [layer.strides for layer in deconv] == [(1, 1), (2, 2), (2, 2)]
    assert all(layer.kernel_size == (5, 5) and layer.use_bias is False for layer in deconv)
    assert sum(isinstance(layer, layers.BatchNormalization) for layer in g.layers) == 3

    convs = [layer for layer in d.layers if isinstance(layer, layers.Conv2D)]
    assert [layer.filters for layer in convs] == [64, 128]
    assert all(layer.kernel_size == (5, 5) and layer.strides == (2, 2) for layer in convs)
    dropouts = [layer for layer in d.layers if isinstance(layer, layers.Dropout)]
    assert [layer.rate for layer in dropouts] == [0.3, 0.3]


@pytest.mark.parametrize("name, g_params, d_params", [
    ("tutorial_dcgan", 2_330_944, 212_865), ("dcgan", 558_849, 138_561),
    ("dcgan_sa", 558_849 + 5_121, 138_561 + 5_121), ("dcgan_uniform", 558_849, 138_561),
    ("dcgan_deep", 591_009, 166_625), ("dcgan_wide", 1_509_697, 660_929),
])
def test_digits_parameter_counts(pairs, name, g_params, d_params):
    """The counts the digits module's docstring tabulates; the variants differ from dcgan only by their new layers."""
    g, d = pairs[name]
    assert (g.count_params(), d.count_params()) == (g_params, d_params)


def test_dcgan_parameter_counts_by_hand(pairs):
    g, d = pairs["dcgan"]
    # G: Dense 64*6272 (no bias); BN 4*6272; ConvT 4*4*128*64 (no bias); BN 4*64; ConvT 4*4*64*1 + 1
    assert g.count_params() == 64 * 6272 + 4 * 6272 + 4 * 4 * 128 * 64 + 4 * 64 + 4 * 4 * 64 + 1
    # D: Conv 4*4*1*64 + 64; Conv 4*4*64*128 + 128; Dense 6272 + 1
    assert d.count_params() == 4 * 4 * 64 + 64 + 4 * 4 * 64 * 128 + 128 + 6272 + 1


@pytest.mark.parametrize("name, w, g_params, d_params", [
    ("dcgan_deep", 32, 591_009, 166_625),     # make train's model
    ("dcgan_wide", 64, 1_509_697, 660_929),   # the wider candidate: a step costs about 2.5 of dcgan_deep's
])
def test_three_stage_dcgans_layers_and_parameter_counts_by_hand(pairs, name, w, g_params, d_params):
    """G 7x7x4w -> 14x14x2w -> 28x28xw -> 28x28x1 with BatchNorm; D strided w/2w/4w, no BatchNorm in D."""
    g, d = pairs[name]
    assert [tuple(layer.output.shape[1:]) for layer in g.layers
            if isinstance(layer, (layers.Reshape, layers.Conv2DTranspose, layers.Conv2D))] == [
        (7, 7, 4 * w), (14, 14, 2 * w), (28, 28, w), (28, 28, 1)]
    assert sum(isinstance(layer, layers.BatchNormalization) for layer in g.layers) == 3
    assert [tuple(layer.output.shape[1:]) for layer in d.layers if isinstance(layer, layers.Conv2D)] == [
        (14, 14, w), (7, 7, 2 * w), (4, 4, 4 * w)]
    assert not any(isinstance(layer, (layers.BatchNormalization, layers.Dropout)) for layer in d.layers)
    # G: Dense 64*49*4w (no bias); BN 4*49*4w; ConvT 4*4*4w*2w, BN 4*2w; ConvT 4*4*2w*w, BN 4*w; Conv 3*3*w + 1
    dense = 49 * 4 * w
    assert g.count_params() == (64 * dense + 4 * dense + 16 * 4 * w * 2 * w + 8 * w + 16 * 2 * w * w + 4 * w
                                + 9 * w + 1) == g_params
    # D: Conv 16*w + w; Conv 16*w*2w + 2w; Conv 16*2w*4w + 4w; Dense 4*4*4w + 1
    assert d.count_params() == (16 * w + w + 16 * w * 2 * w + 2 * w + 16 * 2 * w * 4 * w + 4 * w
                                + 64 * w + 1) == d_params


def test_dcgan_is_unchanged_by_the_new_default():
    """Lessons 03, 07, 08 and 09 train ``dcgan`` by name; it keeps its own builder and spec."""
    assert models.spec("dcgan").builder is models.dcgan
    assert models.spec("dcgan_deep").builder is models.dcgan_deep
    assert models.spec("dcgan_wide").builder is models.dcgan_wide
    assert models.spec("dcgan_deep").latent_dim == models.spec("dcgan").latent_dim == 64


def test_unregistered_pairs_parameter_counts():
    g, d = models.mlp_wide()
    assert g.count_params() == 64 * 256 + 256 + 256 * 512 + 512 + 512 * 784 + 784 == 550_416
    assert d.count_params() == 784 * 512 + 512 + 512 * 256 + 256 + 256 + 1 == 533_505
    # spectral norm adds one power-iteration vector per wrapped Dense layer (one entry per output unit)
    assert models.mlp_wide(spectral_norm=True)[1].count_params() == 533_505 + 512 + 256 + 1
    g, d = models.toy_mlp()
    assert g.count_params() == 8 * 128 + 128 + 2 * (128 * 128 + 128) + 128 * 2 + 2 == 34_434
    assert d.count_params() == 2 * 128 + 128 + 2 * (128 * 128 + 128) + 128 + 1 == 33_537
    assert g.output_shape == d.input_shape == (None, 2)


def test_course_dcgan_has_no_batchnorm_or_dropout_in_d(pairs):
    _, d = pairs["dcgan"]
    assert not any(isinstance(layer, (layers.BatchNormalization, layers.Dropout)) for layer in d.layers)


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
