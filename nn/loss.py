"""Loss modules (the functional forms live in nn/functional/loss.py)."""
from __future__ import annotations

__all__: list = []
