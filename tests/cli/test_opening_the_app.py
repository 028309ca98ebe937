"""nnplay with no command: the flags it opens the app with (run() replaced), the
terminal it needs and how it draws there, and what it keeps of training on the way out."""

import io
import os
import subprocess
import sys

import pytest

from nnplay.cli import main
from nnplay.core.serialize import load
from nnplay.tui.keep import kept_files
from tests.cli.helpers import run, saved_two_steps_into_epoch_2


def test_nnplay_opens_the_app_with_the_flags_as_its_settings(monkeypatch, tmp_path):
    from nnplay.tui.app import NnplayApp

    opened = []
    monkeypatch.setattr(NnplayApp, "run", lambda self, **kw: opened.append(self))
    assert main(["--layers", "64,32,10", "--lr", "0.1", "--epochs", "500"]) == 0
    config = opened[0].session.config
    assert (config.layers, config.lr, config.epochs) == ((64, 32, 10), 0.1, 500)
    path = tmp_path / "m.npz"
    main(["train", "--epochs", "1", "--layers", "64,12,10", "--save", str(path)])
    assert main(["--load", str(path)]) == 0
    session = opened[1].session
    assert session.config.layers == (64, 12, 10) and session.saved.epochs_trained == 1


def test_the_app_refuses_bad_flags_before_starting(capsys, monkeypatch):
    from nnplay.tui.app import NnplayApp

    monkeypatch.setattr(NnplayApp, "run", lambda self, **kw: pytest.fail("the app must not start"))
    code, _, err = run(capsys, "--lr", "fast")
    assert code == 2 and err.startswith("nnplay: error: --lr")


def test_epochs_messages_write_numbers_as_the_flag_takes_them(capsys, monkeypatch, tmp_path):
    # "--epochs 1,000 is below the 1,149 epochs ...; give 1149": a flag takes no commas.
    from nnplay import data
    from nnplay.core.config import TrainConfig
    from nnplay.core.serialize import save
    from nnplay.core.train import build
    from nnplay.tui.app import NnplayApp

    config = TrainConfig(layers=(64, 8, 10), epochs=1149)
    save(tmp_path / "big.npz", build(config, data.load("digits")).net, config, 1149)
    monkeypatch.setattr(NnplayApp, "run", lambda self, **kw: pytest.fail("the app must not start"))
    code, _, err = run(capsys, "--load", str(tmp_path / "big.npz"), "--epochs", "1000")
    assert code == 2 and "--epochs 1000 is below the 1149 epochs" in err and "give 1149 or more" in err
    code, _, err = run(capsys, "train", "--load", str(tmp_path / "big.npz"), "--epochs", "1000")
    assert "has trained 1149 epochs and --epochs is the total (1000)" in err


def test_the_app_refuses_epochs_below_a_loaded_files_as_its_epochs_field_does(capsys, monkeypatch, tmp_path):
    from nnplay.tui.app import NnplayApp

    path = tmp_path / "m.npz"
    run(capsys, "train", "--epochs", "2", "--layers", "64,8,10", "--save", str(path))
    opened = []
    monkeypatch.setattr(NnplayApp, "run", lambda self, **kw: opened.append(self))
    code, _, err = run(capsys, "--load", str(path), "--epochs", "1")
    assert code == 2 and not opened  # once it opened at "Epoch 2/1, finished"
    assert "--epochs 1 is below the 2 epochs" in err and "give 2 or more" in err
    code, _, _ = run(capsys, "--load", str(path), "--epochs", "2")
    assert code == 0 and opened[0].session.config.epochs == 2


def test_the_app_refuses_epochs_below_the_epoch_a_file_stopped_in(capsys, monkeypatch, tmp_path):
    # Saved two steps into epoch 2, as the app's ctrl+s can: --epochs 1 opened it finished at
    # "Epoch 1/1" with epoch 2 half done and no way to finish it. The epochs field says no.
    from nnplay.tui.app import NnplayApp

    saved_two_steps_into_epoch_2(tmp_path / "half.npz")
    opened = []
    monkeypatch.setattr(NnplayApp, "run", lambda self, **kw: opened.append(self))
    code, _, err = run(capsys, "--load", str(tmp_path / "half.npz"), "--epochs", "1")
    assert code == 2 and not opened
    assert "below epoch 2, which" in err and "stopped partway through" in err and "give 2 or more" in err
    code, _, _ = run(capsys, "--load", str(tmp_path / "half.npz"), "--epochs", "2")
    assert code == 0 and opened[0].session.config.epochs == 2


