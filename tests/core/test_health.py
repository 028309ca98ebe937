"""Formulas with shapes, dead and saturated units, and the hints built from them."""

import numpy as np
import pytest

from nnplay.core.formulas import layer_formulas
from nnplay.core.health import SATURATION_MARGIN, layer_health
from nnplay.core.hints import hints, summarize_norms
from nnplay.core.network import Network, NetworkSpec


def net(sizes, activations, init="he", seed=0, loss="cross_entropy"):
    return Network(NetworkSpec(sizes, activations, loss, init), np.random.default_rng(seed))


def no_history(n_dense):
    return np.empty((0, n_dense)), np.empty((0, n_dense)), np.empty(0)


# -- formulas ----------------------------------------------------------------------------


def test_formulas_write_out_the_live_shapes():
    spec = NetworkSpec((64, 16, 10), ("relu",))
    first = layer_formulas(spec, 0, 32)
    forward = dict(first.forward)
    assert forward["z1 = x @ W1 + b1"] == "x: (32, 64)  W1: (64, 16)  b1: (16,)  z1: (32, 16)"
    assert "a1 = relu(z1)" in forward
    backward = dict(first.backward)
    assert backward["dz1 = da1 * [z1 > 0]"] == "dz1: (32, 16)"
    assert backward["dW1 = x.T @ dz1"] == "dW1: (64, 16)"
    assert backward["db1 = sum(dz1, axis=0)"] == "db1: (16,)"
    assert backward["dx = dz1 @ W1.T"].startswith("dx: (32, 64)")
    last = layer_formulas(spec, 1, 32)
    assert dict(last.forward)["z2 = a1 @ W2 + b2"] == "a1: (32, 16)  W2: (16, 10)  b2: (10,)  z2: (32, 10)"
    assert last.backward[0] == ("dz2 = (p - y) / N", "dz2: (32, 10)  (N = 32)")
    assert "p = softmax(z2)" in dict(last.forward)
    assert "dense_1" in last.title and "16 → 10" in last.title


@pytest.mark.parametrize(
    "activation,rule",
    [
        ("relu", "dz1 = da1 * [z1 > 0]"),
        ("leaky_relu", "dz1 = da1 * where(z1 > 0, 1, 0.01)"),
        ("sigmoid", "dz1 = da1 * a1 * (1 - a1)"),
        ("tanh", "dz1 = da1 * (1 - a1**2)"),
        ("identity", "dz1 = da1"),
    ],
)
def test_each_activation_has_its_backward_rule(activation, rule):
    formulas = layer_formulas(NetworkSpec((2, 3, 1), (activation,), "binary_cross_entropy"), 0, 4)
    assert rule in dict(formulas.backward)


def test_the_batch_is_at_most_the_training_set_and_bad_layers_are_refused():
    spec = NetworkSpec((2, 5, 1), ("tanh",), "mse")
    formulas = layer_formulas(spec, 1, 512, n_rows=100)
    assert formulas.backward[0] == ("dz2 = 2 (p - y) / (N k)", "dz2: (100, 1)  (N = 100, k = 1)")
    with pytest.raises(IndexError):
        layer_formulas(spec, 2, 32)


# -- health --------------------------------------------------------------------------------


def test_a_hand_built_relu_layer_counts_exactly_its_dead_units():
    network = net((2, 3, 2), ("relu",))
    W, b = network.dense[0].W, network.dense[0].b
    W[...] = [[1.0, 1.0, 1.0], [0.0, 0.0, -1.0]]
    b[...] = [-10.0, 10.0, 0.0]  # unit 0 never fires; unit 1 always; unit 2 on x0 > x1
    X = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 1.0], [0.5, 3.0]])
    (h,) = layer_health(network, X)
    assert (h.layer, h.activation, h.units, h.measure, h.count) == (1, "relu", 3, "dead", 1)
    assert h.fraction == pytest.approx(1 / 3)
    assert h.mean_slope == pytest.approx((0 + 4 + 2) / 12)  # fired: unit 1 four times, unit 2 twice
    assert not h.alarming
    # the slope in words a student can use, not the bare "mean slope 0.5"
    assert h.describe().endswith("On average it passes back 50% of the gradient (its mean slope).")


