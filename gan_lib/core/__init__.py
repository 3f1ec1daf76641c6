"""The core of a GAN: the ``GAN`` keras.Model with its ``train_step``, losses, penalties,
layers, PacGAN packing, latent tools, checkpoints, callbacks and the quick/full switch.

Everything a lesson trains goes through :class:`gan_lib.core.gan.GAN`.
"""
