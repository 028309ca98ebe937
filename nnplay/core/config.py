"""The one settings model: the CLI's flags, the app's fields and the saved file.

Each field is parsed from text by ``parse_field`` and the whole is checked by
``TrainConfig.check``; both raise ``ConfigError`` with a message meant for a
person, naming the field, what was given and what is allowed.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from nnplay.core.activations import ACTIVATIONS
from nnplay.core.layers import INITS
from nnplay.core.network import MEMORY_LIMIT, estimate_bytes
from nnplay.core.optimizers import OPTIMIZERS

MAX_UNITS = 100_000
"""Largest single layer: wider than this is a typo, not an experiment."""


class ConfigError(ValueError):
    """A setting that cannot be used; str(error) says why, for a person."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field
        """The TrainConfig field at fault, when there is one."""


@dataclass(frozen=True)
class TrainConfig:
    """What to train and how. The defaults are the tutorial's experiment."""

    dataset: str = "digits"
    """Name of the data set (see nnplay.data.DATASETS)."""
    layers: tuple[int, ...] = (64, 128, 64, 10)
    """Units per layer, input first, output last; input and output fit the data set."""
    activation: tuple[str, ...] = ("relu",)
    """Hidden-layer activation: one name for all, or one per hidden layer."""
    init: str = "he"
    """Weight initialisation: he (for ReLU) or xavier (for tanh; sigmoid, whose slope is at most
    1/4, still shrinks gradients layer by layer)."""
    optimizer: str = "sgd"
    """sgd, momentum (0.9) or adam (PyTorch's defaults)."""
    lr: float = 0.01
    """Learning rate."""
    batch_size: int = 32
    """Samples per gradient step; more than the training set means full batch."""
    epochs: int = 100
    """Passes over the training set (0 only builds the network)."""
    seed: int = 0
    """Seeds the weights and the shuffling: one seed, one result, bit for bit (with the
    same number of BLAS threads: products split otherwise may round otherwise)."""
    l2: float = 0.0
    """Weight decay: adds l2 * w to every gradient; 0 turns it off."""

    @property
    def hidden_activations(self) -> tuple[str, ...]:
        """One activation name per hidden layer."""
        n_hidden = len(self.layers) - 2
        if len(self.activation) == 1:
            return self.activation * n_hidden
        return self.activation

    @property
    def unused_activation(self) -> str:
        """A note when no layer uses the activation setting, else "": a network with no hidden
        layer (64,10) has no hidden activation, whatever the setting names. Said, not refused:
        the setting stays, for a hidden layer added later (and in the saved file)."""
        return unused_activation(self.layers, self.activation)

    def with_text(self, name: str, text: str) -> TrainConfig:
        """A copy with one field parsed from text (not yet checked as a whole)."""
        return replace(self, **{name: parse_field(name, text)})

    def check(self, n_in: int, n_out: int) -> None:
        """Raise ConfigError unless this config trains on data of this shape."""
        for f in fields(self):
            parse_field(f.name, format_field(f.name, getattr(self, f.name)))
        if self.layers[0] != n_in:
            raise ConfigError(
                f"layers: the first size must be {n_in}, the {self.dataset} data set's "
                f"input size, not {self.layers[0]}",
                "layers",
            )
        if self.layers[-1] != n_out:
            raise ConfigError(
                f"layers: the last size must be {n_out}, the {self.dataset} data set's "
                f"output size, not {self.layers[-1]}",
                "layers",
            )
        n_hidden = len(self.layers) - 2
        if len(self.activation) not in (1, n_hidden):
            # "give one name for all hidden layers or 1 (one per hidden layer), not 2" was
            # what --activation relu,tanh got with one hidden layer: count them, and offer a
            # name for each only where that is not the one name for all
            hidden = counted(n_hidden, "hidden layer") if n_hidden else "no hidden layer"
            each = f" for all of them or {n_hidden}, one each" if n_hidden > 1 else ""
            raise ConfigError(
                f"activation: layers {','.join(map(str, self.layers))} has {hidden} "
                f"for {len(self.activation)} names; give one{each}",
                "activation",
            )
        check_memory(self.layers, self.batch_size)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (tuples become lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        """The inverse of to_dict; unknown or missing keys and bad values raise ConfigError
        (every file nnplay has written holds every setting: a missing one is damage, and a
        default in its place would train on with a learning rate nobody chose)."""
        if not isinstance(data, dict):
            raise ConfigError("settings must be a JSON object")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(unknown)}")
        missing = [name for name in known if name not in data]
        if missing:
            raise ConfigError(f"missing setting(s): {', '.join(sorted(missing))}")
        values = {}
        for name, value in data.items():
            kind, is_kind = JSON_KINDS[name]
            if not is_kind(value):  # "32" or [0.01] where a number goes: not what to_dict writes
                # as the file has it: "32", a string, is shown in its JSON quotes and no others
                raise ConfigError(f"{name}: {_quoted(json.dumps(value), quotes=False)} is not {kind}", name)
            if isinstance(value, list):
                value = ",".join(str(v) for v in value)
            values[name] = parse_field(name, str(value))
        return cls(**values)


