"""How the app fits the terminal it is given: loss and accuracy side by side from 120
columns, the digit drawn large on a large terminal, a deep network scrolling in its pane,
below 76x22 a notice over everything instead of panes squeezed past reading, and nothing
drawn of what an opaque screen hides."""

from __future__ import annotations

from textual.app import App
from textual.screen import Screen

from nnplay.tui.widgets.architecture import ArchitectureEditor
from nnplay.tui.widgets.loss_plot import MetricPlot
from nnplay.tui.widgets.too_small import TooSmall

WIDE = 120
"""Terminal width from which loss and accuracy are drawn side by side."""
TALL = 32
"""Terminal height from which a wide terminal draws the digit large: below it, the 20 rows
that takes would leave the plots a row or two (132x24 showed only their titles)."""
SMALLEST = (76, 22)
"""The smallest terminal the panes fit in, every setting and the status in view; below it
the app says so instead."""


class FitMixin(App[None]):
    """The app's part that follows the terminal's size (NnplayApp)."""

    _metric: str
    """The metric p chose for the one plot of a narrow terminal."""

    @property
    def _background_screens(self) -> list[Screen]:
        """The screens that show through the one on top: none under an opaque view. Textual
        (8.2) counts the screen below as showing through whatever the top one's background,
        and repaints the view over each change it sees there (the main screen's footer
        recomposing as a view opens): measured over a pseudo-terminal at 80x24, opening the
        weights view sent 197 KB in 7 frames, the confusion matrix 112 KB in 6; now 141 KB
        in 5 and 72 KB in 4. A dialog's shaded ground still shows the panes."""
        if self.screen.styles.background.a == 1:
            return []
        return super()._background_screens

    def on_resize(self, event) -> None:  # type: ignore[no-untyped-def]
        self._fit(event.size.width, event.size.height)

    def _fit(self, width: int, height: int) -> None:
        main = self.screen_stack[0]  # not self.screen: a view or dialog may be on top
        main.set_class(width >= WIDE, "-wide")
        main.set_class(width >= WIDE and height >= TALL, "-big-digit")
        tiny, was_tiny = width < SMALLEST[0] or height < SMALLEST[1], main.has_class("-tiny")
        main.set_class(tiny, "-tiny")
        if tiny:
            # over everything: a view or dialog squeezed to 40x12 hid what mattered, and the
            # palette left open ran its commands on panes nobody could see
            if not was_tiny:
                self.push_screen(TooSmall())
            self.call_after_refresh(self._say_too_small, width, height)
        elif was_tiny and isinstance(self.screen, TooSmall):
            self.pop_screen()  # what was under it comes back as it was: focus, a half-typed value
        if tiny != was_tiny:
            self.refresh_bindings()  # the footer shows what check_action allows now
        # accuracy has its own plot when wide; narrow again, the one p chose comes back
        self.query_one("#loss-plot", MetricPlot).metric = "loss" if width >= WIDE else self._metric
        # A deep network scrolls in its pane rather than squeeze the settings out of theirs.
        rows = 8 if height < 24 else 9 if height < 30 else "50%"
        self.query_one(ArchitectureEditor).styles.max_height = rows

    def _say_too_small(self, width: int, height: int) -> None:
        if isinstance(self.screen, TooSmall):
            self.screen.say(
                f"nnplay needs a terminal of at least {SMALLEST[0]}×{SMALLEST[1]}; "
                f"this one is {width}×{height}. Enlarge it, or q to quit.\n\n"
                "Training under way carries on meanwhile; other keys do nothing until it is larger."
            )
