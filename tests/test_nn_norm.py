"""Normalisation: batch norm in training and evaluation against NumPy formulas, running statistics after
several steps (exponential and cumulative), layer and group norm, gradients to second order, the layers'
buffers, repr and state_dict, train/eval switching and shape errors."""
from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd.testing import gradcheck, gradgradcheck

RNG = np.random.default_rng(2)
EPS = 1e-5


def t64(a, grad=False):
    return autograd.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def ref_standardise(x, axes, eps=EPS):
    mean = x.mean(axis=axes, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)  # biased, as normalisation uses
    return (x - mean) / np.sqrt(var + eps)


def channel(v, ndim):
    return v.reshape((-1,) + (1,) * (ndim - 2))


# -- batch_norm ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5), (4, 3, 2, 5)])
def test_batch_norm_training_forward_and_running_stats(shape):
    x = RNG.standard_normal(shape) * 3 + 1
    w, b = RNG.standard_normal(3), RNG.standard_normal(3)
    rm, rv = RNG.standard_normal(3), RNG.random(3) + 0.5
    run_m, run_v = t64(rm.copy()), t64(rv.copy())
    got = F.batch_norm(t64(x), run_m, run_v, t64(w), t64(b), training=True, momentum=0.3)
    axes = (0,) + tuple(range(2, len(shape)))
    want = ref_standardise(x, axes) * channel(w, len(shape)) + channel(b, len(shape))
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=1e-12)
    n = x.size // 3
    np.testing.assert_allclose(run_m.numpy(), 0.7 * rm + 0.3 * x.mean(axis=axes), rtol=1e-12)
    np.testing.assert_allclose(run_v.numpy(), 0.7 * rv + 0.3 * x.var(axis=axes) * n / (n - 1), rtol=1e-12)


def test_batch_norm_eval_uses_running_stats():
    x = RNG.standard_normal((4, 3, 2, 2))
    w, b = RNG.standard_normal(3), RNG.standard_normal(3)
    rm, rv = RNG.standard_normal(3), RNG.random(3) + 0.5
    got = F.batch_norm(t64(x), t64(rm), t64(rv), t64(w), t64(b), training=False).numpy()
    want = (x - channel(rm, 4)) / np.sqrt(channel(rv, 4) + EPS) * channel(w, 4) + channel(b, 4)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    no_affine = F.batch_norm(t64(x), t64(rm), t64(rv)).numpy()
    np.testing.assert_allclose(no_affine, (x - channel(rm, 4)) / np.sqrt(channel(rv, 4) + EPS), rtol=1e-12)


def test_batch_norm_gradients():
    x = t64(RNG.standard_normal((3, 2, 2, 1)), True)
    w, b = t64(RNG.standard_normal(2), True), t64(RNG.standard_normal(2), True)
    train = lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True)  # noqa: E731
    assert gradcheck(train, (x, w, b)) and gradgradcheck(train, (x, w, b))
    rm, rv = t64(RNG.standard_normal(2)), t64(RNG.random(2) + 0.5)
    evalf = lambda x, w, b: F.batch_norm(x, rm, rv, w, b)  # noqa: E731
    assert gradcheck(evalf, (x, w, b)) and gradgradcheck(evalf, (x, w, b))


def _ref_batch_norm_grads(x, w, b, g):
    """Input, weight and bias gradients of training-mode batch norm, from the unfused formula in float64."""
    axes = (0,) + tuple(range(2, x.ndim))
    n = x.size // x.shape[1]
    xhat = ref_standardise(x, axes)
    invstd = 1 / np.sqrt(x.var(axis=axes, keepdims=True) + EPS)
    gxhat = g * channel(w, x.ndim) if w is not None else g
    gx = invstd * (gxhat - gxhat.sum(axis=axes, keepdims=True) / n
                   - xhat * (gxhat * xhat).sum(axis=axes, keepdims=True) / n)
    return gx, (g * xhat).sum(axis=axes), g.sum(axis=axes)


