import dataclasses
import errno
import io
import json
import os
import re
import signal
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnplay.cli import main
from nnplay.core.serialize import load
from nnplay.tui.keep import kept_files
from tests.processes import as_from_a_terminal


@pytest.fixture(autouse=True)
def _as_from_a_terminal(monkeypatch):
    """The app's tests here open it (its run() replaced) as from a terminal, which pytest's
    standard input is not."""
    monkeypatch.setattr("nnplay.cli.on_a_terminal", lambda: True)


def run(capsys, *args):
    try:
        code = main(list(args))
    except SystemExit as e:  # argparse's own errors exit, as the installed command does
        code = e.code
    out, err = capsys.readouterr()
    return code, out, err


def test_train_prints_summary_then_one_keras_line_per_epoch(capsys):
    code, out, err = run(capsys, "train", "--epochs", "3")
    assert code == 0 and err == ""
    assert "Total params: 17,226" in out
    lines = [line for line in out.splitlines() if line.startswith("Epoch")]
    assert [line.split()[1] for line in lines] == ["1/3", "2/3", "3/3"]
    assert all("loss: " in line and "train_acc: " in line and "test_acc: " in line for line in lines)


def test_json_prints_exactly_one_object_per_epoch_with_the_agreed_keys(capsys):
    code, out, _ = run(capsys, "train", "--epochs", "2", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(rows) == 2
    for i, row in enumerate(rows, start=1):
        assert set(row) == {"epoch", "loss", "train_acc", "test_acc", "seconds"}
        assert row["epoch"] == i and 0 <= row["train_acc"] <= 1 and 0 <= row["test_acc"] <= 1
        assert row["loss"] > 0 and row["seconds"] > 0


@pytest.mark.parametrize(
    "args,fragment",
    [
        (["--dataset", "mnist"], "unknown dataset"),
        (["--activation", "swish"], "unknown activation"),
        (["--activation", "relu,,tanh", "--layers", "64,8,8,10"], "--activation: a name is missing"),
        (["--optimizer", "lbfgs"], "unknown optimizer"),
        (["--layers", "64,0,10"], "at least 1"),
        (["--layers", "64,-5,10"], "at least 1"),
        (["--layers", "64,abc,10"], "not a whole number"),
        (["--layers", "64,,10"], "a size is missing"),
        (["--layers", "64,10,"], "a size is missing"),
        (["--bogus"], "unrecognized arguments: --bogus (see nnplay train --help)"),
        (["--layers", "32,10"], "first size must be 64"),
        (["--layers", "64,5"], "last size must be 10"),
        (["--layers", "64,90000,90000,10"], "GiB"),
        (["--layers", "64,6000,6000,10", "--batch-size", "100000"], "--batch-size: needs about 2.3 GiB for"),
        (["--lr", "0"], "more than zero"),
        (["--lr", "nan"], "finite"),
        (["--lr", "1e999"], "finite"),
        (["--batch-size", "0"], "at least 1"),
        (["--batch-size", "2.5"], "whole number"),
        (["--epochs", "-3"], "at least 0"),
        (["--load", "/no/such/file.npz"], "no such file"),
        (["--save", "/no/such/folder/m.npz"], "does not exist"),
        (["--save", ""], "no file name given"),  # once: ". is a folder"
        (["--save", "/proc/m.npz"], "cannot save to /proc/m.npz"),  # even root cannot make files there
        (["--load", ""], "--load: no file name given"),  # once: "--load: : no such file"
        # once "argument --lr: expected one argument": argparse took -1e-3 for a flag
        (["--lr", "-1e-3"], "--lr: must be more than zero, not -1e-3"),
        (["--l2", "-1e-4"], "--l2: must be zero or more, not -1e-4"),
        (["--layers", "-64,10"], "--layers: every size must be at least 1, not -64"),
        # once taken for --epochs, --layers, --save, --json; and --lo was "nnplay: error:
        # ambiguous option: --lo could match --load, --low-bandwidth"
        (["--ep", "0"], "unrecognized arguments: --ep 0 (see nnplay train --help)"),
        (["--lay", "64,10", "--epochs", "0"], "unrecognized arguments: --lay 64,10"),
        (["--sa", "m.npz", "--epochs", "0"], "unrecognized arguments: --sa m.npz"),
        (["--js", "--epochs", "0"], "unrecognized arguments: --js"),
        (["--lo", "a.npz"], "unrecognized arguments: --lo a.npz"),
    ],
)
def test_bad_flags_get_one_line_exit_2_and_no_traceback(capsys, tmp_path, args, fragment):
    code, out, err = run(capsys, "train", *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and fragment in err and err.startswith("nnplay train: error: ")
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "args,fragment",
    [
        (["--save", "m.npz"], "nnplay: error: --save is a flag of nnplay train (nnplay train --save"),
        (["--json"], "nnplay: error: --json is a flag of nnplay train"),
        (["--save", "m.npz", "train"], "nnplay train: error: --save goes after the command"),
        (["serve", "--save", "m.npz"], "nnplay serve: error: --save is a flag of nnplay train"),
        (["serve", "--save=m.npz"], "nnplay serve: error: --save is a flag of nnplay train"),
        (["gradcheck", "--json"], "nnplay gradcheck: error: --json is a flag of nnplay train"),
    ],
)
def test_train_flags_given_to_the_app_say_where_they_belong(capsys, tmp_path, args, fragment):
    code, out, err = run(capsys, *args)  # once: "invalid choice: 'm.npz' (choose from 'train', ...)"
    assert code == 2 and out == "" and err.startswith(fragment) and err.count("\n") == 1
    assert not (tmp_path / "m.npz").exists()


@pytest.mark.parametrize(
    "args,said",
    [
        (
            ["handout.npz"],
            "nnplay: error: handout.npz is not a command; open a saved network with --load: "
            "nnplay --load handout.npz",
        ),
        (
            ["--lr", "0.1", "my net"],
            "nnplay: error: my net is not a command; open a saved network with "
            "--load: nnplay --load 'my net'",
        ),
        (
            ["train", "handout.npz"],
            "nnplay train: error: unrecognized arguments: handout.npz; start from a "
            "saved network with --load: nnplay train --load handout.npz",
        ),
    ],
)
def test_a_saved_network_given_without_load_says_how_to_give_it(capsys, tmp_path, monkeypatch, args, said):
    # A class handed handout.npz types "nnplay handout.npz": argparse called it an invalid choice of
    # command, naming train, gradcheck and serve, and not --load.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my net.npz").write_bytes(b"")
    code, out, err = run(capsys, *args)
    assert code == 2 and out == "" and err.startswith(said) and err.count("\n") == 1


def _only_check_settings(monkeypatch) -> None:
    """The app, gradcheck and serve, once their flags are parsed, check the settings and stop."""
    from nnplay import cli

    check = lambda ns: cli.resolve(ns) and 0  # noqa: E731
    for where in ("nnplay.cli.app", "nnplay.headless.gradcheck", "nnplay.serve.serve"):
        monkeypatch.setattr(where, check)


@pytest.mark.parametrize(
    "args,said",
    [
        (["--lo", "m.npz"], "nnplay: error: unrecognized arguments: --lo "),  # not "invalid choice: 'm.npz'"
        (["--low"], "nnplay: error: unrecognized arguments: --low "),  # once the app, low-bandwidth
        (["gradcheck", "--lay", "64,10"], "nnplay gradcheck: error: unrecognized arguments: --lay 64,10"),
        (["serve", "--po", "8001"], "nnplay serve: error: unrecognized arguments: --po 8001"),
    ],
)
def test_every_command_refuses_shortened_flags(capsys, monkeypatch, args, said):
    _only_check_settings(monkeypatch)  # what a flag that got through would start
    code, out, err = run(capsys, *args)
    assert code == 2 and out == "" and err.startswith(said) and err.count("\n") == 1


@pytest.mark.parametrize("command", [[], ["train"], ["gradcheck"], ["serve"]])
@pytest.mark.parametrize("flag,value", [("--lr", "-1e-3"), ("--l2", "-1e-4"), ("--layers", "-64,10")])
def test_a_negative_value_gets_the_same_answer_after_a_space_as_after_an_equals_sign(
    capsys, monkeypatch, command, flag, value
):
    _only_check_settings(monkeypatch)
    joined = run(capsys, *command, f"{flag}={value}")
    assert joined[0] == 2 and "must be" in joined[2]
    assert run(capsys, *command, flag, value) == joined  # once "expected one argument"


@pytest.mark.parametrize("command", [[], ["train"], ["gradcheck"], ["serve"]])
def test_help_says_what_the_command_does_and_reads_well_at_80_columns(capsys, monkeypatch, command):
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = run(capsys, *command, "--help")
    lines = out.splitlines()
    description = lines[lines.index("") + 1]  # the first line after the usage
    assert code == 0 and description[:1].isupper()  # train once had none: "options:" came next
    assert max(map(len, lines)) <= 80
    for line in lines:  # no word or bracket broken over lines: "comma-" / "separated", "(default" / "0)"
        assert not line.endswith(("-", "(default"))


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


class LostOutput(io.StringIO):
    """Standard output that takes one print(), then fails as a closed pipe or a full disk does."""

    def __init__(self, error: OSError):
        super().__init__()
        self.error, self.left = error, 2  # print() writes its text, then "\n"

    def write(self, text):
        if self.left == 0:
            raise self.error
        self.left -= 1
        return super().write(text)


CLOSED = BrokenPipeError(errno.EPIPE, "Broken pipe")  # nnplay train | head
FULL = OSError(errno.ENOSPC, "No space left on device")  # nnplay train > /dev/full


def epochs_trained(monkeypatch):
    from nnplay.core.history import HistoryLog

    seen = []
    real = HistoryLog.add
    monkeypatch.setattr(HistoryLog, "add", lambda self, record: seen.append(record) or real(self, record))
    return seen


@pytest.mark.parametrize("error", [CLOSED, FULL], ids=["closed", "full"])
@pytest.mark.parametrize("json_flag", [[], ["--json"]], ids=["lines", "json"])
def test_output_that_cannot_be_written_stops_but_the_network_asked_for_is_trained_and_saved(
    capsys, monkeypatch, tmp_path, error, json_flag
):
    path = tmp_path / "m.npz"
    monkeypatch.setattr(sys, "stdout", LostOutput(error))
    code, _, err = run(
        capsys, "train", "--epochs", "5", "--layers", "64,8,10", "--save", str(path), *json_flag
    )
    assert load(path).epochs_trained == 5  # once nothing was saved, with exit status 0
    if error is CLOSED:  # the reader stopped reading: no failure
        assert code == 0 and err == f"nnplay train: output closed; going on to save {path}\n"
    else:  # the output was lost: the file is there, but the run did not do all it was asked
        reason = "cannot write the output (No space left on device)"
        assert code == 1 and err == f"nnplay train: {reason}; going on to save {path}\n"


@pytest.mark.parametrize("error", [CLOSED, FULL], ids=["closed", "full"])
def test_output_that_cannot_be_written_with_nothing_to_save_ends_the_run(capsys, monkeypatch, error):
    trained = epochs_trained(monkeypatch)
    monkeypatch.setattr(sys, "stdout", LostOutput(error))
    code, _, err = run(capsys, "train", "--epochs", "50", "--layers", "64,8,10")
    assert len(trained) <= 1  # not 50 epochs that nobody can see
    if error is CLOSED:  # | head: stop quietly, as head's users expect
        assert code == 0 and err == ""
    else:  # once a traceback from print(trainer.net.summary())
        assert code == 1 and err == "nnplay train: cannot write the output: No space left on device\n"


@pytest.mark.parametrize("error", [CLOSED, FULL], ids=["closed", "full"])
def test_gradcheck_keeps_its_verdict_as_its_status_when_its_output_is_lost(capsys, monkeypatch, error):
    from nnplay.core import gradcheck

    real = gradcheck.check_network_sample

    def one_wrong(*args, **kwargs):
        checks = real(*args, **kwargs)
        return [dataclasses.replace(checks[0], error=0.5), *checks[1:]]

    monkeypatch.setattr(gradcheck, "check_network_sample", one_wrong)
    code, out, _ = run(capsys, "gradcheck", "--dataset", "xor", "--layers", "2,4,1")
    assert code == 1 and "1 gradient(s) disagree: that backward() has a bug." in out
    assert "WRONG" in next(line for line in out.splitlines() if line.startswith("dense_0.W"))
    monkeypatch.setattr(sys, "stdout", LostOutput(error))
    code, _, err = run(capsys, "gradcheck", "--dataset", "xor", "--layers", "2,4,1")
    assert code == 1  # a wrong gradient, written or not; once 0 after | head
    if error is CLOSED:
        assert err == ""
    else:  # once a traceback
        assert err == "nnplay gradcheck: cannot write the output: No space left on device\n"


@pytest.mark.parametrize(
    "encoding,name,shown",
    [("ascii", "café", "caf\\xe9"), ("utf-8", "bad\udcff", "bad\\udcff")],
    ids=["PYTHONIOENCODING=ascii", "undecodable bytes in a UTF-8 locale"],
)
def test_a_file_name_the_output_cannot_encode_is_written_escaped(
    capsys, monkeypatch, tmp_path, encoding, name, shown
):
    # Once a UnicodeEncodeError traceback and exit status 1, after the file was saved.
    stdout = io.TextIOWrapper(io.BytesIO(), encoding=encoding)
    monkeypatch.setattr(sys, "stdout", stdout)
    path = tmp_path / name
    code, _, err = run(capsys, "train", "--epochs", "1", "--layers", "64,8,10", "--save", str(path))
    stdout.flush()
    assert code == 0 and err == ""
    assert load(f"{path}.npz").epochs_trained == 1
    written = stdout.buffer.getvalue().decode(encoding)
    assert written.endswith(f"Saved 1 epoch of training to {tmp_path}/{shown}.npz\n")


@pytest.mark.parametrize("save", [True, False], ids=["save", "no save"])
def test_a_closed_standard_output_is_said_as_a_full_disk_is(capsys, monkeypatch, tmp_path, save):
    # nnplay train >&-: Python's sys.stdout is None, and every line went nowhere without a
    # word, exit status 0, as though the run had been seen.
    monkeypatch.setattr(sys, "stdout", None)
    path = tmp_path / "m.npz"
    saving = ["--save", str(path)] if save else []
    code, _, err = run(capsys, "train", "--epochs", "2", "--layers", "64,8,10", *saving)
    assert code == 1
    if save:
        assert load(path).epochs_trained == 2
        reason = "cannot write the output (Bad file descriptor)"
        assert err == f"nnplay train: {reason}; going on to save {path}\n"
    else:
        assert err == "nnplay train: cannot write the output: Bad file descriptor\n"


@pytest.mark.parametrize(
    "args,status",
    [
        (["--epochs", "2", "--lr", "-1"], 2),  # a bad flag
        (["--epochs", "2", "--lr", "5"], 1),  # a divergence
        (["--epochs", "1", "--load", "{path}"], 0),  # nothing to train
    ],
    ids=["bad flag", "diverged", "nothing to train"],
)
def test_with_standard_error_closed_its_lines_are_lost_not_put_in_the_json(
    capsys, monkeypatch, tmp_path, args, status
):
    # nnplay train --json 2>&- | jq: Python's sys.stderr is None, and print(file=None) writes
    # to standard output, so the line meant for standard error broke the reader's JSON.
    path = tmp_path / "m.npz"
    run(capsys, "train", "--epochs", "1", "--layers", "64,8,10", "--save", str(path))
    monkeypatch.setattr(sys, "stderr", None)
    code, out, _ = run(capsys, "train", "--json", *[a.format(path=path) for a in args])
    assert code == status
    assert all(json.loads(line) for line in out.splitlines())


@pytest.mark.parametrize("where", ["closed pipe", "closed pipe, stderr too", "/dev/full"])
def test_the_installed_command_with_lost_output_saves_and_ends_cleanly(tmp_path, where):
    # In a real process: Python's own last flush of standard output must not fail again
    # ("Exception ignored ... BrokenPipeError", status 120) after the command has ended.
    path = tmp_path / "m.npz"
    if where == "/dev/full":
        stdout = os.open("/dev/full", os.O_WRONLY)
    else:
        read_end, stdout = os.pipe()
        os.close(read_end)  # the reader has gone before the first line, as after head -3
    stderr = stdout if where.endswith("stderr too") else subprocess.PIPE
    args = ["train", "--epochs", "2", "--layers", "64,8,10", "--save", str(path)]
    try:
        result = subprocess.run(
            [sys.executable, "-m", "nnplay", *args], stdout=stdout, stderr=stderr, text=True, timeout=60
        )
    finally:
        os.close(stdout)
    assert load(path).epochs_trained == 2
    if where == "/dev/full":
        assert result.returncode == 1 and result.stderr.count("\n") == 1
        assert result.stderr.startswith("nnplay train: cannot write the output (No space left on device)")
    else:  # with standard error closed too, its note is lost, and nothing else fails for it
        note = f"nnplay train: output closed; going on to save {path}\n"
        assert result.returncode == 0 and result.stderr == (None if stderr == stdout else note)


def test_divergence_is_reported_and_nothing_is_written(capsys, tmp_path, recwarn):
    path = tmp_path / "m.npz"
    code, out, err = run(capsys, "train", "--lr", "1e6", "--epochs", "5", "--save", str(path))
    assert code == 1 and "diverged" in err and "nothing was saved" in err
    assert err.count("\n") == 2  # the two lines, no NumPy overflow warnings before them
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]
    assert "try 0.1." in err  # a rate that might work, not 1e6 / 10
    assert not path.exists()


