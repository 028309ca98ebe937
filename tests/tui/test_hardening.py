"""The classroom: bad input, divergence, faults, damaged files, random keys and resizes."""

import os
import random
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.widgets import Static

from nnplay import data
from nnplay.core.config import TrainConfig
from nnplay.core.train import build
from nnplay.tui.app import NnplayApp, make_app
from nnplay.tui.widgets.controls import FIELDS, TrainingControls
from nnplay.tui.widgets.file_dialog import FileDialog
from tests.tui.helpers import settle

SMALL = TrainConfig(layers=(64, 16, 10), epochs=3)


async def type_into_dialog(pilot, path: str) -> None:
    await pilot.press("ctrl+u", *path, "enter")


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
        assert app.state == "finished" and app.session.summary()["epoch"] == 50
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

        monkeypatch.setattr(app.session, "next_record", broken)
        await pilot.press("space")
        await settle(app, pilot)
        assert app.state == "failed"
        assert any("disk caught fire" in n.message for n in app._notifications)
        for key in ("space", "s"):  # once nothing, and nothing said
            app.clear_notifications()
            await pilot.press(key)
            assert app.state == "failed"
            assert any("r starts a fresh one" in n.message for n in app._notifications)
        monkeypatch.undo()
        await pilot.press("r")
        await settle(app, pilot)
        await pilot.press("space")
        await settle(app, pilot)
        assert app.state == "finished"


async def test_save_and_load_from_the_app(tmp_path):
    path = str(tmp_path / "model.npz")
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("space")
        await settle(app, pilot)
        trained = app.session.trainer.net.params.copy()
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, FileDialog)
        await type_into_dialog(pilot, path)
        assert not isinstance(app.screen, FileDialog) and os.path.exists(path)
        notes = [n.message for n in app._notifications]
        assert f"Saved 3 epochs of training to model.npz in {tmp_path}" in notes
        await pilot.press("r")
        await settle(app, pilot)
        assert not np.array_equal(app.session.trainer.net.params, trained)
        await pilot.press("ctrl+o")
        await type_into_dialog(pilot, path)
        await settle(app, pilot)
        assert np.array_equal(app.session.trainer.net.params, trained)
        assert app.session.summary()["epoch"] == 3 and app.state == "finished"
        notes = [n.message for n in app._notifications]  # the name first: a toast wraps at spaces
        assert f"Loaded model.npz in {tmp_path}: 3 epochs trained." in notes


async def test_saving_again_over_a_file_another_window_has_replaced_asks_first(tmp_path):
    # Window A saved shared.npz; window B saved its own over it; A's ctrl+s, enter put A's back
    # without a question, and B's network was gone (B, saved, kept nothing on quitting).
    from nnplay.core.serialize import load, save

    path = str(tmp_path / "shared.npz")
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("s")
        await settle(app, pilot)
        await pilot.press("ctrl+s")
        await type_into_dialog(pilot, path)
        assert not isinstance(app.screen, FileDialog)
        await pilot.press("s", "ctrl+s", "enter")  # saving again over its own file asks nothing
        await settle(app, pilot)
        assert not isinstance(app.screen, FileDialog) and load(path).epochs_trained == 0
        other = build(TrainConfig(layers=(64, 16, 10), seed=7), data.load("digits"))
        save(path, other.net, TrainConfig(layers=(64, 16, 10), seed=7), 5)  # window B's
        await pilot.press("ctrl+s", "enter")
        message = str(app.screen.query_one("#message", Static).content)
        assert "has changed since it was saved or loaded here" in message
        assert load(path).epochs_trained == 5  # B's still
        await pilot.press("enter")  # again: the person was told, and chose
        assert not isinstance(app.screen, FileDialog) and load(path).epochs_trained == 0


async def test_the_offered_name_of_a_file_from_before_asks_before_replacing_it(tmp_path, monkeypatch):
    from nnplay.core.serialize import load, save

    monkeypatch.chdir(tmp_path)
    yesterdays = build(TrainConfig(layers=(64, 16, 10)), data.load("digits"))
    save("nnplay.npz", yesterdays.net, TrainConfig(layers=(64, 16, 10)), 9)
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+s", "enter")  # the offered nnplay.npz
        assert "already exists" in str(app.screen.query_one("#message", Static).content)
        assert load("nnplay.npz").epochs_trained == 9


