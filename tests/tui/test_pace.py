"""Watching slowly: < and > set a pace in epochs a second, and what reaches the screen."""

import time

import numpy as np
import pytest

from nnplay.core.config import TrainConfig
from nnplay.tui.app import make_app
from nnplay.tui.training import PACE_SETTLE_SECONDS
from nnplay.tui.widgets.controls import TrainingControls
from tests.tui.helpers import SMALL, settle


async def test_pace_slows_training_to_the_chosen_epochs_per_second():
    app = make_app(TrainConfig(layers=(64, 16, 10), epochs=1000))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press(*["less_than_sign"] * 5)
        assert app.pace == 1
        await pilot.press("greater_than_sign")
        assert app.pace == 3
        started = time.monotonic()
        await pilot.press("space")
        await pilot.pause(0.8)
        await pilot.press("space")
        await settle(app, pilot)
        took = time.monotonic() - started  # more than 0.8 s on a busy machine
        assert 1 <= app.session.counts().epoch <= 3 * took + 1  # about 3 a second, not hundreds


def test_every_step_is_posted_up_to_ten_a_second_and_not_on_a_slow_link():
    from nnplay.tui.training import POST_EVERY, SLOW_LINK, posts_each_step

    assert posts_each_step(0.1, 90, POST_EVERY)  # digits, batch 16, at the slowest: 9 a second
    assert not posts_each_step(0.1, 180, POST_EVERY)  # batch 8: 18 a second, too many
    assert not posts_each_step(None, 45, POST_EVERY)  # full speed
    assert not posts_each_step(0.1, 45, SLOW_LINK["post_every"])  # --low-bandwidth asked for fewer


async def test_at_the_slowest_paces_every_step_reaches_the_screen():
    app = make_app(TrainConfig(layers=(64, 16, 10), batch_size=96, epochs=1000))  # 15 steps an epoch
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press(*["less_than_sign"] * 6)
        assert app.pace == 0.3  # 4.5 steps a second
        shown = []
        make_message = app._progress_message

        def spy(generation, loss, speed, position):
            shown.append(position)
            return make_message(generation, loss, speed, position)

        app._progress_message = spy
        await pilot.press("space")
        await pilot.pause(2.0)  # 9 steps due; 4 even on a busy machine
        await pilot.press("space")
        await settle(app, pilot)
        steps = [batch for batch, _ in filter(None, shown)]
        assert len(steps) >= 4 and steps[:4] == [1, 2, 3, 4]  # each step, not every second or third


@pytest.mark.parametrize("low_bandwidth", [False, True])
async def test_at_a_fast_pace_progress_is_posted_no_oftener_than_at_full_speed(low_bandwidth):
    app = make_app(TrainConfig(layers=(64, 16, 10), epochs=1000), low_bandwidth=low_bandwidth)
    posted = []
    make = app._progress_message
    app._progress_message = lambda *args: posted.append(time.monotonic()) or make(*args)  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press(*["less_than_sign"] * 3)
        assert app.pace == 10  # an epoch every 0.1 s
        await pilot.press("space")
        await pilot.pause(2.2 * app.post_every + 0.3)  # time for two posts at full speed's rate
        await pilot.press("space")
        await settle(app, pilot)
        assert app.session.counts().epoch >= 5
        gaps = np.diff(posted[:-1])  # the last: the figures at the pause, whenever it comes
        assert len(gaps) and gaps.min() >= 0.9 * app.post_every  # 0.5 s, or 2 s on a slow link


async def test_a_burst_of_pace_keys_gets_one_notice_of_the_pace_it_ends_at():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        from textual import events

        for _ in range(4):  # together, as a burst arrives: pilot.press waits for idle between keys,
            app.post_message(events.Key("less_than_sign", "<"))  # which on a loaded machine
        await pilot.pause()  # could outlast PACE_SETTLE_SECONDS
        assert app.pace == 3 and "at 3/s" in str(app.query_one(TrainingControls).status)  # at once
        await pilot.pause(PACE_SETTLE_SECONDS + 0.2)
        for _ in range(50):  # the notice's timer, on a slow machine
            paces = [n.message for n in app._notifications if n.message.startswith("Pace")]
            if paces:
                break
            await pilot.pause(0.1)
        assert paces == ["Pace: 3 epochs a second"]  # once: one per press, stacked over the panes
        app.post_message(events.Key("less_than_sign", "<"))  # later, on its own
        await pilot.pause(PACE_SETTLE_SECONDS + 0.2)
        for _ in range(50):
            paces = [n.message for n in app._notifications if n.message.startswith("Pace")]
            if paces != ["Pace: 3 epochs a second"]:
                break
            await pilot.pause(0.1)
        assert paces == ["Pace: 1 epoch a second"]  # in place of the one before, not over it


async def test_the_slowest_pace_spreads_an_epochs_steps_to_watch_them():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        for _ in range(4):
            await pilot.press("greater_than_sign")  # already at full speed: says so once, stays
        assert app.pace is None
        await pilot.pause(PACE_SETTLE_SECONDS + 0.2)
        assert [n.message for n in app._notifications].count("Pace: full speed") == 1
        for _ in range(10):
            await pilot.press("less_than_sign")
        assert app.pace == 0.1  # an epoch every 10 s: 45 steps, one every 0.22 s
        await pilot.press("space")
        await pilot.pause(1.0)
        taken = app.session.counts().step
        assert 0 < taken < 45  # not the whole epoch at once, then a wait
        await pilot.pause(0.6)  # a progress message lands every 0.5 s
        status = str(app.query_one(TrainingControls).status)
        assert "step " in status and "Epoch 0/3 at 0.1/s" in status
        await pilot.press("space")  # pausing does not wait for the pace
        await settle(app, pilot)
        assert app.state == "paused"


async def test_a_run_over_at_full_speed_says_in_the_status_that_less_than_slows_it():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("space")
        await settle(app, pilot)
        status = app.query_one(TrainingControls).query_one("#status")
        assert app.state == "finished" and "too quick to watch? < slows it" in str(status.render())
        await pilot.press("less_than_sign")  # found it: the status says the pace instead
        assert "< slows it" not in str(status.render()) and "at 100/s" in str(status.render())


async def test_a_finished_file_just_loaded_does_not_say_it_was_too_quick(tmp_path):
    # Nothing has run: a teacher opening a hand-out of 100 epochs read "too quick to watch?"
    # under its figures, a hint meant for a run that was over in a second or two.
    from nnplay.cli import main
    from nnplay.core.serialize import load

    path = tmp_path / "handout.npz"
    assert main(["train", "--layers", "64,16,10", "--epochs", "2", "--save", str(path)]) == 0
    saved = load(path)
    app = make_app(saved.config, saved, path=str(path))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        status = app.query_one(TrainingControls).query_one("#status")
        assert app.state == "finished" and "loaded: test loss" in str(status.render())
        assert "too quick" not in str(status.render())
