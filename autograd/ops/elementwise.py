"""Elementwise functions and activations. Each rule is written in the ``F``
vocabulary, so it serves arrays, Python floats (Scalar) and, for higher-order
gradients, Tensors."""
from __future__ import annotations

import math

import numpy as _np  # NumPy's ufuncs bound once per row (CuPy's are looked up)

from ..backend import DEFAULTS, array_module, erf as _erf, keep_where
from ..buffers import add as _plus, buffers, mul as _times
from ..node import MATH_OPS, Node, Var
from ..tensor import Tensor as Tensor_  # `Tensor` would read as the public name here
from .cast import promoted
from .declare import op
from .labels import call
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






















def _sigmoid(x):
    xp = array_module(x)
    e = xp.exp(-xp.abs(x))  # split by sign so exp never overflows
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


class Relu(Node):
    """``max(x, 0)``; backward: ``g`` where the output is > 0, else 0."""

    __slots__ = ()
    save_output = True

    def forward(self, x):
        if isinstance(x, float):
            return x if x > 0 else 0.0
        if type(x) is _np.ndarray and x.nbytes >= _BIG:
            y = buffers.binary(_np.maximum, x, 0)  # a large result in a reused buffer
            if y is not None:
                return y
        return array_module(x).maximum(x, 0)

    def backward(self, g, xs, out, F):
        # the gradient passes unless the output is <= 0, so at NaN it passes, as PyTorch's threshold backward
        if F.graph or isinstance(out, float):
            return (F.where(out <= 0, 0.0, g),)
        if type(out) is _np.ndarray and out.nbytes >= _BIG and out.flags.c_contiguous:  # the mask, reused
            keep = buffers.empty(_np, out.shape, _np.bool_)
            _np.less_equal(out, 0, out=keep)
            _np.logical_not(keep, out=keep)
        else:
            keep = ~(out <= 0)
        return (keep_where(g, keep),)

def _fl(x):
    """A float (a Scalar's value, or a floating array) as is; an integer or bool array as the default float dtype,
    as PyTorch's float functions (sigmoid of int64 is float32, not float64 and not int)."""
    return x if type(x) is float or x.dtype.kind in "fc" else x.astype(DEFAULTS.float)


_pooled = buffers.unary  # a large result into a reused buffer (no fresh pages to fault in), else None
_BIG = buffers.min_bytes  # the inline test before the pool's calls (which check again): small arrays skip them


def _ufunc(name):
    """A row's forward: the array module's function ``name`` (``MATH_OPS``'s for a Scalar's float), integer and
    bool input computed in the default float dtype. Lookups are inlined: this runs once per recorded op."""
    host = getattr(_np, name)  # bound once: NumPy's function without a lookup per call
    scalar = getattr(MATH_OPS, name)  # and the Python-float one, for Scalars

    def forward(self, x):
        xp = _XP.get(type(x)) or _module(x)
        if xp is MATH_OPS:
            return scalar(x)
        if x.dtype.kind not in "fc":
            x = x.astype(DEFAULTS.float)
        if xp is not _np:
            return getattr(xp, name)(x)
        if x.nbytes >= _BIG:
            out = _pooled(host, x)
            if out is not None:
                return out
        return host(x)

    return forward


def _floating(op, x):
    """``x`` as a Var, refused (as PyTorch refuses) unless floating point: these activations have no integer form,
    and computing them on integers silently gave integer or float64 results."""
    x = x if isinstance(x, Var) else as_var(x)
    d = x.array
    if type(d) is not float and d.dtype.kind not in "fc":
        raise TypeError(f"{op}: not implemented for {d.dtype} tensors (shape {tuple(d.shape)}); convert the input "
                        f"to floating point first, e.g. x.float()")
    return x


def _unary(cls_name, name, forward, backward, saves, doc, scalar=False):
    """Declare a one-input elementwise op from its row: the Node class, the function, method and in-place method."""
    # the row's lambdas inherit no docstring from Node (inspect.getdoc finds no class for them): say what they are
    forward.__doc__ = f"The forward of ``{name}`` on raw data (arrays, or a Scalar's float): see Node.forward."
    backward.__doc__ = (f"The gradient of {name}: g times its derivative, the rule in this op's row of "
                        f"autograd/ops/elementwise.py (see Node.backward).")
    cls = type(cls_name, (Node,), {"__slots__": (), "__module__": __name__, "__doc__": doc, "op_name": name,
                                   "save_inputs": saves == "x", "save_output": saves == "y",
                                   "forward": forward, "backward": backward})

    def fn(x):
        return cls().apply1(x if isinstance(x, Var) else as_var(x))

    fn.__name__ = fn.__qualname__ = name
    fn.__module__ = __name__
    fn.__doc__ = doc
    op(node=cls, unary=True, inplace=(name + "_",), scalar=(name,) if scalar else ())(fn)
    globals()[cls_name], globals()[name] = cls, fn


