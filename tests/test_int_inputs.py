"""Integer tensors through float functions: computed in the default float dtype (as PyTorch), or refused where
PyTorch has no integer kernel; never an integer or float64 result."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
import nn

F = nn.functional
X = [0, 1, 4]


@pytest.mark.parametrize("name, ref", [
    ("sigmoid", lambda v: 1 / (1 + math.exp(-v))), ("exp", math.exp), ("tanh", math.tanh), ("sin", math.sin),
    ("cos", math.cos), ("sqrt", math.sqrt), ("log1p", math.log1p), ("expm1", math.expm1), ("erf", math.erf),
    ("silu", lambda v: v / (1 + math.exp(-v))), ("tan", math.tan),
])
@pytest.mark.parametrize("dtype", [autograd.int64, autograd.int32, np.dtype(np.uint8)])
def test_unary_float_functions_compute_integers_in_the_default_float(name, ref, dtype):
    out = getattr(autograd, name)(autograd.tensor(X, dtype=dtype))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.array, [ref(v) for v in X], rtol=1e-6)


def test_bool_input_too():
    assert autograd.sigmoid(autograd.tensor([True, False])).dtype == np.float32


@pytest.mark.parametrize("fn", [F.softplus, F.gelu, F.elu, F.leaky_relu])
def test_activations_without_an_integer_kernel_refuse(fn):
    with pytest.raises(TypeError, match="not implemented for int64 tensors"):
        fn(autograd.tensor(X))


def test_relu_keeps_integers_as_pytorch():
    out = F.relu(autograd.tensor([-1, 2]))
    assert out.dtype == np.int64 and out.tolist() == [0, 2]


@pytest.mark.parametrize("dtype", [autograd.int64, autograd.int32, np.dtype(np.int16), np.dtype(np.uint8)])
def test_square_keeps_integers_as_pytorch(dtype):
    out = autograd.square(autograd.tensor([-1, 2, 3] if dtype != np.uint8 else [1, 2, 200], dtype=dtype))
    assert out.dtype == dtype
    assert out.tolist() == ([1, 4, 9] if dtype != np.uint8 else [1, 4, 64])  # uint8 wraps: 200**2 % 256, as torch


def test_square_of_bool_is_int64_and_square_in_place_refuses_bool():
    b = autograd.tensor([True, False])
    out = b.square()
    assert out.dtype == np.int64 and out.tolist() == [1, 0]
    with pytest.raises(RuntimeError, match="square_: result type int64 can't be cast to the tensor's dtype bool"):
        b.square_()
    i = autograd.tensor([3, -4])
    assert i.square_() is i and i.tolist() == [9, 16]
