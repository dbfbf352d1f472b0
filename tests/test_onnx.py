"""denpa.onnx.export: onnx.checker accepts every model and ONNX Runtime computes what denpa computes."""
from __future__ import annotations

import io
import math

import numpy as np
import pytest

onnx = pytest.importorskip("onnx", reason="the onnx package is not installed (pip install 'denpa[onnx]')")
ort = pytest.importorskip("onnxruntime", reason="onnxruntime is not installed (pip install onnxruntime)")

import autograd  # noqa: E402
import denpa.onnx  # noqa: E402
import nn  # noqa: E402


def roundtrip(model, *inputs, atol=1e-5, **kw):
    """Export, check, run in ONNX Runtime; compare with denpa's own outputs (in eval mode)."""
    buf = io.BytesIO()
    denpa.onnx.export(model, inputs if len(inputs) > 1 else inputs[0], buf, **kw)
    proto = onnx.load_from_string(buf.getvalue())
    onnx.checker.check_model(proto, full_check=True)
    sess = ort.InferenceSession(buf.getvalue(), providers=["CPUExecutionProvider"])
    feeds = {i.name: x.array for i, x in zip(sess.get_inputs(), inputs)}
    got = sess.run(None, feeds)
    model.eval()
    with autograd.no_grad():
        want = model(*inputs)
    want = [want] if isinstance(want, autograd.Tensor) else [w for w in _flat(want)]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.shape == tuple(w.shape)
        np.testing.assert_allclose(g, w.array, rtol=1e-4, atol=atol)
    return proto


def _flat(x):
    out = []
    for v in x:
        out += _flat(v) if isinstance(v, (tuple, list)) else [v]
    return out


def ops(proto):
    return [n.op_type for n in proto.graph.node]


def rand(*shape):
    return autograd.randn(*shape)


def _trained_bn(bn, shape):
    bn.train()
    for _ in range(3):
        bn(rand(*shape) * 2.0 + 0.5)
    return bn


LAYERS = {
    "linear": lambda: (nn.Linear(5, 3), rand(4, 5)),
    "linear_3d_nobias": lambda: (nn.Linear(5, 3, bias=False), rand(2, 4, 5)),
    "conv1d": lambda: (nn.Conv1d(2, 4, 3, stride=2, padding=1, dilation=1), rand(2, 2, 9)),
    "conv2d": lambda: (nn.Conv2d(4, 6, 3, stride=(2, 1), padding=2, dilation=2, groups=2), rand(2, 4, 9, 8)),
    "conv2d_same": lambda: (nn.Conv2d(1, 2, 4, padding="same"), rand(1, 1, 7, 7)),
    "convtranspose1d": lambda: (nn.ConvTranspose1d(3, 2, 3, stride=2, padding=1, output_padding=1), rand(2, 3, 5)),
    "convtranspose2d": lambda: (nn.ConvTranspose2d(2, 4, 3, stride=2, groups=2), rand(1, 2, 4, 5)),
    "maxpool1d": lambda: (nn.MaxPool1d(3, stride=2, padding=1), rand(2, 3, 10)),
    "maxpool2d": lambda: (nn.MaxPool2d(2, ceil_mode=True), rand(2, 3, 7, 6)),
    "avgpool2d": lambda: (nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False), rand(2, 3, 7, 6)),
    "avgpool1d": lambda: (nn.AvgPool1d(2), rand(2, 3, 8)),
    "adaptive_global": lambda: (nn.AdaptiveAvgPool2d(1), rand(2, 3, 5, 4)),
    "adaptive_even": lambda: (nn.AdaptiveAvgPool2d((2, 3)), rand(2, 3, 4, 6)),
    "batchnorm1d": lambda: (_trained_bn(nn.BatchNorm1d(4), (8, 4)), rand(3, 4)),
    "batchnorm2d": lambda: (_trained_bn(nn.BatchNorm2d(3), (4, 3, 5, 5)), rand(2, 3, 5, 5)),
    "layernorm": lambda: (nn.LayerNorm((3, 4)), rand(2, 3, 4)),
    "groupnorm": lambda: (nn.GroupNorm(2, 4), rand(2, 4, 3, 3)),
    "dropout_eval": lambda: (nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.5)), rand(4, 3)),
    "flatten": lambda: (nn.Flatten(), rand(2, 3, 4, 5)),
    "flatten_mid": lambda: (nn.Flatten(1, 2), rand(2, 3, 4, 5)),
    "lstm": lambda: (nn.LSTM(3, 4), rand(5, 2, 3)),
    "lstm_deep_bidir_batch_first": lambda: (nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True),
                                            rand(2, 5, 3)),
    "gru": lambda: (nn.GRU(3, 5, num_layers=2), rand(6, 2, 3)),
    "gru_bidir": lambda: (nn.GRU(3, 4, bidirectional=True, batch_first=True), rand(2, 4, 3)),
    "rnn_relu": lambda: (nn.RNN(3, 4, nonlinearity="relu"), rand(4, 2, 3)),
}
ACTS = [nn.ReLU(), nn.Sigmoid(), nn.Tanh(), nn.LeakyReLU(0.2), nn.ELU(0.7), nn.GELU(), nn.GELU("tanh"), nn.SiLU(),
        nn.Softplus(beta=2.0), nn.ReLU6(), nn.Hardtanh(-0.5, 0.5), nn.Softmax(dim=1), nn.LogSoftmax(dim=-1)]


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_matches_onnx_runtime(name):
    autograd.manual_seed(0)
    model, x = LAYERS[name]()
    roundtrip(model, x)


