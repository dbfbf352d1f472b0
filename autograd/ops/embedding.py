"""Embedding lookup: rows of a table picked by integer indices; backward scatter-adds into a zero table."""
from __future__ import annotations

from ..node import Node


class Embedding(Node):
    """Rows of the table picked by integer indices; backward scatter-adds into a zero table.

    ``scale`` (an array of the indices' shape plus a trailing 1, or None) multiplies each looked-up
    row's gradient: 0 for the padding row, 1/count for ``scale_grad_by_freq``. It is data, not an
    input, so the rule differentiates itself under ``create_graph``.
    """

    __slots__ = ("index", "table_shape", "scale")
    op_name = "embedding"

    def forward(self, w):
        self.table_shape = w.shape
        return w[self.index]

    def backward(self, g, xs, out, F):
        if self.scale is not None:
            g = g * self.scale
        return (F.index_add(self.table_shape, self.index, g),)
