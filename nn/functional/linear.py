"""linear and bilinear-free matrix forms."""
from __future__ import annotations

__all__: list = []
