"""max_pool1d/2d, avg_pool1d/2d, adaptive_avg_pool1d/2d.

Pooling runs over the strided window view of :mod:`nn.functional.conv`: one
vectorised step per kernel position (four for a 2x2 pool), never a loop over
pixels and never a copy of the windows. Sum pooling and its adjoint are a pair
of ops, each the other's backward, so average pooling differentiates to any
order; max pooling sends the gradient to the first maximum of each window, as
PyTorch does.
"""
from __future__ import annotations

import itertools
import math
from typing import Optional, Sequence, Union

import autograd
from autograd import Tensor
from autograd.backend import array_module
from autograd.ops import matmul
from autograd.ops.pool import MaxPool, PoolGeometry, SumPool, flat_argmax
from autograd.ops.util import as_var

from .conv import _tuple

__all__ = ["max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
           "adaptive_max_pool1d", "adaptive_max_pool2d"]

IntOrTuple = Union[int, Sequence[int]]


def _geometry(op, x, nsp, kernel_size, stride, padding, dilation, ceil_mode, max_pad):
    """Validate the arguments of a pooling and size its output as PyTorch does (ceil_mode included)."""
    if x.ndim not in (nsp + 1, nsp + 2):
        names = {1: "L", 2: "H, W"}[nsp]
        raise ValueError(f"{op}: expected input of shape (N, C, {names}) or (C, {names}), got {tuple(x.shape)}")
    kernel = _tuple(op, "kernel_size", kernel_size, nsp)
    stride = kernel if stride is None or (not isinstance(stride, int) and len(stride) == 0) else \
        _tuple(op, "stride", stride, nsp)
    pad = _tuple(op, "padding", padding, nsp)
    dil = _tuple(op, "dilation", dilation, nsp)
    if any(v < 1 for v in kernel + stride + dil):
        raise ValueError(f"{op}: kernel_size {kernel}, stride {stride} and dilation {dil} must be positive")
    for p, k, d in zip(pad, kernel, dil):
        if p < 0 or p > max_pad(k, d):
            raise ValueError(f"{op}: padding should be at most half of the kernel size, got padding={pad}, "
                             f"kernel_size={kernel}" + (f" and dilation={dil}" if any(v != 1 for v in dil) else ""))
    in_size = tuple(x.shape[-nsp:])
    out, pads = [], []
    for n, k, s, p, d in zip(in_size, kernel, stride, pad, dil):
        span = d * (k - 1) + 1
        o = (n + 2 * p - span + ((s - 1) if ceil_mode else 0)) // s + 1
        if ceil_mode and (o - 1) * s >= n + p:  # the last window must start inside the input or its left padding
            o -= 1
        if o < 1:
            raise ValueError(f"{op}: input {tuple(x.shape)} is too small for kernel_size {kernel} "
                             f"(dilation {dil}, padding {pad}): the output would be empty")
        out.append(o)
        pads.append((p, max((o - 1) * s + span - n - p, 0)))  # the high side: whatever the last window needs
    return PoolGeometry(kernel, stride, dil, tuple(pads), in_size, tuple(out))


def _batched(x, nsp):
    """``x`` with a batch dimension, and whether one was added."""
    if x.ndim == nsp + 1:
        return x.reshape((1,) + tuple(x.shape)), True
    return x, False


# -- max pooling ------------------------------------------------------------------------------------------


