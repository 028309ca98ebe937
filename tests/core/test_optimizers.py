import numpy as np
import pytest

from nnplay.core.optimizers import SGD, Adam, Momentum


def test_sgd_step_and_weight_decay():
    w = np.array([1.0, -2.0])
    g = np.array([0.5, 0.5])
    SGD(lr=0.1).step(w, g)
    np.testing.assert_allclose(w, [0.95, -2.05])
    SGD(lr=0.1, weight_decay=0.5).step(w, g)
    np.testing.assert_allclose(w, [0.95 - 0.1 * (0.5 + 0.475), -2.05 - 0.1 * (0.5 - 1.025)])


def test_momentum_follows_pytorch_formula():
    w = np.zeros(3)
    opt = Momentum(lr=0.1)
    grads = [np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, -1.0])]
    v = np.zeros(3)
    ref = np.zeros(3)
    for i, g in enumerate(grads):
        opt.step(w, g)
        v = g if i == 0 else 0.9 * v + g
        ref -= 0.1 * v
    np.testing.assert_allclose(w, ref)
    assert opt.momentum == 0.9


def test_adam_matches_a_plain_reference_over_several_steps():
    rng = np.random.default_rng(0)
    w = rng.standard_normal(5)
    ref = w.copy()
    opt = Adam(lr=0.01)
    assert (opt.beta1, opt.beta2, opt.eps) == (0.9, 0.999, 1e-8)
    m = v = np.zeros(5)
    for t in range(1, 6):
        g = rng.standard_normal(5)
        opt.step(w, g)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g**2
        ref -= 0.01 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    np.testing.assert_allclose(w, ref, rtol=1e-12)


def test_adam_weight_decay_adds_l2_times_w_to_the_gradient_as_pytorch_does():
    # The L2 of PyTorch's Adam (not AdamW's decoupled decay): g + weight_decay * w goes
    # through the moments. Ignoring it left every weight where the data put it.
    rng = np.random.default_rng(1)
    w = rng.standard_normal(5)
    ref = w.copy()
    opt = Adam(lr=0.01, weight_decay=0.1)
    m = v = np.zeros(5)
    for t in range(1, 6):
        g = rng.standard_normal(5)
        opt.step(w, g)
        g = g + 0.1 * ref
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g**2
        ref -= 0.01 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    np.testing.assert_allclose(w, ref, rtol=1e-12)
    w = np.array([1.0, -2.0])
    Adam(lr=0.05, weight_decay=0.1).step(w, np.zeros(2))  # no data: only the decay pulls
    np.testing.assert_allclose(w, [0.95, -1.95], rtol=1e-6)


def test_adam_first_step_moves_each_weight_by_lr():
    w = np.zeros(3)
    Adam(lr=0.05).step(w, np.array([10.0, -0.001, 3.0]))
    np.testing.assert_allclose(w, [-0.05, 0.05, -0.05], rtol=1e-4)


def test_learning_rate_change_applies_to_the_next_step():
    w = np.zeros(1)
    opt = SGD(lr=1.0)
    opt.step(w, np.ones(1))
    opt.lr = 0.25
    opt.step(w, np.ones(1))
    assert w[0] == pytest.approx(-1.25)


@pytest.mark.parametrize("kind", [SGD, Momentum, Adam])
def test_decay_alone_blows_weights_up_just_past_the_limit_and_not_before(kind):
    def size_after_decay(lr_times_l2: float) -> float:
        w = np.array([1.0, -0.5])
        optimizer = kind(lr=0.1, weight_decay=lr_times_l2 / 0.1)
        for _ in range(400):
            optimizer.step(w, np.zeros_like(w))  # no data: only the decay pulls
        return float(np.abs(w).max())

    limit = kind(lr=0.1).decay_limit()
    if np.isinf(limit):  # Adam: each step is about lr, so the weights stay near 0
        assert size_after_decay(1e6) <= 1.0
    else:
        assert size_after_decay(limit * 0.98) < 1.0 < size_after_decay(limit * 1.02)
