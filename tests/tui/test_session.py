"""The app's model, without the app."""

from dataclasses import replace

import numpy as np
import pytest

from nnplay.core.config import TrainConfig
from nnplay.core.history import MAX_ROWS, HistoryLog, thin
from nnplay.core.serialize import load
from nnplay.core.train import EpochStats
from nnplay.tui.keep import KEPT_DAYS, KEPT_MOST, kept_files
from nnplay.tui.session import Session


def test_history_stays_bounded_and_keeps_the_ends_over_a_long_run():
    log = HistoryLog()
    for epoch in range(1, 10_001):
        log.append((epoch, 1 / epoch, 2 / epoch, 0.5, 0.5))
        assert log.n <= MAX_ROWS
    full = log.view()
    assert full.epoch[0] == 1 and full.epoch[-1] == 10_000
    assert np.all(np.diff(full.epoch) > 0)
    assert full.loss[-1] == 1 / 10_000
    shown = log.view(160)
    assert len(shown.epoch) <= 160 and shown.epoch[-1] == 10_000


def test_thin_keeps_first_and_last():
    idx = thin(1000, 7)
    assert idx[0] == 0 and idx[-1] == 999 and len(idx) <= 7
    assert list(thin(5, 7)) == [0, 1, 2, 3, 4]


def test_session_trains_saves_and_restores(tmp_path):
    from nnplay.core.serialize import load

    session = Session(TrainConfig(layers=(64, 8, 10), epochs=2))
    session.load()
    records = []
    while (record := session.next_record()) is not None:
        records.append(record)
    assert sum(isinstance(r, EpochStats) for r in records) == 2 and session.finished
    note = session.save(str(tmp_path / "m.npz"))
    assert "2 epoch" in note
    other = Session(TrainConfig(layers=(64, 32, 10)))
    other.load()
    other.restore(load(tmp_path / "m.npz"))
    assert other.config.layers == (64, 8, 10)
    assert np.array_equal(other.trainer.net.params, session.trainer.net.params)
    assert other.counts().epoch == 2
    np.testing.assert_array_equal(other.history().loss, session.history().loss)  # the curves came too
    assert list(other.history().epoch) == [1, 2]


def test_unsaved_training_is_kept_on_exit_and_only_then(tmp_path, monkeypatch):
    from nnplay.core.serialize import load

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    session = Session(TrainConfig(layers=(64, 8, 10), epochs=2))
    session.load()
    assert session.keep_on_exit() == "" and kept_files() == []  # nothing trained yet
    while session.next_record() is not None:
        pass
    note = session.keep_on_exit()
    (kept,) = kept_files()
    assert kept.parent == tmp_path / "state" / "nnplay" and kept.name.startswith("unsaved-")
    assert note.splitlines() == [
        f"nnplay: Your unsaved network (2 epochs trained) is kept in {kept}",
        f"nnplay: to carry on: nnplay --load {kept}",
    ]
    saved = load(kept)
    assert saved.epochs_trained == 2 and list(saved.history[:, 0]) == [1, 2]
    assert np.array_equal(
        np.concatenate([np.concatenate([W.ravel(), b]) for W, b in saved.weights]), session.trainer.net.params
    )
    assert session.keep_on_exit() == "" and kept_files() == [kept]  # already kept: nothing new
    session.save(str(tmp_path / "mine.npz"))
    assert session.keep_on_exit() == ""  # saved by hand: nothing to keep


def test_a_served_apps_note_on_exit_says_how_to_carry_on_in_the_browser(tmp_path, monkeypatch):
    # the page shows it (served_tab): nnplay --load PATH is no use to a person in a browser
    from nnplay.tui.keep import BROWSER_KEEPS

    monkeypatch.setenv("TEXTUAL_DRIVER", "textual.drivers.web_driver:WebDriver")  # as served
    monkeypatch.setenv(BROWSER_KEEPS, str(tmp_path / "browser"))
    session = Session(TrainConfig(layers=(64, 8, 10), epochs=1))
    session.load()
    while session.next_record() is not None:
        pass
    note = session.keep_on_exit()
    (kept,) = kept_files()
    assert kept.parent == tmp_path / "browser"
    assert note.splitlines() == [
        f"nnplay: Your unsaved network (1 epoch trained) is kept in {kept}",
        "nnplay: to carry on: Restart (enter), then ctrl+o loads it",
    ]


