"""nnplay train's save, and a stop (SIGTERM, Ctrl-C) that comes while it is written."""

import subprocess
import sys

import pytest

from nnplay.core.serialize import load
from tests.processes import as_from_a_terminal

STOPPED_WHILE_SAVING = """
import os, signal, sys
import numpy as np

stop, where = signal.Signals[sys.argv[2]], sys.argv[3]
module = np if where == "savez" else os
saving = getattr(module, where)

def stopped_while_saving(*args, **kwargs):
    saving(*args, **kwargs)  # savez: the arrays written beside the file; replace: renamed into place
    os.kill(os.getpid(), stop)

setattr(module, where, stopped_while_saving)
from nnplay.__main__ import main
sys.exit(main(["train", "--epochs", "2", "--layers", "64,8,10", "--save", sys.argv[1]]))
"""


@pytest.mark.parametrize("stop", ["SIGTERM", "SIGINT"])
@pytest.mark.parametrize("where", ["savez", "replace"])
def test_a_stop_while_nnplay_train_saves_lets_the_save_finish(tmp_path, stop, where):
    # The run is done, its file half written or just renamed into place: a stop then lost
    # the run and left a temporary file, or said "nothing was saved" of a file written. The
    # save takes milliseconds: it finishes, and says so.
    path = tmp_path / "run.npz"
    done = subprocess.run(
        [sys.executable, "-c", STOPPED_WHILE_SAVING, str(path), stop, where],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=as_from_a_terminal(),  # either ends it, were it not held off
    )
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert done.stdout.splitlines()[-1] == f"Saved 2 epochs of training to {path}"
    assert list(tmp_path.iterdir()) == [path]  # whole, and no temporary file beside it
    assert load(path).epochs_trained == 2
