import math

import numpy as np
import pytest

from nnplay.core.network import Network, NetworkSpec, count_params


def make(spec=None, seed=0, dtype=np.float32):
    spec = spec or NetworkSpec()
    return Network(spec, np.random.default_rng(seed), dtype)


def test_the_tutorial_network_has_17226_parameters_and_a_summary():
    net = make()
    assert net.n_params == count_params((64, 128, 64, 10)) == 64 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10
    summary = net.summary()
    assert "Total params: 17,226" in summary
    for row in ("dense_0 (Dense)", "relu_0 (ReLU)", "dense_2 (Dense)", "output (Softmax)", "(None, 128)"):
        assert row in summary


def test_layer_weights_are_views_into_the_flat_vector():
    net = make()
    net.params[:] = 0
    assert not net.dense[0].W.any() and not net.dense[2].b.any()
    net.dense[1].W[0, 0] = 7
    assert (net.params == 7).sum() == 1
    assert net.dense[0].gradients["W"].base is not None


def test_predict_gives_probabilities_and_leaves_no_trace():
    net = make()
    x = np.random.default_rng(1).random((6, 64))
    p = net.predict(x)
    assert p.shape == (6, 10)
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_array_equal(net.predict(x), p)


def test_accuracy_for_each_kind_of_target():
    net = make(NetworkSpec((2, 3, 1), ("relu",), "binary_cross_entropy"))
    x = np.random.default_rng(0).standard_normal((20, 2))
    y = (net.predict(x) > 0.5).astype(float)
    assert net.accuracy(x, y) == 1.0
    assert net.accuracy(x, 1 - y) == 0.0
    reg = make(NetworkSpec((1, 3, 1), ("tanh",), "mse"))
    assert reg.accuracy(x[:, :1], y) is None


def test_same_seed_same_network_different_seed_different_network():
    assert np.array_equal(make(seed=3).params, make(seed=3).params)
    assert not np.array_equal(make(seed=3).params, make(seed=4).params)


def test_grad_and_weight_norms_per_dense_layer():
    net = make()
    net.grads[:] = 1
    assert net.grad_norms() == pytest.approx(tuple(np.sqrt([64 * 128 + 128, 128 * 64 + 64, 64 * 10 + 10])))
    assert len(net.weight_norms()) == 3


def test_norms_of_huge_finite_weights_are_finite():
    net = make()
    net.dense[0].W[0, 0] = 3e38  # finite in float32, but its square is not
    assert net.weight_norms()[0] == pytest.approx(3e38) and math.isfinite(net.weight_norms()[0])


@pytest.mark.parametrize(
    "spec,message",
    [
        (NetworkSpec((64,), ()), "at least an input and an output"),
        (NetworkSpec((64, 0, 10), ("relu",)), "at least 1"),
        (NetworkSpec((64, 8, 10), ()), "need as many activations"),
        (NetworkSpec((64, 8, 10), ("swish",)), "unknown activation"),
        (NetworkSpec((64, 10), (), "hinge"), "unknown loss"),
    ],
)
def test_bad_specs_are_refused_plainly(spec, message):
    with pytest.raises(ValueError, match=message):
        make(spec)


def test_several_sigmoid_outputs_are_right_only_when_every_one_is():
    from nnplay.core.network import correct_mask

    z = np.array([[4.0, 5, -5], [6, -3, 2], [1, 1, 1]])
    y = np.array([[1.0, 1, 0], [1, 0, 1], [1, 0, 1]])
    # once: argmax, as for softmax, which called the first wrong and the last right
    assert correct_mask(z, y, "binary_cross_entropy").tolist() == [True, True, False]


def test_a_logit_at_the_boundary_is_the_class_predict_and_the_views_say():
    from nnplay.core.network import correct_mask
    from nnplay.core.saliency import predicted_class

    z = np.array([[1e-8], [-1e-8], [0.0], [0.3]], dtype=np.float32)  # p rounds to 0.5 in float32
    p = 1 / (1 + np.exp(-z))
    classes = [predicted_class(row, "binary_cross_entropy") for row in p]
    assert classes == [0, 0, 0, 1]
    right = correct_mask(z, np.array([[1.0], [0], [0], [1]], dtype=np.float32), "binary_cross_entropy")
    assert right.tolist() == [c == t for c, t in zip(classes, [1, 0, 0, 1], strict=True)]


def test_forward_takes_data_as_loaded_in_float64():
    net = Network(NetworkSpec((4, 3, 2), ("relu",)), np.random.default_rng(0))  # float32
    x = np.random.default_rng(1).standard_normal((5, 4))  # float64, as data.load gives it
    np.testing.assert_allclose(net.forward(x), net.logits(x), rtol=1e-6)  # once: ValueError


@pytest.mark.parametrize("dtype", [None, np.float64])
def test_a_copy_for_the_views_holds_the_same_weights_and_stands_apart(dtype):
    # the views compute on session.snapshot(): a copy with other weights would show another network
    net = Network(NetworkSpec((6, 5, 3), ("tanh",)), np.random.default_rng(7))
    twin = net.copy(dtype)
    assert twin.dtype == (dtype or net.dtype)
    np.testing.assert_allclose(twin.params, net.params, rtol=1e-7)
    x = np.random.default_rng(1).standard_normal((4, 6)).astype(twin.dtype)
    np.testing.assert_allclose(twin.predict(x), net.predict(x.astype(net.dtype)), rtol=1e-5)
    before = net.params.copy()
    twin.params[...] = 0
    np.testing.assert_array_equal(net.params, before)


def test_a_copy_draws_no_random_weights_only_to_overwrite_them(monkeypatch):
    """copy() built its twin from a generator, drawing every weight at random, then copied
    the real ones over them: 0.4 s for 20 million weights, 35 times the copy's own time,
    with the session's lock held (the views' snapshot, the keep as training runs)."""
    net = Network(NetworkSpec((6, 5, 3), ("relu",)), np.random.default_rng(7))

    def no_drawing(*args, **kwargs):
        raise AssertionError("a copy drew random weights")

    monkeypatch.setattr(np.random, "default_rng", no_drawing)
    np.testing.assert_array_equal(net.copy().params, net.params)


def test_the_summary_names_each_layer_in_order_with_its_shape_and_parameters():
    net = Network(NetworkSpec((64, 16, 8, 10), ("relu", "tanh")), np.random.default_rng(0))
    lines = net.summary().splitlines()
    rows = [line.split() for line in lines if line.startswith(("dense_", "relu_", "tanh_", "output"))]
    assert [r[0] for r in rows] == ["dense_0", "relu_0", "dense_1", "tanh_1", "dense_2", "output"]
    dense = [f"{n_in * n_out + n_out:,}" for n_in, n_out in ((64, 16), (16, 8), (8, 10))]
    assert [r[-1] for r in rows] == [dense[0], "0", dense[1], "0", dense[2], "0"]
    shapes = [" ".join(r[2:4]) for r in rows]
    assert shapes == ["(None, 16)", "(None, 16)", "(None, 8)", "(None, 8)", "(None, 10)", "(None, 10)"]
    assert f"Total params: {count_params((64, 16, 8, 10)):,}" in lines


def test_two_classes_by_softmax_are_scored_as_classes():
    # moons or xor with two softmax outputs (layers 2,8,2): accuracy, not "regression"
    from nnplay.core.network import correct_mask

    z = np.array([[2.0, -1.0], [0.5, 1.5], [3.0, 0.0]])
    y = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]])
    assert list(correct_mask(z, y, "cross_entropy")) == [True, False, True]
    assert correct_mask(z[:, :1], y[:, :1], "mse") is None  # one output, no classes
