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
so a crash mid-save leaves the old file whole. A symbolic link is written
through (the file it points to is replaced, the link stays); anything else
that is not a regular file, such as /dev/null, is refused, for saving and
loading alike. Loading checks everything and raises SaveFileError with a
plain message instead of returning bad weights.
"""

from __future__ import annotations

import json
import math
import os
import stat
import tempfile
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from nnplay.core.config import JSON_KINDS, MAX_COUNT, ConfigError, TrainConfig, check_memory, least_epochs
from nnplay.core.history import COLUMNS, MAX_ROWS, check_rows
from nnplay.core.network import Network, NetworkSpec, check_spec, count_params
from nnplay.core.optimizers import OPTIMIZERS, Optimizer
from nnplay.core.paths import SaveFileError, check_writable, new_file_mode, shown

FORMAT = "nnplay"
VERSION = 2
"""Version 2 added the optimizer's state and the history; version 1 files (without
them) still load."""
READS = (1, 2)
OPTIMIZER_PREFIX = "opt_"
LARGEST = float(np.finfo(np.float32).max)
"""Weights are trained as float32: a larger saved value would load as infinity."""
TOO_LARGE = f"holds values too large to train with (over {LARGEST:.1e})"


@dataclass(frozen=True)
class Saved:
    """What a file holds, checked."""

    spec: NetworkSpec
    config: TrainConfig
    weights: list[tuple[np.ndarray, np.ndarray]]  # (W, b) per dense layer
    epochs_trained: int
    rng_state: dict[str, Any] | None  # the shuffling generator's state, to carry on exactly
    optimizer_state: dict[str, np.ndarray]  # config.optimizer's state(), or {} to start it afresh
    history: np.ndarray  # (E, 5): the figures of each epoch (see nnplay.core.history), E may be 0
    partial: dict[str, Any] | None = None  # saved partway through an epoch: Trainer.partial


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
    disagreement = _disagreement(config, net.spec)
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


def _disagreement(config: TrainConfig, spec: NetworkSpec) -> str:
    """What settings and architecture disagree on ("" if nothing): load() refuses such a file."""
    for what, ours, theirs in (
        ("layer sizes", config.layers, spec.sizes),
        ("activations", config.hidden_activations, spec.activations),
        ("initialisation", config.init, spec.init),
    ):
        if ours != theirs:
            return what
    return ""


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
    return epochs, partial if _is_partial(partial) else None, dataset, network


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
            return _read(where, npz)
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


META_BYTES = 1024**2
"""The most a file's meta entry may hold: nnplay writes a few kilobytes."""
HEADER_BYTES = 65_536 + 16
"""Room for an entry's .npy header (version 1 headers are shorter than 64 KiB)."""


def _read(where: str, npz: np.lib.npyio.NpzFile) -> Saved:
    """Read and check the meta first, then only the arrays it calls for, each no larger than
    its shape needs: a small compressed file can unpack to gigabytes of zeros."""
    infos = npz.zip.infolist() if npz.zip is not None else []
    unpacked = {info.filename.removesuffix(".npy"): info.file_size for info in infos}
    if "meta" not in unpacked:
        raise SaveFileError(f"{where} is not an nnplay file: it has no 'meta' entry")
    if unpacked["meta"] > META_BYTES:
        raise SaveFileError(f"{where}: 'meta' is too large to be an nnplay file's")
    meta = _meta(where, npz["meta"])
    n_params = count_params(meta.spec.sizes)
    most: dict[str, int] = {}  # how many numbers each weight array holds
    for i, (n_in, n_out) in enumerate(zip(meta.spec.sizes[:-1], meta.spec.sizes[1:], strict=True)):
        most[f"W{i}"], most[f"b{i}"] = n_in * n_out, n_out
    unexpected = sorted(
        n
        for n in unpacked
        if n not in most and n != "meta" and n != "history" and not n.startswith(OPTIMIZER_PREFIX)
    )
    if unexpected:
        raise SaveFileError(
            f"{where}: the arrays do not match the architecture; unexpected {', '.join(unexpected)}"
        )
    arrays = {}
    for name, size in unpacked.items():
        if name == "meta":
            continue
        if name == "history":
            elements = meta.epochs * len(COLUMNS)
        else:
            elements = most.get(name, n_params)  # an optimizer slot: one value per weight
        if size > 16 * elements + HEADER_BYTES:  # 16 bytes: the widest float
            raise SaveFileError(f"{where}: {name} holds far more numbers than the architecture has room for")
        value = npz[name]
        if not isinstance(value, np.ndarray):  # an entry without an .npy header comes back as bytes
            raise SaveFileError(f"{where}: {name} is not a NumPy array")
        arrays[name] = value
    return _check(where, meta, arrays)


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


