"""What the app's tests share."""

from nnplay.tui.app import NnplayApp


async def settle(app: NnplayApp, pilot) -> None:
    """Wait for loading or training to finish and its messages to land."""
    await app.workers.wait_for_complete()
    await pilot.pause()
