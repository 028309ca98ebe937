"""Names, folders and whether a file can be written: what the CLI's --save and --load and
the app's save and open boxes are told before anything is written."""

import os
import re

import pytest

from nnplay.core import paths
from nnplay.core.paths import SaveFileError, check_writable, load_name, save_name, shown, tilde


def test_a_long_path_is_shown_with_its_middle_elided_and_a_short_one_whole():
    assert shown("/short/m.npz") == "/short/m.npz"
    long = "/home/student/" + "x" * 100 + "/m.npz"
    text = shown(long, most=40)
    assert len(text) <= 40 and text.startswith("/home/") and text.endswith("/m.npz") and "…" in text


def test_the_home_folder_is_written_as_a_tilde_and_only_it(monkeypatch):
    monkeypatch.setenv("HOME", "/home/ann")
    assert tilde("/home/ann/lessons/m.npz") == "~/lessons/m.npz"
    assert tilde("/home/ann") == "~"
    assert tilde("/home/anna/m.npz") == "/home/anna/m.npz"  # another person's folder
    monkeypatch.setenv("HOME", "/")
    assert tilde("/srv/m.npz") == "/srv/m.npz"  # not ~srv/m.npz


def test_a_save_name_gets_npz_unless_it_has_it_or_is_not_a_file_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert save_name("mynet") == "mynet.npz"
    assert save_name("lr0.1") == "lr0.1.npz"
    assert save_name("M.NPZ") == "M.NPZ"
    assert save_name("~/m") == str(tmp_path / "m.npz")
    (tmp_path / "runs").mkdir()
    for left in ("", "  ", "out/", "runs"):  # for check_writable to refuse, as given
        assert save_name(left) == left
    (tmp_path / "notes").write_text("a file")  # there and a file: it still gets the ending
    assert save_name("notes") == "notes.npz"


def test_a_load_name_finds_the_npz_only_when_the_name_itself_is_not_there(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_name("mynet") == "mynet"  # neither: its error names what was asked for
    (tmp_path / "mynet.npz").write_bytes(b"")
    assert load_name("mynet") == "mynet.npz"
    (tmp_path / "mynet").write_bytes(b"")
    assert load_name("mynet") == "mynet"


@pytest.mark.parametrize(
    "name, message",
    [
        ("", "no file name given"),
        ("   ", "no file name given"),
        ("out/", "names a folder (it ends in /)"),
        ("missing/m.npz", "missing does not exist"),
    ],
)
def test_names_that_cannot_be_saved_to_are_refused_with_a_reason(tmp_path, monkeypatch, name, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SaveFileError, match=re.escape(message)):
        check_writable(name)
    assert list(tmp_path.iterdir()) == []  # nothing made, not even the probe


def test_a_folder_a_read_only_file_and_a_device_are_refused(tmp_path):
    with pytest.raises(SaveFileError, match="is a folder"):
        check_writable(tmp_path)
    handout = tmp_path / "handout.npz"
    handout.write_bytes(b"x")
    handout.chmod(0o444)
    with pytest.raises(SaveFileError, match="is read-only"):
        check_writable(handout)
    with pytest.raises(SaveFileError, match="is not a regular file"):
        check_writable("/dev/null")
    handout.chmod(0o644)
    check_writable(handout)  # writable again: no error
    check_writable(tmp_path / "new.npz")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["handout.npz"]


def test_too_little_room_is_said_in_words_and_enough_room_passes(tmp_path, monkeypatch):
    class Full:
        f_bavail, f_frsize = 3, 4096  # 12 KiB free

    monkeypatch.setattr(os, "statvfs", lambda folder: Full())
    check_writable(tmp_path / "m.npz", needed=12 * 1024)  # exactly enough
    with pytest.raises(SaveFileError, match=r"12 KiB free in .*, about 13 KiB needed"):
        check_writable(tmp_path / "m.npz", needed=13 * 1024)


@pytest.mark.parametrize(
    "n, text",
    [(1024, "1 KiB"), (1023 * 1024, "1023 KiB"), (1024**2, "1 MiB"), (int(3.4 * 1024**3), "3.4 GiB")],
)
def test_sizes_are_said_in_the_unit_that_reads_best(n, text):
    assert paths._size(n) == text


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts open files in /proc")
def test_checking_leaves_no_file_open(tmp_path):
    # the app checks before every save and keep: a long session would run out of files
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(20):
        check_writable(tmp_path / "m.npz")
    assert len(os.listdir("/proc/self/fd")) == before


def test_a_new_files_mode_follows_the_umask_and_leaves_it_as_it_was(tmp_path):
    old = os.umask(0o027)
    try:
        assert paths.new_file_mode(tmp_path / "new.npz") == 0o640
        assert os.umask(0o027) == 0o027  # not left at 0: every file after would be world-writable
        (tmp_path / "there.npz").write_bytes(b"")
        (tmp_path / "there.npz").chmod(0o604)
        assert paths.new_file_mode(tmp_path / "there.npz") == 0o604  # a file replaced keeps its own
    finally:
        os.umask(old)


def test_a_relative_name_too_long_is_called_too_long_not_a_vanished_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SaveFileError, match="too long") as refused:
        check_writable("a" * 300 + ".npz")
    assert "no longer exists" not in str(refused.value)
