"""Array modules: the one place that knows NumPy (and, later, CuPy) by name.

Every op finds the module of its operands' data with :func:`array_module` and
works through it, so moving a tensor to another device changes the module, not
the op.
"""
from __future__ import annotations

import math

import numpy as _np

ndarray = _np.ndarray
default_float = _np.float32

_MODULES = {_np.ndarray: _np}


def array_module(a):
    """The array module (``numpy`` or ``cupy``) that owns array ``a``."""
    return _MODULES.get(type(a), _np)


def as_array(value, dtype=None):
    """Coerce Python data to a host array; Python floats become float32 as in PyTorch."""
    if type(value) is _np.ndarray and dtype is None:
        return value
    if isinstance(value, (_np.ndarray, _np.generic)):
        return _np.asarray(value, dtype=dtype)
    a = _np.asarray(value, dtype=dtype)
    if dtype is None and a.dtype == _np.float64:
        a = a.astype(default_float)
    return a


def ensure_array(out):
    """NumPy ufuncs return scalars for 0-d input; tensors always hold arrays."""
    return _np.asarray(out) if isinstance(out, _np.generic) else out


def is_float(dtype) -> bool:
    return dtype.kind == "f"


# erf is not a NumPy ufunc; SciPy's is used when present, else a float64-accurate series/continued fraction.
try:  # pragma: no cover - depends on the environment
    from scipy.special import erf as _scipy_erf
except Exception:  # pragma: no cover
    _scipy_erf = None


def _erf_numpy(x):
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
    if _scipy_erf is not None and type(x) is _np.ndarray:
        return ensure_array(_scipy_erf(x))
    return _erf_numpy(x)
