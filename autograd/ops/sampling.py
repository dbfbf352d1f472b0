"""Random sampling: multinomial and bernoulli, and the Tensor methods that refill a tensor in place with
random values (``uniform_``, ``normal_``, ``bernoulli_``, ``exponential_``, ``geometric_``, ``log_normal_``,
``cauchy_``, ``random_``). No gradients flow through samples.

Draws come from ``generator=`` (an ``autograd.Generator`` or NumPy Generator: drawn on the host, then moved
to the tensor's device) or else from autograd's generator for the tensor's device, which
``autograd.manual_seed`` seeds. The in-place methods bump the version counter and refuse a leaf that
requires grad unless under ``no_grad``, as PyTorch's.
"""
from __future__ import annotations

import math

import numpy as _np  # dtype facts only (finfo/iinfo); samples are drawn by the tensor's array module

from ..node import Var
from .declare import op
from .util import as_var, is_int, nograd, shape_str


def _draw(x, generator, fn):
    """``fn(g)`` with ``g`` the generator to use, as an array on ``x``'s device."""
    if generator is None:
        from ..random import generator as device_generator

        return fn(device_generator(x._module()))
    if not isinstance(generator, _np.random.Generator):
        raise TypeError(f"generator must be an autograd.Generator (or a NumPy Generator), got "
                        f"{type(generator).__name__}")
    from ..backend import to_device

    return to_device(fn(generator), x.device)


def _probabilities(op, p):
    d = p.array
    if d.dtype.kind != "f":
        raise RuntimeError(f"{op}: only supports floating-point dtypes for input, got {d.dtype}; convert with .float()")
    xp = p._module()
    if d.size and not bool(xp.all(xp.isfinite(d) & (d >= 0))):
        raise RuntimeError(f"{op}: probability tensor contains either inf, nan or element < 0")
    return d, xp


@op()
def multinomial(input, num_samples: int, replacement: bool = False, *, generator=None):
    """Indices drawn from the categories of each row of ``input`` (weights, not necessarily normalised):
    ``(num_samples,)`` for 1-D input, ``(rows, num_samples)`` for 2-D. Without replacement each index comes at
    most once, and zero-weight categories only once the others are used up (as PyTorch's).

    >>> import autograd
    >>> autograd.multinomial(autograd.tensor([0.0, 1.0, 0.0]), 2, replacement=True)
    tensor([1, 1])
    """
    p = as_var(input)
    if not is_int(num_samples):
        raise TypeError(f"multinomial: num_samples must be an integer, got {type(num_samples).__name__} "
                        f"{num_samples!r}")
    k = int(num_samples)
    if p.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim, got shape {shape_str(p)}")
    d, xp = _probabilities("multinomial", p)
    rows = d.reshape(1, -1) if p.ndim == 1 else d
    n = rows.shape[1]
    if n == 0:
        raise RuntimeError("multinomial: the distribution has no categories (size 0)")
    if k <= 0:
        raise RuntimeError(f"multinomial: cannot sample num_samples={k} <= 0 samples")
    if not replacement and k > n:
        raise RuntimeError(f"multinomial: cannot sample {k} > {n} samples (the number of categories) without "
                           f"replacement")
    w = rows.astype(xp.float64)
    total = w.sum(axis=1, keepdims=True)
    if rows.shape[0] and not bool((total > 0).all()):
        raise RuntimeError("multinomial: invalid multinomial distribution (sum of probabilities <= 0) in a row")
    r = rows.shape[0]
    if replacement:
        # inverse CDF, all rows at once: row i's CDF is shifted to [i, i + 1] in one sorted array
        cdf = xp.cumsum(w / total, axis=1)
        u = _draw(p, generator, lambda g: g.random((r, k)))
        offset = xp.arange(r, dtype=xp.float64).reshape(-1, 1)
        pos = xp.searchsorted((cdf + offset).reshape(-1), (xp.asarray(u) + offset).reshape(-1), side="right")
        idx = pos.reshape(r, k) - xp.arange(r).reshape(-1, 1) * n
        # rounding may carry a draw past the last category with weight: bring it back there
        last = n - 1 - xp.argmax(xp.flip(rows > 0, 1), axis=1).reshape(-1, 1)
        idx = xp.minimum(idx, last)
    else:
        # exponential races (E_i / w_i, smallest first): the order in which draws without replacement come
        e = xp.asarray(_draw(p, generator, lambda g: g.standard_exponential((r, n))))
        with _np.errstate(divide="ignore"):
            keys = xp.where(w > 0, e / xp.where(w > 0, w, 1.0), xp.inf)
        idx = xp.argsort(keys, axis=1, kind="stable")[:, :k]
    idx = idx.astype(xp.int64)
    return nograd(p, idx.reshape(-1) if p.ndim == 1 else idx)


