"""Sending only the cells that changed (nnplay/tui/frames.py): the terminal must end up
showing exactly what Textual's own, whole updates would have shown, for far fewer bytes."""

import re
from contextlib import asynccontextmanager

import pytest
from rich.cells import cell_len
from rich.color import ColorSystem
from textual._compositor import ChopsUpdate, CompositorUpdate

from nnplay.tui.app import make_app
from nnplay.tui.frames import Frame, switch
from tests.tui.helpers import SMALL, settle

SEQUENCE = re.compile(r"\x1b\[(\d+);(\d+)H|\x1b\[([\d;]*)m|\x1b\]8;[^\x1b]*\x1b\\|\n|(.)", re.S)


NO_STYLE: tuple[frozenset[str], str, str] = (frozenset(), "", "")
OFF = {
    "22": {"1", "2"},
    "23": {"3"},
    "24": {"4", "21"},
    "25": {"5", "6"},
    "27": {"7"},
    "28": {"8"},
    "29": {"9"},
}
"""What each code that turns attributes off turns off."""


class Terminal:
    """Just enough of a terminal for what Textual and a Frame write: cursor moves, colours
    (the codes in force since the last reset), links, wide characters."""

    def __init__(self, width: int, height: int) -> None:
        self.width = width
        self.cells = [[(" ", NO_STYLE)] * width for _ in range(height)]
        self.x = self.y = 0
        self.codes: tuple[frozenset[str], str, str] = NO_STYLE
        """The attributes, foreground and background in force."""

    def feed(self, stream: str) -> None:
        for match in SEQUENCE.finditer(stream):
            row, column, sgr, char = match.groups()
            if row is not None:
                self.y, self.x = int(row) - 1, int(column) - 1
            elif sgr is not None:
                self.style(sgr.split(";") if sgr else ["0"])
            elif char is not None:
                width = cell_len(char)
                if width == 0:
                    continue
                line = self.cells[self.y]
                if line[self.x][0] == "" and self.x > 0:  # over the second half of a wide one
                    line[self.x - 1] = (" ", NO_STYLE)
                if cell_len(line[self.x][0]) == 2 and self.x + 1 < self.width:  # over its first half
                    line[self.x + 1] = (" ", NO_STYLE)
                line[self.x] = (char, self.codes)
                if width == 2 and self.x + 1 < self.width:
                    line[self.x + 1] = ("", self.codes)
                self.x += width

    def style(self, codes: list[str]) -> None:
        """Follow an SGR sequence: a reset, attributes on and off, colours."""
        attributes, foreground, background = self.codes
        while codes:
            code = codes.pop(0)
            if code in ("38", "48"):
                colour = ";".join([code] + [codes.pop(0) for _ in range(2 if codes[0] == "5" else 4)])
                foreground, background = (colour, background) if code == "38" else (foreground, colour)
            elif code in ("0", ""):  # an empty one is a 0
                attributes, foreground, background = NO_STYLE
            elif code in OFF:
                attributes = attributes - OFF[code]
            elif code == "39" or code == "49":
                foreground, background = ("", background) if code == "39" else (foreground, "")
            elif 30 <= int(code) <= 37 or 90 <= int(code) <= 97:
                foreground = code
            elif 40 <= int(code) <= 47 or 100 <= int(code) <= 107:
                background = code
            else:
                attributes = attributes | {code}
        self.codes = (attributes, foreground, background)

    def differences(self, other: "Terminal") -> list[tuple[int, int, object, object]]:
        """(row, column, this cell, the other's) where they differ."""
        return [
            (y, x, mine, theirs)
            for y, (line, their_line) in enumerate(zip(self.cells, other.cells, strict=True))
            for x, (mine, theirs) in enumerate(zip(line, their_line, strict=True))
            if mine != theirs
        ]

    def text(self) -> str:
        return "\n".join("".join(c for c, _ in line) for line in self.cells)


