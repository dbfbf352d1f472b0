"""Reductions and normalised exponentials."""
from __future__ import annotations

import builtins as _b
from collections import namedtuple

from ..backend import array_module
from ..buffers import buffers, mul, sub
from ..node import Node, Var
from .util import as_var, axis_arg, check_dim, is_int, keep_arg, nograd, norm_axes
from .declare import op
from .labels import call, reduce_args


class _Reduce(Node):
    """Shared bookkeeping: the reduced axes and the input shape."""

    __slots__ = ("axes", "keepdims", "in_shape")

    def label_args(self) -> str:
        return reduce_args(self)

    def __init__(self, axes, keepdims, in_shape):
        self.axes, self.keepdims, self.in_shape = axes, keepdims, in_shape

    def expand(self, g, F):
        """Bring a reduced gradient back to the input's rank (then it broadcasts)."""
        if not self.keepdims and self.axes:
            g = F.reshape(g, self._kept_shape())
        return g

    def _kept_shape(self):
        return tuple(1 if i in self.axes else n for i, n in enumerate(self.in_shape))

    def count(self):
        n = 1
        for a in self.axes:
            n *= self.in_shape[a]
        return n


class Sum(_Reduce):
    """Sum over ``axes``; backward: ``g`` broadcast back over the reduced axes."""

    __slots__ = ()

    def forward(self, x):
        return x.sum(axis=self.axes, keepdims=self.keepdims)

    def backward(self, g, xs, out, F):
        return (F.broadcast_to(self.expand(g, F), self.in_shape),)


class Mean(_Reduce):
    """Mean over ``axes``; backward: ``g / n`` broadcast back (``n`` elements reduced)."""

    __slots__ = ()

    def forward(self, x):
        return x.mean(axis=self.axes, keepdims=self.keepdims)

    def backward(self, g, xs, out, F):
        return (F.broadcast_to(self.expand(g, F) / _b.max(self.count(), 1), self.in_shape),)


class Var_(_Reduce):
    """Variance over ``axes`` with Bessel's ``correction``; backward: ``g * 2 (x - mean) / (n - correction)``."""

    __slots__ = ("correction",)
    op_name = "var"
    save_inputs = True

    @property
    def name(self):
        return "VarBackward"

    def forward(self, x):
        return x.var(axis=self.axes, ddof=self.correction, keepdims=self.keepdims)

    def backward(self, g, xs, out, F):
        x = xs[0]
        centred = x - F.sum(x, axis=self.axes, keepdims=True) / _b.max(self.count(), 1)
        d = _b.max(self.count() - self.correction, 0)  # NumPy's and PyTorch's divisor: never negative
        # no more values than the correction: the variance is NaN or inf, and so is its gradient (0 * inf), as
        # PyTorch's, not a ZeroDivisionError from Python's 2 / 0
        return (self.expand(g, F) * centred * (2.0 / d if d else float("inf")),)


class Std(_Reduce):
    """Standard deviation over ``axes``; backward: ``g * (x - mean) / ((n - correction) * std)``."""

    __slots__ = ("correction",)
    save_inputs = True
    save_output = True

    def forward(self, x):
        return x.std(axis=self.axes, ddof=self.correction, keepdims=self.keepdims)

    def backward(self, g, xs, out, F):
        x = xs[0]
        centred = x - F.sum(x, axis=self.axes, keepdims=True) / _b.max(self.count(), 1)
        out = self.expand(out, F)
        d = _b.max(self.count() - self.correction, 0)
        zero = out == 0
        # at zero spread the gradient is 0, as PyTorch's (not 0 / 0): the coefficient is masked there, so
        # its own derivative (second order) is 0 too; NaN and inf spreads keep their NaN gradient
        coef = F.where(zero, 0.0, self.expand(g, F) / (F.where(zero, 1.0, out) * d))
        return (coef * centred,)