async def test_a_name_without_an_ending_is_saved_and_loaded_as_npz(tmp_path):
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("s")
        await settle(app, pilot)
        await pilot.press("ctrl+s")
        await type_into_dialog(pilot, "mynet")
        assert sorted(p.name for p in tmp_path.glob("mynet*")) == ["mynet.npz"]
        notes = [n.message for n in app._notifications]
        assert f"Saved 1 step of training to mynet.npz in {tmp_path}" in notes
        stepped = app.session.trainer.net.params.copy()
        await pilot.press("r")
        await settle(app, pilot)
        await pilot.press("ctrl+o")
        await type_into_dialog(pilot, "mynet")
        await settle(app, pilot)
        assert not isinstance(app.screen, FileDialog)
        assert np.array_equal(app.session.trainer.net.params, stepped)


async def test_a_name_ending_in_a_slash_is_refused_and_upper_case_npz_files_are_listed(tmp_path):
    from textual.widgets import OptionList

    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+s")
        await type_into_dialog(pilot, "foo/")
        assert isinstance(app.screen, FileDialog) and "foo/ names a folder" in str(
            app.screen.query_one("#message").content
        )
        await type_into_dialog(pilot, "UP.NPZ")
        assert sorted(p.name for p in tmp_path.iterdir()) == ["UP.NPZ"]
        await pilot.press("ctrl+o")
        labels = [str(o.prompt)[2:] for o in app.screen.query_one(OptionList).options]  # past ▶
        assert [label for label in labels if label.startswith("UP.NPZ · ")]


async def test_a_home_relative_name_saves_in_home_and_a_too_long_one_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+s")
        await type_into_dialog(pilot, "~/" + "a" * 300 + ".npz")
        assert isinstance(app.screen, FileDialog) and app.is_running
        assert "too long" in str(app.screen.query_one("#message", Static).content)
        await pilot.press("escape")
        await pilot.press("ctrl+s")
        assert app.screen.query_one("#dialog").border_subtitle == "in ~"  # as the notices write it
        await type_into_dialog(pilot, "~/model.npz")
        assert not isinstance(app.screen, FileDialog)
    assert (tmp_path / "model.npz").exists()


