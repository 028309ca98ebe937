"""The loss and accuracy plots: a log scale for loss, round tick labels, the key outside."""

import math
from contextlib import asynccontextmanager

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.text import Text

from nnplay.core.config import TrainConfig
from nnplay.tui.app import make_app
from nnplay.tui.status import loss_text
from nnplay.tui.widgets.controls import TrainingControls
from nnplay.tui.widgets.loss_plot import MetricPlot, epoch_ticks, linear_ticks, log_ticks
from tests.tui.helpers import settle

positive = st.floats(1e-12, 1e12)


@asynccontextmanager
async def after_a_run(epochs: int, layers: tuple[int, ...] = (64, 16, 10)):
    """The app at 80x24 once a network (a small one unless ``layers``) has trained ``epochs``
    epochs, and its loss plot."""
    app = make_app(TrainConfig(layers=layers, epochs=epochs))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        plot = app.query_one("#loss-plot", MetricPlot)
        await pilot.press("space")
        await settle(app, pilot)
        yield app, pilot, plot


@given(positive, positive, st.integers(2, 12))
def test_log_ticks_lie_in_the_range_in_order_and_no_more_than_asked(a, b, most):
    low, high = min(a, b), max(a, b)
    ticks = log_ticks(low, high, most)
    assert ticks == sorted(ticks) and len(set(ticks)) == len(ticks)
    assert 1 <= len(ticks) <= most
    assert all(low <= t <= high for t in ticks)


@given(positive, st.integers(2, 12))
def test_log_ticks_mark_every_power_of_ten_when_there_is_room(low, most):
    high = low * 1000  # three decades: three or four powers of ten inside
    ticks = log_ticks(low, high, most)
    powers = [10.0**p for p in range(-13, 16) if low <= 10.0**p <= high]
    if len(powers) <= most:
        assert all(any(math.isclose(t, p) for t in ticks) for p in powers)


def test_log_ticks_for_a_run_of_the_seed_experiment_are_the_round_values():
    assert log_ticks(0.076, 2.27, 5) == pytest.approx([0.1, 0.2, 0.5, 1, 2])
    assert log_ticks(0.076, 2.27, 8) == pytest.approx([0.1, 0.2, 0.3, 0.5, 1, 2])
    assert log_ticks(0.076, 2.27, 3) == pytest.approx([0.1, 0.3, 1])
    assert log_ticks(0.075, 0.08, 5) == [0.075, 0.08]  # no round value inside: the ends


@given(st.floats(-1e6, 1e6), st.floats(1e-6, 1e6), st.integers(2, 12))
def test_linear_ticks_are_evenly_spaced_in_the_range(low, width, most):
    high = low + width
    ticks = linear_ticks(low, high, most)
    assert 1 <= len(ticks) <= max(most, 2)
    assert all(low - 1e-9 * width <= t <= high + 1e-9 * width for t in ticks)
    steps = np.diff(ticks)
    assert np.allclose(steps, steps[0] if len(steps) else 0, rtol=1e-6, atol=1e-9 * max(1.0, abs(high)))


def test_linear_ticks_for_accuracy_are_round_percentages():
    assert linear_ticks(27.8, 95.5, 5) == pytest.approx([40, 60, 80])
    assert linear_ticks(27.8, 95.5, 9) == pytest.approx([30, 40, 50, 60, 70, 80, 90])
    assert linear_ticks(0, 100, 5) == pytest.approx([0, 25, 50, 75, 100])


