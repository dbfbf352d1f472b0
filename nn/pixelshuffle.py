"""PixelShuffle and PixelUnshuffle (their functional forms are in nn.functional): channels to space and back, by reshape and
permute only, so gradients are exact rearrangements.

>>> import autograd, nn
>>> x = autograd.arange(8.0).reshape(1, 4, 1, 2)
>>> y = nn.PixelShuffle(2)(x)
>>> y.shape
(1, 1, 2, 4)
>>> bool((nn.PixelUnshuffle(2)(y) == x).all())
True
"""
from __future__ import annotations

from .functional.pixelshuffle import check_factor, pixel_shuffle, pixel_unshuffle
from .module import Module

__all__ = ["PixelShuffle", "PixelUnshuffle"]


class PixelShuffle(Module):
    """Rearrange (*, C r^2, H, W) into (*, C, H r, W r) (sub-pixel convolution's upscaling step)."""

    def __init__(self, upscale_factor: int):
        super().__init__()
        check_factor("PixelShuffle", "upscale_factor", upscale_factor)
        self.upscale_factor = upscale_factor

    def forward(self, input):
        return pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """Rearrange (*, C, H r, W r) into (*, C r^2, H, W)."""

    def __init__(self, downscale_factor: int):
        super().__init__()
        check_factor("PixelUnshuffle", "downscale_factor", downscale_factor)
        self.downscale_factor = downscale_factor

    def forward(self, input):
        return pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"
