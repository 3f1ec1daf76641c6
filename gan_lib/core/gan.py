"""The course's GAN: one ``keras.Model`` and one training loop for every lesson.

``GAN`` overrides ``compile`` and ``train_step``, so ``fit`` gives you progress
bars, callbacks, ``History`` and ``tf.distribute`` for free. Each training
step follows Goodfellow et al.'s Algorithm 1:

1. ``d_steps`` times: draw latents, make fakes, update D on real vs fake;
2. once: draw fresh latents, update G so that D calls its fakes real.

Pitfalls this class avoids (see docs/conventions.md):

* Every call passes ``training=`` explicitly. Keras 3 has no global learning
  phase, so a call without it runs BatchNorm and Dropout in inference mode.
* Each update differentiates with respect to an explicit weight list
  (``generator.trainable_weights`` or ``discriminator.trainable_weights``);
  nothing depends on toggling ``trainable``.
* One optimizer per network (sharing one fails in Keras 3).
* Randomness comes from a ``keras.random.SeedGenerator`` owned by the model,
  so a seeded run is repeatable and its state goes into checkpoints.

Extension points (later lessons plug in here instead of writing a new loop):

``loss``               a :class:`gan_lib.core.losses.GANLoss` pair (or its name).
``d_steps``            discriminator updates per generator update.
``d_penalties``        callables ``f(gan, real, fake) -> scalar`` added to D's loss
                       (e.g. a gradient penalty).
``g_penalties``        the same for G's loss (e.g. feature matching).
``d_input_transform``  a function applied to every batch before D sees it
                       (e.g. packing several samples into one, PacGAN).
``augment``            ``f(images, seed_generator) -> images`` applied to the reals and
                       the fakes D judges in both players' training steps, never
                       when D is asked for a verdict afterwards (DiffAugment, ADA:
                       :mod:`gan_lib.core.augment`; lesson 10). If it has
                       ``update(real_logits)`` that is called after each D step, and
                       its ``variables`` are checkpointed. ``augment_fakes=False``
                       augments the reals only: the mistake that leaks. Penalties
                       (``d_penalties``, ``g_penalties``) see the images before
                       augmentation (StyleGAN2-ADA computes R1 on augmented reals).
``features(images)``   D's ``"features"`` layer, for penalties that need it.
regularisers           a layer's ``kernel_regularizer`` (e.g. BigGAN's orthogonal
                       regularisation, :class:`gan_lib.core.penalties.OrthogonalRegularizer`)
                       lands in its network's ``losses``, which are added to that
                       network's loss.
``ema_decay``          keep an exponential moving average of G's weights in
                       ``ema_generator``; sampling uses it.
``n_classes``          a class-conditional GAN (Mirza & Osindero, 2014; lesson 07):
                       batches are ``(images, labels)``, G takes ``[z, y]`` and D
                       takes ``[images, y]``, with ``y`` the labels one-hot.

What the GAN is given (settings, training data, latents, labels) is checked on
the way in by :mod:`gan_lib.core.gan_checks`, so a mistake fails at once with a
message that says what to do, not deep inside ``train_step``.
"""

from __future__ import annotations

import warnings

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from gan_lib.core import gan_checks
from gan_lib.core import losses as losses_mod
from gan_lib.data import training_batches

# GAN data comes as a tf.data pipeline that gan_lib.data already shuffles; Keras
# warns (with a site-packages path) whenever fit's default shuffle=True meets one.
warnings.filterwarnings("ignore", message=r"`shuffle=True` was passed", category=UserWarning)


