"""The NCCL backend (``backend="nccl"``): collectives on CuPy arrays through ``cupy.cuda.nccl``.

MPI still starts the processes and carries the control traffic (the NCCL unique id, the shape checks, the
failure notices); the tensors' bytes move over NCCL on a stream of its own. Each call waits (on the GPU) for
the work queued so far on the current stream, queues the NCCL call on the communication stream and records an
event; ``Work.wait()`` polls that event against the timeout (aborting the NCCL communicator when it passes,
so no kernel is left spinning) and then orders the current stream after it.

One GPU per process: the rank among the processes on the same host picks the device.
"""
from __future__ import annotations

import numpy as np

from .errors import DistBackendError
from .reduce_op import ReduceOp
from .work import Work

__all__ = ["NCCLBackend", "nccl_available"]

_UID_BYTES = 128  # sizeof(ncclUniqueId)


def nccl_available() -> bool:
    """True when CuPy imports, was built with NCCL, and sees a GPU."""
    try:
        import cupy
        from cupy.cuda import nccl
    except Exception:  # CuPy missing or broken: no NCCL
        return False
    try:
        return bool(nccl.available) and cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # no driver
        return False


class NCCLBackend:
    """Collectives over one NCCL communicator, one GPU per rank."""

    name = "nccl"

    def __init__(self, group):
        if not nccl_available():
            raise DistBackendError("init_process_group(backend='nccl'): NCCL is unavailable here: it needs CuPy "
                                   "built with NCCL (pip install 'denpa[cuda]') and a GPU per process; use "
                                   "backend='mpi' for CPU tensors")
        import cupy
        from cupy.cuda import nccl

        self.group, self.cp, self.nccl = group, cupy, nccl
        MPI = group.MPI
        local = group.comm.Split_type(MPI.COMM_TYPE_SHARED)
        local_rank = local.Get_rank()
        local.Free()
        self.device = cupy.cuda.Device(local_rank % cupy.cuda.runtime.getDeviceCount())
        self.device.use()
        self.comm = nccl.NcclCommunicator(group.size, self._unique_id(), group.rank)
        self.stream = cupy.cuda.Stream(non_blocking=True)
        self._ops = {ReduceOp.SUM: nccl.NCCL_SUM, ReduceOp.AVG: nccl.NCCL_SUM, ReduceOp.PRODUCT: nccl.NCCL_PROD,
                     ReduceOp.MIN: nccl.NCCL_MIN, ReduceOp.MAX: nccl.NCCL_MAX}
        self._types = {"b": nccl.NCCL_INT8, "B": nccl.NCCL_UINT8, "?": nccl.NCCL_UINT8, "i": nccl.NCCL_INT32,
                       "I": nccl.NCCL_UINT32, "l": nccl.NCCL_INT64, "L": nccl.NCCL_UINT64, "q": nccl.NCCL_INT64,
                       "Q": nccl.NCCL_UINT64, "e": nccl.NCCL_FLOAT16, "f": nccl.NCCL_FLOAT32,
                       "d": nccl.NCCL_FLOAT64, "F": nccl.NCCL_FLOAT32, "D": nccl.NCCL_FLOAT64}

    def _unique_id(self):
        """Rank 0's ``nccl.get_unique_id()``, broadcast over MPI as raw numbers (no pickling)."""
        group = self.group
        raw = np.zeros(_UID_BYTES + 1, np.int64)  # the last slot says whether CuPy gave bytes or a tuple
        if group.rank == 0:
            uid = self.nccl.get_unique_id()
            as_bytes = isinstance(uid, (bytes, bytearray))
            vals = list(uid) if not as_bytes else list(bytes(uid))
            raw[:len(vals)] = vals
            raw[-1] = 1 if as_bytes else 0
        group.wait_requests([group.comm.Ibcast(raw, root=0)], "init_process_group")
        vals = [int(v) for v in raw[:-1]]
        return bytes(v & 0xFF for v in vals) if raw[-1] else tuple(vals)

    def _type(self, a, during):
        t = self._types.get(a.dtype.char)
        if t is None:
            raise TypeError(f"{during}: NCCL cannot move {a.dtype} tensors")
        return t, a.size * (2 if a.dtype.kind == "c" else 1)  # complex numbers travel as pairs of reals

    def _op(self, op, a, during):
        if op not in self._ops:
            raise TypeError(f"{during}: NCCL has no {op.name} reduction; use the 'mpi' backend for it")
        if a.dtype.kind == "c" and op not in (ReduceOp.SUM, ReduceOp.AVG):
            raise TypeError(f"{during}: NCCL reduces complex tensors with SUM or AVG only, got {op.name}")
        return self._ops[op]

    def _contig(self, a):
        return a if a.flags.c_contiguous else self.cp.ascontiguousarray(a)

    def _launch(self, call, during, finish=None, result=None) -> Work:
        """Queue ``call(stream_ptr)`` after the current stream's work; the Work orders the current stream after it."""
        cp, group = self.cp, self.group
        current = cp.cuda.get_current_stream()
        self.stream.wait_event(current.record())
        with self.device:
            call(self.stream.ptr)
        done = self.stream.record()

        def test():
            self.comm.check_async_error()  # raises NcclError for a failed peer or a broken link
            return done.done

        def complete():
            current.wait_event(done)
            if finish is not None:
                finish()
        return Work(test, complete, group.faults, during, group.timeout_s, result, on_timeout=self.comm.abort)

    def all_reduce(self, a, op, during="all_reduce") -> Work:
        """Reduce ``a`` (a CuPy array) across ranks with ``op`` (SUM, AVG, PRODUCT, MIN or MAX), in place;
        ``AVG`` is a sum divided by the world size once the Work completes."""
        buf = self._contig(a)
        t, n = self._type(buf, during)
        o = self._op(op, buf, during)
        size = self.group.size

        def finish():
            if op is ReduceOp.AVG:
                buf.__itruediv__(size)
            if buf is not a:
                a[...] = buf
        return self._launch(lambda s: self.comm.allReduce(buf.data.ptr, buf.data.ptr, n, t, o, s), during, finish)

    def broadcast(self, a, src, during="broadcast") -> Work:
        """Every rank's ``a`` receives rank ``src``'s values."""
        buf = self._contig(a)
        t, n = self._type(buf, during)
        return self._launch(lambda s: self.comm.broadcast(buf.data.ptr, buf.data.ptr, n, t, src, s), during,
                            (lambda: a.__setitem__(Ellipsis, buf)) if buf is not a else None)

    def all_gather_into(self, out, a, during="all_gather_into_tensor") -> Work:
        """``out`` (size * a.size elements, C-contiguous order) receives every rank's ``a`` in rank order."""
        src = self._contig(a)
        buf = out if out.flags.c_contiguous else self.cp.empty(out.shape, out.dtype)
        t, n = self._type(src, during)
        return self._launch(lambda s: self.comm.allGather(src.data.ptr, buf.data.ptr, n, t, s), during,
                            (lambda: out.__setitem__(Ellipsis, buf)) if buf is not out else None)

    def all_gather(self, outs, a, during="all_gather") -> Work:
        """``outs[r]`` receives rank ``r``'s ``a`` (``outs`` is a list of world-size arrays shaped like ``a``)."""
        src = self._contig(a)
        recv = self.cp.empty((self.group.size,) + a.shape, a.dtype)
        t, n = self._type(src, during)

        def finish():
            for i, o in enumerate(outs):
                o[...] = recv[i]
        return self._launch(lambda s: self.comm.allGather(src.data.ptr, recv.data.ptr, n, t, s), during, finish)

    def reduce_scatter_from(self, out, flat_in, op, during="reduce_scatter_tensor") -> Work:
        """``out`` receives the reduction of block ``rank`` of every rank's ``flat_in`` (size * out.size)."""
        src = self._contig(flat_in)
        buf = self._contig(out)
        t, n = self._type(buf, during)
        o = self._op(op, buf, during)
        size = self.group.size

        def finish():
            if op is ReduceOp.AVG:
                buf.__itruediv__(size)
            if buf is not out:
                out[...] = buf
        return self._launch(lambda s: self.comm.reduceScatter(src.data.ptr, buf.data.ptr, n, t, o, s), during,
                            finish)

    def send(self, a, dst, tag, during="send") -> Work:
        """Send ``a`` to rank ``dst`` over NCCL (``tag`` is accepted for the MPI backend's signature; NCCL
        matches sends and receives by order)."""
        buf = self._contig(a)
        t, n = self._type(buf, during)
        return self._launch(lambda s: self.comm.send(buf.data.ptr, n, t, dst, s), during)

    def recv(self, a, src, tag, during="recv") -> Work:
        """Receive into ``a`` from rank ``src`` (a named rank: NCCL cannot receive from any rank); the Work's
        result is ``[src]``."""
        if src is None:
            raise ValueError(f"{during}: NCCL receives from a named rank only; pass src=")
        buf = self._contig(a)
        t, n = self._type(buf, during)
        return self._launch(lambda s: self.comm.recv(buf.data.ptr, n, t, src, s), during,
                            (lambda: a.__setitem__(Ellipsis, buf)) if buf is not a else None, [src])

    def destroy(self) -> None:
        """Wait for the communication stream to finish, then destroy the NCCL communicator."""
        self.stream.synchronize()
        self.comm.destroy()
