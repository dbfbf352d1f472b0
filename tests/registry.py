"""The op registry: every public op of ``autograd`` declared once, with what tests need to check it.

An :class:`OpSpec` names the op (``names``: every ``autograd.OPS`` name it
covers; aliases share an entry), the autograd callable, a NumPy reference for
the forward, a Hypothesis strategy for the positional inputs, a strategy (or a
function of the inputs giving one) for extra keyword arguments, a domain
restriction, and whether the op is differentiable and checked to second order.

Inputs are tuples: a float ndarray becomes a Tensor that requires grad (the
thing differentiated), another ndarray (bools, integer indices) a Tensor that
does not, and anything else (an index tuple, a Python number) is passed as is.
``tests/test_registry.py`` runs every entry.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Optional

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd
from autograd.testing import valid_axes

MAX_DIMS = 3
MAX_SIDE = 3
F64 = np.float64


# -- building blocks ------------------------------------------------------------------------------

def reals(lo=-3.0, hi=3.0):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def away(points=(0.0,), margin=0.05, lo=-3.0, hi=3.0):
    """Reals in [lo, hi] kept ``margin`` away from ``points`` (kinks, discontinuities)."""
    pts = sorted(points)

    def nudge(v):
        for p in pts:
            if abs(v - p) < margin:
                v = p + margin if v >= p else p - margin
        return v

    return reals(lo, hi).map(nudge)


def grid(lo=-30, hi=30, step=0.1, offset=0.0):
    """Values ``k * step + offset``: distinct values are at least ``step`` apart (no near-ties)."""
    return st.integers(lo, hi).map(lambda k: k * step + offset)


def shapes(min_dims=0, max_dims=MAX_DIMS, min_side=1, max_side=MAX_SIDE):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def arrays(shape=None, elements=None, unique=False, dtype=F64):
    return hnp.arrays(dtype, shapes() if shape is None else shape,
                      elements=reals() if elements is None else elements, unique=unique)


def one(shape=None, elements=None, unique=False):
    """Inputs: a single float array."""
    return st.tuples(arrays(shape, elements, unique))


def broadcast(n, *elements, min_dims=0):
    """Inputs: ``n`` arrays of mutually broadcastable shapes."""
    els = list(elements) + [None] * (n - len(elements))

    @st.composite
    def draw(draw):
        s = draw(hnp.mutually_broadcastable_shapes(num_shapes=n, min_dims=min_dims, max_dims=MAX_DIMS,
                                                   max_side=MAX_SIDE))
        return tuple(draw(arrays(shp, e)) for shp, e in zip(s.input_shapes, els))

    return draw()


def suffix_shape(draw, target):
    """A shape that broadcasts *to* ``target``: a suffix of it, some sides set to 1."""
    k = draw(st.integers(0, len(target)))
    tail = target[len(target) - k:]
    return tuple(1 if draw(st.booleans()) else n for n in tail)


def no_kwargs(args):
    return st.just({})


def axes_of(ndim):
    """An axis argument: None, an int (ndim > 0) or a tuple of axes (the public strategy, dogfooded)."""
    return valid_axes(ndim)


def reduce_kwargs(args, extra=None):
    """NumPy spelling (axis, keepdims), PyTorch spelling (dim, keepdim), or nothing."""
    nd = args[0].ndim

    @st.composite
    def draw(draw):
        form = draw(st.sampled_from(["none", "numpy", "torch"]))
        kw = {}
        if form != "none":
            ax, keep = draw(axes_of(nd)), draw(st.booleans())
            if form == "torch" and ax == ():
                ax = None  # dim=() reduces everything in PyTorch but nothing in NumPy: not pinned down here
            kw = {"axis": ax, "keepdims": keep} if form == "numpy" else {"dim": ax, "keepdim": keep}
        if extra is not None:
            kw.update(draw(extra))
        return kw

    return draw()


def np_axis(kw):
    """(axis, keepdims) in NumPy terms from either spelling."""
    ax = kw.get("axis", kw.get("dim"))
    keep = kw.get("keepdims", kw.get("keepdim", False))
    return (tuple(ax) if isinstance(ax, list) else ax), bool(keep)


def reduced_count(x, kw):
    ax, _ = np_axis(kw)
    if ax is None:
        return x.size
    axes = ax if isinstance(ax, tuple) else (ax,)
    n = 1
    for a in axes:
        n *= x.shape[a]
    return n


def correction_of(kw):
    if "correction" in kw:
        return kw["correction"]
    if "unbiased" in kw:
        return 1 if kw["unbiased"] else 0
    return 1


def softmax_axis(kw):
    ax = kw.get("axis", kw.get("dim"))
    return -1 if ax is None else ax


def erf_ref(x):
    return np.vectorize(math.erf, otypes=[F64])(x).astype(x.dtype) if x.ndim else np.asarray(math.erf(x), x.dtype)


def stable_softmax(x, axis):
    if x.ndim == 0:
        return np.ones_like(x)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def stable_log_softmax(x, axis):
    if x.ndim == 0:
        return np.zeros_like(x)
    z = x - x.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def logsumexp_ref(x, axis=None, keepdims=False):
    m = np.max(x, axis=axis, keepdims=True)
    s = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    if not keepdims:
        s = np.squeeze(s, axis=tuple(range(x.ndim)) if axis is None else axis)
    return s


def _reduce_ref(f):
    return lambda x, **kw: f(x, axis=np_axis(kw)[0], keepdims=np_axis(kw)[1])


# -- the spec ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OpSpec:
    id: str  #: the test id
    names: tuple  #: the ``autograd.OPS`` names this entry covers (aliases: the first is the one called)
    fn: Callable  #: fn(*inputs, **kwargs) on Tensors
    ref: Callable  #: ref(*inputs, **kwargs) on NumPy arrays
    inputs: Any = None  #: strategy of the positional inputs (a tuple)
    kwargs: Callable = no_kwargs  #: kwargs(inputs) -> strategy of a dict of keyword arguments
    case: Any = None  #: or: a strategy drawing (inputs, kwargs) together, when they depend on each other
    domain: Optional[Callable] = None  #: domain(inputs, kwargs) -> bool; False cases are rejected with assume
    differentiable: bool = True
    second_order: bool = True
    atol: float = 1e-5
    rtol: float = 1e-3
    f32_atol: float = 1e-4  #: tolerance of the float32 forward against the float64 reference
    f32_rtol: float = 1e-3
    #: bad calls, as OpInfo's error inputs: each an :class:`ErrorInput` that must raise its exception and message
    errors: tuple = ()

    def cases(self):
        """Strategy of (inputs, kwargs)."""
        if self.case is not None:
            return self.case
        return self.inputs.flatmap(lambda args: self.kwargs(args).map(lambda kw: (args, kw)))

    def __repr__(self):
        return f"OpSpec({self.id})"


@dataclass(frozen=True)
class ErrorInput:
    """A bad call of an op: ``call()`` must raise ``exc`` with ``match`` (a regex) in its message."""
    what: str  #: the call, as the test id shows it
    call: Callable
    exc: type
    match: str


REGISTRY: list = []


def op(id, names=None, fn=None, **kw):
    names = tuple(names) if names is not None else (id,)
    spec = OpSpec(id=id, names=names, fn=fn if fn is not None else getattr(autograd, names[0]), **kw)
    REGISTRY.append(spec)
    return spec


# -- elementwise, one input ---------------------------------------------------------------------------

op("abs", ref=np.abs, inputs=one(elements=away()))
op("neg", names=("neg", "negative"), ref=np.negative, inputs=one())
op("sign", ref=np.sign, inputs=one(elements=away()))
op("step", ref=lambda x: (x > 0).astype(x.dtype), inputs=one(elements=away()))
op("clone", ref=np.copy, inputs=one())
op("exp", ref=np.exp, inputs=one())
op("expm1", ref=np.expm1, inputs=one())
op("log", ref=np.log, inputs=one(elements=reals(0.1, 5.0)))
op("log1p", ref=np.log1p, inputs=one(elements=reals(-0.9, 3.0)))
op("sqrt", ref=np.sqrt, inputs=one(elements=reals(0.1, 5.0)))
op("sin", ref=np.sin, inputs=one())
op("cos", ref=np.cos, inputs=one())
op("tan", ref=np.tan, inputs=one(elements=reals(-1.3, 1.3)))
op("tanh", ref=np.tanh, inputs=one())
op("sigmoid", ref=lambda x: 1 / (1 + np.exp(-x)), inputs=one())
op("relu", ref=lambda x: np.maximum(x, 0), inputs=one(elements=away()))
op("silu", ref=lambda x: x / (1 + np.exp(-x)), inputs=one())
op("erf", ref=erf_ref, inputs=one())
op("square", ref=np.square, inputs=one())
op("leaky_relu", ref=lambda x, negative_slope=0.01: np.where(x > 0, x, x * negative_slope),
   inputs=one(elements=away()),
   kwargs=lambda a: st.one_of(st.just({}), st.fixed_dictionaries({"negative_slope": st.sampled_from([0.2, 1.5])})))
op("elu", ref=lambda x, alpha=1.0: np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))),
   inputs=one(elements=away()),
   kwargs=lambda a: st.one_of(st.just({}), st.fixed_dictionaries({"alpha": st.sampled_from([0.5, 2.0])})))


def _gelu_ref(x, approximate="none"):
    if approximate == "tanh":
        return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
    return 0.5 * x * (1 + erf_ref(x / math.sqrt(2)))


op("gelu", ref=_gelu_ref, inputs=one(),
   kwargs=lambda a: st.one_of(st.just({}), st.fixed_dictionaries({"approximate": st.sampled_from(["none", "tanh"])})))


def _softplus_ref(x, beta=1.0, threshold=20.0):
    bx = beta * x
    return np.where(bx > threshold, x, np.logaddexp(0, bx) / beta)


op("softplus", ref=_softplus_ref, inputs=one(elements=reals(-4.0, 4.0)),
   kwargs=lambda a: st.one_of(st.just({}), st.fixed_dictionaries(
       {"beta": st.sampled_from([0.5, 1.0, 2.0]), "threshold": st.sampled_from([20.0, 1.5])})),
   # the threshold is a (small) jump: keep finite differences off it
   domain=lambda a, kw: bool(np.all(np.abs(a[0] * kw.get("beta", 1.0) - kw.get("threshold", 20.0)) > 0.05)))


@st.composite
def _clamp_case(draw, names=("min", "max")):
    lo = draw(st.one_of(st.none(), st.sampled_from([-1.0, -0.5, 0.0, 0.5])))
    his = st.sampled_from([0.0, 0.5, 1.0, 2.0])
    hi = draw(st.one_of(st.none(), his) if lo is not None else his)  # one bound at least
    if lo is not None and hi is not None and hi < lo:
        lo, hi = hi, lo
    pts = [p for p in (lo, hi) if p is not None]
    x = draw(arrays(elements=away(pts)))
    form = draw(st.sampled_from(["kw", "pos"]))
    if form == "pos":
        return (x, lo, hi), {}
    kw = {}
    if lo is not None:
        kw[names[0]] = lo
    if hi is not None:
        kw[names[1]] = hi
    return (x,), kw


def _clamp_ref(x, lo=None, hi=None, **kw):
    lo = kw.get("min", kw.get("a_min", lo))
    hi = kw.get("max", kw.get("a_max", hi))
    return np.clip(x, lo, hi)


op("clamp", case=_clamp_case(), ref=_clamp_ref)
op("clip", case=_clamp_case(("a_min", "a_max")), ref=_clamp_ref)


@st.composite
def _clamp_tensor_bounds(draw):
    # x on k/10, lo on k/10 + 0.03, hi on k/10 + 0.06: no two ever tie
    s = draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=MAX_DIMS, max_side=MAX_SIDE))
    x = draw(arrays(s.input_shapes[0], grid()))
    lo = draw(arrays(s.input_shapes[1], grid(offset=0.03)))
    hi = draw(arrays(s.input_shapes[2], grid(offset=0.06)))
    return (x, lo, hi), {}


op("clamp_tensor_bounds", case=_clamp_tensor_bounds(), names=("clamp",),
   fn=lambda x, lo, hi: autograd.clamp(x, min=lo, max=hi),
   ref=lambda x, lo, hi: np.minimum(np.maximum(x, lo), hi))


# -- elementwise, two or three inputs (broadcasting) ------------------------------------------------------

def _alpha(a):
    return st.one_of(st.just({}), st.fixed_dictionaries({"alpha": st.sampled_from([2.0, -0.5])}))


op("add", ref=lambda a, b, alpha=1: a + alpha * b, inputs=broadcast(2), kwargs=_alpha)
op("sub", names=("sub", "subtract"), ref=lambda a, b, alpha=1: a - alpha * b, inputs=broadcast(2), kwargs=_alpha)
op("mul", names=("mul", "multiply"), ref=np.multiply, inputs=broadcast(2))
op("div", names=("div", "divide", "true_divide"), ref=np.divide,
   inputs=broadcast(2, None, away(margin=0.5)))
op("pow", ref=np.power, inputs=broadcast(2, reals(0.5, 2.5), reals(-2.0, 2.0)))
op("maximum", ref=np.maximum, inputs=broadcast(2, grid(), grid(offset=0.05)))
op("minimum", ref=np.minimum, inputs=broadcast(2, grid(), grid(offset=0.05)))
op("max_binary", names=("max",), ref=np.maximum, inputs=broadcast(2, grid(), grid(offset=0.05)))
op("min_binary", names=("min",), ref=np.minimum, inputs=broadcast(2, grid(), grid(offset=0.05)))


@st.composite
def _where_inputs(draw):
    s = draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=MAX_DIMS, max_side=MAX_SIDE))
    c = draw(hnp.arrays(np.bool_, s.input_shapes[0]))
    return c, draw(arrays(s.input_shapes[1])), draw(arrays(s.input_shapes[2]))


op("where", ref=np.where, inputs=_where_inputs())
op("where_scalar", names=("where",), fn=lambda c, x: autograd.where(c, x, 0.0), ref=lambda c, x: np.where(c, x, 0.0),
   inputs=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=MAX_DIMS, max_side=MAX_SIDE).flatmap(
       lambda s: st.tuples(hnp.arrays(np.bool_, s.input_shapes[0]), arrays(s.input_shapes[1]))))


# Python numbers on either side (weakly typed: float32 stays float32)
op("add_scalar", names=("add",), fn=lambda x: 2.5 + x, ref=lambda x: 2.5 + x, inputs=one())
op("sub_scalar", names=("sub",), fn=lambda x: 1.5 - x, ref=lambda x: 1.5 - x, inputs=one())
op("mul_scalar", names=("mul",), fn=lambda x: x * -3, ref=lambda x: x * -3, inputs=one())
op("div_scalar", names=("div",), fn=lambda x: 2.0 / x, ref=lambda x: 2.0 / x, inputs=one(elements=away(margin=0.5)))


@st.composite
def _pow_scalar_case(draw):
    c = draw(st.sampled_from([2, 3, -1, 0, 1, 0.5, 2.5, -1.5]))
    x = draw(arrays(elements=reals(0.3, 2.0) if isinstance(c, float) else away(margin=0.3, lo=-2.0, hi=2.0)))
    return (x,), {"c": c}


op("pow_scalar", case=_pow_scalar_case(), names=("pow",), fn=lambda x, c: x ** c, ref=lambda x, c: np.power(x, c))
op("rpow", names=("pow",), fn=lambda x, c: c ** x, ref=lambda x, c: np.power(c, x), inputs=one(),
   kwargs=lambda a: st.fixed_dictionaries({"c": st.sampled_from([2.0, 0.5, 3])}))


# -- no gradient: comparisons, predicates, integer-valued results --------------------------------------------

_small_ints = st.integers(-2, 2).map(float)  # equal values happen often
for _name, _ref in (("eq", np.equal), ("ne", np.not_equal), ("lt", np.less), ("le", np.less_equal),
                    ("gt", np.greater), ("ge", np.greater_equal)):
    op(_name, ref=_ref, inputs=broadcast(2, _small_ints, _small_ints), differentiable=False)

op("floor_divide", ref=np.floor_divide, inputs=broadcast(2, None, away(margin=0.5)), differentiable=False)
op("remainder", ref=np.remainder, inputs=broadcast(2, None, away(margin=0.5)), differentiable=False)
op("fmod", ref=np.fmod, inputs=broadcast(2, None, away(margin=0.5)), differentiable=False)
op("div_rounding", names=("div",), ref=lambda a, b, rounding_mode: (np.floor_divide(a, b) if rounding_mode == "floor"
                                                                     else np.trunc(a / b)),
   inputs=broadcast(2, None, away(margin=0.5)),
   kwargs=lambda a: st.fixed_dictionaries({"rounding_mode": st.sampled_from(["floor", "trunc"])}), differentiable=False)
op("logical_not", ref=np.logical_not, inputs=st.tuples(hnp.arrays(np.bool_, shapes())), differentiable=False)
_special = st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=False, min_value=None, max_value=None)
for _name in ("isnan", "isinf", "isfinite"):
    op(_name, ref=getattr(np, _name), inputs=one(elements=st.one_of(
        _special, st.sampled_from([math.nan, math.inf, -math.inf, 0.0]))), differentiable=False)
op("gt_scalar", names=("gt",), fn=lambda x: x > 0.5, ref=lambda x: x > 0.5, inputs=one(elements=_small_ints),
   differentiable=False)
# integers and bools sum as int64, as PyTorch
op("sum_int", names=("sum",), ref=lambda x, **kw: _reduce_ref(np.sum)(x, **kw).astype(np.int64),
   inputs=st.tuples(st.one_of(hnp.arrays(np.int32, shapes(), elements=st.integers(-5, 5)),
                              hnp.arrays(np.bool_, shapes()))),
   kwargs=reduce_kwargs, differentiable=False)
for _name in ("any", "all"):
    op(_name, ref=_reduce_ref(getattr(np, _name)), inputs=st.tuples(hnp.arrays(np.bool_, shapes())),
       kwargs=reduce_kwargs, differentiable=False)


def _arg_kwargs(args):
    nd = args[0].ndim
    ax = st.one_of(st.none(), st.integers(-nd, nd - 1)) if nd else st.none()
    return st.one_of(st.just({}), st.fixed_dictionaries({"axis": ax, "keepdims": st.booleans()}),
                     st.fixed_dictionaries({"dim": ax, "keepdim": st.booleans()}))


for _name in ("argmax", "argmin"):
    op(_name, ref=_reduce_ref(getattr(np, _name)), inputs=one(), kwargs=_arg_kwargs, differentiable=False)


# -- reductions ------------------------------------------------------------------------------------------------

op("sum", ref=_reduce_ref(np.sum), inputs=one(), kwargs=reduce_kwargs)
op("mean", ref=_reduce_ref(np.mean), inputs=one(), kwargs=reduce_kwargs)
# zeros are frequent: the gradient takes the product of the other elements, not out / x
op("prod", ref=_reduce_ref(np.prod), inputs=one(elements=st.one_of(st.just(0.0), reals(-1.5, 1.5))),
   kwargs=reduce_kwargs)
op("amax", ref=_reduce_ref(np.amax), inputs=one(elements=grid(), unique=True), kwargs=reduce_kwargs)
op("amin", ref=_reduce_ref(np.amin), inputs=one(elements=grid(), unique=True), kwargs=reduce_kwargs)
op("logsumexp", ref=lambda x, **kw: logsumexp_ref(x, *np_axis(kw)), inputs=one(), kwargs=reduce_kwargs)

_correction = st.one_of(st.just({}), st.fixed_dictionaries({"correction": st.sampled_from([0, 1])}),
                        st.fixed_dictionaries({"unbiased": st.booleans()}))


def _var_ref(f):
    return lambda x, **kw: f(x, axis=np_axis(kw)[0], keepdims=np_axis(kw)[1], ddof=correction_of(kw))


op("var", ref=_var_ref(np.var), inputs=one(), kwargs=lambda a: reduce_kwargs(a, _correction),
   domain=lambda a, kw: reduced_count(a[0], kw) > correction_of(kw))
# std has a kink where all reduced values are equal: distinct values, two at least
op("std", ref=_var_ref(np.std), inputs=one(shapes(min_dims=1, min_side=2), grid(), unique=True),
   kwargs=lambda a: reduce_kwargs(a, _correction), domain=lambda a, kw: reduced_count(a[0], kw) >= 2)

op("max_all", names=("max",), ref=np.max, inputs=one(elements=grid(), unique=True))
op("min_all", names=("min",), ref=np.min, inputs=one(elements=grid(), unique=True))


def _dim_kwargs(args):
    nd = args[0].ndim
    d = st.integers(-nd, nd - 1)
    return st.one_of(st.fixed_dictionaries({"dim": d}), st.fixed_dictionaries({"dim": d, "keepdim": st.booleans()}),
                     st.fixed_dictionaries({"axis": d, "keepdims": st.booleans()}))


def _dim_ref(fv, fi):
    def ref(x, **kw):
        ax, keep = np_axis(kw)
        return fv(x, axis=ax, keepdims=keep), fi(x, axis=ax, keepdims=keep)

    return ref


op("max_dim", names=("max",), ref=_dim_ref(np.max, np.argmax), inputs=one(shapes(min_dims=1), grid(), unique=True),
   kwargs=_dim_kwargs)
op("min_dim", names=("min",), ref=_dim_ref(np.min, np.argmin), inputs=one(shapes(min_dims=1), grid(), unique=True),
   kwargs=_dim_kwargs)


@st.composite
def _distinct_magnitudes(draw):
    """Nonzero values whose magnitudes are distinct (no kink of |x|, no tie in max |x|)."""
    shp = draw(shapes())
    mags = draw(hnp.arrays(np.int64, shp, elements=st.integers(1, 40), unique=True))
    signs = draw(hnp.arrays(np.bool_, shp))
    return (np.asarray(np.where(signs, -1.0, 1.0) * mags / 10.0),)


def _norm_ref(x, p=2, **kw):
    ax, keep = np_axis(kw)
    a = np.abs(x)
    if p == math.inf:
        return np.max(a, axis=ax, keepdims=keep)
    if p == "fro":
        p = 2
    return np.sum(a ** p, axis=ax, keepdims=keep) ** (1.0 / p)


op("norm", ref=_norm_ref, inputs=_distinct_magnitudes(),
   kwargs=lambda a: reduce_kwargs(a, st.one_of(st.just({}), st.fixed_dictionaries(
       {"p": st.sampled_from([2, 1, 3, math.inf, "fro", 1.5])}))))


def _softmax_kwargs(args):
    nd = args[0].ndim
    if nd == 0:
        return st.just({})
    d = st.integers(-nd, nd - 1)
    return st.one_of(st.just({}), st.fixed_dictionaries({"axis": d}), st.fixed_dictionaries({"dim": d}))


op("softmax", ref=lambda x, **kw: stable_softmax(x, softmax_axis(kw)), inputs=one(), kwargs=_softmax_kwargs)
op("log_softmax", ref=lambda x, **kw: stable_log_softmax(x, softmax_axis(kw)), inputs=one(),
   kwargs=_softmax_kwargs)


# -- shape ops ----------------------------------------------------------------------------------------------------

@st.composite
def _reshape_case(draw):
    x = draw(arrays())
    s = x.shape
    options = [(-1,), (x.size,), tuple(reversed(s)), s + (1,), (1,) + s]
    if x.size == 1:
        options.append(())
    if len(s) >= 2:
        options.append((s[0] * s[1],) + s[2:])
        options.append((-1,) + s[2:])
    target = draw(st.sampled_from(options))
    return (x,), {"shape": target, "packed": draw(st.booleans())}


op("reshape", case=_reshape_case(), names=("reshape", "view"),
   fn=lambda x, shape, packed: autograd.reshape(x, shape) if packed else autograd.reshape(x, *shape),
   ref=lambda x, shape, packed: np.reshape(x, shape))


def _flatten_ref(x, start_dim=0, end_dim=-1):
    if x.ndim == 0:
        return x.reshape(1)
    s, e = start_dim % x.ndim, end_dim % x.ndim
    return x.reshape(x.shape[:s] + (-1,) + x.shape[e + 1:])


def _flatten_kwargs(args):
    nd = args[0].ndim
    if nd == 0:
        return st.just({})
    d = st.integers(-nd, nd - 1)
    return st.one_of(st.just({}), st.fixed_dictionaries({"start_dim": d}),
                     st.fixed_dictionaries({"start_dim": d, "end_dim": d}))


op("flatten", ref=_flatten_ref, inputs=one(), kwargs=_flatten_kwargs,
   domain=lambda a, kw: a[0].ndim == 0 or kw.get("start_dim", 0) % a[0].ndim <= kw.get("end_dim", -1) % a[0].ndim)


def _squeeze_ref(x, dim=None):
    if dim is None:
        return x.reshape(tuple(n for n in x.shape if n != 1))
    dims = {d % max(x.ndim, 1) for d in (dim if isinstance(dim, tuple) else (dim,))}
    return x.reshape(tuple(n for i, n in enumerate(x.shape) if not (i in dims and n == 1)))


def _squeeze_kwargs(args):
    nd = args[0].ndim
    opts = [st.just({})]
    if nd:
        opts += [st.fixed_dictionaries({"dim": st.integers(-nd, nd - 1)}),
                 st.fixed_dictionaries({"dim": hnp.valid_tuple_axes(nd, min_size=1)})]
    return st.one_of(*opts)


op("squeeze", ref=_squeeze_ref, inputs=one(shapes(max_side=2)), kwargs=_squeeze_kwargs)
op("unsqueeze", ref=lambda x, dim: np.expand_dims(x, dim), inputs=one(),
   kwargs=lambda a: st.fixed_dictionaries({"dim": st.integers(-a[0].ndim - 1, a[0].ndim)}))


def _expand_dims_kwargs(args):
    out = args[0].ndim + 1
    return st.fixed_dictionaries({"axis": st.one_of(
        st.integers(-out, out - 1),
        st.integers(1, 2).flatmap(lambda k: hnp.valid_tuple_axes(args[0].ndim + k, min_size=k, max_size=k)))})


op("expand_dims", ref=lambda x, axis: np.expand_dims(x, axis), inputs=one(), kwargs=_expand_dims_kwargs)


@st.composite
def _broadcast_case(draw):
    target = draw(shapes())
    x = draw(arrays(suffix_shape(draw, target)))
    return (x,), {"shape": target}


op("broadcast_to", case=_broadcast_case(), fn=lambda x, shape: autograd.broadcast_to(x, shape),
   ref=lambda x, shape: np.broadcast_to(x, shape))


@st.composite
def _expand_case(draw):
    (x,), kw = draw(_broadcast_case())
    target = kw["shape"]
    lead = len(target) - x.ndim
    sizes = tuple(-1 if i >= lead and x.shape[i - lead] == n and draw(st.booleans()) else n
                  for i, n in enumerate(target))
    return (x,), {"sizes": sizes, "target": target}


op("expand", case=_expand_case(), fn=lambda x, sizes, target: autograd.expand(x, *sizes),
   ref=lambda x, sizes, target: np.broadcast_to(x, target))


@st.composite
def _expand_as_case(draw):
    (x,), kw = draw(_broadcast_case())
    return (x, draw(arrays(kw["shape"]))), {}


op("expand_as", case=_expand_as_case(), ref=lambda x, other: np.broadcast_to(x, other.shape))


@st.composite
def _permute_case(draw):
    x = draw(arrays())
    dims = draw(st.permutations(range(x.ndim)))
    dims = tuple(d - x.ndim if draw(st.booleans()) else d for d in dims)
    return (x,), {"dims": dims, "packed": draw(st.booleans())}


op("permute", case=_permute_case(),
   fn=lambda x, dims, packed: autograd.permute(x, dims) if packed else autograd.permute(x, *dims),
   ref=lambda x, dims, packed: np.transpose(x, dims))


@st.composite
def _transpose_case(draw):
    x = draw(arrays())
    nd = x.ndim
    form = draw(st.sampled_from(["pair", "axes", "none"] if nd else ["axes", "none"]))
    if form == "pair":
        return (x,), {"dim0": draw(st.integers(-nd, nd - 1)), "dim1": draw(st.integers(-nd, nd - 1))}
    if form == "axes":
        return (x,), {"axes": tuple(draw(st.permutations(range(nd))))}
    return (x,), {}


def _transpose_ref(x, dim0=None, dim1=None, axes=None):
    if axes is not None:
        return np.transpose(x, axes)
    if dim0 is None:
        return np.transpose(x)
    return np.swapaxes(x, dim0, dim1)


op("transpose", case=_transpose_case(), ref=_transpose_ref)


def _two_axes(args):
    nd = args[0].ndim
    d = st.integers(-nd, nd - 1)
    return st.fixed_dictionaries({"axis0": d, "axis1": d})


op("swapaxes", names=("swapaxes", "swapdims"), ref=lambda x, axis0, axis1: np.swapaxes(x, axis0, axis1),
   inputs=one(shapes(min_dims=1)), kwargs=_two_axes)
op("t", ref=lambda x: x.T, inputs=one(shapes(max_dims=2)))


def _reps(args, at_least_ndim):
    nd = args[0].ndim
    lo = nd if at_least_ndim else 0
    return st.integers(lo, nd + 1).flatmap(lambda k: st.tuples(*[st.integers(1, 3)] * k)).map(lambda r: {"reps": r})


op("tile", fn=lambda x, reps: autograd.tile(x, *reps), ref=lambda x, reps: np.tile(x, reps), inputs=one(),
   kwargs=lambda a: _reps(a, False))
op("repeat", fn=lambda x, reps: autograd.repeat(x, *reps), ref=lambda x, reps: np.tile(x, reps), inputs=one(),
   kwargs=lambda a: _reps(a, True))


def _flip_kwargs(args):
    nd = args[0].ndim
    opts = [st.just({}), st.fixed_dictionaries({"dims": hnp.valid_tuple_axes(nd)}),
            st.fixed_dictionaries({"dims": hnp.valid_tuple_axes(nd).map(list)})]
    if nd:
        opts.append(st.fixed_dictionaries({"axis": st.integers(-nd, nd - 1)}))
    return st.one_of(*opts)


def _flip_ref(x, dims=None, axis=None):
    d = axis if dims is None else dims
    return np.flip(x, axis=tuple(d) if isinstance(d, list) else d)


op("flip", ref=_flip_ref, inputs=one(), kwargs=_flip_kwargs)


@st.composite
def _cat_case(draw):
    base = draw(shapes(min_dims=1))
    nd = len(base)
    d = draw(st.integers(-nd, nd - 1))
    n = draw(st.integers(1, 3))
    xs = []
    for _ in range(n):
        s = list(base)
        s[d] = draw(st.integers(1, MAX_SIDE))
        xs.append(draw(arrays(tuple(s))))
    kw = draw(st.sampled_from([{"dim": d}, {"axis": d}]))
    return tuple(xs), kw


op("cat", case=_cat_case(), names=("cat", "concat", "concatenate"),
   fn=lambda *xs, **kw: autograd.cat(list(xs), **kw),
   ref=lambda *xs, **kw: np.concatenate(xs, axis=kw.get("dim", kw.get("axis"))))


@st.composite
def _stack_case(draw):
    s = draw(shapes())
    n = draw(st.integers(1, 3))
    xs = tuple(draw(arrays(s)) for _ in range(n))
    return xs, {"dim": draw(st.integers(-len(s) - 1, len(s)))}


op("stack", case=_stack_case(), fn=lambda *xs, dim: autograd.stack(list(xs), dim),
   ref=lambda *xs, dim: np.stack(xs, axis=dim))


@st.composite
def _split_case(draw):
    x = draw(arrays(shapes(min_dims=1)))
    nd = x.ndim
    d = draw(st.integers(-nd, nd - 1))
    n = x.shape[d]
    if draw(st.booleans()):
        size = draw(st.integers(1, n + 1))
    else:
        cuts = sorted(draw(st.lists(st.integers(1, n), max_size=2)))
        bounds = [0] + cuts + [n]
        size = [b - a for a, b in zip(bounds, bounds[1:]) if b > a]
    return (x,), {"split": size, "dim": d}


def _split_ref(x, split, dim):
    n = x.shape[dim]
    sizes = [split] * (n // split) + ([n % split] if n % split else []) if isinstance(split, int) else split
    return tuple(np.split(x, np.cumsum(sizes)[:-1], axis=dim))


op("split", case=_split_case(), fn=lambda x, split, dim: autograd.split(x, split, dim), ref=_split_ref)


@st.composite
def _unbind_case(draw):
    x = draw(arrays(shapes(min_dims=1)))
    return (x,), {"dim": draw(st.integers(-x.ndim, x.ndim - 1))}


op("unbind", case=_unbind_case(), fn=lambda x, dim: autograd.unbind(x, dim),
   ref=lambda x, dim: tuple(np.moveaxis(x, dim, 0)))


@st.composite
def _chunk_case(draw):
    x = draw(arrays(shapes(min_dims=1)))
    return (x,), {"chunks": draw(st.integers(1, 4)), "dim": draw(st.integers(-x.ndim, x.ndim - 1))}


def _chunk_ref(x, chunks, dim):
    n = x.shape[dim]
    size = -(-n // chunks)
    return _split_ref(x, size, dim)


op("chunk", case=_chunk_case(), fn=lambda x, chunks, dim: autograd.chunk(x, chunks, dim), ref=_chunk_ref)


@st.composite
def _pad_case(draw):
    x = draw(arrays())
    mode = draw(st.sampled_from(["constant", "reflect", "replicate", "circular"]))
    k = draw(st.integers(0, x.ndim))
    pad = []
    for i in range(k):
        n = x.shape[x.ndim - 1 - i]
        hi = {"reflect": n - 1, "circular": n}.get(mode, 2)
        pad += [draw(st.integers(0, hi)), draw(st.integers(0, hi))]
    kw = {"pad": tuple(pad), "mode": mode}
    if mode == "constant" and draw(st.booleans()):
        kw["value"] = draw(st.sampled_from([1.5, -2.0]))
    return (x,), kw


def _pad_ref(x, pad, mode="constant", value=0.0):
    widths = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        widths[x.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    if x.ndim == 0:
        return x.copy()
    if mode == "constant":
        return np.pad(x, widths, mode="constant", constant_values=value)
    return np.pad(x, widths, mode={"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode])


op("pad", case=_pad_case(), fn=lambda x, pad, **kw: autograd.pad(x, pad, **kw), ref=_pad_ref)


# -- indexing --------------------------------------------------------------------------------------------

def _getitem(x, index):
    return x[index]


@st.composite
def _basic_index_case(draw):
    x = draw(arrays())
    return (x, draw(hnp.basic_indices(x.shape, allow_newaxis=True, allow_ellipsis=True))), {}


op("getitem_basic", case=_basic_index_case(), names=("getitem",), fn=autograd.getitem, ref=_getitem)


@st.composite
def _int_array_case(draw):
    x = draw(arrays(shapes(min_dims=1)))
    idx = draw(hnp.integer_array_indices(x.shape, result_shape=shapes(max_dims=2)))
    return (x, idx), {}


op("getitem_int_arrays", case=_int_array_case(), names=("getitem",), fn=autograd.getitem, ref=_getitem)


@st.composite
def _int_tensor_case(draw):
    # one index Tensor on the first axis, repeats likely: x[t] accumulates into repeated rows
    x = draw(arrays(shapes(min_dims=1)))
    n = x.shape[0]
    idx = draw(hnp.arrays(np.int64, st.integers(1, 5), elements=st.integers(-n, n - 1)))
    return (x, idx), {}


op("getitem_int_tensor", case=_int_tensor_case(), names=("getitem",), fn=autograd.getitem, ref=_getitem)


@st.composite
def _mask_case(draw):
    x = draw(arrays(shapes(min_dims=1)))
    k = draw(st.integers(1, x.ndim))
    mask = draw(hnp.arrays(np.bool_, x.shape[:k]))
    return (x, mask), {}


op("getitem_mask", case=_mask_case(), names=("getitem",), fn=autograd.getitem, ref=_getitem)


@st.composite
def _mixed_index_case(draw):
    x = draw(arrays(shapes(min_dims=2)))
    idx = []
    for n in x.shape:
        kind = draw(st.sampled_from(["slice", "int", "array"]))
        if kind == "slice":
            idx.append(slice(draw(st.integers(0, n - 1)), None, draw(st.sampled_from([1, 2, -1]))))
        elif kind == "int":
            idx.append(draw(st.integers(-n, n - 1)))
        else:
            idx.append(draw(hnp.arrays(np.int64, 2, elements=st.integers(-n, n - 1))))
    return (x, tuple(idx)), {}


op("getitem_mixed", case=_mixed_index_case(), names=("getitem",), fn=autograd.getitem, ref=_getitem)


@st.composite
def _index_put_case(draw):
    x = draw(arrays(shapes(min_dims=1)))
    kind = draw(st.sampled_from(["basic", "array", "mask"]))
    if kind == "basic":
        index = draw(hnp.basic_indices(x.shape, allow_ellipsis=True))
    elif kind == "array":  # distinct rows: with repeats only the last write survives
        n = x.shape[0]
        index = np.array(draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True)))
    else:
        index = draw(hnp.arrays(np.bool_, x.shape))
    target = x[index].shape
    value = draw(arrays(suffix_shape(draw, target)))
    return (x, index, value), {}


def _index_put_ref(x, index, value):
    out = x.copy()
    out[index] = value
    return out


op("index_put", case=_index_put_case(), fn=lambda x, index, value: autograd.index_put(x, index, value),
   ref=_index_put_ref)


# -- products ----------------------------------------------------------------------------------------------

@st.composite
def _matmul_case(draw):
    n, k, m = (draw(st.integers(1, MAX_SIDE)) for _ in range(3))
    ka, kb = draw(st.sampled_from(["vec", "mat"])), draw(st.sampled_from(["vec", "mat"]))
    batch = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=2)).input_shapes
    sa = (k,) if ka == "vec" else batch[0] + (n, k)
    sb = (k,) if kb == "vec" else batch[1] + (k, m)
    return (draw(arrays(sa)), draw(arrays(sb))), {}


op("matmul", case=_matmul_case(), ref=np.matmul)


@st.composite
def _vec_pair(draw, same=True):
    n = draw(st.integers(1, MAX_SIDE))
    m = n if same else draw(st.integers(1, MAX_SIDE))
    return (draw(arrays((n,))), draw(arrays((m,)))), {}


op("dot", case=_vec_pair(), ref=np.dot)
op("outer", case=_vec_pair(False), names=("outer", "ger"), ref=np.outer)

_EINSUM = [
    "ij,jk->ik", "i,i->", "i,i", "ii->i", "ii", "ij->ji", "ij->", "i,j->ij", "ij,ij->i", "ij,jk", "bij,bjk->bik",
    "...ij,...jk->...ik", "...i,...i->...", "i...->...", "iij->j", "ij,kj,k->i",
]


# two operands with ellipses, whose ellipsis dimensions broadcast (a side of 1 against a larger one)
_EINSUM_ELLIPSIS = ["...ij,...jk->...ik", "...i,...i->...", "...i,...i", "...ij,...j->...i", "...j,i...j->i..."]


def _broadcasting_ellipses(draw, n):
    r = draw(shapes(min_dims=1, max_dims=2, min_side=2))
    ell = [r, (1,) + r[1:]] + [suffix_shape(draw, r) for _ in range(n - 2)]
    return ell[::-1] if draw(st.booleans()) else ell


@st.composite
def _einsum_case(draw, specs, force_broadcast=False):
    spec = draw(st.sampled_from(specs))
    lhs = spec.split("->")[0].split(",")
    sizes = {c: draw(st.integers(1, MAX_SIDE)) for c in sorted(set(spec) - set(",->."))}
    n_ell = sum("..." in s for s in lhs)
    if force_broadcast:
        ell = _broadcasting_ellipses(draw, n_ell)
    else:
        ell = draw(hnp.mutually_broadcastable_shapes(num_shapes=max(n_ell, 1), max_dims=2, max_side=2)).input_shapes
    xs, e = [], 0
    for s in lhs:
        shp = []
        for c in s.replace("...", "."):
            if c == ".":
                shp += list(ell[e])
                e += 1
            else:
                shp.append(sizes[c])
        xs.append(draw(arrays(tuple(shp))))
    return tuple(xs), {"spec": spec}


op("einsum", case=_einsum_case(_EINSUM), fn=lambda *xs, spec: autograd.einsum(spec, *xs),
   ref=lambda *xs, spec: np.einsum(spec, *xs))
op("einsum_broadcast", case=_einsum_case(_EINSUM_ELLIPSIS, force_broadcast=True), names=("einsum",),
   fn=lambda *xs, spec: autograd.einsum(spec, *xs), ref=lambda *xs, spec: np.einsum(spec, *xs))


# -- issue 14: triangles and diagonals, selection, scans, rearrangement, blends, fixed-rank products, sampling ----

def _k_kwargs(lo=-3, hi=3, name="diagonal"):
    return lambda a: st.one_of(st.just({}), st.fixed_dictionaries({name: st.integers(lo, hi)}))


op("tril", ref=lambda x, diagonal=0: np.tril(x, diagonal), inputs=one(shapes(min_dims=2)), kwargs=_k_kwargs())
op("triu", ref=lambda x, diagonal=0: np.triu(x, diagonal), inputs=one(shapes(min_dims=2)), kwargs=_k_kwargs())


@st.composite
def _diagonal_case(draw):
    x = draw(arrays(shapes(min_dims=2)))
    d1, d2 = draw(st.permutations(range(x.ndim)))[:2]
    kw = {"offset": draw(st.integers(-3, 3)), "dim1": d1 - x.ndim * draw(st.integers(0, 1)), "dim2": d2}
    return (x,), kw


op("diagonal", case=_diagonal_case(), ref=lambda x, offset, dim1, dim2: np.diagonal(x, offset, dim1, dim2))
op("diag", ref=lambda x, diagonal=0: np.diag(x, diagonal), inputs=one(shapes(min_dims=1, max_dims=2)),
   kwargs=_k_kwargs(-2, 2))


@st.composite
def _masked_fill_case(draw):
    s = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=MAX_DIMS, max_side=MAX_SIDE))
    x = draw(arrays(s.input_shapes[0]))
    mask = draw(hnp.arrays(np.bool_, s.input_shapes[1]))
    value = draw(st.one_of(st.sampled_from([1.5, -2.0]), arrays(())))  # a number, or a 0-d tensor (gets a gradient)
    return (x, mask, value), {}


op("masked_fill", case=_masked_fill_case(),
   ref=lambda x, mask, value: np.where(mask, np.asarray(value, x.dtype), x).astype(x.dtype))


def _sub_along(x, idx, d):
    """``x`` cut to ``idx``'s sizes in every dimension but ``d`` (gather reads only that corner)."""
    return x[tuple(slice(None) if a == d else slice(0, n) for a, n in enumerate(idx.shape))]


