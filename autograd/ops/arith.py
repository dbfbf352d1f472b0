"""Arithmetic: + - * / ** and friends. Forward and backward side by side."""
from __future__ import annotations

import builtins as _b
import math as _math
import operator as _operator

import numpy as _np  # dtype constants only

from ..backend import DEFAULTS, array_module
from ..buffers import buffers, mul as _mul
from ..node import Node, Var, wrap_int

_INT = _np.dtype("int64")
from ..promotion import promote
from .declare import op
from .util import as_var, first_var, nograd

_F64 = _np.dtype("float64")  # NumPy's integer true division result


def _shape(a):
    return () if type(a) is float or type(a) is int else getattr(a, "shape", ())


_NUMBER = (float, int, bool, complex)
_pooled = buffers.binary  # a large result into a reused buffer (no fresh pages to fault in), else None
_ND = _np.ndarray
_BIG = buffers.min_bytes  # the inline test before _pooled (which checks again): small operands skip the call


def _bshapes(a, b):
    """The operands' shapes when broadcasting happened (backward must sum back), else None."""
    if type(a) in _NUMBER or type(b) in _NUMBER:
        return None  # a Python number never receives a gradient; the array operand keeps its shape
    sa, sb = a.shape, b.shape
    return None if sa == sb else (sa, sb)


def _binary_error(op, a, b, err):
    """The error for binary op ``op`` failing on raw operands ``a``, ``b`` with NumPy's ``err``."""
    for v in (a, b):
        kind = getattr(getattr(v, "dtype", None), "kind", "f")
        if kind not in "biufc":  # a str, bytes or object operand, turned into an array by the operator
            return TypeError(f"{op}: unsupported operand of {v.dtype} data {str(v)[:40]!r} (shapes {_shape(a)} and "
                             f"{_shape(b)}); the operands must be tensors or numbers")
    if "negative integer powers" in str(err):
        return RuntimeError(f"pow: integers to negative integer powers are not allowed (a {getattr(a, 'dtype', 'int')} "
                            f"base of shape {_shape(a)}, exponent {b if _shape(b) == () else 'of shape ' + str(_shape(b))}); "
                            f"convert the base first: x.float() ** {b if _shape(b) == () else 'e'}")
    if isinstance(err, TypeError):
        return TypeError(f"{op}: {err} (operands of shapes {_shape(a)} and {_shape(b)})")
    return ValueError(f"{op}: operands of shapes {_shape(a)} and {_shape(b)} cannot be broadcast together ({err})")


class Add(Node):
    """``a + b`` with broadcasting; backward: ``g`` to each input, summed back over broadcast axes."""

    __slots__ = ("shapes",)
    op_name = "add"

    def forward(self, a, b):
        self.shapes = _bshapes(a, b)
        if (type(a) is _ND and a.nbytes >= _BIG) or (type(b) is _ND and b.nbytes >= _BIG):
            out = _pooled(_np.add, a, b)
            if out is not None:
                return out
        try:
            return a + b
        except (ValueError, TypeError) as e:
            raise _binary_error("add", a, b, e) from None

    def backward(self, g, xs, out, F):
        if self.shapes is None:
            return g, g
        pa, pb = self.parents
        sa, sb = self.shapes
        return (F.unbroadcast(g, sa) if pa is not None else None, F.unbroadcast(g, sb) if pb is not None else None)


class Sub(Node):
    """``a - b`` with broadcasting; backward: ``g`` and ``-g``, summed back over broadcast axes."""

    __slots__ = ("shapes",)
    op_name = "sub"

    def forward(self, a, b):
        self.shapes = _bshapes(a, b)
        if (type(a) is _ND and a.nbytes >= _BIG) or (type(b) is _ND and b.nbytes >= _BIG):
            out = _pooled(_np.subtract, a, b)
            if out is not None:
                return out
        try:
            return a - b
        except (ValueError, TypeError) as e:
            raise _binary_error("sub", a, b, e) from None

    def backward(self, g, xs, out, F):
        if self.shapes is None:
            return g, -g
        pa, pb = self.parents
        sa, sb = self.shapes
        return (F.unbroadcast(g, sa) if pa is not None else None, F.unbroadcast(-g, sb) if pb is not None else None)


