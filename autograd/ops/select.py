"""Selecting and placing along a dimension: gather, take_along_dim, index_select, scatter, scatter_add,
masked_fill, sort, argsort, topk, nonzero and argwhere.

Each differentiable op here is composed from ``getitem``, ``index_put``, ``index_add_`` and ``where``, so its
gradient (repeated indices accumulating, as PyTorch's) and every higher order come from those rules.
"""
from __future__ import annotations

import math

from collections import namedtuple

from ..node import Var
from .declare import op
from .index import getitem, index_add_, index_put
from .util import as_var, check_dim, is_int, nograd, shape_str

#: ``sort`` and ``topk`` return ``(values, indices)`` with those names, as PyTorch's return types
SortResult = namedtuple("SortResult", ["values", "indices"])
TopKResult = namedtuple("TopKResult", ["values", "indices"])


def _index_array(op, index, x):
    """``index`` (a Tensor or array of int32/int64) as an integer array on ``x``'s device, or the error."""
    if isinstance(index, Var):
        data = index.array
    elif hasattr(index, "dtype") and hasattr(index, "shape"):
        data = index
    else:
        raise TypeError(f"{op}: index must be an integer Tensor, got {type(index).__name__}; "
                        f"wrap it: autograd.tensor({index!r})")
    if data.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: expected dtype int32 or int64 for index, got {data.dtype} (shape "
                           f"{shape_str(data)}); convert it with .long()")
    return x._module().asarray(data)


def _check_bounds(op, idx, size, d):
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= size):
        bad = int(idx.min()) if int(idx.min()) < 0 else int(idx.max())
        raise RuntimeError(f"{op}: index {bad} is out of bounds for dimension {d} with size {size}")


def _along(op, x, d, idx):
    """The advanced index that picks ``x[i0, .., idx[i0, .., ik, ..], ..]`` at each position of ``idx``
    (``idx`` has ``x``'s number of dimensions; dimension ``d`` is the one indexed)."""
    xp = x._module()
    nd = idx.ndim
    return tuple(idx if a == d else xp.arange(n).reshape((n,) + (1,) * (nd - 1 - a)) for a, n in enumerate(idx.shape))


def _check_like(op, x, d, idx, what="self", other=None):
    """gather/scatter's shape rule: same number of dimensions, and no larger than ``x`` (and ``other``) apart
    from dimension ``d`` (``other`` everywhere)."""
    if idx.ndim != max(x.ndim, 1) and not (x.ndim == 0 and idx.ndim == 0):
        raise RuntimeError(f"{op}: index must have the same number of dimensions as the input, got index of shape "
                           f"{shape_str(idx)} for input of shape {shape_str(x)}")
    for a in range(idx.ndim):
        if x.ndim and a != d and idx.shape[a] > x.shape[a]:
            raise RuntimeError(f"{op}: index of shape {shape_str(idx)} is larger than {what} of shape "
                               f"{shape_str(x)} at dimension {a} (only dimension {d} may be larger)")
        if other is not None and other.ndim and idx.shape[a] > other.shape[a]:
            raise RuntimeError(f"{op}: index of shape {shape_str(idx)} is larger than src of shape "
                               f"{shape_str(other)} at dimension {a}")


@op()
def gather(input, dim: int, index, *, sparse_grad: bool = False):
    """``out[i][j][k] = input[i][index[i][j][k]][k]`` for ``dim=1`` (PyTorch's); repeated indices add up in
    the gradient.

    >>> import autograd
    >>> x = autograd.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> autograd.gather(x, 1, autograd.tensor([[0, 0], [1, 0]]))
    tensor([[1., 1.],
            [4., 3.]])
    """
    x = as_var(input)
    d = check_dim("gather", dim, x.ndim)
    idx = _index_array("gather", index, x)
    _check_like("gather", x, d, idx)
    if x.ndim == 0:
        _check_bounds("gather", idx, 1, 0)
        return getitem(x, ()) if idx.ndim == 0 else getitem(x.reshape(1), idx.reshape(-1)).reshape(idx.shape)
    _check_bounds("gather", idx, x.shape[d], d)
    return getitem(x, _along("gather", x, d, idx))


