"""Running totals along a dimension: cumsum and cumprod (cumprod's gradient exact where inputs are zero)."""
from __future__ import annotations

from ..node import Node
from .declare import op
from .util import as_var, check_dim


def _cumsum(F, g, axis):
    """cumsum in vocabulary ``F``: the op itself when differentiating a backward (create_graph)."""
    return cumsum(g, axis) if F.graph else F.xp.cumsum(g, axis=axis)


def _cumprod(F, x, axis):
    return cumprod(x, axis) if F.graph else F.xp.cumprod(x, axis=axis)


def _reverse_cumsum(F, g, axis):
    """``out[i] = g[i] + g[i+1] + ...``: the gradient of a running sum."""
    return F.flip(_cumsum(F, F.flip(g, (axis,)), axis), (axis,))


class Cumsum(Node):
    __slots__ = ("axis",)

    def forward(self, x):
        from ..backend import array_module

        return array_module(x).cumsum(x, axis=self.axis)

    def backward(self, g, xs, out, F):
        return (_reverse_cumsum(F, g, self.axis),)


class Cumprod(Node):
    __slots__ = ("axis", "zeros")
    save_inputs = True
    save_output = True

    def forward(self, x):
        from ..backend import array_module

        xp = array_module(x)
        self.zeros = bool((x == 0).any())
        return xp.cumprod(x, axis=self.axis)

    def backward(self, g, xs, out, F):
        (x,) = xs
        a = self.axis
        if not self.zeros:
            # d out_j / d x_i = out_j / x_i for j >= i: one reverse running sum, as PyTorch's
            return (_reverse_cumsum(F, g * out, a) / x,)
        # with a zero the quotient is undefined: d out_j / d x_i is the product of x_k (k <= j, k != i), the
        # running product of a matrix whose row i has x with x_i replaced by 1. Costs n^2 per slice (only when a
        # zero is present); written with cumprod itself, so every order of gradient stays exact at the zeros.
        xl, gl = F.swapaxes(x, a, -1), F.swapaxes(g, a, -1)
        n = F.shape(xl)[-1]
        xp = _xp_of(x)
        eye = xp.eye(n, dtype=bool)
        upper = xp.triu(xp.ones((n, n), dtype=bool))  # [i, j]: j >= i
        rows = F.where(eye, 1.0, F.expand_dims(xl, -2))  # rows[..., i, k] = x_k, or 1 at k == i
        prods = _cumprod(F, rows, -1)  # prods[..., i, j] = prod_{k <= j, k != i} x_k
        gi = F.sum(F.where(upper, F.expand_dims(gl, -2) * prods, 0.0), axis=-1)
        return (F.swapaxes(gi, a, -1),)


def _xp_of(x):
    from ..backend import array_module

    return array_module(getattr(x, "array", x))


def _scan_input(op, input, dim, dtype):
    x = as_var(input)
    d = check_dim(op, dim, x.ndim)
    if dtype is not None:
        from .cast import parse_dtype, to_dtype

        dt = parse_dtype(dtype)
        if x.requires_grad and dt.kind not in "fc":
            raise RuntimeError(f"{op}: autograd does not support dtype {dt} for a tensor that requires grad; "
                               f"use a floating dtype")
        x = to_dtype(x, dt)
    elif x.dtype.kind in "biu":
        from .cast import to_dtype

        x = to_dtype(x, "int64")  # integers and bools accumulate in int64, as PyTorch
    return x, d


def _scan(node, x, d):
    if x.ndim == 0:
        return x.clone()
    node.axis = d
    return node.apply1(x)


@op()
def cumsum(input, dim: int, *, dtype=None):
    """Running sums along ``dim`` (integers and bools accumulate in int64; ``dtype`` casts first).

    >>> import autograd
    >>> autograd.cumsum(autograd.tensor([1.0, 2.0, 3.0]), dim=0)
    tensor([1., 3., 6.])
    """
    x, d = _scan_input("cumsum", input, dim, dtype)
    return _scan(Cumsum(), x, d)


@op()
def cumprod(input, dim: int, *, dtype=None):
    """Running products along ``dim``; the gradient is exact where inputs are zero (to every order).

    >>> import autograd
    >>> x = autograd.tensor([2.0, 0.0, 3.0], requires_grad=True)
    >>> autograd.cumprod(x, 0).sum().backward(); x.grad
    tensor([1., 8., 0.])
    """
    x, d = _scan_input("cumprod", input, dim, dtype)
    return _scan(Cumprod(), x, d)

