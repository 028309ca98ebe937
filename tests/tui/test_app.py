"""Driving the app with keys, as a user would, and checking its state: training, help, the
palette, quitting, terminal sizes and files loaded."""

import re

import numpy as np
import pytest
from textual.widgets import Static

from nnplay.core.config import TrainConfig
from nnplay.core.paths import unused_name
from nnplay.tui.app import make_app
from nnplay.tui.widgets.architecture import ArchitectureEditor
from nnplay.tui.widgets.controls import TrainingControls
from nnplay.tui.widgets.file_dialog import FileDialog
from nnplay.tui.widgets.help import HelpScreen
from nnplay.tui.widgets.too_small import TooSmall
from tests.tui.helpers import SMALL, settle, settle_steps


async def test_space_trains_to_the_set_epochs_and_the_ui_follows(size):
    app = make_app(SMALL)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        assert app.state == "ready" and app.session.counts().epoch == 0
        await pilot.press("space")
        await settle(app, pilot)
        assert app.state == "finished"
        assert app.session.counts().epoch == 3
        history = app.session.history()
        assert list(history.epoch) == [1, 2, 3] and history.test_acc[-1] > history.test_acc[0]
        status = str(app.query_one(TrainingControls).status)
        assert "Epoch 3/3" in status and "finished" in status


async def test_space_pauses_a_run_and_space_resumes_it():
    app = make_app(TrainConfig(epochs=10_000))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("space")
        assert app.state == "running"
        await pilot.press("space")
        await settle(app, pilot)
        assert app.state == "paused"
        paused_at = app.session.counts().step
        assert 0 < paused_at and app.session.counts().epoch < 10_000
        await pilot.pause()
        assert app.session.counts().step == paused_at  # nothing trains while paused
        await pilot.press("space")
        await pilot.press("space")
        await settle(app, pilot)
        assert app.session.counts().step > paused_at


async def test_s_takes_exactly_one_step_and_r_resets(size):
    app = make_app(SMALL)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        fresh = app.session.trainer.net.params.copy()
        await pilot.press("s")
        await settle(app, pilot)
        assert app.session.counts().step == 1 and app.state == "paused"
        assert not np.array_equal(app.session.trainer.net.params, fresh)
        await pilot.press("s", "s")
        await settle(app, pilot)
        assert app.session.counts().step == 3
        await pilot.press("r")
        await settle(app, pilot)
        assert app.session.counts().step == 0 and app.state == "ready"
        assert np.array_equal(app.session.trainer.net.params, fresh)  # same seed, same network
        assert len(app.session.history().epoch) == 0


async def test_esc_with_nothing_else_to_close_clears_the_notices():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.notify("over the Loss pane", timeout=60)
        await pilot.press("minus", "escape")  # the Network pane's draft goes first
        assert not app.query_one(ArchitectureEditor).changed and len(app._notifications) == 1
        await pilot.press("escape")
        assert len(app._notifications) == 0
        app.notify("again", timeout=60)
        await pilot.press("tab", "enter", "escape")  # a Training field's edit goes first
        assert not app.query_one(TrainingControls).editing and len(app._notifications) == 1
        await pilot.press("escape")
        assert len(app._notifications) == 0


async def test_help_opens_and_closes_and_lists_every_key():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        from nnplay.tui.widgets.help import IDEAS, KEYS

        for key in ("`space`", "`s`", "`r`", "`q`", "`?`", "`tab`", "`ctrl+p`"):
            assert key in KEYS
        for idea in ("forward pass", "Backpropagation", "Gradient descent"):
            assert idea in IDEAS
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_the_help_opens_on_the_keys_with_saving_and_data_sets_in_view_at_80x24():
    # a heading "nnplay help", under the border's "Help", took four rows, and ctrl+s and D,
    # the keys a class asks after first, were below the fold
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause(0.5)  # the Markdown lays out after it mounts
        shown = app.export_screenshot()
        assert ">ctrl+s<" in shown and ">D<" in shown and "nnplay&#160;help" not in shown


