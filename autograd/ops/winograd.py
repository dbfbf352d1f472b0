"""Winograd's minimal filtering F(2x2, 2x2) for 2-D convolutions with 4x4 kernels at stride 2 (DCGAN's layers).

A 4x4 kernel at stride 2 is a 2x2 kernel at stride 1 over the input's four phases (even or odd rows times even
or odd columns, taken as channels). F(2x2, 2x2) computes each 2x2 tile of that correlation's output from a 3x3
tile of its input with 9 products where the direct form takes 16. In one dimension, for outputs ``y0, y1`` of
taps ``w0, w1`` over inputs ``d0, d1, d2``::

    m0 = (d0 - d1) w0,  m1 = d1 (w0 + w1),  m2 = (d2 - d1) w1;   y0 = m0 + m1,  y1 = m1 + m2

and in two, ``y = A^T [(G w G^T) * (B^T d B)] A`` with ``B^T = [[1,-1,0],[0,1,0],[0,-1,1]]``,
``G = [[1,0],[1,1],[0,1]]``, ``A^T = [[1,1,0],[0,1,1]]``. Summed over input channels, the 9 elementwise
products of each tile are 9 matrix products over all tiles at once: 9/16 of the direct form's arithmetic,
and the transformed input (2.25 times the padded input) is smaller than im2col's columns (4 times). The
transforms only add and subtract: every term keeps the size it has in the direct sum.

The three products of a convolution each have their form here, so forward, input gradient (the transposed
convolution) and weight gradient all take 9/16 of the arithmetic:

- forward: ``M = U @ V``, ``y = A^T M A`` with ``U = G w G^T``, ``V = B^T d B``
- input gradient: ``dV = U^T @ (A g A^T)``, then the adjoint of ``B^T d B`` (overlapping tiles add up)
- weight gradient: ``dU = (A g A^T) @ V^T``, ``dw = G^T dU G``

Layouts: channels last with the batch beside them, ``(rows, columns, N, C)``, so every transform's inner loop
runs over ``N x C`` contiguous cells (NumPy's inner loops over a tile's few cells cost several times the
arithmetic). ``V`` is ``(9, T, 4C)``: ``T`` tiles ordered ``(tile row, tile column, n)``, channel index
``(2a + b) * C + c`` for phase ``a`` of rows and ``b`` of columns; ``U`` is ``(9, O, 4C)``; ``A g A^T`` is
``(9, T, O)``. One transposing copy brings each operand in and each result back to (N, C, H, W).
"""
from __future__ import annotations

import math

from ..backend import array_module
from ..buffers import buffers

#: below this many input or output channels the direct product is as fast (its arithmetic is small beside the
#: transforms; measured on DCGAN's layers, where 16 or 32 channels lose 20-50 % in forward)
MIN_CHANNELS = 64


def fits(geo, n, c, o, dtype) -> bool:
    """Whether a convolution of ``geo`` from ``c`` to ``o`` channels over ``n`` samples takes this path: 2-D, 4x4 kernel, stride 2,
    no dilation, one group, float32/float64, padding below the kernel, at least ``MIN_CHANNELS`` each way, and
    tiles enough that the data outweighs the weights: ``T >= O * 4C / (O + 4C)`` (the weights' transforms and
    the products' reads of them grow with ``O * C``, the savings with ``T * O * C``; DCGAN's 8x8 -> 4x4 layer
    with 256 -> 512 channels is 1.3-1.7x slower this way, its 16x16 -> 8x8 one 1.1-1.4x faster)."""
    if (geo.kernel != (4, 4) or geo.stride != (2, 2) or geo.dilation != (1, 1) or geo.groups != 1
            or getattr(dtype, "name", str(dtype)) not in ("float32", "float64")
            or c < MIN_CHANNELS or o < MIN_CHANNELS or not all(lo < 4 and hi < 4 for lo, hi in geo.pad)):
        return False
    return n * math.prod(_tiles(geo)) * (o + 4 * c) >= o * 4 * c


