"""A feed-forward network built from a spec: Dense, activation, ..., Dense, loss.

All weights live in one flat vector ``params: (P,)`` and all gradients in
``grads: (P,)``; each Dense layer's ``W`` and ``b`` are views into them, so the
layer code reads naturally and the optimizer updates everything at once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nnplay.core.activations import ACTIVATIONS, sigmoid
from nnplay.core.layers import INITS, Dense, Layer
from nnplay.core.losses import LOSSES, Loss
from nnplay.core.optimizers import Optimizer

MEMORY_LIMIT = 2 * 1024**3
"""Largest estimated working set, in bytes, that a network may need."""


def norm(a: np.ndarray) -> float:
    """||a||, the square root of the sum of squares; finite for any finite float32 a (a float64
    one overflows only past 1e154, which no network here reaches)."""
    squares = np.vdot(a, a)
    if math.isinf(squares):  # float32 squares overflow past 1.8e19; float64 ones do not
        return float(np.linalg.norm(a.astype(np.float64)))
    return math.sqrt(squares)


@dataclass(frozen=True)
class NetworkSpec:
    """The architecture: everything needed to rebuild a network's shape."""

    sizes: tuple[int, ...] = (64, 128, 64, 10)
    """Units per layer, input first and output last."""
    activations: tuple[str, ...] = ("relu", "relu")
    """Activation after each hidden layer (len(sizes) - 2 names)."""
    loss: str = "cross_entropy"
    """Loss, which fixes the output activation (see nnplay.core.losses)."""
    init: str = "he"
    """Weight initialisation: "he" (for ReLU) or "xavier" (for tanh; sigmoid still shrinks gradients)."""


def count_params(sizes: Sequence[int]) -> int:
    """Weights plus biases of the dense layers joining consecutive sizes."""
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=False))


def estimate_bytes(sizes: Sequence[int], rows: int, itemsize: int = 4) -> int:
    """An upper bound on the memory a network needs for ``rows`` rows at once, where rows
    counts each batch size it trains on (an epoch's last, smaller batch has buffers of its
    own) and the rows it then evaluates in one forward pass.

    Parameters, gradients, two optimizer slots and a snapshot (5 per weight), six
    buffers per unit per row (a training step keeps five per hidden unit; the sixth leaves
    room for a forward pass's temporaries, sigmoid's one buffer and a mask of bytes), and
    the float64 draw that initialises the largest weight matrix (which, once gone, leaves
    room for Adam's temporaries). Measured, not proven: benchmarks/bench_memory_estimate.py
    compares it with tracemalloc's peak (at most 0.75 of it; 0.875 when sigmoid made five
    temporaries), as tests/core/test_memory_limit.py does.
    """
    biggest = max((a * b for a, b in zip(sizes[:-1], sizes[1:], strict=False)), default=0)
    return itemsize * (5 * count_params(sizes) + 6 * rows * sum(sizes)) + 16 * biggest


