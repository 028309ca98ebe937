"""The Mistakes view: the confusion matrix, and a gallery of the most confidently wrong predictions."""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Static

from nnplay.core.metrics import Evaluation, Mistake, classifies, evaluate
from nnplay.tui.session import Session
from nnplay.tui.views.base import View, trained_label
from nnplay.tui.widgets.digit_viewer import percent, pixel_style, shade

KEYS = (
    ("←→↑↓", "move"),
    ("pgup/pgdn", "page"),
    ("enter", "to digit pane"),
    ("t", "test/train"),
    ("esc", "back"),
)
"""The view's keys and what they do, for the hint line."""
SAMPLE_KEYS = tuple(("enter", "to sample pane") if key == "enter" else (key, does) for key, does in KEYS)
"""The same on a 2-D set, whose pane shows a sample's numbers, not a digit."""
REGRESSION_KEYS = (("esc", "back"),)
"""Regression: no mistakes to move through, choose, or find in the other set."""
LEGEND = (
    "Rows: the true class. Columns: the network's guess. "
    "{diagonal} on the diagonal: right; any other number: mistakes; · none. "
    "Recall: the share of each true class guessed right."
)
SET_NAMES = {"test": "test", "train": "training"}
MISTAKE = "bold yellow"
"""A count of mistakes, off the diagonal: bright on the app's dark ground."""
ANSI_MISTAKE = "bold magenta"
"""The same with the terminal's own colours, whose ground may be white: its yellow was 1.7:1
there (bold shown bright, 1.1:1); magenta reads on black and white, and to colour blindness."""


def hint(keys: tuple[tuple[str, str], ...] = KEYS) -> Text:
    """The keys in bold, each followed by what it does, in 76 columns: the smallest terminal."""
    text = Text()
    for n, (key, does) in enumerate(keys):
        text.append("  " if n else "")
        text.append(key, style="bold")
        text.append(f" {does}")
    return text


def cell_width(result: Evaluation, spacing: int) -> int:
    """Cells for one count: its digits, then 0 more (tight: no room for brackets), 1 (the
    diagonal's brackets touch its left neighbour) or 2 (a gap before every count)."""
    return len(str(int(result.matrix.max(initial=0)))) + 1 + spacing


def matrix_width(result: Evaluation, spacing: int) -> int:
    """Cells for a line of the matrix: row labels, the counts, the recall column."""
    return 6 + cell_width(result, spacing) * len(result.matrix) + 8


def matrix_text(result: Evaluation, available: int, ansi: bool | None = False) -> Text:
    """The counts with row and column labels, the diagonal marked, recall at the row ends,
    then the legend; as roomy as `available` cells allow. ``ansi``: in the terminal's own colours."""
    spacing = next((n for n in (2, 1) if matrix_width(result, n) <= available), 0)
    width = cell_width(result, spacing)
    matrix = result.matrix
    k = len(matrix)
    text = Text()
    text.append(" " * 6 + "guess →\n", style="dim")
    text.append("true ↓", style="dim")
    text.append("".join(f"{j:>{width}}" for j in range(k)), style="bold")
    text.append(" │recall\n", style="dim")
    for i, row in enumerate(matrix):
        text.append(f"{i:>5} ", style="bold")
        for j, count in enumerate(row):
            if i == j and spacing:
                text.append(f"[{count}]".rjust(width), style="bold reverse" if count else "bold")
            elif i == j:  # too narrow for brackets: reversed and underlined, which needs no colour
                text.append(f"{count:>{width}}", style="bold reverse underline")
            elif count:
                text.append(f"{count:>{width}}", style=ANSI_MISTAKE if ansi else MISTAKE)
            else:
                text.append("·".rjust(width), style="dim")
        r = result.recall[i]
        text.append(" │", style="dim")
        text.append("    —" if np.isnan(r) else f"{100 * r:4.0f}%")
        text.append("\n")
    diagonal = "[n]" if spacing else "Reversed, underlined numbers"
    text.append("\n")
    text.append(LEGEND.format(diagonal=diagonal), style="italic dim")
    return text


def confidence(p: float) -> str:
    """A wrong guess's probability as a percentage: never "100.0%", since the right class
    kept a sliver of it, however small (the digit pane's rule)."""
    return percent(p).strip()


