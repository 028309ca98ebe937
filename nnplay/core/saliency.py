"""What in the input the network responds to: saliency maps and signed scaling for pictures.

A saliency map is the gradient of one output probability with respect to the
input, ``dp_c/dx: (n_in,)``: how much, and in which direction, nudging each
input pixel would move the network's belief in class c. It is computed by the
network's own forward and backward passes, starting backpropagation from
``dp_c/dz`` (the output activation's derivative) instead of ``dL/dz``.

``scale_signed`` maps any such signed picture (a saliency map, a unit's input
weights) into [-1, 1] so that its largest entry is drawn at full strength, and
says by how much it divided.
"""

from __future__ import annotations

import numpy as np

from nnplay.core.network import Network


def predicted_class(output: np.ndarray, loss: str) -> int:
    """The class a network's output (one sample's predictions, ``(k,)``) stands for.

    Softmax (k classes) and k > 1 sigmoid or identity outputs: the largest
    output, ``argmax_j output_j``. One sigmoid output p = P(class 1): class 1
    if p > 0.5, else class 0. One identity output (regression): unit 0.
    """
    output = np.asarray(output)
    if output.size == 1:
        return int(loss == "binary_cross_entropy" and float(output[0]) > 0.5)
    return int(np.argmax(output))


def saliency(net: Network, x: np.ndarray, cls: int | None = None) -> np.ndarray:
    """dp_cls/dx: the gradient of the probability of class ``cls`` with respect to one input.

    ``x: (n_in,)``; returns ``(n_in,)`` as a new array. ``cls`` defaults to the
    predicted class (``predicted_class``). ``net`` must be built with
    ``input_grad=True`` (``session.snapshot(np.float64, input_grad=True)``); its
    ``grads`` and layer buffers are overwritten, so pass a snapshot, never the
    network being trained.

    With z the logits ``(k,)`` and p the output activation of z, the chain rule
    gives dp_c/dx = (dp_c/dz) (dz/dx); the backward pass computes the second
    factor when handed the first as its "dL/dz":

    - softmax (cross-entropy): dp_c/dz_j = p_c ([j = c] - p_j), i.e. p_c (e_c - p);
    - sigmoid (binary cross-entropy), k outputs: dp_c/dz = p_c (1 - p_c) e_c; with
      one output p = P(class 1) and P(class 0) = 1 - p, so class 1 takes
      +p (1 - p) and class 0 takes -p (1 - p);
    - identity (mean squared error): the output is z itself, dz_c/dz = e_c, and
      the map is the gradient of output unit c.
    """
    if not net.dense[0].input_grad:
        raise ValueError("saliency needs a network built with input_grad=True")
    x = np.asarray(x, dtype=net.dtype).reshape(1, -1)  # (1, n_in)
    z = net.forward(x)  # (1, k) logits, kept by the layers for backward
    p = net.loss.output(z)[0]  # (k,) predictions
    k = p.size
    c = predicted_class(p, net.spec.loss) if cls is None else int(cls)
    activation = net.loss.output_activation
    dz = np.zeros((1, k), dtype=net.dtype)  # dp_c/dz
    if activation == "softmax":
        dz[0] = -p[c] * p
        dz[0, c] += p[c]
    elif activation == "sigmoid" and k == 1:
        if c not in (0, 1):
            raise ValueError(f"one sigmoid output has classes 0 and 1, not {c}")
        dz[0, 0] = (1 if c == 1 else -1) * p[0] * (1 - p[0])
    elif activation == "sigmoid":
        dz[0, c] = p[c] * (1 - p[c])
    else:  # identity
        dz[0, c] = 1
    return net.backward(dz)[0].copy()  # (n_in,)


def scale_signed(a: np.ndarray, axis: int | tuple[int, ...] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(a / m, m) with m = max|a|: the picture in [-1, 1], its largest magnitude at +-1, signs kept.

    ``axis`` None scales the whole array by one number (m is 0-d); an axis (or
    axes) scales each slice along the others by its own largest magnitude:
    ``axis=1`` on a ``(units, pixels)`` array scales each unit's row, and m is
    ``(units,)``. An all-zero slice stays 0. The scaled array is a new float
    array of a's shape; m has a's shape without ``axis``.
    """
    a = np.asarray(a, dtype=np.float64)
    if a.size == 0:
        return a.copy(), np.max(np.abs(a), axis=axis, initial=0.0)
    biggest = np.max(np.abs(a), axis=axis, keepdims=True)
    scaled = np.divide(a, biggest, out=np.zeros_like(a), where=biggest > 0)
    return scaled, biggest.squeeze(axis=axis) if axis is not None else biggest.reshape(())
