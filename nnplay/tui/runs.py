"""The records a Session keeps of a run beside its history: each dense layer's norms per
epoch, and the settings the run trained with, which label it on the plots once another
run replaces it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nnplay.core.config import TrainConfig, format_field
from nnplay.core.history import BoundedTable


class NormLog(BoundedTable):
    """Per-epoch weight and gradient norms of each dense layer: (epoch, weights..., grads...)."""

    def __init__(self, n_dense: int) -> None:
        super().__init__(1 + 2 * n_dense)
        self.n_dense = n_dense

    def add(self, epoch: int, weights: tuple[float, ...], grads: tuple[float, ...]) -> None:
        self.append((epoch, *weights, *grads))

    def columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(epochs (E,), weight norms (E, n_dense), gradient norms (E, n_dense))."""
        table, d = self.table(), self.n_dense
        return table[:, 0], table[:, 1 : 1 + d], table[:, 1 + d :]


COMPARED = {
    "optimizer": "",
    "lr": "lr ",
    "batch_size": "batch ",
    "l2": "L2 ",
    "layers": "",
    "activation": "",
    "init": "init ",
    "seed": "seed ",
}
"""The settings an earlier run is labelled by on the plots, where they differ from now's,
each with the word that names its value ("64→32→10", "relu" and "sgd" name themselves):
the ones most often compared first, as a narrow plot's title may show only those."""


@dataclass
class RunSettings:
    """The settings a run trained with: those at its first and latest epoch's end, and which
    changed in between (the learning rate, say, set mid-run)."""

    first: TrainConfig | None = None
    last: TrainConfig | None = None
    varied: set[str] = field(default_factory=set)

    def add(self, config: TrainConfig) -> None:
        """The settings at another epoch's end."""
        if self.last is None:
            self.first = config
        else:
            self.varied |= {name for name in COMPARED if not _same(name, config, self.last)}
        self.last = config


def _same(name: str, a: TrainConfig, b: TrainConfig) -> bool:
    if name == "activation":  # relu for 64,128,64,10 is relu for 64,16,10 too
        ours, theirs = a.hidden_activations, b.hidden_activations
        if not ours or not theirs:  # 64,10 has no activation to differ: its layers do
            return True
        return ours == theirs or len(set(ours)) == 1 and set(ours) == set(theirs)
    return bool(getattr(a, name) == getattr(b, name))


def _shown(name: str, value: Any) -> str:
    return "→".join(map(str, value)) if name == "layers" else format_field(name, value)


def differences(earlier: RunSettings, now: TrainConfig) -> str:
    """The settings of the earlier run that differ from ``now``, short, for a plot's title:
    "sgd, lr 0.01"; one changed during that run shows how: "lr 0.01→0.03"; "same
    settings" if none."""
    assert earlier.first is not None and earlier.last is not None
    words = []
    for name, word in COMPARED.items():
        first, last = getattr(earlier.first, name), getattr(earlier.last, name)
        if name in earlier.varied:
            between = "→…→" if first == last else "→"
            words.append(word + _shown(name, first) + between + _shown(name, last))
        elif not _same(name, earlier.last, now):
            words.append(word + _shown(name, last))
    return ", ".join(words) or "same settings"
