"""nnplay train's output: the summary and one line (or --json object) per epoch, and
what it says when training diverges."""

import json
import os
import subprocess
import sys

import numpy as np

from nnplay.core.serialize import load
from tests.cli.helpers import run


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


def test_other_data_sets_get_fitting_default_layers(capsys):
    code, out, _ = run(capsys, "train", "--dataset", "moons", "--epochs", "1")
    assert code == 0 and "output (Sigmoid)" in out and "(None, 1)" in out


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
