"""A small dialog asking for a file name, for saving and loading networks."""

from __future__ import annotations

import os
from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from nnplay.core.serialize import shown, tilde


class FileDialog(ModalScreen[str]):
    """Asks for a path and tries `act(path)`; stays open, saying why, until it succeeds or esc."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, path: str, act: Callable[[str], str]) -> None:
        super().__init__()
        self.title_text = title
        self.path = path
        self.act = act
        """Does the work; returns "" on success or why it failed, for a person."""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Input(self.path, id="path")
            yield Static("enter to confirm, esc to cancel", id="message")

    def on_mount(self) -> None:
        dialog = self.query_one("#dialog")
        dialog.border_title = self.title_text
        # Over SSH nobody can see where a bare name would land: say so.
        dialog.border_subtitle = f"in {shown(tilde(os.getcwd()), 50)}"  # as notices write it
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        path = os.path.expanduser(event.value.strip())  # ~/model.npz as a shell would read it
        if not path:
            self.query_one("#message", Static).update("✗ give a file name, such as model.npz")
            return
        error = self.act(path)
        if error:
            self.query_one("#message", Static).update(f"✗ {error}")
        else:
            self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss("")
