"""Functional recurrent cells, and the stacked driver the RNN/LSTM/GRU layers run.

Each cell is composed from autograd ops (matmul, sigmoid, tanh, slicing), so
its gradient, and the gradient of that gradient, come from the ops' own rules.
Gate layouts are PyTorch's, so weights port over unchanged: LSTM rows are
(i, f, g, o) and GRU rows (r, z, n), with
``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``.
"""
from __future__ import annotations

from typing import Optional, Sequence, Tuple

from autograd import Tensor
from autograd.ops import cat, chunk, relu, sigmoid, stack, tanh, unbind

from .dropout import dropout as _dropout

__all__ = ["rnn_tanh_cell", "rnn_relu_cell", "lstm_cell", "gru_cell"]


# -- one time step, given the input projection ``gi = x W_ih^T + b_ih`` and the transposed ``W_hh`` --------------
# Each returns the new state as a tuple: (h,) or, for the LSTM, (h, c).

def _hidden(h, w_hh_t, b_hh):
    gh = h @ w_hh_t
    return gh if b_hh is None else gh + b_hh


def _tanh_step(gi, state, w_hh_t, b_hh):
    return (tanh(gi + _hidden(state[0], w_hh_t, b_hh)),)


def _relu_step(gi, state, w_hh_t, b_hh):
    return (relu(gi + _hidden(state[0], w_hh_t, b_hh)),)


def _lstm_step(gi, state, w_hh_t, b_hh):
    h, c = state
    i, f, g, o = chunk(gi + _hidden(h, w_hh_t, b_hh), 4, -1)
    c = sigmoid(f) * c + sigmoid(i) * tanh(g)
    return sigmoid(o) * tanh(c), c


def _gru_step(gi, state, w_hh_t, b_hh):
    h = state[0]
    i_r, i_z, i_n = chunk(gi, 3, -1)
    h_r, h_z, h_n = chunk(_hidden(h, w_hh_t, b_hh), 3, -1)  # b_hn must stay inside r * (...)
    r = sigmoid(i_r + h_r)
    z = sigmoid(i_z + h_z)
    n = tanh(i_n + r * h_n)
    return (n + z * (h - n),)  # (1 - z) * n + z * h, one op fewer


_STEPS = {"RNN_TANH": _tanh_step, "RNN_RELU": _relu_step, "LSTM": _lstm_step, "GRU": _gru_step}
_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _project(x, w_t, b):
    y = x @ w_t
    return y if b is None else y + b


def _cell(mode, name, input, hx, w_ih, w_hh, b_ih, b_hh):
    hidden = w_hh.shape[-1]
    gates = _GATES[mode] * hidden
    if tuple(w_ih.shape)[:1] != (gates,) or tuple(w_hh.shape) != (gates, hidden):
        raise ValueError(f"{name}: weight_hh of shape {tuple(w_hh.shape)} and weight_ih of shape {tuple(w_ih.shape)} "
                         f"do not fit a cell of hidden size {hidden}: expected ({gates}, input_size) and "
                         f"({gates}, {hidden})")
    if input.shape[-1:] != w_ih.shape[1:]:
        raise ValueError(f"{name}: input of shape {tuple(input.shape)} has {input.shape[-1]} features, but weight_ih "
                         f"of shape {tuple(w_ih.shape)} expects {w_ih.shape[1]}")
    for s in hx:
        if tuple(s.shape) != tuple(input.shape[:-1]) + (hidden,):
            raise ValueError(f"{name}: hidden state of shape {tuple(s.shape)} does not match input of shape "
                             f"{tuple(input.shape)}: expected {tuple(input.shape[:-1]) + (hidden,)}")
    return _STEPS[mode](_project(input, w_ih.T, b_ih), hx, w_hh.T, b_hh)


def rnn_tanh_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Optional[Tensor] = None,
                  b_hh: Optional[Tensor] = None) -> Tensor:
    """One Elman RNN step: ``tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)``.

    >>> import autograd
    >>> x, h = autograd.ones(1, 3), autograd.zeros(1, 2)
    >>> rnn_tanh_cell(x, h, autograd.zeros(2, 3), autograd.zeros(2, 2), autograd.ones(2)).shape
    (1, 2)
    """
    return _cell("RNN_TANH", "rnn_tanh_cell", input, (hx,), w_ih, w_hh, b_ih, b_hh)[0]


