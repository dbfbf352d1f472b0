"""dropout: zero entries with probability p and scale the rest by 1/(1-p) (inverted dropout)."""
from __future__ import annotations

from autograd.backend import array_module
from autograd.random import generator as _generator

__all__ = ["dropout"]


def dropout(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Inverted dropout: the expected value is unchanged, so evaluation needs no rescaling.

    >>> import autograd, nn
    >>> x = autograd.ones(1000)
    >>> y = nn.functional.dropout(x, 0.5)
    >>> sorted(set(y.tolist()))
    [0.0, 2.0]
    >>> nn.functional.dropout(x, 0.5, training=False) is x
    True
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    if input.dtype.kind not in "fc":
        raise TypeError(f"dropout: expected a floating-point input, got {input.dtype}; convert it with .float()")
    if p == 1.0:
        return input * 0  # as PyTorch: zeros (and NaN where the input is inf or NaN)
    xp = array_module(input.array)
    mask = (_generator(xp).random(input.shape) >= p).astype(input.dtype)
    mask *= 1.0 / (1.0 - p)
    # one multiply by a constant mask: the mask is data, not a graph input, so backward is g * mask
    return input * mask
