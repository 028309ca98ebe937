"""The app in a real pseudo-terminal at 80x24: speed, bandwidth, first frame, idle CPU, memory.

    python benchmarks/bench_app.py [--epochs 300] [--rounds 3]
    python benchmarks/bench_app.py --steady [--seconds 8] [--against /path/to/older/checkout]

Speed, in many interleaved pairs:
- headless: `nnplay train --json` for the same epochs; its training seconds.
- app: `nnplay` in a pty; time from pressing space to the screen saying
  "finished", and the bytes the app wrote to the terminal meanwhile.
Then, a third as many times:
- first frame: from starting the app to the digit's label and its ten
  percentages being on screen.
- idle: CPU time the app uses over 5 s doing nothing, and its resident memory.
- the same training run with --low-bandwidth --no-mouse: its bytes a second.
- quitting: q pressed mid-run, to the terminal restored and the process gone.
Then once each: the bytes to open each look-inside view, and those a second
while training runs under it.
Prints medians, and the ratio of app speed to headless speed.

--steady measures instead what each screen costs once things settle: the bytes a second the
app writes (what a slow SSH link carries) and the CPU it uses (what a shared teaching server
pays: CPU seconds a wall second, as a % of a core, for the whole process and for its UI thread
alone, the rest being the training thread's), while training runs (and while idle) on the
main screen, under each look-inside view, and under a dialog, each in a fresh app. --against
DIR runs each case on the nnplay in DIR too (another checkout, as `git worktree add DIR
COMMIT` makes), in turn with this one, for a before/after table from one run. --only TEXT
runs the cases whose name holds TEXT.

--keys measures how soon a key shows its effect: from writing `<` (full speed to 100
epochs a second) to the status's "at 100/s" in the bytes the app writes, idle and while
training runs at full speed (--against DIR: an older checkout too).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections import defaultdict

COLS, ROWS = 80, 24


SCRATCH = tempfile.mkdtemp(prefix="nnplay-bench-")
"""The apps' state folder, so a benchmark never overwrites the user's kept network."""


class Pty:
    """nnplay running in a pseudo-terminal of a fixed size (``source``: the checkout whose
    nnplay runs; None, the one installed)."""

    def __init__(self, *args: str, source: str | None = None) -> None:
        self.started = time.perf_counter()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: become nnplay
            env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(COLS), LINES=str(ROWS))
            env["XDG_STATE_HOME"] = SCRATCH  # the unsaved network nnplay keeps on quitting goes here
            if source:  # python -m puts the folder it runs in first on sys.path
                os.chdir(source)
            os.execvpe(sys.executable, [sys.executable, "-m", "nnplay", *args], env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        self.seen = b""

    def read_until(self, done, timeout: float = 60.0) -> tuple[float, int]:
        """Read output until done(bytes so far) is true; (seconds taken, bytes read)."""
        start, count = time.perf_counter(), 0
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if ready:
                chunk = os.read(self.fd, 65536)
                count += len(chunk)
                self.seen = (self.seen + chunk)[-200_000:]
                if done(self.seen):
                    return time.perf_counter() - start, count
        raise TimeoutError(f"gave up waiting; last output: {self.seen[-300:]!r}")

    def drain(self, seconds: float) -> int:
        end, count = time.perf_counter() + seconds, 0
        while time.perf_counter() < end:
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if ready:
                try:
                    count += len(os.read(self.fd, 65536))
                except OSError:  # the app has exited and closed the terminal
                    break
        return count

    def send(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def cpu_seconds(self, ui_thread: bool = False) -> float:
        """CPU seconds (user and system) the app has used: all its threads, or its UI thread
        alone (the main thread, where Textual's event loop runs and every widget renders)."""
        path = f"/proc/{self.pid}/task/{self.pid}/stat" if ui_thread else f"/proc/{self.pid}/stat"
        with open(path) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mib(self) -> float:
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def close(self) -> None:
        self.send(b"\x11")  # ctrl+q
        deadline = time.perf_counter() + 5
        while time.perf_counter() < deadline:
            if os.waitpid(self.pid, os.WNOHANG)[0]:
                break
            self.drain(0.05)
        else:
            os.kill(self.pid, 9)
            os.waitpid(self.pid, 0)
        os.close(self.fd)


def first_frame_shown(seen: bytes) -> bool:
    return b"label" in seen and seen.count(b"%") >= 10


def quit_while_training() -> tuple[float, float]:
    """Seconds from pressing q mid-run to the terminal restored, and to the process gone."""
    app = Pty("--epochs", "100000")
    app.read_until(first_frame_shown)
    app.drain(1.0)
    app.send(b" ")
    app.drain(1.0)
    pressed = time.perf_counter()
    app.send(b"q")
    restored, _ = app.read_until(lambda seen: b"\x1b[?1049l" in seen[-2000:], timeout=10)  # leaves alt screen
    while not os.waitpid(app.pid, os.WNOHANG)[0]:
        time.sleep(0.005)
    gone = time.perf_counter() - pressed
    os.close(app.fd)
    return restored, gone


def headless_seconds(epochs: int) -> float:
    out = subprocess.run(
        [sys.executable, "-m", "nnplay", "train", "--json", "--epochs", str(epochs)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return sum(json.loads(line)["seconds"] for line in out.splitlines())


def train_in_app(epochs: int, *flags: str) -> tuple[float, float]:
    """(epochs a second, KiB a second written) for one run in the app from pressing space."""
    app = Pty("--epochs", str(epochs), *flags)
    app.read_until(first_frame_shown)
    app.drain(1.0)  # let loading finish
    app.send(b" ")
    seconds, count = app.read_until(lambda seen: b"finished" in seen[-4000:], timeout=600)
    app.close()
    return epochs / seconds, count / 1024 / seconds


VIEW_KEYS = {"w": "weights", "c": "mistakes", "d": "draw", "i": "inspector", "g": "gradient check"}


def view_bytes(key: str) -> tuple[float, float]:
    """(KiB sent to open the view of ``key``, KiB a second while training under it)."""
    app = Pty("--epochs", "100000")
    app.read_until(first_frame_shown)
    app.drain(1.0)
    app.send(key.encode())
    opened = app.drain(1.5)  # the view, and whatever it computes once open
    app.send(b" ")
    app.drain(1.0)  # the first epochs' settling
    seconds = 4.0
    training = app.drain(seconds)
    app.close()
    return opened / 1024, training / 1024 / seconds


SLOWEST = b"<" * 7
"""From full speed to the slowest pace, 0.1 epochs a second (every step posted)."""

VIEW_CASES = (("d", "draw"), ("i", "inspector"), ("w", "weights"), ("c", "mistakes"), ("g", "gradcheck"))

STEADY: list[tuple[str, tuple[str, ...], bytes, bytes]] = [
    # (case, flags, keys before training starts, keys after it has started); "" no training
    ("main screen, training", (), b"", b""),
    ("main screen, idle", (), b"", b"-"),
    ("main, slowest pace", (), SLOWEST, b""),
    ("main, --low-bandwidth", ("--low-bandwidth", "--no-mouse"), b"", b""),
    *(
        case
        for key, name in VIEW_CASES
        for case in (
            (f"{name} view, training", (), key.encode(), b""),
            (f"{name} view, slowest pace", (), SLOWEST + key.encode(), b""),
            (f"{name} view, idle", (), key.encode(), b"-"),
        )
    ),
    ("boundary view (moons), training", ("--dataset", "moons"), b"b", b""),
    ("boundary view (moons), slowest pace", ("--dataset", "moons"), SLOWEST + b"b", b""),
    ("boundary view (moons), idle", ("--dataset", "moons"), b"b", b"-"),
    ("help (?) over training", (), b"", b"?"),
    ("help (?) over slowest pace", (), SLOWEST, b"?"),
    ("load (ctrl+o) over training", (), b"", b"\x0f"),
    ("palette (ctrl+p) over training", (), b"", b"\x10"),
    ("load (ctrl+o), idle", (), b"\x0f", b"-"),
    ("load (ctrl+o), idle, --low-bandwidth", ("--low-bandwidth", "--no-mouse"), b"\x0f", b"-"),
]
"""The steady cases; b"-" after: no training at all (idle)."""


def steady_rate(
    flags: tuple[str, ...], before: bytes, after: bytes, seconds: float, source: str | None
) -> tuple[float, float, float]:
    """In one case of STEADY, once settled, over ``seconds``: KiB a second the app writes, and
    the % of a core it uses, all of it and its UI thread alone."""
    app = Pty("--epochs", "100000", *flags, source=source)
    app.read_until(lambda seen: first_frame_shown(seen) or b"P(class 1)" in seen)  # a digit or a point
    app.drain(1.0)  # let loading finish
    for key in before:
        app.send(bytes([key]))
        app.drain(0.1)
    app.drain(1.5)  # a view opened, and whatever it computes once open
    if after != b"-":
        app.send(b" ")
        app.drain(1.0)
        app.send(after)
    app.drain(1.5)  # the first epochs', and a dialog's, settling
    cpu, ui, start = app.cpu_seconds(), app.cpu_seconds(ui_thread=True), time.perf_counter()
    count = app.drain(seconds)
    wall = time.perf_counter() - start
    cpu, ui = app.cpu_seconds() - cpu, app.cpu_seconds(ui_thread=True) - ui
    app.close()
    return count / 1024 / seconds, 100 * cpu / wall, 100 * ui / wall


def steady(seconds: float, against: str | None, only: str) -> None:
    sources = {"this": None} if against is None else {"before": against, "after": None}
    print(f"Over {seconds:g} s once settled, at 80x24 (TERM=xterm-256color): KiB/s written to the")
    print("terminal; CPU, % of a core for the whole app; UI, its UI thread's alone")
    print(f"{'':36}" + "".join(f"{name:^22}" for name in sources))
    print(f"{'case':36}" + f"{'KiB/s':>8}{'CPU':>7}{'UI':>7}" * len(sources))
    for case, flags, before, after in STEADY:
        if only not in case:
            continue
        figures = [steady_rate(flags, before, after, seconds, source) for source in sources.values()]
        print(
            f"{case:36}" + "".join(f"{kib:8.1f}{cpu:6.1f}%{ui:6.1f}%" for kib, cpu, ui in figures),
            flush=True,
        )


def key_seconds(training: bool, presses: int, source: str | None) -> list[float]:
    """Seconds from writing `<` to the status showing the pace, ``presses`` times in one app."""
    app = Pty("--epochs", "100000", source=source)
    app.read_until(first_frame_shown)
    app.drain(1.0)
    if training:
        app.send(b" ")
        app.drain(1.5)
    seconds = []
    for _ in range(presses):
        app.seen = b""
        app.send(b"<")
        taken, _ = app.read_until(lambda seen: b"at 100/s" in seen, timeout=10)
        seconds.append(taken)
        app.drain(0.3)
        app.send(b">")  # back to full speed
        app.drain(0.7)
    app.close()
    return seconds


def keys(presses: int, against: str | None) -> None:
    sources = {"this": None} if against is None else {"before": against, "after": None}
    print(f"ms from writing < to the status showing it, {presses} presses, at {COLS}x{ROWS}")
    for training in (False, True):
        for name, source in sources.items():
            ms = sorted(1000 * s for s in key_seconds(training, presses, source))
            p90 = ms[int(0.9 * (len(ms) - 1))]
            case = "training at full speed" if training else "idle"
            print(f"{case:24}{name:8} median {statistics.median(ms):6.1f}  p90 {p90:6.1f}  max {ms[-1]:6.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=9, help="speed rounds (the rest: a third as many)")
    parser.add_argument("--steady", action="store_true", help="bytes a second once settled, case by case")
    parser.add_argument("--seconds", type=float, default=8.0, help="--steady: seconds measured a case")
    parser.add_argument("--against", metavar="DIR", help="--steady: also measure the nnplay in DIR")
    parser.add_argument(
        "--only", metavar="TEXT", default="", help="--steady: the cases whose name holds TEXT"
    )
    parser.add_argument("--keys", type=int, metavar="N", help="ms from a key to its effect, N presses")
    args = parser.parse_args()
    if args.keys:
        keys(args.keys, args.against)
        return
    if args.steady:
        steady(args.seconds, args.against, args.only)
        return
    rows: dict[str, list[float]] = defaultdict(list)
    # This machine's speed drifts by a quarter over seconds, so speed is compared in many
    # short headless/app pairs and the median of the pairs' ratios is reported.
    for _ in range(args.rounds):
        rows["headless"].append(args.epochs / headless_seconds(args.epochs))
        speed, kib = train_in_app(args.epochs)
        rows["app"].append(speed)
        rows["KiB/s"].append(kib)
        rows["ratio"].append(speed / rows["headless"][-1])
    for _ in range(max(1, args.rounds // 3)):
        app = Pty("--epochs", str(args.epochs))
        first, _ = app.read_until(first_frame_shown)
        rows["first"].append(first)
        app.drain(1.0)
        cpu = app.cpu_seconds()
        app.drain(5.0)
        rows["idle"].append(100 * (app.cpu_seconds() - cpu) / 5.0)
        rows["rss"].append(app.rss_mib())
        app.send(b" ")
        app.read_until(lambda seen: b"finished" in seen[-4000:], timeout=600)
        rows["rss_trained"].append(app.rss_mib())
        app.close()
        rows["KiB/s slow"].append(train_in_app(args.epochs, "--low-bandwidth", "--no-mouse")[1])
        restored, gone = quit_while_training()
        rows["restored"].append(restored)
        rows["quit"].append(gone)
    for key in VIEW_KEYS:  # once each: a view's cost is bytes, which vary little
        opened, training = view_bytes(key)
        rows[f"open {key}"].append(opened)
        rows[f"under {key}"].append(training)
    med = {k: statistics.median(v) for k, v in rows.items()}
    lo, hi = min(rows["ratio"]), max(rows["ratio"])
    print(f"{args.rounds} rounds, {args.epochs} epochs of the tutorial's experiment, terminal {COLS}x{ROWS}")
    print(f"headless nnplay train   {med['headless']:8.1f} epochs/s")
    print(f"in the app              {med['app']:8.1f} epochs/s")
    spread = f"median of pairs, from {lo:.0%} to {hi:.0%}; target >= 85%"
    print(f"  app / headless        {med['ratio']:8.0%} ({spread})")
    print(f"written to the terminal {med['KiB/s']:8.1f} KiB/s while training (target <= 16)")
    print(f"  with --low-bandwidth  {med['KiB/s slow']:8.1f} KiB/s")
    print(f"first frame             {med['first']:8.2f} s to the digit and its 10 percentages (target < 1)")
    print(f"idle CPU                {med['idle']:8.2f} % of a core")
    print(
        f"quit mid-run            {med['restored']:8.2f} s from q to the terminal restored, "
        f"{med['quit']:.2f} s to the process gone (target < 0.5)"
    )
    print(f"resident memory         {med['rss']:8.1f} MiB idle, {med['rss_trained']:.1f} MiB after training")
    for key, name in VIEW_KEYS.items():
        print(
            f"{name + ' view (' + key + ')':24}{med[f'open {key}']:8.1f} KiB to open, "
            f"{med[f'under {key}']:.1f} KiB/s while training under it"
        )


if __name__ == "__main__":
    main()
