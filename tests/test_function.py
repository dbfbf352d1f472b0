"""Custom ops: subclasses of autograd.Function."""
import gc
import weakref

import numpy as np
import pytest

import autograd
from autograd import tensor


def f64(data, requires_grad=False):
    return tensor(np.asarray(data, dtype=np.float64), requires_grad=requires_grad)


class Cube(autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x ** 2


class MyExp(autograd.Function):
    """Saves its output, as a real exp would."""

    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y


class ScaledMul(autograd.Function):
    """a * b * k with a non-tensor argument k; records needs_input_grad."""

    seen = None

    @staticmethod
    def forward(ctx, a, b, k):
        ScaledMul.seen = ctx.needs_input_grad
        ctx.k = k
        ctx.save_for_backward(a, b)
        return a * b * k

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga = g * b * ctx.k if ctx.needs_input_grad[0] else None
        gb = g * a * ctx.k if ctx.needs_input_grad[1] else None
        return ga, gb, None


class SplitScale(autograd.Function):
    """Two outputs: 2x and x^2."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * 2, x * x

    @staticmethod
    def backward(ctx, g_double, g_square):
        (x,) = ctx.saved_tensors
        return g_double * 2 + g_square * 2 * x


def test_forward_backward_and_node_name():
    x = f64([1.0, 2.0], requires_grad=True)
    y = Cube.apply(x)
    assert y.grad_fn is not None and y.grad_fn.name == "CubeBackward"
    assert "CubeBackward" in repr(y)
    np.testing.assert_array_equal(y.array, [1.0, 8.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.array, [3.0, 12.0])


def test_forward_runs_without_recording():
    inside = []

    class Probe(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            inside.append(autograd.is_grad_enabled())
            y = x * 2
            inside.append(y.requires_grad)
            return y

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = tensor([1.0], requires_grad=True)
    y = Probe.apply(x)
    assert inside == [False, False]
    assert y.requires_grad and y.grad_fn.name == "ProbeBackward"
    assert autograd.is_grad_enabled()


def test_composes_with_builtin_ops():
    x = f64([0.5, -1.0, 2.0], requires_grad=True)
    y = (Cube.apply(x.sin()) * 2).sum()
    y.backward()
    np.testing.assert_allclose(x.grad.array, 2 * 3 * np.sin(x.array) ** 2 * np.cos(x.array), rtol=1e-12)


def test_needs_input_grad_and_non_tensor_arguments():
    a = tensor([1.0, 2.0])
    b = tensor([3.0, 4.0], requires_grad=True)
    y = ScaledMul.apply(a, b, 2.0)
    assert ScaledMul.seen == (False, True, False)
    y.sum().backward()
    np.testing.assert_array_equal(b.grad.array, [2.0, 4.0])
    assert a.grad is None


def test_no_inputs_requiring_grad_gives_plain_result():
    y = Cube.apply(tensor([2.0]))
    assert not y.requires_grad and y.grad_fn is None
    np.testing.assert_array_equal(y.array, [8.0])
    x = tensor([2.0], requires_grad=True)
    with autograd.no_grad():
        z = Cube.apply(x)
    assert not z.requires_grad and z.grad_fn is None


def test_multiple_outputs():
    x = f64([1.0, 3.0], requires_grad=True)
    d, s = SplitScale.apply(x)
    np.testing.assert_array_equal(d.array, [2.0, 6.0])
    np.testing.assert_array_equal(s.array, [1.0, 9.0])
    assert d.requires_grad and s.requires_grad
    (d.sum() + (s * 10).sum()).backward()
    np.testing.assert_array_equal(x.grad.array, 2 + 10 * 2 * x.array)


def test_multiple_outputs_only_one_used():
    x = f64([1.0, 3.0], requires_grad=True)
    d, s = SplitScale.apply(x)
    s.sum().backward()  # the unused output's gradient arrives as zeros
    np.testing.assert_array_equal(x.grad.array, 2 * x.array)
    x.grad = None
    d, s = SplitScale.apply(x)
    d.sum().backward()
    np.testing.assert_array_equal(x.grad.array, [2.0, 2.0])


def test_saving_an_output():
    x = f64([0.0, 1.0, -2.0], requires_grad=True)
    y = MyExp.apply(x)
    (y * 3).sum().backward()
    np.testing.assert_allclose(x.grad.array, 3 * np.exp(x.array), rtol=1e-12)


def test_saved_tensors_after_backward_raise_retain_graph_error():
    x = f64([1.0], requires_grad=True)
    y = Cube.apply(x)
    y.sum().backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.sum().backward()
    x2 = f64([1.0], requires_grad=True)
    y2 = Cube.apply(x2)
    s = y2.sum()
    s.backward(retain_graph=True)
    s.backward()
    np.testing.assert_array_equal(x2.grad.array, [6.0])


def test_double_backward_through_a_custom_function():
    x = f64([1.0, 2.0, -0.5], requires_grad=True)
    y = Cube.apply(x).sum()
    (g,) = autograd.grad(y, x, create_graph=True)
    assert g.grad_fn is not None
    np.testing.assert_allclose(g.array, 3 * x.array ** 2)
    (h,) = autograd.grad(g.sum(), x, create_graph=True)
    np.testing.assert_allclose(h.array, 6 * x.array)
    (t,) = autograd.grad(h.sum(), x)
    np.testing.assert_allclose(t.array, [6.0, 6.0, 6.0])


def test_double_backward_through_a_function_that_saved_its_output():
    x = f64([0.3, -1.0], requires_grad=True)
    (g,) = autograd.grad(MyExp.apply(x).sum(), x, create_graph=True)
    (h,) = autograd.grad(g.sum(), x)
    np.testing.assert_allclose(h.array, np.exp(x.array), rtol=1e-12)


def test_inplace_change_of_saved_input_raises():
    x = f64([1.0, 2.0], requires_grad=True)
    h = x * 1
    y = Cube.apply(h)
    h.mul_(2.0)
    with pytest.raises(RuntimeError, match="CubeBackward") as ei:
        y.sum().backward()
    assert "in-place" in str(ei.value)


def test_inplace_change_of_saved_output_raises():
    x = f64([1.0, 2.0], requires_grad=True)
    y = MyExp.apply(x)
    s = y + 0  # AddBackward saves nothing: only MyExp's own check can catch it
    y.add_(1.0)
    with pytest.raises(RuntimeError, match="MyExpBackward"):
        s.sum().backward()


def test_backward_returning_wrong_count_or_shape_is_reported():
    class WrongCount(autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, g):
            return g

    class WrongShape(autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a.sum()

        @staticmethod
        def backward(ctx, g):
            return g

    a = tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="WrongCount.*1.*2"):
        WrongCount.apply(a, a).sum().backward()
    with pytest.raises(RuntimeError, match=r"WrongShape.*\(\).*\(2,\)"):
        WrongShape.apply(a).backward()


def test_forward_must_return_tensors():
    class ReturnsNumber(autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return 3.0

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(TypeError, match="ReturnsNumber"):
        ReturnsNumber.apply(tensor([1.0], requires_grad=True))


def test_returning_an_input_unchanged():
    class Identity(autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a

        @staticmethod
        def backward(ctx, g):
            return g * 5

    x = tensor([1.0, 2.0], requires_grad=True)
    y = Identity.apply(x)
    assert x.is_leaf and x.grad_fn is None  # the input keeps its identity as a leaf
    assert y.grad_fn.name == "IdentityBackward"
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.array, [5.0, 5.0])


def test_mark_non_differentiable():
    class SortWithIndex(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            idx = tensor(np.argsort(x.array))
            ctx.mark_non_differentiable(idx)
            ctx.idx = idx.array
            return x[idx], idx

        @staticmethod
        def backward(ctx, g, g_idx):
            out = np.zeros(g.shape, dtype=g.dtype)
            out[ctx.idx] = g.array
            return tensor(out)

    x = tensor([3.0, 1.0, 2.0], requires_grad=True)
    values, idx = SortWithIndex.apply(x)
    assert not idx.requires_grad
    np.testing.assert_array_equal(values.array, [1.0, 2.0, 3.0])
    (values * tensor([1.0, 10.0, 100.0])).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [100.0, 1.0, 10.0])


@pytest.mark.parametrize("fn", [Cube, MyExp], ids=["saves_input", "saves_output"])
def test_dropping_the_output_frees_the_node_without_the_cyclic_gc(fn):
    gc_was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        x = tensor([1.0, 2.0], requires_grad=True)
        y = fn.apply(x)
        node = weakref.ref(y.grad_fn)
        del y
        assert node() is None
    finally:
        if gc_was_enabled:
            gc.enable()


def test_dropping_multiple_outputs_frees_the_node_without_the_cyclic_gc():
    gc_was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        x = tensor([1.0, 2.0], requires_grad=True)
        d, s = SplitScale.apply(x)
        node = weakref.ref(d.grad_fn.parents[0])
        del d, s
        assert node() is None
    finally:
        if gc_was_enabled:
            gc.enable()


class PoisonGrad(autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 1

    @staticmethod
    def backward(ctx, g):
        return g * float("nan")


def _forward_with_bad_function(x):
    return PoisonGrad.apply(x) * 2  # the forward line anomaly mode must point at


def test_anomaly_mode_names_custom_function_and_shows_forward_traceback():
    x = tensor([1.0, 2.0], requires_grad=True)
    with autograd.detect_anomaly():
        y = _forward_with_bad_function(x).sum()
        with pytest.raises(RuntimeError) as ei:
            y.backward()
    msg = str(ei.value)
    assert "PoisonGradBackward" in msg
    assert "nan" in msg.lower()
    assert "_forward_with_bad_function" in msg
    assert "PoisonGrad.apply(x)" in msg


def test_nan_from_custom_function_without_anomaly_mode_passes_silently():
    x = tensor([1.0, 2.0], requires_grad=True)
    _forward_with_bad_function(x).sum().backward()
    assert np.isnan(x.grad.array).all()
