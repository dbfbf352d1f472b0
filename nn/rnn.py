"""Recurrent layers: RNN, LSTM, GRU and their single-step cells, with PyTorch's parameters.

Parameter names, shapes and gate order are PyTorch's (``weight_ih_l0`` of
shape (gates * hidden_size, input_size), ``..._reverse`` for the backward
direction; LSTM gates (i, f, g, o), GRU gates (r, z, n)), so a state_dict
saved from ``torch.nn.LSTM`` loads here unchanged.
"""
from __future__ import annotations

import math
import numbers
import warnings
from typing import Optional, Tuple

import autograd
from autograd import Tensor

from . import init
from .functional.rnn import _GATES, _recurrent, gru_cell, lstm_cell, rnn_relu_cell, rnn_tanh_cell
from .module import Module
from .parameter import Parameter

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]


def _zeros(like: Tensor, shape) -> Tensor:
    """A zero initial state on ``like``'s device, in its dtype."""
    return autograd.zeros(*shape, dtype=like.dtype, device=like.device)


def _reset(module: Module, hidden_size: int) -> None:
    stdv = 1.0 / math.sqrt(hidden_size) if hidden_size > 0 else 0.0
    for weight in module.parameters():
        init.uniform_(weight, -stdv, stdv)


class RNNBase(Module):
    """What RNN, LSTM and GRU share: the parameters of every layer and direction, and the forward."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, device=None,
                 dtype=None) -> None:
        super().__init__()
        name = type(self).__name__
        if isinstance(dropout, bool) or not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1:
            raise ValueError(f"{name}: dropout should be a number in range [0, 1] representing the probability of "
                             f"an element being zeroed, got {dropout!r}")
        for what, v in (("input_size", input_size), ("hidden_size", hidden_size), ("num_layers", num_layers)):
            if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v <= 0:
                raise ValueError(f"{name}: {what} must be a positive integer, got {v!r}")
        if dropout > 0 and num_layers == 1:
            warnings.warn(f"{name}: dropout option adds dropout after all but last recurrent layer, so non-zero "
                          f"dropout expects num_layers greater than 1, but got dropout={dropout} and "
                          f"num_layers={num_layers}", stacklevel=3)
        self.mode = mode
        self.input_size = int(input_size)
        self.hidden_size = int(hidden_size)
        self.num_layers = int(num_layers)
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = 0
        dirs = 2 if bidirectional else 1
        gates = _GATES[mode] * self.hidden_size
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(self.num_layers):
            layer_input = self.input_size if layer == 0 else self.hidden_size * dirs
            for d in range(dirs):
                suffix = f"_l{layer}" + ("_reverse" if d else "")
                shapes: dict[str, tuple[int, ...]] = {"weight_ih": (gates, layer_input),
                                                      "weight_hh": (gates, self.hidden_size)}
                if bias:
                    shapes.update(bias_ih=(gates,), bias_hh=(gates,))
                names = []
                for kind, shape in shapes.items():
                    setattr(self, kind + suffix, Parameter(autograd.empty(*shape, dtype=dtype, device=device)))
                    names.append(kind + suffix)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias uniform in (-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as PyTorch."""
        _reset(self, self.hidden_size)

    def flatten_parameters(self) -> None:
        """Does nothing: PyTorch packs weights into one buffer for cuDNN; here each step reads them as they are.

        Kept so that PyTorch code calling it runs unchanged.
        """

    @property
    def all_weights(self) -> list:
        """The parameters per layer and direction: [[weight_ih, weight_hh, bias_ih, bias_hh], ...]."""
        return [[getattr(self, n) for n in names] for names in self._all_weights]

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    def forward(self, input: Tensor, hx=None):
        name = type(self).__name__
        lstm = self.mode == "LSTM"
        if input.ndim not in (2, 3):
            raise ValueError(f"{name}: Expected input to be 2D (L, H_in) or 3D "
                             f"({'N, L' if self.batch_first else 'L, N'}, H_in), got {input.ndim}D instead "
                             f"(shape {tuple(input.shape)})")
        batched = input.ndim == 3
        if lstm and hx is not None and (isinstance(hx, Tensor) or len(hx) != 2):
            raise ValueError(f"{name}: hx must be a pair (h_0, c_0) of tensors, got {type(hx).__name__}")
        states = () if hx is None else (tuple(hx) if lstm else (hx,))
        if any(s.ndim != input.ndim for s in states):
            kind = "batched 3-D" if batched else "unbatched 2-D"
            got = ", ".join(f"{s.ndim}-D" for s in states)
            raise RuntimeError(f"{name}: For {kind} input, hx should also be {input.ndim}-D but got ({got}) tensor(s)")
        if not batched:
            input = input.unsqueeze(0 if self.batch_first else 1)
            states = tuple(s.unsqueeze(1) for s in states)
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"{name}: input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {input.shape[-1]} (input shape {tuple(input.shape)})")
        length, batch = (input.shape[1], input.shape[0]) if self.batch_first else input.shape[:2]
        if length == 0:
            raise RuntimeError(f"{name}: Expected sequence length to be larger than 0, got input of shape "
                               f"{tuple(input.shape)}")
        expected = ((2 if self.bidirectional else 1) * self.num_layers, batch, self.hidden_size)
        if not states:
            states = tuple(_zeros(input, expected) for _ in range(2 if lstm else 1))
        for i, s in enumerate(states):
            if tuple(s.shape) != expected:
                raise RuntimeError(f"{name}: Expected {f'hidden[{i}]' if lstm else 'hidden'} size {expected}, "
                                   f"got {list(s.shape)}")
        weights = [ws if self.bias else ws + [None, None] for ws in self.all_weights]
        output, finals = _recurrent(self.mode, input, states, weights, self.num_layers, self.dropout, self.training,
                                    self.bidirectional, self.batch_first)
        if not batched:
            output = output.squeeze(0 if self.batch_first else 1)
            finals = tuple(f.squeeze(1) for f in finals)
        return output, (finals if lstm else finals[0])


