"""Linear and Identity."""
from __future__ import annotations

import numpy as np

import autograd

from . import init
from .functional.linear import linear
from .module import Module
from .parameter import Parameter

__all__ = ["Linear", "Identity"]


class Identity(Module):
    """Returns its input unchanged (arguments are accepted and ignored, as in PyTorch)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """``y = x @ weight.T + bias``; weight (out_features, in_features), PyTorch's default initialisation.

    Args:
      in_features: size of each input sample (the last dimension of the input).
      out_features: size of each output sample.
      bias: if ``False``, the layer learns no additive bias (``bias`` is None). Default ``True``.
      device: where to make the parameters (``'cpu'``, ``'cuda'``, a :class:`~autograd.device`; default the CPU).
      dtype: the parameters' floating-point dtype (default float32).

    Shape: input ``(*, in_features)``, output ``(*, out_features)``, ``*`` any number of leading dimensions.

    Attributes: ``weight`` (out_features, in_features) and ``bias`` (out_features,), both drawn from
    U(-k, k) with k = 1/sqrt(in_features).

    >>> import autograd, nn
    >>> layer = nn.Linear(3, 2)
    >>> layer
    Linear(in_features=3, out_features=2, bias=True)
    >>> layer.weight.shape, layer(autograd.randn(5, 3)).shape
    ((2, 3), (5, 2))
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None, dtype=None):
        super().__init__()
        for name, v in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(v, (int, np.integer)) or isinstance(v, (bool, np.bool_)):
                raise TypeError(f"Linear: {name} must be a non-negative integer, got {type(v).__name__} {v!r}")
            if v < 0:
                raise ValueError(f"Linear: {name} must be a non-negative integer, got {v}")
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(autograd.empty(out_features, in_features, dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(autograd.empty(out_features, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-draw ``weight`` and ``bias`` from U(-1/sqrt(in_features), 1/sqrt(in_features)), as at construction (PyTorch's default), in place."""
        init._default_reset_(self.weight, self.bias)

    def forward(self, input):
        params = self._parameters  # straight from the store: this runs once per layer per step
        return linear(input, params["weight"], params["bias"])

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
