"""GAN losses as pure functions of the discriminator's logits.

Notation: ``D(x) = sigmoid(l(x))`` where ``l`` is the discriminator's logit.
Every function returns the **mean over the batch** (a scalar tensor) and works
on logits, never on probabilities: ``log(sigmoid(l)) = -softplus(-l)`` stays
finite where ``log(D)`` would become ``log(0)``.

Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014, define the game

    min_G max_D  V(D, G) = E_x[log D(x)] + E_z[log(1 - D(G(z)))].

The discriminator *maximises* V; as a loss to minimise it is ``-V``, the
binary cross-entropy with label 1 for real and 0 for fake
(:func:`discriminator_loss`). At the game's optimum (``p_g = p_data``,
``D = 1/2`` everywhere) ``-V = log 4``.

A loss *pair* (:class:`GANLoss`) bundles the discriminator's and the
generator's loss; the GAN class takes one in ``compile(loss=...)``.
"""

from __future__ import annotations

import keras
from keras import ops


def _bce_with_logits(logits, target):
    """Mean binary cross-entropy of ``sigmoid(logits)`` against ``target``."""
    logits = ops.convert_to_tensor(logits, dtype="float32")
    return ops.mean(target * ops.softplus(-logits) + (1.0 - target) * ops.softplus(logits))


def discriminator_loss(real_logits, fake_logits, real_label: float = 1.0):
    """``-E[log D(x)] - E[log(1 - D(G(z)))]`` (Goodfellow et al. 2014).

    With ``real_label < 1`` this is **one-sided label smoothing** (Salimans et
    al., "Improved Techniques for Training GANs", 2016): the real images' target
    becomes e.g. 0.9, so D is penalised for being over-confident on real data;
    fake targets stay 0 (smoothing them too would reward G's mistakes).

    Example: logits 0 everywhere (D(x) = 1/2) give ``2 log 2 = log 4 ≈ 1.386``.
    """
    if not 0.0 < real_label <= 1.0:
        raise ValueError(f"real_label={real_label}: use a value in (0, 1], e.g. 0.9 for label smoothing.")
    return _bce_with_logits(real_logits, real_label) + _bce_with_logits(fake_logits, 0.0)


def generator_loss_minimax(fake_logits):
    """The *saturating* generator loss ``E[log(1 - D(G(z)))]`` (Goodfellow et al. 2014).

    G minimises it. When D confidently rejects fakes (D(G(z)) ≈ 0) its gradient
    vanishes: ``d/dl log(1 - sigmoid(l)) = -sigmoid(l) -> 0``. Lesson 01 shows
    the stall. Equal to ``-softplus(l)``.
    """
    logits = ops.convert_to_tensor(fake_logits, dtype="float32")
    return -ops.mean(ops.softplus(logits))


def generator_loss_nonsaturating(fake_logits):
    """The *non-saturating* generator loss ``-E[log D(G(z))]`` (Goodfellow et al. 2014, §3).

    Same fixed point as the minimax loss, but a strong gradient exactly when
    G is losing: ``d/dl -log sigmoid(l) = -(1 - sigmoid(l)) -> -1`` as D(G(z)) -> 0.
    Equal to ``softplus(-l)``. Example: logit 0 gives ``log 2 ≈ 0.693``.
    """
    return _bce_with_logits(fake_logits, 1.0)


class GANLoss:
    """A discriminator loss and a generator loss that belong together.

    Subclass and override :meth:`discriminator` and :meth:`generator` to add a
    new loss (later lessons add hinge and Wasserstein losses this way). Both
    receive logits and return a scalar.
    """

    name = "base"

    def discriminator(self, real_logits, fake_logits):
        raise NotImplementedError

    def generator(self, fake_logits):
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}()"


class NonSaturating(GANLoss):
    """BCE for D (optionally one-sided label smoothing) and the non-saturating loss for G.

    The course's default.
    """

    name = "nonsaturating"

    def __init__(self, real_label: float = 1.0):
        discriminator_loss(ops.zeros((1, 1)), ops.zeros((1, 1)), real_label)  # validates real_label
        self.real_label = float(real_label)

    def discriminator(self, real_logits, fake_logits):
        return discriminator_loss(real_logits, fake_logits, self.real_label)

    def generator(self, fake_logits):
        return generator_loss_nonsaturating(fake_logits)

    def __repr__(self):
        return f"NonSaturating(real_label={self.real_label})"


