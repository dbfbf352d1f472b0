"""Collectives on Tensors (``all_reduce``, ``broadcast``, ``all_gather``, ``reduce_scatter``, ``send``/``recv``).

Each works in place on the tensors given, as PyTorch's: a contiguous tensor's own memory is what MPI or NCCL
reads and writes. Before any data moves, the ranks compare what they were given (one small all-gather), so
mismatched shapes, dtypes or collectives raise an error listing every rank's call instead of hanging.
``async_op=True`` returns a :class:`Work`; otherwise the call returns once the result is in place.
"""
from __future__ import annotations

from typing import List, Optional

from ..tensor import Tensor
from ..versions import bump
from .group import default_group
from .meta import check_same
from .reduce_op import ReduceOp, check_op

__all__ = ["all_reduce", "broadcast", "all_gather", "all_gather_into_tensor", "reduce_scatter",
           "reduce_scatter_tensor", "send", "recv", "isend", "irecv", "barrier", "monitored_barrier"]


def _tensor(t, what: str, name: str = "tensor") -> Tensor:
    if not isinstance(t, Tensor):
        raise TypeError(f"{what}: {name} must be a Tensor, got {type(t).__name__}")
    return t


def _finish(work, async_op: bool, touched=()):
    for t in touched:  # the memory changed in place: backward must notice if it saved these tensors
        bump(t)
    if async_op:
        return work
    work.wait()
    return None


def _rank_arg(group, r, what: str, name: str) -> int:
    if isinstance(r, bool) or not isinstance(r, int) or not 0 <= r < group.size:
        raise ValueError(f"{what}: {name}={r!r} is not a rank of this group (0 to {group.size - 1})")
    return r


def all_reduce(tensor: Tensor, op: ReduceOp = ReduceOp.SUM, group=None, async_op: bool = False):
    """Reduce ``tensor`` across every rank, in place: afterwards each rank holds the same result.

    >>> import autograd, denpa.distributed as dist
    >>> dist.all_reduce(autograd.ones(2))
    Traceback (most recent call last):
    ...
    ValueError: all_reduce: Default process group has not been initialized, please make sure to call init_process_group (and start the processes with mpiexec -n N)
    """
    g = default_group("all_reduce")
    t = _tensor(tensor, "all_reduce")
    a = t.array
    check_op(op, a.dtype, "all_reduce")
    check_same(g, "all_reduce", a.shape, a.dtype, list(ReduceOp).index(op), "reduction op")
    return _finish(g.backend_for(a, "all_reduce").all_reduce(a, op), async_op, (t,))


def broadcast(tensor: Tensor, src: int, group=None, async_op: bool = False):
    """Copy rank ``src``'s ``tensor`` into ``tensor`` on every other rank, in place."""
    g = default_group("broadcast")
    t = _tensor(tensor, "broadcast")
    _rank_arg(g, src, "broadcast", "src")
    a = t.array
    check_same(g, "broadcast", a.shape, a.dtype, src, "src")
    return _finish(g.backend_for(a, "broadcast").broadcast(a, src), async_op, (t,) if g.rank != src else ())


def all_gather(tensor_list: List[Tensor], tensor: Tensor, group=None, async_op: bool = False):
    """Fill ``tensor_list[r]`` with rank ``r``'s ``tensor``, on every rank."""
    g = default_group("all_gather")
    t = _tensor(tensor, "all_gather")
    outs = list(tensor_list)
    if len(outs) != g.size:
        raise ValueError(f"all_gather: tensor_list must hold world_size={g.size} tensors, got {len(outs)}")
    for i, o in enumerate(outs):
        _tensor(o, "all_gather", f"tensor_list[{i}]")
        if o.shape != t.shape or o.dtype != t.dtype:
            raise ValueError(f"all_gather: tensor_list[{i}] is {o.dtype} {tuple(o.shape)} but tensor is {t.dtype} "
                             f"{tuple(t.shape)}; every output must match the input")
    a = t.array
    check_same(g, "all_gather", a.shape, a.dtype)
    work = g.backend_for(a, "all_gather").all_gather([o.array for o in outs], a)
    work._result = outs
    return _finish(work, async_op, outs)


def all_gather_into_tensor(output_tensor: Tensor, input_tensor: Tensor, group=None, async_op: bool = False):
    """Every rank's ``input_tensor`` concatenated (or stacked) in rank order into ``output_tensor``, in one copy."""
    g = default_group("all_gather_into_tensor")
    out, t = _tensor(output_tensor, "all_gather_into_tensor", "output_tensor"), _tensor(input_tensor,
                                                                                       "all_gather_into_tensor")
    if out.array.size != g.size * t.array.size or out.dtype != t.dtype:
        raise ValueError(f"all_gather_into_tensor: output_tensor must be {t.dtype} with world_size * "
                         f"{t.array.size} = {g.size * t.array.size} elements, got {out.dtype} {tuple(out.shape)}")
    a = t.array
    check_same(g, "all_gather_into_tensor", a.shape, a.dtype)
    return _finish(g.backend_for(a, "all_gather_into_tensor").all_gather_into(out.array, a), async_op, (out,))


