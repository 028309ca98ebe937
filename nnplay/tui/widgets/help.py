"""The help screen: every key, and what the network is doing, in a few lines each."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from nnplay.tui.widgets.footer import DialogKeys

KEYS = """\
## Keys

- `space` start or pause training
- `s` take one training step (one batch); while training runs, `s` pauses it, as a
  debugger's step does
- `r` reset: a fresh network from the seed (training you did not save is kept: `ctrl+o` loads it)
- `p` plot loss or accuracy
- `<` / `>` train slower or faster (down to 0.1 epochs a second: watch each batch)
- `tab` / `shift+tab` move between panes
- `?` this help; `esc` closes it
- `esc` on the main screen, with no edit to drop: clear the notices over the panes
- `ctrl+s` save the network to a file; `ctrl+o` load one (`↓` into the list of recent ones)
- `D` train on another data set (moons, circles, xor, spiral, sine, digits): the hidden
  layers and settings stay, a fresh network starts (training you did not save is kept)

## Looking inside (each a full screen; `esc` or `q` comes back)

- `w` **first-layer weights**: each first-layer unit's 64 weights as an 8x8 tile.
  `←→` pages, `home`/`end` the first or last, `a` switches to one colour scale for all
- `c` **confusion matrix** and the most confident mistakes. `←→↑↓` choose one,
  `pgup`/`pgdn` a page, `enter` opens it in the digit pane, `t` test or training set
- `d` **draw a digit** on an 8x8 canvas: the network's probabilities, and where more
  ink would change them most. `←↑↓→` move, `enter` paint, `x` erase, `d` pen down (moves
  paint) or up again, `+`/`-` brush, `c` clear, `l` the digit pane's sample, `n`/`N` the next or
  previous one, `g` the saliency, `0`-`9` the saliency of that class
- `b` **decision boundary** (the 2-D data sets): the plane shaded by the class the network
  gives each point, with the training points on top, moving as it learns
- `i` **layer inspector**: a layer's formulas with live shapes, its norms over the epochs,
  dead or saturated units, and hints when something is wrong. `←→` the layer,
  `home`/`end` the first or last, `↑↓` scroll
- `g` **gradient check**: finite differences against this network's backward().
  `g` or `enter` checks again

In a view, `space`, `s`, `r`, `<` and `>` act as on the main screen, so you can watch the
view change as the network trains; another view opens from the main screen (`esc` first),
or from the palette by its name.

- `ctrl+p` the command palette: every action by name, and Screenshot (an SVG, in this folder)
- `ctrl+l` redraw the whole screen, if something was written over it
- `q` / `ctrl+q` / `ctrl+c` quit (training you did not save is kept: nnplay says where)

**Network pane**: `↑↓` choose a hidden layer · `+` `-` double or halve it ·
type digits then `enter` to set its size (`backspace` erases one) · `←→` change its activation ·
`a` add a layer · `x` remove one · `enter` apply (rebuilds and resets the
network) · `esc` discard the changes. While changes wait, `space`, `s`, `r`,
`D`, `ctrl+o` and `ctrl+s` point to them instead.

**Training pane**: `↑↓` choose a setting · `←→` step it · `enter` type a value
(`enter` again sets it, `esc` or `↑↓` leave it as it was). The learning rate,
optimizer, L2 and batch size change a run in progress; the seed and init apply
at the next reset.

**Digit pane**: `←→` previous or next sample · `t` test or training set ·
`m` / `M` next or previous sample the network gets wrong (`t`, `m`, `M` work
from any pane).

`h` `j` `k` `l` work as the arrows in the panes and the mistakes view, and `h` `l`
in the weights view and the inspector.
"""

IDEAS = """\
## What you are watching

**The forward pass.** A digit is 64 numbers, its pixels. Each layer multiplies
them by a matrix of weights and adds a bias (`x @ W + b`), then an activation
such as ReLU (`max(0, x)`) bends the result, so that stacked layers can draw
bent boundaries instead of one straight one. The last layer gives 10 scores;
softmax turns them into the probabilities you see beside the digit.

**The loss.** Cross-entropy is `-log` of the probability given to the right
digit: near 0 when the network is sure and right, large when it is sure and
wrong. The plot shows its average over the epoch's training batches (the line),
each taken before its update, so the line trails the weights by about half an
epoch, and over the test digits at the epoch's end (the dots), which the network
never learns from: early on the line sits above the dots for that lag alone. Where
the two meet, the dots hide the line. The scale is logarithmic: 2 to 1 is as
far as 0.2 to 0.1, so late, slow gains still show. When the training loss keeps
falling and the test loss stops, the network is learning its training digits by
heart (overfitting; the inspector, `i`, says so once the test loss rises).
After `r` the run before stays on the plot as a grey dashed line of its test
figures, labelled with the settings you changed, and the key gives its figure
at this run's epoch: set adam, press `r`, then `space`, and watch the two
race.

**Backpropagation.** To improve, every weight needs to know how the loss
changes when it moves: its gradient. The chain rule gives it layer by layer,
from the loss backwards. Softmax with cross-entropy starts it simply: the
gradient of the scores is `(p - y) / N` for a batch of N: predicted minus true. Each layer's
`backward()` turns the gradient of its output into the gradients of its
weights and of its input, which it hands to the layer before.

**Gradient descent.** Each step takes a batch of digits, computes the
gradients and moves every weight a little against its gradient:
`W <- W - learning_rate * dW`. Too small a learning rate and nothing seems to
happen; too large and the loss jumps about or blows up. Momentum and Adam
change how big and which way each step is, using earlier gradients.

**The other data sets** (`--dataset`). `moons`, `circles`, `xor` and `spiral`
are points in a plane, in two classes: 2 inputs, 1 output, and sigmoid turns
the score into the probability of class 1 (the guess is 1 above 0.5). Their loss
is binary cross-entropy, `-log` of the probability given to the right class:
about 0.69 (`log 2`) for a network that says 0.5 everywhere, knowing nothing. `sine` is regression: one
number in, one out, and the loss is the mean squared error between answer and
target. Try `xor` with every hidden layer `identity`: without a bend, stacked
layers are one straight boundary, and the loss stays near 0.69.
"""


BOXED = 112
"""Columns from which the help is a box of 100 (app.tcss): each side then shows a pane's
border, its padding and 4 columns of it ("loss"), enough to read, and they keep drawing.
Narrower, it takes the full width rather than leave a sliver of the panes that, hidden, would
not draw (cover.py)."""


class HelpScreen(ModalScreen[None]):
    """Keys and ideas; any of esc, ? or q closes it."""

    HORIZONTAL_BREAKPOINTS = [(0, "-full-width"), (BOXED, "-boxed")]

    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss", "Close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Markdown(KEYS + "\n" + IDEAS)
        yield DialogKeys(("down", "↑↓", "Scroll"), ("escape", "esc", "Close"))

    def on_mount(self) -> None:
        self.query_one("#help").border_title = "Help (↑↓ scroll, esc closes)"
        self.query_one("#help").focus()

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
