"""One browser tab's app under ``nnplay serve``: textual-serve's AppService, which also tells
the tab when its app could not start or stopped with an error."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import secrets
from typing import Any

from textual_serve.app_service import AppService

from nnplay.served_page import FAREWELL

SHOWN_LINES = 6
"""How many of the app's last error lines a tab shows: the error itself, not a whole traceback."""

ENDING = 10.0
"""Seconds a tab waits for its app's process to end once it has closed its output."""


BROWSER = "nnplay_browser"
"""The cookie that names a browser to nnplay serve: a random name, which its folder of unsaved
training is named by (a reloaded tab offers what the tab before it kept)."""
BROWSER_NAME = re.compile(r"[0-9a-f]{32}")
BROWSER_DAYS = 90
"""How long a browser keeps its name: longer than kept training stays (keep.KEPT_DAYS)."""


def name_browser(request: Any, response: Any) -> None:
    """Give the browser asking for the page a name (a cookie), if it has none yet."""
    if not BROWSER_NAME.fullmatch(request.cookies.get(BROWSER, "")):
        days = BROWSER_DAYS * 86400
        response.set_cookie(BROWSER, secrets.token_hex(16), max_age=days, httponly=True, samesite="Strict")


def browser_keeps(request: Any) -> str | None:
    """The folder the unsaved training of the browser opening a tab is kept in, or None if it
    has no name (cookies off) or there is nowhere to keep (no home folder)."""
    from nnplay.tui.keep import kept_folder

    name = request.cookies.get(BROWSER, "")
    if not BROWSER_NAME.fullmatch(name):  # and so no path of the browser's making
        return None
    try:
        return str(kept_folder().absolute() / "browsers" / name)
    except OSError:
        return None


def farewell(said: bytes) -> str:
    """What an app that ended well said to its person on the way out (on standard error, where
    a terminal shows it once the app is gone): nnplay's own lines, "nnplay: ...", as they are."""
    lines = said.decode("utf-8", "replace").splitlines()
    return "\n".join(line.rstrip() for line in lines if line.startswith("nnplay: "))


class _Recorded:
    """An app's standard error, as textual-serve reads it, with what was read kept."""

    def __init__(self, stream: asyncio.StreamReader, into: bytearray) -> None:
        self.stream = stream
        self.into = into

    async def read(self, n: int = -1) -> bytes:
        data = await self.stream.read(n)
        self.into += data
        return data


def failure_text(status: int | None, drawn: bool, error: bytes) -> bytes:
    """What a tab shows when its app ended badly: what went wrong and how to get going again."""
    if status is not None and status < 0:
        why = f"was stopped (signal {-status})"
    else:
        why = "stopped with an error" if drawn else "could not start"
    lines = [line.rstrip() for line in error.decode("utf-8", "replace").splitlines() if line.strip()]
    shown = [f"  {line}" for line in lines[-SHOWN_LINES:]] or [f"  (exit status {status}, no message)"]
    text = [
        f"nnplay {why} in this tab:",
        "",
        *shown,
        "",
        "Reload the page (F5) to start it again. If that fails too, tell your teacher:",
        "the window running nnplay serve shows the whole error.",
    ]
    # the whole screen cleared, the cursor home: an app that had drawn leaves its last frame
    return ("\x1b[0m\x1b[2J\x1b[H" + "\r\n".join(text) + "\r\n").encode()


class Tab(AppService):  # type: ignore[misc]
    """textual-serve's AppService, for one tab. Its app could fail (a --load file moved since
    the server started, a broken install, a crash) and the tab stayed as it was: the page's
    start-up box for good, or the app's last frame, frozen; the error went only to the
    server's window. The tab now says what went wrong and how to recover; an app that
    ended well closes the tab as before (the page offers Restart)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.drawn = False
        """Whether the app has sent the tab anything to draw."""
        self.stopping = False
        """Whether the tab has gone (closed, reloaded) or the server is stopping: nobody to tell."""
        self.error = bytearray()
        """What the app has written to its standard error so far."""
        self.keeps: str | None = None
        """The folder its browser's unsaved training is kept in (browser_keeps()), if any."""

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        from nnplay.tui.keep import BROWSER_KEEPS

        environment: dict[str, str] = super()._build_environment(width, height)
        environment.pop(BROWSER_KEEPS, None)  # the server's own, if it had one: not the browser's
        if self.keeps is not None:
            environment[BROWSER_KEEPS] = self.keeps
        return environment

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Any:
        process = await super()._open_app_process(width, height)
        assert process.stderr is not None
        process.stderr = _Recorded(process.stderr, self.error)  # type: ignore[assignment]  # run() reads it there
        return process

    async def on_data(self, payload: bytes) -> None:
        self.drawn = True
        await super().on_data(payload)

    async def on_meta(self, data: bytes) -> None:
        # "exit": the app is on its way out. The tab closes once the process has ended,
        # with a status that says whether it ended well (run()).
        if json.loads(data).get("type") != "exit":
            await super().on_meta(data)

    async def send_bytes(self, data: bytes) -> bool:
        return self._running() and await super().send_bytes(data)

    async def send_meta(self, data: dict[str, Any]) -> bool:
        return self._running() and await super().send_meta(data)

    def _running(self) -> bool:
        # keys typed at a tab whose app has ended went to its closed pipe, and asyncio
        # logged a warning in the server's window for each
        return self._process is not None and self._process.returncode is None

    async def stop(self) -> None:
        self.stopping = True
        await super().stop()

    async def run(self) -> None:
        await super().run()  # until the app's output ends
        process = self._process
        assert process is not None
        try:
            status = await asyncio.wait_for(process.wait(), ENDING)
        except TimeoutError:  # output closed, process lingering: count it as ended well
            status = 0
        else:  # textual-serve stops reading standard error once the output ends: what the app
            # wrote there just before it ended (its farewell, its error) may be left unread
            with contextlib.suppress(TimeoutError):  # a child of the app's holding it open
                await asyncio.wait_for(process.stderr.read(), ENDING)  # type: ignore[union-attr]
        if self.stopping:
            return
        try:
            if status == 0 and self.drawn:
                # the keep's note ("is kept in ..."): the page shows it as it says the session ended
                if said := farewell(bytes(self.error)):
                    await self.remote_write_str(json.dumps([FAREWELL, said]))
                await self.remote_close()
            else:
                await self.remote_write_bytes(failure_text(status, self.drawn, bytes(self.error)))
        except (ConnectionError, RuntimeError):  # the tab went meanwhile
            pass


async def run_tab(server: Any, request: Any) -> Any:
    """textual-serve's Server.handle_websocket (textual-serve 1.1), with a Tab for its app:
    the app runs until the browser closes the tab (or the app ends, and the tab is told)."""
    from aiohttp import web
    from textual_serve.server import log, to_int

    websocket = web.WebSocketResponse(heartbeat=15)
    width = to_int(request.query.get("width", "80"), 80)
    height = to_int(request.query.get("height", "24"), 24)
    tab: Tab | None = None
    try:
        await websocket.prepare(request)
        tab = Tab(
            server.command,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=server.download_manager,
            debug=server.debug,
        )
        tab.keeps = browser_keeps(request)
        await tab.start(width, height)
        await server._process_messages(websocket, tab)
    except asyncio.CancelledError:
        await websocket.close()
    except Exception as error:
        log.exception(error)
    finally:
        if tab is not None:
            await tab.stop()
    return websocket
