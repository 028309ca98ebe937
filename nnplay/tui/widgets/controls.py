"""Training controls: the settings a run uses, and where the run stands.

Up and down choose a setting, left and right step it along sensible values,
enter types a value. Every change goes to the app, which checks it with the
same code as the command line and answers with accept() or refuse().
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Input, Static

from nnplay.core.config import TrainConfig, format_field
from nnplay.core.layers import INITS
from nnplay.core.optimizers import OPTIMIZERS

FIELDS = [
    ("optimizer", "optimizer"),
    ("lr", "learning rate"),
    ("batch_size", "batch size"),
    ("epochs", "epochs"),
    ("seed", "seed"),
    ("l2", "L2"),
    ("init", "init"),
]
"""The TrainConfig fields shown here, with their labels."""

VALUE_COLUMN = 16
"""Where values start on a settings line (after the cursor mark and the label)."""

LADDERS: dict[str, list[Any]] = {
    "optimizer": list(OPTIMIZERS),
    "init": list(INITS),
    "lr": [1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0],
    "batch_size": [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048],
    "epochs": [1, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000],
    "l2": [0.0, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1],
}
"""Values that left and right step through."""


def stepped(name: str, value: Any, step: int) -> Any:
    """The value one step up or down the field's ladder from value; value itself at the
    ladder's end (a typed value beyond it stays: "more" never gives less)."""
    if name == "seed":
        return max(0, value + step)
    ladder = LADDERS[name]
    if name in ("optimizer", "init"):  # names: cycle through them
        return ladder[(ladder.index(value) + step) % len(ladder)]
    if step > 0:
        return next((v for v in ladder if v > value), value)
    return next((v for v in reversed(ladder) if v < value), value)


STATUS_LINES = 4
"""The most lines the status has (app.tcss gives it as many rows)."""


def line_count(text: Text) -> int:
    return len(text.plain.rstrip("\n").split("\n"))


