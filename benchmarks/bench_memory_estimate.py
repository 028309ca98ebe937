"""How close estimate_bytes() comes to what training really allocates (tracemalloc's peak).

    python benchmarks/bench_memory_estimate.py [--large]

For each architecture, activation (ReLU, and sigmoid, whose forward pass makes the most
temporaries) and optimizer, figures against the estimate:
  bare     a network built, one train_step and one predict on 1000 rows, against
           estimate_bytes(sizes, 2000): the rows trained on and the rows evaluated;
  trainer  what check_memory() vouches for: build() on the digits (or moons) data and one
           epoch in batches of ``batch``, against config._memory_needed(sizes, batch), which
           check_memory() compares with MEMORY_LIMIT (719: a last batch of 718).
The ratio is peak / estimate: under 1 means the estimate was an upper bound. tracemalloc
sees NumPy's arrays (not BLAS's own scratch space). --large adds networks of about a
gigabyte, which take a minute and several GB of memory.
"""

from __future__ import annotations

import argparse
import itertools
import tracemalloc

import numpy as np

from nnplay.core.config import TrainConfig, _memory_needed
from nnplay.core.network import Network, NetworkSpec, estimate_bytes
from nnplay.core.optimizers import OPTIMIZERS
from nnplay.core.train import build
from nnplay.data import load

SMALL = [(64, 10), (64, 128, 64, 10), (64, 512, 512, 10), (64, 2000, 10), (2, 1000, 1000, 1)]
LARGE = [(64, 4000, 4000, 10), (64, 6000, 6000, 10)]


def peak(work) -> int:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def bare(sizes: tuple[int, ...], activation: str, optimizer: str, rows: int) -> int:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((rows, sizes[0])).astype(np.float32)
    y = np.eye(sizes[-1], dtype=np.float32)[rng.integers(0, sizes[-1], rows)]

    def work() -> None:
        loss = "cross_entropy" if sizes[-1] > 1 else "mse"
        spec = NetworkSpec(sizes, (activation,) * (len(sizes) - 2), loss)
        net = Network(spec, np.random.default_rng(0))
        opt = OPTIMIZERS[optimizer](lr=0.01)
        net.train_step(x, y, opt)
        net.predict(x)

    return peak(work)


def trainer(sizes: tuple[int, ...], activation: str, optimizer: str, batch: int) -> int:
    dataset = "digits" if sizes[0] == 64 else "moons"
    config = TrainConfig(
        dataset=dataset,
        layers=sizes,
        activation=(activation,),
        optimizer=optimizer,
        batch_size=batch,
        epochs=1,
    )
    data = load(dataset)

    def work() -> None:
        for _ in build(config, data).run(1):
            pass

    return peak(work)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--large", action="store_true", help="add networks of about a gigabyte")
    args = parser.parse_args()
    print(f"{'sizes':<22}{'act.':<9}{'optimizer':<10}{'what':<19}{'peak MB':>9}{'estimate':>9}{'ratio':>7}")
    worst = 0.0
    for sizes in SMALL + (LARGE if args.large else []):
        for activation, optimizer in itertools.product(("relu", "sigmoid"), OPTIMIZERS):
            figures = [
                ("bare 1000 rows", bare(sizes, activation, optimizer, 1000), estimate_bytes(sizes, 2000))
            ]
            for batch in (32, 719, 2048):
                got = trainer(sizes, activation, optimizer, batch)
                figures.append((f"trainer batch {batch}", got, _memory_needed(sizes, batch)))
            for what, got, est in figures:
                arrow = "→".join(map(str, sizes))
                print(
                    f"{arrow:<22}{activation:<9}{optimizer:<10}{what:<19}"
                    f"{got / 1e6:>9.2f}{est / 1e6:>9.2f}{got / est:>7.3f}"
                )
                worst = max(worst, got / est)
    print(f"highest ratio: {worst:.3f}")


if __name__ == "__main__":
    main()
