"""The command line: ``nnplay`` opens the app; ``nnplay train`` and ``nnplay gradcheck`` run
headless (nnplay.headless) and ``nnplay serve`` serves the app to browsers (nnplay.serve).

Every setting flag is parsed and checked by the same code as the app's fields
(nnplay.core.config), before anything slow (scikit-learn, textual) is imported,
so a mistake is answered at once with one line and nothing is written.
"""

from __future__ import annotations

import argparse
import codecs
import io
import os
import re
import shlex
import sys
from collections.abc import Sequence
from dataclasses import fields, replace
from typing import TYPE_CHECKING, Any, NoReturn

from nnplay.core.config import ConfigError, TrainConfig, counted, format_field, least_epochs
from nnplay.output import discard, say

if TYPE_CHECKING:  # for annotations: resolve() imports serialize when it runs
    from nnplay.core.serialize import Saved

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


def _names_network(word: str) -> bool:
    """Whether a word given where no file goes names a saved network: "handout.npz", or
    "mynet" beside mynet.npz (as --load reads it)."""
    if word.startswith("-"):
        return False
    return word.lower().endswith(".npz") or os.path.isfile(word + ".npz")


class UsageError(Exception):
    """Bad input on the command line: one line for the user, exit status 2."""


class Terminated(KeyboardInterrupt):
    """SIGTERM (kill, a job's time limit) stops nnplay train as Ctrl-C does: with a line
    saying so and whether anything was saved, where it used to end without a word."""


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

    def _print_message(self, message: str, file: Any = None) -> None:
        """The help, written at once: argparse passed over a write that failed, and
        ``nnplay --help > /dev/full`` said nothing with status 0 (a reader gone, as in
        ``| head``, is no failure)."""
        if not message:
            return
        if file is None:  # argparse's sys.stdout or sys.stderr, closed (>&-, 2>&-)
            if sys.stdout is None:  # the help's: said as a full disk is (the error's is lost)
                say(f"{self.prog}: cannot write the help: standard output is closed")
                raise SystemExit(1)
            return
        try:
            file.write(message)
            file.flush()
        except BrokenPipeError:
            discard(file)
        except OSError as e:
            discard(file)
            say(f"{self.prog}: cannot write the help: {e.strerror or e}")
            raise SystemExit(1) from None

    def error(self, message: str) -> NoReturn:  # one line, no usage dump
        if message.startswith("argument COMMAND: invalid choice"):
            # nnplay --lo m.npz: the top-level parser passes over a flag it does not know and
            # then takes m.npz for the command. The flag is the mistake to name.
            known = self._option_string_actions
            unknown = [w for w in self.words if w.startswith("--") and w.split("=")[0] not in known]
            if unknown:
                message = f"unrecognized arguments: {unknown[0]}"
            else:  # nnplay handout.npz: a class handed a file types its name alone
                named = [w for w in self.words if _names_network(w) and repr(w) in message]
                if named:
                    message = (
                        f"{named[0]} is not a command; open a saved network with --load: "
                        f"nnplay --load {shlex.quote(named[0])}"
                    )
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _add_settings(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("settings (shared by the app, train and saved files)")
    for name, (flag, text) in FLAGS.items():
        group.add_argument(flag, dest=name, metavar="X", help=text, default=argparse.SUPPRESS)
    group.add_argument(
        "--load",
        metavar="FILE",
        default=argparse.SUPPRESS,
        help="start from a saved network (.npz) and its settings; --optimizer, --lr, --batch-size, "
        "--epochs and --l2 change them, and a flag that contradicts its data set, architecture "
        "or seed is an error",
    )


def _add_display(parser: argparse.ArgumentParser, command: bool = False) -> None:
    """The app's display flags: nnplay's, and serve's for the app in each tab. A command's
    leave nnplay's defaults be, so that given before the command they count too (as settings
    do): nnplay --low-bandwidth serve served without it."""
    view = parser.add_argument_group("the app's display (not settings: they change no result)")
    view.add_argument(
        "--low-bandwidth",
        action="store_true",
        default=argparse.SUPPRESS if command else None,
        help="for slow links: fewer redraws, the terminal's own colours and no mouse "
        "(also NNPLAY_LOW_BANDWIDTH=1)",
    )
    view.add_argument(
        "--no-mouse",
        action="store_true",
        default=argparse.SUPPRESS if command else False,
        help="do not ask the terminal to report the mouse (it sends bytes on every move)",
    )
    view.add_argument(
        "--ansi",
        action="store_true",
        default=argparse.SUPPRESS if command else False,
        help="use the terminal's own 16 ANSI colours (the default where Textual would draw in 16 colours)",
    )


def build_parser() -> _Parser:
    parser = _Parser(
        prog="nnplay",
        description="A keyboard-driven terminal playground for neural networks written in NumPy. "
        "With no command, opens the app.",
    )
    _add_settings(parser)
    _add_display(parser)
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
        help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 opens it to the "
        "network, with no password)",
    )
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="another name browsers reach this machine by (a DNS alias): off this machine, the "
        "server answers only to its addresses and own names, so a page on another site cannot "
        "lead its own name here (DNS rebinding); may be given more than once",
    )
    _add_display(serve, command=True)
    return parser


def resolve(ns: argparse.Namespace) -> tuple[TrainConfig, Saved | None]:
    """The settings the flags ask for (and the saved file they start from), checked.

    Imports nothing slow. Raises UsageError with a one-line message.
    """
    from nnplay import data
    from nnplay.core.paths import SaveFileError, load_name
    from nnplay.core.serialize import load

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


