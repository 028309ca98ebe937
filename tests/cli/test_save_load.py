"""nnplay train --save and --load: the names they take, carrying training on through a
file, a file's settings against the flags, and files or folders that cannot be used."""

import json
import os
import re

import numpy as np
import pytest

from nnplay.core.serialize import load
from tests.cli.helpers import run, saved_two_steps_into_epoch_2


def test_epochs_zero_saves_the_fresh_network_and_load_continues(capsys, tmp_path):
    path = tmp_path / "fresh.npz"
    code, out, _ = run(capsys, "train", "--epochs", "0", "--save", str(path), "--seed", "5")
    assert code == 0 and f"Saved an untrained network to {path}" in out  # as the app says
    fresh = load(path)
    assert fresh.epochs_trained == 0 and fresh.config.seed == 5
    assert fresh.config.epochs == 100  # the default total, not 0: the app opens it ready to train
    code, out, _ = run(capsys, "train", "--load", str(path), "--epochs", "0", "--save", str(tmp_path / "b"))
    assert code == 0 and "Saved an untrained network to" in out  # still, not "0 epochs of training"
    code, out, _ = run(capsys, "train", "--load", str(path), "--epochs", "2", "--save", str(path))
    assert code == 0 and "Epoch 2/2" in out
    assert load(path).epochs_trained == 2
    code, out, _ = run(capsys, "train", "--load", str(path), "--epochs", "3")
    assert "Epoch 3/3" in out and "Epoch 2/" not in out  # --epochs is the total: one more


