"""pad: PyTorch's ``F.pad`` over ``autograd.pad``, with PyTorch's argument rules (negative widths crop; the
non-constant modes pad only the last 1-3 dimensions of a batched or unbatched input)."""
from __future__ import annotations

import numbers
from typing import Optional, Sequence

import autograd

__all__ = ["pad"]

_MODES = ("constant", "reflect", "replicate", "circular")


def pad(input: autograd.Tensor, pad: Sequence[int], mode: str = "constant",  # noqa: A002 - PyTorch's names
        value: Optional[float] = None) -> autograd.Tensor:
    """Pad ``input``: ``pad`` lists (left, right) widths from the last dimension back, ``(left, right, top,
    bottom, ...)``; a negative width crops (``"constant"`` mode). ``mode``: ``"constant"`` (``value``, default 0, on any dimensions),
    ``"reflect"`` (mirror without the edge; each width less than the size), ``"replicate"`` (the edge repeated),
    ``"circular"`` (wrap around; each width at most the size); the last three pad 1, 2 or 3 trailing dimensions
    of a 2-3-D, 3-4-D or 4-5-D input, as PyTorch's. Differentiable in every mode.

    >>> import autograd, nn
    >>> x = autograd.tensor([[1.0, 2.0, 3.0]])
    >>> nn.functional.pad(x, (1, 2))
    tensor([[0., 1., 2., 3., 0., 0.]])
    >>> nn.functional.pad(x, (2, 1), mode="reflect")
    tensor([[3., 2., 1., 2., 3., 2.]])
    >>> nn.functional.pad(x, (-1, 1), value=9.0)
    tensor([[2., 3., 9.]])
    """
    if not isinstance(input, autograd.Tensor):
        raise TypeError(f"pad: input must be a Tensor, got {type(input).__name__}")
    if not isinstance(pad, (tuple, list)) or not all(_is_int(p) for p in pad):
        raise TypeError(f"pad: pad must be a tuple of ints (left, right, top, bottom, ...), got {pad!r}")
    if value is not None and (not isinstance(value, numbers.Real)):
        raise TypeError(f"pad: value must be a number, got {type(value).__name__} {value!r}")
    if mode not in _MODES:
        raise NotImplementedError(f"pad: unrecognised padding mode {mode!r}; expected one of {', '.join(_MODES)}")
    widths, shape, k = tuple(int(p) for p in pad), tuple(input.shape), len(pad) // 2
    if len(widths) % 2:
        raise RuntimeError(f"pad: padding length must be divisible by 2, got {len(widths)} ({widths})")
    if k > input.ndim:
        raise RuntimeError(f"pad: padding length should be at most twice the input's dimensions, got padding "
                           f"length {len(widths)} for an input of shape {shape}")
    pairs = [(input.ndim - 1 - i, widths[2 * i], widths[2 * i + 1]) for i in range(k)]  # (dim, before, after)
    if mode != "constant":
        _check_mode(mode, widths, pairs, shape, value)
    for d, lo, hi in pairs:  # PyTorch crops before it pads: the negative widths alone must leave a length >= 0
        if shape[d] + min(lo, 0) + min(hi, 0) < 0:
            raise RuntimeError(f"pad: padding {widths} crops dimension {d} of size {shape[d]} to a negative length "
                               f"({shape[d] + min(lo, 0) + min(hi, 0)})")
    x = input
    if any(p < 0 for p in widths):  # crop first (a slice, so the gradient flows back), then pad what is left
        crop = [slice(None)] * input.ndim
        for d, lo, hi in pairs:
            crop[d] = slice(max(-lo, 0), shape[d] - max(-hi, 0))
        x = input[tuple(crop)]
    grow = tuple(max(p, 0) for p in widths)
    if not any(grow):
        return x
    return autograd.pad(x, grow, mode=mode, value=0.0 if value is None else float(value))


def _check_mode(mode, widths, pairs, shape, value):
    """PyTorch's limits on reflect / replicate / circular padding, with what was asked."""
    if value is not None and value != 0:
        raise RuntimeError(f"pad: padding mode {mode!r} doesn't take a value argument (got {value!r}); use "
                           f"mode='constant' to pad with a value")
    k, nd = len(pairs), len(shape)
    if any(p < 0 for p in widths):
        # PyTorch's negative widths outside constant mode crop in an order that differs by mode and isn't
        # documented: refused here rather than guessed
        raise NotImplementedError(f"pad: negative padding {widths} is supported in mode='constant' only; crop with "
                                  f"slicing first (x[..., a:b]), then pad with mode={mode!r}")
    if k not in (1, 2, 3) or nd not in (k + 1, k + 2):
        raise NotImplementedError(
            f"pad: mode {mode!r} with padding of length {len(widths)} is not supported for a {nd}-D input (shape "
            f"{shape}): lengths 2, 4 and 6 pad the last 1, 2 and 3 dimensions of a 2-3-D, 3-4-D and 4-5-D input "
            f"(batched or not); use mode='constant' for other shapes")
    # which dimensions may be empty, as PyTorch's kernels check: the batch (and for reflect an unbatched input's
    # channels; for circular any dimension not padded)
    if mode != "circular" and 0 in (shape if mode == "replicate" and nd == k + 1 else shape[1:]):
        raise RuntimeError(f"pad: mode {mode!r} needs non-empty dimensions besides the batch, got shape {shape}")
    for d, lo, hi in pairs:
        n = shape[d]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(f"pad: reflect padding ({lo}, {hi}) of dimension {d} must be less than its size {n} "
                               f"(input shape {shape})")
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError(f"pad: circular padding ({lo}, {hi}) of dimension {d} wraps around more than once "
                               f"(size {n}, input shape {shape}); at most the size")


def _is_int(p) -> bool:
    return isinstance(p, numbers.Integral) and not isinstance(p, bool)
