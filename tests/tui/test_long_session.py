"""A lesson's worth of use: what the app holds must not grow with it."""

import gc

from textual.widgets._footer import FooterKey

from nnplay.core.config import TrainConfig
from nnplay.tui.app import make_app
from tests.tui.helpers import settle


def footer_keys_alive() -> int:
    gc.collect()
    return sum(isinstance(o, FooterKey) for o in gc.get_objects())


async def test_moving_about_does_not_pile_up_the_footers_old_keys():
    # Each tab, field opened and view closed redraws the footer's keys; the old ones stayed
    # in memory (Textual's data_bind watcher), a megabyte a view opened in the terminal.
    app = make_app(TrainConfig(dataset="moons", layers=(2, 8, 1), epochs=5))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)

        async def move_about() -> None:
            for key in ("tab", "tab", "enter", "escape", "b", "escape", "question_mark", "escape"):
                await pilot.press(key)
                await pilot.pause()
            await settle(app, pilot)

        await move_about()
        before = footer_keys_alive()
        for _ in range(5):
            await move_about()
        assert footer_keys_alive() == before
