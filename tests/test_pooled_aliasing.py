"""The pooled op results (autograd/buffers.py) and the Winograd F(2x2, 3x3) path (autograd/ops/winograd_3x3.py)
probed for silent wrong results and aliasing.

The first group pin down three bugs the pool had when it was written (big-endian dtypes kept in the result,
GELU's gradient overflowing through a doubled intermediate, F-ordered inputs giving C-ordered results): each
fails on that version and passes on the one before it. The others probe a risk that held; each fails if the
aliasing or value bug it names exists (checked by breaking BufferPool._free and BufferPool.private)."""
from __future__ import annotations

import math
import threading

import numpy as np
import pytest

import autograd
import autograd.ops.winograd_3x3 as W3
import nn
import nn.functional as F
import optim
from autograd.buffers import buffers

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the NumPy references' inf/NaN

BIG = (256, 300)  # 300 KB in float32: over the pool's min_bytes (256 KB)


def _rng(seed=0):
    return np.random.default_rng(seed)


def _arr(shape=BIG, dtype=np.float32, seed=0):
    return _rng(seed).standard_normal(shape).astype(dtype)


def _pooled(a):
    base = a.base
    while base is not None and base.base is not None:
        base = base.base
    return base is not None and base.dtype == np.uint8


# --------------------------------------------------------------------------------------------------------------
# the bugs the first version of the pool had (regressions)
# --------------------------------------------------------------------------------------------------------------

_BE_OPS = {
    "mul_scalar (BufferPool.binary)": lambda t: t * 2.0,
    "add (BufferPool.binary)": lambda t: t + t,
    "exp (BufferPool.unary)": lambda t: t.exp(),
    "matmul (BufferPool.product)": lambda t: t @ t.T,
    "relu (binary np.maximum)": F.relu,
}


# Regression (found in review of 8793329, fixed in the working tree since):
# buffers.BufferPool.binary/unary/product allocate out= with the INPUT's dtype; for a non-native byte order
# ('>f4', e.g. data read from a big-endian file) NumPy's own ufunc/matmul result is native float32, but the pooled
# result stays '>f4': large results get dtype '>f4' (!= autograd.float32), small ones float32, tobytes() is byte-
# swapped and __dlpack__ raises BufferError. Fix: pool only dt.isnative dtypes (or allocate dt.newbyteorder('=')).
@pytest.mark.parametrize("name", list(_BE_OPS))
def test_big_endian_inputs_give_native_results_as_numpy(name):
    a = _arr().astype(">f4")
    t = autograd.tensor(a)
    got = _BE_OPS[name](t)
    small = _BE_OPS[name](autograd.tensor(a[:4, :4]))
    assert small.dtype == np.float32  # NumPy's (and the base commit's) result: native byte order
    assert got.dtype == np.float32 and got.dtype.isnative


# Regression (found in review of 8793329, fixed in the working tree since): a large result of a big-endian input
# is '>f4', which DLPack cannot export: autograd.from_dlpack(t * 2.0) raises BufferError (it worked at the base
# commit)
def test_big_endian_result_exports_through_dlpack():
    t = autograd.tensor(_arr().astype(">f4")) * 2.0
    assert autograd.from_dlpack(t).dtype == np.float32


# Regression (found in review of 8793329, fixed in the working tree since): autograd/ops/elementwise.py
# Gelu.backward (erf form) now computes 2*(Phi + x*phi) * g and halves at the end ('scaling by 2 is exact' only
# without overflow/underflow): for |g * (Phi + x phi)| > max/2 the gradient overflows to inf where the base commit
# (Phi + x phi) * g is finite (float16 with loss-scaled gradients ~4e4; float32 above ~1.7e38); the final *0.5
# also double-rounds float16 subnormal results (1 ulp off). Affects small arrays too (not only pooled ones).
@pytest.mark.parametrize("dtype,gv", [(np.float16, 40000.0), (np.float32, 2e38)])
def test_gelu_backward_does_not_overflow_where_the_true_gradient_is_finite(dtype, gv):
    x = autograd.tensor(np.full((4, 4), 0.5, dtype), requires_grad=True)
    F.gelu(x).backward(autograd.tensor(np.full((4, 4), gv, dtype)))
    want = gv * (0.5 * (1 + math.erf(0.5 / math.sqrt(2))) + 0.5 * math.exp(-0.125) / math.sqrt(2 * math.pi))
    assert want < float(np.finfo(dtype).max)
    g = x.grad.numpy().astype(np.float64)
    assert np.all(np.isfinite(g))
    np.testing.assert_allclose(g, want, rtol=2e-3)


