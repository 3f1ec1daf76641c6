"""BigGAN's pieces (#22 item 3): conditional BatchNorm, the hierarchical latent, orthogonal regularisation,
and the generator built from them; each against a value computed by hand or a NumPy oracle."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_lib import models
from gan_lib.core.gan import GAN
from gan_lib.core.layers import ConditionalBatchNorm, LatentChunks
from gan_lib.core.penalties import OrthogonalRegularizer
from gan_lib.models.conditional import cond_biggan, cond_dcgan


def test_orthogonal_regularizer_worked_value_from_its_docstring():
    w = np.array([[1.0, 1.0], [0.0, 1.0]], "float32")     # W^T W = [[1, 1], [1, 2]]: off-diagonal 1 and 1
    assert float(OrthogonalRegularizer(0.5)(w)) == pytest.approx(0.5 * 2)
    eye = np.eye(3, dtype="float32") * np.array([1.0, 2.0, 3.0], "float32")   # orthogonal columns, any norms
    assert float(OrthogonalRegularizer(1.0)(eye)) == 0.0


@pytest.mark.parametrize("shape", [(3, 3, 4, 5),     # a 3x3 conv, 4 -> 5 channels: 36 x 5, W^T W is the small Gram
                                   (6, 40)])         # a wide Dense kernel: computed through W W^T (6 x 6)
def test_orthogonal_regularizer_flattens_kernels_and_has_the_gradient_of_its_formula(shape):
    rng = np.random.default_rng(0)
    kernel = rng.standard_normal(shape).astype("float32")
    cols = shape[-1]
    w = kernel.reshape(-1, cols).astype(np.float64)
    m = w.T @ w * (1 - np.eye(cols))
    beta = 1e-2
    assert float(OrthogonalRegularizer(beta)(kernel)) == pytest.approx(beta * np.sum(m ** 2), rel=1e-5)
    v = tf.Variable(kernel)
    with tf.GradientTape() as tape:
        r = OrthogonalRegularizer(beta)(v)
    grad = tape.gradient(r, v).numpy().reshape(-1, cols)
    np.testing.assert_allclose(grad, 4 * beta * w @ m, rtol=1e-4, atol=1e-6)   # d/dW of beta||W^T W o (1-I)||^2


def test_orthogonal_regularizer_refuses_a_weight_that_is_not_positive():
    with pytest.raises(ValueError, match="positive weight"):
        OrthogonalRegularizer(0)


def test_conditional_batchnorm_is_plain_batchnorm_at_initialisation_and_follows_its_formula():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((6, 3, 3, 4)).astype("float32") * 3 + 1
    e = rng.standard_normal((6, 5)).astype("float32")
    cbn = ConditionalBatchNorm(epsilon=1e-3)
    y0 = cbn([x, e], training=True).numpy()
    mean, var = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))
    normed = (x - mean) / np.sqrt(var + 1e-3)
    np.testing.assert_allclose(y0, normed, atol=1e-4)                       # gain 1, bias 0
    wg, wb = rng.standard_normal((5, 4)).astype("float32"), rng.standard_normal((5, 4)).astype("float32")
    cbn.gamma.kernel.assign(wg)
    cbn.beta.kernel.assign(wb)
    y = cbn([x, e], training=True).numpy()
    expect = (1 + e @ wg)[:, None, None, :] * normed + (e @ wb)[:, None, None, :]
    np.testing.assert_allclose(y, expect, atol=1e-4)
    # Each example gets its own gain: two examples with the same x but different e come out differently.
    same = np.repeat(x[:1], 2, axis=0)
    assert not np.allclose(cbn([same, e[:2]], training=False).numpy()[0], cbn([same, e[:2]], training=False).numpy()[1])


def test_latent_chunks_split_in_order_and_refuse_a_wrong_total():
    z = np.arange(12, dtype="float32").reshape(2, 6)
    a, b, c = LatentChunks([2, 2, 2])(z)
    np.testing.assert_array_equal(np.concatenate([a, b, c], axis=1), z)
    with pytest.raises(ValueError, match="add up to 5"):
        LatentChunks([2, 3])(z)
    with pytest.raises(ValueError, match="positive chunk size"):
        LatentChunks([2, 0])


def test_cond_biggan_parameter_count_by_hand_and_its_shared_embedding():
    g, d = cond_biggan()
    # shared embedding 10*16; Dense 22 -> 7*7*128 with bias; CBN 7x7: gamma and beta (16 + 21) -> 128 and
    # BatchNorm's moving mean and variance (2 * 128); ConvT 128 -> 64 (4x4, no bias); CBN 14x14 likewise for 64;
    # ConvT 64 -> 1 (4x4) with bias.
    expect = 160 + 23 * 6272 + 2 * 37 * 128 + 2 * 128 + 16 * 128 * 64 + 2 * 37 * 64 + 2 * 64 + 16 * 64 + 1
    assert g.count_params() == expect == 291_105
    assert models.build_conditional("cond_biggan_no_bias")[0].count_params() == expect - 6272
    assert d.count_params() == cond_dcgan()[1].count_params()            # D unchanged: the projection D
    emb = g.get_layer("shared_embedding")
    users = {node.operation.name for node in emb._outbound_nodes}
    assert len(users) == 2                                                # joined to each block's latent chunk
    assert len(g.losses) == 3                                            # orthogonal regularisation on 3 kernels
    assert len(cond_biggan(ortho_beta=None)[0].losses) == 0


def test_the_class_changes_the_picture_through_the_conditional_batchnorm_only():
    g, _ = cond_biggan()
    rng = np.random.default_rng(2)
    for layer in (g.get_layer("cbn_7x7"), g.get_layer("cbn_14x14")):
        layer.gamma.kernel.assign(rng.standard_normal(layer.gamma.kernel.shape).astype("float32") * 0.1)
    z = np.repeat(rng.standard_normal((1, 64)).astype("float32"), 2, axis=0)
    y = np.eye(10, dtype="float32")[[3, 7]]
    out = g([z, y], training=False).numpy()
    assert np.abs(out[0] - out[1]).max() > 1e-3
    for layer in (g.get_layer("cbn_7x7"), g.get_layer("cbn_14x14")):
        layer.gamma.kernel.assign(np.zeros(layer.gamma.kernel.shape, "float32"))
        layer.beta.kernel.assign(np.zeros(layer.beta.kernel.shape, "float32"))
    out = g([z, y], training=False).numpy()
    np.testing.assert_allclose(out[0], out[1], atol=1e-6)


def test_gan_adds_the_generators_regularisation_to_its_loss():
    """Same weights, same batch: G's reported loss grows by exactly the regulariser's value before the step."""
    images = np.random.default_rng(3).uniform(-1, 1, (16, 28, 28, 1)).astype("float32")
    labels = np.arange(16) % 10
    logs = {}
    for beta in (None, 1.0):
        keras.utils.set_random_seed(0)
        g, d = cond_biggan(ortho_beta=beta)
        if beta is not None:
            reg = float(sum(keras.ops.convert_to_numpy(x) for x in g.losses))
        gan = GAN(g, d, n_classes=10, seed=0)
        gan.compile()
        logs[beta] = gan.fit_images(images, 16, 1, labels=labels).history
    assert logs[1.0]["d_loss"] == pytest.approx(logs[None]["d_loss"], rel=1e-6)
    assert logs[1.0]["g_loss"][0] - logs[None]["g_loss"][0] == pytest.approx(reg, rel=1e-3)


def test_the_ablation_is_cond_biggan_without_its_regulariser_and_nothing_else():
    keras.utils.set_random_seed(0)
    g, _ = models.build_conditional("cond_biggan")
    keras.utils.set_random_seed(0)
    g_no, _ = models.build_conditional("cond_biggan_no_ortho")
    assert len(g.losses) == 3 and len(g_no.losses) == 0
    for a, b in zip(g.get_weights(), g_no.get_weights()):
        np.testing.assert_array_equal(a, b)
