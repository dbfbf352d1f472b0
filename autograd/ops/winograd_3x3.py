"""Winograd's minimal filtering F(2x2, 3x3) for 2-D 3x3 convolutions at stride 1 (VGG- and ResNet-style layers).

Each 2x2 tile of the output is computed from the 4x4 tile of the input under it with 16 products where the
direct form takes 36: ``y = A^T [(G w G^T) * (B^T d B)] A`` with ``B^T``, ``G`` and ``A^T`` below (Lavin and
Gray's matrices). Summed over input channels, the 16 elementwise products of each tile are 16 matrix products
over all tiles at once: 4/9 of the direct form's arithmetic, and the transformed input (4 times the input) is
smaller than im2col's columns (9 times). ``B^T`` and ``A^T`` only add and subtract; ``G`` halves, on the
weight alone (a product over ``O x C`` cells).

The three products of a convolution each have their form, as in :mod:`winograd` (F(2x2, 2x2), whose layout
and copies this module shares): forward ``M = V @ U^T``, ``y = A^T M A``; input gradient ``dV = (A g A^T) @
U``, then the adjoint of ``B^T d B`` (tiles overlap by two cells, which add up); weight gradient ``dU = (A g
A^T)^T @ V``, ``dw = G^T dU G``. ``V`` is ``(16, T, C)`` with ``T`` tiles ordered ``(tile row, tile column,
n)``, ``U`` is ``(16, O, C)`` and ``A g A^T`` is ``(16, T, O)``.

Each transform is a 1-D pass along rows, then one along columns, over channels-last views whose inner loops
run over ``N x C`` contiguous cells: row ``i`` of a pass is ``sum_j M[i][j] * tap_j`` where ``tap_j`` is the
strided view of every tile's cell ``j`` (cell ``2 t + j`` of tile ``t``).
"""
from __future__ import annotations

import math

from ..backend import array_module
from ..buffers import buffers
from .winograd import Products, _channels_last, _first, _tiled_last, _unpadded

#: the input transform, the weight transform and the output transform (rows: transformed cells); ``G = D G'``
#: with ``D = diag(1, 1/2, 1/2, 1)``, so every pass adds and subtracts and one product by ``D x D`` scales
BT = ((1, 0, -1, 0), (0, 1, 1, 0), (0, -1, 1, 0), (0, 1, 0, -1))
G1 = ((1, 0, 0), (1, 1, 1), (1, -1, 1), (0, 0, 1))
DD = tuple(tuple((a * b,) for b in (1.0, 0.5, 0.5, 1.0)) for a in (1.0, 0.5, 0.5, 1.0))  # (4, 4, 1)
AT = ((1, 1, 1, 0), (0, 1, -1, -1))

#: below this many input channels im2col's product is as fast (measured: see ``fits``)
MIN_CHANNELS = 16


def fits(geo, n, c, o, dtype) -> bool:
    """Whether a convolution of ``geo`` from ``c`` to ``o`` channels over ``n`` samples takes this path: 2-D, 3x3
    kernel, stride 1, no dilation, one group, float32/float64, padding below the kernel, at least
    ``MIN_CHANNELS`` input channels and no more output channels than input ones, and at least as many tiles as
    output channels (so the weight's transforms stay small beside the data's).

    Why no wider output: the output side's arrays (the transformed gradient and the products) are 4 times the
    output, and NumPy's passes over them are bound by memory. Measured (1 thread, batch 64, forward + both
    gradients): 64 -> 64 at 16x16 48 ms against im2col's 85, 32 -> 32 at 7x7 3.3 against 7.5, 64 -> 16 at
    16x16 19 against 47, 16 -> 16 at 28x28 24 against 30; but 32 -> 64 at 26x26 (the MNIST CNN's conv2) 71
    against 85 alone and no faster inside a training step, with 43 MB more peak memory, 3 -> 64 at 32x32 73
    against 24."""
    if (geo.kernel != (3, 3) or geo.stride != (1, 1) or geo.dilation != (1, 1) or geo.groups != 1
            or getattr(dtype, "name", str(dtype)) not in ("float32", "float64")
            or c < MIN_CHANNELS or o > c or not all(lo < 3 and hi < 3 for lo, hi in geo.pad)):
        return False
    return n * math.prod(_tiles(geo)) >= o


