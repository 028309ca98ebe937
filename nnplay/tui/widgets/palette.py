"""The command palette (ctrl+p): Textual's own, made safe against keys that arrive together."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.command import CommandList, CommandPalette
from textual.widgets import Input, OptionList

from nnplay.tui.widgets.footer import DialogKeys


class Palette(CommandPalette):
    """Textual's command palette, but pageup and pagedown wait for its list to be laid out:
    arriving with ctrl+p (over a slow link, say) Textual's list paged by lines it had not
    measured yet, and a KeyError ended the app. And an enter typed with the one that ran a
    command is not taken once the palette has closed. Its key bar names its own keys, as
    the dialogs' do: the main screen's showed through beneath it, "space Start/pause ...",
    where space typed into the search and q did not quit."""

    def compose(self) -> ComposeResult:
        yield from super().compose()
        yield DialogKeys(("down", "↑↓", "Choose"), ("enter", "enter", "Run"), ("escape", "esc", "Close"))

    @on(Input.Submitted)
    @on(OptionList.OptionSelected)
    def _closed_already(self, event: Input.Submitted | OptionList.OptionSelected) -> None:
        # Read after the first enter had closed the palette, the second closed it again:
        # that closed the screen under it (a view), or on the main screen ended the app.
        if not self.is_active:
            event.stop()
            event.prevent_default()  # Textual's own handlers, which would close it, do not run

    def _action_command_list(self, action: str) -> None:
        if action in ("page_up", "page_down") and not self.query_one(CommandList).scrollable_content_region:
            return
        super()._action_command_list(action)