class Mul(Node):
    """``a * b`` with broadcasting; backward: ``g * b`` and ``g * a``, summed back over broadcast axes."""

    __slots__ = ("shapes",)
    op_name = "mul"
    save_inputs = True
    cross_save = True  # x * c keeps only c, as PyTorch: x may then change in place

    def forward(self, a, b):
        self.shapes = _bshapes(a, b)
        if (type(a) is _ND and a.nbytes >= _BIG) or (type(b) is _ND and b.nbytes >= _BIG):
            out = _pooled(_np.multiply, a, b)
            if out is not None:
                return out
        try:
            return a * b
        except (ValueError, TypeError) as e:
            raise _binary_error("mul", a, b, e) from None

    def backward(self, g, xs, out, F):
        a, b = xs
        pa, pb = self.parents
        if F.graph or type(g) is not _ND or g.nbytes < _BIG:
            gb, ga = (g * b if pa is not None else None), (g * a if pb is not None else None)
        else:  # large gradients into reused buffers
            gb = (_mul(g, b) if pa is not None else None)
            ga = (_mul(g, a) if pb is not None else None)
        if self.shapes is None:
            return gb, ga
        sa, sb = self.shapes
        return (F.unbroadcast(gb, sa) if pa is not None else None, F.unbroadcast(ga, sb) if pb is not None else None)


class Div(Node):
    """``a / b`` (integers give the default float); backward: ``g / b`` and ``-g * a / b**2``."""

    __slots__ = ()
    op_name = "div"
    save_inputs = True

    def forward(self, a, b):
        if (type(a) is _ND and a.nbytes >= _BIG) or (type(b) is _ND and b.nbytes >= _BIG):
            out = _pooled(_np.true_divide, a, b)  # floating operands only: integer division's dtype rule is below
            if out is not None:
                return out
        try:
            out = a / b
        except (ValueError, TypeError) as e:
            raise _binary_error("div", a, b, e) from None
        except ZeroDivisionError:  # Scalars: IEEE semantics as for tensors
            return float("nan") if a == 0 else float("inf") * (1 if a > 0 else -1)
        # true division of integers gives the default float, as in PyTorch (NumPy gives float64)
        # (checked float64 first: NumPy's integer division gives it, and float32 results skip the rest)
        if type(out) is not float and out.dtype is _F64 and DEFAULTS.float is not _F64 \
                and getattr(a, "dtype", _INT).kind in "biu" and getattr(b, "dtype", _INT).kind in "biu":
            out = out.astype(DEFAULTS.float)
        return out

    def apply2(self, a, b):
        # true division of integers: each integer operand becomes the default float on its own (uint8 / int8(-2)
        # must not first bring -2 into uint8, as promotion between the two integers would)
        if _int_var(a) or _int_var(b):
            a, b = _float_var(a), _float_var(b)
        return Node.apply2(self, a, b)

    def backward(self, g, xs, out, F):
        a, b = xs
        pa, pb = self.parents
        ga = g / b
        return (F.unbroadcast(ga, F.shape(a)) if pa is not None else None,
                F.unbroadcast(-ga * a / b, F.shape(b)) if pb is not None else None)


