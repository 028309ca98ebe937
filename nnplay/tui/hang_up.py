"""A hang-up: the terminal gone (SIGHUP: an SSH link dropped, a window closed) or the system
asking nnplay to stop (SIGTERM: a teacher's pkill, a shutdown).

A mixin of NnplayApp. Unsaved training is kept at once, where q would keep it on the
way out, and the app quits; what the keep has to say waits in ``farewell`` for the
terminal, if it is still there, once restored. Under ``nnplay serve``, only where the
tab's browser has a folder to keep in (else its web driver quits the app on SIGTERM itself).
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading

from textual.app import App

from nnplay.tui.session import Session

HANG_UP_GRACE = 5.0
"""Seconds a hung-up app has to quit on its own, once the network is kept, before the
process ends regardless."""


class HangUpMixin(App[None]):
    """SIGHUP and SIGTERM: keep unsaved training, then quit, within HANG_UP_GRACE."""

    # Set up by NnplayApp.__init__:
    session: Session
    _quitting: bool
    farewell: str
    """What a hang-up kept, to say once the terminal is restored, if it is still there."""

    def _stop_training(self) -> None:
        raise NotImplementedError  # TrainingMixin

    def _listen_for_hang_ups(self) -> None:
        loop = asyncio.get_running_loop()
        for hang_up in (signal.SIGHUP, signal.SIGTERM):
            try:
                loop.add_signal_handler(hang_up, self._on_hang_up, hang_up)
            except (NotImplementedError, RuntimeError, ValueError):  # no such signal here
                pass

    def _on_hang_up(self, signum: int) -> None:
        # If quitting stalls (a thread that will not stop, a terminal that takes no more
        # output), end the process anyway once the network is kept: on a shared teaching
        # server a stray app must not linger for hours with nobody to see it. Counted from
        # the keep's end: a large network's save on a slow disk (a home folder over NFS) ran
        # into the deadline, which ended it midway, the network lost.
        try:
            self.hang_up()
        finally:
            deadline = threading.Timer(HANG_UP_GRACE, os._exit, args=(128 + signum,))
            deadline.daemon = True  # a normal exit does not wait for it
            deadline.start()

    def hang_up(self) -> None:
        """The terminal went away (SIGHUP: an SSH link dropped, a window closed) or the
        system asks nnplay to stop (SIGTERM): keep unsaved training, then quit."""
        self._stop_training()
        # now: a terminal that has gone will not take a farewell. One still there (a SIGTERM,
        # from a teacher's pkill, say) is told where the network went, as q tells it.
        self.farewell = self.session.keep_on_exit() or self.farewell  # a second signal keeps nothing new
        self._quitting = True
        self.exit()


def run_to_the_end(app: HangUpMixin, mouse: bool) -> str:
    """Run the app, then keep its unsaved training, the terminal restored first so that
    quitting stays quick (a hang-up has kept it already): what to say, or "".

    The app's own hang-up handling ends with it, so SIGHUP and SIGTERM are ignored while
    the keep runs: a window closed just after q ended the process mid-keep, the network
    lost and half a file left. And Textual's driver takes ctrl+z's SIGTSTP and SIGCONT and
    leaves its handlers behind when the app ends: a SIGCONT then (a hang-up sends one; fg
    after ctrl+z) restarted the ended app, "no running event loop", a traceback and status
    1, inside the keep or after it. They are the command's own again, as before the app.
    """
    suspend = {stop: signal.getsignal(stop) for stop in (signal.SIGTSTP, signal.SIGCONT)}
    try:
        app.run(mouse=mouse)
    finally:
        for stop, handler in suspend.items():
            signal.signal(stop, signal.SIG_DFL if handler is None else handler)  # None: not set from Python
    stops = (signal.SIGHUP, signal.SIGTERM)
    before = [signal.signal(stop, signal.SIG_IGN) for stop in stops]
    try:
        return app.session.keep_on_exit() or app.farewell
    finally:
        for stop, handler in zip(stops, before, strict=True):
            signal.signal(stop, handler)
