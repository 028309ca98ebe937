import json
import math
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nnplay import data
from nnplay.core.config import ConfigError, TrainConfig, check_memory, format_field, parse_field, parse_layers


def test_defaults_are_the_tutorials_experiment():
    c = TrainConfig()
    assert (c.dataset, c.layers, c.activation, c.init) == ("digits", (64, 128, 64, 10), ("relu",), "he")
    assert (c.optimizer, c.lr, c.batch_size, c.epochs) == ("sgd", 0.01, 32, 100)
    data.check(c)


@pytest.mark.parametrize(
    "name,text,fragment",
    [
        ("lr", "", "is not a number"),
        ("lr", "abc", "is not a number"),
        ("lr", "0", "more than zero"),
        ("lr", "-0.1", "more than zero"),
        ("lr", "nan", "finite"),
        ("lr", "inf", "finite"),
        ("l2", "-1", "zero or more"),
        ("batch_size", "0", "at least 1"),
        ("batch_size", "3.5", "whole number"),
        ("epochs", "-1", "at least 0"),
        ("seed", "x", "whole number"),
        ("seed", "-1", "at least 0"),  # NumPy refuses a negative seed: once past the check, a crash
        ("layers", "64,0,10", "at least 1"),
        ("layers", "64,,10", "a size is missing in '64,,10'"),  # a typo, not a network without it
        ("layers", "64,10,", "a size is missing"),
        ("layers", "64", "at least an input and an output"),
        ("layers", "64,-3,10", "at least 1"),
        ("layers", "64,1e9,10", "not a whole number"),
        ("layers", "64,10000000,10", "too many"),
        ("activation", "softmax", "unknown activation"),
        ("activation", "relu,,tanh", "a name is missing in 'relu,,tanh'"),  # once trained as relu,tanh
        ("activation", "relu,", "a name is missing"),
        ("activation", ",relu", "a name is missing"),
        ("optimizer", "rmsprop", "unknown optimizer"),
        ("init", "zeros", "unknown init"),
        # what int() and float() read but nobody types as a number
        ("epochs", "1_0", "whole number"),
        ("batch_size", "\u0663", "whole number"),  # ٣, Arabic-Indic three
        ("seed", "\u0661\u0662" * 10, "whole number"),  # too long for int(), still not "at most"
        ("lr", "0_1", "not a number"),
        ("layers", "64,1_28,10", "not a whole number"),
    ],
)
def test_bad_text_is_refused_with_the_field_named(name, text, fragment):
    with pytest.raises(ConfigError, match=fragment) as info:
        parse_field(name, text)
    assert info.value.field == name


@pytest.mark.parametrize("text", ["-0", "-0.0", "-0e5"])
def test_l2_of_minus_zero_is_zero_not_a_minus_sign_in_the_pane_and_the_file(text):
    # "-0" was kept as -0.0: the Training pane showed "L2  -0.0" and the file wrote -0.0
    value = parse_field("l2", text)
    assert value == 0 and math.copysign(1, value) == 1 and format_field("l2", value) == "0.0"


def test_whole_config_checks():
    with pytest.raises(ConfigError, match="first size must be 64"):
        data.check(TrainConfig(layers=(63, 10)))
    with pytest.raises(ConfigError, match="last size must be 10"):
        data.check(TrainConfig(layers=(64, 9)))
    with pytest.raises(ConfigError, match="3 names; give one for all of them or 2, one each"):
        data.check(TrainConfig(activation=("relu", "tanh", "relu")))
    # not "give one name for all hidden layers or 1 (one per hidden layer), not 2"
    with pytest.raises(ConfigError, match=r"layers 64,32,10 has 1 hidden layer for 2 names; give one$"):
        data.check(TrainConfig(layers=(64, 32, 10), activation=("relu", "tanh")))
    with pytest.raises(ConfigError, match="layers 64,10 has no hidden layer for 2 names"):
        data.check(TrainConfig(layers=(64, 10), activation=("relu", "tanh")))
    with pytest.raises(ConfigError, match="GiB"):
        data.check(TrainConfig(layers=(64, 90_000, 90_000, 10)))
    with pytest.raises(ConfigError, match="unknown dataset"):
        data.check(TrainConfig(dataset="mnist"))
    data.check(TrainConfig(activation=("relu", "tanh")))
    data.check(TrainConfig(dataset="moons", layers=(2, 8, 1)))