def _full_index(idx, d):
    return tuple(idx if a == d else np.arange(n).reshape((n,) + (1,) * (idx.ndim - 1 - a))
                 for a, n in enumerate(idx.shape))


@st.composite
def _gather_case(draw, unique=False, src=False):
    """(x, dim, index[, src]): index no larger than x but along dim; repeats likely unless ``unique``."""
    x = draw(arrays(shapes(min_dims=1)))
    d = draw(st.integers(0, x.ndim - 1))
    n = x.shape[d]
    if unique:  # each line along d a prefix of a permutation: no position written twice
        k = draw(st.integers(1, n))
        ishape = tuple(k if a == d else draw(st.integers(1, m)) for a, m in enumerate(x.shape))
        keys = draw(hnp.arrays(np.float64, ishape[:d] + (n,) + ishape[d + 1:], elements=reals(), unique=True))
        idx = np.argsort(keys, axis=d)[tuple(slice(0, k) if a == d else slice(None) for a in range(x.ndim))]
    else:
        ishape = tuple(draw(st.integers(1, 4)) if a == d else draw(st.integers(1, m)) for a, m in enumerate(x.shape))
        idx = draw(hnp.arrays(np.int64, ishape, elements=st.integers(0, n - 1)))
    dim = d - x.ndim if draw(st.booleans()) else d
    if not src:
        return (x, dim, idx), {}
    sshape = tuple(m + draw(st.integers(0, 1)) for m in idx.shape)  # src may be larger than index
    return (x, dim, idx, draw(arrays(sshape))), {}