# Regression (found in review of 8793329, fixed in the working tree since): pooled results are always C-ordered
# (buffers.empty + ufunc(out=)), where NumPy's ufuncs (and the base commit) keep an F-ordered input's layout
# (order='K'); so reductions along an axis of the result run in another order: softmax/log_softmax of a transposed
# tensor are no longer NumPy's formula bit for bit (up to ~1 ulp, e.g. 9.5e-7 for log_softmax), contrary to the
# module's 'exactly what NumPy computes'. Low severity: rounding only.
def test_softmax_of_a_transposed_tensor_is_numpys_formula_bit_for_bit():
    a = _arr((300, 256))
    t = autograd.tensor(a).T  # an F-ordered view, as x.T / x.transpose() give
    x = a.T
    e = np.exp(x - x.max(axis=1, keepdims=True))
    assert np.array_equal(F.softmax(t, dim=1).numpy(), e / e.sum(axis=1, keepdims=True))
    z = x - x.max(axis=1, keepdims=True)
    assert np.array_equal(F.log_softmax(t, dim=1).numpy(), z - np.log(np.exp(z).sum(axis=1, keepdims=True)))


# Regression (found in review of 8793329, fixed in the working tree since): layout change: (x.T * 2) and x.T.exp()
# on a large F-ordered tensor were F-ordered (NumPy's order='K', as PyTorch's TensorIterator keeps strides) and
# are now C-ordered copies (pooled buffers); small ones still keep the F layout, so a result's strides depend on
# its size
def test_elementwise_results_keep_the_input_layout_whatever_the_size():
    t = autograd.tensor(_arr((300, 256))).T
    small = autograd.tensor(_arr((30, 20))).T
    assert (small * 2).numpy().flags.f_contiguous  # the small case: NumPy's layout
    assert (t * 2).numpy().flags.f_contiguous
    assert t.exp().numpy().flags.f_contiguous


# --------------------------------------------------------------------------------------------------------------
# risks checked that held: values and dtypes
# --------------------------------------------------------------------------------------------------------------

_BINARY = {"add": (lambda a, b: a + b, np.add), "sub": (lambda a, b: a - b, np.subtract),
           "mul": (lambda a, b: a * b, np.multiply), "div": (lambda a, b: a / b, np.true_divide)}


def _special(a):
    f = a.reshape(-1)
    f[::7], f[1::11], f[2::13], f[3::17], f[4::19] = np.nan, np.inf, -np.inf, 0.0, -0.0
    return a


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.complex64])
@pytest.mark.parametrize("op", list(_BINARY))
def test_binary_corner_operands_match_numpy(dtype, op):
    fn, ref = _BINARY[op]
    shape = (128, 1100) if dtype == np.float16 else (128, 600)
    a = _special(_arr(shape, np.float64, 1)).astype(dtype)
    b = _special(_arr(shape, np.float64, 2)[::-1].copy()).astype(dtype)
    row, col, z = _arr(shape[-1:], dtype, 3), _arr(shape[:-1] + (1,), dtype, 4), np.asarray(_arr((), dtype, 5))
    ta = autograd.tensor(a)
    cases = [(a, b), (a, row), (row, a), (col, row[None]), (a, z), (z, a), (a[::-1], a[:, ::-1])]
    assert _pooled(fn(ta, autograd.tensor(b)).numpy())  # the pooled path is the one under test
    for x, y in cases:
        got = fn(autograd.tensor(x), autograd.tensor(y)).numpy()
        want = ref(x, y)
        assert got.dtype == want.dtype and got.shape == want.shape, (x.shape, y.shape)
        assert np.array_equal(got, want, equal_nan=True)
        assert np.array_equal(np.signbit(got.real), np.signbit(want.real))  # -0.0 stays -0.0
    for s in (2, 2.5, -7, 0, True, 10 ** 30):  # Python int/float/bool (weak) scalars, either side
        for got, want in ((fn(ta, s).numpy(), ref(a, s)), (fn(s, ta).numpy(), ref(s, a))):
            assert got.dtype == want.dtype and np.array_equal(got, want, equal_nan=True)


