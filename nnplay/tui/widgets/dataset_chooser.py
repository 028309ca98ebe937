"""A small list of the data sets, to train on another without restarting nnplay (D)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option


class DatasetChooser(ModalScreen[str]):
    """One line per data set, the current one marked; enter returns the name, esc ""."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, about: dict[str, str], current: str) -> None:
        super().__init__()
        self.about = about
        """What each data set is, in a few words, by name."""
        self.current = current

    def compose(self) -> ComposeResult:
        width = max(map(len, self.about))
        options = [
            Option(f"{'›' if name == self.current else ' '} {name:<{width}}  {about}", id=name)
            for name, about in self.about.items()
        ]
        with Vertical(id="dialog"):
            yield OptionList(*options, id="datasets")
            yield Static("The hidden layers stay; input and output fit the data.", id="message")

    def on_mount(self) -> None:
        dialog = self.query_one("#dialog")
        dialog.border_title = "Train on another data set"
        dialog.border_subtitle = "↑↓ enter · esc"
        choices = self.query_one(OptionList)
        choices.highlighted = list(self.about).index(self.current)
        choices.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id or "")

    def action_cancel(self) -> None:
        self.dismiss("")
