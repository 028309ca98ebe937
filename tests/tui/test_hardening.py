"""The classroom: bad input, divergence, faults, random keys and resizes, a hang-up."""

import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnplay.core.config import TrainConfig
from nnplay.tui.app import NnplayApp, make_app
from nnplay.tui.widgets.controls import FIELDS, TrainingControls
from tests.tui.helpers import SMALL, settle


async def test_divergence_stops_says_why_plots_stay_finite_and_reset_recovers():
    app = make_app(TrainConfig(layers=(64, 16, 10), lr=50.0, epochs=50))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("space")
        await settle(app, pilot)
        assert app.state == "diverged"
        status = str(app.query_one(TrainingControls).status)
        assert "diverged" in status and "batch loss" not in status  # no figures from undone steps
        assert "to fix: lower lr to 0.1" in status  # stays when the notice has gone
        assert not app.session.unsaved  # the weights are back where they started: nothing to keep
        assert any("learning rate" in n.message for n in app._notifications)
        assert np.isfinite(app.session.trainer.net.params).all()
        history = app.session.history()
        assert np.isfinite(history.loss).all() and np.isfinite(history.test_loss).all()
        assert len(history.epoch) == 0  # diverged within the first epoch: nothing to plot,
        assert "diverged: space resumes" in str(app.query_one("#loss-plot").render())  # says why
        await pilot.press("space")  # resumes from the weights put back: at lr 50, diverges again
        await settle(app, pilot)
        assert app.state == "diverged" and np.isfinite(app.session.trainer.net.params).all()
        await pilot.press("tab", "down", "enter", "ctrl+u", *"0.01", "enter")
        assert "to fix" not in str(app.query_one(TrainingControls).status)  # done: lr is 0.01
        await pilot.press("space")
        await settle(app, pilot)  # with the learning rate fixed it trains on, no reset needed
        assert app.state == "finished" and app.session.counts().epoch == 50
        assert not any("diverged" in n.title for n in app._notifications)  # not over the panes now
        assert "to fix" not in str(app.query_one(TrainingControls).status)
        await pilot.press("r")
        await settle(app, pilot)
        assert app.state == "ready"
        assert "press space to train" in str(app.query_one("#loss-plot").render())


async def test_a_single_step_that_blows_the_weights_up_is_a_divergence_not_a_pause():
    # Each step's loss is taken before its update: s at lr 1e30 paused on weights near 1e28,
    # every probability nan%, the status "paused", and ctrl+s or q would save or keep them.
    app = make_app(TrainConfig(layers=(64, 16, 10), epochs=5))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("s")
        await settle(app, pilot)
        start = app.session.trainer.net.params.copy()
        await pilot.press("tab", "down", "enter", "ctrl+u", *"1e30", "enter", "s")
        await settle(app, pilot)
        assert app.session.config.lr == 1e30 and app.state == "diverged"
        assert "to fix: lower lr to 0.1" in str(app.query_one(TrainingControls).status)
        assert any("after step 2 of 45" in n.message for n in app._notifications)
        params = app.session.trainer.net.params
        assert np.isfinite(params).all() and np.abs(params).max() < 10
        assert not np.array_equal(params, start)  # back to the epoch's start, before step 1


async def test_an_exception_in_training_is_shown_and_the_app_stays_usable(monkeypatch):
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)

        def broken():
            raise RuntimeError("the disk caught fire")

        # a context of its own: monkeypatch.undo() also undid the scratch XDG_STATE_HOME,
        # and r then kept the network in the real home's state folder
        with monkeypatch.context() as patch:
            patch.setattr(app.session, "next_record", broken)
            await pilot.press("space")
            await settle(app, pilot)
            assert app.state == "failed"
            assert any("disk caught fire" in n.message for n in app._notifications)
            for key in ("space", "s"):  # once nothing, and nothing said
                app.clear_notifications()
                await pilot.press(key)
                assert app.state == "failed"
                assert any("r starts a fresh one" in n.message for n in app._notifications)
        await pilot.press("r")
        await settle(app, pilot)
        await pilot.press("space")
        await settle(app, pilot)
        assert app.state == "finished"


KEYS = list("srpqxam<>0123456789+-hjkltwcdig?") + [
    "space",
    "tab",
    "shift+tab",
    "enter",
    "escape",
    "up",
    "down",
    "left",
    "right",
    "backspace",
    "delete",
    "ctrl+s",
    "ctrl+o",
    "M",
    "question_mark",
]


