"""Convolutions: forward against a loop-over-pixels NumPy reference, gradients (and gradients of gradients)
against finite differences, the layers' parameters, initialisation, repr and state_dict, shape errors, and
the buffer pool the kernels allocate from."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
import nn.functional as F
from autograd.testing import gradcheck, gradgradcheck
from autograd.buffers import BufferPool, _size_class

RNG = np.random.default_rng(0)


def t64(a, grad=True):
    return autograd.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


# -- references: one output cell (or one input cell's scatter) at a time ------------------------------------

def ref_conv(x, w, b=None, stride=1, pad=0, dilation=1, groups=1):
    """Cross-correlation of x (N, C, *S) with w (O, C/groups, *k); pad is per-dim (lo, hi) pairs or an int."""
    nsp = x.ndim - 2
    stride = (stride,) * nsp if isinstance(stride, int) else stride
    dilation = (dilation,) * nsp if isinstance(dilation, int) else dilation
    pad = ((pad, pad),) * nsp if isinstance(pad, int) else pad
    xp = np.pad(x, ((0, 0), (0, 0)) + tuple(pad))
    n, o = x.shape[0], w.shape[0]
    cg, k = w.shape[1], w.shape[2:]
    out_size = tuple((p - d * (kk - 1) - 1) // s + 1 for p, kk, s, d in zip(xp.shape[2:], k, stride, dilation))
    out = np.zeros((n, o) + out_size)
    og = o // groups
    for idx in np.ndindex(*((n, o) + out_size)):
        nn_, oo, pos = idx[0], idx[1], idx[2:]
        g = oo // og
        sl = tuple(slice(p * s, p * s + d * (kk - 1) + 1, d) for p, s, d, kk in zip(pos, stride, dilation, k))
        patch = xp[(nn_, slice(g * cg, (g + 1) * cg)) + sl]
        out[idx] = (patch * w[oo]).sum() + (0.0 if b is None else b[oo])
    return out


def ref_conv_transpose(x, w, b=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Transposed convolution by scattering each input cell times the kernel."""
    nsp = x.ndim - 2
    tup = lambda v: (v,) * nsp if isinstance(v, int) else tuple(v)  # noqa: E731
    stride, padding, output_padding, dilation = map(tup, (stride, padding, output_padding, dilation))
    n, cin = x.shape[:2]
    og, k = w.shape[1], w.shape[2:]
    out_size = tuple((i - 1) * s - 2 * p + d * (kk - 1) + e + 1
                     for i, s, p, d, kk, e in zip(x.shape[2:], stride, padding, dilation, k, output_padding))
    canvas = np.zeros((n, og * groups) + tuple(o + 2 * p for o, p in zip(out_size, padding)))
    cg = cin // groups
    for idx in np.ndindex(*x.shape):
        nn_, c, pos = idx[0], idx[1], idx[2:]
        g = c // cg
        for kpos in np.ndindex(*k):
            at = tuple(p * s + kk * d for p, s, kk, d in zip(pos, stride, kpos, dilation))
            canvas[(nn_, slice(g * og, (g + 1) * og)) + at] += x[idx] * w[(c, slice(None)) + kpos]
    out = canvas[(slice(None), slice(None)) + tuple(slice(p, p + o) for p, o in zip(padding, out_size))]
    return out + (0.0 if b is None else b.reshape((-1,) + (1,) * nsp))


# -- conv2d / conv1d forward ------------------------------------------------------------------------------

CONV2D_CASES = [
    dict(),
    dict(stride=2),
    dict(padding=1),
    dict(padding=(2, 0), stride=(1, 2)),
    dict(dilation=2, padding=2),
    dict(groups=2, padding=1),
    dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2),
]


