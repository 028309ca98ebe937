"""The CLI's flags, the saved file and the checks behind both are one settings model: what
the checks take, a file keeps unchanged and the flags ask for; what they refuse, the flags
refuse (status 2, no file written) and a file that carries it is refused."""

import json

import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from nnplay import data
from nnplay.cli import FLAGS, build_parser, main, resolve
from nnplay.core.activations import ACTIVATIONS
from nnplay.core.config import ConfigError, TrainConfig, format_field
from nnplay.core.layers import INITS
from nnplay.core.network import Network, NetworkSpec
from nnplay.core.optimizers import OPTIMIZERS
from nnplay.core.paths import SaveFileError
from nnplay.core.serialize import load, save

_odd_floats = st.sampled_from([0.0, -0.0, -1.0, 5e-324, 1e-300, 1e308, float("inf"), float("nan")])
_reals = st.one_of(st.floats(allow_nan=True, allow_infinity=True), _odd_floats)
_wholes = st.one_of(st.integers(-3, 300), st.sampled_from([10**9, 10**9 + 1, 2**32 - 1, 2**32, -(2**40)]))


@st.composite
def configs(draw):
    """Settings the checks take, with none, one or two of them drawn from anything near:
    values just past what is allowed, layers that do not fit the data set."""
    dataset = draw(st.sampled_from(list(data.DATASETS)))
    info = data.DATASETS[dataset]
    hidden = draw(st.lists(st.integers(1, 24), max_size=3))
    names = st.sampled_from(list(ACTIVATIONS))
    good = {
        "dataset": st.just(dataset),
        "layers": st.just((info.n_in, *hidden, info.n_out)),
        "activation": st.one_of(  # one name for all hidden layers, or one each
            names.map(lambda name: (name,)),
            st.lists(names, min_size=max(len(hidden), 1), max_size=max(len(hidden), 1)).map(tuple),
        ),
        "init": st.sampled_from(list(INITS)),
        "optimizer": st.sampled_from(list(OPTIMIZERS)),
        "lr": st.floats(1e-6, 10.0),
        "batch_size": st.integers(1, 5000),
        "epochs": st.integers(0, 10**9),
        "seed": st.integers(0, 2**32 - 1),
        "l2": st.one_of(st.just(0.0), st.floats(0.0, 1.0)),
    }
    near = {
        "dataset": st.sampled_from([*data.DATASETS, "mnist", ""]),
        "layers": st.one_of(
            st.lists(st.integers(-1, 70), max_size=4).map(lambda h: (info.n_in, *h, info.n_out)),
            st.lists(st.integers(0, 70), max_size=4).map(tuple),
        ),
        "activation": st.lists(st.sampled_from([*ACTIVATIONS, "softmax", ""]), max_size=4).map(tuple),
        "init": st.sampled_from([*INITS, "zeros", ""]),
        "optimizer": st.sampled_from([*OPTIMIZERS, "rmsprop", ""]),
        "lr": _reals,
        "batch_size": _wholes,
        "epochs": _wholes,
        "seed": _wholes,
        "l2": _reals,
    }
    changed = draw(st.lists(st.sampled_from(list(good)), max_size=2))
    return TrainConfig(**{name: draw(near[name] if name in changed else good[name]) for name in good})


def _accepted(config: TrainConfig) -> bool:
    try:
        data.check(config)
    except ConfigError:
        return False
    return True


def _flags(config: TrainConfig) -> list[str]:
    """The command line asking for these settings: --lr=-1.0, not --lr -1.0."""
    return [f"{flag}={format_field(name, getattr(config, name))}" for name, (flag, _) in FLAGS.items()]


def _file_with_settings(folder, settings: dict) -> str:
    """A file nnplay wrote, its settings then replaced by these."""
    good = TrainConfig(layers=(64, 4, 10))
    path = str(folder / "carried.npz")
    save(path, Network(NetworkSpec(good.layers, ("relu",)), np.random.default_rng(0)), good, 0)
    with np.load(path) as f:
        arrays = {name: f[name] for name in f.files}
    meta = json.loads(str(arrays["meta"]))
    meta["settings"] = settings
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez(path, **arrays)
    return path


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(config=configs())
def test_settings_the_checks_take_survive_a_file_and_the_flags_and_those_refused_are_refused_alike(
    capsys, tmp_path_factory, config
):
    folder = tmp_path_factory.mktemp("settings")
    event("accepted" if _accepted(config) else "refused")
    if _accepted(config):
        assert resolve(build_parser().parse_args(["train", *_flags(config)]))[0] == config
        info = data.DATASETS[config.dataset]
        spec = NetworkSpec(config.layers, config.hidden_activations, info.loss, config.init)
        save(folder / "m.npz", Network(spec, np.random.default_rng(config.seed)), config, 0)
        saved = load(folder / "m.npz")
        assert saved.config == config
        data.check(saved.config, saved.spec.loss)
    else:
        target = folder / "never.npz"
        code = main(["train", *_flags(config), "--save", str(target)])
        _, err = capsys.readouterr()
        assert code == 2 and err.count("\n") == 1 and err.startswith("nnplay train: error: --")
        assert list(folder.iterdir()) == []  # nothing written, not even a temporary file
        path = _file_with_settings(folder, config.to_dict())
        try:
            carried = load(path)
            data.check(carried.config, carried.spec.loss)
        except (SaveFileError, ConfigError):
            pass
        else:
            raise AssertionError(f"a file carrying refused settings loaded: {carried.config}")
