"""First-layer weights: each first-layer unit's 64 input weights drawn as an 8x8 tile.

Column j of W0 (``(64, hidden)``) holds the weight unit j gives each pixel, so
drawn as 8x8 it is the picture that excites the unit most: ink where a weight
is positive raises the unit's input, ink where it is negative lowers it.
"""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from nnplay.core.saliency import scale_signed
from nnplay.tui.session import Session
from nnplay.tui.views.base import View, trained_label

PIXELS = 64
"""Inputs a first layer must have to be drawn: the digits' 8x8 pixels."""
POSITIVE = "░▒▓█"
"""Glyphs for positive values, weakest to strongest: blocks, like the digits' ink."""
NEGATIVE = "◌○◍●"
"""Glyphs for negative values, weakest to strongest: circles, another family of glyph (holes, not ink)."""
POSITIVE_RGB = (255, 150, 40)
NEGATIVE_RGB = (80, 160, 255)
"""Orange and blue (told apart with most colour blindness); colour only adds to the glyphs."""
ANSI_POSITIVE, ANSI_NEGATIVE = "bright_red", "bright_blue"
"""The same with the terminal's own colours: a red and a blue that read on black and on white."""
TILE_WIDTH = 16
"""Columns per tile: 8 pixels of 2 characters, so the pixels come out square."""
TILE_HEIGHT = 9
"""Rows per tile: its label, then 8 rows of pixels."""
GAP = 2
"""Columns between tiles; rows need none, each tile's bold label line sets it apart."""


def signed_glyphs(value: float) -> str:
    """Two characters for a value in [-1, 1]: the glyph family says the sign, its density the size.

    |value| below 1/8 is left blank; then four steps of a quarter each.
    """
    level = min(4, int(abs(value) * 4 + 0.5))
    if level == 0:
        return "  "
    return (POSITIVE if value > 0 else NEGATIVE)[level - 1] * 2


def signed_style(value: float, ansi: bool | None = False) -> str:
    """A colour for a value in [-1, 1]: orange for positive, blue for negative, brighter when larger.

    With the terminal's own colours (``ansi``), its bright red or bright blue whatever the size,
    which read on a dark ground and a light one: the orange and blue ramps fell into grey, then
    yellow or cyan (1.7:1 and 2:1 on a light terminal), then bright red or blue. The glyph's
    density says the size, as it does without colour.
    """
    if ansi:
        return ANSI_POSITIVE if value > 0 else ANSI_NEGATIVE
    r, g, b = POSITIVE_RGB if value > 0 else NEGATIVE_RGB
    t = min(1.0, abs(value))
    return f"rgb({round(70 + t * (r - 70))},{round(70 + t * (g - 70))},{round(70 + t * (b - 70))})"


def legend(ansi: bool | None = False) -> Text:
    """What the glyphs mean, in words."""
    text = Text()
    text.append(POSITIVE[::-1], style=signed_style(1, ansi))
    text.append(" w > 0: ink here excites  ")  # one line at 76 columns, the smallest
    text.append(NEGATIVE[::-1], style=signed_style(-1, ansi))
    text.append(" w < 0: ink here inhibits  blank: w ≈ 0")
    return text


def plain(x: float) -> str:
    """A weight's size in two significant digits, without an exponent up to 9,999: 0.42, 120."""
    return f"{x:.2g}" if x < 100 or x >= 10_000 else f"{x:.0f}"


def tile_label(name: str, biggest: float) -> str:
    """A tile's label in TILE_WIDTH columns: its name ("unit 1") and the largest |w| it was
    scaled by, "±0.38"; one too small for two decimals as "±4e-14" (l2 decays weights that
    far, and each tile, scaled to its own, still shows a whole pattern: "±0.00" hid how small).
    A name too long to fit beside that keeps its number alone."""
    if biggest == 0:
        size = "±0"
    elif biggest < 0.005:
        size = "±" + f"{biggest:.0e}".replace("e-0", "e-")
    else:
        size = f"±{biggest:.2f}" if biggest < 100 else f"±{plain(biggest)}"
    if len(name) + 1 + len(size) > TILE_WIDTH:
        name = name.split()[-1]
    return name.ljust(TILE_WIDTH - len(size)) + size


