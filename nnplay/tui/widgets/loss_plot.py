"""Loss or accuracy per epoch, drawn with plotext."""

from __future__ import annotations

import numpy as np
from textual.reactive import reactive
from textual_plotext import PlotextPlot

from nnplay.core.history import History


class MetricPlot(PlotextPlot):
    """Training and test curves of one metric over the epochs."""

    metric: reactive[str] = reactive("loss")
    """What to draw: "loss" or "accuracy"."""

    def __init__(self, metric: str = "loss", **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.set_reactive(MetricPlot.metric, metric)
        self.history: History | None = None

    def on_mount(self) -> None:  # PlotextPlot's own on_mount runs too (Textual walks the MRO)
        self.replot()

    def update(self, history: History) -> None:
        """Take new figures, thinned to about MAX_POINTS epochs; the caller decides how
        often (a redraw costs bandwidth)."""
        self.history = history
        self.replot()

    def watch_metric(self) -> None:
        self.replot()

    def replot(self) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        accuracy = self.metric == "accuracy"
        self.border_title = "Accuracy" if accuracy else "Loss"
        plt.xlabel("epoch")
        h = self.history
        if h is None or len(h.epoch) == 0:
            plt.title("press space to train")
        else:
            x = h.epoch.tolist()
            train, test = (h.train_acc * 100, h.test_acc * 100) if accuracy else (h.loss, h.test_loss)
            if np.isfinite(train).any():
                # Different markers, not only colours, so the curves differ in monochrome too;
                # test goes last so its dots stay visible where the curves overlap.
                plt.plot(x, train.tolist(), label="train", marker="braille")
                plt.plot(x, test.tolist(), label="test", marker="dot")
                ticks = sorted({int(t) for t in np.linspace(x[0], x[-1], 5)})
                plt.xticks([float(t) for t in ticks], [str(t) for t in ticks])
            else:
                plt.title("no accuracy for regression")
        self.refresh()
