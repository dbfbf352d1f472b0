"""Attention and the transformer encoder: forward against NumPy references written head by head, masks of
every kind, gradients against finite differences, PyTorch's parameter names and initialisation."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd.testing import gradcheck

# -- references -------------------------------------------------------------------------------------------


def softmax(s):
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def ref_attention(q, k, v, bias=0.0, scale=None):
    """softmax(q k^T * scale + bias) v over the last two axes; also the weights."""
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    w = softmax(q @ np.swapaxes(k, -1, -2) * scale + bias)
    return w @ v, w


def ref_mha(query, key, value, w_q, w_k, w_v, b_q, b_k, b_v, w_o, b_o, heads, bias):
    """Multi-head attention over (L, N, E) inputs, one batch item and one head at a time.

    ``bias`` is an additive mask of shape (N, heads, L, S). Returns the output
    (L, N, E) and the per-head weights (N, heads, L, S)."""
    length, batch, embed = query.shape
    hd = embed // heads
    q, k, v = query @ w_q.T + b_q, key @ w_k.T + b_k, value @ w_v.T + b_v
    out = np.zeros((length, batch, embed))
    weights = np.zeros((batch, heads, length, key.shape[0]))
    for n in range(batch):
        for h in range(heads):
            cols = slice(h * hd, (h + 1) * hd)
            o, w = ref_attention(q[:, n, cols], k[:, n, cols], v[:, n, cols], bias[n, h])
            out[:, n, cols] = o
            weights[n, h] = w
    return out @ w_o.T + b_o, weights


def t64(a, grad=False):
    return autograd.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def close(got, want, tol=1e-10):
    np.testing.assert_allclose(np.asarray(got.array), want, rtol=tol, atol=tol)


# -- scaled_dot_product_attention -----------------------------------------------------------------------------

@pytest.fixture
def qkv():
    rng = np.random.default_rng(0)
    return rng.standard_normal((2, 3, 4, 5)), rng.standard_normal((2, 3, 6, 5)), rng.standard_normal((2, 3, 6, 2))


def test_sdpa_plain_and_scale(qkv):
    q, k, v = qkv
    close(F.scaled_dot_product_attention(t64(q), t64(k), t64(v)), ref_attention(q, k, v)[0])
    close(F.scaled_dot_product_attention(t64(q), t64(k), t64(v), scale=0.3), ref_attention(q, k, v, scale=0.3)[0])


def test_sdpa_bool_mask_true_takes_part(qkv):
    q, k, v = qkv
    mask = np.random.default_rng(1).random((4, 6)) > 0.4
    mask[:, 0] = True  # every query keeps a key
    got = F.scaled_dot_product_attention(t64(q), t64(k), t64(v), attn_mask=autograd.tensor(mask))
    close(got, ref_attention(q, k, v, np.where(mask, 0.0, -np.inf))[0])


def test_sdpa_float_mask_is_added_and_broadcasts(qkv):
    q, k, v = qkv
    bias = np.random.default_rng(2).standard_normal((2, 1, 4, 6))
    close(F.scaled_dot_product_attention(t64(q), t64(k), t64(v), attn_mask=t64(bias)), ref_attention(q, k, v, bias)[0])


def test_sdpa_causal_is_upper_left_triangle(qkv):
    q, k, v = qkv
    causal = np.tril(np.ones((4, 6), dtype=bool))
    got = F.scaled_dot_product_attention(t64(q), t64(k), t64(v), is_causal=True)
    close(got, ref_attention(q, k, v, np.where(causal, 0.0, -np.inf))[0])


def test_sdpa_fully_masked_query_gives_zeros(qkv):
    q, k, v = qkv
    mask = np.ones((4, 6), dtype=bool)
    mask[1] = False
    x = t64(q, True)
    got = F.scaled_dot_product_attention(x, t64(k), t64(v), attn_mask=autograd.tensor(mask))
    assert np.all(got.array[..., 1, :] == 0)
    close(got[..., [0, 2, 3], :], ref_attention(q, k, v)[0][..., [0, 2, 3], :])
    got.sum().backward()
    assert np.all(np.isfinite(x.grad.array)) and np.all(x.grad.array[..., 1, :] == 0)


def test_sdpa_dropout_drops_weights():
    q = autograd.ones(1, 4, 2, dtype=autograd.float64)
    v = autograd.tensor(np.eye(4)[None])
    autograd.manual_seed(0)
    out = F.scaled_dot_product_attention(q, q, v, dropout_p=0.5).array
    # uniform weights 1/4, each kept with probability 1/2 and scaled by 2
    assert set(np.unique(out)) <= {0.0, 0.5} and 0 < np.count_nonzero(out) < out.size


def test_sdpa_gradcheck():
    rng = np.random.default_rng(3)
    q, k, v = rng.standard_normal((2, 2, 3)), rng.standard_normal((2, 4, 3)), rng.standard_normal((2, 4, 2))
    bias = rng.standard_normal((2, 4))
    assert gradcheck(lambda q, k, v, b: F.scaled_dot_product_attention(q, k, v, attn_mask=b),
                     tuple(t64(a, True) for a in (q, k, v, bias)))
    mask = autograd.tensor(np.array([[True, False, True, True], [False, True, True, False]]))
    assert gradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=mask),
                     tuple(t64(a, True) for a in (q, k, v)))
    assert gradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
                     tuple(t64(a, True) for a in (q, k, v)))


def test_sdpa_errors(qkv):
    q, k, v = (t64(a) for a in qkv)
    with pytest.raises(ValueError, match="not both"):
        F.scaled_dot_product_attention(q, k, v, attn_mask=autograd.ones(4, 6), is_causal=True)
    with pytest.raises(ValueError, match=r"attn_mask of shape \(4, 5\)"):
        F.scaled_dot_product_attention(q, k, v, attn_mask=autograd.ones(4, 5))
    with pytest.raises(ValueError, match=r"\(2, 3, 4, 5\), \(2, 3, 6, 4\)"):
        F.scaled_dot_product_attention(q, k[..., :4], v)
    with pytest.raises(TypeError, match="bool and floating-point masks"):
        F.scaled_dot_product_attention(q, k, v, attn_mask=autograd.ones(4, 6, dtype=autograd.int64))


# -- multi_head_attention_forward ------------------------------------------------------------------------------

E, HEADS = 4, 2


def project(x, w, b):
    return x @ w.T + b


@pytest.fixture
def mha():
    """Random projections, inputs (L=3, N=2, E=4) and keys of another length (S=5)."""
    rng = np.random.default_rng(7)
    p = {"w_in": rng.standard_normal((3 * E, E)) * 0.6, "b_in": rng.standard_normal(3 * E) * 0.3,
         "w_o": rng.standard_normal((E, E)) * 0.6, "b_o": rng.standard_normal(E) * 0.3}
    p["x"], p["mem"] = rng.standard_normal((3, 2, E)), rng.standard_normal((5, 2, E))
    return p


def run_mha(p, query, key, value, **kw):
    return F.multi_head_attention_forward(t64(query), t64(key), t64(value), E, HEADS, t64(p["w_in"]), t64(p["b_in"]),
                                          None, None, False, 0.0, t64(p["w_o"]), t64(p["b_o"]), **kw)


def ref(p, query, key, value, bias=None):
    w_q, w_k, w_v = np.split(p["w_in"], 3)
    b_q, b_k, b_v = np.split(p["b_in"], 3)
    bias = np.zeros((query.shape[1], HEADS, query.shape[0], key.shape[0])) if bias is None else bias
    return ref_mha(query, key, value, w_q, w_k, w_v, b_q, b_k, b_v, p["w_o"], p["b_o"], HEADS, bias)


def test_mha_self_and_cross_attention(mha):
    x, mem = mha["x"], mha["mem"]
    for key in (x, mem):
        out, w = run_mha(mha, x, key, key)
        want, want_w = ref(mha, x, key, key)
        close(out, want)
        close(w, want_w.mean(axis=1))
    out, w = run_mha(mha, x, mem, mem, average_attn_weights=False)
    close(w, ref(mha, x, mem, mem)[1])
    out, w = run_mha(mha, x, mem, mem, need_weights=False)
    assert w is None
    close(out, ref(mha, x, mem, mem)[0])


def test_mha_key_padding_mask_bool_ignores_true(mha):
    x, mem = mha["x"], mha["mem"]
    pad = np.array([[False, False, True, False, True], [False, True, True, True, True]])
    out, w = run_mha(mha, x, mem, mem, key_padding_mask=autograd.tensor(pad))
    bias = np.where(pad, -np.inf, 0.0)[:, None, None, :] + np.zeros((2, HEADS, 3, 5))
    want, want_w = ref(mha, x, mem, mem, bias)
    close(out, want)
    close(w, want_w.mean(axis=1))
    assert np.all(w.array[0][:, [2, 4]] == 0) and np.all(w.array[1][:, 1:] == 0)


def test_mha_float_masks_add(mha):
    x, mem = mha["x"], mha["mem"]
    rng = np.random.default_rng(8)
    pad = rng.standard_normal((2, 5))
    attn = rng.standard_normal((2 * HEADS, 3, 5))  # 3-D: one (L, S) mask per batch item and head
    out, w = run_mha(mha, x, mem, mem, key_padding_mask=t64(pad), attn_mask=t64(attn), average_attn_weights=False)
    want, want_w = ref(mha, x, mem, mem, attn.reshape(2, HEADS, 3, 5) + pad[:, None, None, :])
    close(out, want)
    close(w, want_w)


def test_mha_bool_attn_mask_and_causal_hint(mha):
    x = mha["x"]
    future = np.triu(np.ones((3, 3), dtype=bool), 1)  # True = may not attend
    want, want_w = ref(mha, x, x, x, np.broadcast_to(np.where(future, -np.inf, 0.0), (2, HEADS, 3, 3)))
    for causal in (False, True):
        out, w = run_mha(mha, x, x, x, attn_mask=autograd.tensor(future), is_causal=causal)
        close(out, want)
        close(w, want_w.mean(axis=1))
    with pytest.raises(RuntimeError, match="is_causal=True .* needs attn_mask"):
        run_mha(mha, x, x, x, is_causal=True)


def test_mha_fully_masked_query_nan_with_weights_zero_without(mha):
    """PyTorch's two paths: the explicit-weights path gives NaN, the fused one gives zeros."""
    x, mem = mha["x"], mha["mem"]
    pad = np.array([[True] * 5, [False] * 5])
    out, w = run_mha(mha, x, mem, mem, key_padding_mask=autograd.tensor(pad))
    assert np.all(np.isnan(out.array[:, 0])) and np.all(np.isnan(w.array[0]))
    close(out[:, 1], ref(mha, x, mem, mem)[0][:, 1])
    out, _ = run_mha(mha, x, mem, mem, key_padding_mask=autograd.tensor(pad), need_weights=False)
    close(out[:, 0], np.broadcast_to(mha["b_o"], (3, E)))  # attention gives zeros; only out_proj's bias is left
    close(out[:, 1], ref(mha, x, mem, mem)[0][:, 1])


