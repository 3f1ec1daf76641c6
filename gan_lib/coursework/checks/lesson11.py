"""Lesson 11's exercise checks (inversion and latent editing): an inversion loop (11.1), a direction
from measured labels (11.2), and an edit of one's own choosing that works (11.3)."""

from __future__ import annotations

import numpy as np

from gan_lib.coursework.checks.common import array, call
from gan_lib.coursework.exercises import Wrong, expect_done, expect_function
from gan_lib.lessons.latent_edit import mse as _per_image_mse

#: 11.1 passes when the inverted images are this close (mean per-image pixel MSE) to the targets.
MSE_MAX_11_1 = 0.01
#: 11.2 passes when the direction's cosine with the true one is at least this.
COSINE_MIN_11_2 = 0.95
#: 11.3 asks that the student's measure rise at every step of the edit for this share of samples...
RISES_MIN_11_3 = 0.6
#: ...and that the edit *work* (rise at every step with the class kept all along) for this share. A plain
#: probe direction falls short (width: 12% on the seed-0 generator); with the class directions projected
#: out (latent_edit.conditional_direction) width reaches 62%, slant 58%, thickness 63%.
WORKS_MIN_11_3 = 0.5
#: The direction must be the one the measure follows: the cosine of its class-free part with the check's own
#: conditional probe of the measure (fitted on N_PROBE_11_3 samples of its own) at least this. The reference
#: (width, fitted on the lesson's z_lab) reaches 0.79; a random class-free direction about 0.05, and
#: thickness's conditional direction handed in for width about 0.4.
COSINE_MIN_11_3 = 0.5
#: ... and the edit must move the measure: mean change from t = -1.5 to 1.5 of at least this many standard
#: deviations of the measure over samples (width, height, slant and thickness along their conditional
#: directions: 1.1-1.4; a random class-free direction 0.04).
CHANGE_MIN_11_3 = 0.5
#: A measure this correlated with the lesson's slant or thickness is not "a property of your own".
OWN_CORR_MAX_11_3 = 0.9
N_PROBE_11_3 = 5000


def toy_generator(dim: int = 8, seed: int = 3):
    """A small fixed generator for 11.1: ``tanh(z @ W)`` reshaped to (28, 28, 1), ``W`` random."""
    import keras

    w = np.random.default_rng(seed).normal(0.0, 0.35, (dim, 784)).astype(np.float32)
    g = keras.Sequential([keras.Input((dim,)), keras.layers.Dense(784, activation="tanh", use_bias=False),
                          keras.layers.Reshape((28, 28, 1))], name="toy_generator")
    g.set_weights([w])
    return g


def _toy_case(dim: int = 8, n: int = 6):
    g = toy_generator(dim)
    z_true = np.random.default_rng(11).standard_normal((n, dim)).astype(np.float32)
    return g, z_true, np.asarray(g(z_true, training=False))


