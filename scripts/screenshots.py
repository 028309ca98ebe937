"""Regenerate the SVG screenshots in screenshots/, exported by the app itself.

    python scripts/screenshots.py

Each shot is the app at a terminal size after some keys, seeded so it is the
same every time.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nnplay.core.config import TrainConfig  # noqa: E402
from nnplay.tui.app import make_app  # noqa: E402
from nnplay.tui.views import VIEWS  # noqa: E402

OUT = ROOT / "screenshots"


async def shoot(
    name: str, size: tuple[int, int], keys: list[str], config: TrainConfig, quiet: bool = False
) -> None:
    """``quiet``: without the notifications the keys brought up."""
    # r keeps the run it replaces: not in yours, nor for the next shot to say it waits
    os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp()
    app = make_app(config)
    async with app.run_test(size=size) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await app.workers.wait_for_complete()
            await pilot.pause()
        if quiet:
            app.clear_notifications()
            await pilot.pause()
        app.save_screenshot(str(OUT / f"{name}.svg"))
    print(f"screenshots/{name}.svg")


async def main() -> None:
    OUT.mkdir(exist_ok=True)
    config = TrainConfig(epochs=30)
    await shoot("start-80x24", (80, 24), [], config)
    await shoot("trained-80x24", (80, 24), ["space", "tab", "tab", "m"], config)
    await shoot("trained-120x40", (120, 40), ["space", "tab", "tab", "m"], config)
    await shoot("help-80x24", (80, 24), ["question_mark"], config)
    # sgd, then adam from the same seed: r keeps sgd's curve on the plots to compare with
    sgd_then_adam = ["space", "tab", "right", "right", "r", "space"]
    await shoot("compare-120x40", (120, 40), sgd_then_adam, config, quiet=True)
    moons = TrainConfig(dataset="moons", layers=(2, 128, 64, 1), optimizer="adam", lr=0.01, epochs=100)
    for name, (key, *_) in VIEWS.items():
        await shoot(f"{name}-80x24", (80, 24), ["space", key], moons if name == "boundary" else config)
    await shoot("draw-saliency-120x40", (120, 40), ["space", "d", "l", "g"], config)


if __name__ == "__main__":
    asyncio.run(main())