def test_mha_unbatched(mha):
    x, mem = mha["x"][:, 0], mha["mem"][:, 0]
    pad = np.array([False, True, False, False, True])
    out, w = run_mha(mha, x, mem, mem, key_padding_mask=autograd.tensor(pad), average_attn_weights=False)
    bias = np.broadcast_to(np.where(pad, -np.inf, 0.0), (1, HEADS, 3, 5))
    want, want_w = ref(mha, x[:, None], mem[:, None], mem[:, None], bias)
    assert out.shape == (3, E) and w.shape == (HEADS, 3, 5)
    close(out, want[:, 0])
    close(w, want_w[0])


def test_mha_separate_projections_bias_kv_and_zero_attn():
    rng = np.random.default_rng(9)
    w_q, w_k, w_v = rng.standard_normal((E, E)), rng.standard_normal((E, 3)), rng.standard_normal((E, 5))
    b_in, w_o, b_o = rng.standard_normal(3 * E), rng.standard_normal((E, E)), rng.standard_normal(E)
    bias_k, bias_v = rng.standard_normal((1, 1, E)), rng.standard_normal((1, 1, E))
    x, key, value = rng.standard_normal((3, 2, E)), rng.standard_normal((4, 2, 3)), rng.standard_normal((4, 2, 5))
    pad = np.array([[False, True, False, False], [False, False, False, True]])
    out, w = F.multi_head_attention_forward(
        t64(x), t64(key), t64(value), E, HEADS, None, t64(b_in), t64(bias_k), t64(bias_v), True, 0.0, t64(w_o),
        t64(b_o), key_padding_mask=autograd.tensor(pad), use_separate_proj_weight=True, q_proj_weight=t64(w_q),
        k_proj_weight=t64(w_k), v_proj_weight=t64(w_v), average_attn_weights=False)
    b_q, b_k, b_v = np.split(b_in, 3)
    zero = np.zeros((1, 2, E))
    # bias_k/bias_v join the projected keys/values as one more position, then a zero position: both always visible
    k = np.concatenate([project(key, w_k, b_k), np.broadcast_to(bias_k, (1, 2, E)), zero])
    v = np.concatenate([project(value, w_v, b_v), np.broadcast_to(bias_v, (1, 2, E)), zero])
    eye = np.eye(E)
    bias = np.where(np.concatenate([pad, np.zeros((2, 2), bool)], 1), -np.inf, 0.0)[:, None, None, :]
    want, want_w = ref_mha(project(x, w_q, b_q), k, v, eye, eye, eye, 0, 0, 0, w_o, b_o, HEADS,
                           np.broadcast_to(bias, (2, HEADS, 3, 6)))
    close(out, want)
    close(w, want_w)


