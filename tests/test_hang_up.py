"""A dropped terminal, for real: nnplay in a pseudo-terminal whose other end goes away."""

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

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


QUITS_AFTER_TRAINING = """
import asyncio, os, signal, sys
from textual.drivers.linux_driver import LinuxDriver
from nnplay.tui.app import NnplayApp
from nnplay.tui.session import Session
import nnplay.cli

def trains_then_quits(app, **kwargs):  # the app, its run() replaced: three epochs, then q
    app.session.load()
    for _ in range(3):
        app.session.next_record()

    async def driven():
        LinuxDriver(app)  # as app.run() makes it, in its event loop: its signal handlers stay

    asyncio.run(driven())

NnplayApp.run = trains_then_quits
nnplay.cli.on_a_terminal = lambda: True  # this run() needs none
"""


def quit_after_training(tmp_path: Path, then: str) -> tuple[subprocess.CompletedProcess[str], list[Path]]:
    """Run QUITS_AFTER_TRAINING and ``then`` (which calls nnplay.cli.main) in a process of
    their own, kept networks in tmp_path: how it ended and the files kept."""
    env = dict(os.environ, XDG_STATE_HOME=str(tmp_path))
    code = QUITS_AFTER_TRAINING + then
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    return done, sorted((tmp_path / "nnplay").iterdir())


def test_a_hang_up_while_keeping_on_quitting_waits_for_the_keep(tmp_path):
    # q, then the window closed at once: the app's own hang-up handling had ended with it, so
    # SIGHUP ended the process mid-keep, leaving an empty name, half a file and no network.
    done, (kept,) = quit_after_training(
        tmp_path,
        """
keep = Session.keep_on_exit

def hung_up_while_keeping(self):
    os.kill(os.getpid(), signal.SIGHUP)  # the kernel sends SIGCONT with it
    os.kill(os.getpid(), signal.SIGCONT)
    return keep(self)

Session.keep_on_exit = hung_up_while_keeping
sys.exit(nnplay.cli.main(["--layers", "64,8,10"]))
""",
    )
    assert done.returncode == 0, done.stderr
    assert load(kept).spec.sizes == (64, 8, 10) and f"kept in {kept}" in done.stderr


def test_a_sigcont_once_the_app_has_ended_does_nothing(tmp_path):
    # Textual's driver leaves its SIGTSTP and SIGCONT handlers behind: a SIGCONT after the
    # keep on quitting (a hang-up sends one; fg after ctrl+z) restarted the ended app, "no
    # running event loop", a traceback and status 1.
    done, (kept,) = quit_after_training(
        tmp_path,
        """
say = nnplay.cli.say

def continued_then_said(note):  # after the keep, before the note
    os.kill(os.getpid(), signal.SIGCONT)
    say(note)

nnplay.cli.say = continued_then_said
status = nnplay.cli.main(["--layers", "64,8,10"])
os.kill(os.getpid(), signal.SIGCONT)  # and as the command ends
print(status, signal.getsignal(signal.SIGTSTP) == signal.SIG_DFL)  # ctrl+z stops it, as before the app
""",
    )
    assert (done.returncode, done.stdout) == (0, "0 True\n"), done.stderr
    assert f"kept in {kept}" in done.stderr and "Traceback" not in done.stderr  # said, once the app ended
