"""Lesson 02's exercise checks (a vanilla GAN on MNIST): the MLP generator's parameter count (2.1),
the TensorFlow 1 GAN article's generator with its bug fixed (2.2), and a trained MLP GAN that reaches
the lesson's levels (2.3)."""

from __future__ import annotations

import numpy as np

from gan_lib.coursework.checks.common import call, trained_gan_samples
from gan_lib.coursework.exercises import Wrong, expect_done, expect_function


def check_2_1(answer) -> None:
    """Parameters of the early Keras GAN tutorials' MLP generator (Dense 128, then Dense 784) with a latent
    size of 64 instead of 100."""
    expect_done(answer, "the parameter count")
    if isinstance(answer, (str, bytes)):
        raise Wrong(f"The parameter count should be a whole number, got the text {answer!r}.", "drop the quotes")
    try:
        v = float(answer)
    except (TypeError, ValueError):
        raise Wrong(f"The parameter count should be a whole number, got {type(answer).__name__} {answer!r}.") from None
    want = 64 * 128 + 128 + 128 * 784 + 784
    hint = "a Dense layer from m to n numbers has m*n weights plus n biases; add both layers"
    if v == 64 * 128 + 128 * 784:
        raise Wrong(f"{v:,.0f} counts the weights but not the biases.", "each Dense layer also has one bias per output")
    if v == 114_064:
        raise Wrong("114,064 is the generator with a latent size of 100; the question asks for 64.", hint)
    if v == 100_609:
        raise Wrong("100,609 is the discriminator's count; the question is about the generator.", hint)
    if v == 64 * 128 + 128:
        raise Wrong(f"{v:,.0f} is only the first layer (64 -> 128).", "add the output layer 128 -> 784")
    if v != want:
        raise Wrong(f"{v:,.0f} is not the generator's parameter count.", hint)


def check_2_2(build) -> None:
    """A function ``build(latent_dim)`` returning the TensorFlow 1 GAN article's generator (100 -> 128 -> 784)
    with its bug fixed (the 784-unit layer reads the hidden layer, not z), in the course's format.

    The hidden activation is read back from the layers: the article's generator uses ReLU, so the
    course's own MLP generator (``models.build("mlp")``, LeakyReLU, the same parameter count) is
    refused as an answer."""
    import keras

    from gan_lib.lessons import vanilla

    expect_function(build, "your generator function",
                    "Expected a function build(latent_dim) that returns a Keras model")
    model = call(build, "build(100)", "return a keras.Model or keras.Sequential", 100)
    expect_done(model, "the model your function returns")
    if not isinstance(model, keras.Model):
        raise Wrong(f"build(100) returned {type(model).__name__}, not a Keras model.")
    z = np.random.default_rng(0).standard_normal((8, 100)).astype(np.float32)
    try:
        out = np.asarray(keras.ops.convert_to_numpy(model(z, training=False)))
    except Exception as e:
        raise Wrong(f"Calling your model on a batch of shape (8, 100) raised {type(e).__name__}: {e}.",
                    "its input must be a latent vector of latent_dim numbers") from None
    n = model.count_params()
    if n == 100 * 784 + 784:
        raise Wrong(f"Your generator has {n:,} parameters: only the output layer. The bug is still there: "
                    "the 784-unit layer reads z, so the 128-unit hidden layer feeds nothing.",
                    "pass the hidden layer's output, not z, to the second Dense layer")
    dead = vanilla.dead_weights(model, latent_dim=100)
    if dead:
        raise Wrong(f"These weights get no gradient, so they can never learn: {', '.join(dead)}. "
                    "Some layer's output never reaches the generator's output.",
                    "each layer must read the previous layer's output")
    if n != 114_064:
        raise Wrong(f"Your generator has {n:,} parameters; the MLP generator of the early Keras GAN tutorials "
                    "(100 -> 128 -> 784) has 114,064.",
                    "one hidden Dense layer of 128 units, then a Dense layer of 784 units")
    acts = [getattr(layer, "activation", None) for layer in model.layers]
    leaky = any(isinstance(layer, keras.layers.LeakyReLU) for layer in model.layers)
    relu = any(a is keras.activations.relu or getattr(a, "__name__", "") == "relu" for a in acts) or any(
        isinstance(layer, keras.layers.ReLU) for layer in model.layers)
    if leaky or not relu:
        raise Wrong("Your hidden layer has " + ("LeakyReLU, as the course's own MLP generator does"
                                                if leaky else "no ReLU") + "; the article's generator "
                    "(the one to fix) uses ReLU.", "keep the article's choices and fix only the wiring bug")
    if out.shape[1:] == (784,):
        raise Wrong("Your generator outputs flat vectors of 784 numbers; the course's images have shape (28, 28, 1).",
                    "end with keras.layers.Reshape((28, 28, 1))")
    if out.shape != (8, 28, 28, 1):
        raise Wrong(f"For 8 latent vectors your generator outputs shape {out.shape}; expected (8, 28, 28, 1).")
    wide = np.asarray(keras.ops.convert_to_numpy(model(20 * z, training=False)))
    if wide.min() >= 0.0 and wide.max() <= 1.0:
        raise Wrong("Your outputs stay in [0, 1] (a sigmoid): the TensorFlow 1 GAN article's data were in [0, 1], "
                    "the course's digits are in [-1, 1] (background -1), so D could tell fakes by their grey "
                    "background.",
                    "end with tanh, which maps to [-1, 1]")
    if wide.min() < -1.0 - 1e-6 or wide.max() > 1.0 + 1e-6:
        raise Wrong(f"Your outputs range over [{wide.min():.3g}, {wide.max():.3g}]; images must lie in [-1, 1].",
                    "end with a tanh activation")