def test_mha_static_keys_and_values_replace_the_projections(mha):
    x, mem = mha["x"], mha["mem"]
    _, w_k, w_v = np.split(mha["w_in"], 3)
    _, b_k, b_v = np.split(mha["b_in"], 3)

    def per_head(a):  # (S, N, E) -> (N * heads, S, E / heads)
        return a.reshape(5, 2, HEADS, E // HEADS).transpose(1, 2, 0, 3).reshape(2 * HEADS, 5, E // HEADS)

    out, w = run_mha(mha, x, np.zeros_like(mem), np.zeros_like(mem), static_k=t64(per_head(project(mem, w_k, b_k))),
                     static_v=t64(per_head(project(mem, w_v, b_v))))
    want, want_w = ref(mha, x, mem, mem)
    close(out, want)
    close(w, want_w.mean(axis=1))


def test_mha_gradcheck(mha):
    rng = np.random.default_rng(10)
    x, mem = rng.standard_normal((2, 1, E)), rng.standard_normal((3, 1, E))
    pad = autograd.tensor(np.array([[False, False, True]]))

    def fn(q, kv, w_in, b_in, w_o, b_o, mask):
        return F.multi_head_attention_forward(q, kv, kv, E, HEADS, w_in, b_in, None, None, False, 0.0, w_o, b_o,
                                              key_padding_mask=pad, attn_mask=mask, average_attn_weights=False)

    args = (x, mem, mha["w_in"], mha["b_in"], mha["w_o"], mha["b_o"], rng.standard_normal((2, 3)))
    assert gradcheck(fn, tuple(t64(a, True) for a in args))


def test_mha_shape_errors(mha):
    x, mem = mha["x"], mha["mem"]
    with pytest.raises(ValueError, match=r"key_padding_mask of shape \(2, 4\) should be .* \(2, 5\)"):
        run_mha(mha, x, mem, mem, key_padding_mask=autograd.zeros(2, 4, dtype=autograd.bool))
    with pytest.raises(ValueError, match=r"2-D attn_mask is \(3, 3\), but should be \(3, 5\)"):
        run_mha(mha, x, mem, mem, attn_mask=autograd.zeros(3, 3, dtype=autograd.bool))
    with pytest.raises(ValueError, match="received 4-D query tensor"):
        run_mha(mha, x[None], mem, mem)
    with pytest.raises(ValueError, match="expecting embedding dimension of 4"):
        run_mha(mha, x[..., :3], mem[..., :3], mem[..., :3])
    with pytest.raises(ValueError, match="query has batch size 2 but key has 1"):
        run_mha(mha, x, mem[:, :1], mem[:, :1])


# -- nn.MultiheadAttention ------------------------------------------------------------------------------------------

def params_of(module):
    return {name: np.asarray(p.array, dtype=np.float64) for name, p in module.named_parameters()}


def randomize(module, seed=0):
    """Random values for every parameter: zero biases and unit norm weights would hide mix-ups."""
    rng = np.random.default_rng(seed)
    for p in module.parameters():
        p.array[...] = rng.standard_normal(p.shape) * 0.5
    return module


def ref_module_mha(p, query, key, value, bias=None):
    return ref({"w_in": p["in_proj_weight"], "b_in": p["in_proj_bias"], "w_o": p["out_proj.weight"],
                "b_o": p["out_proj.bias"]}, query, key, value, bias)


def test_mha_state_dict_keys_are_pytorchs():
    assert list(nn.MultiheadAttention(4, 2).state_dict()) == [
        "in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]
    assert list(nn.MultiheadAttention(4, 2, kdim=3, vdim=5).state_dict()) == [
        "q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]
    assert list(nn.MultiheadAttention(4, 2, bias=False, add_bias_kv=True).state_dict()) == [
        "in_proj_weight", "bias_k", "bias_v", "out_proj.weight"]
    m = nn.MultiheadAttention(4, 2, kdim=3, vdim=5)
    assert (m.in_proj_weight, m.q_proj_weight.shape, m.k_proj_weight.shape, m.v_proj_weight.shape) == \
        (None, (4, 4), (4, 3), (4, 5))


def test_mha_default_init():
    m = nn.MultiheadAttention(8, 2)
    p = params_of(m)
    assert p["in_proj_weight"].shape == (24, 8)
    assert np.all(p["in_proj_bias"] == 0) and np.all(p["out_proj.bias"] == 0)
    bound = math.sqrt(6 / (8 + 24))  # Xavier uniform over the stacked (3E, E) matrix
    assert np.abs(p["in_proj_weight"]).max() <= bound and p["in_proj_weight"].std() > bound / 3
    assert np.abs(p["out_proj.weight"]).max() <= 1 / math.sqrt(8)  # Linear's default


@pytest.mark.parametrize("batch_first", [False, True])
def test_mha_module_matches_reference(batch_first):
    rng = np.random.default_rng(11)
    m = randomize(nn.MultiheadAttention(E, HEADS, batch_first=batch_first).double())
    x, mem = rng.standard_normal((3, 2, E)), rng.standard_normal((5, 2, E))
    pad = np.array([[False, True, False, False, False], [False, False, False, True, True]])
    tb = (lambda a: a.swapaxes(0, 1)) if batch_first else (lambda a: a)
    out, w = m(t64(tb(x)), t64(tb(mem)), t64(tb(mem)), key_padding_mask=autograd.tensor(pad))
    bias = np.broadcast_to(np.where(pad, -np.inf, 0.0)[:, None, None, :], (2, HEADS, 3, 5))
    want, want_w = ref_module_mha(params_of(m), x, mem, mem, bias)
    close(out, tb(want))
    close(w, want_w.mean(axis=1))


def test_mha_module_dropout_only_in_training():
    autograd.manual_seed(0)
    m = nn.MultiheadAttention(E, HEADS, dropout=0.5)
    x = autograd.randn(6, 2, E)
    m.eval()
    out1, w1 = m(x, x, x)
    np.testing.assert_array_equal(out1.array, m(x, x, x)[0].array)
    m.train()
    out2, w2 = m(x, x, x, average_attn_weights=False)
    assert not np.allclose(out2.array, out1.array)
    assert np.any(w2.array == 0)  # dropped weights


def test_mha_module_repr_and_errors():
    assert repr(nn.MultiheadAttention(4, 2)) == (
        "MultiheadAttention(\n  (out_proj): NonDynamicallyQuantizableLinear(in_features=4, out_features=4, "
        "bias=True)\n)")
    with pytest.raises(ValueError, match="embed_dim must be divisible by num_heads, got embed_dim=5 and num_heads=2"):
        nn.MultiheadAttention(5, 2)


def test_mha_module_gradients_reach_every_parameter():
    m = nn.MultiheadAttention(E, HEADS, kdim=3, vdim=5, add_bias_kv=True)
    q, k, v = autograd.randn(2, 1, E), autograd.randn(3, 1, 3), autograd.randn(3, 1, 5)
    out, _ = m(q, k, v)
    (out * autograd.randn(*out.shape)).sum().backward()
    for name, p in m.named_parameters():
        assert p.grad is not None and np.any(p.grad.array != 0), name


# -- TransformerEncoderLayer / TransformerEncoder ----------------------------------------------------------------

def ref_layer_norm(x, w, b, eps=1e-5):
    return (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + eps) * w + b


def ref_gelu(x):
    return 0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))


def ref_encoder_layer(p, x, heads, norm_first, bias, activation=lambda a: np.maximum(a, 0.0), prefix=""):
    p = {k[len(prefix):]: v for k, v in p.items() if k.startswith(prefix)}
    sa_p = {k[len("self_attn."):]: v for k, v in p.items() if k.startswith("self_attn.")}

    def sa(y):
        w_q, w_k, w_v = np.split(sa_p["in_proj_weight"], 3)
        b_q, b_k, b_v = np.split(sa_p["in_proj_bias"], 3)
        return ref_mha(y, y, y, w_q, w_k, w_v, b_q, b_k, b_v, sa_p["out_proj.weight"], sa_p["out_proj.bias"], heads,
                       bias)[0]

    def ff(y):
        return activation(y @ p["linear1.weight"].T + p["linear1.bias"]) @ p["linear2.weight"].T + p["linear2.bias"]

    def ln(y, i):
        return ref_layer_norm(y, p[f"norm{i}.weight"], p[f"norm{i}.bias"])

    if norm_first:
        x = x + sa(ln(x, 1))
        return x + ff(ln(x, 2))
    x = ln(x + sa(x), 1)
    return ln(x + ff(x), 2)


def test_encoder_state_dict_keys_are_pytorchs():
    layer_keys = ["self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight",
                  "self_attn.out_proj.bias", "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias",
                  "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias"]
    layer = nn.TransformerEncoderLayer(4, 2, 8)
    assert list(layer.state_dict()) == layer_keys
    encoder = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(4))
    assert list(encoder.state_dict()) == [f"layers.{i}.{k}" for i in range(2) for k in layer_keys] + [
        "norm.weight", "norm.bias"]
    assert [name for name, _ in layer.named_children()] == [
        "self_attn", "linear1", "dropout", "linear2", "norm1", "norm2", "dropout1", "dropout2"]
    assert tuple(layer.linear1.weight.shape) == (8, 4) and tuple(layer.linear2.weight.shape) == (4, 8)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder_layer_matches_reference_in_eval(norm_first, batch_first):
    rng = np.random.default_rng(12)
    layer = nn.TransformerEncoderLayer(E, HEADS, 6, dropout=0.3, norm_first=norm_first, batch_first=batch_first)
    randomize(layer.double().eval())
    p = params_of(layer)
    x = rng.standard_normal((3, 2, E))
    pad = np.array([[False, False, True], [False, False, False]])
    causal = np.triu(np.ones((3, 3), dtype=bool), 1)
    tb = (lambda a: a.swapaxes(0, 1)) if batch_first else (lambda a: a)
    out = layer(t64(tb(x)), src_mask=autograd.tensor(causal), src_key_padding_mask=autograd.tensor(pad))
    bias = np.where(causal, -np.inf, 0.0) + np.where(pad, -np.inf, 0.0)[:, None, None, :]
    close(out, tb(ref_encoder_layer(p, x, HEADS, norm_first, np.broadcast_to(bias, (2, HEADS, 3, 3)))))