op("gather", case=_gather_case(), ref=lambda x, d, idx: np.take_along_axis(_sub_along(x, idx, d % x.ndim), idx,
                                                                             d % x.ndim))


def _scatter_ref(x, d, idx, src):
    out = x.copy()
    view = _sub_along(out, idx, d % x.ndim)
    np.put_along_axis(view, idx, src[tuple(slice(0, n) for n in idx.shape)], d % x.ndim)
    return out


def _scatter_add_ref(x, d, idx, src):
    out = x.copy()
    np.add.at(out, _full_index(idx, d % x.ndim), src[tuple(slice(0, n) for n in idx.shape)])
    return out


op("scatter", case=_gather_case(unique=True, src=True), ref=_scatter_ref)
op("scatter_value", names=("scatter",), case=_gather_case(unique=True),
   fn=lambda x, d, idx: autograd.scatter(x, d, idx, value=-1.5),
   ref=lambda x, d, idx: _scatter_ref(x, d, idx, np.full(idx.shape, -1.5, x.dtype)))
op("scatter_add", case=_gather_case(src=True), ref=_scatter_add_ref)


@st.composite
def _take_along_case(draw):
    x = draw(arrays(shapes(min_dims=1)))
    if draw(st.booleans()):
        idx = draw(hnp.arrays(np.int64, st.integers(1, 4), elements=st.integers(0, x.size - 1)))
        return (x, idx), {}
    d = draw(st.integers(0, x.ndim - 1))
    ishape = tuple(draw(st.integers(1, 3)) if a == d else draw(st.sampled_from([1, m])) for a, m in enumerate(x.shape))
    idx = draw(hnp.arrays(np.int64, ishape, elements=st.integers(-x.shape[d], x.shape[d] - 1)))
    return (x, idx), {"dim": d}


