"""The command palette (ctrl+p): what it offers, and the screenshot it takes. A mixin of
NnplayApp: each command runs one of the app's actions, as its key would."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.command import CommandPalette
from textual.screen import Screen

from nnplay import data
from nnplay.core.paths import name_and_folder, unused_name
from nnplay.tui.keep import served
from nnplay.tui.views import VIEWS
from nnplay.tui.widgets.palette import Palette


class CommandsMixin(App[None]):
    """The palette's commands, and the screenshot one of them takes."""

    if TYPE_CHECKING:  # NnplayApp's actions, and its other mixins', that the commands run

        def action_toggle_training(self) -> None: ...
        def action_step(self) -> None: ...
        def action_reset(self) -> None: ...
        def action_toggle_plot(self) -> None: ...
        def action_save(self) -> None: ...
        def action_open(self) -> None: ...
        def action_pace(self, step: int) -> None: ...
        def action_help(self) -> None: ...
        def action_redraw(self) -> None: ...
        def action_view(self, name: str, switch: bool = False) -> None: ...
        def action_move_sample(self, step: int) -> None: ...
        def action_switch_set(self) -> None: ...
        def action_mistake(self, step: int) -> None: ...
        def _switch_dataset(self, name: str | None) -> None: ...

    def action_command_palette(self) -> None:
        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            self.push_screen(Palette(id="--command-palette"))  # as Textual's own does

    def screenshot(self) -> None:
        """Save an SVG of the screen in the current folder, where ctrl+s saves too, and say where.
        Under nnplay serve, the browser gets it (it opens in a tab), as Textual's own did: the
        server's folder is out of the student's reach."""
        if served():
            self.deliver_screenshot()  # Textual says "Saved screenshot" once the browser has it
            return
        try:
            folder = os.getcwd()  # gone, if another shell removed it
            # not Textual's nnplay_2026-12-04T17_58_36_728597.svg: 38 characters, cut in two
            # where the notice wrapped it, and hard to say aloud to a class
            name = unused_name(folder, time.strftime("nnplay-%Y%m%d-%H%M%S"), ".svg")
            path = self.save_screenshot(filename=name, path=folder)
        except OSError as e:
            self.notify(f"Could not save the screenshot here: {e.strerror or e}.", severity="error")
        else:
            self.notify(f"Saved the screen as {name_and_folder(path)}.", timeout=6)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        # Not Textual's "Keys": a side panel that squeezes the panes at 80x24 and that esc
        # does not close (? shows the keys here). Nor "Theme": the light themes draw the
        # panes' borders and titles white on white.
        # Nor its "Screenshot", which wrote to ~/Downloads (where there is none: "Failed", no
        # reason) and whose notice our plain-text notices showed as markup: ours follows.
        # Nor "Maximize": a pane filling the screen hid the others and was documented nowhere.
        left_out = ("Keys", "Theme", "Screenshot", "Maximize")
        yield from (c for c in super().get_system_commands(screen) if c.title not in left_out)
        yield SystemCommand("Start or pause training", "space", self.action_toggle_training)
        yield SystemCommand("Single step", "s: train on one batch", self.action_step)
        yield SystemCommand("Reset the network", "r: fresh weights from the seed", self.action_reset)
        yield SystemCommand("Plot loss or accuracy", "p", self.action_toggle_plot)
        yield SystemCommand("Save the network", "ctrl+s: to an .npz file", self.action_save)
        yield SystemCommand("Load a network", "ctrl+o: from an .npz file", self.action_open)
        yield SystemCommand("Train slower", "<: fewer epochs a second, to watch", lambda: self.action_pace(1))
        yield SystemCommand("Train faster", ">: more epochs a second", lambda: self.action_pace(-1))
        yield SystemCommand("Help", "?: keys, and what the network is doing", self.action_help)
        yield SystemCommand("Redraw the screen", "ctrl+l: if something wrote over it", self.action_redraw)
        # after a moment: the palette closes first, and is not in the picture
        yield SystemCommand(
            "Screenshot",
            "an SVG of the screen, " + ("opened in a browser tab" if served() else "saved in this folder"),
            lambda: self.set_timer(0.1, self.screenshot),
        )
        for name, info in data.DATASETS.items():  # typing "moons" in the palette finds it
            yield SystemCommand(
                f"Train on {name}", f"D: {info.about}", lambda name=name: self._switch_dataset(name)
            )
        for name, (key, title, _, about) in VIEWS.items():
            # by name, from another view too: that one closes
            yield SystemCommand(
                title, f"{key}: {about}", lambda name=name: self.action_view(name, switch=True)
            )
        # through the app's actions: in a view, which hides the pane, they say esc first
        yield SystemCommand("Next digit", "→ in the digit pane", lambda: self.action_move_sample(1))
        yield SystemCommand("Previous digit", "← in the digit pane", lambda: self.action_move_sample(-1))
        yield SystemCommand("Switch test/training digits", "t, from any pane", self.action_switch_set)
        yield SystemCommand("Next mistake", "m, from any pane", lambda: self.action_mistake(1))
        yield SystemCommand("Previous mistake", "M, from any pane", lambda: self.action_mistake(-1))