async def test_after_training_loss_is_drawn_on_a_log_scale_with_its_key_in_the_border():
    app = make_app(TrainConfig(layers=(64, 16, 10), epochs=4))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        plot = app.query_one("#loss-plot", MetricPlot)
        assert plot.border_title == "Loss" and "press space" in str(plot.render())
        await pilot.press("space")
        await settle(app, pilot)
        assert plot.border_title == "Loss (log scale)"
        assert "train" in str(plot.border_subtitle) and "test" in str(plot.border_subtitle)
        drawn = str(plot.render())
        assert str(plot.render()) == drawn  # drawing again draws the same (plotext's own log scale did not)
        assert "train" not in drawn  # no key inside, over the first epochs
        history = app.session.history()
        losses = np.concatenate([history.loss, history.test_loss])
        labels = [f"{t:.3g}" for t in log_ticks(losses.min(), losses.max(), 99)]
        assert any(f"{label}┤" in drawn for label in labels)  # a round value marks the axis
        await pilot.press("p")
        assert plot.border_title == "Accuracy % (log error scale)"
        assert "train" not in str(plot.render())


async def test_a_label_counts_as_cut_just_when_the_border_cuts_the_accuracy_title():
    app = make_app(TrainConfig(layers=(64, 16, 10)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        plot = app.query_one("#loss-plot", MetricPlot)
        room = plot.outer_size.width - len("╭─ Accuracy % vs before:  ─╮")  # 12 at 80x24
        plot.compare(None, "x" * room)
        assert not plot.label_cut
        plot.compare(None, "x" * (room + 1))
        assert plot.label_cut


async def test_a_new_architecture_names_the_whole_label_when_a_title_would_cut_it():
    async with after_a_run(epochs=2) as (app, pilot, plot):
        await pilot.press("a", "enter")  # another hidden layer of 16
        await settle(app, pilot)
        assert app.session.config.layers == (64, 16, 16, 10)
        assert plot.border_title == "Loss vs before: 64→16→10"  # whole: no notice needed
        assert not any("grey" in n.message for n in app._notifications)
        await pilot.press("space")
        await settle(app, pilot)
        await pilot.press("tab", "down", "enter", "ctrl+u", *"0.1", "enter", "shift+tab", "x", "enter")
        await settle(app, pilot)
        assert app.session.config.layers == (64, 16, 10) and app.session.config.lr == 0.1
        label = plot.earlier_label
        assert label == "lr 0.01, 64→16→16→10" and plot.label_cut  # "Accuracy % vs before: lr 0.0…"
        notices = [n.message for n in app._notifications]
        assert f"A new 64→16→10 network; grey: the run before ({label})." in notices


async def test_after_r_the_run_before_stays_on_the_plots_labelled_by_what_changed():
    async with after_a_run(epochs=3) as (app, pilot, plot):
        alone = str(plot.render())
        assert "before" not in str(plot.border_subtitle) and "-" not in alone.split("┤", 1)[1]
        for key in ("tab", "right", "right", "r"):  # adam, then a fresh network
            await pilot.press(key)
        await settle(app, pilot)
        assert app.session.config.optimizer == "adam"
        # nothing over the plot of the new run: the title holds the whole label (a notice
        # says it only where a title cuts it), and the Training pane says what r did
        assert not app._notifications
        assert app.query_one(TrainingControls).message.startswith("Your unsaved network (3 epochs trained)")
        assert "press space" in str(plot.render()) and "-" in str(plot.render())  # sgd's curve
        # what the earlier run was, in the title: the key in the bottom border has no room
        assert plot.border_title == "Loss vs before: sgd"
        assert str(plot.border_subtitle).endswith("before") and "train" not in str(plot.border_subtitle)
        await pilot.press("space")
        await settle(app, pilot)
        # and sgd's figure at this run's epoch, to read against adam's: near the end the grey
        # line hides behind the dots
        sgd, _ = app.session.earlier()
        assert sgd is not None and list(sgd.epoch) == [1, 2, 3]
        key = Text.from_markup(str(plot.border_subtitle)).plain
        assert "train" in key and key.endswith(f"before {loss_text(sgd.test_loss[2])}")
        assert plot.border_title == "Loss vs before: sgd"
        await pilot.press("p")
        assert plot.border_title == "Accuracy % vs before: sgd"  # accuracy compares too
        key = Text.from_markup(str(plot.border_subtitle)).plain
        assert key.endswith(f"before {sgd.test_acc[2] * 100:.1f}%")
        assert len(key) <= plot.outer_size.width - 6  # whole in the border at 80x24


async def test_the_key_with_the_run_befores_figure_fits_the_narrower_plots_side_by_side():
    app = make_app(TrainConfig(layers=(64, 16, 10), epochs=3))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("space")
        await settle(app, pilot)
        await pilot.press("tab", "right", "right", "r", "space")  # adam after sgd
        await settle(app, pilot)
        for plot in app.query(MetricPlot):
            key = Text.from_markup(str(plot.border_subtitle)).plain
            assert "train" in key and "before " in key  # with its figure
            assert cell_len(key) <= plot.outer_size.width - 6  # not cut to "- before 0.2…" (label_cut)


async def test_the_run_befores_figure_is_taken_at_this_runs_latest_epoch():
    async with after_a_run(epochs=4) as (app, pilot, plot):
        await pilot.press("tab", "down", "down", "enter", "ctrl+u", *"1024", "enter", "r")
        await settle(app, pilot)
        await pilot.press("s")  # a step of two: no epoch of this run yet, no figure to compare
        await settle(app, pilot)
        key = Text.from_markup(str(plot.border_subtitle)).plain
        assert key.endswith("before")
        await pilot.press("s", "s", "s")  # two epochs of the four
        await settle(app, pilot)
        earlier, _ = app.session.earlier()
        assert app.session.counts().epoch == 2 and earlier is not None
        key = Text.from_markup(str(plot.border_subtitle)).plain
        assert key.endswith(f"before {loss_text(earlier.test_loss[1])}")  # its epoch 2, not 4


async def test_the_run_befores_figure_is_at_this_runs_epoch_where_its_curve_is_drawn_thinned(monkeypatch):
    # A long run before is drawn thinned (every 2.5th epoch of 400 at 160 points): the key took
    # the figure of the last epoch drawn at or before this run's, epoch 1's at epoch 2, and the
    # same settings from the same seed read as a different curve.
    monkeypatch.setattr("nnplay.tui.panes.MAX_POINTS", 4)  # 8 epochs drawn as 1, 3, 6 and 8
    async with after_a_run(epochs=8) as (app, pilot, plot):
        await pilot.press("tab", "down", "down", "enter", "ctrl+u", *"1024", "enter", "r")
        await settle(app, pilot)
        await pilot.press("s", "s", "s", "s")  # two epochs, of two steps each
        await settle(app, pilot)
        earlier, _ = app.session.earlier()
        assert app.session.counts().epoch == 2 and earlier is not None
        assert list(plot.earlier.epoch) == [1, 3, 6, 8]
        at_2, at_1 = loss_text(earlier.test_loss[1]), loss_text(earlier.test_loss[0])
        assert at_2 != at_1
        assert Text.from_markup(str(plot.border_subtitle)).plain.endswith(f"before {at_2}")


async def test_past_the_run_befores_last_epoch_its_figure_is_not_given_as_if_at_this_ones():
    # 10 epochs, then the same settings for 50 from the same seed: at epoch 50 the key said
    # "before 0.6431", its epoch 10's, against this run's 0.1575 at 50, where "same settings"
    # had promised the same curve
    async with after_a_run(epochs=2) as (app, pilot, plot):
        await pilot.press("tab", "down", "down", "down", "enter", "ctrl+u", "4", "enter", "r", "space")
        await settle(app, pilot)
        assert app.session.counts().epoch == 4 and plot.border_title == "Loss vs before: same settings"
        key = Text.from_markup(str(plot.border_subtitle)).plain
        assert key.endswith("- before ended")
        await pilot.press("p")
        assert Text.from_markup(str(plot.border_subtitle)).plain.endswith("- before ended")


@pytest.mark.parametrize(
    "last,ticks",
    [(7, [1, 3, 5, 7]), (5, [1, 2, 3, 4, 5]), (9, [1, 3, 5, 7, 9]), (100, [1, 25, 50, 75, 100])],
)
def test_epoch_ticks_are_evenly_spaced_over_a_few_epochs(last, ticks):
    # 7 epochs were labelled 1 2 4 5 7: 3 and 6 missing, as if the plot had skipped them.
    assert epoch_ticks(1, last) == ticks


async def test_a_network_given_no_epochs_to_train_is_not_told_to_press_space():
    # nnplay --epochs 0 (as a teacher hands out a fresh network): the status says finished and
    # space only says that epochs is reached, so the plot must not invite space either
    app = make_app(TrainConfig(layers=(64, 16, 10), epochs=0))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("space")
        await settle(app, pilot)
        assert app.state == "finished"
        for plot in app.query(MetricPlot):
            assert "space" not in plot.placeholder and "epochs" in plot.placeholder


def test_on_the_scale_of_errors_each_step_up_is_a_tenth_of_the_errors_left():
    from nnplay.tui.widgets.loss_plot import error_scale

    train, test = np.array([0.0, 90.0, 99.0]), np.array([40.0, 90.0, 97.0])
    (train_at, test_at), (positions, labels) = error_scale([train, test], 5)
    np.testing.assert_allclose(np.diff(train_at), [1, 1])  # 0 to 90 is as far as 90 to 99
    assert test_at[-1] < train_at[-1]  # higher is better, as on a linear scale
    assert dict(zip(labels, positions, strict=True))["90"] == train_at[1]  # a tick marks 90 where it is
    # 100% has no error to take the log of: drawn above the rest, with a tick of its own
    (perfect, test_at), (positions, labels) = error_scale([np.array([90.0, 100.0]), test], 5)
    assert np.isfinite(perfect).all() and perfect[-1] > max(test_at)  # above 97%
    assert labels[-1] == "100" and positions[-1] == perfect[-1]


async def test_the_training_accuracy_is_not_hidden_under_the_test_dots_at_80x24():
    # 64,128,64,10 for 30 epochs ends at 95.5% and 93.3%: on a linear scale both lay in the
    # top row, and the test dots, drawn last, covered every cell of the training curve there
    app = make_app(TrainConfig(epochs=30))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("space")
        await settle(app, pilot)
        await pilot.press("p")
        plot = app.query_one("#loss-plot", MetricPlot)
        rows = str(plot.render()).splitlines()
        last = [row.rstrip("│ ")[-1] for row in rows if "│" in row or "┤" in row]
        braille = [c for c in last if "\u2800" <= c <= "\u28ff"]
        assert "•" in last and braille  # the last epoch of each curve, in its own row


def canvas(drawn: str) -> list[str]:
    """The rows of a drawn plot inside its frame."""
    rows = drawn.splitlines()
    top = next(row for row in rows if "┌" in row)
    left, right = top.index("┌") + 1, top.index("┐")
    return [row[left:right] for row in rows if len(row) >= right and row[left - 1] in "│┤"]


def hidden_columns(drawn: str) -> list[int]:
    """The canvas columns of a drawn plot that show no braille, the training curve's marker."""
    rows = canvas(drawn)
    return [c for c in range(len(rows[0])) if not any("\u2800" <= row[c] <= "\u28ff" for row in rows)]


@pytest.mark.parametrize("metric", ["loss", "accuracy"])
async def test_the_test_dots_never_hide_the_training_curve_for_two_columns_at_80x24(metric):
    # The seed experiment's network: at 80x24 its training and test loss share rows for the
    # first 50 of 100 epochs, and a line of test dots, drawn last, hid the training curve there.
    async with after_a_run(60, TrainConfig().layers) as (app, pilot, plot):
        if metric == "accuracy":
            await pilot.press("p")
        drawn = str(plot.render())
        assert "•" in drawn
        gaps = hidden_columns(drawn)
        assert not any(b == a + 1 for a, b in zip(gaps, gaps[1:], strict=False)), drawn


@given(
    st.lists(
        st.tuples(st.integers(1, 5000), st.booleans()), min_size=1, max_size=200, unique_by=lambda t: t[0]
    ),
    st.integers(10, 200),
)
def test_test_dots_over_a_curve_drawn_before_lie_apart_and_the_rest_and_the_latest_stay(points, columns):
    from nnplay.tui.widgets.loss_plot import DOT_GAP, spread

    points.sort()
    x, shared = np.array([e for e, _ in points], dtype=float), np.array([s for _, s in points])
    keep = spread(x, shared, x[0], x[-1], columns)
    assert keep[-1] == len(x) - 1  # the status's figure
    assert set(np.flatnonzero(~shared)) <= set(keep)  # off the curves drawn before, every one
    if x[-1] > x[0]:
        on_row = x[[i for i in keep if shared[i]]]
        assert (np.diff(on_row) >= DOT_GAP * (x[-1] - x[0]) / (columns - 1) - 1e-9).all()


async def test_a_single_epoch_is_drawn_with_its_test_dot():
    # one epoch: the axis spans one value, and placing the dots must not divide by its width
    async with after_a_run(1) as (app, pilot, plot):
        assert app.session.counts().epoch == 1
        assert "•" in str(plot.render())


async def test_the_run_befores_grey_line_shows_between_the_test_dots_where_they_meet():
    # Adam against the SGD run before it, at 80x24: both runs' test loss lie in one row over
    # the second half, and a line of test dots hid the grey one there, the race's end unseen
    async with after_a_run(50, TrainConfig().layers) as (app, pilot, plot):
        await pilot.press("tab", "right", "right", "r")  # adam
        await settle(app, pilot)
        await pilot.press("space")
        await settle(app, pilot)
        assert plot.border_title == "Loss vs before: sgd"
        drawn = str(plot.render())
        rows = canvas(drawn)
        assert any("-" in row[len(row) // 2 :] for row in rows), drawn  # in the race's second half


@given(
    st.lists(st.floats(0, 99.99), min_size=1, max_size=50),
    st.lists(st.floats(0, 99.99), min_size=1, max_size=50),
    st.integers(2, 40),
)
@example([99.0], [99.0], 3)  # all alike: plotext draws them halfway up, and the top row is empty
def test_the_best_accuracys_row_on_the_error_scale_always_has_a_label_that_lies_in_it(train, test, rows):
    from plotext import _utility as ut

    from nnplay.tui.widgets.loss_plot import error_scale

    heights, (positions, labels) = error_scale([np.array(train), np.array(test)], max(2, rows * 2 // 3), rows)
    lim = ut.get_lim(np.concatenate(heights).tolist())
    (best_row,) = ut.get_matrix_data([max(h.max() for h in heights)], lim, rows)
    at_best = [
        label
        for label, row in zip(labels, ut.get_matrix_data(positions, lim, rows), strict=True)
        if row == best_row
    ]
    assert at_best, (positions, labels)
    best = max(max(train), max(test))
    assert all(float(label) <= best + 1e-3 for label in at_best)  # no more than the curves reach (:g rounds)
    assert len(set(zip(positions, labels, strict=True))) == len(labels)  # no tick written twice


async def test_the_seed_experiments_accuracy_plot_names_its_top_row_at_80x24():
    # 100 epochs from the seed end at 98.3% training accuracy: its row, the top, had no label
    # over 97's, and whether the curve reached 98, 99 or 100 was a guess
    async with after_a_run(100, TrainConfig().layers) as (app, pilot, plot):
        await pilot.press("p")
        rows = str(plot.render()).splitlines()
        top = next(i for i, row in enumerate(rows) if "┌" in row) + 1
        label = rows[top].split("┤")[0].strip() if "┤" in rows[top] else ""
        assert label, "\n".join(rows)
        best = 100 * float(app.session.history().train_acc.max())
        below = [float(row.split("┤")[0]) for row in rows[top + 1 :] if "┤" in row]
        assert max(below) < float(label) <= best
