"""Dropout."""
from __future__ import annotations

from .functional.dropout import dropout
from .module import Module

__all__ = ["Dropout"]


class Dropout(Module):
    """Zero each entry with probability ``p`` in training, scaling the rest by 1/(1-p); identity in eval.

    ``inplace=True`` multiplies the input in place (its version bumped), as PyTorch's.

    >>> import autograd, nn
    >>> d = nn.Dropout(0.5).eval()
    >>> d(autograd.ones(3))
    tensor([1., 1., 1.])
    """

    def __init__(self, p: float = 0.5, inplace: bool = False):
        super().__init__()
        if not isinstance(p, (int, float)) or isinstance(p, bool):
            raise TypeError(f"Dropout: p must be a number between 0 and 1, got {type(p).__name__} {p!r}")
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input):
        return dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
