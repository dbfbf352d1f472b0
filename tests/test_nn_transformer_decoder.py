"""TransformerDecoderLayer, TransformerDecoder and Transformer: forwards against a NumPy reference written
head by head, gradients against finite differences, PyTorch's state_dict keys, masks and errors."""
from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
from autograd.testing import gradcheck

D, H, FF = 8, 2, 12


@pytest.fixture(autouse=True)
def _seeded():
    autograd.manual_seed(0)


def arr(t):
    return t.detach().numpy()


def t64(a):
    return autograd.tensor(np.asarray(a, dtype=np.float64))


def ref_layer_norm(x, w, b, eps=1e-5):
    return (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + eps) * w + b


def ref_mha(mha, q_in, kv_in, bias):
    """Multi-head attention of (L, N, E) queries over (S, N, E) keys/values; ``bias`` (L, S) is added."""
    w, b = arr(mha.in_proj_weight), arr(mha.in_proj_bias)
    q = q_in @ w[:D].T + b[:D]
    k = kv_in @ w[D:2 * D].T + b[D:2 * D]
    v = kv_in @ w[2 * D:].T + b[2 * D:]
    hd = D // H
    out = np.zeros(q.shape)
    for n in range(q.shape[1]):
        for h in range(H):
            cols = slice(h * hd, (h + 1) * hd)
            s = q[:, n, cols] @ k[:, n, cols].T / np.sqrt(hd) + bias
            e = np.exp(s - s.max(-1, keepdims=True))
            out[:, n, cols] = (e / e.sum(-1, keepdims=True)) @ v[:, n, cols]
    return out @ arr(mha.out_proj.weight).T + arr(mha.out_proj.bias)


def ref_ff(layer, x):
    hidden = np.maximum(x @ arr(layer.linear1.weight).T + arr(layer.linear1.bias), 0)
    return hidden @ arr(layer.linear2.weight).T + arr(layer.linear2.bias)


def ref_norm(norm, x):
    return ref_layer_norm(x, arr(norm.weight), arr(norm.bias))


def ref_decoder_layer(layer, tgt, mem, tgt_bias, mem_bias):
    x = tgt
    if layer.norm_first:
        y = ref_norm(layer.norm1, x)
        x = x + ref_mha(layer.self_attn, y, y, tgt_bias)
        x = x + ref_mha(layer.multihead_attn, ref_norm(layer.norm2, x), mem, mem_bias)
        return x + ref_ff(layer, ref_norm(layer.norm3, x))
    x = ref_norm(layer.norm1, x + ref_mha(layer.self_attn, x, x, tgt_bias))
    x = ref_norm(layer.norm2, x + ref_mha(layer.multihead_attn, x, mem, mem_bias))
    return ref_norm(layer.norm3, x + ref_ff(layer, x))


def ref_encoder_layer(layer, x):
    x = ref_norm(layer.norm1, x + ref_mha(layer.self_attn, x, x, 0.0))
    return ref_norm(layer.norm2, x + ref_ff(layer, x))


def _randomise(module, seed):
    rng = np.random.default_rng(seed)
    with autograd.no_grad():
        for p in module.parameters():
            p.copy_(t64(rng.standard_normal(p.shape) * 0.5))


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_layer_against_numpy(norm_first):
    layer = nn.TransformerDecoderLayer(D, H, FF, dropout=0.0, norm_first=norm_first).double().eval()
    _randomise(layer, 1)
    rng = np.random.default_rng(2)
    tgt, mem = rng.standard_normal((4, 3, D)), rng.standard_normal((5, 3, D))
    causal = nn.Transformer.generate_square_subsequent_mask(4, dtype=autograd.float64)
    want = ref_decoder_layer(layer, tgt, mem, np.triu(np.full((4, 4), -np.inf), 1), 0.0)
    got = layer(t64(tgt), t64(mem), tgt_mask=causal, tgt_is_causal=True)
    np.testing.assert_allclose(arr(got), want, rtol=1e-10, atol=1e-10)
    mem_mask = rng.standard_normal((4, 5))
    got = layer(t64(tgt), t64(mem), memory_mask=t64(mem_mask))
    np.testing.assert_allclose(arr(got), ref_decoder_layer(layer, tgt, mem, 0.0, mem_mask), rtol=1e-10, atol=1e-10)