def test_large_negative_biases_kill_relu_units_and_say_so(digits):
    network = net((64, 16, 8, 10), ("relu", "relu"))
    network.dense[0].b[...] = -100.0
    first, second = layer_health(network, digits.X_test)
    assert first.count == 16 and first.fraction == 1.0 and first.alarming
    assert first.mean_slope == 0.0
    assert second.count == 8  # fed only zeros, its biases 0: z = 0 everywhere, so dead too
    advice = hints([first, second], *no_history(3))
    assert len([a for a in advice if a.startswith("Many dead units")]) == 2
    assert "learning rate" in advice[0] and "leaky_relu" in advice[0]


def test_a_freshly_initialised_network_is_healthy(digits):
    for activations, init in ((("relu", "relu"), "he"), (("tanh", "sigmoid"), "xavier")):
        network = net((64, 128, 64, 10), activations, init)
        health = layer_health(network, digits.X_test)
        assert [h.activation for h in health] == list(activations)
        assert all(h.fraction < 0.2 for h in health), health
        assert hints(health, *no_history(3)) == []


def test_huge_weights_saturate_tanh_and_sigmoid(digits):
    for activation in ("tanh", "sigmoid"):
        network = net((64, 32, 10), (activation,), "xavier")
        network.dense[0].W[...] *= 1000
        (h,) = layer_health(network, digits.X_test)
        assert h.measure == "saturated" and h.fraction > 0.9 and h.alarming
        assert h.mean_slope < 0.05
        (advice,) = hints([h], *no_history(2))
        assert advice.startswith("Saturated units") and "relu" in advice and "xavier" in advice


def test_saturated_units_are_the_cause_named_and_a_fresh_start_the_cure(digits):
    # tanh after 30 epochs of adam at lr 0.1: 110 of 128 units saturated, 64 of 64 in layer 2,
    # layer 1's gradient 6e-9 against layer 3's 2.1. Fewer layers would not help, nor a lower
    # lr alone (30 more epochs at 0.01 left all 110); a fresh start at 0.01 learns (97.5%).
    network = net((64, 32, 16, 10), ("tanh", "tanh"))
    network.dense[0].W[...] *= 1000
    health = layer_health(network, digits.X_test)
    vanishing = np.array([[0.67, 0.9, 0.66], [6.1e-9, 1e-8, 2.1]])
    advice = hints(health, np.ones((2, 3)), vanishing, np.array([2.5, 3.1]), init="he", lr=0.1)
    assert advice and all(a.startswith("Saturated units") for a in advice)
    assert "learning rate (lr) to 0.01 and press r to start afresh" in advice[0]


def test_saturation_is_the_mean_distance_from_the_bound():
    network = net((1, 2, 1), ("tanh",), loss="mse")
    network.dense[0].W[...] = [[0.0, 0.0]]
    # tanh(2.4) is 0.0165 from 1: saturated; tanh(2.0) is 0.036 from 1: not
    network.dense[0].b[...] = [2.4, 2.0]
    (h,) = layer_health(network, np.zeros((5, 1)))
    assert 1 - np.tanh(2.4) < SATURATION_MARGIN < 1 - np.tanh(2.0)
    assert h.count == 1


def test_leaky_relu_and_identity_say_what_applies(digits):
    network = net((64, 16, 16, 10), ("leaky_relu", "identity"))
    network.dense[0].b[...] = -100.0
    leaky, identity = layer_health(network, digits.X_test)
    assert leaky.measure == "negative" and leaky.count == 16 and not leaky.alarming
    assert leaky.mean_slope == pytest.approx(0.01)
    assert "none can die" in leaky.describe()
    assert identity.measure == "" and identity.count == 0 and identity.mean_slope == 1.0
    assert "linear" in identity.describe()
    assert hints([leaky, identity], *no_history(3)) == []


# -- hints from the history ------------------------------------------------------------------


