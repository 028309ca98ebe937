"""``nnplay train`` and ``nnplay gradcheck``: the core run without the app, for scripts.

Both take settings that nnplay.cli.resolve has already checked; what they print
goes through nnplay.output, so a closed pipe or a full disk is one line, not a
traceback.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import replace

from nnplay.cli import Terminated, UsageError, resolve, say_notes
from nnplay.core.config import TrainConfig, counted, trained
from nnplay.output import Output, say


def train(ns: argparse.Namespace) -> int:
    """``nnplay train``: a line (or JSON object) per epoch, then --save; the exit status.

    SIGTERM stops it as Ctrl-C does, with a line saying so, unless it was ignored already.
    Neither cuts the save short once training is done.
    """
    if threading.current_thread() is not threading.main_thread():  # a test's: signals are
        return _train(ns, hold_off=lambda: None)  # not ours to take there (ValueError)
    # Ignored by whoever started the run (cmd & ignores Ctrl-C; trap '' TERM, a supervisor
    # that means the run to finish): it stays ignored. None: a handler not Python's, left be.
    before = {stop: signal.getsignal(stop) for stop in (signal.SIGINT, signal.SIGTERM)}
    before = {stop: handler for stop, handler in before.items() if handler not in (signal.SIG_IGN, None)}
    if signal.SIGTERM in before:
        signal.signal(signal.SIGTERM, _terminate)  # said, as Ctrl-C is: not a silent end

    def hold_off() -> None:
        for stop in before:
            signal.signal(stop, signal.SIG_IGN)

    try:
        return _train(ns, hold_off)
    finally:
        for stop, handler in before.items():
            signal.signal(stop, handler)


def _train(ns: argparse.Namespace, hold_off: Callable[[], object]) -> int:
    """``hold_off``: from the save on, Ctrl-C and SIGTERM are to be ignored (where train()
    may take them)."""
    from nnplay.core.paths import SaveFileError, check_writable, save_name

    config, saved = resolve(ns)
    say_notes(ns, config)
    if ns.save is not None:
        ns.save = save_name(ns.save)  # "mynet" is saved as mynet.npz, as in the app
        try:
            check_writable(ns.save)
        except SaveFileError as e:
            raise UsageError(f"--save: {e}") from None

    import numpy as np

    from nnplay import data
    from nnplay.core.history import HistoryLog
    from nnplay.core.serialize import needed_bytes, save
    from nnplay.core.train import Diverged, EpochStats, build
    from nnplay.threads import one_blas_thread

    one_blas_thread()  # as the app does: the same weights, and no slump on a busy machine
    trainer = build(config, data.load(config.dataset), saved)
    history = HistoryLog(saved.history if saved is not None else None)
    if ns.save is not None:  # room for the file, now that its size is known: not after training
        try:
            check_writable(
                ns.save, needed_bytes(trainer.net, trainer.optimizer, max(config.epochs, trainer.epoch))
            )
        except SaveFileError as e:
            raise UsageError(f"--save: {e}") from None
    trainer.step_grad_norms = False  # nobody reads them here
    # Output that cannot be written (| head, > /dev/full) stops being written, not training:
    # the network asked for is still saved. With no --save, that ends the run.
    out = Output(sys.stdout, "nnplay train", f"going on to save {ns.save}" if ns.save is not None else "")
    if not ns.json:
        out.line(trainer.net.summary())
    if out.stopped:
        return out.status(0)
    # --epochs is the total, as in the app and the saved settings: a loaded file's count.
    last = max(config.epochs, trainer.epoch)
    width = len(str(last))
    if (
        saved is not None
        and trainer.epoch >= config.epochs
        and (config.epochs or getattr(ns, "epochs", None) is None)
    ):
        say(
            f"nnplay train: nothing to train: {ns.load} has trained "
            f"{trained(trainer.epoch, trainer.partial, grouped=False)} and "
            f"--epochs is the total ({config.epochs}); give a larger --epochs to train on"
        )
    # Overflow on the way to divergence is reported once, below, not as NumPy warnings.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for record in trainer.run(last - trainer.epoch):
            if isinstance(record, EpochStats):
                history.add(record)
                if ns.json:
                    line = json.dumps(
                        {
                            "epoch": record.epoch,
                            "loss": record.loss,
                            "train_acc": record.train_acc,
                            "test_acc": record.test_acc,
                            "seconds": record.seconds,
                        }
                    )
                else:
                    line = (
                        f"Epoch {record.epoch:>{width}}/{last} - {record.seconds * 1000:.1f}ms"
                        f" - loss: {record.loss:.4f}"
                        + _acc(" - train_acc: ", record.train_acc)
                        + _acc(" - test_acc: ", record.test_acc)
                        + f" - test_loss: {record.test_loss:.4f}"
                    )
                out.line(line)
                if out.stopped:
                    return out.status(0)
            elif isinstance(record, Diverged):
                say(f"nnplay train: {record.reason}")
                if ns.save is not None:
                    # The run was not the one asked for, so its file is not written (as after
                    # Ctrl-C); the epochs before this one are a command away: runs repeat.
                    since = saved.epochs_trained if saved is not None else 0
                    again = (
                        f"; the same command with --epochs {trainer.epoch} saves the "
                        f"{counted(trainer.epoch, 'epoch', grouped=False)} before it"
                        if trainer.epoch > since
                        else ""
                    )
                    say(f"nnplay train: nothing was saved to {ns.save}{again}")
                return 1
    if ns.save is not None:
        # The run is done: a stop now would only lose it, or (the file just renamed into
        # place) say "nothing was saved" of a file written. The save takes milliseconds.
        hold_off()
        try:
            kept = config
            if config.epochs == 0:  # only built or loaded, to hand out: whoever opens it has
                # epochs to train, the file's own total or the default
                kept = replace(config, epochs=(saved and saved.config.epochs) or TrainConfig().epochs)
            save(
                ns.save,
                trainer.net,
                kept,
                trainer.epoch,
                trainer.rng,
                trainer.optimizer,
                history.table(),
                trainer.partial,
            )
        except SaveFileError as e:
            say(f"nnplay train: {e}")
            return 1
        if not ns.json:
            fresh = trainer.epoch == 0 and not trainer.partial  # built here, or handed out so
            what = (
                "an untrained network" if fresh else f"{trained(trainer.epoch, trainer.partial)} of training"
            )
            out.line(f"Saved {what} to {ns.save}")  # as the app says
    return out.status(0)


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def _acc(label: str, value: float | None) -> str:
    return "" if value is None else f"{label}{value:.4f}"


def gradcheck(ns: argparse.Namespace) -> int:
    """``nnplay gradcheck``: the network's W and b, one Dense layer, every activation and every
    loss against central differences in float64; exit status 1 if any gradient is wrong."""
    import numpy as np

    from nnplay import data
    from nnplay.core.activations import ACTIVATIONS
    from nnplay.core.gradcheck import (
        RETRY_EPS,
        SUSPICIOUS,
        TOLERANCE,
        Check,
        check_layer,
        check_loss,
        check_network_sample,
        nothing_compared,
        sample_size,
        verdict,
    )
    from nnplay.core.layers import Dense
    from nnplay.core.losses import LOSSES
    from nnplay.core.network import Network, NetworkSpec

    config, saved = resolve(ns)
    say_notes(ns, config)
    split = data.load(config.dataset)
    rng = np.random.default_rng(config.seed)
    spec = (
        saved.spec
        if saved
        else NetworkSpec(config.layers, config.hidden_activations, split.loss, config.init)
    )
    net = Network(spec, rng, dtype=np.float64)
    if saved is not None:
        from nnplay.core.serialize import restore

        restore(net, saved)
    per_array = sample_size(net)  # a large network gets a sample, as in the app: all would take long
    x_net, y_net = split.X_train[:8], split.Y_train[:8]
    sampled = check_network_sample(net, x_net, y_net, per_array, np.random.default_rng(0))
    checks: list[Check] = [
        Check(c.name if c.checked == c.total else f"{c.name} ({c.checked}/{c.total})", c.error, zero=c.zero)
        for c in sampled
    ]
    x = rng.standard_normal((4, 5))
    checks += check_layer(Dense(5, 3, rng, dtype=np.float64), x, rng, "dense (alone)")
    for name, cls in ACTIVATIONS.items():
        checks += check_layer(cls(), x, rng, name)
    for name, loss_cls in LOSSES.items():
        y = np.eye(3)[rng.integers(0, 3, 4)] if name == "cross_entropy" else rng.uniform(0, 1, (4, 3))
        checks.append(check_loss(loss_cls(), rng.standard_normal((4, 3)), y, name))
    out = Output(sys.stdout, "nnplay gradcheck")  # the verdict is the exit status, written or not
    out.line(
        f"Finite differences against backward() (float64): ok up to {TOLERANCE:.0e}, "
        f"wrong above {SUSPICIOUS:.0e}"
    )
    if per_array is not None:
        out.line(
            f"The network has {net.n_params:,} parameters: "
            f"a seeded sample of {per_array} in each array is checked"
        )
    out.line(f"{'checked':<28}{'relative error':>20}")
    words = {"ok": "ok", "suspicious": "suspicious", "wrong": "WRONG"}
    for c in checks:
        out.line(f"{c.name:<28}{c.error:>20.2e}  {words[verdict(c.error)]}{' (all 0)' if c.zero else ''}")
    zero = nothing_compared(checks, len(x_net))
    if zero:
        out.line(zero)
    wrong = [c for c in checks if verdict(c.error) == "wrong"]
    if wrong:
        out.line(f"{len(wrong)} gradient(s) disagree: that backward() has a bug.")
        return out.status(1)
    suspicious = sum(verdict(c.error) == "suspicious" for c in checks)
    if suspicious:  # the app's "?" too: most likely rounding, so not a failure
        out.line(
            f"No gradient is clearly wrong. {suspicious} suspicious (between {TOLERANCE:.0e} and "
            f"{SUSPICIOUS:.0e}) is most likely rounding, where a gradient is too tiny to "
            f"difference at any step tried (up to {RETRY_EPS[-1]:.0e}), or a ReLU input near 0; "
            "a backward() off by a hair (0.01%) would look the same."
        )
        return out.status(0)
    out.line("All gradients agree: each backward() computes the derivative its forward() implies.")
    return out.status(0)
