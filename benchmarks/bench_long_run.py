"""A long run in the app: memory and the cost of a redraw as the epochs pile up.

    python benchmarks/bench_long_run.py [--epochs 10000] [--every 1000]

Runs the app headless (Textual's test driver) on the tutorial's network and,
every so many epochs, pauses to measure the process's resident memory and the
time to build, draw and render the loss plot. Both should stay flat: the
history keeps at most a few thousand rows and a plot draws at most 160 points.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nnplay.core.config import TrainConfig  # noqa: E402
from nnplay.tui.app import MAX_POINTS, make_app  # noqa: E402
from nnplay.tui.widgets.loss_plot import MetricPlot  # noqa: E402


def rss_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def main(epochs: int, every: int) -> None:
    app = make_app(TrainConfig(epochs=every))
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        plot = app.query_one("#loss-plot", MetricPlot)
        print(f"{'epochs':>8} {'RSS MiB':>9} {'history rows':>13} {'redraw ms':>10}")
        for target in range(every, epochs + 1, every):
            app.session.apply(replace(app.session.config, epochs=target))
            app.state = "paused"
            await pilot.press("space")
            await app.workers.wait_for_complete()
            await pilot.pause()
            started = time.perf_counter()
            for _ in range(20):
                plot.update(app.session.history(MAX_POINTS))
                plot.render()
            redraw = (time.perf_counter() - started) / 20 * 1e3
            rows, epoch = app.session._log.n, app.session.counts().epoch
            print(f"{epoch:>8} {rss_mib():>9.1f} {rows:>13} {redraw:>10.2f}", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10_000)
    parser.add_argument("--every", type=int, default=1000)
    args = parser.parse_args()
    asyncio.run(main(args.epochs, args.every))
