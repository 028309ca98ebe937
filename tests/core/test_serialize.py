import json
import os
import zipfile
from dataclasses import replace

import numpy as np
import pytest

from nnplay.core import paths, serialize
from nnplay.core.config import TrainConfig
from nnplay.core.network import Network, NetworkSpec
from nnplay.core.paths import SaveFileError
from nnplay.core.serialize import load, peek, restore, save


@pytest.fixture
def net():
    return Network(NetworkSpec((64, 16, 10), ("tanh",)), np.random.default_rng(0))


CONFIG = TrainConfig(layers=(64, 16, 10), activation=("tanh",), lr=0.1)


def test_round_trip_restores_every_weight_and_setting(tmp_path, net):
    path = tmp_path / "m.npz"
    save(path, net, CONFIG, epochs_trained=7)
    saved = load(path)
    assert saved.spec == net.spec and saved.config == CONFIG and saved.epochs_trained == 7
    other = Network(saved.spec, np.random.default_rng(99))
    restore(other, saved)
    assert np.array_equal(other.params, net.params)


def test_plain_numpy_reads_the_documented_layout_without_pickle(tmp_path, net):
    path = tmp_path / "m.npz"
    save(path, net, CONFIG, epochs_trained=0)
    with np.load(path, allow_pickle=False) as f:
        assert sorted(f.files) == ["W0", "W1", "b0", "b1", "meta"]
        assert f["W0"].shape == (64, 16) and f["b1"].shape == (10,)
        np.testing.assert_array_equal(f["W1"], net.dense[1].W)
        meta = json.loads(str(f["meta"]))
    assert meta["architecture"] == {
        "sizes": [64, 16, 10],
        "activations": ["tanh"],
        "loss": "cross_entropy",
        "init": "he",
    }
    assert meta["settings"]["lr"] == 0.1


def write(path, **arrays):
    with open(path, "wb") as f:
        np.savez(f, **arrays)


def good_arrays(tmp_path, net):
    path = tmp_path / "good.npz"
    save(path, net, CONFIG, 0)
    with np.load(path) as f:
        return {k: f[k] for k in f.files}


@pytest.mark.parametrize(
    "damage,message",
    [
        (lambda a: a.pop("meta"), "no 'meta'"),
        (lambda a: a.update(meta=np.array("{not json")), "not valid JSON"),
        (lambda a: a.update(W0=np.zeros((63, 16), np.float32)), "W0 has shape"),
        (lambda a: a.update(b1=np.zeros(10, np.int64)), "not floating-point"),
        (lambda a: a.update(W1=np.full((16, 10), np.nan, np.float32)), "NaN or infinite"),
        (lambda a: a.update(W2=np.zeros((3, 3), np.float32)), "unexpected W2"),
        (lambda a: a.pop("b0"), "missing b0"),
    ],
)
def test_damaged_contents_are_refused_with_a_reason(tmp_path, net, damage, message):
    arrays = good_arrays(tmp_path, net)
    damage(arrays)
    path = tmp_path / "bad.npz"
    write(path, **arrays)
    with pytest.raises(SaveFileError, match=message):
        load(path)


def test_wrong_architecture_in_meta_is_refused(tmp_path, net):
    arrays = good_arrays(tmp_path, net)
    meta = json.loads(str(arrays["meta"]))
    meta["architecture"]["activations"] = ["swish"]
    arrays["meta"] = np.array(json.dumps(meta))
    write(tmp_path / "bad.npz", **arrays)
    with pytest.raises(SaveFileError, match="unknown activation"):
        load(tmp_path / "bad.npz")


