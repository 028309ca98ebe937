"""Saving and loading from the app and its file dialogs: a damaged or foreign file is refused,
a file another window replaced is not overwritten unasked."""

import os
from dataclasses import replace

import numpy as np
import pytest
from textual.widgets import Static

from nnplay import data
from nnplay.core.config import TrainConfig
from nnplay.core.train import build
from nnplay.tui.app import make_app
from nnplay.tui.widgets.controls import TrainingControls
from nnplay.tui.widgets.file_dialog import FileDialog
from tests.tui.helpers import SMALL, settle, type_into_dialog


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
        assert app.session.counts().epoch == 3 and app.state == "finished"
        # in the Training pane, not over the loaded curves; the dialog named the folder
        assert app.query_one(TrainingControls).message == "Loaded model.npz: 3 epochs trained."
        assert not any("Loaded" in n.message for n in app._notifications)


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
        # what each network is, as three keeps of "100 epochs · digits" looked alike
        assert labels[0].startswith("kept ") and labels[0].endswith(" · 3 epochs · digits 64→16→10 sgd")
        assert labels[1].startswith("kept ")
        assert labels[2].startswith("mine.npz · 4 epochs · moons 2→8→1 sgd · ")
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
        assert app.session.config.dataset == "moons" and app.session.counts().epoch == 4


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
        note = app.query_one(TrainingControls).query_one("#note", Static)  # the Training pane's
        assert "Loaded [b]bold.npz: " in str(note.render())


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
        assert "on moons (was xor)" in app.query_one(TrainingControls).message
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


async def test_under_serve_the_file_every_tab_loads_is_not_replaced_unasked(tmp_path, monkeypatch):
    # nnplay serve --load handout.npz: one student's ctrl+s, enter replaced the class's handout
    # with their network, and every tab opened after started from it.
    from nnplay.cli import main
    from nnplay.core.serialize import load

    path = tmp_path / "handout.npz"
    assert main(["train", "--layers", "64,8,10", "--epochs", "1", "--save", str(path)]) == 0
    saved = load(path)
    monkeypatch.setenv("TEXTUAL_DRIVER", "textual.drivers.web_driver:WebDriver")  # as serve sets it
    app = make_app(replace(saved.config, epochs=5), saved, path=str(path))  # as each tab's app is made
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("space")
        await settle(app, pilot)
        await pilot.press("ctrl+s", "enter")  # the name offered: the handout's
        assert isinstance(app.screen, FileDialog) and load(path).epochs_trained == 1
        assert "already exists: enter again replaces it" in str(
            app.screen.query_one("#message", Static).content
        )


async def test_an_enter_that_arrives_with_the_one_that_loads_is_not_taken_twice(tmp_path):
    # The dialog closed on the first; the second, read after, closed the screen under it too:
    # the view the dialog was opened from, or (on the main screen) the app itself.
    from textual import events

    from nnplay.tui.views.weights import WeightsView

    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+s", "enter", "w", "ctrl+o")
        for _ in range(2):  # together, as a slow link sends them
            app.post_message(events.Key("enter", "\r"))
        await pilot.pause()
        assert isinstance(app.screen, WeightsView)
        await pilot.press("escape", "ctrl+s")
        for _ in range(2):
            app.post_message(events.Key("enter", "\r"))
        await pilot.pause()
        assert app.is_running and app.screen is app.screen_stack[0]
    assert (tmp_path / "nnplay.npz").exists()


@pytest.mark.parametrize("many", [False, True], ids=["few", "scrolled"])
@pytest.mark.parametrize("size", [(76, 22), (80, 24)], ids=["76x22", "80x24"])
async def test_a_long_entry_in_the_load_list_wraps_under_itself_not_under_the_list(size, many):
    """A network kept partway through an epoch, as a class pausing at a slow pace leaves it,
    is 'kept 12 minutes ago · 4 epochs and 14 steps · digits 64→128→64→10 sgd': it wrapped,
    and its 'sgd' sat alone at the list's left edge, like an entry of its own."""
    from textual.geometry import Region
    from textual.widgets import OptionList

    entries = [
        ("/k/a.npz", "kept 12 minutes ago · 4 epochs and 14 steps · digits 64→128→64→10 sgd"),
        ("/k/b.npz", "kept 2 hours ago · 100 epochs · digits 64→128→64→10 momentum"),
        ("/k/c.npz", "kept 3 hours ago · 2 epochs and 23 steps · digits 64→128→64→10 momentum"),
        ("/h/handout.npz", "handout.npz · 100 epochs · digits 64→128→64→10 sgd · 7 minutes ago"),
    ]
    if many:  # more lines than the list shows: a scrollbar takes two of its columns
        entries = [(f"{path}{n}", label) for n in range(4) for path, label in entries]
    app = make_app(SMALL)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        app.push_screen(FileDialog("Load a network (.npz)", "", lambda path: "no", entries))
        await pilot.pause()
        await pilot.press("down")  # into the list: the cursor marks the first
        await pilot.pause()
        listed = app.screen.query_one(OptionList)
        lines = [s.text.rstrip() for s in listed.render_lines(Region(0, 0, *listed.size))]
        lines = [line for line in lines if line.strip()]
        assert listed.show_vertical_scrollbar == many
        starts = [n for n, line in enumerate(lines) if line[:2] in ("▶ ", "  ") and line[2] != " "]
        assert lines[0].startswith("▶ kept 12 minutes ago")
        for n, line in enumerate(lines):
            if n not in starts:
                assert line.startswith("    ") and line.strip()  # a continuation, indented
        if not many:  # all in view: each entry whole
            assert len(starts) == len(entries)
            for (_, label), start, end in zip(entries, starts, [*starts[1:], len(lines)], strict=True):
                assert " ".join(line.strip() for line in lines[start:end]).removeprefix("▶ ") == label