def _is_whole(value: Any) -> bool:
    return type(value) is int  # not bool, though True == 1


def _is_number(value: Any) -> bool:
    return type(value) in (int, float)


def _is_list(of: Any) -> Any:
    return lambda value: isinstance(value, list) and all(of(v) for v in value)


JSON_KINDS: dict[str, tuple[str, Any]] = {
    "dataset": ("a name", lambda v: isinstance(v, str)),
    "layers": ("a list of whole numbers", _is_list(_is_whole)),
    "activation": ("a list of names", _is_list(lambda v: isinstance(v, str))),
    "init": ("a name", lambda v: isinstance(v, str)),
    "optimizer": ("a name", lambda v: isinstance(v, str)),
    "lr": ("a number", _is_number),
    "batch_size": ("a whole number", _is_whole),
    "epochs": ("a whole number", _is_whole),
    "seed": ("a whole number", _is_whole),
    "l2": ("a number", _is_number),
}
"""What each setting must be in a saved file's JSON, as to_dict writes it: a description
and a test."""


LARGEST_SPLIT = 2048
"""Rows at least as many as any data set's train and test sets together (digits: 1,797).
Config is checked before the data is loaded, so these bounds stand in for its sizes."""


def _memory_needed(layers: tuple[int, ...], batch_size: int) -> int:
    # A batch larger than the training set is the training set (full batch); an epoch's
    # last, smaller batch has buffers of its own, so the batches hold at most twice a
    # batch's rows, and never more than the training set's, at most LARGEST_SPLIT;
    # evaluation then runs one forward pass over the train and test sets together, at
    # most LARGEST_SPLIT rows more.
    return estimate_bytes(layers, min(2 * batch_size, LARGEST_SPLIT) + LARGEST_SPLIT)


def check_memory(layers: tuple[int, ...], batch_size: int) -> None:
    """Raise ConfigError if a network of these sizes, trained in batches of this size,
    would need more than MEMORY_LIMIT; blame the batch size if the layers alone fit
    (at the default batch size), else the layers."""
    need = _memory_needed(layers, batch_size)
    if need <= MEMORY_LIMIT:
        return
    gib = round(need / 1024**3, 1)
    if gib * 1024**3 <= MEMORY_LIMIT:  # "about 2.0 GiB, over the 2 GiB limit" reads as a mistake
        gib = math.ceil(need / 1024**3 * 10) / 10
    about = f"needs about {gib:,} GiB"
    limit = f"over the {MEMORY_LIMIT / 1024**3:.0f} GiB limit"
    if _memory_needed(layers, TrainConfig.batch_size) > MEMORY_LIMIT:
        raise ConfigError(f"layers: {about}, {limit}; use fewer or smaller layers", "layers")
    # Memory grows by the same bytes with each row of a batch (two rows' worth: the last
    # batch's too): the largest batch that fits.
    per_row = estimate_bytes(layers, 2) - estimate_bytes(layers, 0)
    most = (MEMORY_LIMIT - _memory_needed(layers, 0)) // per_row
    raise ConfigError(  # short: the app shows it in three lines of a narrow pane
        f"batch size: {about} for batches of {batch_size:,}, {limit}; batches of up to {most:,} fit",
        "batch_size",
    )


def unused_activation(layers: Sequence[int], activation: Sequence[str]) -> str:
    """TrainConfig.unused_activation, for a network being drafted (the app's editor)."""
    if len(layers) > 2:
        return ""
    return f"no hidden layer, so {','.join(activation)} is not used"


def format_field(name: str, value: Any) -> str:
    """The text a person would type for a value: the inverse of parse_field."""
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    return str(value)


# -- parsing one field from text ---------------------------------------------


def _quoted(text: str, quotes: bool = True, most: int = 24) -> str:
    """What the user typed, for a message: stripped, quoted, and cut short if long."""
    text = text.strip()
    if len(text) > most:
        text = text[: most - 1] + "…"
    return repr(text) if quotes else text


def counted(n: int, word: str, grouped: bool = True) -> str:
    """'1 epoch', '3 epochs', '1,149 epochs': a number and its noun, for a message; not
    ``grouped`` (1149) beside a number to type, which takes no commas."""
    number = f"{n:,}" if grouped else str(n)
    return f"{number} {word}{'' if n == 1 else 's'}"


def trained(epochs: int, partial: dict[str, Any] | None, grouped: bool = True) -> str:
    """'3 epochs', '13 steps' or '2 epochs and 23 steps': how much a network has trained,
    ``partial`` being how far into the next epoch (Trainer.partial), for a message
    (``grouped`` as for counted)."""
    steps = partial["steps"] if partial else 0
    if not epochs and steps:
        return counted(steps, "step", grouped)
    return counted(epochs, "epoch", grouped) + (f" and {counted(steps, 'step', grouped)}" if steps else "")


def least_epochs(epochs: int, partial: dict[str, Any] | None) -> int:
    """The smallest total of epochs a network that has trained ``epochs`` may be given,
    ``partial`` being how far into the next (Trainer.partial): an epoch begun is one
    to finish, so not "Epoch 28/28" while in epoch 29. The app's epochs field and the
    app's --epochs both hold to it."""
    return epochs + 1 if partial and partial["steps"] > 0 else epochs


