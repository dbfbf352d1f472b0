"""dropout: zero entries with probability p and scale the rest by 1/(1-p) (inverted dropout)."""
from __future__ import annotations

from autograd import Tensor, is_grad_enabled
from autograd.backend import array_module
from autograd.random import generator as _generator

__all__ = ["dropout"]


def check_dropout(op, input, p, training, inplace) -> bool:
    """Refuse a bad ``p``, a non-Tensor, an in-place change of a leaf that requires grad, an integer input; False
    when nothing is to be dropped (evaluation, ``p == 0``), so the caller returns the input unchanged."""
    if not isinstance(p, (int, float)) or isinstance(p, bool):
        raise TypeError(f"{op}: p must be a number between 0 and 1, got {type(p).__name__} {p!r}")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{op}: dropout probability has to be between 0 and 1, but got {p}")
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(input).__name__}")
    if inplace and input.requires_grad and input.grad_fn is None and is_grad_enabled():
        raise RuntimeError(f"{op}(inplace=True): a leaf Variable that requires grad (shape {tuple(input.shape)}) "
                           f"is being used in an in-place operation; use inplace=False")
    if not training or p == 0.0:
        return False
    if input.dtype.kind not in "fc":
        raise TypeError(f"{op}: expected a floating-point input, got {input.dtype}; convert it with .float()")
    return True


def dropout(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Inverted dropout: the expected value is unchanged, so evaluation needs no rescaling.

    >>> import autograd, nn
    >>> x = autograd.ones(1000)
    >>> y = nn.functional.dropout(x, 0.5)
    >>> sorted(set(y.tolist()))
    [0.0, 2.0]
    >>> nn.functional.dropout(x, 0.5, training=False) is x
    True
    >>> nn.functional.dropout(x, 0.5, inplace=True) is x  # written into x, its version bumped
    True
    """
    if not check_dropout("dropout", input, p, training, inplace):
        return input
    if p == 1.0:  # as PyTorch: zeros (and NaN where the input is inf or NaN)
        return input.mul_(0) if inplace else input * 0
    xp = array_module(input.array)
    mask = (_generator(xp).random(input.shape) >= p).astype(input.dtype)
    mask *= 1.0 / (1.0 - p)
    # one multiply by a constant mask: the mask is data, not a graph input, so backward is g * mask;
    # in place, mul_ writes it into the input and bumps its version
    return input.mul_(mask) if inplace else input * mask
