"""Where a classifier goes wrong: the confusion matrix and its most confident mistakes.

Classes are integers ``0..k-1``. A network's outputs become class
probabilities ``P: (N, k)`` with ``class_probabilities`` (a single sigmoid
output p is read as the two classes ``(1 - p, p)``), and its guess for a
sample is the class it gives the most probability, as ``correct_mask`` in
nnplay.core.network decides it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CLASSIFYING_LOSSES = ("cross_entropy", "binary_cross_entropy")
"""The losses whose networks put samples into classes (mse predicts a number)."""


@dataclass(frozen=True)
class Mistake:
    """One sample the network gets wrong."""

    index: int
    """The sample's row in its set."""
    true: int
    """Its class."""
    predicted: int
    """The class the network gave the most probability."""
    probability: float
    """The probability the network gave that (wrong) class."""


@dataclass(frozen=True)
class Evaluation:
    """How a classifier did on one set of samples (see ``evaluate``)."""

    matrix: np.ndarray
    """(k, k) counts: row the true class, column the predicted one."""
    recall: np.ndarray
    """(k,) the fraction of each true class predicted right; NaN for a class with no samples."""
    accuracy: float
    """The fraction of all samples predicted right (the matrix's trace over its sum)."""
    correct: int
    """How many samples were predicted right (the matrix's trace)."""
    mistakes: list[Mistake]
    """Every wrong prediction, most confident first."""


def classifies(loss: str) -> bool:
    """Whether a network trained with this loss puts samples into classes."""
    return loss in CLASSIFYING_LOSSES


def class_probabilities(outputs: np.ndarray) -> np.ndarray:
    """Class probabilities P: (N, k) from a classifier's outputs: (N, k) or (N, 1).

    Softmax outputs (k >= 2) are returned as they are; one sigmoid output p,
    the probability of class 1, becomes the two columns (1 - p, p). One-hot or
    0/1 targets go through the same way, so ``P.argmax(axis=1)`` gives classes.
    """
    outputs = np.asarray(outputs)
    if outputs.ndim != 2 or outputs.shape[1] < 1:
        raise ValueError(f"outputs must be (N, k) with k >= 1, got shape {outputs.shape}")
    if outputs.shape[1] == 1:
        return np.concatenate([1 - outputs, outputs], axis=1)
    return outputs


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, k: int) -> np.ndarray:
    """Counts C: (k, k), C[i, j] = how many samples of class i were predicted as class j.

    ``y_true, y_pred: (N,)`` integer classes in ``0..k-1``. Row sums are the
    class sizes, column sums how often each class was predicted, the trace
    the number right. Computed as one bincount of the pairs ``i * k + j``.
    """
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ValueError(f"y_true and y_pred must be (N,) alike, got {y_true.shape} and {y_pred.shape}")
    for name, y in (("y_true", y_true), ("y_pred", y_pred)):
        if y.size and (y.min() < 0 or y.max() >= k):
            raise ValueError(f"{name} has a class outside 0..{k - 1}")
    pairs = y_true.astype(np.int64) * k + y_pred.astype(np.int64)
    return np.bincount(pairs, minlength=k * k).reshape(k, k)


def recall(matrix: np.ndarray) -> np.ndarray:
    """Per-class recall r: (k,), r[i] = C[i, i] / sum_j C[i, j]; NaN where class i has no samples."""
    totals = matrix.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, np.diagonal(matrix) / totals, np.nan)


def accuracy(matrix: np.ndarray) -> float:
    """Overall accuracy trace(C) / sum(C); NaN for an empty matrix."""
    total = matrix.sum()
    return float(np.trace(matrix) / total) if total else float("nan")


def confident_mistakes(probs: np.ndarray, y_true: np.ndarray, n: int) -> list[Mistake]:
    """The n wrong predictions given the most probability, most confident first.

    ``probs: (N, k)`` class probabilities (see ``class_probabilities``),
    ``y_true: (N,)`` classes. A sample's prediction is ``argmax probs[i]``
    (the first class on a tie, as argmax picks it) and is wrong when it is not
    ``y_true[i]``; its confidence is ``probs[i, prediction]``. Equal
    confidences keep the samples' order. Fewer than n if there are fewer
    mistakes; none if there are none.
    """
    probs = np.asarray(probs)
    y_true = np.asarray(y_true)
    predicted = probs.argmax(axis=1)  # (N,)
    confidence = probs[np.arange(len(probs)), predicted]  # (N,)
    wrong = np.flatnonzero(predicted != y_true)  # (M,) in sample order
    order = wrong[np.argsort(-confidence[wrong], kind="stable")][: max(n, 0)]
    return [Mistake(int(i), int(y_true[i]), int(predicted[i]), float(confidence[i])) for i in order]


def evaluate(outputs: np.ndarray, targets: np.ndarray, n_mistakes: int | None = None) -> Evaluation:
    """A classifier's confusion matrix, recall, accuracy and most confident mistakes.

    ``outputs: (N, k)`` the network's predictions (``Network.predict``),
    ``targets: (N, k)`` one-hot rows, or ``(N, 1)`` each for a sigmoid output
    with 0/1 targets (then the classes are 0 and 1, k = 2). ``n_mistakes``:
    how many mistakes to list; all of them by default.
    """
    probs = class_probabilities(outputs)  # (N, k)
    y_true = class_probabilities(targets).argmax(axis=1)  # (N,)
    matrix = confusion_matrix(y_true, probs.argmax(axis=1), probs.shape[1])
    mistakes = confident_mistakes(probs, y_true, len(probs) if n_mistakes is None else n_mistakes)
    return Evaluation(matrix, recall(matrix), accuracy(matrix), int(np.trace(matrix)), mistakes)
