"""The page ``nnplay serve`` sends each browser tab: textual-serve's, with what a class needs."""

from __future__ import annotations

import re

FOCUS = """<script>
addEventListener("load", () => {
  const field = document.querySelector(".xterm-helper-textarea");
  const restart = document.querySelector(".closed-dialog button");
  const has = (name) => document.body.classList.contains(name);
  // the app may hear this focus before its driver's start-up blur: told again a second later
  const again = () => document.activeElement === field && (field.blur(), field.focus());
  let drawn = false;
  const check = () => {
    if (field && !drawn && has("-first-byte")) {
      drawn = true;
      field.focus();
      setTimeout(again, 1000);
    }
    if (restart && has("-closed")) {  // the app ended: enter starts another
      watch.disconnect();
      restart.focus();
    }
  };
  const watch = new MutationObserver(check);
  watch.observe(document.body, {attributes: true, attributeFilter: ["class"]});
  check();
});
</script>"""
"""Put on nnplay serve's page: the terminal takes keys once the app has drawn its first screen
(textual-serve's page marks it -first-byte), and the app hears that it has the focus (a focus
before went nowhere; one heard before the web driver's start-up blur was undone by it, the
panes looking unfocused until the first key); and once the app has ended, its Restart button
has the focus, so enter starts another (a keyboard alone had to find it with tab)."""


FAREWELL = "nnplay_farewell"
"""The kind of the websocket message in which a tab is sent what its app said as it ended
well (served_tab), just before the tab is closed."""

SAYS_FAREWELL = """<style>
.closed-dialog.-farewell .intro { flex-direction: column; height: auto; padding: 16px 32px; }
.closed-dialog.-farewell .message { white-space: pre-line; overflow-wrap: anywhere; text-align: left; }
</style>
<script>
// textual.js makes the tab's websocket, and ignores messages of kinds it does not know
window.WebSocket = class extends WebSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener("message", (event) => {
      const [kind, text] = typeof event.data === "string" ? JSON.parse(event.data) : [];
      if (kind === "KIND") {
        const dialog = document.querySelector(".closed-dialog");
        dialog.querySelector(".message").textContent = "Session ended.\\n" + text;
        dialog.classList.add("-farewell");
      }
    });
  }
};
</script>""".replace("KIND", FAREWELL)
"""Put on nnplay serve's page: what the app said as it ended (where its unsaved network was
kept, and how to carry on) is shown in the page's "Session ended." box, which covers the
terminal where a terminal's user reads it (it went only to the server's window)."""


GOOGLE_FONTS = re.compile(r"<link[^>]*fonts\.googleapis\.com[^>]*>")
"""textual-serve's link to Roboto Mono at Google Fonts."""

LOCAL_FONT = """<style>
@font-face {
  font-family: "Roboto Mono";
  src: url("STATIC/fonts/RobotoMono-VariableFont_wght.ttf") format("truetype");
  font-weight: 100 700;
}
</style>
<link rel="preload" href="STATIC/fonts/RobotoMono-VariableFont_wght.ttf" as="font" type="font/ttf"
  crossorigin>"""
"""Roboto Mono from the font textual-serve ships in its static folder, loaded with the page."""


def our_page(page: str, static: str) -> str:
    """textual-serve's page, with its static folder at ``static`` (ending in /), made for a class:

    - its font from this server, not Google Fonts: the page links Google's stylesheet in its
      head, which holds back the script after it, so on a network that drops what goes to
      the internet the tab stayed on its start-up box (no first frame in 60 s, in Chromium);
    - the terminal focused once the app has drawn, and Restart once it has ended (FOCUS);
    - what the app said as it ended, in the box that says so (SAYS_FAREWELL).
    """
    page = GOOGLE_FONTS.sub(lambda _: LOCAL_FONT.replace("STATIC/", static), page, count=1)
    return page.replace("</body>", SAYS_FAREWELL + FOCUS + "</body>", 1)
