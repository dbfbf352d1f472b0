"""The MPI backend (``backend="mpi"``): collectives on NumPy arrays through mpi4py's non-blocking calls.

Every call is non-blocking (``Iallreduce``, ``Ibcast``, ...) and returns a :class:`Work`; a blocking collective
is the same call followed by ``wait()``, whose polling loop is what gives MPI a timeout. Contiguous arrays are
reduced in place (``MPI.IN_PLACE``); others go through one contiguous copy and are written back.
"""
from __future__ import annotations

import numpy as np

from .meta import header, read_header
from .reduce_op import ReduceOp
from .work import Work

__all__ = ["MPIBackend"]


def _contig(a):
    """``a`` itself when C-contiguous (reduced in place), else one C-ordered copy of the same shape."""
    return a if a.flags.c_contiguous else np.array(a, order="C")


class MPIBackend:
    """Collectives over one MPI communicator (``group.comm``)."""

    name = "mpi"

    def __init__(self, group):
        self.group, self.comm, self.MPI = group, group.comm, group.MPI
        M = self.MPI
        self._ops = {ReduceOp.SUM: M.SUM, ReduceOp.AVG: M.SUM, ReduceOp.PRODUCT: M.PROD, ReduceOp.MIN: M.MIN,
                     ReduceOp.MAX: M.MAX, ReduceOp.BAND: M.BAND, ReduceOp.BOR: M.BOR, ReduceOp.BXOR: M.BXOR}
        # MPI's C_BOOL only has the logical reductions
        self._bool_ops = {ReduceOp.SUM: M.LOR, ReduceOp.MAX: M.LOR, ReduceOp.BOR: M.LOR, ReduceOp.PRODUCT: M.LAND,
                          ReduceOp.MIN: M.LAND, ReduceOp.BAND: M.LAND, ReduceOp.BXOR: M.LXOR}

    def _op(self, op, dtype):
        return (self._bool_ops if dtype == np.bool_ else self._ops)[op]

    def _work(self, reqs, during, finish=None, result=None) -> Work:
        group = self.group
        return Work(lambda: group.test_requests(reqs, during), finish or (lambda: None), group.faults, during,
                    group.timeout_s, result)

    def all_reduce(self, a, op, during="all_reduce") -> Work:
        """Reduce ``a`` (a NumPy array) across ranks with ``op`` (a :class:`ReduceOp`), written back into ``a``;
        ``AVG`` is a sum divided by the world size once the Work completes."""
        buf = _contig(a)
        req = self.comm.Iallreduce(self.MPI.IN_PLACE, buf, op=self._op(op, buf.dtype))
        size = self.group.size

        def finish():
            if op is ReduceOp.AVG:
                np.divide(buf, size, out=buf)
            if buf is not a:
                a[...] = buf
        return self._work([req], during, finish)

    def broadcast(self, a, src, during="broadcast") -> Work:
        """Every rank's ``a`` receives rank ``src``'s values."""
        buf = _contig(a)
        req = self.comm.Ibcast(buf, root=src)
        return self._work([req], during, (lambda: a.__setitem__(Ellipsis, buf)) if buf is not a else None)

    def all_gather_into(self, out, a, during="all_gather_into_tensor") -> Work:
        """``out`` (size * a.size elements, C-contiguous order) receives every rank's ``a`` in rank order."""
        buf = out if out.flags.c_contiguous else np.empty(out.shape, out.dtype)
        req = self.comm.Iallgather(_contig(a), buf.reshape(-1))
        return self._work([req], during, (lambda: out.__setitem__(Ellipsis, buf)) if buf is not out else None)

    def all_gather(self, outs, a, during="all_gather") -> Work:
        """``outs[r]`` receives rank ``r``'s ``a`` (``outs`` is a list of world-size arrays shaped like ``a``)."""
        recv = np.empty((self.group.size,) + a.shape, a.dtype)
        req = self.comm.Iallgather(_contig(a), recv)

        def finish():
            for o, r in zip(outs, recv):
                o[...] = r
        return self._work([req], during, finish)

    def reduce_scatter_from(self, out, flat_in, op, during="reduce_scatter_tensor") -> Work:
        """``out`` receives the reduction of block ``rank`` of every rank's ``flat_in`` (size * out.size)."""
        buf = _contig(out)
        req = self.comm.Ireduce_scatter_block(_contig(flat_in).reshape(-1), buf.reshape(-1),
                                              op=self._op(op, buf.dtype))
        size = self.group.size

        def finish():
            if op is ReduceOp.AVG:
                np.divide(buf, size, out=buf)
            if buf is not out:
                out[...] = buf
        return self._work([req], during, finish)

    def barrier(self, during="barrier") -> Work:
        """A Work that completes once every rank has entered the barrier."""
        return self._work([self.comm.Ibarrier()], during)

    def send_header(self, a, dst, tag) -> list:
        """Announce a message's shape and dtype (so a mismatched ``recv`` fails clearly); returns the request."""
        hdr = header(a.shape, a.dtype)
        return [self.comm.Isend(hdr, dest=dst, tag=2 * tag + 1), hdr]

    def recv_header(self, a, src, tag, during) -> int:
        """Wait for the announcement of a message for ``a`` from ``src`` (None: any rank); return the sender."""
        M, group = self.MPI, self.group
        st = M.Status()
        source = M.ANY_SOURCE if src is None else src
        group.poll(lambda: self.comm.Iprobe(source=source, tag=2 * tag + 1, status=st), during)
        sender = st.Get_source()
        row = np.empty(header(a.shape, a.dtype).size, np.int64)
        self.comm.Recv(row, source=sender, tag=2 * tag + 1)
        read_header(row, a.shape, a.dtype, sender, group.rank)
        return sender

    def send(self, a, dst, tag, during="send") -> Work:
        """Send ``a`` to rank ``dst`` under ``tag``, preceded by its shape and dtype so the matching ``recv``
        can refuse a mismatched buffer clearly."""
        req, hdr = self.send_header(a, dst, tag)
        buf = _contig(a)
        reqs = [req, self.comm.Isend(buf, dest=dst, tag=2 * tag)]
        return self._work(reqs, during, lambda: (hdr, buf))  # the closure keeps both buffers alive until done

    def recv(self, a, src, tag, during="recv") -> Work:
        """Receive into ``a`` from ``src`` (None: any rank); the Work's result is ``[sender rank]``."""
        sender = self.recv_header(a, src, tag, during)
        buf = a if a.flags.c_contiguous else np.empty(a.shape, a.dtype)
        req = self.comm.Irecv(buf, source=sender, tag=2 * tag)
        return self._work([req], during, (lambda: a.__setitem__(Ellipsis, buf)) if buf is not a else None, [sender])
