"""The reverse walk: graph shapes, accumulation, deep chains, memory release,
retain_graph, higher-order gradients and ``autograd.grad``."""
import gc
import math
import weakref

import numpy as np
import pytest

import autograd
from autograd import tensor


def f64(data, requires_grad=False):
    return tensor(np.asarray(data, dtype=np.float64), requires_grad=requires_grad)


# -- graph shapes ----------------------------------------------------------------

def test_fan_out_sums_gradients():
    x = tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * 2).sum() + (x * 3).sum() + x.exp().sum() + (x * x).sum()
    y.backward()
    expected = 2 + 3 + np.exp(x.array) + 2 * x.array
    np.testing.assert_allclose(x.grad.array, expected, rtol=1e-6)


def test_reused_input_x_times_x():
    x = tensor(3.0, requires_grad=True)
    (x * x).backward()
    assert x.grad.item() == 6.0
    x = tensor(2.0, requires_grad=True)
    (x * x * x).backward()
    assert x.grad.item() == 12.0


def test_diamond_graph():
    # x -> a, b -> c: dc/dx = da/dx * dc/da + db/dx * dc/db
    x = f64([0.5, -1.0], requires_grad=True)
    a = x.sin()
    b = x.exp()
    c = (a * b).sum()
    c.backward()
    xd = x.array
    np.testing.assert_allclose(x.grad.array, np.cos(xd) * np.exp(xd) + np.sin(xd) * np.exp(xd), rtol=1e-12)


def test_nested_diamonds_with_shared_intermediates():
    x = f64(1.3, requires_grad=True)
    h = x * x          # x^2
    a = h * 3          # 3x^2
    b = h.exp()        # e^(x^2)
    m = a + b
    n = m * h          # (3x^2 + e^(x^2)) x^2
    n.backward()
    xv = 1.3
    expected = (6 * xv + 2 * xv * math.exp(xv ** 2)) * xv ** 2 + (3 * xv ** 2 + math.exp(xv ** 2)) * 2 * xv
    assert x.grad.item() == pytest.approx(expected, rel=1e-12)


def test_broadcast_gradients_are_summed_back():
    x = tensor([[1.0, 2.0, 3.0]], requires_grad=True)   # (1, 3)
    b = tensor([[1.0], [2.0]], requires_grad=True)       # (2, 1)
    s = tensor(2.0, requires_grad=True)                  # ()
    ((x + b) * s).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [[4.0, 4.0, 4.0]])
    np.testing.assert_array_equal(b.grad.array, [[6.0], [6.0]])
    assert s.grad.item() == 21.0  # sum(x + b)
    assert x.grad.shape == x.shape and b.grad.shape == b.shape and s.grad.shape == ()


def test_constants_do_not_get_grad():
    x = tensor([1.0, 2.0], requires_grad=True)
    c = tensor([5.0, 6.0])
    (x * c).sum().backward()
    assert c.grad is None
    np.testing.assert_array_equal(x.grad.array, [5.0, 6.0])


def test_deep_chain_of_a_million_ops_does_not_recurse():
    gc_was_enabled = gc.isenabled()
    gc.disable()  # a million tracked nodes make the cyclic GC crawl; it is not needed here
    try:
        x = tensor(1.5, requires_grad=True)
        y = x
        first = None
        for _ in range(1_000_001):
            y = -y  # y = y * 1.0 style: one recorded op per step (Neg is the cheapest one)
            if first is None:
                first = weakref.ref(y.grad_fn)
        assert y.item() == -1.5
        y.backward()
        assert x.grad.item() == -1.0
        del y  # dropping a million-deep graph must not recurse either
        assert first() is None
    finally:
        if gc_was_enabled:
            gc.enable()


def test_deep_mul_chain():
    x = f64(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.00001
    y.backward()
    assert x.grad.item() == pytest.approx(1.00001 ** 100_000, rel=1e-9)


# -- accumulation and .grad ----------------------------------------------------------

def test_leaf_grad_accumulates_across_backward_calls():
    x = tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [3 + 2, 3 + 4])
    x.grad = None
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [3.0, 3.0])