@pytest.mark.parametrize("affine", ["both", "weight", "bias"])
@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 5), (3, 3, 2, 4)])
def test_fused_batch_norm_matches_the_unfused_formula(affine, shape):
    x = RNG.standard_normal(shape) * 2 - 1
    w = RNG.standard_normal(3) if affine != "bias" else None
    b = RNG.standard_normal(3) if affine != "weight" else None
    g = RNG.standard_normal(shape)
    xt = t64(x, True)
    wt, bt = (None if w is None else t64(w, True)), (None if b is None else t64(b, True))
    y = F.batch_norm(xt, None, None, wt, bt, training=True)
    assert y.grad_fn.name == "BatchNormBackward"
    want = ref_standardise(x, (0,) + tuple(range(2, len(shape))))
    want = want * (channel(w, len(shape)) if w is not None else 1) + (channel(b, len(shape)) if b is not None else 0)
    np.testing.assert_allclose(y.detach().numpy(), want, rtol=1e-12, atol=1e-12)
    y.backward(t64(g))
    gx, gw, gb = _ref_batch_norm_grads(x, w, b, g)
    np.testing.assert_allclose(xt.grad.numpy(), gx, rtol=1e-10, atol=1e-12)
    for got, ref in ((wt, gw), (bt, gb)):
        if got is not None:
            np.testing.assert_allclose(got.grad.numpy(), ref, rtol=1e-10, atol=1e-12)
    leaves = tuple(t for t in (xt, wt, bt) if t is not None)

    def f(*ts):
        it = iter(ts[1:])
        return F.batch_norm(ts[0], None, None, next(it) if w is not None else None,
                            next(it) if b is not None else None, training=True)
    fresh = tuple(t64(t.detach().numpy(), True) for t in leaves)
    assert gradcheck(f, fresh) and gradgradcheck(f, fresh)


def test_fused_batch_norm_float32_keeps_its_accuracy_far_from_zero():
    # channel means of 1000 against a spread of 1, in float32: within a few float32 ulps of the float64 gradients
    # of the same float32 input (PyTorch's CPU kernel: 1e-7 to 5e-5 here)
    r = np.random.default_rng(0)
    x = r.standard_normal((8, 2, 4, 4)) + 1e3
    w, b, g = r.standard_normal(2) + 2, r.standard_normal(2), r.standard_normal(x.shape)
    ts = [autograd.tensor(a.astype(np.float32), requires_grad=True) for a in (x, w, b)]
    y = F.batch_norm(ts[0], None, None, ts[1], ts[2], training=True)
    assert y.dtype == autograd.float32
    y.backward(autograd.tensor(g.astype(np.float32)))
    x32 = x.astype(np.float32).astype(np.float64)  # the float32 input, exactly
    refs = _ref_batch_norm_grads(x32, w.astype(np.float32), b, g.astype(np.float32))
    for got, ref, tol in zip(ts, refs, (2e-5, 2e-4, 1e-6)):
        assert np.abs(got.grad.numpy() - ref).max() <= tol * np.abs(ref).max()


def test_fused_batch_norm_takes_strided_inputs_and_gradients():
    x = RNG.standard_normal((4, 3, 5)).transpose(2, 1, 0)  # (5, 3, 4), not contiguous
    w, b = RNG.standard_normal(3), RNG.standard_normal(3)
    xt, wt, bt = t64(x, True), t64(w, True), t64(b, True)
    y = F.batch_norm(xt, None, None, wt, bt, training=True)
    g = RNG.standard_normal((4, 3, 5)).transpose(2, 1, 0)
    y.backward(t64(g))
    for got, ref in zip((xt, wt, bt), _ref_batch_norm_grads(x, w, b, g)):
        np.testing.assert_allclose(got.grad.numpy(), ref, rtol=1e-10, atol=1e-12)


def test_batch_norm_mixed_dtypes_promote_as_before():
    x = t64(RNG.standard_normal((4, 2)), True)
    w = autograd.tensor(RNG.standard_normal(2).astype(np.float32), requires_grad=True)
    y = F.batch_norm(x, None, None, w, None, training=True)
    assert y.dtype == autograd.float64 and y.grad_fn.name != "BatchNormBackward"
    y.sum().backward()
    assert w.grad.dtype == autograd.float32 and x.grad.dtype == autograd.float64


