import pytest

from nnplay import data


@pytest.fixture(scope="session")
def digits():
    return data.load("digits")


@pytest.fixture(autouse=True)
def _in_a_scratch_folder(tmp_path, monkeypatch):
    """Run every test in its own empty folder, so nothing it saves (a random-keys test
    presses ctrl+s and types a name) lands in the checkout."""
    monkeypatch.chdir(tmp_path)