def test_a_leading_tilde_the_shell_left_alone_is_the_home_folder(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    code, out, _ = run(capsys, "train", "--epochs", "0", "--save=~/handout")  # as in the app's dialog
    assert code == 0 and (tmp_path / "handout.npz").is_file() and not (tmp_path / "~").exists()
    code, out, _ = run(capsys, "train", "--load=~/handout", "--epochs", "1", "--json")
    assert code == 0 and json.loads(out)["epoch"] == 1


def test_save_and_load_names_mean_what_they_mean_in_the_app(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "train", "--epochs", "0", "--save", "mynet")
    assert code == 0 and sorted(p.name for p in tmp_path.iterdir()) == ["mynet.npz"]
    code, _, _ = run(capsys, "train", "--epochs", "0", "--save", "net-lr0.1")  # a dot, no ending
    assert code == 0 and (tmp_path / "net-lr0.1.npz").is_file()
    (tmp_path / "net-lr0.1.npz").unlink()
    assert "Saved an untrained network to mynet.npz" in out
    code, out, _ = run(capsys, "train", "--load", "mynet", "--epochs", "1", "--json")
    assert code == 0 and json.loads(out.splitlines()[0])["epoch"] == 1
    for name in ("foo/", "mynet.npz/"):  # a folder's name, even one that does not exist
        code, _, err = run(capsys, "train", "--epochs", "0", "--save", name)
        assert code == 2 and f"--save: {name} names a folder (it ends in /)" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mynet.npz"]  # no file foo
    os.mkfifo(tmp_path / "pipe")  # as /dev/null, a device: once saved to as pipe.npz (/dev/null.npz)
    code, _, err = run(capsys, "train", "--epochs", "0", "--save", "pipe")
    assert code == 2 and "--save: pipe is not a regular file" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mynet.npz", "pipe"]
    (tmp_path / "runs.npz").mkdir()  # "runs" loads runs.npz: say what that is, not "runs: no such file"
    code, _, err = run(capsys, "train", "--load", "runs", "--epochs", "1")
    assert code == 2 and "--load: runs.npz is a folder, not a saved network" in err


def test_epochs_counts_a_loaded_files_epochs_as_the_app_and_the_file_do(capsys, tmp_path):
    path = tmp_path / "m.npz"
    run(capsys, "train", "--layers", "64,8,10", "--epochs", "3", "--save", str(path))
    code, out, err = run(capsys, "train", "--load", str(path), "--epochs", "2", "--save", str(path))
    assert code == 0 and "Epoch" not in out and "nothing to train" in err and "total (2)" in err
    assert load(path).epochs_trained == 3 and load(path).config.epochs == 3  # not 2: the app opens it
    code, out, _ = run(capsys, "train", "--load", str(path), "--epochs", "5", "--save", str(path))
    assert code == 0 and "Epoch 4/5" in out and "Epoch 5/5" in out and "Epoch 6" not in out
    assert load(path).epochs_trained == 5 and load(path).config.epochs == 5  # trained as many as it says


def test_epochs_0_on_a_loaded_file_keeps_its_total_and_a_file_with_nothing_left_says_so(capsys, tmp_path):
    three, copy = tmp_path / "three.npz", tmp_path / "copy.npz"
    run(capsys, "train", "--epochs", "3", "--save", str(three))
    code, _, err = run(capsys, "train", "--load", str(three), "--epochs", "0", "--save", str(copy))
    assert code == 0 and "nothing to train" not in err  # asked for no training: no note
    assert load(copy).config.epochs == 3 and load(copy).epochs_trained == 3  # not "0 of 3 trained"
    code, _, err = run(capsys, "train", "--load", str(copy))
    assert code == 0 and "nothing to train" in err


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_training_in_two_halves_through_a_file_equals_training_at_once(capsys, tmp_path, optimizer):
    path = tmp_path / "half.npz"
    first = ("--layers", "64,16,10", "--optimizer", optimizer, "--lr", "0.001")
    run(capsys, "train", "--epochs", "2", "--save", str(path), *first)
    run(capsys, "train", "--load", str(path), "--epochs", "4", "--save", str(path))
    whole = tmp_path / "whole.npz"
    run(capsys, "train", "--epochs", "4", "--save", str(whole), *first)
    for (Wa, ba), (Wb, bb) in zip(load(path).weights, load(whole).weights, strict=True):
        assert np.array_equal(Wa, Wb) and np.array_equal(ba, bb)
    halves = load(path).history
    assert list(halves[:, 0]) == [1, 2, 3, 4]  # the second half carried the first's history on
    np.testing.assert_array_equal(halves, load(whole).history)


def test_carrying_on_a_well_trained_file_is_not_taken_for_a_divergence(capsys, tmp_path):
    # Judged against the first batch after loading (loss 0.001), epoch 31's 0.02 was "growth".
    flags = ("--dataset", "moons", "--optimizer", "adam", "--lr", "0.005", "--batch-size", "16")
    flags += ("--seed", "3", "--l2", "0.0001")
    part, whole = tmp_path / "part.npz", tmp_path / "whole.npz"
    run(capsys, "train", "--epochs", "30", "--save", str(part), *flags)
    code, _, err = run(capsys, "train", "--load", str(part), "--epochs", "40", "--save", str(part))
    assert code == 0 and "diverged" not in err
    run(capsys, "train", "--epochs", "40", "--save", str(whole), *flags)
    for (Wa, ba), (Wb, bb) in zip(load(part).weights, load(whole).weights, strict=True):
        assert np.array_equal(Wa, Wb) and np.array_equal(ba, bb)


def test_a_file_saved_partway_through_an_epoch_keeps_its_place_when_saved_again(capsys, tmp_path):
    # As --epochs 0 copies any file: the copy of one saved mid-epoch (the app's ctrl+s) once
    # lost how far into the epoch it was, and a load then began that epoch again from step 0.
    half, copy = tmp_path / "half.npz", tmp_path / "copy.npz"
    trainer = saved_two_steps_into_epoch_2(half)
    code, out, _ = run(capsys, "train", "--load", str(half), "--epochs", "0", "--save", str(copy))
    assert code == 0 and f"Saved 1 epoch and 2 steps of training to {copy}" in out
    assert load(copy).partial == load(half).partial == trainer.partial
    for name in (half, copy):  # and both finish epoch 2 alike
        run(capsys, "train", "--load", str(name), "--epochs", "2", "--save", str(name))
    assert np.array_equal(load(copy).weights[0][0], load(half).weights[0][0])


def test_a_files_own_bad_setting_is_blamed_on_the_file_not_a_flag(capsys, tmp_path):
    path = tmp_path / "m.npz"
    run(capsys, "train", "--epochs", "0", "--save", str(path))
    with np.load(path) as f:
        arrays = dict(f)
    meta = json.loads(str(arrays["meta"]))
    meta["settings"]["dataset"] = "moons"  # a digits network: 64 inputs, where moons has 2
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez(path, **arrays)
    code, _, err = run(capsys, "train", "--load", str(path))
    assert code == 2 and err.startswith(f"nnplay train: error: --load: {path}: layers: ")  # not "--layers:"


def test_the_file_wins_and_a_contradicting_layers_flag_is_an_error(capsys, tmp_path):
    path = tmp_path / "m.npz"
    run(capsys, "train", "--epochs", "0", "--save", str(path), "--layers", "64,32,10", "--activation", "tanh")
    saved = load(path)
    assert saved.spec.activations == ("tanh",)
    code, _, err = run(capsys, "train", "--load", str(path), "--layers", "64,128,64,10", "--epochs", "1")
    assert code == 2 and "contradicts" in err
    code, _, _ = run(capsys, "train", "--load", str(path), "--layers", "64,32,10", "--epochs", "0")
    assert code == 0


def test_an_activation_that_names_the_same_network_is_no_contradiction(capsys, tmp_path):
    path = tmp_path / "m.npz"
    run(capsys, "train", "--epochs", "0", "--save", str(path), "--layers", "64,8,8,10")
    assert run(capsys, "train", "--load", str(path), "--activation", "relu,relu", "--epochs", "0")[0] == 0
    code, _, err = run(capsys, "train", "--load", str(path), "--activation", "relu,tanh", "--epochs", "0")
    assert code == 2 and "contradicts" in err


def test_a_loaded_network_keeps_the_seed_it_was_built_with(capsys, tmp_path):
    path = tmp_path / "m.npz"
    run(capsys, "train", "--epochs", "1", "--seed", "3", "--save", str(path))
    before = path.read_bytes()
    code, _, err = run(
        capsys, "train", "--load", str(path), "--seed", "5", "--epochs", "2", "--save", str(path)
    )
    assert code == 2 and "--seed 5 contradicts" in err and "holds 3" in err
    assert path.read_bytes() == before
    code, _, _ = run(
        capsys, "train", "--load", str(path), "--seed", "3", "--epochs", "2", "--save", str(path)
    )
    assert code == 0 and load(path).config.seed == 3


def test_a_damaged_file_is_refused_and_left_alone(capsys, tmp_path):
    path = tmp_path / "m.npz"
    path.write_bytes(b"PK\x03\x04 definitely not a zip")
    code, _, err = run(capsys, "train", "--load", str(path), "--save", str(path))
    assert code == 2 and "--load" in err
    assert path.read_bytes() == b"PK\x03\x04 definitely not a zip"


def test_a_single_npy_array_is_named_for_what_it_is(capsys, tmp_path):
    np.save(tmp_path / "arr.npy", np.zeros(3))
    code, _, err = run(capsys, "train", "--load", str(tmp_path / "arr.npy"))
    assert code == 2 and "an .npy array, not an .npz file" in err
    assert err.count("is not a saved network") == 1


def test_a_disk_without_room_for_the_file_is_said_before_training(capsys, tmp_path, monkeypatch):
    real = os.statvfs
    monkeypatch.setattr(os, "statvfs", lambda p: os.statvfs_result((*real(p)[:4], 4, *real(p)[5:])))
    code, out, err = run(capsys, "train", "--epochs", "50", "--save", str(tmp_path / "m.npz"))
    assert code == 2 and out == "" and err.count("\n") == 1  # not even the summary: nothing trained
    assert err.startswith("nnplay train: error: --save: cannot save to") and "16 KiB free in" in err
    assert re.search(r"about \d+ KiB needed", err)


def test_a_relative_save_name_in_a_deleted_folder_says_the_folder_is_gone(capsys, tmp_path, monkeypatch):
    # rm -r from another shell: "cannot save to m.npz: No such file or directory", of a file
    # the run was to make.
    gone = tmp_path / "lesson"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    code, out, err = run(capsys, "train", "--epochs", "1", "--layers", "64,8,10", "--save", "m")
    assert code == 2 and out == ""
    assert err == (
        "nnplay train: error: --save: cannot save to m.npz: "
        "the current folder no longer exists; give a whole path\n"
    )
    path = tmp_path / "m.npz"
    code, _, _ = run(capsys, "train", "--epochs", "1", "--layers", "64,8,10", "--save", str(path))
    assert code == 0 and load(path).epochs_trained == 1


def test_a_save_that_fails_after_training_says_why_and_exits_1(capsys, tmp_path, monkeypatch):
    # the folder checked at the start went read-only, or the disk filled, while it trained
    from nnplay.core import serialize
    from nnplay.core.paths import SaveFileError

    def refused(*args, **kwargs):
        raise SaveFileError("cannot save m.npz: No space left on device")

    monkeypatch.setattr(serialize, "save", refused)
    args = ["--epochs", "1", "--layers", "64,8,10", "--save", str(tmp_path / "m")]
    code, out, err = run(capsys, "train", *args)
    assert (code, err) == (1, "nnplay train: cannot save m.npz: No space left on device\n")
    assert "Epoch 1/1" in out and "Saved" not in out
