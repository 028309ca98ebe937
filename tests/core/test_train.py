import math
import time
from dataclasses import replace

import numpy as np
import pytest

from nnplay import data
from nnplay.core.config import TrainConfig
from nnplay.core.serialize import load, save
from nnplay.core.train import LOSS_GROWTH, Diverged, EpochStats, StepStats, build


def records(trainer, epochs):
    return list(trainer.run(epochs))


def test_one_record_per_step_and_per_epoch(digits):
    trainer = build(TrainConfig(), digits)
    out = records(trainer, 2)
    steps = [r for r in out if isinstance(r, StepStats)]
    epochs = [r for r in out if isinstance(r, EpochStats)]
    batches = math.ceil(1437 / 32)
    assert len(steps) == 2 * batches and [e.epoch for e in epochs] == [1, 2]
    assert isinstance(out[batches], EpochStats)  # the epoch record follows its last step
    assert [s.step for s in steps] == list(range(1, 2 * batches + 1))
    first = [s.loss for s in steps if s.epoch == 1]
    assert epochs[0].loss == pytest.approx(np.mean(first))
    assert all(len(s.grad_norms) == 3 and min(s.grad_norms) > 0 for s in steps)
    e = epochs[1]
    assert 0 <= e.train_acc <= 1 and 0 <= e.test_acc <= 1 and e.seconds > 0 and e.samples_per_s > 0
    assert len(e.grad_norms) == len(e.weight_norms) == 3


def test_same_seed_and_config_give_bit_identical_runs(digits):
    a, b = build(TrainConfig(seed=3), digits), build(TrainConfig(seed=3), digits)
    la = [r.loss for r in records(a, 3) if isinstance(r, StepStats)]
    lb = [r.loss for r in records(b, 3) if isinstance(r, StepStats)]
    assert la == lb
    assert a.net.params.tobytes() == b.net.params.tobytes()
    c = build(TrainConfig(seed=4), digits)
    records(c, 1)
    assert c.net.params.tobytes() != a.net.params.tobytes()


def test_the_caller_can_pause_step_and_stop(digits):
    trainer = build(TrainConfig(), digits)
    run = trainer.run(5)
    before = trainer.net.params.copy()
    first = next(run)
    assert isinstance(first, StepStats) and trainer.step == 1
    assert not np.array_equal(before, trainer.net.params)
    paused = trainer.net.params.copy()
    time.sleep(0.05)  # a caller that does not pull: the generator must not run on by itself
    assert np.array_equal(paused, trainer.net.params)
    next(run)
    assert trainer.step == 2
    run.close()
    assert trainer.epoch == 0 and trainer.step == 2


def test_learning_rate_changed_mid_run_applies_to_the_next_step(digits):
    trainer = build(TrainConfig(), digits)
    run = trainer.run(1)
    next(run)
    trainer.optimizer.lr = 0.0
    frozen = trainer.net.params.copy()
    next(run)
    assert np.array_equal(frozen, trainer.net.params)
    trainer.optimizer.lr = 0.5
    next(run)
    assert not np.array_equal(frozen, trainer.net.params)


def test_batch_larger_than_the_training_set_means_full_batch(digits):
    trainer = build(TrainConfig(batch_size=100_000), digits)
    out = records(trainer, 2)
    assert [type(r).__name__ for r in out] == ["StepStats", "EpochStats"] * 2
    assert out[0].batches == 1


@pytest.mark.parametrize("lr", [50.0, 1e10], ids=["checked at the epoch's end", "nan mid-epoch"])
def test_divergence_stops_with_a_reason_and_finite_weights(digits, lr):
    trainer = build(TrainConfig(lr=lr), digits)
    with np.errstate(over="ignore", invalid="ignore"):  # the blow-up is the point
        out = records(trainer, 20)
    assert isinstance(out[-1], Diverged)
    epoch_started_at = max((r.step for r in out if isinstance(r, StepStats) and r.batch == 0), default=1) - 1
    assert out[-1].step > trainer.step == epoch_started_at  # the undone steps no longer count
    assert "diverged" in out[-1].reason and "learning rate" in out[-1].reason
    done = sum(isinstance(r, StepStats) and r.epoch == out[-1].epoch for r in out)  # steps it survived
    where = "at its end" if done == 45 else f"at step {done + 1} of 45"  # as the pane counts, not a total
    assert f"in epoch {out[-1].epoch}, {where}:" in out[-1].reason
    assert np.isfinite(trainer.net.params).all()
    assert not any(isinstance(r, StepStats) and not math.isfinite(r.loss) for r in out)


