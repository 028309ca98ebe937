"""The confusion matrix and confident mistakes against plain references."""

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix as sk_confusion_matrix

from nnplay.core.metrics import (
    Mistake,
    accuracy,
    class_probabilities,
    classifies,
    confident_mistakes,
    confusion_matrix,
    evaluate,
    recall,
)


def reference_mistakes(probs, y_true, n):
    """A plain loop and a sort: every wrong row, most probability first, ties by index."""
    rows = []
    for i, (p, y) in enumerate(zip(probs, y_true, strict=True)):
        guess = max(range(len(p)), key=lambda j: (p[j], -j))  # the first of equal maxima
        if guess != y:
            rows.append((-float(p[guess]), i, int(y), guess))
    rows.sort()
    return [Mistake(i, y, g, -q) for q, i, y, g in rows[:n]]


def random_probs(rng, n, k):
    z = rng.normal(size=(n, k)) * 3
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


@pytest.mark.parametrize("seed", range(5))
def test_confusion_matrix_matches_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 12))
    n = int(rng.integers(1, 500))
    y_true, y_pred = rng.integers(0, k, n), rng.integers(0, k, n)
    got = confusion_matrix(y_true, y_pred, k)
    np.testing.assert_array_equal(got, sk_confusion_matrix(y_true, y_pred, labels=range(k)))
    assert got.shape == (k, k) and got.sum() == n


def test_a_class_never_predicted_has_an_empty_column_and_a_class_never_seen_an_empty_row():
    y_true = np.array([0, 0, 1, 1, 3])
    y_pred = np.array([0, 1, 1, 0, 1])  # 2 and 3 never predicted; 2 never occurs
    got = confusion_matrix(y_true, y_pred, 4)
    np.testing.assert_array_equal(got, sk_confusion_matrix(y_true, y_pred, labels=range(4)))
    assert got[:, 2].sum() == got[:, 3].sum() == 0 and got[2].sum() == 0
    r = recall(got)
    np.testing.assert_allclose(r[[0, 1, 3]], [0.5, 0.5, 0.0])
    assert np.isnan(r[2])
    assert accuracy(got) == pytest.approx(2 / 5)


def test_confusion_matrix_refuses_classes_out_of_range_and_takes_no_samples():
    with pytest.raises(ValueError, match="outside"):
        confusion_matrix(np.array([0, 3]), np.array([0, 1]), 3)
    with pytest.raises(ValueError, match="outside"):
        confusion_matrix(np.array([0, 1]), np.array([-1, 1]), 3)
    empty = confusion_matrix(np.array([], int), np.array([], int), 3)
    assert empty.shape == (3, 3) and empty.sum() == 0 and np.isnan(accuracy(empty))


@pytest.mark.parametrize("seed", range(5))
def test_confident_mistakes_match_a_plain_sort(seed):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(1, 300)), int(rng.integers(2, 11))
    probs, y_true = random_probs(rng, n, k), rng.integers(0, k, n)
    for count in (0, 1, 5, n):
        assert confident_mistakes(probs, y_true, count) == reference_mistakes(probs, y_true, count)
    got = confident_mistakes(probs, y_true, n)
    assert all(a.probability >= b.probability for a, b in zip(got, got[1:], strict=False))
    assert all(m.true != m.predicted for m in got)


def test_no_mistakes_gives_an_empty_list():
    probs = np.eye(4)[[0, 1, 2, 3, 2]] * 0.7 + 0.075
    assert confident_mistakes(probs, np.array([0, 1, 2, 3, 2]), 10) == []


def test_equal_confidences_keep_sample_order_and_the_count_is_capped():
    probs = np.array([[0.2, 0.8], [0.9, 0.1], [0.2, 0.8], [0.8, 0.2], [0.2, 0.8]])
    y_true = np.array([0, 1, 0, 1, 1])  # wrong: 0 (0.8), 1 (0.9), 2 (0.8), 3 (0.8)
    got = confident_mistakes(probs, y_true, 3)
    assert got == [Mistake(1, 1, 0, 0.9), Mistake(0, 0, 1, 0.8), Mistake(2, 0, 1, 0.8)]
    assert confident_mistakes(probs, y_true, 99) == reference_mistakes(probs, y_true, 99)


def test_a_tie_between_classes_predicts_the_first_as_argmax_does():
    probs = np.array([[0.4, 0.4, 0.2]])
    assert confident_mistakes(probs, np.array([1]), 1) == [Mistake(0, 1, 0, pytest.approx(0.4))]
    assert confident_mistakes(probs, np.array([0]), 1) == []


def test_a_sigmoid_output_is_read_as_two_classes():
    p = np.array([[0.9], [0.2], [0.5], [0.6]])
    np.testing.assert_allclose(class_probabilities(p), [[0.1, 0.9], [0.8, 0.2], [0.5, 0.5], [0.4, 0.6]])
    softmax = np.array([[0.3, 0.7]])
    assert class_probabilities(softmax) is softmax
    with pytest.raises(ValueError):
        class_probabilities(np.zeros(3))


def test_evaluate_a_binary_classifier_from_its_sigmoid_outputs():
    outputs = np.array([[0.9], [0.2], [0.7], [0.05], [0.45]])
    targets = np.array([[1.0], [0.0], [0.0], [1.0], [0.0]])
    got = evaluate(outputs, targets)
    # true 0: rows 1, 2, 4 -> predicted 0, 1, 0; true 1: rows 0, 3 -> predicted 1, 0
    np.testing.assert_array_equal(got.matrix, [[2, 1], [1, 1]])
    np.testing.assert_allclose(got.recall, [2 / 3, 1 / 2])
    assert got.accuracy == pytest.approx(3 / 5) and got.correct == 3
    assert got.mistakes == [Mistake(3, 1, 0, pytest.approx(0.95)), Mistake(2, 0, 1, pytest.approx(0.7))]


def test_evaluate_digits_like_outputs_agrees_with_the_parts(digits):
    rng = np.random.default_rng(0)
    Y = digits.Y_test
    probs = random_probs(rng, len(Y), 10)
    got = evaluate(probs, Y, n_mistakes=7)
    y_true = Y.argmax(axis=1)
    np.testing.assert_array_equal(got.matrix, sk_confusion_matrix(y_true, probs.argmax(1), labels=range(10)))
    assert got.matrix.sum() == len(Y) == 360
    assert got.accuracy == pytest.approx(float(np.mean(probs.argmax(1) == y_true)))
    assert got.correct == int(np.sum(probs.argmax(1) == y_true))
    assert got.mistakes == reference_mistakes(probs, y_true, 7)


def test_only_the_cross_entropies_classify():
    assert classifies("cross_entropy") and classifies("binary_cross_entropy")
    assert not classifies("mse")


@pytest.mark.parametrize(
    "y_true, y_pred",
    [
        ([1, 2, 0], [1]),  # one prediction would broadcast over every sample
        ([[1, 2], [0, 1]], [[1, 2], [0, 1]]),
        ([1, 2, 0], [1, 2]),
    ],
)
def test_classes_and_predictions_that_do_not_pair_up_are_refused(y_true, y_pred):
    with pytest.raises(ValueError, match=r"must be \(N,\) alike"):
        confusion_matrix(np.array(y_true), np.array(y_pred), 3)


@pytest.mark.parametrize("y_true, y_pred", [([0, 3], [0, 1]), ([0, 1], [-1, 1])])
def test_a_class_outside_the_range_is_refused(y_true, y_pred):
    with pytest.raises(ValueError, match="outside 0..2"):
        confusion_matrix(np.array(y_true), np.array(y_pred), 3)