def test_unsaved_training_is_kept_under_a_umask_that_makes_files_read_only(tmp_path, monkeypatch):
    # umask 0277 (or 0222): the name a keep reserves is made read-only, and saving, which
    # refuses a read-only file, refused the app's own: "could not be kept: ... is read-only".
    import os

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    session = Session(TrainConfig(layers=(64, 8, 10), epochs=1))
    session.load()
    session.next_record()
    before = os.umask(0o277)
    try:
        note = session.keep_on_exit()
    finally:
        os.umask(before)
    (kept,) = kept_files()
    assert "is kept in" in note and load(kept).epochs_trained == 0


def test_training_about_to_be_replaced_is_kept_first(tmp_path):
    from nnplay.core.serialize import load

    session = Session(TrainConfig(layers=(64, 8, 10), epochs=2))
    session.load()
    assert session.rebuild() == "" and kept_files() == []  # nothing trained: nothing to keep
    for _ in range(3):
        session.next_record()
    trained = session.trainer.net.params.copy()
    note = session.rebuild()
    (kept,) = kept_files()  # in XDG_STATE_HOME, tmp_path/state (conftest)
    assert str(kept) in note and np.array_equal(
        np.concatenate([np.concatenate([W.ravel(), b]) for W, b in load(kept).weights]), trained
    )
    assert session.counts().step == 0  # and the network was still replaced
    for _ in range(2):
        session.next_record()
    note = session.restore(load(kept))  # loading keeps the one it replaces too, in a file of its own
    older, newer = kept_files()
    assert older == kept and str(newer) in note and load(newer).epochs_trained == 0
    session.keeps_unsaved = False  # as under `nnplay serve`
    session.next_record()
    assert session.rebuild() == ""


def test_keeping_never_replaces_earlier_training_and_forgets_only_old_keeps_past_ten(tmp_path):
    import os
    import time

    from nnplay.core.serialize import load

    session = Session(TrainConfig(layers=(64, 8, 10), epochs=100))
    session.load()
    for _ in range(3):
        session.next_record()
    session.rebuild()  # a long run, kept
    (long_run,) = kept_files()
    session.next_record()
    session.rebuild()  # then one step, kept too: once it replaced the long run's file
    assert kept_files()[0] == long_run and load(long_run).weights  # still there, still loads
    for _ in range(KEPT_MOST):
        session.next_record()
        session.rebuild()
    assert len(kept_files()) == KEPT_MOST + 2  # all this week's stay: a class may share an account
    week_ago = time.time() - (KEPT_DAYS + 1) * 86400
    for old in kept_files()[:4]:
        os.utime(old, (week_ago, week_ago))
    session.next_record()
    session.rebuild()
    kept = kept_files()
    assert len(kept) == KEPT_MOST and long_run not in kept  # past ten, the old ones went
    assert Session(TrainConfig()).kept_path == kept[-1]  # what ctrl+o offers in the next session


def test_the_next_session_offers_the_keep_written_last_not_the_one_named_last(tmp_path):
    # Two apps keeping in one folder: two tabs of one browser under nnplay serve (or two
    # terminals). The other tab's app started keeping later, so its keep's name is newer; this
    # tab is reloaded, its app keeping its training as it ends. The reloaded tab offered the
    # other tab's network ("kept 40 seconds ago waits: ctrl+o loads it"), not its own.
    import os

    def trained_and_kept(session):
        session.next_record()
        session.keep_on_exit()
        return session.running_keep

    this_tab = Session(TrainConfig(layers=(64, 8, 10), epochs=2))
    other_tab = Session(TrainConfig(layers=(64, 8, 10), epochs=2))
    this_tab.load()
    other_tab.load()
    ours = trained_and_kept(this_tab)
    theirs = trained_and_kept(other_tab)
    assert kept_files() == [ours, theirs]  # by their names: the other tab's is the newer
    assert trained_and_kept(this_tab) == ours  # as this tab is reloaded: the same file, rewritten
    written = os.stat(ours).st_mtime
    os.utime(theirs, (written - 40, written - 40))  # the other tab's last keep came before
    assert Session(TrainConfig()).kept_path == ours
    from nnplay.tui.files import recent_networks

    assert [path for path, _ in recent_networks()] == [str(ours), str(theirs)]  # ctrl+o's list too


