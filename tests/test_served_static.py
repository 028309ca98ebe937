"""nnplay serve's page and its files, gzipped for a browser that takes gzip."""

import gzip
from pathlib import Path

import pytest

CHROMIUM = "gzip, deflate, br, zstd"
"""What Chromium says it takes."""


async def fetch(paths: list[str], accept_encoding: str, **headers: str) -> list:
    """(status, headers, body as it came over the wire) for each of ``paths``, from one
    nnplay serve, asked with ``accept_encoding`` and ``headers``."""
    from aiohttp.test_utils import TestClient, TestServer

    from nnplay.serve import _server

    server = _server("true", "127.0.0.1", 8000, "http://127.0.0.1:8000")
    answers = []
    async with TestClient(TestServer(await server._make_app())) as client:
        for path in paths:
            asked = {"Accept-Encoding": accept_encoding, "Host": "localhost:8000"} | headers
            async with client.get(path, headers=asked, auto_decompress=False) as response:
                answers.append((response.status, response.headers, await response.read()))
    return answers


def static_file(name: str) -> bytes:
    import textual_serve

    return (Path(textual_serve.__file__).parent / "static" / name).read_bytes()


FILES = ["js/textual.js", "fonts/RobotoMono-VariableFont_wght.ttf", "css/xterm.css"]
"""The page's script, font and styles: 514, 184 and 5 KB as they are."""


async def test_the_pages_files_go_to_a_browser_gzipped():
    # they went as they were: textual.js and the font alone were 700 KB, seconds on a
    # classroom's link for each student
    answers = await fetch([f"/static/{name}" for name in FILES], CHROMIUM)
    for name, (status, headers, body) in zip(FILES, answers, strict=True):
        assert status == 200 and headers["Content-Encoding"] == "gzip"
        assert headers["Vary"] == "Accept-Encoding"
        assert gzip.decompress(body) == static_file(name) and len(body) < len(static_file(name))
        assert int(headers["Content-Length"]) == len(body)
    assert answers[0][1]["Content-Type"] == "text/javascript"
    assert answers[2][1]["Content-Type"] == "text/css"


async def test_the_page_itself_goes_compressed():
    [(status, headers, body)] = await fetch(["/"], CHROMIUM)
    assert status == 200 and headers["Content-Encoding"] in ("gzip", "deflate")
    assert "Content-Length" not in headers or int(headers["Content-Length"]) == len(body)
    assert b"textual.js" not in body  # compressed: the script's name is not there as text
    assert headers["Vary"] == "Accept-Encoding"  # a cache between must keep it for such browsers


async def test_the_page_goes_as_it_is_to_a_browser_that_takes_no_compression():
    [(status, headers, body)] = await fetch(["/"], "identity")
    assert status == 200 and "Content-Encoding" not in headers and b"textual.js" in body
    assert headers["Vary"] == "Accept-Encoding"  # a cache between must not give it the compressed


@pytest.mark.parametrize("accept_encoding", ["", "identity", "gzip;q=0, identity", "deflate"])
async def test_a_browser_that_takes_no_gzip_gets_the_files_as_they_are(accept_encoding):
    answers = await fetch([f"/static/{name}" for name in FILES], accept_encoding)
    for name, (status, headers, body) in zip(FILES, answers, strict=True):
        assert status == 200 and "Content-Encoding" not in headers and body == static_file(name)
        assert headers["Vary"] == "Accept-Encoding"  # a cache between must not give it the gzipped


async def test_a_browsers_copy_of_a_gzipped_file_stays_good_after_the_server_restarts():
    # a 304 instead of the file again: a reloaded tab, or a class coming back after a restart
    [(_, first, _)] = await fetch(["/static/js/textual.js"], CHROMIUM)
    [(status, headers, body)] = await fetch(
        ["/static/js/textual.js"], CHROMIUM, **{"If-None-Match": first["ETag"]}
    )
    assert status == 304 and body == b"" and headers["ETag"] == first["ETag"]
    since = {"If-Modified-Since": first["Last-Modified"]}
    assert (await fetch(["/static/js/textual.js"], CHROMIUM, **since))[0][0] == 304
    [(status, _, body)] = await fetch(["/static/js/textual.js"], CHROMIUM, **{"If-None-Match": '"another"'})
    assert status == 200 and gzip.decompress(body) == static_file("js/textual.js")


async def test_a_file_serve_does_not_have_is_still_not_found():
    for accept_encoding in (CHROMIUM, ""):
        [(status, _, _)] = await fetch(["/static/js/nothing.js"], accept_encoding)
        assert status == 404


@pytest.mark.parametrize("path", ["/static", "/static/", "/static/js/", "/static/fonts", "/static/js/.."])
async def test_the_servers_folders_are_not_listed(path):
    # textual-serve's route listed them: anyone reaching the server saw a page of links to
    # every file there
    for accept_encoding in (CHROMIUM, ""):
        [(status, _, body)] = await fetch([path], accept_encoding)
        assert status == 404 and b"textual.js" not in body and b"Index of" not in body


@pytest.mark.parametrize(
    "accept_encoding,takes",
    [
        ("gzip, deflate, br", True),
        ("GZIP", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("x-gzip", True),
        ("*", True),
        ("*, gzip;q=0", False),  # anything but gzip
        ("gzip;q=0", False),
        ("gzip;q=0.0, br", False),
        ("deflate, br", False),
        ("", False),
        ("identity", False),
        ("gzip;q=x", True),  # a q that is not a number: taken as none given
    ],
)
def test_takes_gzip_reads_accept_encoding(accept_encoding, takes):
    from nnplay.served_static import takes_gzip

    assert takes_gzip(accept_encoding) is takes