def test_truncated_corrupt_missing_and_pickled_files_are_refused(tmp_path, net):
    good = tmp_path / "good.npz"
    save(good, net, CONFIG, 0)
    blob = good.read_bytes()
    (tmp_path / "trunc.npz").write_bytes(blob[: len(blob) // 2])
    (tmp_path / "noise.npz").write_bytes(os.urandom(2000))
    (tmp_path / "empty.npz").write_bytes(b"")
    for name in ("trunc.npz", "noise.npz", "empty.npz", "absent.npz"):
        with pytest.raises(SaveFileError):
            load(tmp_path / name)
    with open(tmp_path / "pickle.npz", "wb") as f:
        np.savez(f, meta=np.array([{"evil": 1}], dtype=object), W0=np.zeros((64, 16)))
    with pytest.raises(SaveFileError, match="pickled"):
        load(tmp_path / "pickle.npz")
    with pytest.raises(SaveFileError, match="folder"):
        load(tmp_path)


def test_a_crash_mid_save_leaves_the_old_file_whole(tmp_path, net, monkeypatch):
    path = tmp_path / "m.npz"
    save(path, net, CONFIG, 3)
    before = path.read_bytes()

    def crash(f, **arrays):
        f.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(serialize.np, "savez", crash)
    with pytest.raises(SaveFileError, match="disk full"):
        save(path, net, CONFIG, 4)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]  # no temp file left behind
    assert zipfile.is_zipfile(path)


def test_a_save_removes_what_a_save_of_its_name_killed_midway_left_beside_it(tmp_path, net):
    import time

    hours_ago = time.time() - 2 * 3600
    left = tmp_path / ".m.npz.k9x2_q7z.tmp"  # kill -9 during ctrl+s: hidden, in the person's folder
    under_way = tmp_path / ".m.npz.a1b2c3d4.tmp"  # another app's save of m.npz, just begun
    others = [tmp_path / ".n.npz.k9x2_q7z.tmp", tmp_path / ".m.npz.notmine.tmp"]  # not m.npz's saves
    for path in [left, under_way, *others]:
        path.write_bytes(b"half a network")
        if path != under_way:
            os.utime(path, (hours_ago, hours_ago))
    save(tmp_path / "m.npz", net, CONFIG, 0)
    assert not left.exists() and under_way.exists() and all(p.exists() for p in others)


def test_non_finite_weights_are_never_written(tmp_path, net):
    net.params[0] = np.inf
    with pytest.raises(SaveFileError, match="non-finite"):
        save(tmp_path / "m.npz", net, CONFIG, 0)
    assert not (tmp_path / "m.npz").exists()


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_two_epochs_saved_loaded_and_two_more_equal_four_at_once(tmp_path, optimizer):
    from nnplay import data
    from nnplay.core.train import build

    split = data.load("moons")
    config = TrainConfig(dataset="moons", layers=(2, 8, 1), activation=("relu",), optimizer=optimizer)
    half = build(config, split)
    list(half.run(2))
    save(tmp_path / "half.npz", half.net, config, half.epoch, half.rng, half.optimizer)
    saved = load(tmp_path / "half.npz")
    assert sorted(saved.optimizer_state) == sorted(half.optimizer.state_names)
    resumed = build(config, split, saved)
    list(resumed.run(2))
    whole = build(config, split)
    list(whole.run(4))
    assert resumed.net.params.tobytes() == whole.net.params.tobytes()


@pytest.mark.parametrize("optimizer, steps", [("sgd", 5), ("adam", 5), ("sgd", "all")])
def test_a_network_saved_partway_through_an_epoch_finishes_it_as_if_never_stopped(tmp_path, optimizer, steps):
    from itertools import islice

    from nnplay import data
    from nnplay.core.train import EpochStats, build

    split = data.load("moons")
    config = TrainConfig(dataset="moons", layers=(2, 8, 1), activation=("relu",), optimizer=optimizer)
    half = build(config, split)
    batches = -(-len(split.X_train) // config.batch_size)
    steps = batches if steps == "all" else steps  # "all": stopped before the epoch was counted
    list(islice(half.run(4), 2 * (batches + 1) + steps))  # two epochs and some steps of the third
    assert half.epoch == 2 and half.partial is not None and half.partial["steps"] == steps
    save(tmp_path / "mid.npz", half.net, config, half.epoch, half.rng, half.optimizer, partial=half.partial)
    assert peek(tmp_path / "mid.npz")[:3] == (2, half.partial, "moons")  # for the load dialog's list
    resumed = build(config, split, load(tmp_path / "mid.npz"))
    finished = [r for r in resumed.run(2) if isinstance(r, EpochStats)]
    whole = build(config, split)
    expected = [r for r in whole.run(4) if isinstance(r, EpochStats)][2:]
    assert resumed.net.params.tobytes() == whole.net.params.tobytes()
    assert [r.epoch for r in finished] == [3, 4] and [r.loss for r in finished] == [r.loss for r in expected]


@pytest.mark.parametrize(
    "partial",
    [{"steps": 0}, {"steps": "5", "loss_sum": 1.0, "batch_size": 32, "rng_state": None}, [1, 2]],
)
def test_a_damaged_partial_epoch_is_refused(tmp_path, net, partial):
    path = _meta_damaged(tmp_path, net, lambda m: m.update(partial_epoch=partial))
    with pytest.raises(SaveFileError, match="partial_epoch is invalid"):
        load(path)


def test_a_run_loaded_with_another_optimizer_starts_that_one_afresh(tmp_path):
    from nnplay import data
    from nnplay.core.train import build

    split = data.load("moons")
    config = TrainConfig(dataset="moons", layers=(2, 8, 1), activation=("relu",), optimizer="adam")
    trainer = build(config, split)
    list(trainer.run(1))
    save(tmp_path / "m.npz", trainer.net, config, trainer.epoch, trainer.rng, trainer.optimizer)
    momentum = build(replace(config, optimizer="momentum"), split, load(tmp_path / "m.npz"))
    assert momentum.optimizer.state() == {}


def adam_arrays(tmp_path, net):
    path = tmp_path / "adam.npz"
    config = TrainConfig(layers=(64, 16, 10), activation=("tanh",), optimizer="adam")
    from nnplay.core.optimizers import Adam

    adam = Adam(lr=0.001)
    adam.step(net.params, np.full_like(net.params, 0.5))
    save(path, net, config, 1, optimizer=adam)
    with np.load(path) as f:
        return {k: f[k] for k in f.files}


@pytest.mark.parametrize(
    "damage,message",
    [
        (lambda a: a.update(opt_m=np.zeros(5, np.float32)), "m must be"),
        (lambda a: a.update(opt_v=np.full_like(a["opt_v"], np.nan)), "v holds NaN"),
        (lambda a: a.update(opt_v=-a["opt_v"] - 1), "cannot be negative"),
        # finite in float64, infinite once build() casts it to the network's float32
        (lambda a: a.update(opt_v=np.full(a["opt_v"].shape, 1e300)), "optimizer's v holds values too large"),
        (lambda a: a.update(opt_t=np.array(0)), "whole number of at least 1"),
        (lambda a: a.update(opt_t=np.array(2.5)), "whole number of at least 1"),
        (lambda a: a.pop("opt_t"), "needs m, v, t"),
        (lambda a: a.update(opt_w=np.zeros(3, np.float32)), "needs m, v, t"),
    ],
)
def test_a_damaged_optimizer_state_is_refused_with_a_reason(tmp_path, net, damage, message):
    arrays = adam_arrays(tmp_path, net)
    assert sorted(k for k in arrays if k.startswith("opt_")) == ["opt_m", "opt_t", "opt_v"]
    damage(arrays)
    write(tmp_path / "bad.npz", **arrays)
    with pytest.raises(SaveFileError, match=message):
        load(tmp_path / "bad.npz")


def test_sgd_files_hold_no_optimizer_state_and_refuse_one(tmp_path, net):
    arrays = good_arrays(tmp_path, net)
    assert not any(k.startswith("opt_") for k in arrays)
    arrays["opt_v"] = np.zeros(net.n_params, np.float32)
    write(tmp_path / "bad.npz", **arrays)
    with pytest.raises(SaveFileError, match="SGD state needs nothing"):
        load(tmp_path / "bad.npz")


def test_version_1_files_still_load(tmp_path, net):
    arrays = good_arrays(tmp_path, net)
    meta = json.loads(str(arrays["meta"]))
    meta["version"] = 1
    arrays["meta"] = np.array(json.dumps(meta))
    write(tmp_path / "v1.npz", **arrays)
    assert load(tmp_path / "v1.npz").optimizer_state == {}
    meta["version"] = 3
    arrays["meta"] = np.array(json.dumps(meta))
    write(tmp_path / "v3.npz", **arrays)
    with pytest.raises(SaveFileError, match="version 3; this nnplay reads 1 and 2"):
        load(tmp_path / "v3.npz")


def test_the_history_travels_with_the_network(tmp_path, net):
    from nnplay.core.history import HistoryLog

    log = HistoryLog()
    log.append((1, 2.0, 2.1, 0.3, 0.25))
    log.append((2, 1.0, 1.2, np.nan, np.nan))  # regression has no accuracy
    save(tmp_path / "m.npz", net, CONFIG, 2, history=log.table())
    np.testing.assert_array_equal(load(tmp_path / "m.npz").history, log.table())
    save(tmp_path / "none.npz", net, CONFIG, 2)
    assert load(tmp_path / "none.npz").history.shape == (0, 5)


@pytest.mark.parametrize(
    "rows,message",
    [
        (np.zeros((2, 4)), "rows of 5"),
        (np.array([[2, 1, 1, 0.5, 0.5], [1, 1, 1, 0.5, 0.5]], float), "each larger than the last"),
        (np.array([[1.5, 1, 1, 0.5, 0.5]]), "whole numbers"),
        (np.array([[4, 1, 1, 0.5, 0.5]], float), "between 1 and the 3 trained"),
        (np.array([[1, np.inf, 1, 0.5, 0.5]]), "losses must be finite"),
        (np.array([[1, 1, 1, 1.5, 0.5]]), "fractions from 0 to 1"),
        (np.array([[1, 1, 1, 0.5, 0.5]], np.int64), "rows of 5"),
        (np.array([[1, 1, 1, 0.5, 0.5], [1, 1, 1, 0.5, 0.5]]), "each larger than the last"),  # twice
        (np.array([[0, 1, 1, 0.5, 0.5], [3, 1, 1, 0.5, 0.5]]), "between 1 and the 3 trained"),
        (np.array([[1, 1, 1, -0.5, 0.5]]), "fractions from 0 to 1"),
        (np.array([[1, 1, 1, 0.5, -0.5]]), "fractions from 0 to 1"),
    ],
)
def test_a_damaged_history_is_refused_with_a_reason(tmp_path, net, rows, message):
    arrays = good_arrays(tmp_path, net)
    meta = json.loads(str(arrays["meta"]))
    meta["epochs_trained"] = 3
    arrays["meta"] = np.array(json.dumps(meta))
    arrays["history"] = rows
    write(tmp_path / "bad.npz", **arrays)
    with pytest.raises(SaveFileError, match=message):
        load(tmp_path / "bad.npz")


def test_a_history_load_would_refuse_is_left_out_and_the_network_still_saved(tmp_path, net):
    rows = np.array([[1, np.inf, 1.0, 0.5, 0.5]])  # a loss that overflowed float32
    save(tmp_path / "m.npz", net, CONFIG, 1, history=rows)
    saved = load(tmp_path / "m.npz")
    assert saved.history.shape == (0, 5) and saved.epochs_trained == 1


def test_an_optimizer_state_load_would_refuse_is_left_out_and_the_network_still_saved(tmp_path, net):
    from nnplay.core.optimizers import Momentum

    momentum = Momentum(lr=0.1)
    momentum.step(net.params.copy(), np.full_like(net.params, np.inf))  # its velocity overflowed
    config = TrainConfig(layers=(64, 16, 10), activation=("tanh",), optimizer="momentum")
    save(tmp_path / "m.npz", net, config, 1, optimizer=momentum)
    assert load(tmp_path / "m.npz").optimizer_state == {}


def test_files_of_other_kinds_are_named_for_what_they_are(tmp_path, net):
    (tmp_path / "notes.txt").write_text("hello\n")
    with pytest.raises(SaveFileError, match="not an .npz file") as refused:
        load(tmp_path / "notes.txt")
    assert "pickle" not in str(refused.value)
    import pickle

    (tmp_path / "model.pkl").write_bytes(pickle.dumps({"W0": [1.0]}))
    with pytest.raises(SaveFileError, match="pickled"):
        load(tmp_path / "model.pkl")
    with pytest.raises(SaveFileError, match="cannot read .*: Not a directory"):
        load(tmp_path / "notes.txt" / "m.npz")


def test_a_name_too_long_for_the_file_system_is_refused_not_raised(tmp_path, net):
    long = tmp_path / ("a" * 300 + ".npz")
    with pytest.raises(SaveFileError, match="too long") as refused:
        paths.check_writable(long)
    assert len(str(refused.value)) < 200  # the name is shortened in the message
    with pytest.raises(SaveFileError, match="too long"):
        load(long)
    with pytest.raises(SaveFileError):
        save(long, net, CONFIG, 0)


def test_saved_files_get_the_mode_any_new_file_would(tmp_path, net):
    old = os.umask(0o022)
    try:
        save(tmp_path / "new.npz", net, CONFIG, 0)
    finally:
        os.umask(old)
    assert (tmp_path / "new.npz").stat().st_mode & 0o777 == 0o644  # readable by a class, not 0600
    (tmp_path / "kept.npz").write_bytes(b"")
    (tmp_path / "kept.npz").chmod(0o640)
    save(tmp_path / "kept.npz", net, CONFIG, 0)
    assert (tmp_path / "kept.npz").stat().st_mode & 0o777 == 0o640  # overwriting keeps the mode


def test_a_read_only_file_is_refused_not_replaced(tmp_path, net):
    # A teacher's hand-out made read-only (chmod 444) is not to be saved over: np.savez
    # refuses it, but a rename over it in a writable folder went ahead, even as another user.
    handout = tmp_path / "handout.npz"
    save(handout, net, CONFIG, 3)
    handout.chmod(0o444)
    with pytest.raises(SaveFileError, match="handout.npz is read-only"):
        paths.check_writable(handout)
    with pytest.raises(SaveFileError, match="read-only"):
        save(handout, net, CONFIG, 5)
    assert load(handout).epochs_trained == 3


def test_a_symbolic_link_is_written_through_and_stays_a_link(tmp_path, net):
    (tmp_path / "real").mkdir()
    save(tmp_path / "real" / "m.npz", net, CONFIG, 0)
    (tmp_path / "link.npz").symlink_to(tmp_path / "real" / "m.npz")
    save(tmp_path / "link.npz", net, CONFIG, 5)
    assert (tmp_path / "link.npz").is_symlink()
    assert load(tmp_path / "real" / "m.npz").epochs_trained == 5
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["m.npz"]  # no temporary file left


def test_a_device_or_pipe_is_refused_not_replaced(tmp_path, net):
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)  # like /dev/null: not a regular file; renaming over it would replace it
    with pytest.raises(SaveFileError, match="not a regular file"):
        paths.check_writable(pipe)
    with pytest.raises(SaveFileError, match="not a regular file"):
        save(pipe, net, CONFIG, 0)
    assert not pipe.is_file() and pipe.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def _meta_damaged(tmp_path, net, change):
    arrays = good_arrays(tmp_path, net)
    meta = json.loads(str(arrays["meta"]))
    change(meta)
    arrays["meta"] = np.array(json.dumps(meta))
    write(tmp_path / "bad.npz", **arrays)
    return tmp_path / "bad.npz"


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda m: m.update(epochs_trained=float("inf")), "epochs_trained must be a whole number"),
        (lambda m: m.update(epochs_trained=-5), "epochs_trained must be a whole number"),
        (lambda m: m.update(epochs_trained=3.7), "epochs_trained must be a whole number"),
        (lambda m: m.update(epochs_trained="7"), "epochs_trained must be a whole number"),
        (lambda m: m.update(epochs_trained=10**30), "epochs_trained must be a whole number"),
        (lambda m: m["architecture"]["sizes"].insert(1, float("inf")), "architecture or settings"),
        (lambda m: m["architecture"].update(sizes=[64, 16.5, 10]), "sizes must be whole numbers"),
        (lambda m: m["architecture"].update(sizes=[64, True, 10]), "sizes must be whole numbers"),
        (lambda m: m.update(version=True), "format version True"),
        (lambda m: m["settings"].update(activation=["sigmoid"]), "disagree on the activations"),
        (lambda m: m["settings"].update(init="xavier"), "disagree on the initialisation"),
    ],
)
def test_damaged_meta_is_refused_with_a_reason_not_a_crash(tmp_path, net, change, message):
    with pytest.raises(SaveFileError, match=message):
        load(_meta_damaged(tmp_path, net, change))


