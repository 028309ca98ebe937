"""The command line: ``nnplay`` opens the app; ``nnplay train`` and ``nnplay gradcheck`` run headless.

Every setting flag is parsed and checked by the same code as the app's fields
(nnplay.core.config), before anything slow (scikit-learn, textual) is imported,
so a mistake is answered at once with one line and nothing is written.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import sys
from collections.abc import Sequence
from dataclasses import fields, replace
from typing import Any, NoReturn

from nnplay.core.config import ConfigError, TrainConfig, counted, format_field, trained
from nnplay.output import Output, say

FLAGS: dict[str, tuple[str, str]] = {
    "dataset": ("--dataset", "data set: digits, moons, circles, xor, spiral or sine (default digits)"),
    "layers": ("--layers", "layer sizes, input to output (default 64,128,64,10 for digits)"),
    "activation": (
        "--activation",
        "hidden activation: relu, leaky_relu, sigmoid, tanh or identity; one for all "
        "hidden layers or one each, separated by commas (default relu)",
    ),
    "init": ("--init", "weight initialisation: he or xavier (default he)"),
    "optimizer": ("--optimizer", "sgd, momentum or adam (default sgd)"),
    "lr": ("--lr", "learning rate (default 0.01)"),
    "batch_size": (
        "--batch-size",
        "samples per step; more than the training set means full batch (default 32)",
    ),
    "epochs": ("--epochs", "passes over the training set in all, a loaded file's included (default 100)"),
    "seed": ("--seed", "seeds weights and shuffling, so runs repeat (default 0)"),
    "l2": ("--l2", "weight decay coefficient (default 0)"),
}
"""Each TrainConfig field's flag and help: one flag per field, nothing else."""
ARCHITECTURE = ("dataset", "layers", "activation", "init", "seed")
"""Fields a saved file fixes, as what its network was built from: --load refuses flags
that contradict them (a different seed would be recorded as building weights it did not)."""
assert set(FLAGS) == {f.name for f in fields(TrainConfig)}


class UsageError(Exception):
    """Bad input on the command line: one line for the user, exit status 2."""


