"""What every inside-the-network view shares: a title, a way back, and the session."""

from __future__ import annotations

from textual.binding import Binding
from textual.screen import Screen

from nnplay.tui.session import Session


def keys_hint(keys: list[tuple[str, str]] | tuple[tuple[str, str], ...]) -> str:
    """One line naming each key and what it does: "←→ layer  esc back"."""
    return "  ".join(f"{key} {does}" for key, does in keys)


class View(Screen[object]):
    """A full screen over the main one; esc (or q) goes back.

    A view reads the network through ``session.snapshot()`` (a copy, so it may
    compute while training runs) and draws what nnplay.core computes: the
    views do no maths of their own.
    """

    BINDINGS = [Binding("escape,q", "back", "Back")]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def action_back(self) -> None:
        self.dismiss(None)

    def refresh_from_session(self) -> None:
        """The network has moved on (the app calls this after training progress, at most
        twice a second, and when training stops). Redraw from a new snapshot if needed."""
