"""Full-screen views that look inside the network; each is a Screen the app pushes by a key."""

VIEWS = {
    "weights": (
        "w",
        "First-layer weights",
        "weights.WeightsView",
        "each first-layer unit's 64 weights as an 8x8 tile",
    ),
    "mistakes": (
        "c",
        "Confusion matrix",
        "mistakes.MistakesView",
        "the test set's confusion matrix and the most confident mistakes",
    ),
    "draw": (
        "d",
        "Draw a digit",
        "draw.DrawView",
        "draw a digit and see what the network makes of it, and why",
    ),
    "boundary": (
        "b",
        "Decision boundary",
        "boundary.BoundaryView",
        "the plane of a 2-D data set, shaded by the class the network gives each point",
    ),
    "inspector": (
        "i",
        "Layer inspector",
        "inspector.InspectorView",
        "a layer's formulas with live shapes, its norms and its health",
    ),
    "gradcheck": (
        "g",
        "Gradient check",
        "gradcheck_view.GradcheckView",
        "finite differences against every backward() of this network",
    ),
}
"""Views that look inside the network: name -> (key, title, module.class in nnplay.tui.views, help)."""
