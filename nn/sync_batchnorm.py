"""SyncBatchNorm: batch normalisation whose statistics cover the whole global batch, across every rank.

Each rank sums its values per channel; an all-reduce makes the sums global, so the mean and (biased) variance
are those of the concatenated batch. The all-reduce is differentiable (its backward all-reduces the gradient),
so backward also sees every rank's contribution, and with DistributedDataParallel N ranks of batch B train
exactly as one process with batch N * B and plain batch norm. Without an initialised process group (or with
one rank) and in eval mode it is ordinary batch norm (``nn.functional.batch_norm``).
"""
from __future__ import annotations

import math
from typing import Optional

import autograd
from autograd import distributed as dist

from .functional import batch_norm
from .module import Module
from .norm import _BatchNorm

__all__ = ["SyncBatchNorm"]


class _AllReduceSum(autograd.Function):
    """Sum over ranks, differentiably: the gradient of a sum over ranks is the sum of the ranks' gradients."""

    @staticmethod
    def forward(ctx, x):
        out = x.clone()
        dist.all_reduce(out)
        return out

    @staticmethod
    def backward(ctx, g):
        g = g.clone()
        dist.all_reduce(g)
        return g


class SyncBatchNorm(_BatchNorm):
    """Batch normalisation over (N, C, *) inputs with statistics taken across every rank's batch.

    >>> import autograd, nn
    >>> bn = nn.SyncBatchNorm(3)
    >>> bn(autograd.randn(4, 3, 2, 2)).shape  # no process group: plain batch norm
    (4, 3, 2, 2)
    """

    _dims = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: Optional[float] = 0.1, affine: bool = True,
                 track_running_stats: bool = True, process_group=None, device=None, dtype=None):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype)
        self.process_group = process_group

    def forward(self, input):
        if input.ndim < 2:
            raise ValueError(f"SyncBatchNorm: expected at least 2D input (N, C, *) with C={self.num_features}, "
                             f"got {input.ndim}D input of shape {tuple(input.shape)}")
        if input.shape[1] != self.num_features:
            raise ValueError(f"SyncBatchNorm: expected input with C={self.num_features} channels, got shape "
                             f"{tuple(input.shape)}")
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            with autograd.no_grad():
                self.num_batches_tracked.add_(1)
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / int(self.num_batches_tracked.item())
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        sync = use_batch and dist.is_initialized() and dist.get_world_size() > 1
        if not sync:
            track = not self.training or self.track_running_stats
            return batch_norm(input, self.running_mean if track else None, self.running_var if track else None,
                              self.weight, self.bias, use_batch, factor, self.eps)
        return self._synced(input, factor)

    def _synced(self, x, factor):
        c = self.num_features
        axes = (0,) + tuple(range(2, x.ndim))
        shape = (1, c) + (1,) * (x.ndim - 2)
        count = autograd.tensor([float(x.shape[0] * math.prod(x.shape[2:]))], dtype=x.dtype)
        dist.all_reduce(count)  # ranks may hold batches of different sizes
        n = float(count.item())
        if n <= 1:
            raise ValueError(f"SyncBatchNorm: expected more than 1 value per channel across all ranks when "
                             f"training, got {int(n)}")
        mean = _AllReduceSum.apply(x.sum(dim=axes)) / n
        xc = x - mean.reshape(shape)
        var = _AllReduceSum.apply((xc * xc).sum(dim=axes)) / n  # two passes: no cancellation in E[x²] - E[x]²
        y = xc * ((var + self.eps) ** -0.5).reshape(shape)
        if self.training and self.track_running_stats and self.running_mean is not None:
            with autograd.no_grad():
                self.running_mean.mul_(1 - factor).add_(mean.detach() * factor)
                self.running_var.mul_(1 - factor).add_(var.detach() * (factor * n / (n - 1)))
        if self.weight is not None:
            y = y * self.weight.reshape(shape)
        if self.bias is not None:
            y = y + self.bias.reshape(shape)
        return y

    @classmethod
    def convert_sync_batchnorm(cls, module: Module, process_group=None) -> Module:
        """``module`` with every BatchNorm layer replaced by a SyncBatchNorm that shares its parameters and
        buffers (the module itself if it is one; others are changed in place and returned).

        >>> import nn
        >>> net = nn.SyncBatchNorm.convert_sync_batchnorm(nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4)))
        >>> type(net[1]).__name__
        'SyncBatchNorm'
        """
        if isinstance(module, _BatchNorm) and not isinstance(module, cls):
            new = cls(module.num_features, module.eps, module.momentum, module.affine, module.track_running_stats,
                      process_group)
            for name in ("weight", "bias"):  # the very Parameter objects: an optimizer built earlier still sees them
                value = getattr(module, name)
                if value is None:
                    new.register_parameter(name, None)
                else:
                    setattr(new, name, value)
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                new.register_buffer(name, getattr(module, name))
            new.train(module.training)
            return new
        for name, child in list(module.named_children()):
            converted = cls.convert_sync_batchnorm(child, process_group)
            if converted is not child:
                setattr(module, name, converted)
        return module
