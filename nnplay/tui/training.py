"""Training in a thread worker, and what the UI does with its messages.

A mixin of NnplayApp: it uses the app's session, state and panes. The thread
never touches widgets: it pulls records from the session and posts throttled
copies of the figures (messages.Progress), then a Stopped message.
"""

from __future__ import annotations

import math
import threading
import time

from textual import work
from textual.timer import Timer
from textual.worker import get_current_worker

from nnplay.core.hints import barely_learning, guessing_accuracy, guessing_loss, no_better_than_guessing
from nnplay.core.history import History
from nnplay.core.train import Diverged, EpochStats, StepStats
from nnplay.tui.cover import hidden
from nnplay.tui.guards import GuardsMixin
from nnplay.tui.messages import Progress, Stopped
from nnplay.tui.session import Session
from nnplay.tui.views.base import View
from nnplay.tui.widgets.controls import Status, TrainingControls
from nnplay.tui.widgets.digit_viewer import DigitViewer
from nnplay.tui.widgets.loss_plot import MetricPlot

POST_EVERY = 0.5
"""Seconds between progress messages from the training thread (2 Hz): each costs the
training thread the UI thread's time to redraw, and the terminal bytes."""
PLOT_EVERY = 1.0
"""Seconds between plot redraws while training: a redraw rewrites most of the pane."""
SLOW_LINK = {"post_every": 2.0, "plot_every": 5.0}
"""The low-bandwidth mode's rates: a quarter of the status updates, a fifth of the plots."""
MAX_POINTS = 160
"""Epochs drawn per curve: about what a plot pane can show; more only costs time."""
PACES = (None, 100, 30, 10, 3, 1, 0.3, 0.1)
"""Epochs per second that < and > step through; None is as fast as the machine goes.
At a pace the epoch's steps are spread evenly over it, so the slowest paces let a
class watch the digit's probabilities move batch by batch."""


EACH_STEP_HZ = 10.0
"""At a pace this slow in steps a second (digits at 0.1 epochs a second: 4.5 with batch 32,
9 with batch 16), every step is posted, so a class sees each batch move the digit's
probabilities, not every second or third; faster, updates come twice a second."""


def posts_each_step(pace: float | None, batches: int, post_every: float) -> bool:
    """Whether every step gets its own progress message: at the slowest paces, unless the
    link is slow (post_every above POST_EVERY: the user asked for fewer bytes)."""
    return pace is not None and pace * batches <= EACH_STEP_HZ and post_every <= POST_EVERY


VIEW_EVERY = 0.4
"""Seconds between a look-inside view's redraws at a pace: at the slowest, every other step
of 4.5 a second (digits, batch 32), where the main screen's digit shows each. A view redrawn
at each step cost the UI thread 5-8% of a core (the weights' tiles most), on a server shared
by a class."""


PACE_NOTE_SECONDS = 2.0
"""How long a pace notice shows."""
PACE_SETTLE_SECONDS = 0.5
"""A burst of < or > presses gets one notice, of the pace it ends at, this long after the
last press: a notice per press stacked eight over the panes, and some stuck there."""


