"""ONNX for whole ``nn`` layers: each covered layer's call becomes the ONNX operator(s) that compute it.

An emitter gets the graph, the module, the ONNX names of the call's tensor inputs, and the call's input and
output tensors (for shapes); it returns one ONNX name per output tensor, in the order the call returned them.
"""
from __future__ import annotations

import numpy as np

import nn


class Unsupported(ValueError):
    """A layer or op that the ONNX export cannot write (the message names it and says why)."""


def _np(t):
    return None if t is None else np.asarray(t.detach().cpu().array if hasattr(t, "detach") else t)


def _tuple(v, n):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


def _conv_pads(m, x_shape, n):
    if isinstance(m.padding, str):
        if m.padding == "valid":
            return [0] * (2 * n)
        k, d = _tuple(m.kernel_size, n), _tuple(m.dilation, n)
        total = [di * (ki - 1) for ki, di in zip(k, d)]
        return [t // 2 for t in total] + [t - t // 2 for t in total]  # PyTorch's 'same': the extra pixel at the end
    p = _tuple(m.padding, n)
    return list(p) + list(p)


def linear(g, m, ins, xs, outs):
    """``nn.Linear``: MatMul by the transposed weight, then Add of the bias (when it has one)."""
    w = g.const(np.ascontiguousarray(_np(m.weight).T), "weight_t")
    y = g.op("MatMul", [ins[0], w])
    return [g.op("Add", [y, g.const(_np(m.bias), "bias")]) if m.bias is not None else y]


def conv(g, m, ins, xs, outs):
    """``nn.Conv1d/2d/3d`` and ``nn.ConvTranspose1d/2d``: ONNX Conv / ConvTranspose (zero padding only;
    ``padding='same'`` puts the odd pixel at the end, as PyTorch)."""
    n = len(m.kernel_size)
    if m.padding_mode != "zeros":
        raise Unsupported(f"{type(m).__name__}(padding_mode={m.padding_mode!r}): ONNX Conv pads with zeros only")
    inputs = [ins[0], g.const(_np(m.weight), "weight")] + ([g.const(_np(m.bias), "bias")] if m.bias is not None else [])
    common = dict(kernel_shape=list(m.kernel_size), strides=list(_tuple(m.stride, n)),
                  dilations=list(_tuple(m.dilation, n)), group=int(m.groups), pads=_conv_pads(m, xs[0].shape, n))
    if isinstance(m, (nn.ConvTranspose1d, nn.ConvTranspose2d)):
        return [g.op("ConvTranspose", inputs, output_padding=list(_tuple(m.output_padding, n)), **common)]
    return [g.op("Conv", inputs, **common)]


def maxpool(g, m, ins, xs, outs):
    """``nn.MaxPool1d/2d/3d``: ONNX MaxPool (the pooled values; ``return_indices=True`` is refused)."""
    if m.return_indices:
        raise Unsupported(f"{type(m).__name__}(return_indices=True): export the pooled values only")
    n = xs[0].ndim - 2
    return [g.op("MaxPool", ins[:1], kernel_shape=list(_tuple(m.kernel_size, n)), strides=list(_tuple(m.stride, n)),
                 pads=list(_tuple(m.padding, n)) * 2, dilations=list(_tuple(m.dilation, n)),
                 ceil_mode=int(bool(m.ceil_mode)))]


def avgpool(g, m, ins, xs, outs):
    """``nn.AvgPool1d/2d/3d``: ONNX AveragePool (``divisor_override`` is refused)."""
    if getattr(m, "divisor_override", None):
        raise Unsupported(f"{type(m).__name__}(divisor_override=...): ONNX AveragePool has no divisor override")
    n = xs[0].ndim - 2
    return [g.op("AveragePool", ins[:1], kernel_shape=list(_tuple(m.kernel_size, n)),
                 strides=list(_tuple(m.stride, n)), pads=list(_tuple(m.padding, n)) * 2,
                 ceil_mode=int(bool(m.ceil_mode)), count_include_pad=int(bool(m.count_include_pad)))]


def adaptive_avgpool(g, m, ins, xs, outs):
    """``nn.AdaptiveAvgPool*d``: GlobalAveragePool for a 1x1 output, else AveragePool where the
    input size is a multiple of the output size (equal windows); other sizes are refused."""
    size_in = xs[0].shape[2:]
    size_out = tuple(outs[0].shape[2:])
    if all(s == 1 for s in size_out):
        return [g.op("GlobalAveragePool", ins[:1])]
    if any(i % o for i, o in zip(size_in, size_out)):
        raise Unsupported(f"{type(m).__name__}: input size {tuple(size_in)} is not a multiple of output size "
                          f"{size_out}; ONNX has no adaptive pooling (only equal windows export)")
    k = [i // o for i, o in zip(size_in, size_out)]
    return [g.op("AveragePool", ins[:1], kernel_shape=k, strides=k)]


def batchnorm(g, m, ins, xs, outs):
    """``nn.BatchNorm1d/2d/3d`` in eval mode: ONNX BatchNormalization with the running statistics
    (a layer without them, ``track_running_stats=False``, is refused)."""
    if m.running_mean is None:
        raise Unsupported(f"{type(m).__name__}(track_running_stats=False) normalises with batch statistics even in "
                          "eval mode; ONNX BatchNormalization needs running statistics")
    c = m.num_features
    scale = _np(m.weight) if m.affine else np.ones(c, np.float32)
    bias = _np(m.bias) if m.affine else np.zeros(c, np.float32)
    return [g.op("BatchNormalization", [ins[0], g.const(scale, "bn_scale"), g.const(bias, "bn_bias"),
                                        g.const(_np(m.running_mean), "bn_mean"), g.const(_np(m.running_var), "bn_var")],
                 epsilon=float(m.eps))]


def layernorm(g, m, ins, xs, outs):
    """``nn.LayerNorm``: ONNX LayerNormalization over the last ``len(normalized_shape)`` axes."""
    shape = tuple(m.normalized_shape)
    w = _np(m.weight) if m.weight is not None else np.ones(shape, np.float32)
    b = _np(getattr(m, "bias", None)) if getattr(m, "bias", None) is not None else np.zeros(shape, np.float32)
    return [g.op("LayerNormalization", [ins[0], g.const(w, "ln_scale"), g.const(b, "ln_bias")],
                 axis=-len(shape), epsilon=float(m.eps))]


def groupnorm(g, m, ins, xs, outs):
    """``nn.GroupNorm``: InstanceNormalization over (N, groups, rest), reshaped back, then the
    per-channel affine as Mul and Add."""
    # ONNX InstanceNormalization over (N, G, rest) normalises each group; the per-channel affine comes after
    groups, c, nd = int(m.num_groups), int(m.num_channels), xs[0].ndim
    grouped = g.op("Reshape", [ins[0], g.ints([0, groups, -1], "shape")])
    normed = g.op("InstanceNormalization", [grouped, g.const(np.ones(groups, np.float32), "gn_one"),
                                            g.const(np.zeros(groups, np.float32), "gn_zero")], epsilon=float(m.eps))
    y = g.op("Reshape", [normed, g.op("Shape", [ins[0]])])
    if m.affine:
        view = (c,) + (1,) * (nd - 2)
        y = g.op("Mul", [y, g.const(_np(m.weight).reshape(view), "gn_scale")])
        y = g.op("Add", [y, g.const(_np(m.bias).reshape(view), "gn_bias")])
    return [y]


def _gelu(g, x, approximate):
    if approximate == "tanh":  # 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
        cube = g.op("Mul", [g.op("Mul", [x, x]), x])
        inner = g.op("Add", [x, g.op("Mul", [cube, g.const(np.float32(0.044715))])])
        t = g.op("Tanh", [g.op("Mul", [inner, g.const(np.float32(np.sqrt(2 / np.pi)))])])
    else:  # 0.5 x (1 + erf(x / sqrt 2))
        t = g.op("Erf", [g.op("Div", [x, g.const(np.float32(np.sqrt(2.0)))])])
    return g.op("Mul", [g.op("Mul", [x, g.const(np.float32(0.5))]), g.op("Add", [t, g.const(np.float32(1.0))])])


def _softplus(g, x, beta):
    if beta == 1:
        return g.op("Softplus", [x])
    b = g.const(np.float32(beta))
    return g.op("Div", [g.op("Softplus", [g.op("Mul", [x, b])]), b])


def _dim(m, xs):
    d = m.dim if m.dim is not None else (0 if xs[0].ndim in (0, 1, 3) else 1)  # PyTorch's legacy implicit dim
    return int(d)


ACTIVATIONS = {
    nn.ReLU: lambda g, m, x, xs: g.op("Relu", [x]),
    nn.Sigmoid: lambda g, m, x, xs: g.op("Sigmoid", [x]),
    nn.Tanh: lambda g, m, x, xs: g.op("Tanh", [x]),
    nn.LeakyReLU: lambda g, m, x, xs: g.op("LeakyRelu", [x], alpha=float(m.negative_slope)),
    nn.ELU: lambda g, m, x, xs: g.op("Elu", [x], alpha=float(m.alpha)),
    nn.GELU: lambda g, m, x, xs: _gelu(g, x, m.approximate),
    nn.SiLU: lambda g, m, x, xs: g.op("Mul", [x, g.op("Sigmoid", [x])]),
    nn.Softplus: lambda g, m, x, xs: _softplus(g, x, float(m.beta)),
    nn.ReLU6: lambda g, m, x, xs: g.op("Clip", [x, g.const(np.float32(0)), g.const(np.float32(6))]),
    nn.Hardtanh: lambda g, m, x, xs: g.op("Clip", [x, g.const(np.float32(m.min_val)), g.const(np.float32(m.max_val))]),
    nn.Softmax: lambda g, m, x, xs: g.op("Softmax", [x], axis=_dim(m, xs)),
    nn.LogSoftmax: lambda g, m, x, xs: g.op("LogSoftmax", [x], axis=_dim(m, xs)),
}


def activation(g, m, ins, xs, outs):
    """An activation layer (the ``ACTIVATIONS`` table: ReLU, GELU, Softmax, ...) as its ONNX operator(s)."""
    return [ACTIVATIONS[type(m)](g, m, ins[0], xs)]


def identity(g, m, ins, xs, outs):  # Dropout in eval mode, Identity
    """``nn.Identity`` and ``nn.Dropout`` (eval mode): ONNX Identity."""
    return [g.op("Identity", ins[:1])]


def flatten(g, m, ins, xs, outs):
    """``nn.Flatten``: ONNX Reshape with 0 for the leading dimensions, so the batch size stays dynamic."""
    nd = xs[0].ndim
    start, end = m.start_dim % nd, m.end_dim % nd
    shape = [0] * start + [-1] + list(xs[0].shape[end + 1:])  # 0 copies a dimension, so the batch stays dynamic
    return [g.op("Reshape", [ins[0], g.ints(shape, "shape")])]


def embedding(g, m, ins, xs, outs):
    """``nn.Embedding``: ONNX Gather from the weight (indices cast to int64; ``max_norm`` is refused)."""
    if m.max_norm is not None:
        raise Unsupported("Embedding(max_norm=...) renormalises its weight during forward; ONNX Gather cannot")
    idx = ins[0] if xs[0].array.dtype == np.int64 else g.op("Cast", [ins[0]], to=7)  # 7 = INT64
    return [g.op("Gather", [g.const(_np(m.weight), "embedding"), idx], axis=0)]


# PyTorch's gate blocks in the order ONNX wants them (ONNX: LSTM i o f c, GRU z r h; PyTorch: i f g o, r z n)
_GATES = {"LSTM": [0, 3, 1, 2], "GRU": [1, 0, 2], "RNN": [0]}


def _reorder(w, order, h):
    return np.concatenate([w[k * h:(k + 1) * h] for k in order], axis=0)


def rnn(g, m, ins, xs, outs):
    """``nn.RNN``, ``nn.LSTM`` and ``nn.GRU``: the ONNX operator of the same name, PyTorch's gate blocks put
    in ONNX's order, batch-first and unbatched inputs transposed or unsqueezed around it
    (``proj_size`` is refused)."""
    kind = type(m).__name__
    if getattr(m, "proj_size", 0):
        raise Unsupported(f"{kind}(proj_size=...) has no ONNX operator")
    h, dirs, order = m.hidden_size, 2 if m.bidirectional else 1, _GATES[kind]
    x = ins[0]
    unbatched = xs[0].ndim == 2
    if unbatched:
        x = g.op("Unsqueeze", [x, g.ints([1], "axes")])
    elif m.batch_first:
        x = g.op("Transpose", [x], perm=[1, 0, 2])
    given = ins[1:]  # h0 (and c0 for an LSTM), or nothing for zeros
    if kind == "LSTM" and given:
        given = [ins[1], ins[2]] if len(ins) >= 3 else given
    if unbatched and given:
        given = [g.op("Unsqueeze", [s, g.ints([1], "axes")]) for s in given]
    hs, cs = [], []
    for layer in range(m.num_layers):
        W, R, B = [], [], []
        for d in range(dirs):
            sfx = f"_l{layer}" + ("_reverse" if d else "")
            W.append(_reorder(_np(getattr(m, "weight_ih" + sfx)), order, h))
            R.append(_reorder(_np(getattr(m, "weight_hh" + sfx)), order, h))
            if m.bias:
                B.append(np.concatenate([_reorder(_np(getattr(m, "bias_ih" + sfx)), order, h),
                                         _reorder(_np(getattr(m, "bias_hh" + sfx)), order, h)]))
            else:
                B.append(np.zeros(2 * len(order) * h, np.float32))
        inputs = [x, g.const(np.stack(W), "W"), g.const(np.stack(R), "R"), g.const(np.stack(B), "B"), ""]
        for s in given:  # this layer's slice of the initial state: rows layer*dirs .. (layer+1)*dirs
            inputs.append(g.op("Slice", [s, g.ints([layer * dirs], "starts"), g.ints([(layer + 1) * dirs], "ends"),
                                         g.ints([0], "axes")]))
        attrs = dict(hidden_size=h, direction="bidirectional" if dirs == 2 else "forward")
        if kind == "GRU":
            attrs["linear_before_reset"] = 1
        if kind == "RNN":
            attrs["activations"] = ["Tanh" if m.nonlinearity == "tanh" else "Relu"] * dirs
        n_out = 3 if kind == "LSTM" else 2
        res = g.op(kind, inputs, n_out=n_out, **attrs)
        y = res[0]  # (seq, dirs, batch, h) -> (seq, batch, dirs * h)
        x = g.op("Reshape", [g.op("Transpose", [y], perm=[0, 2, 1, 3]), g.ints([0, 0, -1], "shape")])
        hs.append(res[1])
        if kind == "LSTM":
            cs.append(res[2])
    out = x
    if unbatched:
        out = g.op("Squeeze", [out, g.ints([1], "axes")])
    elif m.batch_first:
        out = g.op("Transpose", [out], perm=[1, 0, 2])
    states = [g.op("Concat", hs, axis=0) if len(hs) > 1 else hs[0]]
    if kind == "LSTM":
        states.append(g.op("Concat", cs, axis=0) if len(cs) > 1 else cs[0])
    if unbatched:
        states = [g.op("Squeeze", [s, g.ints([1], "axes")]) for s in states]
    return [out] + states


LAYERS = [
    (nn.Linear, linear),
    ((nn.Conv1d, nn.Conv2d, nn.ConvTranspose1d, nn.ConvTranspose2d), conv),
    ((nn.MaxPool1d, nn.MaxPool2d), maxpool),
    ((nn.AvgPool1d, nn.AvgPool2d), avgpool),
    ((nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d), adaptive_avgpool),
    ((nn.BatchNorm1d, nn.BatchNorm2d), batchnorm),
    (nn.LayerNorm, layernorm),
    (nn.GroupNorm, groupnorm),
    (tuple(ACTIVATIONS), activation),
    ((nn.Dropout, nn.Identity), identity),
    (nn.Flatten, flatten),
    (nn.Embedding, embedding),
    ((nn.LSTM, nn.GRU, nn.RNN), rnn),
]


def emitter(module):
    """The emitter for ``module``'s type (exact types: a subclass may change forward), or None."""
    for classes, fn in LAYERS:
        if type(module) in (classes if isinstance(classes, tuple) else (classes,)):
            return fn
    return None
