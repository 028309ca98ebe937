"""What the panes ask of the app: a network applied, a setting changed, a data set chosen,
a digit moved to. A mixin of NnplayApp; each request is checked as ``nnplay train`` checks
its flags, and a refusal says why in the pane and changes nothing."""

from __future__ import annotations

from dataclasses import replace

from nnplay import data
from nnplay.core.config import ConfigError, TrainConfig, least_epochs
from nnplay.tui.training import MAX_POINTS, TrainingMixin
from nnplay.tui.views.base import View
from nnplay.tui.widgets.architecture import ArchitectureEditor
from nnplay.tui.widgets.controls import TrainingControls
from nnplay.tui.widgets.dataset_chooser import DatasetChooser
from nnplay.tui.widgets.digit_viewer import DigitViewer
from nnplay.tui.widgets.loss_plot import MetricPlot


class PanesMixin(TrainingMixin):
    """The Network, Training and Digit panes' messages, and bringing the panes in line."""

    def _show_earlier(self) -> None:
        """Draw the run before this network behind its curves, labelled by the settings
        that differ from now's (which change as the person edits them)."""
        earlier, label = self.session.earlier(MAX_POINTS)
        whole, _ = self.session.earlier()  # the key's figure is at an epoch thinning may drop
        for plot in self.query(MetricPlot):
            plot.compare(earlier, label, whole)

    def on_architecture_editor_applied(self, message: ArchitectureEditor.Applied) -> None:
        editor = self.query_one(ArchitectureEditor)
        # With no hidden layer there is no activation to name; settings still hold one
        # (the name for all hidden layers), as `nnplay train --layers 64,10` keeps its default.
        activation = message.activations or self.session.config.activation[:1]
        candidate = replace(self.session.config, layers=message.layers, activation=activation)
        try:
            data.check(candidate)
        except ConfigError as e:
            editor.refuse(str(e).split(": ", 1)[-1])
            return
        why, kept = self._replace_network(candidate, "apply", "enter again applies the new network")
        if why:
            editor.refuse(why)
            return
        editor.say_for_a_while("rebuilt; training starts afresh")
        self._say_with_earlier(f"A new {'→'.join(map(str, candidate.layers))} network", alone=False)
        self._say_in_training_pane(kept)

    def _replace_network(self, candidate: TrainConfig, action: str, again: str) -> tuple[str, str]:
        """A fresh network built with ``candidate`` (already checked), the one it replaces
        kept first. Returns (why not, "" when done; the note on the network kept, if one
        was). ``again``: how to go ahead when the training so far cannot be kept."""
        if not self.session.ready:
            return "the data is still loading", ""
        why = self._unkept(action)
        if why:
            self._warn_unkept(why, again)
            return "not applied: the training so far would be lost", ""  # kept nowhere (the notice says why)
        self._stop_training()
        kept = self.session.rebuild(candidate)
        self._after_rebuild()
        self.clear_notifications()  # a divergence warning is about the network just replaced
        return "", kept

    def action_dataset(self) -> None:
        if self.session.ready and not self._draft_waits():  # the draft's hidden layers, or the old?
            about = {name: info.about for name, info in data.DATASETS.items()}
            self.push_screen(DatasetChooser(about, self.session.config.dataset, self._switch_dataset))

    def _switch_dataset(self, name: str | None) -> None:
        """Train on data set ``name``: the hidden layers and settings stay, the input and
        output layers take its sizes. Nothing happens for "" (esc) or the current one."""
        config = self.session.config
        if not self.session.ready or not name or self._draft_waits():  # the palette comes here too
            return
        if name == config.dataset:
            self.notify(f"Already training on {name}.", timeout=3)
            return
        info = data.DATASETS[name]
        candidate = replace(config, dataset=name, layers=(info.n_in, *config.layers[1:-1], info.n_out))
        try:
            data.check(candidate)
        except ConfigError as e:
            self.notify(str(e), severity="error")
            return
        # the refusal is of this data set: choosing another must ask again, not go ahead
        why, kept = self._replace_network(candidate, f"dataset {name}", f"choosing {name} again switches")
        if why:
            return  # _replace_network said why
        viewer = self.query_one(DigitViewer)
        viewer.index = 0  # a new data set's first sample: not digits' 340th, clamped to its last
        self._show_sample()
        layers = "→".join(map(str, candidate.layers))
        if kept:  # the pane's note says where the network replaced went
            self.notify(f"Training on {name} now ({info.about}): a fresh {layers} network.", timeout=5)
            self._say_in_training_pane(kept)
        else:  # in the pane, not over the plot; the Digit pane says what the data set is
            self._say_in_training_pane(f"Training on {name} now: a fresh {layers} network")

    def on_training_controls_changed(self, message: TrainingControls.Changed) -> None:
        controls = self.query_one(TrainingControls)
        try:
            candidate = self.session.config.with_text(message.name, message.text)
            data.check(candidate)
        except ConfigError as e:
            # "optimizer: unknown optimizer ..." beside the optimizer row needs no label: the
            # two lines under the fields must hold the reason and the choices
            controls.refuse(str(e).split(": ", 1)[-1] if e.field == message.name else str(e))
            return
        trained = self.session.counts().epoch if self.session.ready else 0
        trainer = self.session.trainer if self.session.ready else None
        least = least_epochs(trained, trainer.partial if trainer is not None else None)  # a loaded file's too
        if message.name == "epochs" and candidate.epochs < least:
            done = f"in epoch {least}" if least > trained else f"trained {trained}"  # two lines at 80x24
            # no 1,149: the field takes a number as typed, and the status writes them so too
            controls.refuse(f"already {done}: give {least} or more, or r to start afresh")
            return
        note = self.session.apply(candidate)
        controls.accept(candidate, note, self.session.waiting)
        if message.name in ("lr", "l2", "optimizer"):
            self._cure = ""  # what "to fix: lower lr to 0.1" named has changed
        self._show_earlier()
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
            config = self.session.config
            if data.DATASETS[config.dataset].loss == "mse":
                note = f"{config.dataset} is regression: no sample is right or wrong, so m has none to find."
            else:
                note = f"The network gets every {message.which} sample right."
            self.notify(note, timeout=4)
            return
        self.query_one(DigitViewer).index = index
        self._show_sample()

    def _show_sample(self) -> None:
        viewer = self.query_one(DigitViewer)
        if not self.session.ready:
            return
        info = data.DATASETS[self.session.config.dataset]
        viewer.dataset = (info.name, info.about, info.loss)
        inputs, target = self.session.sample(viewer.which, viewer.index)
        output = self.session.predict(viewer.which, viewer.index)
        viewer.show(inputs, target, output, self.session.sample_count(viewer.which))

    def _show_output(self) -> None:
        viewer = self.query_one(DigitViewer)
        if self.session.ready and viewer.count:
            viewer.show_output(self.session.predict(viewer.which, viewer.index))

    def _in_a_view(self, key: str, does: str) -> bool:
        """Whether a look-inside view hides the panes a key acts on; if so, say esc first
        (it changed them unseen: m moved the hidden digit pane, p switched the hidden plot)."""
        if isinstance(self.screen, View):
            self.notify(f"{key} {does} on the main screen: esc first.", timeout=4)
            return True
        return False

    def action_move_sample(self, step: int) -> None:
        if not self._in_a_view("→" if step > 0 else "←", "moves the sample pane"):
            self.query_one(DigitViewer).action_move(step)

    def action_switch_set(self) -> None:
        if not self._in_a_view("t", "switches the sample pane's set"):
            self.query_one(DigitViewer).action_switch_set()

    def action_mistake(self, step: int) -> None:
        if not self._in_a_view("m" if step > 0 else "M", "finds a mistake in the sample pane"):
            self.query_one(DigitViewer).action_mistake(step)
