"""Losses, each fused with the output activation it pairs with.

A loss takes the last dense layer's output, the logits ``z: (batch, k)``, and
the targets ``y: (batch, k)``. ``forward(z, y)`` returns the mean loss as a
float; ``backward()`` returns ``dL/dz: (batch, k)``. Pairing the activation with
the loss gives the short, stable gradient ``(p - y) / N`` for cross-entropy
(``(p - y) / (N k)`` for binary cross-entropy, averaged over k outputs too).
"""

from __future__ import annotations

import numpy as np

from nnplay.core.activations import sigmoid, softmax
from nnplay.core.layers import Buffers


class Loss(Buffers):
    """The end of the network: not a layer, as it takes targets as well as the logits and
    yields a number, and its backward() starts the chain with dL/dz."""

    output_activation = ""
    """The activation that turns logits into predictions (``output``)."""

    def forward(self, z: np.ndarray, y: np.ndarray) -> float:
        """The mean loss for logits ``z: (batch, k)`` and targets ``y: (batch, k)``; keeps what
        backward() needs."""
        raise NotImplementedError

    def backward(self) -> np.ndarray:
        """dL/dz: (batch, k) at the z and y of the last forward(). It takes no upstream gradient:
        L is where the chain rule starts (dL/dL = 1)."""
        raise NotImplementedError

    def output(self, z: np.ndarray) -> np.ndarray:
        """Predictions for logits z, as a new array."""
        raise NotImplementedError


class SoftmaxCrossEntropy(Loss):
    """p = softmax(z);  L = -(1/N) sum_i sum_j y_ij log p_ij;  dL/dz = (p - y) / N.

    Each row of ``y`` sums to 1: one-hot labels in training (the gradient check
    mixes in uniform targets; both formulas hold for any such y). The loss is
    computed from the shifted logits s_ij = z_ij - max_k z_ik, as
    log p_ij = s_ij - log sum_k exp(s_ik), so a confident wrong answer gives a
    large finite loss, never log(0).

    Shapes: ``z, y, p: (N, k)``.
    """

    output_activation = "softmax"

    def forward(self, z: np.ndarray, y: np.ndarray) -> float:
        n, k = z.shape
        s = self.buffer("p", z.shape, z.dtype)
        np.subtract(z, z.max(axis=1, keepdims=True), out=s)  # shifted logits
        ys = np.vdot(s, y)  # sum_i sum_j y_ij s_ij: for one-hot y, each row's true-class s
        e = np.exp(s, out=s)
        total = np.dot(e, self.ones(k, z.dtype))  # (N,) row sums
        self.p = np.divide(e, total[:, None], out=e)  # softmax
        self.y = y
        # L = -(1/N) sum_ij y_ij (s_ij - log total_i) = (sum_i log total_i - ys) / N, as rows of y sum to 1
        return float(np.dot(self.ones(n, z.dtype), np.log(total)) - ys) / n

    def backward(self) -> np.ndarray:
        dz = np.subtract(self.p, self.y, out=self.buffer("dz", self.p.shape, self.p.dtype))
        dz *= 1 / self.p.shape[0]
        return dz

    def output(self, z: np.ndarray) -> np.ndarray:
        return softmax(z)


class SigmoidBinaryCrossEntropy(Loss):
    """p = sigmoid(z);  L = -mean(y log p + (1 - y) log(1 - p));  dL/dz = (p - y) / (N k).

    Computed as mean(max(z, 0) - z y + log(1 + exp(-|z|))), the same value
    without taking the log of a probability that rounded to 0 or 1.
    """

    output_activation = "sigmoid"

    def forward(self, z: np.ndarray, y: np.ndarray) -> float:
        self.p = sigmoid(z, out=self.buffer("p", z.shape, z.dtype))
        self.y = y
        per_element = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
        return float(per_element.mean())

    def backward(self) -> np.ndarray:
        dz = np.subtract(self.p, self.y, out=self.buffer("dz", self.p.shape, self.p.dtype))
        dz *= 1 / self.p.size
        return dz

    def output(self, z: np.ndarray) -> np.ndarray:
        return sigmoid(z)


class MeanSquaredError(Loss):
    """Identity output;  L = mean((z - y)**2);  dL/dz = 2 (z - y) / (N k)."""

    output_activation = "identity"

    def forward(self, z: np.ndarray, y: np.ndarray) -> float:
        self.diff = np.subtract(z, y, out=self.buffer("diff", z.shape, z.dtype))
        return float(np.vdot(self.diff, self.diff)) / self.diff.size

    def backward(self) -> np.ndarray:
        return np.multiply(
            self.diff, 2 / self.diff.size, out=self.buffer("dz", self.diff.shape, self.diff.dtype)
        )

    def output(self, z: np.ndarray) -> np.ndarray:
        return z.copy()


LOSSES: dict[str, type[Loss]] = {
    "cross_entropy": SoftmaxCrossEntropy,
    "binary_cross_entropy": SigmoidBinaryCrossEntropy,
    "mse": MeanSquaredError,
}
"""Losses by the name used in settings and saved files."""
