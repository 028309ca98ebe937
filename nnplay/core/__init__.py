"""The NumPy engine: layers, losses, optimizers, networks and training.

Nothing here imports textual or scikit-learn, and nothing prints.
"""