# One row per op: forward on raw data (``_xp(x)`` is NumPy, CuPy, or ``math`` for a Scalar's float), backward
# in the F vocabulary (so the rule differentiates itself), and which value backward keeps: the input x or the
# output y. Integer inputs compute in the default float dtype (``_fl``).
for _row in (
    # class     name       forward                                              backward                                     keeps
    ("Exp",     "exp",     _ufunc("exp"),                                       lambda s, g, xs, y, F: (g * y,),              "y",
     "Elementwise e**x.", True),
    ("Log",     "log",     _ufunc("log"),                                       lambda s, g, xs, y, F: (g / xs[0],),          "x",
     "Elementwise natural logarithm (-inf at 0, NaN below).", True),
    ("Log1p",   "log1p",   _ufunc("log1p"),                                     lambda s, g, xs, y, F: (g / (1 + xs[0]),),    "x",
     "Elementwise log(1 + x), accurate near 0.", False),
    ("Expm1",   "expm1",   _ufunc("expm1"),                                     lambda s, g, xs, y, F: (g * (y + 1),),        "y",
     "Elementwise e**x - 1, accurate near 0.", False),
    ("Sqrt",    "sqrt",    _ufunc("sqrt"),                                      lambda s, g, xs, y, F: (g / (2 * y),),        "y",
     "Elementwise square root (NaN below 0).", False),
    ("Sin",     "sin",     _ufunc("sin"),                                       lambda s, g, xs, y, F: (g * F.cos(xs[0]),),   "x",
     "Elementwise sine.", False),
    ("Cos",     "cos",     _ufunc("cos"),                                       lambda s, g, xs, y, F: (-g * F.sin(xs[0]),),  "x",
     "Elementwise cosine.", False),
    ("Tan",     "tan",     _ufunc("tan"),                                       lambda s, g, xs, y, F: (g * (1 + y * y),),    "y",
     "Elementwise tangent.", False),
    # g - g*y*y: three array ops and no scalar broadcast, faster on small tensors than g * (1 - y*y)
    ("Tanh",    "tanh",    _ufunc("tanh"),                                      lambda s, g, xs, y, F: (g - g * y * y,),      "y",
     "Elementwise hyperbolic tangent.", True),
    ("Sigmoid", "sigmoid", lambda s, x: MATH_OPS.sigmoid(x) if type(x) is float else _sigmoid(_fl(x)),
                                                                                lambda s, g, xs, y, F: (g * y * (1 - y),),    "y",
     "Elementwise 1 / (1 + e**-x), computed without overflow.", True),
    ("Erf",     "erf",     lambda s, x: math.erf(x) if type(x) is float else _erf(_fl(x)),
                                                                                lambda s, g, xs, y, F: (g * (2 / math.sqrt(math.pi)) * F.exp(-(xs[0] * xs[0])),),
                                                                                                                              "x",
     "Elementwise Gauss error function.", False),
    ("Silu",    "silu",    lambda s, x: _fl(x) * _sigmoid(_fl(x)),              lambda s, g, xs, y, F: _silu_grad(g, xs[0], F), "x",
     "Elementwise x * sigmoid(x) (swish).", False),
    ("Square",  "square",  lambda s, x: _square(x),                             lambda s, g, xs, y, F: (g * (2 * xs[0]),),    "x",
     "Elementwise x * x. Integers stay integers (wrapping as PyTorch's), bool becomes int64, as PyTorch's.\n\n"
     ">>> import autograd\n>>> autograd.square(autograd.tensor([-2, 3]))\ntensor([4, 9])", False),
):
    _unary(*_row)


def _square(x):
    """x * x; bool as int64 first (PyTorch: ``square`` of bool is int64, NumPy would give bool)."""
    if type(x) is not float and x.dtype.kind == "b":
        x = x.astype("int64")
    return x * x


def _silu_grad(g, x, F):
    s = F.sigmoid(x)
    return (g * s * (1 + x * (1 - s)),)


@op(node=Relu, unary=True, inplace=("relu_",), scalar=("relu",))
def relu(x):
    """Elementwise max(x, 0); the gradient at 0 is 0, as PyTorch's."""
    return Relu().apply1(x if isinstance(x, Var) else as_var(x))



