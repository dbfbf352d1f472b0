"""Grad-mode switches (no_grad, enable_grad, set_grad_enabled), their thread-locality, and anomaly mode."""
import threading

import numpy as np
import pytest

import autograd
from autograd import tensor


@pytest.fixture(autouse=True)
def _grad_mode_restored():
    assert autograd.is_grad_enabled()
    yield
    autograd.set_grad_enabled(True)


def test_no_grad_context():
    x = tensor([1.0], requires_grad=True)
    with autograd.no_grad():
        assert not autograd.is_grad_enabled()
        y = x * 2
        z = x.exp().sum()
    assert autograd.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert not z.requires_grad
    assert (x * 2).requires_grad


def test_no_grad_decorator():
    x = tensor([1.0], requires_grad=True)

    @autograd.no_grad()
    def f(t):
        assert not autograd.is_grad_enabled()
        return t * 2

    assert f.__name__ == "f"
    assert not f(x).requires_grad
    assert autograd.is_grad_enabled()


def test_no_grad_and_enable_grad_as_bare_decorators():
    # PyTorch (>= 2.0) also accepts @torch.no_grad / @torch.enable_grad without parentheses
    x = tensor([1.0], requires_grad=True)

    @autograd.no_grad
    def f(t):
        return t * 2

    @autograd.enable_grad
    def g(t):
        return t * 2

    assert not f(x).requires_grad
    with autograd.no_grad():
        assert g(x).requires_grad


def test_no_grad_decorator_on_a_generator_function():
    # PyTorch wraps generator functions so the mode holds while the generator body runs
    x = tensor([1.0], requires_grad=True)

    @autograd.no_grad()
    def gen():
        yield autograd.is_grad_enabled()
        yield (x * 2).requires_grad

    assert list(gen()) == [False, False]
    assert autograd.is_grad_enabled()


def test_enable_grad_inside_no_grad():
    x = tensor([1.0], requires_grad=True)
    with autograd.no_grad():
        with autograd.enable_grad():
            assert autograd.is_grad_enabled()
            y = x * 2
        assert not autograd.is_grad_enabled()
        z = x * 2
    assert y.requires_grad and not z.requires_grad


def test_enable_grad_decorator():
    x = tensor([1.0], requires_grad=True)

    @autograd.enable_grad()
    def f(t):
        return t * 2

    with autograd.no_grad():
        y = f(x)
        assert not autograd.is_grad_enabled()
    assert y.requires_grad


@pytest.mark.parametrize("flag", [False, True])
def test_set_grad_enabled_context(flag):
    x = tensor([1.0], requires_grad=True)
    with autograd.set_grad_enabled(flag):
        assert autograd.is_grad_enabled() is flag
        y = x * 2
    assert autograd.is_grad_enabled()
    assert y.requires_grad is flag


def test_set_grad_enabled_context_inside_no_grad_restores_no_grad():
    with autograd.no_grad():
        with autograd.set_grad_enabled(True):
            assert autograd.is_grad_enabled()
        assert not autograd.is_grad_enabled()
    assert autograd.is_grad_enabled()


def test_set_grad_enabled_decorator():
    x = tensor([1.0], requires_grad=True)

    @autograd.set_grad_enabled(False)
    def f(t):
        assert not autograd.is_grad_enabled()
        return t * 2

    assert autograd.is_grad_enabled()  # creating the decorator does not switch the mode
    assert not f(x).requires_grad
    assert autograd.is_grad_enabled()


def test_set_grad_enabled_as_a_plain_call():
    autograd.set_grad_enabled(False)
    assert not autograd.is_grad_enabled()
    assert not (tensor([1.0], requires_grad=True) * 2).requires_grad
    autograd.set_grad_enabled(True)
    assert autograd.is_grad_enabled()


def test_mode_restored_after_exception():
    with pytest.raises(ValueError):
        with autograd.no_grad():
            raise ValueError("boom")
    assert autograd.is_grad_enabled()

    @autograd.no_grad()
    def fails():
        raise KeyError

    with pytest.raises(KeyError):
        fails()
    assert autograd.is_grad_enabled()


