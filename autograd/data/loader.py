"""DataLoader: mini-batches of a dataset, streamed from a sampler, one vectorised index per batch."""
from __future__ import annotations

import math
from itertools import islice
from typing import Any, Callable, Iterable, Optional

import numpy as _np  # host-side index arithmetic only (orders of samples, never tensor data)

from ..tensor import Tensor
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler, _owner


def default_collate(samples):
    """Stack a list of samples field by field: samples that are tuples or lists of tensors give a list of
    batched tensors (PyTorch's rule; a namedtuple stays one), dicts a dict, numbers a tensor.

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
        if any(len(s) != len(first) for s in samples):
            raise RuntimeError(f"default_collate: each element in list of batch should be of equal size, got "
                               f"sizes {sorted({len(s) for s in samples})}; pad the samples or pass a collate_fn")
        fields = [default_collate([s[i] for s in samples]) for i in range(len(first))]
        return type(first)(*fields) if hasattr(first, "_fields") else fields
    if isinstance(first, dict):
        return {k: default_collate([s[k] for s in samples]) for k in first}
    if isinstance(first, (int, float, bool, _np.number, _np.ndarray)):
        from ..creation import tensor

        return tensor(_np.asarray(samples))
    return samples


def default_convert(data):
    """A sample with its NumPy arrays and numbers turned into tensors, containers kept (used when
    ``batch_size=None``, as PyTorch's ``default_convert``); strings and other objects stay as they are.

    >>> import numpy as np
    >>> from autograd.data import default_convert
    >>> default_convert({"x": np.zeros(2), "name": "a", "n": np.int64(3)})
    {'x': tensor([0., 0.], dtype=float64), 'name': 'a', 'n': tensor(3)}
    """
    if isinstance(data, Tensor):
        return data
    if isinstance(data, (_np.ndarray, _np.number, _np.bool_)):
        if data.dtype.kind in "USO":  # strings and objects have no tensor form
            return data
        from ..creation import as_tensor

        return as_tensor(_np.asarray(data))
    if isinstance(data, dict):
        return {k: default_convert(v) for k, v in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # a namedtuple
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, (tuple, list)):  # a list, as PyTorch's (which keeps that for backward compatibility)
        return [default_convert(d) for d in data]
    return data


def get_worker_info():
    """None: denpa loads in the calling process, where PyTorch's ``get_worker_info()`` returns None too.

    >>> from autograd.data import get_worker_info
    >>> get_worker_info() is None
    True
    """
    return None


def _stack(arrays):
    from ..backend import array_module

    return array_module(arrays[0]).stack(arrays)


def _shuffle_generator(generator, seed):
    """The loader's own NumPy generator (None: draw from autograd's, which ``autograd.manual_seed`` seeds)."""
    if generator is not None and seed is not None:
        raise ValueError("DataLoader: pass generator= or seed=, not both")
    if isinstance(generator, (int, _np.integer)) and not isinstance(generator, bool):
        generator, seed = None, generator
    if seed is not None:
        return _np.random.default_rng(seed)
    if generator is not None and not isinstance(generator, _np.random.Generator):
        raise TypeError(f"DataLoader: generator must be a NumPy Generator (numpy.random.default_rng(seed)) or an "
                        f"int seed, got {type(generator).__name__}")
    return generator


class _InfiniteConstantSampler(Sampler[None]):
    """The sampler of an IterableDataset: one ``None`` per sample, for ever (the dataset decides when to stop)."""

    def __iter__(self):
        while True:
            yield None


#: attributes fixed once a loader is built (its length and batches derive from them), as in PyTorch
_FROZEN = frozenset({"batch_size", "batch_sampler", "sampler", "drop_last", "dataset", "persistent_workers"})


class DataLoader:
    """Iterate over ``dataset`` in mini-batches, as ``torch.utils.data.DataLoader``.

    Args:
        dataset: a map-style dataset (``__getitem__``, ``__len__``) or an :class:`IterableDataset`.
        batch_size: samples per batch (default 1); None turns batching off: each sample is
            yielded alone, through ``collate_fn`` or :func:`default_convert`.
        shuffle: a new random order every epoch (a :class:`RandomSampler`).
        sampler: the keys of one epoch, any iterable (a :class:`Sampler`); excludes ``shuffle``.
        batch_sampler: the lists of keys of one epoch; excludes ``batch_size``, ``shuffle``,
            ``sampler`` and ``drop_last``.
        collate_fn: turns a list of samples into a batch (default :func:`default_collate`).
        drop_last: drop the last batch if it is short.
        generator: the shuffling generator, a NumPy Generator or an int seed; None uses
            autograd's (``autograd.manual_seed``). ``seed=`` is the same as an int ``generator``.
        device: where each batch is put as it is yielded.
        num_workers, pin_memory, timeout, worker_init_fn, multiprocessing_context,
        prefetch_factor, persistent_workers, pin_memory_device, in_order: checked as PyTorch checks
            them; loading always runs in the calling process, as PyTorch's ``num_workers=0`` does,
            so ``worker_init_fn`` is never called and :func:`get_worker_info` is None.

    Batches stream: the sampler is read as batches are taken, never a whole epoch
    ahead. A dataset whose ``batched`` attribute is true (TensorDataset, the bundled
    sets, their Subsets) is indexed once per batch with an index array, so an epoch
    touches each sample once and never copies the dataset; other datasets are read
    through ``__getitems__`` or sample by sample, then collated.

    >>> import autograd
    >>> from autograd.data import DataLoader, TensorDataset
    >>> loader = DataLoader(TensorDataset(autograd.arange(10)), batch_size=4, drop_last=True)
    >>> [b[0].tolist() for b in loader], len(loader)
    ([[0, 1, 2, 3], [4, 5, 6, 7]], 2)
    """

    def __init__(self, dataset, batch_size: Optional[int] = 1, shuffle: Optional[bool] = None, sampler=None,
                 batch_sampler=None, num_workers: int = 0, collate_fn: Optional[Callable] = None,
                 pin_memory: bool = False, drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Optional[Callable] = None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor: Optional[int] = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True, seed: Optional[int] = None, device=None):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable "
                             "multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing: let "
                             "num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None.")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if multiprocessing_context is not None and num_workers == 0:
            raise ValueError(f"multiprocessing_context can only be used with multi-process loading "
                             f"(num_workers > 0), but got num_workers={num_workers}")
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"DataLoader: collate_fn must be callable (a list of samples -> a batch), got "
                            f"{type(collate_fn).__name__}")
        if worker_init_fn is not None and not callable(worker_init_fn):
            raise TypeError(f"DataLoader: worker_init_fn must be callable, got {type(worker_init_fn).__name__}")
        self._generator = _shuffle_generator(generator, seed)
        iterable = isinstance(dataset, IterableDataset)
        if iterable:
            given = [(name, value) for name, value in (("shuffle", shuffle if shuffle else None), ("sampler", sampler),
                                                       ("batch_sampler", batch_sampler)) if value is not None]
            for name, value in given[:1]:  # a stream has one order, its own
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified {name} option, but "
                                     f"got {name}={value!r}")
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, "
                                 "and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with "
                             "drop_last")
        if sampler is None:
            if iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=self._generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)  # checks batch_size and drop_last
        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.shuffle = shuffle
        self.generator = self._generator
        self.collate_fn = collate_fn
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self.in_order = in_order
        self.device = device
        self._iterable = iterable
        self._initialized = True

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _FROZEN and self.__dict__.get("_initialized", False):
            raise ValueError(f"{name} attribute should not be set after {type(self).__name__} is initialized; "
                             f"build a new DataLoader")
        super().__setattr__(name, value)

    def __len__(self) -> int:
        if self._iterable:  # as PyTorch: the dataset's own length (a TypeError if it has none), in batches
            n = len(self.dataset)
            if self.batch_size is not None:
                n = n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)
            return n
        return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)

    def __iter__(self):
        if self._iterable:
            yield from self._iter_stream()
            return
        ds = self.dataset
        if self.batch_sampler is None:  # no batching (batch_size=None): samples one by one
            convert = self.collate_fn or default_convert
            for key in self.sampler:
                yield self._place(convert(ds[key]))
            return
        for keys in self._index_batches():
            yield self._place(self._fetch(keys))

    def _iter_stream(self):
        """Batches of an IterableDataset, taken from its iterator as they are consumed."""
        it = iter(self.dataset)
        if self.batch_size is None:
            convert = self.collate_fn or default_convert
            for sample in it:
                yield self._place(convert(sample))
            return
        collate = self.collate_fn or default_collate
        while True:
            samples = list(islice(it, self.batch_size))
            if not samples or (self.drop_last and len(samples) < self.batch_size):
                return
            yield self._place(collate(samples))

    def _index_batches(self) -> Iterable:
        """The keys of each batch: int64 arrays from the built-in BatchSampler, else what ``batch_sampler`` yields."""
        bs = self.batch_sampler
        if isinstance(bs, BatchSampler) and _owner(type(bs), "__iter__") is BatchSampler:
            return bs._batches()
        return iter(bs)

    def _fetch(self, keys):
        """One batch: a single fancy-index of a batched dataset, else its samples collated."""
        ds = self.dataset
        if self.collate_fn is None and getattr(ds, "batched", False):
            batch = ds[keys if isinstance(keys, _np.ndarray) else _np.asarray(keys, dtype=_np.int64)]
            return list(batch) if type(batch) is tuple else batch  # what collating the samples would give
        if isinstance(keys, _np.ndarray):
            keys = keys.tolist()  # datasets get Python ints, as from PyTorch's samplers
        getitems = getattr(ds, "__getitems__", None)
        samples = getitems(keys) if callable(getitems) else [ds[k] for k in keys]
        return (self.collate_fn or default_collate)(samples)

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