def test_empty_and_large_broadcast_results_match_numpy():
    a = _arr((1, 80000))
    for other in (np.zeros((0, 1), np.float32), _arr((3, 1))):
        got = (autograd.tensor(a) * autograd.tensor(other)).numpy()
        want = a * other
        assert got.shape == want.shape and got.dtype == want.dtype and np.array_equal(got, want)
    with pytest.raises(ValueError):
        autograd.tensor(a) + autograd.tensor(_arr((2, 3)))


# --------------------------------------------------------------------------------------------------------------
# risks checked that held: aliasing
# --------------------------------------------------------------------------------------------------------------

def _churn(n=3):
    """Enough same-sized work that every free buffer of BIG's size classes is handed out again."""
    a = autograd.tensor(_arr(seed=9))
    for _ in range(n * buffers.per_shape):
        ((a * 3.0 + a).exp() - a).tanh() / 2.0
        F.relu(a) @ autograd.tensor(_arr((300, 300), seed=8))


def test_views_of_results_survive_after_the_tensor_is_gone():
    a = _arr()
    t = autograd.tensor(a)
    col = (t * 2.0).numpy()[:, 7]  # a strided view, the only thing left of the pooled result
    sub = autograd.tensor(a).exp()[10:20]  # a Tensor view of a pooled result
    mv = memoryview((t + 1.0).numpy())  # a buffer-protocol export
    assert _pooled(col) and _pooled(sub.numpy())
    _churn()
    assert np.array_equal(col, (a * 2.0)[:, 7])
    assert np.array_equal(sub.numpy(), np.exp(a)[10:20])
    assert np.array_equal(np.asarray(mv), a + 1.0)


def test_in_place_op_on_one_result_leaves_the_others():
    a = autograd.tensor(_arr())
    r1, r2 = a * 2.0, a * 2.0
    assert _pooled(r1.numpy()) and _pooled(r2.numpy())
    assert not np.shares_memory(r1.numpy(), r2.numpy())
    r1.add_(1.0)
    r1.mul_(r1)
    assert np.array_equal(r2.numpy(), _arr() * 2.0)


def test_retained_graph_second_backward_and_saved_outputs():
    x0, w0 = _arr(dtype=np.float64), _arr((300, 300), np.float64, 1)
    x = autograd.tensor(x0, requires_grad=True)
    w = autograd.tensor(w0, requires_grad=True)
    y = F.softmax(F.gelu(x @ w), dim=-1)
    loss = (F.layer_norm(y * x, (300,)) * x).sum()
    loss.backward(retain_graph=True)
    g1x, g1w = x.grad.numpy().copy(), w.grad.numpy().copy()
    del y
    _churn()
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * g1x, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(w.grad.numpy(), 2 * g1w, rtol=1e-12, atol=1e-12)


def test_a_held_grad_and_its_array_keep_their_values_through_accumulation():
    x = autograd.tensor(_arr(), requires_grad=True)
    w = autograd.tensor(_arr(seed=1))
    (x * w).sum().backward()
    held_t = x.grad
    assert _pooled(held_t.numpy())  # a pooled gradient became .grad without a copy
    first = held_t.numpy().copy()
    (x * w).sum().backward()  # must not add into held_t
    assert np.array_equal(held_t.numpy(), first)
    np.testing.assert_allclose(x.grad.numpy(), 2 * first)
    x.grad = None
    (x * w).sum().backward()
    held_a = x.grad.numpy()  # only the array is kept
    (x * w).sum().backward()
    assert np.array_equal(held_a, first)


def test_a_slice_of_grad_kept_by_the_user_is_not_added_into():
    x = autograd.tensor(_arr(), requires_grad=True)
    w = autograd.tensor(_arr(seed=1))
    (x * w).sum().backward()
    assert _pooled(x.grad.numpy())
    row = x.grad.numpy()[3]  # a view of .grad's buffer; the .grad Tensor and its array are not held
    want = row.copy()
    (x * w).sum().backward()
    assert np.array_equal(row, want)
    np.testing.assert_allclose(x.grad.numpy(), 2 * w.numpy())


