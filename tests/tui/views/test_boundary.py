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
