"""The nnplay app: panes over one Session, training in a thread worker."""

from __future__ import annotations

import importlib
import io
import math
import os
import threading
import time
from collections.abc import Sequence

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.driver import Driver
from textual.filter import LineFilter
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.timer import Timer

from nnplay import data
from nnplay.core.config import TrainConfig
from nnplay.core.losses import LOSSES
from nnplay.core.serialize import Saved
from nnplay.tui.commands import CommandsMixin
from nnplay.tui.cover import Underneath
from nnplay.tui.files import FilesMixin, stamp
from nnplay.tui.fit import FitMixin
from nnplay.tui.frames import FramesMixin
from nnplay.tui.glyphs import ConsoleGlyphs, linux_console
from nnplay.tui.guards import AGAIN_SECONDS
from nnplay.tui.hang_up import HangUpMixin
from nnplay.tui.keep import served
from nnplay.tui.messages import Loaded, Progress
from nnplay.tui.panes import PanesMixin
from nnplay.tui.session import Session
from nnplay.tui.status import PLACEHOLDERS, status_text
from nnplay.tui.training import MAX_POINTS, PLOT_EVERY, POST_EVERY, SLOW_LINK
from nnplay.tui.views import VIEWS
from nnplay.tui.views.base import View
from nnplay.tui.widgets.architecture import ArchitectureEditor
from nnplay.tui.widgets.controls import TrainingControls
from nnplay.tui.widgets.digit_viewer import DigitViewer
from nnplay.tui.widgets.footer import KeyFooter
from nnplay.tui.widgets.loss_plot import MetricPlot
from nnplay.tui.widgets.too_small import TooSmall

LOW_BANDWIDTH_ENV = "NNPLAY_LOW_BANDWIDTH"
"""Set to 1 (or any value but 0) to start in the low-bandwidth mode."""


