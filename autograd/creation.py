"""Creating tensors: from data, filled, ranges and random, on any device.

Every function takes ``device=`` (``None``: the default device, ``cpu`` unless a ``with autograd.device(...)``
block or ``set_default_device`` from ``autograd.device`` says otherwise). Filled, range and random tensors are made
directly on the device, in its array module; data given as Python objects or NumPy arrays is copied there.
Asking for ``cuda`` without CuPy or a GPU raises one error that says how to install the ``cuda`` extra.
"""
from __future__ import annotations

import numpy as _np  # dtype parsing and host data; device arrays come from the device's module

from .backend import DEFAULTS, as_array, cuda_module, device_of, on_device, permutation, resolve, to_device
from .device import Device, get_default_device
from .random import _generator
from .tensor import Tensor


_NUMERIC = "biufc"  # the dtype kinds a tensor may hold: bool, signed, unsigned, float, complex


def _dtype_or(dtype, default, op="tensor"):
    if dtype is None:
        return _np.dtype(default)
    if isinstance(dtype, str):
        dtype = {"float": "float32", "double": "float64", "long": "int64", "int": "int32", "half": "float16"}.get(dtype, dtype)
    try:
        dt = _np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{op}: dtype {dtype!r} is not a dtype; pass e.g. autograd.float32 or 'int64'") from None
    if dt.kind not in _NUMERIC:
        raise TypeError(f"{op}: dtype {dt} is not a number type; tensors hold bool, integer, float or complex values")
    return dt


def _is_int(v) -> bool:
    """A Python or NumPy integer, or a 0-d integer Tensor (bools are not sizes, as in PyTorch)."""
    if isinstance(v, Tensor):
        return v.ndim == 0 and v.dtype.kind in "iu"
    return isinstance(v, (int, _np.integer)) and not isinstance(v, (bool, _np.bool_))


def _shape(size, op="size"):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for i, s in enumerate(size):
        if not _is_int(s):
            raise TypeError(f"{op}: size must be integers, got {type(s).__name__} {s!r} at position {i} of "
                            f"{tuple(size)}")
    size = tuple(int(s) for s in size)
    if any(s < 0 for s in size):
        raise ValueError(f"{op}: sizes must be non-negative, got {size}")
    return size


def _check_data(op, data, arr, dtype):
    """Refuse what is not numbers (None, strings, objects, dicts, ragged lists) and integers beyond int64."""
    kind = arr.dtype.kind
    if kind == "O" and _huge_int(arr):
        raise ValueError(f"{op}: the integer {_huge_int(arr)} does not fit in int64 (nor any tensor dtype); "
                            f"pass a float (e.g. {float(_huge_int(arr)):.3g}) if an approximation will do")
    if kind not in _NUMERIC:
        what = type(data).__name__
        odd = next((type(v) for v in arr.flat if not isinstance(v, (int, float, complex, _np.number))), None) \
            if kind == "O" and arr.ndim else None
        inner = "" if odd is None else f" holding {odd.__name__}"
        raise TypeError(f"{op}: cannot make a tensor from {what}{inner} ({_brief(data)}); pass numbers, nested "
                        f"lists of numbers, a NumPy array of numbers or a Tensor")
    if kind == "u" and dtype is None and not isinstance(data, (_np.ndarray, _np.generic)):
        # NumPy turns Python ints in [2**63, 2**64) into uint64: PyTorch refuses them, as every int is int64 there
        raise ValueError(f"{op}: the integer {int(arr.max())} does not fit in int64; pass dtype=autograd.uint64 "
                            f"(NumPy's name) explicitly, or a float")


def _huge_int(arr):
    for v in arr.flat:
        if isinstance(v, int) and not isinstance(v, bool) and not -2 ** 63 <= v < 2 ** 64:
            return v
    return None


def _brief(v) -> str:
    r = repr(v)
    return r if len(r) <= 60 else r[:57] + "..."


