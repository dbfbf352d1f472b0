"""autograd.testing: gradcheck, gradgradcheck and the Hypothesis strategies."""
from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

import autograd
from autograd.testing import (GradcheckError, GradcheckWarning, broadcastable_tensors, gradcheck, gradgradcheck,
                              tensors, valid_axes)

QUICK = settings(max_examples=20, deadline=None, derandomize=True, database=None)
FIND = settings(max_examples=200, deadline=None, derandomize=True, database=None)


def t64(data, requires_grad=True):
    return autograd.tensor(np.asarray(data, dtype=np.float64), requires_grad=requires_grad)


# -- custom Functions with known defects -------------------------------------------------------------------

class WrongMul(autograd.Function):
    """x * y whose gradient for y is doubled."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return g * y, g * x * 2


class TwoOutputs(autograd.Function):
    """(2x, x^2), with the gradient of the second output wrong (x instead of 2x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * 2, x * x

    @staticmethod
    def backward(ctx, g0, g1):
        (x,) = ctx.saved_tensors
        return g0 * 2 + g1 * x


class CubeDetached(autograd.Function):
    """x^3 with a correct first derivative that does not depend on x in the graph: second derivative lost."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (3 * x.detach() ** 2)


class CubeWrongSecond(autograd.Function):
    """x^3 whose first derivative is right in value (3x^2) but wrong to differentiate (3 x x0: d/dx is 3 x0, not 6x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x * x.detach()  # value 3x^2, but d/dx of it is 3 x0, not 6x


class NonzeroOnZero(autograd.Function):
    """x^2 whose backward invents a gradient when the upstream gradient is all zero."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        if not g.array.any():
            return x * 0 + 1
        return g * 2 * x


# -- gradcheck ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fn, inputs", [
    (lambda x: x.exp().sum(), (t64([0.5, -1.0, 2.0]),)),
    (lambda x, y: x * y + x / y, (t64([[1.0, 2.0], [3.0, 4.0]]), t64([0.5, -2.0]))),
    (lambda x: (x.tanh(), x.sum(), x * 3), (t64([0.1, 0.2]),)),  # several outputs
    (lambda x: autograd.max(x, 1), (t64([[1.0, 3.0], [4.0, 2.0]]),)),  # the integer indices output is skipped
    (lambda x, k: x * k, (t64(2.0), 3)),  # 0-d input, a non-Tensor argument passed through
    (lambda x, m: autograd.where(m, x, -x), (t64([1.0, 2.0]), autograd.tensor([True, False]))),
    (lambda x: x.softmax(-1), (t64([[1.0, 2.0, 3.0]]),)),
    (autograd.sin, t64([0.3, 0.4])),  # a single Tensor instead of a tuple
])
def test_gradcheck_passes_on_correct_functions(fn, inputs):
    assert gradcheck(fn, inputs) is True


def test_gradcheck_names_input_and_output_and_shows_both_jacobians():
    x, y = t64([1.0, 2.0]), t64([3.0, 4.0])
    with pytest.raises(GradcheckError) as info:
        gradcheck(WrongMul.apply, (x, y))
    msg = str(info.value)
    assert "output 0 with respect to input 1" in msg
    assert "numerical:" in msg and "analytical:" in msg
    numerical = msg.split("numerical:")[1].split("analytical:")[0]
    analytical = msg.split("analytical:")[1]
    # d(x*y)/dy = diag(x) = diag(1, 2); the wrong backward gives diag(2, 4)
    assert re.sub(r"\s+", " ", numerical).strip() == "[[1. 0.] [0. 2.]]"
    assert re.sub(r"\s+", " ", analytical).strip() == "[[2. 0.] [0. 4.]]"
    assert "max abs difference 2" in msg
    assert isinstance(info.value, AssertionError)


def test_gradcheck_names_the_wrong_output_of_several():
    with pytest.raises(GradcheckError, match="output 1 with respect to input 0"):
        gradcheck(TwoOutputs.apply, (t64([1.0, 2.0, 3.0]),))


def test_gradcheck_can_return_false():
    assert gradcheck(WrongMul.apply, (t64([1.0]), t64([2.0])), raise_exception=False) is False


def test_gradcheck_zero_upstream_gradient():
    x = t64([1.0, -2.0])
    with pytest.raises(GradcheckError, match="zero upstream gradient"):
        gradcheck(NonzeroOnZero.apply, (x,))
    assert gradcheck(NonzeroOnZero.apply, (x,), check_zero_grad=False)


def test_gradcheck_leaves_inputs_alone():
    x = t64([1.0, 2.0])
    before = x.array.copy()
    gradcheck(lambda t: (t * t).sum(), (x,))
    assert x.grad is None and np.array_equal(x.array, before) and x.is_leaf


def test_gradcheck_only_checks_inputs_that_require_grad():
    x, y = t64([1.0, 2.0]), t64([3.0, 4.0], requires_grad=False)
    # y's gradient is wrong, but y does not require grad: not checked
    assert gradcheck(WrongMul.apply, (x, y))


def test_gradcheck_checks_every_float_input_when_none_requires_grad():
    x, y = t64([1.0, 2.0], False), t64([3.0, 4.0], False)
    with pytest.raises(GradcheckError, match="input 1"):
        gradcheck(WrongMul.apply, (x, y))


def test_gradcheck_warns_on_float32_and_checks_in_float64():
    x = autograd.tensor(np.array([0.3, 0.7], dtype=np.float32), requires_grad=True)
    with pytest.warns(GradcheckWarning, match="float32"):
        assert gradcheck(lambda t: t.sigmoid(), (x,))


def test_gradcheck_without_float_inputs_is_an_error():
    with pytest.raises(ValueError, match="nothing to differentiate"):
        gradcheck(lambda t: t * 2, (autograd.tensor([1, 2]),))


def test_gradcheck_catches_a_broken_builtin_rule(monkeypatch):
    from autograd.ops.elementwise import Sin

    monkeypatch.setattr(Sin, "backward", lambda self, g, xs, out, F: (g * F.sin(xs[0]),))
    with pytest.raises(GradcheckError, match="output 0 with respect to input 0"):
        gradcheck(autograd.sin, (t64([0.3, 1.2]),))


# -- gradgradcheck -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("fn, inputs", [
    (lambda x: x.tanh() * x, (t64([0.5, -1.0, 2.0]),)),
    (lambda x, y: (x * y).sum() + (x / y).exp().sum(), (t64([0.1, 0.2]), t64([1.0, 2.0]))),
    (lambda x: (x.softmax(-1), x.log_softmax(-1)), (t64([[1.0, 2.0, 3.0]]),)),
    (lambda x: x.relu() * 2, (t64([1.0, -1.0]),)),  # piecewise linear: zero second derivative
    (lambda a, b: a @ b, (t64(np.arange(6.0).reshape(2, 3)), t64(np.ones((3, 2))))),
])
def test_gradgradcheck_passes_on_correct_functions(fn, inputs):
    assert gradgradcheck(fn, inputs) is True


def test_gradgradcheck_with_given_grad_outputs():
    x = t64([0.5, 1.5])
    assert gradgradcheck(lambda t: t ** 3, (x,), grad_outputs=(autograd.tensor([1.0, -2.0]),))
    with pytest.raises(ValueError, match="grad_outputs"):
        gradgradcheck(lambda t: t ** 3, (x,), grad_outputs=(t64([1.0]), t64([1.0])))


@pytest.mark.parametrize("fn_cls", [CubeDetached, CubeWrongSecond])
def test_gradgradcheck_catches_a_wrong_second_derivative(fn_cls):
    x = t64([0.5, -1.5, 2.0])
    assert gradcheck(fn_cls.apply, (x,))  # the first derivative is right
    with pytest.raises(GradcheckError) as info:
        gradgradcheck(fn_cls.apply, (x,))
    msg = str(info.value)
    # the gradient with respect to x (output 0 of the gradient function) disagrees in its dependence on x (input 0)
    assert "output 0 with respect to input 0" in msg
    assert "numerical:" in msg and "analytical:" in msg


def test_gradgradcheck_is_deterministic():
    x = t64([0.5, -1.5])
    msgs = []
    for _ in range(2):
        with pytest.raises(GradcheckError) as info:
            gradgradcheck(CubeDetached.apply, (x,))
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1]


# -- the README example --------------------------------------------------------------------------------

def my_softsign(x):
    return x / (1 + x.abs())


@QUICK
@given(tensors(shape=(3, 4)))
def test_readme_softsign_example(x):
    assert gradcheck(my_softsign, (x,))


# -- strategies ------------------------------------------------------------------------------------------------

@QUICK
@given(tensors())
def test_tensors_default(x):
    assert isinstance(x, autograd.Tensor) and x.dtype == np.float64 and x.requires_grad and x.is_leaf
    assert 0 <= x.ndim <= 3 and all(1 <= n <= 4 for n in x.shape)
    assert np.isfinite(x.array).all() and (np.abs(x.array) <= 3).all()


@QUICK
@given(tensors("float32", shape=(2, 5), min_value=0.5, max_value=1.0))
def test_tensors_float32_and_bounds(x):
    assert x.dtype == np.float32 and x.shape == (2, 5) and x.requires_grad
    assert ((x.array >= 0.5) & (x.array <= 1.0)).all()


@QUICK
@given(tensors("int64", min_value=-2, max_value=2), tensors("bool"))
def test_tensors_integer_and_bool_never_require_grad(i, b):
    assert i.dtype == np.int64 and not i.requires_grad and ((i.array >= -2) & (i.array <= 2)).all()
    assert b.dtype == np.bool_ and not b.requires_grad


@QUICK
@given(tensors(shape=st.sampled_from([(), (4,)]), elements=st.just(1.5), requires_grad=False))
def test_tensors_shape_strategy_elements_and_no_grad(x):
    assert x.shape in ((), (4,)) and (x.array == 1.5).all() and not x.requires_grad


def test_tensors_produce_0d_and_3d():
    assert find(tensors(), lambda x: x.ndim == 0, settings=FIND).shape == ()
    assert find(tensors(), lambda x: x.ndim == 3, settings=FIND).ndim == 3


@QUICK
@given(broadcastable_tensors(3, max_dims=2))
def test_broadcastable_tensors_broadcast(xs):
    assert len(xs) == 3 and all(isinstance(x, autograd.Tensor) and x.requires_grad for x in xs)
    shape = np.broadcast_shapes(*(x.shape for x in xs))
    assert (xs[0] + xs[1] + xs[2]).shape == shape
    assert all(x.ndim <= 2 for x in xs)


def test_broadcastable_tensors_shapes_differ_sometimes():
    xs = find(broadcastable_tensors(2), lambda xs: xs[0].shape != xs[1].shape and xs[0].ndim == xs[1].ndim,
              settings=FIND)
    assert xs[0].shape != xs[1].shape


@QUICK
@given(st.integers(0, 4).flatmap(lambda nd: st.tuples(st.just(nd), valid_axes(nd))))
def test_valid_axes_are_valid(case):
    nd, axis = case
    a = np.zeros((2,) * nd)
    np.sum(a, axis=axis)  # NumPy accepts it
    if nd == 0:
        assert not isinstance(axis, int)
    if isinstance(axis, tuple):
        assert len({ax % nd for ax in axis}) == len(axis)


def test_valid_axes_produce_every_form():
    assert find(valid_axes(3), lambda a: a is None, settings=FIND) is None
    assert isinstance(find(valid_axes(3), lambda a: isinstance(a, int) and a < 0, settings=FIND), int)
    assert len(find(valid_axes(3), lambda a: isinstance(a, tuple) and len(a) == 2, settings=FIND)) == 2
    assert find(valid_axes(3, allow_none=False, allow_int=False), lambda a: True, settings=FIND) == ()


def test_import_without_touching_hypothesis_is_possible():
    import autograd.testing as testing

    assert {"tensors", "broadcastable_tensors", "valid_axes"} <= set(dir(testing))
    with pytest.raises(AttributeError):
        testing.no_such_thing  # noqa: B018


def test_float32_warning_can_be_silenced():
    x = autograd.tensor(np.array([0.3], dtype=np.float32), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(GradcheckWarning):
            gradcheck(lambda t: t * 2, (x,))
        warnings.simplefilter("ignore", GradcheckWarning)
        assert gradcheck(lambda t: t * 2, (x,))
