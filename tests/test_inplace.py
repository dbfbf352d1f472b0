"""In-place ops: data, version counters, saved-tensor checks, leaves, history rebasing and views."""
import numpy as np
import pytest

import autograd
from autograd import tensor


def f64(data, requires_grad=False):
    return tensor(np.asarray(data, dtype=np.float64), requires_grad=requires_grad)


def _iadd(t, v):
    t += v
    return t


def _isub(t, v):
    t -= v
    return t


def _imul(t, v):
    t *= v
    return t


def _idiv(t, v):
    t /= v
    return t


def _setitem(t, v):
    t[1] = v
    return t


# (name, apply(t) -> t, expected data from [1, 2, 3])
PLAIN_CASES = [
    ("add_", lambda t: t.add_(2.0), [3.0, 4.0, 5.0]),
    ("add_ tensor", lambda t: t.add_(tensor([1.0, 1.0, 2.0])), [2.0, 3.0, 5.0]),
    ("sub_", lambda t: t.sub_(1.0), [0.0, 1.0, 2.0]),
    ("mul_", lambda t: t.mul_(3.0), [3.0, 6.0, 9.0]),
    ("div_", lambda t: t.div_(2.0), [0.5, 1.0, 1.5]),
    ("zero_", lambda t: t.zero_(), [0.0, 0.0, 0.0]),
    ("fill_", lambda t: t.fill_(7.0), [7.0, 7.0, 7.0]),
    ("copy_", lambda t: t.copy_(tensor([9.0, 8.0, 7.0])), [9.0, 8.0, 7.0]),
    ("copy_ numpy", lambda t: t.copy_(np.array([4.0, 5.0, 6.0])), [4.0, 5.0, 6.0]),
    ("+=", lambda t: _iadd(t, 1.0), [2.0, 3.0, 4.0]),
    ("-=", lambda t: _isub(t, 1.0), [0.0, 1.0, 2.0]),
    ("*=", lambda t: _imul(t, 2.0), [2.0, 4.0, 6.0]),
    ("/=", lambda t: _idiv(t, 4.0), [0.25, 0.5, 0.75]),
    ("setitem", lambda t: _setitem(t, 10.0), [1.0, 10.0, 3.0]),
    ("setitem slice", lambda t: t.__setitem__(slice(0, 2), tensor([5.0, 6.0])) or t, [5.0, 6.0, 3.0]),
    ("setitem mask", lambda t: t.__setitem__(t > 1.5, 0.0) or t, [1.0, 0.0, 0.0]),
]


@pytest.mark.parametrize("name,op,expected", PLAIN_CASES, ids=[c[0] for c in PLAIN_CASES])
def test_inplace_on_plain_tensor_changes_data_in_place_and_bumps_version(name, op, expected):
    t = tensor([1.0, 2.0, 3.0])
    buf = t.array
    v0 = t._version
    r = op(t)
    assert r is t
    assert t.array is buf  # the same memory was written
    np.testing.assert_array_equal(t.array, expected)
    assert t._version == v0 + 1
    assert not t.requires_grad and t.is_leaf
    assert t.dtype == np.float32


def test_inplace_keeps_other_references_in_sync():
    t = tensor([1.0, 2.0, 3.0])
    alias = t.numpy()
    t.mul_(2.0)
    np.testing.assert_array_equal(alias, [2.0, 4.0, 6.0])


def test_inplace_int_tensor_refuses_float_result():
    t = tensor([1, 2])
    with pytest.raises(RuntimeError, match="int64"):
        t.add_(1.5)
    assert t.tolist() == [1, 2]
    t.add_(1)
    assert t.tolist() == [2, 3]


def test_inplace_shape_mismatch_raises():
    t = autograd.zeros(3)
    with pytest.raises(RuntimeError, match=r"\(2, 3\).*\(3,\)"):
        t.add_(autograd.ones(2, 3))
    np.testing.assert_array_equal(t.array, [0.0, 0.0, 0.0])


# -- modified saved tensors ----------------------------------------------------------

