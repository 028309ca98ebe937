"""The app's gradient check: a seeded sample of each array, with progress and a stop."""

import numpy as np
import pytest

from nnplay.core.gradcheck import (
    FULL_CHECK_PARAMS,
    MIN_SAMPLE,
    SUSPICIOUS,
    TOLERANCE,
    check_network,
    check_network_sample,
    sample_size,
    verdict,
)
from nnplay.core.network import Network, NetworkSpec


def float64_net(sizes=(6, 5, 4, 3), activations=("tanh", "sigmoid"), seed=0):
    rng = np.random.default_rng(seed)
    net = Network(NetworkSpec(sizes, activations, init="xavier"), rng, np.float64)
    net.params[...] += 0.1 * rng.standard_normal(net.params.shape)  # biases not all zero
    x = rng.standard_normal((4, sizes[0]))
    y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], 4)]
    return net, x, y


def test_checking_every_parameter_gives_check_networks_numbers():
    net, x, y = float64_net()
    full = check_network(net, x, y)
    sampled = check_network_sample(net, x, y, None, np.random.default_rng(0))
    assert [c.name for c in sampled] == [c.name for c in full]
    np.testing.assert_allclose([c.error for c in sampled], [c.error for c in full], rtol=1e-6, atol=1e-15)
    assert all(c.ok and c.checked == c.total for c in sampled)
    assert [c.total for c in sampled] == [30, 5, 20, 4, 12, 3]


def test_a_sample_is_seeded_and_counts_what_it_checked():
    net, x, y = float64_net((8, 12, 3), ("relu",))
    before = net.params.copy()
    a = check_network_sample(net, x, y, 7, np.random.default_rng(1))
    b = check_network_sample(net, x, y, 7, np.random.default_rng(1))
    assert a == b
    assert [(c.checked, c.total) for c in a] == [(7, 96), (7, 12), (7, 36), (3, 3)]
    assert all(c.error < TOLERANCE for c in a)
    np.testing.assert_array_equal(net.params, before)  # every nudge put back


def test_a_wrong_backward_is_caught_in_a_sample():
    net, x, y = float64_net()
    dense = net.dense[1]
    right = dense.backward

    def wrong_backward(dy):
        dx = right(dy)
        dense.gradients["W"] *= 1.5  # a bug in dW only
        return dx

    dense.backward = wrong_backward
    checks = {c.name: c for c in check_network_sample(net, x, y, 5, np.random.default_rng(0))}
    assert verdict(checks["dense_1.W"].error) == "wrong"
    assert all(c.ok for name, c in checks.items() if name != "dense_1.W")


def test_progress_counts_up_and_stop_ends_the_check_early():
    net, x, y = float64_net()
    seen, finished = [], []
    checks = check_network_sample(
        net, x, y, 4, np.random.default_rng(0), progress=lambda *p: seen.append(p), on_check=finished.append
    )
    assert finished == checks
    total = 4 + 4 + 4 + 4 + 4 + 3
    assert [done for _, done, _ in seen] == list(range(total))
    assert {t for *_, t in seen} == {total}
    assert seen[0][0] == "dense_0.W" and seen[-1][0] == "dense_2.b"
    calls = []
    checks = check_network_sample(
        net, x, y, 4, np.random.default_rng(0), stop=lambda: calls.append(1) or len(calls) > 9
    )
    assert [c.name for c in checks] == ["dense_0.W", "dense_0.b"]  # 8 nudges done, stopped in the third


def test_the_default_network_is_checked_whole_and_a_large_one_sampled():
    rng = np.random.default_rng(0)
    default = Network(NetworkSpec(), rng, np.float64)
    assert default.n_params <= FULL_CHECK_PARAMS and sample_size(default) is None
    large = Network(NetworkSpec((64, 512, 512, 10), ("relu", "relu")), rng, np.float32)
    per_array = sample_size(large)
    assert per_array is not None and MIN_SAMPLE <= per_array < 1000
    nudged = per_array * 2 * len(large.dense)
    assert nudged * large.n_params <= FULL_CHECK_PARAMS**2  # no dearer than the default's whole check
    assert sample_size(large, full=1000) == MIN_SAMPLE  # a tiny budget still checks a few


@pytest.mark.parametrize(
    "error,word",
    [(1e-10, "ok"), (TOLERANCE, "ok"), (1e-5, "suspicious"), (SUSPICIOUS, "suspicious"), (0.3, "wrong")],
)
def test_verdicts(error, word):
    assert verdict(error) == word
    assert verdict(float("nan")) == "wrong"


@pytest.mark.parametrize("loss", ["cross_entropy", "binary_cross_entropy"])
def test_a_network_sure_of_every_answer_is_not_called_wrong(loss):
    # Logits with a margin of 40 for each sample's class: a loss near 1e-17, where the difference
    # of two losses is rounding (log of 1 + tiny); backward() is right and must be found right.
    rng = np.random.default_rng(0)
    k = 4 if loss == "cross_entropy" else 1
    net = Network(NetworkSpec((6, k), (), loss), rng, np.float64)
    x = rng.standard_normal((5, 6))
    y = np.eye(4)[[0, 1, 2, 3, 1]] if k == 4 else np.array([[0.0], [1], [1], [0], [1]])
    target = 80 * (y - 0.5) if k == 1 else 40 * y  # logits: +-40 for 1 and 0
    weights, *_ = np.linalg.lstsq(np.c_[x, np.ones(5)], target, rcond=None)  # exact: 7 unknowns, 5 rows
    net.dense[0].W[...], net.dense[0].b[...] = weights[:-1], weights[-1]
    assert net.loss.forward(net.forward(x), y) < 1e-12
    checks = check_network_sample(net, x, y, None, np.random.default_rng(0))
    assert all(c.ok for c in checks), [(c.name, c.error) for c in checks]


def test_an_array_no_gradient_reaches_is_marked_as_compared_with_nothing():
    # a hidden layer of one ReLU unit that outputs 0 on every sample: backward() gives 0 for
    # everything before the output's bias, the differences give 0 too, and 0 against 0 is a
    # relative error of 0, "ok", though the check has compared nothing
    net, x, y = float64_net((6, 1, 3), ("relu",))
    net.dense[0].b[...] = -100.0  # dead on every input
    checks = {c.name: c for c in check_network_sample(net, x, y, None, np.random.default_rng(0))}
    assert [name for name, c in checks.items() if c.zero] == ["dense_0.W", "dense_0.b", "dense_1.W"]
    assert all(c.ok for c in checks.values())  # not a failure: backward() is right to give 0
    net.dense[0].b[...] = 100.0  # alive: every array gets a gradient
    assert not any(c.zero for c in check_network_sample(net, x, y, None, np.random.default_rng(0)))