class _Parser(argparse.ArgumentParser):
    words: Sequence[str] = ()
    """The words main() parses, for error() to look back at."""

    def __init__(self, **kwargs: Any) -> None:
        # No abbreviations: argparse took --ep for --epochs, and the top-level parser, which
        # sees every word, answered nnplay train --lo with "ambiguous option: --lo could
        # match --load, --low-bandwidth", a flag train does not have. A shortened flag is
        # now unrecognized by the command it was given to (add_parser makes _Parsers too).
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(**kwargs)
        # Before Python 3.14, argparse took the -1e-3 of --lr -1e-3 (or -64,10 after --layers)
        # for a flag and said "--lr: expected one argument", where -.5 reached the settings'
        # own "must be more than zero". 3.14's test, a dash then a digit, is used on every
        # version (python/cpython#123945 and #105712; this attribute is how argparse asks).
        self._negative_number_matcher = re.compile(r"-\.?\d")

    def error(self, message: str) -> NoReturn:  # one line, no usage dump
        if message.startswith("argument COMMAND: invalid choice"):
            # nnplay --lo m.npz: the top-level parser passes over a flag it does not know and
            # then takes m.npz for the command. The flag is the mistake to name.
            known = self._option_string_actions
            unknown = [w for w in self.words if w.startswith("--") and w.split("=")[0] not in known]
            if unknown:
                message = f"unrecognized arguments: {unknown[0]}"
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _add_settings(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("settings (shared by the app, train and saved files)")
    for name, (flag, text) in FLAGS.items():
        group.add_argument(flag, dest=name, metavar="X", help=text, default=argparse.SUPPRESS)
    group.add_argument(
        "--load",
        metavar="FILE",
        default=argparse.SUPPRESS,
        help="start from a saved network (.npz), whose architecture and seed win over flags",
    )


def build_parser() -> _Parser:
    parser = _Parser(
        prog="nnplay",
        description="A keyboard-driven terminal playground for neural networks written in NumPy. "
        "With no command, opens the app.",
    )
    _add_settings(parser)
    view = parser.add_argument_group("the app's display (not settings: they change no result)")
    view.add_argument(
        "--low-bandwidth",
        action="store_true",
        default=None,
        help="for slow links: fewer redraws and the terminal's own colours (also NNPLAY_LOW_BANDWIDTH=1)",
    )
    view.add_argument(
        "--no-mouse",
        action="store_true",
        help="do not ask the terminal to report the mouse (it sends bytes on every move)",
    )
    view.add_argument("--ansi", action="store_true", help="use the terminal's own 16 ANSI colours")
    # nnplay train's own flags, taken here only to say where they belong (see main).
    parser.add_argument("--save", dest="misplaced_save", help=argparse.SUPPRESS)
    parser.add_argument("--json", dest="misplaced_json", action="store_true", help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    train = commands.add_parser(
        "train",
        help="train headless, printing one line per epoch",
        description="Train a network without the app, printing one line per epoch (or one JSON "
        "object with --json); --save keeps it for the app or a later run (--load).",
    )
    _add_settings(train)
    train.add_argument("--save", metavar="FILE", help="save the network here (.npz) when training ends")
    train.add_argument("--json", action="store_true", help="print one JSON object per epoch instead")
    check = commands.add_parser(
        "gradcheck",
        help="check every backward() against finite differences",
        description="Check every layer's, activation's and loss's backward() against central "
        "finite differences in float64, on the network the settings describe; exit status 1 "
        "if a gradient is wrong.",
    )
    _add_settings(check)
    serve = commands.add_parser(
        "serve",
        help="serve the app to web browsers, one app per browser tab",
        description="Serve the app over HTTP: each browser tab that opens the address gets an "
        "app of its own, started with these settings.",
    )
    _add_settings(serve)
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 opens it to the network)",
    )
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve.add_argument(
        "--low-bandwidth", action="store_true", help="start each app in the low-bandwidth mode"
    )
    return parser


def resolve(ns: argparse.Namespace) -> tuple[TrainConfig, Any]:
    """The settings the flags ask for (and the saved file they start from), checked.

    Imports nothing slow. Raises UsageError with a one-line message.
    """
    from nnplay import data
    from nnplay.core.serialize import SaveFileError, load, load_name

    given = {name: getattr(ns, name) for name in FLAGS if hasattr(ns, name)}
    saved = None
    if getattr(ns, "load", None) is not None:
        ns.load = load_name(ns.load)  # "mynet", saved as mynet.npz, as in the app
        try:
            saved = load(ns.load)
        except SaveFileError as e:
            raise UsageError(f"--load: {e}") from None
    try:
        config = saved.config if saved else TrainConfig()
        if saved is not None:
            for name in ARCHITECTURE:
                if name in given:
                    value = config.with_text(name, given[name])
                    # relu means relu,relu for two hidden layers: the same network
                    same = (
                        value.hidden_activations == config.hidden_activations
                        if name == "activation"
                        else getattr(value, name) == getattr(config, name)
                    )
                    if not same:
                        raise UsageError(
                            f"{FLAGS[name][0]} {given[name]} contradicts {ns.load}, which holds "
                            f"{format_field(name, getattr(config, name))}; leave {FLAGS[name][0]} out"
                        )
        elif "dataset" in given and "layers" not in given:
            config = config.with_text("dataset", given["dataset"])
            if config.dataset in data.DATASETS:
                config = replace(config, layers=data.default_layers(config.dataset))
        for name, text in given.items():
            config = config.with_text(name, text)
        data.check(config, saved.spec.loss if saved else None)
    except ConfigError as e:
        if saved is not None and e.field not in given:  # the file's own settings, not a flag
            raise UsageError(f"--load: {ns.load}: {e}") from None
        if e.field in FLAGS:  # name the flag, not the field's label
            raise UsageError(f"{FLAGS[e.field][0]}: {str(e).split(': ', 1)[-1]}") from None
        raise UsageError(str(e)) from None
    return config, saved


