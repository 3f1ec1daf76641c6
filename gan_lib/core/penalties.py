"""Extra loss terms for the course's GAN: callables ``f(gan, real, fake) -> scalar``.

Pass them as ``GAN(..., d_penalties=[...])`` (added to D's loss) or
``g_penalties=[...]`` (added to G's loss); see :mod:`gan_lib.core.gan`.
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops


def d_input_gradients(gan, x):
    """``grad_x D(x)`` per sample, taken with respect to what D sees: if the GAN has a
    ``d_input_transform`` (packing), the gradient is with respect to the transformed input.
    D's outputs are summed before differentiating, which gives each sample its own
    gradient when D scores samples independently (with minibatch statistics in D, each
    gradient also carries the sample's small effect on the batch statistic)."""
    if gan.d_input_transform is not None:
        x = gan.d_input_transform(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        total = ops.sum(gan.discriminator(x, training=True))
    return tape.gradient(total, x)


class GradientPenalty:
    """WGAN-GP's two-sided gradient penalty (Gulrajani, Ahmed, Arjovsky, Dumoulin and Courville,
    "Improved Training of Wasserstein GANs", NeurIPS 2017):

        weight * E_xhat[(||grad_xhat D(xhat)||_2 - target)^2],
        xhat = eps * x + (1 - eps) * G(z),  eps ~ Uniform[0, 1], one eps per sample.

    It keeps the critic close to 1-Lipschitz along lines between real and fake
    samples, which is where the Wasserstein loss needs it (their Prop. 1). The
    paper uses ``weight = 10`` and ``target = 1``. ``eps`` is drawn *uniformly*
    per sample from the GAN's own seed generator (a normal draw would put
    interpolates outside the segment; a single eps per batch would check one
    line only). If the GAN has a ``d_input_transform`` (packing), the gradient
    is taken with respect to what D actually sees, the packed input. A small
    ``1e-12`` inside the square root keeps the norm's gradient finite at 0.
    """

    def __init__(self, weight: float = 10.0, target: float = 1.0):
        if not weight > 0:
            raise ValueError(f"weight={weight!r}: use a positive number (the paper uses 10).")
        if not target > 0:
            raise ValueError(f"target={target!r}: use a positive gradient norm (the paper uses 1).")
        self.weight = float(weight)
        self.target = float(target)

    @staticmethod
    def interpolates(gan, real, fake):
        """``(xhat, eps)``: points on the segments from fakes to reals, one uniform ``eps`` per sample."""
        real = ops.convert_to_tensor(real, dtype="float32")
        fake = ops.convert_to_tensor(fake, dtype="float32")
        if tuple(real.shape[1:]) != tuple(fake.shape[1:]):
            raise ValueError(f"Real samples {tuple(real.shape)} and fakes {tuple(fake.shape)} differ in shape; "
                             "the penalty interpolates between them, so they must match.")
        n = ops.shape(real)[0]
        eps = keras.random.uniform((n,) + (1,) * (len(real.shape) - 1), seed=gan.seed_generator)
        return eps * real + (1.0 - eps) * fake, eps

    def __call__(self, gan, real, fake):
        xhat, _ = self.interpolates(gan, real, fake)
        grads = d_input_gradients(gan, xhat)
        norms = ops.sqrt(ops.sum(ops.square(grads), axis=tuple(range(1, len(grads.shape)))) + 1e-12)
        return self.weight * ops.mean(ops.square(norms - self.target))

    def __repr__(self):
        return f"GradientPenalty(weight={self.weight}, target={self.target})"


def gradient_penalty(weight: float = 10.0, target: float = 1.0) -> GradientPenalty:
    """A :class:`GradientPenalty` to pass in ``d_penalties``."""
    return GradientPenalty(weight, target)


class R1Penalty:
    """The R1 penalty on real data (Mescheder, Geiger and Nowozin, "Which Training Methods for GANs
    do actually Converge?", ICML 2018):

        (weight / 2) * E_x[||grad_x D(x)||_2^2],   x real.

    It flattens D around the real samples, so D cannot keep sharpening its
    verdict there; without it the non-saturating game circles around the
    equilibrium instead of settling on it (their section 4), which on the 2-D
    mixtures shows as samples that jitter around the modes and hop between
    them. If the GAN has a ``d_input_transform`` (packing), the gradient is taken
    with respect to what D sees, the packed input. Use it in ``d_penalties``.

    ``every=k`` is StyleGAN2's *lazy regularisation* (Karras et al., CVPR 2020,
    section 3.1): the penalty is computed on one D step in ``k`` (those where D's
    optimizer has taken a multiple of ``k`` steps), multiplied by ``k`` so that its
    average weight is unchanged; the other steps skip its second backward pass.
    StyleGAN2 uses ``k = 16``. Example: a batch whose mean squared gradient norm is
    0.5, weight 10, gives 2.5 on every step with ``every=1``; with ``every=4`` it
    gives 10.0 on steps 0, 4, 8, ... and 0 on the others.
    """

    def __init__(self, weight: float = 10.0, every: int = 1):
        if not weight > 0:
            raise ValueError(f"weight={weight!r}: use a positive number (the paper uses 0.1 to 10).")
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"every={every!r}: use a whole number of at least 1 (1: every D step; "
                             "StyleGAN2's lazy regularisation: 16).")
        self.weight = float(weight)
        self.every = every

    def value(self, gan, real):
        """The penalty on this batch, unscaled by ``every``."""
        grads = d_input_gradients(gan, ops.convert_to_tensor(real, dtype="float32"))
        return 0.5 * self.weight * ops.mean(ops.sum(ops.square(grads), axis=tuple(range(1, len(grads.shape)))))

    def __call__(self, gan, real, fake):
        if self.every == 1:
            return self.value(gan, real)
        due = ops.equal(ops.mod(gan.d_optimizer.iterations, self.every), 0)
        return ops.cond(due, lambda: float(self.every) * self.value(gan, real), lambda: ops.zeros((), "float32"))

    def __repr__(self):
        return f"R1Penalty(weight={self.weight})" if self.every == 1 else \
            f"R1Penalty(weight={self.weight}, every={self.every})"


def feature_matching_distance(real_features, fake_features):
    """``||mean_i f(x_i) - mean_i f(G(z_i))||_2^2``: squared distance between the batches' mean features.

    ``real_features`` and ``fake_features`` are ``(N, ...)`` activations of D's
    ``"features"`` layer (any shape after the batch axis; flattened). Example:
    means (1, 2) and (0, 0) give 5.
    """
    real = ops.convert_to_tensor(real_features, dtype="float32")
    fake = ops.convert_to_tensor(fake_features, dtype="float32")
    real = ops.reshape(real, (ops.shape(real)[0], -1))
    fake = ops.reshape(fake, (ops.shape(fake)[0], -1))
    if real.shape[1] is not None and fake.shape[1] is not None and real.shape[1] != fake.shape[1]:
        raise ValueError(f"Real features have {real.shape[1]} numbers per sample, fakes {fake.shape[1]}: "
                         "feature matching compares the same layer for both.")
    return ops.sum(ops.square(ops.mean(real, axis=0) - ops.mean(fake, axis=0)))


class FeatureMatching:
    """Feature matching (Salimans, Goodfellow, Zaremba, Cheung, Radford and Chen, "Improved Techniques
    for Training GANs", NeurIPS 2016, section 3.1), a term for ``g_penalties``:

        weight * ||E_x f(x) - E_z f(G(z))||_2^2,

    where ``f`` is D's ``"features"`` layer (:meth:`gan_lib.core.gan.GAN.features`).
    G is asked to match the *statistics* of the real data in D's feature space
    rather than to maximise D's verdict on each sample, a target that does not
    move as sharply when D changes. Salimans et al. use it as G's whole loss;
    added to the usual loss with a weight (as here) it acts as a stabiliser.
    D reads the features in training mode (as in the step) and the real batch's
    mean is treated as a constant (only G is updated with this term).
    """

    def __init__(self, weight: float = 1.0):
        if not weight > 0:
            raise ValueError(f"weight={weight!r}: use a positive number such as 1.")
        self.weight = float(weight)

    def __call__(self, gan, real, fake):
        f_real = ops.stop_gradient(gan.features(real, training=True))
        f_fake = gan.features(fake, training=True)
        return self.weight * feature_matching_distance(f_real, f_fake)

    def __repr__(self):
        return f"FeatureMatching(weight={self.weight})"


# =========================================================================== weight clipping (lesson 09)


@keras.saving.register_keras_serializable(package="gan_lib")
class ClipWeights(keras.constraints.Constraint):
    """The original WGAN's Lipschitz constraint: every weight clipped to ``[-c, c]`` after each update.

    Arjovsky, Chintala and Bottou, "Wasserstein GAN", ICML 2017, Algorithm 1 (``c = 0.01``).
    A network with bounded weights has a bounded slope, so the critic is
    K-Lipschitz for *some* K. Gulrajani et al. (2017, section 3) showed the cost:
    the critic pushes most weights to ``±c`` and becomes a simple function whose
    gradients are far from 1 (too small, or exploding for large ``c``); their
    gradient penalty (:class:`GradientPenalty`) replaced it. Lesson 09 measures both.
    """

    def __init__(self, c: float = 0.01):
        if isinstance(c, bool) or not isinstance(c, (int, float)) or not c > 0:
            raise ValueError(f"c={c!r}: use a small positive number (the WGAN paper uses 0.01).")
        self.c = float(c)

    def __call__(self, w):
        return ops.clip(w, -self.c, self.c)

    def get_config(self):
        return {"c": self.c}


def clip_weights(model, c: float = 0.01) -> int:
    """Give every trainable weight of ``model`` a :class:`ClipWeights` constraint; return how many.

    Keras' optimizers apply a variable's constraint after each of their
    updates, so a critic prepared this way is clipped inside the course's
    ``GAN.train_step`` with no change to the training loop. The weights are
    clipped once now as well.
    """
    constraint = ClipWeights(c)
    for v in model.trainable_weights:
        v.constraint = constraint
        v.assign(constraint(v))
    return len(model.trainable_weights)


@keras.saving.register_keras_serializable(package="gan_lib")
class OrthogonalRegularizer(keras.regularizers.Regularizer):
    """BigGAN's orthogonal regularisation of a weight (Brock, Donahue and Simonyan,
    "Large Scale GAN Training for High Fidelity Natural Image Synthesis", ICLR 2019, eq. 3):

        R(W) = beta * || W^T W  *  (1 - I) ||_F^2

    where ``W`` is the kernel flattened to a matrix over its last axis (a Dense or Conv2D kernel's
    filters; a Conv2DTranspose kernel, shaped ``(k, k, out, in)`` in Keras, by its input channels),
    and ``*`` multiplies entry by entry. Only the
    off-diagonal entries, the filters' inner products with each other, are pushed to
    zero; unlike full orthogonality ``||W^T W - I||^2`` it leaves the filters' norms free (where the
    filters can be orthogonal: a kernel with more filters than inputs cannot, and there the penalty
    also shrinks them).
    BigGAN uses beta = 1e-4 on G's weights; its point is to make G smooth enough that the
    truncation trick works. Worked value: ``W = [[1, 1], [0, 1]]`` has ``W^T W = [[1, 1],
    [1, 2]]``, off-diagonal entries 1 and 1, so ``R = beta * 2``.

    Keras adds it to the layer's ``losses`` (``kernel_regularizer=OrthogonalRegularizer()``);
    the course's GAN adds G's and D's ``losses`` to their losses. (Keras' own
    ``keras.regularizers.OrthogonalRegularizer`` normalises the filters and takes absolute
    values: another penalty.)
    """

    def __init__(self, beta: float = 1e-4):
        if not beta > 0:
            raise ValueError(f"beta={beta!r}: use a positive weight (BigGAN uses 1e-4).")
        self.beta = float(beta)

    def __call__(self, kernel):
        w = ops.reshape(kernel, (-1, ops.shape(kernel)[-1]))
        rows, cols = w.shape
        # ||W^T W||_F = ||W W^T||_F (the same non-zero eigenvalues), so the smaller Gram matrix gives the
        # whole sum; the diagonal of W^T W (each column's squared norm) is then taken off. For the Dense
        # kernel of cond_biggan (22 x 6,272) that is a 22 x 22 product instead of a 6,272 x 6,272 one.
        gram = ops.matmul(ops.transpose(w), w) if cols <= rows else ops.matmul(w, ops.transpose(w))
        diagonal = ops.sum(ops.square(w), axis=0)
        return self.beta * (ops.sum(ops.square(gram)) - ops.sum(ops.square(diagonal)))

    def get_config(self):
        return {"beta": self.beta}
