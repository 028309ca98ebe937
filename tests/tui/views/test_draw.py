"""The draw view: editing the canvas by keyboard, the live probabilities, samples and saliency."""

import numpy as np
import pytest

from nnplay.core.config import TrainConfig
from nnplay.core.saliency import saliency, scale_signed
from nnplay.tui.app import NnplayApp, make_app
from nnplay.tui.views.draw import CURSOR_STYLE, Canvas, DrawView, Probabilities
from nnplay.tui.views.weights import NEGATIVE, POSITIVE
from tests.tui.helpers import settle

SIZES = [(80, 24), (120, 40)]
SMALL = TrainConfig(layers=(64, 16, 10), epochs=3)


async def open_view(app: NnplayApp, pilot) -> DrawView:
    await settle(app, pilot)
    view = DrawView(app.session)
    await app.push_screen(view)
    await pilot.pause()
    return view


def expected_output(app: NnplayApp, canvas: np.ndarray) -> np.ndarray:
    """The reference: the live network's prediction for canvas / 16."""
    return app.session.snapshot(np.float64).predict(canvas.reshape(1, 64) / 16)[0]


@pytest.fixture(params=SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def size(request):
    return request.param


async def test_the_keys_move_paint_erase_and_clear(size):
    app = make_app(SMALL)
    async with app.run_test(size=size) as pilot:
        view = await open_view(app, pilot)
        assert not view.canvas.any() and view.cursor == (0, 0) and view.brush == 16
        await pilot.press("right", "down", "enter")
        assert view.cursor == (1, 1) and view.canvas[1, 1] == 16 and view.canvas.sum() == 16
        await pilot.press("minus", "minus", "minus", "minus", "right", "enter")
        assert view.brush == 12 and view.canvas[1, 2] == 12
        await pilot.press("x")
        assert view.canvas[1, 2] == 0 and view.canvas[1, 1] == 16
        await pilot.press("d", "right", "right", "d", "right")  # pen down paints as it moves
        assert view.canvas[1].tolist() == [0, 16, 12, 12, 12, 0, 0, 0]
        await pilot.press(*["plus"] * 10)
        assert view.brush == 16  # no brighter than the digits' 16
        await pilot.press("d", "up", "up", "left", "left", "left", "left", "left", "left", "d")
        assert view.cursor == (0, 0)  # stopped at both edges
        assert view.canvas[7].sum() == 0 and view.canvas[:, 7].sum() == 0  # no paint on the far side
        canvas = view.query_one(Canvas)
        np.testing.assert_array_equal(canvas.pixels, view.canvas)
        assert canvas.cursor == (0, 0)
        drawn = canvas.render()
        assert "[" in drawn.plain and any(CURSOR_STYLE in str(span.style) for span in drawn.spans)
        await pilot.press("c")
        assert not view.canvas.any()


async def test_the_probabilities_sum_to_one_and_follow_the_canvas(size):
    app = make_app(SMALL)
    async with app.run_test(size=size) as pilot:
        view = await open_view(app, pilot)
        blank = view.probabilities.copy()
        assert blank.shape == (10,) and blank.sum() == pytest.approx(1)
        np.testing.assert_allclose(blank, expected_output(app, view.canvas))
        await pilot.press("down", "right", "right", "enter")
        assert not np.allclose(view.probabilities, blank)
        assert view.probabilities.sum() == pytest.approx(1)
        np.testing.assert_allclose(view.probabilities, expected_output(app, view.canvas))
        bars = view.query_one(Probabilities)
        np.testing.assert_array_equal(bars.probabilities, view.probabilities)
        drawn = str(bars.render())
        guess = int(view.probabilities.argmax())
        assert view.guess == guess and f"›{guess}" in drawn
        assert f"{100 * view.probabilities[guess]:.1f}%" in drawn and drawn.count("%") == 10


async def test_l_n_and_shift_n_load_samples_at_the_digits_scale():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_view(app, pilot)
        await pilot.press("l")  # the sample the digit pane shows: test sample 1
        x, y = app.session.sample("test", 0)
        np.testing.assert_array_equal(view.canvas.reshape(-1), x * 16)
        assert view.canvas.max() <= 16 and f"a {int(y.argmax())}" in view.source
        np.testing.assert_allclose(view.probabilities, expected_output(app, view.canvas))
        await pilot.press("n")
        np.testing.assert_array_equal(view.canvas.reshape(-1), app.session.sample("test", 1)[0] * 16)
        assert view.source.startswith("test sample 2/360")
        await pilot.press("N", "N")
        np.testing.assert_array_equal(view.canvas.reshape(-1), app.session.sample("test", 359)[0] * 16)
        await pilot.press("enter")
        assert view.source.endswith("(edited)")


async def test_the_saliency_overlay_toggles_and_is_the_cores_saliency(size):
    app = make_app(SMALL)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await pilot.press("space")
        await settle(app, pilot)
        view = DrawView(app.session)
        await app.push_screen(view)
        await pilot.press("l")
        canvas = view.query_one(Canvas)
        assert canvas.overlay is None
        ink = canvas.render().plain
        await pilot.press("g")
        net = app.session.snapshot(np.float64, input_grad=True)
        x = view.canvas.reshape(-1) / 16
        expected = saliency(net, x)
        np.testing.assert_allclose(view.saliency_map, expected)
        assert view.explained == view.guess
        np.testing.assert_allclose(canvas.overlay, scale_signed(expected)[0].reshape(8, 8))
        drawn = canvas.render().plain
        assert drawn != ink
        assert any(g in drawn for g in POSITIVE) and any(g in drawn for g in NEGATIVE)
        other = (view.guess + 1) % 10
        await pilot.press(str(other))  # the saliency of another class
        assert view.explained == other
        np.testing.assert_allclose(view.saliency_map, saliency(net, x, other))
        assert "*" in str(view.query_one(Probabilities).render())
        await pilot.press(str(other))  # again: back to the guess
        assert view.explained == view.guess
        await pilot.press("g")
        assert canvas.overlay is None and canvas.render().plain == ink


async def test_training_from_inside_the_view_updates_the_probabilities():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_view(app, pilot)
        await pilot.press("l")
        before = view.probabilities.copy()
        await pilot.press("space")
        await settle(app, pilot)
        assert app.screen is view and app.session.counts().epoch == 3
        assert not np.allclose(view.probabilities, before)
        np.testing.assert_allclose(view.probabilities, expected_output(app, view.canvas))
        assert "epoch 3" in str(view.query_one("#draw-box").border_title)


async def test_esc_goes_back_and_the_live_network_is_untouched():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_view(app, pilot)
        params = app.session.trainer.net.params.copy()
        grads = app.session.trainer.net.grads.copy()
        await pilot.press("l", "g", "enter", "3")
        np.testing.assert_array_equal(app.session.trainer.net.params, params)
        np.testing.assert_array_equal(app.session.trainer.net.grads, grads)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not view and not isinstance(app.screen, DrawView)


async def test_a_data_set_without_pixels_is_told_so():
    app = make_app(TrainConfig(dataset="moons", layers=(2, 8, 1), epochs=1))
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_view(app, pilot)
        note = str(view.query_one("#draw-note").render())
        assert "for the digits data set" in note and "moons" in note
        assert not view.query_one("#draw-left").display  # the canvas with it
        box = view.query_one("#draw-box").content_region
        assert view.query_one("#draw-note").region.x == box.x  # the whole width, not the right half
        await pilot.press("enter", "l", "g")  # nothing to draw on, nothing breaks
        assert view.probabilities is None


async def test_at_the_smallest_size_the_keys_stay_whole_under_the_saliency_legend():
    # At 76x22 the saliency legend pushed the last row of keys, g (which turns it off), out.
    app = make_app(TrainConfig(layers=(64, 16, 10), epochs=1))
    async with app.run_test(size=(76, 22)) as pilot:
        view = await open_view(app, pilot)
        await pilot.press("l", "g")
        await pilot.pause()
        keys, box = view.query_one("#draw-keys").region, view.query_one("#draw-box").content_region
        assert keys.height == 5 and keys.bottom <= box.bottom


def _contrast(style) -> float:
    """How far apart a cell's glyph and ground are in brightness (luma, 0 to 255)."""

    def luma(c) -> float:
        r, g, b = c.get_truecolor()
        return 0.299 * r + 0.587 * g + 0.114 * b

    return abs(luma(style.color) - luma(style.bgcolor))


async def test_the_blank_dots_and_the_saliency_read_against_their_ground():
    # The dots of an empty canvas were grey 40 on 20, dimmed: the grid did not show. The
    # saliency's orange and blue sat on the ink's own grey, as bright as they are.
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_view(app, pilot)
        canvas = view.query_one(Canvas)
        dots = [s for s in canvas.render().render(app.console) if s.text.startswith("·")]
        assert dots and min(_contrast(s.style) for s in dots) > 60
        await pilot.press("l", "g")
        await settle(app, pilot)
        strongest = [s for s in canvas.render().render(app.console) if set(s.text) in ({"█"}, {"●"})]
        assert strongest and min(_contrast(s.style) for s in strongest) > 60


@pytest.mark.parametrize("size", [(76, 22), (80, 24)], ids=["76x22", "80x24"])
async def test_with_the_pen_down_the_status_lines_stay_unwrapped(size):
    """'brush 16/16  pen down: moves paint' was 34 columns under a 32-column canvas: 'paint'
    wrapped onto a line of its own, pushing the sample's line down."""
    app = make_app(SMALL)
    async with app.run_test(size=size) as pilot:
        view = await open_view(app, pilot)
        await pilot.press("d")
        await pilot.pause()
        assert view.pen
        status = view.query_one("#draw-status")
        assert status.region.height == 3  # cursor, brush and pen, where it came from


async def test_a_saliency_of_zero_everywhere_says_no_pixel_moves_the_probability():
    # 64,1,10 at seed 0: the one ReLU unit outputs 0 for the sample, so no gradient reaches the
    # pixels; the map was blank with "largest |∂p/∂x| 0" and no word why
    from textual.widgets import Static

    app = make_app(TrainConfig(layers=(64, 1, 10), epochs=1))
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_view(app, pilot)
        await pilot.press("l", "g")
        assert not np.any(view.saliency_map)
        note = " ".join(str(view.query_one("#draw-note", Static).content).split())
        assert "no pixel changes p0" in note
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_view(app, pilot)
        await pilot.press("l", "g")
        assert "no pixel" not in str(view.query_one("#draw-note", Static).content)
