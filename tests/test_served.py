"""A browser tab's app under nnplay serve, for real: nnplay as textual-serve runs it, on pipes."""

import os
import subprocess
import sys
import time

import pytest

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


def fake_app(*steps: str) -> str:
    """The command for an app that speaks textual-serve's protocol as far as ``steps`` say:
    "ready", "draw" (a frame), "exit" (the app's exit packet), "fail" (an error, status 1),
    "say" (nnplay's note on standard error, as the app says where it kept a network, and another
    line), "close" (its output closed, and a pause)."""
    code = [
        "import json, sys",
        "def packet(kind, data): sys.stdout.buffer.write(kind + len(data).to_bytes(4, 'big') + data)",
    ]
    code += {
        "ready": ["sys.stdout.buffer.write(b'__GANGLION__\\n')"],
        "draw": ["packet(b'D', b'a frame of the app, drawn')"],
        "exit": ["packet(b'M', json.dumps({'type': 'exit'}).encode())"],
        "fail": ["sys.stdout.flush()", "sys.exit('Traceback...\\nValueError: the app broke')"],
        "close": [  # its output ended, the process not yet
            "import os, time",
            "sys.stdout.flush()",
            "os.dup2(os.open(os.devnull, os.O_WRONLY), 1)",
            "time.sleep(0.5)",
        ],
        "say": [
            "print('nnplay: Your network is kept in /k.npz', file=sys.stderr)",
            "print('note', file=sys.stderr)",
        ],
    }[steps[0]]
    for step in steps[1:]:
        code += fake_app(step).split("\n")[2:]
    return "\n".join(code)


async def open_tab(app_code: str, cookies: dict[str, str] | None = None, most: int = 0) -> list:
    """What a browser tab (with ``cookies``) is sent, in order (text messages as the JSON they
    hold), by nnplay serve running ``app_code`` as its app, until the tab is closed, or nothing
    more comes for 10 s (the server pings every 15), or it has ``most`` messages, if given."""
    import json
    import shlex

    import aiohttp
    from aiohttp.test_utils import TestClient, TestServer

    from nnplay.serve import _server

    # exec: the shell textual-serve starts it with gone, its output ends when the app closes it
    server = _server(
        "exec " + shlex.join([sys.executable, "-c", app_code]), "127.0.0.1", 8000, "http://127.0.0.1:8000"
    )
    received = []
    async with TestClient(TestServer(await server._make_app()), cookies=cookies) as client:
        async with client.ws_connect("/ws") as tab:
            while True:
                try:
                    message = await tab.receive(timeout=10)
                except TimeoutError:
                    received.append("nothing more")
                    break
                if message.type == aiohttp.WSMsgType.TEXT:
                    received.append(json.loads(message.data))
                elif message.type != aiohttp.WSMsgType.BINARY:
                    received.append(message.type)
                    break
                else:
                    received.append(message.data.decode())
                if len(received) == most:
                    break
    return received


async def test_a_tab_whose_app_cannot_start_says_why_and_how_to_recover():
    # a --load file moved since the server started, a broken install: the tab showed the
    # page's start-up box for good, the error only in the server's window
    shown = await open_tab(fake_app("fail"))
    assert len(shown) == 2 and shown[1] == "nothing more"  # the tab stays, to be read
    assert "could not start" in shown[0] and "ValueError: the app broke" in shown[0]
    assert "Reload the page" in shown[0] and "Traceback" in shown[0]


async def test_a_tab_whose_app_stops_with_an_error_says_so_over_its_last_frame():
    shown = await open_tab(fake_app("ready", "draw", "fail"))
    assert shown[0] == "a frame of the app, drawn" and shown[2] == "nothing more"
    assert "stopped with an error" in shown[1] and "ValueError: the app broke" in shown[1]
    assert shown[1].startswith("\x1b[0m\x1b[2J")  # over a clear screen, not amid the frame


async def test_a_tab_whose_app_ended_well_is_closed_for_the_page_to_offer_restart():
    import aiohttp

    shown = await open_tab(fake_app("ready", "draw", "exit"))
    assert shown == ["a frame of the app, drawn", aiohttp.WSMsgType.CLOSE]


async def test_a_tab_whose_app_ended_well_is_told_what_it_said_on_the_way_out():
    # where its unsaved network was kept, and how to carry on: it went only to the server's
    # window, and the person in the browser was told nothing
    import aiohttp

    from nnplay.served_page import FAREWELL

    # said as the app ends, and said once its output has ended (which textual-serve stopped
    # reading standard error at)
    for steps in (["say"], ["close", "say"]):
        shown = await open_tab(fake_app("ready", "draw", "exit", *steps))
        assert shown == [
            "a frame of the app, drawn",
            [FAREWELL, "nnplay: Your network is kept in /k.npz"],  # nnplay's own lines only
            aiohttp.WSMsgType.CLOSE,
        ]


def test_the_served_page_shows_a_farewell_in_its_session_ended_box():
    from pathlib import Path

    import textual_serve

    from nnplay.served_page import FAREWELL, our_page

    page = (Path(textual_serve.__file__).parent / "templates" / "app_index.html").read_text()
    ours = our_page(page, "/static/")
    assert '<div class="dialog-container closed-dialog">' in page and 'class="message"' in page
    assert ours.index(f'kind === "{FAREWELL}"') < ours.index("</body>")
    assert ours.index(f'kind === "{FAREWELL}"') > ours.index("textual.js")  # after: it wraps its WebSocket


