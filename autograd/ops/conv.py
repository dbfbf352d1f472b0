"""Convolution ops: im2col over a strided view and one matrix product.

Three ops, each built from the other two's adjoints, so every backward is
written with the other ops and differentiates itself (gradients of any order):

- ``Convolution(x, w[, b])``: ``y = W @ im2col(x) + b``
- ``ConvTranspose(g, w)``: ``col2im(W^T @ g)``, the input gradient of a
  convolution, and the transposed convolution itself
- ``ConvWeightGrad(x, g)``: ``g @ im2col(x)^T``, the weight gradient

The spatial code is written once for any number of spatial dimensions;
``nn.functional`` checks the arguments and fixes it at one or two.
"""
from __future__ import annotations

import itertools
import math

from ..backend import array_module, as_strided
from ..buffers import buffers
from . import labels, winograd, winograd_3x3
from ..node import Node, needs


def windows(x, kernel, out_size, stride, dilation):
    """The view ``(N, C, *kernel, *out_size)`` of ``x`` (N, C, *spatial): element ``[n, c, *k, *o]``
    is ``x[n, c, *(o * stride + k * dilation)]``. No copy; writing through it writes into ``x``."""
    st = x.strides
    sp = st[2:]
    strides = st[:2] + tuple(s * d for s, d in zip(sp, dilation)) + tuple(s * k for s, k in zip(sp, stride))
    return as_strided(x, x.shape[:2] + tuple(kernel) + tuple(out_size), strides)


def pad_spatial(x, pads, value=0.0):
    """``x`` (N, C, *spatial) with ``pads[i] = (lo, hi)`` cells of ``value`` around spatial dim ``i``."""
    if not any(lo or hi for lo, hi in pads):
        return x
    xp = array_module(x)
    shape = x.shape[:2] + tuple(n + lo + hi for n, (lo, hi) in zip(x.shape[2:], pads))
    out = xp.zeros(shape, dtype=x.dtype) if value == 0 else xp.full(shape, value, dtype=x.dtype)
    out[(slice(None), slice(None)) + tuple(slice(lo, lo + n) for n, (lo, _) in zip(x.shape[2:], pads))] = x
    return out


def crop_spatial(x, pads, size):
    """Undo :func:`pad_spatial`: the ``size`` cells after each ``lo``."""
    if not any(lo or hi for lo, hi in pads):
        return x
    return x[(slice(None), slice(None)) + tuple(slice(lo, lo + n) for n, (lo, _) in zip(size, pads))]


def kernel_positions(kernel):
    """Every index into a kernel, in row-major order (loops run over these, never over pixels)."""
    return itertools.product(*(range(k) for k in kernel))


class Geometry:
    """What a convolution needs besides its operands: spatial sizes in and out, stride, padding, dilation, groups."""

    __slots__ = ("kernel", "stride", "pad", "dilation", "groups", "in_size", "out_size", "padded", "columns")

    def __init__(self, kernel, stride, pad, dilation, groups, in_size, out_size):
        self.kernel, self.stride, self.pad, self.dilation = tuple(kernel), tuple(stride), tuple(pad), tuple(dilation)
        self.groups, self.in_size, self.out_size = groups, tuple(in_size), tuple(out_size)
        self.padded = tuple(n + lo + hi for n, (lo, hi) in zip(self.in_size, self.pad))
        self.columns = math.prod(self.out_size)

    @property
    def spatial_axes(self):
        """The spatial dimensions of an (N, C, *spatial) operand: ``(2, 3)`` for a 2-D convolution."""
        return tuple(range(2, 2 + len(self.kernel)))


# Columns are laid out (G, C/G * prod(kernel), N * prod(out_size)): batch and positions side by side in one
# row, so the forward, the input gradient and the weight gradient are each ONE product per group (N folded
# into the columns) instead of N thin products, and the weight gradient sums over the batch inside BLAS.


def _cols_order(nd):
    """Axes of the windows view (N, C, *kernel, *out) in the columns' order (C, *kernel, N, *out)."""
    return (1,) + tuple(range(2, 2 + nd)) + (0,) + tuple(range(2 + nd, 2 + 2 * nd))


