"""nn.Parameter: a Tensor a Module registers as a weight."""
from __future__ import annotations

__all__: list = []
