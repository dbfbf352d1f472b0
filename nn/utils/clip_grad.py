"""clip_grad_norm_ and clip_grad_value_: rescale or clamp gradients in place before an optimizer step."""
from __future__ import annotations

import math
from typing import Iterable, Union

from autograd.backend import array_module
from autograd.tensor import Tensor
from autograd.versions import bump

__all__ = ["clip_grad_norm_", "clip_grad_value_"]

Params = Union[Tensor, Iterable[Tensor]]


def _grads(parameters: Params) -> list:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def _order(norm_type) -> float:
    if isinstance(norm_type, str) and norm_type.lower() not in ("inf", "-inf"):
        raise ValueError(f"clip_grad_norm_: norm_type must be a number or 'inf', got {norm_type!r}")
    return float(norm_type)


def clip_grad_norm_(parameters: Params, max_norm: float, norm_type: Union[float, str] = 2.0,
                    error_if_nonfinite: bool = False, foreach=None) -> Tensor:
    """Scale all gradients together so their joint norm is at most ``max_norm``; returns the norm before clipping.

    The joint norm is the ``norm_type`` norm of all gradients seen as one
    vector (``inf``: the largest absolute entry). Gradients change in place.

    >>> import autograd, nn
    >>> w = autograd.zeros(2, requires_grad=True)
    >>> (w * autograd.tensor([3.0, 4.0])).sum().backward()
    >>> nn.utils.clip_grad_norm_([w], max_norm=1.0)
    tensor(5.)
    >>> w.grad
    tensor([0.6000, 0.8000])
    """
    grads = _grads(parameters)
    order = _order(norm_type)
    if not grads:
        return Tensor._wrap(array_module(0.0).zeros((), dtype="float32"), None)
    xp = array_module(grads[0].array)
    dtype = xp.result_type(*(g.array.dtype for g in grads))  # the widest: float32 and float64 norms in float64
    # norm of the per-tensor norms = norm of everything concatenated, without building the concatenation
    norms = xp.stack([xp.linalg.norm(g.array.reshape(-1), ord=order).astype(dtype) for g in grads])
    total = xp.linalg.norm(norms, ord=order)
    total_f = float(total)
    if error_if_nonfinite and not math.isfinite(total_f):
        raise RuntimeError(f"The total norm of order {order} for gradients from `parameters` is non-finite, so it "
                           f"cannot be clipped. To disable this error and scale the gradients by the non-finite norm "
                           f"anyway, set `error_if_nonfinite=False`")
    coef = float(max_norm) / (total_f + 1e-6)
    if not coef >= 1.0:  # also taken for a NaN norm: the NaN spreads into the gradients, as in PyTorch
        for g in grads:
            g.array *= g.array.dtype.type(coef)
            bump(g)
    return Tensor._wrap(xp.asarray(total, dtype=dtype), None)


def clip_grad_value_(parameters: Params, clip_value: float, foreach=None) -> None:
    """Clamp every gradient entry into ``[-clip_value, clip_value]``, in place.

    >>> import autograd, nn
    >>> w = autograd.zeros(3, requires_grad=True)
    >>> (w * autograd.tensor([-5.0, 0.5, 2.0])).sum().backward()
    >>> nn.utils.clip_grad_value_([w], 1.0); w.grad
    tensor([-1.0000,  0.5000,  1.0000])
    """
    v = float(clip_value)
    if not v >= 0:
        raise ValueError(f"clip_grad_value_: clip_value must be >= 0, got {clip_value}")
    for g in _grads(parameters):
        xp = array_module(g.array)
        xp.clip(g.array, -v, v, out=g.array)
        bump(g)