def test_a_view_of_the_callers_gradient_never_becomes_grad():
    x = autograd.tensor(_arr(), requires_grad=True)
    gy = autograd.tensor(_arr((300, 256), seed=1)) * 1.0  # the caller's gradient, itself a pooled result
    assert _pooled(gy.numpy())
    want = gy.numpy().copy()
    y = x.reshape(300, 256)  # backward hands x a reshaped view of gy
    y.backward(gy)
    assert not np.shares_memory(x.grad.numpy(), gy.numpy())
    x.reshape(300, 256).backward(gy)
    assert np.array_equal(gy.numpy(), want)
    np.testing.assert_allclose(x.grad.numpy(), 2 * want.reshape(BIG))


def test_split_gradient_views_do_not_alias_between_leaves_and_accumulate_right():
    a = autograd.tensor(_arr((128, 300)), requires_grad=True)
    b = autograd.tensor(_arr((128, 300), seed=1), requires_grad=True)
    w = autograd.tensor(_arr(seed=2))
    for _ in range(2):
        (autograd.cat([a, b]) * w).sum().backward()
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())
    np.testing.assert_allclose(a.grad.numpy(), 2 * w.numpy()[:128])
    np.testing.assert_allclose(b.grad.numpy(), 2 * w.numpy()[128:])


def test_add_of_one_gradient_to_two_leaves_is_not_shared():
    a = autograd.tensor(_arr(), requires_grad=True)
    b = autograd.tensor(_arr(seed=1), requires_grad=True)
    w = autograd.tensor(_arr(seed=2))
    ((a + b) * w).sum().backward()
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())
    a.grad.zero_()
    np.testing.assert_array_equal(b.grad.numpy(), w.numpy())


def test_a_leaf_hook_that_keeps_the_gradient_is_not_aliased_by_grad():
    x = autograd.tensor(_arr(), requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g))
    w = autograd.tensor(_arr(seed=1))
    (x * w).sum().backward()
    (x * w).sum().backward()
    assert not np.shares_memory(seen[0].numpy(), x.grad.numpy())
    np.testing.assert_array_equal(seen[0].numpy(), w.numpy())
    np.testing.assert_array_equal(seen[1].numpy(), w.numpy())


def test_create_graph_double_backward_through_pooled_ops():
    x0 = _arr(dtype=np.float64) * 0.5
    x = autograd.tensor(x0, requires_grad=True)
    y = (x * x).exp()  # dy/dx = 2x e^{x^2}, d2 = (2 + 4x^2) e^{x^2}
    (g,) = autograd.grad(y.sum(), [x], create_graph=True)
    _churn(1)
    g.sum().backward()
    np.testing.assert_allclose(g.detach().numpy(), 2 * x0 * np.exp(x0 * x0), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), (2 + 4 * x0 * x0) * np.exp(x0 * x0), rtol=1e-12)


def test_training_with_the_pool_matches_training_without_it(monkeypatch):
    """Momentum and Adam state, gradient accumulation over micro-batches (in-place .grad adds), zero_grad both
    ways: bit for bit the run with pooling turned off."""
    def train():
        rng = _rng(0)
        lin, lin2 = nn.Linear(300, 256), nn.Linear(256, 300)
        with autograd.no_grad():
            for m in (lin, lin2):
                m.weight.array[...] = rng.standard_normal(m.weight.shape).astype(np.float32) * 0.05
                m.bias.array[...] = 0
        params = list(lin.parameters()) + list(lin2.parameters())
        opts = [optim.SGD(params[:2], lr=0.01, momentum=0.9), optim.Adam(params[2:], lr=1e-3)]
        xs = [autograd.tensor(rng.standard_normal((300, 300)).astype(np.float32)) for _ in range(2)]
        for step in range(3):
            for o in opts:
                o.zero_grad(set_to_none=step % 2 == 0)
            for x in xs:
                h = F.gelu(lin(x))
                y = F.layer_norm(lin2(h) + x, (300,))
                (F.log_softmax(y, dim=-1).mean() * -1 + (F.softmax(h, dim=-1) * h).sum()).backward()
            for o in opts:
                o.step()
        return [p.detach().numpy().copy() for p in params]

    pooled = train()
    buffers.clear()
    monkeypatch.setattr(buffers, "max_bytes", 0)  # nothing kept: every result a fresh array
    plain = train()
    for a, b in zip(pooled, plain):
        assert np.array_equal(a, b)


