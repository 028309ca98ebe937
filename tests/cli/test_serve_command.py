"""nnplay serve: its checks before starting, the address it listens on, and which
pages and names it opens apps for."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.helpers import CLOSED, FULL, LostOutput, run


def test_serve_refuses_bad_settings_before_starting(capsys, monkeypatch):
    import nnplay.serve

    def started(*args):  # a serve that wrongly starts fails here, not by hanging the run
        raise AssertionError("the server started")

    monkeypatch.setattr(nnplay.serve, "_server", started)
    code, _, err = run(capsys, "serve", "--lr", "0")
    assert code == 2 and "--lr" in err
    code, _, err = run(capsys, "serve", "--port", "70000")
    assert code == 2 and "--port" in err


def test_serve_refuses_epochs_below_a_loaded_files_as_the_app_does(capsys, monkeypatch, tmp_path):
    # The check was the app's alone: the server started, and every browser tab's app then
    # ended at once with "--epochs 1 is below the 2 epochs m.npz has trained".
    import nnplay.serve

    path = tmp_path / "m.npz"
    run(capsys, "train", "--epochs", "2", "--layers", "64,8,10", "--save", str(path))
    monkeypatch.setattr(nnplay.serve, "_server", lambda *a: pytest.fail("the server started"))
    code, out, err = run(capsys, "serve", "--load", str(path), "--epochs", "1")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith("nnplay serve: error: --epochs 1 is below the 2 epochs") and "give 2 or more" in err


def test_serve_passes_the_settings_to_each_app():
    from nnplay.cli import build_parser
    from nnplay.serve import serve_command

    ns = build_parser().parse_args(["serve", "--layers", "64,32,10", "--lr", "0.1", "--low-bandwidth"])
    argv = serve_command(ns)
    assert argv[1:3] == ["-m", "nnplay"]
    assert argv[3:] == ["--layers", "64,32,10", "--lr", "0.1", "--low-bandwidth"]
    # the app's other display flags too, as nnplay takes them: serve called them unrecognized
    ns = build_parser().parse_args(["serve", "--no-mouse", "--ansi"])
    assert serve_command(ns)[3:] == ["--no-mouse", "--ansi"]
    ns = build_parser().parse_args(["--low-bandwidth", "serve"])  # before the command, as settings may be
    assert serve_command(ns)[3:] == ["--low-bandwidth"]


def test_serve_listens_on_the_port_the_help_and_readme_name():
    from nnplay.cli import build_parser

    ns = build_parser().parse_args(["serve"])
    assert (ns.host, ns.port) == ("127.0.0.1", 8000)
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    assert "8000" in readme


def test_serve_answers_on_localhost_only_by_default():
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "nnplay", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline, "nnplay serve did not answer"
                time.sleep(0.2)
        assert "textual" in page.lower()
        assert listening_addresses(port) == {"127.0.0.1"}
        # The page's script and websocket are at the address the browser used, not the one
        # served on: through ssh -L 9000:localhost:PORT, or at THIS-HOST for --host 0.0.0.0.
        asked = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Host": "localhost:9000"})
        page = urllib.request.urlopen(asked, timeout=5).read().decode()
        assert "http://localhost:9000/static/js/textual.js" in page
        assert "ws://localhost:9000/ws" in page and f":{port}/" not in page
    finally:
        server.terminate()
        server.wait(timeout=10)


def listening_addresses(port: int) -> set[str]:
    """IPv4 addresses with a socket listening on port, from /proc/net/tcp."""
    found = set()
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(".".join(str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0)))
    return found


def test_serve_on_a_port_in_use_says_so_in_one_line(capsys):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, out, err = run(capsys, "serve", "--port", str(port))
    assert code == 2 and "cannot serve on 127.0.0.1" in err and "Traceback" not in err
    assert err.count("\n") == 1 and out == ""  # no "serving at" banner for a server that never ran


@pytest.mark.parametrize("host", ["192.0.2.1", "bad..host"])  # TEST-NET-1, never local; an empty label
def test_serve_on_a_host_that_is_not_this_machine_says_so_in_one_line(capsys, host):
    code, out, err = run(capsys, "serve", "--host", host)
    assert code == 2 and f"cannot serve on {host}" in err and "Traceback" not in err
    assert err.count("\n") == 1 and out == ""


def test_serve_on_an_ipv6_address_names_a_url_a_browser_can_open(capsys, monkeypatch):
    import textual_serve.server

    import nnplay.serve

    monkeypatch.setattr(nnplay.serve, "_check_address", lambda host, port: None)  # IPv6 or not here
    monkeypatch.setattr(textual_serve.server.Server, "serve", lambda self, **kw: None)
    code, out, _ = run(capsys, "serve", "--host", "::1", "--port", "8765")
    assert code == 0 and "one app per browser tab at http://[::1]:8765\n" in out  # not http://::1:8765
    assert "ssh -L 8765:localhost:8765" in out


@pytest.mark.parametrize("error", [CLOSED, FULL], ids=["closed", "full"])
def test_serve_serves_when_its_banner_cannot_be_written(capsys, monkeypatch, error):
    # > /dev/full: once a traceback from the banner's print, and no server.
    import textual_serve.server

    served = []
    monkeypatch.setattr(textual_serve.server.Server, "serve", lambda self, **kw: served.append(self))
    monkeypatch.setattr(sys, "stdout", LostOutput(error))
    code, _, err = run(capsys, "serve", "--port", "8765")
    assert len(served) == 1 and "Traceback" not in err
    if error is FULL:
        assert err == (
            "nnplay serve: cannot write the output (No space left on device); serving at http://127.0.0.1:8765\n"
        )


async def test_stopping_serve_closes_the_open_tabs_at_once(monkeypatch):
    # kill (SIGTERM): the server stopped taking new tabs but waited ~22 s for the open ones,
    # their apps running on unseen. A tab's handler, cancelled, quits its app and closes the tab.
    import asyncio

    from aiohttp.test_utils import make_mocked_request

    import nnplay.served_tab
    from nnplay.serve import _server

    async def open_tab(self, request):  # until the browser closes it
        await asyncio.Event().wait()

    monkeypatch.setattr(nnplay.served_tab, "run_tab", open_tab)
    server = _server("true", "127.0.0.1", 8000, "http://127.0.0.1:8000")
    tab = asyncio.create_task(server.handle_websocket(make_mocked_request("GET", "/ws")))
    await asyncio.sleep(0)  # the tab opens
    await server.on_shutdown(None)
    assert tab.cancelled()


async def test_served_pages_terminal_takes_keys_without_a_click(monkeypatch):
    # Found in Chromium: xterm.js does not focus itself, so the keys a student typed first
    # (space, ?) did nothing until a click or a tab into the terminal
    import textual_serve.server
    from aiohttp import web
    from aiohttp.test_utils import make_mocked_request

    from nnplay.serve import _server

    async def page(self, request):
        text = "<html><body><div id='terminal'></div></body></html>"
        return web.Response(text=text, content_type="text/html")

    monkeypatch.setattr(textual_serve.server.Server, "handle_index", page)
    server = _server("true", "127.0.0.1", 8000, "http://127.0.0.1:8000")
    response = await server.handle_index(make_mocked_request("GET", "/", headers={"Host": "localhost:8000"}))
    body = response.text
    script = body.index('document.querySelector(".xterm-helper-textarea")')
    assert body.index("<div id='terminal'>") < script < body.index("focus()") < body.index("</body>")
    # and when the app has ended, its Restart button: a keyboard alone had to tab to it
    assert body.index('document.querySelector(".closed-dialog button")') < body.index("restart.focus()")


@pytest.mark.parametrize(
    "origin,opens",
    [
        ("http://evil.example", False),  # any web page, in a browser that reaches the server
        ("null", False),  # a file:// page
        ("http://localhost:9000", True),  # our own page, as the browser reached it (ssh -L 9000:...)
        (None, True),  # no browser: nothing a page could abuse
    ],
)
async def test_serve_opens_apps_for_its_own_page_only(monkeypatch, origin, opens):
    from aiohttp.test_utils import make_mocked_request

    import nnplay.served_tab
    from nnplay.serve import _server

    opened = []

    async def open_tab(self, request):
        opened.append(request)

    monkeypatch.setattr(nnplay.served_tab, "run_tab", open_tab)
    server = _server("true", "127.0.0.1", 8000, "http://127.0.0.1:8000")
    headers = {"Host": "localhost:9000"} | ({"Origin": origin} if origin else {})
    response = await server.handle_websocket(make_mocked_request("GET", "/ws", headers=headers))
    assert bool(opened) == opens
    if not opens:
        assert response.status == 403


@pytest.mark.parametrize(
    "host,addressed,opens",
    [
        ("127.0.0.1", "evil.example:8000", False),  # DNS rebinding: a page's own name, led here
        ("127.0.0.1", "127.0.0.1:8000", True),
        ("127.0.0.1", "[::1]:8000", True),
        ("localhost", "app.localhost:8000", True),  # browsers take *.localhost for this machine
        ("0.0.0.0", "lab-server.example:8000", True),  # students reach it by the machine's name
        ("0.0.0.0", "lab-server:8000", True),
        ("0.0.0.0", "lab-server.local:8000", True),
        ("0.0.0.0", "192.0.2.7:8000", True),  # or its address: an address cannot be rebound
        ("0.0.0.0", "[2001:db8::7]:8000", True),
        ("0.0.0.0", "evil.example:8000", False),  # DNS rebinding, to the machine's address
        ("192.0.2.7", "evil.example:8000", False),
    ],
)
async def test_serve_opens_apps_for_its_pages_at_its_own_names_only(monkeypatch, host, addressed, opens):
    # evil.example's page, its name then made to lead to this machine, sends an Origin that
    # matches the address it reached: the Origin check alone let it open apps and type in them
    import socket

    monkeypatch.setattr(socket, "gethostname", lambda: "lab-server")
    monkeypatch.setattr(socket, "getfqdn", lambda: "lab-server.example")
    from aiohttp.test_utils import make_mocked_request

    import nnplay.served_tab
    from nnplay.serve import _server

    opened = []

    async def open_tab(self, request):
        opened.append(request)

    monkeypatch.setattr(nnplay.served_tab, "run_tab", open_tab)
    server = _server("true", host, 8000, f"http://{host}:8000")
    headers = {"Host": addressed, "Origin": f"http://{addressed}"}
    response = await server.handle_websocket(make_mocked_request("GET", "/ws", headers=headers))
    assert bool(opened) == opens
    if not opens:
        assert response.status == 403


def full_name_lookups(monkeypatch, full_name):
    """Each time nnplay serve looks this machine's full name up (socket.getfqdn, which asks
    DNS), which ``full_name()`` answers; this machine is lab-server."""
    import socket

    calls = []

    def getfqdn(name=""):
        calls.append(name)
        return full_name()

    monkeypatch.setattr(socket, "gethostname", lambda: "lab-server")
    monkeypatch.setattr(socket, "getfqdn", getfqdn)
    return calls


async def served_page(server, app, addressed):
    from aiohttp.test_utils import make_mocked_request

    return await server.handle_index(make_mocked_request("GET", "/", headers={"Host": addressed}, app=app))


async def test_serve_starts_without_looking_its_full_name_up(capsys, monkeypatch):
    # the lookup asks DNS: in a lab with no DNS server it took seconds, and the server's
    # start waited on it. It is made when a browser first gives a name only it can answer.
    import textual_serve.server

    import nnplay.serve
    from nnplay.serve import _server

    calls = full_name_lookups(monkeypatch, lambda: "lab-server.example")
    monkeypatch.setattr(nnplay.serve, "_check_address", lambda host, port: None)
    monkeypatch.setattr(textual_serve.server.Server, "serve", lambda self, **kw: None)
    assert run(capsys, "serve", "--host", "0.0.0.0")[0] == 0
    server = _server("true", "0.0.0.0", 8000, "http://THIS-HOST:8000")
    app = await server._make_app()
    for addressed in ("192.0.2.7:8000", "lab-server:8000", "LAB-SERVER.local:8000", "localhost:8000"):
        assert (await served_page(server, app, addressed)).status == 200
    assert calls == []  # the names known without it: no lookup
    assert (await served_page(server, app, "lab-server.example:8000")).status == 200
    assert (await served_page(server, app, "evil.example:8000")).status == 403
    assert (await served_page(server, app, "lab-server.example.:8000")).status == 200
    assert len(calls) == 1  # looked up once, when first needed


async def test_serve_whose_full_name_cannot_be_looked_up_answers_to_its_other_names(monkeypatch):
    from nnplay.serve import _server

    def broken():
        raise OSError("Temporary failure in name resolution")

    calls = full_name_lookups(monkeypatch, broken)
    server = _server("true", "0.0.0.0", 8000, "http://THIS-HOST:8000", ["class.school.example"])
    app = await server._make_app()
    refused = await served_page(server, app, "lab-server.example:8000")
    assert refused.status == 403 and "--allow-host lab-server.example" in refused.text  # not a 500
    for addressed in ("lab-server:8000", "class.school.example:8000", "192.0.2.7:8000"):
        assert (await served_page(server, app, addressed)).status == 200
    assert len(calls) == 1  # tried once, not again for every browser


async def test_a_slow_full_name_lookup_holds_up_no_other_tab(monkeypatch):
    # where DNS is broken the lookup takes seconds: made on the event loop, every tab's app
    # would stop answering its keys meanwhile
    import asyncio
    import threading

    from nnplay.serve import _server

    loop_thread = threading.current_thread()
    asked, answer = threading.Event(), threading.Event()

    def slow():
        assert threading.current_thread() is not loop_thread, "the lookup held up the event loop"
        asked.set()
        answer.wait(60)  # until the test has served a page meanwhile (60 s: if it never does)
        return "lab-server.example"

    full_name_lookups(monkeypatch, slow)
    server = _server("true", "0.0.0.0", 8000, "http://THIS-HOST:8000")
    app = await server._make_app()
    waiting = asyncio.create_task(served_page(server, app, "lab-server.example:8000"))
    assert await asyncio.to_thread(asked.wait, 60)
    assert (await served_page(server, app, "localhost:8000")).status == 200  # meanwhile
    assert not waiting.done()
    answer.set()
    assert (await waiting).status == 200