def train(ns: argparse.Namespace) -> int:
    from nnplay.core.serialize import SaveFileError, check_writable, save_name

    config, saved = resolve(ns)
    if ns.save is not None:
        ns.save = save_name(ns.save)  # "mynet" is saved as mynet.npz, as in the app
        try:
            check_writable(ns.save)
        except SaveFileError as e:
            raise UsageError(f"--save: {e}") from None

    import numpy as np

    from nnplay import data
    from nnplay.core.history import HistoryLog
    from nnplay.core.serialize import save
    from nnplay.core.train import Diverged, EpochStats, build

    trainer = build(config, data.load(config.dataset), saved)
    history = HistoryLog(saved.history if saved is not None else None)
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
            f"{counted(trainer.epoch, 'epoch', grouped=False)} and "
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
                    say(f"nnplay train: nothing was saved to {ns.save}")
                return 1
    if ns.save is not None:
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
            fresh = saved is None and trainer.epoch == 0
            what = (
                "an untrained network" if fresh else f"{trained(trainer.epoch, trainer.partial)} of training"
            )
            out.line(f"Saved {what} to {ns.save}")  # as the app says
    return out.status(0)


def _acc(label: str, value: float | None) -> str:
    return "" if value is None else f"{label}{value:.4f}"


def gradcheck(ns: argparse.Namespace) -> int:
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
        sample_size,
        verdict,
    )
    from nnplay.core.layers import Dense
    from nnplay.core.losses import LOSSES
    from nnplay.core.network import Network, NetworkSpec

    config, saved = resolve(ns)
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
    sampled = check_network_sample(
        net, split.X_train[:8], split.Y_train[:8], per_array, np.random.default_rng(0)
    )
    checks: list[Check] = [
        Check(c.name if c.checked == c.total else f"{c.name} ({c.checked}/{c.total})", c.error)
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
        out.line(f"{c.name:<28}{c.error:>20.2e}  {words[verdict(c.error)]}")
    wrong = [c for c in checks if verdict(c.error) == "wrong"]
    if wrong:
        out.line(f"{len(wrong)} gradient(s) disagree: that backward() has a bug.")
        return out.status(1)
    suspicious = sum(verdict(c.error) == "suspicious" for c in checks)
    if suspicious:  # the app's "?" too: not a bug, so not a failure
        out.line(
            f"No gradient is wrong. {suspicious} suspicious (between {TOLERANCE:.0e} and "
            f"{SUSPICIOUS:.0e}) is not a bug but rounding, where a gradient is too tiny to "
            f"difference at any step tried (up to {RETRY_EPS[-1]:.0e}), or a ReLU input near 0."
        )
        return out.status(0)
    out.line("All gradients agree: each backward() computes the derivative its forward() implies.")
    return out.status(0)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    parser.words = list(sys.argv[1:] if argv is None else argv)
    ns, unknown = parser.parse_known_args(parser.words)
    if unknown:  # said by the subcommand that was given them, not by the top-level parser
        prog = f"nnplay {ns.command}" if ns.command else "nnplay"
        print(
            f"{prog}: error: unrecognized arguments: {' '.join(unknown)} (see {prog} --help)", file=sys.stderr
        )
        return 2
    try:
        _check_placement(ns)
        if ns.command == "train":
            return train(ns)
        if ns.command == "gradcheck":
            return gradcheck(ns)
        if ns.command == "serve":
            return serve(ns)
        return app(ns)
    except UsageError as e:
        prog = f"nnplay {ns.command}" if ns.command else "nnplay"
        print(f"{prog}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        saving = ns.command == "train" and getattr(ns, "save", None)
        print(f"interrupted; nothing was saved to {saving}" if saving else "interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the app, or serve's banner: train and gradcheck write through Output
        sys.stderr.close()
        return 0


def _check_placement(ns: argparse.Namespace) -> None:
    """Refuse nnplay train's --save and --json given before the command, or to the app."""
    for flag, given in (("--save", ns.misplaced_save is not None), ("--json", ns.misplaced_json)):
        if not given:
            continue
        if ns.command == "train":
            raise UsageError(f"{flag} goes after the command: nnplay train {flag} ...")
        raise UsageError(
            f"{flag} is a flag of nnplay train (nnplay train {flag} ...)"
            + ("; in the app, ctrl+s saves" if flag == "--save" else "")
        )


def serve_command(ns: argparse.Namespace) -> list[str]:
    """The command each browser tab runs: the app, with the settings given to serve."""
    argv = [sys.executable, "-m", "nnplay"]
    for name, (flag, _) in FLAGS.items():
        if hasattr(ns, name):
            argv += [flag, getattr(ns, name)]
    if getattr(ns, "load", None) is not None:
        argv += ["--load", os.path.abspath(ns.load)]
    if ns.low_bandwidth:
        argv.append("--low-bandwidth")
    return argv


def _check_address(host: str, port: int) -> None:
    """Raise UsageError unless a server could listen on host:port now (as the server
    will: with SO_REUSEADDR, so a port just freed counts as free)."""
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as e:  # socket.gaierror included: a host name nobody knows
        raise UsageError(f"cannot serve on {host}:{port}: {e.strerror or e}") from None
    except UnicodeError:  # "bad..host": an empty label, which the IDNA codec cannot encode
        raise UsageError(f"cannot serve on {host}:{port}: that is not a host name") from None


def serve(ns: argparse.Namespace) -> int:
    resolve(ns)  # refuse bad settings now, not in every browser tab
    if not 0 < ns.port < 65536:
        raise UsageError(f"--port: {ns.port} is not a port number (1-65535)")
    _check_address(ns.host, ns.port)  # before any banner: a taken port is the whole answer
    from textual_serve.server import Server

    command = shlex.join(serve_command(ns))
    where = f"http://{ns.host}:{ns.port}"
    out = Output(sys.stdout, "nnplay serve", f"serving at {where}")  # the banner is not the point
    out.line(f"nnplay serve: one app per browser tab at {where}")
    if ns.host in ("127.0.0.1", "localhost"):
        out.line(
            f"From another machine: ssh -L {ns.port}:localhost:{ns.port} THIS-HOST, "
            f"then open http://localhost:{ns.port}"
        )
    try:
        Server(command, host=ns.host, port=ns.port, title="nnplay").serve()
    except OSError as e:  # the port is taken, the host is not this machine's...
        raise UsageError(f"cannot serve on {ns.host}:{ns.port}: {e.strerror or e}") from None
    return out.status(0)


def app(ns: argparse.Namespace) -> int:
    config, saved = resolve(ns)
    if saved is not None and config.epochs < saved.epochs_trained:
        # The app's epochs field refuses a total below the epochs trained; so does its flag
        # (nnplay train just has nothing to train). Only a flag can ask this: a file's own is never below.
        raise UsageError(
            f"--epochs {config.epochs} is below the {counted(saved.epochs_trained, 'epoch', grouped=False)} "
            f"{ns.load} has trained (--epochs is the total); "
            f"give {saved.epochs_trained} or more, or leave it out"
        )
    from nnplay.tui.app import make_app

    path = ns.load if saved is not None else None  # loaded by this session: saving over it asks nothing
    application = make_app(config, saved, low_bandwidth=ns.low_bandwidth, ansi=ns.ansi, path=path)
    application.run(mouse=not ns.no_mouse)
    # After the terminal is restored, so quitting stays quick (a hang-up has kept it already).
    note = application.session.keep_on_exit()
    if note:
        try:
            print(note, file=sys.stderr)
        except OSError:  # the terminal has gone
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