def test_two_apps_keeping_in_the_same_second_get_a_file_each(tmp_path):
    from nnplay.tui.keep import reserve_kept_path

    first, second = reserve_kept_path(), reserve_kept_path()  # as two processes would
    assert first != second and first.exists() and second.exists()
    assert kept_files() == []  # reserved, not yet written: nothing to offer


def test_saving_a_bare_name_says_the_whole_path(tmp_path):
    session = Session(TrainConfig(layers=(64, 8, 10), epochs=1))
    session.load()
    note = session.save("m.npz")  # the tests run in tmp_path (conftest)
    assert note.endswith(f"to m.npz in {tmp_path}") and "Saved an untrained network" in note
    handed_out = Session(session.config, load(tmp_path / "m.npz"))
    handed_out.load()
    assert handed_out.save("n.npz").startswith("Saved an untrained network")  # not "0 epochs"
    session.next_record()
    assert session.save("m.npz").startswith("Saved 1 step of training")
    saved = load(tmp_path / "m.npz")
    loaded = Session(saved.config, saved)
    loaded.load()
    assert "untrained" not in loaded.save("m.npz")  # it holds that step, whatever its counts say


def test_a_seed_or_init_waiting_for_a_reset_is_not_saved_as_the_networks(tmp_path):
    session = Session(TrainConfig(layers=(64, 8, 10), epochs=1, seed=0))
    session.load()
    session.next_record()
    assert session.apply(replace(session.config, seed=5, init="xavier")) == "applies when you reset (r)"
    session.save("m.npz")
    saved = load(tmp_path / "m.npz")  # once refused: "settings and architecture disagree on init"
    assert saved.config.seed == 0 and saved.config.init == "he"  # the network it holds
    assert session.config.seed == 5  # the change still waits for r
    session.rebuild()
    session.save("m.npz")
    assert load(tmp_path / "m.npz").config.seed == 5 and load(tmp_path / "m.npz").config.init == "xavier"


def test_a_seed_set_back_to_the_networks_own_waits_for_nothing():
    session = Session(TrainConfig(layers=(64, 8, 10), epochs=1, seed=0))
    session.load()
    assert session.apply(replace(session.config, seed=5)) == "applies when you reset (r)"
    assert session.apply(replace(session.config, seed=0)) == "" and session.waiting == frozenset()


def test_a_new_network_keeps_the_run_before_it_to_compare_with_labelled_by_what_changed():
    session = Session(TrainConfig(layers=(64, 8, 10), epochs=3))
    session.load()
    assert session.earlier() == (None, "")  # no run before the first
    for _ in range(2 * 46):  # two epochs of sgd: 45 steps and the epoch's record each
        session.next_record()
    ran = session.history()
    assert len(ran.epoch) == 2
    session.apply(replace(session.config, optimizer="adam"))  # mid-run, then r
    session.rebuild()
    earlier, label = session.earlier()
    assert np.array_equal(earlier.test_loss, ran.test_loss) and label == "sgd"
    session.apply(replace(session.config, lr=0.1))  # the label follows the settings as edited
    assert session.earlier()[1] == "sgd, lr 0.01"
    session.rebuild()  # a run that never finished an epoch does not replace the earlier one
    assert np.array_equal(session.earlier()[0].test_loss, ran.test_loss)
    session.rebuild(replace(session.config, optimizer="sgd", lr=0.01))
    assert session.earlier()[1] == "same settings"
    session.apply(replace(session.config, epochs=1))  # as far as this run reaches: one epoch
    assert len(session.earlier()[0].epoch) == 1
    session.rebuild(replace(session.config, dataset="moons", layers=(2, 8, 1)))
    assert session.earlier() == (None, "")  # another data set's figures do not compare


def test_a_loaded_runs_epochs_count_as_trained_with_its_files_settings(tmp_path):
    path = str(tmp_path / "fast.npz")
    first = Session(TrainConfig(layers=(64, 8, 10), lr=0.1, epochs=1))
    first.load()
    while first.next_record() is not None:
        pass
    first.save(path)
    session = Session(replace(first.config, lr=0.01, epochs=2), load(path))  # nnplay --load --lr 0.01
    session.load()
    while session.next_record() is not None:
        pass
    session.rebuild()
    assert session.earlier()[1] == "lr 0.1→0.01"  # not "same settings": epoch 1 was at 0.1


