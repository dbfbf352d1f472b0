"""Large op results and gradients in the buffer pool (autograd/buffers.py): the values are NumPy's own, bit for
bit; a result anyone still holds (a Tensor, its .numpy() view, a .grad, a saved value) is never handed out
again; a gradient the caller or another leaf can see is never a leaf's .grad; a repeated step allocates no fresh
large arrays; and the cases the pool does not take (integers, mixed dtypes, bad shapes) behave as before."""
from __future__ import annotations

import threading
import tracemalloc

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd.buffers import buffers

RNG = np.random.default_rng(5)
BIG = (256, 300)  # 300 KB in float32: over the pool's min_bytes


def _arr(shape=BIG, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def _is_pooled(a):
    base = a.base
    while base is not None and base.base is not None:
        base = base.base
    return base is not None and base.dtype == np.uint8


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,fn,ref", [
    ("add", lambda a, b: a + b, np.add), ("sub", lambda a, b: a - b, np.subtract),
    ("mul", lambda a, b: a * b, np.multiply), ("div", lambda a, b: a / b, np.true_divide),
])
def test_binary_results_are_numpys_and_pooled(dtype, name, fn, ref):
    a, b, row = _arr(dtype=dtype), _arr(dtype=dtype), _arr((BIG[1],), dtype)
    for x, y in ((a, b), (a, row), (row, a), (a, 1.5), (2, a)):
        got = fn(autograd.tensor(x), autograd.tensor(y) if isinstance(y, np.ndarray) else y).numpy()
        want = ref(x, y)
        assert got.dtype == want.dtype and got.shape == want.shape
        assert np.array_equal(got, want, equal_nan=True), name
        assert _is_pooled(got)