async def test_the_served_page_needs_nothing_from_the_internet():
    # textual-serve's page links Google Fonts' stylesheet in its head, which holds back the
    # script after it: on a classroom network that drops what goes out, no first frame came
    # in 60 s (Chromium). Its font now comes from this server, from textual-serve's own copy.
    import re
    from pathlib import Path

    import textual_serve
    from aiohttp.test_utils import make_mocked_request

    from nnplay.serve import _server

    server = _server("true", "127.0.0.1", 8000, "http://127.0.0.1:8000")
    request = make_mocked_request(
        "GET", "/", headers={"Host": "localhost:9000"}, app=await server._make_app()
    )
    page = (await server.handle_index(request)).text
    assert "textual.js" in page  # the page itself, as textual-serve makes it
    outside = [
        url for url in re.findall(r"(?:href|src)=\"(https?://[^\"]+)", page) if "localhost:9000" not in url
    ]
    assert outside == []
    font = re.search(r'url\("http://localhost:9000/static/(fonts/[^"]+\.ttf)"\)', page)
    assert font is not None and "Roboto Mono" in page[: font.start()]
    assert (Path(textual_serve.__file__).parent / "static" / font[1]).is_file()  # served, not a 404


@pytest.mark.parametrize("host", ["0.0.0.0", "127.0.0.1"])
async def test_a_page_at_a_name_serve_does_not_answer_to_says_what_to_open_instead(monkeypatch, host):
    # DNS rebinding: evil.example's page, its name then led to this machine, got the page and
    # (from the network) opened apps; at 127.0.0.1 a student's browser got a blank page
    import socket

    from aiohttp.test_utils import make_mocked_request

    from nnplay.serve import _server

    monkeypatch.setattr(socket, "gethostname", lambda: "lab-server")
    server = _server("true", host, 8000, f"http://{host}:8000", ["class.school.example"])
    app = await server._make_app()

    async def page(name):
        return await server.handle_index(make_mocked_request("GET", "/", headers={"Host": name}, app=app))

    refused = await page("evil.example:8000")
    assert refused.status == 403
    assert "does not answer to the name evil.example" in refused.text
    assert "--allow-host evil.example" in refused.text and "http://lab-server:8000 " in refused.text
    assert (await page("evil.example:port")).status == 403  # not a 500
    for name in ("class.school.example:8000", "CLASS.school.example.:8000", "localhost:8000"):
        assert "textual.js" in (await page(name)).text  # --allow-host's name, and this machine


def test_serve_says_the_names_it_answers_to_and_passes_its_allowed_names_on(capsys, monkeypatch):
    import nnplay.serve
    from nnplay.cli import main

    given = []

    class Started:
        def serve(self):
            pass

    monkeypatch.setattr(nnplay.serve, "_check_address", lambda host, port: None)
    monkeypatch.setattr(nnplay.serve, "_server", lambda *args: given.append(args) or Started())
    monkeypatch.setattr("socket.gethostname", lambda: "lab-server")
    assert main(["serve", "--host", "0.0.0.0", "--allow-host", "a.example", "--allow-host", "b.example"]) == 0
    assert given[0][-1] == ["a.example", "b.example"]
    # the teacher is told which name works, and what another needs
    banner = capsys.readouterr().out
    assert "its name, lab-server;" in banner and "--allow-host NAME" in banner


async def test_a_browser_gets_a_name_and_its_tabs_apps_a_folder_to_keep_in(tmp_path, monkeypatch):
    # a reloaded tab's app ended with its training unkept (the tabs share one user, so none
    # was kept), and the new tab started afresh: a student lost the run, unwarned
    from aiohttp.test_utils import make_mocked_request

    from nnplay.serve import _server
    from nnplay.served_tab import BROWSER

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    server = _server("true", "127.0.0.1", 8000, "http://127.0.0.1:8000")
    app = await server._make_app()

    async def page(cookie=""):
        headers = {"Host": "localhost:8000"} | ({"Cookie": f"{BROWSER}={cookie}"} if cookie else {})
        return await server.handle_index(make_mocked_request("GET", "/", headers=headers, app=app))

    named = (await page()).cookies[BROWSER]
    assert len(named.value) == 32 and named["httponly"] and named["samesite"] == "Strict"
    assert BROWSER not in (await page(named.value)).cookies  # named once, for good
    assert (await page("../../etc")).cookies[BROWSER].value != "../../etc"

    says = "import os, sys; sys.exit('keeps in ' + os.environ.get('NNPLAY_BROWSER_KEEPS', 'nothing'))"
    shown = await open_tab(says, {BROWSER: named.value}, most=1)
    assert f"keeps in {tmp_path / 'nnplay' / 'browsers' / named.value}" in shown[0]
    for cookie in ({}, {BROWSER: "../../etc"}):  # no name, or one of the browser's making
        assert "keeps in nothing" in (await open_tab(says, cookie, most=1))[0]


def test_a_served_app_keeps_unsaved_training_in_its_browsers_folder_only(tmp_path, monkeypatch):
    from nnplay.tui.keep import BROWSER_KEEPS, keeps_unsaved, kept_folder

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("TEXTUAL_DRIVER", "textual.drivers.web_driver:WebDriver")  # as served
    assert not keeps_unsaved()  # the tabs share one user: not in the user's folder
    monkeypatch.setenv(BROWSER_KEEPS, str(tmp_path / "browser"))
    assert keeps_unsaved() and kept_folder() == tmp_path / "browser"
    monkeypatch.delenv("TEXTUAL_DRIVER")  # a terminal's app: the user's own folder, as ever
    assert keeps_unsaved() and kept_folder() == tmp_path / "state" / "nnplay"