class Pow(Node):
    """``a ** b``; backward: ``g * b * a**(b-1)`` and ``g * a**b * log(a)`` (PyTorch's values at 0)."""

    __slots__ = ()
    op_name = "pow"

    def label_args(self) -> str:
        # the exponent is shown while the op still holds it (backward frees what an op saved)
        saved = self.saved
        if self.parents[1] is None and type(saved) is tuple:
            e = saved[1]
            if isinstance(e, (int, float)) or getattr(e, "ndim", 1) == 0:
                return f"({float(e):g})"
        return ""
    save_inputs = True
    save_output = True

    def forward(self, a, b):
        if getattr(a, "dtype", None) is not None and a.dtype.kind == "b" and type(b) is int:
            a = a.astype(_np.int64)  # bool ** 2 is int64 in PyTorch (NumPy gives int8)
        try:
            r = a ** b
        except (ValueError, TypeError) as e:
            if isinstance(e, ValueError) and _integer_arrays(a, b):
                return _int_pow(a, b)
            raise _binary_error("pow", a, b, e) from None
        except ZeroDivisionError:
            return float("inf")
        # Python floats: (-1.0) ** 0.5 is a complex number; real-valued ops give NaN there, as PyTorch and NumPy
        return _math.nan if type(r) is complex else r

    def backward(self, g, xs, out, F):
        a, b = xs
        pa, pb = self.parents
        ga = gb = None
        if pa is not None:
            if isinstance(b, (int, float)):
                ga = g * 0 if b == 0 else g * b * a ** (b - 1)
                if type(ga) is complex:  # a Scalar's negative base to a fractional power
                    ga = _math.nan
            else:  # d/da a^b = b a^(b-1): 0 where b == 0, also at a == 0 (a^(b-1) is inf there), as PyTorch.
                # Only that corner is masked, so d/db of this gradient stays right at b == 0 (g / a).
                ad, bd = (a.array if isinstance(a, Var) else a), (b.array if isinstance(b, Var) else b)
                ga = F.where((bd == 0) & (ad == 0), 0.0, g * b * a ** (b - 1))  # the mask needs no gradient
            ga = F.unbroadcast(ga, F.shape(a))
        if pb is not None:
            # d/db a^b = a^b log a; 0 where a == 0 (the limit for b > 0), as PyTorch does
            # and -inf where a == 0 and b < 0 (0 ** b is inf there and falls as b grows), as PyTorch
            if isinstance(a, (int, float)):  # a Python number: a Python log keeps g's dtype (no float64 upcast)
                if a == 0:  # NaN where b is NaN
                    gb = F.where(b < 0, g * -_math.inf, F.where(b == b, g * 0, g * _math.nan))
                else:
                    gb = g * out * (_math.log(a) if a > 0 else _math.nan)
                gb = F.unbroadcast(gb, F.shape(b))
            else:
                ad, bd = (a.array if isinstance(a, Var) else a), (b.array if isinstance(b, Var) else b)
                # log a: -inf at 0 for b < 0 (0 elsewhere: the limit of a**b log a), NaN below 0, as PyTorch
                log_a = F.where((ad == 0) & (bd < 0), -_math.inf,
                                F.where(ad < 0, _math.nan, F.log(F.where(a > 0, a, 1.0))))
                gb = F.unbroadcast(g * out * log_a, F.shape(b))
        return ga, gb


def _int_var(v):
    return isinstance(v, Var) and type(v.array) is not float and v.array.dtype.kind in "biu"


def _float_var(v):
    return type(v)._wrap(v.array.astype(DEFAULTS.float), None) if _int_var(v) else v


def _integer_arrays(a, b):
    return all(getattr(getattr(v, "dtype", None), "kind", "f") in "iu" for v in (a, b)) and hasattr(b, "shape")


def _int_pow(a, b):
    """Integer ``a ** b`` with a tensor of exponents some of which are negative, as PyTorch computes it: 1 for a
    base of 1, +-1 for -1 by the exponent's parity, 0 for any other base (NumPy refuses the whole array)."""
    xp = array_module(b)
    dt = xp.result_type(a, b)
    a, b = xp.asarray(a, dtype=dt), xp.asarray(b, dtype=dt)
    positive = a ** xp.where(b < 0, 0, b)
    small = xp.where(a == 1, 1, xp.where(a == -1, xp.where(b % 2 == 0, 1, -1), 0)).astype(dt)
    return xp.where(b < 0, small, positive)


class Neg(Node):
    """``-x``; backward: ``-g``."""

    __slots__ = ()
    op_name = "neg"

    def forward(self, x):
        return -x

    def backward(self, g, xs, out, F):
        return (-g,)