class Network:
    """Dense layers with activations between them and a loss at the end.

    ``forward(x: (N, sizes[0])) -> z: (N, sizes[-1])`` returns the logits (the
    last dense layer's output, before the output activation).
    """

    def __init__(
        self,
        spec: NetworkSpec,
        rng: np.random.Generator | None,
        dtype: type = np.float32,
        input_grad: bool = False,
    ) -> None:
        """``input_grad``: make backward() compute dL/dx of the input too (for saliency);
        training never needs it, so by default the first layer skips that product.
        ``rng`` None: the weights are left unset, for a caller that fills ``params``."""
        check_spec(spec)
        self.spec = spec
        self.dtype = np.dtype(dtype)
        self.layers: list[Layer] = []
        self.dense: list[Dense] = []
        n_layers = len(spec.sizes) - 1
        for i in range(n_layers):
            dense = Dense(
                spec.sizes[i], spec.sizes[i + 1], rng, spec.init, dtype, input_grad=i > 0 or input_grad
            )
            self.dense.append(dense)
            self.layers.append(dense)
            if i < n_layers - 1:
                self.layers.append(ACTIVATIONS[spec.activations[i]]())
        self.loss: Loss = LOSSES[spec.loss]()
        self.params, self.grads, offsets = _flatten(self.dense, self.dtype)
        bounds = list(zip(offsets, [*offsets[1:], self.params.size], strict=True))
        self._param_slices = [self.params[a:b] for a, b in bounds]  # each dense layer's W and b
        self._grad_slices = [self.grads[a:b] for a, b in bounds]

    def copy(self, dtype: type | None = None, input_grad: bool = False) -> Network:
        """An independent network with the same weights (optionally in another dtype)."""
        twin = Network(self.spec, None, dtype or self.dtype.type, input_grad)
        twin.params[...] = self.params
        return twin

    # -- the three passes --------------------------------------------------

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Logits for a batch; a buffer valid until the next forward of that size."""
        x = np.asarray(x, dtype=self.dtype)  # data as loaded is float64; no copy if it fits
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dz: np.ndarray | None = None) -> np.ndarray:
        """Fill ``grads`` from the loss last computed by ``self.loss.forward``, or from a
        given dL/dz of the logits; returns dL/dx (empty unless built with input_grad)."""
        dz = self.loss.backward() if dz is None else dz
        for layer in reversed(self.layers):
            dz = layer.backward(dz)
        return dz

    def train_step(self, x: np.ndarray, y: np.ndarray, optimizer: Optimizer) -> float:
        """Forward, loss, backward, update. Returns the loss before the update."""
        loss = self.loss.forward(self.forward(x), y)
        self.backward()
        optimizer.step(self.params, self.grads)
        return loss

    # -- asking the network things -----------------------------------------

    def logits(self, x: np.ndarray) -> np.ndarray:
        """forward() without side effects: a new array, safe from any thread."""
        x = np.asarray(x, dtype=self.dtype)
        for layer in self.layers:
            x = layer.infer(x)
        return x

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Predictions (class probabilities for classification): (N, sizes[-1])."""
        return self.loss.output(self.logits(x))

    def accuracy(self, x: np.ndarray, y: np.ndarray) -> float | None:
        """Fraction classified correctly; None for regression."""
        correct = correct_mask(self.logits(x), y, self.spec.loss)
        return None if correct is None else float(correct.mean())

    @property
    def n_params(self) -> int:
        return int(self.params.size)

    def grad_norms(self) -> tuple[float, ...]:
        """||dL/dW_i, dL/db_i|| for each dense layer i."""
        return tuple(map(norm, self._grad_slices))

    def weight_norms(self) -> tuple[float, ...]:
        """||W_i, b_i|| for each dense layer i."""
        return tuple(map(norm, self._param_slices))

    def summary(self) -> str:
        """A Keras-like table: each layer, its output shape and parameter count."""
        rows = [("Layer (type)", "Output shape", "Param #")]
        d = a = 0
        for layer in self.layers:
            if isinstance(layer, Dense):
                rows.append(
                    (f"dense_{d} (Dense)", f"(None, {layer.n_out})", f"{layer.W.size + layer.b.size:,}")
                )
                width = layer.n_out
                d += 1
            else:
                name = type(layer).__name__
                rows.append((f"{name.lower()}_{a} ({name})", f"(None, {width})", "0"))
                a += 1
        out_name = self.loss.output_activation.capitalize()
        rows.append((f"output ({out_name})", f"(None, {self.spec.sizes[-1]})", "0"))
        widths = [max(len(r[i]) for r in rows) + 2 for i in range(3)]
        rule = "-" * sum(widths)
        lines = [rule, _row(rows[0], widths), "=" * sum(widths)]
        lines += [_row(r, widths) for r in rows[1:]]
        lines += [rule, f"Total params: {self.n_params:,}", f"Loss: {self.spec.loss}", rule]
        return "\n".join(lines)


def _row(cells: tuple[str, str, str], widths: list[int]) -> str:
    return cells[0].ljust(widths[0]) + cells[1].ljust(widths[1]) + cells[2].rjust(widths[2])


def correct_mask(
    z: np.ndarray, y: np.ndarray, loss: str, labels: np.ndarray | None = None
) -> np.ndarray | None:
    """Which rows of logits z: (N, k) match targets y: (N, k); None for regression.

    ``labels``, y's class indices if already known, saves recomputing them.
    """
    if loss == "binary_cross_entropy":  # each output its own yes/no: right when all of them are
        # p > 0.5, as predict() and the views read it: not z > 0, which says 1 where a tiny z
        # (1e-8) rounds to p = 0.5 exactly in float32, and the views say 0
        return ((sigmoid(z) > 0.5) == (y > 0.5)).all(axis=1)
    if z.shape[1] > 1:
        return z.argmax(axis=1) == (y.argmax(axis=1) if labels is None else labels)
    return None


def check_spec(spec: NetworkSpec) -> None:
    """Raise ValueError with a plain message if the spec cannot be built."""
    if len(spec.sizes) < 2:
        raise ValueError("a network needs at least an input and an output size")
    if any(int(n) != n or n < 1 for n in spec.sizes):
        raise ValueError("every layer size must be a whole number of at least 1")
    if len(spec.activations) != len(spec.sizes) - 2:
        raise ValueError(
            f"{len(spec.sizes) - 2} hidden layer(s) need as many activations, got {len(spec.activations)}"
        )
    for name in spec.activations:
        if name not in ACTIVATIONS:
            raise ValueError(f"unknown activation {name!r}; choose from {', '.join(ACTIVATIONS)}")
    if spec.loss not in LOSSES:
        raise ValueError(f"unknown loss {spec.loss!r}; choose from {', '.join(LOSSES)}")
    if spec.init not in INITS:
        raise ValueError(f"unknown init {spec.init!r}; choose from {', '.join(INITS)}")


def _flatten(dense: list[Dense], dtype: np.dtype) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Move every W and b into one flat vector (and gradients into another), as views."""
    total = sum(p.size for layer in dense for p in layer.parameters.values())
    params = np.empty(total, dtype=dtype)
    grads = np.zeros(total, dtype=dtype)
    offsets = []
    at = 0
    for layer in dense:
        offsets.append(at)
        for name, value in layer.parameters.items():
            view = params[at : at + value.size].reshape(value.shape)
            view[...] = value
            layer.parameters[name] = view
            layer.gradients[name] = grads[at : at + value.size].reshape(value.shape)
            at += value.size
    return params, grads, offsets
