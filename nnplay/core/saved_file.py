"""A saved network file's contents: the format's names, what a file holds (Saved), and the
checks a file must pass before any of it is used.

A file is read as untrusted: its meta entry first (format, version, architecture,
settings, epochs, the shuffling state, how far into an unfinished epoch), then only
the arrays that meta calls for, each no larger than its shape needs; every array is
checked against the architecture, and anything amiss raises SaveFileError with a
plain message rather than bad weights. nnplay.core.serialize writes these files and
opens them.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from nnplay.core.config import JSON_KINDS, MAX_COUNT, TrainConfig, check_memory, least_epochs
from nnplay.core.history import COLUMNS, check_rows
from nnplay.core.network import NetworkSpec, check_spec, count_params
from nnplay.core.optimizers import OPTIMIZERS
from nnplay.core.paths import SaveFileError

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


def disagrees_on(config: TrainConfig, spec: NetworkSpec) -> str:
    """What settings and architecture disagree on ("" if nothing): load() refuses such a file."""
    for what, ours, theirs in (
        ("layer sizes", config.layers, spec.sizes),
        ("activations", config.hidden_activations, spec.activations),
        ("initialisation", config.init, spec.init),
    ):
        if ours != theirs:
            return what
    return ""


META_BYTES = 1024**2
"""The most a file's meta entry may hold: nnplay writes a few kilobytes."""
HEADER_BYTES = 65_536 + 16
"""Room for an entry's .npy header (version 1 headers are shorter than 64 KiB)."""


def read_checked(where: str, npz: np.lib.npyio.NpzFile) -> Saved:
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
    if partial is not None and (rng_state is None or not is_partial(partial)):
        raise SaveFileError(f"{where}: partial_epoch is invalid (steps, loss_sum, batch_size, rng_state)")
    least = least_epochs(epochs, partial)
    if config.epochs < least:  # a total already passed or an epoch begun (older nnplay train
        config = replace(config, epochs=least)  # wrote these): the least the app's field takes
    return _Meta(spec, config, epochs, rng_state, partial)


def is_partial(partial: Any) -> bool:
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
    disagreement = disagrees_on(config, spec)
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