def test_an_earlier_run_is_labelled_by_the_settings_it_trained_with():
    session = Session(TrainConfig(layers=(64, 8, 10), epochs=3))
    session.load()
    session.next_record()  # a step of epoch 1 at lr 0.01...
    session.apply(replace(session.config, lr=0.03))  # ...then 0.03 to the end
    for _ in range(3 * 46):
        session.next_record()
    session.rebuild(replace(session.config, lr=0.01))
    # from its first step, not its first epoch's end: the change in epoch 1 shows
    assert session.earlier()[1] == "lr 0.01→0.03"
    for _ in range(46):
        session.next_record()
    session.apply(replace(session.config, lr=0.1))
    for _ in range(46):
        session.next_record()
    session.apply(replace(session.config, seed=7))  # waits for r: this network keeps seed 0
    assert session.earlier()[1] == "lr 0.01→0.03"  # not "seed 0": both runs have it
    session.rebuild()
    assert session.earlier()[1] == "lr 0.01→0.1, seed 0"  # now seed 7 is built


def test_an_earlier_runs_label_names_each_setting_that_changed():
    from nnplay.tui.session import RunSettings, differences

    def ran(*configs):
        settings = RunSettings()
        for config in configs:
            settings.add(config)
        return settings

    before = TrainConfig()
    now = replace(before, layers=(64, 32, 10), activation=("tanh",), batch_size=64, l2=0.001, seed=3)
    assert differences(ran(before), now) == "batch 32, L2 0.0, 64→128→64→10, relu, seed 0"
    assert differences(ran(before), replace(before, activation=("relu", "relu"))) == "same settings"
    assert differences(ran(replace(before, init="xavier")), before) == "init xavier"
    # relu for both networks is no difference, though one has a hidden layer fewer
    assert differences(ran(before), replace(before, layers=(64, 16, 10))) == "64→128→64→10"
    assert differences(ran(replace(before, layers=(64, 10))), before) == "64→10"  # no activation
    # a setting changed mid-run is a difference even if it ended as now's
    faster = replace(before, lr=0.03)
    assert differences(ran(before, before, faster), faster) == "lr 0.01→0.03"
    assert differences(ran(before, faster, before), before) == "lr 0.01→…→0.01"


def test_history_until_an_epoch_stops_there_and_thins_what_is_left():
    log = HistoryLog()
    for epoch in range(1, 101):
        log.append((epoch, 1.0, 1.0, 0.5, 0.5))
    assert log.view(until=30).epoch[-1] == 30 and len(log.view(until=30).epoch) == 30
    shown = log.view(7, until=30)
    assert shown.epoch[0] == 1 and shown.epoch[-1] == 30 and len(shown.epoch) <= 7
    assert len(log.view(until=0).epoch) == 0 and log.view(until=1000).epoch[-1] == 100


def test_a_disk_too_full_to_keep_the_network_is_found_before_it_is_replaced(monkeypatch):
    # A full disk takes an empty file: the check made one and passed, then the real keep
    # failed and r, q or a load went ahead, the training lost. It now asks for the room.
    import os

    import pytest

    from nnplay.tui.keep import KeepError

    session = Session(TrainConfig(layers=(64, 8, 10), epochs=2))
    session.load()
    session.next_record()
    session.check_keep()  # room enough here
    real = os.statvfs

    def full(path):
        fs = real(path)
        return os.statvfs_result((*fs[:4], 4, *fs[5:]))  # f_bavail: 4 blocks free

    monkeypatch.setattr(os, "statvfs", full)
    with pytest.raises(KeepError, match="free in .*, about .* needed") as refused:
        session.check_keep()
    assert "unsaved.npz" not in str(refused.value)  # a name never written: the folder is said


