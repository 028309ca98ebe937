"""The Textual app: the only part of nnplay that imports textual."""