def test_a_divergence_from_too_strong_l2_names_l2_not_the_learning_rate(digits):
    trainer = build(TrainConfig(layers=(64, 16, 10), l2=300.0), digits)  # lr 0.01 x 300 = 3 per step
    (diverged,) = [r for r in records(trainer, 2) if isinstance(r, Diverged)]
    assert "L2 300 is too strong for the learning rate 0.01" in diverged.reason
    assert "an l2 of 0.01 or less" in diverged.reason and "try 0.001" not in diverged.reason
    assert diverged.cure == "lower l2 to 0.01 or less"  # for a status line


def test_a_divergence_under_adam_with_l2_names_the_learning_rate(digits):
    # lr x l2 = 1, which would be strong decay for SGD, but Adam's steps are about lr whatever
    # the decay: lowering l2 alone leaves it diverging, as it does with no l2 at all.
    config = TrainConfig(optimizer="adam", lr=2.0, l2=0.5)  # the seed's 64,128,64,10
    (diverged,) = [r for r in records(build(config, digits), 1) if isinstance(r, Diverged)]
    assert "learning rate 2 is probably too high" in diverged.reason and "L2" not in diverged.reason
    assert diverged.cure == "lower lr to 0.1"


def test_a_divergence_with_a_small_l2_and_a_huge_learning_rate_names_the_learning_rate(digits):
    # lr x l2 = 1e5 is past momentum's limit, but 0.0001 is a usual l2: lowering lr is the cure
    config = TrainConfig(layers=(64, 16, 10), optimizer="momentum", lr=1e9, l2=1e-4)
    with np.errstate(over="ignore", invalid="ignore"):  # as the app and nnplay train run it
        (diverged,) = [r for r in records(build(config, digits), 1) if isinstance(r, Diverged)]
    assert diverged.cure == "lower lr to 0.1" and "L2" not in diverged.reason


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_after_a_divergence_a_lower_rate_carries_on_from_the_state_put_back(digits, optimizer):
    trainer = build(TrainConfig(layers=(64, 16, 10), optimizer=optimizer, lr=50.0), digits)
    assert isinstance(records(trainer, 1)[-1], Diverged)
    assert trainer.optimizer.state() == {}  # as at the epoch's start: no momentum from the blow-up
    trainer.optimizer.lr = 0.001  # as the message advises
    out = records(trainer, 1)  # once: momentum's velocity from the diverging steps blew it up again
    assert isinstance(out[-1], EpochStats) and math.isfinite(out[-1].loss)


@pytest.mark.parametrize("before,after", [("momentum", "adam"), ("adam", "momentum"), ("sgd", "adam")])
def test_an_optimizer_swapped_in_mid_epoch_starts_afresh_when_that_epoch_diverges(digits, before, after):
    # The app swaps in a new optimizer when its field changes mid-run. The epoch's start
    # held the old one's state: Adam given momentum's {"v"} raised KeyError, and momentum
    # given Adam's would have taken squared gradients for its velocity.
    config = TrainConfig(layers=(64, 16, 10), optimizer=before, lr=0.01)
    trainer = build(config, digits)
    run = trainer.run(2)
    while not isinstance(next(run), EpochStats):  # epoch 1, so the old optimizer has state
        pass
    if before != "sgd":
        assert trainer.optimizer.state()
    start_of_epoch_2 = trainer.net.params.copy()
    next(run)  # a step into epoch 2
    from nnplay.core.train import make_optimizer

    trainer.optimizer = make_optimizer(TrainConfig(optimizer=after, lr=1e9))
    with np.errstate(over="ignore", invalid="ignore"):
        rest = list(run)
    assert isinstance(rest[-1], Diverged) and rest[-1].epoch == 2
    assert trainer.optimizer.state() == {}
    assert np.array_equal(trainer.net.params, start_of_epoch_2)
    trainer.optimizer.lr = 0.001
    assert isinstance(records(trainer, 1)[-1], EpochStats)


def test_a_file_with_a_huge_but_harmless_weight_trains_on(digits, tmp_path):
    trainer = build(TrainConfig(), digits)
    trainer.net.dense[0].W[0, 0] = 3e38  # pixel 0 is blank in every digit: this weight does nothing
    save(tmp_path / "huge.npz", trainer.net, TrainConfig(), 0)
    loaded = build(TrainConfig(), digits, load(tmp_path / "huge.npz"))
    assert not any(isinstance(r, Diverged) for r in records(loaded, 1))


def test_a_lucky_first_batch_is_not_the_yardstick_for_divergence():
    # Batch 1 on sine, seed 0: the first sample's loss is 0.0004 against 2.4 over the whole set,
    # so the first epoch's 0.23 would read as 'grew 500 times' and no learning rate could train it.
    config = TrainConfig(dataset="sine", layers=(1, 128, 64, 1), batch_size=1, lr=0.001, seed=0)
    trainer = build(config, data.load("sine"))
    assert trainer.first_loss > 1  # the untrained network's loss on the whole training set
    out = records(trainer, 1)
    first_step = next(r for r in out if isinstance(r, StepStats))
    epoch = next(r for r in out if isinstance(r, EpochStats))
    assert epoch.loss > first_step.loss * LOSS_GROWTH  # measured from the lucky batch, it diverged
    assert not any(isinstance(r, Diverged) for r in out) and trainer.epoch == 1


