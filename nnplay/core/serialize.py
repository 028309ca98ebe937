"""Save and load networks as .npz files that plain NumPy reads without pickle.

Layout (``np.load(path, allow_pickle=False)``):
    W0, b0, W1, b1, ...  the i-th dense layer's weights (n_in, n_out) and biases (n_out,)
    opt_v, opt_m, opt_t  the optimizer's state, if it has any (momentum: v; Adam: m, v, t):
                         vectors over all weights in the order W0, b0, W1, ..., each
                         flattened, and Adam's step count
    history              the figures of each epoch trained, if kept: (E, 5) rows of
                         epoch, loss, test loss, train accuracy, test accuracy
    meta                 a JSON string: format, version, architecture, settings,
                         epochs trained and the shuffling generator's state (and,
                         for a network saved partway through an epoch, how far)

Writes are atomic: the file is written beside its target and renamed over it,
so a crash mid-save leaves the old file whole (and the next save of that name
removes what it left beside it). A symbolic link is written
through (the file it points to is replaced, the link stays); anything else
that is not a regular file, such as /dev/null, is refused, for saving and
loading alike. Loading checks everything (nnplay.core.saved_file) and raises
SaveFileError with a plain message instead of returning bad weights.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import tempfile
import time
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from nnplay.core.config import ConfigError, TrainConfig, least_epochs
from nnplay.core.history import COLUMNS, MAX_ROWS, check_rows
from nnplay.core.network import Network
from nnplay.core.optimizers import Optimizer
from nnplay.core.paths import SaveFileError, check_writable, new_file_mode, shown, temporaries_of
from nnplay.core.saved_file import (
    FORMAT,
    META_BYTES,
    OPTIMIZER_PREFIX,
    VERSION,
    Saved,
    disagrees_on,
    is_partial,
    read_checked,
)


def save(
    path: str | os.PathLike[str],
    net: Network,
    config: TrainConfig,
    epochs_trained: int,
    rng: np.random.Generator | None = None,
    optimizer: Optimizer | None = None,
    history: np.ndarray | None = None,
    partial: dict[str, Any] | None = None,
) -> None:
    """Write the network atomically; refuse (SaveFileError) to write non-finite weights.

    ``optimizer``, the one training the network under ``config.optimizer``: its
    state is saved too, so loading carries on as if training had not stopped.
    ``history``: the run's per-epoch figures (``HistoryLog.table()``), so a loaded
    network shows how it learned. ``partial``: how far into an unfinished epoch
    (``Trainer.partial``), so loading finishes that epoch as if never stopped.
    """
    check_writable(path)  # first: a folder or a device, renamed over, would be replaced
    if not np.isfinite(net.params).all():
        raise SaveFileError("the network has non-finite weights (it diverged); nothing was saved")
    # What load() will ask of the settings, asked now: an atomic save of a file that will
    # not load would replace a good one.
    disagreement = disagrees_on(config, net.spec)
    if disagreement:
        raise SaveFileError(f"the settings and the network disagree on the {disagreement}; nothing was saved")
    try:
        TrainConfig.from_dict(config.to_dict())
    except ConfigError as e:
        raise SaveFileError(f"the settings are invalid ({e}); nothing was saved") from None
    spec = net.spec
    partial = partial if rng is not None else None  # an epoch is finished from its shuffle only
    least = least_epochs(epochs_trained, partial)
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "architecture": {
            "sizes": list(spec.sizes),
            "activations": list(spec.activations),
            "loss": spec.loss,
            "init": spec.init,
        },
        # --epochs is the total to train to, never below what is done or an epoch begun (a
        # file that said so would be refused by the app's own --epochs check)
        "settings": replace(config, epochs=max(config.epochs, least)).to_dict(),
        "epochs_trained": epochs_trained,
        "rng_state": rng.bit_generator.state if rng is not None else None,
    }
    if partial is not None:
        meta["partial_epoch"] = partial
    arrays: dict[str, np.ndarray] = {"meta": np.array(json.dumps(meta))}
    for i, dense in enumerate(net.dense):
        arrays[f"W{i}"] = dense.W
        arrays[f"b{i}"] = dense.b
    if optimizer is not None:
        state = optimizer.state()
        try:
            type(optimizer).check_state(state, net.n_params)  # what load() will ask of it
            arrays.update({OPTIMIZER_PREFIX + name: value for name, value in state.items()})
        except ValueError:
            pass  # a state load() would refuse (moments that overflowed) must not cost the network
    if history is not None and len(history):
        history = np.asarray(history, dtype=np.float64)
        try:
            check_rows(history, epochs_trained)  # what load() will ask of it
            arrays["history"] = history
        except ValueError:
            pass  # an odd history (a loss that overflowed, say) must not cost the network
    target = Path(os.path.realpath(path))  # through a symbolic link: the link must stay a link
    folder = target.parent
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as e:
        raise SaveFileError(f"cannot write to {shown(folder)}: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, allow_pickle=False, **arrays)  # type: ignore[arg-type]
            f.flush()
            os.fsync(f.fileno())
            os.fchmod(f.fileno(), new_file_mode(target))  # mkstemp makes it private (0600)
        os.replace(tmp, target)
    except OSError as e:
        raise SaveFileError(f"cannot save {shown(target)}: {e.strerror or e}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    _forget_left_over(target)


LEFT_OVER_SECONDS = 3600
"""A save's temporary file older than this was left by a save cut short (kill -9, a power
cut); a younger one may be another save of the same name under way."""


def _forget_left_over(target: Path) -> None:
    """Remove the temporary files that saves of ``target`` cut short left beside it: hidden
    (.mynet.npz.x1y2z3w4.tmp), they would pile up unseen in the person's folder."""
    mine = temporaries_of(re.escape(target.name))
    too_old = time.time() - LEFT_OVER_SECONDS
    with contextlib.suppress(OSError):
        for entry in os.scandir(target.parent):
            with contextlib.suppress(OSError):
                if mine.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                    if entry.stat(follow_symlinks=False).st_mtime < too_old:
                        os.unlink(entry.path)


