"""The Training pane's status lines, made from the session and the latest progress: words
and numbers only, so they can be read (and tested) without the app."""

from __future__ import annotations

from rich.text import Text

from nnplay.tui.messages import Progress
from nnplay.tui.session import Session


def loss_text(loss: float) -> str:
    """A loss for the status: four decimals, or three significant digits for one so small it
    would show as 0.0000 or so large (a diverging run) that the decimals are noise."""
    return f"{loss:.4f}" if loss == 0 or 0.001 <= abs(loss) < 1e5 else f"{loss:.3g}"


PLACEHOLDERS = {
    "ready": "press space to train",
    "running": "the first epoch is on its way",
    "finished": "no epochs left: raise epochs",  # --epochs 0, where space says only that
    "diverged": "diverged: space resumes, r resets",
    "failed": "stopped by an error",
}
"""What the plots say before any epoch has finished, by state (ready for the others)."""


def epoch_line(state: str, epoch: int, epochs: int, pace: float | None, width: int) -> tuple[str, str]:
    """The status's first line, as (state, "   Epoch 13/100 at 1/s"), shortened until it fits
    ``width``: a wrapped line would push the step line, the last of the status, out of view.

    In turn: the state loses its hint ("○ ready", "✗ stopped"), the gap narrows, a round
    total is shown in thousands or millions ("100k"), and last the word "Epoch" goes.
    """
    total = str(epochs)
    if epochs and epochs % 1000 == 0:
        total = f"{epochs // 10**6}M" if epochs % 10**6 == 0 else f"{epochs // 1000}k"
    pace_text = f" at {pace:g}/s" if pace else ""
    short = state.split(":")[0].removesuffix(" by an error")
    for line in (
        (state, f"   Epoch {epoch}/{epochs}{pace_text}"),
        (short, f"   Epoch {epoch}/{epochs}{pace_text}"),
        (short, f" Epoch {epoch}/{epochs}{pace_text}"),
        (short, f" Epoch {epoch}/{total}{pace_text}"),
        (short, f" {epoch}/{total}{pace_text}"),
    ):
        if len("".join(line)) <= width:
            break
    return line


STATES = {
    "loading": "… loading",
    "ready": "○ ready: space trains",
    "running": "▶ running",
    "paused": "‖ paused",
    "finished": "■ finished",
    "diverged": "✗ diverged: space resumes",
    "failed": "✗ stopped by an error",
}


def status_text(
    state: str, session: Session, progress: Progress | None, pace: float | None, cure: str, width: int
) -> Text:
    """The Training pane's status: the state and epoch, the latest figures, and the step an
    epoch stopped at, or the speed; ``cure``, what to try after a divergence."""
    counts = session.counts()
    text = Text()
    shown_state, epoch = epoch_line(STATES[state], counts.epoch, counts.epochs, pace, width)
    text.append(shown_state, style="bold")
    text.append(epoch + "\n")
    p = progress
    history = p.history if p else None
    running, watching = state == "running", pace is not None and pace <= 1
    # Paused, or running slowly enough to watch, partway through an epoch: the step it
    # reached and its batch's loss, since the epoch's figures are older than the weights.
    step = ""
    if p is not None and p.position and p.loss is not None and p.position[0] < p.position[1]:
        if not running or watching:
            step = f"step {p.position[0]}/{p.position[1]}  batch loss {loss_text(p.loss)}\n"
    if history is not None and len(history.epoch):
        text.append(f"loss {loss_text(history.loss[-1])}  test loss {loss_text(history.test_loss[-1])}\n")
        train, test = history.train_acc[-1], history.test_acc[-1]
        if train == train:  # not NaN: a classifier
            text.append(f"train {100 * train:.1f}%  test {100 * test:.1f}%\n")
    elif step:
        text.append(step)
        step = ""
    elif p is not None and p.loss is not None:
        text.append(f"batch loss {loss_text(p.loss)}\n")
    elif session.loaded_figures is not None:  # a trained network just loaded
        train_acc, test_acc, test_loss = session.loaded_figures
        text.append(f"loaded: test loss {loss_text(test_loss)}\n")
        if train_acc is not None and test_acc is not None:
            text.append(f"train {100 * train_acc:.1f}%  test {100 * test_acc:.1f}%\n")
    trainer = session.trainer
    if not step and p is None and trainer is not None and trainer.position:  # loaded partway
        step = f"step {trainer.position[0]}/{trainer.position[1]} of epoch {counts.epoch + 1}\n"
    if cure:  # the notice with the whole reason goes
        text.append(f"to fix: {cure}\n", style="bold")
    if step:
        text.append(step, style="dim")
    elif p is not None and p.samples_per_s and running and pace is None:
        text.append(f"{p.samples_per_s:,.0f} samples/s  ", style="dim")
    elif state == "finished" and pace is None and not cure and p is not None:
        # 100 epochs of digits are over in a second or two, and < was in the help alone (the
        # 80-column footer has no room): said where the status has a line to spare, after a
        # run (p: its progress), not under a finished file just loaded, which nothing ran
        text.append("too quick to watch? < slows it", style="dim")
    return text