def test_decoder_stack_and_batch_first():
    layer = nn.TransformerDecoderLayer(D, H, FF, dropout=0.0).double()
    dec = nn.TransformerDecoder(layer, num_layers=2, norm=nn.LayerNorm(D).double()).eval()
    _randomise(dec, 3)
    rng = np.random.default_rng(4)
    tgt, mem = rng.standard_normal((3, 2, D)), rng.standard_normal((4, 2, D))
    x = tgt
    for lay in dec.layers:
        x = ref_decoder_layer(lay, x, mem, 0.0, 0.0)
    want = ref_norm(dec.norm, x)
    np.testing.assert_allclose(arr(dec(t64(tgt), t64(mem))), want, rtol=1e-10, atol=1e-10)
    bf = nn.TransformerDecoderLayer(D, H, FF, dropout=0.0, batch_first=True).double().eval()
    bf.load_state_dict(dec.layers[0].state_dict())
    got = bf(t64(tgt.transpose(1, 0, 2)), t64(mem.transpose(1, 0, 2)))
    np.testing.assert_allclose(arr(got).transpose(1, 0, 2), ref_decoder_layer(dec.layers[0], tgt, mem, 0.0, 0.0),
                               rtol=1e-10, atol=1e-10)


def test_transformer_against_numpy_and_keys_as_pytorch():
    model = nn.Transformer(D, H, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=FF, dropout=0.0)
    model = model.double().eval()
    # PyTorch 2.13's keys for this model, in its order
    block = ["self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight",
             "self_attn.out_proj.bias"]
    ff = ["linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias"]
    cross = [k.replace("self_attn", "multihead_attn") for k in block]
    want = ([f"encoder.layers.0.{k}" for k in block + ff + ["norm1.weight", "norm1.bias", "norm2.weight",
                                                              "norm2.bias"]]
            + ["encoder.norm.weight", "encoder.norm.bias"]
            + [f"decoder.layers.0.{k}" for k in block + cross + ff + ["norm1.weight", "norm1.bias", "norm2.weight",
                                                                      "norm2.bias", "norm3.weight", "norm3.bias"]]
            + ["decoder.norm.weight", "decoder.norm.bias"])
    assert list(model.state_dict()) == want
    _randomise(model, 5)
    rng = np.random.default_rng(6)
    src, tgt = rng.standard_normal((5, 2, D)), rng.standard_normal((3, 2, D))
    mem = ref_norm(model.encoder.norm, ref_encoder_layer(model.encoder.layers[0], src))
    causal = np.triu(np.full((3, 3), -np.inf), 1)
    out = ref_norm(model.decoder.norm, ref_decoder_layer(model.decoder.layers[0], tgt, mem, causal, 0.0))
    mask = model.generate_square_subsequent_mask(3, dtype=autograd.float64)
    np.testing.assert_allclose(arr(model(t64(src), t64(tgt), tgt_mask=mask)), out, rtol=1e-10, atol=1e-10)


def test_transformer_initialisation_is_xavier_uniform():
    model = nn.Transformer(16, 4, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=32)
    w = arr(model.decoder.layers[0].linear1.weight)
    bound = np.sqrt(6 / (16 + 32))
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    np.testing.assert_array_equal(arr(model.encoder.norm.weight), np.ones(16))


def test_gradients_through_the_decoder_layer():
    layer = nn.TransformerDecoderLayer(4, 2, 6, dropout=0.0).double().eval()
    rng = np.random.default_rng(7)
    tgt = autograd.tensor(rng.standard_normal((2, 1, 4)), requires_grad=True)
    mem = autograd.tensor(rng.standard_normal((3, 1, 4)), requires_grad=True)
    assert gradcheck(lambda a, b: layer(a, b), (tgt, mem))
    layer(tgt, mem).sum().backward()
    assert all(p.grad is not None for p in layer.parameters())


def test_masks_and_errors():
    m = nn.Transformer.generate_square_subsequent_mask(3)
    assert m.dtype == autograd.float32
    np.testing.assert_array_equal(arr(m), np.triu(np.full((3, 3), -np.inf), 1))
    model = nn.Transformer(D, H, 1, 1, FF)
    with pytest.raises(RuntimeError, match="batch number of src and tgt"):
        model(autograd.randn(4, 2, D), autograd.randn(3, 3, D))
    with pytest.raises(RuntimeError, match="equal to d_model"):
        model(autograd.randn(4, 2, D + 1), autograd.randn(3, 2, D + 1))
    with pytest.raises(RuntimeError, match="TransformerDecoderLayer: activation should be relu/gelu"):
        nn.TransformerDecoderLayer(D, H, activation="tanh")
