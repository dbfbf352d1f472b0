"""Creating tensors: from data, filled, ranges and random, on any device.

Every function takes ``device=`` (``None``: the default device, ``cpu`` unless a ``with autograd.device(...)``
block or ``set_default_device`` from ``autograd.device`` says otherwise). Filled, range and random tensors are made
directly on the device, in its array module; data given as Python objects or NumPy arrays is copied there.
Asking for ``cuda`` without CuPy or a GPU raises one error that says how to install the ``cuda`` extra.
"""
from __future__ import annotations

import numpy as _np  # dtype parsing and host data; device arrays come from the device's module

from .backend import as_array, cuda_module, default_float, device_of, on_device, permutation, resolve, to_device
from .device import Device, get_default_device
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


def check_device(device):
    """Raise the clear error now if ``device`` cannot hold tensors here (CUDA without CuPy or a GPU)."""
    if device is not None:
        device = Device(device)
        if device.type == "cuda":
            cuda_module(device)


def _leaf(data, requires_grad):
    t = Tensor._wrap(data, None)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _create(make, device, requires_grad):
    """A leaf holding ``make(xp)``, built by ``device``'s array module on that device."""
    if device is None:
        device = get_default_device()
    with on_device(device) as xp:
        return _leaf(make(xp), requires_grad)


def _home(arr, device, was_tensor):
    """Where a tensor made from ``arr`` goes: ``device``; else a tensor's (or a GPU array's) own device; else the
    default device, as PyTorch places data that is not a tensor."""
    if device is not None:
        return resolve(device)
    if was_tensor or not isinstance(arr, _np.ndarray):
        return device_of(arr)
    return resolve(get_default_device())


