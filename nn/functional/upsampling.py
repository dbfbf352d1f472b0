"""interpolate: resizing by nearest, nearest-exact, linear, bilinear or trilinear sampling, as PyTorch's, one axis
at a time (each a fixed gather or a blend of two gathers, so the gradient is the ops' own)."""
from __future__ import annotations

import math
from typing import Optional, Sequence, Union

import numpy as np

from autograd.backend import array_module

__all__ = ["interpolate"]


_LINEAR = {"linear": 1, "bilinear": 2, "trilinear": 3}


_NEAREST = ("nearest", "nearest-exact")


def _per_axis(op, name, value, k):
    if isinstance(value, (tuple, list)):
        if len(value) != k:
            raise ValueError(f"{op}: {name} {tuple(value)} must have one entry per spatial dimension of the input "
                             f"({k})")
        return tuple(value)
    return (value,) * k


def _plan(op, shape, size, scale_factor, recompute_scale_factor):
    """Output sizes and the source/destination scale of each spatial axis."""
    k = len(shape) - 2
    if (size is None) == (scale_factor is None):
        which = "only one of size or scale_factor" if size is not None else "either size or scale_factor"
        raise ValueError(f"{op}: {which} should be defined")
    if size is not None:
        out = tuple(int(s) for s in _per_axis(op, "size", size, k))
        if any(s < 1 for s in out):
            raise ValueError(f"{op}: the output size {out} must be positive in every dimension")
        return out, tuple(i / o for i, o in zip(shape[2:], out))
    factors = tuple(float(f) for f in _per_axis(op, "scale_factor", scale_factor, k))
    if any(not f > 0 or math.isinf(f) for f in factors):
        raise ValueError(f"{op}: scale_factor must be positive and finite, got {scale_factor!r}")
    out = tuple(int(math.floor(i * f)) for i, f in zip(shape[2:], factors))
    if any(s < 1 for s in out):
        raise ValueError(f"{op}: scale_factor {scale_factor!r} gives an empty output {out} for input "
                         f"{tuple(shape)}")
    if recompute_scale_factor:
        return out, tuple(i / o for i, o in zip(shape[2:], out))
    return out, tuple(1.0 / f for f in factors)


def _take(x, axis, idx):
    return x[(slice(None),) * axis + (idx,)]


def _nearest(x, axis, n_out, scale, exact):
    n_in = x.shape[axis]
    dst = np.arange(n_out, dtype=np.float32)
    src = np.floor(((dst + np.float32(0.5)) if exact else dst) * np.float32(scale)).astype(np.int64)
    idx = np.minimum(src, n_in - 1)
    return _take(x, axis, array_module(x.array).asarray(idx))


def _linear(x, axis, n_out, scale, align_corners):
    n_in = x.shape[axis]
    dst = np.arange(n_out, dtype=np.float64)
    if align_corners:
        src = dst * ((n_in - 1) / (n_out - 1)) if n_out > 1 else np.zeros(n_out)
    else:
        src = np.maximum((dst + 0.5) * scale - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    lam = src - i0
    xp = array_module(x.array)
    shape = (n_out,) + (1,) * (x.ndim - axis - 1)
    w1 = xp.asarray(lam.reshape(shape).astype(x.dtype))
    w0 = xp.asarray((1.0 - lam).reshape(shape).astype(x.dtype))
    return _take(x, axis, xp.asarray(i0)) * w0 + _take(x, axis, xp.asarray(i1)) * w1


def interpolate(input, size: Union[int, Sequence[int], None] = None,
                scale_factor: Union[float, Sequence[float], None] = None, mode: str = "nearest",
                align_corners: Optional[bool] = None, recompute_scale_factor: Optional[bool] = None,
                antialias: bool = False):
    """Resample the spatial dimensions of (N, C, *spatial) to ``size`` or by ``scale_factor``.

    Modes: ``nearest`` and ``nearest-exact`` (1 to 3 spatial dimensions), ``linear`` (3D input), ``bilinear``
    (4D), ``trilinear`` (5D). ``bicubic`` and ``area`` are not provided (``area`` downsampling is
    ``adaptive_avg_pool2d``).
    """
    op = "interpolate"
    if mode not in _NEAREST and mode not in _LINEAR:
        hint = "; for 'area' use nn.functional.adaptive_avg_pool1d/2d" if mode == "area" else ""
        raise NotImplementedError(f"{op}: mode {mode!r} is not provided; use one of 'nearest', 'nearest-exact', "
                                  f"'linear', 'bilinear', 'trilinear'{hint}")
    if antialias:
        raise NotImplementedError(f"{op}: antialias=True is not provided (PyTorch has it for bilinear/bicubic "
                                  "downsampling only)")
    k = input.ndim - 2
    if mode in _LINEAR:
        if k != _LINEAR[mode]:
            want = {1: "3D (N, C, L)", 2: "4D (N, C, H, W)", 3: "5D (N, C, D, H, W)"}[_LINEAR[mode]]
            raise ValueError(f"{op}: mode {mode!r} expects a {want} input, got shape {tuple(input.shape)}")
        align_corners = bool(align_corners)
    else:
        if align_corners is not None:
            raise ValueError(f"{op}: the align_corners option can only be set with the interpolating modes: "
                             f"linear | bilinear | trilinear (mode is {mode!r})")
        if k not in (1, 2, 3):
            raise ValueError(f"{op}: expected a 3D, 4D or 5D input (N, C, *spatial), got shape "
                             f"{tuple(input.shape)}")
    out, scales = _plan(op, tuple(input.shape), size, scale_factor, recompute_scale_factor)
    x = input
    for axis, (n, s) in enumerate(zip(out, scales), start=2):
        if mode in _LINEAR:
            x = _linear(x, axis, n, s, align_corners)
        else:
            x = _nearest(x, axis, n, s, mode == "nearest-exact")
    return x