def test_batch_norm_module_running_stats_after_two_steps():
    bn = nn.BatchNorm2d(3, momentum=0.2).double()
    xs = [RNG.standard_normal((4, 3, 2, 3)) * (i + 1) + i for i in range(2)]
    rm, rv = np.zeros(3), np.ones(3)
    for x in xs:
        bn(t64(x))
        m = x.mean(axis=(0, 2, 3))
        v = x.var(axis=(0, 2, 3), ddof=1)
        rm, rv = 0.8 * rm + 0.2 * m, 0.8 * rv + 0.2 * v
    np.testing.assert_allclose(bn.running_mean.numpy(), rm, rtol=1e-12)
    np.testing.assert_allclose(bn.running_var.numpy(), rv, rtol=1e-12)
    assert int(bn.num_batches_tracked.item()) == 2


def test_batch_norm_momentum_none_is_a_cumulative_average():
    bn = nn.BatchNorm1d(2, momentum=None).double()
    xs = [RNG.standard_normal((5, 2)) + i for i in range(3)]
    for x in xs:
        bn(t64(x))
    np.testing.assert_allclose(bn.running_mean.numpy(), np.mean([x.mean(axis=0) for x in xs], axis=0), rtol=1e-12)
    # the first batch gets factor 1/1, so the initial (0, 1) statistics drop out entirely
    np.testing.assert_allclose(bn.running_var.numpy(), np.mean([x.var(axis=0, ddof=1) for x in xs], axis=0),
                               rtol=1e-12)


def test_train_and_eval_change_batch_norm():
    bn = nn.BatchNorm1d(3).double()
    x = t64(RNG.standard_normal((8, 3)) * 2 + 5)
    train_out = bn(x).detach().numpy()
    np.testing.assert_allclose(train_out.mean(axis=0), 0, atol=1e-12)
    bn.eval()
    stats = (bn.running_mean.numpy().copy(), bn.running_var.numpy().copy())
    eval_out = bn(x).detach().numpy()
    want = (x.numpy() - stats[0]) / np.sqrt(stats[1] + EPS)
    np.testing.assert_allclose(eval_out, want, rtol=1e-12)
    np.testing.assert_array_equal(bn.running_mean.numpy(), stats[0])  # eval leaves the statistics alone
    assert int(bn.num_batches_tracked.item()) == 1
    bn.train()
    np.testing.assert_allclose(bn(x).detach().numpy(), train_out, rtol=1e-12)