def test_leaf_grads_are_independent_and_writable():
    x = tensor([1.0, 2.0], requires_grad=True)
    w = tensor([3.0, 4.0], requires_grad=True)
    (x + w).sum().backward()
    assert not np.shares_memory(x.grad.array, w.grad.array)
    x.grad.array[0] = 100.0  # writing one leaf's grad leaves the other alone
    assert w.grad.array[0] == 1.0
    with autograd.no_grad():
        x.grad.zero_()
    np.testing.assert_array_equal(x.grad.array, [0.0, 0.0])


def test_grad_does_not_alias_the_given_gradient():
    x = tensor([1.0, 2.0], requires_grad=True)
    g = tensor([1.0, 1.0])
    (x + 0).backward(g)
    assert not np.shares_memory(x.grad.array, g.array)
    g.array[0] = 50.0
    assert x.grad.array[0] == 1.0


def test_non_leaf_grad_stays_none_unless_retained():
    x = tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    k = x * 3
    k.retain_grad()
    assert k.retains_grad and not h.retains_grad
    ((h * h).sum() + (k * k).sum()).backward()
    with pytest.warns(UserWarning, match="not a leaf Tensor"):  # as PyTorch warns
        assert h.grad is None
    np.testing.assert_array_equal(k.grad.array, 2 * k.array)
    assert k.grad.grad_fn is None


def test_retain_grad_of_tensor_used_twice_gets_the_sum():
    x = tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    h.retain_grad()
    (h * 3 + h * 4).sum().backward()
    np.testing.assert_array_equal(h.grad.array, [7.0, 7.0])


def test_retained_grad_accumulates_across_backward_calls():
    # PyTorch: a retained non-leaf .grad accumulates exactly as a leaf's does
    x = tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    h.retain_grad()
    z = (h * h).sum()
    z.backward(retain_graph=True)
    np.testing.assert_array_equal(h.grad.array, [4.0, 8.0])
    z.backward()
    np.testing.assert_array_equal(h.grad.array, [8.0, 16.0])
    np.testing.assert_array_equal(x.grad.array, [16.0, 32.0])


@pytest.mark.parametrize("order", ["hook_first", "retain_first"])
def test_retained_grad_is_the_gradient_after_hooks(order):
    # PyTorch runs retain_grad after every other tensor hook, whatever the registration order
    x = tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    if order == "hook_first":
        h.register_hook(lambda g: g * 10)
        h.retain_grad()
    else:
        h.retain_grad()
        h.register_hook(lambda g: g * 10)
    h.sum().backward()
    np.testing.assert_array_equal(h.grad.array, [10.0, 10.0])
    np.testing.assert_array_equal(x.grad.array, [20.0, 20.0])


def test_backward_with_explicit_gradient():
    x = tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * x
    y.backward(gradient=tensor([1.0, 0.5, 0.0]))
    np.testing.assert_array_equal(x.grad.array, [2.0, 2.0, 0.0])


def test_backward_gradient_of_other_dtype_is_cast_to_leaf_dtype():
    x = tensor([1.0, 2.0], requires_grad=True)
    (x * 2).backward(gradient=tensor([1.0, 1.0], dtype="float64"))
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.array, [2.0, 2.0])


def test_backward_inputs_limits_accumulation():
    x = tensor([1.0, 2.0], requires_grad=True)
    w = tensor([3.0, 4.0], requires_grad=True)
    (x * w).sum().backward(inputs=[x])
    np.testing.assert_array_equal(x.grad.array, [3.0, 4.0])
    assert w.grad is None


def test_autograd_backward_several_roots():
    x = tensor(2.0, requires_grad=True)
    autograd.backward([x * 2, x * 3], [tensor(1.0), tensor(2.0)])
    assert x.grad.item() == 8.0


def test_backward_works_under_no_grad():
    x = tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    with autograd.no_grad():
        y.backward()
    np.testing.assert_array_equal(x.grad.array, [2.0, 4.0])


def test_mixed_precision_leaf_gets_its_own_dtype():
    x = tensor([1.0, 2.0], requires_grad=True)             # float32
    w = f64([3.0, 4.0], requires_grad=True)
    y = (x * w).sum()
    assert y.dtype == np.float64
    y.backward()
    assert x.grad.dtype == np.float32 and w.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad.array, [3.0, 4.0])


# -- errors at backward -----------------------------------------------------------------

def test_backward_on_non_scalar_without_gradient_says_what_to_do():
    x = tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="scalar") as ei:
        (x * 2).backward()
    msg = str(ei.value)
    assert "(3,)" in msg and "gradient" in msg


