"""Type promotion: the dtype an op computes in when its operands' dtypes differ, by PyTorch's rules.

Dtypes fall in categories, bool < integer < floating < complex, and the result's category is the highest
among the operands. Its width comes from the strongest kind of operand in that category: tensors with
dimensions, else 0-d tensors, else Python numbers (which pick the default: int64, the default float dtype,
or its complex partner). So ``float32 tensor + float64 0-d tensor`` stays float32, ``int32 tensor +
float64 0-d tensor`` is float64, and ``int tensor * 2.5`` is float32 where NumPy would widen to float64.

>>> import numpy as np
>>> result_type(np.ones(2, np.float32), np.float64(1.0).reshape(()))
dtype('float32')
>>> result_type(np.ones(2, np.int32), np.ones((), np.float64))
dtype('float64')
>>> result_type(np.ones(2, np.int64), 2.5)
dtype('float32')
"""
from __future__ import annotations

import numpy as _np  # dtype arithmetic only (host metadata)

from .backend import DEFAULTS

_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}
_PYTHON = {bool: 0, int: 1, float: 2, complex: 3}


def category(dtype) -> int:
    """0 bool, 1 integer, 2 floating, 3 complex."""
    return _CATEGORY[_np.dtype(dtype).kind]


def _default(cat: int):
    if cat == 0:
        return _np.dtype(bool)
    if cat == 1:
        return _np.dtype(_np.int64)
    if cat == 2:
        return DEFAULTS.float
    return DEFAULTS.complex


def result_type(*operands):
    """The dtype PyTorch computes ``operands`` (arrays and Python numbers) in."""
    dims, zeros, numbers = [], [], []
    for v in operands:
        t = type(v)
        if t in _PYTHON:
            numbers.append(_PYTHON[t])
            continue
        dt = getattr(v, "dtype", None)
        if dt is None:
            raise TypeError(f"type promotion: expected an array or a Python number, got {t.__name__}")
        (dims if getattr(v, "ndim", 0) else zeros).append(dt)
    cats = [_CATEGORY[d.kind] for d in dims + zeros] + numbers
    top = max(cats)
    for tier in (dims, zeros):
        same = [d for d in tier if _CATEGORY[d.kind] == top]
        if same:
            return _np.result_type(*same)
    return _default(top)


def promote(*arrays):
    """``arrays`` (and Python numbers, kept as they are) cast to their common dtype (no copy where it is theirs)."""
    dt = result_type(*arrays)
    return tuple(a if type(a) in _PYTHON or a.dtype == dt else a.astype(dt) for a in arrays)
