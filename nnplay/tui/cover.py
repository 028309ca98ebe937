"""Not drawing what a dialog hides.

Under a dialog (help, load, the palette), Textual repaints each region that changes on the
screen below by drawing the dialog's screen over it again, blending its shade into every
cell: the status under the help, changing twice a second, cost the UI thread three times
what it costs on the main screen. Where the dialog's box stands, opaque, nothing below
shows, so those parts of the change need no drawing; the rest is drawn as before, so what
shows through is never stale. When the dialog closes, Textual draws the screen below whole.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.geometry import Region
from textual.screen import Screen
from textual.widget import Widget


def without(region: Region, cover: Region) -> list[Region]:
    """The parts of ``region`` outside ``cover``: up to four rectangles (above, below, left
    and right of it)."""
    inside = region.intersection(cover)
    if not inside.area:
        return [region]
    parts = [
        Region(region.x, region.y, region.width, inside.y - region.y),
        Region(region.x, inside.bottom, region.width, region.bottom - inside.bottom),
        Region(region.x, inside.y, inside.x - region.x, inside.height),
        Region(inside.right, inside.y, region.right - inside.right, inside.height),
    ]
    return [part for part in parts if part.area]


def uncovered(regions: Iterable[Region], covers: Iterable[Region]) -> list[Region]:
    """What of ``regions`` no cover hides, as regions none of them empty."""
    left = [region for region in regions if region.area]
    for cover in covers:
        left = [part for region in left for part in without(region, cover)]
    return left


def covers(screen: Screen) -> list[Region]:
    """The parts of the screen that ``screen`` (a dialog over it) hides: where any of its
    widgets stands. Textual draws a widget's every cell over what is below, a transparent
    background taking its containers' colour, not the screen under the dialog: only the
    dialog's own ground, the shade, shows that screen through."""
    regions = sorted(
        (
            region.intersection(clip)
            for widget, (region, clip) in screen._compositor.visible_widgets.items()
            if widget is not screen
        ),
        key=lambda region: region.area,
        reverse=True,
    )
    kept: list[Region] = []
    for region in regions:  # the dialog's box, not each widget in it as well
        if region.area and not any(cover.contains_region(region) for cover in kept):
            kept.append(region)
    return kept


def hidden(widget: Widget) -> bool:
    """Whether the screens above ``widget``'s hide its content: a full screen (a view), or a
    dialog that leaves none of it in view. Any column left in view keeps drawing: a sliver of
    a pane frozen beside a dialog looked broken (the help at 80x24 once left "lo", of "loss",
    stale until it closed; it now takes the full width there, help.py)."""
    app, screen = widget.app, widget.screen
    if screen is app.screen:
        return False
    if screen not in app._background_screens:
        return True
    return not uncovered([widget.content_region], covers(app.screen))


class Underneath(Screen[object]):
    """A screen that a dialog may stand over: it has Textual redraw only the parts of its
    changes that the dialog leaves in view."""

    def _compositor_refresh(self) -> None:
        # Textual 8.2's Screen._compositor_refresh repaints a screen under a dialog by
        # refreshing its changed regions on the dialog's screen; those go without the parts
        # the dialog's box hides. Any error: Textual's own way, never a traceback.
        app, dirty = self.app, self._compositor._dirty_regions
        if self is app.screen or not dirty:
            super()._compositor_refresh()
            return
        top = app.screen
        try:
            left = uncovered(dirty, covers(top))
            # What the box hides is stale in the dialog's screen's copy of this one: drawn
            # again with the next of its lines that is (as where the box shrinks), not now.
            hidden = [part for region in dirty for part in uncovered([region], left)]
            top._dirty_regions.update(hidden)
            top._styles_cache.set_dirty(*hidden)
        except Exception:
            left = list(dirty)
        dirty.clear()
        dirty.update(left)
        if left:
            super()._compositor_refresh()
        self._dirty_widgets.clear()
        # Textual then asks for the whole of this screen to be drawn again, and does it at
        # the next change under the dialog: each change redrew the whole screen under it.
        # It is drawn whole when the dialog goes (Screen._on_screen_resume).
        self._repaint_required = False
