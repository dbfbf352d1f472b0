"""cosine_similarity, pairwise_distance and triplet_margin_loss, composed from autograd's ops."""
from __future__ import annotations

import numpy as np  # shape arithmetic only

import autograd
from autograd import Tensor

__all__ = ["cosine_similarity", "pairwise_distance", "triplet_margin_loss", "normalize"]


_REDUCTIONS = ("mean", "sum", "none")


def _floating(op, *xs):
    for x in xs:
        if not isinstance(x, Tensor):
            raise TypeError(f"{op}: expected Tensors, got {type(x).__name__}")
        if x.dtype.kind != "f":
            raise TypeError(f"{op}: expected floating-point inputs, got {x.dtype}; convert with .float()")


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``sum(x1 / max(|x1|, eps) * x2 / max(|x2|, eps))`` along ``dim`` (the inputs broadcast).

    Each input is divided by its norm first, which keeps the result in [-1, 1]; as PyTorch's, the clamp at
    ``eps`` changes the value only, and the gradient is that of the unclamped norm.
    """
    _floating("cosine_similarity", x1, x2)
    try:
        shape = np.broadcast_shapes(tuple(x1.shape), tuple(x2.shape))
    except ValueError:
        raise ValueError(f"cosine_similarity: the shapes {tuple(x1.shape)} and {tuple(x2.shape)} do not "
                         "broadcast") from None
    x1, x2 = x1.expand(*shape), x2.expand(*shape)

    def unit(x):
        n = autograd.norm(x, 2, dim=dim, keepdim=True)
        with autograd.no_grad():
            lift = autograd.clamp(n, min=eps) - n  # a constant: moves the value, not the derivative
        return x / (n + lift)

    return (unit(x1) * unit(x2)).sum(dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """The ``p``-norm of ``x1 - x2 + eps`` over the last dimension (the inputs broadcast)."""
    _floating("pairwise_distance", x1, x2)
    diff = x1 - x2 + eps
    if diff.ndim == 0:
        return autograd.abs(diff)
    return autograd.norm(diff, p, dim=-1, keepdim=keepdim)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, reduction: str = "mean") -> Tensor:
    """``max(d(a, p) - d(a, n) + margin, 0)`` with ``d`` the pairwise distance; ``swap`` also takes d(p, n)."""
    op = "triplet_margin_loss"
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{op}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")
    if margin <= 0:
        raise ValueError(f"{op}: margin must be greater than 0, got {margin}")
    dims = {anchor.ndim, positive.ndim, negative.ndim}
    if len(dims) != 1:
        raise RuntimeError(f"{op}: the anchor, positive and negative must have the same number of dimensions, "
                           f"got shapes {tuple(anchor.shape)}, {tuple(positive.shape)}, {tuple(negative.shape)}")
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = autograd.minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    loss = autograd.clamp(d_pos - d_neg + margin, min=0.0)
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out=None) -> Tensor:
    """``input / max(||input||_p, eps)`` along ``dim``: each slice scaled to unit ``p``-norm, as PyTorch's.

    >>> import autograd
    >>> from nn.functional import normalize
    >>> normalize(autograd.tensor([[3.0, 4.0], [0.0, 0.0]]))
    tensor([[0.6000, 0.8000],
            [0.0000, 0.0000]])
    """
    if out is not None:
        raise TypeError("normalize: out= is not supported; use the returned tensor")
    x = input if isinstance(input, Tensor) else autograd.as_tensor(input)
    if x.dtype.kind not in "fc":
        raise TypeError(f"normalize: expected a floating-point input, got {x.dtype}; convert it with .float()")
    if isinstance(p, bool) or not isinstance(p, (int, float)) or p <= 0:
        raise ValueError(f"normalize: p must be a positive number, got {p!r}")
    norm = autograd.norm(x, p, dim=dim, keepdim=True)
    return x / autograd.clamp(norm, min=eps)