class TrainingMixin(GuardsMixin):
    """Start, pause, step and reset; the worker; progress and stop messages."""

    # Set up by NnplayApp.__init__:
    session: Session
    state: str
    pace: float | None
    _pace_note: Timer | None
    _cure: str
    post_every: float
    plot_every: float
    _pause: threading.Event
    _run: int
    _stepping: bool
    _steps_queued: int
    _last_plot: float
    _last_view: float
    _progress: Progress | None
    _panes_behind: bool

    def _show_status(self) -> None:
        raise NotImplementedError  # NnplayApp draws the status

    def _show_output(self) -> None:
        raise NotImplementedError  # NnplayApp draws the digit's probabilities

    def _after_rebuild(self) -> None:
        raise NotImplementedError  # NnplayApp brings the panes in line

    def _refresh_views(self) -> None:
        """Redraw the look-inside view, if one is open: on top, or under a dialog (ctrl+o)."""
        for screen in self.screen_stack:
            if isinstance(screen, View):
                screen.refresh_from_session()

    def _drop_notices(self, keep: tuple[str, ...]) -> None:
        """Take down the notices shown, but those of a severity in ``keep``."""
        for notice in [n for n in self._notifications if n.severity not in keep]:
            self._unnotify(notice)

    def action_toggle_training(self) -> None:
        if self.state == "running":
            self._pause.set()
            # Paused from now: a second press before the worker stops starts a new run (the
            # old one's Stopped is then stale) instead of pausing again.
            self.state = "paused"
            self._show_status()
        elif self._draft_waits():
            pass
        elif self.state in ("ready", "paused"):
            self._start(None)
        elif self.state == "finished":
            self._say_finished()
        elif self.state == "diverged":  # from the weights put back, with the settings as they are now
            self.session.recover()
            self.clear_notifications()  # the divergence notice, over the panes to watch now
            self._start(None)
        elif self.state == "failed":
            self._say_failed()

    def action_step(self) -> None:
        if self.state == "running":
            self._pause.set()  # a step while running pauses, as a debugger's step does
            self.state = "paused"
            self._show_status()
        elif self._stepping:  # a burst of s: every press is a step, none cancels another
            self._steps_queued += 1
        elif self._draft_waits():
            pass
        elif self.state in ("ready", "paused", "diverged"):
            if self.state == "diverged":
                self.session.recover()
            self._start(1)
        elif self.state == "finished":
            self._say_finished()
        elif self.state == "failed":
            self._say_failed()

    def _say_if_no_better_than_guessing(self) -> None:
        """A run that ends where it began (lr 1 with sgd kills the relu units: 7.8%) says so,
        and where to look, rather than leave the numbers to speak."""
        history = self.session.history()
        trainer = self.session.trainer
        if trainer is None or not len(history.test_acc) or history.test_acc[-1] != history.test_acc[-1]:
            return  # nothing trained, or regression (NaN)
        test = float(history.test_acc[-1])
        if no_better_than_guessing(trainer.net.spec, test):
            chance = guessing_accuracy(trainer.net.spec) or 0.0
            self.notify(
                f"Test accuracy {100 * test:.1f}% is no better than guessing ({100 * chance:.0f}%): "
                "i, the inspector, says what to change.",
                severity="warning",
                timeout=12,
            )
        elif barely_learning(history.loss, guessing_loss(trainer.net.spec)):  # classifiers only, here
            # lr 0.0001: a smooth fall on a log axis from 2.61 to 2.08 looked like learning
            guessing = guessing_loss(trainer.net.spec)
            self.notify(
                f"The loss is still {float(history.loss[-1]):.3g} after {len(history.loss)} epochs, "
                f"near guessing's {guessing:.3g}: i, the inspector, says what to change.",
                severity="warning",
                timeout=12,
            )

    def _say_finished(self) -> None:
        self.notify("Training has reached its epochs: raise epochs, or r to start again.")

    def _say_failed(self) -> None:
        """After an error: the network may stand partway through a step, so training does not
        carry on from it; say what does."""
        if self.session.ready:
            self.notify(
                "Training stopped by an error and cannot carry on from this network: ctrl+s saves "
                "it, r starts a fresh one.",
                severity="warning",
            )
        else:
            self.notify("The data could not be loaded, so there is nothing to train: ctrl+q quits.")

    def _start(self, steps: int | None) -> None:
        self._pause.clear()
        self._refused = ("", -math.inf)  # training more since a refusal: the next press asks again
        self._run += 1
        self._stepping = steps is not None
        if steps is None:
            self._steps_queued = 0
        # What r, a load, a data set or a save said is read by now; it sat over the Loss pane
        # for 4-8 s, and the tutorial's 100 epochs take about 3: the run was drawn under it.
        # A warning or an error stays (why the last run went wrong, what could not be kept).
        self._drop_notices(keep=("warning", "error"))
        self.state = "running" if steps is None else self.state
        self._show_status()
        self.train(steps, self._run)

    @work(thread=True, exclusive=True, group="train", exit_on_error=False)
    def train(self, steps: int | None, run: int = 0) -> None:
        """Pull records from the session until paused, done or cancelled; post throttled copies."""
        worker = get_current_worker()
        session = self.session
        generation = session.generation
        why, detail, cure = "stepped" if steps else "paused", "", ""
        taken, samples, loss = 0, 0, None
        position: tuple[int, int] | None = None  # how far into its epoch the latest step was
        last_post = due = time.perf_counter()  # due: when the next step may start, at a pace
        speed: float | None = None  # samples a second lately: a change of batch size shows at once
        try:
            while not worker.is_cancelled and not self._pause.is_set():
                record = session.next_record()
                if record is None:
                    why = "finished"
                    break
                if isinstance(record, Diverged):
                    why, detail, cure = "diverged", record.reason, record.cure
                    break
                pace = self.pace if steps is None else None
                if isinstance(record, EpochStats) and pace:
                    # Each epoch's point as it comes, at slow paces; at fast ones (or on a slow
                    # link) no oftener than post_every: the next due post carries it anyway.
                    if time.perf_counter() - last_post >= self.post_every:
                        self.post_message(self._progress_message(generation, loss, None, position))
                        last_post, samples = time.perf_counter(), 0
                    continue
                if isinstance(record, StepStats):
                    taken += 1
                    loss, position = record.loss, (record.batch + 1, record.batches)
                    samples += session.config.batch_size
                    # a single step that ends an epoch also takes the epoch's record
                    if steps is not None and taken >= steps and record.batch < record.batches - 1:
                        break
                    if pace:  # the epoch's steps spread evenly over 1 / pace seconds
                        due = max(due + 1 / (pace * record.batches), time.perf_counter() - 0.1)
                        self._pause.wait(max(0.0, due - time.perf_counter()))
                elif steps is not None and taken >= steps:
                    break
                now = time.perf_counter()
                each_step = isinstance(record, StepStats) and posts_each_step(
                    pace, record.batches, self.post_every
                )
                if each_step or now - last_post >= self.post_every:
                    recent = samples / (now - last_post)
                    speed = recent if speed is None else (speed + recent) / 2  # smoothed a little
                    self.post_message(self._progress_message(generation, loss, speed, position))
                    last_post, samples = now, 0
            if why in ("paused", "stepped") and not worker.is_cancelled:
                diverged = session.check_paused()  # the last step's update is not checked yet
                if diverged is not None:
                    why, detail, cure = "diverged", diverged.reason, diverged.cure
            if why != "stepped" and not worker.is_cancelled and session.generation == generation:
                session.keep_as_it_runs(ended=True)  # a network looked at for an hour, then kill -9
        except Exception as e:  # shown in the app, never as a traceback over the screen
            why, detail = "failed", f"{type(e).__name__}: {e}"
        if taken:  # else nothing changed, and the last message's figures still hold
            self.post_message(self._progress_message(generation, loss, None, position))
        self.post_message(Stopped(generation, run, why, detail, cure))

    def _progress_message(
        self, generation: int, loss: float | None, speed: float | None, position: tuple[int, int] | None
    ) -> Progress:
        return Progress(generation, loss, self.session.history(MAX_POINTS), speed, position)

    def on_progress(self, message: Progress) -> None:
        if message.generation != self.session.generation:
            return  # about a network that has since been rebuilt
        self._progress = message
        now = time.monotonic()
        view_every = self.plot_every if self.pace is None else VIEW_EVERY
        if message.samples_per_s is None or now - self._last_view >= view_every:
            # at full speed, at the plots' rate, not the status's: a view rewrites most of the
            # screen (28 KB a frame for the weights at 80x24, 56 KB/s at the status's rate). At
            # a pace, oftener, but not at each step the slowest post (VIEW_EVERY).
            self._last_view = now
            self._refresh_views()
        plots = message.samples_per_s is None or now - self._last_plot >= self.plot_every
        self._draw_panes(message.history if plots else None)

    def _draw_panes(self, history: History | None) -> None:
        """Draw the latest progress in the panes, and ``history`` in the plots (None: not
        now). A pane that a view or dialog hides is not drawn: Textual repaints what it
        changes on the view over it (a second frame of the whole view, 28 KB for the weights,
        for every message) or through the dialog's shade (three times the UI's CPU under
        the help). It catches up when it shows again (_panes_shown)."""
        behind = False
        for pane, draw in (
            (self.query_one(Status), self._show_status),
            (self.query_one(DigitViewer), self._show_output),
        ):
            if hidden(pane):
                behind = True
            else:
                draw()
        if history is not None:
            self._last_plot = time.monotonic()
            for plot in self.query(MetricPlot):
                if plot.display and hidden(plot):
                    behind = True
                elif plot.display:
                    plot.update(history)
        self._panes_behind = self._panes_behind or behind

    def _panes_shown(self, screen: object) -> None:
        """Another screen is on top (Textual's screen_change_signal): the panes draw the
        progress they missed while hidden, those that show now."""
        if self._panes_behind:
            self._panes_behind = False
            self._draw_panes(self._progress.history if self._progress is not None else None)

    def on_stopped(self, message: Stopped) -> None:
        if message.generation != self.session.generation or message.run != self._run:
            return  # a run that was cancelled for a newer one, or a network since replaced
        self._stepping = False
        if message.why == "stepped" and self._steps_queued:
            steps, self._steps_queued = self._steps_queued, 0
            self._start(steps)
            return
        if message.why == "finished" or (message.why == "stepped" and self.session.finished):
            self.state = "finished"  # a step that ended the last epoch too: not "paused, 2/2"
            self.query_one(TrainingControls).drop_note()
            self._say_if_no_better_than_guessing()
        elif message.why == "diverged":
            self.state = "diverged"
            self._cure = message.cure  # in the status while diverged: the notice goes
            # The last step and batch loss are of steps the trainer undid: keep only the epochs.
            self._progress = self._progress_message(self.session.generation, None, None, None)
            self.notify(message.detail, title="Training diverged", severity="error", timeout=20)
        elif message.why == "failed":
            self.state = "failed"
            self.notify(f"Training stopped: {message.detail}", severity="error", timeout=30)
        else:
            self.state = "paused"
        for plot in self.query(MetricPlot):
            plot.update(self.session.history(MAX_POINTS))
        self._show_status()
        self._refresh_views()

    def _stop_training(self) -> None:
        self._pause.set()
        self._run += 1  # what the cancelled worker still posts is stale
        self._stepping, self._steps_queued = False, 0
        self.workers.cancel_group(self, "train")

    def action_reset(self) -> None:
        if not self.session.ready or self._draft_waits():  # a fresh network, but which one?
            return
        why = self._unkept("reset")
        if why:
            self._warn_unkept(why, "r again resets")
            return
        self._stop_training()
        kept = self.session.rebuild()
        self._after_rebuild()
        self.clear_notifications()  # a divergence warning is about the network just replaced
        # Said in the Training pane, not over the Loss pane: at 80x24 this notice and the one
        # on the network kept covered the plot of the new run for 8 s. The run before is
        # named in the plots' titles; in a notice only where a title cuts it short.
        self._say_in_training_pane(kept or f"A fresh network from seed {self.session.config.seed}")
        self._say_with_earlier("A fresh network", alone=False)

    def _say_with_earlier(self, note: str, alone: bool = True) -> None:
        """Notify ``note``, and the whole label of the run drawn in grey behind this one's
        curves, if there is one: the plots' titles may be too narrow for all of it.
        ``alone``: say ``note`` even with no earlier run, or one whose label fits."""
        plot = self.query_one("#loss-plot", MetricPlot)  # given the earlier run by _after_rebuild
        if plot.earlier is not None and (alone or plot.label_cut):
            self.notify(f"{note}; grey: the run before ({plot.earlier_label}).", timeout=4)
        elif alone:
            self.notify(note + ".", timeout=3)

    def action_pace(self, step: int) -> None:
        """Slow training down (step 1) or speed it up (-1), to watch it learn."""
        at = PACES.index(self.pace)
        self.pace = PACES[max(0, min(len(PACES) - 1, at + step))]
        self._show_status()  # at once; the notice waits for the last of a burst
        if self._pace_note is not None:
            self._pace_note.stop()
        self._pace_note = self.set_timer(PACE_SETTLE_SECONDS, self._say_pace)

    def _say_pace(self) -> None:
        self._pace_note = None
        # The pace before is out of date: its notice goes (four presses a second apart stacked
        # three over the panes).
        for old in [n for n in self._notifications if n.message.startswith("Pace: ")]:
            self._unnotify(old, refresh=False)
        pace = self.pace
        if pace is None:
            self.notify("Pace: full speed", timeout=PACE_NOTE_SECONDS)
        else:
            self.notify(f"Pace: {pace:g} epoch{'s' if pace != 1 else ''} a second", timeout=PACE_NOTE_SECONDS)
