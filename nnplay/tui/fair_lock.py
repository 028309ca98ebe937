"""The session's lock, which the training thread gives way on between steps.

A plain lock is not fair: the training thread let go of it after each step (about
0.06 ms at full speed) and took it again before a thread blocked on it had woken, so
the UI thread, reading the counts for the status line, waited through hundreds of
steps: up to 65 ms, and a key's effect showed that much later. Here a thread that
finds the lock taken says so, and the training thread, before its next step, waits
until every such thread has had its turn.
"""

from __future__ import annotations

import threading
from types import TracebackType

GIVE_WAY_MOST = 0.5
"""Seconds the training thread waits at most for others to have the lock: a safety net
only (a waiter has it as soon as the step it waited on ends)."""


class FairLock:
    """A re-entrant lock with give_way(), for a thread that takes it again and again."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._turns = threading.Condition(threading.Lock())
        self._waiting = 0
        """Threads blocked on the lock: each gets it before the next give_way() returns."""

    def acquire(self) -> None:
        if self._lock.acquire(blocking=False):  # free, or already this thread's
            return
        with self._turns:
            self._waiting += 1
        try:
            self._lock.acquire()
        finally:
            with self._turns:
                self._waiting -= 1
                self._turns.notify_all()

    def release(self) -> None:
        self._lock.release()

    def __enter__(self) -> FairLock:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.release()

    def give_way(self) -> None:
        """Wait until the threads blocked on the lock have had it. Call without holding it."""
        if not self._waiting:  # as a rule: read without the condition's lock, each step
            return
        with self._turns:
            self._turns.wait_for(lambda: not self._waiting, timeout=GIVE_WAY_MOST)

    @property
    def waiting(self) -> int:
        """How many threads are blocked on the lock now."""
        return self._waiting
