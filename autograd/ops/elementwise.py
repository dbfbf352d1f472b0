"""Elementwise functions and activations. Each rule is written in the ``F``
vocabulary, so it serves arrays, Python floats (Scalar) and, for higher-order
gradients, Tensors."""
from __future__ import annotations

import math

from ..backend import array_module, erf as _erf, keep_where
from ..node import MATH_OPS, Node, Var
from .util import as_var


_XP = {float: MATH_OPS}


def _shape(a):
    return tuple(getattr(a, "shape", ()))


def _module(x):
    m = array_module(x)
    _XP[type(x)] = m
    return m


def _xp(x):
    """The array module for arrays, ``math`` (via MATH_OPS) for a Scalar's float."""
    return _XP.get(type(x)) or _module(x)


class Exp(Node):
    __slots__ = ()
    save_output = True

    def forward(self, x):
        return (_XP.get(type(x)) or _module(x)).exp(x)

    def backward(self, g, xs, out, F):
        return (g * out,)


class Log(Node):
    __slots__ = ()
    save_inputs = True

    def forward(self, x):
        return (_XP.get(type(x)) or _module(x)).log(x)

    def backward(self, g, xs, out, F):
        return (g / xs[0],)


class Log1p(Node):
    __slots__ = ()
    save_inputs = True

    def forward(self, x):
        return array_module(x).log1p(x)

    def backward(self, g, xs, out, F):
        return (g / (1 + xs[0]),)


class Expm1(Node):
    __slots__ = ()
    save_output = True

    def forward(self, x):
        return array_module(x).expm1(x)

    def backward(self, g, xs, out, F):
        return (g * (out + 1),)


class Sqrt(Node):
    __slots__ = ()
    save_output = True

    def forward(self, x):
        return (_XP.get(type(x)) or _module(x)).sqrt(x)

    def backward(self, g, xs, out, F):
        return (g / (2 * out),)


class Sin(Node):
    __slots__ = ()
    save_inputs = True

    def forward(self, x):
        return (_XP.get(type(x)) or _module(x)).sin(x)

    def backward(self, g, xs, out, F):
        return (g * F.cos(xs[0]),)


class Cos(Node):
    __slots__ = ()
    save_inputs = True

    def forward(self, x):
        return (_XP.get(type(x)) or _module(x)).cos(x)

    def backward(self, g, xs, out, F):
        return (-g * F.sin(xs[0]),)


class Tan(Node):
    __slots__ = ()
    save_output = True

    def forward(self, x):
        return array_module(x).tan(x)

    def backward(self, g, xs, out, F):
        return (g * (1 + out * out),)


class Tanh(Node):
    __slots__ = ()
    save_output = True

    def forward(self, x):
        return (_XP.get(type(x)) or _module(x)).tanh(x)

    def backward(self, g, xs, out, F):
        go = g * out  # g - g*y*y: three array ops, no scalar broadcast (faster on small tensors)
        return (g - go * out,)


class Sigmoid(Node):
    __slots__ = ()
    save_output = True

    def forward(self, x):
        return MATH_OPS.sigmoid(x) if isinstance(x, float) else _sigmoid(x)

    def backward(self, g, xs, out, F):
        return (g * out * (1 - out),)


def _sigmoid(x):
    xp = array_module(x)
    e = xp.exp(-xp.abs(x))  # split by sign so exp never overflows
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


class Relu(Node):
    __slots__ = ()
    save_output = True

    def forward(self, x):
        if isinstance(x, float):
            return x if x > 0 else 0.0
        return array_module(x).maximum(x, 0)

    def backward(self, g, xs, out, F):
        if F.graph or isinstance(out, float):
            return (F.where(out > 0, g, 0.0),)
        return (keep_where(g, out > 0),)


class LeakyRelu(Node):
    __slots__ = ("slope",)
    op_name = "leaky_relu"
    save_inputs = True

    def __init__(self, slope):
        self.slope = slope

    def forward(self, x):
        return _xp(x).where(x > 0, x, x * self.slope)

    def backward(self, g, xs, out, F):
        return (F.where(xs[0] > 0, g, g * self.slope),)


