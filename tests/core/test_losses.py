import numpy as np
import pytest

from nnplay.core.losses import MeanSquaredError, SigmoidBinaryCrossEntropy, SoftmaxCrossEntropy


def test_cross_entropy_matches_the_textbook_formula_and_gradient():
    rng = np.random.default_rng(0)
    z = rng.standard_normal((5, 4))
    y = np.eye(4)[[0, 3, 1, 1, 2]]
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    loss = SoftmaxCrossEntropy()
    assert loss.forward(z, y) == pytest.approx(-np.mean(np.sum(y * np.log(p), axis=1)))
    np.testing.assert_allclose(loss.backward(), (p - y) / 5)


def test_cross_entropy_is_finite_when_the_net_is_sure_and_wrong():
    z = np.array([[200.0, -200.0]], dtype=np.float32)
    loss = SoftmaxCrossEntropy().forward(z, np.array([[0.0, 1.0]], dtype=np.float32))
    assert loss == pytest.approx(400.0)


def test_binary_cross_entropy_matches_formula():
    z = np.array([[-2.0], [0.5], [3.0]])
    y = np.array([[0.0], [1.0], [1.0]])
    p = 1 / (1 + np.exp(-z))
    loss = SigmoidBinaryCrossEntropy()
    assert loss.forward(z, y) == pytest.approx(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
    np.testing.assert_allclose(loss.backward(), (p - y) / 3)


def test_mse_matches_formula():
    z = np.array([[1.0, 2.0], [3.0, 5.0]])
    y = np.array([[1.0, 1.0], [1.0, 1.0]])
    loss = MeanSquaredError()
    assert loss.forward(z, y) == pytest.approx((0 + 1 + 4 + 16) / 4)
    np.testing.assert_allclose(loss.backward(), 2 * (z - y) / 4)
