"""Type promotion: one function (autograd.promotion.result_type) with PyTorch's documented rules, checked
against a table of cases written from those rules, and the ops that use it."""
from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd.promotion import result_type

f16, f32, f64 = np.float16, np.float32, np.float64
i8, u8, i16, i32, i64, b = np.int8, np.uint8, np.int16, np.int32, np.int64, np.bool_


def dim(dt):
    return np.ones(2, dt)


def zero(dt):
    return np.ones((), dt)


# (operands, expected): categories bool < int < float < complex; dimensioned > 0-d > Python number within one
TABLE = [
    ((dim(f32), dim(f64)), f64),
    ((dim(f16), dim(f32)), f32),
    ((dim(u8), dim(i8)), i16),
    ((dim(i32), dim(i64)), i64),
    ((dim(b), dim(i32)), i32),
    ((dim(f32), zero(f64)), f32),  # a 0-d tensor of the same category does not widen
    ((dim(i32), zero(i64)), i32),
    ((dim(i32), zero(f64)), f64),  # a 0-d tensor of a higher category picks the width
    ((dim(i64), zero(f16)), f16),
    ((zero(f32), zero(f64)), f64),
    ((dim(i64), 2.5), f32),  # a Python float of a higher category: the default float dtype
    ((dim(b), 2), i64),
    ((dim(b), 2.0), f32),
    ((dim(f16), 2.0), f16),  # a Python number never widens its category
    ((dim(i8), 300), i8),
    ((zero(i32), 2.5), f32),
    ((dim(f32), 1j), np.complex64),
    ((2, 3), i64),
    ((2, 3.0), f32),
    ((True, False), b),
    ((dim(i32), zero(f32), 2j), np.complex64),
]


@pytest.mark.parametrize("operands, expected", TABLE)
def test_result_type_table(operands, expected):
    assert result_type(*operands) == np.dtype(expected)


def test_binary_ops_use_it():
    i = autograd.tensor([1, 2], dtype=autograd.int32)
    assert (i + autograd.tensor(1.5, dtype=autograd.float64)).dtype == np.float64
    assert (autograd.ones(2) + autograd.tensor(1.5, dtype=autograd.float64)).dtype == np.float32
    assert (i * 2.5).dtype == np.float32
    assert autograd.maximum(autograd.tensor([1, 2]), autograd.ones(2)).dtype == np.float32


def test_where_and_cat_promote_as_pytorch():
    c = autograd.tensor([True, False])
    assert autograd.where(c, autograd.tensor([1, 2]), autograd.ones(2)).dtype == np.float32
    assert autograd.where(c, autograd.ones(2), autograd.tensor(1.0, dtype=autograd.float64)).dtype == np.float32
    assert autograd.where(c, autograd.tensor([1, 2]), 2.5).dtype == np.float32
    assert autograd.cat([autograd.ones(2), autograd.ones(2, dtype=autograd.float64)]).dtype == np.float64
    assert autograd.cat([autograd.tensor([1]), autograd.ones(2)]).dtype == np.float32


def test_promoted_operands_get_gradients_in_their_own_dtype():
    c = autograd.tensor([True, False])
    x = autograd.ones(2, requires_grad=True)
    y = autograd.ones(2, dtype=autograd.float64, requires_grad=True)
    autograd.where(c, x, y).sum().backward()
    assert x.grad.dtype == np.float32 and y.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad.array, [1, 0])
    np.testing.assert_array_equal(y.grad.array, [0, 1])
    a = autograd.ones(2, requires_grad=True)
    autograd.cat([a, y]).sum().backward()
    assert a.grad.dtype == np.float32


def test_matrix_products_refuse_mixed_dtypes():
    with pytest.raises(RuntimeError, match="matmul: expected both operands to have the same dtype, got float32 and "
                                           "float64"):
        autograd.ones(2, 3) @ autograd.ones(3, 2, dtype=autograd.float64)
    import nn

    with pytest.raises(RuntimeError, match="linear: input is float64 but the weight is float32"):
        nn.Linear(3, 2)(autograd.ones(1, 3, dtype=autograd.float64))
