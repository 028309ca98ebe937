"""A lesson's worth of use: what the app holds must not grow with it."""

import gc

import pytest
from textual.widgets._footer import FooterKey

from nnplay.core.config import TrainConfig
from nnplay.tui.app import make_app
from nnplay.tui.widgets.footer import KeyFooter
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


@pytest.mark.parametrize("shape", ["three fields", "a tuple"])
async def test_the_footer_still_draws_its_keys_if_textual_keeps_its_watchers_otherwise(shape):
    # KeyFooter prunes a store private to Textual. A patch release that changed its shape must
    # cost the pruning only: unpacking it raised at every redraw of the keys, every tab.
    from textual.widgets import Static

    app = make_app(TrainConfig(dataset="moons", layers=(2, 8, 1), epochs=5))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        footer = app.query_one(KeyFooter)
        gone = Static()
        await app.screen.mount(gone)
        await gone.remove()
        live = (app, print, "init") if shape == "three fields" else (app, print)
        watching = [(gone, print, "init"), live] if shape == "three fields" else ((gone, print), live)
        getattr(footer, "__watchers")["show_command_palette"] = watching  # a reactive that never changes
        await pilot.press("tab")  # the keys that apply change: the footer redraws them
        await pilot.pause()
        assert footer.query(FooterKey) and app.return_code is None
        assert live in getattr(footer, "__watchers")["show_command_palette"]