def _max_poolnd(op, nsp, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    x = as_var(input)
    geo = _geometry(op, x, nsp, kernel_size, stride, padding, dilation, ceil_mode,
                    lambda k, d: (d * (k - 1) + 1) // 2)
    xb, unbatched = _batched(x, nsp)
    node = MaxPool(geo)
    out = node.apply1(xb)
    if not out.requires_grad:
        node.padded = None
    if unbatched:
        out = out.reshape(tuple(out.shape[1:]))
    if not return_indices:
        return out
    idx = flat_argmax(xb.array, out.array.reshape((1,) + out.shape) if unbatched else out.array, geo)
    return out, Tensor._wrap(idx[0] if unbatched else idx, None)


def max_pool1d(input: Tensor, kernel_size: IntOrTuple, stride: Optional[IntOrTuple] = None,
               padding: IntOrTuple = 0, dilation: IntOrTuple = 1, ceil_mode: bool = False,
               return_indices: bool = False):
    """Max over windows of ``kernel_size`` along the last dimension of ``input`` (N, C, L).

    >>> import autograd
    >>> from nn.functional import max_pool1d
    >>> max_pool1d(autograd.tensor([[[1., 3., 2., 5.]]]), 2)
    tensor([[[3., 5.]]])
    """
    return _max_poolnd("max_pool1d", 1, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool2d(input: Tensor, kernel_size: IntOrTuple, stride: Optional[IntOrTuple] = None,
               padding: IntOrTuple = 0, dilation: IntOrTuple = 1, ceil_mode: bool = False,
               return_indices: bool = False):
    """Max over ``kernel_size`` windows of ``input`` (N, C, H, W); ``stride`` defaults to the kernel size.

    Padding cells count as minus infinity. With ``return_indices`` also returns, per output, the index of the
    chosen element in the flattened (H * W) input, as PyTorch.

    >>> import autograd
    >>> from nn.functional import max_pool2d
    >>> max_pool2d(autograd.arange(16.).reshape(1, 1, 4, 4), 2)
    tensor([[[[ 5.,  7.],
              [13., 15.]]]])
    """
    return _max_poolnd("max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


# -- sum and average pooling -----------------------------------------------------------------------------


def _divisor(geo, count_include_pad, divisor_override, xp, dtype):
    """What each window sum is divided by: a number, or an array over the output's spatial dims."""
    if divisor_override is not None:
        if divisor_override == 0:
            raise ValueError("avg_pool: divisor_override must be non-zero")
        return float(divisor_override)
    per_dim = []
    for k, s, o, n, (lo, _) in zip(geo.kernel, geo.stride, geo.out_size, geo.in_size, geo.pad):
        start = xp.arange(o) * s - lo
        end = xp.minimum(start + k, n + lo)  # a window never counts cells past the right padding (ceil_mode)
        size = end - start
        if not count_include_pad:
            size = xp.minimum(end, n) - xp.maximum(start, 0)
        per_dim.append(size)
    if all(bool((d == d[0]).all()) for d in per_dim):
        return float(math.prod(int(d[0]) for d in per_dim))
    div = per_dim[0]
    for d in per_dim[1:]:
        div = div[..., None] * d
    return div.astype(dtype)


def _avg_poolnd(op, nsp, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    x = as_var(input)
    geo = _geometry(op, x, nsp, kernel_size, stride, padding, 1, ceil_mode, lambda k, d: k // 2)
    xb, unbatched = _batched(x, nsp)
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: expected a floating-point input, got {x.dtype}")
    div = _divisor(geo, count_include_pad, divisor_override, array_module(x.array), x.dtype)
    out = SumPool(geo).apply1(xb)
    out = out * (1.0 / div) if isinstance(div, float) else out / div
    return out.reshape(tuple(out.shape[1:])) if unbatched else out


def avg_pool1d(input: Tensor, kernel_size: IntOrTuple, stride: Optional[IntOrTuple] = None,
               padding: IntOrTuple = 0, ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """Mean over windows along the last dimension of ``input`` (N, C, L).

    >>> import autograd
    >>> from nn.functional import avg_pool1d
    >>> avg_pool1d(autograd.tensor([[[1., 3., 2., 6.]]]), 2)
    tensor([[[2., 4.]]])
    """
    return _avg_poolnd("avg_pool1d", 1, input, kernel_size, stride, padding, ceil_mode, count_include_pad, None)


def avg_pool2d(input: Tensor, kernel_size: IntOrTuple, stride: Optional[IntOrTuple] = None,
               padding: IntOrTuple = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: Optional[int] = None) -> Tensor:
    """Mean over ``kernel_size`` windows of ``input`` (N, C, H, W).

    ``count_include_pad=False`` divides by the number of real (not padding) cells in each window;
    ``divisor_override`` divides every window sum by that number instead.

    >>> import autograd
    >>> from nn.functional import avg_pool2d
    >>> avg_pool2d(autograd.arange(16.).reshape(1, 1, 4, 4), 2)
    tensor([[[[ 2.5000,  4.5000],
              [10.5000, 12.5000]]]])
    """
    return _avg_poolnd("avg_pool2d", 2, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                       divisor_override)


# -- adaptive average pooling ------------------------------------------------------------------------------

def _averaging_matrix(n, o, xp, dtype):
    """(o, n) matrix whose row i averages cells floor(i n / o) .. ceil((i + 1) n / o) - 1, as PyTorch's windows."""
    i = xp.arange(o)
    start = (i * n) // o
    end = -((-(i + 1) * n) // o)
    cells = xp.arange(n)
    inside = (cells >= start[:, None]) & (cells < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


def _adaptive_sizes(op, nsp, x, output_size):
    """Check an adaptive pooling's input and ``output_size`` (an int, a tuple; None keeps that input size);
    returns the spatial sizes in and out."""
    if x.ndim not in (nsp + 1, nsp + 2):
        names = {1: "L", 2: "H, W"}[nsp]
        raise ValueError(f"{op}: expected input of shape (N, C, {names}) or (C, {names}), got {tuple(x.shape)}")
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: expected a floating-point input, got {x.dtype}")
    in_size = tuple(x.shape[-nsp:])
    sizes = (output_size,) * nsp if isinstance(output_size, int) or output_size is None else tuple(output_size)
    if len(sizes) != nsp:
        raise ValueError(f"{op}: output_size must be an int or a tuple of {nsp}, got {output_size!r}")
    out_size = tuple(n if o is None else int(o) for o, n in zip(sizes, in_size))
    if any(o < 1 for o in out_size) or any(n < 1 for n in in_size):
        raise ValueError(f"{op}: output_size {out_size} and input sizes {in_size} must be positive")
    return in_size, out_size


def _windows(n, o):
    """PyTorch's adaptive windows along one axis: cells floor(i n / o) .. ceil((i + 1) n / o) - 1."""
    return [((i * n) // o, -((-(i + 1) * n) // o)) for i in range(o)]


def _adaptive_max_poolnd(op, nsp, input, output_size, return_indices):
    x = as_var(input)
    in_size, out_size = _adaptive_sizes(op, nsp, x, output_size)
    if all(n % o == 0 for n, o in zip(in_size, out_size)):  # equal windows: a plain max pool
        kernel = tuple(n // o for n, o in zip(in_size, out_size))
        return _max_poolnd(op, nsp, x, kernel, kernel, 0, 1, False, return_indices)
    xb, unbatched = _batched(x, nsp)
    lead = tuple(xb.shape[:2])
    values, indices = [], []
    xp = array_module(xb.array)
    # uneven windows: one max per output cell (its first maximum takes the gradient, as PyTorch's kernel)
    for cell in itertools.product(*(_windows(n, o) for n, o in zip(in_size, out_size))):
        win = xb[(slice(None), slice(None)) + tuple(slice(a, b) for a, b in cell)]
        v, i = win.reshape(lead + (-1,)).max(dim=-1)
        values.append(v)
        if return_indices:  # the window's flat index -> the input's flat spatial index
            local = xp.unravel_index(i.array, tuple(b - a for a, b in cell))
            flat = 0
            for (a, _), pos, n in zip(cell, local, in_size):
                flat = flat * n + (pos + a)
            indices.append(flat)
    out = autograd.stack(values, dim=-1).reshape(lead + out_size)
    if unbatched:
        out = out.reshape(tuple(out.shape[1:]))
    if not return_indices:
        return out
    idx = xp.stack(indices, axis=-1).reshape(lead + out_size).astype(xp.int64)
    return out, Tensor._wrap(idx[0] if unbatched else idx, None)


def adaptive_max_pool1d(input: Tensor, output_size, return_indices: bool = False):
    """Max pooling of (N, C, L) or (C, L) to a fixed length, windows as PyTorch's (and its indices).

    >>> import autograd
    >>> from nn.functional import adaptive_max_pool1d
    >>> adaptive_max_pool1d(autograd.tensor([[[1.0, 5.0, 2.0, 4.0, 3.0]]]), 2)
    tensor([[[5., 4.]]])
    """
    return _adaptive_max_poolnd("adaptive_max_pool1d", 1, input, output_size, return_indices)


def adaptive_max_pool2d(input: Tensor, output_size, return_indices: bool = False):
    """Max pooling of (N, C, H, W) or (C, H, W) to a fixed size (an int, a pair; None keeps that input size).

    >>> import autograd
    >>> from nn.functional import adaptive_max_pool2d
    >>> adaptive_max_pool2d(autograd.arange(25.0).reshape(1, 1, 5, 5), 2)
    tensor([[[[12., 14.],
              [22., 24.]]]])
    """
    return _adaptive_max_poolnd("adaptive_max_pool2d", 2, input, output_size, return_indices)


def _adaptive_avg_poolnd(op, nsp, input, output_size):
    x = as_var(input)
    in_size, out_size = _adaptive_sizes(op, nsp, x, output_size)
    if all(n % o == 0 for n, o in zip(in_size, out_size)):  # equal windows: a plain average pool
        kernel = tuple(n // o for n, o in zip(in_size, out_size))
        return _avg_poolnd(op, nsp, x, kernel, kernel, 0, False, True, None)
    # uneven windows: pooling along each dimension is a product with a fixed averaging matrix
    xp = array_module(x.array)
    out = x
    for dim in range(nsp):
        a = Tensor._wrap(_averaging_matrix(in_size[dim], out_size[dim], xp, x.dtype), None)
        axis = x.ndim - nsp + dim
        moved = out.swapaxes(axis, -1) if axis != x.ndim - 1 else out
        moved = matmul(moved, a.T)
        out = moved.swapaxes(axis, -1) if axis != x.ndim - 1 else moved
    return out


def adaptive_avg_pool1d(input: Tensor, output_size: int) -> Tensor:
    """Average pooling to a fixed output length, windows as PyTorch's.

    >>> import autograd
    >>> from nn.functional import adaptive_avg_pool1d
    >>> adaptive_avg_pool1d(autograd.tensor([[[1., 2., 3.]]]), 2)
    tensor([[[1.5000, 2.5000]]])
    """
    return _adaptive_avg_poolnd("adaptive_avg_pool1d", 1, input, output_size)


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """Average pooling to a fixed output size (an int, a pair; None keeps that input size).

    >>> import autograd
    >>> from nn.functional import adaptive_avg_pool2d
    >>> adaptive_avg_pool2d(autograd.ones(2, 3, 7, 5), (2, None)).shape
    (2, 3, 2, 5)
    """
    return _adaptive_avg_poolnd("adaptive_avg_pool2d", 2, input, output_size)
