"""dropout1d, dropout2d, dropout3d: whole channels zeroed at once, as PyTorch's."""
from __future__ import annotations

import warnings

from autograd.backend import array_module
from autograd.random import generator as _generator

from .dropout import check_dropout

__all__ = ["dropout1d", "dropout2d", "dropout3d"]


def _feature_dropout(op, input, p, training, inplace, batched):
    """Zero whole channels: one draw per (sample, channel), broadcast over the spatial dimensions."""
    if not check_dropout(op, input, p, training, inplace):
        return input
    lead = 2 if batched else 1  # (N, C) or (C,) draws
    shape = tuple(input.shape[:lead]) + (1,) * (input.ndim - lead)
    xp = array_module(input.array)
    mask = (_generator(xp).random(shape) >= p).astype(input.dtype) if p < 1.0 else xp.zeros(shape, input.dtype)
    if p < 1.0:
        mask *= 1.0 / (1.0 - p)
    return input.mul_(mask) if inplace else input * mask


def dropout1d(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Channel-wise dropout of (N, C, L) or (C, L)."""
    if input.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: expected a 2D (C, L) or 3D (N, C, L) input, but received a {input.ndim}D "
                           f"input of shape {tuple(input.shape)}")
    return _feature_dropout("dropout1d", input, p, training, inplace, input.ndim == 3)


def dropout2d(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Channel-wise dropout of (N, C, H, W) or (C, H, W)... except that, as PyTorch's, a 3D input is taken as
    (N, C, L) with a warning (use dropout1d for that)."""
    if input.ndim not in (3, 4):
        warnings.warn(f"dropout2d: received a {input.ndim}D input; dropout2d expects a 4D (N, C, H, W) input and "
                      "will refuse others in a future PyTorch release", UserWarning, stacklevel=2)
    if input.ndim == 3:
        warnings.warn("dropout2d: received a 3D input and assuming that channel-wise 1D dropout is wanted: the input "
                      "is taken as (N, C, L); use dropout1d for that, or pass (N, C, H, W)", UserWarning,
                      stacklevel=2)
    return _feature_dropout("dropout2d", input, p, training, inplace, input.ndim >= 2)


def dropout3d(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Channel-wise dropout of (N, C, D, H, W) or (C, D, H, W)."""
    if input.ndim not in (4, 5):
        warnings.warn(f"dropout3d: received a {input.ndim}D input; dropout3d expects a 4D (C, D, H, W) or 5D "
                      "(N, C, D, H, W) input", UserWarning, stacklevel=2)
    return _feature_dropout("dropout3d", input, p, training, inplace, input.ndim == 5)
