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
