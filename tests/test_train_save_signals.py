"""nnplay train's save, and a SIGTERM that comes while it is written."""

import subprocess
import sys

from nnplay.core.serialize import load
from tests.processes import as_from_a_terminal

KILLED_WHILE_SAVING = """
import os, signal, sys
import numpy as np

savez = np.savez

def killed_while_saving(f, *args, **kwargs):
    savez(f, *args, **kwargs)  # the arrays written beside the file, not yet renamed into place
    os.kill(os.getpid(), signal.SIGTERM)

np.savez = killed_while_saving
from nnplay.__main__ import main
sys.exit(main(["train", "--epochs", "2", "--layers", "64,8,10", "--save", sys.argv[1]]))
"""


def test_a_sigterm_while_nnplay_train_saves_lets_the_save_finish(tmp_path):
    # The run is done and its file half written: a kill then would lose the run and leave
    # a temporary file, where the save takes milliseconds. It finishes, and says so.
    path = tmp_path / "run.npz"
    done = subprocess.run(
        [sys.executable, "-c", KILLED_WHILE_SAVING, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=as_from_a_terminal(),  # SIGTERM ends it, were it not held off
    )
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert done.stdout.splitlines()[-1] == f"Saved 2 epochs of training to {path}"
    assert list(tmp_path.iterdir()) == [path]  # whole, and no temporary file beside it
    assert load(path).epochs_trained == 2
