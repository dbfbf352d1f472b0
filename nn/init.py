"""nn.init: initialisers that fill a tensor in place without recording a graph (``torch.nn.init``).

Random draws come from autograd's generator for the tensor's array module, so
``autograd.manual_seed`` makes a model's initial weights repeat exactly.

>>> import autograd, nn
>>> w = autograd.empty(3, 4)
>>> _ = nn.init.constant_(w, 0.5); float(w.sum())
6.0
"""
from __future__ import annotations

import math

from autograd.backend import array_module, erf as _erf, normal as _normal
from autograd.random import generator as _generator
from autograd.versions import bump

__all__ = ["calculate_gain", "uniform_", "normal_", "constant_", "zeros_", "ones_", "eye_", "dirac_",
           "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "trunc_normal_",
           "orthogonal_"]


def _fill(tensor, values):
    """Write ``values`` into ``tensor`` in place (no graph; bumps its version like any in-place write)."""
    d = tensor.array
    d[...] = values.astype(d.dtype, copy=False) if hasattr(values, "astype") else values
    bump(tensor)
    return tensor


def _rng(tensor, generator=None):
    return generator if generator is not None else _generator(array_module(tensor.array))


def calculate_gain(nonlinearity: str, param=None) -> float:
    """The recommended gain for an activation (PyTorch's table).

    >>> import nn
    >>> round(nn.init.calculate_gain("relu"), 4), round(nn.init.calculate_gain("leaky_relu", 0.2), 4)
    (1.4142, 1.3868)
    """
    linear = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
              "conv_transpose3d", "sigmoid")
    if nonlinearity in linear:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"calculate_gain: negative_slope {param} is not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def _calculate_fan_in_and_fan_out(tensor):
    shape = tuple(tensor.shape)
    if len(shape) < 2:
        raise ValueError(f"fan in and fan out can not be computed for a tensor of shape {shape} (fewer than 2 dims)")
    receptive = math.prod(shape[2:]) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def _fan(tensor, mode):
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode {mode!r} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor, a: float = 0.0, b: float = 1.0, generator=None):
    """Fill with samples from U(a, b)."""
    return _fill(tensor, _rng(tensor, generator).uniform(a, b, tuple(tensor.shape)))


def normal_(tensor, mean: float = 0.0, std: float = 1.0, generator=None):
    """Fill with samples from N(mean, std²)."""
    return _fill(tensor, _normal(_rng(tensor, generator), mean, std, tuple(tensor.shape)))


def _erfinv(y):
    """Inverse error function of an array in (-1, 1): Giles' approximation, then two Newton steps on erf."""
    xp = array_module(y)
    w = -xp.log((1.0 - y) * (1.0 + y))
    central = w < 5.0
    wc = w - 2.5
    p = 2.81022636e-08
    for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503, -0.00417768164,
              0.246640727, 1.50140941):
        p = c + p * wc
    wt = xp.sqrt(w) - 3.0
    q = -0.000200214257
    for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047,
              1.00167406, 2.83297682):
        q = c + q * wt
    x = xp.where(central, p, q) * y
    for _ in range(2):  # each step roughly doubles the correct digits of the float32-grade start
        x = x - (_erf(x) - y) / (2.0 / math.sqrt(math.pi) * xp.exp(-x * x))
    return x


def trunc_normal_(tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0, generator=None):
    """Fill with N(mean, std²) conditioned on [a, b] (``a`` and ``b`` are values, not multiples of ``std``).

    Inverse-CDF sampling, as PyTorch does: uniform draws between the normal CDF at ``a`` and at
    ``b``, mapped back through the inverse CDF, so an interval deep in a tail costs no rejections.

    >>> import autograd, nn
    >>> w = nn.init.trunc_normal_(autograd.empty(1000), std=1.0, a=-0.5, b=0.5)
    >>> bool((w.abs() <= 0.5).all())
    True
    """
    if not a < b:
        raise ValueError(f"trunc_normal_: the interval [a, b] must have a < b, got a={a}, b={b}")
    if not std > 0:
        raise ValueError(f"trunc_normal_: std must be positive, got {std}")
    xp = array_module(tensor.array)

    def cdf2(v):  # 2 * Phi(z) - 1 = erf(z / sqrt 2) at the standardised v
        return math.erf((v - mean) / (std * math.sqrt(2.0)))

    lo, hi = cdf2(a), cdf2(b)
    u = _rng(tensor, generator).uniform(lo, hi, tuple(tensor.shape))
    tiny = float(xp.finfo(xp.float64).eps)
    u = xp.clip(u, -1.0 + tiny, 1.0 - tiny)  # erfinv(+-1) is infinite; the clip below restores the bounds
    out = _erfinv(u) * (std * math.sqrt(2.0)) + mean
    return _fill(tensor, xp.clip(out, a, b))


