"""Where the nnplay command starts: the console script and ``python -m nnplay`` alike.

It imports nothing before the command line does: nnplay.cli brings in NumPy and
the rest, a tenth of a second or more in which Ctrl-C would otherwise print a
KeyboardInterrupt traceback, since the handler in nnplay.cli.main is not yet
running. Here it ends the command as it does a run: "interrupted", status 130.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    try:
        from nnplay.cli import main as command_line

        return command_line(argv)
    except KeyboardInterrupt:  # while importing, or outside cli.main's own handler
        try:
            print("interrupted", file=sys.stderr)
        except OSError:
            pass
        return 130


if __name__ == "__main__":
    sys.exit(main())
