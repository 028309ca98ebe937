"""What the terminal already shows, so a redraw sends only the cells that changed.

Textual repaints a refreshed widget's whole region and writes each piece of it with its
full colour codes and a reset after it (Strip.render), whether or not the terminal shows
it already: a status whose loss changed in its fourth decimal rewrote its four lines, a
plot redrawn with one new point rewrote the pane. Over an SSH link every byte counts (see
README, "Speed"). A Frame keeps the cells last written and turns Textual's partial
update (a ChopsUpdate) into the runs of cells that differ, each with a colour code only where
the colour changes. Textual's full updates (a LayoutUpdate: a screen pushed, a layout
changed) are sent the same way, but for one of a new size, which goes out as Textual made it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache

from rich.cells import cell_len
from rich.color import ColorSystem
from rich.segment import Segment
from rich.style import Style
from textual import events, on
from textual._compositor import ChopsUpdate, CompositorUpdate, LayoutUpdate
from textual.app import App
from textual.screen import Screen
from textual.strip import Strip
from textual.widgets import Input

Cell = tuple[str, str, str]
"""(character, its SGR codes as Strip.render_ansi makes them, its link or ""); the second
half of a wide character is ("", codes, link)."""
UNKNOWN: Cell = ("\0", "?", "")
"""A cell whose content on the terminal is not known: never equal to a real one."""
GAP = 4
"""Unchanged cells between two changes sent anyway rather than a cursor move (6-8 bytes):
a cell costs 1-3 bytes where its colour carries on."""


def cells_of(segments: Iterable[Segment], color_system: ColorSystem) -> list[Cell]:
    """The cells a line of segments fills, left to right."""
    cells: list[Cell] = []
    for text, style, control in segments:
        if control:
            raise ValueError("a control segment in a line of cells")
        codes, link = codes_of(style, color_system)
        for char in text:
            width = cell_len(char)
            if width == 0 and cells:  # a combining mark joins the character before it
                last = cells[-1]
                cells[-1] = (last[0] + char, last[1], last[2])
            elif width == 2:
                cells += [(char, codes, link), ("", codes, link)]
            elif width == 1:
                cells.append((char, codes, link))
    return cells


def codes_of(style: Style | None, color_system: ColorSystem) -> tuple[str, str]:
    """A style's SGR codes ("" for none) and link, as Textual would write them."""
    if style is None:
        return "", ""
    codes = style._ansi if style._ansi is not None else Strip.render_ansi(style, color_system)
    return codes, style._link or ""


OFF = {
    **{"1": "22", "2": "22", "3": "23", "4": "24", "21": "24"},
    **{"5": "25", "6": "25", "7": "27", "8": "28", "9": "29"},
}
"""Codes that turn an attribute off (bold and dim both go at 22); another attribute that goes
(an overline, say) takes a reset."""


@lru_cache(maxsize=1024)
def parsed(codes: str) -> tuple[tuple[str, ...], str, str]:
    """SGR codes as Strip.render_ansi writes them ("1;38;5;246;48;5;233"): the attributes
    ("1",), the foreground ("38;5;246") and the background ("48;5;233"), "" for the default."""
    tokens = codes.split(";") if codes else []
    attributes: list[str] = []
    foreground = background = ""
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in ("38", "48"):  # 38;5;n or 38;2;r;g;b
            size = 3 if tokens[i + 1] == "5" else 5
            colour = ";".join(tokens[i : i + size])
            foreground, background = (colour, background) if token == "38" else (foreground, colour)
            i += size
            continue
        number = int(token)
        if 30 <= number <= 37 or 90 <= number <= 97 or number == 39:
            foreground = token
        elif 40 <= number <= 47 or 100 <= number <= 107 or number == 49:
            background = token
        else:
            attributes.append(token)
        i += 1
    return tuple(attributes), foreground, background


