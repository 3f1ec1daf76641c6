"""Lesson 11: inverting real digits into a trained generator's latent space, and editing them there.

* **Inversion by optimisation** (:func:`invert`): Adam on the latents ``z`` of a frozen generator,
  minimising the pixel mean squared error to the target images, from several random starts
  (the best start per image is kept). :func:`invert` records the error against the step.
* **Inversion by an encoder** (:func:`train_encoder`): a small convolutional network trained
  on pairs ``(G(z), z)`` of the generator's own samples; its output can start the optimisation.
* **The baseline** (:func:`nearest_training_mse`): the error of the nearest *training* digit,
  what a look-up table of the training set would reconstruct.
* **Out-of-distribution inputs** (:func:`draw_letters`): capital letters drawn by code from
  straight strokes, never downloaded.
* **Attributes** measured on any image: slant from the image's second moments (:func:`slant`)
  and thickness as the ink of lesson 07 (:func:`gan_lib.lessons.conditional.ink`).
* **Directions** (:func:`probe_direction`): a least-squares linear probe from latents of the
  generator's samples to a measured attribute; its unit weight vector is the edit direction.
* **Conditional directions** (:func:`class_directions`, :func:`conditional_direction`): the
  class probes' directions projected out of an attribute's, so the edit holds the digit fixed
  (InterFaceGAN's conditional manipulation).
* **Edits** (:func:`edit_path`, :func:`edit_report`): ``z + t * direction`` for a row of ``t``;
  an edit *works* for a digit when the attribute rises at every step along the row and the
  course classifier reads the same digit at every step.

``python -m gan_lib.lessons.latent_edit`` (``make lesson11``) trains nothing: it reads the
generators stored in ``runs/11_inversion/`` (float16 weights of ``python -m gan_lib.train``
runs, seeds 0-2, see :func:`store_generator`) and writes ``table.json`` beside them.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import numpy as np

from gan_lib.core import config

RESULTS_FOLDER = "runs/11_inversion"
TABLE_FILE = "table.json"
SEEDS = (0, 1, 2)
#: Where :func:`compare_edits`' rows go (beside ``table.json``).
EDITS_FILE = "edits.json"
MODEL = "dcgan_deep"
#: The steps at which :func:`invert` records the mean error (the last is the number of steps).
RECORD_AT = (0, 10, 25, 50, 100, 200)
#: The edit amounts ``t`` (in units of the latent's standard deviation along the direction).
EDIT_TS = (-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5)


def generator_file(seed: int) -> str:
    return f"generator_seed{seed}.npz"


# --------------------------------------------------------------------------- stored generators


def store_generator(generator, path, note: str = "") -> Path:
    """Write a generator's weights as float16 arrays (``w000``, ``w001``, ...) plus its model name."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {f"w{i:03d}": np.asarray(w, np.float16) for i, w in enumerate(generator.get_weights())}
    np.savez_compressed(path, model=np.array(MODEL), note=np.array(note), **arrays)
    return path


def store_run(run_folder, seed: int, folder=None) -> Path:
    """Store a finished training run's generator (``generator.keras``, the weight average) and its metrics."""
    from gan_lib import models

    run_folder = Path(run_folder)
    g = models.load(run_folder / "generator.keras")
    metrics = json.loads((run_folder / "metrics.json").read_text())
    settings = json.loads((run_folder / "run_config.json").read_text())
    note = json.dumps({"seed": seed, "run_config": settings, "metrics": metrics})
    return store_generator(g, Path(folder or results_dir()) / generator_file(seed), note)


def generator_note(seed: int, folder=None) -> dict:
    """What :func:`store_run` recorded about a stored generator (its training settings and final metrics)."""
    with np.load(Path(folder or results_dir()) / generator_file(seed), allow_pickle=False) as f:
        return json.loads(str(f["note"]))


def load_generator(path):
    """The generator stored by :func:`store_generator` (a fresh ``dcgan_deep`` generator with those weights)."""
    from gan_lib import models

    with np.load(path, allow_pickle=False) as f:
        name = str(f["model"])
        weights = [f[k].astype(np.float32) for k in sorted(k for k in f.files if k.startswith("w"))]
    g, _ = models.build(name)
    g.set_weights(weights)
    return g


def results_dir() -> Path:
    """``runs/11_inversion`` of the repository (it holds the stored generators, read in both modes).

    Outside a clone (Colab installs only the package) its committed files are fetched once into a
    cache folder (:func:`gan_lib.core.config.committed_folder`)."""
    return config.committed_folder(RESULTS_FOLDER)


