"""Reused large buffers: a small caching allocator for the ops' big temporaries (im2col columns, products).

A Tensor, a view or a node's saved values hold references that CPython counts, so a buffer is handed out again
only when the pool's own reference is the last one.
"""
from __future__ import annotations

import collections
import math
import sys
import threading


class BufferPool:
    """Large NumPy arrays handed out again once nothing else refers to them: a small caching allocator.

    glibc hands freed blocks of a few megabytes back to the operating system, so a training step that allocates
    its activations and gradients anew page-faults every one of them back in (about 3,600 faults, a third of
    the CNN benchmark's step, against PyTorch's 40). An array made here is reused for the next request of the
    same shape and dtype when the pool's own reference is the only one left: a Tensor, a view, a node's saved
    values all hold references that CPython counts, so a buffer still in use is never handed out twice.
    Pools are per thread and keep at most ``max_bytes``, the least recently used shapes dropped first;
    ``clear()`` empties this thread's pool. Other array modules (CuPy) and interpreters without reference
    counts pass straight through to ``xp.empty``.
    """

    min_bytes = 1 << 18
    max_bytes = 256 << 20
    per_shape = 4

    def __init__(self):
        self._local = threading.local()
        # what getrefcount reports for an object only the pool's list holds, seen through the same code path
        self._unused = _refcounts([object()])[0] if hasattr(sys, "getrefcount") else None

    def _arrays(self):
        d = getattr(self._local, "arrays", None)
        if d is None:
            d = self._local.arrays = collections.OrderedDict()
        return d

    def empty(self, xp, shape, dtype):
        """An uninitialised array, reused when possible."""
        dtype = xp.dtype(dtype)
        shape = tuple(shape)
        if self._unused is None or xp.__name__ != "numpy" or math.prod(shape) * dtype.itemsize < self.min_bytes:
            return xp.empty(shape, dtype=dtype)
        arrays = self._arrays()
        key = (shape, dtype.str)
        kept = arrays.get(key)
        if kept is None:
            kept = arrays[key] = []
        else:
            arrays.move_to_end(key)
            for a, count in zip(kept, _refcounts(kept)):
                if count == self._unused:
                    return a
        a = xp.empty(shape, dtype=dtype)
        if len(kept) < self.per_shape:
            kept.append(a)
            self._trim(arrays)
        return a

    def zeros(self, xp, shape, dtype):
        a = self.empty(xp, shape, dtype)
        a.fill(0)
        return a

    def clear(self) -> None:
        self._arrays().clear()

    def nbytes(self) -> int:
        """Bytes this thread's pool holds."""
        return sum(a.nbytes for kept in self._arrays().values() for a in kept)

    def _trim(self, arrays):
        total = self.nbytes()
        while total > self.max_bytes and len(arrays) > 1:
            _, kept = arrays.popitem(last=False)
            total -= sum(a.nbytes for a in kept)


def _refcounts(objects):
    return [sys.getrefcount(o) for o in objects]


buffers = BufferPool()