class LeakyRelu(Node):
    """``x`` where positive, ``slope * x`` elsewhere; backward: ``g`` or ``slope * g``."""

    __slots__ = ("slope",)
    label = "leaky_relu"

    def label_args(self) -> str:
        return call(f"{self.slope:g}")
    op_name = "leaky_relu"
    save_inputs = True

    def __init__(self, slope):
        self.slope = slope

    def forward(self, x):
        # max(x, a x) picks x where x > 0 exactly when a <= 1 (min when a > 1): one pass, where NumPy's `where`
        # is ~20x slower on float32
        xp = _xp(x)
        ax = x * self.slope
        pick = xp.maximum if self.slope <= 1 else xp.minimum
        return pick(x, ax, out=ax) if ax.ndim else pick(x, ax)  # 0-d: NumPy gave a scalar, no out=

    def backward(self, g, xs, out, F):
        x = xs[0]
        if F.graph:
            return (F.where(x > 0, g, g * self.slope),)
        # g * f with f = 1 where x > 0 and the slope elsewhere, from one comparison; exact, as one of the two
        # terms of f is always 0
        f = (x > 0).astype(g.dtype)
        h = 1 - f
        h *= self.slope
        f += h
        f *= g
        return (f,)


class Elu(Node):
    """``x`` where positive, ``alpha * (exp(x) - 1)`` elsewhere; backward: ``g`` or ``g * (out + alpha)``."""

    __slots__ = ("alpha",)
    label = "elu"

    def label_args(self) -> str:
        return call(f"{self.alpha:g}")
    save_inputs = True
    save_output = True

    def __init__(self, alpha):
        self.alpha = alpha

    def forward(self, x):
        xp = array_module(x)
        return xp.where(x > 0, x, self.alpha * xp.expm1(xp.minimum(x, 0)))

    def backward(self, g, xs, out, F):
        return (F.where(xs[0] <= 0, g * (out + self.alpha), g),)  # NaN takes the identity branch, as PyTorch


_SQRT1_2 = 1 / math.sqrt(2)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_K = math.sqrt(2 / math.pi)




class Gelu(Node):
    """``x * Phi(x)`` (or its tanh form); backward: ``g * (Phi(x) + x * phi(x))`` (the tanh form's derivative)."""

    # kept: the forward's Phi(x) (or, for the tanh form, its tanh), so a plain backward computes no erf/tanh again
    __slots__ = ("approximate", "kept")
    label = "gelu"

    def label_args(self) -> str:
        return call(repr(self.approximate)) if self.approximate != "none" else ""
    save_inputs = True

    def __init__(self, approximate):
        if approximate not in ("none", "tanh"):
            raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate
        self.kept = None

    def forward(self, x):
        xp = array_module(x)
        if x.ndim == 0 or x.dtype.kind != "f":  # no in-place steps on NumPy scalars or integers: the plain formula
            if self.approximate == "tanh":
                return 0.5 * x * (1 + xp.tanh(_K * (x + 0.044715 * x * x * x)))
            return 0.5 * x * (1 + _erf(x * _SQRT1_2))
        # every array below is a reused buffer when large (fresh ones page-fault in)
        if self.approximate == "tanh":
            u = _times(x, x)
            u *= 0.044715
            u += 1
            u *= x
            u *= _K
            t = self.kept = xp.tanh(u, out=u)  # tanh(K (x + 0.044715 x^3))
            y = _plus(t, 1)
            y *= x
        else:
            cdf = self.kept = _erf(_times(x, _SQRT1_2))
            cdf += 1  # 2 Phi(x)
            y = _times(cdf, x)
        y *= 0.5
        return y

    def backward(self, g, xs, out, F):
        x = xs[0]
        if F.graph or self.kept is None:  # differentiated again (create_graph): the rule in the vocabulary
            if self.approximate == "tanh":
                t = F.tanh(_K * (x + 0.044715 * x * x * x))
                dt = (1 - t * t) * _K * (1 + 3 * 0.044715 * x * x)
                return (g * (0.5 * (1 + t) + 0.5 * x * dt),)
            cdf = 0.5 * (1 + F.erf(x * _SQRT1_2))
            pdf = F.exp(-0.5 * x * x) * _INV_SQRT_2PI
            return (g * (cdf + x * pdf),)
        xp = array_module(x)
        if self.approximate == "tanh":
            t = self.kept
            d = _times(x, x)  # 0.5 (1 + t) + 0.5 x (1 - t^2) K (1 + 3 * 0.044715 x^2)
            d *= 3 * 0.044715
            d += 1
            d *= x
            d *= 0.5 * _K
            s = _times(t, t)
            xp.subtract(1, s, out=s)
            d *= s
            d += 0.5
            xp.multiply(t, 0.5, out=s)
            d += s
            d *= g
        else:
            d = _times(x, x)  # Phi(x) + x phi(x), Phi(x) kept as 2 Phi(x)
            d *= -0.5
            xp.exp(d, out=d)
            d *= x
            d *= _INV_SQRT_2PI
            d += _times(self.kept, 0.5)
            d *= g
        return (d,)