class ConfusionMatrix(Widget):
    """Counts of (true class, guessed class) for one set, with a legend below."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.result: Evaluation | None = None
        self.note = "loading…"

    def render(self) -> Text:
        if self.result is None:
            return Text(self.note, style="italic")
        return matrix_text(self.result, self.size.width, self.app.ansi_color)


class MistakeGallery(Widget):
    """The wrong predictions, most confident first, a page at a time; one is selected."""

    GAP = (2, 1)
    """Blank columns and rows between entries."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.mistakes: list[Mistake] = []
        self.X: np.ndarray | None = None
        """The inputs of the set the mistakes index into."""
        self.cursor = 0
        """The selected mistake's rank (0 is the most confident)."""
        self.note = "loading…"

    @property
    def digits(self) -> bool:
        return self.X is not None and self.X.shape[1] == 64

    @property
    def entry_size(self) -> tuple[int, int]:
        """(width, height) of one entry: a digit and two lines, or three lines for a point."""
        return (18, 10) if self.digits else (18, 3)

    @property
    def grid(self) -> tuple[int, int]:
        """(columns, rows) of entries that fit on a page."""
        (w, h), (gx, gy) = self.entry_size, self.GAP
        return max(1, (self.size.width + gx) // (w + gx)), max(1, (self.size.height + gy) // (h + gy))

    @property
    def per_page(self) -> int:
        columns, rows = self.grid
        return columns * rows

    @property
    def selected(self) -> Mistake | None:
        return self.mistakes[self.cursor] if self.mistakes else None

    def show(self, mistakes: list[Mistake], X: np.ndarray | None, note: str = "") -> None:
        """New mistakes; the selected sample stays selected if it is still wrong."""
        keep = self.selected
        self.mistakes, self.X, self.note = mistakes, X, note
        indices = [m.index for m in mistakes]
        if keep is not None and keep.index in indices:
            self.cursor = indices.index(keep.index)
        self.cursor = max(0, min(self.cursor, len(mistakes) - 1))
        self._retitle()
        self.refresh()

    def move(self, step: int) -> None:
        if self.mistakes:
            self.cursor = max(0, min(self.cursor + step, len(self.mistakes) - 1))
            self._retitle()
            self.refresh()

    def on_resize(self) -> None:
        self._retitle()

    def _retitle(self) -> None:
        n = len(self.mistakes)
        if not n:
            self.border_title = "Mistakes"
            return
        first = self.cursor - self.cursor % self.per_page
        last = min(first + self.per_page, n)
        shown = f"{first + 1}-{last} of {n}" if last > first + 1 else f"{first + 1} of {n}"
        if self.size.width >= 40:
            self.border_title = f"Most confident mistakes {shown}"
        else:
            self.border_title = f"Mistakes {shown.replace(' of ', '/')}"

    def render(self) -> Text:
        if not self.mistakes or self.X is None:
            return Text(self.note, style="italic")
        columns, _ = self.grid
        first = self.cursor - self.cursor % self.per_page
        page = self.mistakes[first : first + self.per_page]
        entries = [self._entry(m, first + n == self.cursor) for n, m in enumerate(page)]
        gap_x, gap_y = self.GAP
        text = Text()
        for start in range(0, len(entries), columns):
            row = entries[start : start + columns]
            if start:
                text.append("\n" * gap_y)
            for line in range(self.entry_size[1]):
                for n, entry in enumerate(row):
                    if n:
                        text.append(" " * gap_x)
                    text.append_text(entry[line])
                text.append("\n")
        text.rstrip()
        return text

    def _entry(self, m: Mistake, selected: bool) -> list[Text]:
        """An entry's lines, each entry_size[0] cells wide; the selected one is marked ▶ and ┃."""
        assert self.X is not None
        width = self.entry_size[0]
        mark = "bold reverse" if selected else ""
        caption = Text("▶" if selected else " ", style="bold")
        caption.append(f"true {m.true}  guess {m.predicted}".ljust(width - 1), style=mark)
        chance = Text(f" P({m.predicted}) = {confidence(m.probability)}".ljust(width))
        if not self.digits:
            point = ", ".join(f"{v:.2f}" for v in self.X[m.index])
            return [caption, chance, Text(f" x = ({point})"[:width].ljust(width), style="dim")]
        side = "┃" if selected else " "
        art = []
        for pixel_row in self.X[m.index].reshape(8, 8):
            line = Text(side, style="bold")
            for v in pixel_row:
                line.append(shade(v), style=pixel_style(v, self.app.ansi_color))
            line.append(side, style="bold")
            art.append(line)
        return [*art, caption, chance]


class MistakesView(View):
    """Where the network goes wrong on one set: the confusion matrix and its surest mistakes.

    ``enter`` dismisses the view with ``(which, index)`` of the selected mistake, for the
    app to show in the digit viewer; esc or q dismisses it with None.
    """

    BINDINGS = [
        Binding("right,l", "move(1)", "Next", show=False),
        Binding("left,h", "move(-1)", "Previous", show=False),
        Binding("down,j", "move_rows(1)", "Down", show=False),
        Binding("up,k", "move_rows(-1)", "Up", show=False),
        Binding("pagedown", "page(1)", "Next page", show=False),
        Binding("pageup", "page(-1)", "Previous page", show=False),
        Binding("home", "move(-999_999)", "First", show=False),
        Binding("end", "move(999_999)", "Last", show=False),
        Binding("enter", "choose", "Show in the digit viewer"),
        Binding("t", "switch_set", "Test/train"),
    ]

    def __init__(self, session: Session, which: str = "test") -> None:
        super().__init__(session)
        self.which = which
        """The set shown: "test" or "train"."""
        self.result: Evaluation | None = None
        """What nnplay.core.metrics made of the latest snapshot; None before loading or for regression."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="mistakes-panes"):
            yield ConfusionMatrix(id="mistakes-matrix")
            yield MistakeGallery(id="mistakes-gallery")
        yield Static(hint(), id="mistakes-hint")

    def on_mount(self) -> None:
        self.refresh_from_session()

    def on_resize(self) -> None:
        self.set_class(self.size.width >= 110, "-roomy")
        self.set_class(self.size.width < 80, "-narrow")  # the gallery still needs one digit's width

    @property
    def gallery(self) -> MistakeGallery:
        return self.query_one(MistakeGallery)

    def refresh_from_session(self) -> None:
        matrix = self.query_one(ConfusionMatrix)
        name = SET_NAMES[self.which]
        if not self.session.ready:
            self.result = None
            matrix.result, matrix.note = None, "loading…"
            self.gallery.show([], None, "loading…")
            matrix.refresh()
            return
        net = self.session.snapshot()
        X, Y = self.session.arrays(self.which)
        keys = KEYS if X.shape[1] == 64 else SAMPLE_KEYS
        self.query_one("#mistakes-hint", Static).update(
            hint(keys if classifies(net.spec.loss) else REGRESSION_KEYS)
        )
        if not classifies(net.spec.loss):
            self.result = None
            matrix.result = None
            matrix.note = (
                f"This network does regression ({self.session.config.dataset}): it predicts a number, "
                "not a class, so there are no classes to confuse and no confusion matrix. "
                "The loss plot shows how far off it is."
            )
            matrix.border_title = "No classes"
            self.gallery.show([], None, "Regression: no classes, so no mistakes to list.")
            matrix.refresh()
            return
        self.result = evaluate(net.predict(X), Y)  # every sample in one vectorised pass
        matrix.result = self.result
        matrix.border_title = (
            f"Confusion, {name} set: accuracy {self.result.accuracy:.1%} ({self.result.correct}/{len(X)})"
        )
        # the network's now, which a step past the epoch is not the status's (its figures are
        # the epoch's end): no room in the title at 80 columns
        matrix.border_subtitle = trained_label(self.session)
        self.gallery.show(self.result.mistakes, X, f"No mistakes: every {name} sample is right.")
        matrix.refresh()

    # -- keys -----------------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        self.gallery.move(step)

    def action_move_rows(self, step: int) -> None:
        self.gallery.move(step * self.gallery.grid[0])

    def action_page(self, step: int) -> None:
        gallery = self.gallery
        if not gallery.mistakes:
            return
        per_page = gallery.per_page
        page = gallery.cursor // per_page + step
        last_page = (len(gallery.mistakes) - 1) // per_page
        if 0 <= page <= last_page:
            gallery.move(page * per_page + gallery.cursor % per_page - gallery.cursor)

    def action_choose(self) -> None:
        chosen = self.gallery.selected
        if chosen is not None:
            self.dismiss((self.which, chosen.index))

    def action_switch_set(self) -> None:
        self.which = "train" if self.which == "test" else "test"
        self.gallery.cursor = 0
        self.gallery.mistakes = []  # forget the selection: its index belongs to the other set
        self.refresh_from_session()