def test_backward_on_tensor_not_requiring_grad_is_helpful():
    with pytest.raises(RuntimeError, match="requires? grad") as ei:
        tensor([1.0, 2.0]).sum().backward()
    assert "requires_grad" in str(ei.value)
    x = tensor([1.0], requires_grad=True)
    with autograd.no_grad():
        y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="no_grad"):
        y.backward()


@pytest.mark.parametrize("bad", [np.ones(2), np.ones((3, 1)), np.ones(()), [[1.0, 1.0, 1.0]]])
def test_backward_gradient_of_wrong_shape_raises(bad):
    x = tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="shape") as ei:
        (x * 2).backward(gradient=tensor(bad))
    assert "(3,)" in str(ei.value)
    assert x.grad is None


# -- memory ---------------------------------------------------------------------------

def test_saved_arrays_are_released_after_backward():
    x = tensor([1.0, 2.0, 3.0], requires_grad=True)
    e = x.exp()
    saved = weakref.ref(e.array)   # the array ExpBackward keeps for backward
    y = e.sum()
    del e
    gc.collect()
    assert saved() is not None    # only the graph holds it now
    y.backward()
    assert saved() is None        # released by backward ...
    assert y.item() == pytest.approx(float(np.exp([1, 2, 3]).sum()), rel=1e-6)  # ... while the output lives
    np.testing.assert_allclose(x.grad.array, np.exp([1.0, 2.0, 3.0]), rtol=1e-6)


def test_multiplying_by_a_constant_keeps_nothing_of_the_tensor():
    # x * c needs only c for x's gradient (as PyTorch's MulBackward1): a chain of scalings holds no arrays
    x = tensor([1.0, 2.0, 3.0], requires_grad=True)
    z = ((x.exp() * 2.0) * 3.0).sum()
    assert _mul_kept(z) == 0      # no saved array, no version watched, in either MulBackward
    w = (x * x.exp()).sum()
    assert _mul_kept(w) == 4      # both factors want gradients: both kept and watched
    z.backward()
    np.testing.assert_allclose(x.grad.array, 6 * np.exp([1.0, 2.0, 3.0]))


def _mul_kept(z):
    from autograd.ops.arith import Mul

    count, stack = 0, [z.grad_fn]
    while stack:
        n = stack.pop()
        if isinstance(n, Mul):
            count += sum(hasattr(v, "shape") for v in n.saved) + len(n.vc or ()) // 2
        stack.extend(p for p in n.parents if p is not None and not hasattr(p, "data"))
    return count


def test_saved_arrays_are_kept_with_retain_graph():
    x = tensor([1.0, 2.0, 3.0], requires_grad=True)
    e = x.exp()
    saved = weakref.ref(e.array)
    y = e.sum()
    del e
    y.backward(retain_graph=True)
    gc.collect()
    assert saved() is not None
    y.backward()
    assert saved() is None


def _graph_nodes(t):
    nodes, stack, seen = [], [t.grad_fn], set()
    while stack:
        n = stack.pop()
        if n is None or isinstance(n, autograd.Tensor) or id(n) in seen:
            continue
        seen.add(id(n))
        nodes.append(n)
        stack.extend(n.parents)
    return nodes


def test_dropping_the_output_frees_the_graph_without_the_cyclic_gc():
    gc_was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        x = tensor([1.0, 2.0, 3.0], requires_grad=True)
        e = x.exp()
        arr = weakref.ref(e.array)
        h = e.tanh() * (x * 2).sin()
        h.retain_grad()
        h.register_hook(lambda g: g)
        y = (h * h).sum()
        del e, h
        refs = [weakref.ref(n) for n in _graph_nodes(y)]
        assert len(refs) >= 6 and arr() is not None
        del y
        assert all(r() is None for r in refs)
        assert arr() is None
    finally:
        if gc_was_enabled:
            gc.enable()


def test_graph_built_under_anomaly_mode_is_freed_without_gc():
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        x = tensor([1.0, 2.0], requires_grad=True)
        with autograd.detect_anomaly():
            y = x.exp().sum()
        r = weakref.ref(y.grad_fn)
        del y
        assert r() is None
    finally:
        if gc_was_enabled:
            gc.enable()


