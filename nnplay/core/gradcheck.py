"""Finite-difference checks of every backward().

For a function f of an array a, the central difference
    df/da_i ~ (f(a + eps e_i) - f(a - eps e_i)) / (2 eps)
is compared with the gradient backward() computed, as a relative error
    ||analytic - numeric|| / (||analytic|| + ||numeric||).
In float64 a correct backward() gives about 1e-10; a wrong one far more (a gradient
only 1% too large, 5e-3).

The difference of two losses is exact only to the loss's rounding, about
|L| x 1e-16, so at eps 1e-6 a gradient near 1e-7 (a deep sigmoid network's
first layers, a bias that hardly matters) is lost in it, while a large eps
misjudges curved functions and ReLU's kink. So an array that disagrees at EPS
is checked again at each of RETRY_EPS and keeps its best agreement: a right
backward() agrees at one of them, a wrong one at none.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from nnplay.core.layers import Layer
from nnplay.core.losses import Loss
from nnplay.core.network import Network

EPS = 1e-6
"""The step tried first: small enough for the central difference's O(eps**2) error."""
RETRY_EPS = (1e-5, 1e-4, 1e-3)
"""Steps tried, in turn, for an array that disagrees at EPS."""
TOLERANCE = 1e-6
"""Largest relative error that counts as agreement (float64)."""


@dataclass(frozen=True)
class Check:
    """One array's gradient checked: its name and how far backward() was from the numbers."""

    name: str  # what was checked, such as "dense_0.W" or "relu: input"
    error: float  # relative_error over the whole array, the best of the steps tried (best_error)
    zero: bool = field(default=False, kw_only=True)
    """backward() gave 0 for every parameter checked, and the differences agreed: 0 against 0,
    an error of 0 that shows nothing (no gradient reaches the array, as behind a ReLU unit
    that outputs 0 on every sample checked)."""

    @property
    def ok(self) -> bool:
        return self.error <= TOLERANCE


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """||analytic - numeric|| / (||analytic|| + ||numeric||): 0 when equal, 1 when opposite.

    Taken over the whole array rather than element by element, so a gradient
    component that is nearly zero cannot turn rounding noise into a large ratio.
    """
    scale = float(np.linalg.norm(analytic) + np.linalg.norm(numeric))
    return float(np.linalg.norm(analytic - numeric)) / max(scale, 1e-12)


def best_error(analytic: np.ndarray, numeric: Callable[[float], np.ndarray]) -> float:
    """relative_error of analytic against numeric(EPS), or if that is above TOLERANCE,
    the smallest against numeric(eps) for EPS and each of RETRY_EPS until one agrees."""
    error = math.inf
    for eps in (EPS, *RETRY_EPS):
        error = min(error, relative_error(analytic, numeric(eps)))
        if error <= TOLERANCE:
            break
    return error


def central_difference(f: Callable[[], float], flat: np.ndarray, i: int, eps: float = EPS) -> float:
    """d f() / d flat[i] ~ (f(flat[i] + eps) - f(flat[i] - eps)) / (2 eps), putting flat[i] back."""
    old = flat[i]
    flat[i] = old + eps
    up = f()
    flat[i] = old - eps
    down = f()
    flat[i] = old
    return (up - down) / (2 * eps)


def numerical_gradient(f: Callable[[], float], a: np.ndarray, eps: float = EPS) -> np.ndarray:
    """d f() / d a by central differences, nudging a in place (and putting it back)."""
    flat = a.reshape(-1)  # a view: nudging flat nudges a
    return np.array([central_difference(f, flat, i, eps) for i in range(flat.size)]).reshape(a.shape)


def check_layer(layer: Layer, x: np.ndarray, rng: np.random.Generator, name: str = "") -> list[Check]:
    """Check dx and every parameter gradient of one layer on input x: (batch, n_in).

    The layer is scored by L = sum(forward(x) * r) for a fixed random r, so
    dL/dy = r and backward(r) must give dL/dx and dL/dparameters.
    """
    name = name or type(layer).__name__.lower()
    r = rng.standard_normal(layer.forward(x).shape)

    def score() -> float:
        return float(np.sum(layer.forward(x) * r))

    score()
    dx = layer.backward(r).copy()
    analytic = {k: g.copy() for k, g in layer.gradients.items()}
    checks = []
    if getattr(layer, "input_grad", True):
        checks.append(Check(f"{name}: input", best_error(dx, partial(numerical_gradient, score, x))))
    for key, value in layer.parameters.items():
        error = best_error(analytic[key], partial(numerical_gradient, score, value))
        checks.append(Check(f"{name}.{key}", error))
    return checks


def check_loss(loss: Loss, z: np.ndarray, y: np.ndarray, name: str = "") -> Check:
    """Check the loss's dL/dz at logits z: (batch, k) and targets y: (batch, k)."""
    loss.forward(z, y)
    analytic = loss.backward().copy()
    error = best_error(analytic, partial(numerical_gradient, lambda: loss.forward(z, y), z))
    return Check(name or type(loss).__name__, error)


def check_network(net: Network, x: np.ndarray, y: np.ndarray) -> list[Check]:
    """Check the gradient of every dense layer's W and b through the whole network.

    ``x: (batch, sizes[0])``, ``y: (batch, sizes[-1])``; class targets are
    ``softened`` first. Use a float64 network: float32 rounding swamps finite
    differences.
    """
    every = check_network_sample(net, x, y, per_array=None, rng=np.random.default_rng(0))
    return [Check(c.name, c.error, zero=c.zero) for c in every]


