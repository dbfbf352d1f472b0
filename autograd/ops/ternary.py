"""Three-operand elementwise blends: lerp (composed from arithmetic, so every order of gradient holds)."""
from __future__ import annotations

from ..node import Var
from .declare import op
from .util import as_var, shape_str


@op(inplace=("lerp_",))
def lerp(input, end, weight):
    """``input + weight * (end - input)``: linear interpolation, broadcasting all three. ``input`` and ``end``
    (and a ``weight`` tensor with dimensions) must share one floating dtype, as PyTorch's.

    >>> import autograd
    >>> autograd.lerp(autograd.tensor([0.0, 10.0]), autograd.tensor([10.0, 20.0]), 0.25)
    tensor([ 2.5000, 12.5000])
    """
    x, e = as_var(input), as_var(end)
    if x.dtype.kind not in "fc":
        raise RuntimeError(f"lerp: needs floating tensors, got {x.dtype}; convert with .float()")
    if e.dtype != x.dtype:
        raise RuntimeError(f"lerp: expected dtype {x.dtype} for end but got {e.dtype}; convert one of them")
    if isinstance(weight, Var):
        if weight.ndim and weight.dtype != x.dtype:
            raise RuntimeError(f"lerp: expected dtype {x.dtype} for weight but got {weight.dtype} (shape "
                               f"{shape_str(weight)}); convert it")
        if weight.dtype != x.dtype:
            weight = weight.to(x.dtype)
    elif isinstance(weight, bool) or not isinstance(weight, (int, float)):
        raise TypeError(f"lerp: weight must be a number or a Tensor, got {type(weight).__name__} {weight!r}")
    return x + weight * (e - x)