@op()
def bernoulli(input, p=None, *, generator=None):
    """1 with probability ``input`` (or the number ``p``, for every entry), else 0, in ``input``'s dtype.

    >>> import autograd
    >>> autograd.bernoulli(autograd.tensor([0.0, 1.0, 1.0]))
    tensor([0., 1., 1.])
    """
    x = as_var(input)
    xp = x._module()
    if p is None:
        probs, _ = _probabilities("bernoulli", x)
        if probs.size and not bool((probs <= 1).all()):
            raise RuntimeError("bernoulli: probabilities must be in [0, 1]; some input entries are above 1")
    else:
        probs = _probability("bernoulli", p)
    u = _draw(x, generator, lambda g: g.random(tuple(x.shape)))
    return nograd(x, (xp.asarray(u) < probs).astype(x.dtype))


def _probability(op, p):
    if isinstance(p, Var):
        raise TypeError(f"{op}: p must be a number here; pass a tensor of probabilities as the input instead")
    if isinstance(p, bool) or not isinstance(p, (int, float)):
        raise TypeError(f"{op}: p must be a number, got {type(p).__name__} {p!r}")
    if not 0 <= p <= 1:
        raise RuntimeError(f"{op}: expects p to be in [0, 1], but got p={p}")
    return float(p)


# -- in-place random refills (Tensor methods) -------------------------------------------------------------

def _refill(self, name, values):
    """Write ``values`` into ``self`` through the one in-place mechanism (autograd._methods._inplace): leaf
    and view checks, a zero gradient to the old value where it was recorded, the version bump."""
    from .. import _methods
    from ..tensor import Tensor

    return _methods._inplace(self, name, _methods._fill, Tensor._wrap(values.astype(self.dtype, copy=False), None))


def _floating(name, self, what):
    if self.dtype.kind not in "fc":
        raise RuntimeError(f"{name}: {what} needs a floating tensor, got {self.dtype} (shape {shape_str(self)}); "
                           f"convert it with .float() first")


def _number(name, arg, v):
    if isinstance(v, bool) or not isinstance(v, (int, float, _np.integer, _np.floating)):
        raise TypeError(f"{name}: {arg} must be a number, got {type(v).__name__} {v!r}")
    return float(v)


def _shape_of(self):
    return tuple(self.shape)


@op(public=False)
def uniform_(self, from_=0.0, to=1.0, *, generator=None, **kw):
    """Refill with samples from U(from, to) (``from`` may be given by keyword as ``from`` or ``from_``).

    >>> import autograd
    >>> w = autograd.empty(1000).uniform_(-0.1, 0.1)
    >>> bool((w.abs() <= 0.1).all())
    True
    """
    lo = _number("uniform_", "from", kw.pop("from", from_))
    _no_more("uniform_", kw)
    hi = _number("uniform_", "to", to)
    _floating("uniform_", self, "a uniform distribution")
    if lo > hi:
        raise RuntimeError(f"uniform_: expects to return a [from, to) range, but found from={lo} > to={hi}")
    return _refill(self, "uniform_", _draw(self, generator, lambda g: g.uniform(lo, hi, _shape_of(self))))


