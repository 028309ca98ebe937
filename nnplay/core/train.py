"""Training driven by its caller: a generator that yields a record per step and per epoch.

The caller decides the pace: pull the next record to take a step, stop pulling
to pause, ``close()`` the generator to stop, set ``trainer.optimizer.lr`` to
change the learning rate for the next step. Nothing here prints.
"""

from __future__ import annotations

import math
import time
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import numpy as np

from nnplay.core.config import TrainConfig
from nnplay.core.network import Network, NetworkSpec, correct_mask
from nnplay.core.optimizers import OPTIMIZERS, Optimizer
from nnplay.core.serialize import Saved, restore


@dataclass(frozen=True)
class Split:
    """A data set ready to train on: inputs ``X: (N, n_in)``, targets ``Y: (N, n_out)``."""

    X_train: np.ndarray
    Y_train: np.ndarray
    X_test: np.ndarray
    Y_test: np.ndarray
    loss: str
    """The loss that fits the targets (one-hot: cross_entropy; 0/1: binary_cross_entropy)."""


@dataclass(slots=True)  # not frozen: a frozen dataclass is slow to create, once per step
class StepStats:
    """One gradient step."""

    epoch: int  # the epoch this step belongs to, counting from 1
    step: int  # steps taken since the network was built or loaded, counting from 1
    batch: int  # this step's index within its epoch, from 0
    batches: int  # steps in one epoch
    loss: float  # the batch's loss, taken before its update
    grad_norms: tuple[float, ...] | None  # ||gradient|| per dense layer, if the trainer records them


@dataclass(frozen=True, slots=True)
class EpochStats:
    """One pass over the training set, with the evaluation that follows it."""

    epoch: int  # counting from 1
    loss: float  # mean of the epoch's batch losses, each taken before its update
    train_acc: float | None  # fraction of the training set right (None for regression)
    test_acc: float | None  # fraction of the test set right (None for regression)
    test_loss: float  # loss over the whole test set after the epoch
    seconds: float  # time spent in this epoch's steps and evaluation
    samples_per_s: float  # training samples per second in this epoch
    grad_norms: tuple[float, ...]  # ||gradient|| per dense layer at the epoch's last step
    weight_norms: tuple[float, ...]  # ||W, b|| of each dense layer after the epoch


@dataclass(frozen=True, slots=True)
class Diverged:
    """Training stopped: the loss or a weight stopped being a finite number, or grew far
    past where it started (LOSS_GROWTH, WEIGHT_GROWTH)."""

    epoch: int
    step: int
    reason: str  # plain words, with what to try
    cure: str = ""  # what to try, in a few words: "lower lr to 0.1"


Record = StepStats | EpochStats | Diverged


@dataclass(frozen=True, slots=True)
class _EpochStart:
    """What to put back if an epoch diverges: the weights, the step count, and the optimizer's
    momentum or moments (else the diverging steps' would live on in them)."""

    params: np.ndarray
    step: int
    optimizer: Optimizer  # the caller may swap in another kind mid-epoch: its state is not this
    state: dict[str, np.ndarray]
    partial: dict[str, Any] | None  # an epoch saved partway, resumed: where it stood


LOSS_GROWTH = 10.0
"""An epoch whose mean loss is this many times the untrained network's has diverged."""
WEIGHT_GROWTH = 1000.0
"""A layer whose weights' norm grew this many times since the start has diverged."""


USUAL_L2 = (0.0001, 0.01)
"""The range of L2 weight decay most networks use."""


