"""Small helpers shared by the op files."""
from __future__ import annotations

from ..node import Var


def as_var(x, like=None):
    """``x`` as a Tensor (or Scalar) so an op can run on it."""
    if isinstance(x, Var):
        return x
    from ..tensor import Tensor

    if like is not None and isinstance(like, Var) and not isinstance(like, Tensor):
        return type(like)(x)
    return Tensor(x)


def first_var(*xs):
    for x in xs:
        if isinstance(x, Var):
            return x
    return as_var(xs[0])


def axis_arg(op, axis, dim):
    """Accept NumPy's ``axis`` or PyTorch's ``dim`` (not both)."""
    if dim is not None:
        if axis is not None and axis != dim:
            raise TypeError(f"{op}: pass axis or dim, not both")
        axis = dim
    if isinstance(axis, list):
        axis = tuple(axis)
    return axis


def keep_arg(keepdims, keepdim):
    return bool(keepdims if keepdim is None else keepdim)


def norm_axes(op, axis, ndim):
    """Axes as a sorted tuple of non-negative ints (all axes for None), with a clear error when out of range."""
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    out = []
    for a in axes:
        a = int(a)
        if not -max(ndim, 1) <= a < max(ndim, 1):
            raise IndexError(f"{op}: dimension {a} is out of range for a tensor of {ndim} dimensions")
        out.append(a % ndim if ndim else 0)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: repeated dimension in {axis}")
    return tuple(sorted(out))


def nograd(proto, data):
    """Wrap a result that has no gradient (comparisons, argmax, ...)."""
    return proto._wrap(data, None)


def shape_str(x) -> str:
    return str(tuple(getattr(x, "shape", ())))