def test_a_divergence_after_good_epochs_says_how_to_save_them(capsys, tmp_path):
    path = tmp_path / "m.npz"
    args = ["train", "--dataset", "moons", "--optimizer", "momentum", "--lr", "1.5", "--save", str(path)]
    with np.errstate(over="ignore", invalid="ignore"):
        code, _, err = run(capsys, *args, "--epochs", "20")
    assert code == 1 and "diverged in epoch 7" in err and not path.exists()
    assert "the same command with --epochs 6 saves the 6 epochs before it" in err
    code, out, _ = run(capsys, *args, "--epochs", "6")  # as it says
    assert code == 0 and path.exists() and "Saved 6 epochs" in out


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


def test_a_single_npy_array_is_named_for_what_it_is(capsys, tmp_path):
    np.save(tmp_path / "arr.npy", np.zeros(3))
    code, _, err = run(capsys, "train", "--load", str(tmp_path / "arr.npy"))
    assert code == 2 and "an .npy array, not an .npz file" in err
    assert err.count("is not a saved network") == 1


def test_other_data_sets_get_fitting_default_layers(capsys):
    code, out, _ = run(capsys, "train", "--dataset", "moons", "--epochs", "1")
    assert code == 0 and "output (Sigmoid)" in out and "(None, 1)" in out


