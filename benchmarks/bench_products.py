"""The eight matrix products of one training step, timed alone, in float32 and float64.

    python benchmarks/bench_products.py

For the seed's network at batch 32: the three forward products (x @ W), the
three weight gradients (x.T @ dy) and the two input gradients (dy @ W.T), each
as the step computes it and, for dy @ W.T, also against a copy of W.T made
contiguous, to show what the transposed right-hand operand costs in this
machine's BLAS. Times are the best of several repeats, in microseconds.
"""

from __future__ import annotations

import timeit
from functools import partial

import numpy as np

SIZES = (64, 128, 64, 10)
BATCH = 32


def best_us(fn, number: int = 2000, repeat: int = 7) -> float:
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e6


def main() -> None:
    print(f"{'product':52s} {'float32 µs':>11s} {'float64 µs':>11s}")
    for name, t32, t64 in _rows(np.random.default_rng(0)):
        print(f"{name:52s} {t32:11.2f} {t64:11.2f}")


def _rows(rng: np.random.Generator) -> list[tuple[str, float, float]]:
    rows = []
    for i, (n_in, n_out) in enumerate(zip(SIZES[:-1], SIZES[1:], strict=True)):
        unused = "  (not in training)" if i == 0 else ""  # nobody needs dL/dx of the data
        times: dict[str, list[float]] = {}
        for dtype in (np.float32, np.float64):
            x = rng.standard_normal((BATCH, n_in)).astype(dtype)
            W = rng.standard_normal((n_in, n_out)).astype(dtype)
            dy = rng.standard_normal((BATCH, n_out)).astype(dtype)
            y, dW, dx = np.empty((BATCH, n_out), dtype), np.empty_like(W), np.empty_like(x)
            WT = np.ascontiguousarray(W.T)
            for name, a, b, out in [
                (f"x @ W        {BATCH}x{n_in} @ {n_in}x{n_out}", x, W, y),
                (f"x.T @ dy     {n_in}x{BATCH} @ {BATCH}x{n_out}", x.T, dy, dW),
                (f"dy @ W.T     {BATCH}x{n_out} @ {n_out}x{n_in}{unused}", dy, W.T, dx),
                ("  same, W.T contiguous", dy, WT, dx),
            ]:
                times.setdefault(name, []).append(best_us(partial(np.dot, a, b, out=out)))
        rows += [(name, t32, t64) for name, (t32, t64) in times.items()]
    return rows


if __name__ == "__main__":
    main()