def output_dir(quick: bool | None = None) -> Path:
    """Where ``table.json`` goes: ``runs/11_inversion`` in full mode, a fresh temporary folder in quick mode."""
    quick = config.quick_mode() if quick is None else quick
    return Path(tempfile.mkdtemp(prefix="gan_course_11_quick_")) if quick else results_dir()


# --------------------------------------------------------------------------- inversion


def mse(a, b) -> np.ndarray:
    """Per-image mean squared error between two image batches in [-1, 1]."""
    a = np.asarray(a, np.float64).reshape(len(a), -1)
    b = np.asarray(b, np.float64).reshape(len(b), -1)
    return ((a - b) ** 2).mean(1)


def invert(generator, targets, steps: int = 200, restarts: int = 4, lr: float = 0.05, seed: int = 0,
           z_init=None, project: str | None = None, record_at=RECORD_AT) -> dict:
    """Find ``z`` with ``G(z)`` close to each target: Adam on ``z``, per-image pixel MSE, ``restarts`` starts.

    ``z_init`` (shape ``(N, latent_dim)``) replaces the random starts (then one start). ``project``:
    ``None`` (free ``z``), ``"shell"`` (after each step, rescale each ``z`` to norm ``sqrt(latent_dim)``,
    where a standard normal latent lives) or ``"box"`` (clip to [-3, 3]). Returns ``z`` (best start per
    image), ``images``, ``mse`` (per image) and ``curve``: the mean over images of the best start's
    error at each step in ``record_at`` (steps beyond ``steps`` are left out).
    """
    import keras
    import tensorflow as tf

    x = np.asarray(targets, np.float32)
    n, dim = len(x), int(generator.input_shape[-1])
    if z_init is not None:
        z0 = np.asarray(z_init, np.float32).reshape(1, n, dim)
    else:
        z0 = np.random.default_rng([seed, 111]).standard_normal((restarts, n, dim)).astype(np.float32)
    r = z0.shape[0]
    z = tf.Variable(z0.reshape(r * n, dim))
    target = tf.constant(np.tile(x, (r, 1, 1, 1)))
    opt = keras.optimizers.Adam(lr)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            out = generator(z, training=False)
            per = tf.reduce_mean(tf.square(out - target), axis=[1, 2, 3])
            loss = tf.reduce_sum(per)  # a sum over images: each image's gradient is its own MSE's
        opt.apply_gradients([(tape.gradient(loss, z), z)])
        if project == "shell":
            z.assign(z * (dim ** 0.5) / (tf.norm(z, axis=1, keepdims=True) + 1e-8))
        elif project == "box":
            z.assign(tf.clip_by_value(z, -3.0, 3.0))
        return per

    def errors():
        out = generator(z, training=False).numpy()
        return out, mse(out, np.tile(x, (r, 1, 1, 1))).reshape(r, n)

    curve = {}
    for i in range(steps + 1):
        if i in record_at:
            curve[i] = float(errors()[1].min(0).mean())
        if i < steps:
            step()
    out, err = errors()
    best = err.argmin(0)
    zs = z.numpy().reshape(r, n, dim)[best, np.arange(n)]
    images = out.reshape(r, n, *out.shape[1:])[best, np.arange(n)]
    return {"z": zs, "images": images, "mse": mse(images, x), "curve": curve}


def build_encoder(latent_dim: int = 64):
    """A small convolutional encoder: image (28, 28, 1) -> latent (latent_dim,)."""
    import keras
    from keras import layers

    inp = keras.Input((28, 28, 1))
    h = layers.Conv2D(32, 4, strides=2, padding="same")(inp)
    h = layers.LeakyReLU(0.2)(h)
    h = layers.Conv2D(64, 4, strides=2, padding="same")(h)
    h = layers.LeakyReLU(0.2)(h)
    h = layers.Flatten()(h)
    h = layers.Dense(256)(h)
    h = layers.LeakyReLU(0.2)(h)
    return keras.Model(inp, layers.Dense(latent_dim)(h), name="encoder")


def train_encoder(generator, n: int = 20000, epochs: int = 8, seed: int = 0, verbose: int = 0):
    """Train :func:`build_encoder` on ``n`` pairs ``(G(z), z)`` (latent MSE); returns the encoder."""
    import keras

    dim = int(generator.input_shape[-1])
    keras.utils.set_random_seed(seed)
    z = np.random.default_rng([seed, 222]).standard_normal((n, dim)).astype(np.float32)
    x = np.asarray(generator.predict(z, batch_size=500, verbose=0))
    enc = build_encoder(dim)
    enc.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
    enc.fit(x, z, batch_size=64, epochs=epochs, verbose=verbose, shuffle=True)
    return enc