class Status(Widget):
    """A few lines on the run: redrawn several times a second, so it never asks for a new
    layout, but when it lends rows to the note above it or takes them back."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.text = Text("loading…")
        self.lent = 0
        """Its bottom rows, unused, given to the note above: docked at the bottom, it drew
        over a note too long for the rows left it, cut mid-sentence."""

    def lend(self, rows: int) -> None:
        if rows != self.lent:
            self.lent = rows
            self.styles.height = STATUS_LINES - rows

    def can_lend(self, rows: int) -> bool:
        return line_count(self.text) + rows <= STATUS_LINES

    def show(self, text: Text) -> None:
        """Show ``text``; the same text again is not redrawn (each progress message sets
        the status, and a paused or slow run's often reads as before). Lines that need the
        rows lent take them back: the note above, read whole when said, is cut again."""
        if text == self.text:
            return
        self.text = text
        if self.lent and line_count(text) > STATUS_LINES - self.lent:
            self.lend(0)
        self.refresh()

    def render(self) -> Text:
        return self.text


EDITING_HINT = "enter sets it, esc cancels"


class TrainingControls(Vertical, can_focus=True):
    """Settings on top, the run's state below."""

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("right,l", "step(1)", "More", show=False),
        Binding("left,h", "step(-1)", "Less", show=False),
        Binding("enter", "edit", "Edit", show=False),
        Binding("escape", "cancel", "Cancel", show=False),
    ]

    cursor: reactive[int] = reactive(0)
    """Which setting the keys act on."""
    message: reactive[str] = reactive("")
    """The inline message: why a value was refused, or a note on when it applies."""

    class Changed(Message):
        """The user asks for a new value; the app checks it and answers."""

        def __init__(self, name: str, text: str) -> None:
            super().__init__()
            self.name, self.text = name, text

    def __init__(self, config: TrainConfig, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.config = config
        self.status = Text("loading…")
        self.editing: str | None = None
        self._asked: dict[str, Any] = {}
        """Values asked for by ←→ that the app has not answered yet: the next press steps
        from these, so a burst of presses (autorepeat, a slow link) counts every one."""
        self._unanswered = 0
        self.waiting: frozenset[str] = frozenset()
        """Fields changed since the network was built that apply only at a reset (r)."""

    def compose(self) -> ComposeResult:
        yield Static(id="settings")
        yield Input(id="edit", compact=True)
        yield Static(id="note")  # below the editor, so a long note never pushes it out of view
        yield Status(id="status")

    def on_mount(self) -> None:
        self.query_one("#edit", Input).display = False
        self.border_title = "Training"
        self.border_subtitle = "↑↓ ←→ enter"
        self._draw()

    # -- what the app calls ----------------------------------------------------------

    def set_config(self, config: TrainConfig) -> None:
        """A rebuilt, reset or loaded network's settings; notes about the old one go, and so
        does a value half typed for it (an enter must not put it on the new one)."""
        if self.editing:
            self._close_editor(refocus=self.query_one("#edit", Input).has_focus)
        self.config = config
        self.waiting = frozenset()
        self._asked.clear()
        self.message = ""
        self._draw()

    def set_status(self, status: Text) -> None:
        self.status = status
        self.query_one(Status).show(status)

    def accept(self, config: TrainConfig, note: str = "", waiting: frozenset[str] = frozenset()) -> None:
        """The app took the change; ``waiting``: the fields whose values wait for r."""
        self._answered()
        self.config = config
        self.waiting = waiting
        self.message = note
        if self.editing:
            self._close_editor()
        self._draw()

    def drop_note(self) -> None:
        """The run ended: a note about it ("applies from the next epoch", a refusal that
        counted the epochs trained) is out of date. A value being typed keeps its hint."""
        self.message = EDITING_HINT if self.editing else ""

    def refuse(self, reason: str) -> None:
        """The app refused the change: nothing changed; say why."""
        self._answered()
        self.message = f"✗ {reason}"

    def _answered(self) -> None:
        self._unanswered = max(0, self._unanswered - 1)
        if not self._unanswered:
            self._asked.clear()

    # -- keys ----------------------------------------------------------------------------

    @property
    def field(self) -> str:
        return FIELDS[self.cursor][0]

    def action_cursor(self, step: int) -> None:
        if self.editing:  # ↑↓ leave the field as it was: typed text must not follow to another row
            self._close_editor()
        # No wrapping round: one ↑ too many must not land on epochs and change it.
        self.cursor = max(0, min(len(FIELDS) - 1, self.cursor + step))
        self.message = ""

    def action_step(self, step: int) -> None:
        field = self.field
        now = self._asked.get(field, getattr(self.config, field))
        value = stepped(field, now, step)
        if value == now:
            self.message = f"{'largest' if step > 0 else 'smallest'} step; enter types any value"
            return
        self._asked[field] = value
        self._unanswered += 1
        self.post_message(self.Changed(field, format_field(field, value)))

    def action_edit(self) -> None:
        self.editing = self.field
        editor = self.query_one("#edit", Input)
        editor.value = self._shown(self.field)
        editor.styles.offset = (VALUE_COLUMN, self.cursor)  # over the value it replaces
        editor.display = True
        editor.focus()
        self.message = EDITING_HINT

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """esc with no field open passes on to the app (it clears notices)."""
        if action == "cancel":
            return self.editing is not None
        return True

    def action_cancel(self) -> None:
        if self.editing:
            self._close_editor()
            self.message = ""

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.editing:
            self.post_message(self.Changed(self.editing, event.value))

    def on_descendant_blur(self) -> None:
        """Focus left the editor (tab, say) without enter or esc: drop the edit."""
        if self.editing and not self.query_one("#edit", Input).has_focus:
            self._close_editor(refocus=False)
            self.message = ""

    def _close_editor(self, refocus: bool = True) -> None:
        self.editing = None
        editor = self.query_one("#edit", Input)
        editor.display = False
        if refocus:
            self.focus()

    # -- drawing -----------------------------------------------------------------------

    def watch_cursor(self) -> None:
        self._draw()

    def watch_message(self, message: str) -> None:
        self.query_one(Status).lend(0)  # lent to the note before, if it was long
        self._draw()
        if message:
            self.call_after_refresh(self._fit_note, message)

    def _fit_note(self, message: str) -> None:
        """Where the status (docked, drawn over what is under it) leaves the note too few
        rows, as at 80x24 with three hidden layers, the status lends the rows its lines
        leave unused ("○ ready" has three). Where even they are too few, as at the
        smallest sizes, the note (a refusal must be seen) goes to a notification instead."""
        note, status = self.query_one("#note").region, self.query_one(Status)
        over = note.bottom - status.region.y  # rows of the note under the status
        if self.message != message or (note.height and over <= 0):
            return
        if note.height and status.can_lend(over):
            status.lend(over)
        elif message != EDITING_HINT:
            error = message.startswith("✗")
            self.app.notify(message.removeprefix("✗ "), severity="error" if error else "information")

    def watch_has_focus(self, has_focus: bool) -> None:
        # Not on_focus/on_blur: they run before has_focus changes, so the highlight
        # showed when the pane lost focus and not when it gained it.
        super().watch_has_focus(has_focus)
        self._draw()

    def _shown(self, name: str) -> str:
        """A field's value as the pane shows and edits it: a float in the shortest form that
        reads back as the same number, so 1e+10 and 1e+06, not 10000000000.0 and 1000000.0,
        as the notes write them."""
        value = getattr(self.config, name)
        text = format_field(name, value)
        if isinstance(value, float):
            short = next(t for t in (f"{value:.{d}g}" for d in range(1, 18)) if float(t) == value)
            if len(text) > 10 or ("e" in short and len(short) < len(text)):  # 2.0 stays 2.0
                return short
        return text

    def _draw(self) -> None:
        if not self.is_mounted:
            return
        text = Text()
        for i, (name, label) in enumerate(FIELDS):
            selected = i == self.cursor
            value = self._shown(name)
            if len(value) > 18:  # a 300-digit seed, say: one line, whatever was typed
                value = value[:17] + "…"
            line = f"{'▶' if selected else ' '} {label:<{VALUE_COLUMN - 2}}{value}"
            text.append(line, style="reverse" if selected and self.has_focus else "")
            if name in self.waiting:  # typed, but the network on screen was built with another
                text.append(" (at r)", style="dim")
            text.append("\n")
        text.rstrip()
        self.query_one("#settings", Static).update(text)
        style = "bold" if self.message.startswith("✗") else "italic"
        self.query_one("#note", Static).update(Text(self.message, style=style))