def test_gradcheck_samples_a_large_network_as_the_app_does(capsys):
    code, out, _ = run(capsys, "gradcheck", "--layers", "64,400,400,10")  # 187,210 parameters
    assert code == 0 and "All gradients agree" in out
    assert "a seeded sample of" in out and "dense_1.W (" in out  # checked/total, not all 160,000


def test_gradcheck_command_passes(capsys):
    code, out, _ = run(capsys, "gradcheck", "--layers", "64,8,10")
    assert code == 0 and "All gradients agree" in out and "WRONG" not in out
    assert "dense_1.W" in out and "cross_entropy" in out
    # what it compares against, and a Dense layer checked alone as well as in the network
    assert out.startswith("Finite differences against backward()") and "dense (alone)" in out


def test_gradcheck_retries_a_tiny_gradient_with_larger_steps_and_calls_it_ok(capsys):
    # Seven sigmoid layers: the first layer's gradient is about 2e-5, where rounding in the
    # central difference at eps 1e-6 reaches 1.8e-6 of it (at eps 1e-3 it agrees to 2e-8).
    args = ["--dataset", "spiral", "--layers", "2,3,3,3,3,3,3,1", "--activation", "sigmoid"]
    code, out, _ = run(capsys, "gradcheck", *args)
    line = next(line for line in out.splitlines() if line.startswith("dense_0.W"))
    assert code == 0 and line.endswith("ok") and "All gradients agree" in out


def test_gradcheck_calls_a_suspicious_error_not_a_bug(capsys, monkeypatch):
    from nnplay.core import gradcheck

    real = gradcheck.check_network_sample

    def one_suspicious(*args, **kwargs):
        checks = real(*args, **kwargs)
        return [dataclasses.replace(checks[0], error=1e-5), *checks[1:]]

    monkeypatch.setattr(gradcheck, "check_network_sample", one_suspicious)
    code, out, _ = run(capsys, "gradcheck", "--dataset", "xor", "--layers", "2,4,1")
    line = next(line for line in out.splitlines() if line.startswith("dense_0.W"))
    assert code == 0 and line.endswith("suspicious")
    assert "1 suspicious (between" in out and "has a bug" not in out


