"""Losses: every formula and reduction against a NumPy reference, cross-entropy with each option (weights,
ignore_index, label smoothing, probabilities, extra dimensions), PyTorch's weighted-mean rule, stability at
logits of 1e4, gradients against finite differences, the loss layers, and input errors."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd.testing import gradcheck, gradgradcheck

RNG = np.random.default_rng(3)
REDUCTIONS = ("mean", "sum", "none")


def t64(a, grad=False):
    return autograd.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def reduce(v, reduction):
    return {"mean": np.mean, "sum": np.sum, "none": lambda a: a}[reduction](v)


def log_softmax(x, axis):
    z = x - x.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


# -- references for cross-entropy: PyTorch's definitions written out -------------------------------------------

def ref_nll(logp, t, weight=None, ignore_index=-100, reduction="mean"):
    """logp (N, C, *d), t (N, *d); weighted mean divides by the weights of the counted targets."""
    c = logp.shape[1]
    w = np.ones(c) if weight is None else weight
    lp = np.moveaxis(logp, 1, -1).reshape(-1, c)
    tt = t.reshape(-1)
    losses, weights = np.zeros(len(tt)), np.zeros(len(tt))
    for i, k in enumerate(tt):
        if k != ignore_index:
            losses[i], weights[i] = -w[k] * lp[i, k], w[k]
    if reduction == "none":
        return losses.reshape(t.shape)
    return losses.sum() if reduction == "sum" else losses.sum() / weights.sum()


def ref_cross_entropy(x, t, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    c = x.shape[1]
    logp = log_softmax(x, 1)
    w = np.ones(c) if weight is None else weight
    wb = w.reshape((c,) + (1,) * (x.ndim - 2))
    if t.dtype.kind == "f":  # probabilities: mean divides by the number of samples, never by weights
        q = t * (1 - label_smoothing) + label_smoothing / c
        per = -(logp * q * wb).sum(axis=1)
        return per if reduction == "none" else (per.sum() if reduction == "sum" else per.sum() / per.size)
    nll = ref_nll(logp, t, weight, ignore_index, reduction)
    if label_smoothing == 0:
        return nll
    smooth = -(logp * wb).sum(axis=1) * (t != ignore_index)
    if reduction == "none":
        s = smooth
    elif reduction == "sum":
        s = smooth.sum()
    else:
        s = smooth.sum() / np.where(t != ignore_index, w[np.where(t != ignore_index, t, 0)], 0).sum()
    return (1 - label_smoothing) * nll + label_smoothing / c * s


CE_OPTIONS = [dict(), dict(weight=True), dict(ignore_index=2), dict(label_smoothing=0.2),
              dict(weight=True, label_smoothing=0.3), dict(weight=True, ignore_index=1, label_smoothing=0.1)]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("opts", CE_OPTIONS)
@pytest.mark.parametrize("shape", [(5, 4), (3, 4, 2, 3)])
def test_cross_entropy_class_indices(shape, opts, reduction):
    x = RNG.standard_normal(shape)
    t = RNG.integers(0, 4, (shape[0],) + shape[2:])
    t.reshape(-1)[0] = opts.get("ignore_index", -100)  # one ignored target in every case
    weight = RNG.random(4) + 0.1 if opts.get("weight") else None
    kw = dict(ignore_index=opts.get("ignore_index", -100), label_smoothing=opts.get("label_smoothing", 0.0),
              reduction=reduction)
    xt = t64(x, True)
    got = F.cross_entropy(xt, autograd.tensor(t), weight=None if weight is None else t64(weight), **kw)
    np.testing.assert_allclose(got.detach().numpy(), ref_cross_entropy(x, t, weight, **kw), rtol=1e-10, atol=1e-12)
    f = lambda x: F.cross_entropy(x, autograd.tensor(t), weight=None if weight is None else t64(weight), **kw)  # noqa
    assert gradcheck(f, (xt,))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("opts", [dict(), dict(weight=True), dict(weight=True, label_smoothing=0.25)])
@pytest.mark.parametrize("shape", [(5, 4), (2, 4, 3)])
def test_cross_entropy_probabilities(shape, opts, reduction):
    x = RNG.standard_normal(shape)
    q = RNG.random(shape)
    q /= q.sum(axis=1, keepdims=True)
    weight = RNG.random(4) + 0.1 if opts.get("weight") else None
    ls = opts.get("label_smoothing", 0.0)
    xt, qt = t64(x, True), t64(q, True)
    got = F.cross_entropy(xt, qt, weight=None if weight is None else t64(weight), reduction=reduction,
                          label_smoothing=ls)
    want = ref_cross_entropy(x, q, weight, reduction=reduction, label_smoothing=ls)
    np.testing.assert_allclose(got.detach().numpy(), want, rtol=1e-10, atol=1e-12)
    f = lambda x, q: F.cross_entropy(x, q, weight=None if weight is None else t64(weight),  # noqa: E731
                                     reduction=reduction, label_smoothing=ls)
    assert gradcheck(f, (xt, qt))


def test_cross_entropy_unbatched():
    x = RNG.standard_normal(5)
    got = F.cross_entropy(t64(x), autograd.tensor(3)).numpy()
    np.testing.assert_allclose(got, -log_softmax(x, 0)[3], rtol=1e-12)


def test_fused_and_composed_cross_entropy_agree_to_second_order():
    x = t64(RNG.standard_normal((4, 3)), True)
    t = autograd.tensor([0, 2, -100, 1])
    for reduction in REDUCTIONS:
        fused = F.cross_entropy(x, t, reduction=reduction)
        composed = F.nll_loss(autograd.log_softmax(x, 1), t, reduction=reduction)
        np.testing.assert_allclose(fused.detach().numpy(), composed.detach().numpy(), rtol=1e-12)
        f = lambda x: F.cross_entropy(x, t, reduction=reduction)  # noqa: E731
        assert gradcheck(f, (x,)) and gradgradcheck(f, (x,))


def test_cross_entropy_is_stable_at_huge_logits():
    for dtype in ("float32", "float64"):
        x = autograd.tensor([[1e4, 0.0, -1e4], [0.0, 1e4, 3.0], [-1e4, -1e4, -1e4]], dtype=dtype, requires_grad=True)
        loss = F.cross_entropy(x, autograd.tensor([1, 1, 0]))
        loss.backward()
        assert np.isfinite(loss.item()) and np.isfinite(x.grad.numpy()).all()
        np.testing.assert_allclose(loss.item(), (1e4 + 0 + np.log(3)) / 3, rtol=1e-5)
        np.testing.assert_allclose(x.grad.numpy()[0], [1 / 3, -1 / 3, 0], atol=1e-6)
        smooth = F.cross_entropy(x, autograd.tensor([1, 1, 0]), label_smoothing=0.1, weight=autograd.ones(3, dtype=dtype))
        assert np.isfinite(smooth.item())


def test_every_target_ignored_gives_nan_and_a_zero_gradient():
    x = t64(RNG.standard_normal((3, 4)), True)
    t = autograd.tensor([-100, -100, -100])
    for loss in (F.cross_entropy(x, t), F.nll_loss(x, t), F.cross_entropy(x, t, label_smoothing=0.1)):
        assert np.isnan(loss.item())
        x.grad = None
        loss.backward()
        np.testing.assert_array_equal(x.grad.numpy(), 0)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_weighted(reduction):
    logp = log_softmax(RNG.standard_normal((6, 3, 2)), 1)
    t = RNG.integers(0, 3, (6, 2))
    t[0, 0] = -1
    w = RNG.random(3) + 0.2
    got = F.nll_loss(t64(logp), autograd.tensor(t), weight=t64(w), ignore_index=-1, reduction=reduction)
    np.testing.assert_allclose(got.numpy(), ref_nll(logp, t, w, -1, reduction), rtol=1e-12)


# -- the other losses -----------------------------------------------------------------------------------------

def ref_elementwise(name, x, y, **kw):
    d = x - y
    ad = np.abs(d)
    if name == "mse_loss":
        return d * d
    if name == "l1_loss":
        return ad
    if name == "smooth_l1_loss":
        beta = kw.get("beta", 1.0)
        return np.where(ad < beta, 0.5 * d * d / beta, ad - 0.5 * beta)
    delta = kw.get("delta", 1.0)
    return np.where(ad < delta, 0.5 * d * d, delta * (ad - 0.5 * delta))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,kw", [("mse_loss", {}), ("l1_loss", {}), ("smooth_l1_loss", {}),
                                     ("smooth_l1_loss", {"beta": 0.5}), ("huber_loss", {}),
                                     ("huber_loss", {"delta": 0.4})])
def test_regression_losses(name, kw, reduction):
    x, y = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3))
    xt, yt = t64(x, True), t64(y, True)
    got = getattr(F, name)(xt, yt, reduction=reduction, **kw)
    np.testing.assert_allclose(got.detach().numpy(), reduce(ref_elementwise(name, x, y, **kw), reduction),
                               rtol=1e-12)
    assert gradcheck(lambda a, b: getattr(F, name)(a, b, reduction=reduction, **kw), (xt, yt))


def test_l1_and_smooth_l1_gradient_is_zero_where_equal():
    x = t64([1.0, 2.0], True)
    (F.l1_loss(x, t64([1.0, 0.0]), reduction="sum") + F.smooth_l1_loss(x, t64([1.0, 0.0]), beta=0.0)).backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.5])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy(reduction):
    p, y, w = RNG.random((4, 3)) * 0.9 + 0.05, RNG.random((4, 3)), RNG.random((4, 3))
    pt, yt = t64(p, True), t64(y, True)
    got = F.binary_cross_entropy(pt, yt, weight=t64(w), reduction=reduction)
    want = reduce(-w * (y * np.log(p) + (1 - y) * np.log(1 - p)), reduction)
    np.testing.assert_allclose(got.detach().numpy(), want, rtol=1e-12)
    f = lambda p, y: F.binary_cross_entropy(p, y, weight=t64(w), reduction=reduction)  # noqa: E731
    assert gradcheck(f, (pt, yt)) and gradgradcheck(f, (pt, yt))


def test_binary_cross_entropy_clamps_its_logs_like_pytorch():
    p = t64([0.0, 1.0, 0.5], True)
    loss = F.binary_cross_entropy(p, t64([1.0, 0.0, 0.3]), reduction="none")
    np.testing.assert_allclose(loss.detach().numpy(), [100.0, 100.0, -(0.3 * np.log(0.5) + 0.7 * np.log(0.5))])
    loss.sum().backward()
    np.testing.assert_allclose(p.grad.numpy(), [-1e12, 1e12, 0.8], rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_with_logits(reduction):
    x, y = RNG.standard_normal((4, 3)) * 3, RNG.random((4, 3))
    w, pw = RNG.random((4, 3)), RNG.random(3) * 3
    xt, yt = t64(x, True), t64(y, True)
    got = F.binary_cross_entropy_with_logits(xt, yt, weight=t64(w), reduction=reduction, pos_weight=t64(pw))
    s = 1 / (1 + np.exp(-x))
    want = reduce(-w * (pw * y * np.log(s) + (1 - y) * np.log(1 - s)), reduction)
    np.testing.assert_allclose(got.detach().numpy(), want, rtol=1e-10)
    f = lambda x, y: F.binary_cross_entropy_with_logits(x, y, reduction=reduction, pos_weight=t64(pw))  # noqa
    assert gradcheck(f, (xt, yt)) and gradgradcheck(f, (xt, yt))


def test_binary_cross_entropy_with_logits_is_stable_at_huge_logits():
    x = autograd.tensor([1e4, -1e4, 1e4, -1e4, 0.0], requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, autograd.tensor([1.0, 0.0, 0.0, 1.0, 1.0]), reduction="none")
    np.testing.assert_allclose(loss.detach().numpy(), [0, 0, 1e4, 1e4, np.log(2)], rtol=1e-6)
    loss.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0, 0, 1, -1, -0.5], atol=1e-7)


@pytest.mark.parametrize("reduction", REDUCTIONS + ("batchmean",))
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target):
    x = log_softmax(RNG.standard_normal((3, 4)), 1)
    q = RNG.random((3, 4))
    q[0, 0] = 0.0
    q /= q.sum(axis=1, keepdims=True)
    target = np.log(q + 1e-3) if log_target else q
    per = np.exp(target) * (target - x) if log_target else np.where(q > 0, q * np.log(np.where(q > 0, q, 1)), 0) - q * x
    want = per.sum() / 3 if reduction == "batchmean" else reduce(per, reduction)
    xt, tt = t64(x, True), t64(target, True)
    got = F.kl_div(xt, tt, reduction=reduction, log_target=log_target)
    np.testing.assert_allclose(got.detach().numpy(), want, rtol=1e-12, atol=1e-15)
    q_pos = t64(np.abs(target) + 0.1, True) if not log_target else tt
    assert gradcheck(lambda a, b: F.kl_div(a, b, reduction=reduction, log_target=log_target), (xt, q_pos))


# -- layers -----------------------------------------------------------------------------------------------------

def test_loss_layers_compute_the_functional_forms():
    x, y = t64(RNG.standard_normal((4, 3))), t64(RNG.standard_normal((4, 3)))
    p, q = t64(RNG.random((4, 3)) * 0.8 + 0.1), t64(RNG.random((4, 3)))
    t = autograd.tensor([0, 2, 1, 1])
    w = t64(RNG.random(3) + 0.1)
    pairs = [
        (nn.MSELoss(reduction="sum")(x, y), F.mse_loss(x, y, reduction="sum")),
        (nn.L1Loss()(x, y), F.l1_loss(x, y)),
        (nn.SmoothL1Loss(beta=0.3)(x, y), F.smooth_l1_loss(x, y, beta=0.3)),
        (nn.HuberLoss(delta=0.3)(x, y), F.huber_loss(x, y, delta=0.3)),
        (nn.BCELoss(weight=w)(p, q), F.binary_cross_entropy(p, q, weight=w)),
        (nn.BCEWithLogitsLoss(pos_weight=w)(x, q), F.binary_cross_entropy_with_logits(x, q, pos_weight=w)),
        (nn.CrossEntropyLoss(weight=w, label_smoothing=0.1)(x, t), F.cross_entropy(x, t, weight=w, label_smoothing=0.1)),
        (nn.NLLLoss(ignore_index=2)(x, t), F.nll_loss(x, t, ignore_index=2)),
        (nn.KLDivLoss(reduction="batchmean", log_target=True)(x, y), F.kl_div(x, y, "batchmean", log_target=True)),
    ]
    for got, want in pairs:
        np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_loss_layer_weights_are_buffers():
    w = autograd.tensor([1.0, 2.0, 3.0])
    ce = nn.CrossEntropyLoss(weight=w)
    assert list(ce.state_dict()) == ["weight"] and list(ce.parameters()) == []
    assert list(nn.CrossEntropyLoss().state_dict()) == []
    assert list(nn.BCEWithLogitsLoss(pos_weight=w).state_dict()) == ["pos_weight"]
    other = nn.CrossEntropyLoss(weight=autograd.zeros(3))
    other.load_state_dict(ce.state_dict())
    np.testing.assert_array_equal(other.weight.numpy(), [1.0, 2.0, 3.0])
    assert repr(ce) == "CrossEntropyLoss()"


# -- errors -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("call,exc,match", [
    (lambda: F.cross_entropy(autograd.zeros(2, 3), autograd.tensor([0, 3])), IndexError,
     r"cross_entropy: Target 3 is out of bounds for 3 classes"),
    (lambda: F.nll_loss(autograd.zeros(2, 3), autograd.tensor([0, -1])), IndexError, r"Target -1 is out of bounds"),
    (lambda: F.cross_entropy(autograd.zeros(2, 3), autograd.tensor([0, 1, 1])), ValueError,
     r"expected target of shape \(2,\) for input \(2, 3\)"),
    (lambda: F.cross_entropy(autograd.zeros(2, 3), autograd.zeros(2, 4)), ValueError, r"must have the input's shape"),
    (lambda: F.cross_entropy(autograd.zeros(2, 3), autograd.tensor([0, 1]), weight=autograd.ones(2)), ValueError,
     r"weight of shape \(3,\)"),
    (lambda: F.mse_loss(autograd.zeros(2), autograd.zeros(2), reduction="avg"), ValueError, r"reduction must be"),
    (lambda: F.binary_cross_entropy(autograd.tensor([1.5]), autograd.tensor([1.0])), RuntimeError,
     r"between 0 and 1"),
    (lambda: F.binary_cross_entropy(autograd.tensor([float("nan"), 0.5]), autograd.tensor([0.0, 1.0])), RuntimeError,
     r"between 0 and 1, got 1 outside \(e.g. nan\)"),
    (lambda: F.binary_cross_entropy(autograd.tensor([0.5, 0.5]), autograd.tensor([[1.0, 0.0]])), ValueError,
     r"target size \(1, 2\) is different from the input size \(2,\)"),
    (lambda: F.nll_loss(autograd.zeros(2, 3), autograd.zeros(2)), TypeError, r"expected integer class indices"),
    (lambda: F.cross_entropy(autograd.zeros(2, 3), autograd.tensor([0, 1]), label_smoothing=1.5), ValueError,
     r"label_smoothing must be between"),
])
def test_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_mismatched_sizes_warn_as_pytorch():
    with pytest.warns(UserWarning, match=r"mse_loss: target size \(3, 1\) is different from the input size \(3,\)"):
        F.mse_loss(autograd.zeros(3), autograd.zeros(3, 1))


@pytest.mark.parametrize("p", [1e-12, 1e-9, 0.5, 1 - 1e-9, 1 - 1e-12])
@pytest.mark.parametrize("t", [0.0, 1.0, 0.3])
def test_binary_cross_entropy_is_accurate_at_the_edges_in_float64(p, t):
    x = autograd.tensor([p], dtype=autograd.float64, requires_grad=True)
    loss = F.binary_cross_entropy(x, autograd.tensor([t], dtype=autograd.float64))
    ref = -(t * math.log(p) + (1 - t) * math.log1p(-p))
    assert loss.item() == pytest.approx(ref, rel=1e-12, abs=1e-300)
    loss.backward()
    assert x.grad.item() == pytest.approx((p - t) / max(p * (1 - p), 1e-12), rel=1e-9)