def test_weights_too_large_for_float32_are_refused(tmp_path, net):
    arrays = good_arrays(tmp_path, net)
    arrays["W1"] = arrays["W1"].astype(np.float64)
    arrays["W1"][0, 0] = 1e300  # finite, but infinite once trained as float32
    write(tmp_path / "bad.npz", **arrays)
    with pytest.raises(SaveFileError, match="W1 holds values too large"):
        load(tmp_path / "bad.npz")


@pytest.mark.parametrize(
    "change",
    [
        lambda s: s["state"].update(state=10**60),
        lambda s: s["state"].update(state=-1),
        lambda s: s["state"].update(inc="x"),
        lambda s: s.pop("state"),
        lambda s: s.update(bit_generator="MT19937"),
    ],
)
def test_a_damaged_shuffling_state_is_refused_with_a_reason(tmp_path, net, change):
    state = np.random.default_rng(0).bit_generator.state
    change(state)
    with pytest.raises(SaveFileError, match="the shuffling state is invalid"):
        load(_meta_damaged(tmp_path, net, lambda m: m.update(rng_state=state)))


def test_a_file_without_a_shuffling_state_loads(tmp_path, net):
    save(tmp_path / "m.npz", net, CONFIG, 0)  # no generator given: nothing to carry on
    assert load(tmp_path / "m.npz").rng_state is None