async def test_every_action_is_in_the_command_palette():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        for title in ("Start or pause training", "Single step", "Reset the network", "Help", "Next digit"):
            assert title in titles
        assert {"Next mistake", "Previous mistake"} <= titles  # m and M both
        assert "Maximize" not in titles  # Textual's: a pane filling the screen, documented nowhere
        assert "Quit" in titles and "Keys" not in titles  # Textual's keys panel squeezes the panes
        assert "Theme" not in titles  # light themes: white borders on white


async def test_q_quits_even_while_training():
    app = make_app(TrainConfig(epochs=10_000))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("space")
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    assert app.session.counts().epoch < 10_000


async def test_wide_terminals_show_loss_and_accuracy_side_by_side():
    app = make_app(SMALL)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert app.query_one("#accuracy-plot").display
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert not app.query_one("#accuracy-plot").display
        await pilot.press("p")
        assert app.query_one("#loss-plot").metric == "accuracy"
        await pilot.resize_terminal(120, 40)  # wider: loss comes back beside accuracy
        await pilot.pause()
        assert app.query_one("#loss-plot").metric == "loss" and app.query_one("#accuracy-plot").display
        await pilot.press("p")  # at this width p has nothing to switch: both stay
        assert app.query_one("#loss-plot").metric == "loss"
        await pilot.press("question_mark")  # a resize under the help screen reaches the main one
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert not app.query_one("#accuracy-plot").display
        assert app.query_one("#loss-plot").metric == "accuracy"  # narrow again: as p chose


@pytest.mark.parametrize("size", [(132, 24), (120, 28)], ids=["132x24", "120x28"])
async def test_a_wide_but_short_terminal_gives_the_plots_as_many_rows_as_80x24_does(size):
    # A big digit there left the plots a row or two: 132x24 showed only their titles.
    heights = []
    for shape in ((80, 24), size):
        app = make_app(SMALL)
        async with app.run_test(size=shape) as pilot:
            await settle(app, pilot)
            heights.append(app.query_one("#loss-plot").content_size.height)
    assert heights[1] >= heights[0] >= 8


async def test_a_network_loaded_partway_through_an_epoch_says_how_far(tmp_path):
    from itertools import islice

    from nnplay import data
    from nnplay.core.serialize import load, save
    from nnplay.core.train import build

    config = TrainConfig(layers=(64, 16, 10), epochs=5)
    trainer = build(config, data.load("digits"))
    list(islice(trainer.run(5), 2 * 46 + 5))  # two epochs of 45 steps (and their records), then 5
    save(tmp_path / "m.npz", trainer.net, config, trainer.epoch, trainer.rng, partial=trainer.partial)
    app = make_app(config, load(tmp_path / "m.npz"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert "step 5/45 of epoch 3" in str(app.query_one(TrainingControls).status)
        await pilot.press("tab", "down", "down", "down", "enter", "ctrl+u", "2", "enter")  # epochs 2
        assert "already in epoch 3" in app.query_one(TrainingControls).message  # not "trained 2"


async def test_a_loaded_network_opens_where_it_stopped(tmp_path):
    from nnplay import data
    from nnplay.core.serialize import load, save
    from nnplay.core.train import build

    config = TrainConfig(layers=(64, 16, 10), epochs=5)
    trainer = build(config, data.load("digits"))
    list(trainer.run(2))
    save(tmp_path / "m.npz", trainer.net, config, trainer.epoch, trainer.rng)
    app = make_app(config, load(tmp_path / "m.npz"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.session.counts().epoch == 2 and app.state == "paused"
        assert np.array_equal(app.session.trainer.net.params, trainer.net.params)
        train_acc, test_acc, test_loss = trainer.evaluate()
        status = str(app.query_one(TrainingControls).status)
        assert f"loaded: test loss {test_loss:.4f}" in status
        assert f"train {100 * train_acc:.1f}%  test {100 * test_acc:.1f}%" in status
        await pilot.press("space")
        await settle(app, pilot)
        assert app.session.counts().epoch == 5 and app.state == "finished"
        assert "loaded" not in str(app.query_one(TrainingControls).status)  # its own figures now


async def test_a_terminal_too_small_gets_a_notice_and_the_panes_come_back():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("tab")  # the Training pane has focus
        await pilot.resize_terminal(40, 12)
        await pilot.pause()
        assert isinstance(app.screen, TooSmall)
        assert "40×12" in str(app.screen.query_one("#too-small", Static).render())
        await pilot.press("space", "r", "s")  # nothing happens to a network nobody can see
        await settle(app, pilot)
        assert app.state == "ready" and app.session.counts().epoch == 0
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert not isinstance(app.screen, TooSmall)
        assert app.focused is app.query_one(TrainingControls)  # focus comes back where it was
        await pilot.press("down")
        assert app.query_one(TrainingControls).cursor == 1


async def test_q_while_too_small_warns_in_the_too_small_text_of_what_ctrl_s_waits_for(tmp_path, monkeypatch):
    blocker = tmp_path / "state"
    blocker.write_text("a file where the state folder should be")  # the keep cannot be written
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker))
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("s")  # training to lose
        await settle(app, pilot)
        await pilot.resize_terminal(40, 12)
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, TooSmall)
        text = str(app.screen.query_one("#too-small", Static).render())
        # said with the size, not in a toast over it; ctrl+s does nothing until it grows
        assert "40×12" in text and "Enlarge the terminal, then ctrl+s saves it; q again quits" in text
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert not app._notifications  # "Enlarge the terminal" would be stale over the panes
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FileDialog)  # and now it does