op("take_along_dim", case=_take_along_case(),
   ref=lambda x, idx, dim=None: np.take(x.ravel(), idx) if dim is None else np.take_along_axis(x, idx, dim))


@st.composite
def _index_select_case(draw):
    x = draw(arrays(shapes(min_dims=1)))
    d = draw(st.integers(-x.ndim, x.ndim - 1))
    idx = draw(hnp.arrays(np.int64, st.integers(0, 4), elements=st.integers(0, x.shape[d] - 1)))
    return (x, d, idx), {}


op("index_select", case=_index_select_case(), ref=lambda x, d, idx: np.take(x, idx, axis=d))


def _stable_order(x, axis, descending):
    # an independent spelling of a stable descending sort for floats without NaN: negate
    return np.argsort(-x if descending else x, axis=axis, kind="stable")


def _sort_kwargs(args):
    nd = args[0].ndim
    d = st.integers(-nd, nd - 1) if nd else st.sampled_from([0, -1])
    return st.fixed_dictionaries({}, optional={"dim": d, "descending": st.booleans(), "stable": st.booleans()})


def _sort_ref(x, dim=-1, descending=False, stable=False):
    if x.ndim == 0:
        return x.copy(), np.zeros((), np.int64)
    i = _stable_order(x, dim, descending)
    return np.take_along_axis(x, i, dim), i


