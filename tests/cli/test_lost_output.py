"""Output that cannot be written (| head, > /dev/full, >&-, 2>&-, an encoding without
the characters): the run says so by its status, and what was asked to be saved is."""

import dataclasses
import io
import json
import os
import subprocess
import sys

import pytest

from nnplay.core.serialize import load
from tests.cli.helpers import CLOSED, FULL, LostOutput, run


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