def constant_(tensor, val: float):
    """Fill ``tensor`` with ``val``, in place, without recording a gradient; returns ``tensor``.

     >>> import autograd, nn
     >>> nn.init.constant_(autograd.empty(2), 0.5)
     tensor([0.5000, 0.5000])
    """
    return _fill(tensor, val)


def zeros_(tensor):
    """Fill ``tensor`` with zeros, in place, without recording a gradient; returns ``tensor``."""
    return _fill(tensor, 0)


def ones_(tensor):
    """Fill ``tensor`` with ones, in place, without recording a gradient; returns ``tensor``."""
    return _fill(tensor, 1)


def eye_(tensor):
    """The identity matrix (2-D tensors only)."""
    if tensor.ndim != 2:
        raise ValueError(f"eye_: only 2-D tensors are supported, got shape {tuple(tensor.shape)}")
    xp = array_module(tensor.array)
    return _fill(tensor, xp.eye(*tensor.shape))


def dirac_(tensor, groups: int = 1):
    """The Dirac delta for convolution weights (3 to 5 dims): the layer passes its input through."""
    if tensor.ndim not in (3, 4, 5):
        raise ValueError(f"dirac_: only 3, 4 or 5-D tensors are supported, got shape {tuple(tensor.shape)}")
    xp = array_module(tensor.array)
    shape = tuple(tensor.shape)
    if shape[0] % groups:
        raise ValueError(f"dirac_: dim 0 ({shape[0]}) must be divisible by groups ({groups})")
    out = xp.zeros(shape)
    per = shape[0] // groups
    centre = tuple(s // 2 for s in shape[2:])
    for g in range(groups):
        for d in range(min(per, shape[1])):
            out[(g * per + d, d) + centre] = 1
    return _fill(tensor, out)


def xavier_uniform_(tensor, gain: float = 1.0, generator=None):
    """Glorot uniform: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor, gain: float = 1.0, generator=None):
    """Glorot normal: N(0, std²) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def kaiming_uniform_(tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", generator=None):
    """He uniform: U(-b, b) with b = gain * sqrt(3 / fan)."""
    if 0 in tuple(tensor.shape):
        return tensor
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / _fan(tensor, mode))
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", generator=None):
    """He normal: N(0, std²) with std = gain / sqrt(fan)."""
    if 0 in tuple(tensor.shape):
        return tensor
    return normal_(tensor, 0.0, calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode)), generator)


def orthogonal_(tensor, gain: float = 1.0, generator=None):
    """A (semi-)orthogonal matrix from the QR decomposition of a Gaussian one, times ``gain``."""
    if tensor.ndim < 2:
        raise ValueError(f"orthogonal_: only tensors with 2 or more dimensions are supported, got {tuple(tensor.shape)}")
    if tensor.numel() == 0:
        return tensor
    xp = array_module(tensor.array)
    rows = tensor.shape[0]
    cols = tensor.size // rows
    flat = _normal(_rng(tensor, generator), 0.0, 1.0, (rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = xp.linalg.qr(flat)
    q = q * xp.sign(xp.diagonal(r))  # makes the decomposition unique, so the result is uniformly distributed
    if rows < cols:
        q = q.T
    return _fill(tensor, gain * q.reshape(tuple(tensor.shape)))


def _default_reset_(weight, bias=None) -> None:
    """PyTorch's default for Linear and Conv layers: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias.

    (``kaiming_uniform_`` with ``a=sqrt(5)`` is exactly that bound for the weight.)
    """
    kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = _calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        uniform_(bias, -bound, bound)

from autograd import compat as _compat  # noqa: E402
__getattr__ = _compat.module_getattr("torch.nn.init", __name__)  # a PyTorch name denpa lacks: say so
