"""What a terminal too small for the panes shows, over every screen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static


class TooSmall(Screen[None]):
    """Says how large the terminal must be, over whatever was on screen (the panes, a view,
    a dialog, the palette), which comes back as it was, focus and half-typed text included,
    once the terminal is large enough. Meanwhile only q (quit) acts: keys must not train,
    reset or load a network nobody can see (NnplayApp.check_action)."""

    def compose(self) -> ComposeResult:
        yield Static(id="too-small")

    def say(self, text: str) -> None:
        self.query_one("#too-small", Static).update(text)