def encode(encoder, images) -> np.ndarray:
    return np.asarray(encoder.predict(np.asarray(images, np.float32), batch_size=500, verbose=0))


def nearest_training_mse(targets, train_images, batch: int = 200) -> tuple:
    """For each target: the smallest per-image MSE to any training image, and that image's index.

    The search is :func:`gan_lib.measure.neighbours.nearest_neighbours` (exact Euclidean distance);
    the MSE is that distance squared over the number of pixels."""
    from gan_lib.measure.neighbours import nearest_neighbours

    dist, idx = nearest_neighbours(targets, train_images, k=1, batch_size=batch)
    pixels = int(np.prod(np.shape(targets)[1:]))
    return dist[:, 0] ** 2 / pixels, idx[:, 0]


# --------------------------------------------------------------------------- letters drawn by code

#: Capital letters as strokes, each a segment ``(x0, y0, x1, y1)`` on a unit square (y down).
LETTER_STROKES = {
    "A": [(0.2, 0.9, 0.5, 0.1), (0.5, 0.1, 0.8, 0.9), (0.32, 0.6, 0.68, 0.6)],
    "E": [(0.3, 0.1, 0.3, 0.9), (0.3, 0.1, 0.75, 0.1), (0.3, 0.5, 0.65, 0.5), (0.3, 0.9, 0.75, 0.9)],
    "F": [(0.3, 0.1, 0.3, 0.9), (0.3, 0.1, 0.75, 0.1), (0.3, 0.5, 0.65, 0.5)],
    "H": [(0.25, 0.1, 0.25, 0.9), (0.75, 0.1, 0.75, 0.9), (0.25, 0.5, 0.75, 0.5)],
    "K": [(0.3, 0.1, 0.3, 0.9), (0.3, 0.55, 0.75, 0.1), (0.42, 0.45, 0.75, 0.9)],
    "M": [(0.2, 0.9, 0.2, 0.1), (0.2, 0.1, 0.5, 0.55), (0.5, 0.55, 0.8, 0.1), (0.8, 0.1, 0.8, 0.9)],
    "N": [(0.25, 0.9, 0.25, 0.1), (0.25, 0.1, 0.75, 0.9), (0.75, 0.9, 0.75, 0.1)],
    "T": [(0.2, 0.1, 0.8, 0.1), (0.5, 0.1, 0.5, 0.9)],
    "V": [(0.2, 0.1, 0.5, 0.9), (0.5, 0.9, 0.8, 0.1)],
    "W": [(0.12, 0.1, 0.3, 0.9), (0.3, 0.9, 0.5, 0.35), (0.5, 0.35, 0.7, 0.9), (0.7, 0.9, 0.88, 0.1)],
    "X": [(0.2, 0.1, 0.8, 0.9), (0.8, 0.1, 0.2, 0.9)],
    "Y": [(0.2, 0.1, 0.5, 0.5), (0.8, 0.1, 0.5, 0.5), (0.5, 0.5, 0.5, 0.9)],
}


def draw_strokes(strokes, size: int = 28, width: float = 1.3, margin: int = 4) -> np.ndarray:
    """One image (size, size, 1) in [-1, 1]: ink 1 within ``width`` pixels of a stroke, a soft edge of one pixel."""
    span = size - 2 * margin
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64) + 0.5
    dist = np.full((size, size), np.inf)
    for x0, y0, x1, y1 in strokes:
        a = np.array([margin + x0 * span, margin + y0 * span])
        b = np.array([margin + x1 * span, margin + y1 * span])
        ab = b - a
        t = ((xx - a[0]) * ab[0] + (yy - a[1]) * ab[1]) / max(float(ab @ ab), 1e-9)
        t = np.clip(t, 0.0, 1.0)
        d = np.hypot(xx - (a[0] + t * ab[0]), yy - (a[1] + t * ab[1]))
        dist = np.minimum(dist, d)
    ink = np.clip(width + 0.5 - dist, 0.0, 1.0)
    return (ink * 2.0 - 1.0).astype(np.float32)[..., None]


def draw_letters(letters: str = "AEFHKMNTVWXY") -> np.ndarray:
    """The letters of :data:`LETTER_STROKES`, drawn by :func:`draw_strokes`: shape (N, 28, 28, 1)."""
    return np.stack([draw_strokes(LETTER_STROKES[c]) for c in letters])


# --------------------------------------------------------------------------- attributes


