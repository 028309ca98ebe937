"""The gradient check in the app: it runs in a worker and gives every array a verdict."""

import io

import numpy as np
import pytest
from rich.console import Console
from textual.widgets import Static

from nnplay.core.config import TrainConfig
from nnplay.core.gradcheck import TOLERANCE, sample_size
from nnplay.tui.app import make_app
from nnplay.tui.views import gradcheck_view
from nnplay.tui.views.gradcheck_view import GradcheckView
from tests.tui.helpers import settle

SMALL = TrainConfig(layers=(64, 16, 10), epochs=3)
ARRAYS = ["dense_0.W", "dense_0.b", "dense_1.W", "dense_1.b"]


def shown(view: GradcheckView, selector: str) -> str:
    widget = view.query_one(selector, Static)
    console = Console(width=max(widget.content_size.width, 20), file=io.StringIO(), record=True)
    console.print(widget.content)
    return console.export_text()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_the_check_finishes_and_every_array_is_ok(size):
    app = make_app(SMALL)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await pilot.press("space")
        await settle(app, pilot)
        view = GradcheckView(app.session)
        app.push_screen(view)
        await pilot.pause()
        assert view.run == 1  # it started on opening
        await settle(app, pilot)
        assert not view.running and view.outcome is not None
        assert [c.name for c in view.outcome.checks] == ARRAYS
        assert all(c.error < TOLERANCE and c.checked == c.total for c in view.outcome.checks)
        assert view.outcome.epoch == 3 and view.outcome.n_params == 64 * 16 + 16 + 16 * 10 + 10
        table = shown(view, "#gradcheck-results")
        lines = [line for line in table.splitlines() if line.startswith("dense_")]
        assert [line.split()[0] for line in lines] == ARRAYS
        assert all(line.rstrip().endswith("✓ ok") for line in lines)
        for c in view.outcome.checks:
            assert f"{c.error:.1e}" in table
        status = shown(view, "#gradcheck-status")
        assert "every backward() agrees" in status and "1,210 of 1,210 parameters" in status
        assert "float64" in shown(view, "#gradcheck-explanation")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, GradcheckView)


async def test_g_checks_again_and_a_large_network_is_sampled(monkeypatch):
    # as if 1,210 parameters were too many to check whole: the sampled path, quickly
    monkeypatch.setattr(gradcheck_view, "sample_size", lambda net: sample_size(net, full=500))
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        view = GradcheckView(app.session)
        app.push_screen(view)
        await pilot.pause()
        await settle(app, pilot)
        first = view.outcome
        assert first is not None and all(c.ok for c in first.checks)
        assert [(c.checked, c.total) for c in first.checks] == [(51, 1024), (16, 16), (51, 160), (10, 10)]
        assert "51 of 1,024" in shown(view, "#gradcheck-results")
        assert "seeded random sample" in shown(view, "#gradcheck-status")
        await pilot.press("g")
        await settle(app, pilot)
        assert view.run == 2 and view.outcome is not first
        np.testing.assert_array_equal(  # seeded: the same parameters, the same numbers
            [c.error for c in view.outcome.checks], [c.error for c in first.checks]
        )


async def test_progress_names_the_array_being_checked_and_ignores_an_abandoned_run():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        view = GradcheckView(app.session)
        app.push_screen(view)
        await settle(app, pilot)
        view.running = True  # as while a check runs
        view.post_message(GradcheckView.Progressed(view.run - 1, "dense_0.b", 3, 10))
        await pilot.pause()
        assert "dense_0.b" not in shown(view, "#gradcheck-status")  # from an older run
        view.post_message(GradcheckView.Progressed(view.run, "dense_1.W", 1_500, 17_226))
        await pilot.pause()
        assert "▶ checking dense_1.W … (1,500 of 17,226 parameters)" in shown(view, "#gradcheck-status")
        assert "▶ checking…" in shown(view, "#gradcheck-results")


