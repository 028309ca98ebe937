"""A list whose enter chooses at once, for the dialogs (data sets, recent networks).

OptionList's own enter posts a message, read only after any keys already typed: over a
slow link "D ↓ enter space" arrives together, and the space was read while the list was
still up, then lost. Here enter runs the screen's ``choose`` action as it is read.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

CURSOR = "▶ "
"""Marks the option enter would choose, as the panes mark their row: a terminal without
colour shows OptionList's highlight hardly or not at all."""


class Choices(OptionList):
    """An OptionList of plain-text options whose enter calls its screen's ``action_choose``
    at once, the highlighted option marked with CURSOR while the list has focus."""

    BINDINGS = [Binding("enter", "screen.choose", "Choose", show=False)]

    def __init__(self, *options: Option, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self._texts = [str(option.prompt) for option in options]
        super().__init__(
            *(Option(self._marked(i, False), option.id) for i, option in enumerate(options)), **kwargs
        )

    def _marked(self, index: int, cursor: bool) -> Content:
        # an option's further lines, if its text has them, under its text, not under the cursor
        text = self._texts[index].replace("\n", "\n" + " " * len(CURSOR))
        return Content((CURSOR if cursor else " " * len(CURSOR)) + text)  # text, not markup

    def _mark(self) -> None:
        for i in range(self.option_count):
            self.replace_option_prompt_at_index(i, self._marked(i, self.has_focus and i == self.highlighted))

    def watch_highlighted(self, highlighted: int | None) -> None:
        super().watch_highlighted(highlighted)
        self._mark()

    def watch_has_focus(self, has_focus: bool) -> None:
        super().watch_has_focus(has_focus)
        self._mark()