def check_11_1(invert_digits) -> None:
    """``invert_digits(generator, targets, steps, lr)`` returns latents ``z`` (N, latent_dim) with
    ``generator(z)`` close to ``targets``: the check inverts images of a small fixed generator."""
    expect_function(invert_digits, "your invert_digits function", "invert_digits should be a function")
    g, z_true, targets = _toy_case()
    got = call(invert_digits, "invert_digits(generator, targets, 200, 0.05)",
               "targets has shape (N, 28, 28, 1); return the latents as an array (N, latent_dim)",
               g, targets.copy(), 200, 0.05)
    z = array(expect_done(got, "the value your function returns"), "invert_digits", None)
    if z.shape != z_true.shape:
        raise Wrong(f"invert_digits returned shape {z.shape}; expected {z_true.shape}, one latent per target.",
                    "return the optimised variable (z.numpy()), not the images or the loss")
    if not np.isfinite(z).all():
        raise Wrong("Your latents contain NaN or inf: the optimisation diverged.",
                    "use Adam with the given learning rate on a per-pixel *mean* squared error")
    recon = np.asarray(g(z.astype(np.float32), training=False))
    err = _per_image_mse(recon, targets)
    starts = np.random.default_rng(0).standard_normal((200, z.shape[1])).astype(np.float32)
    start_err = _per_image_mse(np.asarray(g(starts, training=False)), np.repeat(targets[:1], 200, 0)).mean()
    if err.mean() <= MSE_MAX_11_1:
        return
    if err.mean() > 1.2 * start_err:
        raise Wrong(f"Your latents reconstruct the targets *worse* (MSE {err.mean():.3f}) than random latents "
                    f"({start_err:.3f}): the optimisation climbs the error instead of descending it.",
                    "apply the gradient with optimizer.apply_gradients (it subtracts), not z + lr * gradient, "
                    "and minimise the error, not its negative")
    mean_diff = np.abs((recon - targets).reshape(len(z), -1).mean(1))
    if np.all(mean_diff < 0.02):
        raise Wrong(f"Your reconstructions have the right *average* pixel, but not the right pixels "
                    f"(MSE {err.mean():.3f}): the loss squares the mean difference.",
                    "square each pixel's difference first, then average: mean((G(z) - x)**2)")
    if abs(err.mean() - start_err) < 0.25 * start_err:
        raise Wrong(f"Your latents reconstruct the targets no better than random latents "
                    f"(MSE {err.mean():.3f} against {start_err:.3f}): z does not seem to change.",
                    "make z a tf.Variable, take the gradient of the loss with respect to it inside a "
                    "GradientTape, and call optimizer.apply_gradients([(grad, z)]) at every step")
    raise Wrong(f"Your inversion gets to a mean MSE of {err.mean():.4f}; the reference gets below "
                f"{MSE_MAX_11_1} on these targets in 200 steps.",
                "one Adam step per iteration on the per-pixel mean squared error of all targets together")


def _direction_case(dim: int = 16, n: int = 800):
    rng = np.random.default_rng(21)
    w = rng.standard_normal(dim)
    w /= np.linalg.norm(w)
    z = rng.standard_normal((n, dim))
    values = 3.0 + 0.8 * (z @ w) + 0.3 * rng.standard_normal(n)
    other = 1.0 + 0.8 * (z @ np.roll(w, 3)) + 0.3 * rng.standard_normal(n)
    return z, values, other, w


def check_11_2(direction_from_labels) -> None:
    """``direction_from_labels(z, values)``: the unit vector in latent space along which ``values`` rise
    (a linear probe). Checked on latents whose values follow a known direction plus noise."""
    expect_function(direction_from_labels, "your direction_from_labels function",
                    "direction_from_labels should be a function")
    z, values, other, w = _direction_case()
    got = call(direction_from_labels, "direction_from_labels(z, values)",
               "z has shape (N, latent_dim), values shape (N,); return one vector (latent_dim,)",
               z.copy(), values.copy())
    d = array(expect_done(got, "the value your function returns"), "direction_from_labels", None, finite=True)
    d = d.reshape(-1) if d.size == w.size else d
    if d.shape != w.shape:
        raise Wrong(f"direction_from_labels returned shape {d.shape}; expected {w.shape}, one vector in latent "
                    "space.", "drop the intercept from the fitted coefficients; return only the weights on z")
    norm = float(np.linalg.norm(d))
    if norm == 0:
        raise Wrong("Your direction is all zeros.", "fit values ≈ z @ w + b by least squares and return w / |w|")
    cos = float(d @ w / norm)
    if abs(norm - 1.0) > 1e-3:
        raise Wrong(f"Your direction has length {norm:.3g}, not 1 (its cosine with the right one is {cos:.2f}).",
                    "divide by np.linalg.norm(w): the edit z + t * direction then moves t latent standard "
                    "deviations, whatever the attribute's units")
    if cos < -COSINE_MIN_11_2:
        raise Wrong("Your direction points the wrong way: moving along it makes the values *fall*.",
                    "the values rise along +w when w is fitted to values (not to -values, and not values - "
                    "something reversed)")
    w_other = np.roll(w, 3)
    if abs(float(d @ w_other)) / norm > 0.8:
        raise Wrong("Your direction follows *other* values than the ones passed in (it matches a second "
                    "attribute of the same latents).", "fit the values argument of your function")
    centred = (values - values.mean()) @ z
    uncentred = values @ z
    if abs(float(d @ uncentred) / (np.linalg.norm(uncentred) * norm)) > 0.99 and \
            abs(float(centred @ uncentred) / (np.linalg.norm(centred) * np.linalg.norm(uncentred))) < 0.99:
        raise Wrong(f"Your direction is the values-weighted sum of the latents without centring the values "
                    f"(cosine {cos:.2f} with the right one): the values' mean pulls it toward the mean latent.",
                    "subtract values.mean() first, or fit a least-squares line with an intercept")
    if cos < COSINE_MIN_11_2:
        raise Wrong(f"Your direction's cosine with the direction the values follow is {cos:.2f}; "
                    f"a least-squares probe gets above {COSINE_MIN_11_2}.",
                    "np.linalg.lstsq on [z, 1] against values, then w / |w| of the weights on z")