@pytest.mark.parametrize(
    "damage,fragment",
    [
        (lambda blob: blob[: len(blob) // 2], "truncated or corrupt"),
        (lambda blob: os.urandom(len(blob)), ""),
        (lambda blob: b"", ""),
    ],
)
async def test_a_damaged_file_is_refused_and_the_network_untouched(tmp_path, damage, fragment):
    good = tmp_path / "good.npz"
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.session.save(str(good))
        bad = tmp_path / "bad.npz"
        bad.write_bytes(damage(good.read_bytes()))
        before = app.session.trainer.net.params.copy()
        await pilot.press("ctrl+o")
        await type_into_dialog(pilot, str(bad))
        dialog = app.screen
        assert isinstance(dialog, FileDialog)
        message = str(dialog.query_one("#message").render())
        assert message.startswith("✗") and fragment in message
        await pilot.press("escape")
        assert np.array_equal(app.session.trainer.net.params, before)


async def test_a_wrong_architecture_file_is_refused(tmp_path):
    path = tmp_path / "wrong.npz"
    with open(path, "wb") as f:
        np.savez(f, W0=np.zeros((3, 3)), meta=np.array('{"format": "nnplay", "version": 1}'))
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        before = app.session.trainer.net.params.copy()
        await pilot.press("ctrl+o")
        await type_into_dialog(pilot, str(path))
        assert "invalid" in str(app.screen.query_one("#message").render())
        await pilot.press("escape")
        assert np.array_equal(app.session.trainer.net.params, before)


async def test_saving_never_replaces_a_good_file_with_a_bad_one(tmp_path):
    path = tmp_path / "model.npz"
    app = make_app(TrainConfig(layers=(64, 16, 10), lr=50.0, epochs=50))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.session.save(str(path))
        good = path.read_bytes()
        app.session.trainer.net.params[0] = np.nan  # as if a weight had blown up
        await pilot.press("ctrl+s")
        await type_into_dialog(pilot, str(path))
        await pilot.press("enter")  # yes, replace it (the first enter asks)
        assert "non-finite" in str(app.screen.query_one("#message").render())
        assert path.read_bytes() == good
        await pilot.press("ctrl+u", *str(tmp_path / "no" / "such" / "dir.npz"), "enter")
        assert "does not exist" in str(app.screen.query_one("#message").render())


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


async def test_loading_a_kept_file_over_unsaved_training_keeps_that_training_in_a_new_file(tmp_path):
    from nnplay.core.serialize import load
    from nnplay.tui.keep import kept_files

    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("space")
        await settle(app, pilot)
        await pilot.press("r")  # keeps the trained network
        await settle(app, pilot)
        (first,) = kept_files()
        trained = load(first).epochs_trained
        await pilot.press("s")  # new training, not yet saved
        await settle(app, pilot)
        await pilot.press("ctrl+o")
        await type_into_dialog(pilot, str(first))  # once refused: it would have been overwritten
        assert not isinstance(app.screen, FileDialog)
        assert app.session.summary()["epoch"] == trained  # the first network, loaded
        (_, second) = kept_files()
        assert load(first).epochs_trained == trained and load(second).epochs_trained == 0  # the step


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
        assert load(kept).epochs_trained == app.session.summary()["epoch"] > 0
    assert app.return_code == 0


async def test_the_file_dialog_says_which_folder_a_bare_name_goes_to(tmp_path):
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+s")
        from nnplay.core.paths import shown

        assert app.screen.query_one("#dialog").border_subtitle == f"in {shown(tmp_path, 50)}"


async def test_a_loaded_network_drops_the_note_about_the_one_before(tmp_path):
    from nnplay.tui.widgets.architecture import ArchitectureEditor

    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.session.save(str(tmp_path / "m.npz"))
        editor = app.query_one(ArchitectureEditor)
        await pilot.press("plus", "enter")
        await settle(app, pilot)
        assert editor.message.startswith("rebuilt")
        await pilot.press("ctrl+o")
        await type_into_dialog(pilot, str(tmp_path / "m.npz"))
        await settle(app, pilot)
        assert app.session.config.layers == (64, 16, 10) and editor.message == ""


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


async def test_without_colour_a_warning_or_an_error_says_so_in_words(monkeypatch):
    from textual.widgets import Input

    monkeypatch.setenv("NO_COLOR", "1")
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


async def test_what_would_lose_training_that_cannot_be_kept_waits_for_a_second_press(tmp_path, monkeypatch):
    from nnplay.tui.widgets.architecture import ArchitectureEditor

    blocker = tmp_path / "state"
    blocker.write_text("a file where the state folder should be")  # the autosave cannot be written
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker))
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.session.save(str(tmp_path / "other.npz"))  # a file to load, later
        await pilot.press("s")
        await settle(app, pilot)
        generation = app.session.generation

        def warned() -> bool:
            found = any("could not be kept" in n.message for n in app._notifications)
            app.clear_notifications()
            return found

        await pilot.press("r")
        await settle(app, pilot)
        assert app.session.generation == generation and warned()  # once: reset, training lost
        await pilot.press("s", "r")  # trained more since the warning: asks again, not "again"
        await settle(app, pilot)
        assert app.session.generation == generation and warned()
        await pilot.press("plus", "enter")  # an architecture to apply
        await settle(app, pilot)
        assert app.session.generation == generation and warned()
        assert "not applied" in app.query_one(ArchitectureEditor).message
        await pilot.press("q")  # the draft is asked about first, then the training
        await pilot.pause()
        assert app.is_running and any("q again quits without them" in n.message for n in app._notifications)
        await pilot.press("q")
        await pilot.pause()
        assert app.is_running and warned()
        await pilot.press("ctrl+o")  # the draft waits still: loading would drop it unseen
        assert not isinstance(app.screen, FileDialog)
        await pilot.press("escape", "ctrl+o")  # dropped: now to load
        await type_into_dialog(pilot, str(tmp_path / "other.npz"))
        assert "could not be kept" in str(app.screen.query_one("#message", Static).content)
        await pilot.press("enter")  # again: the person was told, and chose to load without it
        await settle(app, pilot)
        assert app.session.generation == generation + 1 and not isinstance(app.screen, FileDialog)


