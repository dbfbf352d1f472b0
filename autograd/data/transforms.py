"""Normalisation and one-hot helpers (array-module aware: they work on any device's data)."""
from __future__ import annotations

from ..backend import array_module
from ..tensor import Tensor


def _data(x):
    return x.array if isinstance(x, Tensor) else x


def _like(x, out):
    return Tensor._wrap(out, None) if isinstance(x, Tensor) else out


def normalize(x, mean, std):
    """``(x - mean) / std``, with mean and std numbers or per-feature arrays.

    >>> import autograd
    >>> from autograd.data import normalize
    >>> normalize(autograd.tensor([2.0, 4.0]), 2.0, 2.0)
    tensor([0., 1.])
    """
    d = _data(x)
    xp = array_module(d)
    return _like(x, ((d - xp.asarray(mean, dtype=d.dtype)) / xp.asarray(std, dtype=d.dtype)).astype(d.dtype))


def standardize(x, axis=0, eps: float = 1e-8):
    """Zero mean and unit variance along ``axis``; returns ``(standardized, mean, std)`` so test data can reuse them."""
    d = _data(x)
    xp = array_module(d)
    mean = d.mean(axis=axis, keepdims=True)
    std = d.std(axis=axis, keepdims=True) + eps
    return _like(x, ((d - mean) / std).astype(d.dtype)), mean, std


def one_hot(labels, num_classes: int, dtype="float32"):
    """Class indices to one-hot rows (float32 by default, for squared-error targets).

    >>> import autograd
    >>> from autograd.data import one_hot
    >>> one_hot(autograd.tensor([1, 0]), 2)
    tensor([[0., 1.],
            [1., 0.]])
    """
    d = _data(labels)
    xp = array_module(d)
    if d.size and (int(d.min()) < 0 or int(d.max()) >= num_classes):
        raise ValueError(f"one_hot: labels must be in [0, {num_classes}), got {int(d.min())}..{int(d.max())}")
    return _like(labels, (d[..., None] == xp.arange(num_classes)).astype(dtype))