class Abs(Node):
    """``|x|``; backward: ``g * sign(x)`` (0 at 0, as PyTorch)."""

    __slots__ = ()
    op_name = "abs"
    save_inputs = True

    def forward(self, x):
        return _b.abs(x)  # the builtin: this module's abs() is the op itself

    def backward(self, g, xs, out, F):
        return (g * F.sign(xs[0]),)


class ZeroGrad(Node):
    """Piecewise-constant ops (sign, step): defined gradient of zero."""

    __slots__ = ("fn",)

    def __init__(self, fn, name):
        self.fn = fn
        self.op_name = name

    @property
    def name(self):
        return self.op_name.capitalize() + "Backward"

    def forward(self, x):
        return self.fn(x)

    def backward(self, g, xs, out, F):
        return (g * 0,)


@op(operators=("__add__",), reflected=("__radd__",), inplace=("add_", "__iadd__"), node=Add, scalar=("__add__", "__radd__"))
def add(a, b, *, alpha=1):
    """``a + alpha * b`` with broadcasting."""
    if alpha != 1:
        b = mul(b, alpha)
    return Add().apply2(a, b) if isinstance(a, Var) or isinstance(b, Var) else Add().apply2(as_var(a), b)


@op(names=("subtract",), operators=("__sub__",), reflected=("__rsub__",), inplace=("sub_", "__isub__"), node=Sub, scalar=("__sub__", "__rsub__"))
def sub(a, b, *, alpha=1):
    """``a - alpha * b`` with broadcasting (``torch.sub``; alias ``subtract``, operator ``-``).

    >>> import autograd
    >>> autograd.sub(autograd.tensor([5.0, 6.0]), autograd.tensor([1.0, 1.0]), alpha=2)
    tensor([3., 4.])
    """
    if alpha != 1:
        b = mul(b, alpha)
    return Sub().apply2(a, b) if isinstance(a, Var) or isinstance(b, Var) else Sub().apply2(as_var(a), b)


@op(names=("multiply",), operators=("__mul__",), reflected=("__rmul__",), inplace=("mul_", "__imul__"), node=Mul, scalar=("__mul__", "__rmul__"))
def mul(a, b):
    """``a * b`` elementwise with broadcasting (``torch.mul``; alias ``multiply``, operator ``*``).

    >>> import autograd
    >>> autograd.tensor([1.0, 2.0]).mul(3)
    tensor([3., 6.])
    """
    return Mul().apply2(a, b) if isinstance(a, Var) or isinstance(b, Var) else Mul().apply2(as_var(a), b)


@op(names=("divide", "true_divide"), operators=("__truediv__",), reflected=("__rtruediv__",), inplace=("div_", "__itruediv__"), node=Div, scalar=("__truediv__", "__rtruediv__"))
def div(a, b, *, rounding_mode=None):
    """``a / b`` with broadcasting (``torch.div``; aliases ``divide``, ``true_divide``, operator ``/``).

    ``rounding_mode``: None (true division: integers give the default float), ``"trunc"`` (rounded toward
    zero) or ``"floor"`` (as :func:`floor_divide`); the rounded forms have no gradient.

    >>> import autograd
    >>> autograd.div(autograd.tensor([7, -7]), 2)
    tensor([ 3.5000, -3.5000])
    >>> autograd.tensor([7.0, -7.0]).div(2, rounding_mode="trunc")
    tensor([ 3., -3.])
    """
    if rounding_mode == "floor":
        return floor_divide(a, b)
    if rounding_mode == "trunc":
        return _nograd_binary(_trunc_divide, a, b, "div")
    if isinstance(a, Var) or isinstance(b, Var):
        return Div().apply2(a, b)
    return Div().apply2(as_var(a), b)




@op(operators=("__pow__",), reflected=("__rpow__",), inplace=("pow_", "__ipow__"), node=Pow, scalar=("__pow__", "__rpow__"))
def pow(a, b):  # noqa: A001 - PyTorch's name
    """``a ** b`` elementwise with broadcasting (``torch.pow``; operator ``**``); either may be a number.

    >>> import autograd
    >>> autograd.tensor([2.0, 3.0]).pow(2)
    tensor([4., 9.])
    >>> autograd.pow(2, autograd.tensor([1.0, 3.0]))
    tensor([2., 8.])
    """
    return Pow().apply2(a, b) if isinstance(a, Var) or isinstance(b, Var) else Pow().apply2(as_var(a), b)