def test_reentrant_decorator():
    @autograd.no_grad()
    def depth(n):
        return depth(n - 1) if n else autograd.is_grad_enabled()

    assert depth(3) is False
    assert autograd.is_grad_enabled()


def test_no_grad_is_thread_local():
    """Thread A sits inside no_grad while thread B (main) records a graph, interleaved by barriers."""
    barrier = threading.Barrier(2, timeout=10)
    results = {}
    x = tensor([1.0, 2.0], requires_grad=True)

    def worker():
        try:
            with autograd.no_grad():
                barrier.wait()        # 1: A is inside no_grad
                barrier.wait()        # 2: B has recorded its op
                results["a_enabled"] = autograd.is_grad_enabled()
                results["a_records"] = (x * 2).requires_grad
            barrier.wait()            # 3: A has left no_grad
        except Exception as e:  # pragma: no cover - reported below
            results["error"] = e

    t = threading.Thread(target=worker)
    t.start()
    barrier.wait()                    # 1
    results["b_enabled"] = autograd.is_grad_enabled()
    y = (x * 3).sum()
    results["b_records"] = y.requires_grad
    barrier.wait()                    # 2
    barrier.wait()                    # 3
    t.join(10)
    assert "error" not in results
    assert results == {"a_enabled": False, "a_records": False, "b_enabled": True, "b_records": True}
    y.backward()
    np.testing.assert_array_equal(x.grad.array, [3.0, 3.0])


def test_a_new_thread_starts_with_grad_enabled_even_if_main_is_in_no_grad():
    seen = {}
    ready = threading.Event()
    go = threading.Event()
    x = tensor([1.0], requires_grad=True)

    def worker():
        ready.set()
        go.wait(10)
        seen["enabled"] = autograd.is_grad_enabled()
        seen["records"] = (x * 2).requires_grad

    with autograd.no_grad():
        t = threading.Thread(target=worker)
        t.start()
        ready.wait(10)
        go.set()
        t.join(10)
        assert not autograd.is_grad_enabled()
    assert seen == {"enabled": True, "records": True}


def test_set_grad_enabled_false_in_a_thread_does_not_leak():
    done = threading.Event()

    def worker():
        autograd.set_grad_enabled(False)
        done.set()

    t = threading.Thread(target=worker)
    t.start()
    done.wait(10)
    t.join(10)
    assert autograd.is_grad_enabled()


# -- anomaly mode -------------------------------------------------------------------

def _forward_with_sqrt_at_zero(x):
    return (x * 0).sqrt().sum()  # sqrt'(0) is inf, and inf * 0 is nan further down


def test_detect_anomaly_names_the_op_and_the_forward_line():
    x = tensor([1.0, 2.0], requires_grad=True)
    assert not autograd.is_anomaly_enabled()
    with autograd.detect_anomaly():
        assert autograd.is_anomaly_enabled()
        y = _forward_with_sqrt_at_zero(x)
        with pytest.raises(RuntimeError) as ei:
            y.backward()
    assert not autograd.is_anomaly_enabled()
    msg = str(ei.value)
    assert "SqrtBackward" in msg
    assert "nan" in msg.lower() or "inf" in msg.lower()
    assert "_forward_with_sqrt_at_zero" in msg
    assert "(x * 0).sqrt()" in msg
    assert "test_detect_anomaly_names_the_op_and_the_forward_line" in msg


def test_without_anomaly_mode_no_error():
    x = tensor([1.0, 2.0], requires_grad=True)
    _forward_with_sqrt_at_zero(x).backward()
    assert np.isnan(x.grad.array).all()


def test_detect_anomaly_passes_finite_gradients():
    x = tensor([1.0, 4.0], requires_grad=True)
    with autograd.detect_anomaly():
        x.sqrt().sum().backward()
    np.testing.assert_allclose(x.grad.array, [0.5, 0.25])


def test_detect_anomaly_as_decorator():
    x = tensor([1.0, 2.0], requires_grad=True)

    @autograd.detect_anomaly()
    def run():
        _forward_with_sqrt_at_zero(x).backward()

    with pytest.raises(RuntimeError, match="SqrtBackward"):
        run()
    assert not autograd.is_anomaly_enabled()