@pytest.mark.parametrize("act", ACTS, ids=lambda a: repr(a))
def test_activation_matches_onnx_runtime(act):
    autograd.manual_seed(1)
    roundtrip(act, rand(3, 5) * 3.0)


def test_lstm_with_initial_state_returns_every_output():
    autograd.manual_seed(2)
    m = nn.LSTM(3, 4, num_layers=2)
    x, h0, c0 = rand(5, 2, 3), rand(2, 2, 4), rand(2, 2, 4)

    class WithState(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = m

        def forward(self, x, h, c):
            return self.lstm(x, (h, c))

    proto = roundtrip(WithState(), x, h0, c0)
    assert ops(proto).count("LSTM") == 2 and len(proto.graph.output) == 3


def test_embedding_with_integer_input():
    autograd.manual_seed(3)
    model = nn.Sequential(nn.Embedding(10, 4), nn.Flatten(), nn.Linear(12, 2))
    idx = autograd.tensor(np.array([[1, 2, 9], [0, 0, 5]], dtype=np.int64))
    proto = roundtrip(model, idx)
    assert proto.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.INT64
    assert ops(proto)[0] == "Gather"


class Attention(nn.Module):
    """Single-head self-attention written with primitives, with a residual connection and a LayerNorm."""

    def __init__(self, d):
        super().__init__()
        self.q, self.k, self.v = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)
        self.norm = nn.LayerNorm(d)
        self.d = d

    def forward(self, x):
        q, k, v = self.q(x), self.k(x), self.v(x)
        w = (q @ k.transpose(-2, -1) / math.sqrt(self.d)).softmax(-1)
        return self.norm(x + w @ v)


def test_attention_via_primitives():
    autograd.manual_seed(4)
    proto = roundtrip(Attention(8), rand(2, 5, 8))
    assert {"MatMul", "Softmax", "Transpose", "Div", "LayerNormalization"} <= set(ops(proto))


def test_multihead_attention_module():
    autograd.manual_seed(5)
    mha = nn.MultiheadAttention(8, 2, batch_first=True)

    class Self(nn.Module):
        def __init__(self):
            super().__init__()
            self.mha = mha

        def forward(self, x):
            return self.mha(x, x, x, need_weights=False)[0]

    roundtrip(Self(), rand(2, 4, 8))


@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_denpa_train_models(kind, tmp_path):
    from denpa.train import build_model
    from denpa.train.models import model_spec

    autograd.manual_seed(6)
    model = build_model(model_spec(kind, (1, 8, 8), 10))
    model.eval()
    x = rand(3, 1, 8, 8)
    path = tmp_path / f"{kind}.onnx"
    denpa.onnx.export(model, x, path, input_names=["images"], output_names=["logits"],
                      dynamic_axes={"images": {0: "batch"}, "logits": {0: "batch"}})
    onnx.checker.check_model(str(path))
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert [i.name for i in sess.get_inputs()] == ["images"] and sess.get_inputs()[0].shape[0] == "batch"
    for batch in (3, 7):  # the batch axis is dynamic
        xb = rand(batch, 1, 8, 8)
        with autograd.no_grad():
            want = model(xb).array
        np.testing.assert_allclose(sess.run(["logits"], {"images": xb.array})[0], want, rtol=1e-4, atol=1e-5)
    assert model.training is False


def test_training_mode_is_restored_and_dropout_is_identity():
    model = nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.9))
    model.train()
    denpa.onnx.export(model, rand(4, 3), io.BytesIO())
    assert model.training and model[1].training  # exported in eval mode, then put back
    proto = roundtrip(model, rand(4, 3))  # in eval, Dropout is the identity: the outputs match exactly
    assert ops(proto) in (["MatMul", "Add"], ["MatMul", "Add", "Identity"])


def test_opsets_and_file_paths(tmp_path):
    model = nn.Sequential(nn.Linear(3, 3), nn.LayerNorm(3))
    for opset in (17, 18, 21):
        proto = roundtrip(model, rand(2, 3), opset_version=opset)
        assert proto.opset_import[0].version == opset
    with pytest.raises(ValueError, match="opset_version"):
        denpa.onnx.export(model, rand(2, 3), io.BytesIO(), opset_version=11)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        denpa.onnx.export(model, rand(2, 3), tmp_path / "missing" / "m.onnx")
    denpa.onnx.export(model, rand(2, 3), str(tmp_path / "m.onnx"))
    assert onnx.load(str(tmp_path / "m.onnx")).graph.node


def test_refuses_what_it_cannot_write():
    class Flips(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(3, 3)

        def forward(self, x):
            return self.lin(x).flip(0)

    with pytest.raises(denpa.onnx.Unsupported, match="FlipBackward"):
        denpa.onnx.export(Flips(), rand(2, 3), io.BytesIO())

    class AddsOne(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(3, 3)

        def forward(self, x):
            return self.lin(x) + 1.0  # add keeps no copy of its number

    with pytest.raises(denpa.onnx.Unsupported, match="AddBackward.*constant"):
        denpa.onnx.export(AddsOne(), rand(2, 3), io.BytesIO())
    with pytest.raises(denpa.onnx.Unsupported, match="padding_mode='reflect'"):
        denpa.onnx.export(nn.Conv2d(1, 1, 3, padding=1, padding_mode="reflect"), rand(1, 1, 4, 4), io.BytesIO())
    with pytest.raises(TypeError, match="args must be"):
        denpa.onnx.export(nn.Linear(3, 3), [np.zeros(3)], io.BytesIO())
