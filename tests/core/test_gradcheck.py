"""Every backward() against central differences, on random shapes (float64)."""

import numpy as np
import pytest

from nnplay.core.activations import ACTIVATIONS, ReLU
from nnplay.core.gradcheck import (
    SUSPICIOUS,
    TOLERANCE,
    check_layer,
    check_loss,
    check_network,
    check_network_sample,
    relative_error,
)
from nnplay.core.layers import Dense
from nnplay.core.losses import LOSSES
from nnplay.core.network import Network, NetworkSpec

SHAPES = [(1, 1), (3, 5), (7, 2), (16, 9)]


def away_from_kinks(rng, shape):
    """Inputs at least 1e-3 from 0, where ReLU's derivative jumps."""
    x = rng.standard_normal(shape)
    return np.where(np.abs(x) < 1e-3, 0.5, x)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_backward_matches_finite_differences(name, shape):
    rng = np.random.default_rng(sum(shape))
    checks = check_layer(ACTIVATIONS[name](), away_from_kinks(rng, shape), rng)
    assert checks, "nothing was checked"
    for c in checks:
        assert c.error < TOLERANCE, c


@pytest.mark.parametrize("n_in,n_out,batch", [(1, 1, 1), (5, 3, 4), (8, 13, 6)])
@pytest.mark.parametrize("init", ["he", "xavier"])
def test_dense_backward_matches_finite_differences(n_in, n_out, batch, init):
    rng = np.random.default_rng(n_in * 100 + n_out)
    layer = Dense(n_in, n_out, rng, init=init, dtype=np.float64)
    layer.parameters["b"][...] = rng.standard_normal(n_out)  # not just zeros
    checks = check_layer(layer, rng.standard_normal((batch, n_in)), rng)
    assert {c.name.split(": ")[-1].split(".")[-1] for c in checks} == {"input", "W", "b"}
    for c in checks:
        assert c.error < TOLERANCE, c


@pytest.mark.parametrize("k", [1, 3, 10])
@pytest.mark.parametrize("name", list(LOSSES))
def test_loss_backward_matches_finite_differences(name, k):
    rng = np.random.default_rng(k)
    n = 6
    if name == "cross_entropy":
        y = np.eye(k)[rng.integers(0, k, n)]
    elif name == "binary_cross_entropy":
        y = rng.integers(0, 2, (n, k)).astype(float)
    else:
        y = rng.standard_normal((n, k))
    z = 3 * rng.standard_normal((n, k))
    c = check_loss(LOSSES[name](), z, y)
    assert c.error < TOLERANCE, c


@pytest.mark.parametrize(
    "activation,loss,k",
    [
        ("relu", "cross_entropy", 4),
        ("tanh", "binary_cross_entropy", 1),
        ("sigmoid", "mse", 2),
        ("leaky_relu", "cross_entropy", 3),
    ],
)
def test_whole_network_gradients(activation, loss, k):
    rng = np.random.default_rng(7)
    spec = NetworkSpec((5, 6, 4, k), (activation, activation), loss, "xavier")
    net = Network(spec, rng, dtype=np.float64)
    x = rng.standard_normal((8, 5))
    y = np.eye(k)[rng.integers(0, k, 8)] if loss == "cross_entropy" else rng.uniform(0, 1, (8, k))
    checks = check_network(net, x, y)
    assert [c.name for c in checks] == [f"dense_{i}.{p}" for i in range(3) for p in "Wb"]
    for c in checks:
        assert c.error < TOLERANCE, c


def test_the_check_catches_a_wrong_backward():
    class LeakyGradReLU(ReLU):
        def backward(self, dy):
            return dy * 1.0  # wrong: ignores which units fired

    rng = np.random.default_rng(0)
    [c] = check_layer(LeakyGradReLU(), away_from_kinks(rng, (4, 6)), rng)
    assert not c.ok and c.error > 0.1


def deep_sigmoid_net():
    """64, ten sigmoid layers of 8, 10: the first layers' gradients are near 1e-7."""
    spec = NetworkSpec((64, *[8] * 10, 10), ("sigmoid",) * 10)
    return Network(spec, np.random.default_rng(0), dtype=np.float64)


def test_tiny_gradients_of_a_deep_sigmoid_network_are_not_called_wrong(digits):
    # At eps 1e-6 alone, dense_0.W disagreed by 4e-4 ("wrong"): rounding in the loss difference.
    checks = check_network(deep_sigmoid_net(), digits.X_train[:8], digits.Y_train[:8])
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]


def test_retrying_with_larger_steps_does_not_hide_a_small_bug():
    class SlightlyWrongDense(Dense):
        def backward(self, dy):
            dx = super().backward(dy)
            self.gradients["W"] *= 1.001  # 0.1% off: wrong at every step size
            return dx

    rng = np.random.default_rng(0)
    checks = {
        c.name: c
        for c in check_layer(
            SlightlyWrongDense(5, 3, rng, dtype=np.float64), rng.standard_normal((4, 5)), rng, "d"
        )
    }
    assert checks["d.W"].error > SUSPICIOUS
    assert checks["d.b"].ok and checks["d: input"].ok


def test_progress_counts_each_nudge_once_when_an_array_is_retried(digits):
    seen = []
    net = deep_sigmoid_net()
    checks = check_network_sample(
        net,
        digits.X_train[:8],
        digits.Y_train[:8],
        None,
        np.random.default_rng(0),
        progress=lambda name, done, total: seen.append((done, total)),
    )
    assert len(checks) == 2 * len(net.dense)
    assert [done for done, _ in seen] == list(range(net.n_params))
    assert {total for _, total in seen} == {net.n_params}


def test_relative_error_is_zero_for_equal_and_large_for_different():
    a = np.array([1.0, -2.0, 3.0])
    assert relative_error(a, a) == 0
    assert relative_error(a, -a) == pytest.approx(1.0)
