import pytest

from nnplay import data


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
