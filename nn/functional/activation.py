"""Functional activations (``torch.nn.functional`` names and signatures) over autograd's ops.

``inplace=True`` writes the result into the input, as PyTorch's: the input's version counter is bumped (so a
node that saved the old value refuses to run backward), a leaf that requires grad is refused, and the input
itself is returned. The writes go through the Tensor in-place methods (``relu_``, ``silu_``, ``mul_``,
``copy_``), which record the op on the input's history.
"""
from __future__ import annotations

from typing import Optional

import autograd
from autograd.backend import array_module

__all__ = ["relu", "leaky_relu", "elu", "gelu", "silu", "sigmoid", "tanh", "softplus", "softmax", "log_softmax", "step",
           "relu6", "hardtanh", "logsigmoid", "softsign", "tanhshrink", "mish", "hardswish", "hardsigmoid", "selu",
           "celu", "prelu", "glu", "softmin", "threshold", "hardshrink", "softshrink"]

gelu = autograd.gelu
sigmoid = autograd.sigmoid
tanh = autograd.tanh
softplus = autograd.softplus
step = autograd.step


def _target(op, input):
    """The tensor an ``inplace=True`` call writes into, refused with the op's name where PyTorch refuses it."""
    if not isinstance(input, autograd.Tensor):
        raise TypeError(f"{op}(inplace=True): expected a Tensor to write into, got {type(input).__name__}")
    if input.requires_grad and input.grad_fn is None and autograd.is_grad_enabled():
        raise RuntimeError(f"{op}(inplace=True): a leaf Variable that requires grad (shape {tuple(input.shape)}) is "
                           f"being used in an in-place operation; use inplace=False, or work on a copy (x.clone())")
    return input


def _write(op, input, fn):
    """``input`` := ``fn(input)`` in place, for ops with no in-place method of their own.

    When the result will be differentiated, ``fn`` runs on a copy: the op may save its input for backward, and
    that must not be the memory ``copy_`` is about to overwrite."""
    x = _target(op, input)
    src = fn(x.clone() if x.requires_grad and autograd.is_grad_enabled() else x)
    return x.copy_(src)


def _number(op, name, v):
    if not isinstance(v, (int, float)) or isinstance(v, bool):
        raise TypeError(f"{op}: {name} must be a number, got {type(v).__name__} {v!r}")


def relu(input, inplace: bool = False):
    """max(x, 0); ``inplace=True`` writes it into ``input`` (and returns ``input``).

    >>> import autograd, nn
    >>> nn.functional.relu(autograd.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    >>> x = autograd.tensor([-1.0, 2.0]); nn.functional.relu(x, inplace=True) is x, x
    (True, tensor([0., 2.]))
    """
    if inplace:
        return _target("relu", input).relu_()
    return autograd.relu(input)


def leaky_relu(input, negative_slope: float = 0.01, inplace: bool = False):
    """x where x > 0, else ``negative_slope * x``."""
    _number("leaky_relu", "negative_slope", negative_slope)
    if inplace:
        x = _target("leaky_relu", input)
        d = x.array
        # one multiply by a constant factor: 1 where x > 0, the slope elsewhere (the gradient PyTorch gives, 0 included);
        # built by arithmetic on the comparison (exact: one term is always 0), NumPy's `where` is ~20x slower
        f = (d > 0).astype(d.dtype)
        f += (1 - f) * d.dtype.type(negative_slope)
        return x.mul_(f)
    return autograd.leaky_relu(input, negative_slope)


def elu(input, alpha: float = 1.0, inplace: bool = False):
    """x where x > 0, else ``alpha * (exp(x) - 1)``."""
    _number("elu", "alpha", alpha)
    if inplace:
        return _write("elu", input, lambda t: autograd.elu(t, alpha))
    return autograd.elu(input, alpha)


def silu(input, inplace: bool = False):
    """x * sigmoid(x) (also called swish)."""
    if inplace:
        return _target("silu", input).silu_()
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
    return autograd.softmax(input, dim=_dim(dim, getattr(input, "ndim", 0)))


def log_softmax(input, dim=None, dtype=None):
    """log(softmax) along ``dim``, computed without overflow for large logits."""
    if dtype is not None:
        input = input.to(dtype)
    return autograd.log_softmax(input, dim=_dim(dim, getattr(input, "ndim", 0)))


def _hardtanh(x, lo, hi):
    """clamp's values, but PyTorch's hardtanh gradient: 1 strictly inside (lo, hi), 0 at the bounds and outside
    (clamp passes it at the bounds: relu6'(0) would be 1 where relu'(0) is 0)."""
    x = x if isinstance(x, autograd.Tensor) else autograd.tensor(x)
    d = x.array
    xp = array_module(d)
    return autograd.where((d > lo) & (d < hi), x, xp.clip(d, lo, hi).astype(d.dtype, copy=False))


def hardtanh(input, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False):
    """x clamped to [min_val, max_val]; the gradient is 1 strictly inside, 0 at the bounds (PyTorch's).

    >>> import autograd, nn
    >>> x = autograd.tensor([-2.0, 0.5, 1.0], requires_grad=True)
    >>> nn.functional.hardtanh(x).sum().backward(); x.grad
    tensor([0., 1., 0.])
    """
    _number("hardtanh", "min_val", min_val)
    _number("hardtanh", "max_val", max_val)
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) cannot be greater than max_val ({max_val})")
    if inplace:
        return _write("hardtanh", input, lambda t: _hardtanh(t, min_val, max_val))
    return _hardtanh(input, min_val, max_val)


def relu6(input, inplace: bool = False):
    """min(max(x, 0), 6), with hardtanh's gradient (0 at 0 and 6, as PyTorch)."""
    if inplace:
        return _write("relu6", input, lambda t: _hardtanh(t, 0.0, 6.0))
    return _hardtanh(input, 0.0, 6.0)


# -- the activations added after the first set: each composed from autograd's ops (no new graph nodes) --

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
    return _hardtanh(x + 3.0, 0.0, 6.0) / 6.0  # hardtanh's gradient: 0 at the knees -3 and 3, as PyTorch


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