def test_flags_are_refused_before_scikit_learn_is_imported():
    code = (
        "import sys; from nnplay.cli import main; rc = main(['train', '--lr', 'abc']);"
        "print(rc, 'sklearn' in sys.modules, 'textual' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["2", "False", "False"]
    assert "--lr" in result.stderr


def test_train_runs_blas_on_one_thread_as_the_app_does():
    # Two BLAS threads spin waiting for each other on a busy machine: an epoch 3-5x slower.
    code = (
        "from nnplay.cli import main; from threadpoolctl import threadpool_info;"
        "rc = main(['train', '--epochs', '1', '--layers', '64,8,10', '--json']);"
        "print(rc, max(p['num_threads'] for p in threadpool_info() if p['user_api'] == 'blas'))"
    )
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "2", "OMP_NUM_THREADS": "2", "MKL_NUM_THREADS": "2"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert result.stdout.splitlines()[-1:] == ["0 1"], result.stdout + result.stderr  # status, most threads


def test_the_installed_command_exits_with_the_status(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "nnplay", "train", "--epochs", "x"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr


INTERRUPT_AT = """
import os, signal, sys

class InterruptAt:  # Ctrl-C while a module is imported, in the slow first tenth of a second
    def find_spec(self, name, path=None, target=None):
        if name == {module!r}:
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, InterruptAt())
sys.argv = ["nnplay", "train", "--epochs", "1"]
"""


@pytest.mark.parametrize("entry", ["console script", "python -m nnplay"])
# datetime: imported by NumPy's C code, where a KeyboardInterrupt comes out as an ImportError
@pytest.mark.parametrize("module", ["numpy", "datetime"])
def test_ctrl_c_while_the_command_starts_exits_130_with_no_traceback(entry, module):
    if entry == "console script":  # what pip's nnplay script runs: pyproject names the function
        with open(Path(__file__).parents[1] / "pyproject.toml", "rb") as f:
            module_name, function = tomllib.load(f)["project"]["scripts"]["nnplay"].split(":")
        start = f"from {module_name} import {function}\nsys.exit({function}())"
    else:
        start = "import runpy\nrunpy.run_module('nnplay', run_name='__main__')"
    result = subprocess.run(
        [sys.executable, "-c", INTERRUPT_AT.format(module=module) + start],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=as_from_a_terminal(),
    )
    assert (result.returncode, result.stderr) == (130, "interrupted\n")  # once a traceback, status 1


@pytest.mark.parametrize("module", ["numpy", "datetime"])
def test_sigterm_while_the_command_starts_says_terminated_as_a_run_does(module):
    # the handler nnplay train installs comes after the imports: a kill then ended it silently
    terminate_at = INTERRUPT_AT.format(module=module).replace("signal.SIGINT", "signal.SIGTERM")
    start = "import runpy\nrunpy.run_module('nnplay', run_name='__main__')"
    result = subprocess.run(
        [sys.executable, "-c", terminate_at + start],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=as_from_a_terminal(),
    )
    assert (result.returncode, result.stderr) == (143, "terminated\n")


def test_ctrl_c_swallowed_by_a_library_while_the_command_starts_still_ends_it():
    # An import lock's callback, argparse's or gzip's lazy imports: some code on the way catches
    # the KeyboardInterrupt and goes on, and the run trained to the end and saved, status 0.
    swallowing = INTERRUPT_AT.format(module="numpy").replace(
        "os.kill(os.getpid(), signal.SIGINT)",
        "try:\n                os.kill(os.getpid(), signal.SIGINT)\n"
        "            except KeyboardInterrupt:\n                pass",
    )
    start = "import runpy\nrunpy.run_module('nnplay', run_name='__main__')"
    result = subprocess.run(
        [sys.executable, "-c", swallowing + start],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=as_from_a_terminal(),
    )
    assert (result.returncode, result.stderr) == (130, "interrupted\n")


def test_ctrl_c_ignored_by_whoever_started_the_command_stays_ignored_while_it_starts():
    # nnplay train & from a script: the shell ignores Ctrl-C for it, and so does nnplay,
    # from its first line on (a Ctrl-C meant for the script's foreground job is not its own)
    start = "import runpy\nrunpy.run_module('nnplay', run_name='__main__')"
    result = subprocess.run(
        [sys.executable, "-c", INTERRUPT_AT.format(module="numpy") + start],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=as_from_a_terminal(signal.SIGINT),
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert "Epoch 1/1" in result.stdout  # trained to the end


def test_nnplay_opens_the_app_with_the_flags_as_its_settings(monkeypatch, tmp_path):
    from nnplay.tui.app import NnplayApp

    opened = []
    monkeypatch.setattr(NnplayApp, "run", lambda self, **kw: opened.append(self))
    assert main(["--layers", "64,32,10", "--lr", "0.1", "--epochs", "500"]) == 0
    config = opened[0].session.config
    assert (config.layers, config.lr, config.epochs) == ((64, 32, 10), 0.1, 500)
    path = tmp_path / "m.npz"
    main(["train", "--epochs", "1", "--layers", "64,12,10", "--save", str(path)])
    assert main(["--load", str(path)]) == 0
    session = opened[1].session
    assert session.config.layers == (64, 12, 10) and session.saved.epochs_trained == 1


def test_a_sigterm_says_where_it_kept_the_network_once_the_terminal_is_back(monkeypatch, capsys):
    # A teacher's pkill: the network was kept, but the terminal, still there, was told nothing
    from nnplay.tui.app import NnplayApp

    def trains_then_is_terminated(app, **kwargs):
        app.session.load()
        for _ in range(3):
            app.session.next_record()
        app.hang_up()  # what SIGTERM calls
        app.hang_up()  # and a SIGHUP after it, as the window closes: nothing more to keep or say

    monkeypatch.setattr(NnplayApp, "run", trains_then_is_terminated)
    code, _, err = run(capsys, "--layers", "64,8,10")
    (kept,) = kept_files()
    assert code == 0 and f"kept in {kept}" in err and f"nnplay --load {kept}" in err


@pytest.mark.parametrize("words", [["--help"], ["train", "--help"]])
def test_help_that_cannot_be_written_says_so(words):
    # argparse passed over the failed write: > /dev/full said nothing, status 0
    command = [sys.executable, "-m", "nnplay", *words]
    with open("/dev/full", "w") as full_disk, open(os.devnull, "w") as nowhere:
        full = subprocess.run(command, stdout=full_disk, stderr=subprocess.PIPE, text=True)
        read = subprocess.run(command, stdout=nowhere, stderr=subprocess.PIPE)
    assert full.returncode == 1 and "cannot write the help: No space left on device" in full.stderr
    assert read.returncode == 0 and not read.stderr
    closed = subprocess.run(command, stderr=subprocess.PIPE, text=True, preexec_fn=lambda: os.close(1))
    assert closed.returncode == 1 and "cannot write the help: standard output is closed" in closed.stderr


def test_the_app_with_no_terminal_says_so_rather_than_drawing_into_a_pipe():
    # ssh host nnplay without -t, or nnplay in a script: it drew escape codes into the pipe
    # and waited for keys that never came, until killed.
    result = subprocess.run(
        [sys.executable, "-m", "nnplay", "--epochs", "3"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        "nnplay: error: the app needs a terminal to read keys from and draw on "
        "(over SSH: ssh -t); nnplay train trains without one\n"
    )


def test_the_app_with_its_standard_error_redirected_says_why_on_the_terminal_too(tmp_path):
    # nnplay 2>log: Textual would draw into the log; the one line saying so went there alone
    import pty

    master, terminal = pty.openpty()
    with open(tmp_path / "log", "w") as log:
        code = subprocess.run(
            [sys.executable, "-m", "nnplay"], stdin=terminal, stdout=terminal, stderr=log, timeout=30
        ).returncode
    os.close(terminal)
    shown = os.read(master, 4096).decode()
    os.close(master)
    assert code == 2 and "the app needs a terminal" in shown
    assert "the app needs a terminal" in (tmp_path / "log").read_text()


@pytest.mark.parametrize("encoding", ["iso8859-1", "ascii"])
def test_the_app_draws_in_utf_8_whatever_the_locales_encoding(monkeypatch, encoding):
    # LANG=en_US.ISO-8859-1 (or PYTHONIOENCODING=ascii) on a student's SSH box: Textual draws
    # on standard error, which wrote every box and block as a \u2500 escape, a screen of them.
    from nnplay.tui.app import NnplayApp

    terminal = io.TextIOWrapper(io.BytesIO(), encoding=encoding, errors="backslashreplace")
    monkeypatch.setattr(sys, "__stderr__", terminal)
    drawn_in = []
    monkeypatch.setattr(NnplayApp, "run", lambda self, **kw: drawn_in.append(sys.__stderr__.encoding))
    assert main([]) == 0
    assert drawn_in == ["utf-8"]


def test_a_file_name_utf_8_has_no_bytes_for_is_drawn_escaped_not_the_end_of_drawing(monkeypatch):
    # PYTHONIOENCODING=ascii and a file named with bytes undecodable in UTF-8 (bad\xff.npz) in
    # the load list: reconfigured to UTF-8, standard error had lost its backslashreplace, and
    # Textual's writer thread died on the name, leaving a screen that no key changed.
    from nnplay.tui.app import NnplayApp

    terminal = io.TextIOWrapper(io.BytesIO(), encoding="ascii", errors="backslashreplace")
    monkeypatch.setattr(sys, "__stderr__", terminal)
    monkeypatch.setattr(NnplayApp, "run", lambda self, **kw: sys.__stderr__.write("bad\udcff.npz"))
    assert main([]) == 0
    terminal.flush()
    assert terminal.buffer.getvalue() == b"bad\\udcff.npz"


@pytest.mark.parametrize(
    "environ, flags, ansi",
    [
        ({"TERM": "xterm"}, [], True),  # drawn in 16 colours anyway: the terminal's own then
        ({"TERM": "linux"}, [], True),
        ({"TERM": "xterm-256color"}, [], False),
        ({"TERM": "xterm", "COLORTERM": "truecolor"}, [], False),
        ({"TERM": "xterm", "TEXTUAL_COLOR_SYSTEM": "truecolor"}, [], False),  # as nnplay serve runs
        ({"TERM": "xterm-256color"}, ["--ansi"], True),
    ],
)
def test_a_terminal_drawn_in_16_colours_gets_its_own_colours(monkeypatch, environ, flags, ansi):
    from nnplay.tui.app import NnplayApp

    for name in ("TERM", "COLORTERM", "TEXTUAL_COLOR_SYSTEM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    opened = []
    monkeypatch.setattr(NnplayApp, "run", lambda self, **kw: opened.append(self))
    assert main(flags) == 0
    assert opened[0].ansi == ansi


@pytest.mark.parametrize(
    "flags,environ,mouse",
    [([], {}, True), (["--no-mouse"], {}, False), (["--low-bandwidth"], {}, False)]
    + [([], {"NNPLAY_LOW_BANDWIDTH": "1"}, False)],
)
def test_the_mouse_is_off_on_a_slow_link(monkeypatch, flags, environ, mouse):
    # each move sends bytes up the link, and hovering redraws send them down
    from nnplay.tui.app import NnplayApp

    monkeypatch.delenv("NNPLAY_LOW_BANDWIDTH", raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    asked = []
    monkeypatch.setattr(NnplayApp, "run", lambda self, **kw: asked.append(kw["mouse"]))
    assert main(flags) == 0 and asked == [mouse]


def test_the_app_refuses_bad_flags_before_starting(capsys, monkeypatch):
    from nnplay.tui.app import NnplayApp

    monkeypatch.setattr(NnplayApp, "run", lambda self, **kw: pytest.fail("the app must not start"))
    code, _, err = run(capsys, "--lr", "fast")
    assert code == 2 and err.startswith("nnplay: error: --lr")


def test_epochs_messages_write_numbers_as_the_flag_takes_them(capsys, monkeypatch, tmp_path):
    # "--epochs 1,000 is below the 1,149 epochs ...; give 1149": a flag takes no commas.
    from nnplay import data
    from nnplay.core.config import TrainConfig
    from nnplay.core.serialize import save
    from nnplay.core.train import build
    from nnplay.tui.app import NnplayApp

    config = TrainConfig(layers=(64, 8, 10), epochs=1149)
    save(tmp_path / "big.npz", build(config, data.load("digits")).net, config, 1149)
    monkeypatch.setattr(NnplayApp, "run", lambda self, **kw: pytest.fail("the app must not start"))
    code, _, err = run(capsys, "--load", str(tmp_path / "big.npz"), "--epochs", "1000")
    assert code == 2 and "--epochs 1000 is below the 1149 epochs" in err and "give 1149 or more" in err
    code, _, err = run(capsys, "train", "--load", str(tmp_path / "big.npz"), "--epochs", "1000")
    assert "has trained 1149 epochs and --epochs is the total (1000)" in err


def test_the_app_refuses_epochs_below_a_loaded_files_as_its_epochs_field_does(capsys, monkeypatch, tmp_path):
    from nnplay.tui.app import NnplayApp

    path = tmp_path / "m.npz"
    run(capsys, "train", "--epochs", "2", "--layers", "64,8,10", "--save", str(path))
    opened = []
    monkeypatch.setattr(NnplayApp, "run", lambda self, **kw: opened.append(self))
    code, _, err = run(capsys, "--load", str(path), "--epochs", "1")
    assert code == 2 and not opened  # once it opened at "Epoch 2/1, finished"
    assert "--epochs 1 is below the 2 epochs" in err and "give 2 or more" in err
    code, _, _ = run(capsys, "--load", str(path), "--epochs", "2")
    assert code == 0 and opened[0].session.config.epochs == 2


def saved_two_steps_into_epoch_2(path):
    """Save a small digits network two steps into its second epoch, as the app's ctrl+s can,
    and return the trainer that was saved."""
    from nnplay import data
    from nnplay.core.config import TrainConfig
    from nnplay.core.serialize import save
    from nnplay.core.train import EpochStats, build

    config = TrainConfig(layers=(64, 8, 10), epochs=3)
    trainer = build(config, data.load("digits"))
    steps = trainer.run(2)
    while not isinstance(next(steps), EpochStats):
        pass
    next(steps), next(steps)
    save(path, trainer.net, config, trainer.epoch, trainer.rng, partial=trainer.partial)
    return trainer


def test_the_app_refuses_epochs_below_the_epoch_a_file_stopped_in(capsys, monkeypatch, tmp_path):
    # Saved two steps into epoch 2, as the app's ctrl+s can: --epochs 1 opened it finished at
    # "Epoch 1/1" with epoch 2 half done and no way to finish it. The epochs field says no.
    from nnplay.tui.app import NnplayApp

    saved_two_steps_into_epoch_2(tmp_path / "half.npz")
    opened = []
    monkeypatch.setattr(NnplayApp, "run", lambda self, **kw: opened.append(self))
    code, _, err = run(capsys, "--load", str(tmp_path / "half.npz"), "--epochs", "1")
    assert code == 2 and not opened
    assert "below epoch 2, which" in err and "stopped partway through" in err and "give 2 or more" in err
    code, _, _ = run(capsys, "--load", str(tmp_path / "half.npz"), "--epochs", "2")
    assert code == 0 and opened[0].session.config.epochs == 2


def test_a_file_copied_with_a_total_below_the_epoch_it_stopped_in_still_opens_in_the_app(
    capsys, monkeypatch, tmp_path
):
    # nnplay train --load half.npz --epochs 1 --save copy.npz saved a total of 1 for a network
    # in epoch 2; nnplay --load copy.npz, with no --epochs given, then said "--epochs 1 is
    # below epoch 2 ... or leave it out", and nnplay train --load copy.npz never finished it.
    from nnplay.tui.app import NnplayApp

    half, copy = tmp_path / "half.npz", tmp_path / "copy.npz"
    saved_two_steps_into_epoch_2(half)
    code, _, err = run(capsys, "train", "--load", str(half), "--epochs", "1", "--save", str(copy))
    assert code == 0 and "has trained 1 epoch and 2 steps" in err  # not just "1 epoch"
    assert load(copy).config.epochs == 2
    opened = []
    monkeypatch.setattr(NnplayApp, "run", lambda self, **kw: opened.append(self))
    code, _, err = run(capsys, "--load", str(copy))
    assert code == 0 and err == "" and opened[0].session.config.epochs == 2
    code, out, err = run(capsys, "train", "--load", str(copy))
    assert code == 0 and "nothing to train" not in err and "Epoch 2/2" in out


FLAG_NAMES = [
    "--dataset",
    "--layers",
    "--activation",
    "--init",
    "--optimizer",
    "--lr",
    "--batch-size",
    "--epochs",
    "--seed",
    "--l2",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flag=st.sampled_from(FLAG_NAMES), value=st.text(max_size=15).filter(lambda v: not v.startswith("-")))
def test_any_flag_value_is_either_taken_or_refused_in_one_line(capsys, monkeypatch, flag, value):
    from nnplay import cli

    trained = []
    monkeypatch.setattr("nnplay.headless.train", lambda ns: trained.append(cli.resolve(ns)) or 0)
    code, out, err = run(capsys, "train", flag, value)
    if code == 0:
        config, _ = trained[0]
        from nnplay import data

        data.check(config)
    else:
        assert code == 2 and err.count("\n") == 1 and "Traceback" not in err


def test_serve_refuses_bad_settings_before_starting(capsys, monkeypatch):
    import nnplay.serve

    def started(*args):  # a serve that wrongly starts fails here, not by hanging the run
        raise AssertionError("the server started")

    monkeypatch.setattr(nnplay.serve, "_server", started)
    code, _, err = run(capsys, "serve", "--lr", "0")
    assert code == 2 and "--lr" in err
    code, _, err = run(capsys, "serve", "--port", "70000")
    assert code == 2 and "--port" in err


def test_serve_refuses_epochs_below_a_loaded_files_as_the_app_does(capsys, monkeypatch, tmp_path):
    # The check was the app's alone: the server started, and every browser tab's app then
    # ended at once with "--epochs 1 is below the 2 epochs m.npz has trained".
    import nnplay.serve

    path = tmp_path / "m.npz"
    run(capsys, "train", "--epochs", "2", "--layers", "64,8,10", "--save", str(path))
    monkeypatch.setattr(nnplay.serve, "_server", lambda *a: pytest.fail("the server started"))
    code, out, err = run(capsys, "serve", "--load", str(path), "--epochs", "1")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith("nnplay serve: error: --epochs 1 is below the 2 epochs") and "give 2 or more" in err


def test_serve_passes_the_settings_to_each_app():
    from nnplay.cli import build_parser
    from nnplay.serve import serve_command

    ns = build_parser().parse_args(["serve", "--layers", "64,32,10", "--lr", "0.1", "--low-bandwidth"])
    argv = serve_command(ns)
    assert argv[1:3] == ["-m", "nnplay"]
    assert argv[3:] == ["--layers", "64,32,10", "--lr", "0.1", "--low-bandwidth"]
    # the app's other display flags too, as nnplay takes them: serve called them unrecognized
    ns = build_parser().parse_args(["serve", "--no-mouse", "--ansi"])
    assert serve_command(ns)[3:] == ["--no-mouse", "--ansi"]
    ns = build_parser().parse_args(["--low-bandwidth", "serve"])  # before the command, as settings may be
    assert serve_command(ns)[3:] == ["--low-bandwidth"]


def test_serve_answers_on_localhost_only_by_default():
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "nnplay", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline, "nnplay serve did not answer"
                time.sleep(0.2)
        assert "textual" in page.lower()
        assert listening_addresses(port) == {"127.0.0.1"}
        # The page's script and websocket are at the address the browser used, not the one
        # served on: through ssh -L 9000:localhost:PORT, or at THIS-HOST for --host 0.0.0.0.
        asked = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Host": "localhost:9000"})
        page = urllib.request.urlopen(asked, timeout=5).read().decode()
        assert "http://localhost:9000/static/js/textual.js" in page
        assert "ws://localhost:9000/ws" in page and f":{port}/" not in page
    finally:
        server.terminate()
        server.wait(timeout=10)


def listening_addresses(port: int) -> set[str]:
    """IPv4 addresses with a socket listening on port, from /proc/net/tcp."""
    found = set()
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(".".join(str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0)))
    return found


@pytest.mark.parametrize("served", [False, True])
def test_quitting_the_app_keeps_unsaved_training_unless_served(capsys, tmp_path, monkeypatch, served):
    from nnplay.tui.app import NnplayApp

    def run_and_train(app, **kwargs):  # stands in for a user who trains a little, then quits
        app.session.load()
        for _ in range(3):
            app.session.next_record()

    monkeypatch.setattr(NnplayApp, "run", run_and_train)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    if served:
        monkeypatch.setenv("TEXTUAL_DRIVER", "textual.drivers.web_driver:WebDriver")
    code, _, err = run(capsys, "--layers", "64,8,10")
    kept = sorted((tmp_path / "nnplay").glob("*.npz"))
    assert code == 0
    if served:
        assert err == "" and kept == []
    else:
        assert len(kept) == 1 and f"kept in {kept[0]}" in err and load(kept[0]).spec.sizes == (64, 8, 10)


def test_an_activation_that_names_the_same_network_is_no_contradiction(capsys, tmp_path):
    path = tmp_path / "m.npz"
    run(capsys, "train", "--epochs", "0", "--save", str(path), "--layers", "64,8,8,10")
    assert run(capsys, "train", "--load", str(path), "--activation", "relu,relu", "--epochs", "0")[0] == 0
    code, _, err = run(capsys, "train", "--load", str(path), "--activation", "relu,tanh", "--epochs", "0")
    assert code == 2 and "contradicts" in err


@pytest.mark.parametrize("error", [CLOSED, FULL], ids=["closed", "full"])
def test_serve_serves_when_its_banner_cannot_be_written(capsys, monkeypatch, error):
    # > /dev/full: once a traceback from the banner's print, and no server.
    import textual_serve.server

    served = []
    monkeypatch.setattr(textual_serve.server.Server, "serve", lambda self, **kw: served.append(self))
    monkeypatch.setattr(sys, "stdout", LostOutput(error))
    code, _, err = run(capsys, "serve", "--port", "8765")
    assert len(served) == 1 and "Traceback" not in err
    if error is FULL:
        assert err == (
            "nnplay serve: cannot write the output (No space left on device); serving at http://127.0.0.1:8765\n"
        )


async def test_stopping_serve_closes_the_open_tabs_at_once(monkeypatch):
    # kill (SIGTERM): the server stopped taking new tabs but waited ~22 s for the open ones,
    # their apps running on unseen. A tab's handler, cancelled, quits its app and closes the tab.
    import asyncio

    from aiohttp.test_utils import make_mocked_request

    import nnplay.served_tab
    from nnplay.serve import _server

    async def open_tab(self, request):  # until the browser closes it
        await asyncio.Event().wait()

    monkeypatch.setattr(nnplay.served_tab, "run_tab", open_tab)
    server = _server("true", "127.0.0.1", 8000, "http://127.0.0.1:8000")
    tab = asyncio.create_task(server.handle_websocket(make_mocked_request("GET", "/ws")))
    await asyncio.sleep(0)  # the tab opens
    await server.on_shutdown(None)
    assert tab.cancelled()


def test_serve_on_an_ipv6_address_names_a_url_a_browser_can_open(capsys, monkeypatch):
    import textual_serve.server

    import nnplay.serve

    monkeypatch.setattr(nnplay.serve, "_check_address", lambda host, port: None)  # IPv6 or not here
    monkeypatch.setattr(textual_serve.server.Server, "serve", lambda self, **kw: None)
    code, out, _ = run(capsys, "serve", "--host", "::1", "--port", "8765")
    assert code == 0 and "one app per browser tab at http://[::1]:8765\n" in out  # not http://::1:8765
    assert "ssh -L 8765:localhost:8765" in out


async def test_served_pages_terminal_takes_keys_without_a_click(monkeypatch):
    # Found in Chromium: xterm.js does not focus itself, so the keys a student typed first
    # (space, ?) did nothing until a click or a tab into the terminal
    import textual_serve.server
    from aiohttp import web
    from aiohttp.test_utils import make_mocked_request

    from nnplay.serve import _server

    async def page(self, request):
        text = "<html><body><div id='terminal'></div></body></html>"
        return web.Response(text=text, content_type="text/html")

    monkeypatch.setattr(textual_serve.server.Server, "handle_index", page)
    server = _server("true", "127.0.0.1", 8000, "http://127.0.0.1:8000")
    response = await server.handle_index(make_mocked_request("GET", "/", headers={"Host": "localhost:8000"}))
    body = response.text
    script = body.index('document.querySelector(".xterm-helper-textarea")')
    assert body.index("<div id='terminal'>") < script < body.index("focus()") < body.index("</body>")
    # and when the app has ended, its Restart button: a keyboard alone had to tab to it
    assert body.index('document.querySelector(".closed-dialog button")') < body.index("restart.focus()")


@pytest.mark.parametrize(
    "origin,opens",
    [
        ("http://evil.example", False),  # any web page, in a browser that reaches the server
        ("null", False),  # a file:// page
        ("http://localhost:9000", True),  # our own page, as the browser reached it (ssh -L 9000:...)
        (None, True),  # no browser: nothing a page could abuse
    ],
)
async def test_serve_opens_apps_for_its_own_page_only(monkeypatch, origin, opens):
    from aiohttp.test_utils import make_mocked_request

    import nnplay.served_tab
    from nnplay.serve import _server

    opened = []

    async def open_tab(self, request):
        opened.append(request)

    monkeypatch.setattr(nnplay.served_tab, "run_tab", open_tab)
    server = _server("true", "127.0.0.1", 8000, "http://127.0.0.1:8000")
    headers = {"Host": "localhost:9000"} | ({"Origin": origin} if origin else {})
    response = await server.handle_websocket(make_mocked_request("GET", "/ws", headers=headers))
    assert bool(opened) == opens
    if not opens:
        assert response.status == 403


@pytest.mark.parametrize(
    "host,addressed,opens",
    [
        ("127.0.0.1", "evil.example:8000", False),  # DNS rebinding: a page's own name, led here
        ("127.0.0.1", "127.0.0.1:8000", True),
        ("127.0.0.1", "[::1]:8000", True),
        ("localhost", "app.localhost:8000", True),  # browsers take *.localhost for this machine
        ("0.0.0.0", "lab-server.example:8000", True),  # students reach it by the machine's name
        ("0.0.0.0", "lab-server:8000", True),
        ("0.0.0.0", "lab-server.local:8000", True),
        ("0.0.0.0", "192.0.2.7:8000", True),  # or its address: an address cannot be rebound
        ("0.0.0.0", "[2001:db8::7]:8000", True),
        ("0.0.0.0", "evil.example:8000", False),  # DNS rebinding, to the machine's address
        ("192.0.2.7", "evil.example:8000", False),
    ],
)
async def test_serve_opens_apps_for_its_pages_at_its_own_names_only(monkeypatch, host, addressed, opens):
    # evil.example's page, its name then made to lead to this machine, sends an Origin that
    # matches the address it reached: the Origin check alone let it open apps and type in them
    import socket

    monkeypatch.setattr(socket, "gethostname", lambda: "lab-server")
    monkeypatch.setattr(socket, "getfqdn", lambda: "lab-server.example")
    from aiohttp.test_utils import make_mocked_request

    import nnplay.served_tab
    from nnplay.serve import _server

    opened = []

    async def open_tab(self, request):
        opened.append(request)

    monkeypatch.setattr(nnplay.served_tab, "run_tab", open_tab)
    server = _server("true", host, 8000, f"http://{host}:8000")
    headers = {"Host": addressed, "Origin": f"http://{addressed}"}
    response = await server.handle_websocket(make_mocked_request("GET", "/ws", headers=headers))
    assert bool(opened) == opens
    if not opens:
        assert response.status == 403


def test_serve_on_a_port_in_use_says_so_in_one_line(capsys):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, out, err = run(capsys, "serve", "--port", str(port))
    assert code == 2 and "cannot serve on 127.0.0.1" in err and "Traceback" not in err
    assert err.count("\n") == 1 and out == ""  # no "serving at" banner for a server that never ran


@pytest.mark.parametrize("host", ["192.0.2.1", "bad..host"])  # TEST-NET-1, never local; an empty label
def test_serve_on_a_host_that_is_not_this_machine_says_so_in_one_line(capsys, host):
    code, out, err = run(capsys, "serve", "--host", host)
    assert code == 2 and f"cannot serve on {host}" in err and "Traceback" not in err
    assert err.count("\n") == 1 and out == ""


def test_epochs_0_on_a_loaded_file_keeps_its_total_and_a_file_with_nothing_left_says_so(capsys, tmp_path):
    three, copy = tmp_path / "three.npz", tmp_path / "copy.npz"
    run(capsys, "train", "--epochs", "3", "--save", str(three))
    code, _, err = run(capsys, "train", "--load", str(three), "--epochs", "0", "--save", str(copy))
    assert code == 0 and "nothing to train" not in err  # asked for no training: no note
    assert load(copy).config.epochs == 3 and load(copy).epochs_trained == 3  # not "0 of 3 trained"
    code, _, err = run(capsys, "train", "--load", str(copy))
    assert code == 0 and "nothing to train" in err


def sigterm_mid_run(*flags: str, ignored: bool = False) -> tuple[int, str]:
    """Start nnplay train in a process of its own (with SIGTERM ignored, if ``ignored``),
    send it SIGTERM once it prints its first epoch, and return its exit status and stderr."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "nnplay", "train", *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=as_from_a_terminal(signal.SIGTERM) if ignored else as_from_a_terminal(),
    )
    try:
        assert proc.stdout is not None
        while not proc.stdout.readline().startswith("Epoch"):  # training, past the imports
            pass
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    return proc.returncode, err


def test_sigterm_stops_nnplay_train_saying_so_and_saving_nothing(tmp_path):
    # kill, or a batch system's time limit: the run ended without a word, its file not written
    path = tmp_path / "run.npz"
    stopped = sigterm_mid_run("--epochs", "100000", "--save", str(path))
    assert stopped == (143, f"terminated; nothing was saved to {path}\n")
    assert list(tmp_path.iterdir()) == []  # no file, no temporary left


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


def test_nnplay_train_save_runs_off_the_main_thread_where_sigterm_is_not_its_own(tmp_path):
    # train() leaves SIGTERM alone there; the save's "ignore it now" must too, not fail
    # with ValueError after training, the file never written
    import threading

    path = tmp_path / "thread.npz"
    done: list[object] = []
    handler = signal.getsignal(signal.SIGTERM)

    def run_it() -> None:
        try:
            done.append(main(["train", "--epochs", "1", "--save", str(path)]))
        except BaseException as e:  # what the thread raised is the answer
            done.append(e)

    worker = threading.Thread(target=run_it)
    worker.start()
    worker.join(timeout=120)
    assert done == [0] and load(path).epochs_trained == 1
    assert signal.getsignal(signal.SIGTERM) == handler  # the main thread's, untouched


def test_nnplay_train_started_with_sigterm_ignored_keeps_it_ignored(tmp_path):
    # trap '' TERM, or a supervisor that means the run to finish: SIGTERM stopped it anyway
    path = tmp_path / "run.npz"
    assert sigterm_mid_run("--epochs", "200", "--save", str(path), ignored=True) == (0, "")
    assert load(path).epochs_trained == 200


def test_gradcheck_says_which_arrays_it_compared_with_nothing(capsys):
    # 64,1,10 at seed 0: the one ReLU unit is dead on the 8 samples checked
    assert main(["gradcheck", "--layers", "64,1,10"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("dense_")}
    assert all("all 0" in lines[name] for name in ("dense_0.W", "dense_0.b", "dense_1.W"))
    assert "all 0" not in lines["dense_1.b"] and "nothing to compare" in out


def test_an_activation_for_a_network_with_no_hidden_layer_is_noted_not_refused(capsys):
    code, out, err = run(capsys, "train", "--layers", "64,10", "--activation", "tanh", "--epochs", "1")
    assert code == 0 and "Epoch 1/1" in out  # trained all the same
    assert err == "nnplay train: note: --activation: no hidden layer, so tanh is not used\n"
    # the default, not asked for, is nothing to note; nor is an activation a hidden layer uses
    assert run(capsys, "train", "--layers", "64,10", "--epochs", "0")[2] == ""
    assert run(capsys, "train", "--layers", "64,8,10", "--activation", "tanh", "--epochs", "0")[2] == ""


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


@pytest.mark.parametrize("error", [CLOSED, FULL], ids=["closed", "full"])
def test_output_lost_at_its_first_line_trains_nothing_and_says_so_by_its_status(capsys, monkeypatch, error):
    trained = epochs_trained(monkeypatch)
    lost = LostOutput(error)
    lost.left = 0  # not even the network's summary is written
    monkeypatch.setattr(sys, "stdout", lost)
    code, _, err = run(capsys, "train", "--epochs", "50", "--layers", "64,8,10")
    assert trained == []
    if error is CLOSED:
        assert code == 0 and err == ""
    else:
        assert code == 1 and err == "nnplay train: cannot write the output: No space left on device\n"


def test_a_mistyped_command_is_not_taken_for_a_saved_network(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no trian.npz here
    code, out, err = run(capsys, "trian")
    assert code == 2 and out == "" and "invalid choice: 'trian'" in err and "--load" not in err


def test_serve_listens_on_the_port_the_help_and_readme_name():
    from nnplay.cli import build_parser

    ns = build_parser().parse_args(["serve"])
    assert (ns.host, ns.port) == ("127.0.0.1", 8000)
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    assert "8000" in readme


def test_a_run_that_diverges_after_its_first_epoch_says_how_to_save_that_epoch(capsys, tmp_path):
    path = tmp_path / "m.npz"
    args = ["--layers", "64,8,10", "--optimizer", "momentum", "--lr", "20", "--epochs", "3"]
    code, out, err = run(capsys, "train", *args, "--save", str(path))
    assert code == 1 and "Training diverged in epoch 2" in err and "Epoch 1/3" in out
    assert err.endswith(
        f"nothing was saved to {path}; the same command with --epochs 1 saves the 1 epoch before it\n"
    )
    assert not path.exists()
    code, _, _ = run(capsys, "train", *args[:-1], "1", "--save", str(path))  # as it says
    assert code == 0 and load(path).epochs_trained == 1
