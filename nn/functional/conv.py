"""conv1d, conv2d, conv_transpose1d, conv_transpose2d: im2col over a strided view and one matrix product.

Three ops, each built from the other two's adjoints, so every backward is
written with the other ops and differentiates itself (gradients of any order):

- ``Convolution(x, w[, b])``: ``y = W @ im2col(x) + b``
- ``ConvTranspose(g, w)``: ``col2im(W^T @ g)``, the input gradient of a
  convolution, and the transposed convolution itself
- ``ConvWeightGrad(x, g)``: ``g @ im2col(x)^T``, the weight gradient

The spatial code is written once for any number of spatial dimensions; the
public functions fix it at one or two.
"""
from __future__ import annotations

import collections
import itertools
import math
import sys
import threading
from typing import Optional, Sequence, Tuple, Union

from autograd import Tensor
from autograd.backend import array_module, as_strided
from autograd.node import Node, needs
from autograd.ops.util import as_var

__all__ = ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d"]

IntOrTuple = Union[int, Sequence[int]]


# -- strided windows: the one place that builds a view by hand ----------------------------------------------

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


# -- reused buffers -------------------------------------------------------------------------------------------

class BufferPool:
    """Large NumPy arrays handed out again once nothing else refers to them: a small caching allocator.

    glibc hands freed blocks of a few megabytes back to the operating system, so a training step that allocates
    its activations and gradients anew page-faults every one of them back in (about 3,600 faults, a third of
    the CNN benchmark's step, against PyTorch's 40). An array made here is reused for the next request of the
    same shape and dtype when the pool's own reference is the only one left: a Tensor, a view, a node's saved
    values all hold references that CPython counts, so a buffer still in use is never handed out twice.
    Pools are per thread and keep at most ``max_bytes``, the least recently used shapes dropped first;
    ``clear()`` empties this thread's pool. Other array modules (CuPy) and interpreters without reference
    counts pass straight through to ``xp.empty``.
    """

    min_bytes = 1 << 18
    max_bytes = 256 << 20
    per_shape = 4

    def __init__(self):
        self._local = threading.local()
        # what getrefcount reports for an object only the pool's list holds, seen through the same code path
        self._unused = _refcounts([object()])[0] if hasattr(sys, "getrefcount") else None

    def _arrays(self):
        d = getattr(self._local, "arrays", None)
        if d is None:
            d = self._local.arrays = collections.OrderedDict()
        return d

    def empty(self, xp, shape, dtype):
        """An uninitialised array, reused when possible."""
        dtype = xp.dtype(dtype)
        shape = tuple(shape)
        if self._unused is None or xp.__name__ != "numpy" or math.prod(shape) * dtype.itemsize < self.min_bytes:
            return xp.empty(shape, dtype=dtype)
        arrays = self._arrays()
        key = (shape, dtype.str)
        kept = arrays.get(key)
        if kept is None:
            kept = arrays[key] = []
        else:
            arrays.move_to_end(key)
            for a, count in zip(kept, _refcounts(kept)):
                if count == self._unused:
                    return a
        a = xp.empty(shape, dtype=dtype)
        if len(kept) < self.per_shape:
            kept.append(a)
            self._trim(arrays)
        return a

    def zeros(self, xp, shape, dtype):
        a = self.empty(xp, shape, dtype)
        a.fill(0)
        return a

    def clear(self) -> None:
        self._arrays().clear()

    def nbytes(self) -> int:
        """Bytes this thread's pool holds."""
        return sum(a.nbytes for kept in self._arrays().values() for a in kept)

    def _trim(self, arrays):
        total = self.nbytes()
        while total > self.max_bytes and len(arrays) > 1:
            _, kept = arrays.popitem(last=False)
            total -= sum(a.nbytes for a in kept)


def _refcounts(objects):
    return [sys.getrefcount(o) for o in objects]


buffers = BufferPool()


# -- geometry ---------------------------------------------------------------------------------------------

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
        return tuple(range(2, 2 + len(self.kernel)))


