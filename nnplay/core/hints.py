"""What looks wrong as a network trains, and what to change: plain advice, each naming
the setting to change, from the layers' health (nnplay.core.health), the per-epoch
weight and gradient norms, and the losses. Also the loss and accuracy of a network
that only guesses, which the app compares against. Nothing here prints.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nnplay.core.health import LayerHealth
from nnplay.core.network import NetworkSpec
from nnplay.core.optimizers import OPTIMIZERS
from nnplay.core.train import LOSS_GROWTH, USUAL_L2, blames_l2, lower_lr

VANISHING_RATIO = 1e-3
"""Gradients vanish when the first layer's gradient norm is below this times the last's."""
EXPLODING_GROWTH = 100.0
"""Weights explode when a layer's norm grows this many times over the epochs; gradients, when a
layer's grows this many times the largest gradient norm of any layer at the first epoch."""
HUGE_GRADIENT = 1e3
"""A gradient norm above this is exploding whatever it started from."""
GROWN_GRADIENT = 1.0
"""A gradient norm is exploding only if above this too: every layer's growing from 0.002 to 0.4
(a network that started out flat) is learning taking off, not exploding."""
STUCK_EPOCHS = 5
"""Epochs after which a loss still near guessing counts as barely learning."""
STUCK_RATIO = 0.9
"""Barely learning: the latest epoch's loss is above this fraction of the loss of guessing every
class alike (classifiers), or of the first epoch's loss (regression, which has no guessing)."""


@dataclass(frozen=True)
class NormSummary:
    """One layer's weight or gradient norm over the epochs, for writing out."""

    first: float  # at the first epoch recorded
    last: float  # at the latest epoch
    growth: float  # last / first (inf if first is 0 and last is not; nan if both are 0)


def summarize_norms(norms: np.ndarray, layer: int) -> NormSummary | None:
    """First, last and growth of column ``layer`` of ``norms: (E, n_dense)``; None if E is 0."""
    if len(norms) == 0:
        return None
    first, last = float(norms[0, layer]), float(norms[-1, layer])
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = float(np.float64(last) / np.float64(first))
    return NormSummary(first, last, growth)