class Minimax(NonSaturating):
    """BCE for D and the original, saturating loss for G (to see why nobody uses it)."""

    name = "minimax"

    def generator(self, fake_logits):
        return generator_loss_minimax(fake_logits)

    def __repr__(self):
        return f"Minimax(real_label={self.real_label})"


#: Loss pairs by name, for ``GAN.compile(loss="...")`` and the CLI.
LOSSES = {cls.name: cls for cls in (NonSaturating, Minimax)}


def get(loss) -> GANLoss:
    """A :class:`GANLoss` from an instance or a name in :data:`LOSSES`."""
    if isinstance(loss, GANLoss):
        return loss
    if isinstance(loss, str) and loss in LOSSES:
        return LOSSES[loss]()
    raise ValueError(f"Unknown GAN loss {loss!r}. Valid names: {', '.join(LOSSES)}; or pass a GANLoss instance.")



# =========================================================================== hinge loss (lesson 05)


def discriminator_loss_hinge(real_logits, fake_logits):
    """``E[max(0, 1 - l(x))] + E[max(0, 1 + l(G(z)))]``: the hinge loss for D.

    Lim & Ye, "Geometric GAN", 2017; used with spectral normalisation by Miyato
    et al., "Spectral Normalization for GANs", ICLR 2018, and by BigGAN. D is
    pushed to give real images a logit of at least +1 and fakes at most -1;
    beyond that margin a sample costs nothing, so D stops pushing confident
    logits further (the BCE loss never stops). Logits 0 everywhere give 2.
    """
    real = ops.convert_to_tensor(real_logits, dtype="float32")
    fake = ops.convert_to_tensor(fake_logits, dtype="float32")
    return ops.mean(ops.relu(1.0 - real)) + ops.mean(ops.relu(1.0 + fake))


def generator_loss_hinge(fake_logits):
    """``-E[l(G(z))]``: G raises D's logit on its fakes (Lim & Ye 2017; Miyato et al. 2018).

    No margin and no saturation: the gradient with respect to each logit is
    ``-1/N`` whatever D says. Example: logits (1, -3) give 1.
    """
    return -ops.mean(ops.convert_to_tensor(fake_logits, dtype="float32"))


class Hinge(GANLoss):
    """The hinge loss pair (D: :func:`discriminator_loss_hinge`, G: :func:`generator_loss_hinge`).

    D's logits are no longer log-odds: ``sigmoid(logit)`` (what the GAN class
    logs as ``d_real``/``d_fake``) still rises with D's belief, and a logit
    above 0 still means "real", but it is not a calibrated probability.
    """

    name = "hinge"

    def discriminator(self, real_logits, fake_logits):
        return discriminator_loss_hinge(real_logits, fake_logits)

    def generator(self, fake_logits):
        return generator_loss_hinge(fake_logits)


LOSSES[Hinge.name] = Hinge


# =========================================================================== Wasserstein (lesson 04)


def wasserstein_critic_loss(real_logits, fake_logits):
    """``E[D(G(z))] - E[D(x)]``: the WGAN critic's loss (Arjovsky, Chintala and Bottou, ICML 2017).

    Here D is a *critic*: its output is a score, not a logit of a probability.
    Minimising this maximises ``E[D(x)] - E[D(G(z))]``, which for a
    1-Lipschitz D estimates the Wasserstein-1 (earth mover's) distance between
    the data and the generator. Without a Lipschitz constraint (a gradient
    penalty, :func:`gan_lib.core.penalties.gradient_penalty`) it is unbounded below.

    Example: real scores [1, 3], fake scores [0, -2] give ``-1 - 2 = -3``.
    """
    real = ops.convert_to_tensor(real_logits, dtype="float32")
    fake = ops.convert_to_tensor(fake_logits, dtype="float32")
    return ops.mean(fake) - ops.mean(real)


def wasserstein_generator_loss(fake_logits):
    """``-E[D(G(z))]``: the WGAN generator's loss (Arjovsky et al. 2017).

    G raises the critic's score of its samples. The gradient is the critic's
    gradient itself, with no sigmoid to saturate: a generator stuck on a few
    modes still feels the pull of the mass it misses, because a 1-Lipschitz
    critic's slope is about 1 everywhere between the two distributions.

    Example: fake scores [0, -2] give ``1``.
    """
    return -ops.mean(ops.convert_to_tensor(fake_logits, dtype="float32"))


