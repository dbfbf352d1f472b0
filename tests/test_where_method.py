"""``Tensor.where(condition, other)``: PyTorch's method form of ``where`` with the tensor as the chosen values,
declared once on the op (``self_arg``). The registry's variant test checks it against the function on random
inputs; these pin PyTorch's keywords, promotion, gradients and the errors."""
from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd.ops.declare import DECLARED


def test_method_is_the_function_with_self_as_input():
    x = autograd.tensor([1.0, -2.0, 3.0])
    y = autograd.tensor([10.0, 20.0, 30.0])
    c = x > 0
    np.testing.assert_array_equal(x.where(c, y).array, [1.0, 20.0, 3.0])
    np.testing.assert_array_equal(x.where(condition=c, other=y).array, [1.0, 20.0, 3.0])
    np.testing.assert_array_equal(x.where(c, other=5).array, [1.0, 5.0, 3.0])
    assert DECLARED["where"].self_arg == 1 and "where" in DECLARED["where"].methods


def test_python_numbers_and_integer_tensors_promote_as_pytorch():
    c = autograd.tensor([True, False, True])
    assert autograd.tensor([1, 2, 3]).where(c, 2.5).dtype == autograd.float32  # torch: float32
    assert autograd.tensor([1, 2, 3]).where(c, 7).dtype == autograd.int64
    assert autograd.tensor([1.0, 2.0], dtype=autograd.float64).where(c[:2], 0.5).dtype == autograd.float64


def test_gradient_flows_to_self_and_other_only_where_chosen():
    x = autograd.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = autograd.tensor([4.0, 5.0, 6.0], requires_grad=True)
    x.where(autograd.tensor([True, False, True]), y).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [1.0, 0.0, 1.0])
    np.testing.assert_array_equal(y.grad.array, [0.0, 1.0, 0.0])


def test_bad_calls_name_the_op():
    x = autograd.ones(3)
    with pytest.raises(TypeError, match=r"where\(\) takes 2 arguments besides the tensor, got 3"):
        x.where(x > 0, 1.0, 2.0)
    with pytest.raises(TypeError, match=r"multiple values for argument 'condition'"):
        x.where(x > 0, condition=x > 0)
    with pytest.raises(TypeError, match=r"'input' is the tensor the method is called on"):
        x.where(x > 0, input=x)
    with pytest.raises(ValueError, match=r"where: condition of shape \(2,\)"):
        x.where(autograd.tensor([True, False]), autograd.zeros(4))
