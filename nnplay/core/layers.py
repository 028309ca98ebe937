"""The dense (fully connected) layer and the base class every layer shares.

Every layer has ``forward(x) -> y`` and ``backward(dy) -> dx``. A layer with
weights keeps them in ``parameters`` and their gradients in ``gradients``,
under matching names. Outputs are written into buffers the layer owns and
reuses, so a returned array is valid until the layer's next call with the
same batch size; inputs are never modified.
"""

from __future__ import annotations

import numpy as np


class Buffers:
    """Scratch arrays allocated once and reused on every call: for layers and losses alike."""

    def __init__(self) -> None:
        self._buffers: dict[tuple[str, tuple[int, ...], np.dtype], np.ndarray] = {}

    def buffer(self, name: str, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        """A scratch array owned by this layer (or loss), allocated once per name, shape and dtype."""
        try:
            return self._buffers[name, shape, dtype]
        except KeyError:
            buf = self._buffers[name, shape, dtype] = np.empty(shape, dtype=dtype)
            return buf

    def ones(self, n: int, dtype: np.dtype) -> np.ndarray:
        """A vector of n ones: ones @ a adds up a's rows (a.sum(axis=0)), faster for small arrays."""
        try:
            return self._buffers["ones", (n,), dtype]
        except KeyError:
            buf = self._buffers["ones", (n,), dtype] = np.ones(n, dtype=dtype)
            return buf


class Layer(Buffers):
    """Base class: ``forward(x) -> y``, ``backward(dy) -> dx``, and the parameters and their
    gradients side by side."""

    def __init__(self) -> None:
        super().__init__()
        self.parameters: dict[str, np.ndarray] = {}
        """Trainable arrays by name (``W``, ``b``); empty for activations."""
        self.gradients: dict[str, np.ndarray] = {}
        """d(loss)/d(parameter), same names and shapes as ``parameters``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        """y for a batch ``x: (batch, n_in)``, keeping what backward() needs (often x itself)."""
        raise NotImplementedError

    def infer(self, x: np.ndarray) -> np.ndarray:
        """forward() as a pure function: a new array, nothing kept for backward.

        Safe to call from another thread while training runs, but it may then see
        weights halfway through an update, some layers' new and others' old: the app
        computes what it shows under its session's lock.
        """
        raise NotImplementedError

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """dx = dL/dx from ``dy = dL/dy``, by the chain rule through the last forward();
        fills ``gradients`` with dL/d(parameter) on the way."""
        raise NotImplementedError


INITS = ("he", "xavier")


class Dense(Layer):
    """y = x @ W + b.

    Shapes: ``x: (batch, n_in)``, ``W: (n_in, n_out)``, ``b: (n_out,)``,
    ``y: (batch, n_out)``.

    At the start, W ~ N(0, 2/n_in) (he) or N(0, 2/(n_in + n_out)) (xavier, the
    Glorot normal), and b = 0.

    Backward, given ``dy = dL/dy: (batch, n_out)``:
        dW = x.T @ dy          (n_in, n_out)
        db = sum(dy, axis=0)   (n_out,)
        dx = dy @ W.T          (batch, n_in)
    """

    def __init__(
        self,
        n_in: int,
        n_out: int,
        rng: np.random.Generator | None,
        init: str = "he",
        dtype: type = np.float32,
        input_grad: bool = True,
    ) -> None:
        """``rng`` None: W is left unset, for a caller that fills it (a copy of a network
        whose weights are known: drawing them first took 35 times the copy's time)."""
        super().__init__()
        self.n_in, self.n_out = n_in, n_out
        self.input_grad = input_grad
        """False for the first layer: nobody needs dL/dx of the data."""
        if init == "he":  # He et al. 2015: keeps ReLU activations' variance
            std = np.sqrt(2.0 / n_in)
        elif init == "xavier":  # Glorot & Bengio 2010: for tanh (sigmoid's slope, 1/4 at most, still shrinks)
            std = np.sqrt(2.0 / (n_in + n_out))
        else:
            raise ValueError(f"unknown init {init!r}; choose from {', '.join(INITS)}")
        if rng is None:
            self.parameters["W"] = np.empty((n_in, n_out), dtype=dtype)
        else:
            self.parameters["W"] = (rng.standard_normal((n_in, n_out)) * std).astype(dtype)
        self.parameters["b"] = np.zeros(n_out, dtype=dtype)
        self.gradients["W"] = np.zeros((n_in, n_out), dtype=dtype)
        self.gradients["b"] = np.zeros(n_out, dtype=dtype)
        self.x: np.ndarray | None = None

    @property
    def W(self) -> np.ndarray:
        return self.parameters["W"]

    @property
    def b(self) -> np.ndarray:
        return self.parameters["b"]

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x  # kept for dW in backward
        y = self.buffer("y", (x.shape[0], self.n_out), self.W.dtype)
        np.dot(x, self.W, out=y)  # (batch, n_out)
        y += self.b
        return y

    def infer(self, x: np.ndarray) -> np.ndarray:
        return x @ self.W + self.b

    def backward(self, dy: np.ndarray) -> np.ndarray:
        assert self.x is not None, "backward() before forward()"
        np.dot(self.x.T, dy, out=self.gradients["W"])  # (n_in, n_out)
        np.dot(self.ones(len(dy), dy.dtype), dy, out=self.gradients["b"])  # (n_out,) = sum over the batch
        if not self.input_grad:
            return dy[:, :0]  # nothing flows into the data
        dx = self.buffer("dx", self.x.shape, dy.dtype)
        return np.dot(dy, self.W.T, out=dx)  # (batch, n_in)
