"""Lesson 08's exercise checks (evaluating GANs): the k-th nearest neighbour radius (8.1), precision
of the k-NN manifold (8.2), a set of images that games the classifier score (8.3), and KID's unbiased
squared MMD by hand (8.4)."""

from __future__ import annotations

import math

import numpy as np

from gan_lib.coursework.checks.common import array, call, refusing
from gan_lib.coursework.exercises import Wrong, expect_done, expect_function

#: Exercise 8.1's points on a line and the k-th nearest *other* point's distance, by hand:
#: from 0 the others lie 1, 3, 7 away; from 1: 1, 2, 6; from 3: 2, 3, 4; from 7: 4, 6, 7.
RADIUS_POINTS_8 = np.array([[0.0], [1.0], [3.0], [7.0]])
RADIUS_CASES_8_1 = {1: [1.0, 1.0, 2.0, 4.0], 2: [3.0, 2.0, 3.0, 6.0], 3: [7.0, 6.0, 4.0, 7.0]}


#: What a lesson-08 function is told when it crashes.
CALL_HINT = "the arguments are NumPy arrays of shape (N, D); return NumPy values"


def check_8_1(kth_radius) -> None:
    """A function ``kth_radius(points, k)``: each point's distance to its k-th nearest *other* point, shape (N,).

    Calling the course's ``neighbours.nearest_neighbours`` (or the radii helper of ``evaluate``) is
    refused (:class:`refusing`)."""
    from gan_lib.measure import evaluate, neighbours

    expect_function(kth_radius, "your kth_radius function",
                    "kth_radius should be a function kth_radius(points, k)")
    x = np.random.default_rng(8).normal(size=(60, 5))
    want_x = neighbours.nearest_neighbours(x, x, k=4)[0][:, 3]
    with refusing("neighbours.nearest_neighbours", neighbours, "nearest_neighbours", evaluate, "_kth_radii",
                  answer=kth_radius):
        _check_8_1_cases(kth_radius, x, want_x)


def _check_8_1_cases(kth_radius, x, want_x) -> None:
    hint = ("sort each point's distances to all the points; the smallest is its distance to itself (0): which "
            "entry is then the k-th nearest *other* point?")
    pts = RADIUS_POINTS_8
    for k, want in RADIUS_CASES_8_1.items():
        got = array(call(kth_radius, f"kth_radius(points, k={k})", CALL_HINT, pts.copy(), k),
                    f"kth_radius(points, {k})")
        if got.shape != (len(pts),):
            if got.size == len(pts):
                raise Wrong(f"kth_radius returns shape {got.shape}; return one radius per point, shape ({len(pts)},).",
                            "flatten it, e.g. dist[:, k]")
            raise Wrong(f"kth_radius(points, {k}) for {len(pts)} points has shape {got.shape}; expected ({len(pts)},).",
                        hint)
        want = np.array(want)
        if k == 1 and np.allclose(got, 0.0):
            raise Wrong("Every radius is 0: each point counted itself as its own nearest neighbour.",
                        "skip the point itself: its distance 0 is the first entry of each sorted row")
        if k > 1 and np.allclose(got, RADIUS_CASES_8_1[k - 1]):
            raise Wrong(f"For k={k} you return the distance to the {k - 1}-th other point: the point itself was "
                        "counted as one of its neighbours.", hint)
        if k < 3 and np.allclose(got, RADIUS_CASES_8_1[k + 1]):
            raise Wrong(f"For k={k} you return the distance to the {k + 1}-th other point: one neighbour too far.",
                        hint)
        if np.allclose(got, want ** 2):
            raise Wrong(f"kth_radius(points, {k}) gives {got.tolist()}: squared distances.",
                        "take the square root: the radius is a distance")
        if not np.allclose(got, want, atol=1e-6):
            raise Wrong(f"kth_radius(points on a line at 0, 1, 3, 7, k={k}) = {np.round(got, 4).tolist()}; "
                        f"expected {want.tolist()}.", hint)
    got = array(call(kth_radius, "kth_radius(x, 3) on 60 points in 5-D", CALL_HINT, x.copy(), 3), "kth_radius(x, 3)")
    want = want_x
    if got.shape != want.shape or not np.allclose(got, want, atol=1e-6):
        raise Wrong("Right on the points of a line, but not on 60 random points in 5-D.",
                    "use the Euclidean distance over all coordinates: np.linalg.norm(a - b, axis=-1)")


