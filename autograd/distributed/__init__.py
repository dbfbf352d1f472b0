"""Distributed training across processes and machines, as ``torch.distributed`` (``denpa.distributed``).

Start the processes with the MPI launcher and join them with :func:`init_process_group`:

    mpiexec -n 4 python train.py          # one machine
    mpiexec -f hosts -n 64 python train.py  # many (an MPI host file)

CPU tensors travel over MPI (mpi4py: ``pip install 'denpa[distributed]'``), CUDA tensors over NCCL (CuPy's
``cupy.cuda.nccl``, ``backend="nccl"``). Collectives work in place on tensors; every wait is bounded by the
group's ``timeout``, and a rank that fails makes the others stop with an error that names it.
``nn.parallel.DistributedDataParallel`` averages gradients with these collectives during backward.

>>> import denpa.distributed as dist
>>> dist.is_initialized()
False
>>> dist.ReduceOp.AVG
<ReduceOp.AVG: 'avg'>
"""
from __future__ import annotations

from .collectives import (all_gather, all_gather_into_tensor, all_reduce, barrier, broadcast, irecv, isend,
                          monitored_barrier, recv, reduce_scatter, reduce_scatter_tensor, send)
from .errors import DistBackendError, DistError, PeerFailure
from .group import (Backend, ProcessGroup, default_pg_timeout, destroy_process_group, get_backend, get_rank,
                    get_world_size, init_process_group, is_available, is_initialized, is_mpi_available,
                    is_nccl_available)
from .reduce_op import ReduceOp
from .work import Work

__all__ = ["init_process_group", "destroy_process_group", "is_available", "is_initialized", "is_mpi_available",
           "is_nccl_available", "get_rank", "get_world_size", "get_backend", "Backend", "ProcessGroup",
           "default_pg_timeout", "ReduceOp", "Work", "DistError", "DistBackendError", "PeerFailure", "all_reduce",
           "broadcast", "all_gather", "all_gather_into_tensor", "reduce_scatter", "reduce_scatter_tensor", "send",
           "recv", "isend", "irecv", "barrier", "monitored_barrier"]

from .. import compat as _compat  # noqa: E402
__getattr__ = _compat.module_getattr("torch.distributed", __name__)  # a PyTorch name denpa lacks: say so
