"""nnplay: a keyboard-driven terminal playground for neural networks in NumPy."""

__version__ = "0.1.0"
