"""Winograd F(2x2, 2x2) convolutions (autograd/ops/winograd.py): the three products against im2col's in float64
over paddings, odd sizes and batch sizes; conv2d and conv_transpose2d through it with first and second
derivatives checked by finite differences; float32 against float64 on a DCGAN-sized layer; and which
convolutions take the path."""
from __future__ import annotations

import numpy as np
import pytest

import autograd
import autograd.ops.conv as C
import autograd.ops.winograd as W
import nn.functional as F
from autograd.testing import gradcheck, gradgradcheck

RNG = np.random.default_rng(7)

# (in size, padding) per dimension: even and odd sizes, symmetric and lopsided padding, 0 to 3 cells
GEOMETRIES = [((8, 8), ((1, 1), (1, 1))), ((7, 9), ((1, 1), (1, 1))), ((6, 5), ((0, 0), (2, 1))),
              ((9, 10), ((3, 0), (0, 3))), ((4, 4), ((1, 1), (1, 1))), ((5, 6), ((2, 2), (1, 0))),
              ((4, 4), ((0, 0), (0, 0))), ((11, 4), ((0, 3), (3, 3)))]


def _geometry(size, pads):
    out = tuple((n + lo + hi - 4) // 2 + 1 for n, (lo, hi) in zip(size, pads))
    return C.Geometry((4, 4), (2, 2), pads, (1, 1), 1, size, out)


def _direct(x, w, g, geo):
    """Forward, input gradient and weight gradient by im2col's products."""
    n, o = x.shape[0], w.shape[0]
    cols = C.im2col(x, geo)
    y = np.matmul(w.reshape(1, o, -1), cols).reshape((o, n) + geo.out_size).transpose(1, 0, 2, 3)
    gt = C._batch_last(g, geo)
    gx = C.col2im(np.matmul(w.reshape(1, o, -1).swapaxes(-1, -2), gt), geo, x.shape)
    gw = np.matmul(gt, cols.swapaxes(-1, -2)).reshape(w.shape)
    return y, gx, gw


@pytest.mark.parametrize("size,pads", GEOMETRIES)
@pytest.mark.parametrize("n,c,o", [(1, 3, 2), (2, 5, 4)])
def test_the_three_products_match_im2col(size, pads, n, c, o):
    geo = _geometry(size, pads)
    x = RNG.standard_normal((n, c) + size)
    w = RNG.standard_normal((o, c, 4, 4))
    g = RNG.standard_normal((n, o) + geo.out_size)
    y, v = W.conv(x, w, geo)
    got = (y, W.conv_transpose(g, w, geo, x.shape), W.weight_grad(x, g, geo, w.shape))
    for a, b in zip(got, _direct(x, w, g, geo)):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    # the kept transforms give the same products as fresh ones
    np.testing.assert_allclose(W.conv(x, w, geo, v)[0], y, rtol=0, atol=0)
    np.testing.assert_allclose(W.weight_grad(x, g, geo, w.shape, v, W.grad_transform(g, geo)), got[2], rtol=0, atol=0)


@pytest.fixture
def small_channels(monkeypatch):
    """Let convolutions of a few channels take the Winograd path, so finite differences stay cheap."""
    monkeypatch.setattr(W, "MIN_CHANNELS", 1)


def _taken(monkeypatch):
    calls = []
    real = W.conv, W.conv_transpose, W.weight_grad

    def spy(i):
        def f(*a, **k):
            calls.append(i)
            return real[i](*a, **k)
        return f
    for i, name in enumerate(("conv", "conv_transpose", "weight_grad")):
        monkeypatch.setattr(W, name, spy(i))
    return calls


@pytest.mark.parametrize("size,padding", [((6, 6), 1), ((7, 5), (2, 0)), ((9, 8), (0, 3))])
def test_conv2d_gradients_through_winograd(small_channels, monkeypatch, size, padding):
    calls = _taken(monkeypatch)
    x = autograd.tensor(RNG.standard_normal((2, 3) + size), requires_grad=True)
    w = autograd.tensor(RNG.standard_normal((2, 3, 4, 4)), requires_grad=True)
    b = autograd.tensor(RNG.standard_normal(2), requires_grad=True)
    f = lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=padding)  # noqa: E731
    assert gradcheck(f, (x, w, b)) and gradgradcheck(f, (x, w, b))
    assert {0, 1, 2} <= set(calls)  # forward, input gradient and weight gradient all ran by Winograd