def test_second_backward_raises_with_retain_graph_hint():
    x = tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_retain_graph_allows_second_backward_and_doubles_grads():
    x = tensor([1.0, 2.0], requires_grad=True)
    w = tensor([0.5, -1.0], requires_grad=True)
    y = (x.exp() * w).sum()
    y.backward(retain_graph=True)
    gx, gw = x.grad.array.copy(), w.grad.array.copy()
    y.backward()
    np.testing.assert_allclose(x.grad.array, 2 * gx)
    np.testing.assert_allclose(w.grad.array, 2 * gw)


# -- higher order -------------------------------------------------------------------

@pytest.mark.parametrize("x0", [-1.5, -0.3, 0.0, 0.7, 2.0])
def test_third_derivative_of_tanh(x0):
    x = f64(x0, requires_grad=True)
    (d1,) = autograd.grad(x.tanh(), x, create_graph=True)
    (d2,) = autograd.grad(d1, x, create_graph=True)
    (d3,) = autograd.grad(d2, x)
    t = math.tanh(x0)
    s = 1 - t * t
    assert d1.item() == pytest.approx(s, abs=1e-12)
    assert d2.item() == pytest.approx(-2 * t * s, abs=1e-12)
    assert d3.item() == pytest.approx(-2 * s * s + 4 * t * t * s, abs=1e-12)
    assert d1.requires_grad and d2.requires_grad and not d3.requires_grad


def test_hessian_vector_product_of_mlp_matches_finite_differences():
    rng = np.random.default_rng(0)
    X = f64(rng.standard_normal((6, 3)))
    Y = f64(rng.standard_normal((6, 1)))
    init = [rng.standard_normal((3, 4)), rng.standard_normal(4), rng.standard_normal((4, 1)), rng.standard_normal(1)]
    vs = [rng.standard_normal(p.shape) for p in init]

    def loss(W1, b1, W2, b2):
        h = (X @ W1 + b1).tanh()
        return ((h @ W2 + b2 - Y) ** 2).mean()

    def grads_at(arrays):
        ps = [f64(a, requires_grad=True) for a in arrays]
        return [g.array for g in autograd.grad(loss(*ps), ps)]

    params = [f64(p, requires_grad=True) for p in init]
    gs = autograd.grad(loss(*params), params, create_graph=True)
    assert all(g.grad_fn is not None for g in gs)
    gv = sum((g * f64(v)).sum() for g, v in zip(gs, vs))
    hv = autograd.grad(gv, params)

    eps = 1e-6
    plus = grads_at([p + eps * v for p, v in zip(init, vs)])
    minus = grads_at([p - eps * v for p, v in zip(init, vs)])
    for h, a, b in zip(hv, plus, minus):
        np.testing.assert_allclose(h.array, (a - b) / (2 * eps), rtol=1e-5, atol=1e-7)
    assert all(p.grad is None for p in params)


def test_create_graph_gives_grad_with_a_grad_fn():
    x = f64([1.0, 2.0], requires_grad=True)
    (x ** 3).sum().backward(create_graph=True)
    assert x.grad.requires_grad and x.grad.grad_fn is not None
    np.testing.assert_allclose(x.grad.array, [3.0, 12.0])
    g = x.grad
    (gg,) = autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gg.array, [6.0, 12.0])


def test_create_graph_accumulation_is_differentiable():
    x = f64(2.0, requires_grad=True)
    (x ** 3).backward(create_graph=True)
    (x ** 2).backward(create_graph=True)
    assert x.grad.item() == pytest.approx(12.0 + 4.0)
    (gg,) = autograd.grad(x.grad, x)
    assert gg.item() == pytest.approx(12.0 + 2.0)


def test_second_derivative_through_many_ops():
    x = f64([0.3, 1.1], requires_grad=True)

    def f(t):
        return (t.sin() * t.exp() / (1 + t * t)).sum()

    (g,) = autograd.grad(f(x), x, create_graph=True)
    (h,) = autograd.grad(g.sum(), x)
    eps = 1e-5
    for i in range(2):
        xp = x.array.copy(); xp[i] += eps
        xm = x.array.copy(); xm[i] -= eps
        a = f64(xp, requires_grad=True)
        b = f64(xm, requires_grad=True)
        ga = autograd.grad(f(a), a)[0].array
        gb = autograd.grad(f(b), b)[0].array
        fd = (ga - gb) / (2 * eps)
        assert h.array[i] == pytest.approx(fd.sum(), rel=1e-6, abs=1e-8)