def test_batch_norm_without_running_stats_or_affine():
    bn = nn.BatchNorm2d(2, affine=False, track_running_stats=False)
    assert list(bn.state_dict()) == [] and bn.weight is None and bn.running_mean is None
    x = RNG.standard_normal((3, 2, 2, 2)).astype(np.float32)
    bn.eval()  # no running statistics: batch statistics even in eval, as PyTorch
    np.testing.assert_allclose(bn(autograd.tensor(x)).numpy(), ref_standardise(x, (0, 2, 3)), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("make,shape", [(lambda: nn.BatchNorm1d(4), (5, 4)), (lambda: nn.BatchNorm1d(4), (5, 4, 3)),
                                        (lambda: nn.BatchNorm2d(4, bias=False), (3, 4, 2, 2))])
def test_batch_norm_round_trip_after_training(make, shape):
    a, b = make(), make()
    for _ in range(2):
        a(autograd.randn(*shape) * 3 + 1)
    b.load_state_dict(a.state_dict())
    assert int(b.num_batches_tracked.item()) == 2
    a.eval(), b.eval()
    x = autograd.randn(*shape)
    np.testing.assert_array_equal(a(x).detach().numpy(), b(x).detach().numpy())


def test_batch_norm_layer_state_dict_and_repr():
    bn = nn.BatchNorm2d(4)
    assert list(bn.state_dict()) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert repr(bn) == "BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"
    assert bn.num_batches_tracked.dtype == np.int64
    bn(autograd.randn(3, 4, 2, 2))
    other = nn.BatchNorm2d(4)
    other.load_state_dict(bn.state_dict())
    for k, v in bn.state_dict().items():
        np.testing.assert_array_equal(other.state_dict()[k].numpy(), v.numpy())
    x = autograd.randn(2, 4, 3, 3)
    bn.eval(), other.eval()
    np.testing.assert_array_equal(bn(x).detach().numpy(), other(x).detach().numpy())
    assert repr(nn.BatchNorm1d(3, momentum=None, affine=False, track_running_stats=False)) == \
        "BatchNorm1d(3, eps=1e-05, momentum=None, affine=False, bias=False, track_running_stats=False)"


# -- layer_norm and group_norm --------------------------------------------------------------------------------

def test_layer_norm_forward_and_gradients():
    x = RNG.standard_normal((2, 3, 4))
    w, b = RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4))
    got = F.layer_norm(t64(x), (3, 4), t64(w), t64(b)).numpy()
    np.testing.assert_allclose(got, ref_standardise(x, (1, 2)) * w + b, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(F.layer_norm(t64(x), 4).numpy(), ref_standardise(x, (2,)), rtol=1e-12, atol=1e-12)
    xs, ws, bs = t64(x[:, :2, :3], True), t64(w[0, :3], True), t64(b[0, :3], True)
    f = lambda x, w, b: F.layer_norm(x, (3,), w, b)  # noqa: E731
    assert gradcheck(f, (xs, ws, bs)) and gradgradcheck(f, (xs, ws, bs))


def test_group_norm_forward_and_gradients():
    x = RNG.standard_normal((2, 6, 3))
    w, b = RNG.standard_normal(6), RNG.standard_normal(6)
    got = F.group_norm(t64(x), 3, t64(w), t64(b)).numpy()
    want = ref_standardise(x.reshape(2, 3, -1), (2,)).reshape(x.shape) * channel(w, 3) + channel(b, 3)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    xs, ws = t64(x[:, :4, :2], True), t64(w[:4], True)
    f = lambda x, w: F.group_norm(x, 2, w)  # noqa: E731
    assert gradcheck(f, (xs, ws)) and gradgradcheck(f, (xs, ws))


def test_layer_and_group_norm_layers():
    ln = nn.LayerNorm(4)
    assert repr(ln) == "LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)"
    assert list(ln.state_dict()) == ["weight", "bias"] and ln.weight.shape == (4,)
    np.testing.assert_array_equal(ln.weight.detach().numpy(), 1)
    assert list(nn.LayerNorm((2, 3), elementwise_affine=False).state_dict()) == []
    assert list(nn.LayerNorm(3, bias=False).state_dict()) == ["weight"]
    gn = nn.GroupNorm(2, 4)
    assert repr(gn) == "GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)"
    assert list(gn.state_dict()) == ["weight", "bias"]
    x = autograd.randn(3, 4, 5)
    for make in (lambda: nn.LayerNorm(5), lambda: nn.GroupNorm(2, 4)):
        a, b = make(), make()
        with autograd.no_grad():
            a.weight.mul_(2.0)
            a.bias.add_(0.5)
        b.load_state_dict(a.state_dict())
        np.testing.assert_array_equal(a(x).detach().numpy(), b(x).detach().numpy())


# -- errors -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("call,match", [
    (lambda: F.batch_norm(autograd.zeros(4, 3), autograd.zeros(2), autograd.ones(2)),
     r"batch_norm: expected running_mean of shape \(3,\) for input \(4, 3\)"),
    (lambda: F.batch_norm(autograd.zeros(1, 3), None, None, training=True), r"more than 1 value per channel"),
    (lambda: F.batch_norm(autograd.zeros(4, 3), None, None), r"running_mean and running_var are needed"),
    (lambda: F.layer_norm(autograd.zeros(2, 5), (4,)), r"layer_norm: expected input with shape \(\*, 4\)"),
    (lambda: F.group_norm(autograd.zeros(2, 6, 3), 4), r"C=6 .* divisible by num_groups=4"),
    (lambda: nn.BatchNorm2d(3)(autograd.zeros(2, 3)), r"BatchNorm2d: expected 4D input"),
    (lambda: nn.BatchNorm1d(3)(autograd.zeros(2, 3, 4, 5)), r"BatchNorm1d: expected 2D or 3D input"),
    (lambda: nn.GroupNorm(3, 4), r"divisible by num_groups=3"),
])
def test_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()