class Pick(_Reduce):
    """max/min/amax/amin: the gradient flows through a mask fixed in forward
    (one-hot at the index for a ``dim`` reduction, ties split evenly otherwise)."""

    __slots__ = ("mask", "fn")
    def label(node) -> str:  # a function of the node, as Node.label allows
        """The reduction's name in a drawing: ``max``, ``min``, ``amax`` or ``amin``."""
        return node.fn

    def label_args(self) -> str:
        return reduce_args(self)

    @property
    def name(self):
        return {"max": "MaxBackward", "min": "MinBackward"}[self.fn]

    def forward(self, x):
        return getattr(x, self.fn)(axis=self.axes, keepdims=self.keepdims)

    def backward(self, g, xs, out, F):
        return (self.expand(g, F) * self.mask,)


class Prod(_Reduce):
    """Product over ``axes``; backward: ``g * prod / x``, or the product of the other elements where a zero is."""

    __slots__ = ()
    save_inputs = True
    save_output = True

    def forward(self, x):
        return x.prod(axis=self.axes, keepdims=self.keepdims)

    def backward(self, g, xs, out, F):
        x = xs[0]
        g = self.expand(g, F)
        data = x.array if isinstance(x, Var) else x
        if not (data == 0).any():
            return (g * self.expand(out, F) / x,)
        # with zeros, out / x fails: take the product of the other elements directly
        return (g * _prod_of_others(x, self.axes, F),)


def _prod_of_others(x, axes, F):
    """For each element, the product of the other elements over ``axes`` (zeros allowed)."""
    shape = F.shape(x)
    n = 1
    for a in axes:
        n *= shape[a]
    rest = [i for i in range(len(shape)) if i not in axes]
    perm = rest + list(axes)
    xt = F.transpose(x, perm)
    flat = F.reshape(xt, tuple(shape[i] for i in rest) + (n,))
    data = flat.array if isinstance(flat, Var) else flat
    xp = array_module(data)
    eye = xp.eye(n, dtype=bool)
    # row i of the last two axes holds the elements with the i-th replaced by 1
    tiled = F.where(eye, 1.0, F.expand_dims(flat, -2))
    others = prod(tiled, axis=-1) if isinstance(tiled, Var) else tiled.prod(axis=-1)
    others = F.reshape(others, tuple(xt.shape))
    inv = [perm.index(i) for i in range(len(shape))]
    return F.transpose(others, inv)


class Logsumexp(_Reduce):
    """``log(sum(exp(x)))`` over ``axes`` without overflow; backward: ``g * softmax(x)``."""

    __slots__ = ()
    save_inputs = True
    save_output = True

    def forward(self, x):
        xp = array_module(x)
        if x.size == 0:  # a sum of no exponentials is 0: log 0 = -inf where a reduced axis is empty, as PyTorch
            return xp.full(x.sum(axis=self.axes, keepdims=self.keepdims).shape, -xp.inf, x.dtype)
        m = x.max(axis=self.axes, keepdims=True)
        m = xp.where(xp.isfinite(m), m, 0)
        s = xp.log(xp.exp(x - m).sum(axis=self.axes, keepdims=True)) + m
        return s if self.keepdims else s.reshape(tuple(n for i, n in enumerate(x.shape) if i not in self.axes))

    def backward(self, g, xs, out, F):
        return (self.expand(g, F) * F.exp(xs[0] - self.expand(out, F)),)


class Norm2(_Reduce):
    """Euclidean norm over ``axes``; backward: ``g * x / norm``."""

    __slots__ = ()
    save_inputs = True
    save_output = True
    op_name = "norm"

    @property
    def name(self):
        return "NormBackward"

    def forward(self, x):
        return array_module(x).sqrt((x * x).sum(axis=self.axes, keepdims=self.keepdims))

    def backward(self, g, xs, out, F):
        out = self.expand(out, F)
        # subgradient 0 at the origin, as PyTorch
        return (self.expand(g, F) * xs[0] / F.where(out == 0, 1.0, out),)


