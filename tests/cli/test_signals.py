"""Ctrl-C and SIGTERM given to the command: while it starts, and while nnplay train runs."""

import signal
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from nnplay.cli import main
from nnplay.core.serialize import load
from tests.processes import as_from_a_terminal

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


RUN_NNPLAY = "import runpy\nrunpy.run_module('nnplay', run_name='__main__')"
"""What `python -m nnplay` runs, to follow a prelude given to ``python -c``."""


def started_with(
    prelude: str, start: str = RUN_NNPLAY, ignored: tuple[signal.Signals, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """Run ``python -c prelude + start`` as from a terminal, the signals in ``ignored``
    ignored, and return the finished process."""
    return subprocess.run(
        [sys.executable, "-c", prelude + start],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=as_from_a_terminal(*ignored),
    )


@pytest.mark.parametrize("entry", ["console script", "python -m nnplay"])
# datetime: imported by NumPy's C code, where a KeyboardInterrupt comes out as an ImportError
@pytest.mark.parametrize("module", ["numpy", "datetime"])
def test_ctrl_c_while_the_command_starts_exits_130_with_no_traceback(entry, module):
    if entry == "console script":  # what pip's nnplay script runs: pyproject names the function
        with open(Path(__file__).parents[2] / "pyproject.toml", "rb") as f:
            module_name, function = tomllib.load(f)["project"]["scripts"]["nnplay"].split(":")
        start = f"from {module_name} import {function}\nsys.exit({function}())"
    else:
        start = RUN_NNPLAY
    result = started_with(INTERRUPT_AT.format(module=module), start)
    assert (result.returncode, result.stderr) == (130, "interrupted\n")  # once a traceback, status 1


@pytest.mark.parametrize("module", ["numpy", "datetime"])
def test_sigterm_while_the_command_starts_says_terminated_as_a_run_does(module):
    # the handler nnplay train installs comes after the imports: a kill then ended it silently
    terminate_at = INTERRUPT_AT.format(module=module).replace("signal.SIGINT", "signal.SIGTERM")
    result = started_with(terminate_at)
    assert (result.returncode, result.stderr) == (143, "terminated\n")


def test_ctrl_c_swallowed_by_a_library_while_the_command_starts_still_ends_it():
    # An import lock's callback, argparse's or gzip's lazy imports: some code on the way catches
    # the KeyboardInterrupt and goes on, and the run trained to the end and saved, status 0.
    swallowing = INTERRUPT_AT.format(module="numpy").replace(
        "os.kill(os.getpid(), signal.SIGINT)",
        "try:\n                os.kill(os.getpid(), signal.SIGINT)\n"
        "            except KeyboardInterrupt:\n                pass",
    )
    result = started_with(swallowing)
    assert (result.returncode, result.stderr) == (130, "interrupted\n")


def test_ctrl_c_ignored_by_whoever_started_the_command_stays_ignored_while_it_starts():
    # nnplay train & from a script: the shell ignores Ctrl-C for it, and so does nnplay,
    # from its first line on (a Ctrl-C meant for the script's foreground job is not its own)
    result = started_with(INTERRUPT_AT.format(module="numpy"), ignored=(signal.SIGINT,))
    assert (result.returncode, result.stderr) == (0, "")
    assert "Epoch 1/1" in result.stdout  # trained to the end


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
