"""Faults: a side channel on which ranks report failures and answer "where are you?", and the waiting loop.

MPI itself never times out and never says which peer is gone, so every wait on a collective in this package is
a polling loop with a deadline (``timeout=`` of ``init_process_group``). While it polls it also watches a
duplicated communicator on which a failing rank announces its exception (its ``sys.excepthook`` does that,
then aborts the job), so the other ranks stop at once with an error that names the failed rank. When the
deadline passes, the waiting rank asks every peer which collective it is in; peers that are waiting themselves
answer from their own polling loop, and those that do not answer are named as exited, crashed or stuck.
"""
from __future__ import annotations

import sys
import time
from typing import Callable, Optional

from .errors import DistBackendError, PeerFailure

__all__ = ["FaultChannel", "poll_until"]

_FAULT, _QUERY, _REPLY = 7101, 7102, 7103
_ANSWER_WAIT_S = 2.0  # how long a timed-out rank waits for its peers to say where they are


class FaultChannel:
    """Failure notices and location queries between the ranks of one process group (MPI point-to-point)."""

    __slots__ = ("comm", "rank", "size", "where", "_sends", "_replies", "_MPI")

    def __init__(self, comm, MPI):
        self._MPI = MPI
        self.comm = comm.Dup()  # its own communicator: these messages never match a user's send/recv
        self.comm.Set_errhandler(MPI.ERRORS_RETURN)
        self.rank, self.size = self.comm.Get_rank(), self.comm.Get_size()
        self.where = "init_process_group"  # the collective this rank is in, for peers that ask
        self._sends = []  # (request, buffer) pairs still in flight: the buffer must outlive the send
        self._replies = {}

    def _send(self, dest: int, tag: int, text: str) -> None:
        buf = bytearray(text.encode("utf-8", "replace"))
        self._sends.append((self.comm.Isend([buf, self._MPI.BYTE], dest=dest, tag=tag), buf))

    def _reap(self) -> None:
        self._sends = [(r, b) for r, b in self._sends if not r.Test()]

    def poll(self, during: str, raise_failures: bool = True) -> None:
        """Read every notice that has arrived: raise :class:`PeerFailure` for a failure, answer queries."""
        MPI = self._MPI
        st = MPI.Status()
        while self.comm.Iprobe(source=MPI.ANY_SOURCE, tag=MPI.ANY_TAG, status=st):
            src, tag = st.Get_source(), st.Get_tag()
            buf = bytearray(st.Get_count(MPI.BYTE))
            self.comm.Recv([buf, MPI.BYTE], source=src, tag=tag)
            text = buf.decode("utf-8", "replace")
            if tag == _FAULT and raise_failures:
                raise PeerFailure(src, text, during)
            if tag == _QUERY:
                self._send(src, _REPLY, self.where)
            elif tag == _REPLY:
                self._replies[src] = text
        if self._sends:
            self._reap()

    def report_failure(self, reason: str, grace_s: float) -> None:
        """Tell every peer that this rank failed, then keep answering queries for up to ``grace_s`` seconds so
        that peers inside a collective can print their own error before the job is aborted."""
        for dest in range(self.size):
            if dest != self.rank:
                self._send(dest, _FAULT, reason)
        end = time.monotonic() + grace_s
        while time.monotonic() < end:
            self.poll("failure report", raise_failures=False)
            time.sleep(0.01)

    def diagnose(self, during: str, waited_s: float) -> str:
        """The timeout message: which peers answered (and where they are) and which did not."""
        self._replies = {}
        peers = [r for r in range(self.size) if r != self.rank]
        unreachable = set()
        for dest in peers:
            try:
                self._send(dest, _QUERY, during)
            except self._MPI.Exception:  # MPI already knows this peer is gone
                unreachable.add(dest)
        end = time.monotonic() + _ANSWER_WAIT_S
        while len(self._replies) + len(unreachable) < len(peers) and time.monotonic() < end:
            try:
                self.poll(during)
            except self._MPI.Exception:
                break
            time.sleep(0.005)
        silent = [r for r in peers if r not in self._replies]
        parts = [f"rank {r} is waiting in {self._replies[r]}" for r in peers if r in self._replies]
        if silent:
            names = ", ".join(map(str, silent))
            parts.append(f"rank{'s' if len(silent) > 1 else ''} {names} did not answer (exited, crashed, or busy "
                         f"outside any collective)")
        return (f"{during}: timed out after {waited_s:.1f} s on rank {self.rank}: " + "; ".join(parts) +
                ". Every rank must call the same collectives in the same order; raise timeout= in "
                "init_process_group if a rank legitimately needs longer")

    def free(self) -> None:
        """Cancel the notices still in flight and free the channel's communicator (the group's ``close`` calls it)."""
        self._reap()
        for req, _ in self._sends:
            req.Cancel()
        self._sends = []
        self.comm.Free()


def poll_until(test: Callable[[], bool], faults: Optional[FaultChannel], during: str, timeout_s: float,
               on_timeout: Optional[Callable[[], None]] = None) -> None:
    """Call ``test()`` until it is true, watching for peer failures, and raise a clear error at the deadline.

    The first few hundred tests spin (a collective on one machine finishes in microseconds), later ones sleep a
    little, so a rank waiting on a slow peer does not take a whole core from it.
    """
    if test():
        return
    if faults is not None:
        faults.where = during
    start = time.monotonic()
    deadline = start + timeout_s
    spins = 0
    while not test():
        spins += 1
        if spins & 15 == 0 and faults is not None:
            faults.poll(during)
        if spins > 256:
            now = time.monotonic()
            if now > deadline:
                if on_timeout is not None:
                    on_timeout()
                if faults is None:
                    raise DistBackendError(f"{during}: timed out after {now - start:.1f} s")
                raise DistBackendError(faults.diagnose(during, now - start))
            time.sleep(0.0001 if now - start < 0.05 else 0.001)


def install_excepthook(get_group: Callable):
    """On an uncaught exception: print it, tell the other ranks, then abort the job (MPI would hang otherwise).

    Returns the previous hook, to be restored by ``destroy_process_group``.
    """
    prev = sys.excepthook

    def hook(tp, value, tb):
        prev(tp, value, tb)
        group = get_group()
        if group is None or group.size < 2:
            return
        try:
            sys.stdout.flush()
            if not isinstance(value, PeerFailure):
                group.faults.report_failure(f"{tp.__name__}: {value}", min(group.timeout_s, 5.0))
            sys.stderr.write(f"denpa.distributed: rank {group.rank} stops; aborting all {group.size} ranks\n")
            sys.stderr.flush()
        finally:
            group.MPI.COMM_WORLD.Abort(1)

    sys.excepthook = hook
    return prev
