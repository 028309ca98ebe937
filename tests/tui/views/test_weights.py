"""The first-layer weights view: tiles, paging, scaling, and redrawing as the network trains."""

import numpy as np
import pytest

from nnplay.core.config import TrainConfig
from nnplay.core.saliency import scale_signed
from nnplay.tui.app import NnplayApp, make_app
from nnplay.tui.views.weights import NEGATIVE, POSITIVE, TileGrid, WeightsView, plain, signed_glyphs
from tests.tui.helpers import settle

SIZES = [(80, 24), (120, 40)]
CONFIG = TrainConfig(layers=(64, 32, 10), epochs=3)  # 32 units: more than a page at either size


async def open_view(app: NnplayApp, pilot) -> WeightsView:
    await settle(app, pilot)
    view = WeightsView(app.session)
    await app.push_screen(view)
    await pilot.pause()
    return view


@pytest.fixture(params=SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def size(request):
    return request.param


def test_signed_glyphs_tell_the_sign_by_glyph_family_and_the_size_by_density():
    assert signed_glyphs(0.0) == signed_glyphs(0.1) == signed_glyphs(-0.1) == "  "
    assert [signed_glyphs(v)[0] for v in (0.25, 0.5, 0.75, 1.0)] == list(POSITIVE)
    assert [signed_glyphs(-v)[0] for v in (0.25, 0.5, 0.75, 1.0)] == list(NEGATIVE)
    assert not set(POSITIVE) & set(NEGATIVE)


async def test_the_page_shows_as_many_tiles_as_fit_and_pages_through_the_rest(size):
    app = make_app(CONFIG)
    async with app.run_test(size=size) as pilot:
        view = await open_view(app, pilot)
        grid = view.query_one(TileGrid)
        per_page = grid.per_page
        assert per_page == {(80, 24): 8, (120, 40): 24}[size]  # 2x4 tiles, or 4x6
        assert view.page_label == f"units 1-{per_page} of 32"
        assert view.page_label in str(grid.border_title)
        drawn = str(grid.render())
        assert drawn.count("unit ") == per_page
        assert f"unit {per_page} " in drawn and f"unit {per_page + 1} " not in drawn
        await pilot.press("right")
        assert view.page_label == f"units {per_page + 1}-{min(2 * per_page, 32)} of 32"
        assert f"unit {per_page + 1} " in str(grid.render())
        await pilot.press("end")
        pages = -(-32 // per_page)
        assert view.page_label == f"units {(pages - 1) * per_page + 1}-32 of 32"
        await pilot.press("right")  # past the last page: back to the first
        assert view.page_label == f"units 1-{per_page} of 32"
        await pilot.press("left")
        assert view.page_label.endswith("-32 of 32")
        await pilot.press("home")
        assert view.page_label.startswith("units 1-")


async def test_each_tile_is_its_units_column_of_w0_with_the_sign_in_the_glyphs():
    app = make_app(CONFIG)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_view(app, pilot)
        W0 = app.session.snapshot().dense[0].W  # (64, 32)
        np.testing.assert_array_equal(view.weights, W0.T)
        grid = view.query_one(TileGrid)
        np.testing.assert_allclose(grid.tiles, scale_signed(W0.T, axis=1)[0])
        lines = str(grid.render()).split("\n")
        assert lines[0].startswith("unit 1 ") and f"±{np.abs(W0[:, 0]).max():.2f}" in lines[0]
        for row in range(8):  # the first tile's pixel rows, 16 characters each
            expected = "".join(signed_glyphs(v) for v in grid.tiles[0, 8 * row : 8 * row + 8])
            assert lines[1 + row][:16] == expected
        assert any(g in "".join(lines) for g in NEGATIVE) and any(g in "".join(lines) for g in POSITIVE)


async def test_a_switches_between_one_scale_per_tile_and_one_for_all():
    app = make_app(CONFIG)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_view(app, pilot)
        grid = view.query_one(TileGrid)
        np.testing.assert_allclose(np.abs(grid.tiles).max(axis=1), 1)  # every tile at full strength
        before = str(grid.render())
        await pilot.press("a")
        assert not view.each_tile
        largest = np.abs(grid.tiles).max(axis=1)
        assert largest.max() == pytest.approx(1) and largest.min() < 1
        np.testing.assert_allclose(grid.tiles, scale_signed(view.weights)[0])
        assert str(grid.render()) != before
        shared = f"±{plain(np.abs(view.weights).max())}"  # the labels give each unit's own: say this one
        legend = str(view.query_one("#weights-legend").content)
        assert f"one scale for all: {shared}" in legend
        assert max(map(len, legend.splitlines())) <= 76 - 2  # one line each at the smallest size
        await pilot.press("a")
        assert view.each_tile and str(grid.render()) == before


async def test_the_tiles_follow_the_network_as_it_trains():
    app = make_app(CONFIG)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_view(app, pilot)
        grid = view.query_one(TileGrid)
        before_weights, before_drawing = view.weights.copy(), str(grid.render())
        assert "epoch 0" in str(grid.border_title)
        await pilot.press("space")  # the app's key still trains from inside the view
        await settle(app, pilot)
        assert app.session.counts().epoch == 3 and app.screen is view
        assert "epoch 3" in str(grid.border_title)
        np.testing.assert_array_equal(view.weights, app.session.snapshot().dense[0].W.T)
        assert not np.array_equal(view.weights, before_weights)
        assert str(grid.render()) != before_drawing


async def test_a_data_set_without_pixels_is_told_so_and_esc_goes_back():
    app = make_app(TrainConfig(dataset="moons", layers=(2, 8, 1), epochs=1))
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_view(app, pilot)
        grid = view.query_one(TileGrid)
        assert grid.units == 0 and view.weights is None
        drawn = str(grid.render())
        assert "for the digits data set" in drawn and "moons" in drawn and "2 numbers" in drawn
        await pilot.press("right")  # nothing to page, nothing breaks
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not view and not isinstance(app.screen, WeightsView)


async def test_with_no_hidden_layer_each_tile_is_named_for_the_digit_it_scores():
    # 64,10: the first layer is the output, and its unit 1 is the score of digit 0: a tile
    # called "unit 1" had a class read it as the template of a 1
    app = make_app(TrainConfig(layers=(64, 10), epochs=1))
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_view(app, pilot)
        grid = view.query_one(TileGrid)
        drawn = str(grid.render())
        assert "digit 0 " in drawn and "digit 7 " in drawn and "unit" not in drawn
        assert view.page_label == "digits 0-7 of 0-9" and view.page_label in str(grid.border_title)
        await pilot.press("right")
        assert view.page_label == "digits 8-9 of 0-9" and "digit 9 " in str(grid.render())


async def test_page_keys_are_offered_only_where_there_is_another_page():
    app = make_app(TrainConfig(layers=(64, 4, 10), epochs=1))  # 4 tiles: one page
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_view(app, pilot)
        grid = view.query_one(TileGrid)
        assert grid.pages == 1 and "page" not in str(grid.border_subtitle)
        assert "a scale" in str(grid.border_subtitle)
    app = make_app(CONFIG)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_view(app, pilot)
        assert "←→ page" in str(view.query_one(TileGrid).border_subtitle)


async def test_a_tile_of_weights_near_0_says_how_small_not_0_00():
    # l2 50 decays every weight to about 1e-14 in a few steps; each tile, scaled to its own
    # largest |w|, still showed a full pattern, under a label that said ±0.00
    app = make_app(TrainConfig(layers=(64, 4, 10), epochs=1))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        W = app.session.trainer.net.dense[0].W
        W *= 1e-13
        W[:, 3] = 0.0
        view = await open_view(app, pilot)
        labels = str(view.query_one(TileGrid).render()).split("\n")[0]
        assert "0.00" not in labels and "e-1" in labels  # as ±4e-14
        assert labels.split()[-1] == "±0"  # unit 4: no weight at all


def test_a_tiles_label_fits_its_tile_whatever_the_unit_and_size():
    from nnplay.tui.views.weights import TILE_WIDTH, tile_label

    for name in ("unit 1", "digit 0", "unit 49993"):
        for size in (0.0, 4.2e-14, 0.0042, 0.38, 12.5, 123.0, 1.5e5):
            label = tile_label(name, size)
            assert len(label) == TILE_WIDTH and " " in label.strip()  # name, a space, the size
            assert label.split()[-1].startswith("±")
    assert tile_label("unit 1", 0.38).split() == ["unit", "1", "±0.38"]
    assert tile_label("unit 1", 4.2e-14).split()[-1] == "±4e-14"
