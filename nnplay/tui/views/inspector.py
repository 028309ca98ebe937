"""The layer inspector: one dense layer's formulas with live shapes, its norms, its health.

All the numbers come from nnplay.core.formulas, nnplay.core.health (dead and saturated
units), nnplay.core.hints (what to change) and the session's per-epoch norms; this view
only lays them out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Sparkline, Static
from textual.worker import Worker, WorkerState, get_current_worker

from nnplay.core.formulas import layer_formulas
from nnplay.core.health import LayerHealth, layer_health
from nnplay.core.hints import NormSummary, guessing_loss, hints, summarize_norms
from nnplay.core.losses import LOSSES
from nnplay.core.network import NetworkSpec
from nnplay.tui.session import Session
from nnplay.tui.views.base import View, keys_hint, trained_label

KEYS = (("←→", "layer"), ("↑↓", "scroll"), ("space", "train"), ("esc", "back"))
"""The view's keys and what they do, for the border's subtitle."""
SPARK_WIDTH = 24
"""The most columns a norm's sparkline takes; fewer where its figures need them."""
TALL = 36
"""Terminal rows from which the norms are drawn three rows high."""


@dataclass(frozen=True)
class Inspection:
    """What the worker measured on one snapshot of the network."""

    spec: NetworkSpec
    batch_size: int  # the configured batch size
    train_rows: int  # training samples (a batch is never larger)
    epoch: int  # epochs trained when the snapshot was taken
    trained: str  # the same, for a person: "epoch 4", or "epoch 4 + 14 steps" into the next
    rows: int  # training samples the health was measured on
    health: list[LayerHealth]  # one per hidden activation, first layer first
    epochs: np.ndarray  # (E,) the epochs the norms were taken at
    weight_norms: np.ndarray  # (E, n_dense) ||W, b|| per epoch
    grad_norms: np.ndarray  # (E, n_dense) ||dW, db|| per epoch
    hints: list[str]  # plain advice; [] when nothing looks wrong


