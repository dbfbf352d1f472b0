"""Array modules: the one place that knows NumPy and CuPy by name.

Every op finds the module of its operands' data with :func:`array_module` and
works through it, so a tensor on the GPU (a CuPy array) runs the same op code
as one on the CPU (a NumPy array). CuPy is imported the first time CUDA is
asked for, so CPU-only use never pays for it.

Moving data: :func:`device_of`, :func:`to_device`, :func:`to_host`,
:func:`module_for` (and :func:`on_device` to create data in place). What the
two modules spell differently has one helper each: scatter-add
(:func:`index_add`), strided windows (:func:`as_strided`,
:func:`sliding_window_view`), random draws (:func:`normal`,
:func:`permutation`) and :func:`erf`.
"""
from __future__ import annotations

import importlib.util
import math
import warnings

import numpy as _np

from .device import Device, cpu, get_default_device

# NumPy warns (RuntimeWarning) on log(0), x / 0, sqrt(-1), overflow; PyTorch's ops are silent and return inf or
# NaN. A filter scoped to NumPy's floating-point messages raised from this project's own modules silences them
# (even under -W error) at no cost per op; np.errstate around every op would cost about 3 us each.
warnings.filterwarnings("ignore", message=r"(divide by zero|invalid value|overflow|underflow) encountered",
                        category=RuntimeWarning, module=r"(autograd|nn|optim|denpa)(\.|$)")

ndarray = _np.ndarray
default_float = _np.float32

_MODULES = {_np.ndarray: _np}  # array type -> its module; CuPy's joins once CUDA is first used

INSTALL_HINT = "install the 'cuda' extra: pip install 'denpa[cuda]' (needs an NVIDIA GPU and CUDA 12)"


def array_module(a):
    """The array module (``numpy`` or ``cupy``) that owns array ``a``."""
    return _MODULES.get(type(a), _np)


# -- CUDA through CuPy, probed once ----------------------------------------------------------------------

_cuda = None  # (cupy or None, number of GPUs, why CUDA is unusable) after the first probe


def _probe():
    global _cuda
    if _cuda is None:
        if importlib.util.find_spec("cupy") is None:  # cheap: nothing is imported
            _cuda = (None, 0, "CuPy is not installed")
        else:
            try:
                import cupy

                n = cupy.cuda.runtime.getDeviceCount()
            except Exception as e:  # a broken install, no driver, no GPU: CuPy raises its own error types
                _cuda = (None, 0, f"CuPy is installed but cannot reach a GPU ({type(e).__name__}: {e})")
            else:
                if n:
                    _MODULES[cupy.ndarray] = cupy
                _cuda = (cupy if n else None, n, "" if n else "CuPy is installed but found no GPU")
    return _cuda


def cuda_device_count() -> int:
    """How many GPUs CuPy sees (0 without CuPy, a driver or a GPU)."""
    return _probe()[1]


def cuda_module(device=None):
    """CuPy, once it is known to work (and ``device``'s GPU to exist); else one clear error saying how to get it."""
    cp, n, why = _probe()
    name = "cuda" if device is None else str(device)
    if cp is None:
        raise RuntimeError(f"device {name!r}: CUDA is unavailable here ({why}). For GPU tensors, {INSTALL_HINT}")
    if device is not None and device.index is not None and device.index >= n:
        raise RuntimeError(f"device {name!r}: there {'is' if n == 1 else 'are'} {n} CUDA device"
                           f"{'' if n == 1 else 's'} here (cuda:0 to cuda:{n - 1})")
    return cp


def _cuda_index(cp, device) -> int:
    return cp.cuda.runtime.getDevice() if device.index is None else device.index


# -- devices of arrays, and moving arrays between them ----------------------------------------------------

_CUDA = {}  # GPU index -> Device, so tensor.device allocates nothing


def device_of(a) -> Device:
    """The device array ``a`` lives on (``cpu`` for NumPy arrays and Python numbers)."""
    if _MODULES.get(type(a), _np) is _np:
        return cpu
    i = a.device.id
    d = _CUDA.get(i)
    if d is None:
        d = _CUDA[i] = Device("cuda", i)
    return d


def module_for(device):
    """The array module that holds data on ``device`` (NumPy for the CPU, CuPy, checked, for CUDA)."""
    device = Device(device)
    return _np if device.type == "cpu" else cuda_module(device)


def resolve(device) -> Device:
    """``device`` (``None``: the default device) as a Device with its index filled in (``cuda`` -> ``cuda:i``)."""
    if device is None:
        device = get_default_device()
    elif type(device) is not Device:
        device = Device(device)
    if device.type == "cpu" or device.index is not None:
        return device
    return Device("cuda", _cuda_index(cuda_module(device), device))