@op()
def take_along_dim(input, indices, dim=None):
    """Values of ``input`` at ``indices`` along ``dim`` (NumPy's ``take_along_axis``; the other dimensions
    broadcast); with ``dim=None`` both are flattened first.

    >>> import autograd
    >>> x = autograd.tensor([[10.0, 30.0, 20.0], [5.0, 4.0, 6.0]])
    >>> autograd.take_along_dim(x, x.argmax(dim=1, keepdim=True), dim=1)
    tensor([[30.],
            [ 6.]])
    """
    x = as_var(input)
    idx = _index_array("take_along_dim", indices, x)
    if dim is None:
        return gather(x.reshape(-1), 0, idx.reshape(-1))
    d = check_dim("take_along_dim", dim, x.ndim)
    if idx.ndim != x.ndim:
        raise RuntimeError(f"take_along_dim: input and indices should have the same number of dimensions, got "
                           f"{x.ndim} and {idx.ndim} (shapes {shape_str(x)} and {shape_str(idx)})")
    xp = x._module()
    try:
        rest = xp.broadcast_shapes(*[tuple(s[:d] + (1,) + s[d + 1:]) for s in (x.shape, idx.shape)])
    except ValueError:
        raise RuntimeError(f"take_along_dim: input of shape {shape_str(x)} and indices of shape {shape_str(idx)} "
                           f"do not broadcast apart from dimension {d}") from None
    x_shape = rest[:d] + (x.shape[d],) + rest[d + 1:] if x.ndim else ()
    idx = xp.broadcast_to(idx, rest[:d] + (idx.shape[d],) + rest[d + 1:] if idx.ndim else ())
    idx = xp.where(idx < 0, idx + max(x.shape[d] if x.ndim else 1, 1), idx)  # negative indices count from the end
    from .shape import broadcast_to

    return gather(broadcast_to(x, x_shape) if x.shape != x_shape else x, d, idx)


@op()
def index_select(input, dim: int, index):
    """The slices of ``input`` at positions ``index`` (a 1-D or 0-d integer tensor) along ``dim``.

    >>> import autograd
    >>> autograd.index_select(autograd.tensor([[1.0, 2.0, 3.0]]), 1, autograd.tensor([2, 0, 2]))
    tensor([[3., 1., 3.]])
    """
    x = as_var(input)
    d = check_dim("index_select", dim, x.ndim)
    idx = _index_array("index_select", index, x)
    if idx.ndim > 1:
        raise IndexError(f"index_select: index must be a vector (1-D) or a 0-d tensor, got shape {shape_str(idx)}")
    idx = idx.reshape(-1)
    if x.ndim == 0:
        if idx.size != 1:
            raise RuntimeError(f"index_select: index into a 0-d tensor can have only 1 value, got {idx.size}")
        _check_bounds("index_select", idx, 1, 0)
        return getitem(x, ())
    _check_bounds("index_select", idx, x.shape[d], d)
    return getitem(x, (slice(None),) * d + (idx,))


def _src_part(src, idx):
    """The corner of ``src`` that lines up with ``idx`` (scatter reads ``src`` at the index's own positions)."""
    if tuple(src.shape) == tuple(idx.shape):
        return src
    return getitem(src, tuple(slice(0, n) for n in idx.shape))