@pytest.mark.parametrize("text", ["relu,tanh", "relu, tanh", "relu tanh", " Relu ,TANH "])
def test_activation_names_are_separated_by_commas_or_spaces_as_layer_sizes_are(text):
    assert parse_field("activation", text) == ("relu", "tanh")


def test_a_batch_that_takes_a_network_past_the_memory_limit_is_blamed_not_its_layers():
    layers = (64, 6000, 6000, 10)
    check_memory(layers, 32)  # fits at the default batch size
    with pytest.raises(ConfigError) as info:
        check_memory(layers, 100_000)  # once "layers: ...; use fewer or smaller layers"
    message = str(info.value)
    assert info.value.field == "batch_size"
    assert message.startswith("batch size: needs about 2.3 GiB for batches of 100,000, over the 2 GiB")
    most = int(message.rsplit("up to ", 1)[1].removesuffix(" fit").replace(",", ""))
    check_memory(layers, most)  # the largest batch it names fits, and one more does not
    with pytest.raises(ConfigError, match=rf"needs about 2.1 GiB for batches of {most + 1:,}, over"):
        check_memory(layers, most + 1)  # not "about 2.0 GiB, over the 2 GiB limit"


def test_layers_too_large_at_the_default_batch_size_are_blamed_whatever_the_batch():
    for batch_size in (1, 32, 100_000):
        with pytest.raises(ConfigError, match="^layers: needs about .* use fewer or smaller layers$") as info:
            check_memory((64, 20_000, 20_000, 10), batch_size)
        assert info.value.field == "layers"


def test_hidden_activations_expand_one_name_to_every_hidden_layer():
    assert TrainConfig(layers=(64, 5, 6, 7, 10)).hidden_activations == ("relu",) * 3
    assert TrainConfig(activation=("tanh", "relu")).hidden_activations == ("tanh", "relu")


def test_dict_round_trip():
    c = TrainConfig(layers=(64, 32, 10), activation=("tanh",), optimizer="adam", lr=0.003, seed=9)
    assert TrainConfig.from_dict(c.to_dict()) == c
    with pytest.raises(ConfigError, match="unknown setting"):
        TrainConfig.from_dict({**c.to_dict(), "momentum": 0.5})
    partial = {k: v for k, v in c.to_dict().items() if k not in ("lr", "seed")}
    with pytest.raises(ConfigError, match="missing setting\\(s\\): lr, seed"):  # not lr 0.01, seed 0
        TrainConfig.from_dict(partial)


@pytest.mark.parametrize(
    "name,value,kind",
    [
        ("batch_size", "32", "a whole number"),
        ("batch_size", [32], "a whole number"),
        ("epochs", True, "a whole number"),
        ("seed", "0", "a whole number"),
        ("lr", "0.01", "a number"),
        ("lr", [0.01], "a number"),
        ("l2", False, "a number"),
        ("optimizer", ["adam"], "a name"),
        ("layers", "64 128 64 10", "a list of whole numbers"),
        ("layers", [64, 128.0, 64, 10], "a list of whole numbers"),
        ("activation", "relu", "a list of names"),
    ],
)
def test_a_file_setting_of_the_wrong_json_type_is_refused_not_read_as_text(name, value, kind):
    settings = {**TrainConfig().to_dict(), name: value}
    with pytest.raises(ConfigError, match=f"{name}: .* is not {kind}") as info:
        TrainConfig.from_dict(settings)
    assert str(info.value).startswith(f"{name}: {json.dumps(value)} is not")  # as in the file, quoted once
    assert TrainConfig.from_dict({**settings, name: TrainConfig().to_dict()[name]}) == TrainConfig()


@given(st.text(max_size=40))
def test_layer_parser_takes_any_text_and_either_parses_or_says_why(text):
    try:
        sizes = parse_layers(text)
    except ConfigError as e:
        assert str(e).startswith("layers:")
    else:
        assert len(sizes) >= 2 and all(1 <= n <= 100_000 for n in sizes)


