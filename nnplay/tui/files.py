"""Saving and loading networks from the app (ctrl+s, ctrl+o).

A mixin of NnplayApp. A file that cannot be read or written is refused in the
dialog with the reason; the network on screen is never touched by a failure.
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

from nnplay import data
from nnplay.core.config import ConfigError, counted, trained
from nnplay.core.paths import SaveFileError, load_name, name_and_folder, save_name, shown
from nnplay.core.serialize import load, peek
from nnplay.tui.guards import GuardsMixin
from nnplay.tui.keep import kept_files, kept_folder, last_written
from nnplay.tui.session import Session
from nnplay.tui.widgets.file_dialog import FileDialog

KEPT_RECENT_HOURS = 24
"""At start, a network kept less than this long ago is mentioned: ctrl+o offers it, but
nothing on screen said so."""


def ago(seconds: float) -> str:
    """'3 minutes ago', for a person."""
    if seconds < 59.5:  # two keeps in one minute still read apart; 59.6 is "a minute"
        return counted(max(1, round(seconds)), "second") + " ago"
    if seconds < 90:
        return "a minute ago"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} minutes ago"
    if seconds < 48 * 3600:
        return counted(round(seconds / 3600), "hour") + " ago"
    return counted(round(seconds / 86400), "day") + " ago"


RECENT_MOST = 5
"""Networks the load dialog lists of each kind: nnplay's keeps, and files in this folder."""


def recent_networks(leave_out: Path | None = None) -> list[tuple[str, str]]:
    """(path, what it is) for the newest networks kept and in the current folder, keeps
    first: the load dialog's list, so a keep older than the last is not a path to type.
    Without `leave_out`: the network on screen's own keep, made as it trained."""
    now, found = time.time(), []
    keeps = [(p, True) for p in reversed(kept_files()) if p != leave_out]
    try:
        folder = Path.cwd()  # gone, if another shell removed it
        here = [p for p in folder.iterdir() if p.suffix.lower() == ".npz"]  # UP.NPZ too
        here.sort(key=last_written, reverse=True)
        here = [] if _is_kept_folder(str(folder)) else here
    except OSError:
        here = []
    for kind in (keeps, [(p, False) for p in here]):
        listed = 0
        for path, kept in kind[: 4 * RECENT_MOST]:  # some may not be networks: look a little further
            if listed == RECENT_MOST:
                break
            info = peek(path)
            if info is None:
                continue
            listed += 1
            epochs, partial, dataset, network = info
            when = ago(now - last_written(path))
            # the network and optimizer too: three keeps of "100 epochs · digits" looked alike
            what = f"{trained(epochs, partial)} · {dataset} {network}".rstrip()
            found.append((str(path), f"kept {when} · {what}" if kept else f"{path.name} · {what} · {when}"))
    return found


class FilesMixin(GuardsMixin):
    """The save and load dialogs and what they do."""

    # Set up by NnplayApp.__init__ and TrainingMixin:
    session: Session
    _file: str
    """The file ctrl+s and ctrl+o offer: the one last saved or loaded here, if any."""
    _file_stamp: tuple[int, ...] | None
    """stamp() of _file when it was saved or loaded here (None if it was not): saving over
    it again asks nothing unless it has changed since."""

    def _stop_training(self) -> None:
        raise NotImplementedError  # TrainingMixin

    def _after_rebuild(self) -> None:
        raise NotImplementedError  # NnplayApp

    _replace_asked = ""
    """A file not of this session that the save dialog has asked about replacing."""

    def action_save(self) -> None:
        if not self.session.ready or self._draft_waits():  # it would save the network it replaces
            return
        self._replace_asked = ""
        self.push_screen(FileDialog("Save the network (.npz)", self._file, self._save_to, verb="Save"))

    def _save_to(self, path: str) -> str:
        path = save_name(path)  # "mynet" is saved as mynet.npz, as nnplay train --save does
        # Another file of that name, not the one saved or loaded here: perhaps a teacher's
        # handout or yesterday's best run. Or that one, since replaced by another window or
        # program, whose network would be lost. Saving over it takes a second enter.
        ours = _same_file(path, self._file) and stamp(path) == self._file_stamp
        if os.path.isfile(path) and not ours and path != self._replace_asked:
            self._replace_asked = path
            if _same_file(path, self._file) and self._file_stamp is not None:
                return f"{shown(path)} has changed since it was saved or loaded here: enter again replaces it"
            return f"{shown(path)} already exists: enter again replaces it, or give another name"
        try:
            note = self.session.save(path)  # save() checks the path first
        except SaveFileError as e:
            return str(e)
        self._file, self._file_stamp = path, stamp(path)
        self.notify(note, timeout=4)
        return ""

    def _mention_kept(self) -> None:
        """At start: say that a network kept in the last day (on quitting, say) waits."""
        kept = self.session.kept_path
        try:
            age = time.time() - kept.stat().st_mtime if kept is not None else math.inf
        except OSError:
            return
        if age < KEPT_RECENT_HOURS * 3600:
            # in the Training pane, where it stays until read: a notice covered the Loss pane
            # for 8 s, and a first run, started at once, was drawn under it
            self._say_in_training_pane(f"An unsaved network kept {ago(age)} waits: ctrl+o loads it")

    def action_open(self) -> None:
        if not self.session.ready or self._draft_waits():  # loading would drop the draft unseen
            return
        kept = self.session.kept_path  # what a notice's "ctrl+o loads it" means
        offered = str(kept) if kept else self._file
        recent = recent_networks(self.session.running_keep)
        self.clear_notifications()  # "...: ctrl+o loads it" has done its work, and hid the list
        self.push_screen(FileDialog("Load a network (.npz)", offered, self._load_from, recent, "Load"))

    def _load_from(self, path: str) -> str:
        path = load_name(path)  # "mynet", saved as mynet.npz
        try:
            saved = load(path)
            data.check(saved.config, saved.spec.loss)
        except (SaveFileError, ConfigError) as e:
            return str(e)  # the network on screen is untouched
        session = self.session
        why = self._unkept("load")
        if why:
            return f"{why}. Save it first (esc, then ctrl+s), or enter again to load without it"
        self._stop_training()
        before = session.config.dataset
        kept = session.restore(saved)
        if not _is_kept_folder(os.path.dirname(os.path.abspath(path))):
            # a kept file is nnplay's: ctrl+s offers a name of the person's own
            self._file, self._file_stamp = path, stamp(path)
        self._after_rebuild()
        done = trained(saved.epochs_trained, saved.partial)  # a partial epoch: space finishes it
        now = saved.config.dataset
        if kept:  # the pane's note says where the network replaced went; this, over the plot
            switched = f" The data set is now {now} (was {before})." if now != before else ""
            self.notify(f"Loaded {name_and_folder(path)}: {done} trained.{switched}", timeout=6)
            self._say_in_training_pane(kept)
        else:  # in the pane: a notice hid the loaded curves for 4-6 s; the dialog named the folder
            switched = f", on {now} (was {before})" if now != before else ""
            self._say_in_training_pane(f"Loaded {os.path.basename(path)}: {done} trained{switched}")
        return ""


def stamp(path: str) -> tuple[int, ...] | None:
    """What tells one version of a file from another: its device, inode, size and time of
    change (None if it cannot be read)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _is_kept_folder(folder: str) -> bool:
    try:
        return _same_file(folder, str(kept_folder()))
    except OSError:  # no home folder: nothing is kept anywhere
        return False


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # b does not exist (yet), or was never given
        return False
