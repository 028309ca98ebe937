"""The Training pane: stepping and typing settings, their refusals, and the status lines."""

import pytest

from nnplay.core.config import TrainConfig
from nnplay.tui.app import make_app
from nnplay.tui.widgets.architecture import ArchitectureEditor
from nnplay.tui.widgets.controls import FIELDS, TrainingControls
from tests.tui.helpers import SMALL, settle


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
        await pilot.press("ctrl+u", *"1e6", "enter")  # short too, though 1000000.0 fits the row
        assert "learning rate 1e+06" in str(controls.query_one("#settings").content)
        await pilot.press("enter", "ctrl+u", *"2", "enter")
        assert "learning rate 2.0" in str(controls.query_one("#settings").content)  # not 2: a float
        await pilot.press("enter")
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
        # the note was about the network just replaced: what r did is said instead
        assert controls.message == "A fresh network from seed 1."
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


async def test_a_batch_size_too_large_for_memory_is_refused_naming_the_batch_in_the_panes_lines(monkeypatch):
    from nnplay.core import config
    from nnplay.core.network import estimate_bytes

    # A limit that 64,16,10 meets with batches of 1,000: the message is as long as for a real
    # network near 2 GiB ("0.1 GiB" for "2.3 GiB", "1,000" for "2,312"), without building one.
    # (batches of 1,000 and the last one's, and the 2,048 rows evaluated: config._memory_needed)
    monkeypatch.setattr(config, "MEMORY_LIMIT", estimate_bytes((64, 16, 10), 2 * 1000 + 2048))
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


@pytest.mark.parametrize(
    "size, trained, toasts",
    [((76, 22), True, 1), ((76, 22), False, 0), ((80, 24), False, 0)],
    ids=["76x22-trained", "76x22", "80x24"],  # 76x22: in the rows "○ ready" leaves the status
)
async def test_a_refusal_the_training_pane_has_no_row_for_is_shown_as_a_notification(size, trained, toasts):
    app = make_app(TrainConfig(layers=(64, 16, 10), epochs=1))
    shown = []
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        if trained:  # the status's four lines: finished, the losses, the accuracies and "< slows it"
            await pilot.press("space")
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


async def test_a_value_half_typed_when_a_file_is_loaded_from_the_palette_is_dropped(tmp_path):
    from nnplay.core.serialize import load
    from tests.tui.helpers import type_into_dialog

    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.session.save(str(tmp_path / "m.npz"))
        controls = app.query_one(TrainingControls)
        editor = controls.query_one("#edit")
        await pilot.press("tab", "down", "enter", "ctrl+u", *"0.5")  # learning rate, not entered
        await pilot.press("ctrl+p", *"load")
        await pilot.pause(0.5)  # the palette searches in the background
        await pilot.press("enter")
        await type_into_dialog(pilot, str(tmp_path / "m.npz"))
        await settle(app, pilot)
        assert app.session.config.lr == load(tmp_path / "m.npz").config.lr == 0.01
        # the 0.5 belonged to the network replaced; an enter now must not put it on the file's
        assert not editor.display and controls.editing is None
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.session.config.lr == 0.01


async def test_a_two_line_note_is_read_whole_with_three_hidden_layers_at_80x24():
    # 64,32,32,32,10 leaves the Training pane one row between the settings and the status:
    # r's "Your unsaved network (1 step trained) is kept: ctrl+o loads it." was cut after
    # "(1 step", and the whole of it popped up over the plot as well
    from nnplay.tui.widgets.controls import Status

    app = make_app(TrainConfig(layers=(64, 32, 32, 32, 10)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("s")
        await settle(app, pilot)
        await pilot.press("r")
        await settle(app, pilot)
        await pilot.pause(0.1)  # the note's rows are found once it is laid out
        controls, status = app.query_one(TrainingControls), app.query_one(Status)
        note = controls.query_one("#note").region
        assert controls.message.startswith("Your unsaved network") and note.height == 2
        assert note.bottom <= status.region.y  # whole, above the status
        assert not app._notifications
        lines = status.text.plain.rstrip("\n").split("\n")
        assert status.region.height >= len(lines) and "ready" in lines[0]  # and the status whole
        assert status.region.bottom == controls.content_region.bottom
        await pilot.press("space")  # a run's status needs its rows: it takes them back
        await settle(app, pilot)
        assert status.region.height == 4
