"""Thread-local switches: gradient recording and anomaly detection.

Each thread has its own state, so a ``no_grad`` block in a data-loading thread
does not turn recording off in the training thread.
"""
from __future__ import annotations

import functools
import inspect
import threading


class _State(threading.local):
    def __init__(self):
        self.enabled = True
        self.anomaly = False
        self.inference = False


state = _State()


def is_grad_enabled() -> bool:
    """Whether ops on this thread record a graph."""
    return state.enabled


class _GradMode:
    """Base of the grad-mode switches: a context manager and a decorator (with or without parentheses)."""

    mode = True

    def __new__(cls, orig_func=None):
        self = super().__new__(cls)
        if orig_func is not None and callable(orig_func):
            return self(orig_func)
        return self

    def __init__(self, orig_func=None):
        pass

    def __enter__(self):
        self.prev = state.enabled
        state.enabled = self.mode
        return self

    def __exit__(self, *exc):
        state.enabled = self.prev
        return False

    def __call__(self, fn):
        return _decorate(fn, self.__class__)


def _decorate(fn, make_ctx):
    """Wrap ``fn`` so it runs inside ``make_ctx()``; generators get the mode at every resumption."""
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def gen_wrapper(*args, **kwargs):
            gen = fn(*args, **kwargs)
            value = None
            while True:
                with make_ctx():
                    try:
                        item = gen.send(value)
                    except StopIteration as stop:
                        return stop.value
                value = yield item

        return gen_wrapper

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with make_ctx():
            return fn(*args, **kwargs)

    return wrapper


class no_grad(_GradMode):
    """Ops inside do not record a graph.

    >>> import autograd
    >>> x = autograd.tensor([1.0], requires_grad=True)
    >>> with autograd.no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """

    mode = False


class enable_grad(_GradMode):
    """Turn recording back on inside a ``no_grad`` block."""

    mode = True


class set_grad_enabled(_GradMode):
    """``set_grad_enabled(False)`` is ``no_grad()``; usable as a call, a context or a decorator."""

    def __new__(cls, mode: bool):
        return object.__new__(cls)

    def __init__(self, mode: bool):
        self.mode = bool(mode)
        self.prev = state.enabled
        state.enabled = self.mode  # PyTorch applies the mode at once when called as a function

    def __enter__(self):
        return self

    def __call__(self, fn):
        state.enabled = self.prev
        mode = self.mode
        return _decorate(fn, lambda: set_grad_enabled(mode))


class inference_mode(_GradMode):
    """``no_grad`` under PyTorch's name for inference: ops inside record no graph.

    Usable as ``with inference_mode():``, ``@inference_mode()``, ``@inference_mode`` and
    ``inference_mode(False)`` (recording stays as it was). PyTorch also marks tensors made inside as inference
    tensors, which later refuse to enter a graph; denpa's are ordinary tensors that do not require grad.

    >>> import autograd
    >>> x = autograd.ones(2, requires_grad=True)
    >>> with autograd.inference_mode():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """

    def __new__(cls, mode=True):
        self = object.__new__(cls)
        if callable(mode):  # bare @inference_mode
            self.__init__()
            return self(mode)
        return self

    def __init__(self, mode: bool = True):
        self.on = bool(mode)

    def __enter__(self):
        self.prev, self.prev_inference = state.enabled, state.inference
        if self.on:
            state.enabled, state.inference = False, True
        return self

    def __exit__(self, *exc):
        state.enabled, state.inference = self.prev, self.prev_inference
        return False

    def __call__(self, fn):
        on = self.on
        return _decorate(fn, lambda: inference_mode(on))


def is_inference_mode_enabled() -> bool:
    """Whether an ``inference_mode`` block is active on this thread (recording is off)."""
    return state.inference


class detect_anomaly:
    """Backward raises when an op's gradient holds NaN or inf, naming the op and
    showing the traceback of the forward call that created it.

    >>> import autograd
    >>> with autograd.detect_anomaly():
    ...     pass
    """

    def __init__(self, mode: bool = True):
        self.mode = mode

    def __enter__(self):
        self.prev = state.anomaly
        state.anomaly = self.mode
        return self

    def __exit__(self, *exc):
        state.anomaly = self.prev
        return False

    def __call__(self, fn):
        mode = self.mode
        return _decorate(fn, lambda: detect_anomaly(mode))


def is_anomaly_enabled() -> bool:
    """Whether anomaly detection is on (``detect_anomaly`` / ``set_detect_anomaly``), as PyTorch's.

    >>> import autograd
    >>> autograd.is_anomaly_enabled()
    False
    """
    return state.anomaly