def _as_data(op, data, dtype):
    """``data`` as an array of numbers for tensor()/as_tensor(), or the error naming ``op`` and the value."""
    try:
        arr = as_array(data, None if dtype is None else _dtype_or(dtype, None, op))
    except (ValueError, OverflowError, TypeError) as e:
        if isinstance(e, TypeError) and str(e).startswith(op + ":"):
            raise
        # ragged lists, strings cast to a number dtype, values out of the dtype's range, NaN to an integer
        raise (TypeError if type(e) is TypeError else ValueError)(f"{op}: cannot make a tensor of {_dtype_or(dtype, None, op) if dtype is not None else 'numbers'}"
                      f" from {_brief(data)} ({e})") from None
    _check_data(op, data, arr, dtype)
    return arr


def _check_float(op, dt):
    if dt.kind not in "fc":
        raise TypeError(f"{op}: random samples need a floating dtype, got {dt}; draw floats and convert "
                        f"(.to({dt.name!r})), or use randint for integers")
    return dt


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
    """A new leaf tensor holding a copy of ``data`` (``torch.tensor``).

    Args:
      data: a number, a (nested) list or tuple of numbers, a NumPy/CuPy array or a Tensor.
      dtype: the result's dtype; ``None`` infers it as PyTorch does: Python ``bool`` -> bool, ``int`` ->
        int64, ``float`` (or ints mixed with floats) -> float32, ``complex`` -> complex128; an array keeps
        its own dtype (a float64 NumPy array stays float64: pass ``dtype=autograd.float32`` to convert).
      device: where to put it (``'cpu'``, ``'cuda'``, ``'cuda:1'``); default: where ``data`` is, else the CPU.
      requires_grad: whether backward should fill ``.grad`` (floating-point dtypes only).

    >>> import autograd, numpy as np
    >>> [autograd.tensor(d).dtype.name for d in ([True], [1, 2], [1, 2.5], np.zeros(1))]
    ['bool', 'int64', 'float32', 'float64']
    >>> autograd.tensor([1.0, 2.0], requires_grad=True)
    tensor([1., 2.], requires_grad=True)
    >>> autograd.tensor([1, 2], device="cpu").device
    device(type='cpu')
    """
    if not isinstance(requires_grad, (bool, _np.bool_)):
        raise TypeError(f"tensor: requires_grad must be True or False, got {requires_grad!r}")
    was_tensor = isinstance(data, Tensor)
    if was_tensor:
        data = data.array
    arr = _as_data("tensor", data, dtype)
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
    arr = _as_data("as_tensor", data.array if was_tensor else data, dtype)
    home = _home(arr, device, was_tensor)
    if was_tensor and arr is data.array and home == data.device:
        return data
    return Tensor._wrap(to_device(arr, home), None)


def from_numpy(a) -> Tensor:
    """A tensor sharing memory with NumPy array ``a`` (dtype kept)."""
    if not isinstance(a, _np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(a).__name__}")
    if a.dtype.kind not in _NUMERIC:
        raise TypeError(f"from_numpy: can't convert an array of dtype {a.dtype} (shape {a.shape}); tensors hold "
                        f"bool, integer, float or complex values")
    return Tensor._wrap(a, None)


