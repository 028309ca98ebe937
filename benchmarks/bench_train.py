"""Epoch time of the tutorial's experiment: nnplay's core against a tutorial-style baseline.

    python benchmarks/bench_train.py [--epochs 100] [--rounds 5]

Every contender trains the seed's experiment (64-128-64-10, ReLU, SGD lr 0.01,
batch 32) and reports train and test accuracy each epoch, as `nnplay train`
does. They run interleaved, round by round, in one process; the figure is the
median epoch time and the ratio is against the tutorial-style baseline
measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tutorial_style import TutorialNet, epoch  # noqa: E402

from nnplay import data  # noqa: E402
from nnplay.core.config import TrainConfig  # noqa: E402
from nnplay.core.train import EpochStats, build  # noqa: E402


def run_nnplay(split, epochs: int, seed: int) -> tuple[list[float], EpochStats]:
    trainer = build(TrainConfig(seed=seed), split)
    trainer.step_grad_norms = False  # as `nnplay train` runs it
    times, last = [], None
    started = time.perf_counter()
    for record in trainer.run(epochs):
        if isinstance(record, EpochStats):
            now = time.perf_counter()
            times.append(now - started)
            started, last = now, record
    assert last is not None
    return times, last


def run_tutorial(split, epochs: int, seed: int) -> tuple[list[float], tuple[float, float, float]]:
    rng = np.random.default_rng(seed)
    net = TutorialNet([64, 128, 64, 10], 0.01, rng)
    times = []
    for _ in range(epochs):
        started = time.perf_counter()
        result = epoch(net, split.X_train, split.Y_train, split.X_test, split.Y_test, 32, rng)
        times.append(time.perf_counter() - started)
    return times, result


def run_sklearn(split, epochs: int, seed: int) -> tuple[list[float], tuple[float, float]]:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(
        (128, 64),
        solver="sgd",
        learning_rate_init=0.01,
        momentum=0.0,
        nesterovs_momentum=False,
        alpha=0.0,
        batch_size=32,
        max_iter=1,
        warm_start=True,
        shuffle=True,
        random_state=seed,
    )
    y_train, y_test = split.Y_train.argmax(1), split.Y_test.argmax(1)
    times = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for _ in range(epochs):
            started = time.perf_counter()
            clf.fit(split.X_train, y_train)
            result = clf.score(split.X_train, y_train), clf.score(split.X_test, y_test)
            times.append(time.perf_counter() - started)
    return times, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    split = data.load("digits")
    times: dict[str, list[float]] = {"tutorial-style": [], "nnplay": [], "scikit-learn": []}
    accs: dict[str, list[float]] = {k: [] for k in times}
    for r in range(args.rounds):
        t, (_, _, test_acc) = run_tutorial(split, args.epochs, seed=r)
        times["tutorial-style"] += t
        accs["tutorial-style"].append(test_acc)
        t, last = run_nnplay(split, args.epochs, seed=r)
        times["nnplay"] += t
        accs["nnplay"].append(last.test_acc or 0.0)
        t, (_, test_acc) = run_sklearn(split, args.epochs, seed=r)
        times["scikit-learn"] += t
        accs["scikit-learn"].append(test_acc)
    base = statistics.median(times["tutorial-style"])
    print(f"{args.rounds} rounds x {args.epochs} epochs, BLAS with its default {os.cpu_count()} threads")
    print(f"{'implementation':<16}{'ms/epoch':>10}{'speed-up':>10}{'test acc (mean)':>18}")
    for name, t in times.items():
        med = statistics.median(t)
        print(f"{name:<16}{med * 1e3:>10.2f}{base / med:>9.2f}x{statistics.mean(accs[name]):>17.1%}")


if __name__ == "__main__":
    main()
