"""The decision boundary: the plane of a 2-D data set, shaded by the network's answer.

Each character cell is a point of the plane; its glyph says which class the
network gives it and how sure it is (nnplay.core.boundary computes the grid).
The training points are drawn on top, so a class sees the line move between
them as the network learns, and what a layer of identity units cannot do.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from nnplay.core.boundary import Grid, decision_grid, has_boundary
from nnplay.tui.views.base import View, trained_label
from nnplay.tui.views.weights import signed_style
from nnplay.tui.widgets.digit_viewer import probability

CLASS_1 = " ░▒▓"
"""Cells the network gives class 1, from unsure (near 0.5: blank) to sure: blocks."""
CLASS_0 = " ·∙•"
"""Cells it gives class 0, from unsure to sure: dots, so no colour is needed to tell them apart."""
POINTS = "ox"
"""A training point of class 0, of class 1."""


def glyph(p: float, ansi: bool | None = False) -> tuple[str, str]:
    """The glyph and style of a cell whose P(class 1) is p (``ansi``: in the terminal's own colours)."""
    sureness = min(abs(p - 0.5) * 2, 0.999)  # 0 on the boundary, 1 where the network is certain
    level = int(sureness * len(CLASS_1))
    side = 1.0 if p >= 0.5 else -1.0
    return (CLASS_1 if p >= 0.5 else CLASS_0)[level], signed_style(side * (0.3 + 0.5 * sureness), ansi)


def draw(grid: Grid, cells: tuple, classes: list[int], ansi: bool | None = False) -> Text:
    """The grid's glyphs, row by row, with the points of ``classes`` at their ``cells``."""
    marks = {(int(r), int(c)): k for r, c, k in zip(*cells, classes, strict=True)}
    text = Text(no_wrap=True, overflow="crop")
    for r, row in enumerate(grid.P):
        if r:
            text.append("\n")
        for c, p in enumerate(row):
            if (r, c) in marks:
                k = marks[r, c]
                text.append(POINTS[k], style=f"bold {signed_style(1.0 if k else -1.0, ansi)}")
            else:
                text.append(*glyph(float(p), ansi))
    return text


def legend(ansi: bool | None = False, grid: Grid | None = None) -> Text:
    """What the glyphs mean; and, when the network gives the whole plane one class, that no
    line is drawn (all blank, where it is unsure, or all one shade, looked like a view broken)."""
    text = Text()
    text.append(CLASS_1[::-1].strip(), style=signed_style(0.8, ansi))
    text.append(" the network says 1  ")
    text.append(CLASS_0[::-1].strip(), style=signed_style(-0.8, ansi))
    text.append(" it says 0  (denser: surer, blank: unsure)\n")
    text.append(POINTS[1], style=f"bold {signed_style(1.0, ansi)}")
    text.append(" class 1  ")
    text.append(POINTS[0], style=f"bold {signed_style(-1.0, ansi)}")
    text.append(" class 0: the training points  ·  esc back")
    if grid is not None and grid.one_class is not None:
        low, high = probability(float(grid.P.min()), 2), probability(float(grid.P.max()), 2)
        p = low if low == high else f"{low} to {high}"
        text.append(
            f"\nNo line on this plane: the network says {grid.one_class} everywhere (P(class 1) {p})",
            style="bold",
        )
    return text


class BoundaryView(View):
    """The plane of a 2-D data set shaded by the network's answer, with the training points."""

    grid: Grid | None = None
    """The grid last drawn (None when the network is not a 2-D classifier)."""

    def compose(self) -> ComposeResult:
        yield Static(id="boundary-map")
        yield Static(legend(self.app.ansi_color), id="boundary-legend")

    def on_mount(self) -> None:
        self.call_after_refresh(self.refresh_from_session)  # once laid out: the grid fills the box

    def on_resize(self) -> None:
        self.refresh_from_session()

    def refresh_from_session(self) -> None:
        if not self.is_mounted or not self.session.ready:
            return
        box = self.query_one("#boundary-map", Static)
        net = self.session.snapshot()
        dataset = self.session.config.dataset
        box.border_title = "Decision boundary"
        if not has_boundary(net.spec):
            self.grid = None
            self.query_one("#boundary-legend").display = False
            box.update(
                "This view is for the 2-D data sets (moons, circles, xor, spiral): it shades the plane "
                "by the class the network gives each point, with the training points on top.\n\n"
                f"This run trains on {dataset}. D chooses another, such as moons. (esc goes back)"
            )
            return
        self.query_one("#boundary-legend").display = True
        X, Y = self.session.arrays("train")
        rows, columns = max(box.content_size.height, 4), max(box.content_size.width, 8)
        self.grid = decision_grid(net, X, rows, columns)
        classes = [int(y > 0.5) for y in Y[:, 0]]
        box.update(draw(self.grid, self.grid.cells(X), classes, self.app.ansi_color))
        self.query_one("#boundary-legend", Static).update(legend(self.app.ansi_color, self.grid))
        accuracy = net.accuracy(X, Y) or 0.0
        trained = trained_label(self.session)
        box.border_title = f"Decision boundary · {dataset} · {trained} · train {100 * accuracy:.1f}%"