@pytest.mark.parametrize("size,padding,output_padding", [((3, 3), 1, 0), ((4, 3), 1, 1), ((3, 4), 0, 1)])
def test_conv_transpose2d_gradients_through_winograd(small_channels, monkeypatch, size, padding, output_padding):
    calls = _taken(monkeypatch)
    x = autograd.tensor(RNG.standard_normal((2, 3) + size), requires_grad=True)
    w = autograd.tensor(RNG.standard_normal((3, 2, 4, 4)), requires_grad=True)
    f = lambda x, w: F.conv_transpose2d(x, w, stride=2, padding=padding, output_padding=output_padding)  # noqa: E731
    assert gradcheck(f, (x, w)) and gradgradcheck(f, (x, w))
    assert {0, 1, 2} <= set(calls)


def test_winograd_and_direct_agree_through_the_layers(small_channels, monkeypatch):
    x = RNG.standard_normal((2, 4, 8, 8))
    w, wt = RNG.standard_normal((6, 4, 4, 4)), RNG.standard_normal((4, 5, 4, 4))

    def run():
        xs = autograd.tensor(x, requires_grad=True)
        ws, wts = autograd.tensor(w, requires_grad=True), autograd.tensor(wt, requires_grad=True)
        y = F.conv_transpose2d(F.conv2d(xs, ws, stride=2, padding=1)[:, :4], wts, stride=2, padding=1)
        (y * y).sum().backward()
        return [t.numpy() for t in (y.detach(), xs.grad, ws.grad, wts.grad)]
    fast = run()
    monkeypatch.setattr(W, "MIN_CHANNELS", 10 ** 9)
    for a, b in zip(fast, run()):
        np.testing.assert_allclose(a, b, rtol=1e-11, atol=1e-11)


def test_float32_accuracy_on_a_dcgan_layer():
    # DCGAN's discriminator layer 2 at batch 2: 64 -> 128 channels, 32x32 -> 16x16
    geo = _geometry((32, 32), ((1, 1), (1, 1)))
    x = RNG.standard_normal((2, 64, 32, 32))
    w = RNG.standard_normal((128, 64, 4, 4)) * 0.02
    g = RNG.standard_normal((2, 128, 16, 16))
    assert W.fits(geo, 2, 64, 128, np.dtype(np.float32))
    want = _direct(x, w, g, geo)
    f32 = [a.astype(np.float32) for a in (x, w, g)]
    got = (W.conv(f32[0], f32[1], geo)[0], W.conv_transpose(f32[2], f32[1], geo, x.shape),
           W.weight_grad(f32[0], f32[2], geo, w.shape))
    for a, b in zip(got, want):
        assert a.dtype == np.float32
        # relative to the result's scale: a few float32 ulps of sums of 1,024 to 8,192 terms
        assert np.abs(a - b).max() <= 2e-6 * np.abs(b).max()


@pytest.mark.parametrize("kw,takes", [
    ({}, True),
    ({"kernel": (3, 3)}, False), ({"stride": (1, 1)}, False), ({"dilation": (2, 2)}, False),
    ({"groups": 2}, False), ({"dtype": np.float16}, False), ({"c": 3}, False), ({"o": 32}, False),
    ({"size": (8, 8), "c": 256, "o": 512}, False),  # 2x2 tiles of 16 samples: the weights outweigh the data
    ({"size": (16, 16), "c": 128, "o": 256}, True),
])
def test_which_convolutions_take_the_path(kw, takes):
    size = kw.get("size", (32, 32))
    kernel, stride, dilation = kw.get("kernel", (4, 4)), kw.get("stride", (2, 2)), kw.get("dilation", (1, 1))
    out = tuple((s + 2 - dilation[0] * (kernel[0] - 1) - 1) // stride[0] + 1 for s in size)
    geo = C.Geometry(kernel, stride, ((1, 1), (1, 1)), dilation, kw.get("groups", 1), size, out)
    assert W.fits(geo, 16, kw.get("c", 64), kw.get("o", 128),
                  np.dtype(kw.get("dtype", np.float32))) is takes