def test_the_seed_experiment_lands_in_its_measured_band(digits):
    """The tutorial's 100-epoch run, seed 0. Over seeds 0-9 nnplay measured
    (benchmarks/seed_table.py): test accuracy at epoch 100 96.7-97.2%, loss at
    epoch 90 (0-based) 0.071-0.087, test accuracy at epoch 10 86.9-91.1%."""
    trainer = build(TrainConfig(), digits)
    trainer.step_grad_norms = False
    epochs = {r.epoch: r for r in records(trainer, 100) if isinstance(r, EpochStats)}
    assert 0.86 <= epochs[11].test_acc <= 0.93
    assert 0.065 <= epochs[91].loss <= 0.095
    assert 0.955 <= epochs[100].test_acc <= 0.985
    assert epochs[100].train_acc > 0.975


@pytest.mark.parametrize("name", ["moons", "circles", "xor", "spiral"])
def test_binary_sets_are_learnable_with_sigmoid_and_bce(name):
    config = TrainConfig(dataset=name, layers=(2, 32, 32, 1), optimizer="adam", lr=0.01, epochs=150)
    data.check(config)
    trainer = build(config, data.load(name))
    assert trainer.net.spec.loss == "binary_cross_entropy"
    last = [r for r in records(trainer, 150) if isinstance(r, EpochStats)][-1]
    assert last.test_acc > 0.9


def test_regression_set_is_learnable_with_mse():
    config = TrainConfig(
        dataset="sine", layers=(1, 32, 32, 1), activation=("tanh",), optimizer="adam", lr=0.01
    )
    trainer = build(config, data.load("sine"))
    out = [r for r in records(trainer, 100) if isinstance(r, EpochStats)]
    assert out[-1].train_acc is None and out[-1].test_acc is None
    assert out[-1].test_loss < 0.02 < out[0].test_loss


def test_a_step_that_blows_the_weights_up_is_caught_by_a_caller_that_pauses_after_it(digits):
    # Its loss is taken before its update: only the next step would have said so. A caller
    # that paused here kept, and saved, weights near 1e28 whose predictions were all NaN.
    trainer = build(TrainConfig(layers=(64, 16, 10)), digits)
    run = trainer.run(2)
    next(run)
    assert trainer.check_paused() is None  # an ordinary step
    before = trainer.net.params.copy()
    trainer.optimizer.lr = 1e30
    with np.errstate(over="ignore", invalid="ignore"):
        next(run)
    diverged = trainer.check_paused()
    assert diverged is not None and "after step 2 of 45" in diverged.reason
    assert "weights grew" in diverged.reason and diverged.cure == "lower lr to 0.1"
    assert trainer.step == 0 and trainer.partial is None  # back to the epoch's start
    assert not np.array_equal(trainer.net.params, before)  # which is before the first step too
    fresh = build(TrainConfig(layers=(64, 16, 10)), digits)
    assert trainer.net.params.tobytes() == fresh.net.params.tobytes()


def test_a_last_step_that_leaves_nan_weights_is_a_divergence_and_the_weights_put_back_are_finite(digits):
    # lr 1e300 is a finite number the settings take: as float32 it is inf, and inf * 0 (the
    # gradient of a blank pixel's weight) is NaN. The step's loss was taken before the update,
    # so only the weights tell. A NaN norm is never > WEIGHT_GROWTH: missed, the epoch was
    # reported and the next one "put back" its NaN start.
    trainer = build(TrainConfig(layers=(64, 16, 10), lr=1e300, batch_size=100_000), digits)
    fresh = trainer.net.params.copy()
    with np.errstate(over="ignore", invalid="ignore"):
        out = records(trainer, 3)
    assert [type(r).__name__ for r in out] == ["StepStats", "Diverged"]
    assert "in epoch 1, at its end: a weight stopped being a finite number" in out[-1].reason
    assert trainer.epoch == 0 and np.array_equal(trainer.net.params, fresh)


def test_an_epochs_figures_are_the_networks_on_each_set_after_the_epoch(digits):
    trainer = build(TrainConfig(layers=(64, 16, 10)), digits)
    (epoch,) = [r for r in records(trainer, 1) if isinstance(r, EpochStats)]
    net = trainer.net
    test_loss = net.loss.forward(net.logits(digits.X_test), digits.Y_test.astype(np.float32))
    assert epoch.test_loss == pytest.approx(test_loss, rel=1e-5)
    assert epoch.train_acc == pytest.approx(net.accuracy(digits.X_train, digits.Y_train))
    assert epoch.test_acc == pytest.approx(net.accuracy(digits.X_test, digits.Y_test))
    assert epoch.train_acc != epoch.test_acc  # so a swap would show


