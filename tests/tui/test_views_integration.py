"""Each inside-the-network view opens by its key and by its name in the palette."""

import pytest

from nnplay.core.config import TrainConfig
from nnplay.tui.app import VIEWS, make_app
from nnplay.tui.views.base import View
from nnplay.tui.widgets.digit_viewer import DigitViewer
from nnplay.tui.widgets.help import KEYS
from tests.tui.helpers import settle

SMALL = TrainConfig(layers=(64, 16, 10), epochs=3)


@pytest.mark.parametrize("name", list(VIEWS))
async def test_each_view_opens_by_its_key_and_esc_comes_back(name):
    key, title, path, _ = VIEWS[name]
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("space")
        await settle(app, pilot)
        await pilot.press(key)
        await settle(app, pilot)
        assert isinstance(app.screen, View) and type(app.screen).__name__ == path.split(".")[1]
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, View)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert title in titles
        assert f"`{key}`" in KEYS


async def test_a_mistake_chosen_in_the_confusion_view_opens_in_the_digit_viewer():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("c")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, View)
        viewer = app.query_one(DigitViewer)
        assert viewer.has_focus and viewer.which == "test"
        assert int(viewer.probabilities.argmax()) != viewer.label  # it is a mistake