def test_a_state_folder_that_cannot_be_looked_into_is_named(monkeypatch):
    # chmod 000 on the folder: "could not be kept: Permission denied" said nothing of where
    import pathlib

    import pytest

    from nnplay.core.paths import shown
    from nnplay.tui.keep import KeepError, kept_folder

    session = Session(TrainConfig(layers=(64, 8, 10), epochs=2))
    session.load()
    session.next_record()
    real = pathlib.Path.is_dir

    def unsearchable(path):
        if path.parent == kept_folder():
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(pathlib.Path, "is_dir", unsearchable)
    with pytest.raises(KeepError) as refused:
        session.check_keep()
    where = shown(kept_folder())  # a long path has its middle elided
    assert str(refused.value).endswith(f"could not be kept: cannot write {where}: Permission denied")


def test_a_folder_that_cannot_be_made_is_said_in_words(tmp_path, monkeypatch):
    import pytest

    from nnplay.tui.keep import KeepError

    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "file" / "state"))
    session = Session(TrainConfig(layers=(64, 8, 10), epochs=2))
    session.load()
    session.next_record()
    with pytest.raises(KeepError) as refused:
        session.check_keep()
    assert "Errno" not in str(refused.value) and "Not a directory" in str(refused.value)


def no_home(monkeypatch):
    """No HOME and no passwd entry, as for a container's arbitrary user (docker run -u 1234)."""
    import pwd

    def unknown(uid):
        raise KeyError(f"getpwuid(): uid not found: {uid}")

    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    monkeypatch.setattr(pwd, "getpwuid", unknown)


def test_a_relative_state_folder_is_ignored_as_the_xdg_spec_says(tmp_path, monkeypatch):
    from nnplay.tui.keep import kept_folder

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_STATE_HOME", "state")  # keeps would follow the folder nnplay started in
    assert kept_folder() == tmp_path / ".local" / "state" / "nnplay"


def test_with_no_home_folder_unsaved_training_cannot_be_kept_and_says_why(monkeypatch):
    # Path.home() raised RuntimeError: the app did not start, a traceback instead.
    import pytest

    from nnplay.tui.keep import KeepError

    no_home(monkeypatch)
    session = Session(TrainConfig(layers=(64, 8, 10), epochs=2))
    session.load()
    session.next_record()
    with pytest.raises(KeepError, match="HOME is not set"):
        session.check_keep()
    assert "could not be kept: HOME is not set" in session.keep_on_exit()


def test_a_step_that_blew_the_weights_up_is_neither_saved_nor_kept(tmp_path):
    import pytest

    from nnplay.core.paths import SaveFileError

    session = Session(TrainConfig(layers=(64, 8, 10), epochs=3))
    session.load()
    while not isinstance(session.next_record(), EpochStats):
        pass
    epoch_1 = session.trainer.net.params.copy()
    session.next_record()
    session.apply(replace(session.config, lr=1e30))
    with np.errstate(over="ignore", invalid="ignore"):
        session.next_record()
    with pytest.raises(SaveFileError, match="diverged in epoch 2, after step 2 of"):
        session.save(str(tmp_path / "m.npz"))
    assert not (tmp_path / "m.npz").exists()
    assert np.array_equal(session.trainer.net.params, epoch_1)  # put back: a second save saves it
    with np.errstate(over="ignore", invalid="ignore"):
        session.next_record()  # lr 1e30 still: blown up again
    note = session.keep_on_exit()
    (kept,) = kept_files()
    assert "(1 epoch trained)" in note and np.array_equal(
        np.concatenate([np.concatenate([W.ravel(), b]) for W, b in load(kept).weights]), epoch_1
    )


def test_what_a_keep_cut_short_left_behind_goes_at_the_next_keep(tmp_path):
    import os
    import time

    from nnplay.tui.keep import kept_folder

    folder = kept_folder()
    folder.mkdir(parents=True)
    hours_ago = time.time() - 2 * 3600
    # what a keep cut short leaves: its reserved name, empty, and the temporary file mkstemp
    # named for its save (8 random characters)
    left = [folder / "unsaved-20261201-101010.npz", folder / ".unsaved-20261201-101010.npz.x1y2z3w4.tmp"]
    for path in left:
        path.write_bytes(b"" if path.suffix == ".npz" else b"half a network")
        os.utime(path, (hours_ago, hours_ago))
    under_way = folder / "unsaved-20261203-120000.npz"  # another app's, reserved just now
    under_way.touch()
    session = Session(TrainConfig(layers=(64, 8, 10), epochs=2))
    session.load()
    session.next_record()
    session.keep_unsaved()
    assert not any(path.exists() for path in left) and under_way.exists()
    assert len(kept_files()) == 1  # the keep itself


