"""What the app redraws, which over SSH is what it costs: every frame is bytes on the link
(about 6 KB for the digit pane, 28 KB for the weights view, at 80x24)."""

import math
from contextlib import asynccontextmanager

import numpy as np
from textual.geometry import Region

from nnplay.tui.app import make_app
from nnplay.tui.messages import Progress
from nnplay.tui.widgets.digit_viewer import DigitViewer
from nnplay.tui.widgets.loss_plot import MetricPlot
from tests.tui.helpers import SMALL, settle


async def test_moving_to_the_next_digit_draws_the_pane_once_with_the_new_digit(monkeypatch):
    drawn: list[str] = []
    render = DigitViewer.render

    def counted(self):
        drawn.append(str(self.border_title))
        return render(self)

    monkeypatch.setattr(DigitViewer, "render", counted)
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("tab", "tab")
        await pilot.pause()
        drawn.clear()
        await pilot.press("right")
        await pilot.pause()
        # not first the digit before again, drawn as the index changed ahead of the sample
        assert drawn == ["Test sample 2/360"]


async def test_new_probabilities_leave_the_digit_itself_undrawn(size):
    app = make_app(SMALL)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        viewer = app.query_one(DigitViewer)
        asked: list[tuple[Region, ...]] = []
        monkeypatch_refresh = viewer.refresh
        viewer.refresh = lambda *regions, **kw: asked.append(regions) or monkeypatch_refresh(*regions, **kw)
        output = np.roll(viewer.probabilities, 1)
        viewer.show_output(output)
        k = viewer._art_scale()
        digit = Region(0, 0, 16 * k, 8 * k)
        assert len(asked) == 1 and asked[0]  # some regions, not the whole pane
        assert not any(region.overlaps(digit) for region in asked[0])
        await pilot.pause()
        text = str(viewer.render())  # what they redraw is the new output
        guess = int(output.argmax())
        assert f"›{guess}" in text and f"guess {guess}" in text


async def test_training_under_a_view_leaves_the_panes_until_they_show_again(monkeypatch):
    updates: list[str] = []
    for cls, method in ((DigitViewer, "show_output"), (MetricPlot, "update")):
        original = getattr(cls, method)

        def spy(self, *args, _original=original, _name=f"{cls.__name__}.{method}"):
            updates.append(_name)
            return _original(self, *args)

        monkeypatch.setattr(cls, method, spy)
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("i")  # the layer inspector, over the panes
        await pilot.pause()
        updates.clear()
        app._start(None)  # as space does: three epochs, and their progress messages
        await settle(app, pilot)
        assert app.state == "finished" and app._panes_behind
        assert "DigitViewer.show_output" not in updates  # Textual repainted the view for it
        await pilot.press("escape")
        await pilot.pause()
        assert not app._panes_behind
        assert updates.count("DigitViewer.show_output") == 1
        viewer = app.query_one(DigitViewer)
        np.testing.assert_allclose(viewer.probabilities, app.session.predict(viewer.which, viewer.index))
        plot = app.query_one("#loss-plot", MetricPlot)
        assert plot.history is not None and len(plot.history.epoch) == 3


@asynccontextmanager
async def weights_view_open(monkeypatch):
    """The app at 80x24 with the weights view open (28 KB a frame), and the list its redraws
    append to, empty."""
    from nnplay.tui.views.weights import WeightsView

    drawn: list[int] = []
    monkeypatch.setattr(WeightsView, "refresh_from_session", lambda self: drawn.append(1))
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("w")
        await pilot.pause()
        drawn.clear()
        yield app, drawn


def progress(app, samples_per_s):
    return Progress(app.session.generation, 0.5, app.session.history(), samples_per_s)


async def test_a_view_redraws_at_the_plots_rate_while_training_runs_at_full_speed(monkeypatch):
    async with weights_view_open(monkeypatch) as (app, drawn):
        for _ in range(4):  # full speed: a message every half second, a frame each was 56 KB/s
            app.on_progress(progress(app, 1000.0))
        assert len(drawn) == 1
        app.on_progress(progress(app, None))  # a run's last: always
        assert len(drawn) == 2


async def test_changes_under_an_opaque_view_are_not_drawn_over_it_but_under_a_dialog_they_are():
    from nnplay.tui.widgets.file_dialog import FileDialog

    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        main = app.screen
        await pilot.press("w")
        await pilot.pause()
        assert app._background_screens == []  # nothing of the main screen shows: nothing to redraw
        await pilot.press("escape", "ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, FileDialog) and app._background_screens == [main]


async def test_at_a_slow_pace_a_view_redraws_oftener_but_not_at_each_step_posted(monkeypatch):
    # 0.1 epochs a second posts every step (4.5 a second for digits), so a class watches each
    # batch move the digit's probabilities; throttled to the plots' rate a view showed one step
    # in four, and redrawn at each it cost 5-8% of a core (the weights' most).
    from nnplay.tui.training import VIEW_EVERY

    async with weights_view_open(monkeypatch) as (app, drawn):
        app.pace = 0.1
        step = 1 / 4.5
        for _ in range(9):  # two seconds of a message each step, the speed measured as it comes
            app._last_view -= step  # the last redraw a step further back, as if a step passed
            app.on_progress(progress(app, 144.0))
        every = math.ceil(VIEW_EVERY / step)  # every other step
        assert every > 1 and len(drawn) == math.ceil(9 / every)
        app.on_progress(progress(app, None))  # the last: always
        assert drawn[-1:] == [1] and len(drawn) >= 2


def noting(refresh, name: str, drawn: list[str]):
    """``refresh``, noting ``name`` in ``drawn`` at each call."""

    def refresh_counted(*regions, **kwargs):
        drawn.append(name)
        return refresh(*regions, **kwargs)

    return refresh_counted


async def test_what_reads_as_before_is_not_drawn_again():
    # Each progress message sets the status, the digit's probabilities and (each second) the
    # plots; at a slow pace or paused most of them read as they did.
    from nnplay.tui.widgets.controls import Status

    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("s")  # one step: probabilities, a status, and no epoch yet
        await settle(app, pilot)
        app._start(None)
        await settle(app, pilot)  # three epochs: the plots have figures
        status, viewer = app.query_one(Status), app.query_one(DigitViewer)
        plot = app.query_one("#loss-plot", MetricPlot)
        drawn: list[str] = []
        for widget in (status, viewer, plot):
            widget.refresh = noting(widget.refresh, type(widget).__name__, drawn)
        status.show(status.text.copy())
        probabilities = viewer.probabilities.copy()
        viewer.show_output(probabilities + 1e-7 * (np.arange(10) - 4.5))  # not a tenth of a percent
        plot.update(app.session.history(160))
        assert drawn == []
        viewer.show_output(np.roll(probabilities, 1))
        status.show(status.text + "!")
        longer = app.session.history(160)
        plot.update(type(longer)(*(np.append(a, a[-1] / 2) for a in vars(longer).values())))
        assert list(dict.fromkeys(drawn)) == ["DigitViewer", "Status", "MetricPlot"]
