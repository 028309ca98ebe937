"""Epoch time of the tutorial's experiment: nnplay's core against a tutorial-style baseline.

    python benchmarks/bench_train.py [--epochs 100] [--rounds 5] [--turn 10] [--no-sklearn]

Every contender trains the seed's experiment (64-128-64-10, ReLU, SGD lr 0.01,
batch 32) and reports train and test accuracy each epoch, as `nnplay train`
does. The NumPy ones take turns of a few epochs (the order rotating): short
enough that a drift in the machine's speed hits them alike, long enough that
each runs as it would alone, its data warm in the cache rather than evicted
by the others'. scikit-learn runs after them in each round. Each round is a
fresh network with its own seed. nnplay runs BLAS on one thread, as `nnplay
train` does; the others on the library's default. The figure is the median epoch time; the
speed-up is against the tutorial-style baseline measured in the same run.
"unrolled NumPy" is the bound pure NumPy reaches here with no layers at all
(see unrolled.py).
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tutorial_style import TutorialNet, epoch  # noqa: E402
from unrolled import UnrolledNet  # noqa: E402

from nnplay import data  # noqa: E402
from nnplay.core.config import TrainConfig  # noqa: E402
from nnplay.core.train import EpochStats, build  # noqa: E402

Epoch = Callable[[], float]
"""Runs one more epoch of a contender and returns its test accuracy."""


def nnplay_epochs(split, epochs: int, seed: int) -> Epoch:
    trainer = build(TrainConfig(seed=seed), split)
    trainer.step_grad_norms = False  # as `nnplay train` runs it
    records = trainer.run(epochs)

    def next_epoch() -> float:
        for record in records:
            if isinstance(record, EpochStats):
                return record.test_acc or 0.0
        raise RuntimeError("nnplay stopped early")

    return next_epoch


def tutorial_epochs(split, epochs: int, seed: int) -> Epoch:
    rng = np.random.default_rng(seed)
    net = TutorialNet([64, 128, 64, 10], 0.01, rng)
    return lambda: epoch(net, split.X_train, split.Y_train, split.X_test, split.Y_test, 32, rng)[2]


def unrolled_epochs(split, epochs: int, seed: int) -> Epoch:
    net = UnrolledNet(
        split.X_train, split.Y_train, split.X_test, split.Y_test, 0.01, 32, np.random.default_rng(seed)
    )
    return lambda: net.epoch()[2]


def sklearn_epochs(split, epochs: int, seed: int) -> Epoch:
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

    def next_epoch() -> float:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(split.X_train, y_train)
        clf.score(split.X_train, y_train)  # reported each epoch, like the others
        return float(clf.score(split.X_test, y_test))

    return next_epoch


def timed(next_epoch: Epoch, times: list[float]) -> float:
    """Run one epoch, append its time to ``times`` and return its test accuracy."""
    started = time.perf_counter()
    acc = next_epoch()
    times.append(time.perf_counter() - started)
    return acc


CONTENDERS = {
    "tutorial-style": tutorial_epochs,
    "nnplay": nnplay_epochs,
    "unrolled NumPy": unrolled_epochs,
    "scikit-learn": sklearn_epochs,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--turn", type=int, default=10, help="epochs a contender runs before the next takes its turn"
    )
    parser.add_argument("--no-sklearn", action="store_true", help="leave scikit-learn out (faster)")
    args = parser.parse_args()
    split = data.load("digits")
    names = [n for n in CONTENDERS if not (args.no_sklearn and n == "scikit-learn")]
    times: dict[str, list[list[float]]] = {n: [] for n in names}  # per round, per epoch
    accs: dict[str, list[float]] = {n: [] for n in names}  # test accuracy at each round's end
    for r in range(args.rounds):
        runs = {n: CONTENDERS[n](split, args.epochs, r) for n in names}
        for n in names:
            times[n].append([])
        # scikit-learn runs its epochs after the others' turns: it calls SciPy's own
        # OpenBLAS, whose threads go on spinning after each call and slow what runs next.
        numpy_names = [n for n in names if n != "scikit-learn"]
        turns = itertools.cycle(range(len(numpy_names)))
        last: dict[str, float] = {}
        for start in range(0, args.epochs, args.turn):
            first = next(turns)
            for n in numpy_names[first:] + numpy_names[:first]:
                # nnplay on one BLAS thread, as `nnplay train` runs it (nnplay/threads.py);
                # the others on the library's default, as they would run.
                with threadpool_limits(limits=1, user_api="blas") if n == "nnplay" else nullcontext():
                    for _ in range(min(args.turn, args.epochs - start)):
                        last[n] = timed(runs[n], times[n][r])
        for _ in range(args.epochs if "scikit-learn" in names else 0):
            last["scikit-learn"] = timed(runs["scikit-learn"], times["scikit-learn"][r])
        for n in names:
            accs[n].append(last[n])
    base = statistics.median(itertools.chain(*times["tutorial-style"]))
    print(
        f"{args.rounds} rounds x {args.epochs} epochs in turns of {args.turn}, "
        f"BLAS on one thread for nnplay, its default {os.cpu_count()} for the others"
    )
    print(f"{'implementation':<16}{'ms/epoch':>10}{'speed-up':>10}{'rounds':>14}{'test acc (mean)':>18}")
    for n in names:
        med = statistics.median(itertools.chain(*times[n]))
        per_round = [
            statistics.median(base_r) / statistics.median(t_r)
            for base_r, t_r in zip(times["tutorial-style"], times[n], strict=True)
        ]
        spread = f"{min(per_round):.2f}-{max(per_round):.2f}x"
        print(f"{n:<16}{med * 1e3:>10.2f}{base / med:>9.2f}x{spread:>14}{statistics.mean(accs[n]):>17.1%}")


if __name__ == "__main__":
    main()
