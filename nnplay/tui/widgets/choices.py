"""A list whose enter chooses at once, for the dialogs (data sets, recent networks).

OptionList's own enter posts a message, read only after any keys already typed: over a
slow link "D ↓ enter space" arrives together, and the space was read while the list was
still up, then lost. Here enter runs the screen's ``choose`` action as it is read.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import OptionList


class Choices(OptionList):
    """An OptionList whose enter calls its screen's ``action_choose`` at once."""

    BINDINGS = [Binding("enter", "screen.choose", "Choose", show=False)]