def test_a_file_whose_loss_does_not_fit_its_data_set_is_refused(tmp_path, net):
    from nnplay import data
    from nnplay.core.config import ConfigError

    save(tmp_path / "m.npz", net, CONFIG, 0)
    path = _meta_damaged(tmp_path, net, lambda m: m["architecture"].update(loss="mse"))
    saved = load(path)  # the file alone is consistent; the data set decides the loss
    with pytest.raises(ConfigError, match="digits data set needs cross_entropy"):
        data.check(saved.config, saved.spec.loss)
    data.check(load(tmp_path / "m.npz").config, load(tmp_path / "m.npz").spec.loss)


def test_loading_a_pipe_is_refused_at_once_not_waited_on(tmp_path):
    pipe = tmp_path / "fifo.npz"
    os.mkfifo(pipe)  # opening it to read would wait for a writer for ever
    with pytest.raises(SaveFileError, match="not a regular file"):
        load(pipe)


@pytest.mark.parametrize(
    "change, fragment",
    [
        (dict(layers=(64, 32, 10)), "disagree on the layer sizes"),
        (dict(init="xavier"), "disagree on the initialisation"),
        (dict(activation=("tanh",)), "disagree on the activations"),
        (dict(lr=0.0), "more than zero"),
    ],
)
def test_save_refuses_settings_that_load_would_refuse_and_keeps_the_old_file(tmp_path, change, fragment):
    from dataclasses import replace

    from nnplay.core.config import TrainConfig

    rng = np.random.default_rng(0)
    net = Network(NetworkSpec((64, 16, 10), ("relu",)), rng)
    config = TrainConfig(layers=(64, 16, 10))
    path = tmp_path / "m.npz"
    save(path, net, config, 0)
    before = path.read_bytes()
    with pytest.raises(SaveFileError, match=fragment):  # once: written, then refused by load()
        save(path, net, replace(config, **change), 0)
    assert path.read_bytes() == before
    load(path)


