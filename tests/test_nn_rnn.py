"""Recurrent cells and layers: forward against a step-by-step NumPy reference, gradients against finite
differences, PyTorch's parameter names and shapes, dropout between layers, and shape errors."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd.testing import gradcheck, gradgradcheck
from nn.functional.rnn import _recurrent

MODES = ("RNN_TANH", "RNN_RELU", "LSTM", "GRU")
GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# -- the reference: every gate written out, one step at a time ----------------------------------------

def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def ref_step(mode, x, h, c, w_ih, w_hh, b_ih, b_hh):
    """One step for a batch: x (N, I), h and c (N, H). Returns (h', c')."""
    n = w_hh.shape[1]
    gi = x @ w_ih.T + b_ih
    gh = h @ w_hh.T + b_hh
    if mode == "LSTM":
        i = sigmoid(gi[:, :n] + gh[:, :n])
        f = sigmoid(gi[:, n:2 * n] + gh[:, n:2 * n])
        g = np.tanh(gi[:, 2 * n:3 * n] + gh[:, 2 * n:3 * n])
        o = sigmoid(gi[:, 3 * n:] + gh[:, 3 * n:])
        c = f * c + i * g
        return o * np.tanh(c), c
    if mode == "GRU":
        r = sigmoid(gi[:, :n] + gh[:, :n])
        z = sigmoid(gi[:, n:2 * n] + gh[:, n:2 * n])
        cand = np.tanh(gi[:, 2 * n:] + r * gh[:, 2 * n:])
        return (1 - z) * cand + z * h, c
    pre = gi + gh
    return (np.tanh(pre) if mode == "RNN_TANH" else np.maximum(pre, 0.0)), c


def ref_net(mode, x, h0, c0, weights, num_layers, bidirectional):
    """Stacked (bidirectional) net over x (L, N, I); weights[k] = (w_ih, w_hh, b_ih, b_hh) as arrays or None."""
    dirs = 2 if bidirectional else 1
    length = x.shape[0]
    layer_in, h_n, c_n = x, [], []
    for layer in range(num_layers):
        outs = []
        for d in range(dirs):
            k = layer * dirs + d
            w_ih, w_hh, b_ih, b_hh = weights[k]
            b_ih = np.zeros(w_ih.shape[0]) if b_ih is None else b_ih
            b_hh = np.zeros(w_ih.shape[0]) if b_hh is None else b_hh
            h, c = h0[k], c0[k]
            ys = np.zeros(layer_in.shape[:2] + (w_hh.shape[1],))
            for t in (reversed(range(length)) if d else range(length)):
                h, c = ref_step(mode, layer_in[t], h, c, w_ih, w_hh, b_ih, b_hh)
                ys[t] = h
            outs.append(ys)
            h_n.append(h)
            c_n.append(c)
        layer_in = np.concatenate(outs, axis=-1)
    return layer_in, np.stack(h_n), np.stack(c_n)


def rand(rng, *shape):
    return rng.standard_normal(shape)


def t64(a, grad=False):
    return autograd.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def random_weights(rng, mode, input_size, hidden, num_layers, dirs, bias=True):
    gates = GATES[mode] * hidden
    out = []
    for layer in range(num_layers):
        size = input_size if layer == 0 else hidden * dirs
        for _ in range(dirs):
            ws = [rand(rng, gates, size) * 0.7, rand(rng, gates, hidden) * 0.7]
            ws += [rand(rng, gates) * 0.5, rand(rng, gates) * 0.5] if bias else [None, None]
            out.append(ws)
    return out


# -- functional cells ------------------------------------------------------------------------------------

CELLS = {"RNN_TANH": F.rnn_tanh_cell, "RNN_RELU": F.rnn_relu_cell, "LSTM": F.lstm_cell, "GRU": F.gru_cell}


@pytest.mark.parametrize("mode", MODES)
def test_cell_matches_reference(mode):
    rng = np.random.default_rng(0)
    x, h, c = rand(rng, 4, 3), rand(rng, 4, 2), rand(rng, 4, 2)
    w_ih, w_hh, b_ih, b_hh = random_weights(rng, mode, 3, 2, 1, 1)[0]
    hx = (t64(h), t64(c)) if mode == "LSTM" else t64(h)
    got = CELLS[mode](t64(x), hx, t64(w_ih), t64(w_hh), t64(b_ih), t64(b_hh))
    want_h, want_c = ref_step(mode, x, h, c, w_ih, w_hh, b_ih, b_hh)
    if mode == "LSTM":
        np.testing.assert_allclose(got[0].array, want_h, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(got[1].array, want_c, rtol=1e-12, atol=1e-12)
    else:
        np.testing.assert_allclose(got.array, want_h, rtol=1e-12, atol=1e-12)


def test_cell_without_bias_and_unbatched():
    rng = np.random.default_rng(1)
    x, h = rand(rng, 3), rand(rng, 2)
    w_ih, w_hh = rand(rng, 6, 3), rand(rng, 6, 2)
    got = F.gru_cell(t64(x), t64(h), t64(w_ih), t64(w_hh))
    want, _ = ref_step("GRU", x[None], h[None], None, w_ih, w_hh, np.zeros(6), np.zeros(6))
    assert got.shape == (2,)
    np.testing.assert_allclose(got.array, want[0], rtol=1e-12)


@pytest.mark.parametrize("mode", MODES)
def test_cell_gradcheck(mode):
    rng = np.random.default_rng(2)
    x, h, c = rand(rng, 2, 3), rand(rng, 2, 2), rand(rng, 2, 2)
    ws = [t64(w, True) for w in random_weights(rng, mode, 3, 2, 1, 1)[0]]
    if mode == "LSTM":
        assert gradcheck(lambda x, h, c, *w: CELLS[mode](x, (h, c), *w),
                         (t64(x, True), t64(h, True), t64(c, True), *ws))
    else:
        assert gradcheck(lambda x, h, *w: CELLS[mode](x, h, *w), (t64(x, True), t64(h, True), *ws))


def test_lstm_cell_second_derivatives():
    rng = np.random.default_rng(3)
    x, h, c = rand(rng, 1, 2), rand(rng, 1, 2), rand(rng, 1, 2)
    w_ih, w_hh, b_ih, b_hh = random_weights(rng, "LSTM", 2, 2, 1, 1)[0]
    assert gradgradcheck(lambda x, h, c, w: sum(F.lstm_cell(x, (h, c), w, t64(w_hh), t64(b_ih), t64(b_hh))).sum(),
                         (t64(x, True), t64(h, True), t64(c, True), t64(w_ih, True)))


def test_cell_shape_errors_name_the_shapes():
    w_ih, w_hh = autograd.zeros(8, 3), autograd.zeros(8, 2)
    with pytest.raises(ValueError, match=r"lstm_cell: input of shape \(4, 5\).*expects 3"):
        F.lstm_cell(autograd.zeros(4, 5), (autograd.zeros(4, 2), autograd.zeros(4, 2)), w_ih, w_hh)
    with pytest.raises(ValueError, match=r"lstm_cell: hidden state of shape \(3, 2\).*expected \(4, 2\)"):
        F.lstm_cell(autograd.zeros(4, 3), (autograd.zeros(3, 2), autograd.zeros(4, 2)), w_ih, w_hh)
    with pytest.raises(ValueError, match=r"gru_cell: weight_hh of shape \(8, 2\)"):
        F.gru_cell(autograd.zeros(4, 3), autograd.zeros(4, 2), w_ih, w_hh)


# -- the stacked driver the layers run ------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_stacked_bidirectional_gradcheck(mode):
    """Seq 3, hidden 2, two bidirectional layers: every weight, the input and the initial states."""
    rng = np.random.default_rng(4)
    ws = random_weights(rng, mode, 2, 2, 2, 2)
    flat = [t64(w, True) for layer in ws for w in layer]
    x = rand(rng, 3, 1, 2)
    states = [rand(rng, 4, 1, 2) for _ in range(2 if mode == "LSTM" else 1)]

    def fn(x, *args):
        hx, w = args[:len(states)], args[len(states):]
        out, finals = _recurrent(mode, x, hx, [w[i:i + 4] for i in range(0, len(w), 4)], 2, 0.0, False, True,
                                 False)
        return (out,) + finals

    assert gradcheck(fn, (t64(x, True), *[t64(s, True) for s in states], *flat))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_stacked_forward_matches_reference(mode, bidirectional):
    rng = np.random.default_rng(5)
    dirs = 2 if bidirectional else 1
    ws = random_weights(rng, mode, 3, 4, 2, dirs, bias=mode != "GRU")
    x, h0, c0 = rand(rng, 5, 2, 3), rand(rng, 2 * dirs, 2, 4), rand(rng, 2 * dirs, 2, 4)
    hx = (t64(h0), t64(c0)) if mode == "LSTM" else (t64(h0),)
    out, finals = _recurrent(mode, t64(x), hx, [[None if w is None else t64(w) for w in k] for k in ws], 2, 0.0,
                             False, bidirectional, False)
    want, h_n, c_n = ref_net(mode, x, h0, c0, ws, 2, bidirectional)
    np.testing.assert_allclose(out.array, want, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(finals[0].array, h_n, rtol=1e-10, atol=1e-12)
    if mode == "LSTM":
        np.testing.assert_allclose(finals[1].array, c_n, rtol=1e-10, atol=1e-12)


# -- the layers ------------------------------------------------------------------------------------------------

LAYERS = {"RNN_TANH": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}


def weights_of(layer):
    return [[None if w is None else np.asarray(w.array, dtype=np.float64) for w in ws] + [None] * (4 - len(ws))
            for ws in layer.all_weights]


def test_state_dict_keys_and_shapes_are_pytorchs():
    lstm = nn.LSTM(3, 2, num_layers=2, bidirectional=True)
    assert list(lstm.state_dict()) == [
        "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
        "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
        "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
        "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse"]
    shapes = {k: tuple(v.shape) for k, v in lstm.state_dict().items()}
    assert shapes["weight_ih_l0"] == (8, 3) and shapes["weight_hh_l0"] == (8, 2) and shapes["bias_ih_l0"] == (8,)
    assert shapes["weight_ih_l1_reverse"] == (8, 4)  # the layer below gives both directions
    assert list(nn.GRU(3, 2, bias=False).state_dict()) == ["weight_ih_l0", "weight_hh_l0"]
    assert tuple(nn.GRU(3, 5).weight_ih_l0.shape) == (15, 3)
    assert tuple(nn.RNN(3, 5).weight_hh_l0.shape) == (5, 5)
    assert list(nn.LSTMCell(3, 2).state_dict()) == ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]
    assert list(nn.GRUCell(3, 2, bias=False).state_dict()) == ["weight_ih", "weight_hh"]


@pytest.mark.parametrize("cls", [nn.RNN, nn.LSTM, nn.GRU, nn.LSTMCell])
def test_default_init_uniform_within_one_over_sqrt_hidden(cls):
    layer = cls(3, 16)
    bound = 1 / math.sqrt(16)
    for name, p in layer.named_parameters():
        a = np.asarray(p.array)
        assert np.all(np.abs(a) <= bound), name
        assert a.std() > bound / 3, name  # spread over the interval, not constant


def test_repr_like_pytorch():
    assert repr(nn.LSTM(3, 2, num_layers=2, bidirectional=True)) == "LSTM(3, 2, num_layers=2, bidirectional=True)"
    assert repr(nn.RNN(3, 2, num_layers=2, nonlinearity="relu", batch_first=True, dropout=0.5)) == \
        "RNN(3, 2, num_layers=2, batch_first=True, dropout=0.5)"
    assert repr(nn.GRU(3, 2, bias=False)) == "GRU(3, 2, bias=False)"
    assert repr(nn.RNNCell(3, 2, bias=False, nonlinearity="relu")) == "RNNCell(3, 2, bias=False, nonlinearity=relu)"
    assert repr(nn.LSTMCell(3, 2)) == "LSTMCell(3, 2)"


@pytest.mark.parametrize("mode", ["RNN_TANH", "LSTM", "GRU"])
@pytest.mark.parametrize("batch_first, bidirectional, given_state",
                         [(False, False, False), (True, True, True), (False, True, False), (True, False, True)])
def test_layer_matches_reference(mode, batch_first, bidirectional, given_state):
    rng = np.random.default_rng(6)
    layer = LAYERS[mode](3, 4, num_layers=2, batch_first=batch_first, bidirectional=bidirectional).double()
    dirs = 2 if bidirectional else 1
    x = rand(rng, 5, 2, 3)
    h0, c0 = (rand(rng, 2 * dirs, 2, 4), rand(rng, 2 * dirs, 2, 4)) if given_state else \
        (np.zeros((2 * dirs, 2, 4)),) * 2
    hx = None if not given_state else ((t64(h0), t64(c0)) if mode == "LSTM" else t64(h0))
    out, finals = layer(t64(x.swapaxes(0, 1) if batch_first else x), hx)
    want, h_n, c_n = ref_net(mode, x, h0, c0, weights_of(layer), 2, bidirectional)
    np.testing.assert_allclose(out.array, want.swapaxes(0, 1) if batch_first else want, rtol=1e-10, atol=1e-12)
    h = finals[0] if mode == "LSTM" else finals
    np.testing.assert_allclose(h.array, h_n, rtol=1e-10, atol=1e-12)
    if mode == "LSTM":
        np.testing.assert_allclose(finals[1].array, c_n, rtol=1e-10, atol=1e-12)
    assert out.shape == ((2, 5, 4 * dirs) if batch_first else (5, 2, 4 * dirs))


def test_relu_rnn_without_bias_matches_reference():
    rng = np.random.default_rng(7)
    layer = nn.RNN(3, 4, nonlinearity="relu", bias=False).double()
    x = rand(rng, 5, 2, 3)
    out, h = layer(t64(x))
    want, h_n, _ = ref_net("RNN_RELU", x, np.zeros((1, 2, 4)), np.zeros((1, 2, 4)), weights_of(layer), 1, False)
    np.testing.assert_allclose(out.array, want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("batch_first", [False, True])
def test_unbatched_input_is_a_batch_of_one(batch_first):
    rng = np.random.default_rng(8)
    lstm = nn.LSTM(3, 2, num_layers=2, bidirectional=True, batch_first=batch_first).double()
    x, h0, c0 = rand(rng, 4, 3), rand(rng, 4, 2), rand(rng, 4, 2)
    out, (h, c) = lstm(t64(x), (t64(h0), t64(c0)))
    xb = x[None] if batch_first else x[:, None]
    out_b, (h_b, c_b) = lstm(t64(xb), (t64(h0[:, None]), t64(c0[:, None])))
    assert out.shape == (4, 4) and h.shape == (4, 2) and c.shape == (4, 2)
    np.testing.assert_allclose(out.array, out_b.array[0] if batch_first else out_b.array[:, 0], rtol=1e-12)
    np.testing.assert_allclose(h.array, h_b.array[:, 0], rtol=1e-12)


def test_layer_gradcheck_input_and_states():
    rng = np.random.default_rng(9)
    gru = nn.GRU(2, 2, num_layers=2, bidirectional=True, batch_first=True).double()
    assert gradcheck(lambda x, h: gru(x, h), (t64(rand(rng, 1, 3, 2), True), t64(rand(rng, 4, 1, 2), True)))
    lstm = nn.LSTM(2, 2).double()
    assert gradcheck(lambda x, h, c: lstm(x, (h, c))[1],
                     (t64(rand(rng, 3, 2), True), t64(rand(rng, 1, 2), True), t64(rand(rng, 1, 2), True)))


def test_layer_parameters_get_gradients():
    lstm = nn.LSTM(3, 2, num_layers=2, bidirectional=True)
    out, (h, c) = lstm(autograd.randn(4, 2, 3))
    (out.sum() + h.sum() + c.sum()).backward()
    for name, p in lstm.named_parameters():
        assert p.grad is not None and p.grad.shape == p.shape and np.any(p.grad.array != 0), name


def test_dropout_between_layers_only_in_training():
    autograd.manual_seed(0)
    x = autograd.randn(6, 3, 4)
    gru = nn.GRU(4, 5, num_layers=2, dropout=0.5)
    gru.eval()
    out_eval, h_eval = gru(x)
    out_eval2, _ = gru(x)
    np.testing.assert_array_equal(out_eval.array, out_eval2.array)
    gru.train()
    out_train, h_train = gru(x)
    assert not np.allclose(out_train.array, out_eval.array)
    # dropout acts on the first layer's output, never inside it: its final state is untouched
    np.testing.assert_allclose(h_train.array[0], h_eval.array[0], rtol=1e-6)


def test_no_dropout_after_the_last_layer():
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        lstm = nn.LSTM(4, 5, dropout=0.9)
    x = autograd.randn(6, 3, 4)
    out_train, _ = lstm(x)
    lstm.eval()
    np.testing.assert_array_equal(out_train.array, lstm(x)[0].array)


@pytest.mark.parametrize("cls", [nn.RNNCell, nn.LSTMCell, nn.GRUCell])
def test_cells_match_reference(cls):
    rng = np.random.default_rng(10)
    cell = cls(3, 2).double()
    mode = {nn.RNNCell: "RNN_TANH", nn.LSTMCell: "LSTM", nn.GRUCell: "GRU"}[cls]
    x, h, c = rand(rng, 4, 3), rand(rng, 4, 2), rand(rng, 4, 2)
    ws = [np.asarray(p.array) for p in (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)]
    want_h, want_c = ref_step(mode, x, h, c, *ws)
    got = cell(t64(x), (t64(h), t64(c)) if mode == "LSTM" else t64(h))
    np.testing.assert_allclose((got[0] if mode == "LSTM" else got).array, want_h, rtol=1e-12)
    zero_h, zero_c = ref_step(mode, x, 0 * h, 0 * c, *ws)
    got = cell(t64(x))  # hx defaults to zeros
    np.testing.assert_allclose((got[0] if mode == "LSTM" else got).array, zero_h, rtol=1e-12)
    if mode == "LSTM":
        np.testing.assert_allclose(got[1].array, zero_c, rtol=1e-12)


def test_layer_errors_name_what_is_wrong():
    lstm = nn.LSTM(3, 2)
    with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size. Expected 3, got 4"):
        lstm(autograd.zeros(2, 2, 4))
    with pytest.raises(RuntimeError, match=r"Expected hidden\[0\] size \(1, 2, 2\), got \[1, 3, 2\]"):
        lstm(autograd.zeros(2, 2, 3), (autograd.zeros(1, 3, 2), autograd.zeros(1, 2, 2)))
    with pytest.raises(ValueError, match="Expected input to be 2D .* or 3D .* got 4D"):
        nn.GRU(3, 2)(autograd.zeros(2, 2, 2, 3))
    with pytest.raises(RuntimeError, match="For batched 3-D input, hx should also be 3-D"):
        nn.GRU(3, 2)(autograd.zeros(2, 2, 3), autograd.zeros(2, 2))
    with pytest.raises(RuntimeError, match="For unbatched 2-D input, hx should also be 2-D"):
        nn.GRU(3, 2)(autograd.zeros(2, 3), autograd.zeros(1, 1, 2))
    with pytest.raises(RuntimeError, match="sequence length to be larger than 0"):
        nn.RNN(3, 2)(autograd.zeros(0, 2, 3))
    with pytest.raises(ValueError, match="Unknown nonlinearity 'sigmoid'"):
        nn.RNN(3, 2, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="dropout should be a number in range"):
        nn.LSTM(3, 2, num_layers=2, dropout=1.5)
    with pytest.raises(ValueError, match="hidden_size must be a positive integer"):
        nn.GRU(3, 0)
    with pytest.raises(RuntimeError, match="LSTMCell: input has inconsistent input_size: got 4 expected 3"):
        nn.LSTMCell(3, 2)(autograd.zeros(2, 4))
    with pytest.raises(ValueError, match="GRUCell: Expected input to be 1D .* or 2D .* got 3D"):
        nn.GRUCell(3, 2)(autograd.zeros(1, 2, 3))
    with pytest.raises(RuntimeError, match=r"hidden state of shape \(3, 2\).*expected \(2, 2\)"):
        nn.GRUCell(3, 2)(autograd.zeros(2, 3), autograd.zeros(3, 2))
    with pytest.raises(ValueError, match=r"LSTM: hx must be a pair \(h_0, c_0\)"):
        lstm(autograd.zeros(2, 2, 3), autograd.zeros(1, 2, 2))
