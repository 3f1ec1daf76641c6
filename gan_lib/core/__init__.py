"""The core of a GAN: the ``GAN`` keras.Model with its ``train_step`` and the checks on its
inputs (``gan_checks``), losses, penalties, layers, PacGAN packing, latent tools, checkpoints,
callbacks and the quick/full switch; and what a training run needs around them: its folder
(``run_folder``) and the command-line helpers (``cli``).

Everything a lesson trains goes through :class:`gan_lib.core.gan.GAN`.
"""
