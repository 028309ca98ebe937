import subprocess
import sys

import numpy as np
import pytest

from nnplay import data


def test_digits_are_prepared_exactly_as_the_tutorial_does(digits):
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import OneHotEncoder

    d = load_digits()
    Y = OneHotEncoder(sparse_output=False).fit_transform(d.target.reshape(-1, 1))
    X_train, X_test, Y_train, Y_test = train_test_split(d.data / 16.0, Y, test_size=0.2, random_state=42)
    for ours, theirs in zip(
        (digits.X_train, digits.X_test, digits.Y_train, digits.Y_test),
        (X_train, X_test, Y_train, Y_test),
        strict=True,
    ):
        np.testing.assert_array_equal(ours, theirs)
    assert digits.X_train.shape == (1437, 64) and digits.X_test.shape == (360, 64)
    assert digits.loss == "cross_entropy"


def test_every_data_set_matches_its_declared_shape():
    for name, info in data.DATASETS.items():
        split = data.load(name)
        assert split.X_train.shape[1] == info.n_in and split.Y_train.shape[1] == info.n_out, name
        assert len(split.X_test) > 0 and np.isfinite(split.X_train).all()
        assert split.loss == info.loss
        if info.loss == "binary_cross_entropy":
            assert set(np.unique(split.Y_train)) == {0.0, 1.0}
            assert 0.3 < split.Y_train.mean() < 0.7  # both classes well represented


def test_no_data_set_is_larger_than_the_memory_check_assumes():
    from nnplay.core.config import LARGEST_SPLIT

    for name in data.DATASETS:  # the check runs before the data loads, on this bound
        split = data.load(name)
        assert len(split.X_train) + len(split.X_test) <= LARGEST_SPLIT, name


def test_loading_twice_gives_the_same_arrays():
    a, b = data.load("spiral"), data.load("spiral")
    np.testing.assert_array_equal(a.X_train, b.X_train)


def test_default_layers_fit_the_data_set():
    assert data.default_layers("digits") == (64, 128, 64, 10)
    assert data.default_layers("moons") == (2, 128, 64, 1)


def test_split_is_train_test_split_for_any_size():
    from sklearn.model_selection import train_test_split

    for n in (5, 97, 500):
        X = np.arange(n * 2.0).reshape(n, 2)
        Y = np.arange(n * 1.0).reshape(n, 1)
        for ours, theirs in zip(
            data.split(X, Y), train_test_split(X, Y, test_size=0.2, random_state=42), strict=True
        ):
            np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("name", ["moons", "circles"])
def test_moons_and_circles_are_scikit_learns_points_without_importing_it(name):
    from sklearn.datasets import make_circles, make_moons

    code = f"import sys; from nnplay import data; data.load({name!r}); print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False"]  # an idle app on moons took 135 MB, 60 without scikit-learn
    if name == "moons":
        X, y = make_moons(500, noise=0.15, random_state=0)
    else:
        X, y = make_circles(500, noise=0.08, factor=0.5, random_state=0)
    ours_X, ours_Y = data.DATASETS[name].load()
    assert np.array_equal(ours_X, X) and np.array_equal(ours_Y[:, 0], y)
