"""Where the nnplay command starts: the console script and ``python -m nnplay`` alike.

It imports nothing before the command line does: nnplay.cli brings in NumPy and
the rest, a tenth of a second or more in which Ctrl-C would otherwise print a
KeyboardInterrupt traceback, since the handler in nnplay.cli.main is not yet
running. Here it ends the command as it does a run: "interrupted", status 130.
"""

from __future__ import annotations

import sys


class _Interrupts:
    """Python's own Ctrl-C handling (KeyboardInterrupt), noting that one came: where
    C code imports a module, as NumPy's does with datetime, the KeyboardInterrupt can
    come out as an ImportError ("PyCapsule_Import could not import module")."""

    def __init__(self) -> None:
        self.seen = False

    def __call__(self, signum: int, frame: object) -> None:
        self.seen = True
        raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    try:
        import signal  # here, not above: signal.py builds enums, long enough to be interrupted

        interrupts = _Interrupts()
        ours = signal.getsignal(signal.SIGINT) is signal.default_int_handler  # not if ignored (cmd &)
        if ours:
            signal.signal(signal.SIGINT, interrupts)
        try:
            from nnplay.cli import main as command_line
        except BaseException:
            if interrupts.seen:  # whatever the interrupted import raised, it was Ctrl-C
                raise KeyboardInterrupt from None
            raise
        finally:
            if ours:
                signal.signal(signal.SIGINT, signal.default_int_handler)
        if interrupts.seen:  # swallowed on the way (an import lock's callback prints and goes on)
            raise KeyboardInterrupt
        return command_line(argv)
    except KeyboardInterrupt:  # while importing, or outside cli.main's own handler
        try:
            if sys.stderr is not None:  # 2>&-: print() would write it to standard output
                print("interrupted", file=sys.stderr)
        except OSError:
            pass
        return 130


if __name__ == "__main__":
    sys.exit(main())
