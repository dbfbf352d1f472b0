"""Pooling ops: window maxima and window sums over strided views, for any number of spatial dimensions.

``MaxPool`` sends each window's gradient to its first maximum; ``SumPool`` and ``SumPoolAdjoint`` are each
other's backward (average pooling is a sum pool scaled by ``nn.functional``), so gradients of any order follow.
"""
from __future__ import annotations

import math

from ..backend import array_module
from ..buffers import buffers
from ..grad_mode import state as _grad_mode
from . import labels
from ..node import Node
from .conv import crop_spatial, kernel_positions, pad_spatial, windows


_ALL = (slice(None), slice(None))


class PoolGeometry:
    """Kernel, stride, dilation, (lo, hi) padding and the spatial sizes in and out of a pooling."""

    __slots__ = ("kernel", "stride", "dilation", "pad", "in_size", "out_size")

    def __init__(self, kernel, stride, dilation, pad, in_size, out_size):
        self.kernel, self.stride, self.dilation = kernel, stride, dilation
        self.pad, self.in_size, self.out_size = pad, in_size, out_size

    def windows(self, x_padded):
        """A strided view (N, C, *kernel, *out) of the padded input: each output position's window, no copy."""
        return windows(x_padded, self.kernel, self.out_size, self.stride, self.dilation)

    def exact_cover(self) -> bool:
        """Windows tile the padded input exactly: every cell is in one window (a 2x2 pool of an even size)."""
        return all(d == 1 and s == k and o * s == n + lo + hi
                   for k, s, d, o, n, (lo, hi) in zip(self.kernel, self.stride, self.dilation, self.out_size,
                                                       self.in_size, self.pad))

    def padded_shape(self, lead):
        """The padded input's shape: the ``lead`` dimensions (N, C) and each spatial size plus its padding."""
        return tuple(lead) + tuple(n + lo + hi for n, (lo, hi) in zip(self.in_size, self.pad))


def _lowest(dtype, xp):
    return -xp.inf if dtype.kind == "f" else xp.iinfo(dtype).min


def _first_hits(win, out, kernel, xp):
    """For each kernel position in order, the outputs whose first maximum sits there (ties go to the first,
    a NaN to itself, as PyTorch)."""
    free = None
    hit = xp.empty(out.shape, dtype=bool)
    has_nan = out.dtype.kind == "f" and bool(xp.isnan(out).any())
    positions = list(kernel_positions(kernel))
    for i, k in enumerate(positions):
        v = win[_ALL + k]
        xp.equal(v, out, out=hit)
        if has_nan:
            hit |= v != v
        if free is None:
            free = ~hit
        else:
            hit &= free
            if i < len(positions) - 1:
                free ^= hit
        yield k, hit


class MaxPool(Node):
    """Window maxima; the gradient goes to each window's first maximum."""

    __slots__ = ("geo", "padded", "arg")
    label = labels.pool_name("max")

    def label_args(self) -> str:
        return labels.pool_attrs(self)
    save_inputs = True
    save_output = True

    def __init__(self, geo):
        self.geo = geo
        self.padded = self.arg = None

    def forward(self, x):
        xp = array_module(x)
        geo = self.geo
        padded = pad_spatial(x, geo.pad, _lowest(x.dtype, xp))
        win = geo.windows(padded)
        positions = list(kernel_positions(geo.kernel))
        out = buffers.empty(xp, win.shape[:2] + geo.out_size, x.dtype)
        out[...] = win[_ALL + positions[0]]
        if not _grad_mode.enabled:  # no backward can follow (no_grad): the maxima alone
            for k in positions[1:]:
                xp.maximum(out, win[_ALL + k], out=out)
            return out
        # the arg-max (which kernel position holds each window's first maximum) kept for backward: a strict
        # comparison keeps the first of ties; the update is arithmetic on small integers (arg += gt * (i - arg)),
        # as NumPy's masked writes are ~10x slower
        arg = buffers.zeros(xp, out.shape, xp.uint8 if len(positions) < 256 else xp.int32)
        step = buffers.empty(xp, out.shape, arg.dtype)
        gt = buffers.empty(xp, out.shape, bool)
        for i, k in enumerate(positions[1:], 1):
            v = win[_ALL + k]
            xp.greater(v, out, out=gt)
            xp.subtract(arg.dtype.type(i), arg, out=step)
            step *= gt
            arg += step
            xp.maximum(out, v, out=out)  # NaN propagates, as PyTorch
        if out.dtype.kind == "f" and out.size and bool(xp.isnan(out.max())):  # max is NaN where any is
            self.arg, self.padded = None, padded  # a NaN's window: backward finds the hits from the values
        else:
            self.arg, self.padded = arg, None
        return out

    def backward(self, g, xs, out, F):
        geo = self.geo
        padded = self.padded  # kept only where a NaN made the arg-max unusable
        if F.graph:  # a scatter of g by fixed indices: index_add differentiates itself
            x = xs[0].array
            idx = flat_argmax(x, out.array, geo, padded)
            n, c = x.shape[:2]
            flat = F.index_add((n * c, math.prod(geo.in_size)), (_rows(idx, n, c), idx.reshape(n * c, -1)),
                               F.reshape(g, (n * c, -1)))
            return (F.reshape(flat, tuple(x.shape)),)
        x = xs[0]
        xp = array_module(x)
        arg = self.arg
        exact = geo.exact_cover()
        gpad = (buffers.empty if exact else buffers.zeros)(xp, geo.padded_shape(x.shape[:2]), g.dtype)
        gwin = geo.windows(gpad)
        if arg is not None:  # kept from forward (kept for a retained graph's second backward too)
            hits = _arg_hits(arg, geo.kernel, xp)
        else:
            if padded is None:
                padded = pad_spatial(x, geo.pad, _lowest(x.dtype, xp))
            hits = _first_hits(geo.windows(padded), out, geo.kernel, xp)
        for k, hit in hits:
            if exact:  # each cell written once: no zeros, no add
                xp.multiply(g, hit, out=gwin[_ALL + k])
            else:
                gwin[_ALL + k] += g * hit
        return (crop_spatial(gpad, geo.pad, geo.in_size),)