class Wasserstein(GANLoss):
    """The WGAN loss pair; use it with a gradient penalty (WGAN-GP, Gulrajani et al., NeurIPS 2017).

    ``drift`` adds ``drift * E[D(x)^2]`` to the critic's loss (Karras et al.,
    "Progressive Growing of GANs", 2018, who use 0.001) so that its scores do
    not wander off; 0 (the default) is the plain WGAN loss.
    """

    name = "wasserstein"

    def __init__(self, drift: float = 0.0):
        if not drift >= 0.0:
            raise ValueError(f"drift={drift!r}: use 0 (no drift term) or a small positive number such as 0.001.")
        self.drift = float(drift)

    def discriminator(self, real_logits, fake_logits):
        loss = wasserstein_critic_loss(real_logits, fake_logits)
        if self.drift:
            loss = loss + self.drift * ops.mean(ops.square(ops.convert_to_tensor(real_logits, dtype="float32")))
        return loss

    def generator(self, fake_logits):
        return wasserstein_generator_loss(fake_logits)

    def __repr__(self):
        return f"Wasserstein(drift={self.drift})"


LOSSES[Wasserstein.name] = Wasserstein


# =========================================================================== noisy labels (lesson 06)


def discriminator_loss_flipped(real_logits, fake_logits, real_flips, fake_flips, real_label: float = 1.0):
    """D's binary cross-entropy with some labels swapped: **noisy labels**.

    ``real_flips`` and ``fake_flips`` are 0/1 masks of the logits' shapes; a real
    image whose mask is 1 is labelled fake (target 0), a fake whose mask is 1 is
    labelled real (target 1). Unflipped real targets are ``real_label`` (so noisy
    labels combine with one-sided smoothing). With masks of zeros this is
    :func:`discriminator_loss`. Salimans et al. (2016) and Arjovsky and Bottou
    ("Towards Principled Methods for Training GANs", ICLR 2017) argue for noise
    that keeps D from becoming perfectly sure; flipping a few labels
    ("ganhacks", Chintala et al.) is the simplest form.

    Example: logits 0 everywhere give ``log 4`` whatever the masks (BCE at
    ``D = 1/2`` is ``log 2`` for either label).
    """
    if not 0.0 < real_label <= 1.0:
        raise ValueError(f"real_label={real_label}: use a value in (0, 1], e.g. 0.9 for label smoothing.")
    real_flips = ops.convert_to_tensor(real_flips, dtype="float32")
    fake_flips = ops.convert_to_tensor(fake_flips, dtype="float32")
    real_target = (1.0 - real_flips) * real_label
    fake_target = fake_flips
    return _bce_with_logits(real_logits, real_target) + _bce_with_logits(fake_logits, fake_target)


class NoisyLabels(NonSaturating):
    """Non-saturating loss pair whose D labels are flipped at random with probability ``flip``.

    Each training step draws fresh masks (``flip`` = 0.05 flips about one label in
    twenty, real and fake alike) from the loss's own ``keras.random.SeedGenerator``
    (seeded by ``seed``, so runs repeat; its state is not part of a GAN checkpoint,
    so resuming a run with this loss is not bit-identical). G's loss is unchanged.
    ``real_label`` adds one-sided smoothing to the unflipped real labels.
    """

    name = "noisy_labels"

    def __init__(self, flip: float = 0.05, real_label: float = 1.0, seed: int = 0):
        super().__init__(real_label)
        if not 0.0 <= flip < 0.5:
            raise ValueError(f"flip={flip!r}: use a probability in [0, 0.5), e.g. 0.05 (flipping half or more "
                             "of the labels would teach D the opposite game).")

        self.flip = float(flip)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def masks(self, real_logits, fake_logits):
        """Fresh 0/1 flip masks ``(real_flips, fake_flips)``, each entry 1 with probability ``flip``."""
        draw = lambda x: ops.cast(  # noqa: E731
            keras.random.uniform(ops.shape(x), seed=self.seed_generator) < self.flip, "float32")
        return draw(real_logits), draw(fake_logits)

    def discriminator(self, real_logits, fake_logits):
        real_flips, fake_flips = self.masks(real_logits, fake_logits)
        return discriminator_loss_flipped(real_logits, fake_logits, real_flips, fake_flips, self.real_label)

    def __repr__(self):
        return f"NoisyLabels(flip={self.flip}, real_label={self.real_label}, seed={self.seed})"


# =========================================================================== cycle consistency (lesson 09)


