"""The files of ``nnplay serve``'s page (its script, font and styles), sent gzipped to a
browser that takes gzip: compressed once, when the server starts, and kept; and its folders
not listed.

textual-serve sends them as they are: its script is 514 KB and Roboto Mono 184 KB, seconds
for each student on a classroom link. Gzipped (level 9) they are 124 KB and 128 KB. Brotli
would save a little more, but Python has no brotli of its own (it would be a dependency).
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiohttp import web
    from aiohttp.typedefs import Handler, Middleware


@dataclass(frozen=True)
class Gzipped:
    """One static file, gzipped."""

    body: bytes
    """The file's bytes, gzipped."""
    etag: str
    """Its ETag (unquoted), named by what it holds: the same after the server restarts, so a
    browser's copy stays good."""
    modified: float
    """The file's modification time (Last-Modified, as aiohttp sends for the file itself)."""
    content_type: str
    """What it is, by its name's ending ("text/javascript")."""


def gzip_folder(folder: Path) -> dict[str, Gzipped]:
    """Each file under ``folder`` that gzip makes smaller, by its path there ("js/textual.js")."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        body = gzip.compress(data, compresslevel=9, mtime=0)  # mtime 0: the same bytes every start
        if len(body) < len(data):
            digest = hashlib.blake2b(data, digest_size=12).hexdigest()
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            found[path.relative_to(folder).as_posix()] = Gzipped(
                body, f"{digest}-gz", path.stat().st_mtime, kind
            )
    return found


def takes_gzip(accept_encoding: str) -> bool:
    """Whether a browser's Accept-Encoding takes gzip ("gzip, deflate, br"; not "gzip;q=0")."""
    weights = {}
    for part in accept_encoding.lower().split(","):
        coding, *params = (word.strip() for word in part.split(";"))
        weights[coding] = 1.0
        for name, _, value in (param.partition("=") for param in params):
            if name.strip() == "q":
                try:
                    weights[coding] = float(value)
                except ValueError:  # a q that is not a number: as good as none given
                    pass
    for coding in ("gzip", "x-gzip", "*"):  # gzip by name before "any"
        if coding in weights:
            return weights[coding] > 0
    return False


def static_files(static: Any, folder: Path) -> Middleware:
    """An aiohttp middleware for the ``static`` route's GETs (of files in ``folder``): a file
    goes gzipped, if the browser takes gzip; a folder is not found. Any other request, the
    page's websocket among them, goes on to its handler untouched.

    textual-serve's route lists a folder's files (show_index=True): GET /static/ showed
    anyone who reached the server a page of links to every file in the folder."""
    from aiohttp import web

    files = gzip_folder(folder)

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.match_info.route.resource is not static or request.method not in ("GET", "HEAD"):
            return await handler(request)
        name = request.match_info.get("filename", "")
        found = files.get(name)
        if found is None:
            if _a_folder(folder, name):
                raise web.HTTPNotFound()
            return await handler(request)
        if not takes_gzip(request.headers.get("Accept-Encoding", "")):
            plain = await handler(request)
            plain.headers["Vary"] = "Accept-Encoding"  # a cache between must not give it out gzipped
            return plain
        response: web.StreamResponse
        if _unchanged(request, found):
            response = web.Response(status=304)
        else:
            response = web.Response(body=found.body, content_type=found.content_type)
            response.headers["Content-Encoding"] = "gzip"
            response.last_modified = found.modified
        response.headers["Vary"] = "Accept-Encoding"
        response.etag = found.etag
        return response

    return middleware


def _a_folder(folder: Path, name: str) -> bool:
    """Whether ``name`` (a static URL's path, "js/", "js/..", "") leads to a folder, as aiohttp's
    static handler takes it (resolved; anything it refuses, left to it to refuse)."""
    try:
        return not Path(name).is_absolute() and (folder / name).resolve().is_dir()
    except (OSError, RuntimeError):  # unreadable, a symlink loop: the handler says so
        return False


def _unchanged(request: web.Request, found: Gzipped) -> bool:
    """Whether the browser's own copy is this one (a 304 is all it needs)."""
    if request.if_none_match is not None:
        return any(tag.value in (found.etag, "*") for tag in request.if_none_match)
    since = request.if_modified_since
    return since is not None and int(found.modified) <= since.timestamp()
