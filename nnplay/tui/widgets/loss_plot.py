"""Loss or accuracy per epoch, drawn with plotext."""

from __future__ import annotations

import math
from dataclasses import fields

import numpy as np
from plotext import _utility as ut  # plotext 5's own mapping of data to cells: dot_cells()
from rich.cells import cell_len
from rich.text import Text
from textual.reactive import reactive
from textual_plotext import PlotextPlot

from nnplay.core.history import History
from nnplay.tui.status import loss_text

# Different markers, not only colours, so the curves differ in monochrome too.
# The key sits in the border, not in the plot, where it would hide the first epochs.
TRAIN = {"marker": "braille", "color": "blue"}
TEST = {"marker": "dot", "color": "green"}
EARLIER = {"marker": "-", "color": "gray"}
KEY = "[ansi_blue]⡇[/] train  [ansi_green]•[/] test"
ANSI_TRAIN = {"marker": "braille", "color": "default"}
"""With the terminal's own colours: its blue, thin braille on black, barely showed; the
braille's shape tells it from the test dots."""
ANSI_TEST = {"marker": "dot", "color": "magenta"}
"""And its green was 2.2:1 on a light terminal; magenta reads on black and white alike."""
ANSI_KEY = "⡇ train  [ansi_magenta]•[/] test"
EARLIER_KEY = "[ansi_bright_black]-[/] before"
DOT_GAP = 3
"""Columns from one test dot to the next at least: two cells of the training curve between."""