def _argsort_ref(x, dim=-1, descending=False, stable=False):
    return _sort_ref(x, dim, descending)[1]


# distinct values (grid, unique): a tie would swap places under finite differences
op("sort", ref=_sort_ref, inputs=one(elements=grid(), unique=True), kwargs=_sort_kwargs)
op("argsort", ref=_argsort_ref, inputs=one(elements=_small_ints), kwargs=_sort_kwargs, differentiable=False)


@st.composite
def _topk_case(draw):
    x = draw(arrays(elements=grid(), unique=True))
    nd = x.ndim
    d = draw(st.integers(-nd, nd - 1)) if nd else draw(st.sampled_from([0, -1]))
    n = x.shape[d] if nd else 1
    kw = draw(st.fixed_dictionaries({"dim": st.just(d)}, optional={"largest": st.booleans(),
                                                                    "sorted": st.just(True)}))
    return (x, draw(st.integers(0, n))), kw


def _topk_ref(x, k, dim=-1, largest=True, sorted=True):
    if x.ndim == 0:
        return x.copy(), np.zeros((), np.int64)
    i = _stable_order(x, dim, largest)
    i = np.take(i, np.arange(k), axis=dim)
    return np.take_along_axis(x, i, dim), i


op("topk", case=_topk_case(), ref=_topk_ref)


def _nonzero_ref(x, as_tuple=False):
    if as_tuple:
        return tuple(np.nonzero(x.reshape(1) if x.ndim == 0 else x))
    return np.argwhere(x)


op("nonzero", ref=_nonzero_ref, inputs=one(elements=_small_ints), differentiable=False,
   kwargs=lambda a: st.one_of(st.just({}), st.fixed_dictionaries({"as_tuple": st.booleans()})))
op("argwhere", ref=np.argwhere, inputs=one(elements=_small_ints), differentiable=False)


def _scan_kwargs(args):
    nd = args[0].ndim
    return st.fixed_dictionaries({"dim": st.integers(-nd, nd - 1) if nd else st.sampled_from([0, -1])})


def _scan_ref(f):
    return lambda x, dim: x.copy() if x.ndim == 0 else f(x, axis=dim)


op("cumsum", ref=_scan_ref(np.cumsum), inputs=one(), kwargs=_scan_kwargs)
op("cumsum_int", names=("cumsum",), ref=lambda x, dim: _scan_ref(np.cumsum)(x, dim).astype(np.int64),
   inputs=st.tuples(st.one_of(hnp.arrays(np.int32, shapes(), elements=st.integers(-5, 5)),
                              hnp.arrays(np.bool_, shapes()))), kwargs=_scan_kwargs, differentiable=False)
# zeros are frequent: the gradient may not divide by the input (one zero, several, and a zero then more)
op("cumprod", ref=_scan_ref(np.cumprod), inputs=one(elements=st.one_of(st.just(0.0), reals(-1.5, 1.5))),
   kwargs=_scan_kwargs)


@st.composite
def _roll_case(draw):
    x = draw(arrays())
    if x.ndim == 0 or draw(st.booleans()):
        return (x,), {"shifts": draw(st.integers(-4, 4))}
    dims = draw(st.lists(st.integers(-x.ndim, x.ndim - 1), min_size=1, max_size=2))
    shifts = [draw(st.integers(-4, 4)) for _ in dims]
    return (x,), {"shifts": tuple(shifts), "dims": tuple(dims)}


op("roll", case=_roll_case(), ref=lambda x, shifts, dims=None: np.roll(x, shifts, axis=dims))


@st.composite
def _repeat_interleave_case(draw):
    x = draw(arrays())
    dim = None if x.ndim == 0 or draw(st.booleans()) else draw(st.integers(-x.ndim, x.ndim - 1))
    n = x.size if dim is None else x.shape[dim]
    if draw(st.booleans()):  # counts per entry (a tensor): some 0, repeats of the same entry common
        reps = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, 3)))
    else:
        reps = draw(st.integers(0, 3))
    return (x, reps), ({} if dim is None else {"dim": dim})


op("repeat_interleave", case=_repeat_interleave_case(), ref=lambda x, r, dim=None: np.repeat(x, r, axis=dim))
op("repeat_interleave_counts", names=("repeat_interleave",), differentiable=False,
   inputs=st.tuples(hnp.arrays(np.int64, st.integers(0, 4), elements=st.integers(0, 3))),
   ref=lambda r: np.repeat(np.arange(r.size), r))

