"""Hypothesis strategies for autograd Tensors (needs ``hypothesis``: ``pip install 'denpa[test]'``)."""
from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ..tensor import Tensor

__all__ = ["tensors", "broadcastable_tensors", "valid_axes"]


def _elements(dtype, min_value, max_value):
    if dtype.kind == "f":
        return st.floats(min_value, max_value, allow_nan=False, allow_infinity=False, width=8 * dtype.itemsize)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        lo = info.min if min_value is None else builtin_max(info.min, math.ceil(min_value))
        hi = info.max if max_value is None else builtin_min(info.max, math.floor(max_value))
        return st.integers(lo, hi)
    if dtype.kind == "b":
        return st.booleans()
    raise ValueError(f"tensors: unsupported dtype {dtype}; use a float, integer or bool dtype")


builtin_max, builtin_min = max, min


def _tensor(a, requires_grad):
    return Tensor._wrap(np.array(a, copy=True), None).requires_grad_(bool(requires_grad and a.dtype.kind == "f"))


def tensors(dtype="float64", shape=None, min_dims=0, max_dims=3, min_side=1, max_side=4, elements=None,
            min_value=-3, max_value=3, requires_grad=True):
    """Tensors of ``dtype`` (a float dtype requires grad unless ``requires_grad=False``).

    ``shape`` is a tuple, an int or a strategy; by default any shape within the
    dims and sides given, 0-d included. Elements lie in ``[min_value, max_value]``
    (no NaN or infinity) unless ``elements`` (a strategy) is given.

    >>> from hypothesis import given, settings
    >>> from autograd.testing import tensors
    >>> @settings(max_examples=5, derandomize=True, database=None)
    ... @given(tensors(shape=(2, 3)))
    ... def check(x):
    ...     assert x.shape == (2, 3) and x.dtype == "float64" and x.requires_grad
    ...     assert (abs(x.array) <= 3).all()
    >>> check()
    """
    dt = np.dtype(dtype)
    if shape is None:
        shape = hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)
    elif isinstance(shape, int):
        shape = (shape,)
    if elements is None:
        elements = _elements(dt, min_value, max_value)
    return hnp.arrays(dt, shape, elements=elements).map(lambda a: _tensor(a, requires_grad))


def broadcastable_tensors(n, dtype="float64", min_dims=0, max_dims=3, min_side=1, max_side=4, elements=None,
                          min_value=-3, max_value=3, requires_grad=True, base_shape=()):
    """A tuple of ``n`` Tensors whose shapes broadcast together (from ``mutually_broadcastable_shapes``).

    >>> import numpy as np
    >>> from hypothesis import given, settings
    >>> from autograd.testing import broadcastable_tensors
    >>> @settings(max_examples=5, derandomize=True, database=None)
    ... @given(broadcastable_tensors(3))
    ... def check(xs):
    ...     assert len(xs) == 3
    ...     np.broadcast_shapes(*(x.shape for x in xs))  # raises if they do not broadcast
    >>> check()
    """

    @st.composite
    def draw_tensors(draw):
        shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=n, min_dims=min_dims, max_dims=max_dims,
                                                        min_side=min_side, max_side=max_side, base_shape=base_shape))
        return tuple(draw(tensors(dtype, shape=s, elements=elements, min_value=min_value, max_value=max_value,
                                  requires_grad=requires_grad)) for s in shapes.input_shapes)

    return draw_tensors()


def valid_axes(ndim, min_size=0, max_size=None, allow_none=True, allow_int=True):
    """Axis arguments for a tensor of ``ndim`` dimensions: None, an int, or a tuple of distinct axes (negatives too).

    >>> from hypothesis import given, settings
    >>> from autograd.testing import valid_axes
    >>> @settings(max_examples=10, derandomize=True, database=None)
    ... @given(valid_axes(2))
    ... def check(axis):
    ...     assert axis is None or axis in (-2, -1, 0, 1) or set(a % 2 for a in axis) <= {0, 1}
    >>> check()
    """
    options = []
    if allow_none:
        options.append(st.none())
    if allow_int and ndim > 0 and min_size <= 1 and (max_size is None or max_size >= 1):
        options.append(st.integers(-ndim, ndim - 1))
    options.append(hnp.valid_tuple_axes(ndim, min_size=min_size, max_size=max_size))
    return st.one_of(*options)
