import pytest

from nnplay import data


@pytest.fixture(scope="session")
def digits():
    return data.load("digits")
