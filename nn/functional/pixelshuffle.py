"""pixel_shuffle and pixel_unshuffle: channels traded for space and back, as reshapes and one permutation."""
from __future__ import annotations

__all__ = ["pixel_shuffle", "pixel_unshuffle"]


def check_factor(op, name, r):
    if not isinstance(r, int) or isinstance(r, bool) or r < 1:
        raise ValueError(f"{op}: {name} must be a positive integer, got {r!r}")


def pixel_shuffle(input, upscale_factor: int):
    """(*, C r^2, H, W) -> (*, C, H r, W r): output[c, h r + i, w r + j] = input[c r^2 + i r + j, h, w]."""
    op, r = "pixel_shuffle", upscale_factor
    check_factor(op, "upscale_factor", r)
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
    check_factor(op, "downscale_factor", r)
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