op("lerp", ref=lambda x, e, w: x + w * (e - x), inputs=broadcast(3))
op("lerp_scalar", names=("lerp",), ref=lambda x, e, w: x + w * (e - x), inputs=broadcast(2),
   fn=lambda x, e, w: autograd.lerp(x, e, w),
   kwargs=lambda a: st.fixed_dictionaries({"w": st.sampled_from([0.0, 0.25, 0.75, 1.0, 1.5])}))


@st.composite
def _fixed_rank_case(draw, batched=False, added=False):
    n, k, m = (draw(st.integers(1, MAX_SIDE)) for _ in range(3))
    lead = (draw(st.integers(1, MAX_SIDE)),) if batched else ()
    a, b = draw(arrays(lead + (n, k))), draw(arrays(lead + (k, m)))
    if not added:
        return (a, b), {}
    inp = draw(arrays(suffix_shape(draw, lead + (n, m))))
    kw = draw(st.fixed_dictionaries({}, optional={"beta": st.sampled_from([0.0, 0.5, 1.0, 2.0]),
                                                  "alpha": st.sampled_from([1.0, -1.5])}))
    return (inp, a, b), kw


op("mm", case=_fixed_rank_case(), ref=np.matmul)
op("bmm", case=_fixed_rank_case(batched=True), ref=np.matmul)
op("addmm", case=_fixed_rank_case(added=True),
   ref=lambda c, a, b, beta=1, alpha=1: np.broadcast_to(beta * c, (a.shape[0], b.shape[1])) + alpha * (a @ b))
op("baddbmm", case=_fixed_rank_case(batched=True, added=True),
   ref=lambda c, a, b, beta=1, alpha=1: beta * c + alpha * (a @ b))


# sampling: inputs whose outcome is certain (one category with weight per row; probabilities 0 or 1), so the
# draw is compared exactly; tests/test_new_ops.py checks the statistics of the uncertain cases
@st.composite
def _one_hot_case(draw):
    r, n = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    hot = draw(hnp.arrays(np.int64, (r,), elements=st.integers(0, n - 1)))
    w = np.zeros((r, n))
    w[np.arange(r), hot] = draw(st.sampled_from([0.5, 1.0, 3.0]))
    replacement = draw(st.booleans())
    k = draw(st.integers(1, 4)) if replacement else 1
    if draw(st.booleans()):
        w = w[0]
    return (w, k), {"replacement": replacement}


def _one_hot_ref(w, k, replacement):
    hot = np.argmax(w, axis=-1)
    return np.repeat(hot[..., None], k, axis=-1).astype(np.int64)


op("multinomial", case=_one_hot_case(), ref=_one_hot_ref, differentiable=False)
op("bernoulli", ref=np.copy, differentiable=False,
   inputs=one(elements=st.sampled_from([0.0, 1.0])))


# -- error inputs -------------------------------------------------------------------------------------------------
# Each op's bad calls and what they must raise: the op's name in the message, and the value or shapes at fault.

def _o(*s):
    return autograd.ones(*s)


def _i(*v):
    return autograd.tensor(list(v))


def E(what, call, exc, match):
    return ErrorInput(what, call, exc, match)


def _not_a_tensor(name, fn):
    return (E(f"{name}(None)", lambda: fn(None), TypeError, rf"{name}: expected a Tensor.*NoneType"),
            E(f"{name}('a')", lambda: fn("a"), TypeError, rf"{name}: expected a Tensor.*'a'"))


def _broadcast(name, fn):
    return (E(f"{name}((3, 4), (5, 6))", lambda: fn(_o(3, 4), _o(5, 6)), ValueError, rf"{name}.*\(3, 4\).*\(5, 6\)"),)


def _dims(name, fn):
    return (E(f"{name}(dim=5)", lambda: fn(_o(2, 3), dim=5), IndexError, rf"{name}: dimension 5 is out of range"),
            E(f"{name}(dim='a')", lambda: fn(_o(2, 3), dim="a"), TypeError, rf"{name}: dim must be an integer.*'a'"))


_UNARY = ("abs", "neg", "sign", "step", "exp", "expm1", "log", "log1p", "sqrt", "sin", "cos", "tan", "tanh",
          "sigmoid", "relu", "silu", "erf", "leaky_relu", "elu", "gelu", "softplus", "logical_not", "isnan", "isinf",
          "isfinite", "square")
ERRORS = {name: _not_a_tensor(name, getattr(autograd, name)) for name in _UNARY}
ERRORS["clone"] = (E("clone('a')", lambda: autograd.clone("a"), TypeError, r"clone: expected a Tensor"),)
ERRORS["gelu"] += (E("gelu(approximate='x')", lambda: autograd.gelu(_o(2), approximate="x"), ValueError,
                     r"gelu: approximate must be 'none' or 'tanh', got 'x'"),)
ERRORS["clamp"] = (E("clamp(x)", lambda: autograd.clamp(_o(2)), ValueError, r"clamp: at least one of min and max"),)
ERRORS["clip"] = (E("clip(x)", lambda: autograd.clip(_o(2)), ValueError, r"clamp: at least one of min and max"),)
for _name in ("add", "sub", "mul", "div", "pow", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge",
              "floor_divide", "remainder", "fmod"):
    ERRORS[_name] = _broadcast(_name, getattr(autograd, _name))
for _name, _sym in (("add", "+"), ("sub", "-"), ("mul", "*"), ("div", "/"), ("pow", "**")):
    ERRORS[_name] += (E(f"x {_sym} 'a'", (lambda f: lambda: f(_o(2), "a"))(getattr(autograd, _name)), TypeError,
                        rf"{_name}: unsupported operand of <U1 data 'a'"),)
ERRORS["pow"] += (E("int ** -1", lambda: _i(1, 2) ** -1, RuntimeError,
                    r"pow: integers to negative integer powers are not allowed.*int64.*-1"),)
ERRORS["where"] = (E("where((2,), (3,), (4,))", lambda: autograd.where(_o(2) > 0, _o(3), _o(4)), ValueError,
                     r"where: condition of shape \(2,\)"),)
for _name in ("sum", "mean", "prod", "amax", "amin", "logsumexp", "var", "std", "norm", "any", "all"):
    ERRORS[_name] = _dims(_name if _name not in ("amax", "amin") else _name[1:], getattr(autograd, _name))
ERRORS["mean"] += (E("mean(int64)", lambda: autograd.mean(_i(1, 2)), TypeError, r"mean: input dtype should be floating"),)
ERRORS["var"] += (E("var(int64)", lambda: autograd.var(_i(1, 2)), TypeError, r"var: input dtype should be floating"),)
ERRORS["sum"] += (E("sum(keepdim='a')", lambda: autograd.sum(_o(2), dim=0, keepdim="a"), TypeError,
                    r"sum: keepdim must be True or False"),)
ERRORS["norm"] += (E("norm(p=-1)", lambda: autograd.norm(_o(2), -1), ValueError, r"norm: p must be a positive number"),)
for _name in ("argmax", "argmin"):
    ERRORS[_name] = (E(f"{_name}(empty)", (lambda f: lambda: f(_o(0)))(getattr(autograd, _name)), IndexError,
                       rf"{_name}: an empty tensor of shape \(0,\)"),
                     E(f"{_name}(dim=5)", (lambda f: lambda: f(_o(2), dim=5))(getattr(autograd, _name)), IndexError,
                       rf"{_name}: dimension 5 is out of range"))
for _name in ("max", "min"):
    ERRORS[_name] = (E(f"{_name}(empty)", (lambda f: lambda: f(_o(0)))(getattr(autograd, _name)), IndexError,
                       rf"{_name}: an empty tensor of shape \(0,\) has no {_name}imum"),
                     E(f"{_name}(x, 'a')", (lambda f: lambda: f(_o(2), "a"))(getattr(autograd, _name)), TypeError,
                       rf"{_name}: the second argument must be a dim"))
for _name in ("softmax", "log_softmax"):
    ERRORS[_name] = (E(f"{_name}(dim=5)", (lambda f: lambda: f(_o(2), dim=5))(getattr(autograd, _name)), IndexError,
                       rf"{_name}: dimension 5 is out of range"),
                     E(f"{_name}(int64)", (lambda f: lambda: f(_i(1, 2)))(getattr(autograd, _name)), TypeError,
                       rf"{_name}: input dtype should be floating"))
ERRORS["reshape"] = (E("reshape(-2, 3)", lambda: autograd.reshape(_o(2, 3), -2, 3), ValueError,
                       r"reshape: invalid size -2 at position 0"),
                     E("reshape(-1, -1)", lambda: autograd.reshape(_o(2, 3), -1, -1), ValueError,
                       r"reshape: only one dimension can be inferred"),
                     E("reshape(7)", lambda: autograd.reshape(_o(2, 3), 7), ValueError,
                       r"reshape: shape \(7,\) is invalid for input of shape \(2, 3\)"),
                     E("reshape('a')", lambda: autograd.reshape(_o(2, 3), "a"), TypeError,
                       r"reshape: sizes must be integers, got str 'a'"))
ERRORS["flatten"] = (E("flatten(1, 0)", lambda: autograd.flatten(_o(2, 3), 1, 0), ValueError,
                       r"flatten: start_dim 1 comes after end_dim 0"),
                     E("flatten(5)", lambda: autograd.flatten(_o(2, 3), 5), IndexError, r"flatten: dimension 5"))
ERRORS["squeeze"] = (E("squeeze(5)", lambda: autograd.squeeze(_o(2, 1), 5), IndexError, r"squeeze: dimension 5"),
                     E("squeeze(1.5)", lambda: autograd.squeeze(_o(2, 1), 1.5), TypeError, r"squeeze: dim must be an int"))
ERRORS["unsqueeze"] = (E("unsqueeze(5)", lambda: autograd.unsqueeze(_o(2), 5), IndexError, r"unsqueeze: dim 5"),
                       E("unsqueeze('a')", lambda: autograd.unsqueeze(_o(2), "a"), TypeError,
                         r"unsqueeze: dim must be an integer"))
ERRORS["expand_dims"] = (E("expand_dims(axis=(0, 5))", lambda: autograd.expand_dims(_o(2), (0, 5)), IndexError,
                           r"expand_dims: dimension 5"),)
ERRORS["broadcast_to"] = (E("broadcast_to((3,))", lambda: autograd.broadcast_to(_o(2), (3,)), ValueError,
                            r"expand: cannot broadcast a tensor of shape \(2,\) to \(3,\)"),)
ERRORS["expand"] = (E("expand(4)", lambda: autograd.expand(_o(2, 3), 4), ValueError,
                      r"expand: the number of sizes \(1\) must be at least"),
                    E("expand(-2, 3)", lambda: autograd.expand(_o(2, 3), -2, 3), ValueError, r"expand: invalid size -2"))