class InspectorView(View):
    """One dense layer at a time, with the activation after it; ←→ choose the layer."""

    BINDINGS = [
        Binding("right,l", "layer(1)", "Next layer"),
        Binding("left,h", "layer(-1)", "Previous layer"),
        # priority: the focused scroll area's own home and end took them, and scrolled instead
        Binding("home", "layer_to(0)", "First layer", show=False, priority=True),
        Binding("end", "layer_to(-1)", "Last layer", show=False, priority=True),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.chosen = 0
        """The dense layer shown, from 0."""
        self.inspection: Inspection | None = None
        """The latest measurements, or None before the first arrives."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="inspector-body"):
            yield Static("Forward", id="inspector-formulas-heading", classes="inspector-heading")
            yield Static(id="inspector-formulas")
            yield Static("Norms", id="inspector-norms-heading", classes="inspector-heading")
            for kind in ("weight", "grad"):
                with Horizontal(classes="norm-row"):
                    yield Static(id=f"norm-{kind}-label", classes="norm-label")
                    yield Sparkline([], id=f"norm-{kind}-spark", classes="norm-spark")
                    yield Static(id=f"norm-{kind}-value", classes="norm-value")
            yield Static("Health", id="inspector-health-heading", classes="inspector-heading")
            yield Static("measuring…", id="inspector-health")
            yield Static("Hints", classes="inspector-heading")
            yield Static("…", id="inspector-hints")
            yield Static("Every layer", classes="inspector-heading")
            yield Static(id="inspector-layers")

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.height >= TALL, "-tall")

    def on_mount(self) -> None:
        body = self.query_one("#inspector-body")
        body.border_title = "Layer inspector"
        body.border_subtitle = keys_hint(KEYS)
        body.focus()
        self.watch(body, "scroll_y", self._show_hint_count, init=False)
        self.refresh_from_session()

    # -- measuring, in a thread ------------------------------------------------------------

    def refresh_from_session(self) -> None:
        """Measure a new snapshot in a worker; it redraws when done."""
        if not self.session.ready:
            self.query_one("#inspector-health", Static).update("The network is still being built…")
            return
        self.inspect()

    @work(thread=True, exclusive=True, group="inspect", exit_on_error=False)
    def inspect(self) -> Inspection | None:
        session = self.session
        net = session.snapshot()
        epoch, trained = session.counts().epoch, trained_label(session)
        X_train, _ = session.arrays("train")
        epochs, weights, grads = session.norm_history()
        history = session.history()
        if get_current_worker().is_cancelled:
            return None
        health = layer_health(net, X_train)  # where a dead unit gets no gradient
        diverged = getattr(self.app, "state", "") == "diverged"
        return Inspection(
            spec=net.spec,
            batch_size=session.config.batch_size,
            train_rows=len(X_train),
            epoch=epoch,
            trained=trained,
            rows=len(X_train),
            health=health,
            epochs=epochs,
            weight_norms=weights,
            grad_norms=grads,
            hints=hints(
                health,
                weights,
                grads,
                history.loss,
                diverged,
                net.spec.init,
                session.config.lr,
                session.config.optimizer,
                guessing_loss(net.spec),
                session.config.l2,
                history.test_loss,
            ),
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group != "inspect":
            return
        if event.state == WorkerState.SUCCESS and isinstance(worker.result, Inspection):
            self.inspection = worker.result
            self._show()
        elif event.state == WorkerState.ERROR:
            self.query_one("#inspector-health", Static).update(Content(f"Could not measure: {worker.error}"))

    # -- keys ----------------------------------------------------------------------------------

    @property
    def n_dense(self) -> int:
        return 0 if self.inspection is None else len(self.inspection.spec.sizes) - 1

    def action_layer(self, step: int) -> None:
        if self.n_dense:
            self.chosen = (self.chosen + step) % self.n_dense
            self._show()

    def action_layer_to(self, index: int) -> None:
        if self.n_dense:
            self.chosen = index % self.n_dense
            self._show()

    # -- drawing -------------------------------------------------------------------------------

    def _show(self) -> None:
        found = self.inspection
        if found is None:
            return
        self.chosen = min(self.chosen, self.n_dense - 1)  # a loaded network may have fewer layers
        i = self.chosen
        formulas = layer_formulas(found.spec, i, found.batch_size, found.train_rows)
        body = self.query_one("#inspector-body")
        body.border_title = f"Inspector · {formulas.title}"
        self._show_hint_count()
        self.query_one("#inspector-formulas-heading", Static).update(
            f"Forward, then backward, for a batch of {formulas.batch:,} "
            f"· in a saved file: W{i}, b{i}"  # the formulas count layers from 1, files from 0
        )
        self.query_one("#inspector-formulas", Static).update(
            formula_table(formulas.forward, formulas.backward)
        )
        epochs = len(found.weight_norms)
        self.query_one("#inspector-norms-heading", Static).update(
            # the gradients are the epoch's last batch's: an epoch's mean would cost every step
            f"Norms ({epochs} epoch{'s' if epochs != 1 else ''}; each line spans its own range): "
            "weights at each epoch's end, gradients of its last batch"
            if epochs
            else "Norms: none yet (space trains; they are taken at each epoch's end)"
        )
        n = i + 1
        for kind, norms, label in (
            ("weight", found.weight_norms, f"‖W{n}, b{n}‖"),
            ("grad", found.grad_norms, f"‖dW{n}, db{n}‖"),
        ):
            self.query_one(f"#norm-{kind}-label", Static).update(label)
            spark = self.query_one(f"#norm-{kind}-spark", Sparkline)
            spark.data = list(norms[:, i]) if epochs else []
            spark.styles.max_width = max(1, min(epochs, SPARK_WIDTH))  # more epochs share a column
            summary = summarize_norms(norms, i)
            first = int(found.epochs[0]) if epochs else 0
            self.query_one(f"#norm-{kind}-value", Static).update(norm_text(summary, first))
        self.query_one("#inspector-health-heading", Static).update(
            f"Health on the {found.rows:,} training samples, {found.trained}"
        )
        self.query_one("#inspector-health", Static).update(health_text(found, i))
        self.query_one("#inspector-hints", Static).update(hints_text(found.hints))
        self.query_one("#inspector-layers", Static).update(layers_table(found, i))
        self.call_after_refresh(self._show_hint_count)  # where the hints are is known once laid out

    def _show_hint_count(self) -> None:
        """Count the hints in the border, saying "below" until they are all in view."""
        if self.inspection is None or self not in self.app.screen_stack:
            # Closed already (esc arriving with the i that opened it, before the measurements
            # came): its widgets are being removed, and the hints' one may be gone.
            return
        body = self.query_one("#inspector-body", VerticalScroll)
        count = len(self.inspection.hints)
        end = self.query_one("#inspector-hints").virtual_region.bottom
        below = " below" if end > body.scroll_y + body.scrollable_content_region.height else ""
        warning = f"⚠ {count} hint{'s' if count > 1 else ''}{below}  " if count else ""
        keys = KEYS if self.n_dense > 1 else KEYS[1:]  # one layer: ←→ would stay on it
        body.border_subtitle = warning + keys_hint(keys)


def formula_table(forward: tuple[tuple[str, str], ...], backward: tuple[tuple[str, str], ...]) -> Group:
    """The formulas in one column and their shapes in the next, forward then backward."""
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column()
    for formula, shapes in forward:
        table.add_row(Text(formula, style="bold"), Shapes(shapes))
    table.add_row("", "")
    for formula, shapes in backward:
        table.add_row(Text(formula, style="bold"), Shapes(shapes))
    return Group(table)


class Shapes:
    """A line of shapes, "x: (32, 64)  W1: (64, 128)  ...", that wraps only between them.

    Rich would break "z1: (32, 128)" at its spaces (no-break spaces too), leaving
    "(32," on one line and "128)" on the next.
    """

    def __init__(self, text: str) -> None:
        self.pairs = text.split("  ")

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(max(map(len, self.pairs)), len("  ".join(self.pairs)))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        line = ""
        for pair in self.pairs:
            if line and len(line) + 2 + len(pair) > options.max_width:
                yield Text(line, style="dim")
                line = pair
            else:
                line = f"{line}  {pair}" if line else pair
        yield Text(line, style="dim")


def norm_text(summary: NormSummary | None, first_epoch: int) -> Text:
    """The latest norm written out, with the first epoch's and the growth since."""
    if summary is None:
        return Text("—", style="dim")
    text = Text(f"{summary.last:.3g}", style="bold")
    growth = f", ×{summary.growth:.3g}" if math.isfinite(summary.growth) else ""
    text.append(f"  (epoch {first_epoch}: {summary.first:.3g}{growth})", style="dim")
    return text


def share(h: LayerHealth) -> str:
    """ "291/12,000 dead": a hidden layer's units counted by its measure, grouped as the
    summary table's parameter counts are."""
    return f"{h.count:,}/{h.units:,} {h.measure}"


def health_text(found: Inspection, layer: int) -> RenderableType:
    """The chosen layer's activation's health, or why the output layer has none."""
    if layer >= len(found.health):
        hidden = ", ".join(f"{h.layer}: {share(h)}" for h in found.health if h.measure)
        output = LOSSES[found.spec.loss].output_activation
        text = Text(
            "The output layer: no activation to die or saturate here"
            if output == "identity"  # softmax or sigmoid: its title says so, and "no activation" jarred
            else f"The output layer: its {output}, paired with the loss, cannot saturate: the "
            "gradient p - y stays large while p is wrong"
        )
        text.append(f"; the hidden layers' are on their own pages ({hidden})." if hidden else ".")
        return text
    h = found.health[layer]
    text = Text()
    text.append("⚠ " if h.alarming else "✓ ", style="bold")
    text.append(f"{h.activation}: ", style="bold")
    text.append(h.describe())
    return text


def hints_text(advice: list[str]) -> Text:
    """Each hint on its own line, marked ⚠; or that nothing looks wrong."""
    if not advice:
        return Text("✓ Nothing looks wrong.")
    text = Text()
    for n, line in enumerate(advice):
        text.append("\n" if n else "")
        text.append("⚠ ", style="bold")
        text.append(line)
    return text


def layers_table(found: Inspection, chosen: int) -> Table:
    """One row per dense layer: sizes, activation, latest norms, health; the chosen one marked ▶."""
    table = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold")
    for heading in ("", "layer", "sizes", "then", "‖W, b‖", "‖dW, db‖", "health"):
        table.add_column(heading, no_wrap=heading != "health")
    sizes = found.spec.sizes
    n_dense = len(sizes) - 1
    has_norms = len(found.weight_norms) > 0
    for i in range(n_dense):
        after = found.spec.activations[i] if i < n_dense - 1 else LOSSES[found.spec.loss].output_activation
        if i < len(found.health):
            h = found.health[i]
            health = share(h) if h.measure else "n/a"
            health = ("⚠ " if h.alarming else "") + health
        else:
            health = "output"
        table.add_row(
            "▶" if i == chosen else "",
            str(i + 1),
            f"{sizes[i]} → {sizes[i + 1]}",
            after,
            f"{found.weight_norms[-1, i]:.3g}" if has_norms else "—",
            f"{found.grad_norms[-1, i]:.3g}" if has_norms else "—",
            health,
            style="bold" if i == chosen else None,
        )
    return table