@op(names=("negative",), operators=("__neg__",), inplace=("neg_",), node=Neg, unary=True, scalar=("__neg__",))
def neg(x):
    """``-x`` elementwise (``torch.neg``; alias ``negative``, operator unary ``-``).

    >>> import autograd
    >>> autograd.tensor([1.0, -2.0]).neg()
    tensor([-1.,  2.])
    """
    return Neg().apply1(as_var(x))




@op(operators=("__abs__",), inplace=("abs_",))
def abs(x):  # noqa: A001
    """Elementwise absolute value (``torch.abs``; ``abs(x)``); the gradient is ``sign(x)`` (0 at 0).

    >>> import autograd
    >>> autograd.tensor([-1.5, 2.0]).abs()
    tensor([1.5000, 2.0000])
    """
    return Abs().apply1(as_var(x))


@op()
def sign(x):
    """-1, 0 or 1 elementwise (0 at NaN, as PyTorch); its gradient is zero."""
    x = as_var(x)
    xp = x._module()

    def forward(d):
        s = xp.sign(d)
        return xp.where(d != d, 0, s).astype(s.dtype, copy=False) if s.dtype.kind == "f" else s

    return ZeroGrad(forward, "sign").apply1(x)


@op()
def step(x):
    """Heaviside step: 1 where ``x > 0``, else 0, in ``x``'s dtype; gradient zero (the perceptron's activation).

    >>> import autograd
    >>> autograd.step(autograd.tensor([-1.0, 0.0, 2.0]))
    tensor([0., 0., 1.])
    """
    x = as_var(x)
    return ZeroGrad(lambda d: (d > 0) * d.dtype.type(1) if hasattr(d, "dtype") else float(d > 0), "step").apply1(x)


def _rounding(name, doc, aliases=()):
    def fn(x):
        x = as_var(x)
        xp = x._module()
        # integers are already whole: PyTorch returns them unchanged (a copy), in their own dtype
        return ZeroGrad(lambda d: getattr(xp, name)(d) if d.dtype.kind == "f" else d.copy(), name).apply1(x)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    op(names=aliases, inplace=(name + "_",))(fn)
    globals()[name] = fn


# piecewise-constant, so their gradient is zero everywhere it exists (PyTorch's too)
for _row in (("floor", "The largest integer not above each element (its gradient is zero)."),
             ("ceil", "The smallest integer not below each element (its gradient is zero)."),
             ("trunc", "Each element rounded toward zero (its gradient is zero).", ("fix",))):
    _rounding(*_row)


@op(inplace=("round_",))
def round(x, *, decimals: int = 0):  # noqa: A001 - PyTorch's name
    """Each element rounded to ``decimals`` decimal places, halves to even (as PyTorch and NumPy); gradient zero.

    >>> import autograd
    >>> autograd.round(autograd.tensor([0.5, 1.5, 2.567]), decimals=0)
    tensor([0., 2., 3.])
    """
    x = as_var(x)
    if not isinstance(decimals, int) or isinstance(decimals, bool):
        raise TypeError(f"round: decimals must be an int, got {type(decimals).__name__} {decimals!r}")
    xp = x._module()
    return ZeroGrad(lambda d: xp.round(d, decimals) if d.dtype.kind == "f" else d.copy(), "round").apply1(x)


@op()
def isclose(a, b, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False):
    """Where ``|a - b| <= atol + rtol * |b|`` elementwise, as a bool tensor (PyTorch's defaults; no gradient).

    >>> import autograd
    >>> autograd.isclose(autograd.tensor([1.0, 2.0]), autograd.tensor([1.0 + 1e-9, 2.1]))
    tensor([ True, False])
    """
    x = first_var(a, b)
    return _nograd_binary(lambda u, v: x._module().isclose(u, v, rtol=rtol, atol=atol, equal_nan=equal_nan), a, b,
                          "isclose")


