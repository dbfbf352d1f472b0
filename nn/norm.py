"""Normalisation modules: BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm (PyTorch's parameters and buffers)."""
from __future__ import annotations

from typing import Optional, Sequence, Union

import autograd

from . import init
from .functional.norm import batch_norm, group_norm, layer_norm
from .module import Module
from .parameter import Parameter

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LayerNorm", "GroupNorm"]


def _affine_parameters(module, shape, affine, bias, device, dtype):
    """``weight`` and ``bias`` of ``shape`` (ones and zeros), or None placeholders, as PyTorch registers them."""
    if affine:
        module.weight = Parameter(autograd.empty(*shape, dtype=dtype, device=device))
        if bias:
            module.bias = Parameter(autograd.empty(*shape, dtype=dtype, device=device))
        else:
            module.register_parameter("bias", None)
    else:
        module.register_parameter("weight", None)
        module.register_parameter("bias", None)
    _reset_affine(module)


def _reset_affine(module):
    if module.weight is not None:
        init.ones_(module.weight)
    if module.bias is not None:
        init.zeros_(module.bias)


def _running_stats(module, num_features, track, device, dtype) -> None:
    """The buffers of a norm layer that tracks running statistics (PyTorch's names), or the same names as None."""
    if track:
        module.register_buffer("running_mean", autograd.zeros(num_features, dtype=dtype, device=device))
        module.register_buffer("running_var", autograd.ones(num_features, dtype=dtype, device=device))
        module.register_buffer("num_batches_tracked", autograd.tensor(0, dtype=autograd.int64, device=device))
    else:
        for name in ("running_mean", "running_var", "num_batches_tracked"):
            module.register_buffer(name, None)


class _BatchNorm(Module):
    """Batch normalisation with running statistics (buffers ``running_mean``, ``running_var``,
    ``num_batches_tracked``); ``momentum=None`` keeps a cumulative average instead of an exponential one."""

    _dims = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: Optional[float] = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device=None, dtype=None, *, bias: bool = True):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        _affine_parameters(self, (num_features,), affine, bias, device, dtype)
        _running_stats(self, num_features, track_running_stats, device, dtype)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        _reset_affine(self)

    def forward(self, input):
        if input.ndim not in self._dims:
            want = " or ".join(f"{d}D" for d in self._dims)
            spatial = {(2, 3): ", L", (4,): ", H, W", (5,): ", D, H, W"}[self._dims]
            raise ValueError(f"{type(self).__name__}: expected {want} input (N, C{spatial}) "
                             f"with C={self.num_features}, got {input.ndim}D input of shape {tuple(input.shape)}")
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            with autograd.no_grad():
                self.num_batches_tracked.add_(1)
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / int(self.num_batches_tracked.item())
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        track = not self.training or self.track_running_stats
        return batch_norm(input, self.running_mean if track else None, self.running_var if track else None,
                          self.weight, self.bias, use_batch, factor, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) per channel.

    >>> import autograd, nn
    >>> bn = nn.BatchNorm1d(3)
    >>> bn
    BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
    >>> bn(autograd.randn(8, 3)).shape
    (8, 3)
    """

    _dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) per channel.

    >>> import autograd, nn
    >>> bn = nn.BatchNorm2d(16)
    >>> sorted(bn.state_dict())
    ['bias', 'num_batches_tracked', 'running_mean', 'running_var', 'weight']
    >>> bn(autograd.randn(4, 16, 5, 5)).shape
    (4, 16, 5, 5)
    """

    _dims = (4,)


class BatchNorm3d(_BatchNorm):
    """Batch normalisation of (N, C, D, H, W) per channel.

    >>> import autograd, nn
    >>> nn.BatchNorm3d(2)(autograd.randn(3, 2, 2, 2, 2)).shape
    (3, 2, 2, 2, 2)
    """

    _dims = (5,)


class LayerNorm(Module):
    """Standardise over the trailing ``normalized_shape`` dimensions, then scale and shift elementwise.

    >>> import autograd, nn
    >>> ln = nn.LayerNorm(4)
    >>> ln
    LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)
    >>> ln(autograd.randn(2, 3, 4)).shape
    (2, 3, 4)
    """

    def __init__(self, normalized_shape: Union[int, Sequence[int]], eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True, device=None, dtype=None):
        super().__init__()
        self.normalized_shape = ((normalized_shape,) if isinstance(normalized_shape, int)
                                 else tuple(int(n) for n in normalized_shape))
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _affine_parameters(self, self.normalized_shape, elementwise_affine, bias, device, dtype)

    def reset_parameters(self) -> None:
        """Set ``weight`` to ones and ``bias`` to zeros, in place."""
        _reset_affine(self)

    def forward(self, input):
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")


class GroupNorm(Module):
    """Standardise each sample over groups of channels, then scale and shift per channel.

    >>> import autograd, nn
    >>> gn = nn.GroupNorm(2, 4)
    >>> gn
    GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)
    >>> gn(autograd.randn(3, 4, 5)).shape
    (3, 4, 5)
    """

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True, device=None,
                 dtype=None, *, bias: bool = True):
        super().__init__()
        if num_groups < 1 or num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels={num_channels} must be divisible by num_groups={num_groups}")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _affine_parameters(self, (num_channels,), affine, bias, device, dtype)

    def reset_parameters(self) -> None:
        """Set ``weight`` to ones and ``bias`` to zeros, in place."""
        _reset_affine(self)

    def forward(self, input):
        return group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, bias={self.bias is not None}"
