"""The session's lock: the training thread, taking it step after step, lets the UI have it."""

import threading
import time

import pytest

from nnplay.core.config import TrainConfig
from nnplay.tui.fair_lock import FairLock
from nnplay.tui.session import Session


def wait_until(condition, what: str) -> None:
    """Poll until ``condition()`` (threads reaching a point); fail after a generous while."""
    deadline = time.monotonic() + 30
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.001)


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
