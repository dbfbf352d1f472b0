"""Embedding lookup: rows of a table picked by integer indices; backward scatter-adds into a zero table."""
from __future__ import annotations

import numpy as np

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
        if F.graph or type(g) is not np.ndarray:
            return (F.index_add(self.table_shape, self.index, g),)
        return (_sorted_scatter_add(self.table_shape, self.index, g),)


def _sorted_scatter_add(shape, index, g):
    """zeros(shape) with the rows of ``g`` added at ``index`` (repeats accumulate), by a stable sort and one
    ``add.reduceat`` instead of ``np.add.at``'s element-by-element scatter (the sums agree to rounding)."""
    flat = index.reshape(-1)
    z = np.zeros(shape, dtype=g.dtype)
    if flat.shape[0] == 0:
        return z
    rows = g.reshape(flat.shape[0], -1)
    order = np.argsort(flat, kind="stable")
    picked = flat[order]
    starts = np.flatnonzero(np.concatenate(([True], picked[1:] != picked[:-1])))
    z.reshape(shape[0], -1)[picked[starts]] = np.add.reduceat(rows[order], starts, axis=0)
    return z