def slant(images) -> np.ndarray:
    """Each image's slant: ``-mu11 / mu02`` of its ink (pixels mapped to [0, 1]), column against row.

    ``mu11`` is the ink-weighted covariance of column and row, ``mu02`` the variance of the row. Rows
    grow downwards, so a digit whose top leans to the right has a negative covariance and a positive
    slant; 0 is upright; 0.5 means half a pixel to the right per pixel up.
    """
    w = (np.asarray(images, np.float64).reshape(len(images), 28, 28) + 1.0) / 2.0
    rows, cols = np.mgrid[0:28, 0:28].astype(np.float64)
    m = w.sum((1, 2)) + 1e-9
    r0 = (w * rows).sum((1, 2)) / m
    c0 = (w * cols).sum((1, 2)) / m
    dr, dc = rows[None] - r0[:, None, None], cols[None] - c0[:, None, None]
    mu11 = (w * dr * dc).sum((1, 2)) / m
    mu02 = (w * dr * dr).sum((1, 2)) / m
    return -mu11 / (mu02 + 1e-9)


def thickness(images) -> np.ndarray:
    """Stroke thickness as in lesson 07: the ink of each image (:func:`gan_lib.lessons.conditional.ink`)."""
    from gan_lib.lessons.conditional import ink

    return ink(images)


ATTRIBUTES = {"slant": slant, "thickness": thickness}


# --------------------------------------------------------------------------- directions and edits


def probe_direction(z, values) -> np.ndarray:
    """Unit vector ``w / |w|`` of the least-squares fit ``values ≈ z @ w + b`` (a linear probe)."""
    z = np.asarray(z, np.float64)
    v = np.asarray(values, np.float64)
    a = np.concatenate([z, np.ones((len(z), 1))], 1)
    coef = np.linalg.lstsq(a, v - v.mean(), rcond=None)[0][:-1]
    return coef / np.linalg.norm(coef)


def class_directions(z, classes, n_classes: int = 10) -> np.ndarray:
    """An orthonormal basis ``(k, latent_dim)`` of the directions along which the digit's class changes.

    Each class gets a linear probe: least squares of its one-hot label on ``[z, 1]``. The one-hot
    labels sum to 1 for every sample, so the probes' weights sum to zero and span at most
    ``n_classes - 1`` dimensions; an SVD keeps those (singular values above 1e-8 of the largest).
    Worked case: in 3-d, with ``classes = (z[:, 0] > 0)`` and 2 classes, the basis is one row,
    close to ``±(1, 0, 0)``."""
    z = np.asarray(z, np.float64)
    classes = np.asarray(classes).reshape(-1)
    if len(classes) != len(z):
        raise ValueError(f"class_directions: {len(z)} latents but {len(classes)} classes; give one class per latent")
    onehot = np.eye(n_classes)[classes]
    a = np.concatenate([z, np.ones((len(z), 1))], 1)
    w = np.linalg.lstsq(a, onehot - onehot.mean(0), rcond=None)[0][:-1]  # (latent_dim, n_classes)
    u, s, _ = np.linalg.svd(w, full_matrices=False)
    return u[:, s > 1e-8 * s.max()].T


def conditional_direction(direction, basis) -> np.ndarray:
    """The edit direction with the class directions projected out, renormalised to length 1:
    ``d' = (d - Bᵀ B d) / |d - Bᵀ B d|`` for an orthonormal ``basis`` B (rows) from :func:`class_directions`.

    This is InterFaceGAN's *conditional manipulation* (Shen et al. 2020, "Interpreting the Latent
    Space of GANs for Semantic Face Editing", CVPR): moving along ``d'`` leaves every class probe's
    value unchanged, so the edit changes the attribute while the (linear part of the) class stays.
    Worked case: ``d = (1, 1, 0) / √2`` and ``B = [(1, 0, 0)]`` give ``d' = (0, 1, 0)``."""
    d = np.asarray(direction, np.float64).reshape(-1)
    b = np.atleast_2d(np.asarray(basis, np.float64))
    if b.shape[1] != d.size:
        raise ValueError(f"conditional_direction: the direction has {d.size} numbers but the basis rows have "
                         f"{b.shape[1]}; both should live in the generator's latent space")
    rest = d - b.T @ (b @ d)
    norm = float(np.linalg.norm(rest))
    if norm < 1e-6:
        raise ValueError("conditional_direction: the direction lies inside the class directions' span; "
                         "nothing is left once the class is held fixed")
    return rest / norm


def labelled_samples(generator, n: int = 5000, seed: int = 7, images: bool = False) -> tuple:
    """``n`` latents and their samples' measured attributes: ``(z, {"slant": ..., "thickness": ...})``,
    and with ``images=True`` the samples too, ``(z, attributes, x)`` (to classify them without drawing them again)."""
    dim = int(generator.input_shape[-1])
    z = np.random.default_rng([seed, 333]).standard_normal((n, dim)).astype(np.float32)
    x = np.asarray(generator.predict(z, batch_size=500, verbose=0))
    attrs = {k: f(x) for k, f in ATTRIBUTES.items()}
    return (z, attrs, x) if images else (z, attrs)


