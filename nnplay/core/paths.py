"""Where a network is saved to or loaded from: names, folders, and whether a file can be
written there, checked before any training or writing, with messages for a person."""

from __future__ import annotations

import itertools
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path


class SaveFileError(ValueError):
    """A file that cannot be saved or loaded; str(error) says why, for a person."""


def shown(path: str | os.PathLike[str], most: int = 60) -> str:
    """The path for a message, its middle elided if it is longer than ``most``."""
    text = str(path)
    if len(text) <= most:
        return text
    half = (most - 1) // 2
    return text[:half] + "…" + text[-half:]


def tilde(path: str) -> str:
    """An absolute path with the home folder written ~, as a shell prompt shows it."""
    home = os.path.expanduser("~")
    if home not in ("~", os.sep) and (path == home or path.startswith(home + os.sep)):
        return "~" + path[len(home) :]
    return path


def name_and_folder(path: str | os.PathLike[str]) -> str:
    """'m.npz in ~/lessons': the whole path, with the name kept whole when a notice wraps."""
    folder, name = os.path.split(os.path.abspath(path))
    return f"{name} in {tilde(folder)}"


def numbered_names(stem: str, suffix: str) -> Iterator[str]:
    """``stem + suffix``, then ``stem-2 + suffix``, ``stem-3 + suffix`` and so on: the names
    to try, in turn, for a new file named by the time (a second one in the same second)."""
    yield stem + suffix
    for n in itertools.count(2):
        yield f"{stem}-{n}{suffix}"


def unused_name(folder: str, stem: str, suffix: str) -> str:
    """The first of numbered_names() not taken in ``folder``."""
    inside = os.path.join(folder, "")
    return next(name for name in numbered_names(stem, suffix) if not os.path.lexists(inside + name))


def new_file_mode(target: Path) -> int:
    """The mode the file would have if written in place: the old file's, or 0666 less the umask."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def save_name(path: str) -> str:
    """The file a save to ``path`` writes: a name not ending in .npz gets it, as np.savez
    does ("mynet" and "lr0.1" are mynet.npz and lr0.1.npz, names students know as networks,
    which the load list shows). Empty, a name ending in /, or what is there and not a
    file (a folder, /dev/null, a pipe) is left for check_writable to refuse: /dev/null
    was saved to as /dev/null.npz. A leading ~ is the home folder, as in a shell: the shell
    leaves it alone in --save=~/x and in quotes, and no one means a folder named ~."""
    path = os.path.expanduser(path)
    there = os.path.exists(path) and not os.path.isfile(path)
    if not path.strip() or path.endswith(("/", os.sep)) or there:
        return path
    return path if path.lower().endswith(".npz") else path + ".npz"


def load_name(path: str) -> str:
    """The file a load of ``path`` reads: mynet.npz for "mynet" if only that exists; ~ is
    the home folder (save_name). A mynet.npz that is not a file (a folder) is named too: its
    error says what it is, where "mynet: no such file" sent the person looking for mynet."""
    path = os.path.expanduser(path)
    if not os.path.exists(path) and os.path.exists(path + ".npz"):
        return path + ".npz"
    return path


def temporaries_of(names: str) -> re.Pattern[str]:
    """The temporary files that check_writable() and a save make beside a file whose name
    matches the regex ``names``: mkstemp's .mynet.npz.x1y2z3w4.tmp."""
    return re.compile(rf"\.(?:{names})\.[a-z0-9_]{{8}}\.tmp")


def check_writable(path: str | os.PathLike[str], needed: int = 0) -> None:
    """Raise SaveFileError now, not after training, if path cannot be written, or if its
    file system has less than ``needed`` bytes free (needed_bytes())."""
    if not str(path).strip():  # Path("") is ".", which would read as "a folder"
        raise SaveFileError("no file name given; give one such as model.npz")
    if str(path).endswith(("/", os.sep)):  # Path() drops the /: "foo/" would be saved as foo
        raise SaveFileError(f"{path} names a folder (it ends in /); give a file name such as model.npz")
    target = Path(path)
    try:
        real = Path(os.path.realpath(path))  # a symbolic link is written through
        folder = real.parent
        if real.is_dir():
            raise SaveFileError(f"{shown(target)} is a folder; give a file name such as model.npz")
        if real.exists() and not real.is_file():  # a device, a pipe, a socket
            raise SaveFileError(f"{shown(target)} is not a regular file; give a file name such as model.npz")
        if real.is_file() and (not os.access(real, os.W_OK) or not real.stat().st_mode & 0o222):
            # A hand-out made read-only (chmod 444) says "do not save over me": np.savez
            # honours that, but a rename in a writable folder would not (root, to whom
            # os.access allows anything, included: the mode bits say it too).
            raise SaveFileError(f"{shown(target)} is read-only; give another name")
        if not folder.is_dir():
            raise SaveFileError(f"cannot save to {shown(target)}: folder {shown(folder)} does not exist")
    except OSError as e:  # a name too long for the file system, say
        if isinstance(e, FileNotFoundError) and not os.path.isabs(path):  # from os.getcwd()
            raise SaveFileError(
                f"cannot save to {shown(target)}: the current folder no longer exists; give a whole path"
            ) from None
        raise SaveFileError(f"cannot save to {shown(target)}: {e.strerror or e}") from None
    if not os.access(folder, os.W_OK):
        raise SaveFileError(f"cannot save to {shown(target)}: folder {shown(folder)} is not writable")
    try:  # as save() will: a new file in that folder (root passes os.access even on /proc)
        fd, probe = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise SaveFileError(
            f"cannot save to {shown(target)}: no file can be made in {shown(folder)} ({e.strerror or e})"
        ) from None
    if needed:  # a full disk takes an empty file, then fails at the first block
        try:
            fs = os.statvfs(folder)
        except OSError:
            return  # not every file system says: the save itself will tell
        free = fs.f_bavail * fs.f_frsize
        if free < needed:
            raise SaveFileError(
                f"cannot save to {shown(target)}: {_size(free)} free in {shown(folder)}, "
                f"about {_size(needed)} needed"
            )


def _size(n: int) -> str:
    """'12 KiB', '3.4 MiB', '2.1 GiB': a number of bytes for a message."""
    kib = n / 1024
    if kib < 1024:
        return f"{kib:.0f} KiB"
    mib = kib / 1024
    return f"{mib:.3g} MiB" if mib < 1024 else f"{mib / 1024:.3g} GiB"
