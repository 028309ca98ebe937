"""The digit viewer: one 8x8 digit drawn large, its label, and the network's probability for each class."""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Region
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from nnplay.core.saliency import predicted_class

SHADES = " ░▒▓█"
"""Ink from none to full; two characters per pixel keep the pixels square."""
EIGHTHS = " ▏▎▍▌▋▊▉█"


def shade(value: float) -> str:
    """Two characters of ink for a pixel in [0, 1]."""
    level = min(int(value * len(SHADES)), len(SHADES) - 1)
    return SHADES[level] * 2


def pixel_style(value: float, ansi: bool | None = False) -> str:
    """A pixel in [0, 1] as grey: a brighter glyph on a darker ground (the glyph carries it
    on a terminal without colour). With the terminal's own 16 colours (``ansi``), none: the
    greys fell into one ANSI colour for glyph and ground alike, and faint ink vanished."""
    if ansi:
        return ""
    grey = round(40 + 215 * float(value))
    return f"rgb({grey},{grey},{grey}) on rgb({grey // 2},{grey // 2},{grey // 2})"


BAR_MOST = 40
"""The longest a probability bar is drawn: at 200 columns one of 110 cells set each
percentage far from its class."""


def probability(p: float, places: int = 3, scale: int = 1) -> str:
    """The network's probability to ``places`` decimals, times ``scale`` (100: a percentage),
    never shown as exactly 1 or 0: 0.9996 is ">0.999" and 0.0004 "<0.001". A sigmoid or
    softmax keeps a sliver for every answer, and "1.000" beside a guess read as certain;
    even an exact 1.0 is float32 rounding (sigmoid(17) is 1.0 there), not certainty."""
    shown = f"{p * scale:.{places}f}"
    step = 10.0**-places  # the smallest step shown
    if float(shown) >= scale:  # as it rounds, not a threshold of our own
        return f">{scale - step:.{places}f}"
    if float(shown) <= 0:
        return f"<{step:.{places}f}"
    return shown


def percent(p: float) -> str:
    """A probability as a 7-character percentage, "  12.5%", " >99.9%" for one that rounds
    to 100 and "  <0.1%" for one that rounds to 0, as ``probability`` says why."""
    return f"{probability(p, 1, 100):>6}%"


def bar(fraction: float, width: int) -> str:
    """A bar `width` cells long filled to `fraction`, in eighths of a cell."""
    eighths = round(max(0.0, min(1.0, fraction)) * width * 8)
    full, part = divmod(eighths, 8)
    return ("█" * full + (EIGHTHS[part] if part else "")).ljust(width)


