"""Winograd F(2x2, 3x3) convolutions (autograd/ops/winograd_3x3.py): the three products against im2col's in
float64 over paddings 0-2, odd and even sizes, one-tile images and batch sizes; conv2d through it with first
and second derivatives checked by finite differences, and against the im2col path through a small network;
float32 against float64 on a ResNet-sized layer; and which convolutions take the path."""
from __future__ import annotations

import numpy as np
import pytest

import autograd
import autograd.ops.conv as C
import autograd.ops.winograd_3x3 as W
import nn.functional as F
from autograd.testing import gradcheck, gradgradcheck

RNG = np.random.default_rng(11)

# (in size, padding) per dimension: even and odd outputs, symmetric and lopsided padding, a 3x3 input's one tile
GEOMETRIES = [((8, 8), ((1, 1), (1, 1))), ((7, 9), ((0, 0), (2, 1))), ((5, 6), ((2, 2), (1, 0))),
              ((3, 3), ((0, 0), (0, 0))), ((4, 3), ((0, 1), (2, 0))), ((1, 2), ((1, 1), (2, 2))),
              ((10, 5), ((2, 0), (0, 2)))]


def _geometry(size, pads):
    out = tuple(n + lo + hi - 2 for n, (lo, hi) in zip(size, pads))
    return C.Geometry((3, 3), (1, 1), pads, (1, 1), 1, size, out)


def _by_im2col(x, w, g, geo):
    """Forward, input gradient and weight gradient as im2col's three products."""
    n, o = x.shape[0], w.shape[0]
    cols = C.im2col(x, geo)
    wm = w.reshape(1, o, -1)
    y = np.matmul(wm, cols).reshape((o, n) + geo.out_size).transpose(1, 0, 2, 3)
    gt = C._batch_last(g, geo)
    return y, C.col2im(np.matmul(wm.swapaxes(-1, -2), gt), geo, x.shape), np.matmul(gt, cols.swapaxes(-1, -2)).reshape(w.shape)


@pytest.mark.parametrize("size,pads", GEOMETRIES)
@pytest.mark.parametrize("n,c,o", [(1, 2, 3), (3, 4, 2)])
def test_the_three_products_match_im2col(size, pads, n, c, o):
    geo = _geometry(size, pads)
    x, w = RNG.standard_normal((n, c) + size), RNG.standard_normal((o, c, 3, 3))
    g = RNG.standard_normal((n, o) + geo.out_size)
    y, v = W.conv(x, w, geo)
    gt = W.grad_transform(g, geo)
    got = (y, W.conv_transpose(g, w, geo, x.shape), W.weight_grad(x, g, geo, w.shape))
    for a, b in zip(got, _by_im2col(x, w, g, geo)):
        assert a.shape == b.shape and a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    # what the callers hand back (the kept input transform, a shared gradient transform) changes nothing
    assert np.array_equal(W.conv(x, w, geo, v)[0], y)
    assert np.array_equal(W.conv_transpose(g, w, geo, x.shape, gt), got[1])
    assert np.array_equal(W.weight_grad(x, g, geo, w.shape, v, gt), got[2])


def test_weight_transforms_are_adjoint():
    # <U(w), dU> == <w, U^T(dU)>: the weight gradient's last step is the weight transform's adjoint
    w, du = RNG.standard_normal((5, 3, 3, 3)), RNG.standard_normal((16, 5, 3))
    assert np.isclose(np.vdot(W.weight_transform(w), du), np.vdot(w, W.weight_untransform(du, w.shape)), rtol=1e-12)


@pytest.fixture
def small_channels(monkeypatch):
    """Let convolutions of a few channels take the path, so finite differences stay cheap."""
    monkeypatch.setattr(W, "MIN_CHANNELS", 1)


def _spy(monkeypatch):
    calls = set()
    for name in ("conv", "conv_transpose", "weight_grad"):
        real = getattr(W, name)

        def spy(*a, _real=real, _name=name, **k):
            calls.add(_name)
            return _real(*a, **k)
        monkeypatch.setattr(W, name, spy)
    return calls


@pytest.mark.parametrize("size,padding", [((5, 5), 1), ((6, 4), (2, 0)), ((4, 7), 0)])
def test_conv2d_gradients_through_winograd(small_channels, monkeypatch, size, padding):
    calls = _spy(monkeypatch)
    x = autograd.tensor(RNG.standard_normal((2, 3) + size), requires_grad=True)
    w = autograd.tensor(RNG.standard_normal((2, 3, 3, 3)), requires_grad=True)
    b = autograd.tensor(RNG.standard_normal(2), requires_grad=True)
    f = lambda x, w, b: F.conv2d(x, w, b, padding=padding)  # noqa: E731
    assert gradcheck(f, (x, w, b)) and gradgradcheck(f, (x, w, b))
    assert calls == {"conv", "conv_transpose", "weight_grad"}