SCENES = {
    # training on the main screen, a view over it, a dialog over that, and back
    "views": (
        False,
        [["space"], ["right", "right"], ["w"], ["escape", "ctrl+o"], ["escape", "c"], ["escape"]],
    ),
    # the terminal's own colours; notices, the help, the palette, a chooser
    "dialogs": (
        True,
        [
            ["<"],
            ["space"],
            ["question_mark"],
            ["pagedown"],
            ["escape", "ctrl+p"],
            ["m", "o"],
            ["escape", "D"],
            ["escape"],
            ["d", "space", "right", "space"],
            ["escape"],
        ],
    ),
}


@pytest.mark.parametrize("scene", SCENES)
async def test_the_terminal_shows_what_whole_updates_would_for_far_fewer_bytes(scene):
    low_bandwidth, presses = SCENES[scene]
    app = make_app(SMALL, low_bandwidth=low_bandwidth)
    updates: list[CompositorUpdate] = []
    async with app.run_test(size=(80, 24)) as pilot:
        display = app._display

        def captured(screen, renderable):
            if isinstance(renderable, CompositorUpdate):
                updates.append(renderable)
            display(screen, renderable)

        app._display = captured  # headless, Textual writes nothing: this sees what it would
        await settle(app, pilot)
        app.refresh(layout=True)
        await pilot.pause()
        for keys in presses:
            await pilot.press(*keys)
            await settle(app, pilot)
        # as the app renders: Textual caches a style's codes for the first colour system asked
        colours = app.console._color_system or ColorSystem.TRUECOLOR
    whole, changes = Terminal(80, 24), Terminal(80, 24)
    frame = Frame()
    sent = {"whole": 0, "changes": 0}
    partial = 0
    for update in updates:
        stream = update.render_segments(app.console)
        whole.feed(stream)
        sent["whole"] += len(stream)
        changed = frame.changes(update, colours)
        partial += changed is not None
        stream = stream if changed is None else changed
        changes.feed(stream)
        sent["changes"] += len(stream)
        assert changes.cells == whole.cells, changes.differences(whole)
    assert partial > 10 and partial < len(updates)  # both kinds were exercised
    assert sent["changes"] < sent["whole"] / 3, sent


def chops_update(text: str, style: str = "") -> ChopsUpdate:
    """One line of 20 cells, all of it updated."""
    from rich.segment import Segment
    from rich.style import Style
    from textual.strip import Strip

    strip = Strip([Segment(text + " " * (20 - cell_len(text)), Style.parse(style) if style else None)])
    return ChopsUpdate([{0: strip}], [(0, 0, 20)], [[20]])


def test_an_unchanged_line_sends_nothing_and_a_changed_cell_little():
    frame = Frame()
    first = frame.changes(chops_update("loss 0.1234", "bold"), ColorSystem.TRUECOLOR)
    assert "loss 0.1234" in first
    assert frame.changes(chops_update("loss 0.1234", "bold"), ColorSystem.TRUECOLOR) == ""
    again = frame.changes(chops_update("loss 0.1229", "bold"), ColorSystem.TRUECOLOR)
    assert "29" in again and "loss" not in again


def test_a_wide_character_is_never_sent_by_halves():
    frame, terminal = Frame(), Terminal(20, 1)
    for text in ("ab字cd", "abx字d", "abxycd", "ab字cd"):
        terminal.feed(frame.changes(chops_update(text), ColorSystem.TRUECOLOR))
        assert terminal.text() == text + " " * (20 - cell_len(text))


@asynccontextmanager
async def app_with_a_frame():
    """The app at 80x24, and a Frame it sends through that holds a line as shown."""
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app._frame = frame = Frame()
        frame.changes(chops_update("what the terminal shows"), ColorSystem.TRUECOLOR)
        yield app, pilot, frame


async def test_ctrl_l_sends_the_whole_screen_again():
    async with app_with_a_frame() as (_, pilot, frame):
        await pilot.press("ctrl+l")
        assert frame.lines == []  # nothing taken as shown: every cell goes out again


