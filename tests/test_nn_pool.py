"""Pooling: forward and indices against loop-over-windows NumPy references (PyTorch's window and divisor rules,
ceil_mode included), gradients to the first maximum, finite-difference checks, layers and shape errors."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
import nn.functional as F
from autograd.testing import gradcheck, gradgradcheck

RNG = np.random.default_rng(1)


def t64(a, grad=True):
    return autograd.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def distinct(shape, seed=0):
    """Values a permutation apart: no ties, so max pooling is differentiable at them."""
    return np.random.default_rng(seed).permutation(int(np.prod(shape))).reshape(shape) / 7.0


# -- references ---------------------------------------------------------------------------------------------

def out_len(n, k, s, p, d, ceil):
    span = d * (k - 1) + 1
    o = (n + 2 * p - span + ((s - 1) if ceil else 0)) // s + 1
    if ceil and (o - 1) * s >= n + p:
        o -= 1
    return o


def ref_max_pool2d(x, k, s, p, d=(1, 1), ceil=False):
    """Max over the in-bounds cells of each window (padding never wins); index of the first maximum."""
    n, c, h, w = x.shape
    oh, ow = out_len(h, k[0], s[0], p[0], d[0], ceil), out_len(w, k[1], s[1], p[1], d[1], ceil)
    out = np.full((n, c, oh, ow), -np.inf)
    idx = np.zeros((n, c, oh, ow), dtype=np.int64)
    for a, b, i, j in np.ndindex(n, c, oh, ow):
        for u in range(k[0]):
            for v in range(k[1]):
                r, q = i * s[0] - p[0] + u * d[0], j * s[1] - p[1] + v * d[1]
                if 0 <= r < h and 0 <= q < w and x[a, b, r, q] > out[a, b, i, j]:
                    out[a, b, i, j], idx[a, b, i, j] = x[a, b, r, q], r * w + q
    return out, idx


def ref_avg_pool2d(x, k, s, p, ceil=False, count_include_pad=True, divisor_override=None):
    n, c, h, w = x.shape
    oh, ow = out_len(h, k[0], s[0], p[0], 1, ceil), out_len(w, k[1], s[1], p[1], 1, ceil)
    out = np.zeros((n, c, oh, ow))
    for i, j in np.ndindex(oh, ow):
        h0, w0 = i * s[0] - p[0], j * s[1] - p[1]
        h1, w1 = min(h0 + k[0], h + p[0]), min(w0 + k[1], w + p[1])
        size = (h1 - h0) * (w1 - w0)
        h0, w0, h1, w1 = max(h0, 0), max(w0, 0), min(h1, h), min(w1, w)
        div = divisor_override or (size if count_include_pad else (h1 - h0) * (w1 - w0))
        out[:, :, i, j] = x[:, :, h0:h1, w0:w1].sum(axis=(2, 3)) / div
    return out


def ref_adaptive_avg_pool2d(x, oh, ow):
    n, c, h, w = x.shape
    out = np.zeros((n, c, oh, ow))
    for i, j in np.ndindex(oh, ow):
        h0, h1 = (i * h) // oh, -((-(i + 1) * h) // oh)
        w0, w1 = (j * w) // ow, -((-(j + 1) * w) // ow)
        out[:, :, i, j] = x[:, :, h0:h1, w0:w1].mean(axis=(2, 3))
    return out


# -- max pooling ----------------------------------------------------------------------------------------------

MAX_CASES = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 1), dilation=(2, 1)),
    dict(kernel_size=3, stride=2, ceil_mode=True),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=2, stride=1),
]


def _args(kw):
    k = kw["kernel_size"]
    k = (k, k) if isinstance(k, int) else k
    s = kw.get("stride", k)
    s = (s, s) if isinstance(s, int) else s
    p = kw.get("padding", 0)
    p = (p, p) if isinstance(p, int) else p
    d = kw.get("dilation", 1)
    d = (d, d) if isinstance(d, int) else d
    return k, s, p, d


@pytest.mark.parametrize("kw", MAX_CASES)
def test_max_pool2d_values_indices_and_gradient(kw):
    x = distinct((2, 3, 7, 6))
    k, s, p, d = _args(kw)
    want, want_idx = ref_max_pool2d(x, k, s, p, d, kw.get("ceil_mode", False))
    xt = t64(x)
    out, idx = F.max_pool2d(xt, return_indices=True, **kw)
    np.testing.assert_array_equal(out.detach().numpy(), want)
    np.testing.assert_array_equal(idx.numpy(), want_idx)
    g = RNG.standard_normal(want.shape)
    out.backward(autograd.tensor(g))
    gx = np.zeros(x.size)
    np.add.at(gx, (np.arange(6)[:, None] * 42 + want_idx.reshape(6, -1)).ravel(), g.reshape(6, -1).ravel())
    np.testing.assert_allclose(xt.grad.numpy(), gx.reshape(x.shape), rtol=1e-12)


@settings(max_examples=20, deadline=None)
@given(h=st.integers(2, 7), w=st.integers(2, 7), k=st.integers(1, 3), s=st.integers(1, 3), p=st.integers(0, 1),
       ceil=st.booleans())
def test_max_pool2d_random_geometry(h, w, k, s, p, ceil):
    if p > k // 2 or h + 2 * p < k or w + 2 * p < k:
        return
    x = distinct((1, 2, h, w), h * w)
    got = F.max_pool2d(t64(x, False), k, s, p, ceil_mode=ceil).numpy()
    np.testing.assert_array_equal(got, ref_max_pool2d(x, (k, k), (s, s), (p, p), (1, 1), ceil)[0])


def test_max_pool_ties_send_the_gradient_to_the_first_maximum():
    x = t64(np.array([[[[1.0, 1.0, 0.0, 0.0], [1.0, 0.5, 0.0, 0.0]]]]))
    F.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[[[1, 0, 1, 0], [0, 0, 0, 0]]]])
    y = t64(np.array([[[2.0, 2.0, 2.0]]]))
    F.max_pool1d(y, 2, 1).sum().backward()  # overlapping windows: each picks its first maximum
    np.testing.assert_array_equal(y.grad.numpy(), [[[1, 1, 0]]])


def test_max_pool_propagates_nan():
    x = autograd.tensor([[[[1.0, np.nan], [0.0, 2.0]]]], requires_grad=True)
    out = F.max_pool2d(x, 2)
    assert np.isnan(out.detach().numpy()).all()
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[[[0, 1], [0, 0]]]])


def test_max_pool_gradients_of_gradients():
    x = t64(distinct((1, 2, 5, 4)))
    f = lambda t: F.max_pool2d(t, 3, 2, 1) * 1.5  # noqa: E731
    assert gradcheck(f, (x,)) and gradgradcheck(f, (x,))


def test_max_pool1d_matches_2d():
    x = distinct((2, 3, 9))
    got, idx = F.max_pool1d(t64(x, False), 3, 2, 1, return_indices=True)
    want, want_idx = ref_max_pool2d(x[:, :, None, :], (1, 3), (1, 2), (0, 1))
    np.testing.assert_array_equal(got.numpy(), want[:, :, 0])
    np.testing.assert_array_equal(idx.numpy(), want_idx[:, :, 0])


def test_unbatched_max_pool():
    x = distinct((3, 4, 4))
    out, idx = F.max_pool2d(t64(x, False), 2, return_indices=True)
    want, want_idx = ref_max_pool2d(x[None], (2, 2), (2, 2), (0, 0))
    assert out.shape == (3, 2, 2)
    np.testing.assert_array_equal(out.numpy(), want[0])
    np.testing.assert_array_equal(idx.numpy(), want_idx[0])


# -- average pooling --------------------------------------------------------------------------------------------

AVG_CASES = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    dict(kernel_size=(3, 2), stride=2, ceil_mode=True, divisor_override=5),
    dict(kernel_size=2, stride=1),
]


@pytest.mark.parametrize("kw", AVG_CASES)
def test_avg_pool2d_matches_reference_and_gradients(kw):
    x = RNG.standard_normal((2, 2, 7, 6))
    k, s, p, _ = _args(kw)
    want = ref_avg_pool2d(x, k, s, p, kw.get("ceil_mode", False), kw.get("count_include_pad", True),
                          kw.get("divisor_override"))
    np.testing.assert_allclose(F.avg_pool2d(t64(x, False), **kw).numpy(), want, rtol=1e-12, atol=1e-14)
    small = t64(x[:1, :1, :5, :5])
    f = lambda t: F.avg_pool2d(t, **kw)  # noqa: E731
    assert gradcheck(f, (small,)) and gradgradcheck(f, (small,))


def test_avg_pool1d():
    x = RNG.standard_normal((2, 3, 8))
    got = F.avg_pool1d(t64(x, False), 3, 2, 1, count_include_pad=False).numpy()
    want = ref_avg_pool2d(x[:, :, None, :], (1, 3), (1, 2), (0, 1), count_include_pad=False)[:, :, 0]
    np.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize("size", [3, (4, None), (7, 3), 1, (2, 5)])
def test_adaptive_avg_pool2d(size):
    x = RNG.standard_normal((2, 3, 7, 6))
    oh, ow = (size, size) if isinstance(size, int) else (size[0], size[1] or 6)
    got = F.adaptive_avg_pool2d(t64(x, False), size)
    np.testing.assert_allclose(got.numpy(), ref_adaptive_avg_pool2d(x, oh, ow), rtol=1e-12, atol=1e-14)
    small = t64(x[:1, :2, :5, :4])
    f = lambda t: F.adaptive_avg_pool2d(t, size if isinstance(size, int) else (3, 3))  # noqa: E731
    assert gradcheck(f, (small,)) and gradgradcheck(f, (small,))


def test_adaptive_avg_pool1d():
    x = RNG.standard_normal((2, 3, 7))
    got = F.adaptive_avg_pool1d(t64(x, False), 3).numpy()
    np.testing.assert_allclose(got, ref_adaptive_avg_pool2d(x[:, :, None, :], 1, 3)[:, :, 0], rtol=1e-12)


# -- layers and errors --------------------------------------------------------------------------------------------

def test_pooling_layers_repr_and_empty_state():
    layers = {
        "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)": nn.MaxPool2d(2),
        "MaxPool1d(kernel_size=3, stride=1, padding=1, dilation=1, ceil_mode=False)": nn.MaxPool1d(3, 1, 1),
        "AvgPool2d(kernel_size=2, stride=2, padding=0)": nn.AvgPool2d(2),
        "AvgPool1d(kernel_size=(2,), stride=(2,), padding=(0,))": nn.AvgPool1d(2),
        "AdaptiveAvgPool2d(output_size=(3, None))": nn.AdaptiveAvgPool2d((3, None)),
        "AdaptiveAvgPool1d(output_size=4)": nn.AdaptiveAvgPool1d(4),
    }
    for text, layer in layers.items():
        assert repr(layer) == text
        assert layer.state_dict() == {} and list(layer.parameters()) == []


def test_pooling_layers_compute_the_functional_forms():
    x = autograd.tensor(distinct((2, 3, 8, 8)))
    np.testing.assert_array_equal(nn.MaxPool2d(3, 2, 1)(x).numpy(), F.max_pool2d(x, 3, 2, 1).numpy())
    out, idx = nn.MaxPool2d(2, return_indices=True)(x)
    assert out.shape == idx.shape == (2, 3, 4, 4)
    np.testing.assert_allclose(nn.AvgPool2d(2, ceil_mode=True)(x).numpy(), F.avg_pool2d(x, 2, ceil_mode=True).numpy())
    np.testing.assert_allclose(nn.AdaptiveAvgPool2d(1)(x).numpy(), x.numpy().mean(axis=(2, 3), keepdims=True),
                               rtol=1e-6)


@pytest.mark.parametrize("call,match", [
    (lambda: F.max_pool2d(autograd.zeros(1, 1, 4, 4), 2, padding=2), r"max_pool2d: padding should be at most half"),
    (lambda: F.avg_pool2d(autograd.zeros(1, 1, 4, 4), 3, padding=2), r"avg_pool2d: padding should be at most half"),
    (lambda: F.max_pool2d(autograd.zeros(1, 1, 2, 2), 3), r"max_pool2d: input \(1, 1, 2, 2\) is too small"),
    (lambda: F.max_pool2d(autograd.zeros(4, 4), 2), r"max_pool2d: expected input of shape \(N, C, H, W\)"),
    (lambda: F.adaptive_avg_pool2d(autograd.zeros(1, 1, 4, 4), (2, 2, 2)), r"output_size must be an int or a tuple"),
    (lambda: F.max_pool2d(autograd.zeros(1, 1, 4, 4), 0), r"must be positive"),
])
def test_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()
