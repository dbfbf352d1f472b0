"""nn.init: initialisers that fill a tensor in place without recording a graph (``torch.nn.init``)."""
from __future__ import annotations

__all__: list = []
