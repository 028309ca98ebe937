"""What a terminal too small for the panes shows, over every screen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static


class TooSmall(Screen[None]):
    """Says how large the terminal must be, over whatever was on screen (the panes, a view,
    a dialog, the palette), which comes back as it was, focus and half-typed text included,
    once the terminal is large enough. Meanwhile only q (quit) acts: keys must not train,
    reset or load a network nobody can see (NnplayApp.check_action).

    A warning or an error (q's "not kept" warning, a run that diverged) is said in its
    text, first (it is what the last key did): a toast drawn over a 40x12 terminal hid the
    line saying why nothing else works."""

    def __init__(self) -> None:
        super().__init__()
        self._size_text = ""
        self._warning = ""
        self._warning_ends: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="too-small")

    def say(self, text: str) -> None:
        self._size_text = text
        self._show()

    def warn(self, message: str, timeout: float) -> None:
        """Say ``message`` for ``timeout`` seconds, as its notice would have."""
        self._warning = message
        if self._warning_ends is not None:
            self._warning_ends.stop()
        self._warning_ends = self.set_timer(timeout, self.unwarn)
        self._show()

    def unwarn(self) -> None:
        self._warning = ""
        self._show()

    def _show(self) -> None:
        text = f"{self._warning}\n\n{self._size_text}" if self._warning else self._size_text
        self.query_one("#too-small", Static).update(text)