class DigitViewer(Widget, can_focus=True):
    """Shows one sample and the network's output for it."""

    BINDINGS = [
        Binding("right,l", "move(1)", "Next", show=False),
        Binding("left,h", "move(-1)", "Prev", show=False),
        Binding("t", "switch_set", "Test/train", show=False),
        Binding("m", "mistake(1)", "Next mistake", show=False),
        Binding("M", "mistake(-1)", "Prev mistake", show=False),
    ]

    # Not repainting: the pane is drawn by show(), once the app has the sample. A repaint on
    # the change drew the sample before again, a second frame for every ← or → (6 KB each).
    which: reactive[str] = reactive("test", repaint=False)
    """Which set the sample comes from: "test" or "train"."""
    index: reactive[int] = reactive(0, repaint=False)
    """The sample's position in its set."""

    class Moved(Message):
        """The user moved to another sample; the app should call show()."""

        def __init__(self, which: str, index: int) -> None:
            super().__init__()
            self.which, self.index = which, index

    class MistakeWanted(Message):
        """The user asked for the next sample the network gets wrong."""

        def __init__(self, which: str, index: int, step: int) -> None:
            super().__init__()
            self.which, self.index, self.step = which, index, step

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.count = 0
        """Samples in the current set (0 until the data is loaded)."""
        self.inputs: np.ndarray | None = None
        self.target: np.ndarray | None = None
        self.output: np.ndarray | None = None
        self.note = "loading the digits…"
        self.dataset = ("digits", "", "cross_entropy")
        """(name, description, loss) of the data set the samples come from."""
        self._left: dict[str, tuple[str, int]] = {}
        """Where each set was left (in which data set, at which sample), for t to come back to."""

    # -- what the app calls -------------------------------------------------------

    def show(self, inputs: np.ndarray, target: np.ndarray, output: np.ndarray | None, count: int) -> None:
        """Draw a sample (copies are kept) and the network's output for it."""
        self.inputs, self.target = np.array(inputs), np.array(target)
        self.output = None if output is None else np.array(output)
        self.count = count
        self.note = ""
        self._retitle()
        self.refresh()

    def show_output(self, output: np.ndarray) -> None:
        """New probabilities for the sample on show, as the network learns. Of a digit, only
        the rows of the bars and the guess are redrawn, not the pane's borders nor (when the
        digit is drawn large) the digit's rows below the bars: each row is bytes on an SSH
        link. (Textual still rewrites each such row from the pane's left edge.)"""
        shown = self._shown_output()
        self.output = np.array(output)
        if self._is_digit:
            if self._shown_output() != shown:  # as drawn: bars in eighths, percentages in tenths
                self.refresh(*self.output_regions())
        else:
            self.refresh()

    def _shown_output(self) -> tuple[object, ...]:
        """The output as the digit's pane draws it: the guess, and each bar and percentage."""
        probs = self.probabilities
        if probs is None:
            return ()
        width = self._bar_width()
        return (int(probs.argmax()), *((bar(float(p), width), percent(float(p))) for p in probs))

    def _bar_width(self) -> int:
        return min(BAR_MOST, max(4, self.size.width - 16 * self._art_scale() - 12))

    @property
    def _is_digit(self) -> bool:
        return (
            self.inputs is not None
            and self.target is not None
            and (self.inputs.size, self.target.size) == (64, 10)
        )

    def _art_scale(self) -> int:
        """Rows per pixel of the digit: each is 2k cells wide and k rows tall, as large as
        the pane allows."""
        return max(1, min((self.size.height - 2) // 8, (self.size.width - 30) // 16))

    def output_regions(self) -> tuple[Region, Region]:
        """Where a digit's drawing depends on the network's output: the bars, and the guess
        under the digit (in content coordinates)."""
        k = self._art_scale()
        width_left = 16 * k
        return (
            Region(width_left, 0, max(0, self.size.width - width_left), 10),
            Region(0, 8 * k + 1, width_left + 2, 1),
        )

    @property
    def probabilities(self) -> np.ndarray | None:
        """The class probabilities on show (digits), or None."""
        if self.output is None or self.output.size < 2:
            return None
        return self.output

    @property
    def label(self) -> int | None:
        if self.target is None or self.target.size < 2:
            return None
        return int(self.target.argmax())

    # -- keys -----------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        if self.count:
            self.index = (self.index + step) % self.count
            self.post_message(self.Moved(self.which, self.index))

    def action_switch_set(self) -> None:
        if self.count:
            other = "train" if self.which == "test" else "test"
            # back where it was in that set, if the data set is the one it was left in
            left_in, index = self._left.get(other, ("", 0))
            self.go(other, index if left_in == self.dataset[0] else 0)
            self.post_message(self.Moved(self.which, self.index))

    def go(self, which: str, index: int) -> None:
        """Show sample ``index`` of set ``which``; t comes back to the sample left now."""
        self._left[self.which] = (self.dataset[0], self.index)
        self.which, self.index = which, index

    def action_mistake(self, step: int) -> None:
        if self.count:
            self.post_message(self.MistakeWanted(self.which, self.index, step))

    def _retitle(self) -> None:
        name = "Test" if self.which == "test" else "Training"
        # Named unless digits: a file loaded with ctrl+o may bring another data set.
        dataset = "" if self.dataset[0] == "digits" else f" · {self.dataset[0]}"
        self.border_title = f"{name} sample {self.index + 1}/{self.count}{dataset}"
        self.border_subtitle = "←→ t m"

    # -- drawing ----------------------------------------------------------------------

    def render(self) -> Text:
        if self.inputs is None or self.target is None:
            return Text(self.note, style="italic")
        if self._is_digit:
            return self._render_digit()
        return self._render_point()

    def _render_digit(self) -> Text:
        assert self.inputs is not None
        pixels = self.inputs.reshape(8, 8)
        label, probs = self.label, self.probabilities
        guess = None if probs is None else int(probs.argmax())
        # Each pixel is a glyph of matching density (for monochrome terminals) on a grey of
        # matching brightness.
        k = self._art_scale()
        art = []
        for pixel_row in pixels:
            line = Text()
            for v in pixel_row:
                line.append(shade(v) * k, style=pixel_style(v, self.app.ansi_color))
            art += [line] * k
        verdict = "" if guess is None else f"guess {guess} {'✓ right' if guess == label else '✗ wrong'}"
        art += [Text(f"label {label}"), Text(verdict)]
        width_left = 16 * k
        bar_width = self._bar_width()
        text = Text()
        for row in range(max(len(art), 10)):
            left = art[row] if row < len(art) else Text()
            text.append_text(left)
            text.append(" " * (width_left - left.cell_len + 2))
            if probs is not None and row < 10:
                style = "bold" if row == label else ""
                text.append(f"{'›' if row == guess else ' '}{row}", style=style)
                text.append(bar(float(probs[row]), bar_width), style="bold" if row == guess else "dim")
                text.append(percent(float(probs[row])), style=style)
            text.append("\n")
        text.rstrip()
        return text

    def _render_point(self) -> Text:
        """A sample of a 2-D or 1-D data set, as numbers: its class and the network's guess, or
        (regression) its target and the network's answer."""
        assert self.inputs is not None and self.target is not None
        name, description, loss = self.dataset
        x = self.inputs.reshape(-1)
        text = Text()
        text.append("x = " + (f"{x[0]:.3f}" if x.size == 1 else "(" + ", ".join(f"{v:.3f}" for v in x) + ")"))
        out = None if self.output is None else float(self.output.reshape(-1)[0])
        target = float(self.target.reshape(-1)[0])
        if loss == "binary_cross_entropy":
            label = int(target > 0.5)
            text.append(f"\nclass {label}")
            if out is not None:
                guess = predicted_class(np.array([out]), loss)  # as the accuracy counts it
                text.append(f"\nP(class 1) = {probability(out)}")
                text.append(f"\nguess {guess} {'✓ right' if guess == label else '✗ wrong'}", style="bold")
            about = "the network gives the probability of class 1, and guesses 1 above 0.5"
        else:
            text.append(f"\ntarget {target:.3f}")
            if out is not None:
                text.append(f"\nnetwork {out:.3f}  (off by {abs(out - target):.3f})", style="bold")
            about = "the network answers with a number, as near the target as it can"
        text.append(f"\n\n{name}: {description}; {about}.", style="italic")
        return text