def softened(y: np.ndarray, loss: str) -> np.ndarray:
    """Class targets mixed half and half with "every class alike", for checking a network.

    A network sure of every answer has a loss near 0, and the difference of two such
    losses is rounding (the log of 1 + 1e-12), so a right backward() would look wrong.
    backward() must be right for any targets, and against these the loss stays large
    enough to difference accurately. Regression targets are left as they are.
    """
    if loss == "cross_entropy":
        return 0.5 * y + 0.5 / y.shape[1]  # rows still sum to 1
    if loss == "binary_cross_entropy":
        return 0.5 * y + 0.25  # still between 0 and 1
    return y


# -- a check sized for the app: a seeded sample of each array, with progress ----------

SUSPICIOUS = 1e-4
"""Relative errors above TOLERANCE up to this are "suspicious"; above it, "wrong"."""
FULL_CHECK_PARAMS = 20_000
"""Networks with at most this many parameters are checked whole (the default network,
17,226 parameters, takes about 2 s); larger ones get a sample of each array."""
MIN_SAMPLE = 10
"""The fewest parameters of each W and b that a sampled check nudges."""


@dataclass(frozen=True)
class SampledCheck(Check):
    """A Check of ``checked`` of an array's ``total`` parameters."""

    checked: int  # parameters nudged
    total: int  # parameters in the array


def verdict(error: float) -> str:
    """The word for a relative error: ok up to TOLERANCE, suspicious up to SUSPICIOUS, else wrong.

    "wrong" also for an error that is not a number.
    """
    if error <= TOLERANCE:
        return "ok"
    if error <= SUSPICIOUS:
        return "suspicious"
    return "wrong"


def sample_size(net: Network, full: int = FULL_CHECK_PARAMS) -> int | None:
    """How many parameters of each W and b to check: None for all of them.

    A check costs two forward passes per parameter nudged, and a forward pass
    about one multiply-add per parameter per sample, so its cost grows as
    (parameters nudged) x (parameters in the network). A network of at most
    ``full`` parameters is checked whole; a larger one gets the same cost,
    ``full**2 / n_params`` parameters nudged, shared evenly between its
    2 x n_dense arrays, and never fewer than MIN_SAMPLE per array.
    """
    n = net.n_params
    if n <= full:
        return None
    return max(MIN_SAMPLE, full * full // n // (2 * len(net.dense)))


def check_network_sample(
    net: Network,
    x: np.ndarray,
    y: np.ndarray,
    per_array: int | None,
    rng: np.random.Generator,
    progress: Callable[[str, int, int], None] | None = None,
    stop: Callable[[], bool] | None = None,
    on_check: Callable[[SampledCheck], None] | None = None,
) -> list[SampledCheck]:
    """check_network on at most ``per_array`` parameters of each W and b, chosen by rng.

    ``x: (batch, sizes[0])``, ``y: (batch, sizes[-1])``, class targets ``softened``
    first (a confident network's loss is too near 0 to difference). The relative error is
    taken over the chosen parameters only (all of them when ``per_array`` is
    None or at least the array's size, which gives check_network's numbers).
    ``progress(name, done, total)`` is called before each nudge, ``name`` such
    as "dense_1.W", ``done`` and ``total`` counting the whole check, and
    ``on_check(check)`` as each array's check is finished.
    When ``stop()`` turns true the check ends early, returning the arrays
    finished so far. Use a float64 network: float32 rounding swamps the differences.
    """
    x = np.asarray(x, dtype=net.dtype)
    y = softened(np.asarray(y, dtype=net.dtype), net.spec.loss)

    def total_loss() -> float:
        return net.loss.forward(net.forward(x), y)

    total_loss()
    net.backward()
    plan = []  # (name, array, analytic gradient, flat indices to nudge)
    for i, dense in enumerate(net.dense):
        for key, value in dense.parameters.items():
            size = value.size
            if per_array is None or per_array >= size:
                chosen = np.arange(size)
            else:
                chosen = np.sort(rng.choice(size, per_array, replace=False))
            plan.append((f"dense_{i}.{key}", value, dense.gradients[key].reshape(-1)[chosen].copy(), chosen))
    total = sum(len(chosen) for *_, chosen in plan)

    def numeric(eps: float, name: str, flat: np.ndarray, chosen: np.ndarray, done: int) -> np.ndarray:
        out = np.empty(len(chosen))
        for j, k in enumerate(chosen):
            if stop is not None and stop():
                raise _StoppedError
            if progress is not None and eps == EPS:  # a retry's nudges are not counted again
                progress(name, done + j, total)
            out[j] = central_difference(total_loss, flat, int(k), eps)
        return out

    done = 0
    checks: list[SampledCheck] = []
    for name, value, analytic, chosen in plan:
        flat = value.reshape(-1)  # a view: nudging flat nudges the layer's weights
        try:
            error = best_error(analytic, partial(numeric, name=name, flat=flat, chosen=chosen, done=done))
        except _StoppedError:
            return checks
        done += len(chosen)
        zero = error == 0.0 and not analytic.any()
        checks.append(SampledCheck(name, error, len(chosen), value.size, zero=zero))
        if on_check is not None:
            on_check(checks[-1])
    return checks


def nothing_compared(checks: list[Check] | list[SampledCheck], rows: int) -> str:
    """A sentence on the arrays whose check compared 0 with 0 (Check.zero), naming them, for
    the app and nnplay gradcheck alike; "" if there are none."""
    names = [c.name for c in checks if c.zero]
    if not names:
        return ""
    listed = " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else names[0]
    return (
        f"All 0: {listed} get a gradient of 0 on these {rows} samples (as behind a ReLU unit "
        "that outputs 0 for all of them), so there was nothing to compare: their check says "
        "nothing about backward()."
    )


class _StoppedError(Exception):
    """stop() turned true partway through an array."""
