"""InstanceNorm1d, InstanceNorm2d, InstanceNorm3d and ``instance_norm``: each sample's each channel standardised
over its own spatial cells (GroupNorm with one channel per group), with PyTorch's optional affine parameters and
running statistics.
"""
from __future__ import annotations

import warnings
from typing import Optional

from .functional.instance_norm import instance_norm
from .module import Module
from .norm import _affine_parameters, _reset_affine, _running_stats

__all__ = ["InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d"]


class _InstanceNorm(Module):
    _spatial = 1

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: Optional[float] = 0.1, affine: bool = False,
                 track_running_stats: bool = False, device=None, dtype=None) -> None:
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        _affine_parameters(self, (num_features,), affine, True, device, dtype)
        _running_stats(self, num_features, track_running_stats, device, dtype)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        _reset_affine(self)

    def forward(self, input):
        k = self._spatial
        if input.ndim not in (k + 1, k + 2):
            raise ValueError(f"{type(self).__name__}: expected a {k + 1}D (C, *) or {k + 2}D (N, C, *) input with "
                             f"{k} spatial dimension(s), got {input.ndim}D input of shape {tuple(input.shape)}")
        unbatched = input.ndim == k + 1
        x = input.unsqueeze(0) if unbatched else input
        if x.shape[1] != self.num_features:
            where = f"dim {0 if unbatched else 1} of the input of shape {tuple(input.shape)}"
            if self.affine:
                raise ValueError(f"{type(self).__name__}: expected {self.num_features} channels, got "
                                 f"{x.shape[1]} ({where})")
            warnings.warn(f"{type(self).__name__}: {where} does not match num_features={self.num_features}, "
                          "which is not used because affine=False", UserWarning, stacklevel=2)
        # as PyTorch's: momentum=None means 0 (no cumulative average) and num_batches_tracked stays 0
        use_input_stats = self.training or not self.track_running_stats
        y = instance_norm(x, self.running_mean, self.running_var, self.weight, self.bias, use_input_stats,
                          0.0 if self.momentum is None else self.momentum, self.eps)
        return y.squeeze(0) if unbatched else y

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of (N, C, L) or (C, L).

    >>> import autograd, nn
    >>> nn.InstanceNorm1d(3)
    InstanceNorm1d(3, eps=1e-05, momentum=0.1, affine=False, bias=False, track_running_stats=False)
    >>> sorted(nn.InstanceNorm1d(3, affine=True, track_running_stats=True).state_dict())
    ['bias', 'num_batches_tracked', 'running_mean', 'running_var', 'weight']
    """

    _spatial = 1


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of (N, C, H, W) or (C, H, W)."""

    _spatial = 2


class InstanceNorm3d(_InstanceNorm):
    """Instance normalisation of (N, C, D, H, W) or (C, D, H, W)."""

    _spatial = 3