def _trained_weights(session, epochs=1):
    for _ in range(epochs):
        while not isinstance(session.next_record(), EpochStats):
            pass
    return session.trainer.net.params.copy()


@pytest.mark.parametrize(
    "changed", [{"l2": 0.01}, {"lr": 0.05}, {"optimizer": "momentum"}, {"batch_size": 16}], ids=str
)
def test_settings_applied_before_a_run_train_as_if_the_network_had_been_built_with_them(changed):
    # l2, lr, the optimizer and the batch size change without a reset: what trains must be
    # what the pane shows, not the settings the network was built with
    built_so = Session(TrainConfig(layers=(64, 8, 10), epochs=1, **changed))
    built_so.load()
    applied = Session(TrainConfig(layers=(64, 8, 10), epochs=1))
    applied.load()
    assert applied.apply(replace(applied.config, **changed)) == ""
    np.testing.assert_array_equal(_trained_weights(applied), _trained_weights(built_so))


def test_a_network_started_from_a_file_does_not_offer_an_earlier_keep(tmp_path):
    session = Session(TrainConfig(layers=(64, 8, 10), epochs=1))
    session.load()
    session.save(str(tmp_path / "mine.npz"))
    _trained_weights(session)
    session.keep_unsaved()
    assert kept_files()
    assert Session(TrainConfig(), load(tmp_path / "mine.npz")).kept_path is None  # nnplay --load


def test_a_batch_size_changed_mid_epoch_says_it_waits_for_the_next_epoch():
    session = Session(TrainConfig(layers=(64, 8, 10), epochs=2))
    session.load()
    session.next_record()  # one step into epoch 1
    assert session.apply(replace(session.config, batch_size=64)) == "applies from the next epoch"
    assert session.apply(replace(session.config, lr=0.1)) == ""  # the batch size is unchanged now


def test_the_test_and_training_sets_are_told_apart():
    session = Session(TrainConfig(layers=(64, 8, 10)))
    session.load()
    split = session.split
    assert session.sample_count("test") == len(split.X_test) != session.sample_count("train")
    np.testing.assert_array_equal(session.sample("test", 3)[0], split.X_test[3])
    np.testing.assert_array_equal(session.sample("train", 3)[0], split.X_train[3])


def test_the_next_mistake_is_after_the_one_shown_and_wraps_around():
    session = Session(TrainConfig(layers=(64, 8, 10)))
    session.load()  # untrained: most samples are wrong
    first = session.next_mistake("test", 0)
    assert first is not None and first > 0
    second = session.next_mistake("test", first)
    assert second is not None and second > first
    assert session.next_mistake("test", second, step=-1) < second
    last = session.sample_count("test") - 1
    assert session.next_mistake("test", last) < last  # wrapped to the start


def test_loading_a_network_of_another_data_set_brings_that_data_set(tmp_path):
    moons = Session(TrainConfig(dataset="moons", layers=(2, 8, 2), epochs=1))
    moons.load()
    _trained_weights(moons)
    moons.save(str(tmp_path / "moons.npz"))
    session = Session(TrainConfig(layers=(64, 8, 10)))
    session.load()
    session.restore(load(tmp_path / "moons.npz"))
    assert session.split.X_test.shape[1] == 2 and session.sample_count("test") == moons.sample_count("test")
    np.testing.assert_array_equal(session.predict("test", 0), moons.predict("test", 0))


def test_a_load_of_the_persons_own_file_stops_offering_the_earlier_keep(tmp_path):
    mine = Session(TrainConfig(layers=(64, 8, 10), epochs=1))
    mine.load()
    mine.save(str(tmp_path / "mine.npz"))
    session = Session(TrainConfig(layers=(64, 8, 10), epochs=1))
    session.load()
    _trained_weights(session)
    session.keep_unsaved()
    assert session.kept_path is not None  # what ctrl+o offers
    other = Session(TrainConfig(layers=(64, 8, 10)))
    assert other.kept_path is not None  # the keep made before
    other.load()
    other.restore(load(tmp_path / "mine.npz"))  # nothing trained here: nothing kept now
    assert other.kept_path is None