def test_conv_transpose2d_gradients_through_winograd(small_channels, monkeypatch):
    # a stride-1 3x3 transposed convolution is the input gradient of a convolution: the same three products
    calls = _spy(monkeypatch)
    x = autograd.tensor(RNG.standard_normal((2, 2, 4, 5)), requires_grad=True)
    w = autograd.tensor(RNG.standard_normal((2, 3, 3, 3)), requires_grad=True)  # the convolution it undoes: 3 -> 2
    f = lambda x, w: F.conv_transpose2d(x, w, padding=1)  # noqa: E731
    assert gradcheck(f, (x, w)) and gradgradcheck(f, (x, w))
    assert calls == {"conv", "conv_transpose", "weight_grad"}


def test_winograd_and_im2col_agree_through_a_small_network(small_channels, monkeypatch):
    x = RNG.standard_normal((3, 4, 9, 9))
    w1, w2 = RNG.standard_normal((6, 4, 3, 3)), RNG.standard_normal((5, 6, 3, 3))

    def run():
        xs = autograd.tensor(x, requires_grad=True)
        a, b = autograd.tensor(w1, requires_grad=True), autograd.tensor(w2, requires_grad=True)
        y = F.conv2d(F.relu(F.conv2d(xs, a, padding=1)), b)
        (y * y).sum().backward()
        return [t.numpy() for t in (y.detach(), xs.grad, a.grad, b.grad)]
    fast = run()
    monkeypatch.setattr(W, "MIN_CHANNELS", 10 ** 9)
    for got, want in zip(fast, run()):
        np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-11)


def test_float32_accuracy_on_a_resnet_layer():
    # a ResNet-style layer at batch 2: 64 -> 64 channels, 16x16, padding 1, PyTorch's default init scale
    geo = _geometry((16, 16), ((1, 1), (1, 1)))
    x = np.abs(RNG.standard_normal((2, 64, 16, 16)))  # after a ReLU
    w = RNG.uniform(-1, 1, (64, 64, 3, 3)) / np.sqrt(64 * 9)
    g = RNG.standard_normal((2, 64, 16, 16))
    assert W.fits(geo, 2, 64, 64, np.dtype(np.float32))
    want = _by_im2col(x, w, g, geo)
    f32 = [a.astype(np.float32) for a in (x, w, g)]
    got = (W.conv(f32[0], f32[1], geo)[0], W.conv_transpose(f32[2], f32[1], geo, x.shape),
           W.weight_grad(f32[0], f32[2], geo, w.shape))
    for a, b in zip(got, want):
        assert a.dtype == np.float32
        # relative to the result's scale: a few float32 ulps of sums of 512 to 576 terms
        assert np.abs(a - b).max() <= 2e-6 * np.abs(b).max()


@pytest.mark.parametrize("kw,takes", [
    ({}, True), ({"o": 16}, True),
    ({"kernel": (5, 5)}, False), ({"stride": (2, 2)}, False), ({"dilation": (2, 2)}, False),
    ({"groups": 2}, False), ({"dtype": np.float16}, False), ({"dtype": np.int64}, False),
    ({"c": 8, "o": 8}, False), ({"c": 1, "o": 32}, False), ({"c": 3, "o": 64}, False),  # a first layer
    ({"c": 32, "o": 64}, False),  # the MNIST CNN's conv2: the wider output side costs more than it saves
    ({"pad": 3}, False),
    ({"n": 1, "size": (8, 8), "pad": 1}, False),  # 16 tiles for a 64 x 64 weight: im2col
    ({"n": 8, "size": (8, 8), "pad": 1, "c": 128, "o": 128}, True),
])
def test_which_convolutions_take_the_path(kw, takes):
    size, kernel = kw.get("size", (26, 26)), kw.get("kernel", (3, 3))
    stride, dilation, pad = kw.get("stride", (1, 1)), kw.get("dilation", (1, 1)), kw.get("pad", 0)
    out = tuple((s + 2 * pad - dilation[0] * (kernel[0] - 1) - 1) // stride[0] + 1 for s in size)
    geo = C.Geometry(kernel, stride, ((pad, pad), (pad, pad)), dilation, kw.get("groups", 1), size, out)
    assert W.fits(geo, kw.get("n", 64), kw.get("c", 64), kw.get("o", 64), np.dtype(kw.get("dtype", np.float32))) is takes


def test_conv2d_dispatches_here_for_a_vgg_layer(monkeypatch):
    calls = _spy(monkeypatch)
    x = autograd.tensor(RNG.standard_normal((2, 32, 16, 16)).astype(np.float32), requires_grad=True)
    conv = autograd.tensor(RNG.standard_normal((32, 32, 3, 3)).astype(np.float32), requires_grad=True)
    F.conv2d(x, conv, padding=1).sum().backward()
    assert calls == {"conv", "conv_transpose", "weight_grad"}
    assert x.grad.dtype == np.float32 and conv.grad.shape == (32, 32, 3, 3)