@lru_cache(maxsize=4096)
def switch(before: str | None, after: str) -> str:
    """The shortest SGR sequence we make from codes ``before`` (None: not known) to ``after``:
    what changes (a new colour, an added attribute, one turned off), or a reset and all of
    ``after`` where that is shorter. Most changes on nnplay's screens are of one colour."""
    whole = f"\x1b[0;{after}m" if after else "\x1b[0m"
    if before is None:
        return whole
    (had, fg_before, bg_before), (has, fg_after, bg_after) = parsed(before), parsed(after)
    gone = [a for a in had if a not in has]
    if any(a not in OFF for a in gone):
        return whole
    parts = list(dict.fromkeys(OFF[a] for a in gone))
    # 22 turns off bold and dim alike: one kept is set again
    parts += [a for a in has if a not in had or ("22" in parts and a in ("1", "2"))]
    if fg_after != fg_before:
        parts.append(fg_after or "39")
    if bg_after != bg_before:
        parts.append(bg_after or "49")
    if not parts:
        return ""  # the same style, written another way
    delta = f"\x1b[{';'.join(parts)}m"
    return delta if len(delta) < len(whole) else whole


def runs(old: list[Cell], new: list[Cell], start: int) -> Iterator[tuple[int, int]]:
    """(first, end) offsets into ``new`` (which sits at column ``start`` of a line whose
    cells the terminal shows as ``old``) of the runs to send: every changed cell, runs
    closer than GAP joined, none starting or ending inside a wide character."""
    first = end = -1
    for i, cell in enumerate(new):
        x = start + i
        if x < len(old) and old[x] == cell:
            continue
        if first >= 0 and i - end <= GAP:
            end = i + 1
            continue
        if first >= 0:
            yield first, end
        first, end = i, i + 1
    if first >= 0:
        yield first, end


class Frame:
    """The cells the terminal shows, as last written by the app."""

    def __init__(self) -> None:
        self.lines: list[list[Cell]] = []
        self.size: tuple[int, int] | None = None
        """The screen's (width, height) at its last full update; None: not known."""

    def forget(self) -> None:
        """The terminal's content is no longer known (a resize, a program's output over it)."""
        self.lines, self.size = [], None

    def changes(self, update: CompositorUpdate, color_system: ColorSystem) -> str | None:
        """The terminal sequences that bring the screen from what it shows to ``update``'s
        content: only the cells that differ ("" for none). None: send ``update`` as it is,
        a full update of a screen of a new size (the terminal's content was reflowed or
        lost), or what a Frame cannot follow (it then forgets what it knew)."""
        pieces: Iterable[tuple[int, Iterable[tuple[int, list[Cell]]]]]
        whole = False
        if isinstance(update, LayoutUpdate) and update.region.offset == (0, 0):
            size = (update.region.width, update.region.height)
            if size != self.size:
                self.lines, self.size, whole = [], size, True
            pieces = (
                (y, [(0, cells_of(segments_of(line), color_system))]) for y, line in enumerate(update.strips)
            )
        elif isinstance(update, ChopsUpdate):
            pieces = (
                (y, chop_cells(update.chops[y], update.chop_ends[y], x1, x2, color_system))
                for y, x1, x2 in update.spans
            )
        else:
            self.forget()
            return None
        try:
            sequences = self._send(pieces)
        except Exception:  # never a traceback over the screen: it goes whole, and from scratch
            self.forget()
            return None
        return None if whole else sequences

    def _send(self, pieces: Iterable[tuple[int, Iterable[tuple[int, list[Cell]]]]]) -> str:
        """The sequences for the cells of ``pieces`` (line, [(column, cells)]) that differ
        from those shown, which they then are."""
        out: list[str] = []
        codes_now: str | None = None  # the colour codes in force; None: not known
        link_now = ""
        for y, line in pieces:
            while len(self.lines) <= y:
                self.lines.append([])
            old = self.lines[y]
            for x, new in line:
                if len(old) < x + len(new):
                    old.extend([UNKNOWN] * (x + len(new) - len(old)))
                for first, end in runs(old, new, x):
                    while first > 0 and (new[first][0] == "" or cell_len(old[x + first - 1][0]) == 2):
                        first -= 1  # not half a wide character, nor half over an old one
                    while end < len(new) and new[end][0] == "":
                        end += 1
                    out.append(f"\x1b[{y + 1};{x + first + 1}H")
                    for char, codes, link in new[first:end]:
                        if link != link_now:
                            out.append(f"\x1b]8;;{link}\x1b\\")  # ends the one before, if any
                            link_now = link
                        if codes != codes_now:
                            out.append(switch(codes_now, codes))
                            codes_now = codes
                        out.append(char)
                old[x : x + len(new)] = new
        if link_now:
            out.append("\x1b]8;;\x1b\\")
        if codes_now:
            out.append("\x1b[0m")  # as Textual leaves the terminal: no style in force
        return "".join(out)


