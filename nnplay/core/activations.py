"""Element-wise activation layers and the softmax.

Each is a layer with no parameters: ``forward(x) -> y``, ``backward(dy) -> dx``
with ``x, y, dy, dx`` all of shape ``(batch, n)``.
"""

from __future__ import annotations

import numpy as np

from nnplay.core.layers import Layer


class ReLU(Layer):
    """y = x * [x > 0];  dx = dy * [x > 0]   ([x > 0] is 1 where the unit fired, else 0)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        # [x > 0] is kept as 0.0/1.0 in x's dtype for backward. Multiplying by it is
        # faster than np.maximum(x, 0), and a float mask multiplies twice as fast as
        # a bool one, which NumPy would convert element by element.
        self.fired = np.greater(x, 0, out=self.buffer("fired", x.shape, x.dtype))
        return np.multiply(x, self.fired, out=self.buffer("y", x.shape, x.dtype))

    def infer(self, x: np.ndarray) -> np.ndarray:
        return np.maximum(x, 0)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return np.multiply(dy, self.fired, out=self.buffer("dx", dy.shape, dy.dtype))


class LeakyReLU(Layer):
    """y = x if x > 0 else alpha * x;  dx = dy * (1 if x > 0 else alpha)."""

    def __init__(self, alpha: float = 0.01) -> None:
        super().__init__()
        if not 0 < alpha < 1:  # forward's max(x, alpha x) is the leaky ReLU only then
            raise ValueError(f"LeakyReLU needs 0 < alpha < 1, not {alpha}")
        self.alpha = alpha

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        y = self.buffer("y", x.shape, x.dtype)
        np.multiply(x, self.alpha, out=y)
        return np.maximum(x, y, out=y)  # valid for 0 < alpha < 1

    def infer(self, x: np.ndarray) -> np.ndarray:
        return np.maximum(x, self.alpha * x)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        slope = np.where(self.x > 0, 1, self.alpha).astype(dy.dtype, copy=False)
        return np.multiply(dy, slope, out=self.buffer("dx", dy.shape, dy.dtype))


class Sigmoid(Layer):
    """y = 1 / (1 + exp(-x));  dx = dy * y * (1 - y)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.y = sigmoid(x, out=self.buffer("y", x.shape, x.dtype))
        return self.y

    def infer(self, x: np.ndarray) -> np.ndarray:
        return sigmoid(x)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dx = self.buffer("dx", dy.shape, dy.dtype)
        np.subtract(1, self.y, out=dx)
        dx *= self.y
        dx *= dy
        return dx


class Tanh(Layer):
    """y = tanh(x);  dx = dy * (1 - y**2)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.y = np.tanh(x, out=self.buffer("y", x.shape, x.dtype))
        return self.y

    def infer(self, x: np.ndarray) -> np.ndarray:
        return np.tanh(x)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dx = self.buffer("dx", dy.shape, dy.dtype)
        np.multiply(self.y, self.y, out=dx)
        np.subtract(1, dx, out=dx)
        dx *= dy
        return dx


class Identity(Layer):
    """y = x;  dx = dy. A "linear" hidden layer, to show why non-linearity matters."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x

    def infer(self, x: np.ndarray) -> np.ndarray:
        return x.copy()

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return dy


ACTIVATIONS: dict[str, type[Layer]] = {
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "identity": Identity,
}
"""Hidden-layer activations by the name used in settings and saved files."""


def sigmoid(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """1 / (1 + exp(-x)), without overflow for large |x|.

    With e = exp(-|x|), which never overflows: 1 / (1 + e) for x >= 0 and e / (1 + e)
    for x < 0, the same value with no 1 - (something near 1) to lose a tiny one.
    Computed in ``out`` (may be ``x`` itself) with one temporary, 1 + e, and a mask
    of x's signs (a byte per element).
    """
    x = np.asarray(x)
    if out is None:
        out = np.empty(x.shape, np.result_type(x.dtype, np.float16))  # ints give floats, as np.exp does
    nonnegative = np.greater_equal(x, 0)  # before out is written: out may be x
    np.abs(x, out=out)
    np.negative(out, out=out)
    np.exp(out, out=out)  # e, in (0, 1]
    denominator = np.add(out, 1)
    np.copyto(out, 1, where=nonnegative)  # the numerator: 1 for x >= 0, e below
    return np.divide(out, denominator, out=out)


def softmax(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """p_ij = exp(z_ij) / sum_k exp(z_ik), row-wise. z: (batch, classes)."""
    out = np.subtract(z, z.max(axis=1, keepdims=True), out=out)  # exp never overflows
    np.exp(out, out=out)
    out /= out.sum(axis=1, keepdims=True)
    return out