def test_results_handed_between_threads_stay_intact():
    a0 = _arr()
    made, errors = [], []

    def worker():
        try:
            t = autograd.tensor(a0)
            for i in range(8):
                made.append(((t * float(i)).numpy(), i))  # held by the main thread afterwards
                _churn(1)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    th = threading.Thread(target=worker)
    th.start()
    _churn(1)  # the main thread's own work meanwhile
    th.join()
    assert not errors
    _churn(1)
    for arr, i in made:
        assert np.array_equal(arr, a0 * float(i))


# --------------------------------------------------------------------------------------------------------------
# risks checked that held: Winograd F(2x2, 3x3)
# --------------------------------------------------------------------------------------------------------------

def _conv_ref(x, w, pad, dil=1, groups=1):
    """Direct float64 cross-correlation (stride 1)."""
    n, c, h, wd = x.shape
    o, cg = w.shape[:2]
    k = 1 + dil * 2
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh, ow = h + 2 * pad - k + 1, wd + 2 * pad - k + 1
    y = np.zeros((n, o, oh, ow))
    og = o // groups
    for gi in range(groups):
        xs = xp[:, gi * cg:(gi + 1) * cg]
        for i in range(3):
            for j in range(3):
                win = xs[:, :, i * dil:i * dil + oh, j * dil:j * dil + ow]
                y[:, gi * og:(gi + 1) * og] += np.einsum("nchw,oc->nohw", win, w[gi * og:(gi + 1) * og, :, i, j])
    return y


def _spy(monkeypatch):
    calls = []
    for name in ("conv", "conv_transpose", "weight_grad"):
        orig = getattr(W3, name)
        monkeypatch.setattr(W3, name, (lambda f, nm: lambda *a, **k: (calls.append(nm), f(*a, **k))[1])(orig, name))
    return calls


def _check_conv(x0, w0, b0, pad, dtype, calls, want_winograd, dil=1, groups=1):
    x = autograd.tensor(x0.astype(dtype), requires_grad=True)
    w = autograd.tensor(w0.astype(dtype), requires_grad=True)
    b = autograd.tensor(b0.astype(dtype), requires_grad=True)
    calls.clear()
    y = F.conv2d(x, w, b, padding=pad, dilation=dil, groups=groups)
    g0 = _rng(7).standard_normal(y.shape)
    y.backward(autograd.tensor(g0.astype(dtype)), retain_graph=True)
    assert bool(calls) == want_winograd, calls
    ref = _conv_ref(x0, w0, pad, dil, groups) + b0[None, :, None, None]
    # the adjoints, by the same direct loops
    n, c, h, wd = x0.shape
    xp = np.pad(x0, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    gxp, gw = np.zeros_like(xp), np.zeros_like(w0)
    oh, ow = g0.shape[2:]
    cg, og = w0.shape[1], w0.shape[0] // groups
    for gi in range(groups):
        cs, os_ = slice(gi * cg, (gi + 1) * cg), slice(gi * og, (gi + 1) * og)
        for i in range(3):
            for j in range(3):
                rs, cl = slice(i * dil, i * dil + oh), slice(j * dil, j * dil + ow)
                gw[os_, :, i, j] = np.einsum("nohw,nchw->oc", g0[:, os_], xp[:, cs, rs, cl])
                gxp[:, cs, rs, cl] += np.einsum("nohw,oc->nchw", g0[:, os_], w0[os_, :, i, j])
    gx = gxp[:, :, pad:pad + h, pad:pad + wd]
    tol = 1e-12 if dtype == np.float64 else 2e-6
    for got, want in ((y.detach(), ref), (x.grad, gx), (w.grad, gw), (b.grad, g0.sum((0, 2, 3)))):
        got = got.numpy().astype(np.float64)
        assert got.shape == want.shape
        assert np.abs(got - want).max() <= tol * max(1.0, np.abs(want).max())
    first = [t.grad.numpy().copy() for t in (x, w, b)]
    y.backward(autograd.tensor(g0.astype(dtype)))  # the retained graph's second pass rebuilds the transform
    for t, f in zip((x, w, b), first):
        np.testing.assert_allclose(t.grad.numpy(), 2 * f, rtol=1e-5 if dtype == np.float32 else 1e-12, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n,c,o,h,w,pad", [
    (2, 16, 8, 1, 1, 2),  # a 1x1 image, all-padding windows
    (3, 32, 16, 9, 6, 1),  # odd by even
    (1, 16, 1, 6, 7, 1),  # batch 1, one output channel, odd width
    (1, 16, 16, 11, 9, 0),  # no padding, odd outputs
    (2, 16, 16, 5, 8, 2),  # padding 2
])
def test_winograd_conv2d_matches_the_direct_form(monkeypatch, dtype, n, c, o, h, w, pad):
    calls = _spy(monkeypatch)
    r = _rng(n * 100 + h)
    _check_conv(r.standard_normal((n, c, h, w)), r.standard_normal((o, c, 3, 3)), r.standard_normal(o), pad,
                dtype, calls, True)


