"""embedding and one_hot."""
from __future__ import annotations

import autograd
from autograd.backend import array_module
from autograd.versions import bump
from autograd.ops.embedding import Embedding

__all__ = ["embedding", "one_hot"]


def _renorm_(weight, idx, max_norm: float, norm_type: float) -> None:
    """Rescale, in place and without a graph, the looked-up rows whose norm exceeds ``max_norm`` (PyTorch's rule)."""
    xp = array_module(weight.array)
    rows = xp.unique(idx)
    w = weight.array[rows]
    norms = xp.linalg.norm(w, ord=norm_type, axis=1)
    big = norms > max_norm
    if bool(big.any()):
        scale = xp.where(big, max_norm / (norms + 1e-7), 1.0).astype(w.dtype)
        weight.array[rows] = w * scale[:, None]
        bump(weight)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type: float = 2.0, scale_grad_by_freq=False,
              sparse=False):
    """Rows of ``weight`` picked by integer ``input``; repeated indices accumulate their gradients.

    ``padding_idx``'s row receives no gradient. ``max_norm`` first rescales, in place, every
    looked-up row whose ``norm_type``-norm exceeds it; ``scale_grad_by_freq`` divides each row's
    gradient by how often its index occurs in ``input``. Gradients are always dense arrays
    (``sparse=True`` is accepted for PyTorch compatibility; the values are the same).

    >>> import autograd, nn
    >>> w = autograd.arange(6.0).reshape(3, 2)
    >>> nn.functional.embedding(autograd.tensor([2, 0]), w)
    tensor([[4., 5.],
            [0., 1.]])
    """
    idx = input.array if isinstance(input, autograd.Tensor) else array_module(weight.array).asarray(input)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"embedding: indices must be integers, got {idx.dtype}; convert with .long()")
    if weight.ndim != 2:
        raise ValueError(f"embedding: weight must be a 2-D table (num_embeddings, embedding_dim), "
                         f"got shape {tuple(weight.shape)}")
    n = weight.shape[0]
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= n):
        raise IndexError(f"embedding: indices must be in [0, {n}) for a table of {n} rows, "
                         f"got values from {int(idx.min())} to {int(idx.max())}")
    if max_norm is not None and idx.size:
        _renorm_(weight, idx, max_norm, norm_type)
    node = Embedding()
    node.index = idx
    node.scale = None
    if weight.requires_grad and (padding_idx is not None or scale_grad_by_freq):
        xp = array_module(weight.array)
        scale = xp.ones(idx.shape, dtype=weight.dtype)
        if scale_grad_by_freq:
            counts = xp.bincount(idx.reshape(-1), minlength=n)
            scale = scale / counts[idx]
        if padding_idx is not None:
            scale = scale * (idx != padding_idx % n)
        node.scale = scale.astype(weight.dtype, copy=False)[..., None]
    return node.apply1(weight)


def one_hot(tensor, num_classes: int = -1):
    """Integer class indices to one-hot int64 vectors along a new last axis.

    >>> import autograd, nn
    >>> nn.functional.one_hot(autograd.tensor([0, 2]), 3)
    tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    idx = tensor.array if isinstance(tensor, autograd.Tensor) else autograd.tensor(tensor).array
    if idx.dtype.kind not in "iu":
        raise TypeError(f"one_hot: expected integer class indices, got {idx.dtype}; convert with .long()")
    xp = array_module(idx)
    if num_classes < 0:
        if not idx.size:
            raise ValueError("one_hot: cannot infer num_classes from an empty tensor; pass num_classes")
        num_classes = int(idx.max()) + 1
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= num_classes):
        raise ValueError(f"one_hot: class values must be in [0, {num_classes}), got {int(idx.min())}..{int(idx.max())}")
    out = (idx[..., None] == xp.arange(num_classes)).astype(xp.int64)
    return autograd.Tensor._wrap(out, None)
