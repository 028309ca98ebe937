"""A dropped terminal, for real: nnplay in a pseudo-terminal whose other end goes away."""

import fcntl
import os
import pty
import select
import struct
import sys
import termios
import time

from nnplay.core.serialize import load


def read_for(fd: int, seconds: float, until: bytes = b"") -> bytes:
    """What the app writes in that time (or until `until` shows), read so it never blocks."""
    seen, end = b"", time.monotonic() + seconds
    while time.monotonic() < end and not (until and until in seen):
        if select.select([fd], [], [], 0.05)[0]:
            seen += os.read(fd, 65536)
    return seen


def test_a_dropped_terminal_keeps_unsaved_training_and_the_app_ends(tmp_path):
    state = tmp_path / "state"
    pid, fd = pty.fork()
    if pid == 0:  # the child: nnplay, as over an SSH link
        env = dict(os.environ, TERM="xterm-256color", XDG_STATE_HOME=str(state))
        args = ["-m", "nnplay", "--layers", "64,16,10", "--epochs", "100000"]
        os.execvpe(sys.executable, [sys.executable, *args], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    try:
        assert b"ready" in read_for(fd, 60, until=b"ready")
        os.write(fd, b" ")  # train
        read_for(fd, 2.0)
    finally:
        os.close(fd)  # the link drops: the kernel sends SIGHUP
    deadline = time.monotonic() + 30
    while not os.waitpid(pid, os.WNOHANG)[0]:
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            raise AssertionError("nnplay was still running 30 s after its terminal went away")
        time.sleep(0.1)
    (kept,) = (state / "nnplay").glob("unsaved-*.npz")
    assert load(kept).epochs_trained > 0