def hints(
    health: list[LayerHealth],
    weight_norms: np.ndarray,
    grad_norms: np.ndarray,
    losses: np.ndarray,
    diverged: bool = False,
    init: str = "",
    lr: float | None = None,
    optimizer: str = "",
    guessing: float | None = None,
    l2: float = 0.0,
    test_losses: np.ndarray | None = None,
) -> list[str]:
    """Plain advice on what looks wrong, each naming the setting to change; [] if nothing does.

    ``health`` from layer_health; ``weight_norms`` and ``grad_norms``:
    ``(E, n_dense)``, each dense layer's ||W, b|| at each epoch's end and
    ||dW, db|| of its last batch (without L2);
    ``losses: (E,)`` the mean training loss per epoch; ``diverged``: training
    stopped because it diverged; ``init``, ``lr`` and ``optimizer``, the
    settings in use, if known: advice never suggests what is already in use,
    and names the learning rate to try; ``guessing``, the loss of guessing
    every class alike (``guessing_loss``); ``l2``, the weight decay in use;
    ``test_losses: (E,)`` the loss on the test set after each epoch.
    The checks, in this order:
    - divergence: ``diverged``, or a loss that is not finite or is more than
      LOSS_GROWTH times the first epoch's;
    - exploding: a gradient norm that is not finite or above HUGE_GRADIENT at
      the latest epoch, or above GROWN_GRADIENT and more than EXPLODING_GROWTH
      times the largest of any layer at the first epoch, or a layer's weight
      norm that grew more than EXPLODING_GROWTH times since the first epoch;
    - vanishing: at the latest epoch, the first layer's gradient norm below
      VANISHING_RATIO times the last layer's, unless a relu layer is mostly dead
      or a sigmoid or tanh layer mostly saturated (the next checks, which name
      that cause);
    - dead: a relu layer with more than DEAD_ALARM of its units dead;
    - saturated: a sigmoid or tanh layer with more than SATURATED_ALARM saturated;
    - barely learning, when nothing above explains it: after STUCK_EPOCHS epochs the
      loss is above STUCK_RATIO of ``guessing`` (for regression, of the first
      epoch's loss: a first epoch above guessing, as xor's 0.77, would hide it);
    - overfitting, likewise: ``overfitting()``.
    """
    out = []
    losses = np.asarray(losses, dtype=np.float64)
    lower = f"Lower the learning rate (lr) to {lower_lr(lr):g}" if lr else "Lower the learning rate (lr)"
    # l2 so strong that the decay alone blows the weights up: lowering lr is not the cure
    too_strong = lr is not None and blames_l2(OPTIMIZERS[optimizer or "sgd"](lr, l2))
    calm = f"Lower l2 to {USUAL_L2[1]:g} or less" if too_strong else lower
    all_relu = bool(health) and all(h.activation == "relu" for h in health)
    mostly_dead = any(h.measure == "dead" and h.alarming for h in health)
    mostly_saturated = any(h.measure == "saturated" and h.alarming for h in health)
    if diverged:
        out.append(
            "Diverging: training stopped when the loss or the weights blew up, and the weights "
            f"went back to the start of that epoch. {calm}; space then carries on (r starts afresh)."
        )
    elif len(losses) and not np.isfinite(losses).all():
        out.append(f"Diverging: the loss stopped being a finite number. {calm}.")
    elif len(losses) > 1 and losses[-1] > LOSS_GROWTH * losses[0]:
        out.append(f"Diverging: the loss grew from {losses[0]:.3g} to {losses[-1]:.3g}. {calm}.")
    out += _exploding(np.asarray(weight_norms, np.float64), np.asarray(grad_norms, np.float64))
    grads = np.asarray(grad_norms, dtype=np.float64)
    if len(grads) and grads.shape[1] > 1:
        first, last = grads[-1, 0], grads[-1, -1]
        vanishing = np.isfinite([first, last]).all() and last > 0 and first < VANISHING_RATIO * last
        # dead or saturated units pass (almost) nothing back: their hint says so, and what to do
        if vanishing and not mostly_dead and not mostly_saturated:
            n = grads.shape[1]
            if l2 >= STRONG_L2:  # the decay holds the weights near 0, and through them no gradient
                cure = f"L2 {l2:g} holds the weights near 0, which pass no gradient back: lower l2."
            elif all_relu and init == "he":  # the usual cure is in use: dead units pass nothing back
                cure = f"{lower}: dead relu units pass no gradient back. Or use fewer hidden layers."
            else:
                cure = (
                    "Use the relu activation, or fewer hidden layers."
                    if init == "he"  # already: "with init he" would read as the cure
                    else "Use the relu activation with init he, or fewer hidden layers."
                )
            out.append(
                f"Vanishing gradients: layer 1's gradient norm ({first:.2g}) is under "
                f"{VANISHING_RATIO:g} of layer {n}'s ({last:.2g}), so the first layer barely learns. {cure}"
            )
    for h in health:
        if h.measure == "dead" and h.alarming:
            out.append(
                f"Many dead units: {h.fraction:.0%} of layer {h.layer}'s relu units output 0 "
                f"for every training sample, so they get no gradient, and seldom come back. {lower} "
                "and press r to start afresh, "
                + ("or use the leaky_relu activation." if init == "he" else "or use leaky_relu, or init he.")
            )
        elif h.measure == "saturated" and h.alarming:
            # Too large a learning rate drives them there, and a lower one alone leaves them
            # (tanh after 30 epochs of adam at lr 0.1: 110 of 128 saturated, and 30 more at 0.01
            # left all 110); a fresh start at the lower rate learns (97.5%).
            out.append(
                f"Saturated units: {h.fraction:.0%} of layer {h.layer}'s {h.activation} units sit "
                f"at a bound where their slope is nearly 0, and seldom come back. {lower} and press "
                "r to start afresh, or use the relu activation"
                + ("." if init == "xavier" else ", or init xavier.")
            )
    if not out:
        out += _barely_learning(losses, health, lr, optimizer, guessing, l2)
    if not out and test_losses is not None and overfitting(losses, test_losses):
        test, train = np.asarray(test_losses, np.float64), losses
        cure = "add L2 (l2 0.0001 to 0.01)" if l2 == 0 else f"raise l2 above {l2:g}"
        out.append(
            # means, as overfitting() judges them: not the status line's latest epoch's figures
            f"Overfitting: over the last {OVERFIT_EPOCHS} epochs the test loss averaged "
            f"{test[-OVERFIT_EPOCHS:].mean():.3g}, up from its lowest, {test.min():.3g}, while the "
            f"training loss averaged {train[-OVERFIT_EPOCHS:].mean():.3g}: the network learns its "
            "training samples by heart, and grows surer of its answers, wrong ones included (test "
            f"accuracy may hold for a while). Stop nearer the lowest test loss, {cure}, or use fewer units."
        )
    return out