def test_a_file_copied_with_a_total_below_the_epoch_it_stopped_in_still_opens_in_the_app(
    capsys, monkeypatch, tmp_path
):
    # nnplay train --load half.npz --epochs 1 --save copy.npz saved a total of 1 for a network
    # in epoch 2; nnplay --load copy.npz, with no --epochs given, then said "--epochs 1 is
    # below epoch 2 ... or leave it out", and nnplay train --load copy.npz never finished it.
    from nnplay.tui.app import NnplayApp

    half, copy = tmp_path / "half.npz", tmp_path / "copy.npz"
    saved_two_steps_into_epoch_2(half)
    code, _, err = run(capsys, "train", "--load", str(half), "--epochs", "1", "--save", str(copy))
    assert code == 0 and "has trained 1 epoch and 2 steps" in err  # not just "1 epoch"
    assert load(copy).config.epochs == 2
    opened = []
    monkeypatch.setattr(NnplayApp, "run", lambda self, **kw: opened.append(self))
    code, _, err = run(capsys, "--load", str(copy))
    assert code == 0 and err == "" and opened[0].session.config.epochs == 2
    code, out, err = run(capsys, "train", "--load", str(copy))
    assert code == 0 and "nothing to train" not in err and "Epoch 2/2" in out


def test_the_app_with_no_terminal_says_so_rather_than_drawing_into_a_pipe():
    # ssh host nnplay without -t, or nnplay in a script: it drew escape codes into the pipe
    # and waited for keys that never came, until killed.
    result = subprocess.run(
        [sys.executable, "-m", "nnplay", "--epochs", "3"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        "nnplay: error: the app needs a terminal to read keys from and draw on "
        "(over SSH: ssh -t); nnplay train trains without one\n"
    )


def test_the_app_with_its_standard_error_redirected_says_why_on_the_terminal_too(tmp_path):
    # nnplay 2>log: Textual would draw into the log; the one line saying so went there alone
    import pty

    master, terminal = pty.openpty()
    with open(tmp_path / "log", "w") as log:
        code = subprocess.run(
            [sys.executable, "-m", "nnplay"], stdin=terminal, stdout=terminal, stderr=log, timeout=30
        ).returncode
    os.close(terminal)
    shown = os.read(master, 4096).decode()
    os.close(master)
    assert code == 2 and "the app needs a terminal" in shown
    assert "the app needs a terminal" in (tmp_path / "log").read_text()


@pytest.mark.parametrize("encoding", ["iso8859-1", "ascii"])
def test_the_app_draws_in_utf_8_whatever_the_locales_encoding(monkeypatch, encoding):
    # LANG=en_US.ISO-8859-1 (or PYTHONIOENCODING=ascii) on a student's SSH box: Textual draws
    # on standard error, which wrote every box and block as a \u2500 escape, a screen of them.
    from nnplay.tui.app import NnplayApp

    terminal = io.TextIOWrapper(io.BytesIO(), encoding=encoding, errors="backslashreplace")
    monkeypatch.setattr(sys, "__stderr__", terminal)
    drawn_in = []
    monkeypatch.setattr(NnplayApp, "run", lambda self, **kw: drawn_in.append(sys.__stderr__.encoding))
    assert main([]) == 0
    assert drawn_in == ["utf-8"]


def test_a_file_name_utf_8_has_no_bytes_for_is_drawn_escaped_not_the_end_of_drawing(monkeypatch):
    # PYTHONIOENCODING=ascii and a file named with bytes undecodable in UTF-8 (bad\xff.npz) in
    # the load list: reconfigured to UTF-8, standard error had lost its backslashreplace, and
    # Textual's writer thread died on the name, leaving a screen that no key changed.
    from nnplay.tui.app import NnplayApp

    terminal = io.TextIOWrapper(io.BytesIO(), encoding="ascii", errors="backslashreplace")
    monkeypatch.setattr(sys, "__stderr__", terminal)
    monkeypatch.setattr(NnplayApp, "run", lambda self, **kw: sys.__stderr__.write("bad\udcff.npz"))
    assert main([]) == 0
    terminal.flush()
    assert terminal.buffer.getvalue() == b"bad\\udcff.npz"


@pytest.mark.parametrize(
    "environ, flags, ansi",
    [
        ({"TERM": "xterm"}, [], True),  # drawn in 16 colours anyway: the terminal's own then
        ({"TERM": "linux"}, [], True),
        ({"TERM": "xterm-256color"}, [], False),
        ({"TERM": "xterm", "COLORTERM": "truecolor"}, [], False),
        ({"TERM": "xterm", "TEXTUAL_COLOR_SYSTEM": "truecolor"}, [], False),  # as nnplay serve runs
        ({"TERM": "xterm-256color"}, ["--ansi"], True),
    ],
)
def test_a_terminal_drawn_in_16_colours_gets_its_own_colours(monkeypatch, environ, flags, ansi):
    from nnplay.tui.app import NnplayApp

    for name in ("TERM", "COLORTERM", "TEXTUAL_COLOR_SYSTEM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    opened = []
    monkeypatch.setattr(NnplayApp, "run", lambda self, **kw: opened.append(self))
    assert main(flags) == 0
    assert opened[0].ansi == ansi


@pytest.mark.parametrize(
    "flags,environ,mouse",
    [([], {}, True), (["--no-mouse"], {}, False), (["--low-bandwidth"], {}, False)]
    + [([], {"NNPLAY_LOW_BANDWIDTH": "1"}, False)],
)
def test_the_mouse_is_off_on_a_slow_link(monkeypatch, flags, environ, mouse):
    # each move sends bytes up the link, and hovering redraws send them down
    from nnplay.tui.app import NnplayApp

    monkeypatch.delenv("NNPLAY_LOW_BANDWIDTH", raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    asked = []
    monkeypatch.setattr(NnplayApp, "run", lambda self, **kw: asked.append(kw["mouse"]))
    assert main(flags) == 0 and asked == [mouse]


@pytest.mark.parametrize("served", [False, True])
def test_quitting_the_app_keeps_unsaved_training_unless_served(capsys, tmp_path, monkeypatch, served):
    from nnplay.tui.app import NnplayApp

    def run_and_train(app, **kwargs):  # stands in for a user who trains a little, then quits
        app.session.load()
        for _ in range(3):
            app.session.next_record()

    monkeypatch.setattr(NnplayApp, "run", run_and_train)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    if served:
        monkeypatch.setenv("TEXTUAL_DRIVER", "textual.drivers.web_driver:WebDriver")
    code, _, err = run(capsys, "--layers", "64,8,10")
    kept = sorted((tmp_path / "nnplay").glob("*.npz"))
    assert code == 0
    if served:
        assert err == "" and kept == []
    else:
        assert len(kept) == 1 and f"kept in {kept[0]}" in err and load(kept[0]).spec.sizes == (64, 8, 10)


def test_a_sigterm_says_where_it_kept_the_network_once_the_terminal_is_back(monkeypatch, capsys):
    # A teacher's pkill: the network was kept, but the terminal, still there, was told nothing
    from nnplay.tui.app import NnplayApp

    def trains_then_is_terminated(app, **kwargs):
        app.session.load()
        for _ in range(3):
            app.session.next_record()
        app.hang_up()  # what SIGTERM calls
        app.hang_up()  # and a SIGHUP after it, as the window closes: nothing more to keep or say

    monkeypatch.setattr(NnplayApp, "run", trains_then_is_terminated)
    code, _, err = run(capsys, "--layers", "64,8,10")
    (kept,) = kept_files()
    assert code == 0 and f"kept in {kept}" in err and f"nnplay --load {kept}" in err