def tensor(data, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A new leaf tensor holding a copy of ``data``; Python floats become float32.

    >>> import autograd
    >>> autograd.tensor([1.0, 2.0], requires_grad=True)
    tensor([1., 2.], requires_grad=True)
    >>> autograd.tensor([1, 2], device="cpu").device
    device(type='cpu')
    """
    was_tensor = isinstance(data, Tensor)
    if was_tensor:
        data = data.array
    arr = as_array(data, None if dtype is None else _dtype_or(dtype, None))
    home, here = _home(arr, device, was_tensor), device_of(arr)
    if home is not here and home != here:
        return _leaf(to_device(arr, home), requires_grad)  # the move is the copy
    return _leaf(arr.copy() if arr is data else arr, requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """``data`` as a tensor, sharing memory when dtype and device allow (such a Tensor comes back as is).

    >>> import autograd, numpy as np
    >>> a = np.zeros(2, np.float32); t = autograd.as_tensor(a); a[0] = 1; t
    tensor([1., 0.])
    """
    was_tensor = isinstance(data, Tensor)
    arr = as_array(data.array if was_tensor else data, None if dtype is None else _dtype_or(dtype, None))
    home = _home(arr, device, was_tensor)
    if was_tensor and arr is data.array and home == data.device:
        return data
    return Tensor._wrap(to_device(arr, home), None)


def from_numpy(a) -> Tensor:
    """A tensor sharing memory with NumPy array ``a`` (dtype kept)."""
    if not isinstance(a, _np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(a).__name__}")
    return Tensor._wrap(a, None)


def zeros(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A tensor of zeros (float32 unless ``dtype`` says otherwise).

    >>> import autograd
    >>> autograd.zeros(2, 3, device="cpu").shape
    (2, 3)
    """
    shape, dt = _shape(size), _dtype_or(dtype, default_float)
    return _create(lambda xp: xp.zeros(shape, dt), device, requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    shape, dt = _shape(size), _dtype_or(dtype, default_float)
    return _create(lambda xp: xp.ones(shape, dt), device, requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    shape, dt = _shape(size), _dtype_or(dtype, default_float)
    return _create(lambda xp: xp.empty(shape, dt), device, requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False) -> Tensor:
    if dtype is None:
        dtype = default_float if isinstance(fill_value, float) else (bool if isinstance(fill_value, bool) else _np.int64)
    shape, dt = _shape((size,) if isinstance(size, int) else (tuple(size),)), _dtype_or(dtype, None)
    return _create(lambda xp: xp.full(shape, fill_value, dt), device, requires_grad)


def eye(n: int, m=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    dt = _dtype_or(dtype, default_float)
    return _create(lambda xp: xp.eye(n, m, dtype=dt), device, requires_grad)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive); float arguments give float32, ints int64."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        dtype = _np.int64 if all(isinstance(v, (int, _np.integer)) for v in (start, end, step)) else default_float
    dt = _dtype_or(dtype, None)
    # the values are computed on the host, as NumPy does, so every device gets the same ones
    return _create(lambda xp: xp.asarray(_np.arange(start, end, step).astype(dt)), device, requires_grad)


def linspace(start, end, steps: int, dtype=None, device=None, requires_grad=False) -> Tensor:
    dt = _dtype_or(dtype, default_float)
    return _create(lambda xp: xp.asarray(_np.linspace(start, end, steps).astype(dt)), device, requires_grad)


def _like(fn, t, dtype, device, requires_grad):
    return fn(*t.shape, dtype=dtype or t.dtype, device=t.device if device is None else device,
              requires_grad=requires_grad)


def zeros_like(t, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _like(zeros, t, dtype, device, requires_grad)


def ones_like(t, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _like(ones, t, dtype, device, requires_grad)


def empty_like(t, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _like(empty, t, dtype, device, requires_grad)


def full_like(t, fill_value, dtype=None, device=None, requires_grad=False) -> Tensor:
    return full(t.shape, fill_value, dtype=dtype or t.dtype, device=t.device if device is None else device,
                requires_grad=requires_grad)


def _random(draw, device, requires_grad, generator):
    """A leaf of samples ``draw(g)``: from ``generator`` when given (then moved), else from ``device``'s own."""
    if generator is not None:
        return _leaf(to_device(draw(generator), get_default_device() if device is None else device), requires_grad)
    return _create(lambda xp: draw(_generator(xp)), device, requires_grad)


def rand(*size, dtype=None, device=None, requires_grad=False, generator=None) -> Tensor:
    """Uniform samples in [0, 1); ``manual_seed`` makes them repeatable (per device)."""
    shape, dt = _shape(size), _dtype_or(dtype, default_float)
    return _random(lambda g: g.random(shape).astype(dt), device, requires_grad, generator)


def randn(*size, dtype=None, device=None, requires_grad=False, generator=None) -> Tensor:
    """Standard normal samples."""
    shape, dt = _shape(size), _dtype_or(dtype, default_float)
    return _random(lambda g: g.standard_normal(shape).astype(dt), device, requires_grad, generator)


def randint(low, high=None, size=(), dtype=None, device=None, generator=None, requires_grad=False) -> Tensor:
    """Integers in [low, high) (``randint(high, size)`` also works, as PyTorch)."""
    if high is None:
        low, high = 0, low
    if isinstance(high, tuple):
        low, high, size = 0, low, high
    shape, dt = _shape((size,) if isinstance(size, int) else (tuple(size),)), _dtype_or(dtype, _np.int64)
    return _random(lambda g: g.integers(low, high, size=shape).astype(dt), device, requires_grad, generator)


def rand_like(t, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _like(rand, t, dtype, device, requires_grad)


def randn_like(t, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _like(randn, t, dtype, device, requires_grad)


def randint_like(t, low, high=None, dtype=None, device=None) -> Tensor:
    return randint(low, high, t.shape, dtype=dtype or t.dtype, device=t.device if device is None else device)


def randperm(n: int, dtype=None, device=None, generator=None, requires_grad=False) -> Tensor:
    """A random permutation of ``0 .. n-1`` (int64)."""
    dt = _dtype_or(dtype, _np.int64)
    return _random(lambda g: permutation(g, n).astype(dt), device, requires_grad, generator)
