"""``nnplay serve``: the app in web browsers, one app per tab, through textual-serve."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import os
import shlex
import sys
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from nnplay.cli import FLAGS, UsageError, resolve_for_app, say_notes
from nnplay.output import Output

DISPLAY = {"--low-bandwidth": "low_bandwidth", "--no-mouse": "no_mouse", "--ansi": "ansi"}
"""The app's display flags serve passes on to each tab's app, as nnplay takes them."""


def serve_command(ns: argparse.Namespace) -> list[str]:
    """The command each browser tab runs: the app, with the settings given to serve."""
    argv = [sys.executable, "-m", "nnplay"]
    for name, (flag, _) in FLAGS.items():
        if hasattr(ns, name):
            argv += [flag, getattr(ns, name)]
    if getattr(ns, "load", None) is not None:
        argv += ["--load", os.path.abspath(ns.load)]
    argv += [flag for flag, given in DISPLAY.items() if getattr(ns, given)]
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
    config, _ = resolve_for_app(ns)  # refuse bad settings now, not in every browser tab
    if not 0 < ns.port < 65536:
        raise UsageError(f"--port: {ns.port} is not a port number (1-65535)")
    _check_address(ns.host, ns.port)  # before any banner: a taken port is the whole answer
    say_notes(ns, config)
    command = shlex.join(serve_command(ns))
    anywhere = ns.host in ("0.0.0.0", "::")
    named = f"[{ns.host}]" if ":" in ns.host else ns.host  # an IPv6 address, bracketed in a URL
    where = f"http://{'THIS-HOST' if anywhere else named}:{ns.port}"
    out = Output(sys.stdout, "nnplay serve", f"serving at {where}")  # the banner is not the point
    out.line(f"nnplay serve: one app per browser tab at {where}")
    if anywhere:
        import socket

        out.line(
            f"(THIS-HOST: this machine's address, or its name, {socket.gethostname()}; "
            "another name it has needs --allow-host NAME)"
        )
    if ns.host in ("127.0.0.1", "localhost", "::1"):
        out.line(
            f"From another machine: ssh -L {ns.port}:localhost:{ns.port} THIS-HOST, "
            f"then open http://localhost:{ns.port}"
        )
    else:  # the whole network, or one of its addresses
        out.line("No password: whoever reaches it gets apps running as you (ctrl+s saves where you can)")
    try:
        _server(command, ns.host, ns.port, where, ns.allow_host).serve()
    except OSError as e:  # the port is taken, the host is not this machine's...
        raise UsageError(f"cannot serve on {ns.host}:{ns.port}: {e.strerror or e}") from None
    return out.status(0)


def _own_page(origin: str, addressed: str, known: Callable[[str], bool]) -> bool:
    """Whether a browser's websocket request comes from nnplay serve's own page: its Origin
    names the address the request came to (``addressed``, its Host), one this server answers
    to (a page on another site can make its own name lead here, DNS rebinding: evil.example
    at first its own server, then this one; then its Origin matched, and it opened apps as
    the teacher's own page)."""
    return urlsplit(origin).netloc.lower() == addressed.lower() and known(addressed)


class AnswersTo:
    """Whether nnplay serve on ``host`` answers to an address a browser reached it by (a Host
    header): localhost, 127.0.0.1, [::1] and the ``allowed`` names; and on the network, any
    IP address (a name is what DNS rebinding needs) and this machine's names (as the system
    knows them, and NAME.local) and ``host``.

    Its full name (``hostname -f``) is looked up when a browser first gives a name that is
    none of the others, not before, and once: the lookup asks DNS, and where there is none (a
    lab without a DNS server) it took seconds, which the server's start waited on.
    """

    def __init__(self, host: str, allowed: Iterable[str] = ()) -> None:
        import socket
        import threading

        self.local = _loopback(host)
        self.ours = _names(socket.gethostname(), f"{socket.gethostname()}.local", host)
        self.aliases = _names(*allowed)
        self.full: set[str] | None = None
        """The full name, once looked up: empty if there was none to be had."""
        self.looking = threading.Lock()  # one lookup, however many browsers ask at once

    def at_once(self, addressed: str) -> bool | None:
        """The answer, with no lookup: None if only this machine's full name can say."""
        try:
            name = (urlsplit(f"//{addressed}").hostname or "").rstrip(".")
        except ValueError:  # not an address at all
            return False
        if _loopback(name) or name in self.aliases:
            return True
        if self.local:
            return False
        try:
            ipaddress.ip_address(name)
        except ValueError:
            if name in self.ours:
                return True
            return None if self.full is None else name in self.full
        return True

    def __call__(self, addressed: str) -> bool:
        """The answer, looking this machine's full name up if it must (which may wait on DNS)."""
        answer = self.at_once(addressed)
        if answer is not None:
            return answer
        import socket

        with self.looking:
            if self.full is None:
                try:
                    self.full = _names(socket.getfqdn())
                except (OSError, UnicodeError):  # no name to be had: the others still hold
                    self.full = set()
        return bool(self.at_once(addressed))

    async def asked(self, addressed: str) -> bool:
        """The answer, any lookup made off the event loop: the other tabs go on meanwhile."""
        answer = self.at_once(addressed)
        return answer if answer is not None else await asyncio.to_thread(self, addressed)


def _names(*given: str) -> set[str]:
    """Host names as they are compared: lower case, with no final dot."""
    return {name.lower().rstrip(".") for name in given} - {""}


def refusal(addressed: str) -> str:
    """What a browser that reached nnplay serve by a name it does not answer to is told."""
    import socket

    parts = urlsplit(f"//{addressed}")
    name = parts.hostname or addressed
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:  # not a port number: no port to name
        port = ""
    return (
        f"nnplay serve does not answer to the name {name}: a page on another site could use a "
        "name like it to reach the apps here (DNS rebinding).\n"
        f"Open http://{socket.gethostname()}{port} or this machine's IP address instead; or, if "
        f"{name} is a name your network gives this machine, start nnplay serve with "
        f"--allow-host {name}\n"
    )


def _loopback(host: str) -> bool:
    """Whether a host name or address is this machine's own, as a browser takes it: localhost
    and its subdomains, 127.x.x.x, ::1."""
    name = host.lower().rstrip(".").strip("[]")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _forbidden(why: str) -> Any:
    """A refusal, saying why, as a browser shows it."""
    from aiohttp import web

    return web.Response(status=403, text=why)


def _server(command: str, host: str, port: int, where: str, allowed: Iterable[str] = ()) -> Any:
    """textual-serve's Server, with its pages addressed as each browser addressed it.

    The page names its script and its websocket by absolute URL, made from the
    address the server listens on: with --host 0.0.0.0 a student's browser was told
    to fetch http://0.0.0.0:8000/static/..., its own machine, and never connected;
    through ssh -L 9000:localhost:8000 it was told port 8000. The Host header the
    browser sent is the address that reached this server.
    """
    from textual_serve.server import Server

    from nnplay import served_page, served_static, served_tab

    known = AnswersTo(host, allowed)

    class _Served(Server):  # type: ignore[misc]
        sessions: set[asyncio.Task[Any]] = set()
        """Each open tab's handler, which runs its app until the tab closes."""

        async def handle_websocket(self, request: Any) -> Any:
            origin = request.headers.get("Origin")
            if not await known.asked(request.host):
                return _forbidden(refusal(request.host))
            if origin is not None and not _own_page(origin, request.host, known):
                # A page from another site, open in any browser that reaches this server: the
                # same-origin rule does not hold websockets back, and it opened apps and typed
                # in them (ctrl+s writes files as this user). Our own page's comes from here.
                return _forbidden("nnplay serve: only its own page opens apps\n")
            task = asyncio.current_task()
            assert task is not None
            self.sessions.add(task)
            try:
                return await served_tab.run_tab(self, request)
            finally:
                self.sessions.discard(task)

        async def _make_app(self) -> Any:
            app = await super()._make_app()
            app.middlewares.append(served_static.static_files(app.router["static"], self.statics_path))
            return app

        async def on_shutdown(self, app: Any) -> None:
            # Stopped (SIGTERM, or SIGINT to the server alone), aiohttp waited for open tabs to
            # close: about 22 s, until the ping it got no answer to, the apps running on
            # unseen. Each tab's handler, cancelled, quits its app and closes the tab.
            for task in self.sessions:
                task.cancel()
            await asyncio.gather(*self.sessions, return_exceptions=True)

        async def handle_index(self, request: Any) -> Any:
            if not await known.asked(request.host):  # and not a blank page, its websocket refused
                return _forbidden(refusal(request.host))
            # Read before the page is made, with no await between: no other request's
            # address can come in between.
            self.public_url = f"{request.scheme}://{request.host}"
            response = await super().handle_index(request)
            from aiohttp import web

            if isinstance(response, web.Response) and response.text:
                response.text = served_page.our_page(response.text, f"{self.public_url}/static/")
                served_tab.name_browser(request, response)
                response.enable_compression()  # as the browser takes it: 5.4 KB, 2 KB gzipped
                # as for the static files: a cache between must not give a page compressed for
                # one browser to another that does not take it (aiohttp does not say so itself)
                response.headers["Vary"] = "Accept-Encoding"
            return response

    # public_url: what textual-serve's own banner says, as nnplay's does (not 0.0.0.0)
    return _Served(command, host=host, port=port, title="nnplay", public_url=where)
