"""A small list of the data sets, to train on another without restarting nnplay (D)."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from nnplay.tui.widgets.choices import Choices
from nnplay.tui.widgets.footer import DialogKeys


class DatasetChooser(ModalScreen[None]):
    """One line per data set, the current one marked; enter chooses, esc changes nothing.

    The choice is acted on as enter is read: keys typed with it (D ↓ enter space, arriving
    together over a slow link) then act on the new data set, where a result sent back to
    the app would come after them, and they would be lost or undone.
    """

    BINDINGS = [Binding("escape", "dismiss", "Cancel")]

    def __init__(self, about: dict[str, str], current: str, choose: Callable[[str], None]) -> None:
        super().__init__()
        self.about = about
        """What each data set is, in a few words, by name."""
        self.current = current
        self.choose = choose
        """Called with the chosen data set's name."""

    def compose(self) -> ComposeResult:
        width = max(map(len, self.about))
        options = [
            Option(f"{name:<{width}}  {about}{'  (now)' if name == self.current else ''}", id=name)
            for name, about in self.about.items()
        ]
        with Vertical(id="dialog"):
            yield Choices(*options, id="datasets")
            yield Static("The hidden layers stay; input and output fit the data.", id="message")
        yield DialogKeys(
            ("down", "↑↓", "Choose"), ("enter", "enter", "Train on it"), ("escape", "esc", "Cancel")
        )

    def on_mount(self) -> None:
        dialog = self.query_one("#dialog")
        dialog.border_title = "Train on another data set"
        dialog.border_subtitle = "↑↓ enter · esc"
        choices = self.query_one(OptionList)
        choices.highlighted = list(self.about).index(self.current)
        choices.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()  # a click
        self._chosen(event.option.id)

    def action_choose(self) -> None:
        option = self.query_one(OptionList).highlighted_option
        self._chosen(option.id if option else None)

    def _chosen(self, name: str | None) -> None:
        self.dismiss()
        if name:
            self.choose(name)
