"""Every differentiable op, one file per family, each declared once with :func:`declare.op`.

This package exports what the declarations name (``autograd.ops.declare.exports``). ``TENSOR_OPS`` is the
vocabulary backward rules use when ``create_graph=True``: the same NumPy names as
:class:`autograd.node.ArrayOps`, over Tensors, so rules differentiate themselves; the engine gets it from its
caller (``autograd.autograd_api``).
"""
from __future__ import annotations

from . import arith, cast, conv, elementwise, embedding, index, linalg, loss, norm, pool, reduce, shape  # noqa: F401
from . import diagonals, like, rearrange, sampling, scan, select, ternary  # noqa: F401  (issue 14's ops)
from .declare import DECLARED, exports
from .index import index_add_

globals().update(exports())
__all__ = sorted(exports())


class TensorOps:
    """The backward vocabulary over Tensors (graph-recording)."""

    graph = True

    def __init__(self):
        from .. import node as _node

        ops = exports()
        for name in _node.VOCAB:
            if name in ops and not hasattr(type(self), name):
                setattr(self, name, ops[name])

    exp = staticmethod(elementwise.exp)
    sigmoid = staticmethod(elementwise.sigmoid)
    erf = staticmethod(elementwise.erf)
    getitem = staticmethod(index.getitem)

    @staticmethod
    def shape(x):
        return tuple(getattr(x, "shape", ()))

    @staticmethod
    def unbroadcast(g, shape):
        gs = g.shape
        if gs == tuple(shape):
            return g
        lead = len(gs) - len(shape)
        axes = tuple(range(lead)) + tuple(i + lead for i, n in enumerate(shape) if n == 1 and gs[i + lead] != 1)
        if axes:
            g = reduce.sum(g, axis=axes, keepdims=True)
        return shape_mod.reshape(g, tuple(shape))

    @staticmethod
    def transpose(x, axes):
        return shape_mod.permute(x, *axes)

    @staticmethod
    def zeros_like(x):
        return x * 0

    @staticmethod
    def ones_like(x):
        return x * 0 + 1

    @staticmethod
    def concatenate(xs, axis=0):
        return shape_mod.cat(xs, axis)

    @staticmethod
    def flip(x, axes):
        return shape_mod.flip(x, axes)

    @staticmethod
    def index_add(shape, index, g):
        return index_add_(shape, index, g)


shape_mod = shape  # `shape` is also a method name of the vocabulary above
TENSOR_OPS = TensorOps()
