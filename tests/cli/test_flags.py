"""Flag checks: a bad flag, value or command gets one line and exit status 2, with
nothing started; the help reads well at 80 columns."""

import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cli.helpers import run


@pytest.mark.parametrize(
    "args,fragment",
    [
        (["--dataset", "mnist"], "unknown dataset"),
        (["--activation", "swish"], "unknown activation"),
        (["--activation", "relu,,tanh", "--layers", "64,8,8,10"], "--activation: a name is missing"),
        (["--optimizer", "lbfgs"], "unknown optimizer"),
        (["--layers", "64,0,10"], "at least 1"),
        (["--layers", "64,-5,10"], "at least 1"),
        (["--layers", "64,abc,10"], "not a whole number"),
        (["--layers", "64,,10"], "a size is missing"),
        (["--layers", "64,10,"], "a size is missing"),
        (["--bogus"], "unrecognized arguments: --bogus (see nnplay train --help)"),
        (["--layers", "32,10"], "first size must be 64"),
        (["--layers", "64,5"], "last size must be 10"),
        (["--layers", "64,90000,90000,10"], "GiB"),
        (["--layers", "64,6000,6000,10", "--batch-size", "100000"], "--batch-size: needs about 2.3 GiB for"),
        (["--lr", "0"], "more than zero"),
        (["--lr", "nan"], "finite"),
        (["--lr", "1e999"], "finite"),
        (["--batch-size", "0"], "at least 1"),
        (["--batch-size", "2.5"], "whole number"),
        (["--epochs", "-3"], "at least 0"),
        (["--load", "/no/such/file.npz"], "no such file"),
        (["--save", "/no/such/folder/m.npz"], "does not exist"),
        (["--save", ""], "no file name given"),  # once: ". is a folder"
        (["--save", "/proc/m.npz"], "cannot save to /proc/m.npz"),  # even root cannot make files there
        (["--load", ""], "--load: no file name given"),  # once: "--load: : no such file"
        # once "argument --lr: expected one argument": argparse took -1e-3 for a flag
        (["--lr", "-1e-3"], "--lr: must be more than zero, not -1e-3"),
        (["--l2", "-1e-4"], "--l2: must be zero or more, not -1e-4"),
        (["--layers", "-64,10"], "--layers: every size must be at least 1, not -64"),
        # once taken for --epochs, --layers, --save, --json; and --lo was "nnplay: error:
        # ambiguous option: --lo could match --load, --low-bandwidth"
        (["--ep", "0"], "unrecognized arguments: --ep 0 (see nnplay train --help)"),
        (["--lay", "64,10", "--epochs", "0"], "unrecognized arguments: --lay 64,10"),
        (["--sa", "m.npz", "--epochs", "0"], "unrecognized arguments: --sa m.npz"),
        (["--js", "--epochs", "0"], "unrecognized arguments: --js"),
        (["--lo", "a.npz"], "unrecognized arguments: --lo a.npz"),
    ],
)
def test_bad_flags_get_one_line_exit_2_and_no_traceback(capsys, tmp_path, args, fragment):
    code, out, err = run(capsys, "train", *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and fragment in err and err.startswith("nnplay train: error: ")
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "args,fragment",
    [
        (["--save", "m.npz"], "nnplay: error: --save is a flag of nnplay train (nnplay train --save"),
        (["--json"], "nnplay: error: --json is a flag of nnplay train"),
        (["--save", "m.npz", "train"], "nnplay train: error: --save goes after the command"),
        (["serve", "--save", "m.npz"], "nnplay serve: error: --save is a flag of nnplay train"),
        (["serve", "--save=m.npz"], "nnplay serve: error: --save is a flag of nnplay train"),
        (["gradcheck", "--json"], "nnplay gradcheck: error: --json is a flag of nnplay train"),
    ],
)
def test_train_flags_given_to_the_app_say_where_they_belong(capsys, tmp_path, args, fragment):
    code, out, err = run(capsys, *args)  # once: "invalid choice: 'm.npz' (choose from 'train', ...)"
    assert code == 2 and out == "" and err.startswith(fragment) and err.count("\n") == 1
    assert not (tmp_path / "m.npz").exists()


@pytest.mark.parametrize(
    "args,said",
    [
        (
            ["handout.npz"],
            "nnplay: error: handout.npz is not a command; open a saved network with --load: "
            "nnplay --load handout.npz",
        ),
        (
            ["--lr", "0.1", "my net"],
            "nnplay: error: my net is not a command; open a saved network with "
            "--load: nnplay --load 'my net'",
        ),
        (
            ["train", "handout.npz"],
            "nnplay train: error: unrecognized arguments: handout.npz; start from a "
            "saved network with --load: nnplay train --load handout.npz",
        ),
    ],
)
def test_a_saved_network_given_without_load_says_how_to_give_it(capsys, tmp_path, monkeypatch, args, said):
    # A class handed handout.npz types "nnplay handout.npz": argparse called it an invalid choice of
    # command, naming train, gradcheck and serve, and not --load.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my net.npz").write_bytes(b"")
    code, out, err = run(capsys, *args)
    assert code == 2 and out == "" and err.startswith(said) and err.count("\n") == 1