def steps_per_epoch(n: int, batch_size: int) -> int:
    """ceil(n / batch_size): the last batch of an epoch takes what is left, if fewer."""
    return -(-n // batch_size)  # ceiling division in integers, exact for any n


def lower_lr(lr: float) -> float:
    """The learning rate to try after a divergence: a tenth, and at most 0.1."""
    return min(lr / 10, 0.1)


def make_optimizer(config: TrainConfig) -> Optimizer:
    """A fresh optimizer (no momentum or moments yet) of the config's kind, lr and l2."""
    return OPTIMIZERS[config.optimizer](lr=config.lr, weight_decay=config.l2)


def build(config: TrainConfig, data: Split, saved: Saved | None = None, dtype: type = np.float32) -> Trainer:
    """A network and optimizer for the config, seeded by config.seed.

    With ``saved``, the network takes the saved weights and carries on from the
    epoch it reached, with the optimizer's saved state if the optimizer is the
    same; if the seed is the one it was saved with, shuffling carries on
    exactly where it stopped.
    """
    rng = np.random.default_rng(config.seed)
    spec = NetworkSpec(config.layers, config.hidden_activations, data.loss, config.init)
    net = Network(spec, rng, dtype)
    trainer = Trainer(net, make_optimizer(config), data, config.batch_size, rng)
    if saved is not None:
        restore(net, saved)
        trainer.epoch = saved.epochs_trained
        # Growth is counted from where this training starts: a file may hold weights far
        # larger than a fresh network's (and then they are not a divergence of this run).
        trainer.first_norms = tuple(map(max, trainer.first_norms, net.weight_norms()))
        if saved.rng_state is not None and saved.config.seed == config.seed:
            rng.bit_generator.state = saved.rng_state  # checked when the file was read
            partial = saved.partial
            # saved partway through an epoch, or after its last step but before it was counted
            if partial and partial["steps"] <= steps_per_epoch(len(data.X_train), partial["batch_size"]):
                trainer.partial = dict(partial)  # finish it
        if saved.config.optimizer == config.optimizer:  # another optimizer starts afresh
            state = dict(saved.optimizer_state)
            for name, value in state.items():
                if value.dtype.kind == "f":
                    state[name] = value.astype(net.dtype)  # a file may hold another float type
            trainer.optimizer.set_state(state)
    return trainer


def blames_l2(optimizer: Optimizer) -> bool:
    """Whether a divergence is L2's doing, so that lowering l2 is the cure: the decay alone
    blows the weights up (lr × l2 past the optimizer's limit), and l2 is above the usual
    range (else it is the learning rate that is far too high)."""
    lr, l2 = optimizer.lr, optimizer.weight_decay
    return l2 > USUAL_L2[1] and lr * l2 > optimizer.decay_limit()


class Trainer:
    """Mini-batch training of one network on one split."""

    def __init__(
        self,
        net: Network,
        optimizer: Optimizer,
        data: Split,
        batch_size: int,
        rng: np.random.Generator,
    ) -> None:
        self.net = net
        self.optimizer = optimizer
        self.batch_size = batch_size
        """Samples per step; a change applies from the next epoch."""
        self.rng = rng
        dtype = net.dtype
        self.X_train = np.ascontiguousarray(data.X_train, dtype=dtype)
        self.Y_train = np.ascontiguousarray(data.Y_train, dtype=dtype)
        self.X_test = np.ascontiguousarray(data.X_test, dtype=dtype)
        self.Y_test = np.ascontiguousarray(data.Y_test, dtype=dtype)
        # Train and test inputs stacked once, so evaluation is a single forward pass.
        self._X_all = np.concatenate([self.X_train, self.X_test])
        self._Y_all = np.concatenate([self.Y_train, self.Y_test])
        self._labels = self._Y_all.argmax(axis=1) if self._Y_all.shape[1] > 1 else None
        # Each epoch's shuffled copy of the training set is written here, not into new arrays.
        self._X_shuffled = np.empty_like(self.X_train)
        self._Y_shuffled = np.empty_like(self.Y_train)
        self.step_grad_norms = True
        """Whether step records carry gradient norms (a few NumPy calls a step)."""
        self.epoch = 0
        """Epochs completed."""
        # Made before build() restores any saved weights, so the loss yardstick is the untrained
        # network's, loaded or not: a trained loss (0.001) makes ordinary noise look like 10x.
        self.first_loss = float(net.loss.forward(net.logits(self.X_train), self.Y_train))
        """The untrained network's loss on the whole training set: the yardstick for divergence
        (one batch's was too noisy: with batch 1 a lucky first sample set it near 0)."""
        self.first_norms = net.weight_norms()
        """||W_i, b_i|| per dense layer at the start: the yardstick for WEIGHT_GROWTH (build()
        raises it to a loaded file's, whose larger weights are not this run's divergence)."""
        self.step = 0
        """Steps taken."""
        self.partial: dict[str, Any] | None = None
        """How far into an unfinished epoch training is, so that a network saved mid-epoch
        carries on exactly (None between epochs): ``steps`` taken of it, their ``loss_sum``,
        its ``batch_size``, and ``rng_state``, the shuffling generator's state before the
        epoch's shuffle (restored, it draws the same order)."""
        self._start: _EpochStart | None = None
        """The epoch in progress's start, to put back if it diverges."""

    @property
    def position(self) -> tuple[int, int] | None:
        """(steps taken, steps in all) of the unfinished epoch, or None between epochs."""
        if self.partial is None:
            return None
        return self.partial["steps"], steps_per_epoch(len(self.X_train), self.partial["batch_size"])

    def evaluate(self) -> tuple[float | None, float | None, float]:
        """(train accuracy, test accuracy, test loss) in one forward pass."""
        n_train = len(self.X_train)
        z = self.net.forward(self._X_all)  # (N_train + N_test, n_out)
        test_loss = self.net.loss.forward(z[n_train:], self.Y_test)
        correct = correct_mask(z, self._Y_all, self.net.spec.loss, self._labels)
        if correct is None:
            return None, None, test_loss
        return float(correct[:n_train].mean()), float(correct[n_train:].mean()), test_loss

    def run(self, epochs: int) -> Generator[Record, None, None]:
        """Train for up to ``epochs`` more epochs, yielding after every step and epoch.

        Stops early with a ``Diverged`` record, after putting back the weights
        the network had at the start of the failing epoch.
        """
        net, n = self.net, len(self.X_train)
        for _ in range(epochs):
            epoch = self.epoch + 1
            started = time.perf_counter()
            busy = 0.0  # time spent here, not in the caller, between yields
            resumed = self.partial  # an epoch saved partway: the same order, from where it was
            self._start = _EpochStart(
                net.params.copy(),
                self.step,
                self.optimizer,
                {name: np.array(value) for name, value in self.optimizer.state().items()},
                resumed,
            )
            if resumed is not None:
                self.rng.bit_generator.state = resumed["rng_state"]
            shuffle_state = self.rng.bit_generator.state  # what draws this epoch's order again
            bs = resumed["batch_size"] if resumed else min(self.batch_size, n)
            first, loss_sum = (resumed["steps"], resumed["loss_sum"]) if resumed else (0, 0.0)
            batches = steps_per_epoch(n, bs)
            order = self.rng.permutation(n)
            X = np.take(self.X_train, order, axis=0, out=self._X_shuffled)  # X_train[order]
            Y = np.take(self.Y_train, order, axis=0, out=self._Y_shuffled)
            norms = None
            for b in range(first, batches):
                loss = net.train_step(X[b * bs : (b + 1) * bs], Y[b * bs : (b + 1) * bs], self.optimizer)
                self.step += 1
                if not math.isfinite(loss):
                    where = f"at step {b + 1} of {batches}"  # as the app counts an epoch's steps
                    yield self._roll_back(epoch, where, f"the loss became {loss}")
                    return
                loss_sum += loss
                self.partial = {
                    "steps": b + 1,
                    "loss_sum": loss_sum,
                    "batch_size": bs,
                    "rng_state": shuffle_state,
                }
                if self.step_grad_norms:
                    norms = net.grad_norms()
                busy += time.perf_counter() - started
                yield StepStats(epoch, self.step, b, batches, loss, norms)
                started = time.perf_counter()
            self.partial = None
            weight_norms = net.weight_norms()
            problem = self._blown_up(loss_sum / batches, weight_norms)
            if problem:
                yield self._roll_back(epoch, "at its end", problem)
                return
            train_acc, test_acc, test_loss = self.evaluate()
            self.epoch = epoch
            busy += time.perf_counter() - started
            yield EpochStats(
                epoch=epoch,
                loss=loss_sum / batches,
                train_acc=train_acc,
                test_acc=test_acc,
                test_loss=test_loss,
                seconds=busy,
                samples_per_s=n / busy if busy > 0 else math.inf,
                grad_norms=net.grad_norms(),
                weight_norms=weight_norms,
            )
            started = time.perf_counter()

    def _blown_up(self, mean_loss: float, weight_norms: tuple[float, ...]) -> str:
        """Why the weights count as diverged after an epoch, or "" if they do not."""
        if not np.isfinite(self.net.params).all():
            return "a weight stopped being a finite number"
        if self.first_loss and mean_loss > LOSS_GROWTH * self.first_loss:
            return f"the loss grew from {self.first_loss:.3g} (untrained) to {mean_loss:.3g}"
        growth = max(
            (now / start for now, start in zip(weight_norms, self.first_norms, strict=True) if start),
            default=0.0,
        )
        if growth > WEIGHT_GROWTH:
            return f"the weights grew {growth:.3g} times larger"
        return ""

    def check_paused(self) -> Diverged | None:
        """For a caller that stops pulling partway through an epoch: whether the last step
        blew the weights up. Its loss was taken before its update, so only the next step
        would tell, and a network paused, saved or kept now would be the blown-up one
        (lr 1e30: every weight near 1e28, every prediction NaN). If so, put back the
        epoch's start, as run() does, and say why; the caller must then close run()'s
        generator, which stands on the steps undone."""
        position = self.position
        if position is None or self._start is None:  # between epochs: run() has checked
            return None
        problem = self._blown_up(0.0, self.net.weight_norms())  # no loss yet to compare
        if not problem:
            return None
        steps, batches = position
        where = f"after step {steps} of {batches}"
        return self._roll_back(self.epoch + 1, where, problem)

    def _roll_back(self, epoch: int, where: str, what: str) -> Diverged:
        """Put back the weights, step count and optimizer state the epoch started with; say why.

        An optimizer swapped in since the epoch started (another kind, whose state means
        other things) goes back to no state, as it was made.
        """
        diverged = self._diverged(epoch, where, what)
        start = self._start
        assert start is not None
        self.net.params[...] = start.params
        self.step = start.step  # the steps since are undone: "Saved 45 steps" would be untrue
        self.optimizer.set_state(start.state if self.optimizer is start.optimizer else {})
        self.partial = start.partial  # the weights put back are where it stood
        return diverged

    def _diverged(self, epoch: int, where: str, what: str) -> Diverged:
        lr, l2 = self.optimizer.lr, self.optimizer.weight_decay
        if blames_l2(self.optimizer):
            short = f"lower l2 to {USUAL_L2[1]:g} or less"
            cure = (
                f"L2 {l2:g} is too strong for the learning rate {lr:g}: lr × l2 = {lr * l2:.3g} is "
                f"above {self.optimizer.decay_limit():g}, where the decay alone swings every weight "
                f"past 0 and further each step. Try an l2 of {USUAL_L2[1]:g} or less."
            )
        else:
            short = f"lower lr to {lower_lr(lr):g}"
            cure = f"The learning rate {lr:g} is probably too high: try {lower_lr(lr):g}."
        return Diverged(
            epoch,
            self.step,
            f"Training diverged in epoch {epoch}, {where}: {what}. "
            f"The weights are back as they were at the start of epoch {epoch}. {cure}",
            short,
        )
