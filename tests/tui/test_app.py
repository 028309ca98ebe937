"""Driving the app with keys, as a user would, and checking its state."""

import time

import numpy as np
import pytest

from nnplay.core.config import TrainConfig
from nnplay.core.network import Network, NetworkSpec
from nnplay.tui.app import make_app
from nnplay.tui.training import PACE_SETTLE_SECONDS
from nnplay.tui.widgets.architecture import ArchitectureEditor
from nnplay.tui.widgets.controls import FIELDS, TrainingControls
from nnplay.tui.widgets.digit_viewer import DigitViewer
from nnplay.tui.widgets.help import HelpScreen
from tests.tui.helpers import settle, settle_steps

SIZES = [(80, 24), (120, 40)]
SMALL = TrainConfig(layers=(64, 16, 10), epochs=3)


@pytest.fixture(params=SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def size(request):
    return request.param


async def test_space_trains_to_the_set_epochs_and_the_ui_follows(size):
    app = make_app(SMALL)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        assert app.state == "ready" and app.session.summary()["epoch"] == 0
        await pilot.press("space")
        await settle(app, pilot)
        assert app.state == "finished"
        assert app.session.summary()["epoch"] == 3
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
        paused_at = app.session.summary()["step"]
        assert 0 < paused_at and app.session.summary()["epoch"] < 10_000
        await pilot.pause()
        assert app.session.summary()["step"] == paused_at  # nothing trains while paused
        await pilot.press("space")
        await pilot.press("space")
        await settle(app, pilot)
        assert app.session.summary()["step"] > paused_at


async def test_s_takes_exactly_one_step_and_r_resets(size):
    app = make_app(SMALL)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        fresh = app.session.trainer.net.params.copy()
        await pilot.press("s")
        await settle(app, pilot)
        assert app.session.summary()["step"] == 1 and app.state == "paused"
        assert not np.array_equal(app.session.trainer.net.params, fresh)
        await pilot.press("s", "s")
        await settle(app, pilot)
        assert app.session.summary()["step"] == 3
        await pilot.press("r")
        await settle(app, pilot)
        assert app.session.summary()["step"] == 0 and app.state == "ready"
        assert np.array_equal(app.session.trainer.net.params, fresh)  # same seed, same network
        assert len(app.session.history().epoch) == 0


async def test_an_invalid_architecture_edit_is_refused_and_the_network_kept(size):
    app = make_app(SMALL)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        editor = app.query_one(ArchitectureEditor)
        assert editor.has_focus
        before = app.session.trainer.net.params.copy()
        await pilot.press("0", "enter")
        assert "at least 1" in editor.message
        await pilot.press(*"200000", "enter")
        assert "too many" in editor.message
        assert app.session.config.layers == (64, 16, 10)
        assert np.array_equal(app.session.trainer.net.params, before)


async def test_architecture_edits_apply_on_enter_and_rebuild_the_network():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("a", "plus", "right", "enter")
        await settle(app, pilot)
        assert app.session.config.layers == (64, 16, 32, 10)
        assert app.session.config.hidden_activations == ("relu", "leaky_relu")
        assert (
            app.session.trainer.net.n_params
            == Network(
                NetworkSpec((64, 16, 32, 10), ("relu", "leaky_relu")), np.random.default_rng(0)
            ).n_params
        )
        await pilot.press("x", "escape")  # a draft dropped changes nothing
        assert app.session.config.layers == (64, 16, 32, 10)
        await pilot.press(*"24", "enter", "enter")
        await settle(app, pilot)
        assert app.session.config.layers == (64, 24, 32, 10)  # the cursor moved up when x removed a layer
        editor = app.query_one(ArchitectureEditor)
        await pilot.press(*"12")
        assert editor.note == "size 12: enter sets it, esc drops"
        await pilot.press("backspace")
        assert editor.note == "size 1: enter sets it, esc drops"
        await pilot.press("down")  # the typed size is dropped, and so is the promise to set it
        assert editor.typed == "" and editor.note == ""
        await pilot.press("enter")
        assert app.session.config.layers == (64, 24, 32, 10) and editor.note == "no change to apply"


async def test_a_size_typed_before_a_or_x_is_dropped_and_never_reaches_another_layer():
    app = make_app(TrainConfig(layers=(64, 128, 128, 64, 10), epochs=3))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        editor = app.query_one(ArchitectureEditor)
        await pilot.press(*"32", "a")  # typed for hidden 1; a adds a layer below it
        assert editor.typed == "" and editor.draft_layers == [64, 128, 128, 128, 64, 10]
        await pilot.press("escape", *"5", "x", "x", "x", "x", "enter")  # every hidden layer gone
        assert editor.draft_layers == [64, 10]  # the output is still the data set's 10
        await settle(app, pilot)
        assert app.session.config.layers == (64, 10)
        await pilot.press(*"5")  # no hidden layer: digits have nothing to size, and say so, as x does
        assert "no hidden layer: a adds one" in editor.message
        await pilot.press("enter")
        assert app.session.config.layers == (64, 10) and editor.draft_layers == [64, 10]
        for key in ("plus", "minus", "left", "right"):
            editor.message = ""
            await pilot.press(key)
            assert "no hidden layer: a adds one" in editor.message and editor.draft_layers == [64, 10]


async def test_space_s_r_d_and_ctrl_o_with_a_draft_not_applied_say_so_and_change_nothing():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        before = app.session.trainer.net.params.copy()
        await pilot.press("minus", "tab")  # a draft, then off to the Training pane
        # D and ctrl+o would replace it unseen; ctrl+s would save the network it replaces
        for key in ("space", "s", "r", "D", "ctrl+o", "ctrl+s"):
            await pilot.press(key)
            await settle(app, pilot)
            editor = app.query_one(ArchitectureEditor)
            assert len(app.screen_stack) == 1  # no chooser or dialog opened over it
            assert app.state == "ready" and np.array_equal(app.session.trainer.net.params, before)
            assert "not applied yet" in editor.message and editor.has_focus  # where enter applies it
            assert editor.changed  # the draft waits still
        await pilot.press("ctrl+p", *"moons")  # the palette's way to D
        await pilot.pause(0.5)  # the palette searches in the background
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.session.config.dataset == "digits" and app.query_one(ArchitectureEditor).changed
        from textual import events

        for key, character in (("space", " "), ("enter", "\r")):  # together, as a slow link sends them
            app.post_message(events.Key(key, character))
        await settle(app, pilot)
        assert app.session.config.layers == (64, 8, 10)  # the enter applied the draft it pointed to
        await pilot.press("plus", "escape", "space")  # dropped: the network shown is the one that trains
        await settle(app, pilot)
        assert app.state == "finished"
        await pilot.press("minus", "space")  # finished, with a draft: the draft is what to see to
        assert "not applied yet" in app.query_one(ArchitectureEditor).message


async def test_q_with_a_draft_not_applied_asks_for_a_second_q():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("plus", "q")
        await pilot.pause()
        assert app.is_running and app.query_one(ArchitectureEditor).changed
        assert any("q again quits without them" in n.message for n in app._notifications)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


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


async def test_removing_every_hidden_layer_gives_a_network_that_trains_as_the_cli_allows():
    app = make_app(TrainConfig(layers=(64, 16, 8, 10), activation=("tanh", "relu"), epochs=2))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("x", "x", "enter")
        await settle(app, pilot)
        assert app.session.config.layers == (64, 10)  # as `nnplay train --layers 64,10`
        assert app.session.trainer.net.n_params == 64 * 10 + 10
        await pilot.press("a", "enter")  # and a hidden layer comes back
        await settle(app, pilot)
        assert len(app.session.config.layers) == 3
        await pilot.press("space")
        await settle(app, pilot)
        assert app.state == "finished"


async def test_controls_refuse_bad_values_and_change_the_learning_rate_mid_run():
    app = make_app(TrainConfig(layers=(64, 16, 10), epochs=10_000))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        controls = app.query_one(TrainingControls)
        await pilot.press("tab")
        assert controls.has_focus
        await pilot.press("down", "enter", "ctrl+u", *"-1", "enter")
        assert "more than zero" in controls.message
        assert app.session.config.lr == 0.01
        await pilot.press("ctrl+u", *"nan", "enter")
        assert "finite" in controls.message
        await pilot.press("ctrl+u", *"1e10", "enter")  # as the notes say it, not 10000000000.0
        assert "learning rate 1e+10" in str(controls.query_one("#settings").content)
        await pilot.press("enter")
        assert controls.query_one("#edit").value == "1e+10"  # and edits it so
        await pilot.press("ctrl+u", *"0.0123456789", "enter", "enter", "enter")  # unchanged
        assert app.session.config.lr == 0.0123456789  # not rounded to 6 digits on the way
        await pilot.press("enter", "ctrl+u", *"0.01", "enter")
        await pilot.press("escape", "up", "enter", "ctrl+u", *"rmsprop", "enter")
        # beside the optimizer row, without "optimizer:", so the choices fit the two lines
        assert controls.message == "✗ unknown optimizer 'rmsprop'; choose from sgd, momentum, adam"
        assert app.session.config.optimizer == "sgd"
        await pilot.press("escape", "down")
        await pilot.press("space", "right")
        assert app.session.config.lr == 0.03
        assert app.session.trainer.optimizer.lr == 0.03
        await pilot.press("space")
        await settle(app, pilot)
        assert app.state == "paused"


async def test_an_edit_left_with_tab_is_dropped_and_reset_clears_stale_notes():
    app = make_app(TrainConfig(layers=(64, 16, 10), epochs=10_000))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        controls = app.query_one(TrainingControls)
        editor = controls.query_one("#edit")
        await pilot.press("tab", "down", "enter", "ctrl+u", *"0.5")
        assert editor.display and editor.has_focus
        await pilot.press("tab")  # away, without enter or esc
        assert not editor.display and controls.message == "" and app.session.config.lr == 0.01
        await pilot.press("shift+tab", "down", "down", "down", "right")  # seed 0 -> 1: applies at reset
        assert app.session.config.seed == 1 and "reset" in controls.message
        seed_row = next(
            line for line in str(controls.query_one("#settings").content).splitlines() if "seed" in line
        )
        assert seed_row.endswith("1 (at r)")  # after the note goes, the row still says it waits
        await pilot.press("r")
        await settle(app, pilot)
        assert controls.message == ""  # the note was about the network just replaced
        assert "(at r)" not in str(controls.query_one("#settings").content)


async def test_moving_off_a_field_being_typed_drops_the_text_and_never_applies_it_to_another_row():
    app = make_app(TrainConfig(layers=(64, 16, 10), epochs=10_000))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        controls = app.query_one(TrainingControls)
        editor = controls.query_one("#edit")
        await pilot.press("tab", "down", "enter", "ctrl+u", *"abc", "enter")  # refused, still open
        assert controls.message.startswith("✗") and editor.display
        await pilot.press("down")  # on to batch size: the typing stays behind, undone
        assert not editor.display and controls.has_focus and controls.field == "batch_size"
        assert "learning rate 0.01" in str(controls.query_one("#settings").content)
        await pilot.press("enter", "ctrl+u", *"64", "enter")
        assert app.session.config.batch_size == 64 and app.session.config.lr == 0.01
        await pilot.press("up", "up", "enter", "ctrl+u", *"0.5", "down")  # not refused: dropped too
        assert app.session.config.optimizer == "sgd" and controls.field == "lr" and not editor.display


async def test_the_status_stays_in_view_under_a_long_note_and_a_deep_network():
    app = make_app(TrainConfig(layers=(64, *[16] * 12, 10), epochs=2))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("space")
        await settle(app, pilot)
        controls = app.query_one(TrainingControls)
        await pilot.press("tab", "down", "enter", "ctrl+u", *("9" * 300), "enter")
        await pilot.pause()
        status = controls.query_one("#status")
        pane = controls.region
        assert status.region.y >= pane.y and status.region.bottom <= pane.bottom  # inside the pane
        assert "Epoch 2/2" in str(controls.status) and "train" in str(controls.status)
        editor = app.query_one(ArchitectureEditor)
        rows = str(editor.render()).splitlines()
        assert rows[0].strip().startswith("input") and any("output" in r for r in rows)


async def test_digit_viewer_moves_switches_and_finds_mistakes(size):
    app = make_app(SMALL)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        viewer = app.query_one(DigitViewer)
        await pilot.press("tab", "tab")
        assert viewer.has_focus
        assert viewer.which == "test" and viewer.index == 0 and viewer.count == 360
        assert viewer.probabilities is not None
        assert viewer.probabilities.shape == (10,)
        assert viewer.probabilities.sum() == pytest.approx(1, abs=1e-5)
        await pilot.press("right", "right", "left")
        assert viewer.index == 1
        await pilot.press("left", "left")
        assert viewer.index == 359  # wraps
        await pilot.press("t")
        assert viewer.which == "train" and viewer.count == 1437 and viewer.index == 0
        await pilot.press("t")
        assert viewer.which == "test" and viewer.index == 359  # back where it was, not at 1
        await pilot.press("t")
        await pilot.press("m")
        guess = int(viewer.probabilities.argmax())
        assert guess != viewer.label  # an untrained network gets plenty wrong
        assert "%" in str(viewer.render())


async def test_the_digit_probabilities_change_as_the_network_learns():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        viewer = app.query_one(DigitViewer)
        before = viewer.probabilities.copy()
        await pilot.press("space")
        await settle(app, pilot)
        after = viewer.probabilities
        assert not np.allclose(before, after)
        assert after.sum() == pytest.approx(1, abs=1e-5)
        assert after[viewer.label] > before[viewer.label]


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


async def test_every_action_is_in_the_command_palette():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        for title in ("Start or pause training", "Single step", "Reset the network", "Help", "Next digit"):
            assert title in titles
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
    assert app.session.summary()["epoch"] < 10_000


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


async def test_pace_slows_training_to_the_chosen_epochs_per_second():
    app = make_app(TrainConfig(layers=(64, 16, 10), epochs=1000))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press(*["less_than_sign"] * 5)
        assert app.pace == 1
        await pilot.press("greater_than_sign")
        assert app.pace == 3
        started = time.monotonic()
        await pilot.press("space")
        await pilot.pause(0.8)
        await pilot.press("space")
        await settle(app, pilot)
        took = time.monotonic() - started  # more than 0.8 s on a busy machine
        assert 1 <= app.session.summary()["epoch"] <= 3 * took + 1  # about 3 a second, not hundreds


def test_every_step_is_posted_up_to_ten_a_second_and_not_on_a_slow_link():
    from nnplay.tui.training import POST_EVERY, SLOW_LINK, posts_each_step

    assert posts_each_step(0.1, 90, POST_EVERY)  # digits, batch 16, at the slowest: 9 a second
    assert not posts_each_step(0.1, 180, POST_EVERY)  # batch 8: 18 a second, too many
    assert not posts_each_step(None, 45, POST_EVERY)  # full speed
    assert not posts_each_step(0.1, 45, SLOW_LINK["post_every"])  # --low-bandwidth asked for fewer


async def test_at_the_slowest_paces_every_step_reaches_the_screen():
    app = make_app(TrainConfig(layers=(64, 16, 10), batch_size=96, epochs=1000))  # 15 steps an epoch
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press(*["less_than_sign"] * 6)
        assert app.pace == 0.3  # 4.5 steps a second
        shown = []
        make_message = app._progress_message

        def spy(generation, loss, speed, position):
            shown.append(position)
            return make_message(generation, loss, speed, position)

        app._progress_message = spy
        await pilot.press("space")
        await pilot.pause(2.0)  # 9 steps due; 4 even on a busy machine
        await pilot.press("space")
        await settle(app, pilot)
        steps = [batch for batch, _ in filter(None, shown)]
        assert len(steps) >= 4 and steps[:4] == [1, 2, 3, 4]  # each step, not every second or third


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
        assert app.session.summary()["epoch"] == 2 and app.state == "paused"
        assert np.array_equal(app.session.trainer.net.params, trainer.net.params)
        train_acc, test_acc, test_loss = trainer.evaluate()
        status = str(app.query_one(TrainingControls).status)
        assert f"loaded: test loss {test_loss:.4f}" in status
        assert f"train {100 * train_acc:.1f}%  test {100 * test_acc:.1f}%" in status
        await pilot.press("space")
        await settle(app, pilot)
        assert app.session.summary()["epoch"] == 5 and app.state == "finished"
        assert "loaded" not in str(app.query_one(TrainingControls).status)  # its own figures now


async def test_a_terminal_too_small_gets_a_notice_and_the_panes_come_back():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("tab")  # the Training pane has focus
        await pilot.resize_terminal(40, 12)
        await pilot.pause()
        notice = app.query_one("#too-small")
        assert notice.display and "40×12" in str(notice.render())
        assert not app.query_one("#main").display
        await pilot.press("space", "r", "s")  # nothing happens to a network nobody can see
        await settle(app, pilot)
        assert app.state == "ready" and app.session.summary()["epoch"] == 0
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert app.focused is app.query_one(TrainingControls)  # focus comes back where it was
        await pilot.press("down")
        assert app.query_one(TrainingControls).cursor == 1
        await pilot.pause()
        assert app.query_one("#main").display and not notice.display


async def test_a_field_being_edited_when_the_terminal_shrinks_does_not_swallow_the_keys_after():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("tab", "down", "enter")  # editing the learning rate
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        controls = app.query_one(TrainingControls)
        assert app.focused is controls  # not the hidden editor, where keys would vanish
        await pilot.press("down", "space")
        await settle(app, pilot)
        assert controls.cursor == 2 and app.state == "finished"


async def test_a_network_too_large_for_memory_is_refused_in_the_editor():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("a", *"90000", "enter", "down", *"90000", "enter", "enter")
        editor = app.query_one(ArchitectureEditor)
        assert "GiB" in editor.message
        assert app.session.config.layers == (64, 16, 10)


async def test_seed_and_init_apply_at_the_next_reset():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        controls = app.query_one(TrainingControls)
        controls.post_message(TrainingControls.Changed("init", "xavier"))
        await pilot.pause()
        assert "reset" in controls.message
        assert app.session.trainer.net.spec.init == "he"  # not yet
        await pilot.press("r")
        await settle(app, pilot)
        assert app.session.trainer.net.spec.init == "xavier"


async def test_a_burst_of_s_takes_every_step_it_asked_for():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        for _ in range(10):  # pressed faster than a step takes: autorepeat, a slow link
            app.action_step()
        await settle_steps(app, pilot)
        assert app.session.summary()["step"] == 10 and app.state == "paused"


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


async def test_a_burst_of_right_presses_steps_once_per_press():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        controls = app.query_one(TrainingControls)
        controls.cursor = [name for name, _ in FIELDS].index("epochs")
        for _ in range(4):  # before the app has answered any of them
            controls.action_step(1)
        await pilot.pause()
        assert app.session.config.epochs == 50  # 3 -> 5 -> 10 -> 20 -> 50, not 3 -> 5 four times


@pytest.mark.parametrize(
    "name, value, step, expected",
    [
        ("epochs", 100, 1, 200),
        ("epochs", 100_000, 1, 100_000),  # typed beyond the ladder: more never gives less
        ("epochs", 100_000, -1, 10_000),
        ("batch_size", 5000, 1, 5000),
        ("lr", 1e-5, -1, 1e-5),
        ("lr", 1e-5, 1, 1e-4),
        ("seed", 0, -1, 0),
    ],
)
def test_left_and_right_step_the_way_pressed_or_not_at_all(name, value, step, expected):
    from nnplay.tui.widgets.controls import stepped

    assert stepped(name, value, step) == expected


async def test_t_and_m_reach_the_digit_pane_from_any_pane():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.focused is app.query_one(ArchitectureEditor)
        viewer = app.query_one(DigitViewer)
        await pilot.press("t")
        assert viewer.which == "train"
        await pilot.press("m")  # an untrained network gets most digits wrong
        await pilot.pause()
        assert viewer.index > 0
        await pilot.press("i")  # under a view they are the view's, not the hidden pane's
        await pilot.pause()
        await pilot.press("t")
        assert viewer.which == "train"


async def test_up_and_down_stop_at_the_ends_of_the_settings():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        controls = app.query_one(TrainingControls)
        controls.focus()
        await pilot.press("up")
        assert controls.cursor == 0  # not round to the last setting
        for _ in range(len(FIELDS) + 2):
            await pilot.press("down")
        assert controls.cursor == len(FIELDS) - 1


async def test_a_step_after_the_first_epoch_shows_where_it_is_in_the_next():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        steps = app.session.trainer.X_train.shape[0] // 32 + 1  # one epoch's steps
        for _ in range(steps + 2):
            app.action_step()
        await settle_steps(app, pilot)
        assert app.session.summary()["epoch"] == 1
        status = str(app.query_one(TrainingControls).status)
        assert f"step 2/{steps}" in status and "batch loss" in status and "Epoch 1/3" in status


@pytest.mark.parametrize("low_bandwidth", [False, True])
async def test_at_a_fast_pace_progress_is_posted_no_oftener_than_at_full_speed(low_bandwidth):
    app = make_app(TrainConfig(layers=(64, 16, 10), epochs=1000), low_bandwidth=low_bandwidth)
    posted = []
    make = app._progress_message
    app._progress_message = lambda *args: posted.append(time.monotonic()) or make(*args)  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press(*["less_than_sign"] * 3)
        assert app.pace == 10  # an epoch every 0.1 s
        await pilot.press("space")
        await pilot.pause(2.2 * app.post_every + 0.3)  # time for two posts at full speed's rate
        await pilot.press("space")
        await settle(app, pilot)
        assert app.session.summary()["epoch"] >= 5
        gaps = np.diff(posted[:-1])  # the last: the figures at the pause, whenever it comes
        assert len(gaps) and gaps.min() >= 0.9 * app.post_every  # 0.5 s, or 2 s on a slow link


async def test_a_burst_of_pace_keys_gets_one_notice_of_the_pace_it_ends_at():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        from textual import events

        for _ in range(4):  # together, as a burst arrives: pilot.press waits for idle between keys,
            app.post_message(events.Key("less_than_sign", "<"))  # which on a loaded machine
        await pilot.pause()  # could outlast PACE_SETTLE_SECONDS
        assert app.pace == 3 and "at 3/s" in str(app.query_one(TrainingControls).status)  # at once
        await pilot.pause(PACE_SETTLE_SECONDS + 0.2)
        for _ in range(50):  # the notice's timer, on a slow machine
            paces = [n.message for n in app._notifications if n.message.startswith("Pace")]
            if paces:
                break
            await pilot.pause(0.1)
        assert paces == ["Pace: 3 epochs a second"]  # once: one per press, stacked over the panes


async def test_the_slowest_pace_spreads_an_epochs_steps_to_watch_them():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        for _ in range(4):
            await pilot.press("greater_than_sign")  # already at full speed: says so once, stays
        assert app.pace is None
        await pilot.pause(PACE_SETTLE_SECONDS + 0.2)
        assert [n.message for n in app._notifications].count("Pace: full speed") == 1
        for _ in range(10):
            await pilot.press("less_than_sign")
        assert app.pace == 0.1  # an epoch every 10 s: 45 steps, one every 0.22 s
        await pilot.press("space")
        await pilot.pause(1.0)
        taken = app.session.summary()["step"]
        assert 0 < taken < 45  # not the whole epoch at once, then a wait
        await pilot.pause(0.6)  # a progress message lands every 0.5 s
        status = str(app.query_one(TrainingControls).status)
        assert "step " in status and "Epoch 0/3 at 0.1/s" in status
        await pilot.press("space")  # pausing does not wait for the pace
        await settle(app, pilot)
        assert app.state == "paused"


@pytest.mark.parametrize(
    "state,epoch,epochs,pace,shown",
    [
        ("paused", 1012, 100_000, 0.1, "‖ paused Epoch 1012/100000 at 0.1/s"),  # was 38 wide
        ("running", 10_012, 100_000, 0.1, "▶ running Epoch 10012/100k at 0.1/s"),
        ("diverged", 3000, 4000, 100.0, "✗ diverged Epoch 3000/4000 at 100/s"),
        ("ready", 0, 100, None, "○ ready: space trains   Epoch 0/100"),  # room: as before
        ("running", 12_345, 123_456, 0.1, "▶ running 12345/123456 at 0.1/s"),  # no round total
        ("failed", 1012, 100_000, 0.1, "✗ stopped Epoch 1012/100000 at 0.1/s"),  # no hint to cut
    ],
)
def test_the_epoch_line_shortens_to_fit_the_pane_rather_than_wrap(state, epoch, epochs, pace, shown):
    # A wrapped first line pushed the last, "step 26/45  batch loss ...", out of the status:
    # at the slowest paces s seemed to do nothing.
    from nnplay.tui.status import STATES, epoch_line

    line = "".join(epoch_line(STATES[state], epoch, epochs, pace, 36))
    assert line == shown and len(line) <= 36


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
        before = app.session.summary()["step"]
        await pilot.pause(0.3)
        assert app.session.summary()["step"] > before  # and it really is
        await pilot.press("space")
        await settle(app, pilot)
        assert app.state == "paused"


async def test_a_batch_size_too_large_for_memory_is_refused_naming_the_batch_in_the_panes_lines(monkeypatch):
    from nnplay.core import config
    from nnplay.core.network import estimate_bytes

    # A limit that 64,16,10 meets with batches of 1,000: the message is as long as for a real
    # network near 2 GiB ("0.1 GiB" for "2.3 GiB", "1,000" for "2,312"), without building one.
    monkeypatch.setattr(config, "MEMORY_LIMIT", estimate_bytes((64, 16, 10), 1000 + 2048))
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        controls = app.query_one(TrainingControls)
        await pilot.press("tab", "down", "down", "enter", "ctrl+u", *"100000", "enter")
        await pilot.pause()
        assert controls.message.startswith("✗ needs about 0.1 GiB for batches of 100,000")
        assert controls.message.endswith("batches of up to 1,000 fit")
        assert not app._notifications  # the note fitted above the status, with no toast instead
        assert app.session.config.batch_size == 32


async def test_a_refusal_in_the_network_pane_fits_it_whole():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press(*"100000", "enter", "a", "enter")  # two layers of 100,000: far too big
        await pilot.pause()
        editor = app.query_one(ArchitectureEditor)
        assert "GiB" in editor.message
        rows = str(editor.render()).splitlines()
        text = " ".join(rows)
        wrapped = sum(-(-len(r) // editor.content_size.width) or 1 for r in rows)
        assert wrapped <= editor.content_size.height  # nothing of it scrolled out of view
        assert "▶" in text and "layers" in text.split("GiB")[-1] and "2 hidden" in text
        hidden_rows = sum(row.lstrip("▶ ").startswith("hidden") for row in rows)
        assert hidden_rows == 2 or f"{hidden_rows} of 2 hidden layers shown" in text  # none missed unsaid


async def test_a_refusal_that_crowds_out_layers_says_how_many_are_shown():
    app = make_app(TrainConfig(epochs=1))  # 64,128,64,10: two hidden layers
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("a", "a", "up", "0", "enter")  # four hidden layers, one set to 0: refused
        await pilot.pause()
        editor = app.query_one(ArchitectureEditor)
        text = str(editor.render())
        assert "at least 1" in editor.message
        rows = sum(line.lstrip("▶ ").startswith("hidden") for line in text.splitlines())
        assert rows < 4 and f"4 hidden, {rows} shown" in text  # no room for "…": the count says it


async def test_a_passing_note_in_the_network_pane_goes_and_a_refusal_stays():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        editor = app.query_one(ArchitectureEditor)
        editor.say_for_a_while("rebuilt; training starts afresh", seconds=0.2)  # once: there for good
        await pilot.pause(0.4)
        assert editor.message == ""
        editor.say_for_a_while("rebuilt; training starts afresh", seconds=0.2)
        editor.refuse("something else to say")  # replaced before its time: the new one stays
        await pilot.pause(0.4)
        assert editor.message == "✗ something else to say"


async def test_the_training_panes_highlight_follows_its_focus():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        controls = app.query_one(TrainingControls)

        def highlighted() -> bool:
            return any("reverse" in str(span.style) for span in controls.query_one("#settings").content.spans)

        await pilot.press("tab")
        assert app.focused is controls and highlighted()  # once: only after the pane lost focus
        await pilot.press("tab")
        assert app.focused is not controls and not highlighted()


async def test_a_2d_sample_shows_its_class_and_the_networks_guess_and_m_finds_a_wrong_one():
    app = make_app(TrainConfig(dataset="moons", layers=(2, 8, 1), epochs=1))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        viewer = app.query_one(DigitViewer)
        text = str(viewer.render())
        assert "class " in text and "P(class 1) = " in text and "guess " in text
        assert viewer.border_title.endswith("· moons")  # the data set is named on screen
        await pilot.press("m")
        await settle(app, pilot)
        assert "✗ wrong" in str(viewer.render())  # an untrained network gets some wrong


async def test_m_on_a_regression_says_there_are_no_mistakes_to_find():
    app = make_app(TrainConfig(dataset="sine", layers=(1, 8, 1), epochs=1))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("m")
        await pilot.pause()
        notes = [n.message for n in app._notifications]
        assert any("is regression" in n for n in notes)  # once: "gets every test sample right"
        assert not any("gets every" in n for n in notes)
        assert "off by" in str(app.query_one(DigitViewer).render())


@pytest.mark.parametrize("size, toasts", [((76, 22), 1), ((80, 24), 0)], ids=["76x22", "80x24"])
async def test_a_refusal_the_training_pane_has_no_row_for_is_shown_as_a_notification(size, toasts):
    app = make_app(TrainConfig(layers=(64, 16, 10)))
    shown = []
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        app.notify = lambda message, **kwargs: shown.append(message)  # type: ignore[method-assign]
        await pilot.press("tab", "enter", "ctrl+u", *"rmsprop", "enter")
        await settle(app, pilot)
        await pilot.pause(0.1)  # the check waits for the layout
        assert app.session.config.optimizer == "sgd"
        assert shown == ["unknown optimizer 'rmsprop'; choose from sgd, momentum, adam"] * toasts


async def test_the_epochs_refusal_names_a_total_the_field_takes_as_written(tmp_path):
    from nnplay import data
    from nnplay.core.serialize import load, save
    from nnplay.core.train import build

    config = TrainConfig(layers=(64, 8, 10), epochs=2000)
    save(tmp_path / "long.npz", build(config, data.load("digits")).net, config, 1149)
    app = make_app(config, load(tmp_path / "long.npz"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        controls = app.query_one(TrainingControls)
        await pilot.press("tab", "down", "down", "down", "enter", "ctrl+u", *"1000", "enter")
        assert controls.message == "✗ already trained 1149: give 1149 or more, or r to start afresh"
        await pilot.press("ctrl+u", *"1,149", "enter")  # as a message with 1,149 would have it typed
        assert app.session.config.epochs == 2000 and "not a whole number" in controls.message


async def test_epochs_cannot_be_set_below_the_epochs_already_trained():
    app = make_app(TrainConfig(layers=(64, 16, 10), epochs=3))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("space")
        await settle(app, pilot)
        controls = app.query_one(TrainingControls)
        await pilot.press("tab", "down", "down", "down", "enter", "ctrl+u", "2", "enter")
        assert controls.message == "✗ already trained 3: give 3 or more, or r to start afresh"
        assert app.session.config.epochs == 3 and app.state == "finished"
        await pilot.press("ctrl+u", *"5", "enter")
        assert app.session.config.epochs == 5 and app.state == "paused"
        await pilot.press("escape", "s")  # one step into epoch 4
        await settle(app, pilot)
        await pilot.press("enter", "ctrl+u", "3", "enter")
        assert controls.message == "✗ already in epoch 4: give 4 or more, or r to start afresh"
        await pilot.press("escape", "space")  # the run ends, and the count with it is stale
        await settle(app, pilot)
        assert app.state == "finished" and controls.message == ""


async def test_a_refusal_typed_while_training_goes_when_the_run_ends_the_editor_still_open():
    from nnplay.tui.widgets.controls import EDITING_HINT

    app = make_app(TrainConfig(layers=(64, 16, 10), epochs=2))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        # The slowest pace, an epoch in 10 s: a run to type in however slow the machine (at an
        # epoch a second, a loaded CI machine finished the run before the typing)
        await pilot.press(*["less_than_sign"] * 10, "space")
        controls = app.query_one(TrainingControls)
        await pilot.press("tab", "down", "down", "down", "enter", "ctrl+u", "0", "enter")
        assert app.state == "running"
        assert controls.message.startswith("✗ already") and controls.editing == "epochs"
        app.pace = None  # full speed, to the run's end (> would be typed into the editor)
        await settle(app, pilot)
        assert app.state == "finished"
        assert controls.editing == "epochs" and controls.message == EDITING_HINT  # not the stale count


@pytest.mark.parametrize("lr, warned", [(2.0, True), (0.01, False)], ids=["lr 2 kills the units", "lr 0.01"])
async def test_a_run_that_ends_no_better_than_guessing_says_so(lr, warned):
    app = make_app(TrainConfig(layers=(64, 16, 10), lr=lr, epochs=8))
    shown = []
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.notify = lambda message, **kwargs: shown.append(message)  # type: ignore[method-assign]
        await pilot.press("space")
        await settle(app, pilot)
        assert app.state == "finished"
        test = app.session.history().test_acc[-1]
        assert (test < 0.19) == warned  # the rule, on what this run reached
        assert any("no better than guessing (10%)" in m and "i, the inspector" in m for m in shown) == warned


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


async def test_space_in_a_view_with_a_draft_waiting_says_so_there():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("minus", "i", "space")
        await settle(app, pilot)
        assert app.state == "ready"
        assert any("changes not applied yet" in n.message for n in app._notifications)


async def test_d_trains_on_another_data_set_keeping_the_hidden_layers_and_the_work():
    from nnplay.tui.keep import kept_files
    from nnplay.tui.widgets.dataset_chooser import DatasetChooser

    app = make_app(TrainConfig(layers=(64, 16, 10), activation=("tanh",), lr=0.1, epochs=2))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("space")
        await settle(app, pilot)
        await pilot.press("D", "down")
        assert isinstance(app.screen, DatasetChooser)
        prompts = [str(o.prompt) for o in app.screen.query_one("#datasets").options]
        assert prompts[0].endswith("(now)") and prompts[0].startswith("  ")  # digits, not the cursor
        assert prompts[1].startswith("▶ moons")  # the cursor, shown without colour too
        await pilot.press("escape")  # changes nothing
        assert app.session.config.dataset == "digits" and app.session.summary()["epoch"] == 2
        await pilot.press("D", "down", "enter")  # moons, the next after digits
        await settle(app, pilot)
        config = app.session.config
        assert config.dataset == "moons" and config.layers == (2, 16, 1)
        assert config.hidden_activations == ("tanh",) and config.lr == 0.1  # the rest stays
        assert app.session.trainer.net.spec.loss == "binary_cross_entropy"
        assert app.session.summary()["epoch"] == 0 and app.state == "ready"
        notes = [n.message for n in app._notifications]
        assert "Training on moons now (two interleaved half-moons): a fresh 2→16→1 network." in notes
        assert len(kept_files()) == 1  # the digits run, kept: ctrl+o brings it back
        assert "moons" in str(app.query_one(DigitViewer).border_title)
        await pilot.press("space")
        await settle(app, pilot)
        assert app.session.summary()["epoch"] == 2


async def test_keys_that_arrive_with_the_choice_of_a_data_set_act_after_it():
    from textual import events

    app = make_app(TrainConfig(layers=(64, 16, 10), epochs=2))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        burst = (("D", "D"), ("down", None), ("enter", "\r"), ("space", " "))  # as a slow link sends them
        for key, character in burst:
            app.post_message(events.Key(key, character))
        await settle(app, pilot)
        assert app.session.config.dataset == "moons" and app.session.summary()["epoch"] == 2


async def test_the_palette_finds_a_data_set_by_its_name():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p", *"sine")
        await pilot.pause(0.5)  # the palette searches in the background
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.session.config.dataset == "sine" and app.session.config.layers == (1, 16, 1)


async def test_a_data_set_switch_that_would_lose_training_asks_again_for_each_data_set(tmp_path, monkeypatch):
    app = make_app(TrainConfig(layers=(64, 16, 10), epochs=2))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("space")
        await settle(app, pilot)
        (tmp_path / "not-a-folder").write_text("")
        monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "not-a-folder"))  # keeping fails
        await pilot.press("D", "down", "enter")  # moons: warned, not switched
        await settle(app, pilot)
        assert app.session.config.dataset == "digits"
        assert any("choosing moons again switches" in n.message for n in app._notifications)
        await pilot.press("D", "down", "down", "enter")  # circles: once it went ahead unasked
        await settle(app, pilot)
        assert app.session.config.dataset == "digits" and app.session.summary()["epoch"] == 2
        await pilot.press("D", "down", "down", "enter")  # circles again: the person chose
        await settle(app, pilot)
        assert app.session.config.dataset == "circles"


async def test_switching_data_set_clears_a_divergence_notice_and_says_when_nothing_changes():
    app = make_app(TrainConfig(layers=(64, 16, 10), lr=50.0, epochs=2))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("space")
        await settle(app, pilot)
        assert app.state == "diverged" and any("diverged" in n.title for n in app._notifications)
        await pilot.press("D", "down", "enter")
        await settle(app, pilot)
        assert app.session.config.dataset == "moons"
        assert not any("diverged" in n.title for n in app._notifications)  # about digits' network
        await pilot.press("D", "enter")  # the current one
        await settle(app, pilot)
        assert "Already training on moons." in [n.message for n in app._notifications]
