"""One widget per pane."""