#: Exercise 8.2's hand-made sets: real points at 0, 1, 2, 3 (k=1: every radius 1, so the real
#: manifold is [-1, 4]); fakes at 0.5, 3.9, 4.5, 10 -> precision 2/4. The fakes' own k=1 radii are
#: 3.4, 0.6, 0.6, 5.5, and every real point lies within 3.4 of 0.5 -> recall 1.
PRECISION_REAL_8 = np.array([[0.0], [1.0], [2.0], [3.0]])
PRECISION_FAKE_8 = np.array([[0.5], [3.9], [4.5], [10.0]])


def check_8_2(precision) -> None:
    """A function ``precision(real, fake, k)``: the share of fake points inside some real point's k-NN ball.

    Calling the course's ``evaluate.precision_recall`` (or its ball helpers) is refused (:class:`refusing`);
    the student's own ``kth_radius`` is fine."""
    from gan_lib.measure import evaluate

    expect_function(precision, "your precision function",
                    "precision should be a function precision(real, fake, k)")
    rng = np.random.default_rng(9)
    real, fake = rng.normal(size=(80, 3)), rng.normal(size=(70, 3)) * 1.5 + 0.5
    wants = {k: evaluate.precision_recall(real, fake, k=k)["precision"] for k in (2, 4)}
    with refusing("evaluate.precision_recall", evaluate, "precision_recall", evaluate, "_inside_any_ball",
                  evaluate, "_kth_radii", answer=precision):
        _check_8_2_cases(precision, real, fake, wants)


def _check_8_2_cases(precision, real, fake, wants) -> None:
    hint = ("a fake point f counts if ||f - r_i|| <= radius_i for at least one real point r_i, where radius_i "
            "is r_i's distance to its k-th nearest other real point")

    def value(real, fake, k, what):
        v = call(precision, what, CALL_HINT, real.copy(), fake.copy(), k)
        if isinstance(v, (str, bytes)):
            raise Wrong(f"{what} returned the text {v!r}; return a number between 0 and 1.", hint)
        try:
            arr = np.asarray(v, np.float64)
        except (TypeError, ValueError):
            raise Wrong(f"{what} returned {type(v).__name__} {v!r:.60}, not a number.", hint) from None
        if arr.size != 1:
            raise Wrong(f"{what} returned shape {arr.shape}; precision is one number, the share of fake points "
                        "inside the real manifold.", "take the mean of the per-point True/False")
        return float(arr.reshape(()))

    v = value(PRECISION_REAL_8, PRECISION_FAKE_8, 1, "precision(real, fake, k=1) on the line")
    if abs(v - 2.0) < 1e-9:
        raise Wrong("You return 2: a count of fake points. Precision is a share.", "divide by the number of fakes")
    if abs(v) < 1e-9:
        raise Wrong("Your precision of the line example is 0: every real ball has radius 0 because each real "
                    "point counted itself as its nearest neighbour.", "the radius is the k-th nearest *other* point")
    if abs(v - 1.0) < 1e-9:
        raise Wrong("Your precision of the line example is 1.0, but fakes at 4.5 and 10 lie outside every real "
                    "ball (the real manifold is [-1, 4] there): that is recall, real points inside the fakes' "
                    "balls, or balls measured around the fakes.", hint)
    if not math.isfinite(v) or abs(v - 0.5) > 1e-9:
        raise Wrong(f"precision(real at 0,1,2,3; fake at 0.5, 3.9, 4.5, 10; k=1) = {v}; expected 0.5 "
                    "(0.5 and 3.9 are inside, 4.5 and 10 are not).", hint)
    edge = value(PRECISION_REAL_8, np.array([[4.0], [-1.0], [5.0], [20.0]]), 1, "precision(..., fake at 4, -1, 5, 20)")
    if abs(edge - 0.5) > 1e-9:
        raise Wrong(f"With fakes exactly on the edge of a real ball (4 and -1) your precision is {edge}; expected "
                    "0.5.", "a point on the edge counts as inside: use <=, not <")
    for k in (2, 4):
        got = value(real, fake, k, f"precision(real, fake, k={k}) on random 3-D points")
        want = wants[k]
        if abs(got - want) > 1e-9:
            raise Wrong(f"On 80 real and 70 fake random 3-D points with k={k} your precision is {got:.4f}; "
                        f"expected {want:.4f}.", hint)


def _cheat_reference():
    """Exercise 8.3's yardsticks: the shipped training and held-out digits."""
    from gan_lib import data

    return data.load_digits("train", verbose=False).images, data.load_digits("heldout", verbose=False).images