async def test_under_serve_q_with_unsaved_training_asks_for_a_second_q():
    # The tabs share one user, so nothing is kept on quitting: q ended a trained run unseen.
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.session.keeps_unsaved = False  # as under nnplay serve
        await pilot.press("q")  # nothing trained: nothing to lose, nothing asked
        await pilot.pause()
        assert not app.is_running
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.session.keeps_unsaved = False
        await pilot.press("s")
        await settle(app, pilot)
        await pilot.press("q")
        await pilot.pause()
        assert app.is_running
        said = [n.message for n in app._notifications]
        assert any("Under nnplay serve" in m and "q again quits" in m for m in said)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_after_r_keeps_a_network_ctrl_o_offers_that_file():
    from textual.widgets import Input

    from nnplay.tui.keep import kept_files

    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("s", "r")
        await settle(app, pilot)
        # said in a line, not with the long path that covered the Loss pane: ctrl+o offers it
        notices = [n.message for n in app._notifications]
        assert "Your unsaved network (1 step trained) is kept: ctrl+o loads it." in notices
        await pilot.press("ctrl+o")
        (kept,) = kept_files()
        assert app.screen.query_one("#path", Input).value == str(kept)  # once: nnplay.npz
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.session.summary()["step"] == 0 and app.session.kept_path is None
        await pilot.press("ctrl+s")  # a name of the person's own, not nnplay's kept file
        assert app.screen.query_one("#path", Input).value == "nnplay.npz"


async def test_the_load_dialog_lists_the_keeps_and_this_folders_networks_and_loads_the_one_chosen(tmp_path):
    from textual import events
    from textual.widgets import Input, OptionList

    from nnplay import data
    from nnplay.core.serialize import save
    from nnplay.core.train import build

    moons = TrainConfig(dataset="moons", layers=(2, 8, 1), epochs=9)
    save(tmp_path / "mine.npz", build(moons, data.load("moons")).net, moons, 4)
    (tmp_path / "notes.npz").write_text("not a network: left out")
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        for _ in range(2):  # two keeps: the second no longer hides the first
            await pilot.press("space")
            await settle(app, pilot)
            await pilot.press("r")
            await settle(app, pilot)
        app.notify("...: ctrl+o loads it.", timeout=60)
        await pilot.press("ctrl+o")
        assert not app._notifications  # it did its work, and it covered the list
        labels = [str(o.prompt)[2:] for o in app.screen.query_one(OptionList).options]  # past ▶
        assert labels[0].startswith("kept ") and labels[0].endswith(" · 3 epochs · digits")
        assert labels[1].startswith("kept ") and labels[2].startswith("mine.npz · 4 epochs · moons · ")
        assert len(labels) == 3
        burst = (("down", None), ("down", None), ("down", None), ("up", None))  # as a slow link sends them
        for key, character in burst:
            app.post_message(events.Key(key, character))
        await pilot.pause()
        assert app.screen.query_one("#path", Input).value == app.screen.recent[1][0]
        await pilot.press("up", "up")  # back to the name field
        prompts = [str(o.prompt) for o in app.screen.query_one(OptionList).options]
        assert not any(p.startswith("▶") for p in prompts)  # the name field has the keys
        await type_into_dialog(pilot, "")  # refused: no name
        assert "✗" in str(app.screen.query_one("#message").content)
        await pilot.press("down")  # into the list: the newest keep, named above
        assert "✗" not in str(app.screen.query_one("#message").content)  # it was of the empty name
        assert app.screen.query_one("#path", Input).value == app.screen.recent[0][0]
        prompts = [str(o.prompt) for o in app.screen.query_one(OptionList).options]
        assert [p[:2] for p in prompts] == ["▶ ", "  ", "  "]  # marked without colour too
        await pilot.press("down", "down", "up")  # to mine.npz, and back one
        assert app.screen.query_one("#path", Input).value == app.screen.recent[1][0]
        await pilot.press("down", "enter")
        await settle(app, pilot)
        assert app.session.config.dataset == "moons" and app.session.summary()["epoch"] == 4


def test_ages_are_told_apart_within_a_minute():
    from nnplay.tui.files import ago

    assert ago(0.2) == "1 second ago" and ago(13) == "13 seconds ago" and ago(75) == "a minute ago"
    assert ago(59.4) == "59 seconds ago" and ago(59.6) == "a minute ago"  # not "60 seconds ago"
    assert ago(600) == "10 minutes ago" and ago(5 * 3600) == "5 hours ago" and ago(3 * 86400) == "3 days ago"


