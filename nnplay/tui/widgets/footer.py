"""The key bar at the foot of the screen: Textual's own, made not to grow for ever."""

from __future__ import annotations

from textual.widgets import Footer


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
        watchers: dict[str, list[tuple[object, object]]] = getattr(self, "__watchers", {})
        for watching in watchers.values():
            # closed: removed by the redraw (as Textual's own pruning tells them)
            watching[:] = [(node, then) for node, then in watching if not getattr(node, "_closing", False)]
