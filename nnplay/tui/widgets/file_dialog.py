"""A small dialog asking for a file name, for saving and loading networks.

The load dialog also lists the networks nnplay kept and those in the current folder,
newest first: ↓ goes into the list, and enter there loads the one chosen.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from nnplay.core.paths import shown, tilde
from nnplay.tui.widgets.choices import Choices
from nnplay.tui.widgets.footer import DialogKeys

LABEL_WIDTH = 66
"""Columns an entry of the list may take on a line: the dialog's 68 inside its border and
padding at the smallest terminal (76 columns), less the cursor's 2 ..."""
SCROLLBAR = 2
"""... and a scrollbar's 2 when the entries take more lines than the list shows ..."""
LIST_LINES = 10
"""... which is its max-height in app.tcss."""


def entries(labels: Sequence[str]) -> list[str]:
    """The labels as the list shows them: each ``wrapped`` to fit beside the scrollbar, if
    their lines are more than the list has room for and it gets one."""
    lines = [wrapped(label, LABEL_WIDTH) for label in labels]
    if sum(entry.count("\n") + 1 for entry in lines) > LIST_LINES:
        lines = [wrapped(label, LABEL_WIDTH - SCROLLBAR) for label in labels]
    return lines


def wrapped(label: str, width: int) -> str:
    """``label`` ("kept 12 minutes ago · 4 epochs and 14 steps · digits 64→128→64→10 sgd")
    in lines of at most ``width``, broken after a " ·", each after the first indented by two:
    wrapped by the list, its "sgd" sat alone at the list's left edge, like an entry of its own."""
    parts = label.split(" · ")
    lines = [parts[0]]
    for n, part in enumerate(parts[1:], 2):
        ends = n == len(parts)  # a line broken after this part gets " ·": room for it
        if len(lines[-1]) + len(" · ") + len(part) + (0 if ends else len(" ·")) <= width:
            lines[-1] += " · " + part
        else:
            lines[-1] += " ·"
            lines.append("  " + part)
    return "\n".join(lines)


class Recent(Choices):
    """The files to choose from: enter loads at once; ↑ from the first goes back to the name."""

    BINDINGS = [Binding("up", "screen.up", "Up", show=False)]


class FileDialog(ModalScreen[str]):
    """Asks for a path and tries `act(path)`; stays open, saying why, until it succeeds or esc."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("down", "down", "Recent", show=False)]

    def __init__(
        self,
        title: str,
        path: str,
        act: Callable[[str], str],
        recent: Sequence[tuple[str, str]] = (),
        verb: str = "Confirm",
    ) -> None:
        super().__init__()
        self.title_text = title
        self.verb = verb
        """What enter does, for the key bar: "Save"."""
        self.path = path
        self.act = act
        """Does the work; returns "" on success or why it failed, for a person."""
        self.recent = list(recent)
        """(path, what it is) for each file to offer in a list, newest first."""

    @property
    def hint(self) -> str:
        return "enter to confirm, esc to cancel" + (", ↓ to choose below" if self.recent else "")

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Input(self.path, id="path")
            yield Static(self.hint, id="message")
            if self.recent:
                labels = entries([label for _, label in self.recent])
                yield Recent(
                    *(Option(label, id=path) for (path, _), label in zip(self.recent, labels, strict=True)),
                    id="recent",
                )
        choose = [("down", "↑↓", "Choose")] if self.recent else []
        yield DialogKeys(("enter", "enter", self.verb), *choose, ("escape", "esc", "Cancel"))

    def on_mount(self) -> None:
        dialog = self.query_one("#dialog")
        dialog.border_title = self.title_text
        # Over SSH nobody can see where a bare name would land: say so.
        try:
            dialog.border_subtitle = f"in {shown(tilde(os.getcwd()), 50)}"  # as notices write it
        except OSError:  # the folder was removed under the app: a bare name cannot be saved there
            dialog.border_subtitle = "this folder no longer exists: give a whole path"
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not self.is_active:
            # A second enter typed with the first (over a slow link, say), read once that one
            # had closed the dialog: it closed the screen under it too, and on the main
            # screen ended the app.
            return
        self._try(os.path.expanduser(event.value.strip()))  # ~/model.npz as a shell would read it

    def _try(self, path: str) -> None:
        if not path:
            self.query_one("#message", Static).update("✗ give a file name, such as model.npz")
            return
        error = self.act(path)
        if error:
            self.query_one("#message", Static).update(Content(f"✗ {error}"))  # a name may hold [ ]
        else:
            self.dismiss(path)

    def action_down(self) -> None:
        if self.recent and self.query_one(Input).has_focus:
            recent = self.query_one(Recent)
            recent.highlighted = recent.highlighted or 0
            # at once, not after a refresh as focus() does: ↓ ↓ enter arriving together over a
            # slow link must move in the list, not land in the name field again
            self.set_focus(recent)
            self._offer(self.recent[recent.highlighted][0])

    def _offer(self, path: str) -> None:
        """Put a listed file's path in the name field, and the hint back: a refusal shown was
        of another name."""
        self.query_one(Input).value = path
        self.query_one("#message", Static).update(self.hint)

    def action_up(self) -> None:
        recent = self.query_one(Recent)
        if recent.highlighted:
            recent.action_cursor_up()
        else:
            self.set_focus(self.query_one(Input))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.has_focus:  # moved to by a person, not highlighted as the list mounts
            self._offer(event.option.id or "")  # what enter there would load too

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()  # a click
        self._try(event.option.id or "")

    def action_choose(self) -> None:
        option = self.query_one(Recent).highlighted_option
        if option is not None:
            self._try(option.id or "")

    def action_cancel(self) -> None:
        self.dismiss("")
