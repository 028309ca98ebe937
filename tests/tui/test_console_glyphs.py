"""On the Linux console (TERM=linux) the app draws no character its fonts lack: the loss
plot's braille curve came out as a row of diamonds there, or blanks."""

import re

from textual.geometry import Region

from nnplay.tui.app import make_app
from nnplay.tui.widgets.loss_plot import MetricPlot
from tests.tui.helpers import SMALL, settle

BRAILLE = re.compile("[\u2800-\u28ff]")
LACKED = "▓▌▋▊▉▏▎▍‖○✓▁▂▃▄▅▆▇"
"""Missing from the Linux console's fonts too (glyphs.py), and drawn elsewhere on the main
screen or the help."""


def cells(text: str, pattern: str) -> set[tuple[int, int]]:
    """The (row, column) of each character of ``text`` that ``pattern`` matches."""
    lines = enumerate(text.splitlines())
    return {(row, m.start()) for row, line in lines for m in re.finditer(pattern, line)}


def app_under(monkeypatch, term: str):
    """The app for SMALL, started under TERM=``term`` in a terminal, not a browser's tab."""
    monkeypatch.setenv("TERM", term)
    monkeypatch.delenv("TEXTUAL_DRIVER", raising=False)  # set for nnplay serve's tabs alone
    return make_app(SMALL)


async def main_screen(monkeypatch, term: str) -> tuple[str, str]:
    """The loss plot's lines and the whole screen's text at 80x24 under TERM=``term``, once
    SMALL has trained, with a size being typed in the Network pane (its cursor showing)."""
    app = app_under(monkeypatch, term)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("space")
        await settle(app, pilot)
        await pilot.press("3")
        await pilot.pause()
        plot = app.query_one("#loss-plot", MetricPlot)
        plotted = "\n".join(strip.text for strip in plot.render_lines(Region(0, 0, *plot.outer_size)))
        return plotted, drawn(app)


def drawn(app) -> str:
    """The text on the app's screen as drawn, filters and all."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def test_the_plot_draws_its_braille_curve_in_dots_on_the_linux_console_alone(monkeypatch):
    plotted, _ = await main_screen(monkeypatch, "xterm-256color")
    braille = cells(plotted, BRAILLE.pattern)
    assert braille  # the training curve, and the key's ⡇
    on_console, _ = await main_screen(monkeypatch, "linux")
    assert not BRAILLE.search(on_console)
    # the curve in the same cells, a dot in each, told from the test dots by its size
    assert cells(on_console, "·") == braille
    assert "· train  • test" in on_console


async def test_nothing_on_the_main_screen_is_missing_from_the_linux_consoles_fonts(monkeypatch):
    _, elsewhere = await main_screen(monkeypatch, "xterm-256color")
    assert set(LACKED) & set(elsewhere)  # the typed size's cursor ▏, the digit's ▓, ...
    _, on_console = await main_screen(monkeypatch, "linux")
    assert not set(LACKED) & set(on_console)
    assert len(on_console) == len(elsewhere)  # a cell for a cell: nothing moved


def test_a_browsers_tab_is_not_the_linux_console_whatever_the_servers_term(monkeypatch):
    from nnplay.tui.glyphs import linux_console

    monkeypatch.setenv("TERM", "linux")
    monkeypatch.delenv("TEXTUAL_DRIVER", raising=False)
    assert linux_console()
    monkeypatch.setenv("TEXTUAL_DRIVER", "textual.drivers.web_driver:WebDriver")  # as serve sets it
    assert not linux_console()


async def test_the_helps_scrollbar_draws_on_the_linux_console_too(monkeypatch):
    # at 80x24 the help's scrollbar is the one sign that it goes on; its ends are part-cells
    shown = {}
    for term in ("xterm-256color", "linux"):
        app = app_under(monkeypatch, term)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            await pilot.press("question_mark")
            await pilot.pause()
            shown[term] = drawn(app)
    assert set("▁▂▃▄▅▆▇") & set(shown["xterm-256color"])
    assert not set(LACKED) & set(shown["linux"])