def im2col(x, geo):
    """Columns ``(G, C/G * prod(kernel), N * prod(out_size))`` of ``x`` (N, C, *in_size): one copy."""
    n, c = x.shape[:2]
    win = windows(pad_spatial(x, geo.pad), geo.kernel, geo.out_size, geo.stride, geo.dilation)
    cols = buffers.empty(array_module(x), (c,) + geo.kernel + (n,) + geo.out_size, x.dtype)
    cols[...] = win.transpose(_cols_order(len(geo.kernel)))
    return cols.reshape(geo.groups, (c // geo.groups) * math.prod(geo.kernel), n * geo.columns)


def _as_windows(cols, geo, n, c):
    """Columns seen as the windows' axes (N, C, *kernel, *out): a view."""
    nd = len(geo.kernel)
    v = cols.reshape((c,) + geo.kernel + (n,) + geo.out_size)
    return v.transpose((1 + nd, 0) + tuple(range(1, 1 + nd)) + tuple(range(2 + nd, 2 + 2 * nd)))


def col2im(cols, geo, x_shape):
    """The adjoint of :func:`im2col`: scatter-add columns ``(G, C/G * prod(kernel), N * prod(out_size))`` back
    onto ``x_shape``, one vectorised add per kernel position."""
    n, c = x_shape[:2]
    src = _as_windows(cols, geo, n, c)
    gx = buffers.zeros(array_module(cols), (n, c) + geo.padded, cols.dtype)
    win = windows(gx, geo.kernel, geo.out_size, geo.stride, geo.dilation)
    lead = (slice(None), slice(None))
    for k in kernel_positions(geo.kernel):
        win[lead + k] += src[lead + k]
    return crop_spatial(gx, geo.pad, x_shape[2:])


_matmul = buffers.product  # a @ b, a large result into a reused buffer


def _batch_last(g, geo):
    """An output gradient ``g`` (N, O, *out) in the columns' order ``(G, O/G, N * prod(out))``: one copy."""
    n, o, grp = g.shape[0], g.shape[1], geo.groups
    gt = buffers.empty(array_module(g), (grp, o // grp, n, geo.columns), g.dtype)
    gt[...] = g.reshape(n, grp, o // grp, geo.columns).transpose(1, 2, 0, 3)
    return gt.reshape(grp, o // grp, n * geo.columns)


def _winograd(geo, x_shape, w_shape, dtype):
    """The Winograd module this convolution runs by, or None for im2col: :mod:`winograd` (4x4 kernels at
    stride 2) or :mod:`winograd_3x3` (3x3 kernels at stride 1), each where the channels are enough."""
    for scheme in (winograd, winograd_3x3):
        if scheme.fits(geo, x_shape[0], x_shape[1], w_shape[0], dtype):
            return scheme
    return None


def _conv(x, w, b, geo, cols=None):
    """``y = W @ im2col(x) (+ b)``; returns ``(y, cols)`` so backward can reuse the columns (for a Winograd
    convolution, its transformed input)."""
    xp = array_module(x)
    scheme = _winograd(geo, x.shape, w.shape, x.dtype)
    if scheme is not None:
        y, cols = scheme.conv(x, w, geo, cols)
        if b is not None:
            y += b.reshape(1, -1, 1, 1)
        return y, cols
    if cols is None:
        cols = im2col(x, geo)
    n, o, g = x.shape[0], w.shape[0], geo.groups
    prod = _matmul(w.reshape(g, o // g, -1), cols).reshape(g, o // g, n, geo.columns).transpose(2, 0, 1, 3)
    y = buffers.empty(xp, (n, g, o // g, geo.columns), prod.dtype)  # handed out again only once nothing holds it
    if b is None:
        y[...] = prod
    else:  # the bias added in the copy back to (N, O, *out)
        xp.add(prod, b.reshape(1, g, o // g, 1), out=y)
    return y.reshape((n, o) + geo.out_size), cols


def _conv_transpose(g, w, geo, x_shape, gt=None):
    """The input gradient of a convolution with weight ``w`` (and the transposed convolution of ``g``);
    ``gt`` is ``g`` already in the columns' order (:func:`_grad_columns`), when the caller has it."""
    scheme = _winograd(geo, x_shape, w.shape, g.dtype)
    if scheme is not None:
        return scheme.conv_transpose(g, w, geo, x_shape, gt)
    o, grp = w.shape[0], geo.groups
    wt = w.reshape(grp, o // grp, -1).swapaxes(-1, -2)
    if _phased_pays(geo, x_shape[1]):
        return _conv_transpose_phased(g, wt, geo, x_shape)
    return col2im(_matmul(wt, _batch_last(g, geo) if gt is None else gt), geo, x_shape)


def _phase_grid(geo):
    """Per spatial dim, the cells of one output phase: a stride-s dim splits the padded input into s phases of
    ``ceil(padded / s)`` cells each (the last ones may hold a cell fewer)."""
    return tuple(-(-p // st) for p, st in zip(geo.padded, geo.stride))


def _phased_pays(geo, channels):
    """Whether :func:`_conv_transpose_phased` beats the product + :func:`col2im` (measured on this project's
    layers): rows of at least 8 cells, 8 or more channels, and at most 15 % more product columns."""
    if len(geo.kernel) < 2 or geo.out_size[-1] < 8 or channels < 8:
        return False
    grid = _phase_grid(geo)
    return math.prod(geo.out_size[:1] + grid[1:]) <= 1.15 * geo.columns


def _conv_transpose_phased(g, wt, geo, x_shape):
    """:func:`_conv_transpose` with each kernel position's add one long contiguous run, every input cell written
    once per phase.

    col2im's adds run over rows of ``out_size[-1]`` cells (strided when the stride is not 1), one NumPy inner
    loop per row. Kernel index ``i`` of a dim lands on padded cell ``o*s + i*d = (o + q)*s + r``: on phase ``r``'s
    grid at ``o + q``. With ``g`` laid out on the phase grid's row length (zeros in the extra cells, which the
    product keeps zero), kernel position ``k``'s columns land on its phase's flattened grid shifted by one
    offset, so each add is ``acc[r][:, :, off:off + L] += cols[:, k, :, :L]``; the phases then fill the input's
    cells, each once (stride 1: one phase, the input itself).
    """
    n, o, grp = g.shape[0], g.shape[1], geo.groups
    xp = array_module(g)
    c, nd = x_shape[1], len(geo.kernel)
    grid = _phase_grid(geo)
    lay = geo.out_size[:1] + grid[1:]  # output cells laid out on the phase grid's row length
    full = math.prod(lay)
    gp = buffers.zeros(xp, (grp, o // grp, n) + lay, g.dtype)
    gp[(slice(None),) * 3 + tuple(slice(0, m) for m in geo.out_size)] = (
        g.reshape((n, grp, o // grp) + geo.out_size).transpose((1, 2, 0) + tuple(range(3, 3 + nd))))
    cols = _matmul(wt, gp.reshape(grp, o // grp, n * full)).reshape(c, math.prod(geo.kernel), n, full)
    steps = [math.prod(grid[j + 1:]) for j in range(nd)]  # flat strides of a phase grid
    run = full - (lay[-1] - geo.out_size[-1])  # the last row's padding would run past the end
    unit = all(st == 1 for st in geo.stride)
    size = math.prod(grid)
    phases = {}
    for i, k in enumerate(kernel_positions(geo.kernel)):
        qr = [divmod(kj * d, st) for kj, d, st in zip(k, geo.dilation, geo.stride)]
        r = tuple(b for _, b in qr)
        acc = phases.get(r)
        if acc is None:
            acc = phases[r] = buffers.zeros(xp, (n, c, size), cols.dtype)
        off = sum(q * st for (q, _), st in zip(qr, steps))
        acc[:, :, off:off + run] += cols[:, i, :, :run].transpose(1, 0, 2)
    if unit:
        gx = phases[(0,) * nd].reshape((n, c) + geo.padded)
    else:
        gx = buffers.empty(xp, (n, c) + geo.padded, cols.dtype)
        for r in itertools.product(*(range(st) for st in geo.stride)):
            dst = gx[(slice(None), slice(None)) + tuple(slice(rj, None, st) for rj, st in zip(r, geo.stride))]
            acc = phases.get(r)
            if acc is None:
                dst[...] = 0
            else:
                dst[...] = acc.reshape((n, c) + grid)[(slice(None), slice(None)) + tuple(slice(0, m) for m in dst.shape[2:])]
    return crop_spatial(gx, geo.pad, x_shape[2:])


def _conv_weight_grad(x, g, geo, w_shape, cols=None, gt=None):
    """The weight gradient of a convolution of ``x`` whose output gradient is ``g``: one product per group over
    batch x positions, ``(G, O/G, N*P) @ (G, N*P, C/G * K)``."""
    scheme = _winograd(geo, x.shape, w_shape, x.dtype)
    if scheme is not None:
        return scheme.weight_grad(x, g, geo, w_shape, cols, gt)
    if cols is None:
        cols = im2col(x, geo)
    if gt is None:
        gt = _batch_last(g, geo)
    return array_module(cols).matmul(gt, cols.swapaxes(-1, -2)).reshape(w_shape)


def _grad_columns(g, geo, x_shape, w_shape):
    """An output gradient in the form both backward products of the convolution take."""
    scheme = _winograd(geo, x_shape, w_shape, g.dtype)
    if scheme is not None:
        return scheme.grad_transform(g, geo)
    return _batch_last(g, geo)


def _shape(a):
    return tuple(a.shape)


def _run_conv(x, w, geo, F):
    return _apply(Convolution(geo), x, w) if F.graph else _conv(x, w, None, geo)[0]


def _run_transpose(g, w, geo, x_shape, F):
    return _apply(ConvTranspose(geo, x_shape), g, w) if F.graph else _conv_transpose(g, w, geo, x_shape)


def _run_weight_grad(x, g, geo, w_shape, F, cols=None):
    if F.graph:
        return _apply(ConvWeightGrad(geo, w_shape), x, g)
    return _conv_weight_grad(x, g, geo, w_shape, cols)


def _apply(node, a, b, c=None):
    if c is not None:
        return node.applyn(a, b, c)
    return node.apply2(a, b)


#: im2col columns up to this size are kept from forward for the weight gradient; larger ones are rebuilt
KEEP_COLUMNS_BYTES = 16 << 20


class Convolution(Node):
    """``conv(x, w) + b``; keeps its im2col columns (up to ``KEEP_COLUMNS_BYTES``) until backward so the weight
    gradient reuses them."""

    __slots__ = ("geo", "cols")
    label = labels.conv_name

    def label_args(self) -> str:
        return labels.conv_attrs(self)
    save_inputs = True

    def __init__(self, geo):
        self.geo = geo
        self.cols = None

    def forward(self, x, w, b=None):
        y, cols = _conv(x, w, b, self.geo)
        # large columns are rebuilt in backward instead of held across the whole forward and backward: one copy
        # more, against peak memory (MNIST's conv2: 40 MB held beside the input gradient's 44 MB of columns)
        self.cols = cols if cols.nbytes <= KEEP_COLUMNS_BYTES else None
        return y

    def backward(self, g, xs, out, F):
        x, w = xs[0], xs[1]
        cols, self.cols = self.cols, None  # free them; a retained graph's second pass rebuilds them
        geo = self.geo
        if F.graph:
            gx = _run_transpose(g, w, geo, _shape(x), F) if needs(self, 0) else None
            gw = _run_weight_grad(x, g, geo, _shape(w), F, cols) if needs(self, 1) else None
        else:  # g in the columns' order (or Winograd-transformed) once, for both products
            gt = _grad_columns(g, geo, _shape(x), _shape(w))
            gx = _conv_transpose(g, w, geo, _shape(x), gt) if needs(self, 0) else None
            gw = _conv_weight_grad(x, g, geo, _shape(w), cols, gt) if needs(self, 1) else None
        if len(xs) > 2:
            gb = F.sum(g, axis=(0,) + geo.spatial_axes) if needs(self, 2) else None
            return gx, gw, gb
        return gx, gw


class ConvTranspose(Node):
    """``col2im(W^T @ g)``: the adjoint of ``Convolution`` in its input."""

    __slots__ = ("geo", "x_shape")
    label = labels.transpose_name

    def label_args(self) -> str:
        return labels.transpose_attrs(self)
    save_inputs = True

    def __init__(self, geo, x_shape):
        self.geo, self.x_shape = geo, tuple(x_shape)

    def forward(self, g, w):
        return _conv_transpose(g, w, self.geo, self.x_shape)

    def backward(self, gg, xs, out, F):
        g, w = xs
        geo = self.geo
        if F.graph:
            gin = _run_conv(gg, w, geo, F) if needs(self, 0) else None
            gw = _run_weight_grad(gg, g, geo, _shape(w), F) if needs(self, 1) else None
            return gin, gw
        # the columns of gg once, for both products
        gin, cols = _conv(gg, w, None, geo) if needs(self, 0) else (None, None)
        gw = _conv_weight_grad(gg, g, geo, _shape(w), cols) if needs(self, 1) else None
        return gin, gw


class ConvWeightGrad(Node):
    """``g @ im2col(x)^T``: the adjoint of ``Convolution`` in its weight."""

    __slots__ = ("geo", "w_shape")
    label = labels.weight_grad_name

    def label_args(self) -> str:
        return labels.conv_attrs(self)
    save_inputs = True

    def __init__(self, geo, w_shape):
        self.geo, self.w_shape = geo, tuple(w_shape)

    def forward(self, x, g):
        return _conv_weight_grad(x, g, self.geo, self.w_shape)

    def backward(self, gw, xs, out, F):
        x, g = xs
        gx = _run_transpose(g, gw, self.geo, _shape(x), F) if needs(self, 0) else None
        gg = _run_conv(x, gw, self.geo, F) if needs(self, 1) else None
        return gx, gg
