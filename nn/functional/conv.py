"""conv1d, conv2d, conv_transpose2d (im2col over a strided view)."""
from __future__ import annotations

__all__: list = []