# -- autograd.grad ----------------------------------------------------------------------

def test_grad_does_not_touch_dot_grad():
    x = tensor([1.0, 2.0], requires_grad=True)
    w = tensor([3.0, 4.0], requires_grad=True)
    gx, gw = autograd.grad((x * w).sum(), [x, w])
    np.testing.assert_array_equal(gx.array, [3.0, 4.0])
    np.testing.assert_array_equal(gw.array, [1.0, 2.0])
    assert x.grad is None and w.grad is None
    x.grad = tensor([10.0, 10.0])
    autograd.grad((x * 2).sum(), x)
    np.testing.assert_array_equal(x.grad.array, [10.0, 10.0])


def test_grad_returns_a_tuple_for_a_single_input():
    x = tensor(2.0, requires_grad=True)
    r = autograd.grad(x * x, x)
    assert isinstance(r, tuple) and len(r) == 1 and r[0].item() == 4.0


def test_grad_allow_unused():
    x = tensor([1.0, 2.0], requires_grad=True)
    u = tensor([5.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="allow_unused"):
        autograd.grad((x * 2).sum(), [x, u])
    gx, gu = autograd.grad((x * 2).sum(), [x, u], allow_unused=True)
    np.testing.assert_array_equal(gx.array, [2.0, 2.0])
    assert gu is None
    gx, gu = autograd.grad((x * 2).sum(), [x, u], materialize_grads=True)
    np.testing.assert_array_equal(gu.array, [0.0])


def test_grad_with_respect_to_non_leaf():
    x = tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    z = (h * h).sum()
    (gh,) = autograd.grad(z, h, retain_graph=True)
    np.testing.assert_array_equal(gh.array, 2 * h.array)
    gh2, gx = autograd.grad(z, [h, x])
    np.testing.assert_array_equal(gh2.array, 2 * h.array)
    np.testing.assert_array_equal(gx.array, 18 * x.array)
    assert x.grad is None
    with pytest.warns(UserWarning, match="not a leaf Tensor"):
        assert h.grad is None


def test_grad_multiple_outputs_and_inputs():
    x = f64([1.0, 2.0], requires_grad=True)
    w = f64([3.0, -1.0], requires_grad=True)
    a = x * w
    b = x.exp()
    gx, gw = autograd.grad([a, b], [x, w], grad_outputs=[f64([1.0, 2.0]), f64([1.0, 0.0])])
    np.testing.assert_allclose(gx.array, [3.0 * 1 + math.e, -1.0 * 2])
    np.testing.assert_allclose(gw.array, [1.0, 4.0])
    # scalar outputs need no grad_outputs; their gradients add up
    (g,) = autograd.grad([(x * 2).sum(), (x * 3).sum()], x)
    np.testing.assert_array_equal(g.array, [5.0, 5.0])


def test_grad_same_input_twice():
    x = tensor([1.0, 2.0], requires_grad=True)
    g1, g2 = autograd.grad((x * x).sum(), [x, x])
    np.testing.assert_array_equal(g1.array, [2.0, 4.0])
    np.testing.assert_array_equal(g2.array, [2.0, 4.0])


def test_grad_frees_graph_unless_retained():
    x = tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    autograd.grad(y, x, retain_graph=True)
    (g,) = autograd.grad(y, x)
    np.testing.assert_array_equal(g.array, [2.0, 4.0])
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        autograd.grad(y, x)


def test_grad_input_must_require_grad():
    x = tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="requires? grad"):
        autograd.grad((x * 2).sum(), tensor([1.0]))


def test_grad_outputs_count_must_match():
    x = tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match="grad_outputs"):
        autograd.grad([(x * 2).sum()], [x], grad_outputs=[None, None])


def test_grad_non_scalar_output_without_grad_outputs_raises():
    x = tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="scalar"):
        autograd.grad(x * 2, x)


def test_grad_runs_leaf_hooks():
    x = tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: g * 3)
    (g,) = autograd.grad((x * 2).sum(), x)
    np.testing.assert_array_equal(g.array, [6.0, 6.0])


# -- smaller engine contracts --------------------------------------------------------