MAX_COUNT = 10**9
"""The largest batch size or number of epochs: more than any run needs, short enough to show."""
MAX_SEED = 2**32 - 1
"""The largest seed, as scikit-learn's random_state allows: any more is a typo."""


def _plain(text: str) -> str:
    """The text, unless it holds what int() and float() read but a person would not type as
    a number: "1_0" is 10 and "٣" is 3 to Python."""
    if text.isascii() and "_" not in text:
        return text
    return "not a number"  # fails int() and float() alike


def _whole(name: str, text: str, minimum: int, maximum: int) -> int:
    try:
        value = int(_plain(text).strip())
    except ValueError:
        if _plain(text).strip().lstrip("+-").isdecimal():  # too many digits for int() to read (not "²")
            raise ConfigError(f"{name}: must be at most {maximum:,}, not {_quoted(text, False)}") from None
        raise ConfigError(f"{name}: {_quoted(text)} is not a whole number") from None
    if value < minimum:
        raise ConfigError(f"{name}: must be at least {minimum}, not {_quoted(text, False)}")
    if value > maximum:
        raise ConfigError(f"{name}: must be at most {maximum:,}, not {_quoted(text, False)}")
    return value


def _real(name: str, text: str, allow_zero: bool) -> float:
    try:
        value = float(_plain(text).strip())
    except ValueError:
        raise ConfigError(f"{name}: {_quoted(text)} is not a number") from None
    if not math.isfinite(value):
        raise ConfigError(f"{name}: must be a finite number, not {_quoted(text, False)}")
    if value < 0 or (value == 0 and not allow_zero):
        bound = "zero or more" if allow_zero else "more than zero"
        raise ConfigError(f"{name}: must be {bound}, not {_quoted(text, False)}")
    return value + 0.0  # -0.0 is 0.0: "-0" must not show as "-0.0" in the pane and the file


def _choice(name: str, text: str, choices: Any) -> str:
    value = text.strip().lower().replace("-", "_")
    if value not in choices:
        raise ConfigError(f"{name}: unknown {name} {_quoted(text)}; choose from {', '.join(choices)}")
    return value


def parse_layers(text: str) -> tuple[int, ...]:
    """'64,128,64,10' -> (64, 128, 64, 10)."""
    parts = re.split(r"\s*,\s*|\s+", text.strip()) if text.strip() else []  # commas or spaces
    if "" in parts:  # "64,,10" or "64,10,": a typo, not a smaller network
        raise ConfigError(f"layers: a size is missing in {_quoted(text)}")
    sizes = []
    for part in parts:
        try:
            n = int(_plain(part))
        except ValueError:
            raise ConfigError(f"layers: {_quoted(part)} is not a whole number") from None
        if n < 1:
            raise ConfigError(f"layers: every size must be at least 1, not {n}")
        if n > MAX_UNITS:
            raise ConfigError(f"layers: {n:,} units is too many; the most a layer may have is {MAX_UNITS:,}")
        sizes.append(n)
    if len(sizes) < 2:
        raise ConfigError(
            f"layers: need at least an input and an output size, like 64,128,64,10; got {_quoted(text)}"
        )
    return tuple(sizes)


def parse_activation(text: str) -> tuple[str, ...]:
    """'relu' or 'relu,tanh' -> ('relu',) or ('relu', 'tanh')."""
    parts = re.split(r"\s*,\s*|\s+", text.strip()) if text.strip() else []  # commas or spaces
    if not parts:
        raise ConfigError(f"activation: empty; choose from {', '.join(ACTIVATIONS)}")
    if "" in parts:  # "relu,,tanh" or "relu,": a typo, as in layers, not one name fewer
        raise ConfigError(f"activation: a name is missing in {_quoted(text)}")
    return tuple(_choice("activation", p, ACTIVATIONS) for p in parts)


def parse_field(name: str, text: str) -> Any:
    """Parse one setting from the text a person typed; raise ConfigError if it is bad."""
    try:
        return _parse(name, str(text))
    except ConfigError as e:
        e.field = name
        raise


def _parse(name: str, text: str) -> Any:
    if name == "dataset":  # which names exist is nnplay.data's business (data.check)
        value = text.strip().lower().replace("-", "_")
        if not value:
            raise ConfigError("dataset: empty")
        return value
    if name == "layers":
        return parse_layers(text)
    if name == "activation":
        return parse_activation(text)
    if name == "init":
        return _choice("init", text, INITS)
    if name == "optimizer":
        return _choice("optimizer", text, OPTIMIZERS)
    if name == "lr":
        return _real("learning rate", text, allow_zero=False)
    if name == "l2":
        return _real("l2", text, allow_zero=True)
    if name == "batch_size":
        return _whole("batch size", text, 1, MAX_COUNT)
    if name == "epochs":
        return _whole("epochs", text, 0, MAX_COUNT)
    if name == "seed":
        return _whole("seed", text, 0, MAX_SEED)
    raise ConfigError(f"unknown setting {name!r}")
