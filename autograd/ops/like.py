"""Tensors made like another: the Tensor methods ``new_zeros``, ``new_ones``, ``new_full``, ``new_empty``
(``self``'s dtype and device unless told otherwise) and ``type_as``."""
from __future__ import annotations

from ..node import Var
from .declare import op


def _new(make, self, size, dtype, device, requires_grad, *fill):
    from .. import creation

    return getattr(creation, make)(*size, *fill, dtype=self.dtype if dtype is None else dtype,
                                   device=self.device if device is None else device, requires_grad=requires_grad)


@op(public=False)
def new_zeros(self, *size, dtype=None, device=None, requires_grad: bool = False):
    """Zeros of ``size`` with ``self``'s dtype and device (unless given).

    >>> import autograd
    >>> autograd.ones(2, dtype=autograd.float64).new_zeros(3)
    tensor([0., 0., 0.], dtype=float64)
    """
    return _new("zeros", self, size, dtype, device, requires_grad)


@op(public=False)
def new_ones(self, *size, dtype=None, device=None, requires_grad: bool = False):
    """Ones of ``size`` with ``self``'s dtype and device (unless given)."""
    return _new("ones", self, size, dtype, device, requires_grad)


@op(public=False)
def new_empty(self, *size, dtype=None, device=None, requires_grad: bool = False):
    """An uninitialised tensor of ``size`` with ``self``'s dtype and device (unless given)."""
    return _new("empty", self, size, dtype, device, requires_grad)


@op(public=False)
def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad: bool = False):
    """``size`` (a tuple) filled with ``fill_value``, in ``self``'s dtype (a float into an integer tensor
    truncates, as PyTorch) and device unless given.

    >>> import autograd
    >>> autograd.zeros(1).new_full((2,), 7)
    tensor([7., 7.])
    """
    from .. import creation

    if not isinstance(size, (tuple, list)):
        raise TypeError(f"new_full: size must be a tuple of integers, got {type(size).__name__} {size!r}")
    dt = self.dtype if dtype is None else creation._dtype_or(dtype, None, "new_full")
    if isinstance(fill_value, Var) and fill_value.ndim == 0:
        fill_value = fill_value.item()
    if isinstance(fill_value, float) and dt.kind in "iu" and fill_value == fill_value and abs(fill_value) != float("inf"):
        fill_value = int(fill_value)
    return creation.full(tuple(size), fill_value, dtype=dt, device=self.device if device is None else device,
                         requires_grad=requires_grad)


@op(public=False)
def type_as(self, other):
    """``self`` cast to ``other``'s dtype (recorded, so gradients flow back through a float cast).

    >>> import autograd
    >>> autograd.ones(2).type_as(autograd.zeros(1, dtype=autograd.int64))
    tensor([1, 1])
    """
    if not isinstance(other, Var):
        raise TypeError(f"type_as: other must be a Tensor, got {type(other).__name__} {other!r}")
    from .cast import to_dtype

    return to_dtype(self, other.dtype)
