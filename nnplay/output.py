"""Standard output for the headless commands: when it cannot be written, the output
stops, not the command.

``nnplay train --save m.npz | head -3`` closes the pipe after three lines; a full
disk or a gone terminal refuses them too. Either way the lines are lost, but a
network the user asked to have saved must still be trained and saved (and a gradient
check's verdict still has its exit status), so writing turns into doing nothing and
the command is told why, instead of an exception ending it.
"""

from __future__ import annotations

import errno
import os
import sys
from typing import IO


def say(text: str) -> None:
    """One line on standard error, if it can still be written (``2>&1 | head`` closes it too)."""
    if sys.stderr is None:  # 2>&-: print() would write it to standard output, into the --json
        return
    try:
        print(text, file=sys.stderr, flush=True)
    except (OSError, ValueError):  # ValueError: already closed
        pass


class Output:
    """Lines to a stream until one cannot be written; from then on, nothing.

    ``command`` ("nnplay train") starts what is said on standard error; ``going_on``
    ("going on to save m.npz") is what the command still does without its output, if
    anything: without it, the command should stop (``stopped``).
    """

    def __init__(self, stream: IO[str] | None, command: str, going_on: str = "") -> None:
        self.stream = stream
        self.command = command
        self.going_on = going_on
        self.lost: OSError | None = None
        """Why output stopped; None while every line has been written."""

    @property
    def closed(self) -> bool:
        """Whoever read the output has stopped reading (``| head``): they wanted no more,
        so it is no failure (the exit status is what it would have been)."""
        return isinstance(self.lost, BrokenPipeError)

    @property
    def stopped(self) -> bool:
        """The output is lost and the command has nothing left to do without it."""
        return self.lost is not None and not self.going_on

    def line(self, text: str) -> None:
        if self.lost is not None:
            return
        try:
            if self.stream is None:  # >&-: Python has no sys.stdout, and print() writes nowhere
                raise OSError(errno.EBADF, os.strerror(errno.EBADF))
            try:
                print(text, file=self.stream, flush=True)
            except UnicodeEncodeError:  # a file name the output's encoding has no bytes for
                # (PYTHONIOENCODING=ascii and café.npz, or undecodable bytes in a UTF-8 locale):
                # written as standard error writes it, not a traceback after the save
                encoding = getattr(self.stream, "encoding", None) or "utf-8"
                escaped = text.encode(encoding, "backslashreplace").decode(encoding)
                print(escaped, file=self.stream, flush=True)
        except OSError as e:  # BrokenPipeError, ENOSPC (> /dev/full), EIO...
            self.lost = e
            discard(self.stream)
            reason = e.strerror or str(e)
            if self.going_on:
                what = "output closed" if self.closed else f"cannot write the output ({reason})"
                say(f"{self.command}: {what}; {self.going_on}")
            elif not self.closed:
                say(f"{self.command}: cannot write the output: {reason}")

    def status(self, status: int) -> int:
        """The command's exit status, given the one it would have had with its output:
        1 at least if the output was lost other than by its reader's closing it."""
        return status if self.lost is None or self.closed else max(status, 1)


def discard(stream: IO[str] | None) -> None:
    """Send what is still buffered for the stream, and anything after, to /dev/null: else
    Python's last flush at exit fails again, printing "Exception ignored ... BrokenPipeError"
    and exiting with status 120 (the fix the signal module's "Note on SIGPIPE" gives)."""
    try:
        fd = stream.fileno() if stream is not None else -1
    except (OSError, ValueError):  # not a file (pytest's capture), or closed
        return
    if fd < 0:
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)