def test_vanishing_gradients_are_named_when_the_first_layer_gets_a_thousandth():
    weights = np.ones((2, 3))
    losses = np.array([2.3, 2.2])
    vanishing = np.array([[1e-4, 1e-2, 1.0], [5e-4, 1e-2, 1.0]])
    (advice,) = hints([], weights, vanishing, losses)
    assert advice.startswith("Vanishing gradients") and "relu" in advice
    healthy = np.array([[0.5, 0.8, 1.0], [0.3, 0.4, 0.6]])
    assert hints([], weights, healthy, losses) == []


def test_exploding_gradients_and_weights_are_named():
    losses = np.array([2.3, 2.0, 1.9])
    weights = np.ones((3, 2))
    huge = np.array([[1.0, 1.0], [10.0, 5.0], [2e3, 5.0]])
    (advice,) = hints([], weights, huge, losses)
    assert advice.startswith("Exploding gradients") and "layer 1" in advice and "learning rate" in advice
    growing = np.array([[0.4, 0.5], [8.0, 5.0], [100.0, 20.0]])  # 200 times, still under HUGE
    (advice,) = hints([], weights, growing, losses)
    assert advice.startswith("Exploding gradients") and "200 times the largest" in advice
    waking = np.array([[0.00237, 0.5], [0.01, 0.5], [0.412, 0.5]])  # 174 times, to an ordinary 0.4
    assert hints([], weights, waking, losses) == []  # deep sigmoid at lr 0.3 starting to learn
    # ten relu layers of 8 units at lr 0.05, seed 0, epochs 1 and 40: the first layer started
    # near 0 and grew 143 times to its neighbours' size while the loss fell from 2.3 to 0.89;
    # a lower lr learns slower (0.02: 1.31), so "lower the learning rate" was wrong here
    first = [0.0114, 0.0071, 0.0145, 0.0098, 0.0138, 0.0319, 0.033, 0.0241, 0.0146, 0.0214, 0.1795]
    last = [1.6305, 0.6016, 0.4046, 0.2321, 0.3303, 0.5573, 0.368, 0.2279, 0.2698, 0.4713, 1.2968]
    assert hints([], np.ones((2, 11)), np.array([first, last]), np.array([2.3, 0.89])) == []
    grads = np.full((3, 2), 0.5)
    big_weights = np.array([[1.0, 1.0], [1.0, 30.0], [1.0, 300.0]])
    (advice,) = hints([], big_weights, grads, losses)
    assert advice.startswith("Exploding weights") and "layer 2" in advice


def test_divergence_is_named_with_the_learning_rate():
    grads, weights = np.full((2, 2), 0.5), np.ones((2, 2))
    for losses in (np.array([2.3, np.nan]), np.array([2.3, 50.0])):
        advice = hints([], weights, grads, losses)
        assert advice[0].startswith("Diverging") and "learning rate" in advice[0]
    assert hints([], weights, grads, np.array([2.3, 2.0]), diverged=True)[0].startswith("Diverging")
    assert hints([], weights, grads, np.array([2.3, 2.0])) == []


def test_norm_summaries():
    norms = np.array([[2.0, 0.0], [3.0, 0.0], [8.0, 1.0]])
    s = summarize_norms(norms, 0)
    assert (s.first, s.last, s.growth) == (2.0, 8.0, 4.0)
    assert summarize_norms(norms, 1).growth == np.inf
    assert summarize_norms(np.empty((0, 2)), 0) is None


def test_advice_never_suggests_what_is_already_in_use(digits):
    relu_he = net((64, 16, 8, 10), ("relu", "relu"), "he")
    relu_he.dense[0].b[...] = -100.0
    health = layer_health(relu_he, digits.X_test)
    weights, losses = np.ones((2, 3)), np.array([2.3, 2.2])
    vanishing = np.array([[1e-4, 1e-2, 1.0], [5e-4, 1e-2, 1.0]])
    advice = hints(health, weights, vanishing, losses, init="he", lr=3.0)
    dead = [a for a in advice if a.startswith("Many dead units")]
    assert dead and all("init he" not in a and "leaky_relu" in a for a in dead)
    # dead units come back seldom, if ever: a lower lr alone would leave them dead
    assert all("learning rate (lr) to 0.1 and press r to start afresh" in a for a in dead)
    # the vanishing is theirs: dead units pass nothing back, and the dead hint says so
    assert not any(a.startswith("Vanishing gradients") for a in advice)
    healthy = layer_health(net((64, 16, 8, 10), ("relu", "relu"), "he"), digits.X_test)
    (advice,) = hints(healthy, weights, vanishing, losses, init="he", lr=3.0)
    assert advice.startswith("Vanishing gradients") and "init he" not in advice
    assert "learning rate (lr) to 0.1" in advice

    tanh_xavier = net((64, 32, 10), ("tanh",), "xavier")
    tanh_xavier.dense[0].W[...] *= 1000
    (advice,) = hints(layer_health(tanh_xavier, digits.X_test), *no_history(2), init="xavier")
    assert advice.startswith("Saturated units") and "xavier" not in advice


