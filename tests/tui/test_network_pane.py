"""The Network pane: editing the architecture as a draft, applying it, and refusals."""

import numpy as np

from nnplay.core.config import TrainConfig
from nnplay.core.network import Network, NetworkSpec
from nnplay.tui.app import make_app
from nnplay.tui.widgets.architecture import ArchitectureEditor
from tests.tui.helpers import SMALL, settle


async def test_an_invalid_architecture_edit_is_refused_and_the_network_kept(size):
    app = make_app(SMALL)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        editor = app.query_one(ArchitectureEditor)
        assert editor.has_focus
        before = app.session.trainer.net.params.copy()
        await pilot.press("0", "enter")
        assert "at least 1" in editor.message
        await pilot.press(*"200000", "enter")
        assert "too many" in editor.message
        assert app.session.config.layers == (64, 16, 10)
        assert np.array_equal(app.session.trainer.net.params, before)


async def test_architecture_edits_apply_on_enter_and_rebuild_the_network():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("a", "plus", "right", "enter")
        await settle(app, pilot)
        assert app.session.config.layers == (64, 16, 32, 10)
        assert app.session.config.hidden_activations == ("relu", "leaky_relu")
        assert (
            app.session.trainer.net.n_params
            == Network(
                NetworkSpec((64, 16, 32, 10), ("relu", "leaky_relu")), np.random.default_rng(0)
            ).n_params
        )
        await pilot.press("x", "escape")  # a draft dropped changes nothing
        assert app.session.config.layers == (64, 16, 32, 10)
        await pilot.press(*"24", "enter", "enter")
        await settle(app, pilot)
        assert app.session.config.layers == (64, 24, 32, 10)  # the cursor moved up when x removed a layer
        editor = app.query_one(ArchitectureEditor)
        await pilot.press(*"12")
        assert editor.note == "size 12: enter sets it, esc drops"
        await pilot.press("backspace")
        assert editor.note == "size 1: enter sets it, esc drops"
        await pilot.press("down")  # the typed size is dropped, and so is the promise to set it
        assert editor.typed == "" and editor.note == ""
        await pilot.press("enter")
        assert app.session.config.layers == (64, 24, 32, 10) and editor.note == "no change to apply"


async def test_a_size_typed_before_a_or_x_is_dropped_and_never_reaches_another_layer():
    app = make_app(TrainConfig(layers=(64, 128, 128, 64, 10), epochs=3))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        editor = app.query_one(ArchitectureEditor)
        await pilot.press(*"32", "a")  # typed for hidden 1; a adds a layer below it
        assert editor.typed == "" and editor.draft_layers == [64, 128, 128, 128, 64, 10]
        await pilot.press("escape", *"5", "x", "x", "x", "x", "enter")  # every hidden layer gone
        assert editor.draft_layers == [64, 10]  # the output is still the data set's 10
        await settle(app, pilot)
        assert app.session.config.layers == (64, 10)
        await pilot.press(*"5")  # no hidden layer: digits have nothing to size, and say so, as x does
        assert "no hidden layer: a adds one" in editor.message
        await pilot.press("enter")
        assert app.session.config.layers == (64, 10) and editor.draft_layers == [64, 10]
        for key in ("plus", "minus", "left", "right"):
            editor.message = ""
            await pilot.press(key)
            assert "no hidden layer: a adds one" in editor.message and editor.draft_layers == [64, 10]


async def test_space_s_r_d_and_ctrl_o_with_a_draft_not_applied_say_so_and_change_nothing():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        before = app.session.trainer.net.params.copy()
        await pilot.press("minus", "tab")  # a draft, then off to the Training pane
        # D and ctrl+o would replace it unseen; ctrl+s would save the network it replaces
        for key in ("space", "s", "r", "D", "ctrl+o", "ctrl+s"):
            await pilot.press(key)
            await settle(app, pilot)
            editor = app.query_one(ArchitectureEditor)
            assert len(app.screen_stack) == 1  # no chooser or dialog opened over it
            assert app.state == "ready" and np.array_equal(app.session.trainer.net.params, before)
            assert "not applied yet" in editor.message and editor.has_focus  # where enter applies it
            assert editor.changed  # the draft waits still
        await pilot.press("ctrl+p", *"moons")  # the palette's way to D
        await pilot.pause(0.5)  # the palette searches in the background
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.session.config.dataset == "digits" and app.query_one(ArchitectureEditor).changed
        from textual import events

        for key, character in (("space", " "), ("enter", "\r")):  # together, as a slow link sends them
            app.post_message(events.Key(key, character))
        await settle(app, pilot)
        assert app.session.config.layers == (64, 8, 10)  # the enter applied the draft it pointed to
        await pilot.press("plus", "escape", "space")  # dropped: the network shown is the one that trains
        await settle(app, pilot)
        assert app.state == "finished"
        await pilot.press("minus", "space")  # finished, with a draft: the draft is what to see to
        assert "not applied yet" in app.query_one(ArchitectureEditor).message