def zeros(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A tensor of zeros (float32 unless ``dtype`` says otherwise).

    >>> import autograd
    >>> autograd.zeros(2, 3, device="cpu").shape
    (2, 3)
    """
    shape, dt = _shape(size, "zeros"), _dtype_or(dtype, DEFAULTS.float, "zeros")
    return _create(lambda xp: xp.zeros(shape, dt), device, requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A tensor of ones of shape ``size`` (sizes or one tuple; float32 unless ``dtype`` says otherwise), on
    ``device``, a leaf requiring grad when ``requires_grad`` (``torch.ones``).

    >>> import autograd
    >>> autograd.ones(2, 3), autograd.ones(2, dtype=autograd.int64)
    (tensor([[1., 1., 1.],
            [1., 1., 1.]]), tensor([1, 1]))
    """
    shape, dt = _shape(size, "ones"), _dtype_or(dtype, DEFAULTS.float, "ones")
    return _create(lambda xp: xp.ones(shape, dt), device, requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A tensor of shape ``size`` with uninitialised values (float32 unless ``dtype`` says otherwise), as
    ``torch.empty``: fill it before reading it.

    >>> import autograd
    >>> autograd.empty(2, 3).shape
    (2, 3)
    """
    shape, dt = _shape(size, "empty"), _dtype_or(dtype, DEFAULTS.float, "empty")
    return _create(lambda xp: xp.empty(shape, dt), device, requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A tensor of ``size`` filled with the number ``fill_value`` (its dtype follows the number, as PyTorch).

    >>> import autograd
    >>> autograd.full((2,), 7)
    tensor([7, 7])
    """
    if isinstance(fill_value, Tensor):
        if fill_value.numel() != 1 or fill_value.ndim:
            raise ValueError(f"full: fill_value must be a number or a 0-d tensor, got a tensor of shape "
                             f"{tuple(fill_value.shape)}")
        fill_value = fill_value.item()
    if isinstance(fill_value, _np.generic):
        fill_value = fill_value.item()
    if not isinstance(fill_value, (int, float, complex)):
        raise TypeError(f"full: fill_value must be a number, got {type(fill_value).__name__} {_brief(fill_value)}")
    if dtype is None:
        dtype = (bool if isinstance(fill_value, bool) else _np.int64 if isinstance(fill_value, int) else
                 DEFAULTS.float if isinstance(fill_value, float) else DEFAULTS.complex)
    if isinstance(size, (int, _np.integer)) and not isinstance(size, bool):
        size = (size,)
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"full: size must be a tuple of integers, got {type(size).__name__} {_brief(size)}")
    shape, dt = _shape((tuple(size),), "full"), _dtype_or(dtype, None, "full")
    if isinstance(fill_value, int) and dt.kind in "iu" and not _np.iinfo(dt).min <= fill_value <= _np.iinfo(dt).max:
        raise ValueError(f"full: fill_value {fill_value} does not fit in {dt}")
    return _create(lambda xp: xp.full(shape, fill_value, dt), device, requires_grad)


def eye(n: int, m=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """An ``n`` x ``m`` (``m`` defaults to ``n``) matrix with ones on the diagonal, float32 unless ``dtype``
    says otherwise (``torch.eye``).

    >>> import autograd
    >>> autograd.eye(2, 3)
    tensor([[1., 0., 0.],
            [0., 1., 0.]])
    """
    for name, v in (("n", n), ("m", m)):
        if v is not None and not _is_int(v):
            raise TypeError(f"eye: {name} must be an integer, got {type(v).__name__} {v!r}")
        if v is not None and v < 0:
            raise ValueError(f"eye: {name} must be non-negative, got {v}")
    dt = _dtype_or(dtype, DEFAULTS.float, "eye")
    return _create(lambda xp: xp.eye(n, m, dtype=dt), device, requires_grad)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive) in steps of ``step``; float arguments give float32, ints
    int64 (``torch.arange``). With one argument it is ``end`` and ``start`` is 0.

    >>> import autograd
    >>> autograd.arange(4), autograd.arange(0, 1, 0.25)
    (tensor([0, 1, 2, 3]), tensor([0.0000, 0.2500, 0.5000, 0.7500]))
    """
    if end is None:
        start, end = 0, start
    _check_range(start, end, step)
    if dtype is None:
        dtype = _np.int64 if all(isinstance(v, (int, _np.integer)) for v in (start, end, step)) else DEFAULTS.float
    dt = _dtype_or(dtype, None, "arange")
    if dt.kind == "b":
        raise TypeError("arange: dtype bool is not supported; build the range, then compare it (arange(n) > k)")
    if dt.kind in "iu" and any(isinstance(v, float) and not v.is_integer() for v in (start, end, step)):
        # NumPy would make the float range and then truncate it ([0, 0, 1, 1, 2] for 0..2.5 by 0.5)
        raise ValueError(f"arange: start={start}, end={end}, step={step} are not whole numbers, so an {dt} range "
                         f"would repeat truncated values; use a float dtype (or whole-number arguments)")
    # the values are computed on the host, as NumPy does, so every device gets the same ones
    return _create(lambda xp: xp.asarray(_np.arange(start, end, step).astype(dt)), device, requires_grad)


def _check_range(start, end, step):
    for name, v in (("start", start), ("end", end), ("step", step)):
        if isinstance(v, Tensor) and v.ndim == 0:
            v = v.item()
        if not isinstance(v, (int, float, _np.integer, _np.floating)) or isinstance(v, bool):
            raise TypeError(f"arange: {name} must be a number, got {type(v).__name__} {_brief(v)}")
        if not _np.isfinite(v):
            raise ValueError(f"arange: {name} must be finite, got {v} (the range {start} -> {end} is unbounded)")
    if step == 0:
        raise ValueError(f"arange: step must be nonzero (start={start}, end={end}); use full() for a constant")
    if (end - start) * step < 0:
        raise ValueError(f"arange: end={end} cannot be reached from start={start} with step={step}: the bounds and "
                         f"the step's sign disagree (PyTorch refuses this too); flip the step's sign")
    if abs((end - start) / step) > 2 ** 48:
        raise ValueError(f"arange: {start} -> {end} by {step} would have {abs((end - start) / step):.3g} elements; "
                         f"that is too many to allocate")


def linspace(start, end, steps: int, dtype=None, device=None, requires_grad=False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included (float32 unless ``dtype`` says
    otherwise), as ``torch.linspace``.

    >>> import autograd
    >>> autograd.linspace(0, 1, 5)
    tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    for name, v in (("start", start), ("end", end)):
        if not isinstance(v, (int, float, _np.integer, _np.floating)) or isinstance(v, bool):
            raise TypeError(f"linspace: {name} must be a number, got {type(v).__name__} {_brief(v)}")
    if not _is_int(steps):
        raise TypeError(f"linspace: steps must be an integer, got {type(steps).__name__} {steps!r}")
    if steps < 0:
        raise ValueError(f"linspace: number of steps must be non-negative, got {steps}")
    dt = _dtype_or(dtype, DEFAULTS.float, "linspace")
    return _create(lambda xp: xp.asarray(_np.linspace(start, end, steps).astype(dt)), device, requires_grad)


def _like(fn, t, dtype, device, requires_grad):
    _check_like(fn.__name__ + "_like", t)
    return fn(*t.shape, dtype=dtype or t.dtype, device=t.device if device is None else device,
              requires_grad=requires_grad)


def zeros_like(t, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Zeros with ``t``'s shape, and its dtype and device unless given (``torch.zeros_like``).

    >>> import autograd
    >>> autograd.zeros_like(autograd.tensor([[1, 2], [3, 4]]))
    tensor([[0, 0],
            [0, 0]])
    """
    return _like(zeros, t, dtype, device, requires_grad)


def ones_like(t, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Ones with ``t``'s shape, and its dtype and device unless given (``torch.ones_like``).

    >>> import autograd
    >>> autograd.ones_like(autograd.tensor([1, 2]), dtype=autograd.float32)
    tensor([1., 1.])
    """
    return _like(ones, t, dtype, device, requires_grad)


def empty_like(t, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Uninitialised values with ``t``'s shape, and its dtype and device unless given (``torch.empty_like``).

    >>> import autograd
    >>> autograd.empty_like(autograd.zeros(2, 3)).shape
    (2, 3)
    """
    return _like(empty, t, dtype, device, requires_grad)


def _check_like(op, t):
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: expected a Tensor to take the shape, dtype and device of, got {type(t).__name__} "
                        f"{_brief(t)}; convert it with autograd.tensor(...) or pass the sizes to the plain form")


def full_like(t, fill_value, dtype=None, device=None, requires_grad=False) -> Tensor:
    """``fill_value`` everywhere, with ``t``'s shape, and its dtype and device unless given (``torch.full_like``).

    >>> import autograd
    >>> autograd.full_like(autograd.tensor([1, 2]), 7), autograd.full_like(autograd.zeros(2), 0.5)
    (tensor([7, 7]), tensor([0.5000, 0.5000]))
    """
    _check_like("full_like", t)
    return full(t.shape, fill_value, dtype=dtype or t.dtype, device=t.device if device is None else device,
                requires_grad=requires_grad)


def _random(draw, device, requires_grad, generator):
    """A leaf of samples ``draw(g)``: from ``generator`` when given (then moved), else from ``device``'s own."""
    if generator is not None:
        return _leaf(to_device(draw(generator), get_default_device() if device is None else device), requires_grad)
    return _create(lambda xp: draw(_generator(xp)), device, requires_grad)


def rand(*size, dtype=None, device=None, requires_grad=False, generator=None) -> Tensor:
    """Uniform samples in [0, 1); ``manual_seed`` makes them repeatable (per device)."""
    shape, dt = _shape(size, "rand"), _check_float("rand", _dtype_or(dtype, DEFAULTS.float, "rand"))
    return _random(lambda g: g.random(shape).astype(dt), device, requires_grad, generator)


def randn(*size, dtype=None, device=None, requires_grad=False, generator=None) -> Tensor:
    """A tensor of the given size filled with samples of N(0, 1) (``torch.randn``): float32 unless ``dtype``
    (a floating-point dtype) says otherwise; ``generator`` draws from an :class:`autograd.Generator` instead
    of the global stream that :func:`autograd.manual_seed` seeds.

    >>> import autograd
    >>> x = autograd.randn(2, 3)
    >>> x.shape, x.dtype
    ((2, 3), dtype('float32'))
    """
    shape, dt = _shape(size, "randn"), _check_float("randn", _dtype_or(dtype, DEFAULTS.float, "randn"))
    return _random(lambda g: g.standard_normal(shape).astype(dt), device, requires_grad, generator)


def randint(low, high=None, size=(), dtype=None, device=None, generator=None, requires_grad=False) -> Tensor:
    """Integers in [low, high) (``randint(high, size)`` also works, as PyTorch)."""
    if high is None:
        low, high = 0, low
    if isinstance(high, (tuple, list)):
        low, high, size = 0, low, high
    for name, v in (("low", low), ("high", high)):
        if not _is_int(v):
            raise TypeError(f"randint: {name} must be an integer, got {type(v).__name__} {_brief(v)}")
    if int(low) >= int(high):
        raise ValueError(f"randint: low must be less than high, got low={low} >= high={high} (an empty range)")
    if isinstance(size, (int, _np.integer)) and not isinstance(size, bool):
        size = (size,)
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"randint: size must be a tuple of integers, got {type(size).__name__} {_brief(size)}")
    shape, dt = _shape((tuple(size),), "randint"), _dtype_or(dtype, _np.int64, "randint")
    return _random(lambda g: g.integers(low, high, size=shape).astype(dt), device, requires_grad, generator)


