"""The Digit pane (moving, test/train, mistakes) and switching data sets with D."""

import re

import numpy as np
import pytest

from nnplay.core.config import TrainConfig
from nnplay.tui.app import make_app
from nnplay.tui.widgets.architecture import ArchitectureEditor
from nnplay.tui.widgets.digit_viewer import DigitViewer
from tests.tui.helpers import SMALL, settle


async def test_digit_viewer_moves_switches_and_finds_mistakes(size):
    app = make_app(SMALL)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        viewer = app.query_one(DigitViewer)
        await pilot.press("tab", "tab")
        assert viewer.has_focus
        assert viewer.which == "test" and viewer.index == 0 and viewer.count == 360
        assert viewer.probabilities is not None
        assert viewer.probabilities.shape == (10,)
        assert viewer.probabilities.sum() == pytest.approx(1, abs=1e-5)
        await pilot.press("right", "right", "left")
        assert viewer.index == 1
        await pilot.press("left", "left")
        assert viewer.index == 359  # wraps
        await pilot.press("t")
        assert viewer.which == "train" and viewer.count == 1437 and viewer.index == 0
        await pilot.press("t")
        assert viewer.which == "test" and viewer.index == 359  # back where it was, not at 1
        await pilot.press("t")
        await pilot.press("m")
        guess = int(viewer.probabilities.argmax())
        assert guess != viewer.label  # an untrained network gets plenty wrong
        assert "%" in str(viewer.render())


async def test_the_digit_probabilities_change_as_the_network_learns():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        viewer = app.query_one(DigitViewer)
        before = viewer.probabilities.copy()
        await pilot.press("space")
        await settle(app, pilot)
        after = viewer.probabilities
        assert not np.allclose(before, after)
        assert after.sum() == pytest.approx(1, abs=1e-5)
        assert after[viewer.label] > before[viewer.label]


async def test_t_and_m_reach_the_digit_pane_from_any_pane():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.focused is app.query_one(ArchitectureEditor)
        viewer = app.query_one(DigitViewer)
        await pilot.press("t")
        assert viewer.which == "train"
        await pilot.press("m")  # an untrained network gets most digits wrong
        await pilot.pause()
        assert viewer.index > 0
        await pilot.press("i")  # under a view they are the view's, not the hidden pane's
        await pilot.pause()
        await pilot.press("t")
        assert viewer.which == "train"


async def test_a_2d_sample_shows_its_class_and_the_networks_guess_and_m_finds_a_wrong_one():
    app = make_app(TrainConfig(dataset="moons", layers=(2, 8, 1), epochs=1))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        viewer = app.query_one(DigitViewer)
        text = str(viewer.render())
        assert "class " in text and "P(class 1) = " in text and "guess " in text
        assert viewer.border_title.endswith("· moons")  # the data set is named on screen
        await pilot.press("m")
        await settle(app, pilot)
        assert "✗ wrong" in str(viewer.render())  # an untrained network gets some wrong


async def test_m_on_a_regression_says_there_are_no_mistakes_to_find():
    app = make_app(TrainConfig(dataset="sine", layers=(1, 8, 1), epochs=1))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("m")
        await pilot.pause()
        notes = [n.message for n in app._notifications]
        assert any("is regression" in n for n in notes)  # once: "gets every test sample right"
        assert not any("gets every" in n for n in notes)
        assert "off by" in str(app.query_one(DigitViewer).render())


async def test_a_switch_with_nothing_to_keep_is_said_in_the_training_pane_not_over_the_plot():
    from nnplay.tui.widgets.controls import TrainingControls

    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("D", "down", "enter")  # moons; an untrained network: nothing to keep
        await settle(app, pilot)
        assert app.session.config.dataset == "moons"
        note = app.query_one(TrainingControls).message
        assert note == "Training on moons now: a fresh 2→16→1 network."
        assert not app._notifications  # a notice covered the Loss pane for 5 s


async def test_d_trains_on_another_data_set_keeping_the_hidden_layers_and_the_work():
    from nnplay.tui.keep import kept_files
    from nnplay.tui.widgets.dataset_chooser import DatasetChooser

    app = make_app(TrainConfig(layers=(64, 16, 10), activation=("tanh",), lr=0.1, epochs=2))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("space")
        await settle(app, pilot)
        await pilot.press("D", "down")
        assert isinstance(app.screen, DatasetChooser)
        prompts = [str(o.prompt) for o in app.screen.query_one("#datasets").options]
        assert prompts[0].endswith("(now)") and prompts[0].startswith("  ")  # digits, not the cursor
        assert prompts[1].startswith("▶ moons")  # the cursor, shown without colour too
        await pilot.press("escape")  # changes nothing
        assert app.session.config.dataset == "digits" and app.session.counts().epoch == 2
        app.query_one(DigitViewer).index = 340  # a digit past moons' last sample
        await pilot.press("D", "down", "enter")  # moons, the next after digits
        await settle(app, pilot)
        config = app.session.config
        assert config.dataset == "moons" and config.layers == (2, 16, 1)
        assert config.hidden_activations == ("tanh",) and config.lr == 0.1  # the rest stays
        assert app.session.trainer.net.spec.loss == "binary_cross_entropy"
        assert app.session.counts().epoch == 0 and app.state == "ready"
        notes = [n.message for n in app._notifications]
        assert "Training on moons now (two interleaved half-moons): a fresh 2→16→1 network." in notes
        assert len(kept_files()) == 1  # the digits run, kept: ctrl+o brings it back
        assert "moons" in str(app.query_one(DigitViewer).border_title)
        assert app.query_one(DigitViewer).index == 0  # its first sample, not its last
        await pilot.press("space")
        await settle(app, pilot)
        assert app.session.counts().epoch == 2