def chop_cells(
    line: Mapping[int, Strip | None], ends: list[int], x1: int, x2: int, color_system: ColorSystem
) -> Iterator[tuple[int, list[Cell]]]:
    """(column, cells) of each piece of a line that the span from x1 to x2 updates, as
    ChopsUpdate.render_segments picks and crops them."""
    for end, (x, strip) in zip(ends, line.items(), strict=False):
        if strip is None or x > x2 or end <= x1:
            continue
        if not (x2 > x >= x1 and end <= x2):
            strip = strip.crop(0, min(end, x2) - x)
        yield x, cells_of(strip, color_system)


def segments_of(strips: Iterable[Strip | None]) -> Iterator[Segment]:
    for strip in strips:
        if strip is None:
            raise ValueError("a line with a piece missing")
        yield from strip


class Changes(CompositorUpdate):
    """An update already turned into terminal sequences by a Frame."""

    def __init__(self, sequences: str) -> None:
        self.sequences = sequences

    def render_segments(self, console: object) -> str:
        return self.sequences


class FramesMixin(App[None]):
    """Sends the terminal only the cells that changed, and with --low-bandwidth a text
    cursor that does not blink (a mixin of NnplayApp)."""

    _frame: Frame | None = None
    _frames_failed = False
    low_bandwidth: bool  # set by NnplayApp

    @on(events.DescendantFocus)
    def _steady_cursor(self, event: events.DescendantFocus) -> None:
        """On a slow link, a field's cursor stays on: its blink redrew the field twice a
        second for as long as a dialog (ctrl+o, the palette) stood open."""
        if self.low_bandwidth and isinstance(event.widget, Input):
            event.widget.cursor_blink = False

    @on(events.Resize)
    def _frame_resized(self) -> None:
        """The terminal's size changed, maybe and back again before Textual drew: what it
        shows is not known (a terminal reflows or clears on a resize)."""
        self._forget_frame()

    @on(events.Mount)
    def _frame_mounted(self) -> None:
        # back from ctrl+z, the terminal shows the shell's output
        self.app_resume_signal.subscribe(self, lambda app: self._forget_frame())

    def _forget_frame(self) -> None:
        if self._frame is not None:
            self._frame.forget()

    def action_redraw(self) -> None:
        """ctrl+l, as in a shell: the whole screen again, for a terminal that lost some of it
        (a message written over it, a link that dropped bytes): only changes go out otherwise."""
        self._forget_frame()
        self.screen.refresh(self.screen.region)

    def _display(self, screen: Screen, renderable: object) -> None:
        # Textual 8.2's App._display writes each update it is given; this hands it the
        # changes alone.
        if not self._frames_failed:
            try:
                renderable = self._changes_only(renderable)
            except Exception:  # Textual's private parts moved (a release after 8.2): its own
                self._frames_failed = True  # whole updates from now on, never a traceback
                self._forget_frame()
        if renderable is not None:
            super()._display(screen, renderable)  # type: ignore[arg-type]

    def _changes_only(self, renderable: object) -> object:
        """What to send for ``renderable``: the changes alone where it updates a full-screen
        terminal (headless, as in tests, or inline apps write nothing or something else), or
        ``renderable`` as it is; None where the terminal shows it all already."""
        driver = self._driver
        if (
            not isinstance(renderable, CompositorUpdate)
            or driver is None
            or driver.is_inline
            or self.is_headless
            or not self._running
            or self._closed
            or self._batch_count
        ):
            return renderable
        if self._frame is None:
            self._frame = Frame()
        color_system = self.console._color_system or ColorSystem.TRUECOLOR
        sequences = self._frame.changes(renderable, color_system)
        if sequences == "":
            return None  # nothing the terminal does not show already
        return renderable if sequences is None else Changes(sequences)