@given(st.lists(st.integers(1, 100_000), min_size=2, max_size=8))
def test_layer_sizes_round_trip_through_text(sizes):
    assert parse_layers(format_field("layers", tuple(sizes))) == tuple(sizes)


@given(
    st.sampled_from(["lr", "l2", "batch_size", "epochs", "seed", "optimizer", "activation", "init"]),
    st.text(max_size=20),
)
def test_every_field_parser_either_parses_or_raises_config_error(name, text):
    try:
        value = parse_field(name, text)
    except ConfigError as e:
        assert e.field == name
    else:
        if isinstance(value, float):
            assert math.isfinite(value) and value >= 0


@pytest.mark.parametrize("name", ["lr", "l2", "batch_size", "epochs", "seed", "optimizer", "init", "layers"])
@pytest.mark.parametrize("text", ["9" * 5000, "x" * 5000, "-" + "9" * 5000, "64," + "a" * 5000])
def test_a_refusal_quotes_only_the_start_of_a_very_long_value(name, text):
    try:
        parse_field(name, text)
    except ConfigError as e:
        assert len(str(e)) < 150  # fits a few lines of a pane, whatever was pasted
    else:
        raise AssertionError(f"{name} took a value of {len(text)} characters")


def test_a_seed_is_at_most_what_scikit_learn_takes_and_a_huge_one_says_so():
    assert parse_field("seed", str(2**32 - 1)) == 2**32 - 1
    for text in (str(2**32), "9" * 4301):  # 4301 digits: more than int() reads from text
        with pytest.raises(ConfigError, match="at most 4,294,967,295"):
            parse_field("seed", text)
    with pytest.raises(ConfigError, match="not a whole number"):  # a digit to Python, not a number
        parse_field("seed", "²")


@pytest.mark.parametrize("name", ["batch_size", "epochs"])
def test_counts_past_a_billion_are_refused_so_every_figure_fits_its_line(name):
    assert parse_field(name, "1000000000") == 10**9
    with pytest.raises(ConfigError, match="at most 1,000,000,000"):
        parse_field(name, "1000000001")


def test_trained_says_epochs_and_the_steps_into_the_next():
    from nnplay.core.config import trained

    assert trained(3, None) == "3 epochs" and trained(1, None) == "1 epoch"
    assert trained(0, {"steps": 13}) == "13 steps"  # not "0 epochs and 13 steps"
    assert trained(2, {"steps": 1}) == "2 epochs and 1 step"


def test_an_activation_no_layer_uses_is_noted_and_kept():
    config = TrainConfig(layers=(64, 10), activation=("sigmoid",))
    config.check(64, 10)  # accepted: the setting waits for a hidden layer
    assert "sigmoid is not used" in config.unused_activation
    assert replace(config, layers=(64, 5, 10)).unused_activation == ""


def test_a_network_without_hidden_layers_takes_the_one_default_activation():
    # 64,10 (logistic regression, the first lesson) with the default relu: nothing to refuse
    data.check(TrainConfig(layers=(64, 10)))
    assert TrainConfig(layers=(64, 10)).hidden_activations == ()


@pytest.mark.parametrize("data_", [[], "digits", None, 7], ids=repr)
def test_settings_that_are_not_a_json_object_are_refused_in_words(data_):
    with pytest.raises(ConfigError, match="settings must be a JSON object"):
        TrainConfig.from_dict(data_)


def test_counts_in_messages_are_grouped_unless_they_are_to_be_typed():
    from nnplay.core.config import trained

    assert trained(1149, None) == "1,149 epochs"
    assert trained(1149, {"steps": 2000}) == "1,149 epochs and 2,000 steps"
    assert trained(1149, None, grouped=False) == "1149 epochs"


def test_an_epoch_begun_is_one_to_finish():
    from nnplay.core.config import least_epochs

    assert least_epochs(3, None) == 3
    assert least_epochs(3, {"steps": 5}) == 4
    assert least_epochs(0, {"steps": 1}) == 1
