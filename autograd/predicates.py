"""Whole-tensor questions answered with a Python bool: ``allclose`` and ``equal`` (functions and methods).

They record nothing (a bool has no gradient), so they are not ops of the registry.

>>> import autograd
>>> a = autograd.tensor([1.0, 2.0])
>>> autograd.allclose(a, a + 1e-9), a.equal(a.clone()), autograd.equal(a, a[:1])
(True, True, False)
"""
from __future__ import annotations

from .backend import array_module
from .ops.util import as_var


def allclose(input, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    """Whether ``|input - other| <= atol + rtol * |other|`` holds everywhere (broadcasting), as PyTorch's."""
    a, b = as_var(input), as_var(other)
    try:
        return bool(array_module(a.array).allclose(a.array, b.array, rtol=rtol, atol=atol, equal_nan=equal_nan))
    except ValueError:
        raise ValueError(f"allclose: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be broadcast together") \
            from None


def equal(input, other) -> bool:
    """Whether both have the same shape and the same elements (NaN is never equal), as PyTorch's."""
    a, b = as_var(input), as_var(other)
    return a.shape == b.shape and bool((a.array == b.array).all())