class Elu(Node):
    __slots__ = ("alpha",)
    save_inputs = True
    save_output = True

    def __init__(self, alpha):
        self.alpha = alpha

    def forward(self, x):
        xp = array_module(x)
        return xp.where(x > 0, x, self.alpha * xp.expm1(xp.minimum(x, 0)))

    def backward(self, g, xs, out, F):
        return (F.where(xs[0] > 0, g, g * (out + self.alpha)),)


_SQRT1_2 = 1 / math.sqrt(2)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_K = math.sqrt(2 / math.pi)


class Erf(Node):
    __slots__ = ()
    save_inputs = True

    def forward(self, x):
        return math.erf(x) if isinstance(x, float) else _erf(x)

    def backward(self, g, xs, out, F):
        x = xs[0]
        return (g * (2 / math.sqrt(math.pi)) * F.exp(-(x * x)),)


class Gelu(Node):
    __slots__ = ("approximate",)
    save_inputs = True

    def __init__(self, approximate):
        if approximate not in ("none", "tanh"):
            raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x):
        xp = array_module(x)
        if self.approximate == "tanh":
            return 0.5 * x * (1 + xp.tanh(_K * (x + 0.044715 * x * x * x)))
        return 0.5 * x * (1 + _erf(x * _SQRT1_2))

    def backward(self, g, xs, out, F):
        x = xs[0]
        if self.approximate == "tanh":
            t = F.tanh(_K * (x + 0.044715 * x * x * x))
            dt = (1 - t * t) * _K * (1 + 3 * 0.044715 * x * x)
            return (g * (0.5 * (1 + t) + 0.5 * x * dt),)
        cdf = 0.5 * (1 + F.erf(x * _SQRT1_2))
        pdf = F.exp(-0.5 * x * x) * _INV_SQRT_2PI
        return (g * (cdf + x * pdf),)


class Silu(Node):
    __slots__ = ()
    save_inputs = True

    def forward(self, x):
        return x * _sigmoid(x)

    def backward(self, g, xs, out, F):
        x = xs[0]
        s = F.sigmoid(x)
        return (g * s * (1 + x * (1 - s)),)


class Softplus(Node):
    __slots__ = ("beta", "threshold")
    save_inputs = True

    def __init__(self, beta, threshold):
        self.beta, self.threshold = beta, threshold

    def forward(self, x):
        xp = array_module(x)
        bx = x * self.beta
        # log(1 + e^bx) = max(bx, 0) + log1p(e^-|bx|): never overflows; linear above the threshold as PyTorch
        soft = (xp.maximum(bx, 0) + xp.log1p(xp.exp(-xp.abs(bx)))) / self.beta
        return xp.where(bx > self.threshold, x, soft).astype(x.dtype, copy=False)

    def backward(self, g, xs, out, F):
        bx = xs[0] * self.beta
        return (F.where(bx > self.threshold, g, g * F.sigmoid(bx)),)


class Clamp(Node):
    __slots__ = ("lo", "hi")
    op_name = "clamp"
    save_inputs = True

    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    def forward(self, x):
        return array_module(x).clip(x, self.lo, self.hi)

    def backward(self, g, xs, out, F):
        x = xs[0]
        keep = True
        if self.lo is not None:
            keep = x >= self.lo
        if self.hi is not None:
            keep = (x <= self.hi) if keep is True else keep & (x <= self.hi)
        return (F.where(keep, g, 0.0),)


class _MaxMin(Node):
    __slots__ = ()
    save_inputs = True
    pick = None

    def forward(self, a, b):
        try:
            return getattr(array_module(a if not isinstance(a, (int, float)) else b), self.pick)(a, b)
        except ValueError:
            raise ValueError(f"{self.pick}: operands of shapes {_shape(a)} and {_shape(b)} cannot be broadcast together") from None

    def backward(self, g, xs, out, F):
        a, b = xs
        pa, pb = self.parents
        # ties split the gradient evenly, as PyTorch does
        wins = (a > b) if self.pick == "maximum" else (a < b)
        tie = a == b
        ga = F.where(wins, g, F.where(tie, g * 0.5, 0.0))
        gb = F.where(wins, 0.0, F.where(tie, g * 0.5, g))
        return (F.unbroadcast(ga, F.shape(a)) if pa is not None else None,
                F.unbroadcast(gb, F.shape(b)) if pb is not None else None)


