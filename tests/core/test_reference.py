"""Training, end to end, against an independent float64 reference written here.

The reference is the textbook: a forward pass that keeps every layer's input,
the losses and their gradients written out, backpropagation by the chain rule,
and the optimizers as PyTorch's torch.optim.SGD (momentum 0.9, dampening 0, no
Nesterov) and torch.optim.Adam (betas 0.9/0.999, eps 1e-8) compute them, with
``weight_decay`` added to the gradient of every parameter, biases too. nnplay's
layers reuse buffers, fuse the loss with the output activation and update one
flat vector; none of that may change a number.
"""

import copy
import math

import numpy as np
import pytest

from nnplay.core.config import TrainConfig
from nnplay.core.train import EpochStats, Split, StepStats, build

N_TRAIN, N_TEST = 23, 9  # a prime: batches of 7 leave a last batch of 2
MOMENTUM, BETA1, BETA2, EPS = 0.9, 0.9, 0.999, 1e-8


def act(name, z):
    if name == "relu":
        return np.maximum(z, 0)
    if name == "leaky_relu":
        return np.where(z > 0, z, 0.01 * z)
    if name == "sigmoid":
        return 1 / (1 + np.exp(-z))
    if name == "tanh":
        return np.tanh(z)
    return z


def act_slope(name, z):
    """d act(z) / dz, with ReLU's taken as 0 at z = 0 (and leaky ReLU's as 0.01)."""
    if name == "relu":
        return (z > 0).astype(float)
    if name == "leaky_relu":
        return np.where(z > 0, 1.0, 0.01)
    if name == "sigmoid":
        s = act("sigmoid", z)
        return s * (1 - s)
    if name == "tanh":
        return 1 / np.cosh(z) ** 2
    return np.ones_like(z)


def loss_and_gradient(loss, z, y):
    """The mean loss over the batch and dL/dz, from the definitions."""
    n, k = z.shape
    if loss == "cross_entropy":
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        return -np.sum(y * np.log(p)) / n, (p - y) / n
    if loss == "binary_cross_entropy":
        p = 1 / (1 + np.exp(-z))
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)), (p - y) / (n * k)
    return np.mean((z - y) ** 2), 2 * (z - y) / (n * k)


