"""Epoch time of the tutorial's experiment: nnplay's core against a tutorial-style baseline.

    python benchmarks/bench_train.py [--epochs 100] [--rounds 5] [--turn 10] [--no-sklearn]

Every contender trains the seed's experiment (64-128-64-10, ReLU, SGD lr 0.01,
batch 32) and reports train and test accuracy each epoch, as `nnplay train`
does. Each runs in a process of its own, as it would run alone: nnplay with
BLAS on one thread from its start, as `nnplay train` runs; the others on the
library's default. They take turns of a few epochs (the order rotating): short
enough that a drift in the machine's speed hits them alike, long enough that
each runs warm. Each round is a fresh network with its own seed. The figure is
the median epoch time; the speed-up is against the tutorial-style baseline
measured in the same run. "unrolled NumPy" is the fastest pure NumPy we could
write for this epoch, with no layers at all (see unrolled.py).

Why a process each, with a rest between turns: in one process the contenders
shared one BLAS, whose threads nnplay's turns limited to one and the others'
let be two, and the tutorial-style epoch ran faster there than it does in a
process of its own (7.31 and 7.51 ms against 7.56-8.05 ms, 300 epochs
straight, the same hour); a round's ratio ranged over 1.9-2.6x. With no rest,
a contender on two BLAS threads that followed another's turn waited on its
own threads for the core the other's were spinning on (REST).

The header names the BLAS kernels that ran. Where OPENBLAS_CORETYPE is set, as
on machines whose environment guards older OpenBLAS builds with Haswell, NumPy's
OpenBLAS runs those kernels instead of its own pick for the processor; to time
its own pick, run with `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE`.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tutorial_style import TutorialNet, epoch  # noqa: E402
from unrolled import UnrolledNet  # noqa: E402

from nnplay import data  # noqa: E402
from nnplay.core.config import TrainConfig  # noqa: E402
from nnplay.core.train import EpochStats, build  # noqa: E402
from nnplay.threads import one_blas_thread  # noqa: E402

REST = 0.15
"""Seconds of quiet after each turn. OpenBLAS's idle threads spin for about 0.1 s before
they sleep: a contender on two BLAS threads that ran during another's spinning would wait
on its own threads for the core they could not get, and time that."""

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


def contender(name: str, epochs: int, conn: Connection) -> None:
    """A process of its own for one contender: builds a fresh run for each round it is sent,
    then runs the epochs it is asked for, sending back their times and the last test
    accuracy."""
    if name.startswith("nnplay"):
        one_blas_thread()  # as `nnplay train` does, before its first product
    split = data.load("digits")
    conn.send({lib.get("architecture", "?") for lib in threadpool_info() if lib["user_api"] == "blas"})
    run: Epoch | None = None
    while (ask := conn.recv()) is not None:
        what, n = ask
        if what == "round":
            run = CONTENDERS[name](split, epochs, n)
            conn.send(None)
        else:
            assert run is not None
            times: list[float] = []
            acc = 0.0
            for _ in range(n):
                acc = timed(run, times)
            conn.send((times, acc))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--turn", type=int, default=10, help="epochs a contender runs before the next takes its turn"
    )
    parser.add_argument("--no-sklearn", action="store_true", help="leave scikit-learn out (faster)")
    args = parser.parse_args()
    names = [n for n in CONTENDERS if not (args.no_sklearn and n == "scikit-learn")]
    spawn = multiprocessing.get_context("spawn")
    pipes = {}
    kernels: set[str] = set()
    for n in names:
        here, there = spawn.Pipe()
        spawn.Process(target=contender, args=(n, args.epochs, there), daemon=True).start()
        pipes[n] = here
    for n in names:
        kernels |= pipes[n].recv()
    times: dict[str, list[list[float]]] = {n: [] for n in names}  # per round, per epoch
    accs: dict[str, list[float]] = {n: [] for n in names}  # test accuracy at each round's end
    turns = itertools.cycle(range(len(names)))
    for r in range(args.rounds):
        for n in names:
            pipes[n].send(("round", r))
            pipes[n].recv()
            times[n].append([])
        last: dict[str, float] = {}
        for start in range(0, args.epochs, args.turn):
            first = next(turns)
            for n in names[first:] + names[:first]:
                pipes[n].send(("epochs", min(args.turn, args.epochs - start)))
                epoch_times, last[n] = pipes[n].recv()
                times[n][r] += epoch_times
                time.sleep(REST)
        for n in names:
            accs[n].append(last[n])
    for n in names:
        pipes[n].send(None)
    base = statistics.median(itertools.chain(*times["tutorial-style"]))
    print(
        f"{args.rounds} rounds x {args.epochs} epochs in turns of {args.turn}, each in a process of "
        f"its own; BLAS ({', '.join(sorted(kernels))} kernels) on one thread for "
        f"nnplay, its default {os.cpu_count()} for the others"
    )
    if os.environ.get("OPENBLAS_CORETYPE"):
        print(f"(OPENBLAS_CORETYPE={os.environ['OPENBLAS_CORETYPE']} chose those kernels)")
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