@pytest.mark.parametrize("kw", [dict(dil=2), dict(groups=2)])
def test_dilation_and_groups_stay_off_the_winograd_path(monkeypatch, kw):
    calls = _spy(monkeypatch)
    r = _rng(3)
    c = 32
    w = r.standard_normal((16, c // kw.get("groups", 1), 3, 3))
    _check_conv(r.standard_normal((2, c, 10, 10)), w, r.standard_normal(16), 2, np.float64, calls, False, **kw)


@pytest.mark.parametrize("pad", [0, 1, 2])
def test_winograd_conv_transpose2d(monkeypatch, pad):
    calls = _spy(monkeypatch)
    r = _rng(pad)
    x0, w0 = r.standard_normal((2, 16, 6, 5)), r.standard_normal((16, 16, 3, 3))
    x = autograd.tensor(x0.astype(np.float32), requires_grad=True)
    w = autograd.tensor(w0.astype(np.float32), requires_grad=True)
    y = F.conv_transpose2d(x, w, padding=pad)
    hh, ww = 6 + 2 - 2 * pad, 5 + 2 - 2 * pad
    full = np.zeros((2, 16, 8, 7))
    for i in range(3):
        for j in range(3):
            full[:, :, i:i + 6, j:j + 5] += np.einsum("nchw,co->nohw", x0, w0[:, :, i, j])
    ref = full[:, :, pad:pad + hh, pad:pad + ww]
    g0 = r.standard_normal(ref.shape)
    y.backward(autograd.tensor(g0.astype(np.float32)))
    assert "conv_transpose" in calls and "weight_grad" in calls
    gp = np.zeros((2, 16, 8, 7))
    gp[:, :, pad:pad + hh, pad:pad + ww] = g0
    gx, gw = np.zeros_like(x0), np.zeros_like(w0)
    for i in range(3):
        for j in range(3):
            gx += np.einsum("nohw,co->nchw", gp[:, :, i:i + 6, j:j + 5], w0[:, :, i, j])
            gw[:, :, i, j] = np.einsum("nchw,nohw->co", x0, gp[:, :, i:i + 6, j:j + 5])
    for got, want in ((y.detach(), ref), (x.grad, gx), (w.grad, gw)):
        assert np.abs(got.numpy() - want).max() <= 2e-6 * np.abs(want).max()


def test_winograd_float32_accuracy_with_a_large_offset():
    """Zero-sum kernels over inputs with a large mean: the transforms' cancellations cost no more than
    im2col's."""
    r = _rng(4)
    x = 1e3 + r.standard_normal((4, 32, 12, 12))
    w = r.standard_normal((32, 32, 3, 3))
    w -= w.mean(axis=(2, 3), keepdims=True)
    assert W3.fits(_geo_of(x.shape, pad=1), 4, 32, 32, np.dtype(np.float32))
    got = F.conv2d(autograd.tensor(x.astype(np.float32)), autograd.tensor(w.astype(np.float32)), padding=1).numpy()
    ref = _conv_ref(x, w, 1)
    inner = (slice(None), slice(None), slice(1, -1), slice(1, -1))  # where the offset cancels
    err = np.abs(got - ref)[inner].max()
    assert err < 3 * 32 * 9 * 1e3 * np.finfo(np.float32).eps / 8  # ~ the direct sum's rounding


def _geo_of(x_shape, pad):
    import autograd.ops.conv as C
    h, w = x_shape[2:]
    return C.Geometry((3, 3), (1, 1), ((pad, pad), (pad, pad)), (1, 1), 1, (h, w), (h + 2 * pad - 2, w + 2 * pad - 2))
