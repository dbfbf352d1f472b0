"""Reused large buffers: a small caching allocator for the ops' big temporaries (im2col columns, products).

A Tensor, a view or a node's saved values hold references that CPython counts, so a buffer is handed out again
only when the pool's own reference is the last one.

The pool holds at most :attr:`BufferPool.max_bytes` (256 MB) in the whole process, over all threads; a thread's
buffers go when the thread ends. To hand everything back to the allocator (e.g. after training, before a
memory-hungry step of another library), call ``buffers.clear()``; ``buffers.max_bytes = 0`` turns pooling off:

>>> from autograd.buffers import buffers
>>> buffers.clear()
>>> buffers.total_bytes()
0
"""
from __future__ import annotations

import collections
import math
import sys
import threading
import weakref


class _ThreadPool:
    """One thread's kept arrays, least recently used shape first; ``held[0]`` is their size in bytes (a cell
    the finalizer reads after the pool itself is gone)."""

    __slots__ = ("arrays", "held", "__weakref__")

    def __init__(self):
        self.arrays = collections.OrderedDict()
        self.held = [0]


class BufferPool:
    """Large NumPy arrays handed out again once nothing else refers to them: a small caching allocator.

    glibc hands freed blocks of a few megabytes back to the operating system, so a training step that allocates
    its activations and gradients anew page-faults every one of them back in (about 3,600 faults, a third of
    the CNN benchmark's step, against PyTorch's 40). An array made here is reused for the next request of the
    same shape and dtype when the pool's own reference is the only one left: a Tensor, a view, a node's saved
    values all hold references that CPython counts, so a buffer still in use is never handed out twice. Buffers
    are kept by size class (sizes rounded up to the next power of 2**(1/4), at most 19% more; the pages past
    what a request uses are never touched, so they take no memory) and handed out as views of the shape and
    dtype asked for (every view of a view has the buffer as its base): requests of different shapes and
    nearly the same size share one buffer.

    Each thread reuses its own arrays (no thread is handed another's buffer); together they keep at most
    ``max_bytes`` in the process: a thread that needs room drops its own least recently used shapes, and an
    array that does not fit is simply not kept. A thread's arrays are released when the thread ends;
    ``clear()`` empties every thread's pool. Other array modules (CuPy) and interpreters without reference
    counts pass straight through to ``xp.empty``.
    """

    min_bytes = 1 << 18
    max_bytes = 256 << 20
    per_shape = 4

    def __init__(self):
        self._local = threading.local()
        self._lock = threading.Lock()  # guards every pool's dict and the process-wide total
        self._pools = weakref.WeakSet()
        self._total = [0]
        # what getrefcount reports for an object only the pool's list holds, seen through the same code path
        self._unused = _refcounts([object()])[0] if hasattr(sys, "getrefcount") else None

    def _pool(self) -> _ThreadPool:
        tp = getattr(self._local, "pool", None)
        if tp is None:
            tp = self._local.pool = _ThreadPool()
            with self._lock:
                self._pools.add(tp)
            # the thread's local storage goes with the thread: take its bytes off the total then
            weakref.finalize(tp, _forget, self._lock, self._total, tp.held)
        return tp

    def _arrays(self):
        """This thread's kept raw buffers, by size class in bytes."""
        return self._pool().arrays

    def empty(self, xp, shape, dtype):
        """An uninitialised array, reused when possible."""
        dtype = xp.dtype(dtype)
        shape = tuple(shape)
        nbytes = math.prod(shape) * dtype.itemsize
        if self._unused is None or xp.__name__ != "numpy" or nbytes < self.min_bytes:
            return xp.empty(shape, dtype=dtype)
        tp = self._pool()
        key = _size_class(nbytes)  # raw byte buffers, viewed as the shape and dtype asked for
        with self._lock:
            a = self._free(tp, key)
            if a is not None:
                return a[:nbytes].view(dtype).reshape(shape)
        a = xp.empty(key, dtype=xp.uint8)
        if key > self.max_bytes:
            return a[:nbytes].view(dtype).reshape(shape)
        with self._lock:
            kept = tp.arrays.get(key)
            if kept is None:
                kept = tp.arrays[key] = []
            if len(kept) < self.per_shape:
                kept.append(a)
                tp.held[0] += key
                self._total[0] += key
                self._trim(tp, key)
                if self._total[0] > self.max_bytes:  # other threads hold the rest: do not keep this one
                    kept.remove(a)
                    tp.held[0] -= key
                    self._total[0] -= key
                if not kept:
                    del tp.arrays[key]
        # a view: its base is the raw buffer, so while it (or any view of it) lives the buffer counts as in use
        return a[:nbytes].view(dtype).reshape(shape)

    def _free(self, tp, size):
        """A kept buffer of ``size`` bytes nobody else refers to, or None (called holding the lock)."""
        kept = tp.arrays.get(size)
        if kept is None:
            return None
        for a, count in zip(kept, _refcounts(kept)):
            if count == self._unused:
                tp.arrays.move_to_end(size)
                return a
        return None

    def zeros(self, xp, shape, dtype):
        """A zero-filled array of ``shape`` and ``dtype`` from array module ``xp``, reused when possible."""
        a = self.empty(xp, shape, dtype)
        a.fill(0)
        return a

    def matmul(self, xp, a, b):
        """``a @ b`` (``xp.matmul``, broadcasting leading dimensions) into a reused buffer."""
        shape = xp.broadcast_shapes(a.shape[:-2], b.shape[:-2]) + (a.shape[-2], b.shape[-1])
        return xp.matmul(a, b, out=self.empty(xp, shape, xp.result_type(a, b)))

    def clear(self) -> None:
        """Drop every thread's kept arrays (those still in use stay alive with their users)."""
        with self._lock:
            for tp in list(self._pools):
                tp.arrays.clear()
                self._total[0] -= tp.held[0]
                tp.held[0] = 0

    def nbytes(self) -> int:
        """Bytes this thread's pool holds."""
        return self._pool().held[0]

    def total_bytes(self) -> int:
        """Bytes all threads' pools hold together (at most ``max_bytes``)."""
        return self._total[0]

    def _trim(self, tp, keep):
        """Drop this thread's least recently used shapes (never ``keep``) while the process is over its cap."""
        arrays = tp.arrays
        while self._total[0] > self.max_bytes:
            oldest = next(iter(arrays))
            if oldest == keep:
                if len(arrays) == 1:
                    return
                arrays.move_to_end(oldest)
                continue
            size = sum(a.nbytes for a in arrays.pop(oldest))
            tp.held[0] -= size
            self._total[0] -= size


def _size_class(nbytes: int) -> int:
    """``nbytes`` rounded up to the next power of 2**(1/4) (in whole pages): the pool's buffer sizes."""
    size = -(-int(2.0 ** (math.ceil(4 * math.log2(nbytes)) / 4)) // 4096) * 4096
    return max(size, -(-nbytes // 4096) * 4096)


def _forget(lock, total, held):
    with lock:
        total[0] -= held[0]
        held[0] = 0


def _refcounts(objects):
    return [sys.getrefcount(o) for o in objects]


buffers = BufferPool()