def _tiles(geo):
    """Tile rows and columns: ``ceil(out / 2)`` per dimension."""
    return tuple(-(-m // 2) for m in geo.out_size)


def _taps(a, axis, count, width):
    """The ``width`` strided views of ``a`` along ``axis`` holding cell ``j`` of each of ``count`` tiles (cells
    ``2 t + j``)."""
    def take(j):
        index = [slice(None)] * a.ndim
        index[axis] = slice(j, j + 2 * count - 1, 2)
        return a[tuple(index)]
    return [take(j) for j in range(width)]


def _combine(xp, out, terms):
    """``out = sum(c * a for c, a in terms)``, each ``c`` 1 or -1: in-place ufuncs, no temporaries."""
    (c0, a0), rest = terms[0], terms[1:]
    if rest and c0 == 1:
        (c1, a1), rest = rest[0], rest[1:]
        (xp.add if c1 == 1 else xp.subtract)(a0, a1, out=out)
    elif rest and rest[0][0] == 1:
        (c1, a1), rest = rest[0], rest[1:]
        xp.subtract(a1, a0, out=out)
    elif c0 == 1:
        out[...] = a0
    else:
        xp.negative(a0, out=out)
    for c, a in rest:
        if c == 1:
            out += a
        else:
            out -= a


def _pass(xp, taps, mat, outs):
    """``outs[i] = sum_j mat[i][j] * taps[j]``: one 1-D transform of every tile."""
    for row, out in zip(mat, outs):
        _combine(xp, out, [(c, t) for c, t in zip(row, taps) if c])


def _adjoint_pass(xp, taps, mat, ins):
    """The adjoint of :func:`_pass`: ``taps[j] += sum_i mat[i][j] * ins[i]`` (the taps overlap, so they are
    added one after the other into an array zeroed first)."""
    for j, tap in enumerate(taps):
        for row, src in zip(mat, ins):
            if row[j] == 1:
                tap += src
            elif row[j] == -1:
                tap -= src


def input_transform(x, geo):
    """``V = B^T d B`` of every 4x4 tile of ``x`` (N, C, H, W): ``(16, T, C)``."""
    xp = array_module(x)
    n, c = x.shape[:2]
    th, tw = _tiles(geo)
    xw = _channels_last(x, geo, 2 * th + 2, 2 * tw + 2)  # (hx, wx, N*C)
    rows = buffers.empty(xp, (4, th, xw.shape[1], n * c), x.dtype)
    _pass(xp, _taps(xw, 0, th, 4), BT, rows)
    v = buffers.empty(xp, (4, 4, th, tw, n * c), x.dtype)
    for i in range(4):
        _pass(xp, _taps(rows[i], 1, tw, 4), BT, v[i])
    return v.reshape(16, th * tw * n, c)


def input_untransform(dv, geo, x_shape):
    """The adjoint of :func:`input_transform`: ``dV`` (16, T, C) back onto ``x_shape``, overlapping tiles added."""
    xp = array_module(dv)
    n, c = x_shape[:2]
    th, tw = _tiles(geo)
    hx, wx = 2 * th + 2, 2 * tw + 2
    d = dv.reshape(4, 4, th, tw, n * c)
    rows = buffers.zeros(xp, (4, th, wx, n * c), dv.dtype)
    for i in range(4):
        _adjoint_pass(xp, _taps(rows[i], 1, tw, 4), BT, d[i])
    dxw = buffers.zeros(xp, (hx, wx, n * c), dv.dtype)
    _adjoint_pass(xp, _taps(dxw, 0, th, 4), BT, rows)
    return _unpadded(dxw, geo, x_shape)


def weight_transform(w):
    """``U = G w G^T = D (G' w G'^T) D`` of a (O, C, 3, 3) weight: ``(16, O, C)``."""
    xp = array_module(w)
    o, c = w.shape[:2]
    taps = buffers.empty(xp, (9, o * c), w.dtype)  # channels last, as the data's transforms
    taps[...] = w.reshape(o * c, 9).T
    taps = taps.reshape(3, 3, o * c)
    rows = buffers.empty(xp, (4, 3, o * c), w.dtype)
    _pass(xp, list(taps), G1, rows)
    u = buffers.empty(xp, (4, 4, o * c), w.dtype)
    for i in range(4):
        _pass(xp, list(rows[i]), G1, u[i])
    u *= xp.asarray(DD, dtype=w.dtype)
    return u.reshape(16, o, c)


def weight_untransform(du, w_shape):
    """The adjoint of :func:`weight_transform`: ``dw = G'^T (D dU D) G'`` as a (O, C, 3, 3) weight."""
    xp = array_module(du)
    o, c = w_shape[:2]
    d = du.reshape(4, 4, o * c) * xp.asarray(DD, dtype=du.dtype)
    rows = buffers.zeros(xp, (4, 3, o * c), du.dtype)
    for i in range(4):
        _adjoint_pass(xp, list(rows[i]), G1, d[i])
    taps = buffers.zeros(xp, (3, 3, o * c), du.dtype)
    _adjoint_pass(xp, list(taps), G1, rows)
    return xp.ascontiguousarray(taps.reshape(9, o * c).T).reshape(o, c, 3, 3)


def grad_transform(g, geo):
    """``A g A^T`` of every 2x2 tile of an output (gradient) ``g`` (N, O, oh, ow): ``(16, T, O)``."""
    xp = array_module(g)
    n, o = g.shape[:2]
    th, tw = _tiles(geo)
    gl = _tiled_last(g, th, tw)
    a = tuple(zip(*AT))  # A: the adjoint of the output transform
    rows = buffers.empty(xp, (4, th, 2 * tw, n * o), g.dtype)
    _pass(xp, _taps(gl, 0, th, 2), a, rows)
    out = buffers.empty(xp, (4, 4, th, tw, n * o), g.dtype)
    for i in range(4):
        _pass(xp, _taps(rows[i], 1, tw, 2), a, out[i])
    return out.reshape(16, th * tw * n, o)


def output_transform(m, geo, n):
    """``y = A^T M A`` of the products ``M`` (16, T, O): the output (N, O, oh, ow)."""
    xp = array_module(m)
    o = m.shape[2]
    th, tw = _tiles(geo)
    m = m.reshape(4, 4, th, tw, n * o)
    s = buffers.empty(xp, (2, 4, th, tw, n * o), m.dtype)
    _pass(xp, list(m), AT, s)
    yl = buffers.empty(xp, (th, 2, tw, 2, n * o), m.dtype)
    for a in (0, 1):
        _pass(xp, list(s[a]), AT, [yl[:, a, :, b] for b in (0, 1)])
    oh, ow = geo.out_size
    y = buffers.empty(xp, (n, o, oh, ow), m.dtype)
    _first(yl.reshape(2 * th, 2 * tw, n, o)[:oh, :ow], y)
    return y


_PRODUCTS = Products(input_transform=input_transform, input_untransform=input_untransform,
                     weight_transform=weight_transform, weight_untransform=weight_untransform,
                     grad_transform=grad_transform, output_transform=output_transform)
conv, conv_transpose, weight_grad = _PRODUCTS.conv, _PRODUCTS.conv_transpose, _PRODUCTS.weight_grad
