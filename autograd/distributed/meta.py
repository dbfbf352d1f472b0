"""What each rank passes to a collective, compared across ranks before any data moves.

A collective whose ranks disagree on the shape or dtype of the tensor (or call different collectives) would
hang or silently mix bytes in MPI and NCCL alike. One small all-gather of a fixed-size description per call
turns that into an error that lists what every rank passed.
"""
from __future__ import annotations

import zlib

import numpy as np

from .errors import DistBackendError

__all__ = ["describe", "check_same", "header", "read_header"]

_DIMS = 6  # shapes up to this many dimensions are reported in full; longer ones by checksum
_KNOWN = {}  # checksum -> text, for the error message


def _code(text: str) -> int:
    c = zlib.crc32(text.encode())
    _KNOWN[c] = text
    return c


for _d in ("float16", "float32", "float64", "complex64", "complex128", "int8", "int16", "int32", "int64", "uint8",
           "bool"):
    _code(np.dtype(_d).str)


def describe(kind: str, shape, dtype, extra: int = 0) -> np.ndarray:
    """``[collective, dtype, ndim, numel, extra, d0..d5, shape checksum]`` as int64."""
    shape = tuple(int(s) for s in shape)
    dims = list(shape[:_DIMS]) + [-1] * (_DIMS - min(len(shape), _DIMS))
    return np.array([_code(kind), _code(np.dtype(dtype).str), len(shape), int(np.prod(shape, dtype=np.int64)),
                     extra] + dims + [zlib.crc32(repr(shape).encode())], dtype=np.int64)


def _text(row) -> str:
    kind = _KNOWN.get(int(row[0]), "another collective")
    dtype = _KNOWN.get(int(row[1]))
    dtype = "?" if dtype is None else str(np.dtype(dtype))
    ndim = int(row[2])
    shape = tuple(int(s) for s in row[5:5 + min(ndim, _DIMS)]) + (("...",) if ndim > _DIMS else ())
    return f"{kind} with a {dtype} tensor of shape {shape}" + (f" (extra={int(row[4])})" if row[4] else "")


def check_same(group, kind: str, shape, dtype, extra: int = 0, extra_name: str = "") -> None:
    """Raise a clear error unless every rank calls ``kind`` with the same shape, dtype and ``extra`` (a root)."""
    if group.size == 1:
        return
    mine = describe(kind, shape, dtype, extra)
    every = np.empty((group.size, mine.size), np.int64)
    req = group.comm.Iallgather(mine, every)
    group.wait_requests([req], kind)
    bad = [r for r in range(group.size) if not np.array_equal(every[r], every[0])]
    if bad:
        lines = "; ".join(f"rank {r}: {_text(every[r])}" for r in range(group.size))
        what = "shape, dtype" + (f" and {extra_name}" if extra_name else "")
        raise DistBackendError(f"{kind}: the ranks disagree on the {what} of the collective ({lines}). Every rank "
                               f"must pass tensors of the same shape and dtype, in the same order of collectives")


def header(shape, dtype) -> np.ndarray:
    """A point-to-point message's description, sent ahead of the data."""
    return describe("send", shape, dtype)


def read_header(row, shape, dtype, src: int, me: int) -> None:
    """Raise if the message ``src`` announced does not fit the tensor this rank receives into."""
    want = describe("send", shape, dtype)
    if not np.array_equal(np.asarray(row), want):
        raise DistBackendError(f"recv: rank {src} sent a {_text(row)[len('send with a '):]}, but rank {me} receives "
                               f"into a {_text(want)[len('send with a '):]}; both sides must agree on shape and dtype")