@pytest.mark.parametrize(
    "keys",
    [("question_mark",), ("D",), ("ctrl+o",), ("ctrl+p",), ("w", "question_mark"), ("tiny",)],
    ids=["help", "data sets", "load", "palette", "help over a view", "too small"],
)
async def test_ctrl_l_sends_the_whole_screen_again_over_a_dialog_or_too_small(keys):
    # Found under nnplay serve in Chromium: a modal screen (help, a dialog, the palette) ends
    # the app's bindings, so ctrl+l did nothing there, and the too-small screen refused it;
    # text written over the screen stayed until the dialog closed, or for good
    async with app_with_a_frame() as (app, pilot, frame):
        if keys == ("tiny",):
            await pilot.resize_terminal(40, 12)
            await pilot.pause()
        else:
            await pilot.press(*keys)
        await settle(app, pilot)
        frame.changes(chops_update("what the terminal shows"), ColorSystem.TRUECOLOR)
        assert frame.lines != []
        await pilot.press("ctrl+l")
        assert frame.lines == []


async def test_a_resize_or_a_return_from_ctrl_z_forgets_what_the_terminal_showed():
    async with app_with_a_frame() as (app, pilot, frame):
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert frame.lines == []  # the terminal reflowed or cleared it
        frame.changes(chops_update("before"), ColorSystem.TRUECOLOR)
        app.app_resume_signal.publish(app)  # the shell's output over it
        await pilot.pause()
        assert frame.lines == []


async def test_a_textual_whose_private_parts_moved_sends_its_own_whole_updates(monkeypatch):
    # frames.py reads Textual 8.2's App._display checks and its compositor's updates: a
    # release that moved them must not put a traceback over the screen, nor a blank one
    from textual.app import App

    from nnplay.tui.frames import FramesMixin

    def moved(self, renderable):
        raise AttributeError("'App' object has no attribute '_batch_count'")

    async with app_with_a_frame() as (app, _, frame):
        sent: list[object] = []
        update = chops_update("what Textual made")
        # a context of its own: monkeypatch.undo() would also undo the scratch folders
        with monkeypatch.context() as patch:
            patch.setattr(App, "_display", lambda self, screen, renderable: sent.append(renderable))
            patch.setattr(FramesMixin, "_changes_only", moved)
            app._display(app.screen, update)
            assert sent == [update] and frame.lines == []
        monkeypatch.setattr(App, "_display", lambda self, screen, renderable: sent.append(renderable))
        app._display(app.screen, update)  # from then on as Textual makes them, untried
        assert sent == [update, update]


@pytest.mark.parametrize("low_bandwidth", [False, True])
async def test_on_a_slow_link_a_fields_cursor_does_not_blink(low_bandwidth):
    from textual.widgets import Input

    app = make_app(SMALL, low_bandwidth=low_bandwidth)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        for keys in (
            ["ctrl+o"],
            ["escape", "ctrl+p"],
            ["escape", "tab", "enter"],
        ):  # load, palette, a setting
            await pilot.press(*keys)
            await pilot.pause()
            field = app.focused
            assert isinstance(field, Input)
            assert field.cursor_blink is not low_bandwidth


STYLES = [
    "",
    "1",
    "2",
    "1;2",
    "1;38;5;246;48;5;233",
    "1;38;5;253;48;5;233",
    "38;5;239;48;5;233",
    "2;7;38;2;10;20;30",
    "7;31;40",
    "4;9;97;104",
    "3;21;53;39;49",
]
"""Codes as Strip.render_ansi writes them: attributes, then colours of each kind."""


@pytest.mark.parametrize("before", STYLES)
def test_a_change_of_colour_sends_what_changes_and_leaves_the_style_written(before):
    for after in STYLES:
        changed, whole = Terminal(1, 1), Terminal(1, 1)
        changed.feed(f"\x1b[0;{before}m" + switch(before, after))
        whole.feed(f"\x1b[0;{after}m")
        assert changed.codes == whole.codes, (before, after, switch(before, after))
    assert len(switch("1;38;5;246;48;5;233", "1;38;5;253;48;5;233")) < len("\x1b[0;1;38;5;253;48;5;233m") / 2