def needed_bytes(net: Network, optimizer: Optimizer | None = None, epochs: int = 0) -> int:
    """About the most that save() writes for this network trained ``epochs`` in all: its
    weights, as many again for each of the optimizer's weight-sized state arrays (Adam's
    step count ``t`` is one number), the history's rows (at most MAX_ROWS), and room for
    the settings."""
    names = type(optimizer).state_names if optimizer is not None else ()
    vectors = sum(name != "t" for name in names)
    history = min(epochs, MAX_ROWS) * len(COLUMNS) * 8  # float64
    return net.params.nbytes * (1 + vectors) + history + 64 * 1024


def peek(path: str | os.PathLike[str]) -> tuple[int, dict[str, Any] | None, str, str] | None:
    """(epochs trained, how far into the next (as Trainer.partial), data set, "64→16→10 adam"
    or "" if the file's settings do not say) from a file's meta alone, its arrays unread, for
    a list of files to choose from; None for anything that is not a regular, readable nnplay
    file (load() says what is wrong with it)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a pipe could block for ever
            return None
        with np.load(path, allow_pickle=False) as f:
            if f.zip.getinfo("meta.npy").file_size > META_BYTES:  # as load() refuses it, unread
                return None
            meta = json.loads(str(f["meta"]))
        epochs, dataset = meta["epochs_trained"], meta["settings"]["dataset"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError, zipfile.BadZipFile, EOFError):
        return None
    if meta.get("format") != FORMAT or type(epochs) is not int or not isinstance(dataset, str):
        return None
    partial = meta.get("partial_epoch")
    layers, optimizer = meta["settings"].get("layers"), meta["settings"].get("optimizer")
    network = ""  # only what load() would take: a list of sizes and an optimizer's name
    if isinstance(layers, list) and all(type(n) is int for n in layers) and isinstance(optimizer, str):
        network = f"{'→'.join(map(str, layers))} {optimizer}"[:60]
    return epochs, partial if is_partial(partial) else None, dataset, network


def load(path: str | os.PathLike[str]) -> Saved:
    """Read and check a saved network; raise SaveFileError saying what is wrong."""
    if not str(path).strip():
        raise SaveFileError("no file name given")
    where = shown(path)
    try:
        mode = os.stat(path).st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):  # a folder is refused below, by name
            # a pipe or a device: reading one can block for ever, or never end
            raise SaveFileError(f"{where} is not a regular file, not a saved network")
        loaded = np.load(path, allow_pickle=False)
        if not isinstance(loaded, np.lib.npyio.NpzFile):  # a single .npy array
            raise SaveFileError(f"{where} is not a saved network: an .npy array, not an .npz file")
        with loaded as npz:
            return read_checked(where, npz)
    except SaveFileError:  # a ValueError too: not to be wrapped by the clause below
        raise
    except FileNotFoundError:
        raise SaveFileError(f"{where}: no such file") from None
    except IsADirectoryError:
        raise SaveFileError(f"{where} is a folder, not a saved network") from None
    except PermissionError:
        raise SaveFileError(f"{where}: permission denied") from None
    except (zipfile.BadZipFile, EOFError) as e:
        raise SaveFileError(f"{where} is not a readable .npz file (truncated or corrupt?): {e}") from None
    except OSError as e:
        if e.strerror:  # from the file system: a name too long, a file used as a folder...
            raise SaveFileError(f"cannot read {where}: {e.strerror}") from None
        raise SaveFileError(f"{where} is not a readable .npz file (truncated or corrupt?): {e}") from None
    except ValueError as e:
        if "pickle" not in str(e).lower():
            raise SaveFileError(f"{where} is not a saved network: {e}") from None
        # Object arrays in an .npz are pickles, but np.load also takes any file that is
        # neither .npz nor .npy for a pickle: a text file is not one.
        if _is_zip(path) or _starts_with(path, b"\x80"):  # 0x80: how pickles since protocol 2 start
            raise SaveFileError(f"{where} holds pickled Python objects; nnplay never loads those") from None
        raise SaveFileError(f"{where} is not a saved network: not an .npz file") from None
    except Exception as e:  # zip and npy parsing can fail in many ways on a damaged file
        raise SaveFileError(f"{where} is damaged and cannot be read ({type(e).__name__}: {e})") from None


def _is_zip(path: str | os.PathLike[str]) -> bool:
    try:
        return zipfile.is_zipfile(path)
    except OSError:
        return False


def _starts_with(path: str | os.PathLike[str], magic: bytes) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(len(magic)) == magic
    except OSError:
        return False


def restore(net: Network, saved: Saved) -> None:
    """Copy saved weights into a network built from saved.spec."""
    if net.spec.sizes != saved.spec.sizes:
        raise SaveFileError("the saved network's layer sizes differ from this network's")
    for dense, (W, b) in zip(net.dense, saved.weights, strict=True):
        dense.W[...] = W
        dense.b[...] = b