class RNN(RNNBase):
    """Elman RNN, stacked and optionally bidirectional: ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)``.

    ``nonlinearity="relu"`` uses ReLU instead of tanh.

    Input (L, N, input_size), or (N, L, input_size) with ``batch_first``, or
    unbatched (L, input_size); ``hx`` (D * num_layers, N, hidden_size), zeros
    by default. Returns ``(output, h_n)``: output (L, N, D * hidden_size), the
    last layer's state at every step; h_n every layer's final state.

    >>> import autograd, nn
    >>> rnn = nn.RNN(3, 4, num_layers=2)
    >>> out, h = rnn(autograd.randn(5, 2, 3))
    >>> out.shape, h.shape
    ((5, 2, 4), (2, 2, 4))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device=None, dtype=None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: Unknown nonlinearity {nonlinearity!r}. Select from 'tanh' or 'relu'.")
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size, hidden_size, num_layers,
                         bias, batch_first, dropout, bidirectional, device, dtype)
        self.nonlinearity = nonlinearity


class _GatedRNN(RNNBase):
    """An RNNBase whose mode is fixed by the subclass (``_mode``), with PyTorch's LSTM/GRU signature."""

    _mode: str

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, device=None,
                 dtype=None) -> None:
        super().__init__(self._mode, input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device, dtype)


class LSTM(_GatedRNN):
    """Long short-term memory, stacked and optionally bidirectional; gates (i, f, g, o) as in PyTorch.

    Like :class:`RNN`, but the state is a pair: ``hx = (h_0, c_0)`` and the
    result is ``(output, (h_n, c_n))``.

    Args:
      input_size: the number of expected features in the input ``x``.
      hidden_size: the number of features in the hidden state ``h`` (and the cell state ``c``).
      num_layers: number of recurrent layers; ``num_layers=2`` stacks two LSTMs, the second taking the first's
        outputs. Default 1.
      bias: if ``False``, the layer has no ``bias_ih``/``bias_hh`` weights. Default ``True``.
      batch_first: if ``True``, input and output are ``(N, L, H)`` instead of ``(L, N, H)`` (the states ``h``
        and ``c`` keep ``(D * num_layers, N, hidden_size)``). Default ``False``.
      dropout: if non-zero, a Dropout layer with this probability on the outputs of each layer except the
        last (training mode only). Default 0.
      bidirectional: if ``True``, a bidirectional LSTM (D = 2: output ``(L, N, 2 * hidden_size)``). Default ``False``.
      device: where to make the parameters (``'cpu'``, ``'cuda'``, a :class:`~autograd.device`; default the CPU).
      dtype: the parameters' floating-point dtype (default float32).

    Shape: input ``(L, N, input_size)`` (``(N, L, input_size)`` with ``batch_first``) or unbatched
    ``(L, input_size)``; ``h_0``, ``c_0``, ``h_n``, ``c_n`` ``(D * num_layers, N, hidden_size)`` (zeros when
    ``hx`` is omitted); output ``(L, N, D * hidden_size)``, the last layer's ``h_t`` at every step.

    Attributes: ``weight_ih_l{k}`` (4 * hidden_size, input_size for k = 0, else D * hidden_size),
    ``weight_hh_l{k}`` (4 * hidden_size, hidden_size), ``bias_ih_l{k}``, ``bias_hh_l{k}`` (4 * hidden_size,),
    gate blocks in the order (i, f, g, o), all from U(-k, k) with k = 1/sqrt(hidden_size); the reverse
    direction's carry the suffix ``_reverse``.

    >>> import autograd, nn
    >>> lstm = nn.LSTM(3, 4, bidirectional=True, batch_first=True)
    >>> out, (h, c) = lstm(autograd.randn(2, 5, 3))
    >>> out.shape, h.shape, c.shape
    ((2, 5, 8), (2, 2, 4), (2, 2, 4))
    """

    _mode = "LSTM"