def edit_path(generator, z, direction, ts=EDIT_TS) -> np.ndarray:
    """Images of ``z + t * direction`` for each ``t``: shape (N, len(ts), 28, 28, 1)."""
    z = np.asarray(z, np.float32)
    zs = z[:, None, :] + np.asarray(ts, np.float32)[None, :, None] * np.asarray(direction, np.float32)[None, None]
    x = np.asarray(generator.predict(zs.reshape(-1, z.shape[1]), batch_size=500, verbose=0))
    return x.reshape(len(z), len(ts), 28, 28, 1)


def monotonic(values) -> np.ndarray:
    """Per row: True when the values rise at every step (strictly)."""
    return np.all(np.diff(np.asarray(values, np.float64), axis=1) > 0, axis=1)


def class_kept(classes) -> np.ndarray:
    """Per row: True when every entry equals the row's first entry."""
    c = np.asarray(classes)
    return np.all(c == c[:, :1], axis=1)


def edit_report(generator, z, direction, attribute, ts=EDIT_TS) -> dict:
    """Edit each ``z`` along ``direction``; measure the attribute and the classifier's digit at every ``t``.

    ``attribute``: a name in :data:`ATTRIBUTES` or a function of images returning one number per image.

    ``works`` is True for a digit whose attribute rises at every step and whose class never changes;
    ``breaks_at`` is the first |t| at which the class changes (``inf`` if it never does)."""
    from gan_lib.core.latent import classify

    x = edit_path(generator, z, direction, ts)
    n, k = x.shape[:2]
    flat = x.reshape(n * k, 28, 28, 1)
    measure = ATTRIBUTES[attribute] if isinstance(attribute, str) else attribute
    values = np.asarray(measure(flat), np.float64).reshape(n, k)
    classes = classify(flat)[0].reshape(n, k)
    mono, kept = monotonic(values), class_kept(classes)
    ts_arr = np.asarray(ts, np.float64)
    centre = int(np.argmin(np.abs(ts_arr)))
    breaks = np.full(n, np.inf)
    for i in range(n):
        changed = classes[i] != classes[i, centre]
        if changed.any():
            breaks[i] = float(np.abs(ts_arr[changed]).min())
    return {"images": x, "values": values, "classes": classes, "monotonic": mono, "kept": kept,
            "works": mono & kept, "breaks_at": breaks}


# --------------------------------------------------------------------------- the stored comparison


def _share(mask) -> float:
    return float(np.mean(np.asarray(mask, bool)))


def run_seed(seed: int, n_digits: int, steps: int, restarts: int, encoder_pairs: int, encoder_epochs: int,
             n_probe: int, folder=None, verbose: bool = True) -> dict:
    """Everything lesson 11 measures for one stored generator; a row of plain numbers for ``table.json``."""
    from gan_lib import data
    from gan_lib.core.latent import classify

    t0 = time.perf_counter()
    g = load_generator(Path(folder or results_dir()) / generator_file(seed))
    held = data.load_digits("heldout", limit=n_digits)
    train = data.load_digits("train")
    record = tuple(s for s in RECORD_AT if s <= steps) + ((steps,) if steps not in RECORD_AT else ())
    opt = invert(g, held.images, steps=steps, restarts=restarts, seed=seed, record_at=record)
    near, _ = nearest_training_mse(held.images, train.images)
    enc = train_encoder(g, n=encoder_pairs, epochs=encoder_epochs, seed=seed)
    z_enc = encode(enc, held.images)
    enc_mse = mse(g.predict(z_enc, batch_size=500, verbose=0), held.images)
    hyb = invert(g, held.images, steps=steps, z_init=z_enc, seed=seed, record_at=record)
    letters = draw_letters()
    let_free = invert(g, letters, steps=steps, restarts=restarts, seed=seed, record_at=record)
    let_shell = invert(g, letters, steps=steps, restarts=restarts, seed=seed, project="shell", record_at=record)
    dig_shell = invert(g, held.images, steps=steps, restarts=restarts, seed=seed, project="shell", record_at=record)
    z_lab, attrs = labelled_samples(g, n=n_probe, seed=seed)
    recon_class = classify(opt["images"])[0]
    edits = {}
    for name, values in attrs.items():
        d = probe_direction(z_lab, values)
        half = n_probe // 2  # the probe's fit on held-back samples: correlation of z @ d with the attribute
        d_half = probe_direction(z_lab[:half], values[:half])
        r = float(np.corrcoef(z_lab[half:] @ d_half, values[half:])[0, 1])
        rep = edit_report(g, opt["z"], d, name)
        edits[name] = {**_edit_shares(rep), "probe_r": r, "never_breaks": _share(np.isinf(rep["breaks_at"]))}
    row = {"seed": seed, "n_digits": n_digits, "steps": steps, "restarts": restarts,
           "optim": {"median_mse": float(np.median(opt["mse"])), "beats_nearest": _share(opt["mse"] < near),
                     "curve": {str(k): v for k, v in opt["curve"].items()}},
           "nearest": {"median_mse": float(np.median(near))},
           "encoder": {"median_mse": float(np.median(enc_mse)), "beats_nearest": _share(enc_mse < near)},
           "encoder_then_optim": {"median_mse": float(np.median(hyb["mse"])),
                                  "beats_nearest": _share(hyb["mse"] < near),
                                  "curve": {str(k): v for k, v in hyb["curve"].items()}},
           "digits_shell": {"median_mse": float(np.median(dig_shell["mse"]))},
           "letters": {"median_mse": float(np.median(let_free["mse"])),
                       "shell_median_mse": float(np.median(let_shell["mse"])),
                       "curve": {str(k): v for k, v in let_free["curve"].items()}},
           "class_of_reconstruction": _share(recon_class == held.labels),
           "edits": edits, "seconds": round(time.perf_counter() - t0, 1)}
    if verbose:
        print(f"seed {seed}: optimisation beats nearest for {row['optim']['beats_nearest']:.1%}, "
              f"slant works {edits['slant']['works']:.1%}, thickness works {edits['thickness']['works']:.1%} "
              f"({row['seconds']:.0f} s)", flush=True)
    return row


