"""The nnplay app: panes over one Session, training in a thread worker."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable
from dataclasses import replace

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from nnplay import data
from nnplay.core.config import ConfigError, TrainConfig
from nnplay.core.losses import LOSSES
from nnplay.core.serialize import Saved, SaveFileError, check_writable, load
from nnplay.core.train import Diverged, EpochStats, StepStats
from nnplay.tui.messages import Loaded, Progress, Stopped
from nnplay.tui.session import Session
from nnplay.tui.views.base import View
from nnplay.tui.widgets.architecture import ArchitectureEditor
from nnplay.tui.widgets.controls import TrainingControls
from nnplay.tui.widgets.digit_viewer import DigitViewer
from nnplay.tui.widgets.file_dialog import FileDialog
from nnplay.tui.widgets.loss_plot import MetricPlot

POST_EVERY = 0.5
"""Seconds between progress messages from the training thread (2 Hz): each costs the
training thread the UI thread's time to redraw, and the terminal bytes."""
PLOT_EVERY = 1.0
"""Seconds between plot redraws while training: a redraw rewrites most of the pane."""
SLOW_LINK = {"post_every": 2.0, "plot_every": 5.0}
"""The low-bandwidth mode's rates: a quarter of the status updates, a fifth of the plots."""
LOW_BANDWIDTH_ENV = "NNPLAY_LOW_BANDWIDTH"
"""Set to 1 (or any value but 0) to start in the low-bandwidth mode."""
WIDE = 120
"""Terminal width from which loss and accuracy are drawn side by side."""
SMALLEST = (76, 20)
"""The smallest terminal the panes fit in; below it the app says so instead."""
MAX_POINTS = 160
"""Epochs drawn per curve: about what a plot pane can show; more only costs time."""
PACES = (None, 100, 30, 10, 3, 1)
"""Epochs per second that < and > step through; None is as fast as the machine goes."""

STATES = {
    "loading": "… loading",
    "ready": "○ ready: space trains",
    "running": "▶ running",
    "paused": "‖ paused",
    "finished": "■ finished",
    "diverged": "✗ diverged: r resets",
    "failed": "✗ stopped by an error",
}