@dataclass(frozen=True)
class _Meta:
    """What a file's meta entry says, checked."""

    spec: NetworkSpec
    config: TrainConfig
    epochs: int
    rng_state: Any
    partial: dict[str, Any] | None


def _meta(where: str, meta_array: np.ndarray | bytes) -> _Meta:
    if not isinstance(meta_array, np.ndarray) or meta_array.dtype.kind != "U" or meta_array.shape != ():
        raise SaveFileError(f"{where}: 'meta' must be a JSON string")
    try:
        meta = json.loads(str(meta_array))
    except (ValueError, RecursionError) as e:  # ValueError: also an integer of 5,000 digits
        raise SaveFileError(f"{where}: 'meta' is not valid JSON ({type(e).__name__}: {e})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise SaveFileError(f"{where} is not an nnplay file")
    version = meta.get("version")
    if type(version) is not int or version not in READS:  # JSON true would pass for 1
        raise SaveFileError(
            f"{where} is format version {version!r}; this nnplay reads " + " and ".join(map(str, READS))
        )
    try:
        arch = meta["architecture"]
        if not JSON_KINDS["layers"][1](arch["sizes"]):  # as for the settings: int() makes 16.5 a 16
            raise ValueError(f"layer sizes must be whole numbers, not {arch['sizes']}")
        spec = NetworkSpec(
            sizes=tuple(arch["sizes"]),
            activations=tuple(str(a) for a in arch["activations"]),
            loss=str(arch["loss"]),
            init=str(arch["init"]),
        )
        check_spec(spec)
        config = TrainConfig.from_dict(meta["settings"])
        check_memory(config.layers, config.batch_size)  # before any array is read
        epochs = meta["epochs_trained"]
        rng_state = meta.get("rng_state")
        partial = meta.get("partial_epoch")
    except (KeyError, TypeError, ValueError, OverflowError) as e:  # ConfigError is a ValueError
        detail = f"missing {e}" if isinstance(e, KeyError) else str(e)
        raise SaveFileError(f"{where}: the architecture or settings are invalid ({detail})") from None
    if type(epochs) is not int or not 0 <= epochs <= MAX_COUNT:
        raise SaveFileError(f"{where}: epochs_trained must be a whole number from 0 to {MAX_COUNT:,}")
    if rng_state is not None and (detail := _shuffle_state_error(rng_state)):
        raise SaveFileError(f"{where}: the shuffling state is invalid ({detail})")
    if partial is not None and (rng_state is None or not _is_partial(partial)):
        raise SaveFileError(f"{where}: partial_epoch is invalid (steps, loss_sum, batch_size, rng_state)")
    least = least_epochs(epochs, partial)
    if config.epochs < least:  # a total already passed or an epoch begun (older nnplay train
        config = replace(config, epochs=least)  # wrote these): the least the app's field takes
    return _Meta(spec, config, epochs, rng_state, partial)


def _is_partial(partial: Any) -> bool:
    """Whether a file's partial_epoch is what Trainer.partial holds."""
    if not isinstance(partial, dict) or set(partial) != {"steps", "loss_sum", "batch_size", "rng_state"}:
        return False
    steps, loss_sum, batch_size = partial["steps"], partial["loss_sum"], partial["batch_size"]
    if type(steps) is not int or type(batch_size) is not int or not 1 <= min(steps, batch_size):
        return False
    if steps > MAX_COUNT or batch_size > MAX_COUNT or type(loss_sum) not in (int, float):
        return False
    return math.isfinite(loss_sum) and not _shuffle_state_error(partial["rng_state"])


def _shuffle_state_error(state: Any) -> str:
    """Why NumPy refuses a saved PCG64 state, or "" if it takes it (tried on a throwaway)."""
    try:
        np.random.PCG64().state = state
    except (TypeError, ValueError, KeyError, OverflowError) as e:
        return f"missing {e}" if isinstance(e, KeyError) else str(e) or type(e).__name__
    return ""


def _check(where: str, meta: _Meta, arrays: dict[str, np.ndarray]) -> Saved:
    spec, config, epochs, rng_state = meta.spec, meta.config, meta.epochs, meta.rng_state
    disagreement = _disagreement(config, spec)
    if disagreement:
        raise SaveFileError(f"{where}: settings and architecture disagree on the {disagreement}")
    optimizer_state = {
        name.removeprefix(OPTIMIZER_PREFIX): arrays.pop(name)
        for name in list(arrays)
        if name.startswith(OPTIMIZER_PREFIX)
    }
    try:
        OPTIMIZERS[config.optimizer].check_state(optimizer_state, count_params(spec.sizes))
    except ValueError as e:
        raise SaveFileError(f"{where}: the optimizer's state is invalid ({e})") from None
    for name, value in optimizer_state.items():
        if value.dtype.kind == "f" and _too_large(value):
            raise SaveFileError(f"{where}: the optimizer's {name} {TOO_LARGE}")
    history = arrays.pop("history", np.empty((0, len(COLUMNS))))
    try:
        check_rows(history, epochs)
    except ValueError as e:
        raise SaveFileError(f"{where}: the history is invalid ({e})") from None
    n = len(spec.sizes) - 1
    expected = {f"{p}{i}" for i in range(n) for p in "Wb"}
    if set(arrays) != expected:
        extra, missing = sorted(set(arrays) - expected), sorted(expected - set(arrays))
        raise SaveFileError(
            f"{where}: the arrays do not match the architecture"
            + (f"; missing {', '.join(missing)}" if missing else "")
            + (f"; unexpected {', '.join(extra)}" if extra else "")
        )
    weights = []
    for i, (a, b) in enumerate(zip(spec.sizes[:-1], spec.sizes[1:], strict=True)):
        W, bias = arrays[f"W{i}"], arrays[f"b{i}"]
        for name, arr, shape in ((f"W{i}", W, (a, b)), (f"b{i}", bias, (b,))):
            if arr.shape != shape:
                raise SaveFileError(f"{where}: {name} has shape {arr.shape}, the architecture needs {shape}")
            if arr.dtype.kind != "f":
                raise SaveFileError(f"{where}: {name} holds {arr.dtype}, not floating-point numbers")
            if not np.isfinite(arr).all():
                raise SaveFileError(f"{where}: {name} holds NaN or infinite values")
            if _too_large(arr):
                raise SaveFileError(f"{where}: {name} {TOO_LARGE}")
        weights.append((W, bias))
    return Saved(spec, config, weights, epochs, rng_state, optimizer_state, history, meta.partial)


def _too_large(arr: np.ndarray) -> bool:
    return bool(arr.size) and float(np.abs(arr).max()) > LARGEST


def restore(net: Network, saved: Saved) -> None:
    """Copy saved weights into a network built from saved.spec."""
    if net.spec.sizes != saved.spec.sizes:
        raise SaveFileError("the saved network's layer sizes differ from this network's")
    for dense, (W, b) in zip(net.dense, saved.weights, strict=True):
        dense.W[...] = W
        dense.b[...] = b
