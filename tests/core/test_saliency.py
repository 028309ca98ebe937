"""Saliency against central differences of the predicted probability, for every loss."""

import subprocess
import sys

import numpy as np
import pytest

from nnplay.core.gradcheck import numerical_gradient, relative_error
from nnplay.core.network import Network, NetworkSpec
from nnplay.core.saliency import predicted_class, saliency, scale_signed

SPECS = {
    "cross_entropy": NetworkSpec((6, 5, 4), ("tanh",), "cross_entropy"),
    "binary_cross_entropy": NetworkSpec((3, 5, 1), ("tanh",), "binary_cross_entropy"),
    "binary_cross_entropy, 3 outputs": NetworkSpec((4, 5, 3), ("sigmoid",), "binary_cross_entropy"),
    "mse": NetworkSpec((2, 5, 2), ("tanh",), "mse"),
    "relu, two hidden layers": NetworkSpec((6, 7, 5, 4), ("relu", "leaky_relu"), "cross_entropy"),
}


def float64_net(spec: NetworkSpec, seed: int = 0) -> Network:
    return Network(spec, np.random.default_rng(seed), np.float64, input_grad=True)


def probability(net: Network, x: np.ndarray, cls: int) -> float:
    """The reference: the network's prediction for class cls, from predict() alone."""
    p = net.predict(x[None, :])[0]
    if p.size == 1 and net.spec.loss == "binary_cross_entropy":
        return float(p[0] if cls == 1 else 1 - p[0])
    return float(p[cls])


@pytest.mark.parametrize("name", SPECS)
def test_saliency_matches_central_differences_of_the_predicted_probability(name):
    spec = SPECS[name]
    rng = np.random.default_rng(1)
    net = float64_net(spec)
    for _ in range(3):
        x = rng.standard_normal(spec.sizes[0])
        analytic = saliency(net, x)
        cls = predicted_class(net.predict(x[None, :])[0], spec.loss)
        numeric = numerical_gradient(lambda x=x, c=cls: probability(net, x, c), x)
        assert analytic.shape == x.shape
        assert np.linalg.norm(numeric) > 1e-6  # a zero gradient would agree with anything
        assert relative_error(analytic, numeric) < 1e-7


@pytest.mark.parametrize("name", ["cross_entropy", "binary_cross_entropy", "mse"])
def test_the_default_class_is_the_predicted_one_and_others_differ(name):
    spec = SPECS[name]
    net = float64_net(spec)
    x = np.random.default_rng(2).standard_normal(spec.sizes[0])
    predicted = predicted_class(net.predict(x[None, :])[0], spec.loss)
    np.testing.assert_array_equal(saliency(net, x), saliency(net, x, predicted))
    other = 1 - predicted if spec.sizes[-1] <= 2 else (predicted + 1) % spec.sizes[-1]
    numeric = numerical_gradient(lambda: probability(net, x, other), x)
    assert relative_error(saliency(net, x, other), numeric) < 1e-7
    assert not np.allclose(saliency(net, x, other), saliency(net, x, predicted))


def test_softmax_saliencies_of_all_classes_sum_to_zero():
    # the probabilities sum to 1 whatever x is, so their gradients sum to 0
    net = float64_net(SPECS["cross_entropy"])
    x = np.random.default_rng(3).standard_normal(6)
    total = sum(saliency(net, x, c) for c in range(4))
    np.testing.assert_allclose(total, 0, atol=1e-12)


def test_predicted_class_for_each_kind_of_output():
    assert predicted_class(np.array([0.1, 0.7, 0.2]), "cross_entropy") == 1
    assert predicted_class(np.array([0.8]), "binary_cross_entropy") == 1
    assert predicted_class(np.array([0.3]), "binary_cross_entropy") == 0
    assert predicted_class(np.array([5.0]), "mse") == 0


def test_saliency_refuses_a_network_without_the_input_gradient_and_bad_classes():
    spec = SPECS["binary_cross_entropy"]
    with pytest.raises(ValueError, match="input_grad"):
        saliency(Network(spec, np.random.default_rng(0), np.float64), np.zeros(3))
    with pytest.raises(ValueError, match="classes 0 and 1"):
        saliency(float64_net(spec), np.zeros(3), cls=2)


def test_saliency_of_a_float32_snapshot_is_close_to_float64():
    spec = SPECS["cross_entropy"]
    net64 = float64_net(spec)
    net32 = net64.copy(np.float32, input_grad=True)
    x = np.random.default_rng(4).standard_normal(6)
    g = saliency(net32, x)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, saliency(net64, x), rtol=1e-4, atol=1e-6)


def test_scale_signed_against_a_loop():
    rng = np.random.default_rng(5)
    a = rng.standard_normal((4, 9))
    a[2] = 0  # an all-zero row stays zero
    whole, whole_scale = scale_signed(a)
    rows, row_scale = scale_signed(a, axis=1)
    biggest = max(abs(v) for v in a.ravel())
    for i in range(4):
        row_biggest = max(abs(v) for v in a[i])
        for j in range(9):
            assert whole[i, j] == pytest.approx(a[i, j] / biggest)
            assert rows[i, j] == pytest.approx(a[i, j] / row_biggest if row_biggest else 0.0)
    assert np.abs(whole).max() == 1 and (np.sign(whole) == np.sign(a)).all()
    assert np.abs(rows[[0, 1, 3]]).max(axis=1) == pytest.approx([1, 1, 1]) and not rows[2].any()
    assert whole_scale == pytest.approx(biggest) and whole_scale.shape == ()
    assert row_scale == pytest.approx([max(abs(v) for v in row) for row in a]) and row_scale.shape == (4,)
    zeros, zero_scale = scale_signed(np.zeros(3))
    assert zeros.tolist() == [0, 0, 0] and zero_scale == 0
    tiles, tile_scale = scale_signed(rng.standard_normal((5, 8, 8)), axis=(1, 2))
    assert tile_scale.shape == (5,) and np.abs(tiles).max(axis=(1, 2)) == pytest.approx(np.ones(5))


def test_the_saliency_module_does_not_import_textual():
    code = "import sys, nnplay.core.saliency; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False"]