class Softmax(Node):
    """Softmax along ``axis``; backward: ``y * (g - sum(g * y))``."""

    __slots__ = ("axis",)
    label = "softmax"

    def label_args(self) -> str:
        return call(f"axis={self.axis}")
    save_output = True

    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        if x.size == 0:  # nothing to normalise: an empty result of the same shape, as PyTorch
            return x.copy()
        xp = array_module(x)
        e = sub(x, x.max(axis=self.axis, keepdims=True))  # large arrays here and below in reused buffers
        if e.ndim == 0 or e.dtype.kind not in "fc":  # a NumPy scalar, or integers: no in-place steps
            e = xp.exp(e)
            return e / e.sum(axis=self.axis, keepdims=True)
        xp.exp(e, out=e)
        e /= e.sum(axis=self.axis, keepdims=True)
        return e

    def backward(self, g, xs, out, F):
        if F.graph or not getattr(g, "ndim", 0) or g.dtype != out.dtype:  # (in place below: one dtype only)
            return (out * (g - F.sum(g * out, axis=self.axis, keepdims=True)),)
        d = sub(g, mul(g, out).sum(axis=self.axis, keepdims=True))
        d *= out
        return (d,)


class LogSoftmax(Node):
    """``x - logsumexp(x)`` along ``axis``; backward: ``g - softmax(x) * sum(g)``."""

    __slots__ = ("axis",)
    op_name = "log_softmax"
    label = "log_softmax"
    save_output = True

    def label_args(self) -> str:
        return call(f"axis={self.axis}")

    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        if x.size == 0:
            return x.copy()
        xp = array_module(x)
        z = sub(x, x.max(axis=self.axis, keepdims=True))  # large arrays here and below in reused buffers
        if x.ndim == 0:  # NumPy's 0-d arithmetic gives scalars, which cannot be written into
            return z - xp.log(xp.exp(z))
        e = buffers.unary(xp.exp, z)  # one temporary: the result is written into z
        e = xp.exp(z) if e is None else e
        z -= xp.log(e.sum(axis=self.axis, keepdims=True))
        return z

    def backward(self, g, xs, out, F):
        if F.graph or not getattr(g, "ndim", 0):
            return (g - F.exp(out) * F.sum(g, axis=self.axis, keepdims=True),)
        # the same rule with one temporary (a (700, 10000) language-model output: three fewer full-size arrays)
        xp = F.xp
        p = buffers.unary(xp.exp, out)
        p = xp.exp(out) if p is None else p
        p *= g.sum(axis=self.axis, keepdims=True)
        xp.subtract(g, p, out=p)
        return (p,)


def _reduce(cls, op, x, axis, dim, keepdims, keepdim):
    x = as_var(x)
    axes = norm_axes(op, axis_arg(op, axis, dim), x.ndim)
    return cls(axes, keep_arg(keepdims, keepdim), x.shape), x


def _floating(op, x):
    """PyTorch's statistics refuse integers and bools (``mean`` and ``var`` of an int64 tensor are errors)."""
    if x.dtype.kind not in "fc":
        raise TypeError(f"{op}: input dtype should be floating point, got {x.dtype} (shape {tuple(x.shape)}); "
                        f"convert with .float()")
    return x


@op()
def sum(x, axis=None, keepdims=False, *, dim=None, keepdim=None, dtype=None):  # noqa: A001
    """Sum over ``axis`` (all axes when None).

    >>> import autograd
    >>> autograd.tensor([[1.0, 2.0], [3.0, 4.0]]).sum(axis=0)
    tensor([4., 6.])
    """
    node, x = _reduce(Sum, "sum", x, axis, dim, keepdims, keepdim)
    if dtype is not None:
        x = x.to(dtype)
    elif x.dtype.kind in "biu" and x.dtype != "int64":
        x = x.to("int64")  # PyTorch sums bools and every integer dtype (uint8 included) as int64
    return node.apply1(x)


@op()
def mean(x, axis=None, keepdims=False, *, dim=None, keepdim=None, dtype=None):
    """The mean over ``axis`` (all axes when None); ``dtype`` converts the input first, as PyTorch."""
    node, x = _reduce(Mean, "mean", x, axis, dim, keepdims, keepdim)
    if dtype is not None:
        x = x.to(dtype)
    return node.apply1(_floating("mean", x))


