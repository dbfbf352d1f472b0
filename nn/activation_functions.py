"""Functional forms of the activations added after the first set, composed from autograd's ops (no new graph
nodes): each one's gradient is that of its composition, which matches PyTorch's away from the kinks.

``torch.nn.functional`` names and signatures; ``inplace=True`` writes the result into the input and returns it,
as the first set's (through the same helper, so the same refusals and version bumps).

>>> import autograd
>>> from nn.activation_functions import hardswish, mish
>>> hardswish(autograd.tensor([-4.0, 0.0, 1.0, 4.0]))
tensor([-0.0000,  0.0000,  0.6667,  4.0000])
"""
from __future__ import annotations

from typing import Optional

import autograd

from .functional.activation import _write, softmax

__all__ = ["logsigmoid", "softsign", "tanhshrink", "mish", "hardswish", "hardsigmoid", "selu", "celu", "prelu", "glu",
           "softmin", "threshold", "hardshrink", "softshrink"]

#: SELU's constants (Klambauer et al., 2017), to PyTorch's precision
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def logsigmoid(input):
    """log(sigmoid(x)) = -softplus(-x), never overflowing (no linear threshold, so exact for every x)."""
    return -autograd.softplus(-input, 1.0, float("inf"))


def softsign(input):
    """x / (1 + |x|)."""
    return input / (autograd.abs(input) + 1.0)


def tanhshrink(input):
    """x - tanh(x)."""
    return input - autograd.tanh(input)


def _maybe_inplace(op, input, fn, inplace):
    return _write(op, input, fn) if inplace else fn(input)


def mish(input, inplace: bool = False):
    """x * tanh(softplus(x))."""
    return _maybe_inplace("mish", input, lambda x: x * autograd.tanh(autograd.softplus(x)), inplace)


def _hardsigmoid(x):
    return autograd.clamp(x + 3.0, 0.0, 6.0) / 6.0


def hardsigmoid(input, inplace: bool = False):
    """relu6(x + 3) / 6: 0 below -3, 1 above 3, linear between."""
    return _maybe_inplace("hardsigmoid", input, _hardsigmoid, inplace)


def hardswish(input, inplace: bool = False):
    """x * relu6(x + 3) / 6."""
    return _maybe_inplace("hardswish", input, lambda x: x * _hardsigmoid(x), inplace)


def selu(input, inplace: bool = False):
    """scale * elu(x, alpha) with SELU's constants."""
    return _maybe_inplace("selu", input, lambda x: autograd.elu(x, SELU_ALPHA) * SELU_SCALE, inplace)


def _celu(x, alpha):
    # clamp keeps exp away from the positive side, whose overflow would put inf * 0 = NaN into the gradient
    neg = autograd.expm1(autograd.clamp(x, max=0.0) / alpha) * alpha
    return autograd.where(x > 0, x, neg)


def celu(input, alpha: float = 1.0, inplace: bool = False):
    """x where x > 0, else ``alpha * (exp(x / alpha) - 1)``."""
    if alpha == 0:
        raise ValueError("celu: alpha must not be 0 (it divides x)")
    return _maybe_inplace("celu", input, lambda x: _celu(x, alpha), inplace)


def prelu(input, weight):
    """x where x > 0, else ``weight * x``; ``weight`` has one entry or one per channel (dim 1 of ``input``)."""
    n = weight.numel()
    if n != 1:
        if input.ndim < 2 or input.shape[1] != n:
            channels = input.shape[1] if input.ndim >= 2 else 1
            raise ValueError(f"prelu: weight has {n} entries but the input of shape {tuple(input.shape)} has "
                             f"{channels} channel(s) (dim 1); give one weight or one per channel")
        weight = weight.reshape((n,) + (1,) * (input.ndim - 2))
    return autograd.where(input > 0, input, input * weight)


def glu(input, dim: int = -1):
    """a * sigmoid(b), where a and b are the halves of ``input`` along ``dim``."""
    if input.ndim == 0:
        raise ValueError("glu: it does not support scalars (0-d tensors); give an input with a dimension to halve")
    size = input.shape[dim]
    if size % 2:
        raise ValueError(f"glu: halving dimension must be even, but dimension {dim} of the input of shape "
                         f"{tuple(input.shape)} has size {size}")
    a, b = autograd.chunk(input, 2, dim)
    return a * autograd.sigmoid(b)


def softmin(input, dim: Optional[int] = None, dtype=None):
    """softmax(-x) along ``dim``."""
    return softmax(-input, dim, dtype)


def threshold(input, threshold: float, value: float, inplace: bool = False):  # noqa: A002 - PyTorch's names
    """x where x > ``threshold``, else ``value``."""
    return _maybe_inplace("threshold", input, lambda x: autograd.where(x > threshold, x, value), inplace)


def hardshrink(input, lambd: float = 0.5):
    """x where |x| > ``lambd``, else 0."""
    return autograd.where(autograd.abs(input) > lambd, input, 0.0)


def softshrink(input, lambd: float = 0.5):
    """x - lambd above ``lambd``, x + lambd below ``-lambd``, else 0."""
    if lambd < 0:
        raise ValueError(f"softshrink: lambd must be non-negative, got {lambd}")
    return autograd.where(input > lambd, input - lambd, autograd.where(input < -lambd, input + lambd, 0.0))
