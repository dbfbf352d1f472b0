"""Every differentiable op, one file per family. ``TENSOR_OPS`` is the
vocabulary backward rules use when ``create_graph=True``: the same NumPy names
as :class:`autograd.node.ArrayOps`, over Tensors, so rules differentiate themselves."""
from __future__ import annotations

from .arith import (abs, add, div, divide, eq, floor_divide, fmod, ge, gt, isfinite, isinf, isnan, le, logical_not,
                    lt, mul, multiply, ne, neg, negative, pow, remainder, sign, step, sub, subtract, true_divide)
from .elementwise import (clamp, clip, cos, elu, erf, exp, expm1, gelu, leaky_relu, log, log1p, maximum, minimum, relu,
                          sigmoid, silu, sin, softplus, sqrt, tan, tanh, where)
from .index import getitem, index_add_, index_put
from .linalg import dot, einsum, ger, matmul, outer
from .reduce import (all, amax, amin, any, argmax, argmin, log_softmax, logsumexp, max, mean, min, norm, prod, softmax,
                     std, sum, var)
from .shape import (broadcast_to, cat, chunk, concat, concatenate, expand, expand_as, expand_dims, flatten, flip, pad,
                    permute, repeat, reshape, split, squeeze, stack, swapaxes, swapdims, t, tile, transpose, unbind,
                    unsqueeze, view)


class TensorOps:
    """The backward vocabulary over Tensors (graph-recording)."""

    graph = True

    def __init__(self):
        from .. import node as _node

        g = globals()
        for name in _node.VOCAB:
            if name in g and not hasattr(type(self), name):
                setattr(self, name, g[name])

    exp = staticmethod(exp)

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
            g = sum(g, axis=axes, keepdims=True)
        return reshape(g, tuple(shape))

    @staticmethod
    def transpose(x, axes):
        return permute(x, *axes)

    @staticmethod
    def zeros_like(x):
        return x * 0

    @staticmethod
    def ones_like(x):
        return x * 0 + 1

    @staticmethod
    def concatenate(xs, axis=0):
        return cat(xs, axis)

    @staticmethod
    def flip(x, axes):
        return flip(x, axes)

    @staticmethod
    def index_add(shape, index, g):
        return index_add_(shape, index, g)

    sigmoid = staticmethod(sigmoid)
    erf = staticmethod(erf)
    getitem = staticmethod(getitem)


TENSOR_OPS = TensorOps()
