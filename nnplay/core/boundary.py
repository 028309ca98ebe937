"""A classifier's answer over the whole plane of a 2-D data set: its decision boundary.

The plane around the points ``X: (N, 2)`` is cut into a grid of cells; the
network's probability of class 1 at each cell's centre, ``P: (rows, columns)``,
shows where it puts the line between the classes (P = 0.5), and how sure it is
on either side.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnplay.core.network import Network, NetworkSpec

MARGIN = 0.1
"""Room around the points, as a fraction of their spread, so none sits on the edge."""


@dataclass(frozen=True)
class Grid:
    """The network's P(class 1) on a grid over the plane, first row at the top (largest y)."""

    xs: np.ndarray
    """(columns,) the x of each column's centre, left to right."""
    ys: np.ndarray
    """(rows,) the y of each row's centre, top to bottom."""
    P: np.ndarray
    """(rows, columns) the network's probability of class 1 at each cell."""

    @property
    def one_class(self) -> int | None:
        """The class the network gives every cell when it gives them all the same one (no
        line between the classes crosses this plane), else None. Class 1 above 0.5, as
        Network.predict is read everywhere."""
        if (self.P > 0.5).all():
            return 1
        if (self.P <= 0.5).all():
            return 0
        return None

    def cells(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of the cell each point of ``X: (N, 2)`` falls in."""
        columns = _nearest(X[:, 0], self.xs)
        rows = _nearest(X[:, 1], self.ys)
        return rows, columns


def has_boundary(spec: NetworkSpec) -> bool:
    """Whether a network draws one: 2 inputs, a plane, and one sigmoid output, a class."""
    return spec.sizes[0] == 2 and spec.sizes[-1] == 1 and spec.loss == "binary_cross_entropy"


def decision_grid(net: Network, X: np.ndarray, rows: int, columns: int) -> Grid:
    """P(class 1) of a one-sigmoid-output network over the plane around ``X: (N, 2)``."""
    if not has_boundary(net.spec):
        raise ValueError("a decision boundary needs 2 inputs and one sigmoid output")
    low, high = X.min(axis=0), X.max(axis=0)
    pad = (high - low) * MARGIN
    low, high = low - pad, high + pad
    xs = np.linspace(low[0], high[0], columns)
    ys = np.linspace(high[1], low[1], rows)  # top row first, as the screen draws it
    gx, gy = np.meshgrid(xs, ys)  # (rows, columns) each
    P = net.predict(np.column_stack([gx.ravel(), gy.ravel()]))[:, 0].reshape(rows, columns)
    return Grid(xs, ys, P)


def _nearest(values: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Index of the centre nearest each value; centres evenly spaced, either way round."""
    if len(centres) == 1:
        return np.zeros(len(values), dtype=int)
    step = (centres[-1] - centres[0]) / (len(centres) - 1)
    return np.clip(np.rint((values - centres[0]) / step), 0, len(centres) - 1).astype(int)
