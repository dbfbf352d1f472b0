"""Tensor basics: attributes, conversions, repr, creation functions and dtype rules."""
import copy

import numpy as np
import pytest

import autograd
from autograd import Tensor, tensor


# -- attributes ------------------------------------------------------------------

def test_leaf_attributes():
    x = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    assert isinstance(x.array, np.ndarray)
    np.testing.assert_array_equal(x.array, [[1, 2, 3], [4, 5, 6]])
    assert x.grad is None
    assert x.requires_grad is True
    assert x.grad_fn is None
    assert x.is_leaf
    assert x.shape == (2, 3)
    assert x.ndim == 2 and x.dim() == 2
    assert x.size == 6 and x.numel() == 6
    assert x.size() == (2, 3) and x.size(0) == 2 and x.size(1) == 3 and x.size(-1) == 3
    assert x.dtype == np.float32
    assert x.device == "cpu" and str(x.device) == "cpu"
    assert x.T.shape == (3, 2)
    np.testing.assert_array_equal(x.T.array, x.array.T)


def test_non_leaf_attributes():
    x = tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    assert y.requires_grad and not y.is_leaf
    assert y.grad_fn is not None and y.grad_fn.name == "MulBackward"
    with pytest.warns(UserWarning, match="not a leaf Tensor"):  # as PyTorch warns
        assert y.grad is None
    z = tensor([1.0, 2.0]) * 2
    assert not z.requires_grad and z.is_leaf and z.grad_fn is None


def test_T_is_differentiable():
    x = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    w = tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    (x.T * w).sum().backward()
    np.testing.assert_array_equal(x.grad.array, w.array.T)


def test_item_and_conversions():
    assert tensor(3.5).item() == 3.5 and type(tensor(3.5).item()) is float
    assert tensor([[7]]).item() == 7 and type(tensor(7).item()) is int
    assert float(tensor([2.5])) == 2.5
    assert int(tensor(4)) == 4
    with pytest.raises(ValueError, match="3 elements"):
        tensor([1.0, 2.0, 3.0]).item()


def test_numpy_shares_memory_and_refuses_requires_grad():
    t = tensor([1.0, 2.0])
    a = t.numpy()
    assert isinstance(a, np.ndarray)
    a[0] = 10.0
    assert t.array[0] == 10.0
    x = tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="detach"):
        x.numpy()
    np.testing.assert_array_equal(x.detach().numpy(), [1.0, 2.0])


def test_tolist():
    assert tensor([[1.0, 2.0], [3.0, 4.0]]).tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert tensor(5.0).tolist() == 5.0
    assert tensor([1, 2]).tolist() == [1, 2]


def test_detach_shares_data_and_version_but_not_graph():
    x = tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    d = y.detach()
    assert d.is_leaf and not d.requires_grad and d.grad_fn is None
    assert np.shares_memory(d.array, y.array)
    d.array[0] = 100.0
    assert y.array[0] == 100.0
    before = y._version
    d.add_(1.0)
    assert y._version == before + 1  # a shared version counter


def test_requires_grad_():
    x = tensor([1.0, 2.0])
    assert x.requires_grad_() is x
    assert x.requires_grad
    x.requires_grad_(False)
    assert not x.requires_grad
    x.requires_grad = True
    assert x.requires_grad
    y = x * 2
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad_(False)


def test_retain_grad_requires_grad():
    with pytest.raises(RuntimeError, match="requires_grad"):
        tensor([1.0]).retain_grad()


def test_register_hook_observes_and_replaces_leaf_gradient():
    seen = []
    x = tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: seen.append(g.tolist()))
    (x * 3).sum().backward()
    assert seen == [[3.0, 3.0]]
    np.testing.assert_array_equal(x.grad.array, [3.0, 3.0])

    x = tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: g * 2)
    x.register_hook(lambda g: g + 1)  # hooks chain in registration order
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [7.0, 7.0])


def test_register_hook_removal():
    x = tensor([1.0, 2.0], requires_grad=True)
    h = x.register_hook(lambda g: g * 100)
    h.remove()
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [3.0, 3.0])


def test_hook_on_leaf_used_twice_sees_the_total():
    calls = []
    x = tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: calls.append(g.tolist()))
    (x * 3 + x * 4).sum().backward()
    assert calls == [[7.0, 7.0]]


def test_register_hook_on_non_leaf_replaces_gradient_flowing_on():
    x = tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    h.register_hook(lambda g: g * 10)
    (h * 1).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [20.0, 20.0])


