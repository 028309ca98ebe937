"""Training is kept as it runs, in one file per network, so what no quit is there to keep
(kill -9, the memory running out, a crash) loses at most a minute of it."""

import threading
from dataclasses import replace

import numpy as np
import pytest

from nnplay.core.config import TrainConfig
from nnplay.core.serialize import load
from nnplay.core.train import EpochStats
from nnplay.tui import keep
from nnplay.tui.keep import KEEP_EVERY, SLOW_KEEP, RunningKeep, kept_files
from nnplay.tui.session import Session
from tests.tui.helpers import wait_until


def epochs(session: Session, n: int) -> None:
    done = 0
    while done < n:
        done += isinstance(session.next_record(), EpochStats)


@pytest.fixture
def every_epoch(monkeypatch):
    monkeypatch.setattr(keep, "KEEP_EVERY", 0.0)
    monkeypatch.setattr(keep, "SLOW_KEEP", 0)


def test_training_is_kept_as_it_runs_in_one_file_that_the_last_keep_rewrites(every_epoch):
    session = Session(TrainConfig(layers=(64, 8, 10), epochs=3))
    session.load()
    epochs(session, 1)
    (running,) = kept_files()  # what a kill -9 now would leave
    assert load(running).epochs_trained == 1 and session.unsaved  # the person has saved nothing
    epochs(session, 2)
    assert kept_files() == [running] and load(running).epochs_trained == 3  # rewritten, not added to
    note = session.keep_on_exit()
    assert kept_files() == [running] and f"is kept in {running}" in note


def test_a_new_network_is_kept_in_a_file_of_its_own(every_epoch):
    session = Session(TrainConfig(layers=(64, 8, 10), epochs=3))
    session.load()
    epochs(session, 2)
    (first,) = kept_files()
    session.next_record()  # a step more: r keeps it in the same file
    assert str(first) in session.rebuild() and kept_files() == [first]
    epochs(session, 1)
    older, newer = kept_files()
    assert older == first and load(first).epochs_trained == 2 and load(newer).epochs_trained == 1


def test_the_persons_own_save_takes_the_place_of_what_was_kept_as_it_ran(tmp_path, every_epoch):
    session = Session(TrainConfig(layers=(64, 8, 10), epochs=3))
    session.load()
    epochs(session, 1)
    assert len(kept_files()) == 1
    session.save(str(tmp_path / "mine.npz"))
    assert kept_files() == [] and load(tmp_path / "mine.npz").epochs_trained == 1
    epochs(session, 1)  # unsaved again: kept again
    (running,) = kept_files()
    assert load(running).epochs_trained == 2
    session.save(str(running))  # saved onto that very file: it stays
    assert kept_files() == [running] and session.keep_on_exit() == ""


def test_nothing_is_kept_as_it_runs_under_serve(every_epoch):
    session = Session(TrainConfig(layers=(64, 8, 10), epochs=2))
    session.keeps_unsaved = False  # as under `nnplay serve`
    session.load()
    epochs(session, 2)
    assert kept_files() == []


