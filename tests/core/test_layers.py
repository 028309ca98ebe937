import numpy as np
import pytest

from nnplay.core.activations import ACTIVATIONS, LeakyReLU, ReLU, Sigmoid, Tanh, sigmoid, softmax
from nnplay.core.layers import Dense


def test_dense_forward_is_x_at_w_plus_b():
    rng = np.random.default_rng(0)
    layer = Dense(4, 3, rng, dtype=np.float64)
    layer.b[...] = [1.0, 2.0, 3.0]
    x = rng.standard_normal((5, 4))
    np.testing.assert_allclose(layer.forward(x), x @ layer.W + layer.b)
    np.testing.assert_allclose(layer.infer(x), x @ layer.W + layer.b)


@pytest.mark.parametrize(
    "init,std", [("he", lambda i, o: np.sqrt(2 / i)), ("xavier", lambda i, o: np.sqrt(2 / (i + o)))]
)
def test_initialisation_has_the_documented_spread(init, std):
    layer = Dense(400, 300, np.random.default_rng(1), init=init)
    assert layer.W.dtype == np.float32
    assert layer.W.std() == pytest.approx(std(400, 300), rel=0.02)
    assert abs(layer.W.mean()) < 0.01
    assert not layer.b.any()


def test_unknown_init_is_refused():
    with pytest.raises(ValueError, match="unknown init"):
        Dense(2, 2, np.random.default_rng(0), init="zeros")


def test_same_generator_seed_gives_same_weights_and_the_global_state_is_untouched():
    np.random.seed(123)
    before = np.random.random()
    np.random.seed(123)
    a = Dense(8, 8, np.random.default_rng(5)).W
    b = Dense(8, 8, np.random.default_rng(5)).W
    assert np.array_equal(a, b)
    assert np.random.random() == before


@pytest.mark.parametrize(
    "layer,expected",
    [
        (ReLU(), lambda x: np.maximum(x, 0)),
        (LeakyReLU(0.1), lambda x: np.where(x > 0, x, 0.1 * x)),
        (Sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
        (Tanh(), np.tanh),
        (ACTIVATIONS["identity"](), lambda x: x),
    ],
)
def test_activation_values_and_inputs_left_alone(layer, expected):
    x = np.linspace(-3, 3, 12).reshape(3, 4)
    original = x.copy()
    np.testing.assert_allclose(layer.forward(x), expected(x), rtol=1e-12)
    np.testing.assert_allclose(layer.infer(x), expected(x), rtol=1e-12)
    layer.backward(np.ones_like(x))
    assert np.array_equal(x, original)


def test_sigmoid_is_stable_far_from_zero():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s = sigmoid(np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0]))
    assert s[0] == 0 and s[-1] == 1 and s[2] == 0.5
    assert 0 < s[1] < 1e-20


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_of_any_finite_input_is_the_float64_value_rounded_without_a_warning(dtype):
    big = np.finfo(dtype)
    x = np.concatenate(
        [np.linspace(-120, 120, 4801), [big.max, -big.max, big.tiny, -big.tiny, 0.0, -0.0]]
    ).astype(dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s = sigmoid(x)
        in_place = x.copy()
        sigmoid(in_place, out=in_place)  # out may be x itself
    assert s.dtype == dtype
    np.testing.assert_array_equal(in_place, s)
    with np.errstate(over="ignore"):  # exp(-x) is inf below -709: a reference of 0, as it should be
        reference = 1 / (1 + np.exp(-x.astype(np.float64)))
    normal = reference >= big.tiny  # below it, dtype keeps fewer digits: compare absolutely
    # a few roundings each (exp, 1 +, /): within 4 eps
    np.testing.assert_allclose(s[normal], reference[normal], rtol=4 * big.eps, atol=0)
    np.testing.assert_allclose(s[~normal], reference[~normal], rtol=0, atol=2 * big.smallest_subnormal)
    assert s[-6] == 1 and s[-5] == 0 and s[-1] == s[-2] == 0.5  # max, -max, 0, -0


def test_sigmoid_of_nan_is_nan():
    s = sigmoid(np.array([np.nan, 1.0], dtype=np.float32))
    assert np.isnan(s[0]) and 0.5 < s[1] < 1


def test_sigmoid_into_a_buffer_allocates_little_besides():
    # The Sigmoid layer and binary cross-entropy call it on every batch, and on a whole data
    # set at once when evaluating: its temporaries are part of estimate_bytes' budget.
    import tracemalloc

    x = np.random.default_rng(0).standard_normal((1797, 128)).astype(np.float32)
    out = np.empty_like(x)
    tracemalloc.start()
    try:
        sigmoid(x, out=out)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= 1.5 * x.nbytes  # one temporary, 1 + exp(-|x|), and a mask of bytes


def test_softmax_rows_sum_to_one_even_for_huge_logits():
    z = np.array([[1000.0, 1000.0, -1000.0], [1.0, 2.0, 3.0]], dtype=np.float32)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        p = softmax(z)
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-6)
    np.testing.assert_allclose(p[0], [0.5, 0.5, 0])


@pytest.mark.parametrize("alpha", [0.0, 1.0, 1.5, -0.1])
def test_leaky_relu_refuses_an_alpha_its_max_form_does_not_compute(alpha):
    # max(x, alpha x) is x for x > 0 and alpha x below only when 0 < alpha < 1
    with pytest.raises(ValueError, match="0 < alpha < 1"):
        LeakyReLU(alpha)


def test_relu_passes_no_gradient_at_exactly_zero_and_leaky_relu_passes_alpha():
    # The documented choice: dx = dy * [x > 0] (the inspector's formula; health counts a unit
    # with z <= 0 throughout as dead). PyTorch takes the same: ReLU'(0) = 0.
    x = np.array([[0.0, -0.0, 1e-30, -1e-30]])
    relu = ReLU()
    relu.forward(x)
    np.testing.assert_array_equal(relu.backward(np.ones_like(x)), [[0, 0, 1, 0]])
    leaky = LeakyReLU(0.1)
    leaky.forward(x)
    np.testing.assert_array_equal(leaky.backward(np.ones_like(x)), [[0.1, 0.1, 1, 0.1]])


@pytest.mark.parametrize("init", ["he", "xavier"])
def test_initial_weights_are_drawn_from_a_normal_not_a_uniform(init):
    # Both "He" and "Glorot" name a uniform variant too; nnplay documents the normal ones.
    # A uniform of the same spread never goes past sqrt(3) = 1.73 standard deviations; a
    # normal does for 8.3% of its draws, and past 3 for 0.27%.
    layer = Dense(300, 400, np.random.default_rng(2), init=init, dtype=np.float64)
    z = np.abs(layer.W) / layer.W.std()
    assert np.mean(z > np.sqrt(3)) == pytest.approx(0.083, abs=0.005)
    assert np.mean(z > 3) == pytest.approx(0.0027, abs=0.0005)