def _scatter_args(op, input, dim, index, src):
    x = as_var(input)
    d = check_dim(op, dim, x.ndim)
    idx = _index_array(op, index, x)
    if isinstance(src, Var):
        if src.dtype != x.dtype:
            raise RuntimeError(f"{op}: expected self.dtype to be equal to src.dtype, got {x.dtype} and {src.dtype}; "
                               f"convert src with .to({x.dtype.name!r})")
        _check_like(op, x, d, idx, other=src)
    elif isinstance(src, bool) or not isinstance(src, (int, float)):
        raise TypeError(f"{op}: src must be a Tensor (or value= a number), got {type(src).__name__} {src!r}")
    else:
        _check_like(op, x, d, idx)
    _check_bounds(op, idx, x.shape[d] if x.ndim else 1, d)
    return x, d, idx


def _scattered(op, input, dim, index, src, place):
    """Run ``place(x, where, src_part)`` for scatter/scatter_add; a 0-d input is treated as 1-D, as PyTorch's."""
    x, d, idx = _scatter_args(op, input, dim, index, src)
    flat = x.ndim == 0
    if flat:
        x, idx = x.reshape(1), idx.reshape(-1)
        if isinstance(src, Var):
            src = src.reshape(-1)
    if isinstance(src, Var) and src.ndim:
        src = _src_part(src, idx)
    out = place(x, _along(op, x, d, idx), src)
    return out.reshape(()) if flat else out


@op(inplace=("scatter_",))
def scatter(input, dim: int, index, src=None, *, value=None, reduce=None):
    """A copy of ``input`` with ``src`` (a Tensor, or the number ``value``) written at ``index`` along ``dim``:
    ``out[i][index[i][j]] = src[i][j]`` for ``dim=1``. Where an index repeats, which write wins is unspecified
    (as PyTorch's). ``reduce='add'`` is :func:`scatter_add`; ``reduce='multiply'`` multiplies (no gradient).

    >>> import autograd
    >>> autograd.zeros(2, 3).scatter(1, autograd.tensor([[2], [0]]), 1.0)
    tensor([[0., 0., 1.],
            [1., 0., 0.]])
    """
    if src is None:
        src = value
    elif value is not None:
        raise TypeError("scatter: pass src or value, not both")
    if src is None:
        raise TypeError("scatter: missing src (a Tensor) or value (a number)")
    if reduce is not None:
        if reduce == "add":
            if not isinstance(src, Var):
                src = as_var(input).new_full(tuple(_index_array("scatter", index, as_var(input)).shape), src)
            return scatter_add(input, dim, index, src)
        if reduce == "multiply":
            return _scatter_multiply(input, dim, index, src)
        raise RuntimeError(f"scatter: reduce argument must be either 'add' or 'multiply', got {reduce!r}")
    return _scattered("scatter", input, dim, index, src, index_put)


def _multiply_at(x, where, src):
    from ..grad_mode import is_grad_enabled

    if is_grad_enabled() and (x.requires_grad or (isinstance(src, Var) and src.requires_grad)):
        raise RuntimeError("scatter: reduce='multiply' has no gradient (PyTorch has none either); run it under "
                           "no_grad, or scatter_add logarithms and take exp")
    out = x.array.copy()
    x._module().multiply.at(out, where, src.array if isinstance(src, Var) else src)
    return nograd(x, out)


def _scatter_multiply(input, dim, index, src):
    return _scattered("scatter", input, dim, index, src, _multiply_at)


@op(inplace=("scatter_add_",))
def scatter_add(input, dim: int, index, src):
    """A copy of ``input`` with ``src`` added at ``index`` along ``dim``; repeated indices add up.

    >>> import autograd
    >>> autograd.zeros(4).scatter_add(0, autograd.tensor([1, 1, 3]), autograd.ones(3))
    tensor([0., 2., 0., 1.])
    """
    if not isinstance(src, Var):
        raise TypeError(f"scatter_add: src must be a Tensor, got {type(src).__name__} {src!r}; use "
                        f"input.new_full(index.shape, value) for a number")
    return _scattered("scatter_add", input, dim, index, src, lambda x, where, s: x + index_add_(x.shape, where, s))