async def test_a_value_being_typed_when_the_terminal_shrinks_waits_for_it_to_grow():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("tab", "down", "enter", "ctrl+u", *"0.05")  # typing a learning rate
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        await pilot.press("7")  # to no field: the editor is out of sight
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.config.lr == 0.05  # as typed, not dropped, and no 7 in it
        await pilot.press("down", "space")
        await settle(app, pilot)
        assert app.query_one(TrainingControls).cursor == 2 and app.state == "finished"


async def test_what_was_open_when_the_terminal_shrank_is_covered_and_comes_back():
    from textual.command import CommandPalette

    from nnplay.tui.views.draw import DrawView

    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("d")
        await pilot.pause()
        await pilot.resize_terminal(40, 12)  # a view squeezed here hid its probabilities
        await pilot.pause()
        assert isinstance(app.screen, TooSmall)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert isinstance(app.screen, DrawView)
        await pilot.press("escape", "ctrl+p", *"start or")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.resize_terminal(60, 18)
        await pilot.pause()
        await pilot.press("enter")  # the palette's command ran on panes nobody could see
        await settle(app, pilot)
        assert app.state == "ready" and app.session.counts().epoch == 0


async def test_the_palettes_screenshot_under_nnplay_serve_goes_to_the_browser(tmp_path, monkeypatch):
    # the served tab's student cannot reach the server's folder: Textual's delivery opens it
    monkeypatch.setenv("TEXTUAL_DRIVER", "textual.drivers.web_driver:WebDriver")  # as serve sets it
    app = make_app(SMALL)
    delivered = []
    monkeypatch.setattr(app, "deliver_screenshot", lambda: delivered.append(True))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        (command,) = [c for c in app.get_system_commands(app.screen) if c.title == "Screenshot"]
        command.callback()
        await pilot.pause(0.3)
        assert delivered == [True] and list(tmp_path.glob("*.svg")) == []


async def test_under_nnplay_serve_the_app_quits_when_the_server_has_gone(monkeypatch):
    # The server killed (kill -9, out of memory): its apps' standard input ends, and they went
    # on, one training at full speed for nobody, for good.
    import os
    import sys
    from types import SimpleNamespace

    from textual import messages

    web = "textual.drivers.web_driver:WebDriver"  # as serve sets it
    monkeypatch.setenv("TEXTUAL_DRIVER", web)
    monkeypatch.setattr("textual.constants.DRIVER", web)  # as Textual read it on import
    server_end = []
    for stopping in (False, True):
        read, write = os.pipe()
        monkeypatch.setattr(sys, "__stdin__", os.fdopen(read, "rb", buffering=0))  # from the server
        posted: list[object] = []
        driver = make_app(SMALL).driver_class(SimpleNamespace(post_message=posted.append))
        if stopping:  # the app's own quitting stops the input thread: nothing more to ask
            driver.exit_event.set()
            driver._input_reader.close()
        os.close(write)  # the server gone
        driver.run_input_thread()  # the input thread, to the end of its input
        server_end.append([type(m) for m in posted])
    assert server_end == [[messages.ExitApp], []]