def _arrays_read(monkeypatch):
    """The names of the entries load() reads from the file, in order."""
    read = []
    real = np.lib.npyio.NpzFile.__getitem__

    def spy(self, key):
        read.append(key)
        return real(self, key)

    monkeypatch.setattr(np.lib.npyio.NpzFile, "__getitem__", spy)
    return read


def test_a_file_whose_architecture_needs_too_much_memory_is_refused_before_its_arrays_are_read(
    tmp_path, net, monkeypatch
):
    sizes = [64, 20000, 20000, 10]  # 1.6 GB of float32 zeros, a few MB compressed
    arrays = good_arrays(tmp_path, net)
    meta = json.loads(str(arrays["meta"]))
    meta["architecture"]["sizes"] = meta["settings"]["layers"] = sizes
    meta["architecture"]["activations"] = ["tanh", "tanh"]
    arrays = {"meta": np.array(json.dumps(meta))}
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        arrays[f"W{i}"], arrays[f"b{i}"] = np.zeros((a, min(b, 10)), np.float32), np.zeros(b, np.float32)
    np.savez_compressed(tmp_path / "big.npz", **arrays)
    read = _arrays_read(monkeypatch)
    with pytest.raises(SaveFileError, match=r"needs about .* GiB, over the 2 GiB limit"):
        load(tmp_path / "big.npz")
    assert read == ["meta"]


