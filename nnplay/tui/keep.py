"""Keeping training that was never saved: a file of its own in the state folder, made
before anything replaces the network or the app quits, so no work is lost unseen.

Files, not UI: the Session keeps, the app says so.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import stat
import threading
import time
from collections.abc import Callable
from pathlib import Path

from nnplay.core.paths import SaveFileError, check_writable, numbered_names, shown, temporaries_of
from nnplay.core.serialize import LEFT_OVER_SECONDS


def served() -> bool:
    """Whether this app runs under `nnplay serve`, whose browser tabs share one user."""
    return "web_driver" in os.environ.get("TEXTUAL_DRIVER", "")


BROWSER_KEEPS = "NNPLAY_BROWSER_KEEPS"
"""The environment variable in which `nnplay serve` gives a tab's app the folder that its
browser's unsaved training is kept in (a whole path): each browser has its own, so no tab is
offered another student's network."""


def keeps_unsaved() -> bool:
    """Whether training about to be lost is kept: always in a terminal; under `nnplay serve`
    only in its browser's own folder (BROWSER_KEEPS), as the tabs share one user."""
    return not served() or os.path.isabs(os.environ.get(BROWSER_KEEPS, ""))


KEPT_MOST = 10
"""How many kept networks always stay in the state folder, however old."""
KEPT_DAYS = 7
"""Kept networks newer than this many days stay too: a class sharing one account, quitting
together, must not push each other's out."""


def kept_folder() -> Path:
    """Where unsaved training is kept: $XDG_STATE_HOME/nnplay (by default
    ~/.local/state/nnplay); under `nnplay serve`, the browser's own folder. OSError if there
    is no home folder to put it in. A relative XDG_STATE_HOME is ignored, as the XDG spec
    says: keeps would land wherever nnplay was started, and ctrl+o started elsewhere would
    not find them."""
    if served() and keeps_unsaved():
        return Path(os.environ[BROWSER_KEEPS])
    state = os.environ.get("XDG_STATE_HOME", "")
    if not os.path.isabs(state):
        home = os.path.expanduser("~")
        if home == "~":  # Path.home()'s RuntimeError, which stopped the app starting
            raise OSError(
                "HOME is not set and this user has no home folder; set XDG_STATE_HOME to a whole path"
            )
        state = os.path.join(home, ".local", "state")
    return Path(state) / "nnplay"


KEPT_NAME = r"unsaved(?:-(\d{8}-\d{6})(?:-(\d+))?)?"
"""The names nnplay gives keeps, less .npz (reserve_kept_path(); unsaved was the one name
older versions used): only files so named count as keeps, and only they are ever removed,
not a person's own unsaved-notes.npz."""


def kept_files() -> list[Path]:
    """The networks kept so far, the last written last (last_written(); the time in their
    names breaks a tie, unsaved.npz, the one name older versions used, counting as the
    oldest). A name reserved but not yet written (an empty file) is left out."""
    try:
        found = [
            (named, p)
            for p in kept_folder().glob("unsaved*.npz")
            if (named := re.fullmatch(KEPT_NAME + r"\.npz", p.name)) and p.is_file() and p.stat().st_size
        ]
    except OSError:
        return []
    found.sort(key=lambda kept: (last_written(kept[1]), kept[0][1] or "", int(kept[0][2] or 1)))
    return [p for _, p in found]


def last_written(path: Path) -> float:
    """When a file was last written (0 if it cannot be read): a keep's name says when it was
    first kept, and the keeps as it trains and at the end write the same file again."""
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def reserve_kept_path() -> Path:
    """A new file in kept_folder(), made if need be (OSError if it cannot be), named by the
    time: each keep is a file of its own, so keeping never replaces earlier training. The
    name is created empty at once (O_EXCL), so two apps keeping in the same second cannot
    both take it."""
    folder = kept_folder()
    folder.mkdir(parents=True, exist_ok=True)
    stem = time.strftime("unsaved-%Y%m%d-%H%M%S", time.gmtime())  # UTC: no clock change reorders
    names = numbered_names(stem, ".npz")  # endless: unsaved-...-2.npz, -3, ... if taken
    while True:
        path = folder / next(names)
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
        except FileExistsError:
            continue
        try:
            # writable by its owner whatever the umask (0277 left it 0400): saving refuses a
            # read-only file, and would have refused this keep's own name
            os.fchmod(fd, stat.S_IMODE(os.fstat(fd).st_mode) | stat.S_IWUSR)
        finally:
            os.close(fd)
        return path


LEFT_OVER_HOURS = LEFT_OVER_SECONDS / 3600
"""A name reserved but never written, or a temporary file (a keep's save, check_room()'s
probe), older than this is what an app killed mid-keep left behind (a younger one may be
another app's keep under way): serialize.LEFT_OVER_SECONDS, as for any save."""


def forget_old_kept() -> None:
    """Remove kept networks beyond the KEPT_MOST last written that are also over KEPT_DAYS old,
    and what keeps cut short left behind: only files nnplay names (KEPT_NAME, ROOM_NAME)."""
    too_old = time.time() - KEPT_DAYS * 86400
    for old in kept_files()[:-KEPT_MOST]:
        with contextlib.suppress(OSError):
            if old.stat().st_mtime < too_old:
                old.unlink()
    left_over = time.time() - LEFT_OVER_SECONDS
    reserved = re.compile(KEPT_NAME + r"\.npz")
    temporary = temporaries_of(rf"{KEPT_NAME}\.npz|{ROOM_NAME}")
    with contextlib.suppress(OSError):
        for path in kept_folder().iterdir():
            ours = temporary.fullmatch(path.name) or reserved.fullmatch(path.name)
            with contextlib.suppress(OSError):
                if ours and (info := path.lstat()).st_mtime < left_over and stat.S_ISREG(info.st_mode):
                    if info.st_size == 0 or temporary.fullmatch(path.name):  # a keep only if empty
                        path.unlink()