def _correction(op, correction, unbiased, ddof):
    if ddof is not None:
        correction = ddof
    elif unbiased is not None:
        correction = 1 if unbiased else 0
    elif correction is None:
        correction = 1
    if not isinstance(correction, (int, float)) or isinstance(correction, bool):
        raise TypeError(f"{op}: correction must be a number, got {type(correction).__name__} {correction!r}")
    return correction


@op()
def var(x, axis=None, keepdims=False, *, dim=None, keepdim=None, correction=None, unbiased=None, ddof=None):
    """Variance with Bessel's ``correction`` (1 by default, as PyTorch; ``correction=0`` is the population variance)."""
    node, x = _reduce(Var_, "var", x, axis, dim, keepdims, keepdim)
    node.correction = _correction("var", correction, unbiased, ddof)
    return node.apply1(_floating("var", x))


@op()
def std(x, axis=None, keepdims=False, *, dim=None, keepdim=None, correction=None, unbiased=None, ddof=None):
    """Standard deviation over ``dim`` (all elements when None) with Bessel's ``correction`` (1 by default, as
    PyTorch; ``unbiased=False`` or NumPy's ``ddof=0`` for the population's); the gradient at zero spread is 0.

    >>> import autograd
    >>> x = autograd.tensor([1.0, 2.0, 3.0, 4.0])
    >>> x.std(), x.std(correction=0)
    (tensor(1.2910), tensor(1.1180))
    """
    node, x = _reduce(Std, "std", x, axis, dim, keepdims, keepdim)
    node.correction = _correction("std", correction, unbiased, ddof)
    return node.apply1(_floating("std", x))


MaxMin = namedtuple("MaxMin", ["values", "indices"])


def _pick(fn, arg, x, axis, dim, keepdims, keepdim, with_indices):
    op = "max" if fn == "max" else "min"
    x = as_var(x)
    ax = axis_arg(op, axis, dim)
    axes = norm_axes(op, ax, x.ndim)
    if x.size == 0 and (ax is None or _b.any(x.shape[a] == 0 for a in axes)):
        where = "over all of its elements" if ax is None else f"along dim {ax}, which has size 0"
        raise IndexError(f"{op}: an empty tensor of shape {tuple(x.shape)} has no {op}imum {where}; reduce over "
                         f"a dim of non-zero size")
    node = Pick(axes, keep_arg(keepdims, keepdim), x.shape)
    node.fn = fn
    d = x.array
    xp = x._module()
    if with_indices:
        if not is_int(ax) and not (isinstance(ax, tuple) and len(ax) == 1):
            raise TypeError(f"{op}: dim must be a single int to return indices, got {ax!r}")
        if x.ndim == 0:  # dim 0 of a 0-d tensor: the value itself at index 0, as PyTorch
            node.mask = xp.ones((), d.dtype)
            return MaxMin(node.apply1(x), nograd(x, xp.zeros((), xp.int64)))
        a = axes[0]
        idx = getattr(xp, arg)(d, axis=a, keepdims=True)
        mask = xp.zeros(d.shape, dtype=d.dtype)
        xp.put_along_axis(mask, idx, 1, axis=a)
        node.mask = mask
        values = node.apply1(x)
        return MaxMin(values, nograd(x, idx if node.keepdims else idx.squeeze(a)))
    best = getattr(d, fn)(axis=axes, keepdims=True)
    hit = d == best
    node.mask = (hit / hit.sum(axis=axes, keepdims=True)).astype(d.dtype)
    return node.apply1(x)


@op()
def max(x, dim=None, keepdim=False, *, axis=None, keepdims=None):  # noqa: A001
    """The largest value; with ``dim``, ``(values, indices)`` as PyTorch returns.

    The gradient goes to the index reported (the first maximum) for a ``dim``
    reduction, and is split evenly among tied maxima for a full reduction.
    """
    if dim is None and axis is None:
        return _pick("max", "argmax", x, None, None, keepdims or keepdim, None, False)
    if isinstance(dim, Var) or (hasattr(dim, "shape") and not is_int(dim)):
        return maximum_(x, dim)
    _check_pick_dim("max", dim)
    return _pick("max", "argmax", x, axis, dim, keepdim if keepdims is None else keepdims, None, True)


