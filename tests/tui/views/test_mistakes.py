"""The Mistakes view: its matrix is the core's, its gallery the surest mistakes, its keys work."""

import re

import numpy as np
import pytest

from nnplay.core.config import TrainConfig
from nnplay.core.metrics import confusion_matrix
from nnplay.tui.app import make_app
from nnplay.tui.views.mistakes import ConfusionMatrix, MistakeGallery, MistakesView, confidence
from tests.tui.helpers import settle

SMALL = TrainConfig(layers=(64, 16, 10), epochs=3)


async def open_view(app, pilot, results: list) -> MistakesView:
    view = MistakesView(app.session)
    await app.push_screen(view, callback=results.append)
    await pilot.pause()
    return view


def shown_matrix(view: MistakesView) -> np.ndarray:
    """The counts as drawn: each row's cells between the row label and │, · read as 0."""
    lines = view.query_one(ConfusionMatrix).render().plain.splitlines()
    rows = [line for line in lines if re.match(r"\s+\d+ ", line) and "│" in line]
    cells = [re.findall(r"\[?(\d+|·)\]?", row[6 : row.index("│")]) for row in rows]
    return np.array([[0 if c == "·" else int(c) for c in row] for row in cells])


def reference(app):
    """Classes, guesses and confidences for the test set, from a snapshot of the network."""
    X, Y = app.session.arrays("test")
    probs = app.session.snapshot().predict(X)
    return Y.argmax(axis=1), probs.argmax(axis=1), probs.max(axis=1)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_the_matrix_is_the_core_one_and_the_gallery_starts_with_the_surest_mistake(size):
    app = make_app(SMALL)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await pilot.press("space")
        await settle(app, pilot)
        view = await open_view(app, pilot, [])
        y_true, y_pred, confidence = reference(app)
        shown = shown_matrix(view)
        np.testing.assert_array_equal(shown, confusion_matrix(y_true, y_pred, 10))
        assert shown.sum() == 360
        accuracy = np.trace(shown) / 360
        assert f"accuracy {accuracy:.1%} ({np.trace(shown)}/360)" in str(
            view.query_one(ConfusionMatrix).border_title
        )
        wrong = np.flatnonzero(y_true != y_pred)
        surest = wrong[np.argmax(confidence[wrong])]
        gallery = view.query_one(MistakeGallery)
        first = gallery.mistakes[0]
        assert (first.index, first.true, first.predicted) == (surest, y_true[surest], y_pred[surest])
        assert len(gallery.mistakes) == len(wrong)
        drawn = gallery.render().plain
        assert f"▶true {first.true}  guess {first.predicted}" in drawn
        assert f"P({first.predicted}) = {confidence[surest]:.1%}" in drawn


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_keys_move_and_page_through_the_gallery(size):
    app = make_app(SMALL)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)  # untrained: hundreds of mistakes, many pages
        view = await open_view(app, pilot, [])
        gallery = view.query_one(MistakeGallery)
        columns, rows = gallery.grid
        per_page = columns * rows
        assert (columns, rows) == ((1, 2) if size == (80, 24) else (2, 3))
        assert len(gallery.mistakes) > 3 * per_page
        await pilot.press("right")
        assert gallery.cursor == 1
        await pilot.press("left", "left")
        assert gallery.cursor == 0  # stops at the first
        await pilot.press("down")
        assert gallery.cursor == columns
        await pilot.press("pagedown", "pagedown")
        assert gallery.cursor == columns + 2 * per_page
        assert f" {2 * per_page + 1}-{3 * per_page}" in str(gallery.border_title)  # the third page
        selected = gallery.mistakes[gallery.cursor]
        assert f"▶true {selected.true}  guess {selected.predicted}" in gallery.render().plain
        await pilot.press("pageup")
        assert gallery.cursor == columns + per_page
        await pilot.press("end")
        assert gallery.cursor == len(gallery.mistakes) - 1
        await pilot.press("home")
        assert gallery.cursor == 0


async def test_enter_dismisses_with_the_chosen_mistake_and_esc_with_nothing():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        results: list = []
        view = await open_view(app, pilot, results)
        chosen = view.query_one(MistakeGallery).mistakes[1]
        await pilot.press("right", "enter")
        await pilot.pause()
        assert results == [("test", chosen.index)]
        assert app.screen is not view
        view = await open_view(app, pilot, results)
        await pilot.press("escape")
        await pilot.pause()
        assert results == [("test", chosen.index), None]
        assert app.screen is not view


async def test_it_follows_training_while_open_and_t_switches_to_the_training_set():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        view = await open_view(app, pilot, [])
        before = shown_matrix(view)
        await pilot.press("space")  # the app's key still trains under the view
        await settle(app, pilot)
        assert app.session.counts().epoch == 3
        y_true, y_pred, _ = reference(app)
        after = shown_matrix(view)
        np.testing.assert_array_equal(after, confusion_matrix(y_true, y_pred, 10))
        assert not np.array_equal(before, after)
        await pilot.press("t")
        X, Y = app.session.arrays("train")
        guess = app.session.snapshot().predict(X).argmax(axis=1)
        np.testing.assert_array_equal(shown_matrix(view), confusion_matrix(Y.argmax(axis=1), guess, 10))
        assert "training set" in str(view.query_one(ConfusionMatrix).border_title)


async def test_a_binary_set_gets_a_two_by_two_matrix_and_regression_says_there_are_no_classes():
    app = make_app(TrainConfig(dataset="moons", layers=(2, 8, 1), epochs=3))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        view = await open_view(app, pilot, [])
        X, Y = app.session.arrays("test")
        guess = (app.session.snapshot().predict(X)[:, 0] > 0.5).astype(int)
        shown = shown_matrix(view)
        np.testing.assert_array_equal(shown, confusion_matrix(Y[:, 0].astype(int), guess, 2))
        assert shown.sum() == len(X)
    app = make_app(TrainConfig(dataset="sine", layers=(1, 8, 1), epochs=3))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        results: list = []
        view = await open_view(app, pilot, results)
        assert "no classes" in view.query_one(ConfusionMatrix).render().plain
        await pilot.press("right", "pagedown", "enter")  # nothing to choose; nothing breaks
        assert app.screen is view and results == []


def test_a_wrong_guess_is_never_shown_as_certain():
    assert confidence(0.5) == "50.0%" and confidence(0.9994) == "99.9%"
    assert confidence(0.99996) == ">99.9%"  # which .1% would round to 100.0%


def test_the_key_line_fits_the_smallest_terminal():
    # At 76x22 (the smallest nnplay draws in) it lost its last word: "esc" without "back".
    from nnplay.tui.fit import SMALLEST
    from nnplay.tui.views.mistakes import SAMPLE_KEYS, hint

    for keys in (hint(), hint(SAMPLE_KEYS)):
        assert len(keys.plain) <= SMALLEST[0] - 2 and keys.plain.endswith("esc back")


async def test_the_key_line_offers_only_keys_that_do_something_here():
    # regression has no mistakes to move through, choose or switch the set of; and on a 2-D
    # set the pane enter opens shows the sample's numbers, not a digit
    from textual.widgets import Static

    app = make_app(TrainConfig(dataset="sine", layers=(1, 8, 1), epochs=3))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        view = await open_view(app, pilot, [])
        assert str(view.query_one("#mistakes-hint", Static).content).strip() == "esc back"
    app = make_app(TrainConfig(dataset="moons", layers=(2, 8, 1), epochs=3))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        view = await open_view(app, pilot, [])
        keys = str(view.query_one("#mistakes-hint", Static).content)
        assert "digit" not in keys and "enter to sample pane" in keys and "t test/train" in keys