def _trunc_divide(a, b):
    """``a / b`` rounded toward zero; integers stay integers, as PyTorch's ``rounding_mode="trunc"``."""
    if all(type(v) is int or getattr(getattr(v, "dtype", None), "kind", "f") in "biu" for v in (a, b)):
        q = a // b  # floor; a step toward zero where the exact quotient is negative and not whole
        return q + ((q < 0) & (q * b != a))
    q = a / b
    return array_module(q).trunc(q) if hasattr(q, "dtype") else float(_math.trunc(q))


def _nograd_binary(fn, a, b, op=None):
    """A binary op with no gradient, on operands promoted by PyTorch's rules (``int // 2.5`` is float32)."""
    x = first_var(a, b)
    ad = a.array if isinstance(a, Var) else a
    bd = b.array if isinstance(b, Var) else b
    try:
        if hasattr(ad, "dtype") or hasattr(bd, "dtype"):  # (two Python numbers, as a Scalar's, need none)
            ad, bd = promote(ad, bd)
        try:
            return nograd(x, fn(ad, bd))
        except OverflowError:  # an out-of-range Python int operand wraps into the integer dtype, as PyTorch's
            return nograd(x, fn(wrap_int(ad, bd), wrap_int(bd, ad)))
    except (ValueError, TypeError) as e:
        raise _binary_error(op or "op", ad, bd, e) from None


@op(operators=("__floordiv__",), reflected=("__rfloordiv__",))
def floor_divide(a, b):
    """``a // b``: the quotient rounded toward -inf (``torch.floor_divide``, operator ``//``); no gradient.

    >>> import autograd
    >>> autograd.tensor([7, -7]).floor_divide(2)
    tensor([ 3, -4])
    """
    return _nograd_binary(lambda x, y: x // y, a, b, "floor_divide")


@op(operators=("__mod__",), reflected=("__rmod__",))
def remainder(a, b):
    """``a % b``: the remainder with the sign of the divisor, as Python (``torch.remainder``, operator ``%``);
    no gradient. :func:`fmod` takes the dividend's sign.

    >>> import autograd
    >>> autograd.tensor([-3.0, 3.0]).remainder(2)
    tensor([1., 1.])
    """
    return _nograd_binary(lambda x, y: x % y, a, b, "remainder")


@op()
def fmod(a, b):
    """C's fmod: the remainder takes the sign of the dividend (``remainder`` takes the divisor's), as PyTorch."""
    x = first_var(a, b)
    return _nograd_binary(x._module().fmod, a, b, "fmod")


def _comparison(name, dunder, compare):
    def fn(a, b):
        if b is None or isinstance(b, str):  # as PyTorch: x == None is False, x != None True; order is an error
            if dunder in ("__eq__", "__ne__"):
                return dunder == "__ne__"
            raise TypeError(f"{name}: '{dunder[2:-2]}' is not supported between a Tensor and {type(b).__name__}")
        try:
            return _nograd_binary(compare, a, b)
        except (ValueError, TypeError) as e:
            raise _binary_error(name, getattr(a, "array", a), getattr(b, "array", b), e) from None

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise ``a {dunder}`` ``b`` as a bool tensor (no gradient)."
    op(operators=(dunder,))(fn)
    globals()[name] = fn


for _row in (("eq", "__eq__", _operator.eq), ("ne", "__ne__", _operator.ne), ("lt", "__lt__", _operator.lt),
             ("le", "__le__", _operator.le), ("gt", "__gt__", _operator.gt), ("ge", "__ge__", _operator.ge)):
    _comparison(*_row)


def _predicate(name, doc):
    def fn(x):
        x = as_var(x)
        return nograd(x, getattr(x._module(), name)(x.array))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    op()(fn)
    globals()[name] = fn


for _row in (("logical_not", "Elementwise not, as a bool tensor."), ("isnan", "Where the value is NaN."),
             ("isfinite", "Where the value is neither infinite nor NaN."), ("isinf", "Where the value is +-inf.")):
    _predicate(*_row)
