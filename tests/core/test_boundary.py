"""The decision grid: a classifier's P(class 1) over the plane of a 2-D data set."""

import numpy as np
import pytest

from nnplay.core.boundary import decision_grid
from nnplay.core.network import Network, NetworkSpec


def line_network() -> Network:
    """P(class 1) = sigmoid(4 x): the boundary is the line x = 0."""
    net = Network(NetworkSpec((2, 1), (), "binary_cross_entropy"), np.random.default_rng(0), np.float64)
    net.dense[0].W[...] = [[4.0], [0.0]]
    net.dense[0].b[...] = 0.0
    return net


def test_the_grid_puts_the_boundary_where_the_network_does():
    X = np.array([[-1.0, -2.0], [1.0, 2.0], [0.5, 0.0]])
    grid = decision_grid(line_network(), X, rows=5, columns=9)
    assert grid.P.shape == (5, 9) and grid.xs.shape == (9,) and grid.ys.shape == (5,)
    assert grid.xs[0] < -1 and grid.xs[-1] > 1 and grid.ys[0] > 2 > -2 > grid.ys[-1]  # a margin, y top first
    np.testing.assert_allclose(grid.P, 1 / (1 + np.exp(-4 * grid.xs)) * np.ones((5, 1)))
    assert (grid.P[:, grid.xs > 0] > 0.5).all() and (grid.P[:, grid.xs < 0] < 0.5).all()


def test_each_point_falls_in_the_cell_around_it():
    X = np.array([[-1.0, -2.0], [1.0, 2.0], [0.0, 0.0]])
    grid = decision_grid(line_network(), X, rows=5, columns=9)
    rows, columns = grid.cells(X)
    assert columns.tolist() == [1, 7, 4] and rows.tolist() == [4, 0, 2]  # nearest centres, top row first
    for r, c, (x, y) in zip(rows, columns, X, strict=True):
        assert abs(grid.xs[c] - x) <= (grid.xs[1] - grid.xs[0]) / 2 + 1e-12
        assert abs(grid.ys[r] - y) <= (grid.ys[0] - grid.ys[1]) / 2 + 1e-12


def test_a_network_that_is_not_a_2d_classifier_is_refused():
    net = Network(NetworkSpec((2, 4, 1), ("relu",), "mse"), np.random.default_rng(0))
    with pytest.raises(ValueError, match="2 inputs and one sigmoid output"):
        decision_grid(net, np.zeros((3, 2)), 4, 4)


def test_one_class_is_the_class_of_every_cell_or_none_where_a_line_crosses():
    from nnplay.core.boundary import Grid

    xs, ys = np.arange(3.0), np.arange(2.0)
    assert Grid(xs, ys, np.full((2, 3), 0.5)).one_class == 0  # class 1 is above 0.5, as predicted
    assert Grid(xs, ys, np.full((2, 3), 0.51)).one_class == 1
    assert Grid(xs, ys, np.full((2, 3), 0.2)).one_class == 0
    assert Grid(xs, ys, np.array([[0.2, 0.6, 0.9], [0.1, 0.4, 0.8]])).one_class is None