def test_single_element_non_0d_output_needs_no_gradient():
    x = tensor([2.0], requires_grad=True)
    (x * 3).backward()
    np.testing.assert_array_equal(x.grad.array, [3.0])
    w = tensor([[1.0, 2.0]], requires_grad=True)
    (w @ tensor([[1.0], [1.0]])).backward()  # shape (1, 1)
    np.testing.assert_array_equal(w.grad.array, [[1.0, 1.0]])


def test_backward_on_a_leaf_itself():
    x = tensor(2.0, requires_grad=True)
    x.backward()
    assert x.grad.item() == 1.0
    (g,) = autograd.grad(x, x)
    assert g.item() == 1.0


def test_detach_stops_the_gradient():
    x = tensor([1.0, 2.0], requires_grad=True)
    (x.detach() * x).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [1.0, 2.0])  # only the attached factor counts


def test_next_functions_point_at_parents():
    x = tensor([1.0, 2.0], requires_grad=True)
    h = x.exp()
    y = h * tensor([3.0, 4.0])
    nf = y.grad_fn.next_functions
    assert len(nf) == 2
    assert nf[0] is h.grad_fn and nf[1] is None
    assert h.grad_fn.next_functions[0] is x


def test_hook_returning_none_keeps_gradient():
    x = tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: None)
    (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [2.0, 2.0])


def test_hooks_apply_under_create_graph():
    x = f64([1.0, 2.0], requires_grad=True)
    h = x ** 2
    h.register_hook(lambda g: g * 3)
    (g,) = autograd.grad(h.sum(), x, create_graph=True)
    np.testing.assert_array_equal(g.array, [6.0, 12.0])
    assert g.grad_fn is not None
    (gg,) = autograd.grad(g.sum(), x)
    np.testing.assert_array_equal(gg.array, [6.0, 6.0])


def test_create_graph_retains_the_graph_by_default():
    x = f64(2.0, requires_grad=True)
    y = x ** 3
    autograd.grad(y, x, create_graph=True)
    (g,) = autograd.grad(y, x)
    assert g.item() == 12.0


def test_empty_tensors_backpropagate():
    x = autograd.zeros(0, 3, requires_grad=True)
    y = (x * 2).sum()
    assert y.item() == 0.0
    y.backward()
    assert x.grad.shape == (0, 3)


def test_repeated_index_gradients_accumulate():
    x = tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2]].sum().backward()
    np.testing.assert_array_equal(x.grad.array, [2.0, 0.0, 1.0])


def test_concurrent_backward_in_threads():
    import threading

    errors = []

    def work(seed):
        try:
            rng = np.random.default_rng(seed)
            for _ in range(100):
                a = f64(rng.standard_normal(5), requires_grad=True)
                (a.tanh() * a).sum().backward()
                t = np.tanh(a.array)
                np.testing.assert_allclose(a.grad.array, t + a.array * (1 - t * t), rtol=1e-12)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []


# -- non-finite gradients: PyTorch's values -------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_relu_blocks_nan_and_inf_gradients_where_the_input_was_not_positive(dtype):
    # PyTorch's threshold_backward gives exactly 0 there; a product with the mask would give NaN
    x = tensor(np.array([[-1.0, 0.0, 1.0], [2.0, -3.0, 4.0]], dtype), requires_grad=True)
    g = np.array([[np.nan, np.inf, np.nan], [-np.inf, -np.inf, 1.5]], dtype)
    x.relu().backward(tensor(g))
    want = np.array([[0.0, 0.0, np.nan], [-np.inf, 0.0, 1.5]], dtype)
    assert x.grad.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(x.grad.array, want)


def test_keep_where_matches_where_on_views_and_scalars():
    from autograd.backend import keep_where

    rng = np.random.default_rng(0)
    g = rng.standard_normal((5, 4)).T             # not contiguous
    keep = rng.random((4, 5)) > 0.5
    np.testing.assert_array_equal(keep_where(g, keep), np.where(keep, g, 0.0))
    wide = np.broadcast_to(np.float32(np.nan), (3, 3))  # a sum's gradient: stride 0, read-only
    np.testing.assert_array_equal(keep_where(wide, np.eye(3, dtype=bool)), np.where(np.eye(3), np.nan, 0).astype(np.float32))
    assert keep_where(np.float64(np.nan), np.bool_(False)) == 0.0  # 0-d: falls back to where
