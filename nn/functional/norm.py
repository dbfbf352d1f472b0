"""batch_norm, layer_norm, group_norm.

All three standardise over some axes, ``(x - mean) / sqrt(var + eps)`` with the
biased variance, then scale and shift per channel. The standardisation is one
fused op whose backward, ``invstd * (g - mean(g) - xhat * mean(g * xhat))``, is
written in the ``F`` vocabulary, so it differentiates itself.
"""
from __future__ import annotations

import math
from typing import Optional, Sequence, Union

from autograd import Tensor, no_grad
from autograd.ops import sqrt
from autograd.ops.norm import BatchNorm, Normalize
from autograd.ops.util import as_var

__all__ = ["batch_norm", "layer_norm", "group_norm"]


def _normalize(x, axes, eps):
    node = Normalize(axes, eps)
    return node.apply1(x), node


def _affine(y, weight, bias, shape):
    """``y * weight + bias`` with both reshaped to ``shape`` (either may be None)."""
    if weight is not None:
        y = y * as_var(weight).reshape(shape)
    if bias is not None:
        y = y + as_var(bias).reshape(shape)
    return y


def _check_channels(op, name, t, c, x):
    if t is not None and tuple(t.shape) != (c,):
        raise ValueError(f"{op}: expected {name} of shape ({c},) for input {tuple(x.shape)} "
                         f"(C={c}), got {tuple(t.shape)}")


def batch_norm(input: Tensor, running_mean: Optional[Tensor], running_var: Optional[Tensor],
               weight: Optional[Tensor] = None, bias: Optional[Tensor] = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Batch normalisation of ``input`` (N, C) or (N, C, *) per channel.

    Training uses the batch's statistics and, when given, updates the running ones in place:
    ``running = (1 - momentum) * running + momentum * batch`` (the variance unbiased, as PyTorch).
    Evaluation uses the running statistics.

    >>> import autograd
    >>> from nn.functional import batch_norm
    >>> x = autograd.tensor([[1.0], [3.0]])
    >>> rm, rv = autograd.zeros(1), autograd.ones(1)
    >>> batch_norm(x, rm, rv, training=True)
    tensor([[-1.0000],
            [ 1.0000]])
    >>> rm, rv
    (tensor([0.2000]), tensor([1.1000]))
    """
    x = as_var(input)
    op = "batch_norm"
    if x.ndim < 2:
        raise ValueError(f"{op}: expected input of shape (N, C) or (N, C, *), got {tuple(x.shape)}")
    c = x.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        _check_channels(op, name, t, c, x)
    shape = (c,) + (1,) * (x.ndim - 2)
    if training:
        count = x.shape[0] * math.prod(x.shape[2:])
        if count <= 1:
            raise ValueError(f"{op}: expected more than 1 value per channel when training, got input of shape "
                             f"{tuple(x.shape)}")
        w = None if weight is None else as_var(weight)
        b = None if bias is None else as_var(bias)
        fused = (w is not None or b is not None) and BatchNorm.fusable(
            x.array, None if w is None else w.array, None if b is None else b.array)
        if fused:  # scale and shift inside the one op (mixed dtypes take the promoting ops below)
            node = BatchNorm(eps)
            y = node.applyn(x, w, b)
        else:
            y, node = _normalize(x, (0,) + tuple(range(2, x.ndim)), eps)
        with no_grad():
            if running_mean is not None:
                running_mean.mul_(1 - momentum).add_(node.mean.reshape(c) * momentum)
            if running_var is not None:
                running_var.mul_(1 - momentum).add_(node.var.reshape(c) * (momentum * count / (count - 1)))
        return y if fused else _affine(y, w, b, shape)
    if running_mean is None or running_var is None:
        raise ValueError(f"{op}: running_mean and running_var are needed when training=False; pass them, or "
                         "training=True to use the batch's statistics")
    scale = 1.0 / sqrt(as_var(running_var) + eps)
    if weight is not None:
        scale = scale * as_var(weight)
    shift = -as_var(running_mean) * scale
    if bias is not None:
        shift = shift + as_var(bias)
    return x * scale.reshape(shape) + shift.reshape(shape)


def layer_norm(input: Tensor, normalized_shape: Union[int, Sequence[int]], weight: Optional[Tensor] = None,
               bias: Optional[Tensor] = None, eps: float = 1e-5) -> Tensor:
    """Standardise over the last ``len(normalized_shape)`` dimensions, then scale and shift elementwise.

    >>> import autograd
    >>> from nn.functional import layer_norm
    >>> layer_norm(autograd.tensor([[1.0, 3.0], [2.0, 2.0]]), (2,))
    tensor([[-1.0000,  1.0000],
            [ 0.0000,  0.0000]])
    """
    x = as_var(input)
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(int(n) for n in normalized_shape)
    k = len(shape)
    if k == 0 or x.ndim < k or tuple(x.shape[x.ndim - k:]) != shape:
        raise ValueError(f"layer_norm: expected input with shape (*, {', '.join(map(str, shape))}) to match "
                         f"normalized_shape {shape}, got {tuple(x.shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise ValueError(f"layer_norm: expected {name} of shape {shape}, got {tuple(t.shape)}")
    y, _ = _normalize(x, tuple(range(x.ndim - k, x.ndim)), eps)
    return _affine(y, weight, bias, shape)


def group_norm(input: Tensor, num_groups: int, weight: Optional[Tensor] = None, bias: Optional[Tensor] = None,
               eps: float = 1e-5) -> Tensor:
    """Standardise each sample over groups of ``C / num_groups`` channels (and all spatial cells),
    then scale and shift per channel.

    >>> import autograd
    >>> from nn.functional import group_norm
    >>> group_norm(autograd.tensor([[1.0, 3.0, 5.0, 5.0]]), 2)
    tensor([[-1.0000,  1.0000,  0.0000,  0.0000]])
    """
    x = as_var(input)
    if x.ndim < 2:
        raise ValueError(f"group_norm: expected input of shape (N, C, *), got {tuple(x.shape)}")
    n, c = x.shape[:2]
    if num_groups < 1 or c % num_groups:
        raise ValueError(f"group_norm: the number of channels C={c} (input {tuple(x.shape)}) must be divisible by "
                         f"num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        _check_channels("group_norm", name, t, c, x)
    y, _ = _normalize(x.reshape(n, num_groups, -1), (2,), eps)
    return _affine(y.reshape(tuple(x.shape)), weight, bias, (c,) + (1,) * (x.ndim - 2))
