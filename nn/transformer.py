"""MultiheadAttention, TransformerEncoderLayer, TransformerEncoder."""
from __future__ import annotations

__all__: list = []
