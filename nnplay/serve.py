"""``nnplay serve``: the app in web browsers, one app per tab, through textual-serve."""

from __future__ import annotations

import argparse
import os
import shlex
import sys

from nnplay.cli import FLAGS, UsageError, resolve
from nnplay.output import Output


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