class Softplus(Node):
    """``log(1 + exp(beta x)) / beta``, linear above ``threshold``; backward: ``g * sigmoid(beta x)``."""

    __slots__ = ("beta", "threshold")
    label = "softplus"

    def label_args(self) -> str:
        return call(f"beta={self.beta:g}" if self.beta != 1 else "", f"threshold={self.threshold:g}" if self.threshold != 20 else "")
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
    """``x`` limited to ``[lo, hi]``; backward: ``g`` where ``x`` is inside (bounds included), else 0."""

    __slots__ = ("lo", "hi")
    label = "clamp"

    def label_args(self) -> str:
        return call("" if self.lo is None else f"min={self.lo:g}", "" if self.hi is None else f"max={self.hi:g}")
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
    """Elementwise maximum or minimum of two operands; backward: ``g`` to the winner, halved on ties."""

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
    """``maximum(a, b)``; backward: ``g`` to the larger operand, halved on ties."""

    __slots__ = ()
    pick = "maximum"


class Minimum(_MaxMin):
    """``minimum(a, b)``; backward: ``g`` to the smaller operand, halved on ties."""

    __slots__ = ()
    pick = "minimum"


class Where(Node):
    """``a`` where ``c``, else ``b``; backward: ``g`` masked by ``c`` to ``a``, by ``~c`` to ``b``, none to ``c``."""

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






@op()
def leaky_relu(x, negative_slope: float = 0.01):
    """``x`` where positive, ``negative_slope * x`` elsewhere."""
    return LeakyRelu(negative_slope).apply1(_floating("leaky_relu", x))


@op()
def elu(x, alpha: float = 1.0):
    """Exponential linear unit: ``x`` where positive, ``alpha * (exp(x) - 1)`` elsewhere (``torch.nn.functional.elu``).

    >>> import autograd
    >>> autograd.elu(autograd.tensor([-1.0, 2.0]))
    tensor([-0.6321,  2.0000])
    """
    return Elu(alpha).apply1(_floating("elu", x))


@op()
def gelu(x, approximate: str = "none"):
    """Gaussian error linear unit: ``x * Phi(x)`` (``approximate="tanh"`` for the tanh form)."""
    return Gelu(approximate).apply1(_floating("gelu", x))


@op()
def softplus(x, beta: float = 1.0, threshold: float = 20.0):
    """``log(1 + exp(beta x)) / beta``, computed without overflow."""
    return Softplus(beta, threshold).apply1(_floating("softplus", x))


@op(inplace=("clamp_",))
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
    if x.dtype.kind in "biu" and (isinstance(min, float) or isinstance(max, float)):
        x = Tensor_._wrap(x.array.astype(DEFAULTS.float), None)  # an integer tensor clamped by 0.5 is float32
    return Clamp(min, max).apply1(x)


@op(inplace=("clip_",))
def clip(x, a_min=None, a_max=None, *, min=None, max=None):  # noqa: A002
    """Alias of :func:`clamp` (``torch.clip``), also taking NumPy's ``a_min``/``a_max``.

    >>> import autograd
    >>> autograd.tensor([-2.0, 0.5, 3.0]).clip(-1, 2)
    tensor([-1.0000,  0.5000,  2.0000])
    """
    return clamp(x, a_min if min is None else min, a_max if max is None else max)


@op()
def maximum(a, b):
    """Elementwise maximum; on ties the gradient is split evenly."""
    if not isinstance(a, Var) and not isinstance(b, Var):
        a = as_var(a)
    return Maximum().apply2(a, b)


@op()
def minimum(a, b):
    """Elementwise minimum with broadcasting (``torch.minimum``); on ties the gradient is split evenly.

    >>> import autograd
    >>> autograd.tensor([1.0, 5.0]).minimum(autograd.tensor([3.0, 2.0]))
    tensor([1., 2.])
    """
    if not isinstance(a, Var) and not isinstance(b, Var):
        a = as_var(a)
    return Minimum().apply2(a, b)


@op(self_arg=1)
def where(condition, input, other):  # noqa: A002 - PyTorch's argument names
    """``input`` where ``condition`` holds, else ``other``; no gradient flows to the condition. Mixed dtypes
    promote as PyTorch's (``where(c, int64, float32)`` is float32). The method ``x.where(condition, other)`` is
    ``where(condition, x, other)``, as PyTorch's.

    >>> import autograd
    >>> x = autograd.tensor([1.0, -2.0, 3.0])
    >>> autograd.where(x > 0, x, 0.0)
    tensor([1., 0., 3.])
    >>> x.where(x > 0, autograd.zeros(3))
    tensor([1., 0., 3.])
    """
    c = condition.array if isinstance(condition, Var) else condition
    a, b = input, other
    if not isinstance(a, Var) and not isinstance(b, Var):
        a = as_var(a)
    if isinstance(c, (bool, list, tuple)):
        c = Tensor_(c).array
    a, b = promoted(a, b)
    return Where().applyn(c, a, b)