async def test_suspicious_arrays_alone_are_not_called_a_disagreement():
    from nnplay.core.gradcheck import SampledCheck
    from nnplay.tui.views.gradcheck_view import Outcome

    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        view = GradcheckView(app.session)
        app.push_screen(view)
        await pilot.pause()
        await settle(app, pilot)
        checks = [SampledCheck("dense_0.W", 1.5e-6, 1024, 1024), SampledCheck("dense_0.b", 1e-9, 16, 16)]
        outcome = Outcome(checks=checks, n_params=1040, rows=8, epoch=300, trained="epoch 300", seconds=1.0)
        view._show(outcome)  # after 300 epochs: two arrays at 1.5e-6, as a user saw
        status = shown(view, "#gradcheck-status")
        assert "none wrong; 1 of 2 suspicious" in status and "disagree" not in status
        checks.append(SampledCheck("dense_1.W", 0.3, 160, 160))  # a real bug
        view._show(Outcome(checks=checks, n_params=1200, rows=8, epoch=300, trained="epoch 300", seconds=1.0))
        assert "✗ 1 of 3 arrays disagree" in shown(view, "#gradcheck-status")


async def test_the_figures_line_at_80_columns_wraps_between_figures_not_inside_one():
    """Partway into an epoch the line grew to '... · 8 training samples · epoch 100 + 14 steps ·
    1.0' with the 's' alone on the next line."""
    from textual.geometry import Region

    from nnplay.core.gradcheck import SampledCheck
    from nnplay.tui.views.gradcheck_view import Outcome

    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        view = GradcheckView(app.session)
        app.push_screen(view)
        await pilot.pause()
        await settle(app, pilot)
        checks = [SampledCheck("dense_0.W", 1e-9, 8192, 8192)]
        trained = "epoch 100 + 14 steps"
        view._show(Outcome(checks=checks, n_params=17226, rows=8, epoch=100, trained=trained, seconds=1.0))
        await pilot.pause()
        status = view.query_one("#gradcheck-status", Static)  # as Textual draws it, at its width
        lines = [
            strip.text.replace("\u00a0", " ") for strip in status.render_lines(Region(0, 0, *status.size))
        ]
        assert any(line.strip().endswith("1.0 s") for line in lines)
        assert any(trained in line for line in lines)


async def test_arrays_no_gradient_reaches_are_said_to_have_been_compared_with_nothing():
    # 64,1,10 at seed 0: the one ReLU unit outputs 0 on the check's 8 samples, so W0, b0 and
    # W1 get a gradient of 0 and the differences agree, "0.0e+00 ok", which showed nothing
    app = make_app(TrainConfig(layers=(64, 1, 10), epochs=1))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        view = GradcheckView(app.session)
        app.push_screen(view)
        await pilot.pause()
        await settle(app, pilot)
        lines = {line.split()[0]: line for line in shown(view, "#gradcheck-results").splitlines()[1:]}
        assert all("all 0" in lines[name] for name in ARRAYS[:3]) and "all 0" not in lines["dense_1.b"]
        status = " ".join(shown(view, "#gradcheck-status").split())
        assert "nothing to compare" in status and "dense_0.W, dense_0.b and dense_1.W" in status


async def test_regression_is_not_told_its_targets_were_mixed_with_every_class_alike():
    # softened() leaves regression targets as they are; the explanation said otherwise
    app = make_app(TrainConfig(dataset="sine", layers=(1, 8, 1), epochs=1))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        view = GradcheckView(app.session)
        app.push_screen(view)
        await pilot.pause()
        await settle(app, pilot)
        text = " ".join(shown(view, "#gradcheck-explanation").split())
        assert "class" not in text and "targets as they are" in text
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        view = GradcheckView(app.session)
        app.push_screen(view)
        await pilot.pause()
        await settle(app, pilot)
        assert '"every class alike"' in " ".join(shown(view, "#gradcheck-explanation").split())


async def test_a_new_network_while_the_view_is_open_is_checked_afresh():
    # another data set from the palette (or r, or ctrl+o) inside the view: it kept showing the
    # old network's check, 1,210 parameters of digits, under a 65-parameter moons network
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        view = GradcheckView(app.session)
        app.push_screen(view)
        await pilot.pause()
        await settle(app, pilot)
        assert view.outcome is not None and view.outcome.n_params == 1210
        app._switch_dataset("moons")  # as the palette's "Train on moons" does
        await pilot.pause()
        await settle(app, pilot)
        assert app.screen is view and view.run == 2
        assert view.outcome is not None and view.outcome.n_params == 2 * 16 + 16 + 16 + 1
        assert "65 parameters" in str(view.query_one("#gradcheck-body").border_title)
        await pilot.press("space")  # training alone does not start a check: g does (README)
        await settle(app, pilot)
        assert view.run == 2