def test_keeps_come_a_minute_apart_or_further_if_writing_is_slow(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(keep.time, "monotonic", lambda: now[0])
    running = RunningKeep()
    assert not running.due(10)  # the first epoch's end starts the clock
    now[0] += KEEP_EVERY - 1
    assert not running.due(20)
    now[0] += 1
    assert running.due(30)

    def slow(path):
        path.write_bytes(b"a network")
        now[0] += 10.0  # far above a minute's 2%

    path = running.write(slow, 30)
    assert path in kept_files() and path.read_bytes() == b"a network"
    now[0] += KEEP_EVERY
    assert not running.due(40) and not running.due(40, ended=True)  # not a sixth of the time keeping
    now[0] += SLOW_KEEP * 10.0 - KEEP_EVERY
    assert running.due(40) and not running.due(30, ended=True)  # nothing new since the keep


def test_a_keep_that_fails_leaves_no_name_behind_and_waits_its_turn(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(keep.time, "monotonic", lambda: now[0])
    running = RunningKeep()

    def no_room(path):
        raise OSError(28, "No space left on device")

    running.due(10)
    now[0] += KEEP_EVERY
    with pytest.raises(OSError):
        running.write(no_room, 10)
    assert running.path is None and not list(keep.kept_folder().iterdir())  # no empty name left
    assert not running.due(20)  # a full disk is not tried again every epoch
    path = running.write(lambda p: p.write_bytes(b"first"), 20)
    with pytest.raises(OSError):
        running.write(no_room, 30)
    assert running.path == path and path.read_bytes() == b"first"  # the earlier keep is still there


async def test_a_run_that_ends_is_kept_at_once_and_quitting_says_that_file():
    from nnplay.tui.app import make_app
    from nnplay.tui.files import recent_networks
    from tests.tui.helpers import SMALL, settle

    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("s")  # a single step is not a run's end: no file a press
        await settle(app, pilot)
        assert kept_files() == []
        await pilot.press("space")  # trains its three epochs in a moment, well under a minute
        await settle(app, pilot)
        (running,) = kept_files()  # a kill -9 now, after an hour of looking, loses nothing
        assert load(running).epochs_trained == 3 and app.session.unsaved
        assert str(running) not in dict(recent_networks(app.session.running_keep))  # not offered to load
        await pilot.press("q")
        await pilot.pause()
    note = app.session.keep_on_exit()  # as the command does once the app has quit
    assert kept_files() == [running] and f"kept in {running}" in note


def held_up(where, name: str, monkeypatch) -> tuple[threading.Event, threading.Event]:
    """Stop the training thread (named "trainer") as it calls ``where.name``, until the
    second event is set; (it is there, let it go)."""
    there, go = threading.Event(), threading.Event()
    real = getattr(where, name)

    def wrapper(*args, **kwargs):
        if threading.current_thread().name == "trainer":
            there.set()
            go.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(where, name, wrapper)
    return there, go


def test_the_ui_goes_on_while_a_keep_as_it_runs_is_written_and_the_file_is_of_one_moment(
    every_epoch, monkeypatch
):
    """The training thread wrote its keep holding the session's lock: a key pressed then
    waited for the disk (savez and fsync). Now it writes a copy taken under the lock, so
    settings changed meanwhile do not mix into the file."""
    session = Session(TrainConfig(layers=(64, 8, 10), epochs=3, optimizer="momentum", lr=0.05))
    session.load()
    writing, go = held_up(np, "savez", monkeypatch)  # in the middle of the keep's write
    trainer = threading.Thread(target=epochs, args=(session, 1), name="trainer", daemon=True)
    trainer.start()
    assert writing.wait(30)
    applied = threading.Event()
    adam = replace(session.config, optimizer="adam", lr=0.001)
    ui = threading.Thread(target=lambda: (session.apply(adam), applied.set()), daemon=True)
    ui.start()
    wait_until(lambda: applied.is_set() or session.lock.waiting, "the UI to apply or wait")
    went_on = applied.is_set()
    go.set()
    trainer.join(30)
    ui.join(30)
    assert went_on  # the lock was free while the file was written
    (running,) = kept_files()
    kept = load(running)
    assert (kept.config.optimizer, kept.config.lr) == ("momentum", 0.05)
    assert set(kept.optimizer_state) == {"v"}  # momentum's own, not adam's m, v and t
    session.keep_on_exit()
    assert load(running).config.optimizer == "adam"


@pytest.mark.parametrize("then", ["quit", "save onto it"])
def test_a_keep_copied_before_a_later_keep_or_save_is_not_written_over_it(then, every_epoch, monkeypatch):
    """A keep as it runs is copied under the lock and written after: a keep at q, or the
    person's save onto that file, with an lr set between the two, must not be replaced by
    the older copy."""
    session = Session(TrainConfig(layers=(64, 8, 10), epochs=3, lr=0.05))
    session.load()
    epochs(session, 1)
    (running,) = kept_files()
    copied, go = held_up(RunningKeep, "write", monkeypatch)
    trainer = threading.Thread(target=epochs, args=(session, 1), name="trainer", daemon=True)
    trainer.start()
    assert copied.wait(30)  # the copy is taken, not yet written
    done = threading.Event()

    def ui() -> None:
        session.apply(replace(session.config, lr=0.2))
        if then == "quit":
            session.keep_on_exit()
        else:
            session.save(str(running))
        done.set()

    helper = threading.Thread(target=ui, daemon=True)
    helper.start()
    wait_until(lambda: done.is_set() or session.lock.waiting, "the UI to keep or wait")
    go.set()
    trainer.join(30)
    helper.join(30)
    assert done.is_set() and kept_files() == [running]
    assert load(running).config.lr == 0.2