def _edit_shares(rep) -> dict:
    """What a row stores of an :func:`edit_report`: the shares that work, rise and keep the class, the mean change."""
    return {"works": _share(rep["works"]), "monotonic": _share(rep["monotonic"]), "kept": _share(rep["kept"]),
            "mean_change": float(np.mean(rep["values"][:, -1] - rep["values"][:, 0]))}


def compare_edits(seed: int, n_digits: int, steps: int, restarts: int, n_probe: int, folder=None,
                  verbose: bool = True) -> dict:
    """Plain against conditional edits for one stored generator, on the inverted held-out digits.

    The inversions are :func:`run_seed`'s (same digits, starts, steps), and so are the plain
    directions (the probes on ``n_probe`` labelled samples); the conditional direction is the plain
    one with :func:`class_directions` of the same samples (their digits as the course classifier
    reads them) projected out. A row: per attribute, the edit shares of each direction and their cosine."""
    from gan_lib import data
    from gan_lib.core.latent import classify

    t0 = time.perf_counter()
    g = load_generator(Path(folder or results_dir()) / generator_file(seed))
    held = data.load_digits("heldout", limit=n_digits, verbose=verbose)
    z = invert(g, held.images, steps=steps, restarts=restarts, seed=seed, record_at=())["z"]
    z_lab, attrs, x_lab = labelled_samples(g, n=n_probe, seed=seed, images=True)
    basis = class_directions(z_lab, classify(x_lab)[0])
    row = {"seed": seed, "n_digits": n_digits, "class_dims": len(basis)}
    for name, values in attrs.items():
        d = probe_direction(z_lab, values)
        d_cond = conditional_direction(d, basis)
        cos = float(d @ d_cond)
        row[name] = {"cosine": cos,
                     "plain": _edit_shares(edit_report(g, z, d, name)),
                     "conditional": _edit_shares(edit_report(g, z, d_cond, name)),
                     "conditional_matched": _edit_shares(edit_report(g, z, d_cond, name, matched_ts(cos)))}
    row["seconds"] = round(time.perf_counter() - t0, 1)
    if verbose:
        print(f"seed {seed}: " + ", ".join(f"{a} works {row[a]['plain']['works']:.0%} plain, "
                                            f"{row[a]['conditional']['works']:.0%} conditional" for a in ATTRIBUTES)
              + f" ({row['seconds']:.0f} s)", flush=True)
    return row


def matched_ts(cosine: float, ts=EDIT_TS) -> tuple:
    """The steps along a conditional direction that change the attribute as much as :data:`EDIT_TS` along
    the plain one, by the probe: the plain direction is ``w / |w|`` and ``w · d' = |w| cos(d, d')``, so
    each ``t`` becomes ``t / cos``. (A unit step along ``d'`` moves the attribute only ``cos`` as far.)"""
    return tuple(float(t) / float(cosine) for t in ts)


