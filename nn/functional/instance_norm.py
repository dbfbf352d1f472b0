"""instance_norm: each sample's channels normalised over their own spatial extent, as PyTorch's."""
from __future__ import annotations

from typing import Optional

import autograd
from autograd import Tensor

from .norm import batch_norm, group_norm

__all__ = ["instance_norm"]


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