async def test_a_burst_of_s_takes_every_step_it_asked_for():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        for _ in range(10):  # pressed faster than a step takes: autorepeat, a slow link
            app.action_step()
        await settle_steps(app, pilot)
        assert app.session.counts().step == 10 and app.state == "paused"


async def test_a_stale_stopped_message_does_not_pause_a_newer_run():
    from nnplay.tui.messages import Stopped

    app = make_app(TrainConfig(epochs=10_000))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("space")
        assert app.state == "running"
        # what a step started just before this run posts when the run cancels it
        app.post_message(Stopped(app.session.generation, app._run - 1, "stepped"))
        await pilot.pause()
        assert app.state == "running"
        await pilot.press("space")
        await settle(app, pilot)
        assert app.state == "paused"


async def test_a_step_after_the_first_epoch_shows_where_it_is_in_the_next():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        steps = app.session.trainer.X_train.shape[0] // 32 + 1  # one epoch's steps
        for _ in range(steps + 2):
            app.action_step()
        await settle_steps(app, pilot)
        assert app.session.counts().epoch == 1
        status = str(app.query_one(TrainingControls).status)
        assert f"step 2/{steps}" in status and "batch loss" in status and "Epoch 1/3" in status


async def test_space_pressed_twice_at_once_pauses_and_resumes():
    app = make_app(TrainConfig(epochs=10_000))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("space")
        assert app.state == "running"
        app.action_toggle_training()  # both before the worker has stopped
        app.action_toggle_training()
        await pilot.pause(0.3)
        assert app.state == "running"
        before = app.session.counts().step
        await pilot.pause(0.3)
        assert app.session.counts().step > before  # and it really is
        await pilot.press("space")
        await settle(app, pilot)
        assert app.state == "paused"


async def train_to_the_end(config: TrainConfig):
    """The history of a run of ``config`` trained to its end, and the notices it gave."""
    app = make_app(config)
    shown = []
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.notify = lambda message, **kwargs: shown.append(message)  # type: ignore[method-assign]
        await pilot.press("space")
        await settle(app, pilot)
        assert app.state == "finished"
        return app.session.history(), shown


@pytest.mark.parametrize("lr, warned", [(2.0, True), (0.01, False)], ids=["lr 2 kills the units", "lr 0.01"])
async def test_a_run_that_ends_no_better_than_guessing_says_so(lr, warned):
    history, shown = await train_to_the_end(TrainConfig(layers=(64, 16, 10), lr=lr, epochs=8))
    assert (history.test_acc[-1] < 0.19) == warned  # the rule, on what this run reached
    assert any("no better than guessing (10%)" in m and "i, the inspector" in m for m in shown) == warned


async def test_a_run_whose_loss_stays_near_guessing_says_so():
    # lr too low (0.0001 on the default network: 2.61 to 2.08 in 100 epochs, 28% test): a
    # smooth fall on a log axis looked like learning. Here 6 epochs at 0.003: 2.19, 28% test.
    history, shown = await train_to_the_end(TrainConfig(layers=(64, 16, 10), lr=0.003, epochs=6))
    assert history.loss[-1] > 0.9 * 2.303 and history.test_acc[-1] > 0.19  # ln 10: guessing
    assert any("after 6 epochs, near guessing's 2.3: i, the inspector" in m for m in shown), shown


async def test_the_palette_opens_a_view_over_another_and_a_key_there_says_how():
    from nnplay.tui.views.inspector import InspectorView
    from nnplay.tui.views.weights import WeightsView

    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("w", "i")  # i over the weights: it would close them; it says how instead
        assert isinstance(app.screen, WeightsView)
        assert any(
            "i opens the layer inspector from the main screen" in n.message for n in app._notifications
        )
        await pilot.press("ctrl+p", *"inspector")
        await pilot.pause(0.5)  # the palette searches in the background
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, InspectorView) and len(app.screen_stack) == 2  # one view at a time