def cycle_consistency_loss(x, x_reconstructed):
    """``E[ ||F(G(x)) - x||_1 ]``: CycleGAN's cycle-consistency loss (Zhu, Park, Isola and Efros,
    "Unpaired Image-to-Image Translation using Cycle-Consistent Adversarial Networks", ICCV 2017, eq. 2).

    ``x`` is a batch from domain A and ``x_reconstructed`` is ``F(G(x))``: the
    batch translated to domain B by ``G`` and back by ``F``. Returns the mean
    absolute difference per pixel (the paper's L1 norm, divided by the number of
    values so it does not grow with the image size). With unpaired data the
    adversarial loss only asks ``G(x)`` to *look like* domain B; this term also
    asks it to keep enough of ``x`` to get ``x`` back. CycleGAN adds it for both
    directions (A -> B -> A and B -> A -> B) with weight 10.

    Example: ``x = [0, 1]``, ``x_reconstructed = [0.5, 0]`` gives ``(0.5 + 1) / 2 = 0.75``.
    """
    return _mean_abs_difference(x, x_reconstructed, "x", "x_reconstructed",
                                "pass F(G(x)) for the same batch x, so the two can be compared value by value.")


def _mean_abs_difference(a, b, name_a: str, name_b: str, hint: str):
    """``mean |a - b|`` of two float32 tensors of one shape; a mismatch is refused with ``hint``."""
    a = ops.convert_to_tensor(a, dtype="float32")
    b = ops.convert_to_tensor(b, dtype="float32")
    if tuple(a.shape) != tuple(b.shape):
        raise ValueError(f"{name_a} has shape {tuple(a.shape)} but {name_b} has {tuple(b.shape)}: {hint}")
    return ops.mean(ops.abs(a - b))


def identity_loss(y, g_of_y):
    """``E[ ||G(y) - y||_1 ]``: CycleGAN's identity-mapping loss (Zhu et al., ICCV 2017, section 5.2,
    after Taigman et al., "Unsupervised Cross-Domain Image Generation", ICLR 2017).

    ``y`` is a batch *already in* G's target domain and ``g_of_y`` is ``G(y)``: a translator into
    domain B should leave a B image as it is. The paper adds it with weight ``0.5 * lambda`` (5 for
    the cycle's 10) to keep colours from drifting; here it also keeps a thickening translator from
    thickening what is already thick. Mean absolute difference per value, like
    :func:`cycle_consistency_loss`.

    Example: ``y = [1, -1, 0]``, ``g_of_y = [1, 0, 0.5]`` gives ``(0 + 1 + 0.5) / 3 = 0.5``.
    """
    return _mean_abs_difference(y, g_of_y, "y", "g_of_y", "pass G(y) for the same batch y.")


# =========================================================================== least squares (LSGAN; CycleGAN's)


def least_squares_discriminator_loss(real_out, fake_out):
    """``(E[(D(y) - 1)^2] + E[D(G(x))^2]) / 2``: the least-squares GAN loss for D (Mao et al.,
    "Least Squares Generative Adversarial Networks", ICCV 2017, with a = 0, b = c = 1).

    ``D`` outputs a plain score (no sigmoid); real images are pushed towards 1 and fakes towards 0.
    CycleGAN uses it in place of the log loss "for more stable training" (Zhu et al. 2017, section 4)
    and halves D's loss, as here, "to slow down the rate at which D learns". Works on any output
    shape (a PatchGAN's map of scores is averaged).

    Example: ``real_out = [1, 0]``, ``fake_out = [0.5, 0]`` gives ``((0 + 1) / 2 + (0.25 + 0) / 2) / 2
    = 0.3125``.
    """
    real = ops.convert_to_tensor(real_out, dtype="float32")
    fake = ops.convert_to_tensor(fake_out, dtype="float32")
    return 0.5 * (ops.mean(ops.square(real - 1.0)) + ops.mean(ops.square(fake)))


def least_squares_generator_loss(fake_out):
    """``E[(D(G(x)) - 1)^2]``: the least-squares GAN loss for G (Mao et al. 2017; CycleGAN's adversarial term).

    G is pushed to make D score its images as real (1). Unlike the saturating log loss, the gradient
    does not vanish for fakes that D scores far from 1: it grows with the distance.

    Example: ``fake_out = [0, 1, 0.5]`` gives ``(1 + 0 + 0.25) / 3 = 0.41667``.
    """
    fake = ops.convert_to_tensor(fake_out, dtype="float32")
    return ops.mean(ops.square(fake - 1.0))
