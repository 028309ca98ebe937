"""A yardstick: the seed's experiment as one unrolled float32 NumPy loop, with no layers.

Not how nnplay is written and not for reading: it exists to show how fast pure
NumPy can run this epoch here, so the layered core's speed can be judged
against that bound as well as against the tutorial. Everything nnplay's core
does to save time is here too (float32, buffers reused, updates in place, the
fused softmax + cross-entropy gradient, no input gradient for the first
layer), plus what the layers' structure rules out: every step spelled out in
one function, the ReLU applied in place, no per-step records, and an
evaluation that computes accuracy only.
"""

from __future__ import annotations

import numpy as np

F32 = np.float32


class UnrolledNet:
    """64-128-64-10 with ReLU, trained by SGD on batches of ``batch`` rows."""

    def __init__(self, X, Y, Xt, Yt, lr: float, batch: int, rng: np.random.Generator) -> None:
        sizes = (64, 128, 64, 10)
        self.W = [
            (rng.standard_normal((a, b)) * np.sqrt(2.0 / a)).astype(F32)
            for a, b in zip(sizes[:-1], sizes[1:], strict=True)
        ]
        self.b = [np.zeros(n, F32) for n in sizes[1:]]
        self.gW = [np.empty_like(w) for w in self.W]
        self.gb = [np.empty_like(b) for b in self.b]
        self.X, self.Y = X.astype(F32), Y.astype(F32)
        self.X_all = np.concatenate([self.X, Xt.astype(F32)])
        self.labels = np.concatenate([Y, Yt]).argmax(axis=1)
        self.Xs, self.Ys = np.empty_like(self.X), np.empty_like(self.Y)
        self.lr, self.batch, self.rng = lr, batch, rng
        self._buffers: dict[int, list[np.ndarray]] = {}

    def buffers(self, rows: int) -> list[np.ndarray]:
        if rows not in self._buffers:
            shapes = [(rows, 128), (rows, 128), (rows, 64), (rows, 64), (rows, 10), (rows, 64), (rows, 128)]
            self._buffers[rows] = [np.empty(s, F32) for s in shapes] + [np.ones(rows, F32)]
        return self._buffers[rows]

    def epoch(self) -> tuple[float, float, float]:
        """(mean batch loss, train accuracy, test accuracy)."""
        W, b, gW, gb, lr = self.W, self.b, self.gW, self.gb, self.lr
        n = len(self.X)
        order = self.rng.permutation(n)
        np.take(self.X, order, axis=0, out=self.Xs)
        np.take(self.Y, order, axis=0, out=self.Ys)
        ones10 = np.ones(10, F32)
        loss_sum, batches = 0.0, 0
        for i in range(0, n, self.batch):
            x, y = self.Xs[i : i + self.batch], self.Ys[i : i + self.batch]
            h1, m1, h2, m2, z, d2, d1, ones = self.buffers(len(x))
            np.dot(x, W[0], out=h1)
            h1 += b[0]
            np.greater(h1, 0, out=m1)
            h1 *= m1
            np.dot(h1, W[1], out=h2)
            h2 += b[1]
            np.greater(h2, 0, out=m2)
            h2 *= m2
            np.dot(h2, W[2], out=z)
            z += b[2]
            z -= z.max(axis=1, keepdims=True)
            true_logit = float(np.vdot(z, y))
            np.exp(z, out=z)
            total = np.dot(z, ones10)
            z /= total[:, None]
            loss_sum += (float(np.log(total).sum()) - true_logit) / len(x)
            batches += 1
            z -= y
            z *= 1 / len(x)
            np.dot(h2.T, z, out=gW[2])
            np.dot(ones, z, out=gb[2])
            np.dot(z, W[2].T, out=d2)
            d2 *= m2
            np.dot(h1.T, d2, out=gW[1])
            np.dot(ones, d2, out=gb[1])
            np.dot(d2, W[1].T, out=d1)
            d1 *= m1
            np.dot(x.T, d1, out=gW[0])
            np.dot(ones, d1, out=gb[0])
            for p, g in zip(W + b, gW + gb, strict=True):
                p -= lr * g
        h = self.X_all @ W[0]
        h += b[0]
        np.maximum(h, 0, out=h)
        h = h @ W[1]
        h += b[1]
        np.maximum(h, 0, out=h)
        right = (h @ W[2] + b[2]).argmax(axis=1) == self.labels
        return loss_sum / batches, float(right[:n].mean()), float(right[n:].mean())
