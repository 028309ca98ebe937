"""The "too large for memory" check: the size its message gives."""

import re
from unittest import mock

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from nnplay.core import config
from nnplay.core.config import ConfigError, check_memory
from nnplay.core.network import MEMORY_LIMIT

GIB = 1024**3


def said_gib(need: int) -> str:
    """The size in check_memory's message for a network estimated at ``need`` bytes."""
    with mock.patch.object(config, "_memory_needed", lambda layers, batch_size: need):
        with pytest.raises(ConfigError) as info:
            check_memory((64, 10), 32)
    about = re.search(r"needs about (\S+) GiB", str(info.value))
    assert about is not None, str(info.value)
    return about[1]


@given(st.integers(MEMORY_LIMIT + 1, 10_000 * GIB))
@example(MEMORY_LIMIT + 1)  # just over: round() says 2.0
@example(int(2.05 * GIB))  # halfway between 2.0 and 2.1
@example(int(2.05 * GIB) + 1)
@example(int(2.95 * GIB))  # halfway to a whole number
@example(1234 * GIB + GIB // 2)  # thousands
def test_the_size_said_is_the_estimate_to_a_tenth_and_always_over_the_limit(need):
    text = said_gib(need)
    assert re.fullmatch(r"\d{1,3}(,\d{3})*\.\d", text), text  # one decimal, thousands grouped
    shown = float(text.replace(",", ""))
    assert shown * GIB > MEMORY_LIMIT  # never "about 2.0 GiB, over the 2 GiB limit"
    # rounded to the nearest tenth, or up where that would be the limit itself
    assert -0.05 - 1e-9 <= shown - need / GIB < 0.1


def test_the_limit_is_said_in_whole_gib():
    with mock.patch.object(config, "_memory_needed", lambda layers, batch_size: 3 * GIB):
        with pytest.raises(ConfigError, match=rf", over the {MEMORY_LIMIT // GIB} GiB limit;"):
            check_memory((64, 10), 32)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
@pytest.mark.parametrize("batch_size", [32, 719])  # 719: a last batch of 718, with buffers of its own
def test_training_allocates_no_more_than_the_memory_check_allows_for(batch_size, activation, optimizer):
    # tracemalloc's peak over building a network on the digits and training it an epoch, as
    # the app and `nnplay train` do, against the bytes check_memory() holds to MEMORY_LIMIT:
    # a network it lets through must fit in that
    import tracemalloc

    from nnplay.core.config import TrainConfig
    from nnplay.core.train import build
    from nnplay.data import load

    layers = (64, 600, 10)  # wide: buffers per row, not weights, are most of it
    settings = TrainConfig(
        layers=layers, activation=(activation,), optimizer=optimizer, batch_size=batch_size, epochs=1
    )
    data = load("digits")
    tracemalloc.start()
    try:
        for _ in build(settings, data).run(1):
            pass
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= config._memory_needed(layers, batch_size)
