import pytest

SIZES = [(80, 24), (120, 40)]
"""The smallest terminal the app is for, and one wide enough for plots side by side."""


@pytest.fixture(params=SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def size(request):
    return request.param
