"""What a dense layer computes, written out: its forward and backward pass as formulas, with
the shapes of a batch, for the layer inspector (``i`` in the app)."""

from __future__ import annotations

from dataclasses import dataclass

from nnplay.core.activations import LeakyReLU
from nnplay.core.losses import LOSSES
from nnplay.core.network import NetworkSpec


@dataclass(frozen=True)
class LayerFormulas:
    """One dense layer and the activation after it, written out for a batch.

    Each line is (formula, shapes), such as
    ("z1 = x @ W1 + b1", "x: (32, 64)  W1: (64, 128)  b1: (128,)  z1: (32, 128)").
    """

    title: str  # "layer 1 of 3: dense_0, 64 → 128, then relu"
    batch: int  # the rows the shapes are written for
    forward: tuple[tuple[str, str], ...]  # in the order computed
    backward: tuple[tuple[str, str], ...]  # in the order computed, from the loss's end


OUTPUT_FORWARD = {
    "cross_entropy": ("p = softmax({z})", "L = -sum(y log p) / N"),
    "binary_cross_entropy": ("p = sigmoid({z})", "L = -mean(y log p + (1 - y) log(1 - p))"),
    "mse": ("p = {z}", "L = mean((p - y)**2)"),
}
"""The output activation and loss after the last dense layer, by loss name."""
OUTPUT_BACKWARD = {
    "cross_entropy": "{dz} = (p - y) / N",
    "binary_cross_entropy": "{dz} = (p - y) / (N k)",
    "mse": "{dz} = 2 (p - y) / (N k)",
}
"""dL/dz of the logits, where backpropagation starts (N rows, k outputs)."""
ACTIVATION_BACKWARD = {
    "relu": "{dz} = {da} * [{z} > 0]",
    "leaky_relu": "{dz} = {da} * where({z} > 0, 1, {alpha:g})",
    "sigmoid": "{dz} = {da} * {a} * (1 - {a})",
    "tanh": "{dz} = {da} * (1 - {a}**2)",
    "identity": "{dz} = {da}",
}
"""How the gradient passes back through each hidden activation (element-wise)."""


def layer_formulas(spec: NetworkSpec, index: int, batch: int, n_rows: int | None = None) -> LayerFormulas:
    """Dense layer ``index`` (from 0) of a network with this spec, for a batch of ``batch``
    rows; or of ``n_rows``, if fewer, as training takes a batch from ``n_rows`` samples.

    Layers are numbered from 1 in the formulas, as in most texts: layer i takes
    ``a{i-1}`` (``x`` for i = 1), computes ``z{i} = a{i-1} @ W{i} + b{i}`` and, if
    hidden, ``a{i} = act(z{i})``; the last layer's ``z`` goes to the loss. Every
    shape is written out: ``a{i-1}: (batch, n_in)``, ``W{i}: (n_in, n_out)``,
    ``b{i}: (n_out,)``, ``z{i}: (batch, n_out)``.
    """
    n_dense = len(spec.sizes) - 1
    if n_rows is not None:
        batch = min(batch, n_rows)
    if not 0 <= index < n_dense:
        raise IndexError(f"layer {index} of a network with {n_dense} dense layers")
    i = index + 1
    n_in, n_out = spec.sizes[index], spec.sizes[index + 1]
    last = index == n_dense - 1
    activation = "" if last else spec.activations[index]
    x = "x" if i == 1 else f"a{i - 1}"
    W, b, z, a = f"W{i}", f"b{i}", f"z{i}", f"a{i}"
    rows_in, rows_out = f"({batch}, {n_in})", f"({batch}, {n_out})"
    w_shape, b_shape = f"({n_in}, {n_out})", f"({n_out},)"

    forward = [(f"{z} = {x} @ {W} + {b}", f"{x}: {rows_in}  {W}: {w_shape}  {b}: {b_shape}  {z}: {rows_out}")]
    backward = []
    if last:
        out, loss = OUTPUT_FORWARD[spec.loss]
        forward.append((out.format(z=z), f"p: {rows_out}"))
        forward.append((loss, "L: a number"))
        rule = OUTPUT_BACKWARD[spec.loss].format(dz=f"d{z}")
        sizes = f"N = {batch}, k = {spec.sizes[-1]}" if "k)" in rule else f"N = {batch}"  # k: outputs
        backward.append((rule, f"d{z}: {rows_out}  ({sizes})"))
    else:
        forward.append((f"{a} = {activation}({z})", f"{a}: {rows_out}"))
        backward.append((f"d{a} = dz{i + 1} @ W{i + 1}.T", f"d{a}: {rows_out}  (from layer {i + 1})"))
        alpha = LeakyReLU().alpha
        rule = ACTIVATION_BACKWARD[activation].format(dz=f"d{z}", da=f"d{a}", z=z, a=a, alpha=alpha)
        backward.append((rule, f"d{z}: {rows_out}"))
    backward.append((f"d{W} = {x}.T @ d{z}", f"d{W}: {w_shape}"))
    backward.append((f"d{b} = sum(d{z}, axis=0)", f"d{b}: {b_shape}"))
    d_in = f"d{x} = d{z} @ {W}.T"
    if i == 1:
        backward.append((d_in, f"d{x}: {rows_in}  (skipped in training: x is data)"))
    else:
        backward.append((d_in, f"d{x}: {rows_in}  (to layer {i - 1})"))
    after = LOSSES[spec.loss].output_activation if last else activation  # the loss is in the formulas
    title = f"layer {i} of {n_dense}: dense_{index}, {n_in} → {n_out}, then {after}"
    return LayerFormulas(title, batch, tuple(forward), tuple(backward))