def edits_summary(rows: list[dict]) -> dict:
    """Per attribute: the share of digits the edit works for, plain and conditional (mean, sd, values over
    seeds), and the conditional minus plain difference per seed with how many seeds it is positive in."""
    def stats(v):
        v = np.asarray(v, np.float64)
        return {"mean": float(v.mean()), "sd": float(v.std(ddof=1)) if len(v) > 1 else 0.0, "values": v.tolist()}

    out = {}
    for a in ATTRIBUTES:
        plain = [r[a]["plain"]["works"] for r in rows]
        cond = [r[a]["conditional"]["works"] for r in rows]
        matched = [r[a]["conditional_matched"]["works"] for r in rows]
        diff = np.subtract(cond, plain)
        diff_matched = np.subtract(matched, plain)
        out[a] = {"plain": stats(plain), "conditional": stats(cond), "difference": stats(diff),
                  "better_in": int((diff > 0).sum()),
                  "conditional_matched": stats(matched), "difference_matched": stats(diff_matched),
                  "better_in_matched": int((diff_matched > 0).sum()),
                  "change": {k: stats([r[a][k]["mean_change"] for r in rows])
                             for k in ("plain", "conditional", "conditional_matched")},
                  "seeds": len(rows)}
    return out


def format_edits(summary: dict) -> str:
    """The plain-against-conditional table: one line per attribute, shares as per cent, mean ± sd then seeds."""
    def pct(s):
        return f"{100 * s['mean']:5.1f}% ± {100 * s['sd']:4.1f}"

    def pts(s):
        return f"{100 * s['mean']:+5.1f} ± {100 * s['sd']:4.1f}"

    lines = ["edit works for (share of digits; differences in percentage points, conditional minus plain)",
             f"{'':26s} {'plain':>15s} {'conditional':>15s} {'difference':>15s}  better in"]
    for a, s in summary.items():
        ch = s["change"]
        lines.append(f"{a + ', same t':26s} {pct(s['plain']):>15s} {pct(s['conditional']):>15s} "
                     f"{pts(s['difference']):>15s}  {s['better_in']} of {s['seeds']} seeds")
        lines.append(f"{a + ', same change':26s} {'':>15s} {pct(s['conditional_matched']):>15s} "
                     f"{pts(s['difference_matched']):>15s}  {s['better_in_matched']} of {s['seeds']} seeds")
        lines.append(f"{'':4s}mean change of {a} from t = -1.5 to 1.5: plain {ch['plain']['mean']:.3g}, conditional "
                     f"{ch['conditional']['mean']:.3g} (same t), {ch['conditional_matched']['mean']:.3g} (same change)")
    return "\n".join(lines)


#: Numbers :func:`spread` summarises over seeds (path into a row).
SUMMARY = {
    "optimisation: median MSE": ("optim", "median_mse"),
    "optimisation: share beating nearest": ("optim", "beats_nearest"),
    "nearest training digit: median MSE": ("nearest", "median_mse"),
    "encoder: median MSE": ("encoder", "median_mse"),
    "encoder: share beating nearest": ("encoder", "beats_nearest"),
    "encoder + optimisation: median MSE": ("encoder_then_optim", "median_mse"),
    "encoder + optimisation: share beating nearest": ("encoder_then_optim", "beats_nearest"),
    "digits, z on the shell: median MSE": ("digits_shell", "median_mse"),
    "letters: median MSE": ("letters", "median_mse"),
    "letters, z on the shell: median MSE": ("letters", "shell_median_mse"),
    "reconstruction read as its digit": ("class_of_reconstruction",),
    "slant edit works": ("edits", "slant", "works"),
    "slant rises at every step": ("edits", "slant", "monotonic"),
    "slant keeps the class": ("edits", "slant", "kept"),
    "slant probe r (held-back)": ("edits", "slant", "probe_r"),
    "thickness edit works": ("edits", "thickness", "works"),
    "thickness rises at every step": ("edits", "thickness", "monotonic"),
    "thickness keeps the class": ("edits", "thickness", "kept"),
    "thickness probe r (held-back)": ("edits", "thickness", "probe_r"),
}


def _get(row, path):
    for k in path:
        row = row[k]
    return float(row)


def spread(rows: list[dict]) -> dict:
    """Mean and sample standard deviation over seeds of each :data:`SUMMARY` number."""
    out = {}
    for name, path in SUMMARY.items():
        v = np.array([_get(r, path) for r in rows])
        out[name] = {"mean": float(v.mean()), "sd": float(v.std(ddof=1)) if len(v) > 1 else 0.0,
                     "values": v.tolist()}
    return out