KEEP_EVERY = 60.0
"""Seconds of training between the keeps made while it runs, for what no quit is there to
keep: a `kill -9`, the machine's memory running out, a crash. At most this much is lost."""
SLOW_KEEP = 50
"""A keep that takes longer than KEEP_EVERY / SLOW_KEEP (a network of hundreds of MB on a
slow disk) comes that many times its own length apart instead: training, which waits for
it, slows by at most 2%."""


class RunningKeep:
    """The file one network's training is kept in as it runs: reserved at the first keep,
    then rewritten, by the keeps as it trains and by the keep that finally replaces or
    quits the network. One file per network, however long it trains."""

    def __init__(self) -> None:
        self.path: Path | None = None
        self._step = 0
        """The trainer's step count at the last keep: no more steps, nothing new to keep."""
        self._since: float | None = None
        """When the last keep was tried, or the first epoch since it ended."""
        self._took = 0.0
        self._writing = threading.Lock()
        """Held through every write to the file, or over it: the training thread writes its
        keeps outside the session's lock, and a keep or save on the UI thread may come
        meanwhile."""
        self._tickets = 0
        """Tickets given out, one with each copy of the network (ticket()), in the order the
        copies were taken."""
        self._newest = 0
        """The ticket of the newest copy written, or superseded by the person's save: an
        older copy is not written over it."""

    def ticket(self) -> int:
        """A ticket for a copy of the network taken now, under the session's lock, to be
        written later (write()): the order of tickets is the order of the copies."""
        self._tickets += 1
        return self._tickets

    def due(self, step: int, ended: bool = False) -> bool:
        """Whether to keep the network now, at `step` steps: as an epoch ends, KEEP_EVERY
        seconds after the last keep; as a run ends (finished, paused or diverged: a
        network that may then sit for an hour of looking at it), at once. Either way not
        if nothing trained since, and a slow keep spaces them out (SLOW_KEEP)."""
        if step == self._step:
            return False
        now = time.monotonic()
        if self._since is None:
            self._since = now
        wait = SLOW_KEEP * self._took if ended else max(KEEP_EVERY, SLOW_KEEP * self._took)
        return now - self._since >= wait

    def write(self, save: Callable[[Path], object], step: int, ticket: int | None = None) -> Path | None:
        """Keep with `save` the network at `step` steps to its file, reserving the file the
        first time; returns it. `ticket`: the one given with a copy that `save` writes (none:
        the network as it is now, under the session's lock); None is returned, and nothing
        written, if a newer copy was written meanwhile, or the person saved since.
        Raises what `save` or reserve_kept_path() raised, leaving no empty name behind;
        the file, if it held an earlier keep, still holds it."""
        with self._writing:
            ticket = self.ticket() if ticket is None else ticket
            if ticket <= self._newest:
                return None
            started = time.monotonic()
            path = self.path or reserve_kept_path()
            try:
                save(path)
            except BaseException:
                if self.path is None:  # the name reserved, empty
                    with contextlib.suppress(OSError):
                        path.unlink()
                raise
            finally:  # a failure waits its turn too: a full disk is not retried every epoch
                self._since = time.monotonic()
            self.path, self._step, self._took, self._newest = path, step, self._since - started, ticket
            return path

    def save_instead(self, save: Callable[[], str], saved: str) -> str:
        """The person saves the network to `saved` with `save` (returning its note): what was
        kept as it ran is older than that, so it goes (unless it is that very file), and the
        next keep starts a new one. Under the lock that keeps take, so none lands over the
        person's file or after it: a copy taken before is not written at all."""
        with self._writing:
            note = save()  # if it raises, the keep stays: it may be all there is on disk
            if self.path is not None and not _same(self.path, saved):
                with contextlib.suppress(OSError):
                    self.path.unlink()
            self.path, self._step, self._since, self._newest = None, 0, None, self._tickets
            return note


def _same(a: Path, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


NOT_KEPT = "Your unsaved network could not be kept: {}"


def reason(e: Exception) -> str:
    """Why keeping failed, for a person: "[Errno 30] Read-only file system: '/x'" was Python's."""
    if isinstance(e, OSError) and e.strerror:
        return f"cannot write {e.filename}: {e.strerror}" if e.filename else e.strerror
    return str(e)


class KeepError(Exception):
    """Unsaved training could not be kept, so what would have replaced it was not done."""


ROOM_NAME = r"room-\d+\.npz"
"""The names check_room() probes with: a temporary file of such a name (check_writable()'s)
is left behind if nnplay is killed as it checks."""


def check_room(needed: int) -> None:
    """Raise KeepError unless kept_folder() can be made and written, with room for `needed`
    bytes, said of the folder (no file is made)."""
    try:
        folder = kept_folder()
    except OSError as e:  # no home folder
        raise KeepError(NOT_KEPT.format(reason(e))) from None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # a name not there, as a keep's is: it is the folder that counts, and a file there
        # (an older nnplay's read-only unsaved.npz) would have refused every keep
        probe = next(p for n in itertools.count() if not os.path.lexists(p := folder / f"room-{n}.npz"))
        check_writable(probe, needed)
    except SaveFileError as e:  # the folder's fault: said of the folder, not of a file never made
        why = str(e).removeprefix(f"cannot save to {shown(probe)}: ")
        if shown(folder) not in why:  # a bare "Permission denied" (chmod 000): say where
            why = f"cannot write {shown(folder)}: {why}"
        raise KeepError(NOT_KEPT.format(why)) from None
    except OSError as e:
        raise KeepError(NOT_KEPT.format(reason(e))) from None