async def test_file_names_with_brackets_are_shown_as_typed_not_read_as_markup(tmp_path):
    from textual.widgets import OptionList

    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.session.save(str(tmp_path / "[b]bold.npz"))
        await pilot.press("ctrl+o")
        assert str(app.screen.query_one(OptionList).options[0].prompt).startswith("  [b]bold.npz · ")
        await type_into_dialog(pilot, "[/]x[red")  # once: a MarkupError, and the app was gone
        assert "[/]x[red: no such file" in str(app.screen.query_one("#message").render())
        await type_into_dialog(pilot, str(tmp_path / "[b]bold.npz"))
        await settle(app, pilot)
        assert any("[b]bold.npz" in n.message and not n.markup for n in app._notifications)


async def test_the_file_dialogs_open_in_a_folder_removed_under_the_app(tmp_path, monkeypatch):
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()  # another shell removed it
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        for key in ("ctrl+o", "ctrl+s"):
            await pilot.press(key)
            assert isinstance(app.screen, FileDialog)
            assert "no longer exists" in str(app.screen.query_one("#dialog").border_subtitle)
            await pilot.press("escape")
        await pilot.press("ctrl+s")
        await type_into_dialog(pilot, str(tmp_path / "safe.npz"))
        assert (tmp_path / "safe.npz").is_file() and not isinstance(app.screen, FileDialog)


@pytest.mark.parametrize("hours, said", [(0.1, True), (30, False)], ids=["6 minutes", "30 hours"])
async def test_a_new_session_says_a_recently_kept_network_waits(hours, said):
    from nnplay.tui.keep import kept_files

    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("s", "r")  # kept, as quitting keeps it
        await settle(app, pilot)
    (kept,) = kept_files()
    then = time.time() - hours * 3600
    os.utime(kept, (then, then))
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        notices = [n.message for n in app._notifications]
        waits = f"An unsaved network kept {'6 minutes' if said else '30 hours'} ago waits: ctrl+o loads it."
        assert (waits in notices) == said  # a day on, it is old news: ctrl+o still offers it


async def test_loading_a_file_of_another_data_set_says_so():
    from nnplay.cli import main
    from nnplay.tui.widgets.digit_viewer import DigitViewer

    assert main(["train", "--dataset", "moons", "--epochs", "1", "--save", "moons.npz"]) == 0
    app = make_app(TrainConfig(dataset="xor", layers=(2, 8, 1), epochs=1))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+o")
        await type_into_dialog(pilot, "moons.npz")
        await settle(app, pilot)
        assert any("now moons (was xor)" in n.message for n in app._notifications)
        assert app.query_one(DigitViewer).border_title.endswith("· moons")


async def test_saving_over_another_file_asks_first_and_over_its_own_does_not(tmp_path):
    from nnplay.core.serialize import load

    handout = tmp_path / "handout.npz"
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.session.save(str(handout))  # a file from before, not saved in this session's dialog
        before = handout.read_bytes()
        await pilot.press("s")
        await settle(app, pilot)
        await pilot.press("ctrl+s")
        await type_into_dialog(pilot, str(handout))
        assert isinstance(app.screen, FileDialog) and handout.read_bytes() == before
        assert "already exists: enter again replaces it" in str(
            app.screen.query_one("#message", Static).content
        )
        await pilot.press("enter")  # asked and answered
        await settle(app, pilot)
        assert not isinstance(app.screen, FileDialog) and load(handout).config.layers == SMALL.layers
        assert handout.read_bytes() != before
        await pilot.press("s", "ctrl+s", "enter")  # the file saved here: no question
        await settle(app, pilot)
        assert not isinstance(app.screen, FileDialog)


async def test_a_file_opened_with_load_on_the_command_line_is_the_sessions_own(tmp_path):
    from textual.widgets import Input

    from nnplay.cli import main
    from nnplay.core.serialize import load

    path = tmp_path / "b.npz"
    assert main(["train", "--layers", "64,8,10", "--epochs", "1", "--save", str(path)]) == 0
    saved = load(path)
    app = make_app(saved.config, saved, path=str(path))  # as `nnplay --load b.npz` makes it
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+o")
        assert app.screen.query_one("#path", Input).value == str(path)  # not nnplay.npz
        await pilot.press("escape", "s", "ctrl+s")
        assert app.screen.query_one("#path", Input).value == str(path)
        await pilot.press("enter")  # its own file: saved at once, no "already exists"
        await settle(app, pilot)
        assert not isinstance(app.screen, FileDialog) and load(path).epochs_trained == 1
