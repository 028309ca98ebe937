"""Messages the training thread posts to the UI: copies of numbers, never the live network."""

from __future__ import annotations

from textual.message import Message

from nnplay.core.history import History


class Progress(Message):
    """Where training stands; posted at most a few times a second."""

    def __init__(
        self,
        generation: int,
        loss: float | None,
        history: History,
        samples_per_s: float | None,
        position: tuple[int, int] | None = None,
    ) -> None:
        super().__init__()
        self.generation = generation  # which network this is about (Session.generation)
        self.loss = loss  # the latest batch's loss
        self.position = position  # (steps taken, steps in all) of the latest epoch
        self.history = history  # per-epoch figures, copied
        self.samples_per_s = samples_per_s  # training throughput while running, else None

    def can_replace(self, message: Message) -> bool:
        # Each carries the history so far, so a newer one makes an older, unhandled one redundant.
        return isinstance(message, Progress) and message.generation == self.generation


class Stopped(Message):
    """The training thread stopped: paused, finished, diverged or failed."""

    def __init__(self, generation: int, run: int, why: str, detail: str = "", cure: str = "") -> None:
        super().__init__()
        self.generation = generation
        self.run = run  # which start of training this ends: a later start makes it stale
        self.why = why  # "paused", "stepped", "finished", "diverged" or "failed"
        self.detail = detail  # the reason, in words, for "diverged" and "failed"
        self.cure = cure  # for "diverged": what to try, in a few words


class Loaded(Message):
    """The data set is loaded and the network built."""

    def __init__(self, error: str = "") -> None:
        super().__init__()
        self.error = error
