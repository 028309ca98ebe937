"""Training never saved is kept when r, a load, a data set or q would drop it, or asked about
twice where it cannot be kept; ctrl+o then offers the keep."""

import os
import time

import pytest
from textual.widgets import Static

from nnplay.tui.app import make_app
from nnplay.tui.widgets.controls import TrainingControls
from nnplay.tui.widgets.file_dialog import FileDialog
from tests.tui.helpers import SMALL, settle, type_into_dialog


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
        assert app.session.counts().epoch == trained  # the first network, loaded
        (_, second) = kept_files()
        assert load(first).epochs_trained == trained and load(second).epochs_trained == 0  # the step


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
        assert "not applied: the training so far would be lost" in app.query_one(ArchitectureEditor).message
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
    from nnplay.tui.widgets.controls import TrainingControls

    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("s", "r")
        await settle(app, pilot)
        # said without the long path that covered the Loss pane (ctrl+o offers it), and in
        # the Training pane, not in a notice over the plot of the new run
        note = app.query_one(TrainingControls).message
        assert note == "Your unsaved network (1 step trained) is kept: ctrl+o loads it."
        assert not app._notifications
        await pilot.press("ctrl+o")
        (kept,) = kept_files()
        assert app.screen.query_one("#path", Input).value == str(kept)  # once: nnplay.npz
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.session.counts().step == 0 and app.session.kept_path is None
        await pilot.press("ctrl+s")  # a name of the person's own, not nnplay's kept file
        assert app.screen.query_one("#path", Input).value == "nnplay.npz"


def test_ages_are_told_apart_within_a_minute():
    from nnplay.tui.files import ago

    assert ago(0.2) == "1 second ago" and ago(13) == "13 seconds ago" and ago(75) == "a minute ago"
    assert ago(59.4) == "59 seconds ago" and ago(59.6) == "a minute ago"  # not "60 seconds ago"
    assert ago(600) == "10 minutes ago" and ago(5 * 3600) == "5 hours ago" and ago(3 * 86400) == "3 days ago"


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
        note = app.query_one(TrainingControls).message
        waits = f"An unsaved network kept {'6 minutes' if said else '30 hours'} ago waits: ctrl+o loads it."
        assert (note == waits) == said  # a day on, it is old news: ctrl+o still offers it
        assert not app._notifications  # in the Training pane: a notice covered the Loss pane for 8 s


async def test_a_file_named_like_a_keep_that_is_no_network_is_not_announced_or_offered():
    from textual.widgets import Input

    from nnplay.tui.keep import kept_files, kept_folder

    app = make_app(SMALL)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("s", "r")  # a real keep
        await settle(app, pilot)
    (kept,) = kept_files()
    (kept_folder() / "unsaved-29991231-235959.npz").write_bytes(b"not a network")  # the newest
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(app, pilot)
        assert app.session.kept_path == kept
        await pilot.press("ctrl+o")
        assert app.screen.query_one("#path", Input).value == str(kept)


async def test_with_no_home_folder_the_app_starts_loads_and_quits(tmp_path, monkeypatch):
    # HOME unset for a user with no passwd entry (docker run -u 1234): Path.home() raised
    # RuntimeError, and the app never started.
    from tests.tui.test_session import no_home

    no_home(monkeypatch)
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.session.save(str(tmp_path / "other.npz"))
        await pilot.press("s")
        await settle(app, pilot)
        await pilot.press("ctrl+o")
        await type_into_dialog(pilot, str(tmp_path / "other.npz"))
        assert "HOME is not set" in str(app.screen.query_one("#message", Static).content)
        await pilot.press("enter")  # load without keeping it
        await settle(app, pilot)
        assert not isinstance(app.screen, FileDialog) and app._file == str(tmp_path / "other.npz")
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


def _aged(path, days: float, content: bytes = b"a network") -> None:
    path.write_bytes(content)
    then = time.time() - days * 86400
    os.utime(path, (then, then))


def test_forgetting_old_keeps_goes_by_the_time_in_their_names_ten_newest_staying():
    # All a month old: the KEPT_MOST newest by their names' time stay. Keeps of one second
    # are -2, -3, ... -10 after the first, in that order, which sorting the names as text
    # gets wrong ("-10" < "-2" < "."); the older versions' one name counts as the oldest.
    from nnplay.tui.keep import KEPT_MOST, forget_old_kept, kept_files, kept_folder

    folder = kept_folder()
    folder.mkdir(parents=True)
    oldest_first = ["unsaved.npz", "unsaved-20261130-235959.npz", "unsaved-20261201-101010.npz"]
    oldest_first += [f"unsaved-20261201-101010-{n}.npz" for n in range(2, 11)]
    oldest_first.append("unsaved-20261202-000000.npz")
    for i, name in enumerate(reversed(oldest_first)):  # the times on disk the other way round
        _aged(folder / name, days=30 + i)
    assert [p.name for p in kept_files()] == oldest_first
    forget_old_kept()
    assert sorted(p.name for p in folder.iterdir()) == sorted(oldest_first[-KEPT_MOST:])