def _value_of(op, value, x):
    """masked_fill's ``value`` (a number or a 0-d tensor) in ``x``'s dtype."""
    if isinstance(value, Var):
        if value.ndim:
            raise RuntimeError(f"{op}: only supports a 0-dimensional value tensor, but got a tensor of shape "
                               f"{shape_str(value)}; use where(mask, value, x) to fill from a tensor")
        return value.to(x.dtype) if value.dtype != x.dtype else value
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:  # a NumPy scalar
        value = value.item()
    if not isinstance(value, (bool, int, float)):
        raise TypeError(f"{op}: value must be a number or a 0-d tensor, got {type(value).__name__} {value!r}")
    if x.dtype.kind in "biu" and isinstance(value, float) and not math.isfinite(value):
        # casting inf or NaN into an integer dtype would store an arbitrary number, silently
        raise RuntimeError(f"{op}: value cannot be converted to type {x.dtype} without overflow: {value}")
    if x.dtype.kind in "iu" and isinstance(value, int) and not isinstance(value, bool):
        info = x._module().iinfo(x.dtype)
        if not info.min <= value <= info.max:
            raise RuntimeError(f"{op}: value cannot be converted to type {x.dtype} without overflow: {value}")
    from ..tensor import Tensor

    return Tensor._wrap(x._module().asarray(value).astype(x.dtype), None)


@op(inplace=("masked_fill_",))
def masked_fill(input, mask, value):
    """``input`` with ``value`` where the boolean ``mask`` (broadcast against it) is True; the result keeps
    ``input``'s dtype. A 0-d tensor ``value`` gets the gradient of the positions it fills.

    >>> import autograd
    >>> scores = autograd.zeros(2, 2)
    >>> scores.masked_fill(autograd.tensor([[False, True], [False, False]]), float("-inf"))
    tensor([[  0., -inf],
            [  0.,   0.]])
    """
    x = as_var(input)
    m = mask.array if isinstance(mask, Var) else mask
    if not hasattr(m, "dtype") or m.dtype.kind != "b":
        kind = getattr(m, "dtype", type(m).__name__)
        raise RuntimeError(f"masked_fill: only supports boolean masks, but got mask of {kind}; compare to get one "
                           f"(mask == 1) or convert it with .bool()")
    try:
        x._module().broadcast_shapes(tuple(m.shape), tuple(x.shape))
    except ValueError:
        raise RuntimeError(f"masked_fill: the mask of shape {shape_str(m)} does not broadcast with the input of "
                           f"shape {shape_str(x)}") from None
    from .elementwise import where

    return where(m, _value_of("masked_fill", value, x), x)


def _order(xp, a, axis, descending):
    """Stable sorting indices along ``axis``; NaN counts as the largest value (last ascending, first
    descending), as PyTorch's."""
    if not descending:
        return xp.argsort(a, axis=axis, kind="stable")
    # stable descending: sort the reversed array ascending, reverse the result and map the positions back, so
    # equal values keep their order (negating would not: -x overflows integers and keeps NaN last)
    n = a.shape[axis]
    rev = xp.flip(xp.argsort(xp.flip(a, axis), axis=axis, kind="stable"), axis)
    return n - 1 - rev


def _sorted(op, input, dim, descending, k=None):
    x = as_var(input)
    d = check_dim(op, dim, x.ndim)
    xp = x._module()
    if x.ndim == 0:
        if k is not None and k not in (0, 1):
            raise RuntimeError(f"{op}: selected index k={k} is out of range for a 0-d tensor (k must be 0 or 1)")
        return x, getitem(x, ()), xp.zeros((), xp.int64)
    if x.dtype.kind == "c":
        raise RuntimeError(f"{op}: complex tensors have no order; sort their abs() or real part")
    idx = _order(xp, x.array, d, descending).astype(xp.int64)
    if k is not None:
        idx = idx[(slice(None),) * d + (slice(0, k),)]
    return x, gather(x, d, idx), idx