@op()
def min(x, dim=None, keepdim=False, *, axis=None, keepdims=None):  # noqa: A001
    """The smallest value; with ``dim``, ``(values, indices)``. Ties as for :func:`max`."""
    if dim is None and axis is None:
        return _pick("min", "argmin", x, None, None, keepdims or keepdim, None, False)
    if isinstance(dim, Var) or (hasattr(dim, "shape") and not is_int(dim)):
        return minimum_(x, dim)
    _check_pick_dim("min", dim)
    return _pick("min", "argmin", x, axis, dim, keepdim if keepdims is None else keepdims, None, True)


def _check_pick_dim(op, dim):
    if dim is not None and not is_int(dim) and not isinstance(dim, (tuple, list)):
        raise TypeError(f"{op}: the second argument must be a dim (an integer) or a Tensor to compare with, got "
                        f"{type(dim).__name__} {dim!r}")


def maximum_(a, b):
    """:func:`autograd.maximum` (``max(x, other)`` with a Tensor), imported late: elementwise imports this module."""
    from .elementwise import maximum

    return maximum(a, b)


def minimum_(a, b):
    """:func:`autograd.minimum` (``min(x, other)`` with a Tensor), imported late as :func:`maximum_`."""
    from .elementwise import minimum

    return minimum(a, b)