def check_2_3(answer) -> None:
    """A trained MNIST GAN that passes lesson 02's levels (vanilla.LEVELS).

    The check draws the 2,000 samples itself from the GAN's generator (:func:`trained_gan_samples`):
    an array of images, which could be the training digits themselves, or an unfitted GAN is refused."""
    from gan_lib.data import check_images
    from gan_lib.lessons import vanilla
    from gan_lib.measure import metrics

    expect_done(answer, "your trained GAN")
    samples = trained_gan_samples(answer, metrics.N_EVAL, 5, "answer_2_3").astype(np.float32)
    if not np.all(np.isfinite(samples)):
        raise Wrong("Some samples are NaN or infinite: the training diverged.", "try a smaller learning rate")
    try:
        samples = check_images(samples, name="your samples")
    except ValueError as e:
        raise Wrong(str(e), "the generator should end in tanh, so that its images lie in [-1, 1]") from None
    r = metrics.evaluate(samples)
    lv = vanilla.LEVELS
    shares = np.asarray(r["class_shares"])
    top = int(shares.argmax())
    if shares[top] >= 0.5:
        raise Wrong(f"Mode collapse: {shares[top]:.0%} of your samples are read as the digit {top} "
                    f"(KL to uniform {r['kl_to_uniform']:.2f}).",
                    "train longer, or lower D's advantage (learning rates); lesson 04 is about this failure")
    if r["fd"] > lv["fd_max"]:
        raise Wrong(f"Your samples' Frechet distance is {r['fd']:.1f} (must be at most {lv['fd_max']:g}; "
                    "an untrained generator scores about 340).",
                    "train for more steps or with a larger learning rate such as 1e-3")
    if r["classifier_score"] < lv["score_min"]:
        raise Wrong(f"Classifier score {r['classifier_score']:.2f} (must be at least {lv['score_min']:g}): "
                    "too few samples read clearly as one digit.", "train longer")
    if r["kl_to_uniform"] > lv["kl_max"]:
        raise Wrong(f"The digits are covered unevenly: KL to uniform {r['kl_to_uniform']:.2f} "
                    f"(must be at most {lv['kl_max']:g}); shares "
                    + " ".join(f"{d}:{s:.2f}" for d, s in enumerate(shares)) + ".",
                    "train longer; a generator usually fills in the rare digits late")
