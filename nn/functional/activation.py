"""Functional activations (``torch.nn.functional`` names and signatures) over autograd's ops.

PyTorch's ``inplace=True`` is accepted so code ports unchanged, but the result is
always a new tensor: an in-place write would invalidate the values that ops
such as ``elu`` save for backward.
"""
from __future__ import annotations

import autograd

__all__ = ["relu", "leaky_relu", "elu", "gelu", "silu", "sigmoid", "tanh", "softplus", "softmax", "log_softmax",
           "step", "relu6", "hardtanh"]

gelu = autograd.gelu
sigmoid = autograd.sigmoid
tanh = autograd.tanh
softplus = autograd.softplus
step = autograd.step


def relu(input, inplace: bool = False):
    """max(x, 0).

    >>> import autograd, nn
    >>> nn.functional.relu(autograd.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    """
    return autograd.relu(input)


def leaky_relu(input, negative_slope: float = 0.01, inplace: bool = False):
    """x where x > 0, else ``negative_slope * x``."""
    return autograd.leaky_relu(input, negative_slope)


def elu(input, alpha: float = 1.0, inplace: bool = False):
    """x where x > 0, else ``alpha * (exp(x) - 1)``."""
    return autograd.elu(input, alpha)


def silu(input, inplace: bool = False):
    """x * sigmoid(x) (also called swish)."""
    return autograd.silu(input)


def _dim(dim, ndim: int):
    if dim is None:  # PyTorch's legacy choice for an omitted dim (PyTorch also warns: pass dim)
        return 0 if ndim in (0, 1, 3) else 1
    return dim


def softmax(input, dim=None, dtype=None):
    """Softmax along ``dim`` (numerically stable).

    >>> import autograd, nn
    >>> nn.functional.softmax(autograd.tensor([0.0, 0.0]), dim=0)
    tensor([0.5000, 0.5000])
    """
    if dtype is not None:
        input = input.to(dtype)
    return autograd.softmax(input, dim=_dim(dim, input.ndim))


def log_softmax(input, dim=None, dtype=None):
    """log(softmax) along ``dim``, computed without overflow for large logits."""
    if dtype is not None:
        input = input.to(dtype)
    return autograd.log_softmax(input, dim=_dim(dim, input.ndim))


def hardtanh(input, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False):
    """x clamped to [min_val, max_val]."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) cannot be greater than max_val ({max_val})")
    return autograd.clamp(input, min_val, max_val)


def relu6(input, inplace: bool = False):
    """min(max(x, 0), 6)."""
    return autograd.clamp(input, 0.0, 6.0)