@op(public=False)
def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Refill with samples from N(mean, std²).

    >>> import autograd
    >>> _ = autograd.manual_seed(0); w = autograd.empty(2, 3).normal_(0.0, 0.02)
    >>> w.shape, w.requires_grad
    ((2, 3), False)
    """
    m, s = _number("normal_", "mean", mean), _number("normal_", "std", std)
    _floating("normal_", self, "a normal distribution")
    if s < 0:
        raise RuntimeError(f"normal_: expects std >= 0.0, but found std {s}")
    from ..backend import normal

    return _refill(self, "normal_", _draw(self, generator, lambda g: normal(g, m, s, _shape_of(self))))


@op(public=False)
def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    """Refill with exp of samples from N(mean, std²)."""
    m, s = _number("log_normal_", "mean", mean), _number("log_normal_", "std", std)
    _floating("log_normal_", self, "a log-normal distribution")
    if s <= 0:
        raise RuntimeError(f"log_normal_: expects std > 0.0, but found std={s}")
    from ..backend import normal

    draws = _draw(self, generator, lambda g: normal(g, m, s, _shape_of(self)))
    return _refill(self, "log_normal_", self._module().exp(draws))


@op(public=False)
def bernoulli_(self, p=0.5, *, generator=None):
    """Refill with 1 with probability ``p`` (a number, or a tensor of probabilities broadcast to ``self``),
    else 0.

    >>> import autograd
    >>> autograd.empty(3).bernoulli_(autograd.tensor([0.0, 1.0, 1.0]))
    tensor([0., 1., 1.])
    """
    xp = self._module()
    if isinstance(p, Var):
        probs, _ = _probabilities("bernoulli_", p)
        if probs.size and not bool((probs <= 1).all()):
            raise RuntimeError("bernoulli_: expects p to be in [0, 1]; some entries of p are above 1")
    else:
        probs = _probability("bernoulli_", p)
    u = xp.asarray(_draw(self, generator, lambda g: g.random(_shape_of(self))))
    return _refill(self, "bernoulli_", u < probs)


@op(public=False)
def exponential_(self, lambd=1.0, *, generator=None):
    """Refill with samples from the exponential distribution of rate ``lambd``."""
    rate = _number("exponential_", "lambd", lambd)
    _floating("exponential_", self, "the exponential distribution (continuous)")
    if not rate > 0:
        raise RuntimeError(f"exponential_: expects lambda > 0.0, but found lambda={rate}")
    return _refill(self, "exponential_",
                   _draw(self, generator, lambda g: g.standard_exponential(_shape_of(self)) / rate))


@op(public=False)
def geometric_(self, p, *, generator=None):
    """Refill with the number of Bernoulli(``p``) trials up to and including the first success (1, 2, ...)."""
    q = _number("geometric_", "p", p)
    if not 0 < q < 1:
        raise RuntimeError(f"geometric_: expects p to be in (0, 1), but got p={q}")
    return _refill(self, "geometric_", _draw(self, generator, lambda g: g.geometric(q, _shape_of(self))))


@op(public=False)
def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    """Refill with samples from the Cauchy distribution ``median + sigma * tan(pi * (U - 1/2))``."""
    m, s = _number("cauchy_", "median", median), _number("cauchy_", "sigma", sigma)
    _floating("cauchy_", self, "the Cauchy distribution")
    if not s > 0:
        raise RuntimeError(f"cauchy_: expects sigma > 0.0, but found sigma={s}")
    u = _draw(self, generator, lambda g: g.random(_shape_of(self)))
    return _refill(self, "cauchy_", m + s * self._module().tan(math.pi * (u - 0.5)))


@op(public=False)
def random_(self, from_=None, to=None, *, generator=None, **kw):
    """Refill with integers in [from, to) (``random_(to)`` alone: [0, to)). With no bounds: [0, 2**mantissa]
    for floats (every integer exactly representable) and [0, max] for integers, as PyTorch's.

    >>> import autograd
    >>> x = autograd.empty(100, dtype=autograd.int64).random_(3, 7)
    >>> bool(((x >= 3) & (x < 7)).all())
    True
    """
    lo = kw.pop("from", from_)
    _no_more("random_", kw)
    if to is None and from_ is not None:
        lo, to = 0, from_  # random_(to)
    lo = 0 if lo is None else lo
    for arg, v in (("from", lo), ("to", to)):
        if v is not None and not is_int(v):
            raise TypeError(f"random_: {arg} must be an integer, got {type(v).__name__} {v!r}")
    dt = self.dtype
    if to is None:
        if dt.kind == "f":
            to = 2 ** (_np.finfo(dt).nmant + 1) + 1
        elif dt.kind == "b":
            to = 2
        else:
            to = int(_np.iinfo(dt).max) + 1
    lo, to = int(lo), int(to)
    if lo >= to:
        raise RuntimeError(f"random_: expects 'from' to be less than 'to', but got from={lo} >= to={to}")
    if dt.kind in "iu" and not (_np.iinfo(dt).min <= lo and to - 1 <= _np.iinfo(dt).max):
        raise RuntimeError(f"random_: [from, to) = [{lo}, {to}) does not fit in {dt}")
    wide = _np.uint64 if to > 2 ** 63 else _np.int64  # uint64 tensors may ask for [0, 2**64)
    draws = _draw(self, generator, lambda g: g.integers(lo, to, size=_shape_of(self), dtype=wide))
    return _refill(self, "random_", draws)


def _no_more(name, kw):
    if kw:
        raise TypeError(f"{name}: unexpected keyword argument {next(iter(kw))!r}")
