"""What every test of the command line runs with."""

import pytest


@pytest.fixture(autouse=True)
def _as_from_a_terminal(monkeypatch):
    """The app's tests here open it (its run() replaced) as from a terminal, which pytest's
    standard input is not."""
    monkeypatch.setattr("nnplay.cli.on_a_terminal", lambda: True)