def format_spread(summary: dict, names=None) -> str:
    """One line per number: mean ± sd over seeds, then the seeds' values; shares as per cent."""
    lines = [f"{'measure':48s} {'mean ± sd':>18s}   seeds"]
    for name in names or summary:
        s = summary[name]
        pct = "share" in name or "works" in name or "rises" in name or "keeps" in name or "read as" in name
        if pct:
            lines.append(f"{name:48s} {100 * s['mean']:8.1f}% ± {100 * s['sd']:4.1f}   "
                         + " ".join(f"{100 * v:.1f}%" for v in s["values"]))
        else:
            lines.append(f"{name:48s} {s['mean']:9.4f} ± {s['sd']:.4f}   "
                         + " ".join(f"{v:.4f}" for v in s["values"]))
    return "\n".join(lines)


def load_results(folder=None, name: str = TABLE_FILE) -> dict:
    """The stored ``table.json`` of ``make lesson11`` (or ``name=EDITS_FILE``: its ``edits.json``)."""
    folder = results_dir() if folder is None else Path(folder)
    return json.loads((folder / name).read_text())


SETTINGS = {"full": {"n_digits": 100, "steps": 200, "restarts": 3, "encoder_pairs": 10000, "encoder_epochs": 5,
                     "n_probe": 5000},
            "quick": {"n_digits": 16, "steps": 25, "restarts": 2, "encoder_pairs": 1000, "encoder_epochs": 1,
                      "n_probe": 500}}


def main(argv=None):
    """``python -m gan_lib.lessons.latent_edit``: measure each stored generator and write ``table.json``."""
    from gan_lib.core.cli import OneLineParser

    p = OneLineParser(prog="python -m gan_lib.lessons.latent_edit",
                      description="Lesson 11's measurements over the stored generators (seeds 0-2).")
    p.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    p.add_argument("--out", default=None, help="where table.json goes (default runs/11_inversion; "
                                               "a temporary folder in quick mode)")
    p.add_argument("--store-from", default=None,
                   help="first store the generators of finished `python -m gan_lib.train` runs in "
                        "STORE_FROM/seed<k>/ (float16 weights and their metrics) beside the results "
                        "(runs/11_inversion; in quick mode the temporary folder) and measure those")
    p.add_argument("--edits", action="store_true",
                   help="only the plain-against-conditional edit comparison -> edits.json (minutes per seed); "
                        "without it, table.json first, then edits.json")
    a = p.parse_args(argv)
    quick = config.quick_mode()
    settings = SETTINGS["quick" if quick else "full"]
    out = output_dir() if a.out is None else Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    # Generators stored from runs go beside the results (in quick mode a temporary folder, so a quick
    # `make lesson11` never overwrites the committed full-mode generators); otherwise the committed ones.
    generators = out if a.store_from else results_dir()
    if a.store_from:
        for s in a.seeds:
            print(f"stored {store_run(Path(a.store_from) / f'seed{s}', s, folder=generators)}")
    if not a.edits:
        for s in a.seeds:  # one file per seed, so seeds can run as separate jobs; the table joins what is there
            row = run_seed(s, **settings, folder=generators)
            (out / row_file(s)).write_text(json.dumps(row, indent=1) + "\n")
        doc = write_table(out, quick)
        print(format_spread(doc["summary"]))
        print(f"wrote {out / TABLE_FILE}")
    rows = [compare_edits(s, **{k: settings[k] for k in ("n_digits", "steps", "restarts", "n_probe")},
                          folder=generators) for s in a.seeds]
    doc = {"mode": "quick" if quick else "full", "seeds": list(a.seeds), "settings": settings,
           "rows": rows, "summary": edits_summary(rows)}
    (out / EDITS_FILE).write_text(json.dumps(doc, indent=1) + "\n")
    print(format_edits(doc["summary"]))
    print(f"wrote {out / EDITS_FILE}")


def row_file(seed: int) -> str:
    return f"row_seed{seed}.json"


def write_table(folder, quick: bool) -> dict:
    """Join the ``row_seed<k>.json`` files of :data:`SEEDS` in ``folder`` into ``table.json``."""
    folder = Path(folder)
    rows = [json.loads((folder / row_file(s)).read_text()) for s in SEEDS if (folder / row_file(s)).exists()]
    doc = {"mode": "quick" if quick else "full", "seeds": [r["seed"] for r in rows],
           "complete": len(rows) == len(SEEDS), "settings": SETTINGS["quick" if quick else "full"], "model": MODEL,
           "edit_ts": list(EDIT_TS), "rows": rows, "summary": spread(rows),
           "total_seconds": round(sum(r["seconds"] for r in rows), 1)}
    (folder / TABLE_FILE).write_text(json.dumps(doc, indent=1) + "\n")
    return doc


if __name__ == "__main__":
    main()