def logits(params, activations, x):
    a = x
    for i in range(0, len(params), 2):
        a = a @ params[i] + params[i + 1]
        if i // 2 < len(activations):
            a = act(activations[i // 2], a)
    return a


def gradients(params, activations, loss, x, y):
    """The loss and [dW0, db0, dW1, db1, ...] by backpropagation."""
    inputs, pre = [], []
    a = x
    for i in range(0, len(params), 2):
        inputs.append(a)
        z = a @ params[i] + params[i + 1]
        pre.append(z)
        a = act(activations[i // 2], z) if i // 2 < len(activations) else z
    value, dz = loss_and_gradient(loss, a, y)
    grads = [np.empty(0)] * len(params)
    for j in reversed(range(len(pre))):
        if j < len(activations):
            dz = dz * act_slope(activations[j], pre[j])
        grads[2 * j], grads[2 * j + 1] = inputs[j].T @ dz, dz.sum(axis=0)
        dz = dz @ params[2 * j].T
    return value, grads


class TorchLikeOptimizer:
    """torch.optim.SGD(momentum=0 or 0.9) and torch.optim.Adam, one array at a time."""

    def __init__(self, kind, lr, weight_decay):
        self.kind, self.lr, self.weight_decay = kind, lr, weight_decay
        self.state: dict[int, tuple] = {}
        self.t = 0

    def step(self, params, grads):
        self.t += 1
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            g = g + self.weight_decay * p
            if self.kind == "sgd":
                p -= self.lr * g
            elif self.kind == "momentum":
                buf = g.copy() if i not in self.state else MOMENTUM * self.state[i][0] + g
                self.state[i] = (buf,)
                p -= self.lr * buf
            else:
                m, v = self.state.get(i, (np.zeros_like(p), np.zeros_like(p)))
                m = BETA1 * m + (1 - BETA1) * g
                v = BETA2 * v + (1 - BETA2) * g * g
                self.state[i] = (m, v)
                denom = np.sqrt(v) / math.sqrt(1 - BETA2**self.t) + EPS
                p -= self.lr / (1 - BETA1**self.t) * m / denom


def fraction_right(loss, z, y):
    if loss == "cross_entropy":
        return float(np.mean(z.argmax(axis=1) == y.argmax(axis=1)))
    if loss == "binary_cross_entropy":  # class 1 where p > 0.5
        return float(np.mean(np.all((act("sigmoid", z) > 0.5) == (y > 0.5), axis=1)))
    return None


def problem(loss, sizes, rng):
    n = N_TRAIN + N_TEST
    X = rng.standard_normal((n, sizes[0]))
    if loss == "cross_entropy":
        Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], n)]
    elif loss == "binary_cross_entropy":
        Y = rng.integers(0, 2, (n, sizes[-1])).astype(float)
    else:
        Y = rng.standard_normal((n, sizes[-1]))
    return Split(X[:N_TRAIN], Y[:N_TRAIN], X[N_TRAIN:], Y[N_TRAIN:], loss)


NETWORKS = {
    "cross_entropy": ((4, 6, 5, 3), ("relu", "tanh")),
    "binary_cross_entropy": ((3, 5, 4, 2), ("leaky_relu", "sigmoid")),
    "mse": ((2, 6, 5, 1), ("tanh", "identity")),
}
LEARNING_RATES = {"sgd": 0.1, "momentum": 0.01, "adam": 0.01}


def train_both(loss, optimizer, l2, batch_size, epochs=3, dtype=np.float64):
    """Train nnplay's network and the reference side by side from the same weights and in
    the same order; check each step's and epoch's figures; return both final weights."""
    sizes, activations = NETWORKS[loss]
    data = problem(loss, sizes, np.random.default_rng(7))
    config = TrainConfig(
        layers=sizes,
        activation=activations,
        optimizer=optimizer,
        lr=LEARNING_RATES[optimizer],
        batch_size=batch_size,
        l2=l2,
        seed=3,
        init="xavier",
    )
    trainer = build(config, data, dtype=dtype)
    params = [a.astype(np.float64) for d in trainer.net.dense for a in (d.W, d.b)]
    shuffler = copy.deepcopy(trainer.rng)  # draws each epoch's order as the trainer will
    reference = TorchLikeOptimizer(optimizer, config.lr, l2)
    records = iter(list(trainer.run(epochs)))
    tolerance = 1e-11 if dtype == np.float64 else 1e-5
    rows = min(batch_size, N_TRAIN)
    for epoch in range(1, epochs + 1):
        order = shuffler.permutation(N_TRAIN)
        batch_losses = []
        for start in range(0, N_TRAIN, rows):
            rows_now = order[start : start + rows]  # the last batch takes what is left
            value, grads = gradients(
                params, activations, loss, data.X_train[rows_now], data.Y_train[rows_now]
            )
            record = next(records)
            assert isinstance(record, StepStats) and record.epoch == epoch
            assert record.batches == math.ceil(N_TRAIN / rows)
            assert record.loss == pytest.approx(value, rel=tolerance)  # taken before the update
            batch_losses.append(value)
            reference.step(params, grads)
        record = next(records)
        assert isinstance(record, EpochStats) and record.epoch == epoch
        assert record.loss == pytest.approx(np.mean(batch_losses), rel=tolerance)
        z_train = logits(params, activations, data.X_train)
        z_test = logits(params, activations, data.X_test)
        assert record.test_loss == pytest.approx(
            loss_and_gradient(loss, z_test, data.Y_test)[0], rel=tolerance
        )
        assert record.train_acc == fraction_right(loss, z_train, data.Y_train)
        assert record.test_acc == fraction_right(loss, z_test, data.Y_test)
    assert next(records, None) is None
    return [a for d in trainer.net.dense for a in (d.W, d.b)], params


@pytest.mark.parametrize("batch_size", [7, 1, 100])
@pytest.mark.parametrize("l2", [0.0, 0.05])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("loss", list(NETWORKS))
def test_training_matches_the_textbook_and_pytorchs_optimizers(loss, optimizer, l2, batch_size):
    ours, reference = train_both(loss, optimizer, l2, batch_size)
    for a, b in zip(ours, reference, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_float32_training_follows_the_float64_reference_to_float32_precision(optimizer):
    ours, reference = train_both("cross_entropy", optimizer, 0.05, 7, dtype=np.float32)
    for a, b in zip(ours, reference, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
