"""The layer inspector: live shapes, norms from the session, health from the core, hints."""

import io

import pytest
from rich.console import Console
from textual.widgets import Sparkline, Static

from nnplay.core.config import TrainConfig
from nnplay.core.health import layer_health
from nnplay.tui.app import NnplayApp, make_app
from nnplay.tui.views.inspector import InspectorView
from tests.tui.helpers import settle

SMALL = TrainConfig(layers=(64, 16, 10), epochs=3)


def shown(view: InspectorView, selector: str) -> str:
    """What a Static of the view shows, as plain text at its width."""
    widget = view.query_one(selector, Static)
    console = Console(width=max(widget.content_size.width, 20), file=io.StringIO(), record=True)
    console.print(widget.content)
    return console.export_text()


async def open_inspector(app: NnplayApp, pilot, train: bool = True) -> InspectorView:
    await settle(app, pilot)
    if train:
        await pilot.press("space")
        await settle(app, pilot)
    view = InspectorView(app.session)
    app.push_screen(view)
    await pilot.pause()
    await settle(app, pilot)
    return view


@pytest.fixture(params=[(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def size(request):
    return request.param


async def test_the_formulas_carry_the_live_shapes_and_follow_the_chosen_layer(size):
    app = make_app(SMALL)
    async with app.run_test(size=size) as pilot:
        view = await open_inspector(app, pilot, train=False)
        first = shown(view, "#inspector-formulas")
        assert "z1 = x @ W1 + b1" in first and "a1 = relu(z1)" in first
        assert "W1: (64, 16)" in first and "x: (32, 64)" in first and "z1: (32, 16)" in first
        assert "dW1 = x.T @ dz1" in first and "dz1 = da1 * [z1 > 0]" in first
        assert "dense_0, 64 → 16" in view.query_one("#inspector-body").border_title
        assert "in a saved file: W0, b0" in shown(view, "#inspector-formulas-heading")
        await pilot.press("right")
        assert "in a saved file: W1, b1" in shown(view, "#inspector-formulas-heading")
        second = shown(view, "#inspector-formulas")
        assert "W2: (16, 10)" in second and "dz2 = (p - y) / N" in second and "softmax" in second
        assert "(64, 16)" not in second
        await pilot.press("right")  # wraps round to the first layer
        assert "W1: (64, 16)" in shown(view, "#inspector-formulas")
        await pilot.press("end")  # the last layer: not the scroll area's own end, which scrolled
        assert view.chosen == 1 and "W2: (16, 10)" in shown(view, "#inspector-formulas")
        await pilot.press("home")
        assert view.chosen == 0 and "W1: (64, 16)" in shown(view, "#inspector-formulas")
        await pilot.press("escape")
        assert not isinstance(app.screen, InspectorView)


async def test_the_norms_shown_are_the_sessions():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_inspector(app, pilot)
        epochs, weights, grads = app.session.norm_history()
        assert list(epochs) == [1, 2, 3]
        for layer in (0, 1):
            assert view.query_one("#norm-weight-spark", Sparkline).data == list(weights[:, layer])
            assert view.query_one("#norm-grad-spark", Sparkline).data == list(grads[:, layer])
            assert shown(view, "#norm-weight-value").startswith(f"{weights[-1, layer]:.3g}")
            assert shown(view, "#norm-grad-value").startswith(f"{grads[-1, layer]:.3g}")
            assert f"‖W{layer + 1}, b{layer + 1}‖" in shown(view, "#norm-weight-label")
            await pilot.press("right")
        assert "(3 epochs;" in shown(view, "#inspector-norms-heading")


async def test_the_view_follows_training_run_from_inside_it():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_inspector(app, pilot, train=False)
        assert "none yet" in shown(view, "#inspector-norms-heading")
        await pilot.press("space")  # the app's key still trains
        await settle(app, pilot)
        assert app.session.counts().epoch == 3
        assert "(3 epochs;" in shown(view, "#inspector-norms-heading")
        assert view.inspection is not None and view.inspection.epoch == 3


async def test_a_dead_network_shows_the_cores_count_and_a_hint(size):
    app = make_app(SMALL)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        with app.session.lock:
            app.session.trainer.net.dense[0].b[...] = -100.0  # every first-layer unit below 0
        view = await open_inspector(app, pilot, train=False)
        X_train, _ = app.session.arrays("train")
        (health,) = layer_health(app.session.snapshot(), X_train)
        assert health.count == 16
        text = shown(view, "#inspector-health")
        assert f"{health.count} of {health.units} units (100%) dead" in text and "⚠" in text
        hints = shown(view, "#inspector-hints")
        assert "Many dead units" in hints and "learning rate" in hints and "leaky_relu" in hints
        assert "16/16 dead" in shown(view, "#inspector-layers")
        assert "⚠ 1 hint" in view.query_one("#inspector-body").border_subtitle


async def test_the_hint_count_says_below_only_while_the_hints_are_out_of_view():
    app = make_app(TrainConfig(epochs=3))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        with app.session.lock:
            app.session.trainer.net.dense[0].b[...] = -100.0  # layers 1 and 2 dead: two hints
        view = await open_inspector(app, pilot, train=False)
        body = view.query_one("#inspector-body")
        assert "⚠ 2 hints below" in body.border_subtitle  # at 80x24 they run off the bottom
        body.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert "⚠ 2 hints " in body.border_subtitle and "below" not in body.border_subtitle
        body.scroll_home(animate=False, immediate=True)
        await pilot.pause()
        assert "⚠ 2 hints below" in body.border_subtitle


async def test_a_healthy_layer_shows_the_cores_fraction():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_inspector(app, pilot)
        X_train, _ = app.session.arrays("train")  # a unit dead there gets no gradient at all
        (health,) = layer_health(app.session.snapshot(), X_train)
        assert shown(view, "#inspector-health-heading").startswith("Health on the 1,437 training samples")
        text = shown(view, "#inspector-health")
        assert f"{health.count:,} of {health.units:,} units ({health.fraction:.0%}) dead" in text
        assert "✓ Nothing looks wrong." in shown(view, "#inspector-hints")


def test_a_narrow_pane_wraps_shapes_between_them_never_inside_a_tuple():
    from nnplay.tui.views.inspector import Shapes

    shapes = "x: (32, 64)  W1: (64, 128)  b1: (128,)  z1: (32, 128)"
    console = Console(width=24, record=True)
    console.print(Shapes(shapes))
    lines = [line.strip() for line in console.export_text().splitlines() if line.strip()]
    assert len(lines) > 1  # it did wrap
    assert all(line.count("(") == line.count(")") for line in lines)  # each tuple whole on a line
    assert "  ".join(lines) == shapes  # nothing lost or reordered


async def test_a_long_run_shares_sparkline_columns_so_the_figures_fit():
    from nnplay.tui.views.inspector import SPARK_WIDTH

    app = make_app(TrainConfig(layers=(64, 8, 10), epochs=SPARK_WIDTH + 6))
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_inspector(app, pilot)
        spark = view.query_one("#norm-weight-spark", Sparkline)
        assert len(spark.data) == SPARK_WIDTH + 6 and spark.size.width == SPARK_WIDTH
        value = view.query_one("#norm-weight-value", Static)
        assert value.region.right <= view.size.width and ")" in shown(view, "#norm-weight-value")


async def test_a_norm_that_changes_a_few_per_cent_spans_its_sparklines_height():
    # Weight norms move a few per cent over a run: a sparkline scaled from 0 draws them as a
    # flat line (only ▇ and █). Textual's scales from the line's least value to its most, as
    # the heading says ("each line spans its own range"); this holds it to that.
    from textual.geometry import Region

    app = make_app(TrainConfig(layers=(64, 16, 10), epochs=8))
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_inspector(app, pilot)
        weights = app.session.norm_history()[1][:, 0]
        assert weights.max() / weights.min() < 1.2  # a change of a few per cent
        spark = view.query_one("#norm-weight-spark", Sparkline)
        drawn = "".join(s.text for strip in spark.render_lines(Region(0, 0, *spark.size)) for s in strip)
        assert {"▁", "█"} <= set(drawn)  # the least at the bottom, the most at the top
        assert "each line spans its own range" in shown(view, "#inspector-norms-heading")


async def test_a_network_with_no_hidden_layer_gets_a_whole_sentence_on_health():
    app = make_app(TrainConfig(layers=(64, 10), epochs=1))
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_inspector(app, pilot, train=False)
        text = " ".join(shown(view, "#inspector-health").split())
        # once: "...wrong;" and nothing; and not "no activation" under the title's "then softmax"
        assert "its softmax, paired with the loss, cannot saturate" in text
        assert text.endswith("the gradient p - y stays large while p is wrong.")


async def test_an_esc_that_arrives_with_the_i_that_opened_the_inspector_does_not_end_the_app():
    from textual import events

    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        for name, character in (("i", "i"), ("escape", "\x1b")):  # together, as a slow link sends them
            app.post_message(events.Key(name, character))
        await pilot.pause()
        await settle(app, pilot)  # the measurements land on a view already going: NoMatches
        await pilot.pause()
        assert app.screen is app.screen_stack[0] and app.is_running


async def test_a_norm_that_shrank_a_thousandfold_is_written_out_whole_at_80_columns(monkeypatch):
    """After 100 epochs of adam on moons the last gradient norm read '4.52e-05  (epoch 1:
    0.194,' and the growth was cut off by the pane's edge: the figures take the width they
    need and the sparkline what is left."""
    import numpy as np

    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        epochs = np.arange(1, 101)
        weights = np.full((100, 2), 16.8)
        grads = np.geomspace(0.194, 4.52e-05, 100)[:, None].repeat(2, axis=1)
        monkeypatch.setattr(app.session, "norm_history", lambda: (epochs, weights, grads))
        view = await open_inspector(app, pilot)
        value = view.query_one("#norm-grad-value", Static)
        text = shown(view, "#norm-grad-value")
        assert "×0.000233)" in text and len(text.strip().splitlines()) == 1
        assert value.content_size.width >= len(text.strip())  # all of it drawn, none cropped
        assert value.region.right <= view.query_one("#inspector-body").region.right
        spark = view.query_one("#norm-grad-spark", Sparkline)
        assert spark.size.width >= 10  # the line still there to read


async def test_a_vanishing_gradients_norms_are_shown_whole_at_80_columns():
    # a deep sigmoid network: the first layer's gradient norm is about 1e-7, written with an
    # exponent, and beside a full-width sparkline the figures no longer fit in one line
    config = TrainConfig(layers=(64, *[8] * 12, 10), activation=("sigmoid",))
    app = make_app(config)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_inspector(app, pilot)
        text = shown(view, "#norm-grad-value")
        assert "e-0" in text and "×" in text  # the long case this test is about
        value = view.query_one("#norm-grad-value", Static)
        assert value.region.right <= view.query_one("#inspector-body").region.right
        assert value.parent.size.height >= len(text.rstrip().splitlines())  # every line of it in view


async def test_a_network_of_one_layer_is_not_offered_keys_to_change_layer():
    app = make_app(TrainConfig(layers=(64, 10), epochs=1))
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_inspector(app, pilot, train=False)
        subtitle = str(view.query_one("#inspector-body").border_subtitle)
        assert "layer" not in subtitle and "esc back" in subtitle
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_inspector(app, pilot, train=False)
        assert "←→ layer" in str(view.query_one("#inspector-body").border_subtitle)


async def test_counts_are_grouped_as_the_summary_tables_and_shapes_are_not():
    app = make_app(TrainConfig(layers=(64, 1200, 10), batch_size=2000, epochs=1))
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_inspector(app, pilot, train=False)
        assert "for a batch of 1,437 " in shown(view, "#inspector-formulas-heading")  # was 1437
        assert shown(view, "#inspector-health-heading").startswith("Health on the 1,437 training samples")
        assert " of 1,200 units (" in shown(view, "#inspector-health")
        assert "/1,200 dead" in shown(view, "#inspector-layers")
        # a shape is written as NumPy prints it, and a size as --layers takes it
        assert "(1437, 1200)" in shown(view, "#inspector-formulas")
        assert "64 → 1200" in str(view.query_one("#inspector-body").border_title)
