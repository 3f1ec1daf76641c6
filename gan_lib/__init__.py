"""gan_lib: the small library behind the GAN course's notebooks.

One module per concern:

=============  ==============================================================
config         quick/full mode switch, repository slug, default seed
data           the shipped MNIST digits, the fixed split, batches
models         generators and discriminators (MLP, tutorial DCGAN, course DCGAN, CIFAR-10 article + SN, wide MLP)
losses         GAN losses as pure functions, and loss pairs
gan            the GAN ``keras.Model`` with its ``train_step`` and extension points
checkpoint     crash-safe checkpoints and resuming
callbacks      per-epoch sample grids, checkpoints, divergence guard, D accuracy
classifier     the course's MNIST classifier (shipped weights)
metrics        Frechet distance, class shares, classifier score, thresholds
plotting       grids, GIFs, loss curves
train          the training command line (``python -m gan_lib.train``)
course         notebook helpers: run header, Colab badge, setup
exercises      the check runner: pass / not done yet / what is wrong
checks         every lesson's exercise checks (``check_<lesson>_<k>``)
theory         1-D densities and GAN theory (lesson 01)
classic        the classic stacked-model recipe and its ``trainable`` pitfall (lesson 02)
vanilla        lesson 02's MLP GAN helpers (D-wins test, snapshots, the TF1 article's buggy generator)
latent         latent interpolation (lerp, slerp), latents for a chosen digit, truncated latents
tracking       quality per epoch against training seconds (lesson 03)
colour         CIFAR-10 (read offline from Keras' cache) and the named colour stand-in (lesson 05)
panel          the control panel: one settings object, training with checkpoints and resuming (lesson 05)
two_sample     the classifier two-sample test, diversity and the colour "learned" bar (lesson 05)
fid            Frechet Inception Distance where InceptionV3's weights load (lesson 05)
mixtures       2-D Gaussian-mixture benchmarks (ring, grid), their metrics, sampling a 2-D generator
packing        PacGAN packing, a ``d_input_transform``
layers         Keras layers for D/G (minibatch standard deviation, SAGAN self-attention, normal-to-uniform latents)
penalties      extra loss terms for ``d_penalties``/``g_penalties`` (gradient penalty, R1, feature matching); WGAN weight clipping
collapse       lesson 04's remedies, shared recipe, comparison table and stored results
stabilise      lesson 06's stabilising tricks on MNIST: variants, recipe, curves, table, BatchNorm probe
conditional    class-conditional GANs: accuracy per class asked for, class grids, label paths (lesson 07)
style          StyleGAN's ideas on a toy: mapping network, modulated convolution, noise, style mixing (lesson 09)
provenance     labelling generated images as synthetic (lesson 09)
evaluate       nearest neighbours, memorisation check, precision/recall, density/coverage, FD vs n (lesson 08)
=============  ==============================================================
"""

import os as _os

# TensorFlow's C++ start-up chatter (oneDNN notices, grappler remapper messages)
# buries what students need to read. Python errors are unaffected.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

__version__ = "0.1.0"

import importlib.util as _util

if _util.find_spec("tensorflow") is None:
    raise ImportError(
        "gan_lib needs TensorFlow, which is not installed here. Install one build: "
        "`pip install tensorflow` (Colab already has it), `pip install tensorflow-cpu`, "
        "or `pip install 'tensorflow[and-cuda]'` for an NVIDIA GPU. gan_lib does not list it "
        "as a dependency so that installing gan_lib never replaces the TensorFlow you have."
    )
