"""Functions PyTorch programs use that the registry does not cover by itself: adaptive max pooling (values,
indices and gradients as PyTorch's, ties included), F.normalize, allclose/equal, narrow as a view."""
from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
from autograd.testing import gradcheck

F = nn.functional


def _windows(n, o):
    return [((i * n) // o, -((-(i + 1) * n) // o)) for i in range(o)]


def _reference_adaptive_max2d(a, out):
    """Each output cell is the max of its PyTorch window; the index is its first maximum in row-major order."""
    n, c, h, w = a.shape
    vals = np.empty((n, c) + out)
    idx = np.empty((n, c) + out, np.int64)
    for i, (r0, r1) in enumerate(_windows(h, out[0])):
        for j, (c0, c1) in enumerate(_windows(w, out[1])):
            win = a[:, :, r0:r1, c0:c1].reshape(n, c, -1)
            k = win.argmax(-1)
            vals[:, :, i, j] = win.max(-1)
            idx[:, :, i, j] = (r0 + k // (c1 - c0)) * w + (c0 + k % (c1 - c0))
    return vals, idx


@pytest.mark.parametrize("shape, out", [((2, 3, 7, 5), (3, 2)), ((1, 2, 6, 6), (4, 4)), ((1, 1, 5, 5), (3, 3)),
                                        ((2, 1, 4, 6), (2, 3))])
def test_adaptive_max_pool2d_against_a_reference(shape, out):
    r = np.random.default_rng(0)
    a = r.standard_normal(shape)
    a[..., 0] = a[..., 1]  # ties: the first maximum takes the gradient
    x = autograd.tensor(a, dtype=autograd.float64, requires_grad=True)
    y, i = F.adaptive_max_pool2d(x, out, return_indices=True)
    vals, idx = _reference_adaptive_max2d(a, out)
    np.testing.assert_array_equal(y.array, vals)
    np.testing.assert_array_equal(i.array, idx)
    g = r.standard_normal(out)
    (y * autograd.tensor(g)).sum().backward()
    expect = np.zeros_like(a).reshape(shape[0], shape[1], -1)
    np.add.at(expect, (np.arange(shape[0])[:, None, None, None], np.arange(shape[1])[None, :, None, None], idx),
              np.broadcast_to(g, idx.shape))
    np.testing.assert_allclose(x.grad.array, expect.reshape(shape))


def test_adaptive_max_pool_modules_and_1d():
    x = autograd.tensor([[[1.0, 5.0, 2.0, 4.0, 3.0]]])
    np.testing.assert_array_equal(nn.AdaptiveMaxPool1d(2)(x).array, [[[5.0, 4.0]]])
    assert nn.AdaptiveMaxPool2d((1, None))(autograd.ones(2, 3, 4, 5)).shape == (2, 3, 1, 5)
    assert F.adaptive_max_pool2d(autograd.ones(3, 4, 4), 2).shape == (3, 2, 2)
    with pytest.raises(ValueError, match=r"adaptive_max_pool2d: output_size .* must be positive"):
        F.adaptive_max_pool2d(autograd.ones(1, 1, 4, 4), 0)
    with pytest.raises(TypeError, match="floating-point"):
        F.adaptive_max_pool2d(autograd.ones(1, 1, 4, 4, dtype=autograd.int64), 2)


def test_normalize_values_and_gradients():
    x = autograd.tensor([[3.0, 4.0], [0.0, 0.0]], dtype=autograd.float64)
    np.testing.assert_allclose(F.normalize(x).array, [[0.6, 0.8], [0.0, 0.0]])
    np.testing.assert_allclose(F.normalize(x, p=1, dim=0).array, [[1.0, 1.0], [0.0, 0.0]])
    v = autograd.tensor(np.random.default_rng(1).standard_normal((3, 4)), dtype=autograd.float64, requires_grad=True)
    assert gradcheck(lambda t: F.normalize(t, dim=1), (v,))
    with pytest.raises(ValueError, match="normalize: p must be a positive number"):
        F.normalize(v, p=0)


def test_allclose_and_equal_answer_with_bools():
    a = autograd.tensor([1.0, 2.0])
    assert autograd.allclose(a, a + 1e-9) is True and a.allclose(a + 1.0) is False
    assert autograd.allclose(autograd.tensor([float("nan")]), autograd.tensor([float("nan")]), equal_nan=True)
    assert a.equal(a.clone()) is True and autograd.equal(a, a[:1]) is False
    assert not autograd.equal(autograd.tensor([float("nan")]), autograd.tensor([float("nan")]))
    with pytest.raises(ValueError, match="allclose: shapes"):
        autograd.allclose(autograd.ones(2), autograd.ones(3))


def test_narrow_is_a_view_and_accepts_a_tensor_start():
    x = autograd.arange(12.0).reshape(3, 4)
    v = x.narrow(1, autograd.tensor(1), 2)
    with autograd.no_grad():
        v.fill_(-1.0)
    assert (x.array[:, 1:3] == -1).all()
