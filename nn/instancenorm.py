"""InstanceNorm1d, InstanceNorm2d, InstanceNorm3d and ``instance_norm``: each sample's each channel standardised
over its own spatial cells (GroupNorm with one channel per group), with PyTorch's optional affine parameters and
running statistics.
"""
from __future__ import annotations

import warnings
from typing import Optional

import autograd
from autograd import Tensor

from .functional.norm import batch_norm, group_norm
from .module import Module
from .norm import _affine_parameters, _reset_affine

__all__ = ["InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d"]


def instance_norm(input: Tensor, running_mean: Optional[Tensor] = None, running_var: Optional[Tensor] = None,
                  weight: Optional[Tensor] = None, bias: Optional[Tensor] = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Standardise (N, C, *) over ``*`` for each (sample, channel), then scale and shift per channel.

    With ``use_input_stats`` and running statistics given, those are updated in place with the batch mean of the
    instances' means and unbiased variances; without ``use_input_stats`` the running statistics are used.

    >>> import autograd
    >>> from nn.instancenorm import instance_norm
    >>> instance_norm(autograd.tensor([[[1.0, 3.0], [5.0, 5.0]]]))
    tensor([[[-1.0000,  1.0000],
             [ 0.0000,  0.0000]]])
    """
    op = "instance_norm"
    if input.ndim < 3:
        raise ValueError(f"{op}: expected an input of shape (N, C, *) with at least one spatial dimension, got "
                         f"{tuple(input.shape)}")
    n, c = input.shape[:2]
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise ValueError(f"{op}: running_mean and running_var are needed when use_input_stats=False")
        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    cells = input.numel() // (n * c)
    if cells <= 1:
        raise ValueError(f"{op}: expected more than 1 spatial element when training, got input of shape "
                         f"{tuple(input.shape)}")
    if running_mean is not None or running_var is not None:
        with autograd.no_grad():
            flat = input.detach().reshape(n, c, -1)
            if running_mean is not None:
                running_mean.mul_(1 - momentum).add_(flat.mean(2).mean(0) * momentum)
            if running_var is not None:
                running_var.mul_(1 - momentum).add_(flat.var(2, correction=1).mean(0) * momentum)
    return group_norm(input, c, weight, bias, eps)


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
        if track_running_stats:
            self.register_buffer("running_mean", autograd.zeros(num_features, dtype=dtype, device=device))
            self.register_buffer("running_var", autograd.ones(num_features, dtype=dtype, device=device))
            self.register_buffer("num_batches_tracked", autograd.tensor(0, dtype=autograd.int64, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

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
