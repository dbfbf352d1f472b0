"""Functional activations (``torch.nn.functional`` names): autograd's ops, under the names users look for."""
from __future__ import annotations

import autograd

__all__ = ["relu", "leaky_relu", "elu", "gelu", "silu", "sigmoid", "tanh", "softplus", "softmax", "log_softmax",
           "step", "relu6", "hardtanh"]

relu = autograd.relu
leaky_relu = autograd.leaky_relu
elu = autograd.elu
gelu = autograd.gelu
silu = autograd.silu
sigmoid = autograd.sigmoid
tanh = autograd.tanh
softplus = autograd.softplus
step = autograd.step


def _dim(op, dim, ndim):
    if dim is None:  # PyTorch's legacy choice for an omitted dim
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
    return autograd.softmax(input, dim=_dim("softmax", dim, input.ndim))


def log_softmax(input, dim=None, dtype=None):
    """log(softmax) along ``dim``, computed without overflow for large logits."""
    if dtype is not None:
        input = input.to(dtype)
    return autograd.log_softmax(input, dim=_dim("log_softmax", dim, input.ndim))


def hardtanh(input, min_val: float = -1.0, max_val: float = 1.0):
    return autograd.clamp(input, min_val, max_val)


def relu6(input):
    return autograd.clamp(input, 0.0, 6.0)
