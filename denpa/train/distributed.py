"""Data-parallel training for :class:`~denpa.train.Trainer` and ``denpa train`` under ``mpiexec -n N``.

Every rank iterates the same loader (the same seed gives the same shuffled order), takes its shard of each
global batch (:func:`shard`), and DistributedDataParallel averages the gradients. The per-rank losses and
metrics are gathered and summed in rank order (:func:`gather_sums`), so every rank sees bit-identical epoch
logs and takes the same early-stopping and schedule decisions. Dropout masks come from a stream private to the
rank and epoch (:func:`private_seed`), while the shared stream that shuffles the loader stays identical on
every rank.
"""
from __future__ import annotations

import os
import socket
import zlib
from typing import List, Optional, Sequence

import numpy as np  # host-side bookkeeping: shard bounds, checksums and the gathered sums

import autograd
import autograd.distributed as dist

__all__ = ["launcher_world_size", "shard", "gather_sums", "private_seed", "batch_checksum", "rank_table",
           "Sync"]

# world-size variables set by the MPI launchers: MPICH/Intel MPI (Hydra: PMI_SIZE), Open MPI, MVAPICH, PMIx
_WORLD_VARS = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "MV2_COMM_WORLD_SIZE", "PMIX_SIZE")


def launcher_world_size(environ=None) -> int:
    """How many processes the MPI launcher started with this one (1 when it was not started by one).

    >>> launcher_world_size({}), launcher_world_size({"PMI_SIZE": "4"})
    (1, 4)
    """
    env = os.environ if environ is None else environ
    for name in _WORLD_VARS:
        value = env.get(name, "")
        if value.strip().isdigit():
            return max(1, int(value))
    return 1


def shard(n: int, rank: int, world: int) -> tuple:
    """Rows ``[lo, hi)`` of a batch of ``n`` that rank ``rank`` of ``world`` trains on: contiguous blocks whose
    sizes differ by at most one (the first ``n % world`` ranks take one more); empty when ``n < world``.

    >>> [shard(7, r, 3) for r in range(3)], shard(1, 1, 2)
    ([(0, 3), (3, 5), (5, 7)], (1, 1))
    """
    base, extra = divmod(int(n), int(world))
    lo = rank * base + min(rank, extra)
    return lo, lo + base + (1 if rank < extra else 0)


def batch_checksum(*arrays) -> float:
    """A CRC-32 of host arrays' bytes (as a float, exact in float64): ranks compare it to be sure they were all
    given the same global batch. Arrays on a GPU are skipped (their bytes would have to cross to the host).

    >>> batch_checksum(np.arange(3)) == batch_checksum(np.arange(3)) != batch_checksum(np.arange(4))
    True
    """
    crc = 0
    for a in arrays:
        if isinstance(a, np.ndarray):
            crc = zlib.crc32(np.ascontiguousarray(a).view(np.uint8).reshape(-1).data, crc)
    return float(crc)


def gather_sums(values: Sequence[float]) -> np.ndarray:
    """Every rank's ``values`` (one row per rank, rank order), gathered onto every rank.

    Summing the rows in rank order on each rank (rather than an all-reduce, whose order MPI leaves open) gives
    every rank the same bits, so decisions taken from them (early stopping, schedules) agree.
    """
    row = autograd.tensor(np.asarray(values, dtype=np.float64))
    out = autograd.zeros(dist.get_world_size(), len(values), dtype=autograd.float64)
    dist.all_gather_into_tensor(out, row)
    return np.asarray(out.array)


def private_seed(shared_state, rank: int, epoch: int) -> int:
    """A seed for rank ``rank``'s dropout in ``epoch``, derived from the shared generator state without drawing
    from it (so the shuffling stream stays the same on every rank, and a resumed run gets the same seeds).

    >>> s = autograd.get_rng_state()
    >>> private_seed(s, 0, 1) == private_seed(s, 0, 1) != private_seed(s, 1, 1)
    True
    """
    digest = zlib.crc32(np.asarray(shared_state.array).tobytes())
    return int(np.random.SeedSequence([digest, int(epoch), int(rank)]).generate_state(1, np.uint32)[0])


def rank_table() -> List[str]:
    """``rank R: pid P on HOST`` for every rank (gathered), so a launcher banner naming a PID names the rank."""
    me = f"{socket.gethostname()}:{os.getpid()}".encode()[:255]
    raw = np.zeros(256, np.uint8)
    raw[:len(me)] = np.frombuffer(me, np.uint8)
    row = autograd.tensor(raw)
    out = autograd.tensor(np.zeros((dist.get_world_size(), 256), np.uint8))
    dist.all_gather_into_tensor(out, row)
    lines = []
    for r, raw in enumerate(np.asarray(out.array)):
        host, _, pid = bytes(raw).rstrip(b"\0").decode("utf-8", "replace").rpartition(":")
        lines.append(f"rank {r}: pid {pid} on {host}")
    return lines


class Sync:
    """This process's place in the process group, for a Trainer that trains data-parallel."""

    __slots__ = ("rank", "world", "net")

    def __init__(self, model, find_unused_parameters: bool = False, bucket_cap_mb: Optional[float] = None):
        import nn

        if not dist.is_initialized():
            raise RuntimeError("Trainer(distributed=True): no process group; call "
                               "denpa.distributed.init_process_group() first (and start the processes with "
                               "mpiexec -n N)")
        self.rank, self.world = dist.get_rank(), dist.get_world_size()
        self.net = nn.parallel.DistributedDataParallel(model, find_unused_parameters=find_unused_parameters,
                                                       bucket_cap_mb=bucket_cap_mb)