def test_cases_the_pool_leaves_alone():
    a32, a64, ints = _arr(), _arr(dtype=np.float64), RNG.integers(0, 9, BIG)
    mixed = (autograd.tensor(a32) + autograd.tensor(a64)).numpy()  # promoted to one dtype first: as NumPy's
    assert mixed.dtype == np.float64 and np.array_equal(mixed, a32 + a64)
    raw = buffers.binary(np.add, a32, a64)  # the pool itself never guesses a promotion
    assert raw is None
    div = (autograd.tensor(ints) / 2).numpy()  # integer true division: the default float, as before
    assert div.dtype == np.float32 and np.allclose(div, ints / 2)
    summed = (autograd.tensor(ints) + 1).numpy()
    assert summed.dtype == np.int64 and np.array_equal(summed, ints + 1) and not _is_pooled(summed)
    with pytest.raises(ValueError, match="add"):  # shapes that do not broadcast: the op's own error
        autograd.tensor(a32) + autograd.tensor(_arr((7,)))
    small = (autograd.tensor(np.ones(4, np.float32)) * 3).numpy()
    assert not _is_pooled(small)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_other_pooled_ops_match_their_formulas(dtype):
    x, w = _arr(dtype=dtype), _arr((BIG[1], 300), dtype)
    t = autograd.tensor(x)
    checks = [
        (t.exp(), np.exp(x)), (t.tanh(), np.tanh(x)), (F.relu(t), np.maximum(x, 0)),
        (t @ autograd.tensor(w), x @ w), (t.clone(), x.copy()),
        (F.softmax(t, dim=1), None), (F.log_softmax(t, dim=1), None),
    ]
    for got, want in checks:
        g = got.numpy()
        assert _is_pooled(g)
        if want is not None:
            assert np.array_equal(g, want)
    e = np.exp(x - x.max(axis=1, keepdims=True))
    assert np.array_equal(F.softmax(t, dim=1).numpy(), e / e.sum(axis=1, keepdims=True))
    z = x - x.max(axis=1, keepdims=True)
    assert np.array_equal(F.log_softmax(t, dim=1).numpy(), z - np.log(np.exp(z).sum(axis=1, keepdims=True)))


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_and_its_gradient_are_unchanged_by_the_in_place_steps(approximate):
    x = _arr(dtype=np.float64)
    g = _arr(dtype=np.float64)
    t = autograd.tensor(x, requires_grad=True)
    y = F.gelu(t, approximate=approximate)
    y.backward(autograd.tensor(g))
    if approximate == "tanh":
        k = np.sqrt(2 / np.pi)
        th = np.tanh(k * (x + 0.044715 * x ** 3))
        want_y = 0.5 * x * (1 + th)
        want_g = g * (0.5 * (1 + th) + 0.5 * x * (1 - th ** 2) * k * (1 + 3 * 0.044715 * x ** 2))
    else:
        from math import erf
        cdf = 0.5 * (1 + np.vectorize(erf)(x / np.sqrt(2)))
        want_y = x * cdf
        want_g = g * (cdf + x * np.exp(-0.5 * x * x) / np.sqrt(2 * np.pi))
    np.testing.assert_allclose(y.detach().numpy(), want_y, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(t.grad.numpy(), want_g, rtol=1e-13, atol=1e-15)


def test_a_result_still_held_is_never_handed_out_again():
    a, b = _arr(), _arr()
    ta, tb = autograd.tensor(a), autograd.tensor(b)
    kept = ta + tb
    view = (ta * tb).numpy()[::3]  # a view of a pooled result whose Tensor is gone
    want_kept, want_view = a + b, (a * b)[::3]
    for _ in range(3 * buffers.per_shape):  # every size class's buffers cycle many times over
        ((ta - tb) * 2 + ta).tanh()
        ta / (tb * tb + 1)
    assert np.array_equal(kept.numpy(), want_kept)
    assert np.array_equal(view, want_view)


def test_saved_values_survive_until_backward():
    x = autograd.tensor(_arr(dtype=np.float64), requires_grad=True)
    y = x.tanh()  # saves its output for backward
    loss = (y * y).sum()
    for _ in range(3 * buffers.per_shape):  # other work of the same size between forward and backward
        autograd.tensor(_arr(dtype=np.float64)).exp() * 2
    loss.backward()
    t = np.tanh(x.detach().numpy())
    np.testing.assert_allclose(x.grad.numpy(), 2 * t * (1 - t * t), rtol=1e-12)


def test_gradients_are_not_shared_with_the_caller_or_other_leaves():
    lin = nn.Linear(300, 256)
    x = autograd.tensor(_arr((256, 300)), requires_grad=True)
    out = lin(x)
    handed = _arr((256, 256))
    out.backward(autograd.tensor(handed))
    assert not np.shares_memory(lin.bias.grad.numpy(), handed)
    grads = [p.grad.numpy() for p in (lin.weight, lin.bias)] + [x.grad.numpy()]
    for i, g in enumerate(grads):
        for h in grads[i + 1:]:
            assert not np.shares_memory(g, h)
    snapshot = [g.copy() for g in grads]
    other = nn.Linear(300, 256)  # another model's step of the same sizes must not write into these grads
    for _ in range(2 * buffers.per_shape):
        other(autograd.tensor(_arr((256, 300)))).sum().backward()
    for g, s in zip(grads, snapshot):
        assert np.array_equal(g, s)


def test_a_pooled_gradient_accumulates_in_place_and_a_held_one_keeps_its_values():
    w = autograd.tensor(_arr((300, 256)), requires_grad=True)
    x = autograd.tensor(_arr((256, 300)))
    (x @ w).sum().backward()
    first = w.grad.numpy().copy()
    (x @ w).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), 2 * first, rtol=1e-6)
    held = w.grad.numpy()  # someone holds the gradient's array: the next backward must not change it
    before = held.copy()
    (x @ w).sum().backward()
    assert np.array_equal(held, before)
    np.testing.assert_allclose(w.grad.numpy(), 3 * first, rtol=1e-6)


def test_private_means_viewed_by_nothing_else():
    a = buffers.empty(np, BIG, np.float32)
    assert buffers.private(a)
    other = a.reshape(-1)
    assert not buffers.private(a)
    del other
    assert buffers.private(a)
    assert not buffers.private(np.ones(BIG, np.float32)) and not buffers.private(np.ones(BIG)[::2])


def test_a_repeated_step_allocates_no_fresh_large_arrays():
    # what a training step does many times: a recorded forward, backward, the next step. After the first,
    # the large results come from the pool: of the step's dozen (256, 512) arrays, less than two are new
    # (without the pool: 3.7 MB, seven of them at the peak; left over with it: erf's index lists and the like)
    lin = nn.Linear(300, 512)
    x = autograd.tensor(_arr((256, 300)))

    def step():
        lin.zero_grad()
        y = F.gelu(lin(x))
        (F.softmax(y, dim=1) * y).sum().backward()

    step(), step()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        step()
        grown = tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()
    assert grown < 2 * 256 * 512 * 4


def test_threads_get_their_own_buffers():
    a, b = _arr(), _arr()
    want = np.tanh(a * b + a)
    errors = []

    def work():
        ta, tb = autograd.tensor(a), autograd.tensor(b)
        for _ in range(20):
            got = (ta * tb + ta).tanh().numpy()
            if not np.array_equal(got, want):
                errors.append("mismatch")
    threads = [threading.Thread(target=work) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
