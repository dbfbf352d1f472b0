"""Saving and loading state dicts: atomic writes, formats that cannot run code on load."""
from __future__ import annotations

__all__: list = []
