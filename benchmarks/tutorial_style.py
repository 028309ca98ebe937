"""The baseline: a network written the tutorial's way, for benchmarks to compare against.

float64 throughout, a new array for every intermediate, softmax then
cross-entropy on probabilities, one weight update per layer, and accuracy
measured with separate forward passes over the training and test sets.
"""

from __future__ import annotations

import numpy as np


class Linear:
    def __init__(self, n_in: int, n_out: int, rng: np.random.Generator) -> None:
        self.W = rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)
        self.b = np.zeros((1, n_out))

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return x @ self.W + self.b

    def backward(self, g: np.ndarray) -> np.ndarray:
        self.dW = self.x.T @ g
        self.db = g.sum(axis=0, keepdims=True)
        return g @ self.W.T


class Relu:
    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return np.maximum(0, x)

    def backward(self, g: np.ndarray) -> np.ndarray:
        return g * (self.x > 0)


class TutorialNet:
    def __init__(self, sizes: list[int], lr: float, rng: np.random.Generator) -> None:
        self.lr = lr
        self.layers: list = []
        for i in range(len(sizes) - 1):
            self.layers.append(Linear(sizes[i], sizes[i + 1], rng))
            if i < len(sizes) - 2:
                self.layers.append(Relu())

    def forward(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        e = np.exp(x - x.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def train_step(self, x: np.ndarray, y: np.ndarray) -> float:
        p = self.forward(x)
        loss = -np.mean(np.sum(y * np.log(p + 1e-8), axis=1))
        g = (p - y) / len(y)
        for layer in reversed(self.layers):
            g = layer.backward(g)
        for layer in self.layers:
            if isinstance(layer, Linear):
                layer.W -= self.lr * layer.dW
                layer.b -= self.lr * layer.db
        return float(loss)

    def accuracy(self, x: np.ndarray, y: np.ndarray) -> float:
        return float((self.forward(x).argmax(axis=1) == y.argmax(axis=1)).mean())


def epoch(
    net: TutorialNet,
    X: np.ndarray,
    Y: np.ndarray,
    Xt: np.ndarray,
    Yt: np.ndarray,
    batch_size: int,
    rng: np.random.Generator,
) -> tuple[float, float, float]:
    """One epoch as `nnplay train` reports it: train, then train and test accuracy."""
    idx = rng.permutation(len(X))
    Xs, Ys = X[idx], Y[idx]
    losses = [
        net.train_step(Xs[i : i + batch_size], Ys[i : i + batch_size]) for i in range(0, len(X), batch_size)
    ]
    return float(np.mean(losses)), net.accuracy(X, Y), net.accuracy(Xt, Yt)
