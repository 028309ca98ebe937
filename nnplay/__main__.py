"""Where the nnplay command starts: the console script and ``python -m nnplay`` alike.

It imports nothing before the command line does: nnplay.cli brings in NumPy and
the rest, a tenth of a second or more in which Ctrl-C would otherwise print a
KeyboardInterrupt traceback, and SIGTERM end the command without a word, since
the handlers in nnplay.cli are not yet running. Here they end it as they do a
run: "interrupted", status 130, or "terminated", status 143.
"""

from __future__ import annotations

import sys


class _Stops:
    """Python's own Ctrl-C handling (KeyboardInterrupt), for SIGTERM too, noting which
    signal came: where C code imports a module, as NumPy's does with datetime, the
    KeyboardInterrupt can come out as an ImportError ("PyCapsule_Import could not import
    module")."""

    def __init__(self) -> None:
        self.seen: int | None = None

    def __call__(self, signum: int, frame: object) -> None:
        self.seen = signum
        raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    stops = _Stops()
    try:
        import signal  # here, not above: signal.py builds enums, long enough to be interrupted

        # not if ignored (cmd & ignores Ctrl-C; a supervisor may ignore SIGTERM)
        ours = [s for s in (signal.SIGINT, signal.SIGTERM) if signal.getsignal(s) is not signal.SIG_IGN]
        before = {s: signal.signal(s, stops) for s in ours}
        try:
            from nnplay.cli import main as command_line
        except BaseException:
            if stops.seen is not None:  # whatever the interrupted import raised, it was a stop
                raise KeyboardInterrupt from None
            raise
        finally:
            for s, handler in before.items():
                signal.signal(s, handler)
        if stops.seen is not None:  # swallowed on the way (an import lock's callback prints and goes on)
            raise KeyboardInterrupt
        return command_line(argv)
    except KeyboardInterrupt:  # while importing, or outside cli.main's own handler
        terminated = stops.seen == 15  # SIGTERM; signal may not be imported yet
        try:
            if sys.stderr is not None:  # 2>&-: print() would write it to standard output
                print("terminated" if terminated else "interrupted", file=sys.stderr)
        except OSError:
            pass
        return 143 if terminated else 130


if __name__ == "__main__":
    sys.exit(main())
