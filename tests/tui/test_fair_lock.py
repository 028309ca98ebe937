"""The session's lock: the training thread, taking it step after step, lets the UI have it."""

import threading

import numpy as np
import pytest

from nnplay.core.config import TrainConfig
from nnplay.tui.fair_lock import FairLock
from nnplay.tui.session import Session
from tests.tui.helpers import wait_until


def test_give_way_waits_until_the_threads_blocked_on_the_lock_have_had_it():
    lock, order = FairLock(), []

    def ui() -> None:
        with lock:
            order.append("ui")

    def trainer() -> None:
        lock.give_way()
        with lock:
            order.append("trainer")

    waiter = threading.Thread(target=ui, daemon=True)
    stepper = threading.Thread(target=trainer, daemon=True)
    with lock:
        waiter.start()
        wait_until(lambda: lock.waiting == 1, "the UI thread to block on the lock")
        stepper.start()
    waiter.join(10)
    stepper.join(10)
    assert order == ["ui", "trainer"]
    assert lock.waiting == 0


def test_the_lock_is_reentrant_and_a_holder_taking_it_again_does_not_wait():
    lock = FairLock()
    with lock, lock:
        assert lock.waiting == 0
    lock.give_way()  # nobody waiting: returns at once


def test_counts_come_within_a_step_while_training_runs_flat_out():
    """The UI's counts() waited on the training thread for up to 65 ms (hundreds of steps)
    while it trained at full speed: the thread let go of the lock after each step and took
    it again before the UI thread had woken."""
    session = Session(TrainConfig(layers=(64, 8, 10), epochs=1000, batch_size=16))
    session.load()
    stop, seen = threading.Event(), []

    def train() -> None:
        while not stop.is_set() and session.next_record() is not None:
            pass

    def ui() -> None:
        seen.append(session.counts().step)

    for _ in range(5):
        start = session.trainer.step
        session.lock.acquire()
        trainer = threading.Thread(target=train, daemon=True)
        reader = threading.Thread(target=ui, daemon=True)
        try:
            trainer.start()
            wait_until(lambda: session.lock.waiting == 1, "the training thread to block on the lock")
            reader.start()
            wait_until(lambda: session.lock.waiting == 2, "the UI thread to block on the lock")
        finally:
            session.lock.release()  # to whichever: the trainer takes at most one step first
        reader.join(30)
        stop.set()
        trainer.join(30)
        stop.clear()
        assert seen[-1] - start <= 1


@pytest.mark.parametrize(
    "look", [lambda s: s.predict("test", 0), lambda s: s.next_mistake("test", 0)], ids=["predict", "m"]
)
def test_what_the_ui_computes_is_of_the_weights_before_a_step_or_after_it_never_midway(look, monkeypatch):
    """The digit's probabilities and m's next mistake were computed on the live weights
    without the lock: while a step updated them in place, some layers were the new and
    others the old. Here a step stops halfway through its update, the first layer's
    weights changed and the rest not, while the UI thread asks."""
    session = Session(TrainConfig(layers=(64, 8, 10), epochs=1000, batch_size=16))
    session.load()
    net = session.trainer.net
    first = net.dense[0].W.size + net.dense[0].b.size  # the first layer's share of the flat vector
    before = net.params.copy()
    after = before + 0.5
    halfway, go = threading.Event(), threading.Event()

    def update(w, g) -> None:  # the optimizer's step, one layer at a time, stopped between
        w[:first] += 0.5
        halfway.set()
        go.wait(30)
        w[first:] += 0.5

    session.trainer.optimizer.step = update
    seen, looked = [], threading.Event()
    logits = type(net).logits

    def spy(self, x):  # the weights the UI's computation read
        if threading.current_thread() is ui:
            seen.append(self.params.copy())
        return logits(self, x)

    monkeypatch.setattr(type(net), "logits", spy)
    trainer = threading.Thread(target=session.next_record, daemon=True)
    ui = threading.Thread(target=lambda: (look(session), looked.set()), daemon=True)
    trainer.start()
    assert halfway.wait(30)
    ui.start()
    wait_until(lambda: looked.is_set() or session.lock.waiting == 1, "the UI thread to look or wait")
    go.set()
    trainer.join(30)
    ui.join(30)
    assert looked.is_set() and len(seen) == 1
    assert np.array_equal(seen[0], before) or np.allclose(seen[0], after)
