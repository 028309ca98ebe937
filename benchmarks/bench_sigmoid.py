"""sigmoid() alone: time per call and the memory one call allocates besides its result.

    python benchmarks/bench_sigmoid.py

float32 inputs of a training batch's hidden layer (32 rows of 128 units) and of the
digits' whole training set (1,797 rows), as the Sigmoid layer calls it, into a buffer
of its own (``out=``). Times are the best of many repeats, in microseconds; the peak is
tracemalloc's over one call, so it counts the temporaries, not ``out``.
"""

from __future__ import annotations

import timeit
import tracemalloc

import numpy as np

from nnplay.core.activations import sigmoid

SHAPES = [(32, 128), (1797, 128)]


def best_us(fn, number: int, repeat: int = 15) -> float:
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e6


def peak_bytes(x: np.ndarray, out: np.ndarray) -> int:
    tracemalloc.start()
    try:
        sigmoid(x, out=out)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    rng = np.random.default_rng(0)
    print(f"{'shape':<13}{'µs per call':>12}{'peak KB':>10}{'peak / x':>10}")
    for shape in SHAPES:
        x = (4 * rng.standard_normal(shape)).astype(np.float32)  # both signs, some saturated
        out = np.empty_like(x)
        number = max(1, 200_000 // x.size)
        us = best_us(lambda x=x, out=out: sigmoid(x, out=out), number)
        peak = peak_bytes(x, out)
        print(f"{str(shape):<13}{us:>12.1f}{peak / 1024:>10.1f}{peak / x.nbytes:>10.2f}")


if __name__ == "__main__":
    main()
