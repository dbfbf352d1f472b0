"""Rearranging entries along dimensions: roll and repeat_interleave (gathers, so getitem's scatter-add is
their gradient, repeated positions included)."""
from __future__ import annotations

from ..node import Var
from .declare import op
from .util import as_var, check_dim, is_int, shape_str


def _ints(op, name, v):
    t = tuple(v) if isinstance(v, (tuple, list)) else (v,)
    for s in t:
        if not is_int(s):
            raise TypeError(f"{op}: {name} must be an integer or a tuple of integers, got {type(s).__name__} {s!r}")
    return tuple(int(s) for s in t)


@op()
def roll(input, shifts, dims=None):
    """Shift entries along ``dims`` by ``shifts``, wrapping around; with no ``dims`` the flattened tensor is
    rolled and reshaped back.

    >>> import autograd
    >>> autograd.roll(autograd.arange(5.0), 2)
    tensor([3., 4., 0., 1., 2.])
    """
    x = as_var(input)
    s = _ints("roll", "shifts", shifts)
    if dims is None:
        if len(s) != 1:
            raise RuntimeError(f"roll: with dims=None, shifts must be one integer, got {shifts!r}")
        if x.ndim == 0:
            return x.clone()
        return roll(x.reshape(-1), s[0], 0).reshape(x.shape)
    d = _ints("roll", "dims", dims)
    if len(s) != len(d):
        raise RuntimeError(f"roll: shifts and dims must align: {len(s)} shifts for {len(d)} dims")
    d = tuple(check_dim("roll", a, x.ndim) for a in d)
    if x.ndim == 0:
        return x.clone()
    from .index import getitem

    xp = x._module()
    out = x
    for shift, a in zip(s, d):
        n = x.shape[a]
        if n and shift % n:
            out = getitem(out, (slice(None),) * a + ((xp.arange(n) - shift) % n,))
    return out if out is not x else x.clone()


@op()
def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat each entry (each slice along ``dim``) ``repeats`` times in place, unlike ``repeat`` which tiles
    the whole. ``repeats`` is an integer or a tensor of one count per entry; alone, an integer tensor ``t``
    gives ``arange(len(t))`` with entry ``i`` repeated ``t[i]`` times. No ``dim``: the flattened input.

    >>> import autograd
    >>> autograd.repeat_interleave(autograd.tensor([1.0, 2.0]), 2)
    tensor([1., 1., 2., 2.])
    """
    x = as_var(input)
    xp = x._module()
    if repeats is None:
        if x.ndim > 1 or x.dtype.kind not in "iu":
            raise RuntimeError(f"repeat_interleave: alone, the input must be a 1-D integer tensor of counts, got "
                               f"{x.dtype} of shape {shape_str(x)}")
        counts = _counts(x.array.reshape(-1), x.size, xp)
        return x._wrap(xp.repeat(xp.arange(x.size), counts), None)
    if dim is None:
        x = x.reshape(-1)
        d = 0
    else:
        d = check_dim("repeat_interleave", dim, x.ndim)
        if x.ndim == 0:
            x = x.reshape(1)
    n = x.shape[d]
    if isinstance(repeats, Var) or hasattr(repeats, "shape"):
        r = repeats.array if isinstance(repeats, Var) else repeats
        if r.dtype.kind not in "iu" or r.ndim > 1:
            raise RuntimeError(f"repeat_interleave: repeats must be an integer or a 0-d/1-D integer tensor, got "
                               f"{r.dtype} of shape {shape_str(r)}")
        r = xp.asarray(r).reshape(-1)
        if r.size == 1:
            r = xp.full(n, int(r[0]))
        elif r.size != n:
            raise RuntimeError(f"repeat_interleave: repeats must have the same size as input along dim {d}, got "
                               f"{r.size} repeats for size {n}")
        counts = _counts(r, n, xp)
    else:
        if not is_int(repeats):
            raise TypeError(f"repeat_interleave: repeats must be an integer or an integer tensor, got "
                            f"{type(repeats).__name__} {repeats!r}")
        if repeats < 0:
            raise RuntimeError(f"repeat_interleave: repeats must be non-negative, got {repeats}")
        counts = xp.full(n, int(repeats))
    index = xp.repeat(xp.arange(n), counts)
    if output_size is not None and output_size != index.size:
        raise RuntimeError(f"repeat_interleave: output_size={output_size} but the repeats give {index.size}")
    from .index import getitem

    return getitem(x, (slice(None),) * d + (index,))


def _counts(r, n, xp):
    if r.size and int(r.min()) < 0:
        raise RuntimeError(f"repeat_interleave: repeats can not be negative, got {int(r.min())}")
    return r.astype(xp.int64)
