"""Dropout, and the channel-wise Dropout1d, Dropout2d, Dropout3d (their functional forms are in nn.functional)."""
from __future__ import annotations

from .functional.dropout import dropout
from .functional.feature_dropout import dropout1d, dropout2d, dropout3d
from .module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d"]


class _DropoutNd(Module):
    """The shared ``p`` and ``inplace`` of the dropout modules (as PyTorch's ``_DropoutNd``)."""

    def __init__(self, p: float = 0.5, inplace: bool = False):
        super().__init__()
        if not isinstance(p, (int, float)) or isinstance(p, bool):
            raise TypeError(f"{type(self).__name__}: p must be a number between 0 and 1, got {type(p).__name__} {p!r}")
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zero each entry with probability ``p`` in training, scaling the rest by 1/(1-p); identity in eval.

    ``inplace=True`` multiplies the input in place (its version bumped), as PyTorch's.

    >>> import autograd, nn
    >>> d = nn.Dropout(0.5).eval()
    >>> d(autograd.ones(3))
    tensor([1., 1., 1.])
    """

    def forward(self, input):
        return dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    """Zero whole channels of (N, C, L) or (C, L) with probability ``p`` in training, scaling the rest.

    >>> import autograd, nn
    >>> y = nn.Dropout1d(0.5)(autograd.ones(8, 4, 3))
    >>> bool(((y == 0).all(2) | (y == 2).all(2)).all())  # each channel all dropped or all kept
    True
    """

    def forward(self, input):
        return dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """Zero whole channels of (N, C, H, W) or (C, H, W) with probability ``p`` in training, scaling the rest."""

    def forward(self, input):
        return dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(_DropoutNd):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) with probability ``p`` in training."""

    def forward(self, input):
        return dropout3d(input, self.p, self.training, self.inplace)
