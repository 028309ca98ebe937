"""A run's per-epoch figures, bounded so a run of any length costs the same.

The app plots them, `nnplay train` keeps them, and a saved file carries them,
so a loaded network shows how it learned. Columns (``COLUMNS``): epoch, mean
training loss, test loss, train accuracy, test accuracy (NaN for regression).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # train imports serialize, which imports this
    from nnplay.core.train import EpochStats

MAX_ROWS = 4096
"""Epochs of history kept: past this, every other old epoch is dropped, so a run of a
million epochs costs the memory and redraw time of one of a few thousand."""

COLUMNS = ("epoch", "loss", "test_loss", "train_acc", "test_acc")


def thin(n: int, most: int) -> np.ndarray:
    """Indices of at most `most` of n points, evenly spread, first and last kept."""
    if n <= most:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, most).round().astype(int))


class BoundedTable:
    """Rows of floats, one an epoch, in at most MAX_ROWS rows: when full, every other old
    row is dropped (the latest stays exact), so memory and redraws stay flat."""

    def __init__(self, width: int) -> None:
        self.rows = np.empty((256, width))
        self.n = 0

    def append(self, row: tuple[float, ...]) -> None:
        if self.n == len(self.rows):
            if self.n >= MAX_ROWS:  # halve the resolution of the past
                kept = self.rows[: self.n - 1 : 2]
                self.rows[: len(kept)] = kept
                self.rows[len(kept)] = self.rows[self.n - 1]
                self.n = len(kept) + 1
            else:
                self.rows = np.concatenate([self.rows, np.empty_like(self.rows)])
        self.rows[self.n] = row
        self.n += 1

    def table(self, most: int | None = None, until: float | None = None) -> np.ndarray:
        """A copy of the rows, with `until` only those whose first column (the epoch) is at
        most that, thinned to at most `most` if given."""
        n = self.n if until is None else int(np.searchsorted(self.rows[: self.n, 0], until, "right"))
        return self.rows[thin(n, most) if most else np.arange(n)]


@dataclass(frozen=True)
class History:
    """Per-epoch figures so far, as read-only copies."""

    epoch: np.ndarray  # (E,) epoch numbers, from 1
    loss: np.ndarray  # (E,) mean training loss
    test_loss: np.ndarray  # (E,)
    train_acc: np.ndarray  # (E,) NaN for regression
    test_acc: np.ndarray  # (E,)


class HistoryLog(BoundedTable):
    """Per-epoch figures, one row of COLUMNS an epoch."""

    def __init__(self, rows: np.ndarray | None = None) -> None:
        """``rows``: a history to carry on from, (E, 5) as ``table()`` gives (checked)."""
        super().__init__(len(COLUMNS))
        for row in [] if rows is None else rows:
            self.append(tuple(row))

    def add(self, stats: EpochStats) -> None:
        self.append(
            (
                stats.epoch,
                stats.loss,
                stats.test_loss,
                np.nan if stats.train_acc is None else stats.train_acc,
                np.nan if stats.test_acc is None else stats.test_acc,
            )
        )

    def view(self, most: int | None = None, until: float | None = None) -> History:
        """The columns as History, up to epoch `until` and thinned to at most `most` epochs
        if given."""
        table = self.table(most, until)
        return History(*(table[:, i].copy() for i in range(len(COLUMNS))))


def check_rows(rows: np.ndarray, epochs_trained: int) -> None:
    """Raise ValueError saying what is wrong if ``rows`` is not a history of that many epochs."""
    if rows.ndim != 2 or rows.shape[1] != len(COLUMNS) or rows.dtype.kind != "f":
        raise ValueError(f"it must be rows of {len(COLUMNS)} floating-point numbers ({', '.join(COLUMNS)})")
    if len(rows) > MAX_ROWS:
        raise ValueError(f"it has {len(rows)} rows; nnplay keeps at most {MAX_ROWS}")
    epoch, losses, accuracies = rows[:, 0], rows[:, 1:3], rows[:, 3:]
    if not np.isfinite(epoch).all() or (epoch != epoch.round()).any() or (np.diff(epoch) <= 0).any():
        raise ValueError("its epochs must be whole numbers, each larger than the last")
    if len(epoch) and (epoch[0] < 1 or epoch[-1] > epochs_trained):
        raise ValueError(f"its epochs must lie between 1 and the {epochs_trained} trained")
    if not np.isfinite(losses).all():
        raise ValueError("its losses must be finite numbers")
    known = ~np.isnan(accuracies)
    if ((accuracies[known] < 0) | (accuracies[known] > 1)).any():
        raise ValueError("its accuracies must be fractions from 0 to 1 (or NaN for regression)")