def test_an_entry_larger_than_its_shape_needs_is_refused_unread(tmp_path, net, monkeypatch):
    arrays = good_arrays(tmp_path, net)
    arrays["W1"] = np.zeros((16, 100_000), np.float32)  # 6.4 MB unpacked, tiny packed
    np.savez_compressed(tmp_path / "bomb.npz", **arrays)
    read = _arrays_read(monkeypatch)
    with pytest.raises(SaveFileError, match="W1 holds far more numbers than the architecture has room for"):
        load(tmp_path / "bomb.npz")
    assert "W1" not in read


def test_an_entry_that_is_not_an_npy_array_is_refused_not_a_crash(tmp_path, net):
    save(tmp_path / "m.npz", net, CONFIG, 0)
    with zipfile.ZipFile(tmp_path / "m.npz") as z:
        entries = {info.filename: z.read(info) for info in z.infolist()}
    entries["W0.npy"] = b"NOTNUMPY" + entries["W0.npy"][8:]  # np.load hands this back as bytes
    with zipfile.ZipFile(tmp_path / "bad.npz", "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    with pytest.raises(SaveFileError, match="W0 is not a NumPy array"):
        load(tmp_path / "bad.npz")


@pytest.mark.parametrize(
    "text",
    ["[" * 100_000 + "]" * 100_000, '{"format": "nnplay", "epochs_trained": ' + "9" * 5000 + "}"],
    ids=["nested 100,000 deep", "a 5,000-digit integer"],
)
def test_json_that_python_cannot_parse_is_refused_not_a_crash(tmp_path, net, text):
    arrays = good_arrays(tmp_path, net)
    arrays["meta"] = np.array(text)
    write(tmp_path / "bad.npz", **arrays)
    with pytest.raises(SaveFileError, match="'meta' is not valid JSON"):
        load(tmp_path / "bad.npz")


def test_a_path_is_shown_with_its_name_first_and_home_as_a_tilde(tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / "lessons").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(home / "lessons")
    assert paths.name_and_folder("m.npz") == f"m.npz in {os.path.join('~', 'lessons')}"
    assert paths.name_and_folder(home / "m.npz") == "m.npz in ~"
    assert paths.name_and_folder(tmp_path / "m.npz") == f"m.npz in {tmp_path}"
    assert paths.name_and_folder(f"{home}2/m.npz") == f"m.npz in {home}2"  # not ~2


def test_a_total_below_the_epochs_trained_is_saved_and_loaded_as_the_epochs_trained(tmp_path, net):
    save(tmp_path / "m.npz", net, replace(CONFIG, epochs=2), epochs_trained=5)
    assert load(tmp_path / "m.npz").config.epochs == 5  # done: the app must not read it as --epochs 2

    def as_older_nnplay_train_wrote_it(meta):
        meta["epochs_trained"], meta["settings"]["epochs"] = 5, 2

    assert load(_meta_damaged(tmp_path, net, as_older_nnplay_train_wrote_it)).config.epochs == 5


def test_a_total_not_past_an_epoch_begun_is_saved_and_loaded_as_that_epoch(tmp_path, net):
    # nnplay train --load (2 epochs and 5 steps) --epochs 2 --save wrote a total of 2: the app
    # then refused the file it had not been given an --epochs for ("--epochs 2 is below epoch 3")
    rng = np.random.default_rng(0)
    partial = {"steps": 5, "loss_sum": 1.0, "batch_size": 32, "rng_state": rng.bit_generator.state}
    save(tmp_path / "m.npz", net, replace(CONFIG, epochs=2), 2, rng, partial=partial)
    assert load(tmp_path / "m.npz").config.epochs == 3  # epoch 3 is begun: a total to finish it

    def as_older_nnplay_train_wrote_it(meta):
        meta.update(epochs_trained=2, partial_epoch=partial, rng_state=rng.bit_generator.state)
        meta["settings"]["epochs"] = 2

    assert load(_meta_damaged(tmp_path, net, as_older_nnplay_train_wrote_it)).config.epochs == 3


def test_peek_reads_the_epochs_and_data_set_and_nothing_from_other_files(tmp_path, net):
    save(tmp_path / "m.npz", net, CONFIG, epochs_trained=7)
    layers = "→".join(map(str, CONFIG.layers))
    assert peek(tmp_path / "m.npz") == (7, None, "digits", f"{layers} {CONFIG.optimizer}")
    (tmp_path / "text.npz").write_text("not a network")
    np.savez(tmp_path / "other.npz", a=np.zeros(3))
    os.mkfifo(tmp_path / "pipe.npz")
    for name in ("text.npz", "other.npz", "pipe.npz", "missing.npz"):
        assert peek(tmp_path / name) is None


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_the_room_a_save_needs_is_enough_and_not_far_more(tmp_path, digits, optimizer):
    # A long run's history outgrew the estimate (a full disk refused the file after training),
    # and Adam's step count, one number, was counted as a weight-sized array.
    import dataclasses

    from nnplay.core.config import TrainConfig
    from nnplay.core.history import HistoryLog
    from nnplay.core.train import EpochStats, build

    config = TrainConfig(layers=(64, 32, 10), optimizer=optimizer, epochs=2)
    trainer = build(config, digits)
    log = HistoryLog()
    for record in trainer.run(2):
        if isinstance(record, EpochStats):
            log.add(record)
    for epoch in range(3, 3003):  # as a long run's: the figures repeat, the rows are what count
        log.add(dataclasses.replace(record, epoch=epoch))
    needed = serialize.needed_bytes(trainer.net, trainer.optimizer, 3002)
    save(tmp_path / "m.npz", trainer.net, config, 3002, trainer.rng, trainer.optimizer, log.table())
    written = (tmp_path / "m.npz").stat().st_size
    assert written <= needed < written + 100 * 1024


def test_an_empty_name_and_a_single_npy_array_are_refused_for_what_they_are(tmp_path):
    for blank in ("", "   "):
        with pytest.raises(SaveFileError, match="no file name given"):
            load(blank)
    np.save(tmp_path / "weights.npy", np.zeros((64, 16)))
    with pytest.raises(SaveFileError, match=r"an \.npy array, not an \.npz file"):
        load(tmp_path / "weights.npy")


def test_restoring_weights_of_other_sizes_is_refused_and_changes_nothing(tmp_path, net):
    # same number of layers, another hidden size: a copy layer by layer would fail partway,
    # the first layer overwritten and the second not
    other = Network(NetworkSpec((64, 32, 10), ("tanh",)), np.random.default_rng(1))
    save(tmp_path / "m.npz", other, replace(CONFIG, layers=(64, 32, 10)), 0)
    before = net.params.copy()
    with pytest.raises(SaveFileError, match="layer sizes differ"):
        restore(net, load(tmp_path / "m.npz"))
    np.testing.assert_array_equal(net.params, before)


def test_a_folder_that_takes_no_new_file_at_save_time_is_a_message_not_a_crash(tmp_path, net, monkeypatch):
    # check_writable passed, then the folder changed (made read-only, the disk unmounted)
    import tempfile

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refused)
    monkeypatch.setattr(serialize, "check_writable", lambda path: None)
    with pytest.raises(SaveFileError, match="cannot write to .*Permission denied"):
        save(tmp_path / "m.npz", net, CONFIG, 0)
    assert not (tmp_path / "m.npz").exists()


