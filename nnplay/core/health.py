"""Looking inside a network: whether its hidden units are healthy.

``layer_health`` measures, on a set of inputs, how many of each hidden layer's
units are dead (ReLU) or saturated (sigmoid, tanh). What to change when they
are not, with the norms and losses over the epochs, is nnplay.core.hints.
Nothing here prints. (What a layer computes, written out, is
nnplay.core.formulas.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nnplay.core.activations import LeakyReLU
from nnplay.core.layers import Dense
from nnplay.core.network import Network

SATURATION_MARGIN = 0.02
"""A sigmoid or tanh unit is saturated when its mean distance from the nearer bound
of its output (0 or 1; -1 or 1) over the inputs is below this."""
DEAD_ALARM = 0.5
"""A hint is given when more than this fraction of a ReLU layer's units are dead."""
SATURATED_ALARM = 0.5
"""A hint is given when more than this fraction of a sigmoid/tanh layer's units are saturated."""

# -- the health of hidden units ------------------------------------------------------------


@dataclass(frozen=True)
class LayerHealth:
    """One hidden activation, measured on a set of N inputs.

    ``measure`` says what ``count`` counts:
    - "dead" (relu): units whose output is 0 for every input (z <= 0 throughout),
      so no gradient reaches their weights: in the first hidden layer, whose inputs
      are the fixed data, they never learn again; deeper in, only while the layers
      before them keep them silent (few come back);
    - "negative" (leaky_relu): units with z < 0 for every input; not dead, they
      pass back alpha (0.01) of the gradient, so they learn that much slower;
    - "saturated" (sigmoid, tanh): units whose output's mean distance from the
      nearer bound (0 or 1 for sigmoid; -1 or 1 for tanh) over the inputs is
      below SATURATION_MARGIN, where the slope is nearly 0;
    - "" (identity): nothing can die or saturate; count is 0.
    """

    layer: int  # the dense layer this activation follows, from 1
    activation: str  # its name, such as "relu"
    units: int  # units in the layer
    measure: str  # "dead", "negative", "saturated" or ""
    count: int  # units that are so
    mean_slope: float  # the activation's derivative, averaged: the share of gradient passed back

    @property
    def fraction(self) -> float:
        """count / units."""
        return self.count / self.units

    @property
    def alarming(self) -> bool:
        """Dead or saturated past DEAD_ALARM or SATURATED_ALARM."""
        if self.measure == "dead":
            return self.fraction > DEAD_ALARM
        if self.measure == "saturated":
            return self.fraction > SATURATED_ALARM
        return False

    def describe(self) -> str:
        """One or two sentences for a person."""
        share = f"{self.count:,} of {self.units:,} units ({self.fraction:.0%})"
        # the mean slope, in words a student can use: how much of the gradient gets through
        slope = f"On average it passes back {100 * self.mean_slope:.3g}% of the gradient (its mean slope)."
        if self.measure == "dead":
            return f"{share} dead: they output 0 for every training sample, so they get no gradient. {slope}"
        if self.measure == "negative":
            return (
                f"{share} negative for every training sample: leaky_relu keeps them learning, "
                f"at 1/{round(1 / LeakyReLU().alpha)} of the speed; none can die. {slope}"
            )
        if self.measure == "saturated":
            return (
                f"{share} saturated: output within {SATURATION_MARGIN} of a bound on average, "
                f"where the slope is nearly 0. {slope}"
            )
        return (
            "no unit can die or saturate, but linear layers stacked are still "
            "one linear map; only a non-linear activation adds power."
        )


def layer_health(net: Network, X: np.ndarray) -> list[LayerHealth]:
    """The health of every hidden activation on inputs ``X: (N, sizes[0])``, first layer first.

    Give it the training set: a unit dead on every training input gets no
    gradient (in the first hidden layer, never again), while one silent on the
    test set alone may still fire, and learn, on training inputs.

    Runs the forward pass (without touching the network's buffers, so the net
    may be a live one) and, for each hidden activation with input ``z: (N, n)``
    and output ``a: (N, n)``, counts per unit over the N rows (see LayerHealth):
    dead units ``all(z <= 0)``, negative units ``all(z < 0)``, saturated units
    ``mean(distance from a to the nearer bound) < SATURATION_MARGIN``, and the
    mean slope: ``mean([z > 0])`` for relu, ``mean(where(z > 0, 1, alpha))``
    for leaky_relu, ``mean(a (1 - a))`` for sigmoid (at most 0.25),
    ``mean(1 - a**2)`` for tanh, 1 for identity.
    """
    x = np.asarray(X, dtype=net.dtype)
    out: list[LayerHealth] = []
    layer_no = 0
    for layer in net.layers:
        y = layer.infer(x)
        if isinstance(layer, Dense):
            layer_no += 1
        else:
            name = net.spec.activations[layer_no - 1]
            out.append(_health(layer_no, name, x, y, getattr(layer, "alpha", 0.0)))
        x = y
    return out


def _health(layer: int, name: str, z: np.ndarray, a: np.ndarray, alpha: float) -> LayerHealth:
    units = z.shape[1]
    z64, a64 = z.astype(np.float64), a.astype(np.float64)
    if name == "relu":
        return LayerHealth(layer, name, units, "dead", int((z64 <= 0).all(axis=0).sum()), _mean(z64 > 0))
    if name == "leaky_relu":
        slope = _mean(np.where(z64 > 0, 1.0, alpha))
        return LayerHealth(layer, name, units, "negative", int((z64 < 0).all(axis=0).sum()), slope)
    if name == "sigmoid":
        distance = 0.5 - np.abs(a64 - 0.5)  # from the nearer of 0 and 1
        slope = _mean(a64 * (1 - a64))
    elif name == "tanh":
        distance = 1 - np.abs(a64)  # from the nearer of -1 and 1
        slope = _mean(1 - a64 * a64)
    else:
        return LayerHealth(layer, name, units, "", 0, 1.0)
    saturated = int((distance.mean(axis=0) < SATURATION_MARGIN).sum()) if len(a64) else 0
    return LayerHealth(layer, name, units, "saturated", saturated, slope)


def _mean(a: np.ndarray) -> float:
    return float(a.mean()) if a.size else math.nan
