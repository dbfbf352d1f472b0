"""embedding and one_hot."""
from __future__ import annotations

import autograd
from autograd._backend import array_module

__all__ = ["embedding", "one_hot"]


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type: float = 2.0, scale_grad_by_freq=False,
              sparse=False):
    """Rows of ``weight`` picked by integer ``input``; repeated indices accumulate their gradients.

    ``padding_idx``'s row receives no gradient.

    >>> import autograd, nn
    >>> w = autograd.arange(6.0).reshape(3, 2)
    >>> nn.functional.embedding(autograd.tensor([2, 0]), w)
    tensor([[4., 5.],
            [0., 1.]])
    """
    idx = input.data if isinstance(input, autograd.Tensor) else array_module(input).asarray(input)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"embedding: indices must be integers, got {idx.dtype}")
    n = weight.shape[0]
    if idx.size and (int(idx.min()) < -n or int(idx.max()) >= n):
        raise IndexError(f"embedding: index out of range for a table of {n} rows "
                         f"(indices span {int(idx.min())}..{int(idx.max())})")
    if padding_idx is not None and weight.requires_grad:
        pad = padding_idx % n
        xp = array_module(weight.data)
        mask = xp.ones((n, 1), dtype=weight.dtype)
        mask[pad] = 0
        # the padding row's value is kept (multiplied by a mask whose gradient is zero there)
        weight = weight * mask + weight.detach() * (1 - mask)
    return weight[idx]


def one_hot(tensor, num_classes: int = -1):
    """Integer class indices to one-hot int64 vectors along a new last axis.

    >>> import autograd, nn
    >>> nn.functional.one_hot(autograd.tensor([0, 2]), 3)
    tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    idx = tensor.data
    if idx.dtype.kind not in "iu":
        raise TypeError(f"one_hot: expected integer class indices, got {idx.dtype}")
    xp = array_module(idx)
    if num_classes < 0:
        num_classes = int(idx.max()) + 1 if idx.size else 0
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= num_classes):
        raise ValueError(f"one_hot: class values must be in [0, {num_classes}), got {int(idx.min())}..{int(idx.max())}")
    out = (idx[..., None] == xp.arange(num_classes)).astype(xp.int64)
    return autograd.Tensor._wrap(out, None)
