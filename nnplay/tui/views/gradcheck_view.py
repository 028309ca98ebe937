"""The gradient check, in the app: this network's backward() against finite differences.

The check runs nnplay.core.gradcheck on a float64 copy of the network in a
thread worker, reporting which array it is nudging; a network too large to
check whole in a few seconds gets a seeded sample of each array's parameters.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import ProgressBar, Static
from textual.worker import Worker, WorkerState, get_current_worker

from nnplay.core.gradcheck import (
    EPS,
    RETRY_EPS,
    SUSPICIOUS,
    TOLERANCE,
    SampledCheck,
    check_network_sample,
    nothing_compared,
    sample_size,
    verdict,
)
from nnplay.data import DATASETS
from nnplay.tui.session import Session
from nnplay.tui.views.base import View, keys_hint, trained_label

ROWS = 8
"""Training samples the loss is taken over: enough to exercise every unit, cheap to repeat."""
SEED = 0
"""Seeds the choice of parameters when only a sample is checked, so a rerun checks the same ones."""
PROGRESS_EVERY = 0.1
"""Seconds between progress reports from the worker."""
KEYS = (("g", "check again"), ("↑↓", "scroll"), ("esc", "back"))
"""The view's keys and what they do, for the border's subtitle."""
MARKS = {"ok": "✓", "suspicious": "?", "wrong": "✗"}
"""A symbol beside each verdict word, so neither colour nor the symbol stands alone."""
STYLES = {"ok": "bold green", "suspicious": "bold yellow", "wrong": "bold red"}
ANSI_STYLES = {"ok": "bold", "suspicious": "bold magenta", "wrong": "bold red"}
"""With the terminal's own colours, whose ground may be white: its yellow and green were faint
there (1.7:1, 2.2:1; bold shown bright, 1.1:1), where magenta and red read on black and white."""


def sci(x: float) -> str:
    """1e-06 as 1e-6: powers of ten as people write them."""
    return f"{x:.0e}".replace("e-0", "e-").replace("e+0", "e")


SOFTENED = (
    'whose targets are mixed half and half with "every class alike" (a network sure of its '
    "answers has a loss too near 0 to difference)"
)
"""How a classifier's targets are taken (nnplay.core.gradcheck.softened); regression's are
left as they are."""

EXPLANATION = f"""\
How it works: each parameter w in turn is nudged by ε = {sci(EPS)} up and down and the \
loss recomputed, on training samples {{targets}}; the \
central difference (L(w+ε) − L(w−ε)) / 2ε is the slope that forward() implies. It is \
compared with the gradient backward() computed, as \
‖backward − numeric‖ / (‖backward‖ + ‖numeric‖) over each W and b. An array that \
disagrees is checked again with ε of {", ".join(sci(e) for e in RETRY_EPS)} and keeps its \
best agreement: at a small ε a tiny gradient (a deep sigmoid network's first layers) is lost \
in the loss's rounding. A right backward() agrees at some ε; a wrong one at none.

About 1e-9 or less, rounding alone, means backward() computes exactly the derivative \
forward() implies. \
Up to {sci(TOLERANCE)} is "ok"; above {sci(SUSPICIOUS)} is "wrong": a bug in a backward(). \
Between is "suspicious": most likely rounding, where a gradient is too tiny to difference (a \
deep sigmoid network's first layer), or a ReLU input within ε of 0, where the slope jumps; \
a backward() off by 0.01% would look the same.

Why float64: float32 keeps about 7 significant digits, so L(w+ε) − L(w−ε), a change of \
about 1e-6 of the loss, would be mostly rounding; float64 keeps about 16. Training itself \
runs in float32."""


@dataclass(frozen=True)
class Outcome:
    """A finished check."""

    checks: list[SampledCheck]  # one per dense W and b, first layer first
    epoch: int  # epochs trained when the snapshot was taken
    trained: str  # the same, for a person: "epoch 4", or "epoch 4 + 14 steps" into the next
    rows: int  # training samples the loss was taken over
    n_params: int  # parameters in the network
    seconds: float  # how long the check took


class GradcheckView(View):
    """Runs the gradient check when opened (and on g), then shows each array's verdict."""

    BINDINGS = [Binding("g,enter", "check", "Check again")]

    class Progressed(Message):
        """Check number ``run`` is nudging parameter ``done`` of ``total``, in array ``name``."""

        def __init__(self, run: int, name: str, done: int, total: int) -> None:
            super().__init__()
            self.run = run
            self.name = name
            self.done = done
            self.total = total

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, GradcheckView.Progressed)

    class Checked(Message):
        """Check number ``run`` has finished one array."""

        def __init__(self, run: int, check: SampledCheck) -> None:
            super().__init__()
            self.run = run
            self.check = check

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.outcome: Outcome | None = None
        """The latest finished check, or None while the first runs."""
        self.running = False
        """A check is under way."""
        self.run = 0
        """Counts the checks started, so reports from an abandoned one are ignored."""
        self.partial: list[SampledCheck] = []
        """The arrays the running check has finished."""
        self.generation = -1
        """The session's generation (which network) the latest check was started on."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="gradcheck-body"):
            yield Static(id="gradcheck-status")
            yield ProgressBar(id="gradcheck-progress", show_eta=False)
            yield Static(id="gradcheck-results")
            yield Static(id="gradcheck-explanation")

    def on_mount(self) -> None:
        body = self.query_one("#gradcheck-body")
        body.border_title = "Gradient check"
        body.border_subtitle = keys_hint(KEYS)
        body.focus()
        self.action_check()

    def on_unmount(self) -> None:
        self.workers.cancel_node(self)  # the worker stops at its next nudge

    def refresh_from_session(self) -> None:
        """Check again when the network is a new one (another data set, r, a file loaded, or
        built at last), never left showing the last one's; training alone waits for g, as a
        check takes seconds."""
        if self.session.ready and self.session.generation != self.generation:
            self.action_check()

    # -- running the check -----------------------------------------------------------------

    def action_check(self) -> None:
        if not self.session.ready:
            self._status(Text("The network is still being built…"))
            return
        regression = DATASETS[self.session.config.dataset].loss == "mse"
        targets = "with their targets as they are" if regression else SOFTENED
        self.query_one("#gradcheck-explanation", Static).update(EXPLANATION.format(targets=targets))
        self.generation = self.session.generation
        self.running = True
        self.run += 1
        self.partial = []
        self.query_one("#gradcheck-body").border_title = "Gradient check"  # until this one's count
        self._status(Text("▶ starting the check…", style="bold"))
        self.query_one(ProgressBar).update(total=None, progress=0)
        self._show_results([])
        self.run_check(self.run)

    @work(thread=True, exclusive=True, group="gradcheck", exit_on_error=False)
    def run_check(self, run: int) -> Outcome | None:
        worker = get_current_worker()
        session = self.session
        net = session.snapshot(np.float64)
        epoch, trained = session.counts().epoch, trained_label(session)
        X, Y = session.arrays("train")
        x, y = X[:ROWS], Y[:ROWS]
        last, last_name = 0.0, ""

        def progress(name: str, done: int, total: int) -> None:
            nonlocal last, last_name
            now = time.monotonic()
            if now - last >= PROGRESS_EVERY or name != last_name:  # and as each array starts
                last, last_name = now, name
                self.post_message(self.Progressed(run, name, done, total))

        def checked(check: SampledCheck) -> None:
            self.post_message(self.Checked(run, check))

        started = time.perf_counter()
        checks = check_network_sample(
            net,
            x,
            y,
            sample_size(net),
            np.random.default_rng(SEED),
            progress=progress,
            stop=lambda: worker.is_cancelled,
            on_check=checked,
        )
        if worker.is_cancelled:
            return None
        return Outcome(checks, epoch, trained, len(x), net.n_params, time.perf_counter() - started)

    def on_gradcheck_view_progressed(self, message: Progressed) -> None:
        if not self.running or message.run != self.run:
            return  # a late report from a check that has finished or been abandoned
        self._status(
            Text(
                f"▶ checking {message.name} … ({message.done:,} of {message.total:,} parameters)",
                style="bold",
            )
        )
        self.query_one(ProgressBar).update(total=message.total, progress=message.done)
        self._show_results(self.partial, message.name)

    def on_gradcheck_view_checked(self, message: Checked) -> None:
        if self.running and message.run == self.run:
            self.partial.append(message.check)
            self._show_results(self.partial)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group != "gradcheck":
            return
        if event.state == WorkerState.SUCCESS and isinstance(worker.result, Outcome):
            self.running = False
            self.outcome = worker.result
            self._show(worker.result)
        elif event.state == WorkerState.ERROR:
            self.running = False
            self._status(Text(f"✗ the check failed: {type(worker.error).__name__}: {worker.error}"))

    # -- drawing ---------------------------------------------------------------------------

    def _status(self, text: Text) -> None:
        self.query_one("#gradcheck-status", Static).update(text)

    def _show_results(self, checks: list[SampledCheck], checking: str = "") -> None:
        table = results_table(checks, checking, self.app.ansi_color)
        self.query_one("#gradcheck-results", Static).update(table)

    def _show(self, outcome: Outcome) -> None:
        bar = self.query_one(ProgressBar)
        total = sum(c.checked for c in outcome.checks)
        bar.update(total=total, progress=total)
        words = [verdict(c.error) for c in outcome.checks]
        sampled = any(c.checked < c.total for c in outcome.checks)
        text = Text()
        if all(w == "ok" for w in words):
            text.append("✓ every backward() agrees with finite differences", style="bold")
        elif "wrong" in words:
            bad = words.count("wrong")
            text.append(f"✗ {bad} of {len(words)} arrays disagree: see below", style="bold")
        else:  # only "suspicious": rounding or a ReLU kink, as the explanation below says
            odd = words.count("suspicious")
            text.append(f"? none wrong; {odd} of {len(words)} suspicious, most likely rounding", style="bold")
        text.append(
            # "samples", not "training samples": partway into an epoch ("epoch 100 + 14 steps")
            # the line no longer fitted 80 columns, and its "s" of seconds wrapped alone; the
            # explanation below says they are training samples
            f"\n{total:,} of {outcome.n_params:,} parameters · {outcome.rows} samples"
            f" · {outcome.trained} · {outcome.seconds:.1f} s"
        )
        zero = nothing_compared(outcome.checks, outcome.rows)
        if zero:
            text.append(f"\n{zero}", style="italic")
        if sampled:
            text.append(
                "\nA seeded random sample of each array (g checks the same ones): "
                f"all {outcome.n_params:,} would take about "
                f"{_duration(outcome.seconds * outcome.n_params / total)}.",
                style="italic",
            )
        self._status(text)
        checked = f"sample of {outcome.n_params:,}" if sampled else f"{outcome.n_params:,}"
        body = self.query_one("#gradcheck-body")
        body.border_title = f"Gradient check · {checked} parameters, float64"
        self._show_results(outcome.checks)


def results_table(checks: list[SampledCheck], checking: str = "", ansi: bool | None = False) -> Table:
    """One row per array: name, parameters checked, relative error, verdict; then, if
    ``checking`` names one, a row for the array being checked now. ``ansi``: in the
    terminal's own colours."""
    styles = ANSI_STYLES if ansi else STYLES
    table = Table(box=None, padding=(0, 2, 0, 0), show_edge=False, header_style="bold")
    table.add_column("array")
    table.add_column("checked", justify="right")
    table.add_column("relative error", justify="right")
    table.add_column("verdict")
    for c in checks:
        word = verdict(c.error)
        checked = f"{c.checked:,}" if c.checked == c.total else f"{c.checked:,} of {c.total:,}"
        said = Text(f"{MARKS[word]} {word}", style=styles[word])
        if c.zero:  # 0 against 0: ok, but the check showed nothing (the status says why)
            said.append(" (all 0)", style="italic")
        table.add_row(c.name, checked, f"{c.error:.1e}", said)
    if checking:
        table.add_row(checking, "", "", Text("▶ checking…", style="bold"))
    return table


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} minutes"
