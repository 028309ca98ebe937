"""The tutorial's experiment over many seeds: what it really gives, for README's table.

    python benchmarks/seed_table.py [--seeds 10]

Runs nnplay's core and the tutorial-style baseline (benchmarks/tutorial_style.py)
on the seed's settings (64-128-64-10 ReLU, He init, SGD lr 0.01, batch 32,
100 epochs) and prints loss, train and test accuracy at the epochs the tutorial
prints (0, 10, 50, 90, counted from 0 as its loop does) and at the end, as
min-max (mean) over the seeds.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tutorial_style import TutorialNet, epoch  # noqa: E402

from nnplay import data  # noqa: E402
from nnplay.core.config import TrainConfig  # noqa: E402
from nnplay.core.train import EpochStats, build  # noqa: E402

REPORT = (0, 10, 50, 90, 99)  # the tutorial's epoch numbers (0-based), and the last


def nnplay_run(split, seed: int) -> dict[int, tuple[float, float, float]]:
    trainer = build(TrainConfig(seed=seed), split)
    trainer.step_grad_norms = False
    out = {}
    for r in trainer.run(100):
        if isinstance(r, EpochStats) and r.epoch - 1 in REPORT:
            out[r.epoch - 1] = (r.loss, r.train_acc or 0.0, r.test_acc or 0.0)
    return out


def tutorial_run(split, seed: int) -> dict[int, tuple[float, float, float]]:
    rng = np.random.default_rng(seed)
    net = TutorialNet([64, 128, 64, 10], 0.01, rng)
    out = {}
    for e in range(100):
        result = epoch(net, split.X_train, split.Y_train, split.X_test, split.Y_test, 32, rng)
        if e in REPORT:
            out[e] = result
    return out


def span(values: list[float], pct: bool) -> str:
    f = (lambda v: f"{100 * v:.1f}%") if pct else (lambda v: f"{v:.3f}")
    return f"{f(min(values))}-{f(max(values))} ({f(float(np.mean(values)))})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    args = parser.parse_args()
    split = data.load("digits")
    for name, run in (("nnplay", nnplay_run), ("tutorial-style", tutorial_run)):
        runs = [run(split, s) for s in range(args.seeds)]
        print(f"\n{name}, seeds 0-{args.seeds - 1}: min-max (mean)")
        print(f"{'epoch':>6} | {'loss':<24}| {'train':<24}| {'test':<24}")
        for e in REPORT:
            cols = [span([r[e][k] for r in runs], pct=k > 0) for k in range(3)]
            print(f"{e:>6} | {cols[0]:<24}| {cols[1]:<24}| {cols[2]:<24}")


if __name__ == "__main__":
    main()