#: Exercise 8.3's bars: a classifier score at least this, and exposed by memorisation or recall.
CHEAT_8_3 = {"score_min": 8.0, "memorised_min": 0.5, "recall_max": 0.3, "n_min": 500, "n_used": 1000}


def check_8_3(images) -> None:
    """An array of at least 500 images (N, 28, 28, 1) in [-1, 1] whose classifier score is at least 8
    but which the memorisation check (at least half below the held-out 1st percentile) or recall
    (at most 0.3) exposes as a poor generator."""
    from gan_lib.data import check_images
    from gan_lib.measure import classifier, evaluate, metrics, neighbours

    expect_done(images, "your images")
    c = CHEAT_8_3
    if callable(images) or isinstance(images, (str, bytes, dict)):
        raise Wrong(f"answer_8_3 should be an array of images (N, 28, 28, 1), got {type(images).__name__}.",
                    "e.g. np.stack([...]) of training digits")
    try:
        x = check_images(images, name="answer_8_3")
    except Exception as e:  # noqa: BLE001 - the data module's message says how to convert
        raise Wrong(f"{e}", "images in [-1, 1], shape (N, 28, 28, 1), float32") from None
    if len(x) < c["n_min"]:
        raise Wrong(f"answer_8_3 has {len(x)} images; give at least {c['n_min']} so the numbers mean something.",
                    "repeat your images (np.repeat or np.tile) to make up the number")
    x = x[:c["n_used"]]
    feats, probs = classifier.features_and_probs(x)
    score = metrics.classifier_score(probs)
    if score < c["score_min"]:
        raise Wrong(f"The classifier score of your images is {score:.2f}; the bar is {c['score_min']:g}.",
                    "the score is high when each image is read confidently as one digit and all ten digits "
                    "appear equally often")
    train, held = _cheat_reference()
    mem = neighbours.memorisation(x, train, held)
    f_real, _ = classifier.features_and_probs(held[:len(x)])
    recall = evaluate.precision_recall(f_real, feats, k=3)["recall"]
    share = mem["share_below"][1.0]
    if share < c["memorised_min"] and recall > c["recall_max"]:
        raise Wrong(f"Classifier score {score:.2f}, but nothing exposes your images: {100 * share:.0f}% are closer "
                    f"to a training digit than the held-out 1st percentile and recall is {recall:.2f}. They look "
                    "like new, varied digits, which is what a good generator draws.",
                    "the exercise asks for a set that games the score: few distinct images, copied from the "
                    "training digits")


#: Exercise 8.4's hand case (the worked value of ``evaluate.mmd2_unbiased``): with k(a, b) = (a.b / 2 + 1)^3,
#: k(x1, x2) = k(y1, y2) = 1 (the only off-diagonal pairs), the cross kernels are 3.375, 1, 3.375, 1
#: (mean 2.1875), so MMD^2_u = 1 + 1 - 2 * 2.1875 = -2.375. Keeping the diagonal (k(x1, x1) = k(x2, x2) =
#: 3.375, k(y1, y1) = 8, k(y2, y2) = 1) gives the biased 2.1875 + 2.75 - 4.375 = 0.5625.
MMD_X_8_4 = np.array([[1.0, 0.0], [0.0, 1.0]])
MMD_Y_8_4 = np.array([[1.0, 1.0], [0.0, 0.0]])
MMD_HAND_8_4 = -2.375


