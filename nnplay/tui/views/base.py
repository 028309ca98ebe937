"""What every inside-the-network view shares: a title, a way back, and the session."""

from __future__ import annotations

from textual.binding import Binding

from nnplay.core.config import counted
from nnplay.tui.cover import Underneath
from nnplay.tui.session import Session


def keys_hint(keys: list[tuple[str, str]] | tuple[tuple[str, str], ...]) -> str:
    """One line naming each key and what it does: "←→ layer  esc back"."""
    return "  ".join(f"{key} {does}" for key, does in keys)


def trained_label(session: Session) -> str:
    """How far the network a view draws has trained: "epoch 4", or "epoch 4 + 14 steps"
    partway into the next. Paused there, the status's figures are epoch 4's while the views
    compute on the weights as they are now: "epoch 4" alone made a confusion matrix of 75.6%
    beside the status's 74.7% look wrong, and the weights change under a title that did not."""
    counts = session.counts()  # both counts at once, under the session's lock
    steps = counts.into_epoch
    return f"epoch {counts.epoch}" + (f" + {counted(steps, 'step')}" if steps else "")


class View(Underneath):
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
