"""Creating tensors: from data, filled, ranges and random."""
from __future__ import annotations

import numpy as _np  # the host array module: creation on the CPU

from ._backend import as_array, default_float
from .device import Device
from .random import _generator
from .tensor import Tensor


def _dtype_or(dtype, default):
    if dtype is None:
        return _np.dtype(default)
    if isinstance(dtype, str):
        dtype = {"float": "float32", "double": "float64", "long": "int64", "int": "int32", "half": "float16"}.get(dtype, dtype)
    return _np.dtype(dtype)


def _shape(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, (int, _np.integer)) or s < 0:
            raise ValueError(f"size {tuple(size)} must be non-negative integers")
    return tuple(int(s) for s in size)


def _check_device(device):
    if device is not None and Device(device).type != "cpu":
        raise RuntimeError(f"device {device!s}: CUDA tensors need CuPy and a GPU (install the 'cuda' extra: pip install 'denpa[cuda]')")


def _make(data, requires_grad, device=None):
    _check_device(device)
    t = Tensor._wrap(data, None)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _move(t, device):
    _check_device(device)
    return t


def tensor(data, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A new leaf tensor holding a copy of ``data``; Python floats become float32.

    >>> import autograd
    >>> autograd.tensor([1.0, 2.0], requires_grad=True)
    tensor([1., 2.], requires_grad=True)
    """
    if isinstance(data, Tensor):
        data = data.data
    arr = as_array(data, None if dtype is None else _dtype_or(dtype, None))
    if arr is data:
        arr = arr.copy()
    return _make(arr, requires_grad, device)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    if isinstance(data, Tensor) and dtype is None:
        return data
    return Tensor._wrap(as_array(data.data if isinstance(data, Tensor) else data, None if dtype is None else _dtype_or(dtype, None)), None)


def from_numpy(a) -> Tensor:
    """A tensor sharing memory with NumPy array ``a`` (dtype kept)."""
    if not isinstance(a, _np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(a).__name__}")
    return Tensor._wrap(a, None)


def zeros(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _make(_np.zeros(_shape(size), _dtype_or(dtype, default_float)), requires_grad, device)


def ones(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _make(_np.ones(_shape(size), _dtype_or(dtype, default_float)), requires_grad, device)


def empty(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _make(_np.empty(_shape(size), _dtype_or(dtype, default_float)), requires_grad, device)


def full(size, fill_value, dtype=None, device=None, requires_grad=False) -> Tensor:
    if dtype is None:
        dtype = default_float if isinstance(fill_value, float) else (bool if isinstance(fill_value, bool) else _np.int64)
    return _make(_np.full(_shape((size,) if isinstance(size, int) else (tuple(size),)), fill_value, _dtype_or(dtype, None)), requires_grad, device)


def eye(n: int, m=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _make(_np.eye(n, m, dtype=_dtype_or(dtype, default_float)), requires_grad, device)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive); float arguments give float32, ints int64."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        dtype = _np.int64 if all(isinstance(v, (int, _np.integer)) for v in (start, end, step)) else default_float
    return _make(_np.arange(start, end, step).astype(_dtype_or(dtype, None)), requires_grad, device)


def linspace(start, end, steps: int, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _make(_np.linspace(start, end, steps).astype(_dtype_or(dtype, default_float)), requires_grad, device)


def _like(fn, t, dtype, requires_grad, **kw):
    return fn(*t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad, **kw)


def zeros_like(t, dtype=None, requires_grad=False) -> Tensor:
    return _like(zeros, t, dtype, requires_grad)


def ones_like(t, dtype=None, requires_grad=False) -> Tensor:
    return _like(ones, t, dtype, requires_grad)


def empty_like(t, dtype=None, requires_grad=False) -> Tensor:
    return _like(empty, t, dtype, requires_grad)


def full_like(t, fill_value, dtype=None, requires_grad=False) -> Tensor:
    return full(t.shape, fill_value, dtype=dtype or t.dtype, requires_grad=requires_grad)


def rand(*size, dtype=None, device=None, requires_grad=False, generator=None) -> Tensor:
    """Uniform samples in [0, 1); ``manual_seed`` makes them repeatable."""
    g = generator or _generator()
    return _make(g.random(_shape(size)).astype(_dtype_or(dtype, default_float)), requires_grad, device)


def randn(*size, dtype=None, device=None, requires_grad=False, generator=None) -> Tensor:
    """Standard normal samples."""
    g = generator or _generator()
    return _make(g.standard_normal(_shape(size)).astype(_dtype_or(dtype, default_float)), requires_grad, device)


def randint(low, high=None, size=(), dtype=None, device=None, generator=None) -> Tensor:
    """Integers in [low, high) (``randint(high, size)`` also works, as PyTorch)."""
    if high is None:
        low, high = 0, low
    if isinstance(high, tuple):
        low, high, size = 0, low, high
    g = generator or _generator()
    return _make(g.integers(low, high, size=_shape((size,) if isinstance(size, int) else (tuple(size),))).astype(_dtype_or(dtype, _np.int64)), False, device)


def rand_like(t, dtype=None, requires_grad=False) -> Tensor:
    return rand(*t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad)


def randn_like(t, dtype=None, requires_grad=False) -> Tensor:
    return randn(*t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad)


def randint_like(t, low, high=None, dtype=None) -> Tensor:
    return randint(low, high, t.shape, dtype=dtype or t.dtype)


def randperm(n: int, dtype=None, generator=None) -> Tensor:
    g = generator or _generator()
    return _make(g.permutation(n).astype(_dtype_or(dtype, _np.int64)), False)
