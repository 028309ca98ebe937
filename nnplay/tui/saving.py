"""Saving and keeping the session's network: the person's save, and the keeps of
training never saved, made before what replaces or ends the network and as it trains.

A mixin of Session (nnplay.tui.session), which holds the network, the lock and the
record of what was kept. The person's save and the keeps that replace or end a network
(r, a load, q) hold the lock throughout, as they write on the UI thread: nothing trains
between the keep and what replaces the network. The keep that training makes as it runs
(keep_as_it_runs()) copies the network under the lock and writes the copy once it has
let go: it held the lock through the whole write (savez and fsync, a few ms for the
digits' network, far more for a large one or a home folder over NFS), and a key pressed
meanwhile showed its effect only after it.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nnplay.core.config import TrainConfig, counted, trained
from nnplay.core.history import HistoryLog
from nnplay.core.network import Network
from nnplay.core.optimizers import Optimizer
from nnplay.core.paths import SaveFileError, name_and_folder
from nnplay.core.serialize import needed_bytes
from nnplay.core.serialize import save as save_network
from nnplay.core.train import Diverged, Trainer
from nnplay.tui.fair_lock import FairLock
from nnplay.tui.keep import NOT_KEPT, KeepError, RunningKeep, check_room, forget_old_kept, reason, served


@dataclass(frozen=True)
class ToSave:
    """Everything a saved file holds of the network, taken at one moment under the session's
    lock; copies, if it is written once the lock is let go: the file then holds one network
    however training and the settings go on meanwhile."""

    net: Network
    config: TrainConfig  # the settings the network trains with (Session._in_force())
    epoch: int  # epochs completed
    rng: np.random.Generator  # the shuffling generator, in its state then
    optimizer: Optimizer  # with its momentum or moments then
    history: np.ndarray  # the run's per-epoch figures (HistoryLog.table())
    partial: dict[str, Any] | None  # how far into an unfinished epoch (Trainer.partial)
    what: str  # "an untrained network" or "3 epochs of training", for a person

    @classmethod
    def of(cls, trainer: Trainer, config: TrainConfig, log: HistoryLog, done: str, copied: bool) -> ToSave:
        """The trainer's network now, and all its file holds of it (call under the session's
        lock); `copied`, to be written after the lock is let go. `done`: how much it has
        trained, for a person."""
        # as built from the seed, here or in the file (whose steps into an epoch are partial)
        fresh = trainer.epoch == trainer.step == 0 and not trainer.partial
        took = copy.deepcopy if copied else lambda live: live  # the live ones, with the lock held
        return cls(
            trainer.net.copy() if copied else trainer.net,
            config,
            trainer.epoch,
            took(trainer.rng),
            took(trainer.optimizer),
            log.table(),
            None if trainer.partial is None else dict(trainer.partial),
            "an untrained network" if fresh else f"{done} of training",
        )

    def write(self, path: str | Path) -> str:
        """Save it to `path` (atomically); returns what happened, for a person."""
        save_network(
            path, self.net, self.config, self.epoch, self.rng, self.optimizer, self.history, self.partial
        )
        return f"Saved {self.what} to {name_and_folder(path)}"


class SavingMixin:
    """save(), and keeping training that was never saved, for a Session."""

    # Set up by Session.__init__:
    trainer: Trainer | None
    lock: FairLock
    kept_step: int
    kept_path: Path | None
    keeps_unsaved: bool
    load_hint: str
    _running: RunningKeep
    _log: HistoryLog

    def check_paused(self) -> Diverged | None:
        raise NotImplementedError  # Session

    def _in_force(self) -> TrainConfig:
        raise NotImplementedError  # Session

    def save(self, path: str) -> str:
        """Save the network as it is now (atomically); returns what happened, for a person."""
        with self.lock:
            assert self.trainer is not None
            note = self._running.save_instead(lambda: self._write(path), path)
            self.kept_step, self.kept_path = self.trainer.step, None
            return note

    def _write(self, path: str | Path) -> str:
        """save() without marking the network saved: what keeping uses as well."""
        with self.lock:
            return self._to_save(copied=False).write(path)

    def _to_save(self, copied: bool) -> ToSave:
        """The network as it is now, and what its file holds (SaveFileError if it diverged);
        `copied`, to write once the lock is let go."""
        with self.lock:
            trainer = self.trainer
            assert trainer is not None
            diverged = self.check_paused()
            if diverged is not None:  # put back: a second save saves the network from before it
                raise SaveFileError(f"{diverged.reason} Nothing was saved.")
            # The seed and init the network was built with: a change to them waits for a reset
            # (apply), and the file must describe the network it holds, or it will not load.
            return ToSave.of(trainer, self._in_force(), self._log, self._trained(), copied)

    def _trained(self) -> str:
        """How much the network has trained, for a person: '3 epochs', or '5 steps' before the first."""
        assert self.trainer is not None
        trainer = self.trainer
        if not trainer.epoch and not trainer.partial:  # a divergence in epoch 1 put its steps back
            return counted(trainer.step, "step")
        return trained(trainer.epoch, trainer.partial)

    @property
    def unsaved(self) -> bool:
        """Whether the network has trained since it was built, loaded or saved."""
        return self.trainer is not None and self.trainer.step > self.kept_step

    def keep_unsaved(self) -> str:
        """Save training that was never saved to a new file in kept_folder(), before it is lost;
        returns what happened, for a person ("" if there was nothing to keep). With a
        load_hint (in the app) the note leaves out the file's long path, which covered the
        Loss pane at 80x24 and broke mid-word: the hint's ctrl+o offers the file by name."""
        kept, note = self._keep()
        if kept is None:
            return note
        return (note.removesuffix(f" in {kept}") if self.load_hint else note) + self.load_hint

    def check_keep(self) -> None:
        """Raise KeepError if there is unsaved training and its file could not be written,
        or is not written at all (under nnplay serve): asked before what would replace or
        end the network, so the person can save first."""
        if not self.unsaved:
            return
        if not self.keeps_unsaved:
            raise KeepError("Under nnplay serve, unsaved training is not kept (the tabs share one user)")
        assert self.trainer is not None
        check_room(needed_bytes(self.trainer.net, self.trainer.optimizer, self.trainer.epoch))

    def keep_on_exit(self) -> str:
        """keep_unsaved() as the app quits: what to print after it, with how to carry on (under
        nnplay serve, the tab's page shows it: the person there cannot run nnplay --load, but
        the page's Restart starts an app that offers the keep)."""
        kept, note = self._keep()
        if kept:
            again = "Restart (enter), then ctrl+o loads it" if served() else f"nnplay --load {kept}"
            note += f"\nnnplay: to carry on: {again}"
        return f"nnplay: {note}" if note else ""

    def _keep(self) -> tuple[Path | None, str]:
        """(where the network was kept, or None; what happened, for a person)."""
        with self.lock:
            self.check_paused()  # a last step that blew the weights up is not what to keep
            if not self.keeps_unsaved or not self.unsaved:
                return None, ""
            assert self.trainer is not None
            done = self._trained()
            try:  # to the file kept as it ran, if it was
                path = self._running.write(self._write, self.trainer.step)
            except Exception as e:  # SaveFileError, OSError, or anything else
                return None, NOT_KEPT.format(reason(e))
            assert path is not None  # written with the lock held: no keep is newer
            forget_old_kept()
            self.kept_step, self.kept_path = self.trainer.step, path
            return path, f"Your unsaved network ({done} trained) is kept in {path}"

    def keep_as_it_runs(self, ended: bool = False) -> None:
        """Keep unsaved training in this network's file as it trains, for what no quit is
        there to keep (kill -9, the memory running out, a crash): every KEEP_EVERY seconds
        as epochs end, and as a run ends (`ended`: finished, paused or diverged). The
        network stays unsaved: the keep at q, r or a load rewrites the same file and says
        where. A failure here is left to that keep, which tries again and says why.
        The file is written after the lock is let go, from a copy taken under it."""
        with self.lock:
            keep = self._keep_due(ended)
        if keep is not None:
            keep()

    def _keep_due(self, ended: bool = False) -> Callable[[], None] | None:
        """Under the lock: if a keep as it runs is due, what writes it, from a copy of the
        network taken now; call it once the lock is let go."""
        trainer = self.trainer
        if trainer is None or not self.keeps_unsaved or not self.unsaved:
            return None
        running, step = self._running, trainer.step
        if not running.due(step, ended):
            return None
        try:
            network = self._to_save(copied=True)
        except SaveFileError:  # it diverged: nothing to keep
            return None
        # Taken with the copy: a keep or save made after it (at q, say, with an lr set since)
        # is newer, and this copy is not then written over it.
        ticket = running.ticket()

        def write() -> None:
            with contextlib.suppress(OSError, SaveFileError):
                running.write(network.write, step, ticket)

        return write

    @property
    def running_keep(self) -> Path | None:
        """The file this network is kept in as it trains, if it has been."""
        return self._running.path