@pytest.mark.parametrize("kw", CONV2D_CASES)
def test_conv2d_matches_reference(kw):
    x = RNG.standard_normal((2, 4, 7, 6))
    w = RNG.standard_normal((6, 4 // kw.get("groups", 1), 3, 2))
    b = RNG.standard_normal(6)
    got = F.conv2d(t64(x, False), t64(w, False), t64(b, False), **kw).numpy()
    pad = kw.get("padding", 0)
    pad = ((pad, pad), (pad, pad)) if isinstance(pad, int) else tuple((p, p) for p in pad)
    want = ref_conv(x, w, b, kw.get("stride", 1), pad, kw.get("dilation", 1), kw.get("groups", 1))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 2), cg=st.integers(1, 2), og=st.integers(1, 2), groups=st.integers(1, 2),
       h=st.integers(3, 7), w=st.integers(3, 7), kh=st.integers(1, 3), kw=st.integers(1, 3),
       s=st.integers(1, 3), p=st.integers(0, 2), d=st.integers(1, 2))
def test_conv2d_matches_reference_random(n, cg, og, groups, h, w, kh, kw, s, p, d):
    if (h + 2 * p - d * (kh - 1) - 1) < 0 or (w + 2 * p - d * (kw - 1) - 1) < 0:
        return
    rng = np.random.default_rng(h * 100 + w)
    x = rng.standard_normal((n, cg * groups, h, w))
    wt = rng.standard_normal((og * groups, cg, kh, kw))
    got = F.conv2d(t64(x, False), t64(wt, False), None, s, p, d, groups).numpy()
    np.testing.assert_allclose(got, ref_conv(x, wt, None, s, p, d, groups), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("k,d", [(3, 1), (2, 1), (4, 1), (2, 3), (3, 2)])
def test_padding_same_keeps_size_and_pads_extra_on_the_right(k, d):
    x = RNG.standard_normal((1, 2, 6, 5))
    w = RNG.standard_normal((3, 2, k, k))
    got = F.conv2d(t64(x, False), t64(w, False), padding="same", dilation=d).numpy()
    total = d * (k - 1)
    pad = ((total // 2, total - total // 2),) * 2
    assert got.shape == (1, 3, 6, 5)
    np.testing.assert_allclose(got, ref_conv(x, w, None, 1, pad, d), rtol=1e-12, atol=1e-12)
    valid = F.conv2d(t64(x, False), t64(w, False), padding="valid", dilation=d).numpy()
    np.testing.assert_allclose(valid, ref_conv(x, w, None, 1, 0, d), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kw", [dict(), dict(stride=2, padding=1), dict(dilation=2, groups=2), dict(padding="same")])
def test_conv1d_matches_reference(kw):
    x = RNG.standard_normal((2, 4, 9))
    w = RNG.standard_normal((4, 4 // kw.get("groups", 1), 3))
    b = RNG.standard_normal(4)
    got = F.conv1d(t64(x, False), t64(w, False), t64(b, False), **kw).numpy()
    pad = kw.get("padding", 0)
    pad = ((1, 1),) if pad == "same" else ((pad, pad),)
    want = ref_conv(x, w, b, kw.get("stride", 1), pad, kw.get("dilation", 1), kw.get("groups", 1))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_unbatched_input_gives_unbatched_output():
    x = RNG.standard_normal((3, 5, 5))
    w = RNG.standard_normal((2, 3, 3, 3))
    got = F.conv2d(t64(x, False), t64(w, False), padding=1)
    assert got.shape == (2, 5, 5)
    np.testing.assert_allclose(got.numpy(), ref_conv(x[None], w, None, 1, 1)[0], rtol=1e-12)


def test_float32_stays_float32_and_no_grad_records_nothing():
    x = autograd.randn(2, 3, 6, 6)
    conv = nn.Conv2d(3, 4, 3)
    y = conv(x)
    assert y.dtype == np.float32 and y.requires_grad
    with autograd.no_grad():
        z = conv(x)
    assert z.grad_fn is None and not z.requires_grad
    np.testing.assert_allclose(z.numpy(), y.detach().numpy())


# -- conv_transpose ---------------------------------------------------------------------------------------

CONVT_CASES = [
    dict(),
    dict(stride=2),
    dict(stride=2, padding=1, output_padding=1),
    dict(stride=(2, 3), padding=(1, 0), output_padding=(1, 2), groups=2, dilation=(1, 2)),
    dict(dilation=2, padding=1),
]


@pytest.mark.parametrize("kw", CONVT_CASES)
def test_conv_transpose2d_matches_reference(kw):
    x = RNG.standard_normal((2, 4, 3, 4))
    w = RNG.standard_normal((4, 3, 3, 2))
    b = RNG.standard_normal(3 * kw.get("groups", 1))
    got = F.conv_transpose2d(t64(x, False), t64(w, False), t64(b, False), **kw).numpy()
    want = ref_conv_transpose(x, w, b, **kw)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_conv_transpose1d_matches_reference():
    x = RNG.standard_normal((2, 2, 5))
    w = RNG.standard_normal((2, 3, 3))
    got = F.conv_transpose1d(t64(x, False), t64(w, False), stride=2, padding=1, output_padding=1).numpy()
    np.testing.assert_allclose(got, ref_conv_transpose(x, w, stride=2, padding=1, output_padding=1), rtol=1e-12)


def test_conv_transpose_is_the_input_gradient_of_conv():
    x = t64(RNG.standard_normal((2, 4, 7, 7)))
    w = t64(RNG.standard_normal((4, 2, 3, 3)), False)
    g = RNG.standard_normal((2, 4, 3, 3))
    F.conv2d(x, w, stride=2, groups=2).backward(autograd.tensor(g))
    gt = F.conv_transpose2d(t64(g, False), w, stride=2, groups=2)
    np.testing.assert_allclose(x.grad.numpy(), gt.numpy(), rtol=1e-12, atol=1e-12)


# -- gradients --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kw", [dict(), dict(stride=2, padding=1), dict(dilation=(2, 1), padding=(2, 1), groups=2),
                                dict(padding="same", groups=2)])
def test_conv2d_gradients(kw):
    x = t64(RNG.standard_normal((2, 4, 5, 4)))
    w = t64(RNG.standard_normal((4, 4 // kw.get("groups", 1), 3, 2)))
    b = t64(RNG.standard_normal(4))
    f = lambda x, w, b: F.conv2d(x, w, b, **kw)  # noqa: E731
    assert gradcheck(f, (x, w, b))
    assert gradgradcheck(f, (x, w, b))


def test_conv1d_and_transpose_gradients():
    x = t64(RNG.standard_normal((2, 2, 6)))
    w = t64(RNG.standard_normal((4, 1, 3)))
    f = lambda x, w: F.conv1d(x, w, stride=2, padding=2, dilation=2, groups=2)  # noqa: E731
    assert gradcheck(f, (x, w)) and gradgradcheck(f, (x, w))
    x2 = t64(RNG.standard_normal((1, 4, 3, 3)))
    w2 = t64(RNG.standard_normal((4, 1, 3, 2)))
    b2 = t64(RNG.standard_normal(2))
    g = lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1, groups=2)  # noqa: E731
    assert gradcheck(g, (x2, w2, b2)) and gradgradcheck(g, (x2, w2, b2))


def test_retained_graph_backpropagates_twice():
    x = t64(RNG.standard_normal((1, 2, 5, 5)))
    w = t64(RNG.standard_normal((3, 2, 3, 3)))
    y = (F.conv2d(x, w, padding=1) ** 2).sum()
    y.backward(retain_graph=True)
    first = w.grad.numpy().copy()
    y.backward()
    np.testing.assert_allclose(w.grad.numpy(), 2 * first, rtol=1e-12)


def test_only_the_weight_needs_a_gradient():
    x = t64(RNG.standard_normal((2, 1, 6, 6)), False)
    w = t64(RNG.standard_normal((2, 1, 3, 3)))
    F.conv2d(x, w).sum().backward()
    want = np.stack([np.stack([sum(x.numpy()[n, 0, i:i + 4, j:j + 4].sum() for n in range(2))
                               for j in range(3)]) for i in range(3)])
    np.testing.assert_allclose(w.grad.numpy()[0, 0], want, rtol=1e-12)
    np.testing.assert_allclose(w.grad.numpy()[1, 0], want, rtol=1e-12)


# -- errors -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("call,match", [
    (lambda: F.conv2d(autograd.zeros(8, 4, 5, 5), autograd.zeros(2, 3, 3, 3)),
     r"conv2d: expected input of shape \(N, C_in, H, W\) with C_in=3 .* got \(8, 4, 5, 5\)"),
    (lambda: F.conv2d(autograd.zeros(4, 5, 5), autograd.zeros(2, 3, 3)), r"conv2d: expected a weight of 4 dim"),
    (lambda: F.conv2d(autograd.zeros(1, 3, 2, 2), autograd.zeros(2, 3, 3, 3)), r"conv2d: kernel of size \(3, 3\)"),
    (lambda: F.conv2d(autograd.zeros(1, 4, 5, 5), autograd.zeros(3, 2, 3, 3), groups=2), r"not divisible by groups"),
    (lambda: F.conv2d(autograd.zeros(1, 3, 5, 5), autograd.zeros(2, 3, 3, 3), autograd.zeros(3)),
     r"expected a bias of shape \(2,\)"),
    (lambda: F.conv2d(autograd.zeros(1, 3, 5, 5), autograd.zeros(2, 3, 3, 3), padding="full"), r"'valid' or 'same'"),
    (lambda: F.conv2d(autograd.zeros(1, 3, 5, 5), autograd.zeros(2, 3, 3, 3), stride=2, padding="same"),
     r"not supported for strided"),
    (lambda: F.conv1d(autograd.zeros(1, 3, 5), autograd.zeros(2, 3, 3), stride=(1, 2)), r"stride must be an int"),
    (lambda: F.conv_transpose2d(autograd.zeros(1, 2, 3, 3), autograd.zeros(2, 1, 3, 3), stride=2, output_padding=2),
     r"output_padding .* must be smaller"),
])
def test_errors_name_the_op_and_shapes(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_dtype_mismatch_is_an_error():
    with pytest.raises(TypeError, match=r"conv2d: input is float64 but weight is float32"):
        F.conv2d(autograd.zeros(1, 1, 3, 3, dtype=autograd.float64), autograd.zeros(1, 1, 2, 2))


# -- layers -----------------------------------------------------------------------------------------------

def test_conv2d_layer_parameters_init_and_repr():
    conv = nn.Conv2d(1, 16, 3, padding=1)
    assert repr(conv) == "Conv2d(1, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"
    assert conv.weight.shape == (16, 1, 3, 3) and conv.bias.shape == (16,)
    bound = 1 / math.sqrt(1 * 3 * 3)  # kaiming_uniform_(a=sqrt(5)) and the bias both give U(-1/sqrt(fan_in), ...)
    for p in (conv.weight, conv.bias):
        assert np.abs(p.detach().numpy()).max() <= bound and np.abs(p.detach().numpy()).max() > bound / 2
    big = nn.Conv2d(64, 8, 3)
    assert abs(big.weight.detach().numpy().std() - 1 / math.sqrt(3 * 64 * 9)) < 0.01
    assert repr(nn.Conv2d(4, 8, (3, 5), stride=2, dilation=2, groups=4, bias=False,
                          padding_mode="zeros")) == \
        "Conv2d(4, 8, kernel_size=(3, 5), stride=(2, 2), dilation=(2, 2), groups=4, bias=False)"
    assert repr(nn.Conv2d(2, 2, 3, padding="same", padding_mode="reflect")) == \
        "Conv2d(2, 2, kernel_size=(3, 3), stride=(1, 1), padding=same, padding_mode=reflect)"
    assert repr(nn.Conv1d(2, 4, 3)) == "Conv1d(2, 4, kernel_size=(3,), stride=(1,))"
    assert repr(nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1)) == \
        "ConvTranspose2d(16, 8, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1))"
    assert nn.ConvTranspose2d(4, 6, 3, groups=2).weight.shape == (4, 3, 3, 3)


@pytest.mark.parametrize("make,shape", [
    (lambda: nn.Conv1d(2, 3, 3, padding=1), (2, 2, 7)),
    (lambda: nn.Conv2d(2, 4, 3, stride=2, groups=2), (2, 2, 7, 7)),
    (lambda: nn.Conv2d(2, 3, 2, bias=False), (1, 2, 4, 4)),
    (lambda: nn.ConvTranspose2d(2, 3, 3, stride=2), (1, 2, 3, 3)),
    (lambda: nn.ConvTranspose1d(2, 3, 3), (1, 2, 4)),
])
def test_layer_state_dict_round_trip(make, shape):
    a, b = make(), make()
    keys = ["weight"] + (["bias"] if a.bias is not None else [])
    assert list(a.state_dict()) == keys
    b.load_state_dict(a.state_dict())
    x = autograd.randn(*shape)
    np.testing.assert_array_equal(a(x).detach().numpy(), b(x).detach().numpy())


@pytest.mark.parametrize("mode,np_mode", [("reflect", "reflect"), ("replicate", "edge"), ("circular", "wrap")])
def test_padding_modes(mode, np_mode):
    conv = nn.Conv2d(2, 3, 3, padding=(1, 2), padding_mode=mode).double()
    x = RNG.standard_normal((1, 2, 5, 6))
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (2, 2)), mode=np_mode)
    want = ref_conv(padded, conv.weight.detach().numpy(), conv.bias.detach().numpy())
    np.testing.assert_allclose(conv(t64(x, False)).detach().numpy(), want, rtol=1e-12, atol=1e-12)


def test_conv_transpose_output_size():
    up = nn.ConvTranspose2d(2, 2, 3, stride=2, padding=1)
    x = autograd.randn(1, 2, 4, 4)
    assert up(x).shape == (1, 2, 7, 7)
    assert up(x, output_size=(8, 8)).shape == (1, 2, 8, 8)
    with pytest.raises(ValueError, match="between 7 and 8"):
        up(x, output_size=(9, 9))


def test_layer_argument_errors():
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="padding_mode"):
        nn.Conv2d(3, 4, 3, padding_mode="mirror")


# -- the buffer pool ----------------------------------------------------------------------------------------

def test_buffer_pool_never_hands_out_a_buffer_in_use():
    pool = BufferPool()
    a = pool.empty(np, (300, 300), np.float32)
    b = pool.empty(np, (300, 300), np.float32)
    assert a is not b
    view = a[1:]
    del a
    c = pool.empty(np, (300, 300), np.float32)
    assert c is not view.base and c is not b  # a view keeps its base in use
    del view, c
    d = pool.empty(np, (300, 300), np.float32)
    assert d.shape == (300, 300) and len(pool._arrays()[_size_class(300 * 300 * 4)]) == 3  # reused, not grown
    small = pool.empty(np, (3,), np.float32)
    assert pool.nbytes() == 3 * _size_class(300 * 300 * 4) and small.shape == (3,)  # small arrays are not pooled
    pool.clear()
    assert pool.nbytes() == 0


def test_buffer_pool_drops_the_oldest_shapes_beyond_its_cap():
    pool = BufferPool()
    pool.max_bytes = 3 * (1 << 18)
    for n in range(5):
        pool.empty(np, (1 << 16, n + 1), np.float32)
    assert pool.nbytes() <= pool.max_bytes or len(pool._arrays()) == 1
