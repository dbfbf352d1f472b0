"""Upsample, UpsamplingNearest2d, UpsamplingBilinear2d and their functional form ``interpolate``.

Resampling is separable, one spatial axis at a time, and built from gathers (``x[..., idx, ...]``) and
multiplications by constant weights, so the gradient scatters back through the same indices and weights.
Source coordinates follow PyTorch's: ``nearest`` takes ``floor(dst * scale)`` (computed in float32, as PyTorch's
CPU kernel), ``nearest-exact`` ``floor((dst + 0.5) * scale)``, the linear modes ``(dst + 0.5) * scale - 0.5``
clamped at 0, or ``dst * (in - 1) / (out - 1)`` with ``align_corners=True``. ``scale`` is ``in / out`` when the
size is given (or ``recompute_scale_factor=True``), else ``1 / scale_factor``.

>>> import autograd, nn
>>> x = autograd.tensor([[[1.0, 2.0]]])
>>> nn.Upsample(scale_factor=2)(x)
tensor([[[1., 1., 2., 2.]]])
>>> nn.Upsample(scale_factor=2, mode="linear")(x)
tensor([[[1.0000, 1.2500, 1.7500, 2.0000]]])
"""
from __future__ import annotations

from typing import Optional

from .functional.upsampling import interpolate
from .module import Module

__all__ = ["Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"]


class Upsample(Module):
    """Upsample (N, C, *spatial) to ``size`` or by ``scale_factor`` with ``interpolate``.

    >>> import autograd, nn
    >>> nn.Upsample(size=(2, 3), mode="bilinear")(autograd.ones(1, 1, 1, 1)).shape
    (1, 1, 2, 3)
    """

    def __init__(self, size=None, scale_factor=None, mode: str = "nearest", align_corners: Optional[bool] = None,
                 recompute_scale_factor: Optional[bool] = None) -> None:
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, (tuple, list)):
            self.scale_factor = tuple(float(f) for f in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor is not None else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input):
        return interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                           recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self) -> str:
        info = f"scale_factor={self.scale_factor!r}" if self.scale_factor is not None else f"size={self.size!r}"
        return info + f", mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """``Upsample(mode='nearest')`` for (N, C, H, W)."""

    def __init__(self, size=None, scale_factor=None) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """``Upsample(mode='bilinear', align_corners=True)`` for (N, C, H, W)."""

    def __init__(self, size=None, scale_factor=None) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)