class GAN(keras.Model):
    """A generator and a discriminator trained against each other.

    Args:
        generator: maps ``(N, latent_dim)`` to images.
        discriminator: maps images to logits ``(N, 1)``.
        d_steps: discriminator updates per generator update (default 1).
        d_penalties, g_penalties: extra loss terms, see the module docstring.
        d_input_transform: applied to real and fake batches before D.
        ema_decay: e.g. 0.999 to average G's weights; ``None`` for no average.
        seed: seeds the latent draws and the fixed latent batch.
        n_fixed: size of the fixed latent batch that callbacks draw each epoch.
        n_classes: ``None`` (default) for an unconditional GAN. A whole number
            (e.g. 10) makes it class-conditional: the generator takes
            ``[z, y]`` and the discriminator ``[images, y]``, where ``y`` is
            ``(N, n_classes)`` one-hot (or, for interpolation, any mix of
            one-hot rows); see :mod:`gan_lib.models`'s ``CONDITIONAL_MODELS``.
            Training batches are ``(images, integer labels)``; each step draws
            its fakes for the labels of the real batch, so D sees real and fake
            images of the same classes.
        augment: e.g. ``augment.DiffAugment()``; ``None`` (default) for none.
        augment_fakes: ``True`` (default, as the papers do) to augment fakes too.
    """

    def __init__(self, generator, discriminator, *, d_steps=1, d_penalties=(), g_penalties=(),
                 d_input_transform=None, ema_decay=None, seed=0, n_fixed=64, n_classes=None, augment=None,
                 augment_fakes=True, **kwargs):
        super().__init__(**kwargs)
        gan_checks.check_settings(d_steps, ema_decay)
        self.generator = generator
        self.discriminator = discriminator
        self.n_classes = gan_checks.check_conditional(n_classes, generator, discriminator, d_penalties,
                                                      g_penalties, d_input_transform)
        self.latent_dim = int(generator.input_shape[-1] if n_classes is None else generator.input_shape[0][-1])
        self.d_steps = d_steps
        self.d_penalties = list(d_penalties)
        self.g_penalties = list(g_penalties)
        self.d_input_transform = d_input_transform
        self.ema_decay = ema_decay
        if augment is not None and not callable(augment):
            raise ValueError(f"augment={augment!r}: give a function images, seed -> images, e.g. "
                             "gan_lib.core.augment.DiffAugment(), or None.")
        self.augment = augment
        self.augment_fakes = bool(augment_fakes)
        self.seed = seed
        self.batch_sizes_used = ()  # every batch size fit_images trained with, in order (read back by checks)
        self.seed_generator = keras.random.SeedGenerator(seed)
        rng = np.random.default_rng([seed, 7])
        self.fixed_latent = rng.standard_normal((n_fixed, self.latent_dim)).astype("float32")
        self.ema_generator = None
        if ema_decay is not None:
            self.ema_generator = keras.models.clone_model(generator)
            self.ema_generator.set_weights(generator.get_weights())
        self._features_model = None
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.d_real_tracker = keras.metrics.Mean(name="d_real")
        self.d_fake_tracker = keras.metrics.Mean(name="d_fake")
        # G and D are built; without this, fit under tf.distribute would "build"
        # the GAN by calling it on a data batch as if it were a latent batch.
        self.built = True

    # ------------------------------------------------------------------ setup

    def compile(self, d_optimizer=None, g_optimizer=None, loss="nonsaturating", **kwargs):
        """Set one optimizer per network and the loss pair.

        Defaults: Adam(2e-4, beta_1=0.5) for both (Radford et al., DCGAN, 2016).
        Under the ``mixed_float16`` dtype policy each optimizer is wrapped in a
        ``keras.optimizers.LossScaleOptimizer`` (``train_step`` scales the losses).
        Keras' own options pass through, e.g. ``steps_per_execution=10`` or
        ``jit_compile=True`` (measured in ``make bench``; neither is the default).
        """
        super().compile(**kwargs)
        self.d_optimizer = d_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)
        self.g_optimizer = g_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)
        if self.d_optimizer is self.g_optimizer:
            raise ValueError("Give the generator and the discriminator an optimizer each "
                             "(one optimizer cannot track both networks' weights).")
        if keras.config.dtype_policy().name == "mixed_float16":
            # Mixed precision: float16 gradients underflow without loss scaling.
            wrap = keras.optimizers.LossScaleOptimizer
            self.d_optimizer = self.d_optimizer if isinstance(self.d_optimizer, wrap) else wrap(self.d_optimizer)
            self.g_optimizer = self.g_optimizer if isinstance(self.g_optimizer, wrap) else wrap(self.g_optimizer)
        self.gan_loss = losses_mod.get(loss)
        # Create the optimizers' slots now, so checkpoints can be restored before training.
        self.d_optimizer.build(self.discriminator.trainable_weights)
        self.g_optimizer.build(self.generator.trainable_weights)

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker, self.d_real_tracker, self.d_fake_tracker]

    def call(self, z, training=False):
        """``gan(z)`` generates images (so ``predict`` and ``summary`` work)."""
        return self.generator(z, training=training)

    # ------------------------------------------------------------------ helpers

    def _latents(self, n):
        ctx = tf.distribute.get_replica_context()
        if ctx is None or ctx.num_replicas_in_sync == 1:
            return keras.random.normal((n, self.latent_dim), seed=self.seed_generator)
        # Under tf.distribute every replica reads the same SeedGenerator state,
        # so all would draw the same latents. Fold the replica's index into this
        # step's seed: each replica draws its own, still a function of the seed.
        seed = ops.cast(self.seed_generator.next(), "int64")
        seed = tf.random.experimental.stateless_fold_in(seed, ctx.replica_id_in_sync_group)
        return tf.random.stateless_normal((n, self.latent_dim), seed=seed)

    @staticmethod
    def _replica_share(batch):
        """This replica's share of the global batch (``None`` on one device).

        Each replica's loss is a mean over its own examples and the optimizer
        sums the replicas' gradients, so scaling by ``local / global`` makes
        the update that of the mean over the global batch (also when the
        replicas' batches differ in size, as in a last partial batch).
        """
        ctx = tf.distribute.get_replica_context()
        if ctx is None or ctx.num_replicas_in_sync == 1:
            return None
        local = ops.cast(batch, "float32")
        return local / ctx.all_reduce(tf.distribute.ReduceOp.SUM, local)

    def _d(self, images, training, labels=None):
        if self.d_input_transform is not None:
            images = self.d_input_transform(images)
        inputs = images if labels is None else [images, labels]  # labels: conditional GANs only
        # Losses in float32 also under mixed precision (a no-op for float32 logits).
        return ops.cast(self.discriminator(inputs, training=training), "float32")

    def _augmented(self, images, fake=False):
        """``images`` through :attr:`augment` (training steps only; fakes only if ``augment_fakes``)."""
        if self.augment is None or (fake and not self.augment_fakes):
            return images
        return self.augment(images, self.seed_generator)

    def _g(self, z, training, labels=None):
        """G's images for latents ``z`` (and, in a conditional GAN, one-hot ``labels``)."""
        return self.generator(z if labels is None else [z, labels], training=training)

    def _step_labels(self, data):
        """The one-hot labels of a training batch (``None`` for an unconditional GAN)."""
        if self.n_classes is None:
            return None
        if not isinstance(data, (tuple, list)) or len(data) < 2:
            raise ValueError("A conditional GAN (n_classes set) trains on (images, labels) batches; "
                             "use gan.fit_images(images, ..., labels=labels).")
        return ops.one_hot(ops.cast(data[1], "int32"), self.n_classes)

    def features(self, images, training=False):
        """The activations of D's layer named ``"features"`` for ``images``."""
        if self._features_model is None:
            try:
                layer = self.discriminator.get_layer("features")
            except ValueError as e:
                raise ValueError("This discriminator has no layer named 'features'; name the "
                                 "layer whose output feature-based tricks should read.") from e
            self._features_model = keras.Model(self.discriminator.inputs[0], layer.output)
        if self.d_input_transform is not None:
            images = self.d_input_transform(images)
        return self._features_model(images, training=training)

    # ------------------------------------------------------------------ training

    def train_step(self, data):
        real = data[0] if isinstance(data, (tuple, list)) else data
        batch = ops.shape(real)[0]
        # Losses are means over this replica's batch; under tf.distribute they are
        # weighted by the replica's share so the summed gradients are the global mean.
        share = self._replica_share(batch)
        labels = self._step_labels(data)  # None unless conditional; fakes get the real batch's labels
        d_weights = self.discriminator.trainable_weights
        g_weights = self.generator.trainable_weights

        for _ in range(self.d_steps):
            fake = ops.stop_gradient(self._g(self._latents(batch), training=True, labels=labels))
            with tf.GradientTape() as tape:
                real_logits = self._d(self._augmented(real), training=True, labels=labels)
                fake_logits = self._d(self._augmented(fake, fake=True), training=True, labels=labels)
                d_loss = self.gan_loss.discriminator(real_logits, fake_logits)
                for penalty in self.d_penalties:
                    d_loss = d_loss + penalty(self, real, fake)
                if self.discriminator.losses:  # D's own regularisers (kernel_regularizer=...)
                    d_loss = d_loss + ops.sum(self.discriminator.losses)
                scaled = d_loss if share is None else d_loss * share
                scaled = self.d_optimizer.scale_loss(scaled)  # unchanged unless loss scaling is on
            grads = tape.gradient(scaled, d_weights)
            self.d_optimizer.apply_gradients(zip(grads, d_weights))
            if hasattr(self.augment, "update"):
                self.augment.update(real_logits)  # ADA: adapt p to D's verdicts on the reals

        with tf.GradientTape() as tape:
            fake = self._g(self._latents(batch), training=True, labels=labels)
            g_logits = self._d(self._augmented(fake, fake=True), training=True, labels=labels)
            g_loss = self.gan_loss.generator(g_logits)
            for penalty in self.g_penalties:
                g_loss = g_loss + penalty(self, real, fake)
            if self.generator.losses:  # G's own regularisers, e.g. BigGAN's orthogonal regularisation
                g_loss = g_loss + ops.sum(self.generator.losses)
            scaled = g_loss if share is None else g_loss * share
            scaled = self.g_optimizer.scale_loss(scaled)
        grads = tape.gradient(scaled, g_weights)
        self.g_optimizer.apply_gradients(zip(grads, g_weights))

        if self.ema_generator is not None:
            # Warm-up: early on, average over the steps seen so far rather than
            # mixing in the random initial weights (decay -> ema_decay).
            t = ops.cast(self.g_optimizer.iterations, "float32")
            decay = ops.minimum(self.ema_decay, (1.0 + t) / (10.0 + t))
            for avg, w in zip(self.ema_generator.trainable_weights, g_weights):
                avg.assign(decay * avg + (1.0 - decay) * w)
            for avg, w in zip(self.ema_generator.non_trainable_weights, self.generator.non_trainable_weights):
                avg.assign(w)  # BatchNorm statistics: copy

        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self.d_real_tracker.update_state(ops.mean(ops.sigmoid(real_logits)))
        self.d_fake_tracker.update_state(ops.mean(ops.sigmoid(fake_logits)))
        return {m.name: m.result() for m in self.metrics}

    def fit_images(self, images, batch_size, epochs, initial_epoch=0, seed=0, callbacks=(), verbose=0, labels=None):
        """``fit`` on an array of training examples, the course's way.

        Batches come from :func:`gan_lib.data.training_batches`: full batches,
        ``len(images) // batch_size`` per epoch, in an order that is a pure
        function of ``(seed, epoch)``. So training epochs ``initial_epoch ..
        epochs - 1`` now, or continuing later, sees exactly the batches of one
        uninterrupted call. Returns Keras' ``History``.

        A conditional GAN (``n_classes`` set) needs ``labels``, the integer
        class of each image; its batches are then ``(images, labels)``. Each call's
        ``batch_size`` is appended to :attr:`batch_sizes_used`.
        """
        gan_checks.check_fit_labels(labels, self.n_classes)
        images = self.check_training_data(images)
        gan_checks.check_count("epochs", epochs)
        gan_checks.check_count("initial_epoch", initial_epoch, least=0)
        if labels is not None:
            labels = gan_checks.check_labels(labels, len(images), self.n_classes)
        batches = training_batches(images, batch_size, seed, initial_epoch, epochs, labels=labels)
        self.batch_sizes_used += (int(batch_size),)
        return self.fit(batches, epochs=epochs, initial_epoch=initial_epoch, steps_per_epoch=len(images) // batch_size,
                        callbacks=list(callbacks), verbose=verbose, shuffle=False)

    # ------------------------------------------------------------------ sampling

    @property
    def sampler(self):
        """The generator used for samples: the weight average if there is one."""
        return self.ema_generator if self.ema_generator is not None else self.generator

    def generate(self, z, batch_size=500, generator=None, labels=None) -> np.ndarray:
        """Images for the latent batch ``z`` (inference mode), as a NumPy array.

        ``generator`` defaults to :attr:`sampler`; pass ``gan.generator`` for the raw weights.
        A conditional GAN also takes ``labels``: integer classes ``(N,)``, or
        rows of class weights ``(N, n_classes)`` (one-hot, or a mix of two
        classes to interpolate between them). Without ``labels`` it draws the
        classes 0, 1, ..., n_classes - 1, 0, 1, ... in turn.
        """
        gan_checks.check_no_labels(labels, self.n_classes)
        generator = self.sampler if generator is None else generator
        gan_checks.check_count("batch_size", batch_size)
        z = gan_checks.check_latents(z, self.latent_dim)
        y = None if self.n_classes is None else self.one_hot(labels, len(z))
        out = []
        for i in range(0, len(z), batch_size):
            chunk = z[i:i + batch_size] if y is None else [z[i:i + batch_size], y[i:i + batch_size]]
            out.append(ops.convert_to_numpy(generator(chunk, training=False)))
        return np.concatenate(out)

    def sample(self, n, seed=0, labels=None) -> np.ndarray:
        """``n`` images from standard-normal latents drawn with ``seed``.

        ``labels``: a conditional GAN's classes (see :meth:`generate`); unconditional GANs take none.
        """
        gan_checks.check_count("n", n)
        z = np.random.default_rng([seed, 11]).standard_normal((n, self.latent_dim)).astype("float32")
        return self.generate(z, labels=labels)

    def discriminate(self, images, labels=None, batch_size=500) -> np.ndarray:
        """D's logits for ``images`` (inference mode) as a NumPy array ``(N,)``; above 0 means "real".

        D sees the images as in training, after ``d_input_transform`` (so a PacGAN
        pack of ``m`` images gets one logit). A conditional GAN's D judges an image
        together with its class: ``labels`` is then required, integer classes
        ``(N,)`` or rows of class weights (see :meth:`one_hot`); an unconditional
        GAN takes none. ``sigmoid(logit)`` is the probability D gives "real".
        """
        gan_checks.check_judge_labels(labels, self.n_classes)
        images = np.asarray(images, dtype="float32")
        if self.d_input_transform is None:  # a transform (PacGAN packing) changes the shape D sees
            images = gan_checks.check_judged_images(images, self.discriminator.inputs[0].shape[1:])
        y = None if self.n_classes is None else self.one_hot(labels, len(images))
        out = [np.zeros(0, "float32")]
        for i in range(0, len(images), batch_size):
            chunk = None if y is None else y[i:i + batch_size]
            logits = self._d(images[i:i + batch_size], training=False, labels=chunk)
            out.append(ops.convert_to_numpy(logits).reshape(-1))
        return np.concatenate(out)

    def check_training_data(self, examples) -> np.ndarray:
        """``examples`` as float32 after checking they fit this GAN, or a ``ValueError`` that says what to do.

        Images (the generator makes ``(H, W, C)``) go through :func:`gan_lib.data.check_images`:
        shape, float in [-1, 1] (not 0..255 pixels), finite. Other data (2-D points in the
        mode-collapse lessons) are checked for shape and finiteness only. See
        :func:`gan_lib.core.gan_checks.check_training_data`.
        """
        return gan_checks.check_training_data(examples, self.generator.output_shape[1:])

    def one_hot(self, labels, n) -> np.ndarray:
        """A conditional GAN's ``(n, n_classes)`` class rows from integer labels or from rows.

        Integer labels become one-hot rows; rows are checked (non-negative,
        summing to 1) and passed on, so a mix such as ``0.3 * one_hot(1) +
        0.7 * one_hot(7)`` interpolates between two classes
        (:func:`gan_lib.core.gan_checks.class_rows`).
        """
        return gan_checks.class_rows(labels, n, self.n_classes)

    # ------------------------------------------------------------------ state

    def state_variables(self):
        """Every variable a resumed run needs, in a fixed order, with names.

        Both networks (BatchNorm statistics included), the weight average, both
        optimizers and the random-generator state (the GAN's, and any layer's
        own, such as Dropout's).
        """
        groups = [("generator", self.generator.weights), ("discriminator", self.discriminator.weights)]
        if self.ema_generator is not None:
            groups.append(("ema_generator", self.ema_generator.weights))
        groups += [("d_optimizer", self.d_optimizer.variables), ("g_optimizer", self.g_optimizer.variables),
                   ("seed_generator", [self.seed_generator.state])]
        # Layers with their own randomness (Dropout) keep a seed state that is
        # in ``variables`` but not in ``weights``; without it a resumed run
        # would drop other units than the uninterrupted one. Models without
        # such layers add nothing here (their checkpoints are unchanged).
        layer_rng = []
        for net in (self.generator, self.discriminator):
            known = {id(w) for w in net.weights}
            layer_rng += [v for v in net.variables if id(v) not in known]
        if layer_rng:
            groups.append(("layer_rng", layer_rng))
        if getattr(self.augment, "variables", None):
            groups.append(("augment", list(self.augment.variables)))  # ADA's p and its counters
        out = []
        for group, variables in groups:
            for i, v in enumerate(variables):
                out.append((f"{group}/{i:03d}", v))
        return out