def test_forgetting_old_keeps_never_removes_what_is_not_a_keep_nor_a_keep_under_way():
    from nnplay.tui.keep import LEFT_OVER_HOURS, forget_old_kept, kept_folder

    folder = kept_folder()
    folder.mkdir(parents=True)
    for n in range(12):  # twelve keeps, a month old: two go, the oldest
        _aged(folder / f"unsaved-20261101-0000{n:02}.npz", days=30)
    stay = {
        "mynet.npz": b"a network",  # saved here with ctrl+s
        "notes.txt": b"",
        "empty.npz": b"",  # empty, but no name a keep reserves
        "room-0.npz": b"",
        ".mynet.npz.x1y2z3w4.tmp": b"half",  # a save of another name: serialize's to tidy
        "unsaved-20261201-101010.npz.bak": b"",
    }
    for name, content in stay.items():
        _aged(folder / name, days=30, content=content)
    (folder / "unsaved-20261201-101011.npz").mkdir()  # not a file at all
    hours = LEFT_OVER_HOURS / 24
    _aged(folder / "unsaved-20261203-120000.npz", days=hours * 0.5, content=b"")  # reserved just now
    _aged(folder / ".unsaved-20261203-120000.npz.abcd1234.tmp", days=hours * 0.5, content=b"half")
    forget_old_kept()
    left = {p.name for p in folder.iterdir()}
    kept = {f"unsaved-20261101-0000{n:02}.npz" for n in range(2, 12)}
    assert left == kept | set(stay) | {
        "unsaved-20261201-101011.npz",
        "unsaved-20261203-120000.npz",
        ".unsaved-20261203-120000.npz.abcd1234.tmp",
    }


def test_forgetting_old_keeps_removes_only_empty_names_of_keeps_and_their_old_temporaries():
    # what a keep cut short leaves: the name reserved (empty) and the save's temporary file;
    # a keep with a network in it, hours old but among the ten newest, is no leftover
    from nnplay.tui.keep import LEFT_OVER_HOURS, forget_old_kept, kept_folder

    folder = kept_folder()
    folder.mkdir(parents=True)
    old = 2 * LEFT_OVER_HOURS / 24
    _aged(folder / "unsaved-20261201-101010.npz", days=old, content=b"")
    _aged(folder / ".unsaved-20261201-101010.npz.x1y2z3w4.tmp", days=old, content=b"half a network")
    _aged(folder / "unsaved-20261201-090000.npz", days=old)
    forget_old_kept()
    assert [p.name for p in folder.iterdir()] == ["unsaved-20261201-090000.npz"]


def test_only_names_nnplay_gives_keeps_count_as_keeps_or_are_ever_removed():
    # a person's own unsaved-notes.npz beside twelve month-old keeps: no keep, so never
    # offered at start-up, and never removed, however old, empty or not
    from nnplay.tui.keep import KEPT_MOST, LEFT_OVER_HOURS, forget_old_kept, kept_files, kept_folder

    folder = kept_folder()
    folder.mkdir(parents=True)
    keeps = [f"unsaved-20261101-0000{n:02}.npz" for n in range(KEPT_MOST + 2)]
    for name in keeps:
        _aged(folder / name, days=30)
    theirs = {"unsaved-notes.npz": b"a network", "unsaved_old.npz": b"", "unsaved-20261101.npz": b""}
    for name, content in theirs.items():
        _aged(folder / name, days=30, content=content)
    _aged(folder / ".unsaved-notes.npz.abcd1234.tmp", days=2 * LEFT_OVER_HOURS / 24, content=b"half")
    assert [p.name for p in kept_files()] == keeps
    forget_old_kept()
    left = {p.name for p in folder.iterdir()}
    assert left == set(keeps[-KEPT_MOST:]) | set(theirs) | {".unsaved-notes.npz.abcd1234.tmp"}


def test_forgetting_old_keeps_removes_a_room_check_cut_short_but_not_one_under_way():
    # killed as it checked the free space, nnplay left check_writable()'s probe behind
    from nnplay.tui.keep import LEFT_OVER_HOURS, check_room, forget_old_kept, kept_folder

    folder = kept_folder()
    folder.mkdir(parents=True)
    hours = LEFT_OVER_HOURS / 24
    _aged(folder / ".room-0.npz.abcd1234.tmp", days=2 * hours, content=b"")
    _aged(folder / ".room-0.npz.wxyz_987.tmp", days=hours * 0.5, content=b"")  # another app's, now
    _aged(folder / ".room-notes.npz.abcd1234.tmp", days=2 * hours, content=b"")  # not a name it makes
    check_room(1)  # its own probe is gone at once
    forget_old_kept()
    assert sorted(p.name for p in folder.iterdir()) == [
        ".room-0.npz.wxyz_987.tmp",
        ".room-notes.npz.abcd1234.tmp",
    ]