class MetricPlot(PlotextPlot):
    """Training and test curves of one metric over the epochs.

    Loss is drawn on a log scale: it falls by a factor of ten or more, and on a
    linear scale of a few rows everything after the first epochs would lie on
    the bottom row, hiding the slow improvement and the gap between training
    and test loss that shows overfitting.
    """

    metric: reactive[str] = reactive("loss")
    """What to draw: "loss" or "accuracy"."""

    def __init__(self, metric: str = "loss", **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.set_reactive(MetricPlot.metric, metric)
        self.history: History | None = None
        self.earlier: History | None = None
        """The run before this one, drawn behind it (its test figures) to compare with."""
        self.earlier_whole: History | None = None
        """The same, not thinned for drawing: the key's figure is at this run's epoch."""
        self.earlier_label = ""
        """What differed in the earlier run's settings: "sgd, lr 0.01"."""
        self.placeholder = "press space to train"
        """What the plot says before any epoch has finished."""

    def on_mount(self) -> None:  # PlotextPlot's own on_mount runs too (Textual walks the MRO)
        if self.app.ansi_color:
            # The terminal's own colours: textual-plotext's "auto" theme takes the Textual
            # theme's surface and foreground as RGB, and the ANSI theme's are both "default",
            # which parse as black: the axes and ticks were black on black.
            self.theme = "clear"
        self.replot()

    def update(self, history: History) -> None:
        """Take new figures, thinned to about MAX_POINTS epochs; the caller decides how
        often (a redraw costs bandwidth). The same figures again are not redrawn: at a slow
        pace an epoch spans many of the plots' seconds, and each redraw cost the UI thread
        the time of a plotext build for a picture that had not changed."""
        if self.history is not None and same_figures(self.history, history):
            return
        self.history = history
        self.replot()

    def compare(self, earlier: History | None, label: str, whole: History | None = None) -> None:
        """Draw an earlier run's test curve behind this run's (None: no earlier run); ``whole``
        is it unthinned, for the key's figure (else ``earlier``)."""
        self.earlier, self.earlier_label = earlier, label
        self.earlier_whole = whole
        self.replot()

    @property
    def label_cut(self) -> bool:
        """Whether the earlier run's label is too long for the title of either metric at
        this width: Textual ends a title with … where it leaves less than "╭─ " and " ─╮"."""
        return cell_len(f"Accuracy % vs before: {self.earlier_label}") > self.outer_size.width - 6

    def watch_metric(self) -> None:
        self.replot()

    def on_resize(self) -> None:
        self.replot()  # the y ticks are chosen for the height

    def say(self, placeholder: str) -> None:
        """Change what the plot says before any epoch has finished."""
        if placeholder != self.placeholder:
            self.placeholder = placeholder
            self.replot()

    def replot(self) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        accuracy = self.metric == "accuracy"
        name = "Accuracy %" if accuracy else "Loss"
        self.border_title = name
        self.border_subtitle = ""
        plt.xlabel("epoch")
        curves = []  # (epochs, values, style) in the order drawn
        earlier = self.earlier
        if earlier is not None and len(earlier.epoch):
            curves.append((earlier.epoch, earlier.test_acc * 100 if accuracy else earlier.test_loss, EARLIER))
        h = self.history
        if h is not None and len(h.epoch):
            train, test = (h.train_acc * 100, h.test_acc * 100) if accuracy else (h.loss, h.test_loss)
            # test last, so its dots stay visible where the curves overlap
            ansi = self.app.ansi_color
            curves += [
                (h.epoch, train, ANSI_TRAIN if ansi else TRAIN),
                (h.epoch, test, ANSI_TEST if ansi else TEST),
            ]
        else:
            plt.title(self.placeholder)
        if not curves:
            self.refresh()
            return
        values = np.concatenate([v for _, v, _ in curves])
        if not np.isfinite(values).any():
            plt.title("no accuracy for regression")
            self.refresh()
            return
        most = max(2, (self.content_size.height - 4) * 2 // 3)  # labels: about two rows in three
        if not accuracy and np.isfinite(values).all() and (values > 0).all():
            # log10 taken here, not by plt.yscale("log"): plotext applies that to its data
            # in place at every build, so a second render would take the log of a log.
            curves = [(x, np.log10(v), style) for x, v, style in curves]
            ticks = log_ticks(float(values.min()), float(values.max()), most)
            positions, labels = [math.log10(t) for t in ticks], [f"{t:.3g}" for t in ticks]
            self.border_title = "Loss (log scale)"
        elif accuracy and np.isfinite(values).all():
            # Linear, training's 95.5% and test's 93.3% shared the top row at 80x24, the
            # test dots drawn over the training curve: on the scale of errors, as loss is
            # drawn, 95% and 99% lie as far apart as 50% and 90%.
            scaled, (positions, labels) = error_scale(
                [v for _, v, _ in curves], most, self.content_size.height - 4
            )
            curves = [(x, v, style) for (x, _, style), v in zip(curves, scaled, strict=True)]
            self.border_title = "Accuracy % (log error scale)"
        else:
            positions = linear_ticks(float(np.nanmin(values)), float(np.nanmax(values)), most)
            labels = [f"{t:g}" for t in positions]
        plt.yticks(positions, labels)
        # the canvas: the content less the tick labels, the axis and the frame's right side
        columns = self.content_size.width - max(map(len, labels), default=0) - 2
        first = min(float(x[0]) for x, _, _ in curves)
        last = max(float(x[-1]) for x, _, _ in curves)
        heights = np.concatenate([v for _, v, _ in curves])
        # plotext's: the data's ends, or about the one value there is
        lims = (*ut.get_lim([first, last]), *ut.get_lim(heights.tolist()))
        size = (columns, self.content_size.height - 4)  # less the frame, the epochs and "epoch"
        for x, v, style in curves:
            if style in (TEST, ANSI_TEST) and np.isfinite(heights).all():  # else plotext's own way
                # Dots, not a line: plotext draws one marker a cell, the last curve's, and a
                # line of test dots hid the training curve in every cell of the rows the two
                # share (at 80x24 the seed experiment's first 50 epochs of loss), and the run
                # before's grey line wherever the two runs' test figures met. Where a curve
                # drawn before runs, the dots stand DOT_GAP columns apart.
                covered = set().union(*(line_cells(*curve, lims, size) for curve in curves[:-1]))
                shared = np.array([cell in covered for cell in dot_cells(x, v, lims, size)], dtype=bool)
                keep = spread(x, shared, first, last, columns)
                plt.scatter(x[keep].tolist(), v[keep].tolist(), **style)
            else:
                plt.plot(x.tolist(), v.tolist(), **style)
        epochs = epoch_ticks(int(first), int(last))
        plt.xticks([float(t) for t in epochs], [str(t) for t in epochs])
        styles = [style for _, _, style in curves]
        keys = [ANSI_KEY if self.app.ansi_color else KEY] if TEST in styles or ANSI_TEST in styles else []
        if EARLIER in styles:
            # what the earlier run was goes in the title: the key leaves too little room
            self.border_title = f"{name} vs before: {self.earlier_label}"
            keys.append(EARLIER_KEY + self._earlier_figure(accuracy))
        # one space between the keys where two would not fit: side by side at 120 columns a
        # plot is narrower than at 80, and Textual cut "- before 0.2431" to "- before 0.2…"
        spaced = "  ".join(keys)
        fits = cell_len(Text.from_markup(spaced).plain) <= self.outer_size.width - 6  # as label_cut
        self.border_subtitle = spaced if fits else spaced.replace("  ", " ")
        self.refresh()

    def _earlier_figure(self, accuracy: bool) -> str:
        """The earlier run's test figure at this run's latest epoch (" 97.1%"), to read
        against the status's. Where both runs end near the top (or the bottom), the grey line hides
        behind this run's dots, and which did better could not be told from the plot. Past the
        earlier run's last epoch it has no such figure: " ended" (its last, at epoch 10, read
        against this run's at 50, made a run of the same settings look worse)."""
        # not the thinned curve: of 400 epochs it draws every 2.5th, and the key gave epoch 1's
        # figure at this run's epoch 2
        h, earlier = self.history, self.earlier if self.earlier_whole is None else self.earlier_whole
        if h is None or not len(h.epoch) or earlier is None:
            return ""
        if earlier.epoch[-1] < h.epoch[-1]:
            return " ended"
        at = max(0, int(np.searchsorted(earlier.epoch, h.epoch[-1], "right")) - 1)
        value = float(earlier.test_acc[at] * 100 if accuracy else earlier.test_loss[at])
        if not math.isfinite(value):
            return ""
        return f" {value:.1f}%" if accuracy else f" {loss_text(value)}"


def same_figures(a: History, b: History) -> bool:
    """Whether two histories hold the same epochs and figures (NaN equal to NaN)."""
    return all(
        np.array_equal(getattr(a, f.name), getattr(b, f.name), equal_nan=True) for f in fields(History)
    )


def spread(epochs: np.ndarray, shared: np.ndarray, first: float, last: float, columns: int) -> np.ndarray:
    """Which test dots to draw, of those at ``epochs`` (ascending) on a canvas of ``columns``
    spanning ``first`` to ``last``. ``shared`` marks the dots in a cell that a curve drawn
    before them covers (in replot, the training curve or the run before's grey line), where
    a dot would hide that curve: of those, one every DOT_GAP columns at most, and none
    nearer than that to the latest if it is shared too. Every other
    dot is kept, and the latest always (it is the status's figure)."""
    gap = DOT_GAP * (last - first) / max(1, columns - 1)  # in epochs
    n = len(epochs)
    keep, before = [], -math.inf  # before: the epoch of the last shared dot kept
    for i in range(n):
        room = epochs[i] - before >= gap and (not shared[-1] or epochs[-1] - epochs[i] >= gap)
        if not shared[i] or i == n - 1 or room:
            keep.append(i)
            before = epochs[i] if shared[i] else before
    return np.array(keep, dtype=int)


Lims = tuple[float, float, float, float]
"""A plot's axes: x low, x high, y low, y high."""


def dot_cells(
    x: np.ndarray, y: np.ndarray, lims: Lims, size: tuple[int, int], fx: int = 1, fy: int = 1
) -> list[tuple[int, int]]:
    """The canvas cell (column, row) of each point, as plotext 5 places a dot (``fx`` by
    ``fy`` sub-cells: braille's 2 by 4), on a canvas of ``size`` (columns, rows). With
    plotext's own helper, so the cells are its cells."""
    xs = ut.get_matrix_data(x.tolist(), list(lims[:2]), size[0] * fx)
    ys = ut.get_matrix_data(y.tolist(), list(lims[2:]), size[1] * fy)
    return list(zip(xs, ys, strict=True))


def line_cells(
    x: np.ndarray, y: np.ndarray, style: dict[str, str], lims: Lims, size: tuple[int, int]
) -> set[tuple[int, int]]:
    """The canvas cells a curve drawn as a line in ``style`` covers, its lines between the
    points included: braille draws 2 by 4 points a cell, other markers one."""
    fx, fy = (2, 4) if style["marker"] == "braille" else (1, 1)
    xs, ys = zip(*dot_cells(x, y, lims, size, fx, fy), strict=True)
    xs, ys, _ = ut.get_lines(list(xs), list(ys), [None] * len(xs))  # it wants markers to spread too
    return {(c // fx, r // fy) for c, r in zip(xs, ys, strict=True)}


def epoch_ticks(first: int, last: int) -> list[int]:
    """About five epochs to label, first and last among them. Over a few epochs, where a
    gap of one more or less shows, evenly spaced: 1 3 5 7, not the 1 2 4 5 7 that rounding
    1, 2.5, 4, 5.5, 7 gives."""
    span = last - first
    if span <= 12:
        for parts in (4, 3, 5, 2):
            if span >= parts and span % parts == 0:
                return list(range(first, last + 1, span // parts))
        if span <= 7:
            return list(range(first, last + 1))
    return sorted({int(t) for t in np.linspace(first, last, 5)})


def log_ticks(low: float, high: float, most: int = 5) -> list[float]:
    """Round values between low and high (0 < low <= high) to label a log axis with.

    1, 2, 3 and 5 times powers of ten, or fewer of those if that makes more than
    ``most``; if not even two round values fall inside, the two ends themselves.
    """
    powers = range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
    ticks: list[float] = []
    for mantissas in ((1, 2, 3, 5), (1, 2, 5), (1, 3), (1,)):
        ticks = [m * 10.0**p for p in powers for m in mantissas if low <= m * 10.0**p <= high]
        if len(ticks) <= most:
            break
    else:
        ticks = ticks[:: math.ceil(len(ticks) / most)]
    if len(ticks) < 2:
        return [low, high] if high > low else [low]
    return ticks


def error_scale(
    accuracies: list[np.ndarray], most: int = 5, rows: int = 0
) -> tuple[list[np.ndarray], tuple[list[float], list[str]]]:
    """Accuracies (%) as heights on a log scale of their errors, -log10(100 - accuracy),
    so that each step up is a tenth of the errors left (90, 99, 99.9), and the ticks for
    them, as (positions, labels). An accuracy of 100 has no error to take the log of: it
    is drawn half the smallest error above the rest, on a tick of its own, "100".

    On a canvas of ``rows`` rows, the row where the best accuracy lies (the top, unless every
    accuracy is the same: plotext then draws them halfway up) always has a label
    (``best_tick``)."""
    errors = [100 - a for a in accuracies]
    every = np.concatenate(errors)
    made = every[every > 0]
    smallest = float(made.min()) if made.size else 1.0
    floor = smallest / 2
    heights = [-np.log10(np.maximum(e, floor)) for e in errors]
    ticks = log_ticks(smallest, float(every.max()), most) if made.size else []
    perfect = bool((every <= 0).any())
    if perfect:  # no round tick crowding the 100's row
        ticks = [t for t in ticks if t >= 2 * smallest]
    positions, labels = [-math.log10(t) for t in ticks], [accuracy_label(t) for t in ticks]
    if perfect:
        positions.append(-math.log10(floor))
        labels.append("100")
    elif rows > 1 and made.size:
        lim = ut.get_lim(np.concatenate(heights).tolist())
        (best_row,) = ut.get_matrix_data([-math.log10(smallest)], lim, rows)
        if best_row not in ut.get_matrix_data(positions, lim, rows):
            error = best_tick(smallest, lim, rows, best_row)
            positions.append(-math.log10(error))
            labels.append(accuracy_label(error))
    return heights, (positions, labels)


def best_tick(smallest: float, lim: list[float], rows: int, row: int) -> float:
    """The error to label ``row`` of an error scale with, the row of the best accuracy (whose
    error is ``smallest``), as plotext places a tick on a canvas of ``rows`` spanning heights
    ``lim``: of those with two significant digits that fall in that row and are no better
    than the best, the shortest label's, nearest the top (2, for 98%); else ``smallest``
    itself. At 80x24 the seed experiment's 98.3% lay in a row with no
    label, over 97's: whether the curve reached 98, 99 or 100 was a guess."""
    power = math.floor(math.log10(smallest))
    candidates = [k * 10.0 ** (p - 1) for p in range(power - 1, power + 3) for k in range(10, 100)]
    in_row = [
        e for e in candidates if e >= smallest and ut.get_matrix_data([-math.log10(e)], lim, rows)[0] == row
    ]
    return min(in_row, key=lambda e: (len(accuracy_label(e)), e), default=smallest)


def accuracy_label(error: float) -> str:
    """The tick label of an error on the error scale: the accuracy, "98" or "99.5"."""
    return f"{round(100 - error, 6):g}"


def linear_ticks(low: float, high: float, most: int = 5) -> list[float]:
    """Round values between low and high to label a linear axis with: multiples of the
    smallest of 1, 2, 2.5 or 5 times a power of ten that gives at most ``most``."""
    if not high > low:
        return [low]
    power = 10.0 ** math.floor(math.log10((high - low) / most))
    for step in (power * m for m in (1, 2, 2.5, 5, 10, 20, 25, 50)):  # power may be 10x too small
        ticks = [k * step for k in range(math.ceil(low / step), math.floor(high / step) + 1)]
        ticks = [t for t in ticks if low <= t <= high]  # k * step can round past an end
        if len(ticks) <= most:
            break
    return ticks if len(ticks) >= 2 else [low, high]