def test_peek_lists_only_nnplay_files_and_describes_only_what_load_would_take(tmp_path, net):
    def as_another_program_wrote_it(meta):
        meta["format"] = "keras"

    assert peek(_meta_damaged(tmp_path, net, as_another_program_wrote_it)) is None

    def with_layers_as_text(meta):
        meta["settings"]["layers"] = "64,16,10"

    # a damaged file is still listed (load() says what is wrong), without a made-up description
    assert peek(_meta_damaged(tmp_path, net, with_layers_as_text)) == (0, None, "digits", "")


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_the_room_a_save_needs_counts_the_optimizer_state_of_a_wide_network(tmp_path, digits, optimizer):
    # The state arrays are as large as the weights: past the estimate's slack for settings
    # on a wide network, a full disk would refuse the file after training.
    from nnplay.core.train import build

    config = TrainConfig(layers=(64, 1024, 10), optimizer=optimizer, epochs=1)
    trainer = build(config, digits)
    for _ in zip(range(2), trainer.run(1), strict=False):  # two steps: the state is not zeros
        pass
    needed = serialize.needed_bytes(trainer.net, trainer.optimizer, 1)
    save(tmp_path / "m.npz", trainer.net, config, 0, trainer.rng, trainer.optimizer)
    assert (tmp_path / "m.npz").stat().st_size <= needed


