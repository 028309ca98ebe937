"""The decision-boundary view: the core's grid, drawn cell by cell, with the training points."""

import numpy as np
from textual.widgets import Static

from nnplay.core.boundary import decision_grid
from nnplay.core.config import TrainConfig
from nnplay.tui.app import make_app
from nnplay.tui.views.boundary import POINTS, BoundaryView, glyph
from tests.tui.helpers import settle


async def test_the_plane_is_the_cores_grid_with_the_training_points_on_top():
    app = make_app(TrainConfig(dataset="moons", layers=(2, 8, 1), optimizer="adam", lr=0.01, epochs=5))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("space")
        await settle(app, pilot)
        await pilot.press("b")
        await settle(app, pilot)
        view = app.screen
        assert isinstance(view, BoundaryView) and view.grid is not None
        box = view.query_one("#boundary-map", Static)
        X, Y = app.session.arrays("train")
        expected = decision_grid(app.session.snapshot(), X, *view.grid.P.shape)
        np.testing.assert_allclose(view.grid.P, expected.P)
        assert view.grid.P.shape == (box.content_size.height, box.content_size.width)  # fills the box
        lines = str(box.content).split("\n")
        rows, columns = view.grid.cells(X)
        occupied = set(zip(rows.tolist(), columns.tolist(), strict=True))
        marks = sum(line.count(POINTS[0]) + line.count(POINTS[1]) for line in lines)
        assert marks == len(occupied)  # one mark a cell with a point in it
        free = next((r, c) for r in range(len(lines)) for c in range(len(lines[0])) if (r, c) not in occupied)
        assert lines[free[0]][free[1]] == glyph(float(view.grid.P[free]))[0]
        assert "epoch 5" in box.border_title and "moons" in box.border_title


async def test_on_digits_the_view_says_what_it_is_for():
    app = make_app(TrainConfig(layers=(64, 16, 10), epochs=1))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("b")
        await settle(app, pilot)
        view = app.screen
        assert isinstance(view, BoundaryView) and view.grid is None
        assert "2-D data sets" in str(view.query_one("#boundary-map", Static).content)


async def test_a_plane_with_no_line_on_it_says_so():
    # a network that gives every point about the same P(class 1) (a deep sigmoid stack before it
    # learns, say): the plane was all blank, or all one class, with no word that no line is there
    app = make_app(TrainConfig(dataset="circles", layers=(2, 4, 1), epochs=1))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        out = app.session.trainer.net.dense[-1]
        out.W[...] = 0.0  # the output ignores the hidden layer: sigmoid(b) everywhere
        out.b[...] = 0.25  # P = 0.56: class 1, but not sure enough to shade
        await pilot.press("b")
        await settle(app, pilot)
        legend = " ".join(str(app.screen.query_one("#boundary-legend", Static).content).split())
        assert "No line on this plane: the network says 1 everywhere (P(class 1) 0.56)" in legend
        await pilot.press("escape")
        out.b[...] = -3.0  # P = 0.05: sure of class 0 everywhere
        await pilot.press("b")
        await settle(app, pilot)
        legend = " ".join(str(app.screen.query_one("#boundary-legend", Static).content).split())
        assert "says 0 everywhere" in legend
        await pilot.press("escape")
    app = make_app(TrainConfig(dataset="moons", layers=(2, 8, 1), optimizer="adam", epochs=20))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("space")
        await settle(app, pilot)
        await pilot.press("b")
        await settle(app, pilot)
        assert "everywhere" not in str(app.screen.query_one("#boundary-legend", Static).content)
