"""A browser tab's app under nnplay serve, for real: nnplay as textual-serve runs it, on pipes."""

import os
import subprocess
import sys
import time

from tests.test_hang_up import read_for


def test_a_served_app_in_low_bandwidth_asks_for_no_mouse_and_ends_with_its_server(tmp_path):
    env = dict(
        os.environ,
        TEXTUAL_DRIVER="textual.drivers.web_driver:WebDriver",  # as textual-serve sets them
        COLUMNS="80",
        ROWS="24",
        XDG_STATE_HOME=str(tmp_path / "state"),
    )
    args = ["-m", "nnplay", "--low-bandwidth", "--layers", "64,16,10", "--epochs", "100000"]
    app = subprocess.Popen(
        [sys.executable, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=tmp_path,
    )
    assert app.stdin is not None and app.stdout is not None
    out = app.stdout.fileno()
    try:
        seen = read_for(out, 60, until=b"ready")
        assert b"ready" in seen
        # Textual's web driver asks the browser for every mouse move whatever the app says:
        # --low-bandwidth's "no mouse" did nothing in a tab
        assert seen.rfind(b"\x1b[?1003l") > seen.rfind(b"\x1b[?1003h")
        app.stdin.write(b"D\x00\x00\x00\x01 ")  # space: train (a packet, as the server sends keys)
        app.stdin.flush()
        read_for(out, 1.0)
        app.stdin.close()  # the server gone: killed, say
        deadline = time.monotonic() + 30
        while app.poll() is None and time.monotonic() < deadline:
            read_for(out, 0.1)  # a full pipe would hold the app up
        assert app.poll() is not None, "the app was still running 30 s after its server went"
    finally:
        if app.poll() is None:
            app.kill()
        app.wait()