def test_after_a_divergence_the_advice_matches_the_notice_and_says_space_resumes():
    from nnplay.core.train import lower_lr

    grads, weights, losses = np.full((2, 2), 0.5), np.ones((2, 2)), np.array([2.3, 2.0])
    (advice,) = hints([], weights, grads, losses, diverged=True, lr=30.0)
    assert f"to {lower_lr(30.0):g}" in advice and "space then carries on" in advice
    assert "finite" not in advice  # the loss that tripped it may well have been finite
    (advice,) = hints([], weights, grads, losses, diverged=True, lr=0.01, l2=300.0)
    assert "Lower l2 to 0.01 or less; space then carries on" in advice  # as the notice says
    (advice,) = hints([], weights, grads, losses, diverged=True, lr=2.0, optimizer="adam", l2=0.5)
    assert f"to {lower_lr(2.0):g}" in advice and "l2" not in advice  # Adam's steps are lr whatever l2
    (advice,) = hints([], weights, grads, losses, diverged=True, lr=1e9, optimizer="momentum", l2=1e-4)
    assert f"to {lower_lr(1e9):g}" in advice and "l2" not in advice  # l2 is small: lr is the cause


def test_a_loss_that_hardly_falls_is_named_not_passed_as_healthy(digits):
    from nnplay.core.hints import guessing_loss

    relu = net((64, 16, 10), ("relu",))
    health, (weights, grads) = layer_health(relu, digits.X_test), np.ones((2, 6, 2))
    guessing = guessing_loss(relu.spec)
    assert guessing == pytest.approx(np.log(10))
    flat = np.array([2.55, 2.53, 2.51, 2.49, 2.47])  # lr 1e-4 on digits, 5 epochs
    (advice,) = hints(health, weights, grads, flat, lr=1e-4, optimizer="sgd", guessing=guessing)
    assert advice.startswith("Barely learning: the loss is 2.47 after 5 epochs")
    assert "learning rate (lr) to 0.001" in advice and "adam optimizer (lr 0.001 to 0.01)" in advice
    (advice,) = hints(health, weights, grads, flat, lr=1e-4, optimizer="adam", guessing=guessing)
    assert "adam" not in advice
    assert hints(health, weights, grads, flat[:4], lr=1e-4, guessing=guessing) == []  # too soon to say
    falling = np.array([2.3, 1.9, 1.5, 1.2, 1.0])
    assert hints(health, weights, grads, falling, lr=1e-4, guessing=guessing) == []
    # learnt in the first epoch, then a plateau far below guessing: that is not being stuck
    plateau = np.array([0.30, 0.29, 0.29, 0.28, 0.28])
    assert hints(health, weights, grads, plateau, lr=0.01, guessing=guessing) == []
    # regression has no guessing: the first epoch is the yardstick
    (advice,) = hints(health, weights, grads, flat / 5, lr=1e-4)
    assert advice.startswith("Barely learning: the loss is 0.494")
    assert hints(health, weights, grads, falling / 5, lr=1e-4) == []
    # l2 1 holds the weights at 0 (digits: 2.30 after 8 epochs): a larger lr is not the cure
    (advice,) = hints(health, weights, grads, flat, lr=0.01, guessing=guessing, l2=1.0)
    assert "L2 1 pulls every weight towards 0" in advice and "lower l2" in advice and "(lr)" not in advice


