"""Saving and keeping the session's network: the person's save, and the keeps of
training never saved, made before what replaces or ends the network and as it trains.

A mixin of Session (nnplay.tui.session), which holds the network, the lock and the
record of what was kept.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from nnplay.core.config import TrainConfig, counted, trained
from nnplay.core.history import HistoryLog
from nnplay.core.paths import SaveFileError, name_and_folder
from nnplay.core.serialize import needed_bytes
from nnplay.core.serialize import save as save_network
from nnplay.core.train import Diverged, Trainer
from nnplay.tui.fair_lock import FairLock
from nnplay.tui.keep import NOT_KEPT, KeepError, RunningKeep, check_room, forget_old_kept, reason


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
            note = self._write(path)
            assert self.trainer is not None
            self.kept_step, self.kept_path = self.trainer.step, None
            self._running.drop(path)
            return note

    def _write(self, path: str) -> str:
        """save() without marking the network saved: what keeping uses as well."""
        with self.lock:
            trainer = self.trainer
            assert trainer is not None
            diverged = self.check_paused()
            if diverged is not None:  # put back: a second save saves the network from before it
                raise SaveFileError(f"{diverged.reason} Nothing was saved.")
            log = self._log.table()
            # The seed and init the network was built with: a change to them waits for a reset
            # (apply), and the file must describe the network it holds, or it will not load.
            config = self._in_force()
            save_network(
                path, trainer.net, config, trainer.epoch, trainer.rng, trainer.optimizer, log, trainer.partial
            )
            # as built from the seed, here or in the file (whose steps into an epoch are partial)
            fresh = trainer.epoch == trainer.step == 0 and not trainer.partial
            what = "an untrained network" if fresh else f"{self._trained()} of training"
            return f"Saved {what} to {name_and_folder(path)}"

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
        """keep_unsaved() as the app quits: what to print after it, with how to carry on."""
        kept, note = self._keep()
        if kept:
            note += f"\nnnplay: to carry on: nnplay --load {kept}"
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
                path = self._running.write(lambda p: self._write(str(p)), self.trainer.step)
            except Exception as e:  # SaveFileError, OSError, or anything else
                return None, NOT_KEPT.format(reason(e))
            forget_old_kept()
            self.kept_step, self.kept_path = self.trainer.step, path
            return path, f"Your unsaved network ({done} trained) is kept in {path}"

    def keep_as_it_runs(self, ended: bool = False) -> None:
        """Keep unsaved training in this network's file as it trains, for what no quit is
        there to keep (kill -9, the memory running out, a crash): every KEEP_EVERY seconds
        as epochs end, and as a run ends (`ended`: finished, paused or diverged). The
        network stays unsaved: the keep at q, r or a load rewrites the same file and says
        where. A failure here is left to that keep, which tries again and says why."""
        with self.lock:
            trainer = self.trainer
            if trainer is None or not self.keeps_unsaved or not self.unsaved:
                return
            if self._running.due(trainer.step, ended):
                with contextlib.suppress(OSError, SaveFileError):
                    self._running.write(lambda p: self._write(str(p)), trainer.step)

    @property
    def running_keep(self) -> Path | None:
        """The file this network is kept in as it trains, if it has been."""
        return self._running.path