def say_notes(ns: argparse.Namespace, config: TrainConfig) -> None:
    """Say on standard error what a command's flags asked for that does nothing, though
    accepted: --activation for a network with no hidden layer (the app's editor says so
    on its own)."""
    if hasattr(ns, "activation") and config.unused_activation:
        say(f"nnplay {ns.command}: note: --activation: {config.unused_activation}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    parser.words = list(sys.argv[1:] if argv is None else argv)
    ns, unknown = parser.parse_known_args(parser.words)
    if unknown:  # said by the subcommand that was given them, not by the top-level parser
        prog = f"nnplay {ns.command}" if ns.command else "nnplay"
        given = [w.split("=")[0] for w in unknown]
        for flag in ("--save", "--json"):  # nnplay serve --save m.npz was told to --load m.npz
            if flag in given:
                say(f"{prog}: error: {_trains_only(flag)}")
                return 2
        named = [w for w in unknown if _names_network(w)]
        how = (
            f"; start from a saved network with --load: {prog} --load {shlex.quote(named[0])}"
            if named
            else ""
        )
        say(f"{prog}: error: unrecognized arguments: {' '.join(unknown)}{how} (see {prog} --help)")
        return 2
    try:
        _check_placement(ns)
        if ns.command == "train":
            from nnplay.headless import train

            return train(ns)
        if ns.command == "gradcheck":
            from nnplay.headless import gradcheck

            return gradcheck(ns)
        if ns.command == "serve":
            from nnplay.serve import serve

            return serve(ns)
        return app(ns)
    except UsageError as e:
        prog = f"nnplay {ns.command}" if ns.command else "nnplay"
        say(f"{prog}: error: {e}")
        return 2
    except KeyboardInterrupt as e:
        saving = ns.command == "train" and getattr(ns, "save", None)
        stopped = "terminated" if isinstance(e, Terminated) else "interrupted"
        say(f"{stopped}; nothing was saved to {saving}" if saving else stopped)
        return 128 + (15 if isinstance(e, Terminated) else 2)  # as a shell reports the signal
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
        raise UsageError(_trains_only(flag) + ("; in the app, ctrl+s saves" if flag == "--save" else ""))


def _trains_only(flag: str) -> str:
    """What to say of nnplay train's --save or --json given where it means nothing."""
    return f"{flag} is a flag of nnplay train (nnplay train {flag} ...)"


def resolve_for_app(ns: argparse.Namespace) -> tuple[TrainConfig, Saved | None]:
    """resolve(), and what the app's epochs field refuses too: a total below what a loaded
    file has trained. For nnplay and for nnplay serve, whose tabs' apps would each refuse it."""
    config, saved = resolve(ns)
    least = least_epochs(saved.epochs_trained, saved.partial) if saved is not None else 0
    if saved is not None and config.epochs < least:  # least is 0 with no file
        # The app's epochs field refuses a total below the epochs trained, or the epoch begun;
        # so does its flag (nnplay train just has nothing to train). Only a flag can ask this:
        # a file's own is never below.
        done = (
            f"the {counted(saved.epochs_trained, 'epoch', grouped=False)} {ns.load} has trained"
            if least == saved.epochs_trained
            else f"epoch {least}, which {ns.load} stopped partway through"
        )
        raise UsageError(
            f"--epochs {config.epochs} is below {done} (--epochs is the total); "
            f"give {least} or more, or leave it out"
        )
    return config, saved


def app(ns: argparse.Namespace) -> int:
    config, saved = resolve_for_app(ns)
    from nnplay.tui.keep import served

    if not served() and not on_a_terminal():  # nnplay serve's apps talk to the browser instead
        why = (
            "the app needs a terminal to read keys from and draw on (over SSH: ssh -t); "
            "nnplay train trains without one"
        )
        if sys.stdout is not None and sys.stdout.isatty() and not (sys.stderr and sys.stderr.isatty()):
            print(f"nnplay: error: {why}")  # nnplay 2>log: said where the person is looking too
        raise UsageError(why)
    terminal = sys.__stderr__  # where Textual draws
    if isinstance(terminal, io.TextIOWrapper) and codecs.lookup(terminal.encoding).name != "utf-8":
        # LANG=en_US.ISO-8859-1 or PYTHONIOENCODING=ascii drew every box and block as a \u2500
        # escape. The locale is the machine's, the terminal the user's, and nearly every
        # terminal is UTF-8 (Python assumes so for the C locale); Textual reads keys as UTF-8.
        # Escaping what UTF-8 cannot write, as standard error does: given an encoding alone,
        # reconfigure() makes errors strict, and a file name with undecodable bytes in the
        # load list killed Textual's writer thread, the screen frozen from then on.
        terminal.reconfigure(encoding="utf-8", errors="backslashreplace")
    from nnplay.tui.app import make_app
    from nnplay.tui.hang_up import run_to_the_end

    path = ns.load if saved is not None else None  # loaded by this session: saving over it asks nothing
    ansi = True if ns.ansi else None  # None: as the terminal's colours say
    application = make_app(config, saved, low_bandwidth=ns.low_bandwidth, ansi=ansi, path=path)
    # a slow link gains nothing from the mouse either: each move sends bytes up, and hovering
    # redraws send them down
    note = run_to_the_end(application, mouse=not (ns.no_mouse or application.low_bandwidth))
    if note:
        say(note)  # if the terminal has not gone
    return 0


def on_a_terminal() -> bool:
    """Whether the app can run here: Textual reads keys from standard input and draws on
    standard error. Else (ssh without -t, a script) it drew escape codes into a pipe or file
    and waited for keys that never came."""
    return all(stream is not None and stream.isatty() for stream in (sys.__stdin__, sys.__stderr__))


if __name__ == "__main__":
    sys.exit(main())
