"""The gradient reducer behind DistributedDataParallel: buckets, hooks and the overlapping all-reduces.

Parameters are packed, in reverse registration order (roughly the order backward produces their gradients),
into buckets of about ``bucket_cap_mb``; the first bucket is kept to 1 MB so the first all-reduce starts early.
A post-accumulate-grad hook on each parameter (``Tensor.register_post_accumulate_grad_hook``: it runs once the
engine has added this backward's gradient into ``.grad``, which then also holds any gradient accumulated under
``no_sync``) copies ``.grad`` into its slot of the bucket's flat buffer; when a bucket's last slot is filled,
its non-blocking all-reduce (average) starts while backward goes on. Buckets start strictly in index order, so
every rank issues the same collectives in the same sequence even when their gradients arrive in different
orders. The hook of the last expected gradient waits for all buckets and points each parameter's ``.grad`` at
its slot, which now holds the average: no copy back. Each step's buffers come from the buffer pool, so a
``.grad`` someone still holds from the last step is never overwritten, and once the gradients are dropped
(``zero_grad``) the same memory serves the next step without page faults. Slots of one bucket are disjoint,
so no two parameters' gradients overlap.
"""
from __future__ import annotations

import time
from typing import List

import numpy as np

from autograd import Tensor
from autograd.backend import array_module
from autograd.buffers import buffers
from autograd.distributed import ReduceOp
from autograd.node import Var

__all__ = ["Reducer"]

FIRST_BUCKET_BYTES = 1024 * 1024  # PyTorch's: a small first bucket starts communication sooner


class _Bucket:
    __slots__ = ("index", "members", "offsets", "numel", "dtype", "xp", "buf", "pending", "work")

    def __init__(self, index, xp, dtype):
        self.index, self.xp, self.dtype = index, xp, dtype
        self.members: List[int] = []
        self.offsets: List[int] = []
        self.numel = 0
        self.buf = self.work = None
        self.pending = 0


def assign_buckets(params, cap_bytes: int, first_cap_bytes: int = FIRST_BUCKET_BYTES) -> List[_Bucket]:
    """Group parameter indices into buckets, last parameter first, one dtype and array module per bucket."""
    buckets: List[_Bucket] = []
    cur = None
    for i in reversed(range(len(params))):
        a = params[i].array
        xp = array_module(a)
        if cur is None or cur.dtype != a.dtype or cur.xp is not xp:
            cur = _Bucket(len(buckets), xp, a.dtype)
            buckets.append(cur)
        cur.members.append(i)
        cur.offsets.append(cur.numel)
        cur.numel += a.size
        limit = min(first_cap_bytes, cap_bytes) if len(buckets) == 1 else cap_bytes
        if cur.numel * a.dtype.itemsize >= limit:
            cur = None
    return buckets


def _leaves_reached(outputs):
    """Every leaf tensor the autograd graph of ``outputs`` reaches (an explicit stack: no recursion limit)."""
    stack, seen, leaves = [], set(), set()

    def add(o):
        if isinstance(o, Var):
            if o.grad_fn is not None:
                stack.append(o.grad_fn)
            elif o.requires_grad:
                leaves.add(id(o))
        elif isinstance(o, (list, tuple)):
            for v in o:
                add(v)
        elif isinstance(o, dict):
            for v in o.values():
                add(v)
    add(outputs)
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        for p in n.parents:
            if p is None:
                continue
            if isinstance(p, Var):
                leaves.add(id(p))
            else:
                stack.append(p)
    return leaves


