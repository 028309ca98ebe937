"""What asks before it loses something: an architecture draft the Network pane holds
but has not applied, and training that could not be kept.

A mixin of NnplayApp. While a draft waits, space, s, r, ctrl+s, ctrl+o and D (and the
palette's data sets) are refused until enter applies it or esc drops it; q asks once.
Training that could not be kept (the state folder unwritable, say) makes r, loading, a
new architecture or data set and q refuse once, with a warning: pressed again soon
after, they go ahead.
"""

from __future__ import annotations

import time

from textual.app import App

from nnplay.tui.keep import KeepError
from nnplay.tui.session import Session
from nnplay.tui.widgets.architecture import ArchitectureEditor
from nnplay.tui.widgets.controls import TrainingControls

AGAIN_SECONDS = 10.0
"""How long a second press has to go ahead without unsaved training that could not be kept."""


class GuardsMixin(App[None]):
    """The checks an action that would lose something makes first."""

    # Set up by NnplayApp.__init__:
    session: Session
    _refused: tuple[str, float]
    """The action last refused as it would lose training that could not be kept, and when."""

    def _draft_waits(self) -> bool:
        """Whether the Network pane holds changes not yet applied, or a size typed and not yet
        set (the pane shows it in the layer's row): then training would run the
        network it no longer shows, and a student would credit the draft with its figures. It
        says so, where enter applies them."""
        editor = self.query_one(ArchitectureEditor)
        if editor.typed_waits:  # "hidden 1  32▏" over a run of the 128 the network has
            editor.refuse(f"size {editor.typed} not set yet: enter sets it, enter again applies")
        elif editor.changed:
            editor.refuse("not applied yet: enter applies it")  # fits 80x24
        else:
            return False
        self.screen_stack[0].set_focus(editor)  # at once: an enter typed with the key applies it
        if self.screen is not self.screen_stack[0]:  # a view hides the pane: say it here
            self.notify(
                "The Network pane has changes not applied yet: esc, then enter applies them "
                "(or esc drops them).",
                severity="warning",
            )
        return True

    def _unkept(self, action: str) -> str:
        """Why ``action``, which would replace or end the network, should wait: training
        since the last save could not be kept. "" to go ahead, as it does when pressed
        again soon after: the person was told, and chose."""
        if self._asked_already(action):
            return ""
        try:
            self.session.check_keep()
        except KeepError as e:
            self._refused = (action, time.monotonic())
            return str(e)
        return ""

    def _asked_already(self, action: str) -> bool:
        """Whether ``action`` was refused with a warning moments ago: pressed again, it goes ahead."""
        what, when = self._refused
        return what == action and time.monotonic() - when < AGAIN_SECONDS

    def _warn_unkept(self, why: str, again: str) -> None:
        self.clear_notifications()  # one such warning at a time, not a pile over the fields
        save = "ctrl+s saves it"
        if self.screen_stack[0].has_class("-tiny"):  # ctrl+s waits for it to grow (check_action)
            save = "Enlarge the terminal, then ctrl+s saves it"
        self.notify(f"{why}. {save}; {again} without it.", severity="warning", timeout=AGAIN_SECONDS)

    def _say_in_training_pane(self, note: str) -> None:
        """Say ``note`` ("" for nothing) in the Training pane's note, where it stays until
        the pane's next: what r, applying, a data set or a load did with the network it
        replaced (kept, and where). A notice for it covered the Loss pane at 80x24, the
        plot of the new run, for 8 s. It goes to a notice only where the pane has no room."""
        if note:
            self.query_one(TrainingControls).message = note + "."