@pytest.mark.parametrize(
    "error, message",
    [
        (PermissionError(13, "Permission denied"), "permission denied"),
        (OSError("unexpected end of data"), "not a readable .npz file"),
        (RuntimeError("bad header"), "damaged and cannot be read"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_reason_never_returned_as_none(
    tmp_path, net, monkeypatch, error, message
):
    # Permission is refused to users other than root, which the tests may run as.
    save(tmp_path / "m.npz", net, CONFIG, 0)

    def failing(*args, **kwargs):
        raise error

    monkeypatch.setattr(np, "load", failing)
    with pytest.raises(SaveFileError, match=message):
        load(tmp_path / "m.npz")


def _with_partial(**damage):
    state = np.random.default_rng(0).bit_generator.state
    partial = {"steps": 3, "loss_sum": 6.5, "batch_size": 32, "rng_state": state} | damage
    return lambda meta: meta.update(rng_state=state, partial_epoch=partial)


def test_an_epoch_saved_partway_loads_with_how_far_it_came(tmp_path, net):
    saved = load(_meta_damaged(tmp_path, net, _with_partial()))
    assert saved.partial["steps"] == 3 and saved.config.epochs >= 1


@pytest.mark.parametrize(
    "damage",
    [
        {"steps": 0},
        {"steps": True},
        {"steps": 10**9 + 1},
        {"batch_size": 0},
        {"batch_size": "32"},
        {"batch_size": 10**9 + 1},
        {"loss_sum": "6.5"},
        {"loss_sum": float("nan")},
        {"loss_sum": float("inf")},
        {"rng_state": {"bit_generator": "PCG64"}},
    ],
    ids=str,
)
def test_each_damage_to_a_partial_epoch_is_refused_alone(tmp_path, net, damage):
    # each field on its own: the app would resume the epoch from it, and a string or NaN
    # there was a crash or a loss curve of NaN
    with pytest.raises(SaveFileError, match="partial_epoch is invalid"):
        load(_meta_damaged(tmp_path, net, _with_partial(**damage)))
    assert peek(tmp_path / "bad.npz")[1] is None  # the load list does not offer it as partway


def test_a_meta_entry_of_another_kind_or_program_is_refused_for_what_it_is(tmp_path, net):
    arrays = good_arrays(tmp_path, net)
    as_text = str(arrays["meta"])
    write(tmp_path / "list.npz", **(arrays | {"meta": np.array([as_text])}))
    with pytest.raises(SaveFileError, match="'meta' must be a JSON string"):
        load(tmp_path / "list.npz")
    with pytest.raises(SaveFileError, match="is not an nnplay file"):
        load(_meta_damaged(tmp_path, net, lambda m: m.update(format="keras")))
    huge = json.loads(as_text) | {"notes": "x" * 2 * 1024**2}
    write(tmp_path / "huge.npz", **(arrays | {"meta": np.array(json.dumps(huge))}))
    with pytest.raises(SaveFileError, match="'meta' is too large"):
        load(tmp_path / "huge.npz")


def test_a_wide_network_trained_for_no_epochs_round_trips(tmp_path):
    # the bound on each entry's size is its own shape's, not the history's (0 rows here)
    wide = Network(NetworkSpec((64, 2048, 10), ("tanh",)), np.random.default_rng(0))
    save(tmp_path / "wide.npz", wide, replace(CONFIG, layers=(64, 2048, 10)), 0)
    restored = Network(NetworkSpec((64, 2048, 10), ("tanh",)), np.random.default_rng(1))
    restore(restored, load(tmp_path / "wide.npz"))
    np.testing.assert_array_equal(restored.params, wide.params)


@pytest.mark.parametrize(
    "change",
    [
        _with_partial(steps=1, batch_size=1),  # a network paused after its first step
        _with_partial(batch_size=10**9),  # the largest batch size the settings take
        lambda meta: meta.update(epochs_trained=10**9),
    ],
    ids=["first step", "largest batch", "most epochs"],
)
def test_the_limits_of_what_a_file_may_say_are_themselves_allowed(tmp_path, net, change):
    load(_meta_damaged(tmp_path, net, change))  # no SaveFileError


def test_fewer_epochs_than_none_are_refused(tmp_path, net):
    with pytest.raises(SaveFileError, match="epochs_trained must be a whole number from 0"):
        load(_meta_damaged(tmp_path, net, lambda meta: meta.update(epochs_trained=-1)))


@pytest.mark.parametrize(
    "partial",
    [[3, 6.5, 32], {"steps": 3, "loss_sum": 6.5, "batch_size": 32}, "3 steps"],
    ids=["a list", "a key missing", "text"],
)
def test_a_partial_epoch_of_another_shape_is_refused_and_not_listed_as_partway(tmp_path, net, partial):
    state = np.random.default_rng(0).bit_generator.state  # a good shuffling state beside it
    path = _meta_damaged(tmp_path, net, lambda meta: meta.update(rng_state=state, partial_epoch=partial))
    with pytest.raises(SaveFileError, match="partial_epoch is invalid"):
        load(path)
    assert peek(path) == (0, None, "digits", f"64→16→10 {CONFIG.optimizer}")


def test_what_replaces_the_old_file_has_reached_the_disk_first(tmp_path, net, monkeypatch):
    # a power cut just after the rename must not leave a file of zeros where the network was
    synced = {}
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        real_fsync(fd)
        synced[fd] = os.fstat(fd).st_size

    def replace_(src, dst):
        assert synced and max(synced.values()) == os.stat(src).st_size  # all of it, synced
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace_)
    save(tmp_path / "m.npz", net, CONFIG, 0)
    assert load(tmp_path / "m.npz").epochs_trained == 0


def test_the_largest_float32_weight_is_not_too_large(tmp_path, net):
    arrays = good_arrays(tmp_path, net)
    arrays["W0"] = arrays["W0"].copy()
    arrays["W0"][0, 0] = np.finfo(np.float32).max
    write(tmp_path / "edge.npz", **arrays)
    assert load(tmp_path / "edge.npz").weights[0][0][0, 0] == np.finfo(np.float32).max


def test_peek_does_not_read_a_meta_entry_too_large_to_be_nnplays(tmp_path, net):
    # the load dialog peeks at every .npz in the folder: a meta of gigabytes (compressed to
    # little) stalled its list, though load() refuses any meta over 1 MiB unread
    from nnplay.core.saved_file import META_BYTES

    arrays = good_arrays(tmp_path, net)
    padded = str(arrays["meta"]) + " " * META_BYTES  # valid JSON still, past the limit
    arrays["meta"] = np.array(padded)
    write(tmp_path / "big.npz", **arrays)
    assert peek(tmp_path / "big.npz") is None
    with pytest.raises(SaveFileError, match="'meta' is too large"):
        load(tmp_path / "big.npz")
