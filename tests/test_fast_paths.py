"""The shape-chosen fast paths (convolution, embedding backward, max-pool arg-max) agree with the general ones."""
import numpy as np
import pytest

import autograd
import autograd.ops.conv as C
import autograd.ops.pool as C_pool
import nn
from autograd.testing import gradcheck, gradgradcheck

F = nn.functional


def _t(rng, *shape):
    return autograd.tensor(rng.standard_normal(shape), requires_grad=True)


@pytest.mark.parametrize("kw, shape, kernel", [
    (dict(padding=1), (2, 8, 4, 10), (3, 2)),
    (dict(padding=(2, 1), dilation=(2, 1)), (2, 8, 4, 10), (3, 2)),
    (dict(groups=2, padding=(0, 2)), (2, 8, 4, 10), (3, 2)),
    (dict(stride=2, padding=1), (2, 8, 6, 34), (4, 4)),  # DCGAN's layers: four phases
    (dict(stride=(1, 3), padding=(1, 2)), (1, 8, 3, 50), (3, 5)),
    (dict(stride=2, dilation=2, padding=2), (1, 8, 5, 36), (3, 3)),  # phases a kernel position never reaches
])
def test_phased_input_gradient(kw, shape, kernel, monkeypatch):
    """Rows of >= 8 cells and >= 8 channels take the one-run-per-kernel-position path, every stride."""
    rng = np.random.default_rng(0)
    x, w = _t(rng, *shape), _t(rng, 4, 8 // kw.get("groups", 1), *kernel)
    calls = []
    fast = C._conv_transpose_phased
    monkeypatch.setattr(C, "_conv_transpose_phased", lambda *a: calls.append(1) or fast(*a))
    f = lambda x, w: F.conv2d(x, w, **kw)  # noqa: E731
    assert gradcheck(f, (x, w)) and gradgradcheck(f, (x, w)) and calls
    g = rng.standard_normal(f(x, w).shape)
    geo_out = f(x, w)
    geo_out.backward(autograd.tensor(g))
    fast_grad = x.grad.numpy().copy()
    x.grad = None
    monkeypatch.setattr(C, "_conv_transpose_phased",
                        lambda g_, wt, geo, xs: C.col2im(C._matmul(wt, C._batch_last(g_, geo)), geo, xs))
    f(x, w).backward(autograd.tensor(g))
    np.testing.assert_allclose(fast_grad, x.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("groups, stride", [(1, 1), (2, 2), (4, 1)])
def test_weight_gradient_is_the_sum_over_samples(groups, stride):
    """The one product over batch x positions equals the per-sample products summed (and gradchecks)."""
    rng = np.random.default_rng(1)
    x, w = _t(rng, 3, 4, 6, 5), _t(rng, 8, 4 // groups, 3, 3)
    f = lambda x, w: F.conv2d(x, w, stride=stride, padding=1, groups=groups)  # noqa: E731
    y = f(x, w)
    g = rng.standard_normal(y.shape)
    y.backward(autograd.tensor(g))
    per_sample = sum(autograd.grad(f(x[i:i + 1], w), w, autograd.tensor(g[i:i + 1]))[0].numpy() for i in range(3))
    np.testing.assert_allclose(w.grad.numpy(), per_sample, rtol=1e-12, atol=1e-12)
    assert gradcheck(f, (x, w)) and gradgradcheck(f, (x, w))
    w2 = _t(rng, 4, 8 // groups, 3, 3)
    ft = lambda x, w: F.conv_transpose2d(x, w, stride=stride, padding=1, groups=groups)  # noqa: E731
    assert gradcheck(ft, (x, w2)) and gradgradcheck(ft, (x, w2))


def test_embedding_backward_sums_repeats_as_add_at():
    """The sort + reduceat scatter of the embedding's backward against np.add.at (repeats, empty, padding)."""
    from autograd.ops.embedding import _sorted_scatter_add

    rng = np.random.default_rng(2)
    for shape, ix in [((10, 3), rng.integers(0, 10, (4, 5))), ((7, 2), np.array([3])),
                      ((5, 4), np.zeros((0,), np.int64)), ((6, 3), np.array([[1, 1], [1, 5]]))]:
        g = rng.standard_normal(ix.shape + shape[1:])
        want = np.zeros(shape)
        np.add.at(want, ix, g)
        np.testing.assert_allclose(_sorted_scatter_add(shape, ix, g), want, rtol=1e-13, atol=1e-15)
    w = autograd.tensor(rng.standard_normal((10, 3)), requires_grad=True)
    ix = autograd.tensor(rng.integers(0, 10, (4, 5)))
    f = lambda w: F.embedding(ix, w)  # noqa: E731
    assert gradcheck(f, (w,)) and gradgradcheck(f, (w,))


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                dict(kernel_size=2, stride=1, dilation=2)])
def test_max_pool_backward_from_the_kept_arg_max(kw):
    """The arg-max kept from forward sends each gradient to the first maximum of ties; a NaN window falls back
    to the values; a retained graph's second backward gives the same gradient."""
    rng = np.random.default_rng(3)
    for nan in (False, True):
        v = rng.integers(0, 3, (2, 2, 6, 6)).astype(np.float64)  # many ties
        if nan:
            v[0, 0, 1, 1] = v[1, 1, 2, 3] = np.nan
        x = autograd.tensor(v, requires_grad=True)
        y = F.max_pool2d(x, **kw)
        g = rng.standard_normal(y.shape)
        y.backward(autograd.tensor(g), retain_graph=True)
        first = x.grad.numpy().copy()
        x.grad = None
        y.backward(autograd.tensor(g))
        np.testing.assert_array_equal(x.grad.numpy(), first)
        # reference: each window's first maximum (a NaN counts as the maximum), in row-major kernel order
        idx = C_pool.flat_argmax(v, y.detach().numpy(), y.grad_fn.geo)
        want = np.zeros(v.size)
        np.add.at(want, (np.arange(4)[:, None] * 36 + idx.reshape(4, -1)).ravel(), g.ravel())
        np.testing.assert_allclose(first, want.reshape(v.shape), rtol=1e-13, atol=1e-15)  # overlaps: sum order
    x = autograd.tensor(rng.standard_normal((2, 3, 7, 6)), requires_grad=True)
    f = lambda x: F.max_pool2d(x, **kw)  # noqa: E731
    assert gradcheck(f, (x,)) and gradgradcheck(f, (x,))