OVERFIT_EPOCHS = 5
"""Overfitting is judged on the mean of this many latest epochs, the test loss being noisy."""
OVERFIT_RISE = 1.1
"""Overfitting: the test loss is this many times its lowest, or more, ..."""
OVERFIT_GAP = 2.0
"""... and this many times the training loss, or more (adam's jitter on sine rose 1.4x above
its lowest with the two losses level)."""


def overfitting(losses: np.ndarray, test_losses: np.ndarray) -> bool:
    """Whether the test loss (``test_losses: (E,)``, after each epoch) has risen from its
    lowest, reached OVERFIT_EPOCHS or more epochs ago, while the training loss (``losses:
    (E,)``) has gone on falling far below it. On digits, 100 epochs of adam (lowest 0.069 at
    epoch 13, then 0.085; training loss 8e-6) are; sgd's (still falling at 100) are not."""
    test = np.asarray(test_losses, dtype=np.float64)
    train = np.asarray(losses, dtype=np.float64)
    n = OVERFIT_EPOCHS
    if len(test) < 2 * n or len(train) != len(test) or not np.isfinite(test).all():
        return False
    lowest = int(test.argmin())
    recent_test, recent_train = test[-n:].mean(), train[-n:].mean()
    return bool(
        lowest < len(test) - n
        and recent_test >= OVERFIT_RISE * test[lowest]
        and recent_test >= OVERFIT_GAP * recent_train
        and recent_train < train[lowest]
    )


def guessing_accuracy(spec: NetworkSpec) -> float | None:
    """The accuracy of guessing one class for every sample, on balanced classes (all of
    nnplay's data sets): 1/k for softmax over k classes, 1/2 for one sigmoid output; else None."""
    if spec.loss == "cross_entropy":
        return 1 / spec.sizes[-1]
    if spec.loss == "binary_cross_entropy" and spec.sizes[-1] == 1:
        return 0.5
    return None


def no_better_than_guessing(spec: NetworkSpec, test_acc: float) -> bool:
    """Whether a test accuracy is within a tenth of the way from guessing to perfect."""
    chance = guessing_accuracy(spec)
    return chance is not None and test_acc < chance + 0.1 * (1 - chance)


def guessing_loss(spec: NetworkSpec) -> float | None:
    """The loss of a classifier that gives every class the same probability (None for mse):
    ln k for softmax over k classes, ln 2 for each sigmoid output."""
    if spec.loss == "cross_entropy":
        return math.log(spec.sizes[-1])
    if spec.loss == "binary_cross_entropy":
        return math.log(2)
    return None


DEEP_SIGMOID = 3
"""Up to this many sigmoid layers, a network barely learning is told to raise the learning rate
first; past it, more lr does not get the gradient through, and relu or adam are named."""
STRONG_L2 = 0.1
"""Weight decay this strong holds a network near 0 weights (digits: l2 0.3 leaves it at chance)."""


def barely_learning(losses: np.ndarray, guessing: float | None) -> bool:
    """After STUCK_EPOCHS epochs, the mean training loss per epoch ``losses: (E,)`` is still
    above STUCK_RATIO of ``guessing`` (guessing_loss; for regression, None: of the first
    epoch's loss)."""
    if len(losses) < STUCK_EPOCHS or not np.isfinite(losses[[0, -1]]).all():
        return False
    return bool(losses[-1] > STUCK_RATIO * (losses[0] if guessing is None else guessing))