async def test_the_palettes_screenshot_saves_in_this_folder_and_says_where_or_why_not(tmp_path, monkeypatch):
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(app, pilot)
        (command,) = [c for c in app.get_system_commands(app.screen) if c.title == "Screenshot"]
        command.callback()
        await pilot.pause(0.3)
        (svg,) = tmp_path.glob("*.svg")
        notes = [n.message for n in app._notifications]
        assert f"Saved the screen as {svg.name} in {tmp_path}." in notes  # plain text, no markup
        # short, so a notice at 80x24 does not cut it in two; a second in the same second is -2
        assert re.fullmatch(r"nnplay-\d{8}-\d{6}\.svg", svg.name)
        (tmp_path / svg.name.replace(".svg", "-2.svg")).touch()  # as if taken in the same second
        assert unused_name(str(tmp_path), svg.stem, ".svg") == svg.name.replace(".svg", "-3.svg")
        gone = tmp_path / "gone"
        gone.mkdir()
        monkeypatch.chdir(gone)
        gone.rmdir()  # another shell removed the folder
        app.screenshot()
        await pilot.pause()
        notes = [n.message for n in app._notifications]
        assert any(m.startswith("Error: Could not save the screenshot here: ") for m in notes)


async def test_the_inspector_a_notice_points_to_is_not_hidden_under_that_notice():
    # lr 2 kills the units; the notice says "i, the inspector, says what to change", and sat
    # for 12 s over the inspector's lower right, where at 80x24 its health and hints are
    from nnplay.tui.views.inspector import InspectorView

    app = make_app(TrainConfig(layers=(64, 16, 10), lr=2.0, epochs=8))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("space")
        await settle(app, pilot)
        assert any("i, the inspector, says what to change" in n.message for n in app._notifications)
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, InspectorView) and not app._notifications
        await pilot.press("escape")
        app.notify("Training stopped: an error", severity="error")  # what stopped it, said once
        await pilot.press("i")
        await pilot.pause()
        assert [n.message for n in app._notifications] == ["Error: Training stopped: an error"]


async def test_the_step_that_ends_the_last_epoch_finishes_the_run():
    # full batch on moons: each s is a whole epoch, and the second of two ended the run, but the
    # status said "paused, Epoch 2/2" until a space said that epochs was reached
    app = make_app(TrainConfig(dataset="moons", layers=(2, 8, 1), batch_size=10**9, epochs=2))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("s")
        await settle_steps(app, pilot)
        assert app.state == "paused" and app.session.counts().epoch == 1
        await pilot.press("s")
        await settle_steps(app, pilot)
        assert app.session.counts().epoch == 2 and app.state == "finished"


async def test_starting_a_run_takes_down_the_notices_over_the_plot_but_a_warning():
    # r's notice naming the run before (where the title cuts it) sat 4 s over the Loss pane,
    # and the tutorial's 100 epochs take about 3: the whole run was drawn under it
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.notify("something said over the Loss pane", timeout=60)
        app.notify("something gone wrong", severity="warning", timeout=60)
        await pilot.press("space")
        await settle(app, pilot)
        assert [n.message for n in app._notifications] == ["Warning: something gone wrong"]


@pytest.mark.parametrize(
    "key, says",
    [
        ("ctrl+s", ["enter Save", "esc Cancel"]),
        ("ctrl+o", ["enter Load", "esc Cancel"]),
        ("D", ["↑↓ Choose", "enter Train on it", "esc Cancel"]),
        ("question_mark", ["↑↓ Scroll", "esc Close"]),
        ("ctrl+p", ["↑↓ Choose", "enter Run", "esc Close"]),  # the command palette
    ],
)
async def test_under_a_dialog_the_key_bar_names_the_dialogs_keys_not_the_main_screens(key, says):
    # The main screen's bar showed through under the dialogs and the palette: "space
    # Start/pause  s Step ...", where space typed into the name field or the search
    app = make_app(TrainConfig(layers=(64, 16, 10)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press(key)
        await pilot.pause()
        assert app.screen is not app.screen_stack[0]
        bottom = app.screen._compositor.render_full_update().strips[-1]
        shown = "".join(strip.text for strip in bottom)
        assert all(does in shown for does in says), shown
        assert "Start/pause" not in shown and "Quit" not in shown, shown