class GRU(_GatedRNN):
    """Gated recurrent unit, stacked and optionally bidirectional; gates (r, z, n) as in PyTorch.

    >>> import autograd, nn
    >>> gru = nn.GRU(3, 4)
    >>> out, h = gru(autograd.randn(5, 3))  # unbatched
    >>> out.shape, h.shape
    ((5, 4), (1, 4))
    """

    _mode = "GRU"


class RNNCellBase(Module):
    """One recurrent step with parameters ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, gates: int, device=None, dtype=None) -> None:
        super().__init__()
        self.input_size = int(input_size)
        self.hidden_size = int(hidden_size)
        self.bias = bias
        self.weight_ih = Parameter(autograd.empty(gates * hidden_size, input_size, dtype=dtype, device=device))
        self.weight_hh = Parameter(autograd.empty(gates * hidden_size, hidden_size, dtype=dtype, device=device))
        if bias:
            self.bias_ih = Parameter(autograd.empty(gates * hidden_size, dtype=dtype, device=device))
            self.bias_hh = Parameter(autograd.empty(gates * hidden_size, dtype=dtype, device=device))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-draw every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as at construction, in place."""
        _reset(self, self.hidden_size)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        nonlinearity = getattr(self, "nonlinearity", "tanh")
        if nonlinearity != "tanh":
            s += f", nonlinearity={nonlinearity}"
        return s

    def _run(self, cell, input: Tensor, states: tuple):
        name = type(self).__name__
        if input.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D (input_size,) or 2D (N, input_size), got "
                             f"{input.ndim}D instead (shape {tuple(input.shape)})")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"{name}: input has inconsistent input_size: got {input.shape[-1]} expected "
                               f"{self.input_size} (input shape {tuple(input.shape)})")
        expected = tuple(input.shape[:-1]) + (self.hidden_size,)
        if not states:
            states = (_zeros(input, expected),) * (2 if cell is lstm_cell else 1)
        for s in states:
            if tuple(s.shape) != expected:
                raise RuntimeError(f"{name}: hidden state of shape {tuple(s.shape)} does not match input of shape "
                                   f"{tuple(input.shape)}: expected {expected}")
        hx = states if cell is lstm_cell else states[0]
        return cell(input, hx, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)


class RNNCell(RNNCellBase):
    """One Elman RNN step: ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)`` (or ReLU).

    >>> import autograd, nn
    >>> cell = nn.RNNCell(3, 2)
    >>> cell(autograd.randn(4, 3)).shape  # hx defaults to zeros
    (4, 2)
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device=None, dtype=None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: Unknown nonlinearity {nonlinearity!r}. Select from 'tanh' or 'relu'.")
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Optional[Tensor] = None) -> Tensor:
        cell = rnn_tanh_cell if self.nonlinearity == "tanh" else rnn_relu_cell
        return self._run(cell, input, () if hx is None else (hx,))


class LSTMCell(RNNCellBase):
    """One LSTM step; ``hx = (h, c)``, returns ``(h', c')``.

    >>> import autograd, nn
    >>> h, c = nn.LSTMCell(3, 2)(autograd.randn(3))
    >>> h.shape, c.shape
    ((2,), (2,))
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Tensor, hx: Optional[Tuple[Tensor, Tensor]] = None) -> Tuple[Tensor, Tensor]:
        return self._run(lstm_cell, input, () if hx is None else tuple(hx))


class GRUCell(RNNCellBase):
    """One GRU step.

    >>> import autograd, nn
    >>> nn.GRUCell(3, 2)(autograd.randn(4, 3), autograd.zeros(4, 2)).shape
    (4, 2)
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Optional[Tensor] = None) -> Tensor:
        return self._run(gru_cell, input, () if hx is None else (hx,))