def test_the_weight_norms_are_those_of_the_network_now_after_a_new_architecture():
    session = Session(TrainConfig(layers=(64, 8, 10), epochs=1))
    session.load()
    _trained_weights(session)
    epochs, weights, grads = session.norm_history()
    assert list(epochs) == [1] and weights.shape == grads.shape == (1, 2)
    session.rebuild(replace(session.config, layers=(64, 8, 8, 10)))
    assert len(session.norm_history()[0]) == 0  # the network replaced's are not this one's
    _trained_weights(session)
    epochs, weights, grads = session.norm_history()
    assert list(epochs) == [1] and weights.shape == grads.shape == (1, 3)


def test_after_a_blow_up_caught_at_a_pause_training_starts_the_epoch_again():
    from nnplay.core.train import StepStats

    session = Session(TrainConfig(layers=(64, 8, 10), epochs=3))
    session.load()
    while not isinstance(record := session.next_record(), EpochStats):
        pass
    steps_in_epoch_1 = session.trainer.step
    session.next_record()
    session.apply(replace(session.config, lr=1e30))
    with np.errstate(over="ignore", invalid="ignore"):
        session.next_record()
    assert session.check_paused() is not None  # the pause finds it and puts epoch 2's start back
    session.apply(replace(session.config, lr=0.01))
    session.recover()
    record = session.next_record()
    assert isinstance(record, StepStats)
    assert (record.epoch, record.batch, record.step) == (2, 0, steps_in_epoch_1 + 1)


@pytest.mark.parametrize("old", ["read-only file", "folder"])
def test_an_old_keep_named_unsaved_npz_does_not_stop_training_being_kept(old):
    # Older nnplay kept in unsaved.npz (read-only under a umask of 0277): the room check
    # probed that very name and refused every keep, so r, q and loads asked a second press.
    from nnplay.tui.keep import kept_folder

    folder = kept_folder()
    folder.mkdir(parents=True)
    if old == "folder":
        (folder / "unsaved.npz").mkdir()
    else:
        (folder / "unsaved.npz").write_bytes(b"an older keep")
        (folder / "unsaved.npz").chmod(0o400)
    session = Session(TrainConfig(layers=(64, 8, 10), epochs=2))
    session.load()
    session.next_record()
    session.check_keep()  # no KeepError: the folder has room and takes files
    assert "is kept in" in session.keep_unsaved()
    assert len([p for p in folder.iterdir() if p.name.startswith("unsaved-")]) == 1
    if old != "folder":
        assert (folder / "unsaved.npz").read_bytes() == b"an older keep"


def test_a_session_is_ready_once_its_network_is_built_and_counts_from_nothing_before():
    session = Session(TrainConfig(layers=(64, 8, 10), epochs=7))
    counts = session.counts()
    assert not session.ready and (counts.epoch, counts.epochs, counts.step) == (0, 7, 0)  # views wait
    session.load()
    assert session.ready


def test_the_history_keeps_a_classifiers_accuracies_and_nan_for_regression():
    classifier = EpochStats(1, 0.5, 0.8, 0.9, 0.6, 1.0, 100.0, (1.0,), (1.0,))
    regression = EpochStats(2, 0.4, None, None, 0.5, 1.0, 100.0, (1.0,), (1.0,))
    log = HistoryLog()
    log.add(classifier)
    log.add(regression)
    view = log.view()
    assert list(view.train_acc[:1]) == [0.8] and list(view.test_acc[:1]) == [0.9]
    assert np.isnan(view.train_acc[1]) and np.isnan(view.test_acc[1])
    assert list(view.loss) == [0.5, 0.4] and list(view.test_loss) == [0.6, 0.5]


def test_a_full_history_drops_every_other_old_epoch_and_keeps_the_latest():
    log = HistoryLog()
    for epoch in range(1, MAX_ROWS + 2):
        log.append((epoch, 1.0, 1.0, 0.5, 0.5))
    epochs = log.view().epoch
    assert list(epochs[:3]) == [1, 3, 5] and np.all(np.diff(epochs[:-2]) == 2)
    assert list(epochs[-2:]) == [MAX_ROWS, MAX_ROWS + 1] and len(epochs) == MAX_ROWS // 2 + 2
