"""What the app's tests share."""

import time

import pytest
from textual.worker import WorkerCancelled

from nnplay.core.config import TrainConfig
from nnplay.tui.app import NnplayApp


async def settle(app: NnplayApp, pilot) -> None:
    """Wait for loading or training to finish and its messages to land."""
    while True:
        try:
            await app.workers.wait_for_complete()
            break
        except WorkerCancelled:  # replaced by a newer worker: wait for that one
            continue
    await pilot.pause()


async def settle_steps(app: NnplayApp, pilot, most: int = 100) -> None:
    """settle() until every queued press of s has been taken: each run of queued steps
    starts only once the one before has stopped."""
    for _ in range(most):
        await settle(app, pilot)
        if not app._stepping:
            return
    raise AssertionError(f"steps still queued after {most} rounds")


SMALL = TrainConfig(layers=(64, 16, 10), epochs=3)
"""A network that trains its three epochs in a moment."""


async def type_into_dialog(pilot, path: str) -> None:
    """Replace the file dialog's text with ``path`` and press enter."""
    await pilot.press("ctrl+u", *path, "enter")


def wait_until(condition, what: str) -> None:
    """Poll until ``condition()`` (threads reaching a point); fail after a generous while."""
    deadline = time.monotonic() + 30
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.001)
