"""DistributedSampler: each rank reads its own share of a dataset (``torch.utils.data.DistributedSampler``)."""
from __future__ import annotations

import math
from typing import Iterator, Optional

import numpy as _np  # host-side index arithmetic only

from .sampler import Sampler

__all__ = ["DistributedSampler"]


class DistributedSampler(Sampler[int]):
    """The indices of ``dataset`` that rank ``rank`` of ``num_replicas`` reads this epoch.

    The epoch's order (a permutation seeded by ``seed + epoch`` when ``shuffle``, else ``0..n-1``) is the same
    on every rank; rank ``r`` takes every ``num_replicas``-th index starting at ``r``, so each index goes to
    exactly one rank. When ``n`` does not divide evenly, the order is padded by repeating its start
    (``drop_last=False``) or its tail is dropped (``drop_last=True``), so every rank gets the same count.
    Call ``set_epoch(e)`` at the start of each epoch for a new order. ``num_replicas`` and ``rank`` default to
    the process group's. (The permutation is NumPy's, so the order differs from PyTorch's for the same seed.)

    >>> from autograd.data import DistributedSampler
    >>> [list(DistributedSampler(range(5), num_replicas=2, rank=r, shuffle=False)) for r in (0, 1)]
    [[0, 2, 4], [1, 3, 0]]
    >>> [list(DistributedSampler(range(5), 2, r, shuffle=False, drop_last=True)) for r in (0, 1)]
    [[0, 2], [1, 3]]
    """

    def __init__(self, dataset, num_replicas: Optional[int] = None, rank: Optional[int] = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False) -> None:
        if num_replicas is None or rank is None:
            from .. import distributed as dist

            if not dist.is_initialized():
                raise RuntimeError("DistributedSampler: num_replicas and rank default to the process group's, but "
                                   "init_process_group has not been called; call it or pass both")
            num_replicas = dist.get_world_size() if num_replicas is None else num_replicas
            rank = dist.get_rank() if rank is None else rank
        if isinstance(num_replicas, bool) or not isinstance(num_replicas, int) or num_replicas < 1:
            raise ValueError(f"DistributedSampler: num_replicas must be a positive int, got {num_replicas!r}")
        if isinstance(rank, bool) or not isinstance(rank, int) or not 0 <= rank < num_replicas:
            raise ValueError(f"Invalid rank {rank!r}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset, self.num_replicas, self.rank = dataset, num_replicas, rank
        self.shuffle, self.seed, self.drop_last = bool(shuffle), int(seed), bool(drop_last)
        self.epoch = 0
        n = len(dataset)
        if drop_last and n % num_replicas:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)  # drop the tail: equal shares
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas

    def _order(self) -> _np.ndarray:
        n = len(self.dataset)
        if self.shuffle:
            order = _np.random.default_rng(self.seed + self.epoch).permutation(n).astype(_np.int64)
        else:
            order = _np.arange(n, dtype=_np.int64)
        if self.total_size > n:  # pad by repeating the start of the order (as often as needed)
            order = _np.resize(order, self.total_size) if n else order
        return order[:self.total_size]

    def _chunks(self) -> Iterator[_np.ndarray]:
        yield self._order()[self.rank:self.total_size:self.num_replicas]

    def __iter__(self) -> Iterator[int]:
        return iter(next(self._chunks()).tolist())

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Use the order of epoch ``epoch`` (every rank must pass the same number)."""
        self.epoch = int(epoch)
