"""What a dialog hides is not drawn: neither Textual's repaint of it through the dialog's
shade, nor the panes' progress (nnplay/tui/cover.py). What shows is drawn as before."""

import numpy as np
import pytest
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.screen import ModalScreen
from textual.widgets import Static

from nnplay.tui.app import make_app
from nnplay.tui.cover import Underneath, covers, hidden, uncovered
from nnplay.tui.messages import Progress
from nnplay.tui.widgets.controls import Status
from nnplay.tui.widgets.digit_viewer import DigitViewer
from nnplay.tui.widgets.loss_plot import MetricPlot
from tests.tui.helpers import SMALL, settle


def cells(regions):
    return {(x, y) for r in regions for x in range(r.x, r.right) for y in range(r.y, r.bottom)}


def test_what_no_cover_hides_is_every_cell_of_the_regions_outside_the_covers_once():
    rng = np.random.default_rng(0)

    def region():
        x, y = rng.integers(0, 20, size=2)
        w, h = rng.integers(0, 12, size=2)
        return Region(int(x), int(y), int(w), int(h))

    for _ in range(300):
        regions = [region() for _ in range(rng.integers(1, 4))]
        hiding = [region() for _ in range(rng.integers(0, 4))]
        left = uncovered(regions, hiding)
        assert cells(left) == cells(regions) - cells(hiding)
        for one in regions:  # each in pieces that do not overlap
            pieces = uncovered([one], hiding)
            assert sum(piece.area for piece in pieces) == len(cells(pieces)) and all(p.area for p in pieces)


def progress(app, samples_per_s: float | None = 1000.0):
    """A progress message as the training thread posts it, with a batch loss of 0.123."""
    return Progress(app.session.generation, 0.123, app.session.history(), samples_per_s)


def spy_on_panes(monkeypatch) -> list[str]:
    """The names of the panes' draws of progress, as they come."""
    drawn: list[str] = []
    for cls, method in ((Status, "show"), (DigitViewer, "show_output"), (MetricPlot, "update")):
        original = getattr(cls, method)

        def spy(self, *args, _original=original, _name=cls.__name__):
            drawn.append(_name)
            return _original(self, *args)

        monkeypatch.setattr(cls, method, spy)
    return drawn


async def test_under_the_help_the_panes_wait_for_it_to_close(monkeypatch):
    # Each message redrew the panes, and Textual the screen under the help: three times
    # the UI's CPU on the main screen. At 80x24 the help leaves none of them in view.
    drawn = spy_on_panes(monkeypatch)
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("s")  # a step: probabilities and figures to draw
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert all(hidden(pane) for pane in (app.query_one(Status), app.query_one(DigitViewer)))
        drawn.clear()
        for _ in range(3):
            app.on_progress(progress(app, None))  # each also a plot's
        assert drawn == [] and app._panes_behind
        await pilot.press("escape")
        await pilot.pause()
        assert sorted(set(drawn)) == ["DigitViewer", "MetricPlot", "Status"] and not app._panes_behind
        assert "0.123" in str(app.query_one(Status).text)  # the last message's loss


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (111, 24), (112, 24), (120, 40)])
async def test_beside_the_help_no_pane_shows_a_sliver_that_stops_drawing(size):
    # At 80x24 the help left 4 columns a side: "lo" of the status's "loss", the plot's last
    # columns, frozen until it closed (too little of them to count as shown), and in the row
    # below it the plot's key, its figure for the run before frozen too.
    app = make_app(SMALL)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        boxes = covers(app.screen)
        panes = [app.query_one(Status), app.query_one(DigitViewer)]
        panes += [plot for plot in app.query(MetricPlot) if plot.display]
        for pane in panes:
            shown = uncovered([pane.content_region], boxes)
            if hidden(pane):  # of it, at most its top border shows: a title progress leaves be
                assert all(
                    part.y == pane.region.y and part.height == 1 for part in uncovered([pane.region], boxes)
                )
            else:  # drawn as it changes, and enough of it to read ("loss")
                assert shown and min(part.width for part in shown) >= 4


async def test_under_the_load_dialog_the_panes_it_leaves_in_view_keep_up(monkeypatch):
    drawn = spy_on_panes(monkeypatch)
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+o")  # at 80x24 the status shows under it
        await pilot.pause()
        assert not hidden(app.query_one(Status))
        drawn.clear()
        app.on_progress(progress(app, None))
        assert "Status" in drawn and "0.123" in str(app.query_one(Status).text)


async def test_over_a_view_the_panes_count_as_hidden():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        status = app.query_one(Status)
        assert not hidden(status)
        await pilot.press("w")
        await pilot.pause()
        assert hidden(status)
        await pilot.press("ctrl+o")  # a dialog over the view: the view still hides the panes
        await pilot.pause()
        assert hidden(status)


class Dialog(ModalScreen[None]):
    DEFAULT_CSS = """
    Dialog { align: center middle; }
    Dialog Static { width: 40; height: 10; border: heavy red; background: $surface; }
    """

    def compose(self) -> ComposeResult:
        yield Static("a dialog")


class Below(App[None]):
    """One line at the top, beside the dialog; one in the middle, under it."""

    CSS = "#middle { offset: 30 8; width: 12; height: 1; } #top { height: 1; }"

    def get_default_screen(self) -> Underneath:
        return Underneath(id="_default")

    def compose(self) -> ComposeResult:
        yield Static("top", id="top")
        yield Static("middle", id="middle")


async def watch_dialog(app: Below, pilot) -> tuple[Dialog, list[tuple[Region, ...]]]:
    """Open the dialog; the regions Textual asks it to repaint from then on."""
    dialog = Dialog()
    await app.push_screen(dialog)
    await pilot.pause()
    asked: list[tuple[Region, ...]] = []
    refresh = dialog.refresh
    dialog.refresh = lambda *regions, **kw: asked.append(regions) or refresh(*regions, **kw)  # type: ignore[method-assign]
    return dialog, asked


async def test_a_change_under_a_dialogs_box_is_not_drawn_through_it():
    # Textual repainted the changed region on the dialog's screen, then, at the next change,
    # all of the screen under it.
    app = Below()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog, asked = await watch_dialog(app, pilot)
        (box,) = covers(dialog)
        for _ in range(2):
            app.screen_stack[0].query_one("#middle", Static).update("changed")
            await pilot.pause()
        assert not any(region.overlaps(box) for regions in asked for region in regions)
        app.screen_stack[0].query_one("#top", Static).update("changed_at_the_top")  # in view
        await pilot.pause()
        assert asked and all(region == Region(0, 0, 80, 1) for region in asked[-1])
        assert "changed_at_the_top" in app.export_screenshot()


async def test_what_the_box_hid_shows_as_it_is_when_the_box_shrinks_or_goes():
    app = Below()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog, _ = await watch_dialog(app, pilot)
        app.screen_stack[0].query_one("#middle", Static).update("changed")
        await pilot.pause()
        assert "changed" not in app.export_screenshot()  # under the box
        dialog.query_one(Static).styles.height = 3  # rows 10-12: the middle line, row 9, shows
        await pilot.pause()
        assert "changed" in app.export_screenshot()
        app.screen_stack[0].query_one("#middle", Static).update("again")
        dialog.query_one(Static).styles.height = 10
        await pilot.pause()
        app.pop_screen()
        await pilot.pause()
        assert "again" in app.export_screenshot()
