"""The architecture editor: the network as a list of layers, edited from the keyboard.

Edits change a draft; enter applies it (the app checks it with the same code
as the command line, then rebuilds and resets the network), esc drops it.
"""

from __future__ import annotations

import textwrap

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from nnplay.core.activations import ACTIVATIONS
from nnplay.core.config import ConfigError, parse_layers, unused_activation
from nnplay.core.network import count_params

NAMES = list(ACTIVATIONS)
DRAFT_NOTE = "enter applies, esc drops"
"""Shown while the draft differs from the network."""


class ArchitectureEditor(Widget, can_focus=True):
    """Hidden layers' sizes and activations between the data set's fixed input and output."""

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("plus,equals_sign", "scale(2)", "Wider", show=False),
        Binding("minus", "scale(0.5)", "Narrower", show=False),
        Binding("right,l", "activation(1)", "Activation", show=False),
        Binding("left,h", "activation(-1)", "Activation", show=False),
        Binding("a", "add", "Add layer", show=False),
        Binding("x,delete", "remove", "Remove layer", show=False),
        Binding("backspace", "backspace", "Erase digit", show=False),
        Binding("enter", "apply", "Apply", show=False),
        Binding("escape", "discard", "Discard", show=False),
    ]

    cursor: reactive[int] = reactive(0)
    """Which hidden layer the keys act on."""
    typed: reactive[str] = reactive("")
    """Digits typed so far for the selected layer's new size."""
    message: reactive[str] = reactive("", layout=True)
    """The inline message: why an edit was refused, or what happened."""

    class Applied(Message):
        """The user asks for the draft network; the app checks it and answers."""

        def __init__(self, layers: tuple[int, ...], activations: tuple[str, ...]) -> None:
            super().__init__()
            self.layers, self.activations = layers, activations

    def __init__(
        self,
        layers: tuple[int, ...],
        activations: tuple[str, ...],
        output: str,
        setting: str = "relu",
        **kwargs: object,
    ):
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.output = output
        self.set_network(layers, activations, setting=setting)

    def set_network(
        self,
        layers: tuple[int, ...],
        activations: tuple[str, ...],
        output: str | None = None,
        setting: str | None = None,
    ) -> None:
        """The network in force (after an apply, a load or a reset); the draft starts from it.
        ``setting``: the activation setting's (first) name, which a network with no hidden
        layer keeps unused: the note says so, and a layer added to it takes that name."""
        if setting is not None:
            self.setting = setting
        self.net_layers, self.net_activations = tuple(layers), tuple(activations)
        self.draft_layers, self.draft_activations = list(layers), list(activations)
        if output is not None:
            self.output = output
        self.cursor = min(self.cursor, max(self.n_hidden - 1, 0))
        self.typed = ""
        self.message = ""  # about the network replaced ("rebuilt", a refusal)
        self.refresh(layout=True)

    @property
    def n_hidden(self) -> int:
        return len(self.draft_layers) - 2

    @property
    def changed(self) -> bool:
        return (
            tuple(self.draft_layers) != self.net_layers
            or tuple(self.draft_activations) != self.net_activations
        )

    @property
    def typed_waits(self) -> bool:
        """Whether a size typed for the selected layer, not yet set with enter, differs from
        the size the draft has there: the pane shows it in the layer's row."""
        if not self.typed or not self.n_hidden:
            return False
        return int(self.typed) != self.draft_layers[self.cursor + 1]

    # -- editing the draft --------------------------------------------------------------

    def on_key(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.character and event.character.isdigit():
            if not self.n_hidden:  # no size to type: the input and output are the data set's
                self.message = self.NO_HIDDEN
            else:
                self.typed = (self.typed + event.character)[:7]
                self.message = f"size {self.typed}: enter sets it, esc drops"
            event.stop()

    def action_backspace(self) -> None:
        self.typed = self.typed[:-1]
        self.message = f"size {self.typed}: enter sets it, esc drops" if self.typed else ""

    def action_cursor(self, step: int) -> None:
        if self.n_hidden:
            self.cursor = max(0, min(self.n_hidden - 1, self.cursor + step))  # no wrapping round
            self._drop_typed()

    def _drop_typed(self) -> None:
        """A size typed for the layer the cursor leaves (or that moves away) is dropped, and its hint."""
        if self.typed:
            self.typed = ""
            self.message = ""

    NO_HIDDEN = "✗ no hidden layer: a adds one (input and output are the data set's)"
    """What a key for a hidden layer says when there is none."""

    def _set_size(self, size: int) -> None:
        if not self.n_hidden:  # the input and output sizes are the data set's
            return
        draft = list(self.draft_layers)
        draft[self.cursor + 1] = size
        try:  # the same parser the command line's --layers uses
            parse_layers(",".join(map(str, draft)))
        except ConfigError as e:
            self.message = f"✗ {str(e).split(': ', 1)[-1]}"
            return
        self.draft_layers = draft
        self.message = ""

    def action_scale(self, factor: float) -> None:
        if not self.n_hidden:
            self.message = self.NO_HIDDEN
        else:
            size = self.draft_layers[self.cursor + 1]
            self._set_size(max(1, round(size * factor)))
            self.refresh(layout=True)

    def action_activation(self, step: int) -> None:
        if not self.n_hidden:
            self.message = self.NO_HIDDEN
        else:
            current = self.draft_activations[self.cursor]
            self.draft_activations[self.cursor] = NAMES[(NAMES.index(current) + step) % len(NAMES)]
            self.refresh(layout=True)

    def action_add(self) -> None:
        self._drop_typed()
        at = self.cursor + 1 if self.n_hidden else 0
        size = self.draft_layers[at] if self.n_hidden else 32
        activation = self.draft_activations[self.cursor] if self.n_hidden else self.setting
        self.draft_layers.insert(at + 1, size)
        self.draft_activations.insert(at, activation)
        self.cursor = at
        self.message = ""
        self.refresh(layout=True)

    def action_remove(self) -> None:
        if not self.n_hidden:
            self.message = "✗ no hidden layer to remove"
            return
        self._drop_typed()
        del self.draft_layers[self.cursor + 1]
        del self.draft_activations[self.cursor]
        self.cursor = min(self.cursor, max(self.n_hidden - 1, 0))
        self.message = ""
        self.refresh(layout=True)

    def action_apply(self) -> None:
        if self.typed:
            size = int(self.typed)
            self.typed = ""
            self._set_size(size)
            self.refresh(layout=True)
        elif self.changed:
            self.post_message(self.Applied(tuple(self.draft_layers), tuple(self.draft_activations)))
        else:
            self.message = "no change to apply"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """esc with no draft or typed size to drop passes on to the app (it clears notices)."""
        if action == "discard":
            return bool(self.typed or self.changed)
        return True

    def action_discard(self) -> None:
        if self.typed:
            self.typed = ""
            self.message = ""
        else:
            changed = self.changed
            self.set_network(self.net_layers, self.net_activations)
            self.message = "changes discarded" if changed else ""

    def refuse(self, reason: str) -> None:
        """The app refused the draft: keep it for correcting and say why."""
        self.message = f"✗ {reason}"

    def say_for_a_while(self, text: str, seconds: float = 8.0) -> None:
        """A passing note (such as "rebuilt"), gone after a while unless replaced meanwhile."""
        self.message = text
        self.set_timer(seconds, lambda: setattr(self, "message", "") if self.message == text else None)

    # -- drawing --------------------------------------------------------------------------

    def render(self) -> Text:
        self.border_title = "Network" + (" (changed)" if self.changed else "")
        self.border_subtitle = "a x +- ←→ enter"
        text = Text()
        last = len(self.draft_layers) - 1
        visible = self._visible_rows()
        for i in visible:
            if i is None:
                text.append("  …\n", style="dim")
                continue
            size = self.draft_layers[i]
            selected = 0 < i < last and i - 1 == self.cursor
            if i == 0:
                name, act = "input", ""
            elif i == last:
                name, act = "output", self.output
            else:
                name, act = f"hidden {i}", self.draft_activations[i - 1]
            shown = self.typed + "▏" if selected and self.typed else str(size)
            line = f"{'▶' if selected else ' '} {name:<9}{shown:>7}  {act}"
            text.append(line + "\n", style="reverse" if selected and self.has_focus else "")
        params = count_params(self.draft_layers)
        n_shown = len([i for i in visible if i not in (None, 0, last)])
        if n_shown < self.n_hidden:  # not all of them are shown: say so, since no "…" may fit
            line = f"  {params:,} params, {self.n_hidden} hidden, {n_shown} shown"
            if len(line) > self.size.width:
                line = f"  {params:,} params, {n_shown}/{self.n_hidden} hidden shown"
            if len(line) > self.size.width:  # which layers there are matters more than the count
                line = f"  {n_shown} of {self.n_hidden} hidden layers shown"
            text.append(line + "\n", style="dim")
        else:
            text.append(f"  {params:,} parameters\n", style="dim")
        note = self.note
        text.append(note, style="bold" if note.startswith("✗") else "italic")
        return text

    @property
    def note(self) -> str:
        """The line under the network: a message, or how to apply a draft, or that a network
        with no hidden layer uses no activation, or nothing."""
        if self.message or self.changed:
            return self.message or DRAFT_NOTE
        return unused_activation(self.draft_layers, (self.setting,))

    def _visible_rows(self) -> list[int | None]:
        """Layer rows to draw: all if they fit, else the ends and a window round the cursor."""
        rows = len(self.draft_layers)
        limit, parent = self.styles.max_height, self.parent
        if limit is None or not isinstance(parent, Widget):
            return list(range(rows))
        # From the most the pane may grow to, not its size now: its height follows its content.
        height = int(limit.resolve(parent.size, self.app.size)) - self.gutter.height
        notes = len(textwrap.wrap(self.note, max(self.size.width, 20)))  # the lines it wraps to
        room = max(height - 1 - notes, 3)  # less the parameters line
        if rows <= room:
            return list(range(rows))
        # Two "…" lines cost two layers: where room is short (80x24 with a draft: room 5, the
        # "…" way showed one hidden layer of four), the count line says what is left out instead.
        if room < 7:  # input, the hidden layers round the cursor, output
            start = min(max(self.cursor + 1 - (room - 2) // 2, 1), rows - 1 - (room - 2))
            return [0, *range(start, start + room - 2), rows - 1]
        middle = room - 4  # input, output and two "…" lines
        start = min(max(self.cursor + 1 - middle // 2, 1), rows - 1 - middle)
        shown: list[int | None] = [0]
        shown += [None] if start > 1 else []
        shown += list(range(start, start + middle))
        shown += [None] if start + middle < rows - 1 else []
        return shown + [rows - 1]

    def on_focus(self) -> None:
        self.refresh(layout=True)

    def on_blur(self) -> None:
        self.refresh(layout=True)