async def test_keys_that_arrive_with_the_choice_of_a_data_set_act_after_it():
    from textual import events

    app = make_app(TrainConfig(layers=(64, 16, 10), epochs=2))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        burst = (("D", "D"), ("down", None), ("enter", "\r"), ("space", " "))  # as a slow link sends them
        for key, character in burst:
            app.post_message(events.Key(key, character))
        await settle(app, pilot)
        assert app.session.config.dataset == "moons" and app.session.counts().epoch == 2


async def test_the_palette_finds_a_data_set_by_its_name():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p", *"sine")
        await pilot.pause(0.5)  # the palette searches in the background
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.session.config.dataset == "sine" and app.session.config.layers == (1, 16, 1)


async def test_a_data_set_switch_that_would_lose_training_asks_again_for_each_data_set(tmp_path, monkeypatch):
    app = make_app(TrainConfig(layers=(64, 16, 10), epochs=2))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("space")
        await settle(app, pilot)
        (tmp_path / "not-a-folder").write_text("")
        monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "not-a-folder"))  # keeping fails
        await pilot.press("D", "down", "enter")  # moons: warned, not switched
        await settle(app, pilot)
        assert app.session.config.dataset == "digits"
        assert any("choosing moons again switches" in n.message for n in app._notifications)
        await pilot.press("D", "down", "down", "enter")  # circles: once it went ahead unasked
        await settle(app, pilot)
        assert app.session.config.dataset == "digits" and app.session.counts().epoch == 2
        await pilot.press("D", "down", "down", "enter")  # circles again: the person chose
        await settle(app, pilot)
        assert app.session.config.dataset == "circles"


async def test_switching_data_set_clears_a_divergence_notice_and_says_when_nothing_changes():
    app = make_app(TrainConfig(layers=(64, 16, 10), lr=50.0, epochs=2))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("space")
        await settle(app, pilot)
        assert app.state == "diverged" and any("diverged" in n.title for n in app._notifications)
        await pilot.press("D", "down", "enter")
        await settle(app, pilot)
        assert app.session.config.dataset == "moons"
        assert not any("diverged" in n.title for n in app._notifications)  # about digits' network
        await pilot.press("D", "enter")  # the current one
        await settle(app, pilot)
        assert "Already training on moons." in [n.message for n in app._notifications]


async def test_on_a_very_wide_terminal_each_percentage_stays_near_its_class():
    from nnplay.tui.views.draw import Probabilities
    from nnplay.tui.widgets.digit_viewer import BAR_MOST

    app = make_app(SMALL)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(app, pilot)
        await pilot.press("d")
        await pilot.pause()
        for lines in (
            str(app.query_one(DigitViewer).render()).splitlines(),
            str(app.screen.query_one(Probabilities).render()).splitlines()[1:],
        ):
            between = [re.search(r"[› ]\d([█▉▊▋▌▍▎▏ ]+)\d+\.\d%\*? ?$", line) for line in lines]
            gaps = [len(m.group(1)) for m in between if m]  # ›3█████     12.5%: the bar and the gap
            assert len(gaps) == 10 and max(gaps) <= BAR_MOST + 5


def test_a_probability_is_never_shown_as_100_or_0_percent():
    from nnplay.tui.widgets.digit_viewer import percent

    shown = [percent(p) for p in (0.125, 0.99949, 0.9995, 1 - 1e-9, 1.0, 0.0, 0.0004, 0.0006)]
    # float32 rounds sigmoid(17) to 1.0: no more certain than 0.9996
    assert shown == ["  12.5%", "  99.9%", " >99.9%", " >99.9%", " >99.9%", "  <0.1%", "  <0.1%", "   0.1%"]
    assert {len(s) for s in shown} == {7}  # the column stays put


async def test_a_2d_samples_probability_never_reads_as_certain():
    from nnplay.tui.widgets.digit_viewer import probability

    shown = [probability(p) for p in (0.9996, 0.0004, 0.5, 0.999, 0.001, 1.0, 0.0)]
    assert shown == [">0.999", "<0.001", "0.500", "0.999", "0.001", ">0.999", "<0.001"]
    app = make_app(TrainConfig(dataset="moons", layers=(2, 8, 1), epochs=1))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        viewer = app.query_one(DigitViewer)
        for out, shown in ((0.9996, ">0.999"), (0.0004, "<0.001")):
            viewer.show_output(np.array([out]))
            assert f"P(class 1) = {shown}\n" in str(viewer.render())  # was 1.000 and 0.000
