"""How the main screen looks, before and after training, at 80x24 and 120x40.

Everything shown is seeded, so the pictures are stable. After a deliberate
change of look, review the new pictures and run `pytest tests/tui --snapshot-update`.
"""

import pytest

from nnplay.core.config import TrainConfig
from nnplay.tui.app import make_app

SIZES = [(80, 24), (120, 40)]


def waiting_for(*keys):
    """A run_before that waits for loading, then presses keys one by one, letting each finish."""

    async def run_before(pilot) -> None:
        app = pilot.app
        await app.workers.wait_for_complete()
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await app.workers.wait_for_complete()
            await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_main_screen_before_training(snap_compare, size):
    assert snap_compare(make_app(TrainConfig(epochs=20)), terminal_size=size, run_before=waiting_for())


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_main_screen_after_training(snap_compare, size):
    keys = ("space", "tab", "tab", "right", "right")
    assert snap_compare(make_app(TrainConfig(epochs=20)), terminal_size=size, run_before=waiting_for(*keys))


def test_a_refused_architecture_edit(snap_compare):
    assert snap_compare(make_app(TrainConfig(epochs=20)), run_before=waiting_for("0", "enter"))
