"""A leaf's .grad is its own memory (never another leaf's, nor the caller's array), and concurrent backward
calls into one leaf lose no update."""
from __future__ import annotations

import threading

import numpy as np
import pytest

import autograd
import nn


def _shares(a, b):
    return np.shares_memory(a.array, b.array)


def test_sum_of_a_leaf_and_a_transposed_leaf():
    x = autograd.randn(4, 3, dtype=autograd.float64)
    W = autograd.randn(2, 3, dtype=autograd.float64, requires_grad=True)
    V = autograd.randn(3, 2, dtype=autograd.float64, requires_grad=True)
    (x @ (W + V.T).T).sum().backward()
    assert not _shares(W.grad, V.grad)
    expect = W.grad.array.copy()
    nn.utils.clip_grad_norm_([W, V], 1.0)
    total = np.sqrt((W.grad.array ** 2).sum() + (V.grad.array ** 2).sum())
    assert total == pytest.approx(1.0, rel=1e-6)
    W.grad.zero_()
    assert np.abs(V.grad.array).sum() > 0 and np.abs(expect).sum() > 0


def test_reshaped_leaf_in_a_sum():
    a = autograd.randn(2, 3, requires_grad=True)
    b = autograd.randn(6, requires_grad=True)
    c = autograd.randn(2, 3)
    ((a + b.reshape(2, 3)) * c).sum().backward()
    assert not _shares(a.grad, b.grad)
    a.grad.zero_()
    np.testing.assert_allclose(b.grad.array, c.array.reshape(6))


def test_callers_gradient_is_never_stored():
    x = autograd.randn(2, 3, requires_grad=True)
    G = autograd.ones(3, 2)
    x.T.backward(G)
    x.grad.zero_()
    assert (G.array == 1).all()
    y = autograd.randn(3, requires_grad=True)
    H = autograd.ones(3)
    (y * 1).backward(H)
    y.grad.zero_()
    assert (H.array == 1).all()


def test_hook_result_is_copied():
    w = autograd.randn(3, requires_grad=True)
    kept = autograd.ones(3)
    w.register_hook(lambda g: kept)
    (w * 2).sum().backward()
    w.grad.zero_()
    assert (kept.array == 1).all()


def test_same_gradient_to_two_leaves_under_create_graph():
    a = autograd.randn(3, dtype=autograd.float64, requires_grad=True)
    b = autograd.randn(3, dtype=autograd.float64, requires_grad=True)
    (a + b).sum().backward(create_graph=True)
    assert not _shares(a.grad, b.grad)


def test_threads_accumulating_into_one_leaf_lose_nothing():
    w = autograd.ones(4, requires_grad=True)
    n, threads = 1500, 2

    def work():
        for _ in range(n):
            (w * 1.0).sum().backward()

    ts = [threading.Thread(target=work) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    np.testing.assert_array_equal(w.grad.array, np.full(4, n * threads, np.float32))


def test_post_accumulate_grad_hook_runs_after_accumulation():
    w = autograd.ones(3, requires_grad=True)
    seen = []
    h = w.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.array.copy()))
    (w * 2).sum().backward()
    (w * 3).sum().backward()
    np.testing.assert_array_equal(seen[0], [2, 2, 2])
    np.testing.assert_array_equal(seen[1], [5, 5, 5])
    h.remove()
    (w * 1).sum().backward()
    assert len(seen) == 2
    with pytest.raises(RuntimeError, match="only leaf tensors"):
        (w * 2).register_post_accumulate_grad_hook(lambda t: None)


def test_anomaly_traceback_ends_at_the_users_line_on_every_recording_path():
    """One forward_trace for nodes, split pieces and custom Functions: the report's last frame is this file."""
    class Twice(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = autograd.tensor([1.0, 2.0], requires_grad=True)
    with autograd.detect_anomaly():
        outs = [x.exp(), x * x, x + 1, x.split(1)[0], Twice.apply(x), autograd.cat([x, x])]
    for y in outs:
        node = y.grad_fn
        trace = node.trace or node.parents[0].trace  # a piece's selector: its multi-output node holds the trace
        last = trace.strip().splitlines()[-2]
        assert __file__.rsplit("/", 1)[-1] in last, trace[-300:]


def test_accumulation_adds_in_place_only_into_an_unshared_grad():
    # PyTorch's AccumulateGrad: `grad += new` when nothing else holds .grad, else `grad = grad + new`
    w = autograd.tensor(np.ones(3), requires_grad=True)
    (w * 2).sum().backward()
    v = w.grad._version
    (w * 3).sum().backward()
    assert w.grad._version == v + 1  # added in place: no new array of the parameter's size
    np.testing.assert_array_equal(w.grad.numpy(), [5, 5, 5])
    held = w.grad
    (w * 1).sum().backward()
    assert held is not w.grad and held._version == v + 1
    np.testing.assert_array_equal(held.numpy(), [5, 5, 5])  # the Tensor someone kept keeps its values
    arr = w.grad.numpy()
    view = w.grad[1:]
    (w * 1).sum().backward()
    np.testing.assert_array_equal(arr, [6, 6, 6])  # so do its array and a view of it
    np.testing.assert_array_equal(view.numpy(), [6, 6])
    np.testing.assert_array_equal(w.grad.numpy(), [7, 7, 7])


def test_a_create_graph_gradient_is_never_added_into_in_place():
    w = autograd.tensor(np.ones(2), requires_grad=True)
    (w * w).sum().backward(create_graph=True)
    first = w.grad
    assert first.grad_fn is not None
    del first  # nothing but the leaf holds it now; it is still part of a graph
    (w * 3).sum().backward()
    assert w.grad.grad_fn is None and w.grad._version == 0  # a new Tensor, not the graph's one changed
    np.testing.assert_array_equal(w.grad.numpy(), [5, 5])
