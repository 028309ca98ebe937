"""Each browser tab's app under ``nnplay serve``: Textual's web driver, ending the app when
the server has gone."""

from __future__ import annotations

from textual import messages
from textual.drivers.web_driver import WebDriver


class ServedDriver(WebDriver):
    """The driver textual-serve asks for, which also quits the app when its standard input
    ends: only the server writes to it, so the server has gone (killed, crashed) without
    asking the app to quit. The app went on, training at full speed for nobody, for good."""

    def start_application_mode(self) -> None:
        super().start_application_mode()
        if not self._mouse:  # --low-bandwidth: Textual's web driver asks for the mouse regardless
            self._disable_mouse_support()  # and the browser sent every move, each redrawing hovers

    def run_input_thread(self) -> None:
        super().run_input_thread()
        if not self.exit_event.is_set():  # set when the app stops: then the end was its own
            self._app.post_message(messages.ExitApp())