def reduce_scatter(output: Tensor, input_list: List[Tensor], op: ReduceOp = ReduceOp.SUM, group=None,
                   async_op: bool = False):
    """``output`` on rank ``r`` becomes the reduction over ranks of their ``input_list[r]``."""
    g = default_group("reduce_scatter")
    out = _tensor(output, "reduce_scatter", "output")
    ins = list(input_list)
    if len(ins) != g.size:
        raise ValueError(f"reduce_scatter: input_list must hold world_size={g.size} tensors, got {len(ins)}")
    for i, x in enumerate(ins):
        _tensor(x, "reduce_scatter", f"input_list[{i}]")
        if x.shape != out.shape or x.dtype != out.dtype:
            raise ValueError(f"reduce_scatter: input_list[{i}] is {x.dtype} {tuple(x.shape)} but output is "
                             f"{out.dtype} {tuple(out.shape)}; every input must match the output")
    a = out.array
    check_op(op, a.dtype, "reduce_scatter")
    check_same(g, "reduce_scatter", a.shape, a.dtype, list(ReduceOp).index(op), "reduction op")
    xp = type(a).__module__.split(".")[0]
    stacked = __import__(xp).stack([x.array for x in ins])
    return _finish(g.backend_for(a, "reduce_scatter").reduce_scatter_from(a, stacked, op, "reduce_scatter"),
                   async_op, (out,))


def reduce_scatter_tensor(output: Tensor, input: Tensor, op: ReduceOp = ReduceOp.SUM, group=None,
                          async_op: bool = False):
    """``output`` on rank ``r`` becomes the reduction over ranks of block ``r`` of their ``input``."""
    g = default_group("reduce_scatter_tensor")
    out, x = _tensor(output, "reduce_scatter_tensor", "output"), _tensor(input, "reduce_scatter_tensor", "input")
    if x.array.size != g.size * out.array.size or x.dtype != out.dtype:
        raise ValueError(f"reduce_scatter_tensor: input must be {out.dtype} with world_size * {out.array.size} = "
                         f"{g.size * out.array.size} elements, got {x.dtype} {tuple(x.shape)}")
    a = out.array
    check_op(op, a.dtype, "reduce_scatter_tensor")
    check_same(g, "reduce_scatter_tensor", a.shape, a.dtype, list(ReduceOp).index(op), "reduction op")
    return _finish(g.backend_for(a, "reduce_scatter_tensor").reduce_scatter_from(a, x.array, op), async_op, (out,))


def isend(tensor: Tensor, dst: int, group=None, tag: int = 0):
    """Start sending ``tensor`` to rank ``dst``; returns a :class:`Work`."""
    g = default_group("isend")
    t = _tensor(tensor, "isend")
    _rank_arg(g, dst, "isend", "dst")
    if dst == g.rank:
        raise ValueError(f"isend: dst={dst} is this rank itself")
    a = t.array
    backend = g.backend_for(a, "isend")
    if backend is g.mpi:
        return backend.send(a, dst, tag, "send")
    hdr = g.mpi.send_header(a, dst, tag)  # NCCL cannot check sizes: the header travels over MPI
    work = backend.send(a, dst, tag, "send")
    work._result = hdr
    return work


def irecv(tensor: Tensor, src: Optional[int] = None, group=None, tag: int = 0):
    """Start receiving into ``tensor`` from rank ``src`` (None: any rank, MPI only); returns a :class:`Work`."""
    g = default_group("irecv")
    t = _tensor(tensor, "irecv")
    if src is not None:
        _rank_arg(g, src, "irecv", "src")
        if src == g.rank:
            raise ValueError(f"irecv: src={src} is this rank itself")
    a = t.array
    backend = g.backend_for(a, "irecv")
    if backend is not g.mpi:
        src = g.mpi.recv_header(a, src, tag, "recv")
    work = backend.recv(a, src, tag, "recv")
    bump(t)
    return work


def send(tensor: Tensor, dst: int, group=None, tag: int = 0) -> None:
    """Send ``tensor`` to rank ``dst`` (which must ``recv`` a tensor of the same shape and dtype)."""
    isend(tensor, dst, group, tag).wait()


def recv(tensor: Tensor, src: Optional[int] = None, group=None, tag: int = 0) -> int:
    """Receive into ``tensor`` from rank ``src`` (None: any rank); returns the sender's rank."""
    work = irecv(tensor, src, group, tag)
    work.wait()
    return work.result()[0]


def barrier(group=None, async_op: bool = False, device_ids=None):
    """Wait until every rank has reached this call (bounded by the group's timeout)."""
    g = default_group("barrier")
    return _finish(g.mpi.barrier(), async_op)


def monitored_barrier(group=None, timeout=None, wait_all_ranks: bool = False) -> None:
    """A barrier that names the ranks that did not arrive when ``timeout`` passes (every barrier here does)."""
    g = default_group("monitored_barrier")
    g.mpi.barrier("monitored_barrier").wait(timeout)