_PROBE_CACHE: dict = {}


def _probe_samples():
    """The stored seed-0 generator and the check's own labelled samples of it: ``(generator, latents, images,
    class basis)``, made once per process."""
    from gan_lib.core.latent import classify
    from gan_lib.lessons import latent_edit

    if "seed0" not in _PROBE_CACHE:
        g = latent_edit.load_generator(latent_edit.results_dir() / latent_edit.generator_file(0))
        zc = np.random.default_rng([4242, 1]).standard_normal((N_PROBE_11_3, int(g.input_shape[-1])))
        zc = zc.astype(np.float32)
        xc = np.asarray(g.predict(zc, batch_size=500, verbose=0))
        _PROBE_CACHE["seed0"] = (g, zc, xc, latent_edit.class_directions(zc, classify(xc)[0]))
    return _PROBE_CACHE["seed0"]


def check_11_3(answer) -> None:
    """An edit of your choosing: ``{"direction": unit vector (64,), "measure": function(images) -> (N,)}``.

    The check draws 60 latents of the stored seed-0 generator itself, edits them along the direction
    for ``t`` in ``latent_edit.EDIT_TS`` and hands your measure the images in a shuffled order. It
    passes when for at least 60% of the latents the measure rises at every step, and for at least 50%
    the edit *works*: it rises at every step and the course classifier reads the same digit all along.
    It also fits a class-free direction to your measure on samples of its own, and asks that yours be
    close to it (cosine 0.5) and move the measure by half its spread over samples; the measure must not
    be the lesson's slant or thickness again."""
    from gan_lib.core.latent import classify
    from gan_lib.lessons import latent_edit

    expect_done(answer, "answer_11_3")
    if not isinstance(answer, dict) or not {"direction", "measure"} <= set(answer):
        raise Wrong("answer_11_3 should be a dict {'direction': a unit vector, 'measure': your function}.")
    d = array(expect_done(answer["direction"], "answer_11_3['direction']"), "answer_11_3['direction']", None,
              finite=True).reshape(-1)
    measure = answer["measure"]
    expect_function(measure, "answer_11_3['measure']", "answer_11_3['measure'] should be a function of images")
    g, zc, xc, basis = _probe_samples()
    dim = int(g.input_shape[-1])
    if d.shape != (dim,):
        raise Wrong(f"Your direction has shape {d.shape}; the generator's latents have {dim} numbers.")
    if abs(float(np.linalg.norm(d)) - 1.0) > 1e-3:
        raise Wrong(f"Your direction has length {np.linalg.norm(d):.3g}; normalise it to 1 so that t counts "
                    "latent standard deviations.", "direction / np.linalg.norm(direction)")
    on_samples = array(call(measure, "your measure(images)", "images has shape (N, 28, 28, 1) in [-1, 1]; "
                            "return (N,) numbers", xc.copy()), "your measure", None, finite=True).reshape(-1)
    if on_samples.shape != (len(xc),):
        raise Wrong(f"Your measure returned {on_samples.shape} for {len(xc)} images; expected one number per image.")
    if np.ptp(on_samples) == 0:
        raise Wrong("Your measure gives the same number for every image.")
    for name in ("slant", "thickness"):
        r = float(np.corrcoef(on_samples, latent_edit.ATTRIBUTES[name](xc))[0, 1])
        if abs(r) > OWN_CORR_MAX_11_3:
            raise Wrong(f"Your measure is the lesson's {name} again (correlation {r:.2f} with it on the check's "
                        "samples).", "choose a property of your own, for example the digit's width or height")
    own = latent_edit.conditional_direction(latent_edit.probe_direction(zc, on_samples), basis)
    z = np.random.default_rng(1111).standard_normal((60, dim)).astype(np.float32)
    x = latent_edit.edit_path(g, z, d)
    n, k = x.shape[:2]
    flat = x.reshape(n * k, 28, 28, 1)
    order = np.random.default_rng(5).permutation(n * k)
    got = call(measure, "your measure(images)", "images has shape (N, 28, 28, 1) in [-1, 1]; return (N,) numbers",
               flat[order].copy())
    got = array(got, "your measure", None, finite=True).reshape(-1)
    if got.shape != (n * k,):
        raise Wrong(f"Your measure returned {got.shape} for {n * k} images; expected one number per image.")
    values = np.empty(n * k)
    values[order] = got
    values = values.reshape(n, k)
    if np.ptp(values) == 0:
        raise Wrong("Your measure gives the same number for every image.")
    classes = classify(flat)[0].reshape(n, k)
    rises, kept = latent_edit.monotonic(values), latent_edit.class_kept(classes)
    works = rises & kept
    try:  # compared outside the class directions, so a plain direction is judged by its class-free part
        cos = float(latent_edit.conditional_direction(d, basis) @ own)
    except ValueError:  # the direction lies inside the class directions' span
        cos = 0.0
    change = float(np.mean(values[:, -1] - values[:, 0]) / on_samples.std())
    in_class_span = float(np.linalg.norm(basis @ d))
    said = (f"your measure rises at every step for {rises.mean():.0%} of 60 samples; the class is kept for "
            f"{kept.mean():.0%}, both (the edit works) for {works.mean():.0%}")
    falls = latent_edit.monotonic(-values).mean()
    if falls > rises.mean():
        raise Wrong(f"Along your direction your measure *falls* at every step for {falls:.0%} of the samples.",
                    "flip the direction's sign")
    if cos < -COSINE_MIN_11_3:
        raise Wrong(f"Your direction points against your measure: outside the class directions, its cosine with "
                    f"a direction fitted to your measure is {cos:.2f}.", "flip the direction's sign")
    if cos < COSINE_MIN_11_3:
        raise Wrong(f"Your direction is not the one your measure follows: outside the class directions, its "
                    f"cosine with a direction fitted to your measure on the check's own samples is {cos:.2f} "
                    f"(the check asks for {COSINE_MIN_11_3}).",
                    "fit the direction to your measure's values on the labelled samples (Exercise 11.2), then hold "
                    "the class fixed as section 5b does")
    if rises.mean() >= RISES_MIN_11_3 and works.mean() < WORKS_MIN_11_3:
        if in_class_span > 0.3:
            raise Wrong(f"Y{said[1:]}: your direction changes the attribute, but it also changes *which digit* "
                        f"it is for {1 - kept.mean():.0%} of the samples. The check asks that the edit work "
                        f"for {WORKS_MIN_11_3:.0%}.",
                        "hold the class fixed: fit the class directions on the labelled samples' digits "
                        "(latent_edit.class_directions) and project them out of yours "
                        "(latent_edit.conditional_direction), as section 5b does for slant and thickness")
        raise Wrong(f"Y{said[1:]}: your direction is already (nearly) free of the class directions, yet the "
                    f"class changes for {1 - kept.mean():.0%} of the samples: the linear class probes do not "
                    "hold this property's digits.", "choose a property less tied to which digit it is, or fit "
                    "the class directions on more labelled samples")
    if rises.mean() < RISES_MIN_11_3:
        raise Wrong(f"Your measure rises at every step for {rises.mean():.0%} of 60 samples; the check asks for "
                    f"{RISES_MIN_11_3:.0%}.",
                    "fit the direction to your measure on a few thousand samples (Exercise 11.2), and check that "
                    "your measure changes smoothly with the picture (no jumps, no ties)")
    if change < CHANGE_MIN_11_3:
        raise Wrong(f"Your edit barely moves your measure: from t = -1.5 to 1.5 it changes by {change:.2f} of its "
                    f"spread over samples (the check asks for {CHANGE_MIN_11_3}).",
                    "use a unit direction fitted to your measure; a direction nearly orthogonal to it moves little")
    print(said + f"; cosine {cos:.2f} with the check's own fit, change {change:.2f} of the measure's spread")
