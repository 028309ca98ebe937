"""What tests that start nnplay in a process of its own share."""

import signal
from collections.abc import Callable


def as_from_a_terminal(*ignored: signal.Signals) -> Callable[[], None]:
    """A subprocess's preexec_fn: start it with Ctrl-C and SIGTERM at their defaults, as a
    command typed at a terminal has them, but for those ``ignored``. Else it inherits the
    test run's: pytest started as ``cmd &`` from a script (a non-interactive shell) runs
    with SIGINT ignored, which nnplay rightly leaves alone, and a Ctrl-C test saw the run
    train to the end, status 0."""

    def start() -> None:
        for stop in (signal.SIGINT, signal.SIGTERM):
            signal.signal(stop, signal.SIG_IGN if stop in ignored else signal.SIG_DFL)

    return start
