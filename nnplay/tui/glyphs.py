"""What the app draws, under TERM=linux, for the characters that the Linux console's fonts lack.

The console (a lab machine's text screen, no X) draws from a font of 256 or 512 glyphs; a
character outside it shows as the font's mark for unknown ones, a diamond or a box. The loss
plot's braille curve came out as rows of those, its key's too, and the digit pane's darkest
ink and its bars' part-cells. Read from the fonts' own Unicode tables: each character below
is missing from every Lat15 and Lat2 font of console-setup (Debian's and Ubuntu's console
fonts for Western and Central European languages, in every face and size; ○ is in one of
the 58), and all but ‖▄▌▓○ from all 456 of its fonts and the kernel's built-in one (its
cp437.uni, which has ▄▌▓○). What stands in is in all of those but a few Cyrillic and
Ethiopian ones.
"""

from __future__ import annotations

import os

from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

from nnplay.tui.keep import served

BRAILLE = range(0x2801, 0x2900)
"""Braille with any dot raised: the plots' training curve and its key."""

STAND_INS: dict[int, str] = {
    0x2800: " ",  # braille with no dot
    **dict.fromkeys(BRAILLE, "·"),  # a dot a cell: the curve's cells, smaller than a test dot •
    # Part-cells, half or more a full one: the digit pane's bars (▌▋▊▉), Textual's scrollbar
    # ends (the help's, at 80x24) and the inspector's sparklines (▄▅▆▇); and the darkest ink.
    **{ord(c): "█" for c in "▌▋▊▉▄▅▆▇▓"},
    **{ord(c): "|" for c in "▏▎▍"},  # less than half; the typed number's cursor; the key bar's ▏
    **{ord(c): "_" for c in "▁▂▃"},  # less than half, upright
    ord("‖"): "|",  # "‖ paused"; the inspector's norms ‖W‖
    ord("○"): "o",  # "○ ready"
    ord("✓"): "+",  # "✓ right"
}


def linux_console() -> bool:
    """Whether the app draws on the Linux console: TERM=linux, and not a browser's tab under
    nnplay serve (which passes on the server's TERM)."""
    return os.environ.get("TERM") == "linux" and not served()


class ConsoleGlyphs(LineFilter):
    """Every line drawn, with STAND_INS in place of what the console's fonts lack: the app's
    own characters and Textual's alike (its key bar's ▏), in one place. Each stands in for a
    character one cell wide with one cell wide, so nothing moves."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [
            segment if segment.control else segment._replace(text=segment.text.translate(STAND_INS))
            for segment in segments
        ]
