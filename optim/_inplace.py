"""In-place array steps the optimizers share, written once through the data's array module.

Each works on raw arrays (``p.array``, ``p.grad.array``, state arrays) with
``out=`` so an update allocates at most one scratch array per parameter, and
never writes into a parameter's gradient.
"""
from __future__ import annotations

from autograd import Tensor
from autograd.backend import array_module, ensure_array
from autograd.versions import bump  # noqa: F401  (the optimizers import it from here)


def with_grads(group, complex_ok=False):
    """``(param, param array, grad array)`` for each parameter of ``group`` that has a gradient."""
    for p in group["params"]:
        g = p.grad
        if g is not None:
            pd = p.array
            if pd.dtype.kind == "c" and not complex_ok:
                raise NotImplementedError(
                    f"complex parameters (shape {tuple(pd.shape)}, {pd.dtype}) are supported by SGD only: the other "
                    "optimizers' squares and signs are not defined for complex numbers; optimize the real and "
                    "imaginary parts as two real tensors")
            yield p, pd, g.array


def zeros(like, value=0):
    """A state Tensor shaped and typed like the array ``like``, on its device, filled with ``value``."""
    xp = array_module(like)
    return Tensor._wrap(xp.zeros_like(like) if value == 0 else xp.full_like(like, value), None)


def effective_grad(p, g, weight_decay, maximize):
    """The gradient an update uses: ``-g`` when maximizing, plus ``weight_decay * p`` (L2); ``g`` is not modified."""
    if maximize:
        g = -g
    if weight_decay:
        g = g + weight_decay * p
    return ensure_array(g)  # a 0-d result must stay an array: it may become a state buffer


def lerp_(a, b, weight, buf):
    """``a += weight * (b - a)`` in place (PyTorch's ``lerp_``, the moving average of ``b``)."""
    xp = array_module(a)
    xp.subtract(b, a, out=buf)
    buf *= weight
    a += buf


def ema_square_(v, g, beta, buf):
    """``v = beta * v + (1 - beta) * g * g`` in place."""
    xp = array_module(v)
    v *= beta
    xp.multiply(g, g, out=buf)
    buf *= 1 - beta
    v += buf