def _only_check_settings(monkeypatch) -> None:
    """The app, gradcheck and serve, once their flags are parsed, check the settings and stop."""
    from nnplay import cli

    check = lambda ns: cli.resolve(ns) and 0  # noqa: E731
    for where in ("nnplay.cli.app", "nnplay.headless.gradcheck", "nnplay.serve.serve"):
        monkeypatch.setattr(where, check)


@pytest.mark.parametrize(
    "args,said",
    [
        (["--lo", "m.npz"], "nnplay: error: unrecognized arguments: --lo "),  # not "invalid choice: 'm.npz'"
        (["--low"], "nnplay: error: unrecognized arguments: --low "),  # once the app, low-bandwidth
        (["gradcheck", "--lay", "64,10"], "nnplay gradcheck: error: unrecognized arguments: --lay 64,10"),
        (["serve", "--po", "8001"], "nnplay serve: error: unrecognized arguments: --po 8001"),
    ],
)
def test_every_command_refuses_shortened_flags(capsys, monkeypatch, args, said):
    _only_check_settings(monkeypatch)  # what a flag that got through would start
    code, out, err = run(capsys, *args)
    assert code == 2 and out == "" and err.startswith(said) and err.count("\n") == 1


@pytest.mark.parametrize("command", [[], ["train"], ["gradcheck"], ["serve"]])
@pytest.mark.parametrize("flag,value", [("--lr", "-1e-3"), ("--l2", "-1e-4"), ("--layers", "-64,10")])
def test_a_negative_value_gets_the_same_answer_after_a_space_as_after_an_equals_sign(
    capsys, monkeypatch, command, flag, value
):
    _only_check_settings(monkeypatch)
    joined = run(capsys, *command, f"{flag}={value}")
    assert joined[0] == 2 and "must be" in joined[2]
    assert run(capsys, *command, flag, value) == joined  # once "expected one argument"


@pytest.mark.parametrize("command", [[], ["train"], ["gradcheck"], ["serve"]])
def test_help_says_what_the_command_does_and_reads_well_at_80_columns(capsys, monkeypatch, command):
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = run(capsys, *command, "--help")
    lines = out.splitlines()
    description = lines[lines.index("") + 1]  # the first line after the usage
    assert code == 0 and description[:1].isupper()  # train once had none: "options:" came next
    assert max(map(len, lines)) <= 80
    for line in lines:  # no word or bracket broken over lines: "comma-" / "separated", "(default" / "0)"
        assert not line.endswith(("-", "(default"))


def test_a_mistyped_command_is_not_taken_for_a_saved_network(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no trian.npz here
    code, out, err = run(capsys, "trian")
    assert code == 2 and out == "" and "invalid choice: 'trian'" in err and "--load" not in err


def test_an_activation_for_a_network_with_no_hidden_layer_is_noted_not_refused(capsys):
    code, out, err = run(capsys, "train", "--layers", "64,10", "--activation", "tanh", "--epochs", "1")
    assert code == 0 and "Epoch 1/1" in out  # trained all the same
    assert err == "nnplay train: note: --activation: no hidden layer, so tanh is not used\n"
    # the default, not asked for, is nothing to note; nor is an activation a hidden layer uses
    assert run(capsys, "train", "--layers", "64,10", "--epochs", "0")[2] == ""
    assert run(capsys, "train", "--layers", "64,8,10", "--activation", "tanh", "--epochs", "0")[2] == ""


def test_flags_are_refused_before_scikit_learn_is_imported():
    code = (
        "import sys; from nnplay.cli import main; rc = main(['train', '--lr', 'abc']);"
        "print(rc, 'sklearn' in sys.modules, 'textual' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["2", "False", "False"]
    assert "--lr" in result.stderr


def test_the_installed_command_exits_with_the_status(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "nnplay", "train", "--epochs", "x"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr


FLAG_NAMES = [
    "--dataset",
    "--layers",
    "--activation",
    "--init",
    "--optimizer",
    "--lr",
    "--batch-size",
    "--epochs",
    "--seed",
    "--l2",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flag=st.sampled_from(FLAG_NAMES), value=st.text(max_size=15).filter(lambda v: not v.startswith("-")))
def test_any_flag_value_is_either_taken_or_refused_in_one_line(capsys, monkeypatch, flag, value):
    from nnplay import cli

    trained = []
    monkeypatch.setattr("nnplay.headless.train", lambda ns: trained.append(cli.resolve(ns)) or 0)
    code, out, err = run(capsys, "train", flag, value)
    if code == 0:
        config, _ = trained[0]
        from nnplay import data

        data.check(config)
    else:
        assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