def _barely_learning(
    losses: np.ndarray,
    health: list[LayerHealth],
    lr: float | None,
    optimizer: str,
    guessing: float | None,
    l2: float,
) -> list[str]:
    if not barely_learning(losses, guessing):
        return []
    first, last = losses[0], losses[-1]
    guess = "" if guessing is None else f"; guessing gives {guessing:.3g}"
    said = f"Barely learning: the loss is {last:.3g} after {len(losses)} epochs"
    said += f" ({first:.3g} after the first{guess})"
    if all(h.activation == "identity" for h in health) and guessing is not None:
        # no hidden layer, or only identity ones: x @ W1 @ W2 ... is one linear map
        return [
            f"{said}. With no non-linear activation the network is a linear model, which "
            "cannot draw a curved boundary between classes: use relu."
        ]
    if l2 >= STRONG_L2:
        return [
            f"{said}. L2 {l2:g} pulls every weight towards 0 harder than the data pushes: lower l2 "
            f"({USUAL_L2[0]:g} to {USUAL_L2[1]:g} is usual)."
        ]
    adam = "" if optimizer == "adam" else ", or the adam optimizer (lr 0.001 to 0.01)"
    raise_lr = f"raise the learning rate (lr) to {10 * lr:g}" if lr else "raise the learning rate (lr)"
    sigmoid = sum(h.activation == "sigmoid" for h in health)
    if sigmoid >= 2:  # each passes back at most a quarter of the gradient
        # Digits, 30 epochs of sgd from lr 0.01 (loss 2.2 with two sigmoid layers, 2.29 with
        # three): lr 0.1 learns (0.38 and 0.98); with four or five, 0.1 is still stuck and
        # raising it again and again leads nowhere, where relu or adam (lr 0.001) learn.
        cure = (
            f"{raise_lr}, or use the relu activation{adam}"
            if sigmoid <= DEEP_SIGMOID
            else f"use the relu activation, or fewer layers{adam}"
        )
        return [
            f"{said}. Each sigmoid layer passes back at most 0.25 of the gradient (its largest "
            f"slope), so through {sigmoid} of them the first layers barely move: {cure}."
        ]
    return [f"{said}. {raise_lr.capitalize()}{adam}; if the loss then jumps about, it went too far."]


def _exploding(weights: np.ndarray, grads: np.ndarray) -> list[str]:
    if len(grads) == 0:
        return []
    latest = grads[-1]
    bad = [i for i, g in enumerate(latest) if not np.isfinite(g) or g > HUGE_GRADIENT]
    if bad:
        i = bad[0]
        return [
            f"Exploding gradients: layer {i + 1}'s gradient norm is {latest[i]:.3g}. "
            "Lower the learning rate (lr); with sigmoid or tanh, use init xavier."
        ]
    if len(grads) >= 2 and np.max(grads[0]) > 0:
        # Measured against the largest gradient of any layer at the start, not the layer's own:
        # a deep network's first layer often starts near 0 (ten relu layers of 8 units: 0.011,
        # the last layer's 0.18) and grows to its neighbours' size as it starts to learn (1.6
        # at epoch 40, the loss falling all along, and a lower lr learning slower still).
        start = float(np.max(grads[0]))
        growth = np.where(grads[-1] > GROWN_GRADIENT, grads[-1] / start, 0.0)
        i = int(np.argmax(growth))
        if growth[i] > EXPLODING_GROWTH:
            return [
                f"Exploding gradients: layer {i + 1}'s gradient norm grew to {grads[-1, i]:.3g}, "
                f"{growth[i]:.3g} times the largest any layer had at the start ({start:.3g}). "
                "Lower the learning rate (lr)."
            ]
    if len(weights) >= 2:
        with np.errstate(divide="ignore", invalid="ignore"):
            growth = np.where(weights[0] > 0, weights[-1] / weights[0], 0.0)
        i = int(np.argmax(growth))
        if growth[i] > EXPLODING_GROWTH:
            return [
                f"Exploding weights: layer {i + 1}'s weight norm grew {growth[i]:.3g} times, "
                f"from {weights[0, i]:.3g} to {weights[-1, i]:.3g}. Lower the learning rate (lr)."
            ]
    return []