def test_modified_saved_output_raises_naming_the_op_shape_and_versions():
    x = tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.exp()          # ExpBackward saves its output y
    s = y.sum()
    with autograd.no_grad():
        y.add_(1.0)
    with pytest.raises(RuntimeError) as ei:
        s.backward()
    msg = str(ei.value)
    assert "ExpBackward" in msg
    assert "(3,)" in msg
    assert "version 0" in msg and "version 1" in msg
    assert "in-place" in msg


def test_modified_saved_input_raises_naming_the_op():
    x = tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x * 2
    z = y.sin()          # SinBackward saves its input y
    y.mul_(2.0)
    y.add_(1.0)
    with pytest.raises(RuntimeError) as ei:
        z.sum().backward()
    msg = str(ei.value)
    assert "SinBackward" in msg and "(2, 2)" in msg
    assert "version 0" in msg and "version 2" in msg


def test_modifying_a_tensor_not_saved_is_fine():
    x = tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y + 1            # AddBackward saves nothing
    y.add_(10.0)
    z.sum().backward()
    np.testing.assert_array_equal(x.grad.array, [2.0, 2.0])


def test_modifying_a_detached_alias_is_detected():
    x = tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    d = y.detach()
    d.zero_()
    with pytest.raises(RuntimeError, match="ExpBackward"):
        y.sum().backward()


def test_self_multiplication_in_place_is_detected():
    # as PyTorch: y.mul_(y) saves y, which it then overwrites
    x = tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y.mul_(y)
    with pytest.raises(RuntimeError, match="in-place"):
        y.sum().backward()


# -- leaves --------------------------------------------------------------------------

LEAF_OPS = [
    ("add_", lambda t: t.add_(1.0)),
    ("sub_", lambda t: t.sub_(1.0)),
    ("mul_", lambda t: t.mul_(2.0)),
    ("div_", lambda t: t.div_(2.0)),
    ("zero_", lambda t: t.zero_()),
    ("fill_", lambda t: t.fill_(5.0)),
    ("copy_", lambda t: t.copy_(tensor([9.0, 9.0, 9.0]))),
    ("+=", lambda t: _iadd(t, 1.0)),
    ("-=", lambda t: _isub(t, 1.0)),
    ("*=", lambda t: _imul(t, 2.0)),
    ("/=", lambda t: _idiv(t, 2.0)),
    ("setitem", lambda t: _setitem(t, 0.0)),
]


@pytest.mark.parametrize("name,op", LEAF_OPS, ids=[c[0] for c in LEAF_OPS])
def test_inplace_on_leaf_requiring_grad_raises_before_changing_data(name, op):
    x = tensor([1.0, 2.0, 3.0], requires_grad=True)
    v0 = x._version
    with pytest.raises(RuntimeError, match="leaf") as ei:
        op(x)
    assert "no_grad" in str(ei.value)
    np.testing.assert_array_equal(x.array, [1.0, 2.0, 3.0])
    assert x._version == v0
    assert x.is_leaf and x.requires_grad and x.grad_fn is None


@pytest.mark.parametrize("name,op", LEAF_OPS, ids=[c[0] for c in LEAF_OPS])
def test_inplace_on_leaf_inside_no_grad_works(name, op):
    x = tensor([1.0, 2.0, 3.0], requires_grad=True)
    expected = op(tensor([1.0, 2.0, 3.0])).array.copy()
    v0 = x._version
    with autograd.no_grad():
        op(x)
    np.testing.assert_array_equal(x.array, expected)
    assert x._version == v0 + 1
    assert x.is_leaf and x.requires_grad and x.grad_fn is None
    (x * 2).sum().backward()  # still a usable leaf
    np.testing.assert_array_equal(x.grad.array, [2.0, 2.0, 2.0])


def test_sgd_style_update_in_no_grad():
    w = tensor([1.0, -2.0], requires_grad=True)
    for _ in range(3):
        loss = (w * w).sum()
        loss.backward()
        with autograd.no_grad():
            w -= 0.25 * w.grad
            w.grad.zero_()
    np.testing.assert_allclose(w.array, np.array([1.0, -2.0]) * 0.5 ** 3)
    np.testing.assert_array_equal(w.grad.array, [0.0, 0.0])


