"""dropout: zero entries with probability p and scale the rest by 1/(1-p) (inverted dropout)."""
from __future__ import annotations

from autograd._backend import array_module
from autograd.random import _generator

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
    if p == 1.0:
        return input * 0
    xp = array_module(input.data)
    keep = _generator(xp).random(input.shape) >= p
    # one multiply by a constant mask: the mask is data, not a graph input, so backward is g * mask
    return input * (keep * (1.0 / (1.0 - p))).astype(input.dtype)