def test_a_stuck_network_with_no_non_linearity_is_told_to_use_relu(digits):
    from nnplay.core.hints import guessing_loss

    linear = net((2, 8, 8, 1), ("identity", "identity"), loss="binary_cross_entropy")
    health = layer_health(linear, np.random.default_rng(0).standard_normal((50, 2)))
    xor = np.array([0.7716, 0.72, 0.70, 0.692, 0.6899])  # xor with identity layers, seed 3: 11% down
    (advice,) = hints(
        health, np.ones((5, 3)), np.ones((5, 3)), xor, lr=0.01, guessing=guessing_loss(linear.spec)
    )
    assert "linear model" in advice and advice.endswith("use relu.")
    assert "(0.772 after the first; guessing gives 0.693)" in advice


def test_a_deep_sigmoid_network_barely_learning_is_told_to_use_relu_not_more_lr(digits):
    from nnplay.core.hints import guessing_loss

    deep = net((64, 32, 32, 32, 32, 32, 10), ("sigmoid",) * 5)  # 7.8% after 100 epochs at lr 0.01
    health = layer_health(deep, digits.X_test)
    flat = np.array([2.33, 2.31, 2.30, 2.30, 2.30])
    (advice,) = hints(
        health, np.ones((5, 6)), np.ones((5, 6)), flat, lr=0.1, guessing=guessing_loss(deep.spec)
    )
    assert "Each sigmoid layer passes back at most 0.25" in advice and "through 5 of them" in advice
    assert "use the relu activation" in advice and "Raise the learning rate" not in advice


def test_two_sigmoid_layers_barely_learning_are_told_to_raise_the_learning_rate(digits):
    from nnplay.core.hints import guessing_loss

    # the default network with sigmoid: 2.2 after 30 epochs at lr 0.01; at 0.1, 0.38 (90%)
    network = net((64, 128, 64, 10), ("sigmoid", "sigmoid"))
    health = layer_health(network, digits.X_test)
    flat = np.array([2.44, 2.35, 2.3, 2.26, 2.2])
    (advice,) = hints(
        health, np.ones((5, 3)), np.ones((5, 3)), flat, lr=0.01, guessing=guessing_loss(network.spec)
    )
    assert "through 2 of them" in advice and "raise the learning rate (lr) to 0.1" in advice
    assert "fewer layers" not in advice


def test_guessing_accuracy_and_the_line_a_finished_run_is_held_to():
    from nnplay.core.hints import guessing_accuracy, no_better_than_guessing

    digits = NetworkSpec((64, 10))
    moons = NetworkSpec((2, 1), loss="binary_cross_entropy")
    sine = NetworkSpec((1, 1), loss="mse")
    assert guessing_accuracy(digits) == 0.1 and guessing_accuracy(moons) == 0.5
    assert guessing_accuracy(sine) is None
    assert no_better_than_guessing(digits, 0.078) and not no_better_than_guessing(digits, 0.20)
    assert no_better_than_guessing(moons, 0.54) and not no_better_than_guessing(moons, 0.56)
    assert not no_better_than_guessing(sine, 0.0)


# -- overfitting -----------------------------------------------------------------------------


def overfit_curves(epochs=30, lowest_at=10):
    """Training loss falling to 1e-4; test loss falling to 0.07 at ``lowest_at``, then rising
    by 0.001 an epoch (adam on digits: 0.069 at epoch 13, 0.085 at 100)."""
    train = np.geomspace(1.0, 1e-4, epochs)
    rising = 0.07 + 0.001 * np.arange(1, epochs - lowest_at + 1)
    test = np.concatenate([np.linspace(0.5, 0.07, lowest_at), rising])
    return train, test


def test_a_test_loss_rising_while_the_training_loss_falls_is_overfitting():
    train, test = overfit_curves()
    (advice,) = hints([], np.ones((30, 2)), np.ones((30, 2)), train, test_losses=test)
    assert advice.startswith("Overfitting: over the last 5 epochs the test loss averaged 0.0")
    assert "up from its lowest, 0.07," in advice
    assert "add L2 (l2 0.0001 to 0.01)" in advice
    (advice,) = hints([], np.ones((30, 2)), np.ones((30, 2)), train, l2=0.001, test_losses=test)
    assert "raise l2 above 0.001" in advice  # not what is already in use
    assert hints([], np.ones((30, 2)), np.ones((30, 2)), train) == []  # no test losses, no verdict