def on_device(device):
    """A context, giving the array module, in which new arrays land on ``device``.

    >>> with on_device("cpu") as xp:
    ...     xp.zeros(2)
    array([0., 0.])
    """
    if type(device) is not Device:
        device = Device(device)
    if device.type == "cpu":
        return _HOST
    cp = cuda_module(device)
    return _Entered(cp.cuda.Device(_cuda_index(cp, device)), cp)


class _Entered:
    """Enter a device context (CuPy's, or none for the host) and hand back the module."""

    __slots__ = ("ctx", "xp")

    def __init__(self, ctx, xp):
        self.ctx, self.xp = ctx, xp

    def __enter__(self):
        if self.ctx is not None:
            self.ctx.__enter__()
        return self.xp

    def __exit__(self, *exc):
        return self.ctx is not None and self.ctx.__exit__(*exc)


_HOST = _Entered(None, _np)  # stateless, so one serves every CPU creation


def to_host(a):
    """``a`` as a NumPy array: ``a`` itself on the CPU, a copy from the GPU."""
    return a if _MODULES.get(type(a), _np) is _np else a.get()


def to_device(a, device):
    """Array ``a`` on ``device``: ``a`` itself when it is there already, else a copy.

    >>> import numpy as np
    >>> a = np.zeros(2)
    >>> to_device(a, "cpu") is a
    True
    """
    device = Device(device)
    if device.type == "cpu":
        return to_host(a)
    cp = cuda_module(device)
    i = _cuda_index(cp, device)
    if type(a) is cp.ndarray and a.device.id == i:
        return a
    with cp.cuda.Device(i):
        return cp.array(a, copy=True)  # host to device, or device to device


def as_array(value, dtype=None):
    """Coerce data to an array; Python floats become float32 as in PyTorch. Device arrays stay where they are."""
    if type(value) is _np.ndarray and dtype is None:
        return value
    if isinstance(value, (_np.ndarray, _np.generic)):
        return _np.asarray(value, dtype=dtype)
    xp = _MODULES.get(type(value))
    if xp is None and type(value).__module__.startswith("cupy"):  # a CuPy array from outside, before CUDA's first use
        xp = cuda_module()
    if xp is not None:
        return xp.asarray(value, dtype=dtype)
    a = _np.asarray(value, dtype=dtype)
    if dtype is None and a.dtype == _np.float64:
        a = a.astype(default_float)
    return a


def ensure_array(out):
    """NumPy ufuncs return scalars for 0-d input; tensors always hold arrays."""
    return _np.asarray(out) if isinstance(out, _np.generic) else out


def is_float(dtype) -> bool:
    return dtype.kind == "f"


def mixed_device_error(op: str, *operands):
    """The error for op ``op`` given operands on different devices, or None when they share one.

    Ops do not compare devices before running (that would cost every op); the engine asks this only after an
    op failed, to say why.

    >>> import numpy as np
    >>> mixed_device_error("add", np.zeros(2), 1.0) is None
    True
    """
    devices = []
    for a in operands:
        if type(a) in _MODULES:
            d = device_of(a)
            if d not in devices:
                devices.append(d)
    return RuntimeError(mixed_device_message(op, devices)) if len(devices) > 1 else None


def mixed_device_message(op: str, devices) -> str:
    """What to tell the user when op ``op`` got tensors on several ``devices``.

    >>> mixed_device_message("add", [Device("cpu"), Device("cuda:0")])
    'add: tensors on cpu and cuda:0; move one with .to(...)'
    """
    names = [str(d) for d in devices]
    return f"{op}: tensors on {', '.join(names[:-1])} and {names[-1]}; move one with .to(...)"


def synchronize(device=None) -> None:
    """Wait until every kernel queued on ``device`` (default: the current CUDA device) has finished."""
    device = Device("cuda" if device is None else device)
    cp = cuda_module(device)
    with cp.cuda.Device(_cuda_index(cp, device)):
        cp.cuda.runtime.deviceSynchronize()


# -- fast array idioms ----------------------------------------------------------------------------------

def keep_where(g, keep):
    """``where(keep, g, 0)`` at the speed of ``g * keep``: a ReLU's gradient.

    The product is ten times faster than ``where`` on big arrays but turns a NaN or infinite ``g`` into NaN
    where ``keep`` is false, where PyTorch gives 0. ANDing ``g``'s bits with an all-ones or all-zeros integer
    mask gives exactly ``where``'s result in the product's time.

    >>> import numpy as np
    >>> keep_where(np.array([np.nan, np.nan, 2.0]), np.array([False, True, True]))
    array([ 0., nan,  2.])
    """
    xp = array_module(g)
    if g.dtype.kind != "f" or not g.ndim or g.shape != keep.shape:  # (NumPy scalars have no out=)
        return xp.where(keep, g, g.dtype.type(0))
    ints = xp.dtype("int%d" % (8 * g.dtype.itemsize))
    m = keep.astype(ints)
    xp.negative(m, out=m)  # True -> -1: every bit set
    xp.bitwise_and(g.view(ints), m, out=m)
    return m.view(g.dtype)


