"""Without colour (NO_COLOR) and in the terminal's own 16 colours: nothing is told by colour
alone, and no text is drawn in its ground's colour."""

import pytest

from nnplay.core.config import TrainConfig
from nnplay.tui.app import make_app
from tests.tui.helpers import SMALL, settle


@pytest.mark.parametrize("low_bandwidth", [False, True])
async def test_no_color_with_the_terminals_own_colours_drops_colour_not_the_text(monkeypatch, low_bandwidth):
    from textual.filter import Monochrome, NoColor

    # Greyscale of the terminal's own colours came out black on black: all text unreadable.
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(TrainConfig(layers=(64, 8, 10), epochs=1), low_bandwidth=low_bandwidth, ansi=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.current_theme.name == "ansi-dark"
        assert any(isinstance(f, NoColor) for f in app._filters)
        assert not any(isinstance(f, Monochrome) for f in app._filters)


@pytest.mark.parametrize("value", ["1", ""], ids=["NO_COLOR=1", "NO_COLOR empty"])
async def test_without_colour_a_warning_or_an_error_says_so_in_words(monkeypatch, value):
    from textual.widgets import Input

    # An empty NO_COLOR took the colours (Textual reads it as set) but not our marks.
    monkeypatch.setenv("NO_COLOR", value)
    app = make_app(SMALL, ansi=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.notify("cannot save x.npz", severity="error")
        app.notify("q again quits", severity="warning")
        app.notify("Saved x.npz")
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert said[-3:] == ["Error: cannot save x.npz", "Warning: q again quits", "Saved x.npz"]
        await pilot.press("tab", "down", "enter")  # editing the learning rate: the cursor shows
        cursor = app.query_one("#edit", Input).get_component_rich_style("input--cursor")
        assert cursor.reverse


async def test_the_terminals_own_colours_never_draw_text_in_its_ground_colour():
    # --low-bandwidth and --ansi: the plots' axes and ticks came out black on black (the ANSI
    # theme's colours parse as black RGB), and faint ink of a digit grey on the same grey.
    from rich.color import ColorSystem, ColorType
    from textual.geometry import Region

    from nnplay.tui.widgets.digit_viewer import SHADES, DigitViewer

    def hidden(style) -> bool:
        if not (style and style.color and style.bgcolor):
            return False
        if ColorType.DEFAULT in (style.color.type, style.bgcolor.type):
            return False
        return style.color.downgrade(ColorSystem.STANDARD) == style.bgcolor.downgrade(ColorSystem.STANDARD)

    app = make_app(TrainConfig(layers=(64, 16, 10), epochs=2), low_bandwidth=True)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("escape", "space")
        await settle(app, pilot)
        for widget in (app.query_one("#loss-plot"), app.query_one(DigitViewer)):
            segments = [s for strip in widget.render_lines(Region(0, 0, *widget.size)) for s in strip]
            assert not [s.text for s in segments if s.text.strip() and hidden(s.style)]
        ink = [s for s in segments if s.text.strip() and set(s.text) <= set(SHADES)]
        assert ink and all(  # the glyph alone draws the ink, as without colour
            not s.style or s.style.color is None or s.style.color.type == ColorType.DEFAULT for s in ink
        )
        # A notice: its text was the terminal's own colour on a black box, black on black on
        # a light terminal. Now the terminal's own text on its own ground.
        from textual.widgets._toast import Toast

        app.notify("Your unsaved network is kept: ctrl+o loads it.")
        await pilot.pause(0.3)
        toast = app.query_one(Toast)
        lines = toast.render_lines(Region(0, 0, *toast.outer_size))
        words = [s for strip in lines for s in strip if "kept" in s.text]
        assert words and all(
            s.style.bgcolor is None or s.style.bgcolor.type == ColorType.DEFAULT for s in words
        )


@pytest.mark.parametrize("ansi", [False, True], ids=["theme", "ansi"])
async def test_with_colour_too_a_warning_or_an_error_says_so_in_words(ansi):
    # Its bar's colour was all that told it: to red-green colour blindness the orange
    # warning's bar is the green notice's.
    app = make_app(SMALL, ansi=ansi)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.notify("cannot save x.npz", severity="error")
        app.notify("q again quits", severity="warning")
        app.notify("Saved x.npz")
        app.notify("lr 2 blew the weights up", title="Training diverged", severity="error")
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert said[-4:] == [
            "Error: cannot save x.npz",
            "Warning: q again quits",
            "Saved x.npz",
            "lr 2 blew the weights up",
        ]


@pytest.mark.parametrize(
    "ansi, no_color", [(True, False), (True, True), (False, True)], ids=["ansi", "ansi NO_COLOR", "NO_COLOR"]
)
async def test_the_palettes_chosen_command_is_marked_without_colour(monkeypatch, ansi, no_color):
    from textual.command import CommandList

    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(SMALL, ansi=ansi)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p", *"step", "down")  # Single step, then Train slower...
        await pilot.pause()
        commands = app.screen.query_one(CommandList)
        lines = commands.render_lines(commands.size.region)

        def underlined(text: str) -> bool:
            (line,) = [strip for strip in lines if text in strip.text]
            return all(s.style and s.style.underline for s in line if s.text.strip())

        chosen = commands.get_option_at_index(commands.highlighted).prompt
        title = str(chosen).splitlines()[0]
        others = [str(o.prompt).splitlines()[0] for o in commands.options if o.prompt is not chosen]
        assert underlined(title) and not any(underlined(other) for other in others if other)


FAINT_ON_WHITE = {2, 3, 6, 7, 10, 11, 14, 15}
"""The terminal's green, yellow, cyan and white, and their bright forms: 2.2:1 or less on a white ground."""


def faint_on_white(segments) -> list[str]:
    """The visible text drawn in one of those colours, as a 16-colour terminal gets it (Rich
    sends an RGB colour there as its nearest of the 16)."""
    from rich.color import ColorSystem, ColorType

    def faint(color) -> bool:
        return (
            color.type != ColorType.DEFAULT and color.downgrade(ColorSystem.STANDARD).number in FAINT_ON_WHITE
        )

    return [s.text for s in segments if s.text.strip() and s.style and s.style.color and faint(s.style.color)]


async def test_the_terminals_own_colours_draw_mistakes_and_verdicts_in_colours_a_light_ground_keeps():
    # On a light terminal the confusion matrix's mistakes were bold yellow on white (1.7:1; a
    # terminal that shows bold as bright, 1.1:1), the gradient check's "ok" green (2.2:1).
    from rich.console import Console
    from textual.geometry import Region

    from nnplay.core.gradcheck import SampledCheck
    from nnplay.tui.views.gradcheck_view import results_table
    from nnplay.tui.views.mistakes import ConfusionMatrix

    def shown(widget) -> list:
        return [s for strip in widget.render_lines(Region(0, 0, *widget.size)) for s in strip]

    app = make_app(SMALL, ansi=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("space")
        await settle(app, pilot)
        await pilot.press("c")
        await settle(app, pilot)
        confusion = app.screen.query_one(ConfusionMatrix)
        counts = confusion.result.matrix
        assert counts.sum() > counts.trace()  # mistakes to draw
        assert not faint_on_white(shown(confusion))
        await pilot.press("escape", "g")
        await settle(app, pilot)
        results = shown(app.screen.query_one("#gradcheck-results"))
        assert any("ok" in s.text for s in results) and not faint_on_white(results)
    checks = [SampledCheck(name, error, 1, 1) for name, error in (("a", 1e-9), ("b", 1e-5), ("c", 1.0))]
    console = Console(color_system="standard", force_terminal=True, width=80)
    table = list(console.render(results_table(checks, ansi=True)))
    assert {"ok", "suspicious", "wrong"} <= {word for s in table for word in s.text.split()}
    assert not faint_on_white(table)


def contrast(style) -> float:
    """WCAG contrast ratio of a segment's text colour against its ground (both truecolor)."""

    def luminance(color) -> float:
        def channel(v: int) -> float:
            v_ = v / 255
            return v_ / 12.92 if v_ <= 0.03928 else ((v_ + 0.055) / 1.055) ** 2.4

        r, g, b = color.triplet
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)

    lighter, darker = sorted((luminance(style.color), luminance(style.bgcolor)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize("no_color", [False, True], ids=["theme", "NO_COLOR"])
async def test_what_an_unfocused_border_says_reads(monkeypatch, no_color, size):
    # The loss plot's key (which line is training, which test), "Test sample", a draft's
    # "(changed)", the keys: in the faint border's own grey, 2.2:1, lost on a projector.
    from textual.geometry import Region

    from nnplay.tui.widgets.architecture import ArchitectureEditor
    from nnplay.tui.widgets.digit_viewer import DigitViewer
    from nnplay.tui.widgets.loss_plot import MetricPlot

    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(SMALL)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await pilot.press("space")
        await settle(app, pilot)
        await pilot.press("tab")  # the Network pane's border is now unfocused too
        for pane, words in (
            (ArchitectureEditor, "Network"),
            (DigitViewer, "Test sample"),
            (MetricPlot, "train"),
        ):
            widget = app.query_one(pane)
            assert not widget.has_focus
            lines = widget.render_lines(Region(0, 0, *widget.outer_size))
            said = [
                s for strip in (lines[0], lines[-1]) for s in strip if s.text.strip() and s.text.isprintable()
            ]
            found = [s for s in said if words.split()[0] in s.text]
            assert found and min(contrast(s.style) for s in found) >= 4.5, (pane, [s.text for s in said])


async def test_the_terminals_own_colours_draw_the_test_curve_in_one_a_light_ground_keeps():
    # --low-bandwidth on a terminal with a white ground (macOS Terminal's own): the test
    # curve's dots, and the key's, were green, 2.2:1
    from textual.geometry import Region

    app = make_app(SMALL, low_bandwidth=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("space")
        await settle(app, pilot)
        plot = app.query_one("#loss-plot")
        segments = [s for strip in plot.render_lines(Region(0, 0, *plot.outer_size)) for s in strip]
        dots = [s for s in segments if "•" in s.text]
        assert len(dots) > 1  # the curve's and the key's
        assert not faint_on_white(segments)


@pytest.mark.parametrize("view", ["weights", "boundary"])
async def test_the_terminals_own_colours_draw_signs_in_colours_a_light_ground_keeps(view):
    # The orange and blue ramps, sent to a 16-colour terminal, fell into grey, then yellow
    # or cyan (1.7:1 and 2:1 on white), then bright red or blue.
    from textual.geometry import Region
    from textual.widgets import Static

    config = SMALL if view == "weights" else TrainConfig(dataset="moons", layers=(2, 16, 1), epochs=30)
    app = make_app(config, ansi=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("space")
        await settle(app, pilot)
        await pilot.press("w" if view == "weights" else "b")
        await settle(app, pilot)
        await pilot.pause()
        shown = [
            s
            for widget in app.screen.query(Static).results()
            for strip in widget.render_lines(Region(0, 0, *widget.outer_size))
            for s in strip
        ]
        if view == "weights":
            grid = app.screen.query_one("TileGrid")
            shown += [s for strip in grid.render_lines(Region(0, 0, *grid.outer_size)) for s in strip]
        assert any(s.style and s.style.color and s.text.strip() in ("▓▓", "●●", "x", "o") for s in shown)
        assert not faint_on_white(shown)


@pytest.mark.parametrize("key", ["question_mark", "ctrl+o", "D"], ids=["help", "load", "data sets"])
async def test_the_terminals_own_colours_title_a_dialog_in_its_text_colour(key):
    # "Load a network (.npz)", "in ~/class" (where it looks), the help's "esc closes": green
    # on a light terminal, 2.2:1
    from textual.geometry import Region

    app = make_app(SMALL, ansi=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press(key)
        await pilot.pause()
        box = app.screen.query_one("#help" if key == "question_mark" else "#dialog")
        lines = box.render_lines(Region(0, 0, *box.outer_size))
        title = [s for s in lines[0] if any(c.isalpha() for c in s.text)]
        assert title and not faint_on_white(title)


async def test_the_terminals_own_colours_draw_the_helps_bullets_in_its_text_colour():
    # Textual's Markdown draws its bullets in the theme's blue: 2.2:1 on a dark terminal's black.
    from rich.color import ColorType
    from textual.geometry import Region

    app = make_app(SMALL, ansi=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        from textual.widgets._markdown import MarkdownBullet

        marks = app.screen.query(MarkdownBullet)
        lines = [line for w in marks for line in w.render_lines(Region(0, 0, *w.size))]
        bullets = [s.style.color if s.style else None for line in lines for s in line if s.text.strip()]
        assert bullets
        assert all(color is None or color.type == ColorType.DEFAULT for color in bullets)