def test_encoder_layer_activations():
    rng = np.random.default_rng(13)
    x = rng.standard_normal((3, 1, E))
    zero = np.zeros((1, HEADS, 3, 3))
    for activation, fn in (("gelu", ref_gelu), (nn.GELU(), ref_gelu), (autograd.tanh, np.tanh)):
        layer = randomize(nn.TransformerEncoderLayer(E, HEADS, 6, dropout=0.0, activation=activation).double())
        close(layer(t64(x)), ref_encoder_layer(params_of(layer), x, HEADS, False, zero, fn))
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        nn.TransformerEncoderLayer(E, HEADS, activation="tanh")


def test_encoder_stacks_deep_copies_then_norm():
    rng = np.random.default_rng(14)
    layer = nn.TransformerEncoderLayer(E, HEADS, 6, dropout=0.0)
    encoder = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(E)).double()
    randomize(encoder.norm)
    first, second = encoder.layers[0], encoder.layers[1]
    assert first is not layer and first is not second
    assert first.linear1.weight is not second.linear1.weight
    np.testing.assert_array_equal(first.linear1.weight.array, second.linear1.weight.array)
    with autograd.no_grad():
        second.linear1.weight.mul_(2.0)  # copies are independent
    assert not np.allclose(first.linear1.weight.array, second.linear1.weight.array)
    x = rng.standard_normal((3, 2, E))
    p = params_of(encoder)
    zero = np.zeros((2, HEADS, 3, 3))
    want = ref_encoder_layer(p, x, HEADS, False, zero, prefix="layers.0.")
    want = ref_encoder_layer(p, want, HEADS, False, zero, prefix="layers.1.")
    close(encoder(t64(x)), ref_layer_norm(want, p["norm.weight"], p["norm.bias"]))


def test_encoder_gradcheck():
    layer = nn.TransformerEncoderLayer(E, HEADS, 4, dropout=0.0, norm_first=True)
    encoder = randomize(nn.TransformerEncoder(layer, 2).double())
    x = np.random.default_rng(15).standard_normal((2, 1, E))
    mask = autograd.tensor(np.array([[False, True], [False, False]]))
    assert gradcheck(lambda s: encoder(s, mask=mask), (t64(x, True),))


def test_encoder_dropout_only_in_training():
    autograd.manual_seed(0)
    encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(E, HEADS, 8, dropout=0.5), 2)
    x = autograd.randn(4, 2, E)
    encoder.eval()
    a = encoder(x)
    np.testing.assert_array_equal(a.array, encoder(x).array)
    encoder.train()
    assert not np.allclose(encoder(x).array, a.array)
