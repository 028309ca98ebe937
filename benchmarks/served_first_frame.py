"""How long a browser tab of ``nnplay serve`` takes to draw the app's first frame, with the
internet reachable, refused, or silent (a classroom network that drops what leaves it).

Run by hand, with an nnplay serve running and Playwright installed (not a dependency):

    pip install playwright
    nnplay serve --port 8731 &
    python benchmarks/served_first_frame.py http://127.0.0.1:8731 [/usr/bin/chromium [KBITS]]

KBITS, if given, is the link's speed in kbit/s each way (and 100 ms a round trip), as Chromium
emulates it: a classroom's link shared by a class, say 2000.

Prints, for each network, the seconds to the app's first frame (the page's ``-first-byte``),
whether the page's Roboto Mono loaded, the terminal's size in cells (which the font sets),
the bytes the server sent for the page and its files (headers and bodies, as they came over
the wire: compressed, if they were), and what the page asked of other hosts.
"""

import asyncio
import sys
import time

from playwright.async_api import async_playwright

LONGEST = 60.0
"""Seconds to wait for a first frame before giving up."""


async def first_frame(browser, url: str, outside: str, kbits: float | None = None) -> str:
    page = await browser.new_page(viewport={"width": 1000, "height": 700})
    if kbits:
        link = await page.context.new_cdp_session(page)
        rate = kbits * 1000 / 8  # bytes a second
        conditions = {"offline": False, "latency": 100, "downloadThroughput": rate, "uploadThroughput": rate}
        await link.send("Network.emulateNetworkConditions", conditions)
    elsewhere: list[str] = []
    host = url.split("//", 1)[1].split("/", 1)[0]

    async def route(r):
        if r.request.url.split("//", 1)[1].split("/", 1)[0] == host:
            await r.continue_()
            return
        elsewhere.append(r.request.url)
        if outside == "reachable":
            await r.continue_()
        elif outside == "refused":
            await r.abort("connectionrefused")
        else:  # silent: the request never answered
            await asyncio.sleep(LONGEST + 5)
            await r.abort("timedout")

    await page.route("**/*", route)
    ours: list = []  # the requests to this server that were answered: the page and its files
    page.on("requestfinished", lambda r: ours.append(r) if r.url.split("//", 1)[1].startswith(host) else None)
    sizes: list[str] = []  # the terminal's columns and rows in 1000x700 pixels: the font's cell size
    page.on("websocket", lambda ws: sizes.append(ws.url.split("?", 1)[-1]))
    start = time.monotonic()
    await page.goto(url, wait_until="commit")
    try:
        await page.wait_for_function(
            "document.body && document.body.classList.contains('-first-byte')", timeout=LONGEST * 1000
        )
        took = f"{time.monotonic() - start:.2f} s"
    except Exception:
        took = f"none within {LONGEST:.0f} s"
    # the page's own Roboto Mono, if it has one (document.fonts.check says yes for a system font)
    faces = "[...document.fonts].filter(f => f.family.includes('Roboto Mono'))"
    font = await page.evaluate(f"{faces}.map(f => f.status).join() || 'none'")
    await page.evaluate("document.fonts.ready")  # the font in, if it is coming
    sizes_sent = [await r.sizes() for r in ours]
    sent = sum(s["responseHeadersSize"] + s["responseBodySize"] for s in sizes_sent)
    await page.close()
    asked = sorted(set(elsewhere)) or "none"
    return (
        f"{outside:9}: first frame {took}; Roboto Mono: {font}; terminal {sizes}; "
        f"{sent / 1000:.0f} kB from this server in {len(ours)} responses; other hosts asked: {asked}"
    )


async def main() -> None:
    url = sys.argv[1]
    chromium = sys.argv[2] if len(sys.argv) > 2 else "/usr/bin/chromium"
    kbits = float(sys.argv[3]) if len(sys.argv) > 3 else None
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium)
        for outside in ("reachable", "refused", "silent"):
            print(await first_frame(browser, url, outside, kbits), flush=True)
        await browser.close()


if __name__ == "__main__":
    asyncio.run(main())
