"""Small helpers shared by the op files."""
from __future__ import annotations

import sys

from ..node import Var

_INT_TYPES = None


def _caller_op() -> str:
    """The public op that called a helper here: the first caller whose name has no leading ``_`` (or ``<``).

    Only read while raising, so the ops pay nothing for it."""
    f = sys._getframe(2)
    while f is not None and f.f_code.co_name[0] in "_<":
        f = f.f_back
    if f is None:
        return "op"
    name = f.f_code.co_name
    if name == "fn":  # an op made from a table row (ops/elementwise.py, ops/arith.py): its closure knows its name
        loc = f.f_locals
        name = loc.get("name") or getattr(loc.get("cls"), "op_name", None) or name
    return name


def as_var(x, like=None):
    """``x`` as a Tensor (or Scalar) so an op can run on it; None, strings and other non-numbers are refused."""
    if isinstance(x, Var):
        return x
    from ..tensor import Tensor

    if like is not None and isinstance(like, Var) and not isinstance(like, Tensor):
        return type(like)(x)
    try:
        t = Tensor(x)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{_caller_op()}: expected a Tensor, got {type(x).__name__} {_brief(x)} ({e})") from None
    if t.array.dtype.kind not in "biufc":  # None, str, dicts, objects: NumPy would make an object or str array
        raise TypeError(f"{_caller_op()}: expected a Tensor (or numbers), got {type(x).__name__} {_brief(x)}; "
                        f"convert it with autograd.tensor(...)")
    return t


def _brief(v) -> str:
    r = repr(v)
    return r if len(r) <= 50 else r[:47] + "..."


def is_int(v) -> bool:
    """A Python or NumPy integer (not a bool): what a dimension or a size may be."""
    if type(v) is int:  # the common case, first: one type test
        return True
    global _INT_TYPES
    if _INT_TYPES is None:
        import numpy

        _INT_TYPES = (int, numpy.integer)
    return isinstance(v, _INT_TYPES) and not isinstance(v, bool) and type(v).__name__ != "bool_"


def first_var(*xs):
    """The first Tensor or Scalar among ``xs`` (whose device and kind a result takes), else ``xs[0]`` as a Tensor."""
    for x in xs:
        if isinstance(x, Var):
            return x
    return as_var(xs[0])


def axis_arg(op, axis, dim):
    """Accept NumPy's ``axis`` or PyTorch's ``dim`` (not both).

    An empty ``dim`` (``dim=[]``) reduces every dimension, as PyTorch's; an empty ``axis`` none, as NumPy's."""
    if dim is not None:
        if axis is not None and axis != dim:
            raise TypeError(f"{op}: pass axis or dim, not both")
        if isinstance(dim, (tuple, list)) and not dim:
            return None
        axis = dim
    if isinstance(axis, list):
        axis = tuple(axis)
    return axis


def keep_arg(keepdims, keepdim):
    """The keep-dims flag from NumPy's ``keepdims`` or PyTorch's ``keepdim`` (``keepdim`` wins when given);
    TypeError for a non-bool."""
    k = keepdims if keepdim is None else keepdim
    if k is not True and k is not False and not isinstance(k, int):  # numpy.bool_ is no int: checked by name
        if type(k).__name__ != "bool_":
            raise TypeError(f"{_caller_op()}: keepdim must be True or False, got {type(k).__name__} {_brief(k)}")
    return bool(k)


def check_dim(op, d, ndim):
    """``d`` as a non-negative dimension of a tensor of ``ndim`` dimensions (a 0-d tensor takes 0 and -1, as
    PyTorch's), or the error: TypeError for a non-integer, IndexError out of range."""
    if not is_int(d):
        raise TypeError(f"{op}: dim must be an integer, got {type(d).__name__} {_brief(d)}")
    d = int(d)
    n = max(ndim, 1)
    if not -n <= d < n:
        raise IndexError(f"{op}: dimension {d} is out of range for a tensor of {ndim} dimensions "
                         f"(expected a dim in [{-n}, {n - 1}])")
    return d % n


def norm_axes(op, axis, ndim):
    """Axes as a sorted tuple of non-negative ints (all axes for None), with a clear error when out of range.

    A 0-d tensor accepts dim 0 or -1 (as PyTorch's) and has no axis to reduce: the result is ``()``."""
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    out = [check_dim(op, a, ndim) for a in axes]
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: dim {axis} repeats a dimension; give each once")
    return tuple(sorted(out)) if ndim else ()


def nograd(proto, data):
    """Wrap a result that has no gradient (comparisons, argmax, ...)."""
    return proto._wrap(data, None)


def shape_str(x) -> str:
    """``x``'s shape as error messages print it: ``"(2, 3)"``, ``"()"`` for a number."""
    return str(tuple(getattr(x, "shape", ())))