def not_digits(session: Session, what: str) -> str:
    """Why a view that needs 8x8 pixels has nothing to show for this run's data set."""
    n_in = session.config.layers[0]
    return (
        f"This view is for the digits data set: {what}.\n\n"
        f"This run trains on {session.config.dataset}, whose inputs are "
        f"{n_in} number{'' if n_in == 1 else 's'}, not 8×8 pixels.\n"
        "D trains on digits instead. (esc goes back)"
    )


class TileGrid(Widget):
    """As many 8x8 tiles as fit, starting at unit ``first``."""

    class Moved(Message):
        """Other units are on screen (a page turned, the pane resized, or a new network)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.tiles: np.ndarray | None = None
        """Each unit's weights scaled into [-1, 1]: (units, 64)."""
        self.biggest: np.ndarray | None = None
        """Each unit's largest |weight| before scaling: (units,)."""
        self.first = 0
        """The unit drawn in the top-left tile (from 0); always a multiple of per_page."""
        self.note = "loading…"
        """Said instead of tiles when there are none to draw."""
        self.classes_out = False
        """Whether the layer drawn is the output (no hidden layer), its units the digits 0-9."""

    def tile_name(self, unit: int) -> str:
        """What a tile is called: "unit 1" from 1, or the digit an output unit scores."""
        return f"digit {unit}" if self.classes_out else f"unit {unit + 1}"

    @property
    def columns(self) -> int:
        return max(1, (self.size.width + GAP) // (TILE_WIDTH + GAP))

    @property
    def rows(self) -> int:
        return max(1, self.size.height // TILE_HEIGHT)

    @property
    def per_page(self) -> int:
        """Tiles that fit in the pane at its current size."""
        return self.columns * self.rows

    @property
    def units(self) -> int:
        return 0 if self.tiles is None else len(self.tiles)

    @property
    def shown(self) -> range:
        """The units on screen, from 0."""
        return range(self.first, min(self.first + self.per_page, self.units))

    def show(self, tiles: np.ndarray, biggest: np.ndarray) -> None:
        self.tiles, self.biggest = tiles, biggest
        self.note = ""
        self._align()
        self.refresh()

    def say(self, note: str) -> None:
        self.tiles = self.biggest = None
        self.note = note
        self.first = 0
        self.refresh()
        self.post_message(self.Moved())

    @property
    def pages(self) -> int:
        return max(1, -(-self.units // self.per_page))

    def page(self, step: int) -> None:
        """Move by whole pages, wrapping around at either end."""
        self.go_to_page((self.first // self.per_page + step) % self.pages)

    def go_to_page(self, page: int) -> None:
        """Show page ``page`` (from 0; -1 is the last)."""
        self.first = (page % self.pages) * self.per_page
        self.refresh()
        self.post_message(self.Moved())

    def _align(self) -> None:
        """Keep first on a page boundary and within the units (after a resize or a new network)."""
        self.first = min(self.first // self.per_page, self.pages - 1) * self.per_page
        self.post_message(self.Moved())

    def on_resize(self, event: events.Resize) -> None:
        self._align()

    def render(self) -> Text:
        if self.tiles is None or self.biggest is None:
            return Text(self.note)
        text = Text()
        units = list(self.shown)
        ansi = self.app.ansi_color
        for r in range(0, len(units), self.columns):
            row_units = units[r : r + self.columns]
            if r:
                text.append("\n")
            for u in row_units:  # the labels: unit number and the size the tile was scaled by
                text.append(tile_label(self.tile_name(u), float(self.biggest[u])), style="bold")
                text.append(" " * GAP)
            for pixel_row in range(8):
                text.append("\n")
                for u in row_units:
                    for v in self.tiles[u, 8 * pixel_row : 8 * pixel_row + 8]:
                        text.append(signed_glyphs(float(v)), style=signed_style(float(v), ansi))
                    text.append(" " * GAP)
        return text


class WeightsView(View):
    """The first layer's weights, one 8x8 tile per unit, redrawn as the network trains."""

    BINDINGS = [
        Binding("right,pagedown,l", "page(1)", "Next page"),
        Binding("left,pageup,h", "page(-1)", "Previous page"),
        Binding("home", "page_to(0)", "First page", show=False),
        Binding("end", "page_to(-1)", "Last page", show=False),
        Binding("a", "toggle_scale", "Scale"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.each_tile = True
        """Scale each tile by its own largest |w| (True), or all tiles by the largest of all."""
        self.weights: np.ndarray | None = None
        """The first layer's weights as drawn: (units, 64), unit j's row is column j of W0."""
        self._composed = False

    def compose(self) -> ComposeResult:
        yield TileGrid(id="weights-grid")
        yield Static(id="weights-legend")

    def on_mount(self) -> None:
        self._composed = True
        self.refresh_from_session()

    @property
    def grid(self) -> TileGrid:
        return self.query_one(TileGrid)

    @property
    def page_label(self) -> str:
        """Which units are on screen, as "units 1-8 of 128" (or why there are none)."""
        grid = self.grid
        if not grid.units:
            return "nothing to draw"
        shown = grid.shown
        if grid.classes_out:  # the output layer's units are the digits: "digits 0-7 of 0-9"
            return f"digits {shown.start}-{shown.stop - 1} of 0-{grid.units - 1}"
        return f"units {shown.start + 1}-{shown.stop} of {grid.units}"

    def refresh_from_session(self) -> None:
        """Take a new snapshot of the network and redraw the tiles from it."""
        if not self._composed:
            return
        session = self.session
        if not session.ready:
            self.weights = None
            self.grid.say("The network is still being built…")
            return
        dense = session.snapshot().dense
        W0 = dense[0].W  # (n_in, units)
        if W0.shape[0] != PIXELS:
            self.weights = None
            self.grid.say(
                not_digits(
                    session, "it draws each first-layer unit's 64 weights as an 8×8 picture, one per pixel"
                )
            )
            return
        self.weights = W0.T.copy()  # (units, 64)
        self.grid.classes_out = len(dense) == 1  # no hidden layer: the first is the output
        self._redraw()

    def _redraw(self) -> None:
        assert self.weights is not None
        # either way the labels give each unit's own largest |w|
        tiles, biggest = scale_signed(self.weights, axis=1)
        if not self.each_tile:
            tiles = scale_signed(self.weights)[0]
        self.grid.show(tiles, biggest)

    def _retitle(self) -> None:
        grid = self.grid
        grid.border_title = f"First-layer weights · {self.page_label} · {trained_label(self.session)}"
        keys = ("←→ page  " if grid.pages > 1 else "") + "a scale  esc back"
        grid.border_subtitle = keys if grid.units else "esc back"
        scale = (
            "each tile scaled to its own largest |w| (its label); a: one scale for all"
            if self.each_tile
            else f"one scale for all: ±{plain(self._largest())}, the largest |w|; a: each tile its own"
        )
        text = legend(self.app.ansi_color) if grid.units else Text()
        if grid.units:
            text.append(f"\n{scale}", style="dim")
        self.query_one("#weights-legend", Static).update(text)

    def _largest(self) -> float:
        """The largest |w| of any first-layer unit: the one scale every tile shares after a."""
        return float(np.abs(self.weights).max()) if self.weights is not None else 0.0

    # -- keys ---------------------------------------------------------------------------

    def action_page(self, step: int) -> None:
        self.grid.page(step)

    def action_page_to(self, page: int) -> None:
        self.grid.go_to_page(page)

    def action_toggle_scale(self) -> None:
        self.each_tile = not self.each_tile
        if self.weights is not None:
            self._redraw()

    def on_tile_grid_moved(self, message: TileGrid.Moved) -> None:
        self._retitle()