@pytest.mark.parametrize(
    "case",
    ["still falling", "risen too little", "level with training", "too few epochs", "lowest too recent"],
)
def test_what_is_not_overfitting(case):
    from nnplay.core.hints import overfitting

    train, test = overfit_curves()
    if case == "still falling":  # sgd on digits at 100 epochs
        test = np.linspace(0.5, 0.11, 30)
    elif case == "risen too little":  # noise about the lowest
        test = np.concatenate([np.linspace(0.5, 0.07, 10), np.full(20, 0.075)])
    elif case == "level with training":  # adam's jitter on sine: both losses near 0.003
        train, test = np.full(30, 0.0025), np.concatenate([np.full(20, 0.0025), np.full(10, 0.0035)])
        train[:20] = 0.003
    elif case == "too few epochs":
        train, test = overfit_curves(epochs=9, lowest_at=3)
    elif case == "lowest too recent":
        train, test = overfit_curves(epochs=30, lowest_at=27)
        test[-3:] = 0.09
    assert not overfitting(train, test)
    assert overfitting(*overfit_curves())  # the same check says yes to a real case


def test_weights_that_l2_holds_at_0_are_blamed_on_l2_not_on_dead_units():
    # l2 50 at lr 0.01 halves every weight each step: within an epoch W1 and W2 are 0, so no
    # gradient passes back to layer 1 ("vanishing"), though no relu unit is dead (its z is
    # b1 = 0 exactly, counted alive); the hint said lower the learning rate, dead relu units
    network = net((64, 16, 10), ("relu",))
    x = np.random.default_rng(1).uniform(0, 1, (50, 64))
    health = layer_health(network, x)
    assert not any(h.alarming for h in health)
    weights = np.array([[1.6e-13, 1e-12], [0.0, 0.0]])
    grads = np.array([[4e-14, 0.3], [0.0, 0.3]])
    losses = np.array([2.303, 2.303])
    (advice,) = hints(health, weights, grads, losses, init="he", lr=0.01, optimizer="sgd", l2=50.0)
    assert advice.startswith("Vanishing gradients") and "lower l2" in advice and "dead" not in advice
    (usual,) = hints(health, weights, grads, losses, init="he", lr=0.01, optimizer="sgd", l2=0.0)
    assert "dead relu units" in usual  # without l2 the usual cure stands


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "sigmoid", "tanh", "identity"])
def test_the_mean_slope_is_the_share_of_gradient_the_activation_passes_back(activation):
    # measured against the activation's own backward(): the gradient through it of all ones
    from nnplay.core.activations import ACTIVATIONS

    network = net((6, 5, 3), (activation,), seed=1)
    X = np.random.default_rng(2).standard_normal((40, 6)).astype(network.dtype)
    (health,) = layer_health(network, X)
    layer = ACTIVATIONS[activation]()
    z = network.dense[0].infer(X)
    layer.forward(z)
    passed = layer.backward(np.ones_like(z))
    np.testing.assert_allclose(health.mean_slope, passed.mean(), rtol=1e-5)


def test_half_the_units_saturated_is_not_yet_alarming_and_is_described():
    from nnplay.core.health import SATURATED_ALARM, LayerHealth

    half = LayerHealth(1, "tanh", 4, "saturated", 2, 0.1)
    assert half.fraction == SATURATED_ALARM and not half.alarming
    assert LayerHealth(1, "tanh", 4, "saturated", 3, 0.1).alarming
    assert half.describe().startswith("2 of 4 units (50%) saturated: output within")


def test_overfitting_is_told_from_twice_the_epochs_it_averages_over():
    from nnplay.core.hints import OVERFIT_EPOCHS, overfitting

    # lowest at epoch 4, then rising well past it while the training loss falls
    test = np.array([0.5, 0.3, 0.1, 0.07, 0.09, 0.1, 0.11, 0.12, 0.13, 0.14])
    train = np.geomspace(1.0, 1e-4, len(test))
    assert len(test) == 2 * OVERFIT_EPOCHS and overfitting(train, test)
    assert not overfitting(train[1:], test[1:])  # one epoch fewer: too few to say