@op()
def sort(input, dim: int = -1, descending: bool = False, *, stable=False):
    """``(values, indices)`` of ``input`` sorted along ``dim``. The sort is always stable (``stable=True`` is
    what you get either way); NaN sorts as the largest value. The gradient flows to the values' places.

    >>> import autograd
    >>> autograd.sort(autograd.tensor([3.0, 1.0, 2.0, 1.0]))
    SortResult(values=tensor([1., 1., 2., 3.]), indices=tensor([1, 3, 2, 0]))
    """
    _flag("sort", "descending", descending)
    _flag("sort", "stable", stable, none=True)
    x, values, idx = _sorted("sort", input, dim, descending)
    return SortResult(values, nograd(x, idx))


@op()
def argsort(input, dim: int = -1, descending: bool = False, *, stable=False):
    """The indices that sort ``input`` along ``dim`` (stable; NaN last ascending, first descending).

    >>> import autograd
    >>> autograd.argsort(autograd.tensor([3.0, 1.0, 2.0, 1.0]), descending=True)
    tensor([0, 2, 1, 3])
    """
    _flag("argsort", "descending", descending)
    _flag("argsort", "stable", stable, none=True)
    x = as_var(input)
    d = check_dim("argsort", dim, x.ndim)
    xp = x._module()
    if x.ndim == 0:
        return nograd(x, xp.zeros((), xp.int64))
    return nograd(x, _order(xp, x.array, d, descending).astype(xp.int64))


def _flag(op, name, v, none=False):
    if none and v is None:
        return
    if not isinstance(v, bool) and type(v).__name__ != "bool_":
        raise TypeError(f"{op}: {name} must be True or False, got {type(v).__name__} {v!r}")


@op()
def topk(input, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):  # noqa: A002 - PyTorch's name
    """``(values, indices)`` of the ``k`` largest (``largest=False``: smallest) entries along ``dim``, in
    order. Ties keep their order of appearance (PyTorch leaves it unspecified); NaN counts as the largest.

    >>> import autograd
    >>> autograd.topk(autograd.tensor([1.0, 3.0, 3.0, 2.0]), 2)
    TopKResult(values=tensor([3., 3.]), indices=tensor([1, 2]))
    """
    if not is_int(k):
        raise TypeError(f"topk: k must be an integer, got {type(k).__name__} {k!r}")
    _flag("topk", "largest", largest)
    _flag("topk", "sorted", sorted)
    x = as_var(input)
    d = check_dim("topk", dim, x.ndim)
    n = x.shape[d] if x.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError(f"topk: selected index k={k} is out of range: dimension {d} of the input of shape "
                           f"{shape_str(x)} has {n} entries")
    x, values, idx = _sorted("topk", x, d, largest, int(k))
    return TopKResult(values, nograd(x, idx))


@op()
def nonzero(input, *, as_tuple: bool = False):
    """The indices of the nonzero entries: an ``(n, ndim)`` int64 tensor, or with ``as_tuple=True`` one
    1-D tensor per dimension (a 0-d input counts as 1-D). No gradient.

    >>> import autograd
    >>> autograd.nonzero(autograd.tensor([[0.0, 1.0], [2.0, 0.0]]))
    tensor([[0, 1],
            [1, 0]])
    """
    x = as_var(input)
    xp = x._module()
    d = x.array
    if as_tuple:
        return tuple(nograd(x, i.astype(xp.int64)) for i in xp.nonzero(d.reshape(1) if d.ndim == 0 else d))
    return nograd(x, xp.argwhere(d).astype(xp.int64))  # (n, ndim); a 0-d input gives (1, 0) or (0, 0)


@op()
def argwhere(input):
    """``nonzero(input)``: the ``(n, ndim)`` indices of the nonzero entries.

    >>> import autograd
    >>> autograd.argwhere(autograd.tensor([0, 3, 0, 4]))
    tensor([[1],
            [3]])
    """
    return nonzero(as_var(input))