def rand_like(t, dtype=None, device=None, requires_grad=False) -> Tensor:
    """:func:`rand` (uniform on [0, 1)) with ``t``'s shape, and its dtype and device unless given.

    >>> import autograd
    >>> r = autograd.rand_like(autograd.zeros(2, 2))
    >>> r.shape, bool(((r >= 0) & (r < 1)).all())
    ((2, 2), True)
    """
    return _like(rand, t, dtype, device, requires_grad)


def randn_like(t, dtype=None, device=None, requires_grad=False) -> Tensor:
    """:func:`randn` with ``t``'s shape, and its dtype and device unless given."""
    return _like(randn, t, dtype, device, requires_grad)


def randint_like(t, low, high=None, dtype=None, device=None) -> Tensor:
    """:func:`randint` integers in ``[low, high)`` (``[0, low)`` with one bound) with ``t``'s shape, and its
    dtype and device unless given.

    >>> import autograd
    >>> r = autograd.randint_like(autograd.zeros(3, dtype=autograd.int64), 5, 8)
    >>> r.dtype, bool(((r >= 5) & (r < 8)).all())
    (dtype('int64'), True)
    """
    _check_like("randint_like", t)
    return randint(low, high, t.shape, dtype=dtype or t.dtype, device=t.device if device is None else device)


def randperm(n: int, dtype=None, device=None, generator=None, requires_grad=False) -> Tensor:
    """A random permutation of ``0 .. n-1`` (int64)."""
    if not _is_int(n):
        raise TypeError(f"randperm: n must be an integer, got {type(n).__name__} {_brief(n)}")
    if n < 0:
        raise ValueError(f"randperm: n must be non-negative, got {n}")
    dt = _dtype_or(dtype, _np.int64, "randperm")
    return _random(lambda g: permutation(g, n).astype(dt), device, requires_grad, generator)