async def test_space_with_a_size_typed_but_not_set_says_so_and_trains_nothing():
    # "hidden 1  32▏" in the pane, and space trained the 16 units the network has: the figures
    # read as the typed size's
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        before = app.session.trainer.net.params.copy()
        await pilot.press("3", "2", "space")
        await settle(app, pilot)
        editor = app.query_one(ArchitectureEditor)
        assert app.state == "ready" and np.array_equal(app.session.trainer.net.params, before)
        assert editor.message == "✗ size 32 not set yet: enter sets it, enter again applies"
        assert "32▏" in str(editor.render())  # still there, to set or drop
        await pilot.press("enter", "enter", "space")
        await settle(app, pilot)
        assert app.session.config.layers == (64, 32, 10) and app.state == "finished"
        await pilot.press("1", "6", "backspace", "backspace", "3", "2", "r")  # the size it has: no draft
        await settle(app, pilot)
        assert app.session.counts().epoch == 0


async def test_q_with_a_draft_not_applied_asks_for_a_second_q():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("plus", "q")
        await pilot.pause()
        assert app.is_running and app.query_one(ArchitectureEditor).changed
        assert any("q again quits without them" in n.message for n in app._notifications)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_removing_every_hidden_layer_gives_a_network_that_trains_as_the_cli_allows():
    app = make_app(TrainConfig(layers=(64, 16, 8, 10), activation=("tanh", "relu"), epochs=2))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("x", "x", "enter")
        await settle(app, pilot)
        assert app.session.config.layers == (64, 10)  # as `nnplay train --layers 64,10`
        assert app.session.trainer.net.n_params == 64 * 10 + 10
        await pilot.press("a", "enter")  # and a hidden layer comes back
        await settle(app, pilot)
        assert len(app.session.config.layers) == 3
        await pilot.press("space")
        await settle(app, pilot)
        assert app.state == "finished"


async def test_a_network_too_large_for_memory_is_refused_in_the_editor():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("a", *"90000", "enter", "down", *"90000", "enter", "enter")
        editor = app.query_one(ArchitectureEditor)
        assert "GiB" in editor.message
        assert app.session.config.layers == (64, 16, 10)


async def test_a_refusal_in_the_network_pane_fits_it_whole():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press(*"100000", "enter", "a", "enter")  # two layers of 100,000: far too big
        await pilot.pause()
        editor = app.query_one(ArchitectureEditor)
        assert "GiB" in editor.message
        rows = str(editor.render()).splitlines()
        text = " ".join(rows)
        wrapped = sum(-(-len(r) // editor.content_size.width) or 1 for r in rows)
        assert wrapped <= editor.content_size.height  # nothing of it scrolled out of view
        assert "▶" in text and "layers" in text.split("GiB")[-1] and "2 hidden" in text
        hidden_rows = sum(row.lstrip("▶ ").startswith("hidden") for row in rows)
        assert hidden_rows == 2 or f"{hidden_rows} of 2 hidden layers shown" in text  # none missed unsaid


async def test_a_refusal_that_crowds_out_layers_says_how_many_are_shown():
    app = make_app(TrainConfig(epochs=1))  # 64,128,64,10: two hidden layers
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("a", "a", "up", "0", "enter")  # four hidden layers, one set to 0: refused
        await pilot.pause()
        editor = app.query_one(ArchitectureEditor)
        text = str(editor.render())
        assert "at least 1" in editor.message
        rows = sum(line.lstrip("▶ ").startswith("hidden") for line in text.splitlines())
        assert rows < 4 and f"4 hidden, {rows} shown" in text  # no room for "…": the count says it


async def test_a_draft_of_a_deep_network_shows_all_but_one_hidden_layer_at_80x24():
    app = make_app(TrainConfig(epochs=1))  # 64,128,64,10
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("a", "a", "up")  # four hidden layers, the cursor on a middle one
        await pilot.pause()
        text = str(app.query_one(ArchitectureEditor).render())
        shown = [line for line in text.splitlines() if line.lstrip("▶ ").startswith("hidden")]
        assert len(shown) == 3 and "4 hidden, 3 shown" in text  # once: one, between two "…"
        assert "enter applies" in text  # and how to apply the draft, still in view


async def test_a_passing_note_in_the_network_pane_goes_and_a_refusal_stays():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        editor = app.query_one(ArchitectureEditor)
        editor.say_for_a_while("rebuilt; training starts afresh", seconds=0.2)  # once: there for good
        await pilot.pause(0.4)
        assert editor.message == ""
        editor.say_for_a_while("rebuilt; training starts afresh", seconds=0.2)
        editor.refuse("something else to say")  # replaced before its time: the new one stays
        await pilot.pause(0.4)
        assert editor.message == "✗ something else to say"


async def test_space_in_a_view_with_a_draft_waiting_says_so_there():
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("minus", "i", "space")
        await settle(app, pilot)
        assert app.state == "ready"
        assert any("changes not applied yet" in n.message for n in app._notifications)


async def test_a_network_with_no_hidden_layer_says_its_activation_is_not_used():
    config = TrainConfig(layers=(64, 10), activation=("tanh",), epochs=2)
    app = make_app(config)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        editor = app.query_one(ArchitectureEditor)
        assert editor.note == config.unused_activation  # the wording nnplay train's note has
        assert "tanh is not used" in editor.note
        await pilot.press("a")  # the layer added takes the activation the settings hold
        assert editor.draft_activations == ["tanh"] and "not used" not in editor.note
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.session.config.hidden_activations == ("tanh",)
