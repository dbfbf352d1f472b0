"""Normalisation modules: BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm."""
from __future__ import annotations

__all__: list = []