def _arg_hits(arg, kernel, xp):
    """For each kernel position in order, the outputs whose kept arg-max is that position."""
    hit = buffers.empty(xp, arg.shape, bool)
    for i, k in enumerate(kernel_positions(kernel)):
        xp.equal(arg, i, out=hit)
        yield k, hit


def _rows(idx, n, c):
    xp = array_module(idx)
    return xp.arange(n * c).reshape(n * c, 1)


def flat_argmax(x, out, geo, padded=None):
    """Index of each window's first maximum into the flattened spatial dims of ``x`` (PyTorch's indices)."""
    xp = array_module(x)
    if padded is None:
        padded = pad_spatial(x, geo.pad, _lowest(x.dtype, xp))
    idx = xp.zeros(out.shape, dtype=xp.int64)
    for k, hit in _first_hits(geo.windows(padded), out, geo.kernel, xp):
        flat = 0
        for dim, (kk, s, d, o, (lo, _), n) in enumerate(zip(k, geo.stride, geo.dilation, geo.out_size, geo.pad,
                                                            geo.in_size)):
            pos = xp.arange(o) * s + kk * d - lo
            flat = flat * n + pos.reshape((o,) + (1,) * (len(k) - dim - 1))
        xp.copyto(idx, flat, where=hit, casting="unsafe")
    return idx


def _sum_pool(x, geo):
    xp = array_module(x)
    win = geo.windows(pad_spatial(x, geo.pad))
    positions = kernel_positions(geo.kernel)
    out = buffers.empty(xp, win.shape[:2] + geo.out_size, x.dtype)
    out[...] = win[_ALL + next(positions)]
    for k in positions:
        out += win[_ALL + k]
    return out


def _sum_pool_adjoint(g, geo, lead):
    xp = array_module(g)
    exact = geo.exact_cover()
    gpad = (buffers.empty if exact else buffers.zeros)(xp, geo.padded_shape(lead), g.dtype)
    gwin = geo.windows(gpad)
    for k in kernel_positions(geo.kernel):
        if exact:
            gwin[_ALL + k] = g
        else:
            gwin[_ALL + k] += g
    return crop_spatial(gpad, geo.pad, geo.in_size)


class SumPool(Node):
    """Window sums (zero padding); its backward is :class:`SumPoolAdjoint`, and the other way round."""

    __slots__ = ("geo",)
    label = labels.pool_name("sum")

    def label_args(self) -> str:
        return labels.pool_attrs(self)

    def __init__(self, geo):
        self.geo = geo

    def forward(self, x):
        return _sum_pool(x, self.geo)

    def backward(self, g, xs, out, F):
        lead = tuple(g.shape[:2])
        if F.graph:
            node = SumPoolAdjoint(self.geo, lead)
            return (node.apply1(g),)
        return (_sum_pool_adjoint(g, self.geo, lead),)


class SumPoolAdjoint(Node):
    """Spread each output's gradient over its window (adding where windows overlap)."""

    __slots__ = ("geo", "lead")
    def label(node) -> str:  # a function of the node, as Node.label allows
        """The op's name in a drawing: ``sum_pool2d_adjoint`` etc."""
        return f"sum_pool{len(node.geo.kernel)}d_adjoint"

    def label_args(self) -> str:
        return labels.pool_attrs(self)

    def __init__(self, geo, lead):
        self.geo, self.lead = geo, lead

    def forward(self, g):
        return _sum_pool_adjoint(g, self.geo, self.lead)

    def backward(self, gg, xs, out, F):
        if F.graph:
            return (SumPool(self.geo).apply1(gg),)
        return (_sum_pool(gg, self.geo),)
