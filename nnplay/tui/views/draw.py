"""Draw your own digit: an 8x8 canvas, the network's probabilities for it, and why.

The canvas holds pixel intensities 0-16, the digits' own scale; the network
sees pixel / 16, as it does for the data set. The saliency overlay draws
dp_c/dx, the gradient of the probability of class c (the network's guess
unless another class is chosen) with respect to each pixel
(nnplay.core.saliency): where more ink would raise p_c, and where it would
lower it.
"""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Static

from nnplay.core.network import Network
from nnplay.core.saliency import predicted_class, saliency, scale_signed
from nnplay.tui.session import Session
from nnplay.tui.views.base import View, trained_label
from nnplay.tui.views.weights import NEGATIVE, PIXELS, POSITIVE, not_digits, signed_glyphs, signed_style
from nnplay.tui.widgets.digit_viewer import BAR_MOST, bar, percent, pixel_style, shade

SIDE = 8
"""Pixels per side of the canvas."""
INK = 16
"""The largest pixel intensity: the digits are drawn in 0..16, and the network sees pixel / 16."""

RIGHT_COLUMN = 42
"""Columns kept for the probabilities and keys beside the canvas."""
CURSOR_STYLE = "bold rgb(0,0,0) on rgb(250,200,60)"
"""The cursor pixel: its glyphs in black on yellow, between brackets."""

KEYS = (
    ("←↑↓→", "move"),
    ("+ -", "brush"),
    ("enter", "paint"),
    ("c", "clear"),
    ("x", "erase"),
    ("l", "load sample"),
    ("d", "pen up/down"),  # a toggle: "pen down" read as what d does with the pen down
    ("n N", "next/prev"),
    ("g", "saliency"),
    ("0-9", "of class"),
)
"""The view's keys, drawn under the probabilities in two columns."""


BLANK_DOT = "rgb(110,110,110) on rgb(20,20,20)"
"""The dot on a blank pixel: a grey that reads on the blank ground (dimmed, it did not)."""


def overlay_ground(ink: float, ansi: bool | None) -> str:
    """The ground under the saliency's glyphs: dark, a little lighter where there is ink, so
    the orange and blue glyphs read on it (on the ink's own grey they did not)."""
    if ansi:
        return ""
    grey = round(20 + 40 * ink)
    return f"on rgb({grey},{grey},{grey})"


class Canvas(Widget):
    """The 8x8 pixels drawn large, the cursor in brackets, and the saliency map over them."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.pixels = np.zeros((SIDE, SIDE), dtype=int)
        self.cursor = (0, 0)
        self.overlay: np.ndarray | None = None
        """The saliency map scaled into [-1, 1], (8, 8), while it is on show."""
        self.scale = 2
        """Rows per pixel (columns are twice as many); set by the view to fit the screen."""

    def get_content_width(self, container, viewport) -> int:  # type: ignore[no-untyped-def]
        return 2 * SIDE * self.scale

    def get_content_height(self, container, viewport, width) -> int:  # type: ignore[no-untyped-def]
        return SIDE * self.scale

    def render(self) -> Text:
        k = self.scale
        ansi = self.app.ansi_color
        text = Text()
        for r in range(SIDE):
            for line in range(k):
                if r or line:
                    text.append("\n")
                for c in range(SIDE):
                    v = self.pixels[r, c] / INK
                    if self.overlay is None and v == 0 and line == 0:  # a dot marks each blank pixel
                        cells, style = ("·" + " " * (2 * k - 1)), "dim" if ansi else BLANK_DOT
                    elif self.overlay is None:
                        cells, style = shade(v) * k, pixel_style(v, ansi)
                    else:  # the saliency's glyph and colour over the ink's ground
                        s = float(self.overlay[r, c])
                        cells, style = (
                            signed_glyphs(s) * k,
                            f"{signed_style(s, ansi)} {overlay_ground(v, ansi)}",
                        )
                    if (r, c) == self.cursor:  # brackets say where it is; the yellow only helps
                        cells = "[" + cells[1:-1] + "]" if k > 1 else "[]"
                        style = CURSOR_STYLE
                    text.append(cells, style=style)
        return text


class Probabilities(Widget):
    """The network's probability for each class: a labelled bar and a percentage each."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.probabilities: np.ndarray | None = None
        self.guess: int | None = None
        self.explained: int | None = None
        """The class whose saliency is on show, marked with an asterisk."""

    def show(self, probabilities: np.ndarray, guess: int, explained: int | None) -> None:
        self.probabilities, self.guess, self.explained = probabilities, guess, explained
        self.refresh(layout=True)

    def get_content_height(self, container, viewport, width) -> int:  # type: ignore[no-untyped-def]
        return 1 if self.probabilities is None else len(self.probabilities) + 1

    def render(self) -> Text:
        probs = self.probabilities
        if probs is None:
            return Text("")
        text = Text("The network's probabilities", style="bold")
        width = min(BAR_MOST, max(4, self.size.width - 11))
        for j, p in enumerate(probs):
            mark = "›" if j == self.guess else " "
            star = "*" if j == self.explained and probs.size > 1 else " "
            text.append(f"\n{mark}{j}", style="bold" if j == self.guess else "")
            text.append(bar(float(p), width), style="bold" if j == self.guess else "dim")
            text.append(percent(float(p)) + star, style="bold" if j == self.guess else "")
        return text