ERRORS["expand_as"] = (E("expand_as('a')", lambda: autograd.expand_as(_o(2), "a"), TypeError,
                         r"expand_as: other must be a Tensor"),)
ERRORS["permute"] = (E("permute(0, 0)", lambda: autograd.permute(_o(2, 3), 0, 0), ValueError, r"permute: dims \(0, 0\) repeat"),
                     E("permute(0)", lambda: autograd.permute(_o(2, 3), 0), ValueError, r"permute: dims \(0,\) name 1 axes"),
                     E("permute(-3, 0)", lambda: autograd.permute(_o(2, 3), -3, 0), IndexError, r"permute: dimension -3"))
ERRORS["transpose"] = (E("transpose(0, 5)", lambda: autograd.transpose(_o(2, 3), 0, 5), IndexError,
                         r"transpose: dimension 5"),)
ERRORS["swapaxes"] = (E("swapaxes(0, 5)", lambda: autograd.swapaxes(_o(2, 3), 0, 5), IndexError,
                        r"transpose: dimension 5"),)
ERRORS["t"] = (E("t(3-d)", lambda: autograd.t(_o(2, 2, 2)), ValueError, r"t: expects a tensor of at most 2 dimensions"),)
ERRORS["tile"] = (E("tile(-1)", lambda: autograd.tile(_o(2), -1), ValueError, r"tile: invalid size -1"),)
ERRORS["repeat"] = (E("repeat(2) of 2-d", lambda: autograd.repeat(_o(2, 3), 2), ValueError,
                      r"repeat: number of repeat sizes \(1\)"),)
ERRORS["flip"] = (E("flip(5)", lambda: autograd.flip(_o(2), 5), IndexError, r"flip: dimension 5"),)
ERRORS["cat"] = (E("cat of 0-d", lambda: autograd.cat([autograd.tensor(1.0), autograd.tensor(2.0)]), ValueError,
                   r"cat: zero-dimensional tensor \(at position 0\)"),
                 E("cat(Tensor)", lambda: autograd.cat(_o(2, 2)), TypeError, r"cat: expected a list or tuple"),
                 E("cat([x, 'a'])", lambda: autograd.cat([_o(2), "a"]), TypeError, r"cat: expected a Tensor"),
                 E("cat((2, 3), (2, 4))", lambda: autograd.cat([_o(2, 3), _o(2, 4)]), ValueError,
                   r"cat: sizes of tensors must match except in dimension 0"))
ERRORS["stack"] = (E("stack((2,), (3,))", lambda: autograd.stack([_o(2), _o(3)]), ValueError,
                     r"stack: expects each tensor to be equal size"),
                   E("stack([])", lambda: autograd.stack([]), ValueError, r"stack: expected a non-empty list"))
ERRORS["split"] = (E("split([1, 1]) of 3", lambda: autograd.split(_o(3), [1, 1]), ValueError,
                     r"split: sections \[1, 1\] sum to 2"),
                   E("split of 0-d", lambda: autograd.split(autograd.tensor(1.0), 1), ValueError,
                     r"split: expects at least a 1-dimensional"))
ERRORS["unbind"] = (E("unbind of 0-d", lambda: autograd.unbind(autograd.tensor(1.0)), ValueError,
                      r"unbind: a 0-d tensor has no dimension"),)
ERRORS["chunk"] = (E("chunk(0)", lambda: autograd.chunk(_o(3), 0), ValueError, r"chunk: chunks must be positive, got 0"),)
ERRORS["pad"] = (E("pad((1,))", lambda: autograd.pad(_o(2, 2), (1,)), ValueError, r"pad: pad length 1 must be even"),
                 E("pad((1.5, 1))", lambda: autograd.pad(_o(2, 2), (1.5, 1)), TypeError, r"pad: pad must be a tuple of int"))
ERRORS["getitem"] = (E("x[5]", lambda: autograd.getitem(_o(2, 3), 5), IndexError, r"getitem: index 5 is invalid"),)
ERRORS["index_put"] = (E("x[0] = ones(4)", lambda: autograd.index_put(_o(2, 3), 0, _o(4)), ValueError,
                         r"setitem: cannot assign a value of shape \(4,\)"),)
ERRORS["matmul"] = (E("(3, 4) @ (5, 6)", lambda: autograd.matmul(_o(3, 4), _o(5, 6)), ValueError,
                      r"matmul: cannot multiply \(3, 4\) by \(5, 6\)"),)
ERRORS["dot"] = (E("dot of 2-d", lambda: autograd.dot(_o(2, 2), _o(2, 2)), ValueError, r"dot: expected two 1-D"),)
ERRORS["outer"] = (E("outer of 2-d", lambda: autograd.outer(_o(2, 2), _o(2)), ValueError, r"outer: expected two 1-D"),)
ERRORS["einsum"] = (E("einsum('ij,jk', one operand)", lambda: autograd.einsum("ij,jk", _o(2, 2)), ValueError,
                      r"einsum: 2 operand subscripts for 1 operands"),)

# the matrix products are declared in ops/linalg.py; their entries are looked up lazily, so the table does not
# fail to import while an op is being added
for _name, _call, _match in (
        ("mm", lambda: autograd.mm(_o(2, 3), _o(2, 3)), r"mm: input and mat2 shapes cannot be multiplied"),
        ("bmm", lambda: autograd.bmm(_o(2, 3), _o(3, 2)), r"bmm: input must be a 3-D tensor, got shape \(2, 3\)"),
        ("addmm", lambda: autograd.addmm(_o(2, 2), _o(2, 3), _o(2, 3)), r"addmm: mat1 and mat2 shapes cannot"),
        ("baddbmm", lambda: autograd.baddbmm(_o(1, 2, 2), _o(1, 2, 3), _o(1, 2, 3)),
         r"baddbmm: batch1 and batch2 shapes cannot be multiplied")):
    if _name in autograd.OPS:
        ERRORS[_name] = (E(f"{_name} of mismatched shapes", _call, RuntimeError, _match),)


# issue 14's ops
_ix = lambda *v: autograd.tensor(list(v))  # noqa: E731 - an int64 index tensor
ERRORS["tril"] = (E("tril of 1-d", lambda: autograd.tril(_o(3)), RuntimeError, r"tril: input tensor must have at least 2"),
                  E("tril(diagonal=1.5)", lambda: autograd.tril(_o(2, 2), 1.5), TypeError, r"tril: diagonal must be an integer"))
ERRORS["triu"] = (E("triu of 0-d", lambda: autograd.triu(autograd.tensor(1.0)), RuntimeError, r"triu: input tensor must have at"),)
ERRORS["diagonal"] = (E("diagonal(0, 0, 0)", lambda: autograd.diagonal(_o(2, 2), 0, 0, 0), RuntimeError,
                        r"diagonal: dimensions cannot be identical"),
                      E("diagonal of 1-d", lambda: autograd.diagonal(_o(3)), IndexError, r"diagonal: needs a tensor of at least 2"))
ERRORS["diag"] = (E("diag of 3-d", lambda: autograd.diag(_o(2, 2, 2)), RuntimeError, r"diag: supports 1-D or 2-D tensors, got 3-D"),)
ERRORS["masked_fill"] = (
    E("masked_fill(int mask)", lambda: autograd.masked_fill(_o(3), _ix(1, 0, 1), 0.0), RuntimeError,
      r"masked_fill: only supports boolean masks"),
    E("masked_fill(mask (2,) for (2, 3))", lambda: autograd.masked_fill(_o(2, 3), autograd.tensor([True, False]), 0.0),
      RuntimeError, r"masked_fill: the mask of shape \(2,\) does not broadcast with the input of shape \(2, 3\)"),
    E("masked_fill(value of shape (1,))", lambda: autograd.masked_fill(_o(3), _o(3) > 0, _o(1)), RuntimeError,
      r"masked_fill: only supports a 0-dimensional value tensor"),
    E("masked_fill(value='a')", lambda: autograd.masked_fill(_o(3), _o(3) > 0, "a"), TypeError,
      r"masked_fill: value must be a number"))
ERRORS["gather"] = (
    E("gather(float index)", lambda: autograd.gather(_o(2, 3), 1, _o(2, 2)), RuntimeError, r"gather: expected dtype int32 or int64"),
    E("gather(index 3 of 3)", lambda: autograd.gather(_o(2, 3), 1, autograd.tensor([[0, 3]])), RuntimeError,
      r"gather: index 3 is out of bounds for dimension 1 with size 3"),
    E("gather(index -1)", lambda: autograd.gather(_o(2, 3), 1, autograd.tensor([[-1]])), RuntimeError,
      r"gather: index -1 is out of bounds"),
    E("gather(1-d index for 2-d)", lambda: autograd.gather(_o(2, 3), 1, _ix(0, 1)), RuntimeError,
      r"gather: index must have the same number of dimensions"),
    E("gather(index (3, 2) for (2, 3))", lambda: autograd.gather(_o(2, 3), 1, autograd.zeros(3, 2, dtype=autograd.int64)),
      RuntimeError, r"gather: index of shape \(3, 2\) is larger than self of shape \(2, 3\) at dimension 0"),
    E("gather(dim=2)", lambda: autograd.gather(_o(2, 3), 2, _ix(0)), IndexError, r"gather: dimension 2 is out of range"),
    E("gather(list index)", lambda: autograd.gather(_o(2, 3), 1, [[0]]), TypeError, r"gather: index must be an integer Tensor"))
ERRORS["take_along_dim"] = (
    E("take_along_dim(ndim mismatch)", lambda: autograd.take_along_dim(_o(2, 3), _ix(0), 1), RuntimeError,
      r"take_along_dim: input and indices should have the same number of dimensions"),
    E("take_along_dim(no broadcast)", lambda: autograd.take_along_dim(_o(2, 3), autograd.zeros(3, 1, dtype=autograd.int64), 1),
      RuntimeError, r"take_along_dim: input of shape \(2, 3\) and indices of shape \(3, 1\) do not broadcast"))
ERRORS["index_select"] = (
    E("index_select(2-d index)", lambda: autograd.index_select(_o(2, 3), 1, autograd.tensor([[0, 1]])), IndexError,
      r"index_select: index must be a vector"),
    E("index_select(index 3)", lambda: autograd.index_select(_o(2, 3), 1, _ix(3)), RuntimeError,
      r"index_select: index 3 is out of bounds for dimension 1 with size 3"),
    E("index_select(float index)", lambda: autograd.index_select(_o(2, 3), 1, autograd.tensor([1.0])), RuntimeError,
      r"index_select: expected dtype int32 or int64"),
    E("index_select(0-d, 2 values)", lambda: autograd.index_select(autograd.tensor(5.0), 0, _ix(0, 0)), RuntimeError,
      r"index_select: index into a 0-d tensor can have only 1 value"))
