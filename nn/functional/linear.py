"""linear: ``x @ weight.T + bias``."""
from __future__ import annotations

import autograd

__all__ = ["linear"]


def linear(input, weight, bias=None):
    """``input @ weight.T + bias`` for input (..., in_features) and weight (out_features, in_features).

    Recorded as its parts (``permute``, ``matmul``, ``add``), so a drawn graph shows the
    arithmetic of each layer. Input and weight must share a dtype, as in PyTorch (a float64 batch into a
    float32 layer is refused rather than silently computed in float64).

    >>> import autograd, nn
    >>> x, w = autograd.ones(2, 3), autograd.ones(4, 3)
    >>> nn.functional.linear(x, w, autograd.zeros(4)).shape
    (2, 4)
    """
    if input.shape[-1:] != weight.shape[-1:]:
        raise ValueError(f"linear: input of shape {tuple(input.shape)} has {input.shape[-1] if input.ndim else 0} "
                         f"features but weight of shape {tuple(weight.shape)} expects {weight.shape[-1]}")
    if bias is not None and weight.ndim == 2 and tuple(bias.shape) not in ((weight.shape[0],), (1,), ()):
        raise ValueError(f"linear: bias of shape {tuple(bias.shape)} does not match weight of shape "
                         f"{tuple(weight.shape)}; expected ({weight.shape[0]},)")
    if input.array.dtype != weight.array.dtype:
        raise RuntimeError(f"linear: input is {input.dtype} but the weight is {weight.dtype} (input shape "
                           f"{tuple(input.shape)}, weight shape {tuple(weight.shape)}); convert the input "
                           f"(x.to(weight.dtype)) or the layer (model.to({input.dtype.name!r}) / model.double())")
    out = autograd.matmul(input, weight.T)
    return out if bias is None else out + bias