def test_inplace_on_non_leaf_inside_no_grad_keeps_history():
    x = tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    with autograd.no_grad():
        y.mul_(10.0)
    assert y.grad_fn.name == "MulBackward"
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.array, [2.0, 2.0, 2.0])


# -- rebasing history of a non-leaf ---------------------------------------------------

def test_add_on_non_leaf_rebases_history():
    x = tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y.add_(1)
    assert y.grad_fn.name == "AddBackward"
    np.testing.assert_array_equal(y.array, [3.0, 5.0, 7.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.array, [2.0, 2.0, 2.0])


def test_setitem_on_non_leaf_zeroes_the_gradient_there():
    x = tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y[0] = 0
    np.testing.assert_array_equal(y.array, [0.0, 4.0, 6.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.array, [0.0, 2.0, 2.0])


def test_setitem_with_a_value_requiring_grad():
    x = tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y[1:] = x[:2] * 10
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.array, [12.0, 10.0, 0.0])  # PyTorch: [12, 10, 0]


def test_inplace_into_plain_tensor_from_tensor_requiring_grad():
    w = tensor(5.0, requires_grad=True)
    y = autograd.zeros(3)
    y.add_(w)
    assert y.requires_grad and y.grad_fn is not None
    (y * tensor([1.0, 2.0, 3.0])).sum().backward()
    assert w.grad.item() == 6.0
    w2 = tensor(5.0, requires_grad=True)
    z = autograd.zeros(3)
    z[1] = w2
    (z * tensor([1.0, 2.0, 3.0])).sum().backward()
    assert w2.grad.item() == 2.0


def test_chain_of_additive_inplace_ops_on_non_leaf():
    x = tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y += 1
    y -= 3
    y.add_(x)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.array, [3.0, 3.0, 3.0])


# expected x.grad for y = x * 2; <op>(y); y.sum().backward() with x = [1, 2, 3], as PyTorch computes it
NON_LEAF_CASES = [
    ("add_", lambda y: y.add_(3.0), [2.0, 2.0, 2.0]),
    ("sub_", lambda y: y.sub_(3.0), [2.0, 2.0, 2.0]),
    ("mul_", lambda y: y.mul_(3.0), [6.0, 6.0, 6.0]),
    ("*=", lambda y: _imul(y, 3.0), [6.0, 6.0, 6.0]),
    ("div_", lambda y: y.div_(2.0), [1.0, 1.0, 1.0]),
    ("/=", lambda y: _idiv(y, 2.0), [1.0, 1.0, 1.0]),
    ("pow_", lambda y: y.pow_(2.0), [8.0, 16.0, 24.0]),
    ("exp_", lambda y: y.exp_(), list(2 * np.exp([2.0, 4.0, 6.0]))),
    ("clamp_", lambda y: y.clamp_(0.0), [2.0, 2.0, 2.0]),
    ("zero_", lambda y: y.zero_(), [0.0, 0.0, 0.0]),
    ("fill_", lambda y: y.fill_(3.0), [0.0, 0.0, 0.0]),
    ("copy_", lambda y: y.copy_(tensor([7.0, 7.0, 7.0])), [0.0, 0.0, 0.0]),
]


@pytest.mark.parametrize("name,op,expected", NON_LEAF_CASES, ids=[c[0] for c in NON_LEAF_CASES])
def test_inplace_on_non_leaf_gives_pytorch_gradients(name, op, expected):
    x = f64([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    op(y)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.array, expected, rtol=1e-12)


def test_copy_from_tensor_requiring_grad_routes_gradient_to_source():
    x = tensor([1.0, 2.0, 3.0], requires_grad=True)
    s = tensor([4.0, 5.0, 6.0], requires_grad=True)
    y = x * 2
    y.copy_(s)
    (y * y).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [0.0, 0.0, 0.0])  # PyTorch: zeros
    np.testing.assert_array_equal(s.grad.array, [8.0, 10.0, 12.0])