def test_register_hook_needs_requires_grad():
    with pytest.raises(RuntimeError, match="require"):
        tensor([1.0]).register_hook(lambda g: g)


def test_len_and_iter():
    t = tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    assert len(t) == 3
    rows = list(t)
    assert len(rows) == 3 and all(isinstance(r, Tensor) for r in rows)
    assert [r.tolist() for r in rows] == [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    with pytest.raises(TypeError):
        len(tensor(1.0))
    with pytest.raises(TypeError):
        iter(tensor(1.0))


def test_iteration_is_differentiable():
    x = tensor([1.0, 2.0, 3.0], requires_grad=True)
    total = None
    for i, xi in enumerate(x):
        term = xi * (i + 1)
        total = term if total is None else total + term
    total.backward()
    np.testing.assert_array_equal(x.grad.array, [1.0, 2.0, 3.0])


def test_bool_of_multi_element_is_ambiguous():
    assert bool(tensor([1.0]))
    assert not bool(tensor(0.0))
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(tensor([1.0, 2.0]))


def test_deepcopy_of_leaf():
    x = tensor([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward()
    c = copy.deepcopy(x)
    assert c is not x and c.requires_grad and not np.shares_memory(c.array, x.array)
    np.testing.assert_array_equal(c.grad.array, x.grad.array)
    with pytest.raises(RuntimeError):
        copy.deepcopy(x * 2)


# -- repr -----------------------------------------------------------------------

def test_repr_like_pytorch():
    assert repr(tensor([1.0, 2.0], requires_grad=True)) == "tensor([1., 2.], requires_grad=True)"
    assert repr(tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(tensor(3.0)) == "tensor(3.)"
    assert repr(tensor([1, 2])) == "tensor([1, 2])"
    x = tensor([1.0, 2.0], requires_grad=True)
    assert repr(x * 2) == "tensor([2., 4.], grad_fn=<MulBackward>)"
    assert repr((x * 2).sum()) == "tensor(6., grad_fn=<SumBackward>)"
    assert repr(x + 1) == "tensor([2., 3.], grad_fn=<AddBackward>)"


def test_repr_shows_non_default_dtype():
    r = repr(tensor([1.0, 2.0], dtype="float64"))
    assert r.startswith("tensor([1., 2.]") and "float64" in r
    r = repr(tensor([1.0, 2.0], dtype="float64", requires_grad=True))
    assert "float64" in r and "requires_grad=True" in r
    assert "int32" in repr(tensor([1, 2], dtype="int32"))
    assert "float32" not in repr(tensor([1.0]))


def test_str_equals_repr():
    x = tensor([0.5, 1.5], requires_grad=True)
    assert str(x) == repr(x)


# -- creation -------------------------------------------------------------------

def test_tensor_copies_its_input():
    a = np.array([1.0, 2.0])
    t = tensor(a)
    a[0] = 99.0
    assert t.array[0] == 1.0
    t2 = tensor(t)
    t2.array[1] = -1.0
    assert t.array[1] == 2.0


def test_from_numpy_shares_memory_and_keeps_dtype():
    a = np.arange(3.0)
    t = autograd.from_numpy(a)
    assert t.dtype == np.float64
    a[0] = 7.0
    assert t.array[0] == 7.0
    t.array[2] = -1.0
    assert a[2] == -1.0
    with pytest.raises(TypeError):
        autograd.from_numpy([1.0, 2.0])


def test_filled_creation():
    z = autograd.zeros(2, 3)
    assert z.shape == (2, 3) and z.dtype == np.float32 and not z.array.any()
    assert autograd.zeros((2, 3)).shape == (2, 3)
    o = autograd.ones(4, dtype="float64")
    assert o.dtype == np.float64 and o.tolist() == [1.0] * 4
    f = autograd.full((2, 2), 3.0)
    assert f.dtype == np.float32 and f.tolist() == [[3.0, 3.0], [3.0, 3.0]]
    assert autograd.full((2,), 3).dtype == np.int64
    assert autograd.full((2,), True).dtype == np.bool_
    e = autograd.empty(3, 2)
    assert e.shape == (3, 2) and e.dtype == np.float32
    i = autograd.eye(3)
    np.testing.assert_array_equal(i.array, np.eye(3))
    assert i.dtype == np.float32
    assert autograd.eye(2, 3).shape == (2, 3)
    r = autograd.zeros(2, requires_grad=True)
    assert r.requires_grad and r.is_leaf


def test_ranges():
    a = autograd.arange(5)
    assert a.dtype == np.int64 and a.tolist() == [0, 1, 2, 3, 4]
    assert autograd.arange(2, 8, 2).tolist() == [2, 4, 6]
    b = autograd.arange(0.0, 1.0, 0.25)
    assert b.dtype == np.float32 and b.tolist() == [0.0, 0.25, 0.5, 0.75]
    ls = autograd.linspace(0, 1, 5)
    assert ls.dtype == np.float32
    np.testing.assert_allclose(ls.array, [0, 0.25, 0.5, 0.75, 1.0])


def test_random_creation_shapes_and_ranges():
    autograd.manual_seed(123)
    r = autograd.rand(1000)
    assert r.dtype == np.float32 and r.shape == (1000,)
    assert (r.array >= 0).all() and (r.array < 1).all()
    n = autograd.randn(2000)
    assert n.dtype == np.float32
    assert abs(float(n.array.mean())) < 0.15 and 0.85 < float(n.array.std()) < 1.15
    k = autograd.randint(3, 7, (500,))
    assert k.dtype == np.int64 and k.array.min() >= 3 and k.array.max() <= 6
    assert set(k.array.tolist()) == {3, 4, 5, 6}
    k2 = autograd.randint(5, (4, 2))
    assert k2.shape == (4, 2) and k2.array.max() < 5
    assert autograd.randn(3, requires_grad=True).requires_grad


def test_manual_seed_reproducibility():
    autograd.manual_seed(7)
    a = (autograd.rand(5), autograd.randn(2, 3), autograd.randint(0, 100, (4,)))
    autograd.manual_seed(7)
    b = (autograd.rand(5), autograd.randn(2, 3), autograd.randint(0, 100, (4,)))
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u.array, v.array)
    autograd.manual_seed(8)
    c = autograd.rand(5)
    assert not np.array_equal(a[0].array, c.array)


def test_like_functions():
    x = tensor([[1.0, 2.0, 3.0]], dtype="float64", requires_grad=True)
    for fn in (autograd.zeros_like, autograd.ones_like, autograd.empty_like, autograd.rand_like, autograd.randn_like):
        t = fn(x)
        assert t.shape == (1, 3) and t.dtype == np.float64 and not t.requires_grad
    assert autograd.zeros_like(x).tolist() == [[0.0, 0.0, 0.0]]
    assert autograd.ones_like(x).tolist() == [[1.0, 1.0, 1.0]]
    f = autograd.full_like(x, 2.5)
    assert f.tolist() == [[2.5, 2.5, 2.5]] and f.dtype == np.float64
    assert autograd.zeros_like(x, dtype="float32").dtype == np.float32
    assert autograd.ones_like(x, requires_grad=True).requires_grad
    ri = autograd.randint_like(autograd.zeros(10, dtype="int64"), 0, 3)
    assert ri.shape == (10,) and ri.array.max() < 3


# -- dtype rules -------------------------------------------------------------------

def test_python_floats_give_float32():
    assert tensor(1.5).dtype == np.float32
    assert tensor([1.0, 2.0]).dtype == np.float32
    assert tensor([[1, 2.5]]).dtype == np.float32
    assert tensor([1, 2]).dtype == np.int64
    assert tensor([True, False]).dtype == np.bool_


def test_float64_arrays_stay_float64():
    x = tensor(np.array([1.0, 2.0]), requires_grad=True)
    assert x.dtype == np.float64
    y = (x * 2.5 + 1).exp().sum()
    assert y.dtype == np.float64
    y.backward()
    assert x.grad.dtype == np.float64


@pytest.mark.parametrize("shape", [(), (3,), (2, 2)])
def test_float32_times_python_float_stays_float32(shape):
    x = autograd.ones(*shape, requires_grad=True)
    for y in (x * 2.5, 2.5 * x, x + 0.1, x - 0.1, x / 3.0, 1.0 / x, x ** 2.0):
        assert y.dtype == np.float32, y
    y = (x * 2.5).sum()
    y.backward()
    assert x.grad.dtype == np.float32


def test_int_and_bool_tensors_work_forward():
    a = tensor([1, 2, 3])
    assert (a + 1).tolist() == [2, 3, 4] and (a + 1).dtype == np.int64
    assert (a * a).tolist() == [1, 4, 9]
    assert a.sum().item() == 6
    b = tensor([True, False, True])
    assert b.sum().item() == 2
    assert (~b).tolist() == [False, True, False]
    assert (a > 1).tolist() == [False, True, True]
    assert not (a * 2).requires_grad


@pytest.mark.parametrize("make", [
    lambda: tensor([1, 2], requires_grad=True),
    lambda: tensor([True], requires_grad=True),
    lambda: tensor([1, 2]).requires_grad_(),
    lambda: autograd.zeros(3, dtype="int64", requires_grad=True),
    lambda: autograd.arange(3, requires_grad=True),
])
def test_requires_grad_on_int_or_bool_raises_clearly(make):
    with pytest.raises(RuntimeError, match="floating point"):
        make()


def test_int_tensor_times_python_float_gives_default_float():
    # PyTorch: torch.tensor([1, 2]) * 2.5 -> float32 (the default float dtype), and int / int -> float32
    a = tensor([1, 2])
    assert (a * 2.5).dtype == np.float32
    assert (a / 2).dtype == np.float32


def test_numpy_scalar_is_weak_like_a_python_number():
    # PyTorch treats NumPy scalars as Python numbers: torch.ones(2) * np.float64(2.5) is float32
    x = autograd.ones(2)
    assert (x * np.float64(2.5)).dtype == np.float32
    assert (autograd.ones(()) * np.float64(2.5)).dtype == np.float32


def test_zero_dim_tensor_does_not_upcast_a_dimensioned_one():
    # PyTorch: torch.ones(2) * torch.tensor(2.5, dtype=torch.float64) is float32,
    # while two 0-d tensors promote normally.
    assert (autograd.ones(2) * tensor(2.5, dtype="float64")).dtype == np.float32
    assert (tensor(1.0) * tensor(2.5, dtype="float64")).dtype == np.float64


def test_cast_is_differentiable():
    x = tensor([1.0, 2.0], requires_grad=True)
    y = x.double()
    assert y.dtype == np.float64 and y.requires_grad
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.array, [2.0, 4.0])


# -- split and unbind: one node for all the pieces ----------------------------------------------------

def test_unbind_and_split_send_zeros_to_unused_pieces():
    x = autograd.tensor(np.arange(12.0).reshape(3, 4), dtype=autograd.float64, requires_grad=True)
    rows = x.unbind(0)
    assert [tuple(r.shape) for r in rows] == [(4,)] * 3
    assert rows[0].grad_fn.name == "SelectBackward" and rows[0].grad_fn.parents[0].name == "UnbindBackward"
    (rows[2] * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [[0.0] * 4, [0.0] * 4, [2.0] * 4])
    x.grad = None
    a, b = x.split([1, 3], dim=1)
    (b * b).sum().backward()
    want = 2 * np.arange(12.0).reshape(3, 4)
    want[:, 0] = 0
    np.testing.assert_array_equal(x.grad.array, want)
    assert x.grad.dtype == np.float64


def test_unbind_gradient_is_collected_once_for_a_long_sequence():
    # an RNN unbinds its whole input: the pieces' gradients are gathered into one array, not one per piece
    from autograd.function import MultiGrad

    x = autograd.randn(300, 2, requires_grad=True)
    parts = x.unbind(0)
    total = parts[0]
    for p in parts[1:]:
        total = total + p
    node = parts[0].grad_fn.parents[0]
    seen = []
    real = type(node).backward

    def spy(self, g, xs, out, F):
        seen.append(g)
        return real(self, g, xs, out, F)

    type(node).backward = spy
    try:
        total.sum().backward()
    finally:
        type(node).backward = real
    assert len(seen) == 1 and isinstance(seen[0], MultiGrad) and len(seen[0].slots) == 300
    np.testing.assert_array_equal(x.grad.array, np.ones((300, 2), np.float32))


def test_unbind_pieces_are_views_that_see_in_place_changes_of_the_base():
    x = autograd.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x * 1
    first, _ = y.unbind(0)
    y.add_(1)
    with pytest.raises(RuntimeError, match="view"):
        first.sum().backward()
    with autograd.no_grad():
        a, b = x.unbind(1)
    assert a.grad_fn is None and not a.requires_grad
    np.testing.assert_array_equal(a.array, [1.0, 3.0])


def test_unbind_of_a_0d_tensor_says_what_to_do():
    with pytest.raises(ValueError, match="unbind: a 0-d tensor"):
        autograd.tensor(1.0).unbind()
