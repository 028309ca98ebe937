"""What the app's tests share."""

from textual.worker import WorkerCancelled

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