def im2col(x, geo):
    """Columns ``(N, G, C/G * prod(kernel), prod(out_size))`` of ``x`` (N, C, *in_size): one copy."""
    n, c = x.shape[:2]
    win = windows(pad_spatial(x, geo.pad), geo.kernel, geo.out_size, geo.stride, geo.dilation)
    cols = buffers.empty(array_module(x), win.shape, x.dtype)
    cols[...] = win
    return cols.reshape(n, geo.groups, (c // geo.groups) * math.prod(geo.kernel), geo.columns)


def col2im(cols, geo, x_shape):
    """The adjoint of :func:`im2col`: scatter-add columns ``(N, G, C/G * prod(kernel), prod(out_size))`` back
    onto ``x_shape``, one vectorised add per kernel position."""
    n, c = x_shape[:2]
    cols = cols.reshape((n, c) + geo.kernel + geo.out_size)
    gx = buffers.zeros(array_module(cols), (n, c) + geo.padded, cols.dtype)
    win = windows(gx, geo.kernel, geo.out_size, geo.stride, geo.dilation)
    lead = (slice(None), slice(None))
    for k in kernel_positions(geo.kernel):
        win[lead + k] += cols[lead + k]
    return crop_spatial(gx, geo.pad, x_shape[2:])


# -- the three kernels on raw arrays ---------------------------------------------------------------------

def _matmul(a, b):
    """``a @ b`` into a reused buffer."""
    xp = array_module(b)
    shape = xp.broadcast_shapes(a.shape[:-2], b.shape[:-2]) + (a.shape[-2], b.shape[-1])
    return xp.matmul(a, b, out=buffers.empty(xp, shape, xp.result_type(a, b)))


def _conv(x, w, b, geo, cols=None):
    """``y = W @ im2col(x) (+ b)``; returns ``(y, cols)`` so backward can reuse the columns."""
    if cols is None:
        cols = im2col(x, geo)
    n, o, g = x.shape[0], w.shape[0], geo.groups
    y = _matmul(w.reshape(g, o // g, -1), cols).reshape((n, o) + geo.out_size)  # one product, broadcast over N
    if b is not None:
        y += b.reshape((o,) + (1,) * len(geo.kernel))
    return y, cols


def _conv_transpose(g, w, geo, x_shape):
    """The input gradient of a convolution with weight ``w`` (and the transposed convolution of ``g``)."""
    n, o, grp = g.shape[0], w.shape[0], geo.groups
    wt = w.reshape(grp, o // grp, -1).swapaxes(-1, -2)
    return col2im(_matmul(wt, g.reshape(n, grp, o // grp, geo.columns)), geo, x_shape)


def _conv_weight_grad(x, g, geo, w_shape, cols=None):
    """The weight gradient of a convolution of ``x`` whose output gradient is ``g``."""
    if cols is None:
        cols = im2col(x, geo)
    n, o, grp = g.shape[0], w_shape[0], geo.groups
    gg = g.reshape(n, grp, o // grp, geo.columns)
    return _matmul(gg, cols.swapaxes(-1, -2)).sum(axis=0).reshape(w_shape)  # (G, O/G, C/G * K) summed over N


# -- the ops: forward on arrays, backward through the other ops ----------------------------------------

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


class Convolution(Node):
    """``conv(x, w) + b``; keeps its im2col columns until backward so the weight gradient reuses them."""

    __slots__ = ("geo", "cols")
    save_inputs = True

    def __init__(self, geo):
        self.geo = geo
        self.cols = None

    def forward(self, x, w, b=None):
        y, self.cols = _conv(x, w, b, self.geo)
        return y

    def backward(self, g, xs, out, F):
        x, w = xs[0], xs[1]
        cols, self.cols = self.cols, None  # free them; a retained graph's second pass rebuilds them
        geo = self.geo
        gx = _run_transpose(g, w, geo, _shape(x), F) if needs(self, 0) else None
        gw = _run_weight_grad(x, g, geo, _shape(w), F, cols) if needs(self, 1) else None
        if len(xs) > 2:
            gb = F.sum(g, axis=(0,) + geo.spatial_axes) if needs(self, 2) else None
            return gx, gw, gb
        return gx, gw


class ConvTranspose(Node):
    """``col2im(W^T @ g)``: the adjoint of ``Convolution`` in its input."""

    __slots__ = ("geo", "x_shape")
    save_inputs = True

    def __init__(self, geo, x_shape):
        self.geo, self.x_shape = geo, tuple(x_shape)

    def forward(self, g, w):
        return _conv_transpose(g, w, self.geo, self.x_shape)

    def backward(self, gg, xs, out, F):
        g, w = xs
        gin = _run_conv(gg, w, self.geo, F) if needs(self, 0) else None
        gw = _run_weight_grad(gg, g, self.geo, _shape(w), F) if needs(self, 1) else None
        return gin, gw


class ConvWeightGrad(Node):
    """``g @ im2col(x)^T``: the adjoint of ``Convolution`` in its weight."""

    __slots__ = ("geo", "w_shape")
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


# -- argument parsing and checks ---------------------------------------------------------------------------

def _tuple(op, name, v, n) -> Tuple[int, ...]:
    if isinstance(v, int):
        return (v,) * n
    t = tuple(int(i) for i in v)
    if len(t) == 1 and n > 1:
        t = t * n
    if len(t) != n:
        raise ValueError(f"{op}: {name} must be an int or a tuple of {n} ints, got {v!r}")
    return t


def _spatial_names(n):
    return {1: "L", 2: "H, W", 3: "D, H, W"}[n]


def _check_operands(op, x, w, b, nsp, transposed, groups):
    """Batch the input if unbatched and check ranks, channels and dtypes; returns (x, unbatched)."""
    names = _spatial_names(nsp)
    if w.ndim != nsp + 2:
        raise ValueError(f"{op}: expected a weight of {nsp + 2} dimensions "
                         f"({'C_in, C_out/groups' if transposed else 'C_out, C_in/groups'}, {'k' if nsp == 1 else 'kH, kW'}), "
                         f"got shape {tuple(w.shape)}")
    if x.ndim not in (nsp + 1, nsp + 2):
        raise ValueError(f"{op}: expected input of shape (N, C_in, {names}) or (C_in, {names}), got {tuple(x.shape)}")
    unbatched = x.ndim == nsp + 1
    if unbatched:
        x = x.reshape((1,) + tuple(x.shape))
    if groups < 1:
        raise ValueError(f"{op}: groups must be a positive integer, got {groups}")
    c_in = w.shape[0] if transposed else w.shape[1] * groups
    if x.shape[1] != c_in:
        raise ValueError(f"{op}: expected input of shape (N, C_in, {names}) with C_in={c_in} "
                         f"(weight {tuple(w.shape)}, groups={groups}), got {tuple(x.shape)}")
    if (w.shape[0] % groups) != 0:
        raise ValueError(f"{op}: {'C_in' if transposed else 'C_out'}={w.shape[0]} (weight {tuple(w.shape)}) "
                         f"is not divisible by groups={groups}")
    c_out = w.shape[1] * groups if transposed else w.shape[0]
    if b is not None and tuple(b.shape) != (c_out,):
        raise ValueError(f"{op}: expected a bias of shape ({c_out},), got {tuple(b.shape)}")
    for name, t in (("weight", w), ("bias", b)):
        if t is not None and t.dtype != x.dtype:
            raise TypeError(f"{op}: input is {x.dtype} but {name} is {t.dtype}; convert one with .to(dtype)")
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: expected a floating-point input, got {x.dtype}")
    return x, unbatched


def _padding(op, padding, kernel, stride, dilation, nsp):
    """Per-dimension (lo, hi) padding from an int, a tuple, 'valid' or 'same' (extra cell on the high side)."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * nsp
        if padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError(f"{op}: padding='same' is not supported for strided convolutions (stride={stride})")
            total = tuple(d * (k - 1) for k, d in zip(kernel, dilation))
            return tuple((t // 2, t - t // 2) for t in total)
        raise ValueError(f"{op}: padding must be an int, a tuple, 'valid' or 'same', got {padding!r}")
    p = _tuple(op, "padding", padding, nsp)
    if any(v < 0 for v in p):
        raise ValueError(f"{op}: padding must be non-negative, got {padding!r}")
    return tuple((v, v) for v in p)


def _positive(op, name, t):
    if any(v < 1 for v in t):
        raise ValueError(f"{op}: {name} must be positive, got {t}")


def _convnd(op, nsp, input, weight, bias, stride, padding, dilation, groups):
    x, w = as_var(input), as_var(weight)
    b = None if bias is None else as_var(bias)
    x, unbatched = _check_operands(op, x, w, b, nsp, False, groups)
    kernel = tuple(w.shape[2:])
    stride = _tuple(op, "stride", stride, nsp)
    dilation = _tuple(op, "dilation", dilation, nsp)
    _positive(op, "stride", stride)
    _positive(op, "dilation", dilation)
    pad = _padding(op, padding, kernel, stride, dilation, nsp)
    in_size = tuple(x.shape[2:])
    padded = tuple(n + lo + hi for n, (lo, hi) in zip(in_size, pad))
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    if any(s > p for s, p in zip(span, padded)):
        raise ValueError(f"{op}: kernel of size {kernel} (dilation {dilation}, so spanning {span}) is larger than "
                         f"the padded input {padded} (input {tuple(x.shape)}); pad more or use a smaller kernel")
    out_size = tuple((p - s) // st + 1 for p, s, st in zip(padded, span, stride))
    node = Convolution(Geometry(kernel, stride, pad, dilation, groups, in_size, out_size))
    y = node.apply2(x, w) if b is None else node.applyn(x, w, b)
    node.cols = node.cols if y.requires_grad and w.requires_grad else None  # only the weight gradient reads them
    return y.reshape(tuple(y.shape[1:])) if unbatched else y


def _conv_transposend(op, nsp, input, weight, bias, stride, padding, output_padding, groups, dilation):
    x, w = as_var(input), as_var(weight)
    b = None if bias is None else as_var(bias)
    x, unbatched = _check_operands(op, x, w, b, nsp, True, groups)
    kernel = tuple(w.shape[2:])
    stride = _tuple(op, "stride", stride, nsp)
    dilation = _tuple(op, "dilation", dilation, nsp)
    _positive(op, "stride", stride)
    _positive(op, "dilation", dilation)
    if isinstance(padding, str):
        raise ValueError(f"{op}: padding must be an int or a tuple of ints, got {padding!r}")
    pad = _padding(op, padding, kernel, stride, dilation, nsp)
    extra = _tuple(op, "output_padding", output_padding, nsp)
    if any(e < 0 or (e >= s and e >= d) for e, s, d in zip(extra, stride, dilation)):
        raise ValueError(f"{op}: output_padding {extra} must be smaller than either stride {stride} or "
                         f"dilation {dilation}")
    in_size = tuple(x.shape[2:])
    out_size = tuple((n - 1) * s - 2 * lo + d * (k - 1) + e + 1
                     for n, s, (lo, _), d, k, e in zip(in_size, stride, pad, dilation, kernel, extra))
    if any(o < 1 for o in out_size):
        raise ValueError(f"{op}: input {tuple(x.shape)} with kernel {kernel}, stride {stride}, padding "
                         f"{tuple(lo for lo, _ in pad)} gives an empty output of size {out_size}")
    geo = Geometry(kernel, stride, pad, dilation, groups, out_size, in_size)
    c_out = w.shape[1] * groups
    y = ConvTranspose(geo, (x.shape[0], c_out) + out_size).apply2(x, w)
    if b is not None:
        y = y + b.reshape((c_out,) + (1,) * nsp)
    return y.reshape(tuple(y.shape[1:])) if unbatched else y


# -- public API ---------------------------------------------------------------------------------------------

def conv1d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None, stride: IntOrTuple = 1,
           padding: Union[IntOrTuple, str] = 0, dilation: IntOrTuple = 1, groups: int = 1) -> Tensor:
    """1-D convolution (cross-correlation, as PyTorch) of ``input`` (N, C_in, L) with ``weight`` (C_out, C_in/groups, k).

    >>> import autograd
    >>> from nn.functional import conv1d
    >>> conv1d(autograd.ones(1, 1, 5), autograd.ones(1, 1, 3), padding=1)
    tensor([[[2., 3., 3., 3., 2.]]])
    """
    return _convnd("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None, stride: IntOrTuple = 1,
           padding: Union[IntOrTuple, str] = 0, dilation: IntOrTuple = 1, groups: int = 1) -> Tensor:
    """2-D convolution of ``input`` (N, C_in, H, W) with ``weight`` (C_out, C_in/groups, kH, kW).

    ``padding`` is an int, a pair, ``'valid'`` (none) or ``'same'`` (output as large as the input; stride 1).

    >>> import autograd
    >>> from nn.functional import conv2d
    >>> conv2d(autograd.ones(1, 1, 3, 3), autograd.ones(2, 1, 2, 2)).shape
    (1, 2, 2, 2)
    """
    return _convnd("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None, stride: IntOrTuple = 1,
                     padding: IntOrTuple = 0, output_padding: IntOrTuple = 0, groups: int = 1,
                     dilation: IntOrTuple = 1) -> Tensor:
    """1-D transposed convolution of ``input`` (N, C_in, L) with ``weight`` (C_in, C_out/groups, k).

    >>> import autograd
    >>> from nn.functional import conv_transpose1d
    >>> conv_transpose1d(autograd.ones(1, 1, 3), autograd.ones(1, 1, 2))
    tensor([[[1., 2., 2., 1.]]])
    """
    return _conv_transposend("conv_transpose1d", 1, input, weight, bias, stride, padding, output_padding, groups,
                             dilation)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None, stride: IntOrTuple = 1,
                     padding: IntOrTuple = 0, output_padding: IntOrTuple = 0, groups: int = 1,
                     dilation: IntOrTuple = 1) -> Tensor:
    """2-D transposed convolution (the gradient of ``conv2d`` with respect to its input, as a layer).

    Output size per dimension: ``(in - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1``.

    >>> import autograd
    >>> from nn.functional import conv_transpose2d
    >>> conv_transpose2d(autograd.ones(1, 1, 2, 2), autograd.ones(1, 3, 3, 3), stride=2).shape
    (1, 3, 5, 5)
    """
    return _conv_transposend("conv_transpose2d", 2, input, weight, bias, stride, padding, output_padding, groups,
                             dilation)
