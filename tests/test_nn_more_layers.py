"""The layers added for PyTorch programs: activations, PReLU/GLU/Softmax2d, PixelShuffle, Upsample/interpolate,
channel dropout, InstanceNorm, BatchNorm3d, CosineSimilarity/PairwiseDistance/TripletMarginLoss.

Forwards against NumPy written here (loops where the layer rearranges), gradients against finite differences
in float64, state_dict keys and reprs as PyTorch's.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd.testing import gradcheck, gradgradcheck
from nn.functional import activation as A
from nn.functional import cosine_similarity, pairwise_distance, triplet_margin_loss
from nn.functional import instance_norm
from nn.functional import pixel_shuffle, pixel_unshuffle
from nn.functional import interpolate


@pytest.fixture(autouse=True)
def _seeded():
    autograd.manual_seed(0)


def t64(a, grad=False):
    return autograd.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def rand(*shape, seed=0, grad=True, scale=1.0):
    return t64(np.random.default_rng(seed).standard_normal(shape) * scale, grad)


def close(got, want, tol=1e-12):
    np.testing.assert_allclose(np.asarray(got.detach().numpy()), want, rtol=tol, atol=tol)


# -- pointwise activations ----------------------------------------------------------------------------------

def _sig(x):
    return 1 / (1 + np.exp(-x))


ALPHA, SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
POINTWISE = {
    "LogSigmoid": (nn.LogSigmoid(), lambda x: -np.logaddexp(0, -x)),
    "Softsign": (nn.Softsign(), lambda x: x / (1 + np.abs(x))),
    "Tanhshrink": (nn.Tanhshrink(), lambda x: x - np.tanh(x)),
    "Mish": (nn.Mish(), lambda x: x * np.tanh(np.logaddexp(0, x))),
    "Hardswish": (nn.Hardswish(), lambda x: x * np.clip(x + 3, 0, 6) / 6),
    "Hardsigmoid": (nn.Hardsigmoid(), lambda x: np.clip(x + 3, 0, 6) / 6),
    "SELU": (nn.SELU(), lambda x: SCALE * np.where(x > 0, x, ALPHA * np.expm1(np.minimum(x, 0)))),
    "CELU": (nn.CELU(0.7), lambda x: np.where(x > 0, x, 0.7 * np.expm1(np.minimum(x, 0) / 0.7))),
    "Threshold": (nn.Threshold(0.3, -2.0), lambda x: np.where(x > 0.3, x, -2.0)),
    "Hardshrink": (nn.Hardshrink(0.4), lambda x: np.where(np.abs(x) > 0.4, x, 0.0)),
    "Softshrink": (nn.Softshrink(0.4), lambda x: np.sign(x) * np.maximum(np.abs(x) - 0.4, 0)),
}


@pytest.mark.parametrize("name", sorted(POINTWISE))
def test_pointwise_forward_and_gradient(name):
    module, ref = POINTWISE[name]
    x = rand(4, 5, seed=3, scale=3.0)
    close(module(x), ref(x.detach().numpy()))
    assert gradcheck(module, (x,))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-40, 40), min_size=1, max_size=6))
def test_pointwise_forward_over_a_wide_range(values):
    x = t64(values)
    for name, (module, ref) in POINTWISE.items():
        np.testing.assert_allclose(module(x).numpy(), ref(np.asarray(values)), rtol=1e-12, atol=1e-12, err_msg=name)


def test_logsigmoid_has_no_overflow_and_second_order():
    x = t64([-1000.0, -30.0, 0.0, 30.0, 1000.0])
    close(nn.LogSigmoid()(x), -np.logaddexp(0, -x.numpy()))
    assert gradgradcheck(A.logsigmoid, (rand(6, seed=1),))
    assert gradgradcheck(A.mish, (rand(6, seed=2),))


def test_celu_gradient_is_finite_for_large_inputs():
    x = t64([1000.0, -1000.0], grad=True)
    A.celu(x, 0.5).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 0.0])


def test_inplace_forms_write_into_the_input():
    x = rand(5, seed=4, grad=False)
    want = x.numpy() * np.tanh(np.logaddexp(0, x.numpy()))
    assert nn.Mish(inplace=True)(x) is x
    close(x, want)
    with pytest.raises(RuntimeError, match="leaf"):
        A.hardswish(rand(3), inplace=True)


def test_reprs_match_pytorch():
    assert repr(nn.CELU()) == "CELU(alpha=1.0)"
    assert repr(nn.Threshold(0.1, 20)) == "Threshold(threshold=0.1, value=20)"
    assert repr(nn.Hardshrink()) == "Hardshrink(0.5)"
    assert repr(nn.Softmin(1)) == "Softmin(dim=1)"
    assert repr(nn.GLU()) == "GLU(dim=-1)"
    assert repr(nn.Mish()) == "Mish()" and repr(nn.SELU()) == "SELU()" and repr(nn.Softmax2d()) == "Softmax2d()"


# -- PReLU, GLU, Softmax2d, Softmin ------------------------------------------------------------------------

def test_prelu_parameter_and_per_channel_slopes():
    p = nn.PReLU(3, init=0.1, dtype=autograd.float64)
    assert list(p.state_dict()) == ["weight"] and p.weight.shape == (3,)
    np.testing.assert_array_equal(p.weight.detach().numpy(), [0.1] * 3)
    with autograd.no_grad():
        p.weight.copy_(t64([0.1, 0.2, 0.3]))
    x = rand(2, 3, 4, seed=5)
    xs = x.detach().numpy()
    close(p(x), np.where(xs > 0, xs, np.array([0.1, 0.2, 0.3])[:, None] * xs))
    assert gradcheck(lambda a, w: A.prelu(a, w), (x, t64([0.1, 0.2, 0.3], grad=True)))
    with pytest.raises(ValueError, match="3 entries.*4 channel"):
        p(rand(2, 4))
    one = nn.PReLU().double()
    close(one(t64([-2.0, 2.0])), [-0.5, 2.0])


def test_glu_halves_and_refuses_odd_sizes():
    x = rand(3, 6, seed=6)
    a, b = x.detach().numpy()[:, :3], x.detach().numpy()[:, 3:]
    close(nn.GLU()(x), a * _sig(b))
    close(nn.GLU(0)(rand(4, 2, seed=7)), rand(4, 2, seed=7).detach().numpy()[:2] * _sig(
        rand(4, 2, seed=7).detach().numpy()[2:]))
    assert gradcheck(nn.GLU(), (x,))
    with pytest.raises(ValueError, match="even.*size 5"):
        nn.GLU()(rand(2, 5))


def test_softmax2d_and_softmin():
    x = rand(2, 3, 4, 5, seed=8)
    xs = x.detach().numpy()
    e = np.exp(xs - xs.max(1, keepdims=True))
    close(nn.Softmax2d()(x), e / e.sum(1, keepdims=True))
    close(nn.Softmax2d()(x[0]), (e / e.sum(1, keepdims=True))[0])
    with pytest.raises(ValueError, match="3D .* or 4D"):
        nn.Softmax2d()(rand(3, 4))
    m = np.exp(-xs - (-xs).max(-1, keepdims=True))
    close(nn.Softmin(-1)(x), m / m.sum(-1, keepdims=True))


# -- PixelShuffle -------------------------------------------------------------------------------------------

def ref_pixel_shuffle(x, r):
    n, c, h, w = x.shape
    out = np.zeros((n, c // (r * r), h * r, w * r))
    for ch in range(c // (r * r)):
        for i in range(r):
            for j in range(r):
                out[:, ch, i::r, j::r] = x[:, ch * r * r + i * r + j]
    return out


@pytest.mark.parametrize("r", [1, 2, 3])
def test_pixel_shuffle_against_a_loop_and_back(r):
    x = rand(2, 2 * r * r, 3, 4, seed=r)
    y = nn.PixelShuffle(r)(x)
    close(y, ref_pixel_shuffle(x.detach().numpy(), r))
    close(nn.PixelUnshuffle(r)(y), x.detach().numpy())
    assert gradcheck(lambda a: pixel_shuffle(a, r), (x,))
    assert gradcheck(lambda a: pixel_unshuffle(a, r), (rand(1, 2, 3 * r, 2 * r, seed=9),))


def test_pixel_shuffle_extra_leading_dims_and_errors():
    x = rand(2, 3, 4, 2, 2, seed=10)
    y = pixel_shuffle(x, 2)
    assert y.shape == (2, 3, 1, 4, 4)
    close(y[1], ref_pixel_shuffle(x.detach().numpy()[1], 2))
    assert repr(nn.PixelShuffle(2)) == "PixelShuffle(upscale_factor=2)"
    with pytest.raises(ValueError, match="divisible by upscale_factor squared"):
        pixel_shuffle(rand(1, 3, 2, 2), 2)
    with pytest.raises(ValueError, match="divisible by downscale_factor"):
        pixel_unshuffle(rand(1, 1, 3, 4), 2)
    with pytest.raises(ValueError, match="positive integer"):
        nn.PixelShuffle(0)


# -- Upsample / interpolate ------------------------------------------------------------------------------

def ref_linear_1d(x, n_out, align, scale):
    """Resample the last axis of ``x`` linearly, one output position at a time."""
    n_in = x.shape[-1]
    out = np.zeros(x.shape[:-1] + (n_out,))
    for d in range(n_out):
        if align:
            src = d * (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
        else:
            src = max((d + 0.5) * scale - 0.5, 0.0)
        lo = min(int(math.floor(src)), n_in - 1)
        hi = min(lo + 1, n_in - 1)
        lam = src - lo
        out[..., d] = x[..., lo] * (1 - lam) + x[..., hi] * lam
    return out


def ref_bilinear(x, size, align):
    y = ref_linear_1d(np.swapaxes(x, -1, -2), size[0], align, x.shape[-2] / size[0])
    return ref_linear_1d(np.swapaxes(y, -1, -2), size[1], align, x.shape[-1] / size[1])


def ref_nearest(x, size):
    h, w = x.shape[-2:]
    rows = [min(int(math.floor(d * np.float32(h / size[0]))), h - 1) for d in range(size[0])]
    cols = [min(int(math.floor(d * np.float32(w / size[1]))), w - 1) for d in range(size[1])]
    return x[..., rows, :][..., cols]


@pytest.mark.parametrize("size", [(5, 7), (2, 3), (6, 8), (1, 1), (3, 9)])
@pytest.mark.parametrize("align", [False, True])
def test_bilinear_against_a_per_pixel_reference(size, align):
    x = rand(2, 3, 3, 4, seed=11)
    got = interpolate(x, size=size, mode="bilinear", align_corners=align)
    close(got, ref_bilinear(x.detach().numpy(), size, align))


@pytest.mark.parametrize("size", [(5, 7), (2, 3), (6, 8), (3, 4)])
def test_nearest_against_a_reference(size):
    x = rand(1, 2, 3, 4, seed=12)
    close(interpolate(x, size=size), ref_nearest(x.detach().numpy(), size))


def test_scale_factor_conventions_as_pytorch():
    x = t64(np.arange(12.0).reshape(1, 1, 3, 4))
    # PyTorch 2.13's values for these calls
    close(interpolate(x, scale_factor=1.7), np.array([[0, 0, 1, 1, 2, 2], [0, 0, 1, 1, 2, 2], [4, 4, 5, 5, 6, 6],
                                                     [4, 4, 5, 5, 6, 6], [8, 8, 9, 9, 10, 10]], float)[None, None])
    got = interpolate(x, scale_factor=1.5, mode="bilinear")
    np.testing.assert_allclose(got.numpy()[0, 0, :, 0], [0.0, 2.0, 14 / 3, 22 / 3], rtol=1e-12)
    got = interpolate(x, scale_factor=1.5, mode="bilinear", recompute_scale_factor=True)
    np.testing.assert_allclose(got.numpy()[0, 0, :, 0], [0.0, 2.5, 5.5, 8.0], rtol=1e-12)
    close(nn.Upsample(scale_factor=2, mode="linear")(t64([[[1.0, 2.0]]])), [[[1.0, 1.25, 1.75, 2.0]]])


def test_interpolate_gradients_and_modules():
    x = rand(1, 2, 3, 3, seed=13)
    assert gradcheck(lambda a: interpolate(a, scale_factor=2, mode="bilinear"), (x,))
    assert gradcheck(lambda a: interpolate(a, size=(5, 4), mode="nearest"), (x,))
    assert gradcheck(lambda a: interpolate(a, size=(2, 2), mode="bilinear", align_corners=True), (x,))
    assert gradcheck(lambda a: interpolate(a, size=(3, 2, 5), mode="trilinear"), (rand(1, 1, 2, 2, 3, seed=14),))
    close(nn.UpsamplingBilinear2d(scale_factor=2)(x), ref_bilinear(x.detach().numpy(), (6, 6), True))
    close(nn.UpsamplingNearest2d(size=(6, 6))(x), np.repeat(np.repeat(x.detach().numpy(), 2, 2), 2, 3))
    assert repr(nn.Upsample(scale_factor=2)) == "Upsample(scale_factor=2.0, mode='nearest')"
    assert repr(nn.Upsample(size=(3, 4), mode="bilinear")) == "Upsample(size=(3, 4), mode='bilinear')"
    assert repr(nn.UpsamplingBilinear2d(scale_factor=2)) == "UpsamplingBilinear2d(scale_factor=2.0, mode='bilinear')"


def test_interpolate_errors_name_the_problem():
    x = rand(1, 1, 2, 2)
    with pytest.raises(ValueError, match="only one of size or scale_factor"):
        interpolate(x, size=3, scale_factor=2)
    with pytest.raises(ValueError, match="either size or scale_factor"):
        interpolate(x)
    with pytest.raises(ValueError, match="align_corners"):
        interpolate(x, scale_factor=2, align_corners=True)
    with pytest.raises(ValueError, match="'linear' expects a 3D"):
        interpolate(x, scale_factor=2, mode="linear")
    with pytest.raises(NotImplementedError, match="adaptive_avg_pool"):
        interpolate(x, scale_factor=0.5, mode="area")
    with pytest.raises(ValueError, match="one entry per spatial dimension"):
        interpolate(x, size=(2, 2, 2))


# -- channel dropout --------------------------------------------------------------------------------------

@pytest.mark.parametrize("cls, shape", [(nn.Dropout1d, (40, 6, 5)), (nn.Dropout1d, (60, 5)),
                                        (nn.Dropout2d, (30, 6, 3, 4)), (nn.Dropout3d, (20, 4, 2, 3, 2))])
def test_channel_dropout_drops_whole_channels(cls, shape):
    x = autograd.ones(*shape, dtype=autograd.float64)
    y = cls(0.25)(x).numpy()
    lead = 2 if len(shape) in (3, 4, 5) and not (cls is nn.Dropout1d and len(shape) == 2) else 1
    per_channel = y.reshape(shape[:lead] + (-1,))
    assert set(np.unique(per_channel)) <= {0.0, 1 / 0.75}
    assert (per_channel.min(-1) == per_channel.max(-1)).all()  # each channel all kept or all dropped
    kept = (per_channel[..., 0] > 0).mean()
    assert 0.55 < kept < 0.95
    m = cls(0.25).eval()
    assert m(x) is x


def test_channel_dropout_gradient_is_the_mask_and_errors():
    x = rand(8, 4, 3, seed=15)
    y = nn.Dropout1d(0.5)(x)
    y.sum().backward()
    mask = y.detach().numpy() / x.detach().numpy()
    np.testing.assert_allclose(x.grad.numpy(), mask, rtol=1e-12)
    with pytest.raises(RuntimeError, match="2D .* or 3D"):
        nn.Dropout1d()(rand(2, 3, 4, 5))
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        nn.Dropout2d()(rand(2, 3, 4))
    assert any("(N, C, L)" in str(w.message) for w in seen)
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout2d(1.5)
    assert repr(nn.Dropout2d(0.3)) == "Dropout2d(p=0.3, inplace=False)"


# -- InstanceNorm ------------------------------------------------------------------------------------------

def ref_instance_norm(x, eps=1e-5):
    axes = tuple(range(2, x.ndim))
    return (x - x.mean(axes, keepdims=True)) / np.sqrt(x.var(axes, keepdims=True) + eps)


@pytest.mark.parametrize("cls, shape", [(nn.InstanceNorm1d, (3, 4, 5)), (nn.InstanceNorm2d, (2, 3, 4, 5)),
                                        (nn.InstanceNorm3d, (2, 2, 3, 2, 3))])
def test_instance_norm_forward_affine_and_gradient(cls, shape):
    x = rand(*shape, seed=16)
    close(cls(shape[1]).double()(x), ref_instance_norm(x.detach().numpy()))
    m = cls(shape[1], affine=True).double()
    with autograd.no_grad():
        m.weight.copy_(t64(np.arange(1.0, shape[1] + 1)))
        m.bias.copy_(t64(np.arange(shape[1]) * 0.5))
    extra = (1,) * (len(shape) - 2)
    want = ref_instance_norm(x.detach().numpy()) * np.arange(1.0, shape[1] + 1).reshape(-1, *extra) + \
        (np.arange(shape[1]) * 0.5).reshape(-1, *extra)
    close(m(x), want)
    close(m(x[0]), want[0])  # unbatched
    assert gradcheck(lambda a: instance_norm(a, eps=1e-5), (rand(*shape, seed=17),))


def test_instance_norm_running_statistics_as_pytorch():
    m = nn.InstanceNorm1d(3, track_running_stats=True, affine=True).double()
    assert sorted(m.state_dict()) == ["bias", "num_batches_tracked", "running_mean", "running_var", "weight"]
    assert sorted(nn.InstanceNorm1d(3).state_dict()) == []
    x = rand(4, 3, 5, seed=18, grad=False)
    xs = x.numpy()
    m(x)
    close(m.running_mean, 0.1 * xs.mean(2).mean(0))
    close(m.running_var, 0.9 + 0.1 * xs.var(2, ddof=1).mean(0))
    assert int(m.num_batches_tracked.item()) == 0  # PyTorch's instance norm does not count batches
    m.eval()
    rm, rv = m.running_mean.numpy()[None, :, None], m.running_var.numpy()[None, :, None]
    close(m(x), (xs - rm) / np.sqrt(rv + 1e-5))
    assert repr(nn.InstanceNorm2d(4)) == ("InstanceNorm2d(4, eps=1e-05, momentum=0.1, affine=False, bias=False, "
                                          "track_running_stats=False)")
    with pytest.raises(ValueError, match="2D .* or 3D"):
        nn.InstanceNorm1d(3)(rand(2, 3, 4, 5))
    with pytest.raises(ValueError, match="expected 3 channels"):
        m(rand(2, 4, 5))


def test_batchnorm3d_against_numpy():
    bn = nn.BatchNorm3d(2).double()
    x = rand(3, 2, 2, 3, 2, seed=19, grad=False)
    xs = x.numpy()
    axes = (0, 2, 3, 4)
    close(bn(x), (xs - xs.mean(axes, keepdims=True)) / np.sqrt(xs.var(axes, keepdims=True) + 1e-5), 1e-10)
    close(bn.running_var, 0.9 + 0.1 * xs.var(axes, ddof=1))
    with pytest.raises(ValueError, match="5D input .N, C, D, H, W"):
        bn(rand(2, 2, 3, 3))


# -- distances -------------------------------------------------------------------------------------------

def test_cosine_similarity_and_pairwise_distance_against_numpy():
    a, b = rand(4, 5, seed=20), rand(4, 5, seed=21)
    xa, xb = a.detach().numpy(), b.detach().numpy()
    cos = (xa * xb).sum(1) / np.linalg.norm(xa, axis=1) / np.linalg.norm(xb, axis=1)
    close(nn.CosineSimilarity()(a, b), cos)
    close(cosine_similarity(a, b[0], dim=-1), (xa * xb[0]).sum(1) / np.linalg.norm(xa, axis=1)
          / np.linalg.norm(xb[0]))
    assert gradcheck(cosine_similarity, (a, b))
    zero = cosine_similarity(t64(np.zeros((1, 3))), t64([[1.0, 2.0, 3.0]]))
    close(zero, [0.0])
    close(nn.PairwiseDistance()(a, b), np.linalg.norm(xa - xb + 1e-6, axis=1))
    close(pairwise_distance(a, b, p=1.0, keepdim=True), np.abs(xa - xb + 1e-6).sum(1, keepdims=True))
    close(pairwise_distance(a, b, p=3.0), (np.abs(xa - xb + 1e-6) ** 3).sum(1) ** (1 / 3))
    assert gradcheck(pairwise_distance, (a, b))


@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_triplet_margin_loss_against_numpy(swap, reduction):
    a, p, n = rand(6, 3, seed=22), rand(6, 3, seed=23), rand(6, 3, seed=24)
    xa, xp_, xn = (t.detach().numpy() for t in (a, p, n))

    def d(u, v):
        return np.linalg.norm(u - v + 1e-6, axis=1)

    neg = np.minimum(d(xa, xn), d(xp_, xn)) if swap else d(xa, xn)
    loss = np.maximum(d(xa, xp_) - neg + 0.5, 0)
    want = {"mean": loss.mean(), "sum": loss.sum(), "none": loss}[reduction]
    close(nn.TripletMarginLoss(margin=0.5, swap=swap, reduction=reduction)(a, p, n), want)
    assert gradcheck(lambda *t: triplet_margin_loss(*t, margin=0.5, swap=swap, reduction=reduction), (a, p, n))


def test_triplet_margin_loss_errors():
    with pytest.raises(ValueError, match="margin must be greater than 0"):
        nn.TripletMarginLoss(margin=0)
    with pytest.raises(ValueError, match="reduction"):
        triplet_margin_loss(rand(2, 3), rand(2, 3), rand(2, 3), reduction="avg")


# -- import paths -----------------------------------------------------------------------------------------

def test_pytorch_file_names_find_the_new_classes():
    import denpa as torch
    assert torch.nn.modules.pixelshuffle.PixelShuffle is nn.PixelShuffle
    assert torch.nn.modules.upsampling.Upsample is nn.Upsample
    assert torch.nn.modules.instancenorm.InstanceNorm2d is nn.InstanceNorm2d
    assert torch.nn.modules.distance.CosineSimilarity is nn.CosineSimilarity
    assert torch.nn.modules.loss.TripletMarginLoss is nn.TripletMarginLoss
    assert torch.nn.modules.activation.PReLU is nn.PReLU
    assert torch.nn.modules.dropout.Dropout2d is nn.Dropout2d
    assert torch.nn.modules.transformer.TransformerDecoderLayer is nn.TransformerDecoderLayer
    assert torch.nn.modules.batchnorm.BatchNorm3d is nn.BatchNorm3d
    from denpa.nn.modules.upsampling import Upsample
    assert Upsample is nn.Upsample
