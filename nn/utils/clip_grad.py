"""clip_grad_norm_ and clip_grad_value_: bound gradients in place before an optimizer step."""
from __future__ import annotations

import math

from autograd._backend import array_module
from autograd.tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def _grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                    foreach=None) -> Tensor:
    """Scale all gradients together so their joint ``norm_type``-norm is at most ``max_norm``; return the norm before.

    >>> import autograd, nn
    >>> p = autograd.tensor([0.0, 0.0], requires_grad=True)
    >>> p.grad = autograd.tensor([3.0, 4.0])
    >>> nn.utils.clip_grad_norm_([p], 1.0), p.grad
    (tensor(5.), tensor([0.6000, 0.8000]))
    """
    grads = _grads(parameters)
    if not grads:
        return Tensor._wrap(array_module(0.0).asarray(0.0, dtype="float32"), None)
    xp = array_module(grads[0].data)
    norm_type = float(norm_type)
    if math.isinf(norm_type):
        total = max(float(xp.abs(g.data).max()) if g.data.size else 0.0 for g in grads)
    else:
        total = sum(float((xp.abs(g.data.astype("float64")) ** norm_type).sum()) for g in grads) ** (1.0 / norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite "
                           f"({total}), so it cannot be clipped. To disable this error and scale the gradients by "
                           "the non-finite norm anyway, set `error_if_nonfinite=False`")
    coef = max_norm / (total + 1e-6)
    if coef < 1:
        for g in grads:
            g.data *= g.data.dtype.type(coef)
    return Tensor._wrap(xp.asarray(total, dtype=grads[0].data.dtype), None)


def clip_grad_value_(parameters, clip_value: float, foreach=None) -> None:
    """Clamp every gradient entry to ``[-clip_value, clip_value]`` in place."""
    for g in _grads(parameters):
        xp = array_module(g.data)
        xp.clip(g.data, -clip_value, clip_value, out=g.data)