@op()
def amax(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """Maximum over ``axis`` (values only); the gradient is split evenly among ties."""
    return _pick("max", "argmax", x, axis, dim, keep_arg(keepdims, keepdim), None, False)


@op()
def amin(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """Minimum over ``dim`` (all elements when None; a tuple for several), values only (``torch.amin``); the
    gradient is split evenly among ties.

    >>> import autograd
    >>> autograd.tensor([[1.0, -2.0], [3.0, 4.0]]).amin(dim=0)
    tensor([ 1., -2.])
    """
    return _pick("min", "argmin", x, axis, dim, keep_arg(keepdims, keepdim), None, False)


@op()
def prod(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """Product over ``dim`` (all elements when None), ``torch.prod``; the gradient is exact at zeros.

    >>> import autograd
    >>> x = autograd.tensor([[1.0, -2.0], [3.0, 4.0]])
    >>> x.prod(), x.prod(dim=1)
    (tensor(-24.), tensor([-2., 12.]))
    """
    node, x = _reduce(Prod, "prod", x, axis, dim, keepdims, keepdim)
    if x.dtype.kind in "biu" and x.dtype != "int64":
        x = x.to("int64")  # as sum: PyTorch multiplies bools and integers as int64
    return node.apply1(x)


@op()
def logsumexp(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """``log(sum(exp(x)))`` without overflow."""
    node, x = _reduce(Logsumexp, "logsumexp", x, axis, dim, keepdims, keepdim)
    if x.dtype.kind not in "fc":  # PyTorch computes integers in the default float dtype
        from ..backend import DEFAULTS

        x = x.to(DEFAULTS.float)
    return node.apply1(x)


@op()
def norm(x, p=2, axis=None, keepdims=False, *, dim=None, keepdim=None, ord=None):  # noqa: A002
    """The ``p``-norm over ``axis`` (all elements when None): 2 (default), 1, any p > 0, or ``inf``."""
    from .arith import abs as _abs

    if ord is not None:
        p = ord
    _floating("norm", as_var(x))
    if p in (2, "fro"):
        node, x = _reduce(Norm2, "norm", x, axis, dim, keepdims, keepdim)
        return node.apply1(x)
    x = as_var(x)
    if p == float("inf"):
        return amax(_abs(x), axis=axis_arg("norm", axis, dim), keepdims=keep_arg(keepdims, keepdim))
    if p == 1:
        return sum(_abs(x), axis=axis_arg("norm", axis, dim), keepdims=keep_arg(keepdims, keepdim))
    if not isinstance(p, (int, float)) or p <= 0:
        raise ValueError(f"norm: p must be a positive number, 'fro' or inf, got {p!r}")
    from .elementwise import where

    s = sum(_abs(x) ** p, axis=axis_arg("norm", axis, dim), keepdims=keep_arg(keepdims, keepdim))
    # s ** (1/p) has an infinite slope at s == 0: take the subgradient 0 there, as PyTorch (not 0 * inf = nan)
    zero = s == 0
    return where(zero, 0.0, where(zero, 1.0, s) ** (1.0 / p))


def _arg(op, x, axis, dim, keepdims, keepdim):
    x = as_var(x)
    ax = axis_arg(op, axis, dim)
    keep = keep_arg(keepdims, keepdim)
    if ax is not None:
        ax = check_dim(op, ax, x.ndim)
    if x.size == 0 and (ax is None or x.shape[ax] == 0):
        where = "without a dim" if ax is None else f"along dim {ax}, which has size 0,"
        raise IndexError(f"{op}: an empty tensor of shape {tuple(x.shape)} has no {op[3:]} {where}; pass a dim "
                         f"of non-zero size")
    if x.ndim == 0:
        ax = None
    return nograd(x, getattr(x._module(), op)(x.array, axis=ax, keepdims=keep))


@op()
def argmax(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """Index of the first maximum (flattened when ``axis`` is None); no gradient."""
    return _arg("argmax", x, axis, dim, keepdims, keepdim)


@op()
def argmin(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """Index of the first minimum (of the flattened tensor when ``dim`` is None), as int64; no gradient.

    >>> import autograd
    >>> x = autograd.tensor([[1.0, -2.0], [3.0, 4.0]])
    >>> x.argmin(), x.argmin(dim=1)
    (tensor(1), tensor([1, 0]))
    """
    return _arg("argmin", x, axis, dim, keepdims, keepdim)


def _softmax_axis(op, x, axis, dim):
    ax = axis_arg(op, axis, dim)
    if ax is None:
        ax = -1
    d = check_dim(op, ax, x.ndim)
    return d if x.ndim else None


@op()
def softmax(x, axis=None, *, dim=None):
    """``exp(x) / sum(exp(x))`` along ``axis`` (the last by default), stable for large logits."""
    x = _floating("softmax", as_var(x))
    return Softmax(_softmax_axis("softmax", x, axis, dim)).apply1(x)


@op()
def log_softmax(x, axis=None, *, dim=None):
    """``x - logsumexp(x)`` along ``axis`` (the last by default), stable for large logits."""
    x = _floating("log_softmax", as_var(x))
    return LogSoftmax(_softmax_axis("log_softmax", x, axis, dim)).apply1(x)


def _truth_dtype(x, r):
    """PyTorch's any/all answer in uint8 for a uint8 input (a legacy mask type), in bool for every other."""
    return r.astype(x.array.dtype) if x.array.dtype == "uint8" else r


@op()
def any(x, axis=None, keepdims=False, *, dim=None, keepdim=None):  # noqa: A001
    """Whether any element over ``dim`` (all when None) is nonzero, as a bool tensor (``torch.any``).

    >>> import autograd
    >>> autograd.tensor([[0, 1], [0, 0]]).any(dim=1)
    tensor([ True, False])
    """
    x = as_var(x)
    axes = norm_axes("any", axis_arg("any", axis, dim), x.ndim)
    return nograd(x, _truth_dtype(x, x.array.any(axis=axes, keepdims=keep_arg(keepdims, keepdim))))


@op()
def all(x, axis=None, keepdims=False, *, dim=None, keepdim=None):  # noqa: A001
    """Whether every element over ``dim`` (all when None) is nonzero, as a bool tensor (``torch.all``).

    >>> import autograd
    >>> x = autograd.tensor([[1.0, -2.0], [3.0, 4.0]])
    >>> (x > 0).all(), (x > 0).all(dim=1)
    (tensor(False), tensor([False,  True]))
    """
    x = as_var(x)
    axes = norm_axes("all", axis_arg("all", axis, dim), x.ndim)
    return nograd(x, _truth_dtype(x, x.array.all(axis=axes, keepdims=keep_arg(keepdims, keepdim))))