class Reducer:
    """Averages the gradients of ``params`` across the process group during backward."""

    def __init__(self, params, names, group, cap_bytes: int, find_unused: bool):
        self.params, self.names, self.group, self.find_unused = params, names, group, find_unused
        self.buckets = assign_buckets(params, cap_bytes)
        self.where = {}
        for b in self.buckets:
            for i, off in zip(b.members, b.offsets):
                self.where[i] = (b, off)
        self.active = False  # between a synced forward and the end of its backward's reduction
        self.ready = [False] * len(params)
        self.hooks_fired = 0
        self.expected = 0
        self.next_launch = 0
        self.used = None
        self.used_work = None
        self.comm_wait_s = 0.0  # time spent blocked on all-reduces (the benchmark reports it)
        self.handles = [p.register_post_accumulate_grad_hook(self._hook_for(i)) for i, p in enumerate(params)]

    def _hook_for(self, i):
        def hook(param):
            if self.active:
                self._on_grad(i, param)
        return hook

    # -- per step ----------------------------------------------------------------------------------------------
    def check_finished(self) -> None:
        """Raise, as PyTorch does at the next forward, if the last backward left some gradients unreduced."""
        if self.active and self.hooks_fired:
            missing = [self.names[i] for i, r in enumerate(self.ready) if not r]
            self._drain()
            raise RuntimeError(
                "DistributedDataParallel: expected to have finished reduction in the prior iteration before "
                f"starting a new one; these parameters received no gradient: {', '.join(missing)}. Pass "
                "find_unused_parameters=True to DistributedDataParallel, or make sure every forward output "
                "takes part in the loss")
        self.active = False

    def _drain(self):
        for b in self.buckets:
            if b.work is not None:
                b.work.wait()
                b.work = None
            b.buf = None
        self.active = False

    def prepare(self, outputs) -> None:
        """Arm the hooks for the backward of this forward's ``outputs``."""
        self.ready = [False] * len(self.params)
        self.hooks_fired = 0
        self.next_launch = 0
        for b in self.buckets:
            # a fresh buffer unless last step's is free again: the .grad views of last step may still be held
            b.buf = buffers.empty(b.xp, (b.numel,), b.dtype)
            b.pending = len(b.members)
            b.work = None
        self.expected = len(self.params)
        self.active = True
        if self.find_unused:
            reached = _leaves_reached(outputs)
            self.used = np.zeros(len(self.params), np.int32)
            for i, p in enumerate(self.params):
                if id(p) not in reached:  # no gradient will come: its slot holds what it already has
                    self._fill(i, p.grad)
                    self.expected -= 1
            if self.expected == 0:
                self._finalize()

    def _slot(self, i):
        b, off = self.where[i]
        shape = self.params[i].array.shape
        return b.buf[off:off + self.params[i].array.size].reshape(shape)

    def _fill(self, i, grad):
        """Copy ``grad`` (this parameter's whole ``.grad``; None: zeros) into its slot; launch full buckets."""
        view = self._slot(i)
        if grad is None:
            view.fill(0)
        else:
            view[...] = grad.array
        self.ready[i] = True
        b = self.where[i][0]
        b.pending -= 1
        if b.pending == 0:
            self._launch_ready()

    def _on_grad(self, i, param):
        if self.ready[i]:
            raise RuntimeError(f"DistributedDataParallel: parameter {self.names[i]} received a gradient twice in one "
                               "reduction (backward through the same forward twice?). Run one backward per forward, "
                               "or put the extra backward passes inside no_sync()")
        self._fill(i, param.grad)  # .grad is the accumulated sum: this step's gradient plus any no_sync ones
        if self.find_unused:
            self.used[i] = 1
        self.hooks_fired += 1
        if self.hooks_fired == self.expected:
            self._finalize()
        else:
            self._progress()

    def _launch_ready(self):
        buckets = self.buckets
        while self.next_launch < len(buckets) and buckets[self.next_launch].pending == 0:
            b = buckets[self.next_launch]
            backend = self.group.backend_for(b.buf, "DistributedDataParallel")
            op = ReduceOp.AVG if b.dtype.kind in "fc" else ReduceOp.SUM
            b.work = backend.all_reduce(b.buf, op, f"DistributedDataParallel bucket {b.index}")
            self.next_launch += 1

    def _progress(self):
        """Let MPI move data while backward computes (its progress engine only runs inside MPI calls)."""
        for b in self.buckets:
            if b.work is not None:
                b.work.is_completed()
                return

    def _finalize(self):
        start = time.perf_counter()
        if self.find_unused:  # which parameters got a gradient on any rank
            used = self.used.copy()
            self.group.mpi.all_reduce(used, ReduceOp.MAX, "DistributedDataParallel unused parameters").wait()
        for b in self.buckets:
            b.work.wait()
            b.work = None
        self.comm_wait_s += time.perf_counter() - start
        for i, p in enumerate(self.params):
            # unused here and everywhere: .grad stays as it was; otherwise it is the average, in place in its slot
            if not (self.find_unused and not self.used[i] and not used[i]):
                p.grad = Tensor._wrap(self._slot(i), None)
        for b in self.buckets:
            b.buf = None  # the .grad views keep this step's buffers alive; the pool reuses them once dropped
        self.active = False

    def remove(self) -> None:
        """Take the reducer's gradient hooks off the parameters (the model trains without all-reduce afterwards)."""
        for h in self.handles:
            h.remove()
