"""Linear, Identity, Embedding, one_hot, Flatten/Unflatten, Dropout and the activation modules.

Forwards are compared with NumPy written here, gradients with finite differences in float64.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd.testing import gradcheck, gradgradcheck
from nn import functional as F

F64 = autograd.float64


@pytest.fixture(autouse=True)
def _seeded():
    autograd.manual_seed(0)


def _t(a, requires_grad=False):
    return autograd.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


def _rand(*shape, requires_grad=True, seed=0):
    return _t(np.random.default_rng(seed).standard_normal(shape), requires_grad)


# -- linear ---------------------------------------------------------------------------------------------------

@settings(max_examples=20, deadline=None)
@given(batch=st.lists(st.integers(1, 3), min_size=0, max_size=2), n_in=st.integers(1, 4), n_out=st.integers(1, 4),
       bias=st.booleans(), seed=st.integers(0, 2 ** 16))
def test_linear_matches_numpy_and_finite_differences(batch, n_in, n_out, bias, seed):
    x = _rand(*batch, n_in, seed=seed)
    w = _rand(n_out, n_in, seed=seed + 1)
    b = _rand(n_out, seed=seed + 2) if bias else None
    out = F.linear(x, w, b)
    ref = x.detach().numpy() @ w.detach().numpy().T + (b.detach().numpy() if bias else 0)
    assert out.shape == tuple(batch) + (n_out,)
    np.testing.assert_allclose(out.detach().numpy(), ref, rtol=1e-12, atol=1e-12)
    args = (x, w, b) if bias else (x, w)
    assert gradcheck(F.linear, args)


def test_linear_second_order_and_partial_grads():
    x, w, b = _rand(3, 2, seed=1), _rand(4, 2, seed=2), _rand(4, seed=3)
    assert gradgradcheck(F.linear, (x, w, b))
    assert gradgradcheck(F.linear, (_rand(2, 3, 2, seed=4), w))
    # only the weight requires grad: the input's gradient is neither computed nor stored
    xc = _rand(3, 2, requires_grad=False)
    F.linear(xc, w, b).sum().backward()
    assert xc.grad is None and w.grad is not None
    np.testing.assert_allclose(b.grad.numpy(), np.full(4, 3.0))


def test_linear_refuses_mixed_dtypes_and_records_nothing_under_no_grad():
    w, b = _rand(4, 3), _rand(4)
    x32 = autograd.randn(2, 3)
    with pytest.raises(RuntimeError, match=r"linear: input is float32 but the weight is float64"):
        F.linear(x32, w)  # as PyTorch: no silent float64 product
    with pytest.raises(RuntimeError, match=r"matmul: expected both operands to have the same dtype"):
        x32 @ w.T
    with autograd.no_grad():
        assert F.linear(_rand(2, 3), w, b).grad_fn is None


def test_linear_shape_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r"linear: input of shape \(2, 5\) has 5 features but weight of shape \(4, 3\)"
                                         r" expects 3"):
        F.linear(autograd.zeros(2, 5), autograd.zeros(4, 3))
    with pytest.raises(ValueError, match=r"bias of shape \(3,\) does not match weight of shape \(4, 3\)"):
        F.linear(autograd.zeros(2, 3), autograd.zeros(4, 3), autograd.zeros(3))


def test_linear_layer_default_init_and_shapes():
    layer = nn.Linear(50, 40)
    assert layer.weight.shape == (40, 50) and layer.bias.shape == (40,)
    assert layer.weight.dtype == np.float32 and layer.weight.requires_grad
    bound = 1 / math.sqrt(50)  # PyTorch's default: U(-1/sqrt(in), 1/sqrt(in)) for both
    w, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert w.std() == pytest.approx(bound / math.sqrt(3), rel=0.05)
    assert np.abs(b).max() <= bound
    assert nn.Linear(3, 2, bias=False).bias is None
    assert nn.Linear(3, 2, dtype=F64).weight.dtype == np.float64
    x = autograd.randn(7, 50)
    np.testing.assert_allclose(layer(x).detach().numpy(), x.numpy() @ w.T + b, rtol=1e-5, atol=1e-6)
    assert layer(autograd.randn(2, 3, 50)).shape == (2, 3, 40)
    assert layer(autograd.randn(50)).shape == (40,)
    zero = nn.Linear(0, 3)  # no inputs: the bias bound is 0, as PyTorch's
    assert zero(autograd.zeros(2, 0)).tolist() == [[0.0] * 3] * 2


def test_identity_accepts_and_ignores_arguments():
    x = autograd.randn(2)
    assert nn.Identity(54, unused="x")(x) is x and repr(nn.Identity()) == "Identity()"


# -- embedding and one_hot ------------------------------------------------------------------------------------

def test_embedding_lookup_and_accumulating_gradient():
    w = _rand(5, 3)
    idx = autograd.tensor([[0, 2, 2], [4, 0, 0]])
    out = F.embedding(idx, w)
    np.testing.assert_array_equal(out.detach().numpy(), w.detach().numpy()[idx.numpy()])
    (out * _t(np.arange(18).reshape(2, 3, 3))).sum().backward()
    g = np.zeros((5, 3))
    np.add.at(g, idx.numpy(), np.arange(18.0).reshape(2, 3, 3))  # repeated indices accumulate
    np.testing.assert_allclose(w.grad.numpy(), g)
    assert gradcheck(lambda t: F.embedding(idx, t), (_rand(5, 3),))
    assert gradgradcheck(lambda t: F.embedding(idx, t) ** 2, (_rand(5, 3),))


def test_embedding_padding_row_gets_no_gradient():
    w = _rand(4, 2)
    idx = autograd.tensor([1, 3, 1, 0])
    out = F.embedding(idx, w, padding_idx=1)
    np.testing.assert_array_equal(out.detach().numpy()[0], w.detach().numpy()[1])  # the row is still read
    out.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [[1, 1], [0, 0], [0, 0], [1, 1]])
    emb = nn.Embedding(4, 2, padding_idx=-1)
    assert emb.padding_idx == 3 and emb.weight[3].tolist() == [0.0, 0.0]
    emb(autograd.tensor([3, 3, 2])).sum().backward()
    assert emb.weight.grad[3].tolist() == [0.0, 0.0] and emb.weight.grad[2].tolist() == [1.0, 1.0]


def test_embedding_scale_grad_by_freq_and_max_norm():
    w = _rand(5, 3)
    idx = autograd.tensor([[0, 2, 2], [4, 0, 1]])
    F.embedding(idx, w, padding_idx=1, scale_grad_by_freq=True).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [[1] * 3, [0] * 3, [1] * 3, [0] * 3, [1] * 3])  # counts cancel
    table = np.random.default_rng(1).standard_normal((5, 3)) * 3
    w = _t(table, requires_grad=True)
    F.embedding(idx, w, max_norm=1.0)
    norms = np.linalg.norm(table, axis=1)
    expected = table.copy()
    for r in (0, 1, 2, 4):  # the looked-up rows above the limit are rescaled in place; row 3 was not looked up
        if norms[r] > 1.0:
            expected[r] *= 1.0 / (norms[r] + 1e-7)
    np.testing.assert_allclose(w.detach().numpy(), expected, rtol=1e-12)
    w1 = _t(table)
    F.embedding(autograd.tensor([0]), w1, max_norm=2.0, norm_type=1.0)
    assert np.abs(w1.numpy()[0]).sum() == pytest.approx(2.0, rel=1e-6)


def test_embedding_errors_and_repr():
    w = _rand(3, 2)
    with pytest.raises(IndexError, match=r"indices must be in \[0, 3\).*from -1 to 1"):
        F.embedding(autograd.tensor([-1, 1]), w)
    with pytest.raises(IndexError, match="got values from 0 to 3"):
        F.embedding(autograd.tensor([0, 3]), w)
    with pytest.raises(TypeError, match="indices must be integers, got float32"):
        F.embedding(autograd.tensor([0.0]), w)
    with pytest.raises(ValueError, match="padding_idx 4 must be within num_embeddings"):
        nn.Embedding(4, 2, padding_idx=4)
    assert repr(nn.Embedding(10, 3, padding_idx=0)) == "Embedding(10, 3, padding_idx=0)"
    assert repr(nn.Embedding(4, 2, norm_type=1.0, scale_grad_by_freq=True, sparse=True)) == \
        "Embedding(4, 2, norm_type=1.0, scale_grad_by_freq=True, sparse=True)"
    assert repr(nn.Embedding(10, 3, max_norm=1.0)) == "Embedding(10, 3, max_norm=1.0)"


def test_embedding_layer_init_and_from_pretrained():
    emb = nn.Embedding(200, 50)
    w = emb.weight.detach().numpy()
    assert emb.weight.shape == (200, 50) and w.std() == pytest.approx(1.0, rel=0.05)  # N(0, 1), as PyTorch
    table = autograd.tensor([[1.0, 2.0], [3.0, 4.0]])
    frozen = nn.Embedding.from_pretrained(table)
    assert not frozen.weight.requires_grad and frozen(autograd.tensor([1])).tolist() == [[3.0, 4.0]]
    assert nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad
    with pytest.raises(ValueError, match="_weight of shape"):
        nn.Embedding(3, 2, _weight=autograd.zeros(2, 2))


def test_one_hot():
    out = F.one_hot(autograd.tensor([[0, 2], [1, 1]]), 3)
    assert out.dtype == np.int64 and out.tolist() == [[[1, 0, 0], [0, 0, 1]], [[0, 1, 0], [0, 1, 0]]]
    assert F.one_hot(autograd.tensor([0, 3])).shape == (2, 4)  # classes inferred from the largest index
    assert F.one_hot(autograd.tensor(np.zeros(0, dtype=np.int64)), 3).shape == (0, 3)
    with pytest.raises(ValueError, match=r"class values must be in \[0, 3\)"):
        F.one_hot(autograd.tensor([0, 3]), 3)
    with pytest.raises(TypeError, match="integer class indices"):
        F.one_hot(autograd.tensor([0.0, 1.0]), 3)
    with pytest.raises(ValueError, match="empty tensor"):
        F.one_hot(autograd.tensor(np.zeros(0, dtype=np.int64)))


# -- softmax default dim ---------------------------------------------------------------------------------------

def _np_softmax(a, axis):
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize("shape, dim", [((), 0), ((4,), 0), ((2, 3), 1), ((2, 3, 4), 0), ((2, 3, 4, 2), 1)])
def test_softmax_and_log_softmax_default_dim_rule(shape, dim):
    a = np.random.default_rng(0).standard_normal(shape)
    x = _t(a)
    np.testing.assert_allclose(F.softmax(x).numpy(), _np_softmax(a, dim), rtol=1e-12)
    np.testing.assert_allclose(F.log_softmax(x).numpy(), np.log(_np_softmax(a, dim)), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(nn.Softmax()(x).numpy(), _np_softmax(a, dim), rtol=1e-12)
    if len(shape) > 1:
        np.testing.assert_allclose(F.softmax(x, dim=-1).numpy(), _np_softmax(a, -1), rtol=1e-12)
        assert F.softmax(autograd.tensor(a.astype(np.float32)), dim=-1, dtype=F64).dtype == np.float64


def test_softmax_gradients():
    assert gradcheck(lambda t: F.softmax(t, dim=1), (_rand(2, 3),))
    assert gradcheck(lambda t: F.log_softmax(t, dim=0), (_rand(3, 2),))
    big = F.log_softmax(autograd.tensor([[1e4, 0.0]]), dim=1)  # no overflow
    assert np.isfinite(big.numpy()).all()


# -- activation modules -----------------------------------------------------------------------------------------

X = np.array([[-3.0, -1.0, -0.25, 0.0], [0.5, 2.0, 7.0, 30.0]])

ACTIVATIONS = [  # (module, its functional call, a NumPy reference, PyTorch's repr)
    (nn.ReLU(), F.relu, lambda a: np.maximum(a, 0), "ReLU()"),
    (nn.ReLU(inplace=True), F.relu, lambda a: np.maximum(a, 0), "ReLU(inplace=True)"),
    (nn.ReLU6(), F.relu6, lambda a: np.clip(a, 0, 6), "ReLU6()"),
    (nn.LeakyReLU(), F.leaky_relu, lambda a: np.where(a > 0, a, 0.01 * a), "LeakyReLU(negative_slope=0.01)"),
    (nn.LeakyReLU(0.2, True), lambda t: F.leaky_relu(t, 0.2), lambda a: np.where(a > 0, a, 0.2 * a),
     "LeakyReLU(negative_slope=0.2, inplace=True)"),
    (nn.ELU(0.5), lambda t: F.elu(t, 0.5), lambda a: np.where(a > 0, a, 0.5 * np.expm1(a)), "ELU(alpha=0.5)"),
    (nn.GELU(), F.gelu, lambda a: a * 0.5 * (1 + np.vectorize(math.erf)(a / math.sqrt(2))), "GELU(approximate='none')"),
    (nn.GELU("tanh"), lambda t: F.gelu(t, "tanh"),
     lambda a: 0.5 * a * (1 + np.tanh(math.sqrt(2 / math.pi) * (a + 0.044715 * a ** 3))), "GELU(approximate='tanh')"),
    (nn.SiLU(), F.silu, lambda a: a / (1 + np.exp(-a)), "SiLU()"),
    (nn.Sigmoid(), F.sigmoid, lambda a: 1 / (1 + np.exp(-a)), "Sigmoid()"),
    (nn.Tanh(), F.tanh, np.tanh, "Tanh()"),
    (nn.Softplus(), F.softplus, lambda a: np.where(a > 20, a, np.log1p(np.exp(np.minimum(a, 20)))),
     "Softplus(beta=1.0, threshold=20.0)"),
    (nn.Softplus(2, 10), lambda t: F.softplus(t, 2, 10),
     lambda a: np.where(2 * a > 10, a, np.log1p(np.exp(2 * np.minimum(a, 5))) / 2), "Softplus(beta=2, threshold=10)"),
    (nn.Hardtanh(-2.0, 2.0), lambda t: F.hardtanh(t, -2.0, 2.0), lambda a: np.clip(a, -2, 2),
     "Hardtanh(min_val=-2.0, max_val=2.0)"),
    (nn.Step(), F.step, lambda a: (a > 0).astype(float), "Step()"),
    (nn.LogSoftmax(dim=1), lambda t: F.log_softmax(t, 1), lambda a: np.log(_np_softmax(a, 1)), "LogSoftmax(dim=1)"),
]


@pytest.mark.parametrize("module, fn, ref, text", ACTIVATIONS, ids=[a[3] for a in ACTIVATIONS])
def test_activation_modules_match_their_functions_numpy_and_repr(module, fn, ref, text):
    x = _t(X)
    expect = fn(x)
    out = module(x)
    np.testing.assert_allclose(out.numpy(), expect.numpy(), rtol=0, atol=0)
    np.testing.assert_allclose(out.numpy(), ref(X), rtol=1e-6, atol=1e-12)
    assert (out is x) == getattr(module, "inplace", False)  # inplace=True writes into the input, as PyTorch
    assert repr(module) == text


@pytest.mark.parametrize("module", [nn.ReLU(), nn.LeakyReLU(0.1), nn.ELU(), nn.GELU(), nn.SiLU(), nn.Softplus(),
                                    nn.Tanh(), nn.Sigmoid(), nn.Hardtanh()])
def test_activation_gradients(module):
    x = _t([[-1.5, -0.3, 0.4, 1.7]], requires_grad=True)  # away from kinks
    assert gradcheck(module, (x,))


def test_inplace_flags_write_into_the_input_and_hardtanh_checks_its_range():
    x = _t([-1.0, 1.0])
    v = x._version
    y = F.relu(x, inplace=True)
    assert y is x and x.tolist() == [0.0, 1.0] and x._version > v
    with pytest.raises(RuntimeError, match="leaf Variable"):
        F.relu(_t([-1.0, 1.0], requires_grad=True), inplace=True)
    with pytest.raises(ValueError, match="max_val"):
        nn.Hardtanh(2.0, 1.0)
    with pytest.raises(ValueError, match="min_val"):
        F.hardtanh(x, 2.0, 1.0)


# -- flatten / unflatten -----------------------------------------------------------------------------------------

def test_flatten_and_unflatten():
    a = np.arange(2 * 3 * 4 * 5, dtype=np.float64).reshape(2, 3, 4, 5)
    x = _t(a, requires_grad=True)
    np.testing.assert_array_equal(nn.Flatten()(x).detach().numpy(), a.reshape(2, 60))
    np.testing.assert_array_equal(nn.Flatten(0, 2)(x).detach().numpy(), a.reshape(24, 5))
    np.testing.assert_array_equal(nn.Flatten(-2)(x).detach().numpy(), a.reshape(2, 3, 20))
    y = nn.Unflatten(1, (3, 4))(_t(a.reshape(2, 12, 5)))
    np.testing.assert_array_equal(y.numpy(), a.reshape(2, 3, 4, 5))
    assert nn.Unflatten(-1, [4, 5])(_t(a.reshape(6, 20))).shape == (6, 4, 5)
    round_trip = nn.Sequential(nn.Flatten(), nn.Unflatten(1, (3, 4, 5)))
    out = round_trip(x)
    np.testing.assert_array_equal(out.detach().numpy(), a)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.ones_like(a))
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"
    assert repr(nn.Unflatten(1, [3, 4])) == "Unflatten(dim=1, unflattened_size=[3, 4])"
    with pytest.raises(ValueError):
        nn.Unflatten(1, (5, 5))(_t(a.reshape(2, 12, 5)))


# -- dropout -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_training_zeroes_and_rescales_keeping_the_mean(p):
    drop = nn.Dropout(p)
    x = autograd.ones(200, 500, requires_grad=True)
    y = drop(x)
    vals = y.detach().numpy()
    kept = vals != 0
    np.testing.assert_allclose(vals[kept], 1 / (1 - p), rtol=1e-6)  # inverted scaling
    n = vals.size
    assert abs((1 - kept.mean()) - p) < 5 * math.sqrt(p * (1 - p) / n)  # the drop rate is p
    assert abs(vals.mean() - 1.0) < 5 * math.sqrt(p / (1 - p) / n)  # the mean is preserved
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), vals)  # backward applies the same mask and scale
    assert y.dtype == np.float32


def test_dropout_eval_edge_probabilities_and_validation():
    x = autograd.randn(4, 5)
    drop = nn.Dropout(0.5).eval()
    assert drop(x) is x  # identity in eval
    assert drop.train()(x) is not x
    assert F.dropout(x, 0.0) is x and F.dropout(x, 0.5, training=False) is x
    assert not F.dropout(x, 1.0).numpy().any()
    for p in (-0.1, 1.5):
        with pytest.raises(ValueError, match=f"dropout probability has to be between 0 and 1, but got {p}"):
            nn.Dropout(p)
        with pytest.raises(ValueError, match="between 0 and 1"):
            F.dropout(x, p)
    with pytest.raises(TypeError, match="floating-point"):
        F.dropout(autograd.tensor([1, 2]), 0.5)
    assert repr(nn.Dropout()) == "Dropout(p=0.5, inplace=False)"


def test_dropout_repeats_under_a_seed_and_changes_between_calls():
    x = autograd.ones(50)
    autograd.manual_seed(3)
    a = F.dropout(x, 0.5).numpy()
    b = F.dropout(x, 0.5).numpy()
    autograd.manual_seed(3)
    np.testing.assert_array_equal(F.dropout(x, 0.5).numpy(), a)
    assert not np.array_equal(a, b)


def test_model_train_eval_switches_dropout():
    net = nn.Sequential(nn.Linear(10, 10), nn.Dropout(0.5))
    x = autograd.randn(8, 10)
    net.eval()
    np.testing.assert_array_equal(net(x).detach().numpy(), net(x).detach().numpy())
    net.train()
    assert not np.array_equal(net(x).detach().numpy(), net(x).detach().numpy())
