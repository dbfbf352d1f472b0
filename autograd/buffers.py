"""Reused large buffers: a small caching allocator for the ops' big arrays (im2col columns, products, and the
results and gradients of the arithmetic, matmul, activation, softmax and norm ops).

A Tensor, a view or a node's saved values hold references that CPython counts, so a buffer is handed out again
only when the pool's own reference is the last one. The ops take their large floating results from here
through :meth:`BufferPool.binary`, :meth:`BufferPool.unary`, :meth:`BufferPool.product` (every large matrix product,
convolutions' included) and the functions
:func:`add`, :func:`sub`, :func:`mul` and :func:`copy`, which compute exactly what NumPy computes (the same
ufunc, into an ``out=`` of the result's own shape and dtype) and leave every other case to plain NumPy.

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

import numpy as _numpy

_ND = _numpy.ndarray
_UINT8 = _numpy.dtype(_numpy.uint8)
_broadcast_shapes = _numpy.broadcast_shapes


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

    Requests under ``min_bytes`` (256 KB) are plain ``xp.empty``: for them glibc reuses freed memory without
    faults, and the pool's bookkeeping (about 2 microseconds) would be pure cost. ``per_shape`` buffers are
    kept per size class: enough for the activations of one size a step holds at once (a GPT block's).
    """

    min_bytes = 1 << 18
    max_bytes = 256 << 20
    per_shape = 16

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
        key = _CLASSES.get(nbytes) or _size_class(nbytes)  # raw byte buffers, viewed as the shape and dtype asked for
        with self._lock:
            a = self._free(tp, key)
            if a is not None:
                return _ndarray(shape, dtype, a) if xp is _numpy else a[:nbytes].view(dtype).reshape(shape)
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
        counts = _refcounts(kept)
        # the free buffer handed out last (likely the one released last, still in cache), as malloc's free lists
        for i in range(len(kept) - 1, -1, -1):
            if counts[i] == self._unused:
                a = kept[i]
                if i != len(kept) - 1:
                    del kept[i]
                    kept.append(a)
                tp.arrays.move_to_end(size)
                return a
        return None

    def zeros(self, xp, shape, dtype):
        """A zero-filled array of ``shape`` and ``dtype`` from array module ``xp``, reused when possible."""
        a = self.empty(xp, shape, dtype)
        a.fill(0)
        return a

    def product(self, a, b):
        """``a @ b``, into a reused buffer when both are NumPy arrays of one floating dtype, at least 2-D, and the
        result is large (NumPy's product is C-contiguous whatever its operands' layout); anything else (CuPy,
        1-D, mixed dtypes) is plain ``a @ b``."""
        if type(a) is not _ND or type(b) is not _ND or a.ndim < 2 or b.ndim < 2:
            return a @ b
        dt = a.dtype
        if dt != b.dtype or dt.kind not in "fc" or not dt.isnative or a.shape[-1] != b.shape[-2]:
            return a @ b  # (NumPy's product of byte-swapped operands is native: not this dtype)
        if a.ndim == 2 and b.ndim == 2:  # (broadcast_shapes costs several microseconds: not for these)
            shape = (a.shape[0], b.shape[1])
        else:
            try:
                shape = _broadcast_shapes(a.shape[:-2], b.shape[:-2]) + (a.shape[-2], b.shape[-1])
            except ValueError:
                return a @ b  # raises matmul's own error
        if math.prod(shape) * dt.itemsize < self.min_bytes:
            return a @ b
        return _numpy.matmul(a, b, out=self.empty(_numpy, shape, dt))

    def binary(self, ufunc, a, b):
        """``ufunc(a, b)`` into a reused buffer when it is a large floating NumPy result of ``a``'s (or ``b``'s)
        dtype: two C-contiguous (or wholly broadcast) arrays of one floating dtype in native byte order, or such
        an array and a Python int or float (NumPy's weak scalars keep the array's dtype). Then NumPy's own
        result has exactly that dtype and a C layout (from other layouts it keeps theirs, and a byte-swapped
        dtype gives a native result). None otherwise, and where the shapes do not broadcast (the caller's own
        path then computes it, or raises its error)."""
        ta, tb = type(a), type(b)
        if ta is _ND:
            dt = a.dtype
            if tb is _ND:
                if dt != b.dtype or (a.nbytes < self.min_bytes and b.nbytes < self.min_bytes) \
                        or not (_c_layout(a) and _c_layout(b)):
                    return None
                shape = a.shape
                if shape != b.shape:
                    shape = _broadcast(shape, b.shape)
                    if shape is None:
                        return None
            elif (tb is float or tb is int) and a.nbytes >= self.min_bytes and a.flags.c_contiguous:
                shape = a.shape
            else:
                return None
        elif (ta is float or ta is int) and tb is _ND and b.nbytes >= self.min_bytes and b.flags.c_contiguous:
            dt, shape = b.dtype, b.shape
        else:
            return None
        if dt.kind not in "fc" or not dt.isnative:
            return None
        return ufunc(a, b, out=self.empty(_numpy, shape, dt))

    def unary(self, ufunc, x):
        """``ufunc(x)`` into a reused buffer for a large real floating C-contiguous NumPy array ``x`` in native
        byte order (a ufunc whose result has ``x``'s dtype: exp, tanh, ...); None otherwise."""
        if type(x) is not _ND or x.nbytes < self.min_bytes or x.dtype.kind != "f" or not x.dtype.isnative \
                or not x.flags.c_contiguous:
            return None
        return ufunc(x, out=self.empty(_numpy, x.shape, x.dtype))

    def private(self, a) -> bool:
        """Whether NumPy array ``a`` is a view of one of this thread's buffers that nothing but ``a`` views: its
        memory is ``a``'s alone (as if it owned it), so it may become a ``.grad`` without a copy."""
        base = getattr(a, "base", None)
        if type(base) is not _ND or base.base is not None or base.dtype != _UINT8 or self._unused is None:
            return False
        kept = self._pool().arrays.get(base.nbytes)
        if kept is None or not any(k is base for k in kept):
            return False
        # the references: the pool's list, a's .base, the local name and getrefcount's argument
        return sys.getrefcount(base) <= 4

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
    size = max(size, -(-nbytes // 4096) * 4096)
    if len(_CLASSES) < 4096:  # the sizes a program asks for are few: remembered, bounded
        _CLASSES[nbytes] = size
    return size


_CLASSES: dict = {}  # request size -> size class
_ndarray = _numpy.ndarray  # ndarray(shape, dtype, buffer): one view of a raw buffer, based on it


def _forget(lock, total, held):
    with lock:
        total[0] -= held[0]
        held[0] = 0


def _refcounts(objects):
    return [sys.getrefcount(o) for o in objects]


buffers = BufferPool()


def _c_layout(a) -> bool:
    """Whether NumPy's result from ``a`` would be C-ordered: ``a`` is C-contiguous, or a broadcast of one value
    (every stride 0, as the gradient of a sum)."""
    return a.flags.c_contiguous or not any(a.strides)


def _broadcast(sa, sb):
    """The broadcast of shapes ``sa`` and ``sb``, or None where they do not broadcast. The usual case (one shape
    spreads over the other, a bias over a batch) without ``broadcast_shapes``, which costs several microseconds."""
    for big, small in ((sa, sb), (sb, sa)):
        if len(small) <= len(big) and all(y == 1 or y == x for x, y in zip(big[len(big) - len(small):], small)):
            return big
    try:
        return _broadcast_shapes(sa, sb)
    except ValueError:
        return None


def copy(x):
    """``x.copy()`` (C order) for a raw array, a large NumPy copy in a reused buffer."""
    if type(x) is not _ND or x.nbytes < buffers.min_bytes:
        return x.copy()
    out = buffers.empty(_numpy, x.shape, x.dtype)
    out[...] = x
    return out


def add(a, b):
    """``a + b`` for raw operands, a large floating NumPy result in a reused buffer (:meth:`BufferPool.binary`)."""
    out = buffers.binary(_numpy.add, a, b)
    return a + b if out is None else out


def sub(a, b):
    """``a - b``, as :func:`add`."""
    out = buffers.binary(_numpy.subtract, a, b)
    return a - b if out is None else out


def mul(a, b):
    """``a * b``, as :func:`add`."""
    out = buffers.binary(_numpy.multiply, a, b)
    return a * b if out is None else out