class Maximum(_MaxMin):
    __slots__ = ()
    pick = "maximum"


class Minimum(_MaxMin):
    __slots__ = ()
    pick = "minimum"


class Where(Node):
    __slots__ = ("shapes",)
    save_inputs = True

    def forward(self, c, a, b):
        self.shapes = (_shape(a), _shape(b))
        try:
            return array_module(c).where(c, a, b)
        except ValueError:
            raise ValueError(f"where: condition of shape {_shape(c)} and operands of shapes {self.shapes[0]} and "
                             f"{self.shapes[1]} cannot be broadcast together") from None

    def backward(self, g, xs, out, F):
        c = xs[0]
        _, pa, pb = self.parents
        sa, sb = self.shapes
        return (None,
                F.unbroadcast(F.where(c, g, 0.0), sa) if pa is not None else None,
                F.unbroadcast(F.where(c, 0.0, g), sb) if pb is not None else None)


def _unary(cls):
    def fn(x):
        return cls().apply1(x if isinstance(x, Var) else as_var(x))

    return fn


exp = _unary(Exp)
log = _unary(Log)
log1p = _unary(Log1p)
expm1 = _unary(Expm1)
sqrt = _unary(Sqrt)
sin = _unary(Sin)
cos = _unary(Cos)
tan = _unary(Tan)
tanh = _unary(Tanh)
sigmoid = _unary(Sigmoid)
relu = _unary(Relu)
silu = _unary(Silu)
erf = _unary(Erf)
for _f, _n in ((exp, "exp"), (log, "log"), (log1p, "log1p"), (expm1, "expm1"), (sqrt, "sqrt"), (sin, "sin"),
               (cos, "cos"), (tan, "tan"), (tanh, "tanh"), (sigmoid, "sigmoid"), (relu, "relu"), (silu, "silu"), (erf, "erf")):
    _f.__name__ = _f.__qualname__ = _n
    _f.__doc__ = f"Elementwise {_n}, differentiable."


def leaky_relu(x, negative_slope: float = 0.01):
    """``x`` where positive, ``negative_slope * x`` elsewhere."""
    return LeakyRelu(negative_slope).apply1(as_var(x))


def elu(x, alpha: float = 1.0):
    return Elu(alpha).apply1(as_var(x))


def gelu(x, approximate: str = "none"):
    """Gaussian error linear unit: ``x * Phi(x)`` (``approximate="tanh"`` for the tanh form)."""
    return Gelu(approximate).apply1(as_var(x))


def softplus(x, beta: float = 1.0, threshold: float = 20.0):
    """``log(1 + exp(beta x)) / beta``, computed without overflow."""
    return Softplus(beta, threshold).apply1(as_var(x))


def clamp(x, min=None, max=None):  # noqa: A002 - PyTorch's argument names
    """Limit values to ``[min, max]``; the gradient passes where ``x`` is inside (bounds included)."""
    x = as_var(x)
    if isinstance(min, Var) or isinstance(max, Var):
        out = x
        if min is not None:
            out = maximum(out, min)
        if max is not None:
            out = minimum(out, max)
        return out
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    return Clamp(min, max).apply1(x)


def clip(x, a_min=None, a_max=None, *, min=None, max=None):  # noqa: A002
    return clamp(x, a_min if min is None else min, a_max if max is None else max)


def maximum(a, b):
    """Elementwise maximum; on ties the gradient is split evenly."""
    if not isinstance(a, Var) and not isinstance(b, Var):
        a = as_var(a)
    return Maximum().apply2(a, b)


def minimum(a, b):
    if not isinstance(a, Var) and not isinstance(b, Var):
        a = as_var(a)
    return Minimum().apply2(a, b)


def where(condition, a, b):
    """``a`` where ``condition`` holds, else ``b``; no gradient flows to the condition."""
    from ..tensor import Tensor

    c = condition.array if isinstance(condition, Var) else condition
    if not isinstance(a, Var) and not isinstance(b, Var):
        a = as_var(a)
    if isinstance(c, (bool, list, tuple)):
        c = Tensor(c).array
    return Where().applyn(c, a, b)
