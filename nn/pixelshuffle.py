"""PixelShuffle and PixelUnshuffle (and their functional forms): channels to space and back, by reshape and
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

from .module import Module

__all__ = ["PixelShuffle", "PixelUnshuffle"]


def _factor(op, name, r):
    if not isinstance(r, int) or isinstance(r, bool) or r < 1:
        raise ValueError(f"{op}: {name} must be a positive integer, got {r!r}")


def pixel_shuffle(input, upscale_factor: int):
    """(*, C r^2, H, W) -> (*, C, H r, W r): output[c, h r + i, w r + j] = input[c r^2 + i r + j, h, w]."""
    op, r = "pixel_shuffle", upscale_factor
    _factor(op, "upscale_factor", r)
    if input.ndim < 3:
        raise ValueError(f"{op}: expected an input of at least 3 dimensions (*, C, H, W), got shape "
                         f"{tuple(input.shape)}")
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise ValueError(f"{op}: the channels of the input of shape {tuple(input.shape)} ({c}) must be divisible by "
                         f"upscale_factor squared ({r * r})")
    k = len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    x = x.permute(*range(k), k, k + 3, k + 1, k + 4, k + 2)
    return x.reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input, downscale_factor: int):
    """(*, C, H r, W r) -> (*, C r^2, H, W), the inverse of ``pixel_shuffle``."""
    op, r = "pixel_unshuffle", downscale_factor
    _factor(op, "downscale_factor", r)
    if input.ndim < 3:
        raise ValueError(f"{op}: expected an input of at least 3 dimensions (*, C, H, W), got shape "
                         f"{tuple(input.shape)}")
    *lead, c, h, w = input.shape
    if h % r or w % r:
        raise ValueError(f"{op}: the height ({h}) and width ({w}) of the input of shape {tuple(input.shape)} must "
                         f"be divisible by downscale_factor ({r})")
    k = len(lead)
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    x = x.permute(*range(k), k, k + 2, k + 4, k + 1, k + 3)
    return x.reshape(*lead, c * r * r, h // r, w // r)


class PixelShuffle(Module):
    """Rearrange (*, C r^2, H, W) into (*, C, H r, W r) (sub-pixel convolution's upscaling step)."""

    def __init__(self, upscale_factor: int):
        super().__init__()
        _factor("PixelShuffle", "upscale_factor", upscale_factor)
        self.upscale_factor = upscale_factor

    def forward(self, input):
        return pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """Rearrange (*, C, H r, W r) into (*, C r^2, H, W)."""

    def __init__(self, downscale_factor: int):
        super().__init__()
        _factor("PixelUnshuffle", "downscale_factor", downscale_factor)
        self.downscale_factor = downscale_factor

    def forward(self, input):
        return pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"
