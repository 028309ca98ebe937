"""What the app is training: settings, network, data and history, behind one lock.

The app's model, with no UI in it: the training thread and the UI thread both
go through a Session, which serialises their access to the trainer. It
computes nothing itself; the numbers come from nnplay.core. Saving the network,
and keeping training never saved, is SavingMixin's (nnplay.tui.saving).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from nnplay import data
from nnplay.core.config import TrainConfig
from nnplay.core.history import History, HistoryLog
from nnplay.core.network import Network, correct_mask
from nnplay.core.serialize import Saved, peek
from nnplay.core.train import Diverged, EpochStats, Record, Split, Trainer, build, make_optimizer
from nnplay.tui.fair_lock import FairLock
from nnplay.tui.keep import RunningKeep, keeps_unsaved, kept_files
from nnplay.tui.runs import NormLog, RunSettings, differences
from nnplay.tui.saving import SavingMixin


@dataclass(frozen=True)
class Counts:
    """How far training has come."""

    epoch: int  # epochs completed
    epochs: int  # epochs a run of space asks for
    step: int  # steps taken, over all epochs
    into_epoch: int = 0  # steps taken into the unfinished epoch (0 between epochs)


class Session(SavingMixin):
    """One network being trained on one data set."""

    def __init__(self, config: TrainConfig, saved: Saved | None = None) -> None:
        self.config = config
        """The settings in force; changed only through apply_* methods."""
        self._built = config
        """The settings the network was built with: seed and init apply only at a build."""
        self.saved = saved
        self.split: Split | None = None
        self.trainer: Trainer | None = None
        self.generation = 0
        """Bumped by every rebuild, so messages about an older network can be ignored."""
        self._run: Generator[Record, None, None] | None = None
        self._log = HistoryLog()
        self._trained_with = RunSettings()
        """The settings this run trained with, epoch by epoch: its label once it is the earlier run."""
        self._earlier: HistoryLog | None = None
        """The figures of the run before this network was built, on the same data set: the
        plots draw them behind this run's, to compare with."""
        self._earlier_settings = RunSettings()
        self._norms = NormLog(len(config.layers) - 1)
        self.lock = FairLock()
        """Taken by both threads; the training thread gives way on it between steps."""
        self.kept_step = 0
        """The trainer's step count when the network was last saved or built: more steps
        than this are training that quitting would lose."""
        self.keeps_unsaved = keeps_unsaved()
        """Whether training about to be lost goes to kept_folder(). Under `nnplay serve`, only
        where the server gave the browser a folder of its own: the tabs share one user, so
        each would keep and offer the others' networks."""
        # The last written, not the last named (kept_files()): another app keeping in the same
        # folder as it trains (another tab of this browser, under nnplay serve) may have started
        # later, and a reloaded tab offered its network instead of the one its own app kept.
        earlier = kept_files() if self.keeps_unsaved and saved is None else []
        # the newest that is a network: junk named like a keep was announced, then refused
        self.kept_path: Path | None = next((p for p in reversed(earlier) if peek(p) is not None), None)
        """Where keep_unsaved() last kept a network (at first, the newest kept before), until
        a save or load of the person's own: the file ctrl+o offers."""
        self._running = RunningKeep()
        """This network's kept file, written as it trains (keep_as_it_runs())."""
        self.load_hint = ""
        """Added to keep_unsaved()'s note when it kept the network: how to load it here."""
        self.loaded_figures: tuple[float | None, float | None, float] | None = None
        """(train accuracy, test accuracy, test loss) of a network loaded already trained,
        until training adds figures of its own."""

    # -- building ---------------------------------------------------------------

    @property
    def ready(self) -> bool:
        return self.trainer is not None

    def load(self) -> None:
        """Load the data set and build the network (a few hundred ms; call from a worker)."""
        split = data.load(self.config.dataset)
        with self.lock:
            self.split = split
            self._build(self.saved)

    def restore(self, saved: Saved) -> str:
        """Take a loaded network, its settings and its training so far (already checked);
        returns keep_unsaved()'s note on the network replaced."""
        with self.lock:
            self.kept_path = None  # unless the network replaced is kept now
            note = self.keep_unsaved()
            if saved.config.dataset != self.config.dataset or self.split is None:
                self.split = data.load(saved.config.dataset)
            self.config = saved.config
            self.saved = saved
            self._build(saved)
            return note

    def rebuild(self, config: TrainConfig | None = None) -> str:
        """A fresh network (the settings' seed), forgetting all training; returns
        keep_unsaved()'s note on the network replaced."""
        with self.lock:
            note = self.keep_unsaved()
            if config is not None and config.dataset != self.config.dataset:
                self.split = data.load(config.dataset)
            if config is not None:
                self.config = config
            self.saved = None
            self._build(None)
            return note

    def _build(self, saved: Saved | None) -> None:
        assert self.split is not None
        if self._run is not None:
            self._run.close()
        self._run = None
        self.trainer = build(self.config, self.split, saved)
        if self._built.dataset != self.config.dataset:
            self._earlier = None  # losses and accuracies of another data set do not compare
        elif self._log.n:  # else a run that never finished an epoch: the earlier one stays
            self._earlier, self._earlier_settings = self._log, self._trained_with
        self._built = self.config
        self._trained_with = RunSettings()
        if saved is not None and saved.epochs_trained:  # its epochs trained with its settings
            self._trained_with.add(saved.config)
        self.trainer.step_grad_norms = False  # the app shows per-epoch figures only
        trained = saved is not None and saved.epochs_trained > 0
        self.loaded_figures = self.trainer.evaluate() if trained else None
        self._log = HistoryLog(saved.history if saved is not None else None)
        self._norms = NormLog(len(self.trainer.net.dense))
        self.kept_step = 0
        self._running = RunningKeep()  # the replaced network's file is done with
        self.generation += 1

    # -- settings that apply without a rebuild ------------------------------------

    def apply(self, config: TrainConfig) -> str:
        """Take new (already checked) settings; say what did not apply at once."""
        with self.lock:
            old, self.config = self.config, config
            trainer = self.trainer
            if trainer is None:
                return ""
            if config.optimizer != old.optimizer:
                trainer.optimizer = make_optimizer(config)  # a new optimizer starts with no momentum
            trainer.optimizer.lr = config.lr
            trainer.optimizer.weight_decay = config.l2
            trainer.batch_size = config.batch_size
            if (config.seed != old.seed or config.init != old.init) and self.waiting:
                return "applies when you reset (r)"  # not when set back to the network's own
            if config.batch_size != old.batch_size and self._run is not None:
                return "applies from the next epoch"
            return ""

    def _in_force(self) -> TrainConfig:
        """The settings the network trains with: a new seed or init waits for a rebuild."""
        return replace(self.config, seed=self._built.seed, init=self._built.init)

    @property
    def waiting(self) -> frozenset[str]:
        """Settings changed since the network was built that apply only at a rebuild (r)."""
        return frozenset(f for f in ("seed", "init") if getattr(self.config, f) != getattr(self._built, f))

    # -- training ---------------------------------------------------------------

    @property
    def finished(self) -> bool:
        return self.trainer is not None and self.trainer.epoch >= self.config.epochs

    def recover(self) -> None:
        """After a divergence, carry on from the weights the trainer put back, with a fresh
        optimizer. The trainer put back the state the epoch began with too (what a save
        holds), but that momentum, or those moments, grew under the settings that then
        diverged: a fresh start is the safe one with the setting just fixed."""
        with self.lock:
            if self.trainer is not None:
                self.trainer.optimizer = make_optimizer(self.config)

    def next_record(self) -> Record | None:
        """Take one step and return its record (then the epoch's, if it ended); None when done.
        Called again and again by the training thread: it first lets a thread waiting on the
        lock (the UI reading the counts) have it."""
        self.lock.give_way()
        keep: Callable[[], None] | None = None
        with self.lock:
            trainer = self.trainer
            if trainer is None:
                return None
            while True:
                if self._run is None:
                    remaining = self.config.epochs - trainer.epoch
                    if remaining <= 0:
                        return None
                    self._run = trainer.run(remaining)
                if self._trained_with.last is None:
                    # the settings of the run's first step, not only of its epochs' ends: an lr
                    # set during epoch 1 was named as if the run had begun with it
                    self._trained_with.add(self._in_force())
                try:
                    record = next(self._run)
                except StopIteration:
                    self._run = None
                    continue
                if isinstance(record, EpochStats):
                    self._log.add(record)
                    self._trained_with.add(self._in_force())
                    self._norms.add(record.epoch, record.weight_norms, record.grad_norms)
                    keep = self._keep_due()
                    if trainer.epoch >= self.config.epochs:
                        self._run.close()
                        self._run = None
                elif isinstance(record, Diverged):  # the generator is spent
                    self._run = None
                break
        if keep is not None:  # the file written with the lock let go: the UI need not wait
            keep()
        return record

    def check_paused(self) -> Diverged | None:
        """Whether the last step blew the weights up, caught as training pauses, and before
        the network is saved or kept (Trainer.check_paused): if so, the epoch's start is put
        back and the run that stood on the steps undone is closed."""
        with self.lock:
            diverged = self.trainer.check_paused() if self.trainer is not None else None
            if diverged is not None and self._run is not None:
                self._run.close()
                self._run = None
            return diverged

    def history(self, most: int | None = None) -> History:
        """The figures so far; with `most`, thinned to about that many epochs (for plots)."""
        with self.lock:
            return self._log.view(most)

    def earlier(self, most: int | None = None) -> tuple[History | None, str]:
        """The run before this network was built (r, a new architecture or a loaded file), on
        the same data set, and what differed in its settings ("sgd, lr 0.01"); (None, "")
        if there was none. Its figures reach as far as this run's epochs, thinned like
        history()'s: a long earlier run would squeeze a short new one into a corner."""
        with self.lock:
            if self._earlier is None:
                return None, ""
            reach = max(self.config.epochs, self.trainer.epoch if self.trainer else 0)
            earlier = self._earlier.view(most, until=reach)
            return earlier, differences(self._earlier_settings, self._in_force())

    # -- looking at samples -------------------------------------------------------

    def arrays(self, which: str) -> tuple[np.ndarray, np.ndarray]:
        """(X, Y) of the test or training set."""
        assert self.split is not None
        if which == "test":
            return self.split.X_test, self.split.Y_test
        return self.split.X_train, self.split.Y_train

    def sample_count(self, which: str) -> int:
        return 0 if self.split is None else len(self.arrays(which)[0])

    def sample(self, which: str, index: int) -> tuple[np.ndarray, np.ndarray]:
        """(inputs, target) of one sample of the test or training set."""
        X, Y = self.arrays(which)
        return X[index], Y[index]

    def predict(self, which: str, index: int) -> np.ndarray:
        """The network's output for one sample (class probabilities for digits). Computed
        under the lock: a training step updates the weights in place, and read meanwhile
        they were some layers' new and others' old. One row takes 0.01 ms for the digits'
        network, less than a copy to compute on outside the lock (snapshot(): 0.07 ms)."""
        with self.lock:
            assert self.trainer is not None
            x, _ = self.sample(which, index)
            return self.trainer.net.predict(x[None, :])[0]

    def next_mistake(self, which: str, index: int, step: int = 1) -> int | None:
        """The next sample after index (wrapping) that the network gets wrong, or None.
        Under the lock, as predict(): it is the training thread that waits, not the UI
        (about 1 ms for the digits' 1,437 training samples)."""
        with self.lock:
            assert self.trainer is not None
            X, Y = self.arrays(which)
            correct = correct_mask(self.trainer.net.logits(X), Y, self.trainer.net.spec.loss)
        if correct is None:
            return None
        n = len(X)
        for k in range(1, n + 1):
            i = (index + step * k) % n
            if not correct[i]:
                return i
        return None

    def snapshot(self, dtype: type | None = None, input_grad: bool = False) -> Network:
        """A copy of the network as it is now, for views to compute on while training runs."""
        with self.lock:
            assert self.trainer is not None
            return self.trainer.net.copy(dtype, input_grad)

    def norm_history(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(epochs, weight norms (E, n_dense), gradient norms (E, n_dense)) per epoch so far."""
        with self.lock:
            return self._norms.columns()

    def counts(self) -> Counts:
        """How far training has come, for the status line and the views' titles."""
        with self.lock:
            trainer = self.trainer
            if trainer is None:
                return Counts(0, self.config.epochs, 0)
            position = trainer.position
            return Counts(trainer.epoch, self.config.epochs, trainer.step, position[0] if position else 0)