ERRORS["scatter"] = (
    E("scatter(src smaller than index)", lambda: autograd.scatter(_o(2, 3), 1, autograd.zeros(2, 2, dtype=autograd.int64), _o(1, 1)),
      RuntimeError, r"scatter: index of shape \(2, 2\) is larger than src of shape \(1, 1\)"),
    E("scatter(float64 src into float32)", lambda: autograd.scatter(_o(2), 0, _ix(0), _o(1).double()), RuntimeError,
      r"scatter: expected self.dtype to be equal to src.dtype"),
    E("scatter(reduce='max')", lambda: autograd.scatter(_o(2), 0, _ix(0), _o(1), reduce="max"), RuntimeError,
      r"scatter: reduce argument must be either 'add' or 'multiply'"),
    E("scatter(no src)", lambda: autograd.scatter(_o(2), 0, _ix(0)), TypeError, r"scatter: missing src"),
    E("scatter(index 2 of 2)", lambda: autograd.scatter(_o(2), 0, _ix(2), 1.0), RuntimeError,
      r"scatter: index 2 is out of bounds for dimension 0 with size 2"))
ERRORS["scatter_add"] = (
    E("scatter_add(src=2.0)", lambda: autograd.scatter_add(_o(2), 0, _ix(0), 2.0), TypeError,
      r"scatter_add: src must be a Tensor"),
    E("scatter_add(index -3)", lambda: autograd.scatter_add(_o(2), 0, _ix(-3), _o(1)), RuntimeError,
      r"scatter_add: index -3 is out of bounds"))
ERRORS["sort"] = (E("sort(dim=3)", lambda: autograd.sort(_o(2, 2), 3), IndexError, r"sort: dimension 3 is out of range"),
                  E("sort(descending='yes')", lambda: autograd.sort(_o(2), descending="yes"), TypeError,
                    r"sort: descending must be True or False"))
ERRORS["argsort"] = (E("argsort(dim=1) of 1-d", lambda: autograd.argsort(_o(2), 1), IndexError,
                       r"argsort: dimension 1 is out of range"),)
ERRORS["topk"] = (E("topk(4) of 3", lambda: autograd.topk(_o(3), 4), RuntimeError, r"topk: selected index k=4 is out of range"),
                  E("topk(-1)", lambda: autograd.topk(_o(3), -1), RuntimeError, r"topk: selected index k=-1 is out of range"),
                  E("topk(2.0)", lambda: autograd.topk(_o(3), 2.0), TypeError, r"topk: k must be an integer"))
ERRORS["nonzero"] = (E("nonzero('a')", lambda: autograd.nonzero("a"), TypeError, r"nonzero: expected a Tensor"),)
ERRORS["argwhere"] = (E("argwhere(None)", lambda: autograd.argwhere(None), TypeError, r"argwhere: expected a Tensor"),)
ERRORS["cumsum"] = (E("cumsum(dim=2)", lambda: autograd.cumsum(_o(2, 3), 2), IndexError, r"cumsum: dimension 2 is out of range"),
                    E("cumsum(dtype=int32) requiring grad", lambda: autograd.cumsum(autograd.ones(2, requires_grad=True), 0,
                                                                                     dtype=autograd.int32),
                      RuntimeError, r"cumsum: autograd does not support dtype int32"))
ERRORS["cumprod"] = (E("cumprod(dim='a')", lambda: autograd.cumprod(_o(2), "a"), TypeError, r"cumprod: dim must be an integer"),)
ERRORS["roll"] = (E("roll((1, 2), 0)", lambda: autograd.roll(_o(2, 3), (1, 2), 0), RuntimeError,
                    r"roll: shifts and dims must align: 2 shifts for 1 dims"),
                  E("roll(1.5)", lambda: autograd.roll(_o(2), 1.5), TypeError, r"roll: shifts must be an integer"),
                  E("roll(1, 3)", lambda: autograd.roll(_o(2, 3), 1, 3), IndexError, r"roll: dimension 3 is out of range"))
ERRORS["repeat_interleave"] = (
    E("repeat_interleave(-1)", lambda: autograd.repeat_interleave(_o(2), -1), RuntimeError,
      r"repeat_interleave: repeats must be non-negative"),
    E("repeat_interleave(counts [1, -2])", lambda: autograd.repeat_interleave(_o(2, 3), _ix(1, -2), 0), RuntimeError,
      r"repeat_interleave: repeats can not be negative"),
    E("repeat_interleave(2 counts for 3)", lambda: autograd.repeat_interleave(_o(2, 3), _ix(1, 2), dim=1), RuntimeError,
      r"repeat_interleave: repeats must have the same size as input along dim 1"),
    E("repeat_interleave(float counts)", lambda: autograd.repeat_interleave(_o(2)), RuntimeError,
      r"repeat_interleave: alone, the input must be a 1-D integer tensor"))
ERRORS["lerp"] = (E("lerp(float32, float64)", lambda: autograd.lerp(_o(2), _o(2).double(), 0.5), RuntimeError,
                    r"lerp: expected dtype float32 for end but got float64"),
                  E("lerp(int64)", lambda: autograd.lerp(_ix(1), _ix(2), 0.5), RuntimeError, r"lerp: needs floating tensors"),
                  E("lerp(weight='a')", lambda: autograd.lerp(_o(2), _o(2), "a"), TypeError, r"lerp: weight must be a number"))
ERRORS["multinomial"] = (
    E("multinomial(3 of 2, no replacement)", lambda: autograd.multinomial(_o(2), 3), RuntimeError,
      r"multinomial: cannot sample 3 > 2 samples"),
    E("multinomial(negative)", lambda: autograd.multinomial(autograd.tensor([-1.0, 1.0]), 1), RuntimeError,
      r"multinomial: probability tensor contains either inf, nan or element < 0"),
    E("multinomial(zero row)", lambda: autograd.multinomial(autograd.zeros(2), 1), RuntimeError,
      r"multinomial: invalid multinomial distribution \(sum of probabilities <= 0\)"),
    E("multinomial(0-d)", lambda: autograd.multinomial(autograd.tensor(1.0), 1), RuntimeError,
      r"multinomial: prob_dist must be 1 or 2 dim"),
    E("multinomial(int64)", lambda: autograd.multinomial(_ix(1, 2), 1), RuntimeError,
      r"multinomial: only supports floating-point dtypes"),
    E("multinomial(0 samples)", lambda: autograd.multinomial(_o(2), 0), RuntimeError,
      r"multinomial: cannot sample num_samples=0 <= 0"),
    E("multinomial(generator=3)", lambda: autograd.multinomial(_o(2), 1, generator=3), TypeError,
      r"generator must be an autograd.Generator"))
ERRORS["bernoulli"] = (E("bernoulli(p > 1)", lambda: autograd.bernoulli(autograd.tensor([0.0, 2.0])), RuntimeError,
                         r"bernoulli: probabilities must be in \[0, 1\]"),
                       E("bernoulli(int64)", lambda: autograd.bernoulli(_ix(0, 1)), RuntimeError,
                         r"bernoulli: only supports floating-point dtypes"),
                       E("bernoulli(p=2)", lambda: autograd.bernoulli(_o(2), 2), RuntimeError,
                         r"bernoulli: expects p to be in \[0, 1\], but got p=2"))


def errors_for(spec):
    """The error inputs of the op ``spec`` calls (its first name): aliases share them."""
    return ERRORS.get(spec.names[0], ())


BY_ID = {s.id: s for s in REGISTRY}
assert len(BY_ID) == len(REGISTRY), "registry ids must be unique"


def covered_names():
    return {n for s in REGISTRY for n in s.names}


# -- rounding, closeness, narrow ----------------------------------------------------------------------------------

_WHOLE = tuple(float(k) for k in range(-3, 4))  # where floor, ceil and trunc jump
_HALVES = tuple(k + 0.5 for k in range(-4, 4))  # where round jumps
op("floor", ref=np.floor, inputs=one(elements=away(_WHOLE)))
op("ceil", ref=np.ceil, inputs=one(elements=away(_WHOLE)))
op("trunc", names=("trunc", "fix"), ref=np.trunc, inputs=one(elements=away(_WHOLE)))
op("round", ref=np.round, inputs=one(elements=away(_HALVES)))
op("round_decimals", names=("round",), fn=lambda x: autograd.round(x, decimals=1),
   ref=lambda x: np.round(x, 1), inputs=one(elements=away(tuple(k / 10 + 0.05 for k in range(-30, 30)), 0.01)))
op("isclose", ref=lambda a, b: np.isclose(a, b), inputs=broadcast(2, grid(step=0.5), grid(step=0.5)),
   differentiable=False)


@st.composite
def _narrow_case(draw):
    x = draw(arrays(shapes(min_dims=1)))
    dim = draw(st.integers(-x.ndim, x.ndim - 1))
    size = x.shape[dim]
    start = draw(st.integers(-size, size))
    begin = start % size if start < 0 else start
    length = draw(st.integers(0, size - begin))
    return (x,), {"dim": dim, "start": start, "length": length}


def _narrow_ref(x, dim, start, length):
    begin = start % x.shape[dim] if start < 0 else start
    return np.take(x, range(begin, begin + length), axis=dim)


op("narrow", ref=_narrow_ref, case=_narrow_case())

for _name in ("floor", "ceil", "trunc", "round"):
    ERRORS[_name] = _not_a_tensor(_name, getattr(autograd, _name))
ERRORS["round"] += (E("round(decimals=0.5)", lambda: autograd.round(_o(2), decimals=0.5), TypeError,
                      r"round: decimals must be an int"),)
ERRORS["isclose"] = _broadcast("isclose", autograd.isclose)
ERRORS["narrow"] = (
    E("narrow(0-d)", lambda: autograd.narrow(autograd.tensor(1.0), 0, 0, 1), RuntimeError,
      r"narrow: cannot be applied to a 0-dim tensor"),
    E("narrow(start=5)", lambda: autograd.narrow(_o(3), 0, 5, 1), IndexError, r"narrow: start 5 is out of range"),
    E("narrow(length too long)", lambda: autograd.narrow(_o(3), 0, 1, 5), RuntimeError,
      r"narrow: start \(1\) \+ length \(5\) exceeds dimension 0 of size 3"),
)
