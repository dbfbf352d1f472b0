"""Bad input is refused at the call with a message naming the op and the value; where PyTorch returns a
result at an edge (empty reductions, 0-d dims, zero spread), the same result. Regression tests for issue 12's
"accepted where it must be refused", "inplace=True", "unclear errors" and std/var edge items."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
import nn
from autograd.testing import gradgradcheck
from nn import functional as F


def t64(data, requires_grad=True):
    return autograd.tensor(np.asarray(data, dtype=np.float64), requires_grad=requires_grad)


# -- creation ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("data, exc, match", [
    (None, TypeError, r"tensor: cannot make a tensor from NoneType"),
    ("abc", TypeError, r"tensor: cannot make a tensor from str \('abc'\)"),
    ([object()], TypeError, r"tensor: cannot make a tensor from list holding object"),
    ([1.0, None], TypeError, r"holding NoneType"),
    ({1: 2}, TypeError, r"tensor: cannot make a tensor from dict"),
    ({1}, TypeError, r"from set"),
    (b"ab", TypeError, r"from bytes"),
    (2 ** 70, ValueError, r"tensor: the integer 1180591620717411303424 does not fit in int64"),
    ([2 ** 70], ValueError, r"does not fit in int64"),
    (2 ** 63, ValueError, r"tensor: the integer 9223372036854775808 does not fit in int64"),
    ([[1, 2], [3]], ValueError, r"tensor: cannot make a tensor of numbers from \[\[1, 2\], \[3\]\]"),
])
def test_tensor_refuses_what_is_not_numbers(data, exc, match):
    with pytest.raises(exc, match=match):
        autograd.tensor(data)


def test_tensor_refuses_bad_dtype_and_conversions():
    with pytest.raises(TypeError, match=r"tensor: dtype 'foo' is not a dtype"):
        autograd.tensor([1], dtype="foo")
    with pytest.raises(ValueError, match=r"tensor: cannot make a tensor of uint8 from \[300\]"):
        autograd.tensor([300], dtype="uint8")
    with pytest.raises(TypeError, match="from_numpy: can't convert an array of dtype object"):
        autograd.from_numpy(np.array([object()]))
    with pytest.raises(TypeError, match="requires_grad must be True or False"):
        autograd.tensor([1.0], requires_grad="a")


@pytest.mark.parametrize("fn", [autograd.randn, autograd.rand])
def test_random_floats_refuse_integer_dtypes(fn):
    # randn(dtype=int64) used to truncate every sample to 0 or +-1 silently
    with pytest.raises(TypeError, match=rf"{fn.__name__}: random samples need a floating dtype, got int64"):
        fn(3, dtype="int64")
    with pytest.raises(TypeError, match="randn: random samples need a floating dtype"):
        autograd.randn_like(autograd.tensor([1, 2]))


@pytest.mark.parametrize("call, exc, match", [
    (lambda: autograd.zeros(2.0), TypeError, r"zeros: size must be integers, got float 2.0"),
    (lambda: autograd.ones(True), TypeError, r"ones: size must be integers, got bool"),
    (lambda: autograd.empty(-1), ValueError, r"empty: sizes must be non-negative, got \(-1,\)"),
    (lambda: autograd.full((2,), "x"), TypeError, r"full: fill_value must be a number, got str 'x'"),
    (lambda: autograd.full((2,), [1, 2]), TypeError, r"full: fill_value must be a number, got list"),
    (lambda: autograd.arange(0, 10, 0), ValueError, r"arange: step must be nonzero"),
    (lambda: autograd.arange(10, 0), ValueError, r"arange: end=0 cannot be reached from start=10 with step=1"),
    (lambda: autograd.arange(float("nan")), ValueError, r"arange: end must be finite, got nan"),
    (lambda: autograd.arange(None), TypeError, r"arange: end must be a number, got NoneType"),
    (lambda: autograd.arange(0, 2.5, 0.5, dtype="int64"), ValueError, r"arange: .* not whole numbers"),
    (lambda: autograd.linspace(0, 1, -1), ValueError, r"linspace: number of steps must be non-negative"),
    (lambda: autograd.randint(5, 2, (3,)), ValueError, r"randint: low must be less than high"),
    (lambda: autograd.randint(2.5, (2,)), TypeError, r"randint: high must be an integer"),
    (lambda: autograd.randperm(-1), ValueError, r"randperm: n must be non-negative"),
    (lambda: autograd.eye(-1), ValueError, r"eye: n must be non-negative"),
    (lambda: autograd.zeros_like("a"), TypeError, r"zeros_like: expected a Tensor"),
])
def test_creation_arguments_are_checked(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_sizes_may_be_a_0d_integer_tensor():
    assert autograd.zeros(autograd.tensor(2)).shape == (2,)


# -- shapes ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape, exc, match", [
    ((-2, 3), ValueError, r"reshape: invalid size -2 at position 0 of \(-2, 3\)"),
    ((3, -5), ValueError, r"reshape: invalid size -5 at position 1 of \(3, -5\)"),
    ((-1, -1), ValueError, r"reshape: only one dimension can be inferred"),
    (("a",), TypeError, r"reshape: sizes must be integers, got str 'a'"),
    ((2.5,), TypeError, r"reshape: sizes must be integers, got float 2.5"),
    ((2, 3.0), TypeError, r"got float 3.0 at position 1"),
])
def test_view_and_reshape_refuse_invalid_sizes(shape, exc, match):
    x = autograd.arange(6.0)
    for f in (x.view, x.reshape):
        with pytest.raises(exc, match=match):
            f(*shape)


def test_shape_op_arguments_are_checked():
    x = autograd.ones(2, 3)
    with pytest.raises(ValueError, match=r"cat: zero-dimensional tensor \(at position 0\) cannot be concatenated"):
        autograd.cat([autograd.tensor(1.0), autograd.tensor(2.0)])
    with pytest.raises(TypeError, match="cat: expected a list or tuple of tensors, got a single Tensor"):
        autograd.cat(x)  # iterating it would have joined its rows
    with pytest.raises(TypeError, match="stack: expected a Tensor"):
        autograd.stack([autograd.ones(2), "a"])
    with pytest.raises(IndexError, match=r"permute: dimension -3 is out of range"):
        x.permute(-3, 0)  # was accepted as -3 % 2
    with pytest.raises(IndexError, match="flatten: dimension 5 is out of range"):
        x.flatten(5)  # was accepted as 5 % 2
    with pytest.raises(TypeError, match="unbind: dim must be an integer, got float 1.5"):
        x.unbind(1.5)  # was truncated to 1
    with pytest.raises(ValueError, match="split: expects at least a 1-dimensional tensor"):
        autograd.tensor(1.0).split(1)
    with pytest.raises(TypeError, match="pad: pad must be a tuple of integers"):
        autograd.pad(x, (1.5, 1))  # was truncated to 1


def test_0d_tensors_take_dims_0_and_minus_1_as_pytorch():
    s = autograd.tensor(2.0)
    assert s.transpose(0, 0).item() == 2.0 and s.flip(0).item() == 2.0 and s.flatten(0, 0).shape == (1,)


# -- reductions -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["sum", "mean", "prod", "amax", "amin", "logsumexp", "norm"])
@pytest.mark.parametrize("dim", [0, -1, (0,)])
def test_reducing_a_0d_tensor_over_dim_0_is_the_value(name, dim):
    x = t64(2.0)
    y = getattr(autograd, name)(x, dim=dim)
    assert y.shape == () and y.item() == 2.0
    (g,) = autograd.grad(y, x)
    assert g.item() == 1.0


def test_max_of_a_0d_tensor_over_dim_0():
    v, i = autograd.max(autograd.tensor(2.0), 0)
    assert v.item() == 2.0 and i.item() == 0 and i.dtype == np.int64


def test_reduction_dim_errors():
    x = autograd.ones(3)
    with pytest.raises(TypeError, match="sum: dim must be an integer, got str 'a'"):
        x.sum(dim="a")
    with pytest.raises(TypeError, match="sum: dim must be an integer, got float 1.5"):
        x.sum(dim=1.5)  # was truncated to 1, then out of range
    with pytest.raises(IndexError, match="sum: dimension 1 is out of range for a tensor of 0 dimensions"):
        autograd.tensor(2.0).sum(dim=1)
    with pytest.raises(TypeError, match="sum: keepdim must be True or False"):
        x.sum(0, keepdim="a")
    with pytest.raises(TypeError, match="max: the second argument must be a dim"):
        autograd.max(x, "a")


def test_empty_dim_list_reduces_everything_as_pytorch():
    x = autograd.tensor([[1.0], [2.0], [3.0]])
    assert x.sum(dim=[]).item() == 6.0 and x.mean(dim=()).item() == 2.0
    assert autograd.sum(x, axis=()).shape == (3, 1)  # NumPy's spelling keeps NumPy's meaning


@pytest.mark.parametrize("shape, dim", [((0,), 0), ((2, 0), 1), ((2, 0), 0), ((0, 2), 1)])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_over_empty_shapes_is_empty(name, shape, dim):
    x = autograd.ones(*shape, requires_grad=True)
    y = getattr(autograd, name)(x, dim=dim)
    assert y.shape == shape
    y.sum().backward()
    assert x.grad.shape == shape


def test_logsumexp_over_a_zero_length_axis_is_minus_inf():
    x = autograd.ones(2, 0, requires_grad=True)
    y = autograd.logsumexp(x, 1)
    assert y.shape == (2,) and y.tolist() == [-math.inf, -math.inf]
    y.sum().backward()
    assert x.grad.shape == (2, 0)
    assert autograd.logsumexp(autograd.ones(0), 0).item() == -math.inf
    assert autograd.logsumexp(autograd.ones(0, 2), 0).tolist() == [-math.inf, -math.inf]


@pytest.mark.parametrize("fn", [autograd.argmax, autograd.argmin, autograd.amax, autograd.max])
def test_arg_and_extreme_of_empty_say_so(fn):
    with pytest.raises(IndexError, match=r"an empty tensor of shape \(0,\)"):
        fn(autograd.ones(0))
    with pytest.raises(IndexError, match=r"along dim 0, which has size 0"):
        fn(autograd.ones(0, 2), dim=0)


def test_arg_and_extreme_along_a_nonempty_dim_of_an_empty_tensor_are_empty():
    assert autograd.argmax(autograd.ones(0, 2), dim=1).shape == (0,)
    assert autograd.amax(autograd.ones(0, 2), dim=1).shape == (0,)


def test_statistics_refuse_integers_as_pytorch():
    for fn in (autograd.var, autograd.std, autograd.norm, autograd.softmax):
        with pytest.raises(TypeError, match="input dtype should be floating point, got int64"):
            fn(autograd.tensor([1, 2]))
    assert autograd.logsumexp(autograd.tensor([1, 2]), 0).dtype == np.float32  # PyTorch: the default float


def test_std_gradient_at_zero_spread_is_zero_as_pytorch():
    x = t64([2.0, 2.0, 2.0])
    (g,) = autograd.grad(autograd.std(x), x, create_graph=True)
    assert g.tolist() == [0.0, 0.0, 0.0]  # was NaN
    (gg,) = autograd.grad(g.sum(), x)
    assert gg.tolist() == [0.0, 0.0, 0.0]
    rows = t64([[1.0, 1.0], [2.0, 3.0]])
    (g,) = autograd.grad(autograd.std(rows, dim=1).sum(), rows)
    np.testing.assert_allclose(g.array, [[0.0, 0.0], [-math.sqrt(0.5), math.sqrt(0.5)]])
    assert gradgradcheck(lambda t: autograd.std(t, dim=1), (t64([[1.0, 2.0], [0.5, 3.0]]),))


@pytest.mark.parametrize("fn", [autograd.var, autograd.std])
def test_var_and_std_over_one_element_are_nan_in_backward(fn):
    for data in ([1.0], 2.0):
        x = t64(data)
        y = fn(x)
        y.backward()  # var raised ZeroDivisionError here
        assert math.isnan(y.item()) and np.isnan(x.grad.array).all()
    x = t64([1.0])
    fn(x, correction=0).backward()
    assert x.grad.tolist() == [0.0]


# -- inplace=True --------------------------------------------------------------------------------------------

INPLACE = [("relu", lambda x, **k: F.relu(x, **k)), ("leaky_relu", lambda x, **k: F.leaky_relu(x, 0.2, **k)),
           ("elu", lambda x, **k: F.elu(x, 1.0, **k)), ("silu", lambda x, **k: F.silu(x, **k)),
           ("hardtanh", lambda x, **k: F.hardtanh(x, -0.5, 0.5, **k)), ("relu6", lambda x, **k: F.relu6(x, **k)),
           ("dropout_eval", lambda x, **k: F.dropout(x, 0.5, training=False, **k))]
DATA = [-1.0, 2.0, 0.25, -0.2, 7.0]


@pytest.mark.parametrize("name, fn", INPLACE, ids=[n for n, _ in INPLACE])
def test_inplace_writes_into_the_input_with_the_same_values_and_gradient(name, fn):
    expect = fn(t64(DATA, False))
    x = t64(DATA, False)
    v = x._version
    y = fn(x, inplace=True)
    assert y is x
    np.testing.assert_allclose(x.array, expect.array)
    if name != "dropout_eval":
        assert x._version > v
    w1, w2 = t64(DATA), t64(DATA)
    c = t64([1.0, 2.0, 3.0, 4.0, 5.0], False)
    (fn(w1 * 1.0) * c).sum().backward()
    (fn(w2 * 1.0, inplace=True) * c).sum().backward()
    np.testing.assert_allclose(w2.grad.array, w1.grad.array)


@pytest.mark.parametrize("name, fn", INPLACE[:-1], ids=[n for n, _ in INPLACE[:-1]])
def test_inplace_refuses_a_leaf_and_invalidates_saved_values(name, fn):
    with pytest.raises(RuntimeError, match=rf"{name}\(inplace=True\): a leaf Variable that requires grad"):
        fn(t64([-1.0, 2.0]), inplace=True)
    w = t64([-1.0, 2.0])
    x = w * 1.0
    z = x * x  # saves x
    fn(x, inplace=True)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        z.sum().backward()
    with autograd.no_grad():  # as a parameter update would
        assert fn(w, inplace=True) is w


def test_dropout_inplace_in_training_multiplies_the_input():
    w = autograd.ones(200, requires_grad=True)
    x = w * 1.0
    y = F.dropout(x, 0.5, inplace=True)
    assert y is x
    y.sum().backward()
    assert set(np.unique(w.grad.array)) <= {0.0, 2.0} and (w.grad.array == y.array).all()


@pytest.mark.parametrize("module", [nn.ReLU(inplace=True), nn.LeakyReLU(0.1, inplace=True), nn.ELU(inplace=True),
                                    nn.SiLU(inplace=True), nn.ReLU6(inplace=True), nn.Hardtanh(inplace=True),
                                    nn.Dropout(0.5, inplace=True)])
def test_inplace_modules_write_into_the_input(module):
    x = autograd.tensor([-1.0, 2.0, 7.0])
    assert module(x) is x


@pytest.mark.parametrize("fn, points", [(F.relu6, [0.0, 6.0]), (lambda t: F.hardtanh(t, -1.0, 1.0), [-1.0, 1.0])])
def test_hardtanh_and_relu6_gradients_are_zero_at_the_bounds_as_pytorch(fn, points):
    x = t64(points + [0.5])
    fn(x).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 1.0]  # clamp passed 1 at the bounds: relu6'(0) was 1


# -- nn argument checks --------------------------------------------------------------------------------------

@pytest.mark.parametrize("kw, exc, match", [
    ({"kernel_size": 0}, ValueError, r"Conv2d: kernel_size must be positive, got \(0, 0\)"),
    ({"kernel_size": (3, 0)}, ValueError, r"kernel_size must be positive, got \(3, 0\)"),
    ({"kernel_size": 3, "stride": 0}, ValueError, r"Conv2d: stride must be positive"),
    ({"kernel_size": 3, "dilation": 0}, ValueError, r"Conv2d: dilation must be positive"),
    ({"kernel_size": 3, "padding": -1}, ValueError, r"Conv2d: padding must be non-negative"),
    ({"kernel_size": 2.5}, TypeError, r"Conv2d: kernel_size must be an int or a tuple of 2 ints, got float 2.5"),
    ({"kernel_size": 3, "groups": 1.5}, TypeError, r"Conv2d: groups must be a positive integer, got float"),
])
def test_conv_layers_refuse_bad_geometry(kw, exc, match):
    with pytest.raises(exc, match=match):
        nn.Conv2d(1, 1, **kw)


def test_conv_and_linear_refuse_bad_sizes():
    with pytest.raises(TypeError, match="Conv2d: in_channels must be a positive integer, got NoneType"):
        nn.Conv2d(None, 1, 3)
    with pytest.raises(ValueError, match="ConvTranspose2d: output_padding"):
        nn.ConvTranspose2d(1, 1, 3, output_padding=3)
    with pytest.raises(ValueError, match=r"conv2d: kernel size must be positive, but the weight of shape \(1, 1, 0, 3\)"):
        F.conv2d(autograd.ones(1, 1, 5, 5), autograd.ones(1, 1, 0, 3))
    with pytest.raises(TypeError, match="Linear: in_features must be a non-negative integer, got NoneType None"):
        nn.Linear(None, 3)
    with pytest.raises(ValueError, match="Linear: out_features must be a non-negative integer, got -1"):
        nn.Linear(3, -1)
    with pytest.raises(TypeError, match="Dropout: p must be a number"):
        nn.Dropout("a")


# -- gradients and hooks ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, exc, match", [
    (lambda: autograd.ones(2), RuntimeError, r"assign a gradient of shape \(2,\) to a tensor of shape \(3,\)"),
    (lambda: autograd.ones(3, 1), RuntimeError, r"of shape \(3, 1\)"),
    (lambda: autograd.ones(3, dtype="float64"), RuntimeError, r"gradient of dtype float64 to a tensor of dtype float32"),
    (lambda: "a", TypeError, r"assigned grad expected to be a Tensor or None but got grad of type str"),
    (lambda: np.ones(3, np.float32), TypeError, r"got grad of type numpy.ndarray"),
])
def test_grad_assignment_is_checked(value, exc, match):
    x = autograd.ones(3, requires_grad=True)
    with pytest.raises(exc, match=match):
        x.grad = value()
    assert x.grad is None  # nothing was written
    x.grad = autograd.full((3,), 2.0)
    (x * 1).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0, 3.0]
    x.grad = None
    assert x.grad is None


def test_grad_cannot_be_the_tensor_itself():
    x = autograd.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="can't assign Variable as its own grad"):
        x.grad = x


@pytest.mark.parametrize("leaf", [True, False])
def test_hooks_returning_another_shape_dtype_or_type_say_so(leaf):
    for ret, exc, match in ((lambda g: g.sum(), RuntimeError, r"hook 'bad' has changed the size of the gradient: it "
                                                               r"returned shape \(\) for a gradient of shape \(3,\)"),
                            (lambda g: g.double(), RuntimeError, r"hook 'bad' has changed the type of the gradient"),
                            (lambda g: "a", TypeError, r"hook 'bad' returned a str")):
        x = autograd.ones(3, requires_grad=True)
        y = x * 2
        t = x if leaf else y

        def bad(g, ret=ret):
            return ret(g)

        t.register_hook(bad)
        with pytest.raises(exc, match=match):
            y.sum().backward()


# -- operands that are not numbers -------------------------------------------------------------------------------

def test_binary_ops_with_non_numbers_name_the_op():
    x = autograd.ones(2)
    with pytest.raises(TypeError, match=r"add: unsupported operand of <U1 data 'a'"):
        x + "a"
    with pytest.raises(TypeError, match=r"add: unsupported operand"):
        "a" + x
    with pytest.raises(TypeError, match=r"mul: unsupported operand of object data 'None'"):
        x * None
    with pytest.raises(TypeError, match=r"relu: expected a Tensor \(or numbers\), got NoneType None"):
        F.relu(None)
    with pytest.raises(TypeError, match=r"sigmoid: expected a Tensor"):
        autograd.sigmoid(None)  # was a NaN tensor
    with pytest.raises(TypeError, match=r"sum: expected a Tensor"):
        autograd.sum(None)


def test_int_tensor_to_a_negative_power_says_so():
    with pytest.raises(RuntimeError, match=r"pow: integers to negative integer powers are not allowed \(a int64 base"):
        autograd.tensor([1, 2]) ** -1
    assert (autograd.tensor([1, 2]).float() ** -1).tolist() == [1.0, 0.5]
