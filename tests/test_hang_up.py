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


def test_a_hang_up_while_keeping_on_quitting_waits_for_the_keep(tmp_path):
    # q, then the window closed at once: the app's own hang-up handling had ended with it, so
    # SIGHUP ended the process mid-keep, leaving an empty name, half a file and no network.
    import subprocess

    code = """
import os, signal, sys
from nnplay.tui.app import NnplayApp
from nnplay.tui.session import Session

def trains_then_quits(app, **kwargs):
    app.session.load()
    for _ in range(3):
        app.session.next_record()

    def leftover(signum, frame):  # as Textual's SIGCONT handler, left behind by the app
        raise RuntimeError("no running event loop")

    signal.signal(signal.SIGCONT, leftover)

keep = Session.keep_on_exit

def hung_up_while_keeping(self):
    os.kill(os.getpid(), signal.SIGHUP)  # the kernel sends SIGCONT with it
    os.kill(os.getpid(), signal.SIGCONT)
    return keep(self)

NnplayApp.run = trains_then_quits
Session.keep_on_exit = hung_up_while_keeping
import nnplay.cli
nnplay.cli.on_a_terminal = lambda: True  # this run() needs none
from nnplay.cli import main
sys.exit(main(["--layers", "64,8,10"]))
"""
    env = dict(os.environ, XDG_STATE_HOME=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    (kept,) = (tmp_path / "nnplay").iterdir()
    assert load(kept).spec.sizes == (64, 8, 10) and f"kept in {kept}" in done.stderr
