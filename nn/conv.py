"""Convolution modules: Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d (PyTorch's parameters and init)."""
from __future__ import annotations

from typing import Any, Callable, Optional, Sequence, Tuple, Union

import autograd
from autograd.ops import pad as _pad

from . import init
from .functional.conv import _is_int, _tuple, conv1d, conv2d, conv_transpose1d, conv_transpose2d
from .module import Module
from .parameter import Parameter

__all__ = ["Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d"]

IntOrTuple = Union[int, Sequence[int]]
_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _at_least(op, name, t, low):
    """``t`` when every entry is at least ``low`` (kernel sizes, strides and dilations 1, paddings 0)."""
    if any(v < low for v in t):
        raise ValueError(f"{op}: {name} must be {'positive' if low else 'non-negative'}, got {t}")
    return t


class _ConvNd(Module):
    """What Conv and ConvTranspose layers share: arguments, parameters, initialisation and repr."""

    _nsp = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride, padding, dilation,
                 transposed: bool, output_padding, groups: int, bias: bool, padding_mode: str,
                 device=None, dtype=None):
        super().__init__()
        op, n = type(self).__name__, self._nsp
        for name, v in (("in_channels", in_channels), ("out_channels", out_channels), ("groups", groups)):
            if not _is_int(v):
                raise TypeError(f"{op}: {name} must be a positive integer, got {type(v).__name__} {v!r}")
            if v <= 0:
                raise ValueError(f"{op}: {name} must be a positive integer, got {v}")
        if in_channels % groups:
            raise ValueError(f"{op}: in_channels={in_channels} must be divisible by groups={groups}")
        if out_channels % groups:
            raise ValueError(f"{op}: out_channels={out_channels} must be divisible by groups={groups}")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"{op}: padding_mode must be one of {_PADDING_MODES}, got {padding_mode!r}")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"{op}: padding must be an int, a tuple, 'valid' or 'same', got {padding!r}")
            if padding == "same" and any(s != 1 for s in _tuple(op, "stride", stride, n)):
                raise ValueError(f"{op}: padding='same' is not supported for strided convolutions")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _at_least(op, "kernel_size", _tuple(op, "kernel_size", kernel_size, n), 1)
        self.stride = _at_least(op, "stride", _tuple(op, "stride", stride, n), 1)
        self.padding = padding if isinstance(padding, str) else _at_least(op, "padding", _tuple(op, "padding", padding, n), 0)
        self.dilation = _at_least(op, "dilation", _tuple(op, "dilation", dilation, n), 1)
        self.transposed = transposed
        self.output_padding = _at_least(op, "output_padding", _tuple(op, "output_padding", output_padding, n), 0)
        if transposed and any(e >= s and e >= d for e, s, d in zip(self.output_padding, self.stride, self.dilation)):
            raise ValueError(f"{op}: output_padding {self.output_padding} must be smaller than either stride "
                             f"{self.stride} or dilation {self.dilation}")
        self.groups = groups
        self.padding_mode = padding_mode
        shape = ((in_channels, out_channels // groups) if transposed else
                 (out_channels, in_channels // groups)) + self.kernel_size
        self.weight = Parameter(autograd.empty(*shape, dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(autograd.empty(out_channels, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init._default_reset_(self.weight, self.bias)  # PyTorch's default, shared with Linear

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * self._nsp:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self._nsp:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * self._nsp:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class _Conv(_ConvNd):
    _fn: Callable[..., Any] = None  # the functional form: each subclass sets its own (conv1d, ...)

    def __init__(self, in_channels: int, out_channels: int, kernel_size: IntOrTuple, stride: IntOrTuple = 1,
                 padding: Union[IntOrTuple, str] = 0, dilation: IntOrTuple = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, False, 0, groups, bias,
                         padding_mode, device, dtype)

    def _pad_widths(self):
        """(lo, hi) per spatial dim, as F.pad wants them: last dimension first."""
        if self.padding == "valid":
            return ()
        if self.padding == "same":
            total = [d * (k - 1) for k, d in zip(self.kernel_size, self.dilation)]
            pairs = [(t // 2, t - t // 2) for t in total]
        else:
            pairs = [(p, p) for p in self.padding]
        return tuple(v for lo, hi in reversed(pairs) for v in (lo, hi))

    def forward(self, input):
        fn = type(self)._fn
        if self.padding_mode != "zeros":  # pad by the mode first, then convolve without padding
            x = _pad(input, self._pad_widths(), mode=self.padding_mode)
            return fn(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
        return fn(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)


class Conv1d(_Conv):
    """1-D convolution over (N, C_in, L); weight (out_channels, in_channels / groups, kernel_size).

    >>> import autograd, nn
    >>> conv = nn.Conv1d(2, 4, 3, padding=1)
    >>> conv
    Conv1d(2, 4, kernel_size=(3,), stride=(1,), padding=(1,))
    >>> conv(autograd.randn(8, 2, 10)).shape
    (8, 4, 10)
    """

    _nsp = 1
    _fn = staticmethod(conv1d)


class Conv2d(_Conv):
    """2-D convolution over (N, C_in, H, W); weight (out_channels, in_channels / groups, kH, kW).

    Args:
      in_channels: number of channels in the input image.
      out_channels: number of channels the convolution produces.
      kernel_size: size of the convolving kernel (an int or a pair ``(kH, kW)``).
      stride: stride of the convolution (int or pair). Default 1.
      padding: zeros (or ``padding_mode``) added to both sides of each spatial dimension: an int, a pair,
        ``'valid'`` (none) or ``'same'`` (output as large as the input; stride 1 only). Default 0.
      dilation: spacing between kernel elements. Default 1.
      groups: number of blocked connections from input to output channels; both ``in_channels`` and
        ``out_channels`` must be divisible by it. Default 1.
      bias: if ``True`` (the default), adds a learnable bias of shape (out_channels,).
      padding_mode: ``'zeros'`` (default), ``'reflect'``, ``'replicate'`` or ``'circular'``.
      device: where to make the parameters (``'cpu'``, ``'cuda'``, a :class:`~autograd.device`; default the CPU).
      dtype: the parameters' floating-point dtype (default float32).

    Shape: input ``(N, C_in, H, W)`` or ``(C_in, H, W)``, output ``(N, C_out, H_out, W_out)`` with
    ``H_out = floor((H + 2 * padding[0] - dilation[0] * (kernel_size[0] - 1) - 1) / stride[0] + 1)`` (W alike).

    >>> import autograd, nn
    >>> conv = nn.Conv2d(1, 16, 3, padding=1)
    >>> conv
    Conv2d(1, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    >>> conv(autograd.randn(8, 1, 28, 28)).shape
    (8, 16, 28, 28)
    """

    _nsp = 2
    _fn = staticmethod(conv2d)


class _ConvTranspose(_ConvNd):
    _fn: Callable[..., Any] = None  # the functional form: each subclass sets its own (conv1d, ...)

    def __init__(self, in_channels: int, out_channels: int, kernel_size: IntOrTuple, stride: IntOrTuple = 1,
                 padding: IntOrTuple = 0, output_padding: IntOrTuple = 0, groups: int = 1, bias: bool = True,
                 dilation: IntOrTuple = 1, padding_mode: str = "zeros", device=None, dtype=None):
        if padding_mode != "zeros":
            raise ValueError(f"{type(self).__name__}: only padding_mode='zeros' is supported, got {padding_mode!r}")
        if isinstance(padding, str):
            raise ValueError(f"{type(self).__name__}: padding must be an int or a tuple, got {padding!r}")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, True, output_padding,
                         groups, bias, padding_mode, device, dtype)

    def _output_padding(self, input, output_size) -> Tuple[int, ...]:
        """The output_padding that gives ``output_size`` (PyTorch's rule), or the layer's own."""
        if output_size is None:
            return self.output_padding
        n = self._nsp
        size = tuple(int(s) for s in output_size)[-n:]
        if len(size) != n:
            raise ValueError(f"{type(self).__name__}: output_size must have {n} or {n + 2} elements, "
                             f"got {tuple(output_size)}")
        extra = []
        for i in range(n):
            lo = ((input.shape[-n + i] - 1) * self.stride[i] - 2 * self.padding[i]
                  + self.dilation[i] * (self.kernel_size[i] - 1) + 1)
            hi = lo + self.stride[i] - 1
            if not lo <= size[i] <= hi:
                raise ValueError(f"{type(self).__name__}: requested output size {size} is not reachable from input "
                                 f"{tuple(input.shape)}: dimension {i} must be between {lo} and {hi}")
            extra.append(size[i] - lo)
        return tuple(extra)

    def forward(self, input, output_size: Optional[Sequence[int]] = None):
        return type(self)._fn(input, self.weight, self.bias, self.stride, self.padding,
                              self._output_padding(input, output_size), self.groups, self.dilation)


class ConvTranspose1d(_ConvTranspose):
    """1-D transposed convolution; weight (in_channels, out_channels / groups, kernel_size).

    >>> import autograd, nn
    >>> up = nn.ConvTranspose1d(4, 2, 2, stride=2)
    >>> up(autograd.randn(1, 4, 5)).shape
    (1, 2, 10)
    """

    _nsp = 1
    _fn = staticmethod(conv_transpose1d)


class ConvTranspose2d(_ConvTranspose):
    """2-D transposed convolution (the gradient of Conv2d as a layer); weight (in_channels, out_channels / groups,
    kH, kW).

    >>> import autograd, nn
    >>> up = nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1)
    >>> up
    ConvTranspose2d(16, 8, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1))
    >>> up(autograd.randn(2, 16, 7, 7)).shape
    (2, 8, 14, 14)
    """

    _nsp = 2
    _fn = staticmethod(conv_transpose2d)