def rnn_relu_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Optional[Tensor] = None,
                  b_hh: Optional[Tensor] = None) -> Tensor:
    """One Elman RNN step with ReLU: ``relu(x W_ih^T + b_ih + h W_hh^T + b_hh)``.

    >>> import autograd
    >>> x, h = autograd.ones(3), autograd.zeros(2)
    >>> rnn_relu_cell(x, h, -autograd.ones(2, 3), autograd.zeros(2, 2))
    tensor([0., 0.])
    """
    return _cell("RNN_RELU", "rnn_relu_cell", input, (hx,), w_ih, w_hh, b_ih, b_hh)[0]


def lstm_cell(input: Tensor, hx: Tuple[Tensor, Tensor], w_ih: Tensor, w_hh: Tensor, b_ih: Optional[Tensor] = None,
              b_hh: Optional[Tensor] = None) -> Tuple[Tensor, Tensor]:
    """One LSTM step; ``hx`` is ``(h, c)`` and the weights stack the gates as (i, f, g, o). Returns ``(h', c')``.

    >>> import autograd
    >>> x, h, c = autograd.ones(1, 3), autograd.zeros(1, 2), autograd.ones(1, 2)
    >>> h1, c1 = lstm_cell(x, (h, c), autograd.zeros(8, 3), autograd.zeros(8, 2))
    >>> c1  # f = i = sigmoid(0) = 0.5, g = tanh(0) = 0: c' = 0.5 * c
    tensor([[0.5000, 0.5000]])
    """
    h, c = hx
    return _cell("LSTM", "lstm_cell", input, (h, c), w_ih, w_hh, b_ih, b_hh)


def gru_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Optional[Tensor] = None,
             b_hh: Optional[Tensor] = None) -> Tensor:
    """One GRU step; the weights stack the gates as (r, z, n).

    >>> import autograd
    >>> x, h = autograd.ones(1, 3), autograd.ones(1, 2)
    >>> gru_cell(x, h, autograd.zeros(6, 3), autograd.zeros(6, 2))  # z = 0.5, n = 0: h' = 0.5 * h
    tensor([[0.5000, 0.5000]])
    """
    return _cell("GRU", "gru_cell", input, (hx,), w_ih, w_hh, b_ih, b_hh)[0]


def _recurrent(mode: str, input: Tensor, hx: Sequence[Tensor], weights: Sequence[Sequence], num_layers: int,
               dropout: float, training: bool, bidirectional: bool, batch_first: bool):
    """Run a stacked, optionally bidirectional recurrent net over a batched sequence.

    ``input`` is (L, N, I), or (N, L, I) when ``batch_first``; ``hx`` holds the
    initial states, each (D * num_layers, N, H) (one for RNN/GRU, (h0, c0) for
    the LSTM); ``weights[layer * D + direction]`` is (w_ih, w_hh, b_ih, b_hh),
    biases possibly None. Returns the output sequence, (L, N, D * H) or
    batch-first, and the final states, each (D * num_layers, N, H).
    """
    step = _STEPS[mode]
    dirs = 2 if bidirectional else 1
    # time-major (L, N, I) throughout: each layer's input projection is one product over all L * N rows (the
    # folded matmul), as PyTorch's CPU LSTM does, leaving only the (N, H) @ (H, G) products inside the recurrence
    seq = input.transpose(0, 1) if batch_first else input
    length = seq.shape[0]
    finals = []
    for layer in range(num_layers):
        if layer and dropout and training:
            seq = _dropout(seq, dropout, True)  # one mask over the whole sequence: the same draws as one per step
        outs = []
        for d in range(dirs):
            k = layer * dirs + d
            w_ih, w_hh, b_ih, b_hh = weights[k]
            if mode != "GRU" and b_ih is not None:
                b_ih, b_hh = b_ih + b_hh, None  # both biases only ever appear summed outside the GRU
            w_hh_t = w_hh.T
            # per-step projections from one unbind: L slices would send back L full-size gradients (quadratic in L)
            gis = unbind(_project(seq, w_ih.T, b_ih), 0)
            state = tuple(s[k] for s in hx)
            ys = [None] * length
            for t in (range(length - 1, -1, -1) if d else range(length)):
                state = step(gis[t], state, w_hh_t, b_hh)
                ys[t] = state[0]
            outs.append(stack(ys, 0))
            finals.append(state)
        seq = outs[0] if dirs == 1 else cat(outs, -1)
    output = seq.transpose(0, 1) if batch_first else seq
    return output, tuple(stack([f[i] for f in finals], 0) for i in range(len(hx)))