class NnplayApp(App[None]):
    """Build a network, train it, and watch it learn."""

    CSS_PATH = "app.tcss"
    TITLE = "nnplay"
    BINDINGS = [
        Binding("space", "toggle_training", "Start/pause"),
        Binding("s", "step", "Step"),
        Binding("r", "reset", "Reset"),
        Binding("p", "toggle_plot", "Loss/acc"),
        Binding("less_than_sign", "pace(1)", "Slower", show=False),
        Binding("greater_than_sign", "pace(-1)", "Faster", show=False),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("ctrl+s", "save", "Save", show=False),
        Binding("ctrl+o", "open", "Open", show=False),
        Binding("q", "quit", "Quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
    ]

    def __init__(self, session: Session, low_bandwidth: bool = False, ansi: bool = False) -> None:
        super().__init__()
        self.session = session
        self.low_bandwidth = low_bandwidth
        """Fewer redraws and the terminal's own 16 colours, for slow links."""
        self.post_every = SLOW_LINK["post_every"] if low_bandwidth else POST_EVERY
        self.plot_every = SLOW_LINK["plot_every"] if low_bandwidth else PLOT_EVERY
        self.ansi = ansi or low_bandwidth
        self.state = "loading"
        """One of STATES."""
        self._pause = threading.Event()
        self.pace: int | None = None
        """At most this many epochs a second, to watch learning slowly; None: full speed."""
        self._last_plot = 0.0
        self._progress: Progress | None = None
        self._file = "nnplay.npz"
        """The file last saved or loaded: the dialogs offer it again."""

    # -- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        config = self.session.config
        output = LOSSES[data.DATASETS[config.dataset].loss].output_activation
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield ArchitectureEditor(config.layers, config.hidden_activations, output, id="architecture")
                yield TrainingControls(config, id="controls")
            with Vertical(id="right"):
                yield DigitViewer(id="digit")
                with Horizontal(id="plots"):
                    yield MetricPlot("loss", id="loss-plot")
                    yield MetricPlot("accuracy", id="accuracy-plot")
        yield Static(id="too-small")
        yield Footer()

    def on_mount(self) -> None:
        if self.ansi:
            self.theme = "ansi-dark"  # the terminal's own colours: the shortest escape codes
        self.query_one("#architecture").focus()
        self._fit(self.size.width, self.size.height)
        self._show_status()
        self.load()

    def on_resize(self, event) -> None:  # type: ignore[no-untyped-def]
        self._fit(event.size.width, event.size.height)

    def _fit(self, width: int, height: int) -> None:
        self.screen.set_class(width >= WIDE, "-wide")
        self.screen.set_class(width < SMALLEST[0] or height < SMALLEST[1], "-tiny")
        self.query_one("#too-small", Static).update(
            f"nnplay needs a terminal of at least {SMALLEST[0]}×{SMALLEST[1]}; "
            f"this one is {width}×{height}. Enlarge it, or q to quit."
        )

    # -- loading --------------------------------------------------------------------------

    @work(thread=True, group="load", exit_on_error=False)
    def load(self) -> None:
        # One BLAS thread: the UI needs the other core. Measured at 80x24, a second
        # BLAS thread fighting the UI thread cut training in the app to 64% of headless
        # speed; with one it ran at 93%.
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1, user_api="blas")
        try:
            self.session.load()
        except Exception as e:  # a damaged scikit-learn install, say: report it, stay up
            self.post_message(Loaded(f"could not load the data: {type(e).__name__}: {e}"))
        else:
            self.post_message(Loaded())

    def on_loaded(self, message: Loaded) -> None:
        if message.error:
            self.state = "failed"
            self.notify(message.error, severity="error", timeout=30)
            self._show_status()
            return
        self._after_rebuild()

    def _after_rebuild(self) -> None:
        """Bring every pane in line with a newly built network."""
        session = self.session
        self._progress = None
        self.state = "finished" if session.finished else ("paused" if session.summary()["epoch"] else "ready")
        config = session.config
        output = session.trainer.net.loss.output_activation if session.trainer else ""
        self.query_one(ArchitectureEditor).set_network(config.layers, config.hidden_activations, output)
        self.query_one(TrainingControls).set_config(config)
        viewer = self.query_one(DigitViewer)
        viewer.index = min(viewer.index, max(session.sample_count(viewer.which) - 1, 0))
        self._show_sample()
        history = session.history(MAX_POINTS)
        for plot in self.query(MetricPlot):
            plot.update(history)
        self._show_status()

    # -- training ---------------------------------------------------------------------------

    def action_toggle_training(self) -> None:
        if self.state == "running":
            self._pause.set()
        elif self.state in ("ready", "paused"):
            self._start(None)
        elif self.state == "finished":
            self.notify("Training has reached its epochs: raise epochs, or r to start again.")
        elif self.state == "diverged":
            self.notify("This run diverged: r resets the network.", severity="warning")

    def action_step(self) -> None:
        if self.state == "running":
            self._pause.set()  # a step while running pauses, as a debugger's step does
        elif self.state in ("ready", "paused"):
            self._start(1)

    def _start(self, steps: int | None) -> None:
        self._pause.clear()
        self.state = "running" if steps is None else self.state
        self._show_status()
        self.train(steps)

    @work(thread=True, exclusive=True, group="train", exit_on_error=False)
    def train(self, steps: int | None) -> None:
        """Pull records from the session until paused, done or cancelled; post throttled copies."""
        worker = get_current_worker()
        session = self.session
        generation = session.generation
        why, detail = "stepped" if steps else "paused", ""
        taken, samples, loss = 0, 0, None
        started = last_post = time.perf_counter()
        try:
            while not worker.is_cancelled and not self._pause.is_set():
                record = session.next_record()
                if record is None:
                    why = "finished"
                    break
                if isinstance(record, Diverged):
                    why, detail = "diverged", record.reason
                    break
                if isinstance(record, EpochStats) and self.pace and steps is None:
                    self.post_message(self._progress_message(generation, loss, None))
                    self._pause.wait(max(0.0, 1 / self.pace - (time.perf_counter() - last_post)))
                    last_post = time.perf_counter()
                    continue
                if isinstance(record, StepStats):
                    taken += 1
                    loss = record.loss
                    samples += session.config.batch_size
                    # a single step that ends an epoch also takes the epoch's record
                    if steps is not None and taken >= steps and record.batch < record.batches - 1:
                        break
                elif steps is not None and taken >= steps:
                    break
                now = time.perf_counter()
                if now - last_post >= self.post_every:
                    self.post_message(self._progress_message(generation, loss, samples / (now - started)))
                    last_post = now
        except Exception as e:  # shown in the app, never as a traceback over the screen
            why, detail = "failed", f"{type(e).__name__}: {e}"
        self.post_message(self._progress_message(generation, loss, None))
        self.post_message(Stopped(generation, why, detail))

    def _progress_message(self, generation: int, loss: float | None, speed: float | None) -> Progress:
        summary = self.session.summary()
        history = self.session.history(MAX_POINTS)
        return Progress(generation, summary["epoch"], summary["step"], loss, history, speed)

    def on_progress(self, message: Progress) -> None:
        if message.generation != self.session.generation:
            return  # about a network that has since been rebuilt
        self._progress = message
        self._show_status()
        self._show_output()
        if isinstance(self.screen, View):
            self.screen.refresh_from_session()
        now = time.monotonic()
        if message.samples_per_s is None or now - self._last_plot >= self.plot_every:
            self._last_plot = now
            for plot in self.query(MetricPlot):
                if plot.display:
                    plot.update(message.history)

    def on_stopped(self, message: Stopped) -> None:
        if message.generation != self.session.generation:
            return
        if message.why == "finished":
            self.state = "finished"
        elif message.why == "diverged":
            self.state = "diverged"
            self.notify(message.detail, title="Training diverged", severity="error", timeout=20)
        elif message.why == "failed":
            self.state = "failed"
            self.notify(f"Training stopped: {message.detail}", severity="error", timeout=30)
        else:
            self.state = "paused"
        for plot in self.query(MetricPlot):
            plot.update(self.session.history(MAX_POINTS))
        self._show_status()
        if isinstance(self.screen, View):
            self.screen.refresh_from_session()

    def _stop_training(self) -> None:
        self._pause.set()
        self.workers.cancel_group(self, "train")

    def action_reset(self) -> None:
        if not self.session.ready:
            return
        self._stop_training()
        self.session.rebuild()
        self._after_rebuild()
        self.notify("A fresh network from seed " + str(self.session.config.seed) + ".", timeout=3)

    # -- panes' requests -------------------------------------------------------------------

    def on_architecture_editor_applied(self, message: ArchitectureEditor.Applied) -> None:
        editor = self.query_one(ArchitectureEditor)
        candidate = replace(self.session.config, layers=message.layers, activation=message.activations)
        try:
            data.check(candidate)
        except ConfigError as e:
            editor.refuse(str(e).split(": ", 1)[-1])
            return
        if not self.session.ready:
            editor.refuse("the data is still loading")
            return
        self._stop_training()
        self.session.rebuild(candidate)
        self._after_rebuild()
        editor.message = f"rebuilt: {self.session.summary()['params']:,} parameters, training reset"

    def on_training_controls_changed(self, message: TrainingControls.Changed) -> None:
        controls = self.query_one(TrainingControls)
        try:
            candidate = self.session.config.with_text(message.name, message.text)
            data.check(candidate)
        except ConfigError as e:
            controls.refuse(str(e))
            return
        note = self.session.apply(candidate)
        controls.accept(candidate, note)
        if self.state == "finished" and not self.session.finished:
            self.state = "paused"
        elif self.state == "paused" and self.session.finished:
            self.state = "finished"
        self._show_status()

    def on_digit_viewer_moved(self, message: DigitViewer.Moved) -> None:
        self._show_sample()

    def on_digit_viewer_mistake_wanted(self, message: DigitViewer.MistakeWanted) -> None:
        if not self.session.ready:
            return
        index = self.session.next_mistake(message.which, message.index, message.step)
        if index is None:
            self.notify(f"The network gets every {message.which} sample right.", timeout=3)
            return
        self.query_one(DigitViewer).index = index
        self._show_sample()

    def _show_sample(self) -> None:
        viewer = self.query_one(DigitViewer)
        if not self.session.ready:
            return
        inputs, target = self.session.sample(viewer.which, viewer.index)
        output = self.session.predict(viewer.which, viewer.index)
        viewer.show(inputs, target, output, self.session.sample_count(viewer.which))

    def _show_output(self) -> None:
        viewer = self.query_one(DigitViewer)
        if self.session.ready and viewer.count:
            viewer.show_output(self.session.predict(viewer.which, viewer.index))

    # -- the rest ------------------------------------------------------------------------------

    def _show_status(self) -> None:
        summary = self.session.summary()
        text = Text()
        text.append(STATES[self.state], style="bold")
        text.append(f"   Epoch {summary['epoch']}/{summary['epochs']}\n")
        p = self._progress
        history = p.history if p else None
        if history is not None and len(history.epoch):
            text.append(f"loss {history.loss[-1]:.4f}  test loss {history.test_loss[-1]:.4f}\n")
            train, test = history.train_acc[-1], history.test_acc[-1]
            if train == train:  # not NaN: a classifier
                text.append(f"train {100 * train:.1f}%  test {100 * test:.1f}%\n")
        elif p is not None and p.loss is not None:
            text.append(f"batch loss {p.loss:.4f}\n")
        if p is not None and p.samples_per_s and self.state == "running":
            text.append(f"{p.samples_per_s:,.0f} samples/s  ", style="dim")
        if self.pace:
            text.append(f"pace {self.pace} epochs/s (< >)", style="dim")
        self.query_one(TrainingControls).set_status(text)

    # -- files ----------------------------------------------------------------------------

    def action_save(self) -> None:
        if not self.session.ready:
            return
        self.push_screen(FileDialog("Save the network (.npz)", self._file, self._save_to))

    def _save_to(self, path: str) -> str:
        try:
            check_writable(path)
            note = self.session.save(path)
        except SaveFileError as e:
            return str(e)
        self._file = path
        self.notify(note, timeout=4)
        return ""

    def action_open(self) -> None:
        if not self.session.ready:
            return
        self.push_screen(FileDialog("Load a network (.npz)", self._file, self._load_from))

    def _load_from(self, path: str) -> str:
        try:
            saved = load(path)
            data.check(saved.config)
        except (SaveFileError, ConfigError) as e:
            return str(e)  # the network on screen is untouched
        self._stop_training()
        self.session.restore(saved)
        self._file = path
        self._after_rebuild()
        self.notify(f"Loaded {path}: {saved.epochs_trained} epoch(s) trained.", timeout=4)
        return ""

    def action_pace(self, step: int) -> None:
        """Slow training down (step 1) or speed it up (-1), to watch it learn."""
        at = PACES.index(self.pace)
        self.pace = PACES[max(0, min(len(PACES) - 1, at + step))]
        self.notify(f"Pace: {self.pace} epochs a second" if self.pace else "Pace: full speed", timeout=2)
        self._show_status()

    def action_toggle_plot(self) -> None:
        plot = self.query_one("#loss-plot", MetricPlot)
        plot.metric = "accuracy" if plot.metric == "loss" else "loss"

    def action_help(self) -> None:
        from nnplay.tui.widgets.help import (
            HelpScreen,  # Markdown is slow to import: not before the first frame
        )

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    async def action_quit(self) -> None:
        self._stop_training()
        self.exit()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Start or pause training", "space", self.action_toggle_training)
        yield SystemCommand("Single step", "s: train on one batch", self.action_step)
        yield SystemCommand("Reset the network", "r: fresh weights from the seed", self.action_reset)
        yield SystemCommand("Plot loss or accuracy", "p", self.action_toggle_plot)
        yield SystemCommand("Save the network", "ctrl+s: to an .npz file", self.action_save)
        yield SystemCommand("Load a network", "ctrl+o: from an .npz file", self.action_open)
        yield SystemCommand("Train slower", "<: fewer epochs a second, to watch", lambda: self.action_pace(1))
        yield SystemCommand("Train faster", ">: more epochs a second", lambda: self.action_pace(-1))
        yield SystemCommand("Help", "?: keys, and what the network is doing", self.action_help)
        viewer = self.query_one(DigitViewer)
        yield SystemCommand("Next digit", "→ in the digit pane", lambda: viewer.action_move(1))
        yield SystemCommand("Previous digit", "← in the digit pane", lambda: viewer.action_move(-1))
        yield SystemCommand("Switch test/training digits", "t in the digit pane", viewer.action_switch_set)
        yield SystemCommand("Next mistake", "m in the digit pane", lambda: viewer.action_mistake(1))


def make_app(
    config: TrainConfig | None = None,
    saved: Saved | None = None,
    low_bandwidth: bool | None = None,
    ansi: bool = False,
) -> NnplayApp:
    """The app for these settings (checked already), starting from a saved network if given.

    low_bandwidth None means: as the NNPLAY_LOW_BANDWIDTH environment variable says.
    """
    if low_bandwidth is None:
        low_bandwidth = os.environ.get(LOW_BANDWIDTH_ENV, "0") not in ("", "0")
    return NnplayApp(Session(config or TrainConfig(), saved), low_bandwidth=low_bandwidth, ansi=ansi)