def _mmd2_variants(x, y):
    """Exercise 8.4's answer and the typical wrong ones, on rows x (m, d) and y (n, d), in NumPy."""
    m, n, d = len(x), len(y), x.shape[1]

    def parts(kernel):
        kxx, kyy, kxy = kernel(x @ x.T), kernel(y @ y.T), kernel(x @ y.T)
        return kxx, kyy, kxy

    def unbiased(kxx, kyy, kxy):
        return ((kxx.sum() - np.trace(kxx)) / (m * (m - 1)) + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
                - 2 * kxy.mean())

    kxx, kyy, kxy = parts(lambda g: (g / d + 1) ** 3)
    right = unbiased(kxx, kyy, kxy)
    off_xx, off_yy = kxx.sum() - np.trace(kxx), kyy.sum() - np.trace(kyy)
    return right, {
        "diagonal": (kxx.mean() + kyy.mean() - 2 * kxy.mean(),
                     "You kept the diagonal terms k(x_i, x_i) and k(y_j, y_j): that is the biased estimate (the "
                     "V-statistic), which is too large by about (E k(x, x) - E k(x, x')) / m and so depends on n.",
                     "sum over pairs i != j only: subtract the trace of each within-set kernel matrix"),
        "m squared": (off_xx / m ** 2 + off_yy / n ** 2 - 2 * kxy.mean(),
                      "You left out the diagonal but still divided by m^2 (and n^2): there are m(m-1) pairs i != j.",
                      "divide the within-set sums by m(m-1) and n(n-1)"),
        "sizes swapped": (off_xx / (n * (n - 1)) + off_yy / (m * (m - 1)) - 2 * kxy.mean(),
                          "Your within-set sums are divided by the other set's pair count: right only when x and y "
                          "have the same number of rows.", "x's sum over i != j goes with m(m-1), m = len(x)"),
        "no factor 2": (off_xx / (m * (m - 1)) + off_yy / (n * (n - 1)) - kxy.mean(),
                        "The cross term is counted once: MMD^2 = E k(x, x') + E k(y, y') - 2 E k(x, y).",
                        "the mean of k(x_i, y_j) over all i, j, times 2"),
        "no /d": (unbiased(*parts(lambda g: (g + 1) ** 3)),
                  "Your kernel is (x.y + 1)^3: KID's kernel divides the dot product by the feature count d.",
                  "k(a, b) = (a . b / d + 1) ** 3 with d = x.shape[1]"),
        "no +1": (unbiased(*parts(lambda g: (g / d) ** 3)),
                  "Your kernel is (x.y / d)^3: KID's kernel adds 1 before the cube.",
                  "k(a, b) = (a . b / d + 1) ** 3"),
        "square": (unbiased(*parts(lambda g: (g / d + 1) ** 2)),
                   "Your kernel is squared, not cubed: KID's polynomial kernel has degree 3.",
                   "k(a, b) = (a . b / d + 1) ** 3"),
        "sign": (-right, "Your value has the wrong sign: the cross term is subtracted.",
                 "within-x mean + within-y mean - 2 * cross mean"),
        "root": (np.sqrt(abs(right)), "You return a square root: KID is the squared MMD itself (and may be "
                 "negative).", "drop the square root"),
    }


def check_8_4(mmd2) -> None:
    """A function ``mmd2(x, y)``: the unbiased squared MMD with KID's kernel (a.b/d + 1)^3, in NumPy.

    Calling the course's ``evaluate.mmd2_unbiased``, ``evaluate.polynomial_kernel`` or ``evaluate.kid``
    is refused (:class:`refusing`)."""
    from gan_lib.coursework.checks.common import number
    from gan_lib.measure import evaluate

    expect_function(mmd2, "your mmd2 function", "mmd2 should be a function mmd2(x, y)")
    rng = np.random.default_rng(84)
    x, y = rng.normal(size=(7, 3)), rng.normal(size=(5, 3)) + 0.3       # unequal sizes on purpose
    right, wrongs = _mmd2_variants(x, y)
    hint = ("MMD^2_u = sum_{i != j} k(x_i, x_j) / (m (m-1)) + sum_{i != j} k(y_i, y_j) / (n (n-1)) "
            "- 2 sum_{i, j} k(x_i, y_j) / (m n), with k(a, b) = (a . b / d + 1) ** 3")
    with refusing("evaluate.mmd2_unbiased", evaluate, "mmd2_unbiased", evaluate, "polynomial_kernel",
                  evaluate, "kid", answer=mmd2):
        got = number(call(mmd2, "mmd2(x, y) on 7 and 5 random rows in 3-D", CALL_HINT, x.copy(), y.copy()),
                     "mmd2(x, y)", hint, one="one number (the squared MMD)")
        hand = number(call(mmd2, "mmd2(x, y) on the hand case", CALL_HINT, MMD_X_8_4.copy(), MMD_Y_8_4.copy()),
                      "mmd2(x, y)", hint, one="one number (the squared MMD)")
    if math.isfinite(got) and abs(got - right) <= 1e-6 * max(1.0, abs(right)) and abs(hand - MMD_HAND_8_4) < 1e-6:
        return
    for value, message, fix in wrongs.values():
        if math.isfinite(got) and abs(got - value) <= 1e-6 * max(1.0, abs(value)):
            raise Wrong(message, fix)
    raise Wrong(f"mmd2(x = [[1, 0], [0, 1]], y = [[1, 1], [0, 0]]) = {hand:.4f}; expected {MMD_HAND_8_4} "
                f"(and on 7 and 5 random rows you give {got:.4f}, expected {right:.4f}).", hint)