class DrawView(View):
    """An 8x8 canvas edited by keyboard, the network's live probabilities, and a saliency overlay.

    ``which`` ("test" or "train") and ``index`` name the sample ``l`` loads and
    ``n``/``N`` step from; by default the one on show in the main screen's digit
    pane, else test sample 1. The canvas starts blank.
    """

    BINDINGS = [
        Binding("up", "move(-1, 0)", "Up", show=False),
        Binding("down", "move(1, 0)", "Down", show=False),
        Binding("left", "move(0, -1)", "Left", show=False),
        Binding("right", "move(0, 1)", "Right", show=False),
        Binding("enter", "paint", "Paint"),
        Binding("x,delete,backspace", "erase", "Erase"),
        Binding("d", "pen", "Pen down/up"),
        Binding("plus,equals_sign", "brush(1)", "Brush +"),
        Binding("minus", "brush(-1)", "Brush -"),
        Binding("c", "clear", "Clear"),
        Binding("l", "load(0)", "Load the sample"),
        Binding("n", "load(1)", "Next sample"),
        Binding("N", "load(-1)", "Previous sample"),
        Binding("g", "toggle_saliency", "Saliency"),
        *(Binding(str(j), f"explain({j})", f"Saliency of {j}", show=False) for j in range(10)),
    ]

    def __init__(self, session: Session, which: str = "test", index: int | None = None) -> None:
        super().__init__(session)
        self.canvas = np.zeros((SIDE, SIDE), dtype=int)
        """The drawing: pixel intensities 0..16, (8, 8)."""
        self.cursor = (0, 0)
        """(row, column) of the pixel the keys act on."""
        self.brush = INK
        """The intensity enter paints, 0..16."""
        self.pen = False
        """Pen down: every move paints the pixel moved to."""
        self.show_saliency = False
        """The saliency map drawn over the canvas instead of the ink."""
        self.explain: int | None = None
        """The class whose saliency is drawn; None means the network's guess."""
        self.which = which
        self.index = index
        """The data set sample l loads (None: the digit pane's, looked up on mount)."""
        self.net: Network | None = None
        """A float64 snapshot with the input gradient: the view's own copy to compute on."""
        self.probabilities: np.ndarray | None = None
        """The network's output for the canvas, (k,)."""
        self.guess: int | None = None
        self.saliency_map: np.ndarray | None = None
        """dp_c/dx for the canvas, (64,), with c the explained class (the guess by default)."""
        self.explained: int | None = None
        """The class the saliency map is about."""
        self.source = "drawn from scratch"
        """Where the drawing came from, for the status line."""
        self._composed = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="draw-box"):
            with Vertical(id="draw-left"):
                yield Canvas(id="draw-canvas")
                yield Static(id="draw-status")
            with Vertical(id="draw-right"):
                yield Probabilities(id="draw-probabilities")
                yield Static(id="draw-note")
                yield Static(self._keys(), id="draw-keys")

    def on_mount(self) -> None:
        box = self.query_one("#draw-box")
        box.border_title = "Draw a digit"
        box.border_subtitle = "esc back"
        if self.index is None:
            self.which, self.index = self._digit_pane_sample()
        self._composed = True
        self._fit()
        self.refresh_from_session()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """As large as the screen allows: k rows and 2k columns a pixel (2 at 80x24, 4 at 120x40)."""
        canvas = self.query_one(Canvas)
        rows = self.size.height - 6  # the border, and the status lines under the canvas
        columns = self.size.width - 6 - RIGHT_COLUMN  # the border, padding and margin
        k = max(1, min(rows // SIDE, columns // (2 * SIDE), 4))
        # Under 24 rows the saliency legend leaves no room for the keys' blank line: without
        # it their last row, g (the key that brings the drawing back), is not cut off.
        self.query_one("#draw-keys").styles.margin = (1 if self.size.height >= 24 else 0, 0, 0, 0)
        if k != canvas.scale:
            canvas.scale = k
            canvas.refresh(layout=True)

    def _digit_pane_sample(self) -> tuple[str, int]:
        """The sample on show in the main screen's digit pane, if it has one."""
        from nnplay.tui.widgets.digit_viewer import DigitViewer

        for screen in self.app.screen_stack:
            for viewer in screen.query(DigitViewer):
                return viewer.which, viewer.index
        return "test", 0

    @staticmethod
    def _keys() -> Text:
        text = Text()
        for i in range(0, len(KEYS), 2):
            if i:
                text.append("\n")
            for key, what in KEYS[i : i + 2]:
                text.append(f"{key:<5}", style="bold")
                text.append(f" {what:<12}  ")
        return text

    # -- the network ------------------------------------------------------------------

    @property
    def supported(self) -> bool:
        return self.net is not None and self.net.spec.sizes[0] == PIXELS

    def refresh_from_session(self) -> None:
        """Take a new snapshot of the network and recompute everything for the canvas."""
        if not self._composed or not self.session.ready:
            return
        self.net = self.session.snapshot(np.float64, input_grad=True)
        # A network loaded from inside the view (ctrl+o) may have come or gone from the digits.
        for part in ("#draw-left", Probabilities, "#draw-keys"):  # the note alone, full width
            self.query_one(part).display = self.supported
        if not self.supported:
            note = not_digits(self.session, "it draws a digit on an 8×8 canvas, the network's 64 inputs")
            self.query_one("#draw-note", Static).update(note)
            self.query_one("#draw-box").border_title = "Draw a digit"
            return
        self._recompute()

    def _recompute(self) -> None:
        """The network's probabilities and the saliency map for the canvas as it is now."""
        if not self.supported:
            return
        assert self.net is not None
        x = self.canvas.reshape(-1) / INK  # (64,) the network's input, as the data set scales it
        self.probabilities = self.net.predict(x[None, :])[0]
        self.guess = predicted_class(self.probabilities, self.net.spec.loss)
        classes = max(self.probabilities.size, 2)  # one sigmoid output still has classes 0 and 1
        chosen = self.explain if self.explain is not None and self.explain < classes else None
        self.saliency_map = saliency(self.net, x, chosen)  # chosen None: the guess's
        self.explained = self.guess if chosen is None else chosen
        self._redraw()

    def _redraw(self) -> None:
        assert self.probabilities is not None and self.saliency_map is not None and self.guess is not None
        canvas = self.query_one(Canvas)
        canvas.pixels = self.canvas.copy()
        canvas.cursor = self.cursor
        scaled, biggest = scale_signed(self.saliency_map)
        canvas.overlay = scaled.reshape(SIDE, SIDE) if self.show_saliency else None
        canvas.refresh()
        self.query_one(Probabilities).show(
            self.probabilities, self.guess, self.explained if self.show_saliency else None
        )
        r, c = self.cursor
        status = Text()
        status.append(f"cursor row {r + 1} col {c + 1}: {self.canvas[r, c]}/{INK}\n")
        status.append(f"brush {self.brush}/{INK}  ", style="bold")
        status.append("pen down: painting" if self.pen else "pen up", style="bold" if self.pen else "")
        status.append(f"\n{self.source}", style="dim")
        note = Text()
        if self.show_saliency:
            which = "the guess" if self.explain is None else "chosen with 0-9"
            cls = self.explained
            note.append(f"Saliency of {cls}* ({which}): ∂p{cls}/∂pixel\n", style="bold")  # * as in the list
            note.append(POSITIVE[::-1], style=signed_style(1, self.app.ansi_color))
            note.append(f" more ink here raises p{cls}\n")
            note.append(NEGATIVE[::-1], style=signed_style(-1, self.app.ansi_color))
            note.append(f" more ink here lowers p{cls}\n")
            if biggest > 0:
                note.append(f"largest |∂p/∂x| {float(biggest):.3g} (x = pixel/16)", style="dim")
            else:  # a blank map: say why, not "largest 0"
                note.append(f"∂p/∂x is 0 everywhere: no pixel changes p{cls} (no gradient gets back to them)")
        else:
            note.append("g shows where ink would most change the guess", style="dim")
        self.query_one("#draw-status", Static).update(status)
        self.query_one("#draw-note", Static).update(note)
        box = self.query_one("#draw-box")
        box.border_title = f"Draw a digit · the network says {self.guess} · {trained_label(self.session)}"

    # -- keys ---------------------------------------------------------------------------

    def _edited(self, source: str | None = None, edit: bool = True) -> None:
        """The canvas (or a setting) changed: recompute; note where the drawing came from."""
        if source is not None:
            self.source = source
        elif edit and not self.source.endswith("(edited)") and self.source != "drawn from scratch":
            self.source += " (edited)"
        self._recompute()

    def action_move(self, rows: int, cols: int) -> None:
        r, c = self.cursor
        # stops at the edges: wrapping round, a pen down would paint on the far side
        self.cursor = (min(max(r + rows, 0), SIDE - 1), min(max(c + cols, 0), SIDE - 1))
        if self.pen:
            self.canvas[self.cursor] = self.brush
        self._edited(edit=self.pen)

    def action_paint(self) -> None:
        self.canvas[self.cursor] = self.brush
        self._edited()

    def action_erase(self) -> None:
        self.canvas[self.cursor] = 0
        self._edited()

    def action_pen(self) -> None:
        self.pen = not self.pen
        if self.pen:
            self.canvas[self.cursor] = self.brush
        self._edited(edit=self.pen)

    def action_brush(self, step: int) -> None:
        self.brush = max(0, min(INK, self.brush + step))
        self._recompute()

    def action_clear(self) -> None:
        self.canvas[...] = 0
        self._edited("drawn from scratch")

    def action_load(self, step: int) -> None:
        """Copy a data set sample onto the canvas: the current one (step 0), the next or the previous."""
        count = self.session.sample_count(self.which)
        if not count or not self.supported:
            return
        self.index = ((self.index or 0) + step) % count
        x, y = self.session.sample(self.which, self.index)
        self.canvas = np.rint(np.asarray(x) * INK).astype(int).reshape(SIDE, SIDE)  # back to 0..16
        label = predicted_class(y, "cross_entropy")  # the one-hot target's class
        self._edited(f"{self.which} sample {self.index + 1}/{count}, a {label}", edit=False)

    def action_toggle_saliency(self) -> None:
        self.show_saliency = not self.show_saliency
        self._recompute()

    def action_explain(self, cls: int) -> None:
        """Show the saliency of class cls (again: back to the guess's)."""
        self.explain = None if self.explain == cls else cls
        self.show_saliency = True
        self._recompute()
