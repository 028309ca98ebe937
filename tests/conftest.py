import os

import pytest

from nnplay import data


@pytest.fixture(scope="session", autouse=True)
def _state_folder_fallback(tmp_path_factory):
    """A second line under _in_a_scratch_folder's: a test's monkeypatch.undo() undoes that
    fixture's XDG_STATE_HOME too, and what the app then kept went to the real home's
    ~/.local/state/nnplay (one test did so on every run). It falls back to this folder."""
    before = os.environ.get("XDG_STATE_HOME")
    os.environ["XDG_STATE_HOME"] = str(tmp_path_factory.mktemp("state"))
    yield
    if before is None:
        os.environ.pop("XDG_STATE_HOME", None)
    else:
        os.environ["XDG_STATE_HOME"] = before


@pytest.fixture(scope="session")
def digits():
    return data.load("digits")


@pytest.fixture(autouse=True)
def _in_a_scratch_folder(tmp_path, monkeypatch):
    """Run every test in its own empty folder, so nothing it saves (a random-keys test
    presses ctrl+s and types a name) lands in the checkout, and keep what the app keeps
    of unsaved training (on reset, load or quit) out of the user's own state folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
