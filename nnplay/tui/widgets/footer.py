"""The key bar at the foot of the screen: Textual's own, made not to grow for ever."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey  # not exported by textual.widgets (8.2.8)


class KeyFooter(Footer):
    """Textual's Footer, but the keys it drew before are let go when it redraws them.

    It redraws its keys whenever the keys that apply change: at every tab between panes,
    every field opened, every view or help closed. Each key it makes watches the footer's
    ``compact`` (Textual's data_bind), and Textual forgets such a watcher only when
    ``compact`` changes, which here it never does: every key ever drawn stayed in memory
    with all it had rendered, about a megabyte for each view opened and closed, so a
    lesson's worth of moving about grew the app by hundreds of megabytes (Textual issue
    #6666, open in 8.2.8)."""

    async def recompose(self) -> None:
        await super().recompose()
        # Textual's private store of who watches the footer (reactive._watch, 8.2.8):
        # {name: [(node, callback), ...]}. A store of another shape (a Textual that changed
        # it) is left alone: the old keys pile up again (tests/tui/test_long_session.py says
        # so), but the keys are still drawn, where unpacking it raised at every tab.
        watchers = getattr(self, "__watchers", None)
        if not isinstance(watchers, dict):
            return
        for watching in watchers.values():
            if isinstance(watching, list):
                watching[:] = [watcher for watcher in watching if not _closed(watcher)]


def _closed(watcher: object) -> bool:
    """Whether a watcher's node has closed (the redraw removed it), as Textual's own pruning
    of watchers tells it."""
    node = watcher[0] if isinstance(watcher, tuple) and watcher else None
    return getattr(node, "_closing", False) is True


class DialogKeys(KeyFooter):
    """The key bar under a dialog (save, load, data sets, help): the dialog's own keys, over
    the main screen's. Textual's Footer shows its own screen's: under a dialog the main
    screen's bar showed through, "space Start/pause  s Step ...", where space typed into
    the name field or did nothing."""

    def __init__(self, *keys: tuple[str, str, str]) -> None:
        super().__init__(show_command_palette=False)
        self.keys = keys
        """(key, as shown, what it does): a click presses the key, as on Textual's."""

    def compose(self) -> ComposeResult:
        for key, shown, does in self.keys:
            yield FooterKey(key, shown, does, "").data_bind(compact=Footer.compact)
