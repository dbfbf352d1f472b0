"""DataLoader: mini-batches of a dataset, shuffled reproducibly, one vectorised index per batch."""
from __future__ import annotations

import math
from typing import Callable, Optional

import numpy as _np  # host-side index arithmetic only (orders of samples, never tensor data)

from ..random import _generator
from ..tensor import Tensor


def default_collate(samples):
    """Stack a list of samples field by field: tuples of tensors become tuples of batched tensors.

    >>> import autograd
    >>> from autograd.data import default_collate
    >>> x, y = default_collate([(autograd.zeros(2), 0), (autograd.ones(2), 1)])
    >>> x.shape, y
    ((2, 2), tensor([0, 1]))
    """
    first = samples[0]
    if isinstance(first, Tensor):
        return Tensor._wrap(_stack([s.array for s in samples]), None)
    if isinstance(first, (tuple, list)):
        return type(first)(default_collate([s[i] for s in samples]) for i in range(len(first))) \
            if isinstance(first, tuple) else [default_collate([s[i] for s in samples]) for i in range(len(first))]
    if isinstance(first, dict):
        return {k: default_collate([s[k] for s in samples]) for k in first}
    if isinstance(first, (int, float, bool, _np.number, _np.ndarray)):
        from ..creation import tensor

        return tensor(_np.asarray(samples))
    return samples


def _stack(arrays):
    from ..backend import array_module

    return array_module(arrays[0]).stack(arrays)


def _shuffle_generator(generator, seed):
    """The loader's own generator (None: draw from autograd's, which ``autograd.manual_seed`` seeds)."""
    if generator is not None and seed is not None:
        raise ValueError("DataLoader: pass generator= or seed=, not both")
    if isinstance(generator, (int, _np.integer)) and not isinstance(generator, bool):
        generator, seed = None, generator
    if seed is not None:
        return _np.random.default_rng(seed)
    if generator is not None and not callable(getattr(generator, "permutation", None)):
        raise TypeError(f"DataLoader: generator must be a NumPy Generator (numpy.random.default_rng(seed)) or an "
                        f"int seed, got {type(generator).__name__}")
    return generator


class DataLoader:
    """Iterate over ``dataset`` in mini-batches.

    A dataset whose ``batched`` attribute is true (TensorDataset, the bundled sets,
    their Subsets) is indexed once per batch with an index array, so an epoch
    touches each sample once and never copies the dataset. Other datasets are read
    sample by sample (or through ``__getitems__``) and collated.

    Shuffling draws from ``generator`` (a NumPy Generator), else from a generator
    seeded with ``seed``, else from autograd's (``autograd.manual_seed``); the order
    changes every epoch and repeats exactly for the same seed. ``device`` puts each
    batch there as it is yielded. Loading runs in the calling process
    (``num_workers`` and ``pin_memory`` are accepted for PyTorch compatibility).

    >>> import autograd
    >>> from autograd.data import DataLoader, TensorDataset
    >>> loader = DataLoader(TensorDataset(autograd.arange(10)), batch_size=4, drop_last=True)
    >>> [b[0].tolist() for b in loader]
    [[0, 1, 2, 3], [4, 5, 6, 7]]
    """

    def __init__(self, dataset, batch_size: Optional[int] = 1, shuffle: bool = False, sampler=None,
                 num_workers: int = 0, collate_fn: Optional[Callable] = None, pin_memory: bool = False,
                 drop_last: bool = False, *, generator=None, seed: Optional[int] = None, device=None):
        if batch_size is not None and (not isinstance(batch_size, int) or batch_size <= 0):
            raise ValueError(f"DataLoader: batch_size should be a positive integer, got {batch_size!r}")
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.collate_fn = collate_fn
        self.sampler = sampler
        self.device = device
        self.num_workers = num_workers
        self._generator = _shuffle_generator(generator, seed)

    def _order(self):
        n = len(self.dataset)
        if self.sampler is not None:
            return _np.fromiter(iter(self.sampler), dtype=_np.int64)
        if self.shuffle:
            g = self._generator if self._generator is not None else _generator(_np)
            return g.permutation(n)
        return _np.arange(n)

    def __len__(self) -> int:
        n = len(self.dataset) if self.sampler is None else len(self.sampler)
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self):
        order = self._order()
        bs = self.batch_size
        ds = self.dataset
        if bs is None:  # no batching: samples one by one, as PyTorch's batch_size=None
            for i in order:
                yield self._place(ds[int(i)])
            return
        stop = len(order) - (len(order) % bs if self.drop_last else 0)
        batched = getattr(ds, "batched", False) and self.collate_fn is None
        getitems = getattr(ds, "__getitems__", None)
        collate = self.collate_fn or default_collate
        for start in range(0, stop, bs):
            idx = order[start:start + bs]
            if batched:
                batch = ds[idx]
            elif getitems is not None:
                batch = collate(getitems(idx.tolist()))
            else:
                batch = collate([ds[int(i)] for i in idx])
            yield self._place(batch)

    def _place(self, batch):
        """Put a batch on the loader's device (the one place batches move)."""
        if self.device is None:
            return batch
        if isinstance(batch, Tensor):
            return batch.to(self.device)
        if isinstance(batch, (tuple, list)):
            return type(batch)(self._place(b) for b in batch)
        if isinstance(batch, dict):
            return {k: self._place(v) for k, v in batch.items()}
        return batch