def test_inplace_on_non_leaf_then_further_ops():
    x = f64([1.0, 2.0], requires_grad=True)
    y = x.exp()
    z = y * 1          # MulBackward keeps only the 1; ExpBackward kept y itself (its output)
    y.add_(1)
    with pytest.raises(RuntimeError, match="ExpBackward"):
        z.sum().backward()


def test_mul_keeps_only_the_factor_the_gradient_reads():
    # as PyTorch: x * c reads only c for x's gradient, so x may change in place afterwards ...
    x = f64([1.0, 2.0], requires_grad=True)
    a = x * 1
    b = a * 3
    a.add_(1)
    b.sum().backward()
    np.testing.assert_array_equal(x.grad.array, [3.0, 3.0])
    # ... but a changed factor is caught, and the error names the op and both versions
    c = f64([1.0, 1.0])
    d = x * c
    c.add_(1)
    with pytest.raises(RuntimeError, match=r"MulBackward.*version 0.*version 1"):
        d.sum().backward()
    # a factor that wants its own gradient keeps the other one: both are checked
    u = x * 1
    w = u * x
    u.mul_(2)
    with pytest.raises(RuntimeError, match="MulBackward"):
        w.sum().backward()


# -- views -----------------------------------------------------------------------------

def test_views_share_version_counters():
    y = tensor([1.0, 2.0, 3.0, 4.0])
    v = y.reshape(2, 2)
    s = y[1:3]
    assert v._vc is y._vc and s._vc is y._vc
    assert np.shares_memory(v.array, y.array)
    v.mul_(3.0)
    np.testing.assert_array_equal(y.array, [3.0, 6.0, 9.0, 12.0])
    assert y._version == 1
    s.zero_()
    np.testing.assert_array_equal(y.array, [3.0, 0.0, 0.0, 12.0])
    assert y._version == 2 and v._version == 2


def test_which_results_share_the_version_counter():
    y = tensor([1.0, 2.0, 3.0, 4.0])
    for view in (y[1:], y[None], y.reshape(2, 2).T, y.expand(2, 4), y.detach()):
        assert view._vc is y._vc
    for copy in (y[[0, 1]], y.clone(), y * 1, tensor(y)):
        assert copy._vc is not y._vc
        copy.add_(1.0)
    assert y._version == 0
    np.testing.assert_array_equal(y.array, [1.0, 2.0, 3.0, 4.0])


def test_changing_the_base_invalidates_what_a_view_saved():
    x = tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    y = x * 2
    v = y.reshape(2, 2)
    w = v.sin()         # saves the view
    y.add_(1.0)         # changes the same memory
    with pytest.raises(RuntimeError, match="SinBackward"):
        w.sum().backward()


def test_changing_a_view_invalidates_what_the_base_saved():
    y = tensor([1.0, 2.0, 3.0, 4.0])
    x = tensor([1.0, 1.0, 1.0, 1.0], requires_grad=True)
    z = (x * y).sum()   # MulBackward saves y
    y.reshape(2, 2).mul_(2.0)
    with pytest.raises(RuntimeError, match="MulBackward"):
        z.backward()


def test_view_taken_before_base_changed_in_place_refuses_backward():
    # PyTorch rebases such a view's history onto the base's; denpa does not, so it must not return the
    # stale gradient (2) silently: backward through the view raises, naming the view op and the versions.
    x = tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    y = x * 2
    v = y.reshape(2, 2)
    y.mul_(3.0)
    np.testing.assert_array_equal(v.array, [[6.0, 12.0], [18.0, 24.0]])
    with pytest.raises(RuntimeError, match=r"ReshapeBackward.*view.*version 0.*version 1"):
        v.sum().backward()
    # taking the view after the change works
    x.grad = None
    y2 = x * 2
    y2.mul_(3.0)
    y2.reshape(2, 2).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [6.0, 6.0, 6.0, 6.0])