def test_each_epoch_visits_every_sample_once_in_a_new_order_that_the_seed_decides(digits):
    # With lr 0 the network never changes, so batch-1 step losses name the samples in order.
    def losses_per_epoch(seed, params):
        trainer = build(TrainConfig(layers=(64, 8, 10), batch_size=1, seed=seed), digits)
        trainer.net.params[...] = params
        trainer.optimizer.lr = 0.0
        trainer.step_grad_norms = False
        steps = [r for r in records(trainer, 2) if isinstance(r, StepStats)]
        return [[s.loss for s in steps if s.epoch == e] for e in (1, 2)]

    params = build(TrainConfig(layers=(64, 8, 10)), digits).net.params.copy()
    first, second = losses_per_epoch(0, params)
    assert len(first) == len(second) == len(digits.X_train)
    assert sorted(first) == sorted(second)  # the same samples, each once
    assert first != second  # in another order: once the same order every epoch passed
    assert losses_per_epoch(1, params)[0] != first  # and another seed shuffles otherwise


@pytest.mark.parametrize("l2, blamed", [(0.01, False), (0.0101, True)])
def test_an_l2_at_the_top_of_the_usual_range_is_not_what_a_divergence_blames(l2, blamed):
    # lr x l2 past SGD's limit of 2 either way: the usual range (up to 0.01) points at lr
    from nnplay.core.optimizers import OPTIMIZERS
    from nnplay.core.train import blames_l2

    assert blames_l2(OPTIMIZERS["sgd"](lr=1000.0, weight_decay=l2)) is blamed


def test_an_epochs_time_is_its_steps_and_evaluation_not_the_callers_pauses(digits, monkeypatch):
    # A clock that moves one tick each time it is read, and a caller that waits a thousand
    # ticks at every record (the app pausing, redrawing): only the trainer's ticks count.
    import types

    import nnplay.core.train as train_module

    clock = [0.0]

    def perf_counter():
        clock[0] += 1
        return clock[0]

    monkeypatch.setattr(train_module, "time", types.SimpleNamespace(perf_counter=perf_counter))
    trainer = build(TrainConfig(layers=(64, 8, 10), batch_size=256), digits)
    seen = []
    for record in trainer.run(1):
        seen.append(record)
        clock[0] += 1000
    record = seen[-1]
    assert isinstance(record, EpochStats)
    steps = math.ceil(len(digits.X_train) / 256)
    assert steps <= record.seconds < 1000  # each step's time, and none of the waiting
    assert record.samples_per_s * record.seconds == pytest.approx(len(digits.X_train))


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_a_hand_made_files_float64_optimizer_state_trains_on_as_the_networks_float32(
    digits, tmp_path, optimizer
):
    # A file written by hand or by another tool (np.savez of float64 moments): build() takes
    # the moments as the network's float32, so training on is what it is from the same
    # moments saved as float32, bit for bit, and the next save holds float32 again.
    config = TrainConfig(layers=(64, 8, 10), optimizer=optimizer, epochs=2)
    trainer = build(replace(config, epochs=1), digits)
    records(trainer, 1)
    ours = tmp_path / "ours.npz"
    save(ours, trainer.net, config, 1, trainer.rng, trainer.optimizer)
    with np.load(ours) as f:
        arrays = {k: f[k] for k in f.files}
    floats = [k for k in arrays if k.startswith("opt_") and k != "opt_t"]
    assert floats and all(arrays[k].dtype == np.float32 for k in floats)
    if optimizer == "adam":  # a count past float32's whole numbers (2**24): it stays a count
        arrays["opt_t"] = np.array(2**24 + 1)
        np.savez(ours, **arrays)
    hand_made = tmp_path / "hand_made.npz"
    np.savez(hand_made, **{k: v.astype(np.float64) if k in floats else v for k, v in arrays.items()})
    a, b = build(config, digits, load(ours)), build(config, digits, load(hand_made))
    for name, value in b.optimizer.state().items():  # the file's numbers, as float32
        assert value.dtype.kind == arrays[f"opt_{name}"].dtype.kind  # t stays a whole number
        assert value.dtype == np.float32 or name == "t"
        assert np.array_equal(value, arrays[f"opt_{name}"])  # 2**24 + 1 too
    records(a, 1)
    records(b, 1)
    assert b.net.params.dtype == np.float32 and b.net.params.tobytes() == a.net.params.tobytes()
    assert all(value.dtype == a.optimizer.state()[name].dtype for name, value in b.optimizer.state().items())
