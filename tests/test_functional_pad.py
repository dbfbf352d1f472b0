"""nn.functional.pad as torch.nn.functional.pad: widths from the last dimension back, negative widths crop
(constant mode), the non-constant modes on PyTorch's input shapes only, PyTorch's error types. Values below were
checked against torch 2.13."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
import hypothesis.extra.numpy as hnp

import autograd
import nn
from autograd.testing import gradcheck

F = nn.functional
X = autograd.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]])


def ref(a, pad, mode="constant", value=0.0):
    """NumPy's pad of ``a`` with PyTorch's width order, negative widths cropping first."""
    widths = [(0, 0)] * a.ndim
    crop = [slice(None)] * a.ndim
    for i in range(len(pad) // 2):
        lo, hi = pad[2 * i], pad[2 * i + 1]
        d = a.ndim - 1 - i
        crop[d] = slice(max(-lo, 0), a.shape[d] - max(-hi, 0))
        widths[d] = (max(lo, 0), max(hi, 0))
    a = a[tuple(crop)]
    if mode == "constant":
        return np.pad(a, widths, constant_values=value)
    return np.pad(a, widths, mode={"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode])


@pytest.mark.parametrize("pad, mode, value, want", [
    ((1, 1), "constant", None, [[0, 0, 1, 2, 0], [0, 3, 4, 5, 0]]),
    ((-1, 1), "constant", 9.0, [[1, 2, 9], [4, 5, 9]]),
    ((0, 0, -1, 0), "constant", None, [[3, 4, 5]]),
    ((-3, 0), "constant", None, [[], []]),
    ((1, 1), "reflect", None, [[1, 0, 1, 2, 1], [4, 3, 4, 5, 4]]),
    ((2, 0), "reflect", 0.0, [[2, 1, 0, 1, 2], [5, 4, 3, 4, 5]]),  # value=0 is accepted, as PyTorch's
    ((2, 2), "replicate", None, [[0, 0, 0, 1, 2, 2, 2], [3, 3, 3, 4, 5, 5, 5]]),
    ((1, 1), "circular", None, [[2, 0, 1, 2, 0], [5, 3, 4, 5, 3]]),
    ((3, 0), "circular", None, [[0, 1, 2, 0, 1, 2], [3, 4, 5, 3, 4, 5]]),
])
def test_values_match_pytorch(pad, mode, value, want):
    out = F.pad(X, pad, mode=mode, value=value)
    np.testing.assert_array_equal(out.numpy(), np.array(want, dtype=np.float32).reshape(out.shape))
    assert out.dtype == X.dtype


def test_integer_and_bool_tensors_keep_their_dtype():
    out = F.pad(autograd.tensor([0, 1, 2]), (1, 1), value=1.7)  # PyTorch truncates the value into int64
    assert out.dtype == autograd.int64 and out.tolist() == [1, 0, 1, 2, 1]
    assert F.pad(autograd.tensor([True]), (1, 1), value=True).tolist() == [True, True, True]
    assert F.pad(autograd.tensor([[1, 2, 3]]), (1, 1), mode="reflect").tolist() == [[2, 1, 2, 3, 2]]


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.data())
def test_constant_mode_matches_numpy(data):
    a = data.draw(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=4, min_side=2, max_side=4),  # crops >= 0
                             elements=st.floats(-5, 5)))
    k = data.draw(st.integers(1, a.ndim))
    pad = tuple(data.draw(st.lists(st.integers(-1, 3), min_size=2 * k, max_size=2 * k)))
    value = data.draw(st.sampled_from([0.0, -2.5]))
    np.testing.assert_array_equal(F.pad(autograd.tensor(a), pad, value=value).numpy(), ref(a, pad, value=value))


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.data())
def test_other_modes_match_numpy_on_pytorchs_shapes(data):
    mode = data.draw(st.sampled_from(["reflect", "replicate", "circular"]))
    k = data.draw(st.integers(1, 3))
    shape = data.draw(hnp.array_shapes(min_dims=k + 1, max_dims=k + 2, min_side=2, max_side=4))
    a = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-5, 5)))
    top = min(shape[-k:]) - (1 if mode == "reflect" else 0)  # reflect: less than the size; circular: at most
    pad = tuple(data.draw(st.lists(st.integers(0, top), min_size=2 * k, max_size=2 * k)))
    np.testing.assert_array_equal(F.pad(autograd.tensor(a), pad, mode=mode).numpy(), ref(a, pad, mode))


@pytest.mark.parametrize("pad, mode", [((1, 2), "constant"), ((-1, 2, 1, -1), "constant"), ((2, 1), "reflect"),
                                       ((1, 3), "replicate"), ((3, 2), "circular"), ((1, 1, 1, 0), "reflect")])
def test_gradients(pad, mode):
    x = autograd.tensor(np.random.default_rng(0).normal(size=(1, 3, 4)), requires_grad=True)
    assert gradcheck(lambda t: F.pad(t, pad, mode=mode), (x,))


@pytest.mark.parametrize("call, exc, match", [
    (lambda: F.pad(X, (1,)), RuntimeError, r"pad: padding length must be divisible by 2, got 1"),
    (lambda: F.pad(X, (1,) * 6), RuntimeError, r"pad: padding length should be at most twice .* length 6 .*\(2, 3\)"),
    (lambda: F.pad(X, (1.0, 1)), TypeError, r"pad: pad must be a tuple of ints"),
    (lambda: F.pad(X, (True, 1)), TypeError, r"pad: pad must be a tuple of ints"),
    (lambda: F.pad(X, 1), TypeError, r"pad: pad must be a tuple of ints"),
    (lambda: F.pad(X, (1, 1), value="a"), TypeError, r"pad: value must be a number, got str"),
    (lambda: F.pad([1.0], (1, 1)), TypeError, r"pad: input must be a Tensor, got list"),
    (lambda: F.pad(X, (1, 1), mode="zeros"), NotImplementedError, r"pad: unrecognised padding mode 'zeros'"),
    (lambda: F.pad(X, (-2, -2)), RuntimeError, r"pad: padding \(-2, -2\) crops dimension 1 of size 3 to a negative"),
    (lambda: F.pad(X, (1, 1), mode="reflect", value=1.0), RuntimeError, r"mode 'reflect' doesn't take a value"),
    (lambda: F.pad(X[0], (1, 1), mode="reflect"), NotImplementedError, r"length 2 is not supported for a 1-D input"),
    (lambda: F.pad(X, (1, 1, 1, 1), mode="circular"), NotImplementedError, r"length 4 is not supported for a 2-D"),
    (lambda: F.pad(X, (3, 0), mode="reflect"), RuntimeError, r"reflect padding \(3, 0\) of dimension 1 must be less "
                                                              r"than its size 3"),
    (lambda: F.pad(X, (4, 0), mode="circular"), RuntimeError, r"wraps around more than once \(size 3"),
    (lambda: F.pad(X, (-1, 1), mode="replicate"), NotImplementedError, r"negative padding \(-1, 1\) is supported "
                                                                       r"in mode='constant' only"),
    (lambda: F.pad(autograd.zeros(2, 0), (1, 1), mode="replicate"), RuntimeError, r"needs non-empty dimensions"),
])
def test_bad_calls_raise_pytorchs_error_types_naming_pad(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
