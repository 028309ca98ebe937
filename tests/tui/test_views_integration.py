"""Each inside-the-network view opens by its key and by its name in the palette."""

import pytest

from nnplay.core.config import TrainConfig
from nnplay.tui.app import make_app
from nnplay.tui.views import VIEWS
from nnplay.tui.views.base import View
from nnplay.tui.widgets.digit_viewer import DigitViewer
from nnplay.tui.widgets.help import KEYS
from tests.tui.helpers import settle, settle_steps

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
        viewer = app.query_one(DigitViewer)
        await pilot.press("t", "tab", "tab", "right", "right")  # training sample 3
        await pilot.press("c")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, View)
        assert viewer.has_focus and viewer.which == "test"
        assert int(viewer.probabilities.argmax()) != viewer.label  # it is a mistake
        chosen = viewer.index
        await pilot.press("t")
        assert (viewer.which, viewer.index) == ("train", 2)  # back to the sample left, not 1
        await pilot.press("t")
        assert (viewer.which, viewer.index) == ("test", chosen)


async def test_a_network_loaded_from_inside_a_view_is_the_one_it_shows(tmp_path):
    from nnplay.cli import main
    from nnplay.tui.views.draw import Canvas

    sine, digits = tmp_path / "sine.npz", tmp_path / "digits.npz"
    assert main(["train", "--dataset", "sine", "--epochs", "0", "--save", str(sine)]) == 0
    assert main(["train", "--layers", "64,8,10", "--epochs", "0", "--save", str(digits)]) == 0
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("d")
        await settle(app, pilot)
        view = app.screen
        canvas_side = view.query_one("#draw-left")  # the canvas and its status lines
        assert canvas_side.display and view.query_one(Canvas).display
        await pilot.press("ctrl+o", "ctrl+u", *str(sine), "enter")  # once: still drew the digits network
        await settle(app, pilot)
        assert app.screen is view and not canvas_side.display
        assert "digits" in str(view.query_one("#draw-note").render())
        await pilot.press("ctrl+o", "ctrl+u", *str(digits), "enter")
        await settle(app, pilot)
        assert canvas_side.display and view.net.spec.sizes == (64, 8, 10)


def view_says(view: View) -> str:
    """Every border title and subtitle of the view and the text of its Statics: where a view
    names the epoch it draws."""
    from textual.widgets import Static

    said = [str(w.border_title or "") + " " + str(w.border_subtitle or "") for w in view.query("*")]
    said += [str(w.render()) for w in view.query(Static)]
    return " ".join(said)


@pytest.mark.parametrize("name", list(VIEWS))
async def test_a_view_opened_partway_through_an_epoch_says_how_far_past_it_the_weights_are(name):
    """Paused 14 steps into epoch 5 (a class watching batch by batch), the status read
    'Epoch 4/100' and 'step 14/45' under epoch 4's figures, while the views drew the weights
    as they are now, 14 updates later, titled 'epoch 4': the confusion matrix's 75.6% beside
    the status's test 74.7%, and the weights changing under a title that did not."""
    key = VIEWS[name][0]
    moons = name == "boundary"
    config = TrainConfig(
        dataset="moons" if moons else "digits",
        layers=(2, 16, 1) if moons else (64, 16, 10),
        batch_size=128 if moons else 512,  # 4 steps an epoch (400 samples); 3 (1,437)
        epochs=2,
    )
    app = make_app(config)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press(*["s"] * ((4 if moons else 3) + 2))
        await settle_steps(app, pilot)
        assert app.session.counts().epoch == 1 and app.session.trainer.position[0] == 2
        await pilot.press(key)
        await settle(app, pilot)
        await pilot.pause()
        assert "epoch 1 + 2 steps" in view_says(app.screen)


@pytest.mark.parametrize("key", ["p", "t", "m", "M"])
async def test_a_main_screen_key_pressed_in_a_view_says_esc_first_and_changes_nothing_unseen(key):
    # in the inspector, m moved the hidden digit pane to the next mistake and p switched the
    # hidden plot, with nothing to show for it; on sine, m's notice about regression came up
    from nnplay.tui.widgets.loss_plot import MetricPlot

    app = make_app(SMALL)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(app, pilot)
        viewer, plot = app.query_one(DigitViewer), app.query_one("#loss-plot", MetricPlot)
        before = (viewer.which, viewer.index, plot.metric)
        await pilot.press("i")
        await settle(app, pilot)
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, View)
        assert (viewer.which, viewer.index, plot.metric) == before
        assert any("esc first" in n.message for n in app._notifications)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press(key)  # on the main screen it acts
        await pilot.pause()
        assert (viewer.which, viewer.index, plot.metric) != before