def _tiles(geo):
    """Tile rows and columns: ``ceil(out / 2)`` per dimension."""
    return tuple(-(-m // 2) for m in geo.out_size)


def _last(x, out):
    """Copy ``x`` (N, C, H, W) into ``out`` (H, W, N, C). NumPy's one-step copy of that transpose walks C at a
    stride of H*W cells (5 ms for 1M floats); through (N, H*W, C) each step moves runs (1.8 ms)."""
    n, c, h, w = x.shape
    xp = array_module(x)
    tmp = buffers.empty(xp, (n, h * w, c), x.dtype)
    tmp[...] = x.reshape(n, c, h * w).transpose(0, 2, 1)
    out[...] = tmp.reshape(n, h, w, c).transpose(1, 2, 0, 3)


def _first(a, out):
    """Copy ``a`` (H, W, N, C) into ``out`` (N, C, H, W), the way :func:`_last` does the reverse."""
    h, w, n, c = a.shape
    xp = array_module(a)
    tmp = buffers.empty(xp, (n, h, w, c), a.dtype)
    tmp[...] = a.transpose(2, 0, 1, 3)
    out.reshape(n, c, h * w)[...] = tmp.reshape(n, h * w, c).transpose(0, 2, 1)


def _channels_last(x, geo, hx, wx):
    """``x`` (N, C, H, W) as ``(hx, wx, N * C)``, padded: the cells the tiles read (``hx`` rows and ``wx``
    columns), zeros in the padding, rows and columns past the last window dropped."""
    xp = array_module(x)
    n, c, h, w = x.shape
    (lh, _), (lw, _) = geo.pad
    hu, wu = min(h, hx - lh), min(w, wx - lw)
    xw = buffers.empty(xp, (hx, wx, n, c), x.dtype)
    xw[:lh] = 0
    xw[lh + hu:] = 0
    xw[lh:lh + hu, :lw] = 0
    xw[lh:lh + hu, lw + wu:] = 0
    _last(x[:, :, :hu, :wu], xw[lh:lh + hu, lw:lw + wu])
    return xw.reshape(hx, wx, n * c)


def _unpadded(dxw, geo, x_shape):
    """The input gradient ``dxw`` (hx, wx, N * C), laid out as :func:`_channels_last` lays out the input, back
    to ``x_shape`` (N, C, H, W): the padding dropped, zeros for input cells past the last window."""
    xp = array_module(dxw)
    n, c, h, w = x_shape
    hx, wx = dxw.shape[:2]
    (lh, _), (lw, _) = geo.pad
    hu, wu = min(h, hx - lh), min(w, wx - lw)
    inner = dxw.reshape(hx, wx, n, c)[lh:lh + hu, lw:lw + wu]
    if (hu, wu) != (h, w):  # input cells past the last window: no gradient
        dx = xp.zeros(x_shape, dxw.dtype)
        part = buffers.empty(xp, (n, c, hu, wu), dxw.dtype)
        _first(inner, part)
        dx[:, :, :hu, :wu] = part
        return dx
    dx = buffers.empty(xp, x_shape, dxw.dtype)
    _first(inner, dx)
    return dx


def _tiled_last(g, th, tw):
    """An output (gradient) ``g`` (N, O, oh, ow) as ``(2 th, 2 tw, N * O)``: channels last, a zero row or column
    completing the last 2x2 tiles of an odd output."""
    n, o, oh, ow = g.shape
    gl = buffers.empty(array_module(g), (2 * th, 2 * tw, n, o), g.dtype)
    if (2 * th, 2 * tw) != (oh, ow):
        gl[oh:] = 0
        gl[:, ow:] = 0
    _last(g, gl[:oh, :ow])
    return gl.reshape(2 * th, 2 * tw, n * o)


def _thirds(a, axis, phase, count):
    """The three cells of each tile along ``axis`` for ``phase``: cells ``phase + 4t``, ``+ 2`` and ``+ 4`` for
    ``t < count``, as three strided views."""
    def take(start):
        index = [slice(None)] * a.ndim
        index[axis] = slice(start, start + 4 * count, 4)
        return a[tuple(index)]
    return take(phase), take(phase + 2), take(phase + 4)


def input_transform(x, geo):
    """``V = B^T d B`` of every tile of ``x`` (N, C, H, W): ``(9, T, 4C)``."""
    xp = array_module(x)
    n, c = x.shape[:2]
    th, tw = _tiles(geo)
    xw = _channels_last(x, geo, 4 * th + 2, 4 * tw + 2)
    diff = buffers.empty(xp, (2, 2, 4 * th + 2, tw, n * c), x.dtype)  # the column pass: d0 - d1 and d2 - d1
    v = buffers.empty(xp, (3, 3, th, tw, n, 2, 2, c), x.dtype)
    for b in (0, 1):
        c0, c1, c2 = _thirds(xw, 1, b, tw)
        xp.subtract(c0, c1, out=diff[0, b])
        xp.subtract(c2, c1, out=diff[1, b])
        for j, col in enumerate((diff[0, b], c1, diff[1, b])):
            for a in (0, 1):
                r0, r1, r2 = (r.reshape(th, tw, n, c) for r in _thirds(col, 0, a, th))
                dst = v[:, j, :, :, :, a, b]  # (3, th, tw, N, C)
                xp.subtract(r0, r1, out=dst[0])
                dst[1] = r1
                xp.subtract(r2, r1, out=dst[2])
    return v.reshape(9, th * tw * n, 4 * c)


def input_untransform(dv, geo, x_shape):
    """The adjoint of :func:`input_transform`: ``dV`` (9, T, 4C) back onto ``x_shape``, overlapping tiles added."""
    xp = array_module(dv)
    n, c = x_shape[:2]
    th, tw = _tiles(geo)
    hx, wx = 4 * th + 2, 4 * tw + 2
    d = dv.reshape(3, 3, th, tw, n, 2, 2, c)
    rows = buffers.empty(xp, (3, 2, hx, tw, n, c), dv.dtype)  # after the row pass, per column third and phase
    for j in range(3):
        for b in (0, 1):
            for a in (0, 1):
                v0, v1, v2 = (d[i, j, :, :, :, a, b] for i in range(3))  # (th, tw, N, C)
                _untransform_1d(xp, rows[j, b], 0, a, th, v0, v1, v2)
    dxw = buffers.empty(xp, (hx, wx, n * c), dv.dtype)
    r = rows.reshape(3, 2, hx, tw, n * c)
    for b in (0, 1):
        _untransform_1d(xp, dxw, 1, b, tw, r[0, b], r[1, b], r[2, b])
    return _unpadded(dxw, geo, x_shape)


def _untransform_1d(xp, dst, axis, phase, count, v0, v1, v2):
    """Write the adjoint of ``(d0 - d1, d1, d2 - d1)`` along ``axis`` into ``dst``'s cells of ``phase``: cell
    ``phase + 4t`` gets ``v0[t] + v2[t - 1]``, cell ``phase + 2 + 4t`` gets ``v1 - v0 - v2``. Every cell of the
    phase is written once (no zeroing first)."""
    def cut(a, start, stop):
        index = [slice(None)] * a.ndim
        index[axis] = slice(start, stop)
        return a[tuple(index)]

    index = [slice(None)] * dst.ndim
    index[axis] = slice(phase, None, 4)
    even = dst[tuple(index)]  # count + 1 cells
    index[axis] = slice(phase + 2, None, 4)
    odd = dst[tuple(index)]  # count cells
    cut(even, 0, 1)[...] = cut(v0, 0, 1)
    xp.add(cut(v0, 1, count), cut(v2, 0, count - 1), out=cut(even, 1, count))
    cut(even, count, count + 1)[...] = cut(v2, count - 1, count)
    xp.subtract(v1, v0, out=odd)
    odd -= v2


def weight_transform(w):
    """``U = G w G^T`` of a (O, C, 4, 4) weight: ``(9, O, 4C)``."""
    xp = array_module(w)
    o, c = w.shape[:2]
    t = buffers.empty(xp, (o, 16, c), w.dtype)  # (O, tap row, a, tap column, b, C): contiguous runs of C below
    t[...] = w.reshape(o, c, 16).transpose(0, 2, 1)
    t = t.reshape(o, 2, 2, 2, 2, c)
    rows = (t[:, 0], t[:, 0] + t[:, 1], t[:, 1])  # (O, a, tap column, b, C)
    u = buffers.empty(xp, (3, 3, o, 2, 2, c), w.dtype)
    for i, r in enumerate(rows):
        u[i, 0] = r[:, :, 0]
        xp.add(r[:, :, 0], r[:, :, 1], out=u[i, 1])
        u[i, 2] = r[:, :, 1]
    return u.reshape(9, o, 4 * c)


def weight_untransform(du, w_shape):
    """The adjoint of :func:`weight_transform`: ``dw = G^T dU G`` as a (O, C, 4, 4) weight."""
    xp = array_module(du)
    o, c = w_shape[:2]
    d = du.reshape(3, 3, o, 2, 2, c)
    rows = (d[0] + d[1], d[1] + d[2])  # (3, O, a, b, C) per tap row
    t = buffers.empty(xp, (o, 2, 2, 2, 2, c), du.dtype)  # (O, tap row, a, tap column, b, C)
    for q, r in enumerate(rows):
        xp.add(r[0], r[1], out=t[:, q, :, 0])
        xp.add(r[1], r[2], out=t[:, q, :, 1])
    return xp.ascontiguousarray(t.reshape(o, 16, c).transpose(0, 2, 1)).reshape(o, c, 4, 4)


def grad_transform(g, geo):
    """``A g A^T`` of every 2x2 tile of an output (gradient) ``g`` (N, O, oh, ow): ``(9, T, O)``."""
    xp = array_module(g)
    n, o = g.shape[:2]
    th, tw = _tiles(geo)
    gl = _tiled_last(g, th, tw)
    e, f = gl[:, 0::2], gl[:, 1::2]
    out = buffers.empty(xp, (3, 3, th, tw, n * o), g.dtype)
    for j, q in enumerate((e, e + f, f)):
        r0, r1 = q[0::2], q[1::2]
        out[0, j] = r0
        xp.add(r0, r1, out=out[1, j])
        out[2, j] = r1
    return out.reshape(9, th * tw * n, o)


def output_transform(m, geo, n):
    """``y = A^T M A`` of the products ``M`` (9, T, O): the output (N, O, oh, ow)."""
    xp = array_module(m)
    o = m.shape[2]
    th, tw = _tiles(geo)
    m = m.reshape(3, 3, th, tw, n * o)
    s = buffers.empty(xp, (2, 3, th, tw, n * o), m.dtype)
    xp.add(m[0], m[1], out=s[0])
    xp.add(m[1], m[2], out=s[1])
    yl = buffers.empty(xp, (th, 2, tw, 2, n * o), m.dtype)
    for a in (0, 1):
        for b in (0, 1):
            xp.add(s[a, b], s[a, b + 1], out=yl[:, a, :, b])
    oh, ow = geo.out_size
    y = buffers.empty(xp, (n, o, oh, ow), m.dtype)
    _first(yl.reshape(2 * th, 2 * tw, n, o)[:oh, :ow], y)
    return y


_matmul = buffers.product  # a @ b over the components, a large result into a reused buffer


class Products:
    """The three products of a convolution by one Winograd scheme, from its six transforms (each module's own):
    ``conv``, ``conv_transpose`` (the input gradient) and ``weight_grad``, bound as the module's functions.

    The transformed weight is not kept between calls: held by every node of a DCGAN iteration it cost 47 MB of
    peak memory for 12 ms."""

    __slots__ = ("input_transform", "input_untransform", "weight_transform", "weight_untransform",
                 "grad_transform", "output_transform")

    def __init__(self, **transforms):
        for name in self.__slots__:
            setattr(self, name, transforms[name])

    def conv(self, x, w, geo, v=None):
        """The convolution of ``x`` with ``w``: ``(y, V)``, the transformed input kept for the weight gradient
        (``v``: that transform when the caller has it)."""
        if v is None:
            v = self.input_transform(x, geo)
        return self.output_transform(_matmul(v, self.weight_transform(w).swapaxes(-1, -2)), geo, x.shape[0]), v

    def conv_transpose(self, g, w, geo, x_shape, gt=None):
        """The input gradient of a convolution with ``w`` whose output gradient is ``g`` (the transposed
        convolution of ``g``); ``gt`` is the scheme's ``grad_transform`` of ``g`` when the caller has it."""
        if gt is None:
            gt = self.grad_transform(g, geo)
        return self.input_untransform(_matmul(gt, self.weight_transform(w)), geo, x_shape)

    def weight_grad(self, x, g, geo, w_shape, v=None, gt=None):
        """The weight gradient of a convolution of ``x`` whose output gradient is ``g``."""
        if v is None:
            v = self.input_transform(x, geo)
        if gt is None:
            gt = self.grad_transform(g, geo)
        return self.weight_untransform(array_module(v).matmul(gt.swapaxes(-1, -2), v), w_shape)


_PRODUCTS = Products(input_transform=input_transform, input_untransform=input_untransform,
                     weight_transform=weight_transform, weight_untransform=weight_untransform,
                     grad_transform=grad_transform, output_transform=output_transform)
conv, conv_transpose, weight_grad = _PRODUCTS.conv, _PRODUCTS.conv_transpose, _PRODUCTS.weight_grad