def consistent(app: NnplayApp) -> None:
    session = app.session
    assert app.is_running
    assert app.state in ("ready", "running", "paused", "finished", "diverged", "failed")
    assert session.trainer is not None
    assert session.trainer.net.spec.sizes == session.config.layers
    assert np.isfinite(session.trainer.net.params).all()


@pytest.mark.parametrize("seed", [1, 2])
async def test_hundreds_of_random_keys_and_resizes_never_break_the_app(seed):
    rng = random.Random(seed)
    app = make_app(TrainConfig(layers=(64, 16, 10), epochs=40))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        for i in range(300):
            key = rng.choice(KEYS)
            if key in ("q",):
                continue  # quitting is tested elsewhere; here we want the app to stay up
            await pilot.press(key)
            if i % 40 == 0:
                await pilot.resize_terminal(rng.randint(40, 140), rng.randint(12, 50))
            if i % 25 == 0:
                consistent(app)
        await pilot.resize_terminal(40, 12)
        await pilot.pause()
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        consistent(app)


@pytest.mark.parametrize("key", ["pageup", "pagedown"])
async def test_a_page_key_that_arrives_with_ctrl_p_does_not_end_the_app(key):
    from textual import events
    from textual.command import CommandPalette

    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        for name, character in (("ctrl+p", None), (key, None)):  # together, as a slow link sends them
            app.post_message(events.Key(name, character))
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)  # Textual's list paged by lines not yet laid out
        await pilot.press(key)  # laid out now: it pages
        await pilot.press("escape", "escape")
        consistent(app)


async def test_an_enter_that_arrives_with_the_one_that_runs_a_palette_command_is_not_taken_twice():
    from textual import events

    from nnplay.tui.views.draw import DrawView

    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p", *"draw a")
        await pilot.pause(0.5)  # the palette searches in the background
        for _ in range(2):  # together, as a slow link sends them
            app.post_message(events.Key("enter", "\r"))
        await pilot.pause()
        # the second closed the palette again: the screen under it, or the app (ScreenStackError)
        assert isinstance(app.screen, DrawView)
        consistent(app)


@pytest.mark.parametrize("key", ["ctrl+o", "i", "question_mark"])
async def test_a_key_that_arrives_with_the_q_that_quits_opens_nothing_on_the_app_going(key):
    from textual import events

    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        for name in ("q", key):  # together, as a slow link sends them
            app.post_message(events.Key(name, None))
        await pilot.pause()
    # the dialog, view or help was pushed on an app already closing: its widgets never came,
    # and its on_mount's query ended the app with NoMatches instead of a clean quit
    assert app.return_code == 0


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    changes=st.lists(
        st.tuples(st.sampled_from([name for name, _ in FIELDS]), st.text(max_size=12)),
        min_size=40,
        max_size=40,
    )
)
async def test_any_text_in_any_field_is_either_taken_or_refused_with_a_message(changes):
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        controls = app.query_one(TrainingControls)
        for field, text in changes:
            before = app.session.config
            controls.post_message(TrainingControls.Changed(field, text))
            await pilot.pause()
            if app.session.config == before:
                assert controls.message.startswith("✗") or controls.message == ""
            else:
                assert not controls.message.startswith("✗")
            consistent(app)


async def test_a_hang_up_keeps_unsaved_training_and_quits():
    from nnplay.core.serialize import load
    from nnplay.tui.keep import kept_files

    app = make_app(TrainConfig(layers=(64, 16, 10), epochs=10_000))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("space")
        await pilot.pause(0.3)
        app.hang_up()  # what SIGHUP (the SSH link dropped) and SIGTERM call
        await pilot.pause()
        (kept,) = kept_files()
        assert load(kept).epochs_trained == app.session.counts().epoch > 0
    assert app.return_code == 0


async def test_a_hang_ups_deadline_counts_from_the_end_of_the_keep(monkeypatch):
    # The five seconds after which a hung-up app ends regardless began before the keep: a
    # large network saved to a slow disk was cut off midway by os._exit, and lost.
    import signal
    import threading

    happened = []

    class Deadline:
        def __init__(self, seconds, then, args=()):
            self.daemon = False

        def start(self):
            happened.append("deadline")

    app = make_app(TrainConfig(layers=(64, 16, 10), epochs=10_000))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        keep = app.session.keep_on_exit

        def keeping():
            happened.append("keep")
            return keep()

        monkeypatch.setattr(app.session, "keep_on_exit", keeping)
        monkeypatch.setattr(threading, "Timer", Deadline)
        app._on_hang_up(signal.SIGHUP)
        await pilot.pause()
    assert happened == ["keep", "deadline"]
