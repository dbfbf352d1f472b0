"""Error messages name the op and the shapes involved."""
import re

import numpy as np
import pytest

import autograd
from autograd import ones, tensor


def _msg(excinfo):
    return str(excinfo.value)


def test_matmul_names_both_shapes():
    with pytest.raises(ValueError) as ei:
        ones(3, 4) @ ones(5, 6)
    assert "matmul: cannot multiply (3, 4) by (5, 6)" in _msg(ei)


def test_matmul_1d_and_batched_errors():
    with pytest.raises(ValueError) as ei:
        ones(3) @ ones(4)
    assert "matmul" in _msg(ei) and "(3,)" in _msg(ei) and "(4,)" in _msg(ei)
    with pytest.raises(ValueError) as ei:
        autograd.matmul(ones(2, 3, 4), ones(3, 4, 5))
    assert "matmul" in _msg(ei) and "(2, 3, 4)" in _msg(ei) and "(3, 4, 5)" in _msg(ei)
    with pytest.raises(ValueError) as ei:
        tensor(1.0) @ ones(3)
    assert "matmul" in _msg(ei) and "()" in _msg(ei)


@pytest.mark.parametrize("name,op", [
    ("add", lambda a, b: a + b),
    ("sub", lambda a, b: a - b),
    ("mul", lambda a, b: a * b),
    ("div", lambda a, b: a / b),
    ("pow", lambda a, b: a ** b),
])
def test_broadcasting_errors_name_op_and_both_shapes(name, op):
    with pytest.raises(ValueError) as ei:
        op(ones(3, 4), ones(5, 6))
    msg = _msg(ei)
    assert msg.startswith(name + ":")
    assert "(3, 4)" in msg and "(5, 6)" in msg


def test_broadcasting_error_with_requires_grad_operand():
    with pytest.raises(ValueError) as ei:
        ones(2, 3, requires_grad=True) * ones(4, requires_grad=True)
    assert "mul" in _msg(ei) and "(2, 3)" in _msg(ei) and "(4,)" in _msg(ei)


@pytest.mark.parametrize("name,op", [
    ("maximum", lambda a, b: autograd.maximum(a, b)),
    ("minimum", lambda a, b: autograd.minimum(a, b)),
    ("where", lambda a, b: autograd.where(ones(3, 4) > 0, a, b)),
])
def test_other_binary_broadcasting_errors_name_op_and_shapes(name, op):
    with pytest.raises(ValueError) as ei:
        op(ones(3, 4), ones(5, 6))
    msg = _msg(ei)
    assert name in msg
    assert "(3, 4)" in msg and "(5, 6)" in msg


def test_reshape_error():
    with pytest.raises(ValueError) as ei:
        ones(3, 4).reshape(5, 2)
    msg = _msg(ei)
    assert "reshape" in msg and "(5, 2)" in msg and "(3, 4)" in msg and "12" in msg
    with pytest.raises(ValueError, match="reshape"):
        ones(6).view(4, 2)


def test_expand_error():
    with pytest.raises(ValueError) as ei:
        ones(3, 4).expand(5, 6)
    assert "expand" in _msg(ei) and "(3, 4)" in _msg(ei) and "(5, 6)" in _msg(ei)


def test_cat_error():
    with pytest.raises(ValueError) as ei:
        autograd.cat([ones(3, 4), ones(2, 5)])
    msg = _msg(ei)
    assert "cat" in msg and "(3, 4)" in msg and "(2, 5)" in msg
    with pytest.raises(IndexError, match="cat"):
        autograd.cat([ones(3), ones(4)], dim=1)
    with pytest.raises(ValueError, match="cat"):
        autograd.cat([])


def test_stack_error():
    with pytest.raises(ValueError) as ei:
        autograd.stack([ones(3), ones(4)])
    assert "stack" in _msg(ei) and "(3,)" in _msg(ei) and "(4,)" in _msg(ei)


@pytest.mark.parametrize("index", [5, (slice(None), 9), [0, 7], (0, 0, 0)])
def test_index_errors_name_index_and_shape(index):
    with pytest.raises(IndexError) as ei:
        ones(3, 4)[index]
    msg = _msg(ei)
    assert "getitem" in msg and "(3, 4)" in msg


def test_setitem_error():
    t = ones(3, 4)
    with pytest.raises(ValueError) as ei:
        t[:] = ones(5)
    msg = _msg(ei)
    assert "setitem" in msg and "(5,)" in msg and "(3, 4)" in msg
    np.testing.assert_array_equal(t.array, np.ones((3, 4)))


def test_reduction_dim_out_of_range():
    with pytest.raises(IndexError) as ei:
        ones(3).sum(dim=2)
    assert "sum" in _msg(ei) and "2" in _msg(ei)
    with pytest.raises(IndexError, match="mean"):
        ones(2, 2).mean(axis=-3)


def test_shape_op_dim_errors():
    with pytest.raises(IndexError, match="unsqueeze"):
        ones(3).unsqueeze(5)
    with pytest.raises(IndexError, match="transpose"):
        ones(3, 4).transpose(0, 5)
    with pytest.raises(ValueError, match=re.escape("permute: dims (0, 0)")):
        ones(3, 4).permute(0, 0)


def test_item_and_bool_errors():
    with pytest.raises(ValueError, match="3 elements"):
        ones(3).item()
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(ones(3))


def test_requires_grad_on_integer_tensor():
    with pytest.raises(RuntimeError) as ei:
        tensor([1, 2], requires_grad=True)
    msg = _msg(ei)
    assert "floating point" in msg and "int64" in msg


def test_creation_with_negative_size():
    with pytest.raises(ValueError, match="non-negative"):
        autograd.zeros(-1)


def test_mean_of_integer_tensor():
    with pytest.raises(TypeError, match="floating point"):
        tensor([1, 2]).mean()


def test_inplace_errors_name_op_and_shapes():
    with pytest.raises(RuntimeError) as ei:
        autograd.zeros(3).add_(ones(2, 3))
    assert "add_" in _msg(ei) and "(2, 3)" in _msg(ei) and "(3,)" in _msg(ei)
    with pytest.raises(RuntimeError, match=r"add_.*float(32|64).*int64"):
        tensor([1, 2]).add_(1.5)


def test_backward_errors_name_shapes():
    x = ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=re.escape("(3,)")):
        (x * 2).backward()
    with pytest.raises(RuntimeError, match=re.escape("(2,)")):
        (x * 2).backward(gradient=ones(2))


def test_second_backward_error_names_the_node():
    x = ones(3, requires_grad=True)
    y = x.exp().sum()
    y.backward()
    with pytest.raises(RuntimeError) as ei:
        y.backward()
    assert "retain_graph=True" in _msg(ei)
    assert "Backward" in _msg(ei)


def test_unknown_device():
    with pytest.raises(ValueError, match="device"):
        autograd.device("tpu")
