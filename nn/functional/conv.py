"""conv1d, conv2d, conv_transpose1d, conv_transpose2d: argument checks and output sizes, as PyTorch's.

The ops themselves (forward, backward, and their adjoints) are in ``autograd/ops/conv.py``.
"""
from __future__ import annotations

from typing import Optional, Sequence, Tuple, Union

import numpy as np

from autograd import Tensor
from autograd.ops.util import as_var
from autograd.ops.conv import ConvTranspose, Convolution, Geometry

__all__ = ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d"]

IntOrTuple = Union[int, Sequence[int]]


# -- argument parsing and checks ---------------------------------------------------------------------------

def _is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _tuple(op, name, v, n) -> Tuple[int, ...]:
    if _is_int(v):
        return (int(v),) * n
    if not isinstance(v, (tuple, list)) or not all(_is_int(i) for i in v):
        raise TypeError(f"{op}: {name} must be an int or a tuple of {n} ints, got {type(v).__name__} {v!r}")
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
    if not _is_int(groups):
        raise TypeError(f"{op}: groups must be a positive integer, got {type(groups).__name__} {groups!r}")
    if groups < 1:
        raise ValueError(f"{op}: groups must be a positive integer, got {groups}")
    if any(k < 1 for k in w.shape[2:]):
        raise ValueError(f"{op}: kernel size must be positive, but the weight of shape {tuple(w.shape)} has a "
                         f"kernel of {tuple(w.shape[2:])}")
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
