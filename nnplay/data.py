"""Data sets: the 8x8 digits the tutorial uses, and small 2-D sets for the other losses.

Importing scikit-learn takes about a second, longer than the app may take to
show its first digit. So the digits are read straight from the file
scikit-learn ships, and split by the same shuffle train_test_split makes; a
test checks both against scikit-learn's own load_digits and train_test_split.
scikit-learn itself is imported only for the moons and circles generators (and for the
digits, should an install keep that file elsewhere).
"""

from __future__ import annotations

import gzip
import importlib.util
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnplay.core.config import ConfigError, TrainConfig
from nnplay.core.train import Split

TEST_SIZE = 0.2
SPLIT_SEED = 42
"""The tutorial's train_test_split(test_size=0.2, random_state=42)."""
N_2D = 500
"""Samples in each generated 2-D data set."""


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    n_in: int  # input features
    n_out: int  # output units the network must have
    loss: str  # the loss that fits the targets
    about: str  # one line for help texts
    load: Callable[[], tuple[np.ndarray, np.ndarray]]  # -> (X: (N, n_in), Y: (N, n_out))


def _digits() -> tuple[np.ndarray, np.ndarray]:
    spec = importlib.util.find_spec("sklearn")  # finds the package without importing it
    path = Path(spec.origin).parent / "datasets" / "data" / "digits.csv.gz" if spec and spec.origin else None
    if path is not None and path.is_file():
        with gzip.open(path, "rt") as f:  # what load_digits reads: 64 pixels, then the label
            table = np.loadtxt(f, delimiter=",")
        pixels, target = table[:, :-1], table[:, -1].astype(int)
    else:  # a scikit-learn that keeps its data elsewhere
        from sklearn.datasets import load_digits

        digits = load_digits()
        pixels, target = digits.data, digits.target
    X = pixels / 16.0  # pixel intensities 0..16 -> [0, 1]
    Y = np.eye(10)[target]  # one-hot, as the tutorial's OneHotEncoder gives
    return X, Y


def _binary(
    make: Callable[[np.random.Generator], tuple[np.ndarray, np.ndarray]],
) -> Callable[[], tuple[np.ndarray, np.ndarray]]:
    """A loader for a generated 2-D set: seeded, float inputs, and 0/1 labels as a column (N, 1)."""

    def load() -> tuple[np.ndarray, np.ndarray]:
        X, y = make(np.random.default_rng(0))
        return X.astype(np.float64), y.reshape(-1, 1).astype(np.float64)

    return load


def _moons(_rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's make_moons(500, noise=0.15, random_state=0), point for point: two
    half circles, the second flipped and shifted into the first's opening."""
    t_out, t_in = np.linspace(0, np.pi, N_2D // 2), np.linspace(0, np.pi, N_2D - N_2D // 2)
    x = np.append(np.cos(t_out), 1 - np.cos(t_in))
    y = np.append(np.sin(t_out), 1 - np.sin(t_in) - 0.5)
    return _shuffled_with_noise(np.column_stack([x, y]), len(t_out), noise=0.15)


def _circles(_rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's make_circles(500, noise=0.08, factor=0.5, random_state=0), point for
    point: a ring, and a ring of half its radius inside it."""
    t_out = np.linspace(0, 2 * np.pi, N_2D // 2, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, N_2D - N_2D // 2, endpoint=False)
    x = np.append(np.cos(t_out), 0.5 * np.cos(t_in))
    y = np.append(np.sin(t_out), 0.5 * np.sin(t_in))
    return _shuffled_with_noise(np.column_stack([x, y]), len(t_out), noise=0.08)


def _shuffled_with_noise(X: np.ndarray, n_first: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """The points (the first ``n_first`` of class 0, the rest class 1) shuffled, then moved
    by Gaussian noise, drawn as scikit-learn's generators draw them with random_state=0: the
    same points, without importing scikit-learn (84 MB and most of a second) for them."""
    labels = (np.arange(len(X)) >= n_first).astype(int)
    rs = np.random.RandomState(0)  # scikit-learn's own seed, fixed at 0 as the others' rng is
    order = np.arange(len(X))
    rs.shuffle(order)
    return X[order] + rs.normal(scale=noise, size=X.shape), labels[order]


def _xor(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    X = rng.uniform(-1, 1, size=(N_2D, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(int)  # same-sign quadrants are class 1


def _spiral(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    half = N_2D // 2
    t = np.sqrt(rng.uniform(0, 1, half)) * 3 * np.pi  # two arms, 1.5 turns each
    arm = np.stack([t * np.cos(t), t * np.sin(t)], axis=1) / (3 * np.pi)
    X = np.concatenate([arm, -arm]) + rng.normal(0, 0.03, (2 * half, 2))
    return X, np.repeat([0, 1], half)


def _sine() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(N_2D, 1))  # inputs in [-1, 1], like the other sets'
    return x, np.sin(np.pi * x) + rng.normal(0, 0.05, x.shape)  # one full wave


DATASETS: dict[str, DatasetInfo] = {
    d.name: d
    for d in [
        DatasetInfo("digits", 64, 10, "cross_entropy", "8x8 handwritten digits, 10 classes", _digits),
        DatasetInfo("moons", 2, 1, "binary_cross_entropy", "two interleaved half-moons", _binary(_moons)),
        DatasetInfo("circles", 2, 1, "binary_cross_entropy", "a ring around a disc", _binary(_circles)),
        DatasetInfo("xor", 2, 1, "binary_cross_entropy", "opposite quadrants share a class", _binary(_xor)),
        DatasetInfo("spiral", 2, 1, "binary_cross_entropy", "two interleaved spirals", _binary(_spiral)),
        DatasetInfo("sine", 1, 1, "mse", "regression: y = sin(πx) + noise, x in [-1, 1]", _sine),
    ]
}
"""Every data set by name."""


def default_layers(name: str) -> tuple[int, ...]:
    """The tutorial's hidden layers (128, 64) between the data set's input and output."""
    info = DATASETS[name]
    return (info.n_in, 128, 64, info.n_out)


def check(config: TrainConfig, loss: str | None = None) -> None:
    """Raise ConfigError unless the config is valid and fits its data set; with ``loss``
    (a saved network's), unless that is the data set's loss too."""
    info = DATASETS.get(config.dataset)
    if info is None:
        raise ConfigError(
            f"dataset: unknown dataset {config.dataset!r}; choose from {', '.join(DATASETS)}", "dataset"
        )
    config.check(info.n_in, info.n_out)
    if loss is not None and loss != info.loss:
        raise ConfigError(
            f"the saved network's loss is {loss}; the {config.dataset} data set needs {info.loss}"
        )


def split(X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """train_test_split(X, Y, test_size=0.2, random_state=42), without importing scikit-learn.

    scikit-learn shuffles with RandomState(42).permutation(N) and takes the
    first ceil(0.2 N) indices for the test set and the rest for training.
    """
    n = len(X)
    n_test = math.ceil(TEST_SIZE * n)
    order = np.random.RandomState(SPLIT_SEED).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], Y[train], Y[test]


def load(name: str) -> Split:
    """The named data set, split into train and test as the tutorial does."""
    info = DATASETS[name]
    X_train, X_test, Y_train, Y_test = split(*info.load())
    return Split(X_train, Y_train, X_test, Y_test, info.loss)