# -- what NumPy and CuPy spell differently ---------------------------------------------------------------

def index_add(z, index, g):
    """Add ``g`` into ``z`` at ``index`` in place; repeated indices accumulate (``np.add.at`` / ``cupyx.scatter_add``).

    >>> import numpy as np
    >>> z = np.zeros(3); index_add(z, np.array([0, 0, 2]), np.ones(3)); z
    array([2., 0., 1.])
    """
    if type(z) is _np.ndarray:
        _np.add.at(z, index, g)
    else:
        import cupyx

        cupyx.scatter_add(z, index, g)


def as_strided(x, shape, strides):
    """A view of ``x`` with the given shape and strides (in bytes); both modules have it, under ``lib``."""
    return array_module(x).lib.stride_tricks.as_strided(x, shape, strides)


def sliding_window_view(x, window_shape, axis=None):
    """Read-only sliding windows over ``x``, as NumPy's (built from strides for CuPy, which gained its own late)."""
    if type(x) is _np.ndarray:
        return _np.lib.stride_tricks.sliding_window_view(x, window_shape, axis)
    return _strided_windows(x, window_shape, axis)


def _strided_windows(x, window_shape, axis=None):
    window_shape = (window_shape,) if isinstance(window_shape, int) else tuple(window_shape)
    axes = tuple(range(x.ndim)) if axis is None else ((axis,) if isinstance(axis, int) else tuple(axis))
    if len(axes) != len(window_shape):
        raise ValueError(f"sliding_window_view: {len(window_shape)} window sizes for {len(axes)} axes")
    axes = tuple(a % x.ndim for a in axes)
    shape = list(x.shape)
    for a, w in zip(axes, window_shape):
        if shape[a] < w:
            raise ValueError(f"sliding_window_view: window {w} is larger than axis {a} of size {shape[a]}")
        shape[a] -= w - 1
    return as_strided(x, tuple(shape) + window_shape, tuple(x.strides) + tuple(x.strides[a] for a in axes))


def normal(g, mean, std, shape):
    """Normal samples from generator ``g`` (CuPy's Generator has ``standard_normal`` but no ``normal``)."""
    if isinstance(g, _np.random.Generator):
        return g.normal(mean, std, shape)
    return g.standard_normal(shape) * std + mean


def permutation(g, n: int):
    """A random permutation of ``range(n)`` from generator ``g`` (CuPy's Generator has no ``permutation``)."""
    if isinstance(g, _np.random.Generator):
        return g.permutation(n)
    r = g.random(n)
    return array_module(r).argsort(r)  # the order of n uniform draws is a uniform permutation


# erf is not a NumPy ufunc: SciPy's (or cupyx's) is used when present, else a float64-accurate series/continued fraction.
try:  # pragma: no cover - depends on the environment
    from scipy.special import erf as _scipy_erf
except Exception:  # pragma: no cover
    _scipy_erf = None


def _erf_series(x):
    xp = array_module(x)
    x64 = x.astype(_np.float64)
    ax = xp.abs(x64)
    small = ax < 2.5
    # Maclaurin series for |x| < 2.5: terms shrink fast enough that 60 keep float64 accuracy.
    xs = xp.where(small, x64, 0.0)
    term = xs.copy()
    total = xs.copy()
    x2 = xs * xs
    for n in range(1, 60):
        term = term * (-x2) / n
        total = total + term / (2 * n + 1)
    series = total * (2.0 / math.sqrt(math.pi))
    # erfc by its continued fraction (modified Lentz) for |x| >= 2.5.
    z = xp.where(small, 3.0, ax)
    tiny = 1e-300
    f = z.copy()
    c = z.copy()
    d = xp.zeros_like(z)
    for n in range(1, 80):
        a = n / 2.0
        d = z + a * d
        d = xp.where(xp.abs(d) < tiny, tiny, d)
        c = z + a / c
        c = xp.where(xp.abs(c) < tiny, tiny, c)
        d = 1.0 / d
        f = f * c * d
    erfc = xp.exp(-z * z) / (f * math.sqrt(math.pi))
    tail = xp.sign(x64) * (1.0 - erfc)
    return xp.where(small, series, tail).astype(x.dtype)


def erf(x):
    """Elementwise error function of an array, in the array's dtype."""
    if type(x) is _np.ndarray:
        return ensure_array(_scipy_erf(x)) if _scipy_erf is not None else _erf_series(x)
    try:
        from cupyx.scipy.special import erf as _cupy_erf
    except ImportError:  # pragma: no cover - cupyx ships with CuPy
        return _erf_series(x)
    return _cupy_erf(x)