class NnplayApp(PanesMixin, FilesMixin, FitMixin, HangUpMixin, FramesMixin, CommandsMixin, App[None]):
    """Build a network, train it, and watch it learn."""

    CSS_PATH = "app.tcss"
    TITLE = "nnplay"
    BINDINGS = [
        Binding("space", "toggle_training", "Start/pause"),
        Binding("s", "step", "Step"),
        Binding("r", "reset", "Reset"),
        Binding("p", "toggle_plot", "Loss/acc"),
        # The digit pane's own keys, from any pane: a teacher need not tab there first.
        Binding("t", "switch_set", "Test/train", show=False),
        Binding("m", "mistake(1)", "Next mistake", show=False),
        Binding("M", "mistake(-1)", "Previous mistake", show=False),
        Binding("less_than_sign", "pace(1)", "Slower", show=False),
        Binding("greater_than_sign", "pace(-1)", "Faster", show=False),
        Binding("question_mark", "help", "Help", key_display="?"),
        *(Binding(key, f"view('{name}')", title, show=False) for name, (key, title, _, _) in VIEWS.items()),
        Binding("escape", "clear_notices", "Clear notices", show=False),
        Binding("ctrl+s", "save", "Save", show=False),
        Binding("ctrl+o", "open", "Open", show=False),
        Binding("D", "dataset", "Data set", show=False),
        # priority: a modal screen (help, a dialog, the palette) ends the app's own bindings
        Binding("ctrl+l", "redraw", "Redraw", show=False, priority=True),
        Binding("q", "quit", "Quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
    ]

    def __init__(
        self, session: Session, low_bandwidth: bool = False, ansi: bool = False, path: str | None = None
    ) -> None:
        # Told now, not only by the theme set on mount: with NO_COLOR, Textual picks its filter
        # here, and its greyscale one turns the terminal's own colours into black on black.
        super().__init__(ansi_color=True if ansi or low_bandwidth else None)
        self.session = session
        session.load_hint = ": ctrl+o loads it"  # the notice when r, an apply or a load keeps one
        self.low_bandwidth = low_bandwidth
        """Fewer redraws and the terminal's own 16 colours, for slow links."""
        self.post_every = SLOW_LINK["post_every"] if low_bandwidth else POST_EVERY
        self.plot_every = SLOW_LINK["plot_every"] if low_bandwidth else PLOT_EVERY
        self.ansi = ansi or low_bandwidth
        self.state = "loading"
        """One of STATES."""
        self._pause = threading.Event()
        self._run = 0
        """Counts starts of training: a Stopped message from an earlier one is stale."""
        self._stepping = False
        """A single-step worker is running; presses of s meanwhile queue more steps."""
        self._steps_queued = 0
        self.pace: float | None = None
        """At most this many epochs a second, to watch learning slowly; None: full speed."""
        self._pace_note: Timer | None = None
        """The pace notice waiting for the end of a burst of < or > presses."""
        self._cure = ""
        """After a divergence, what to try, for the status line: "lower lr to 0.1"."""
        self._refused: tuple[str, float] = ("", -math.inf)
        """The action last refused as it would lose training that could not be kept, and when."""
        self._last_plot = self._last_view = 0.0
        self._progress: Progress | None = None
        self._panes_behind = False
        """Progress came while a view hid the panes: they draw it when they show again."""
        self._file = path or "nnplay.npz"
        # Under nnplay serve, --load's file is the one every tab starts from (a handout), not
        # this tab's: saving over it asks, as over anyone's.
        self._file_stamp = stamp(path) if path and not served() else None
        """The file last saved or loaded: the dialogs offer it again."""
        self._metric = "loss"
        """What p last chose to plot at a width that shows one plot."""
        self._quitting = False
        """exit() was called: the keys that arrived with the q do nothing."""
        self.farewell = ""
        """What a hang-up kept, to say once the terminal is restored, if it is still there."""
        self._glyphs = [ConsoleGlyphs()] if linux_console() else []
        """On the Linux console: what stands in for the characters its fonts lack (glyphs.py)."""

    # -- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        config = self.session.config
        output = LOSSES[data.DATASETS[config.dataset].loss].output_activation
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield ArchitectureEditor(
                    config.layers, config.hidden_activations, output, config.activation[0], id="architecture"
                )
                yield TrainingControls(config, id="controls")
            with Vertical(id="right"):
                yield DigitViewer(id="digit")
                with Horizontal(id="plots"):
                    yield MetricPlot("loss", id="loss-plot")
                    yield MetricPlot("accuracy", id="accuracy-plot")
        yield KeyFooter()

    def get_default_screen(self) -> Screen:
        return Underneath(id="_default")  # as Textual's own, but a dialog over it hides changes

    def get_line_filters(self) -> Sequence[LineFilter]:
        return [*super().get_line_filters(), *self._glyphs]  # every widget's lines pass these

    def get_driver_class(self) -> type[Driver]:
        if served():  # textual-serve's WebDriver, which also quits if the server has gone
            from nnplay.tui.web import ServedDriver

            return ServedDriver
        return super().get_driver_class()

    def on_mount(self) -> None:
        # app.tcss: reverse, not colour. As Textual reads NO_COLOR (set, even empty, and its
        # filter takes the colours): a test of its value left an empty one colourless and unmarked.
        self.set_class(self.no_color, "-no-color")
        if self.ansi:
            self.theme = "ansi-dark"  # the terminal's own colours: the shortest escape codes
        self.query_one("#architecture").focus()
        self.screen_change_signal.subscribe(self, self._panes_shown)
        self._fit(self.size.width, self.size.height)
        self._show_status()
        self.load()
        if self.session.keeps_unsaved:
            self._listen_for_hang_ups()

    # -- loading --------------------------------------------------------------------------

    @work(thread=True, group="load", exit_on_error=False)
    def load(self) -> None:
        from nnplay.threads import one_blas_thread

        one_blas_thread()  # the UI needs the other core
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
        self._mention_kept()

    def _after_rebuild(self) -> None:
        """Bring every pane in line with a newly built network."""
        session = self.session
        self._progress = None
        self.state = "finished" if session.finished else ("paused" if session.counts().epoch else "ready")
        config = session.config
        output = session.trainer.net.loss.output_activation if session.trainer else ""
        self.query_one(ArchitectureEditor).set_network(
            config.layers, config.hidden_activations, output, config.activation[0]
        )
        self.query_one(TrainingControls).set_config(config)
        viewer = self.query_one(DigitViewer)
        viewer.index = min(viewer.index, max(session.sample_count(viewer.which) - 1, 0))
        self._show_sample()
        history = session.history(MAX_POINTS)
        for plot in self.query(MetricPlot):
            plot.update(history)
        self._show_earlier()
        self._show_status()
        self._refresh_views()  # r or ctrl+o pressed inside a view

    # -- the rest ------------------------------------------------------------------------------

    def _show_status(self) -> None:
        controls = self.query_one(TrainingControls)
        cure = self._cure if self.state == "diverged" else ""
        width = controls.content_size.width or 36
        controls.set_status(status_text(self.state, self.session, self._progress, self.pace, cure, width))
        placeholder = PLACEHOLDERS.get(self.state, PLACEHOLDERS["ready"])
        for plot in self.query(MetricPlot):
            plot.say(placeholder)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While the terminal is too small to show the panes, only quitting and ctrl+l work: keys
        must not train or reset a network nobody can see (the palette would run them too).
        Nor does any once quitting: a dialog, view or help pushed by a key that came with the
        q was never given its widgets by the app closing, and its first query ended the app
        with a traceback (NoMatches) instead of a clean quit."""
        if self._quitting:
            return False
        if self.screen_stack[0].has_class("-tiny") and action not in ("quit", "redraw"):
            return False
        return True

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Notices are plain text: a file name or an error may hold [brackets] (Textual would
        read '[/]x.npz' as markup and fail). A warning or an error says so in words: the
        coloured bar beside it was all that told them from information, gone without colour,
        and to red-green colour blindness the orange warning's bar is the green notice's."""
        if severity != "information" and not title:
            message = f"{severity.capitalize()}: {message}"
        if isinstance(self.screen, TooSmall) and severity != "information":
            self.screen.warn(message, self.NOTIFICATION_TIMEOUT if timeout is None else timeout)
            if severity == "warning":  # q's, about what to do while tiny: stale once it grows
                return
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def action_clear_notices(self) -> None:
        """esc with nothing else to close: the notices over the plots go (they also time out)."""
        self.clear_notifications()

    def action_toggle_plot(self) -> None:
        if self._in_a_view("p", "switches the plot"):
            return
        if self.screen_stack[0].has_class("-wide"):
            self.notify("At this width loss and accuracy are both shown.", timeout=3)
            return
        plot = self.query_one("#loss-plot", MetricPlot)
        plot.metric = self._metric = "accuracy" if plot.metric == "loss" else "loss"

    def action_view(self, name: str, switch: bool = False) -> None:
        """Open one of the views that look inside the network (VIEWS). Over another view,
        ``switch`` (the palette, choosing by name) closes that one first; a key pressed
        there says how, rather than throw away what the view holds (a drawing, say)."""
        if not self.session.ready:
            return
        key, title, path, _ = VIEWS[name]
        module, cls = path.split(".")
        if isinstance(self.screen, View):
            if type(self.screen).__name__ == cls:
                return
            if not switch:
                self.notify(f"{key} opens the {title.lower()} from the main screen: esc first.", timeout=4)
                return
            self.screen.dismiss(None)
        view = getattr(importlib.import_module(f"nnplay.tui.views.{module}"), cls)(self.session)
        # the notices are about the panes, and would sit over the view's lower right for seconds:
        # "i, the inspector, says what to change" hid the inspector's hints at 80x24. Not an
        # error's: why training stopped is said there alone.
        self._drop_notices(keep=("error",))
        self.push_screen(view, self._open_in_viewer if name == "mistakes" else None)

    def _open_in_viewer(self, chosen: object) -> None:
        """A view chose a sample, as ("test", index): show it in the digit viewer."""
        if isinstance(chosen, tuple) and len(chosen) == 2:
            viewer = self.query_one(DigitViewer)
            viewer.go(*chosen)  # t then goes back to the sample shown before
            self._show_sample()
            viewer.focus()

    def action_help(self) -> None:
        from nnplay.tui.widgets.help import (
            HelpScreen,  # Markdown is slow to import: not before the first frame
        )

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    async def action_quit(self) -> None:
        if self.query_one(ArchitectureEditor).changed and not self._asked_already("quit a draft"):
            self._refused = ("quit a draft", time.monotonic())  # as the Network pane never drops it unseen
            self.notify(
                "The Network pane has changes not applied: q again quits without them (enter in "
                "that pane applies them).",
                severity="warning",
                timeout=AGAIN_SECONDS,
            )
            return
        why = self._unkept("quit")
        if why:
            self._warn_unkept(why, "q again quits")
            return
        self._stop_training()
        self._quitting = True
        self.exit()


def draws_in_16_colours() -> bool:
    """Whether Textual will draw in the terminal's 16 colours, as under TERM=xterm, screen or
    linux with no COLORTERM=truecolor. Our theme's colours then come out as their nearest of
    the 16 (the footer's keys bright red on grey, faint digit ink lost), where the terminal's
    own colours, as --ansi draws, read well."""
    system = os.environ.get("TEXTUAL_COLOR_SYSTEM", "auto")  # as Textual reads it; serve sets it
    if system != "auto":
        return system == "standard"
    from rich.console import Console

    return Console(force_terminal=True, file=io.StringIO()).color_system == "standard"


def make_app(
    config: TrainConfig | None = None,
    saved: Saved | None = None,
    low_bandwidth: bool | None = None,
    ansi: bool | None = False,
    path: str | None = None,
) -> NnplayApp:
    """The app for these settings (checked already), starting from a saved network if given
    (``path``: the file it came from, which ctrl+s and ctrl+o then offer).

    low_bandwidth None means: as the NNPLAY_LOW_BANDWIDTH environment variable says; ansi
    None: the terminal's own colours if Textual would draw in 16 colours anyway.
    """
    if low_bandwidth is None:
        low_bandwidth = os.environ.get(LOW_BANDWIDTH_ENV, "0") not in ("", "0")
    if ansi is None:
        ansi = draws_in_16_colours()
    session = Session(config or TrainConfig(), saved)
    return NnplayApp(session, low_bandwidth=low_bandwidth, ansi=ansi, path=path)
