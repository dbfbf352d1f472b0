"""nn.Module: the base class of every layer and model."""
from __future__ import annotations

__all__: list = []
