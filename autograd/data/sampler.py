"""Samplers: the order in which a DataLoader reads a dataset, as ``torch.utils.data.sampler``.

A sampler is an iterable of dataset keys (ints for the built-in ones); a batch
sampler is an iterable of lists of keys. The built-in samplers also hand the
loader their indices as NumPy blocks (``_chunks``), so a batch of a TensorDataset
is one fancy-index, and every sampler streams: nothing reads a whole epoch
before the first batch, so ``RandomSampler(ds, replacement=True, num_samples=10**10)``
yields its first batch at once.

Random samplers draw from ``generator``: a NumPy Generator
(``numpy.random.default_rng(seed)``) or an int seed (a Generator made from it
once, so each epoch differs and the run repeats); None draws from autograd's
generator, which ``autograd.manual_seed`` seeds (PyTorch's default generator).
"""
from __future__ import annotations

import math
from itertools import islice
from typing import Callable, Generic, Iterable, Iterator, List, Optional, Sequence, TypeVar, Union

import numpy as _np  # host-side index arithmetic only

from ..backend import to_host

T_co = TypeVar("T_co", covariant=True)

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler",
           "BatchSampler"]

_BLOCK = 1 << 16  # indices per NumPy block when a sampler streams a long epoch (bounded memory, few Python steps)


def _rng_from(generator, who: str):
    """``generator`` as a NumPy Generator, or None (then each draw uses autograd's global generator)."""
    if generator is None or isinstance(generator, _np.random.Generator):
        return generator
    if isinstance(generator, (int, _np.integer)) and not isinstance(generator, bool):
        return _np.random.default_rng(int(generator))
    raise TypeError(f"{who}: generator must be a NumPy Generator (numpy.random.default_rng(seed)), an int seed or "
                    f"None (autograd's generator, seeded by manual_seed), got {type(generator).__name__}")


def _draw_rng(rng):
    if rng is not None:
        return rng
    from ..random import _generator

    return _generator(_np)


def _host_array(values):
    """A NumPy view of a list, array or Tensor (GPU data copied to the host)."""
    return _np.asarray(to_host(getattr(values, "array", values)))


def _positive_int(value) -> bool:
    return isinstance(value, (int, _np.integer)) and not isinstance(value, bool) and bool(value > 0)


def _depth(cls, name: str) -> int:
    """Position in ``cls``'s MRO of the class that defines ``name`` (0: ``cls`` itself)."""
    for i, klass in enumerate(cls.__mro__):
        if name in klass.__dict__:
            return i
    return len(cls.__mro__)


def _owner(cls, name: str):
    """The class in ``cls``'s MRO that defines ``name``."""
    return cls.__mro__[min(_depth(cls, name), len(cls.__mro__) - 1)]


def index_chunks(sampler) -> Optional[Iterator[_np.ndarray]]:
    """The sampler's indices as int64 NumPy blocks, or None when it only iterates (a user's sampler).

    A subclass that overrides ``__iter__`` below the class giving ``_chunks`` is
    read through ``__iter__``, so the blocks always hold what iterating would give.
    """
    cls = type(sampler)
    if getattr(cls, "_chunks", None) is None or _depth(cls, "__iter__") < _depth(cls, "_chunks"):
        return None
    return sampler._chunks()


class Sampler(Generic[T_co]):
    """Base class of samplers: subclasses define ``__iter__`` (the keys of one epoch) and usually ``__len__``.

    ``data_source`` is accepted and ignored, as in PyTorch before 2.2, so older
    subclasses calling ``super().__init__(data_source)`` still work. Like PyTorch's,
    the base class has no ``__len__``: ``len()`` of a sampler that defines none is a TypeError.

    >>> from autograd.data import Sampler
    >>> class Evens(Sampler[int]):
    ...     def __init__(self, n): self.n = n
    ...     def __iter__(self): return iter(range(0, self.n, 2))
    ...     def __len__(self): return (self.n + 1) // 2
    >>> list(Evens(5)), len(Evens(5))
    ([0, 2, 4], 3)
    """

    # built-in samplers: a method yielding their indices as int64 blocks (see index_chunks)
    _chunks: Optional[Callable[[], Iterator[_np.ndarray]]] = None

    def __init__(self, data_source=None) -> None:
        pass

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__ (the keys of one epoch)")


class _ChunkedSampler(Sampler[int]):
    """A sampler of ints whose epoch is a stream of NumPy blocks; iterating yields Python ints."""

    def __iter__(self) -> Iterator[int]:
        for block in self._chunks():
            yield from block.tolist()

    def _chunks(self) -> Iterator[_np.ndarray]:
        raise NotImplementedError


class SequentialSampler(_ChunkedSampler):
    """``0, 1, ..., len(data_source) - 1``, in order.

    >>> from autograd.data import SequentialSampler
    >>> list(SequentialSampler(range(4)))
    [0, 1, 2, 3]
    """

    def __init__(self, data_source) -> None:
        self.data_source = data_source

    def _chunks(self):
        n = len(self.data_source)
        for start in range(0, n, _BLOCK):
            yield _np.arange(start, min(start + _BLOCK, n), dtype=_np.int64)

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(_ChunkedSampler):
    """Indices of ``data_source`` in a random order.

    Without replacement an epoch is a random permutation; ``num_samples`` larger
    than the dataset gives several permutations one after another (the last one
    cut short). With ``replacement=True`` each index is drawn independently and
    ``num_samples`` may be any size: indices are drawn as they are consumed.

    Args:
        data_source: a sized dataset.
        replacement: draw with replacement (default False).
        num_samples: indices per epoch (default ``len(data_source)``).
        generator: a NumPy Generator or int seed; None uses autograd's generator.

    >>> import numpy as np
    >>> from autograd.data import RandomSampler
    >>> sorted(RandomSampler(range(5), generator=np.random.default_rng(0)))
    [0, 1, 2, 3, 4]
    >>> s = RandomSampler(range(3), replacement=True, num_samples=10**10)  # streams: no epoch is built
    >>> it = iter(s); len(s), all(next(it) in (0, 1, 2) for _ in range(100))
    (10000000000, True)
    """

    def __init__(self, data_source, replacement: bool = False, num_samples: Optional[int] = None,
                 generator=None) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = _rng_from(generator, "RandomSampler")
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={replacement!r}")
        if not _positive_int(self.num_samples):
            why = " (RandomSampler: the dataset is empty; an empty dataset cannot be shuffled)" \
                if num_samples is None else ""
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples="
                             f"{self.num_samples!r}{why}")

    @property
    def num_samples(self) -> int:
        """Indices per epoch: ``num_samples`` if given, else the dataset's length."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def _chunks(self):
        n, total = len(self.data_source), int(self.num_samples)
        if n == 0:
            raise ValueError("RandomSampler: the dataset is empty; there is nothing to sample")
        g = _draw_rng(self.generator)
        if self.replacement:
            for start in range(0, total, _BLOCK):
                yield g.integers(0, n, size=min(_BLOCK, total - start), dtype=_np.int64)
            return
        full, rest = divmod(total, n)
        for _ in range(full):
            yield g.permutation(n)
        if rest:
            yield g.permutation(n)[:rest]

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(_ChunkedSampler):
    """The given ``indices`` in a random order, each once per epoch (for example a validation part).

    >>> import numpy as np
    >>> from autograd.data import SubsetRandomSampler
    >>> sorted(SubsetRandomSampler([7, 3, 5], generator=np.random.default_rng(0)))
    [3, 5, 7]
    """

    def __init__(self, indices: Sequence[int], generator=None) -> None:
        self.indices = indices
        self.generator = _rng_from(generator, "SubsetRandomSampler")

    def __iter__(self):
        keys = _host_array(self.indices)
        if keys.ndim == 1 and keys.dtype.kind in "iu":
            yield from super().__iter__()
            return
        for i in _draw_rng(self.generator).permutation(len(self.indices)).tolist():  # keys of any kind
            yield self.indices[i]

    def _chunks(self):
        keys = _host_array(self.indices)
        if keys.ndim != 1 or (keys.size and keys.dtype.kind not in "iu"):
            raise TypeError(f"SubsetRandomSampler: a DataLoader needs integer indices here, got an array of "
                            f"{keys.dtype} with shape {keys.shape}")
        yield keys.astype(_np.int64, copy=False)[_draw_rng(self.generator).permutation(len(keys))]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(_ChunkedSampler):
    """``num_samples`` indices ``0..len(weights)-1`` drawn with probabilities proportional to ``weights``.

    Weights need not sum to one. Without replacement each index appears at most
    once, so ``num_samples`` must not exceed the number of positive weights. As in
    PyTorch, weights that cannot be sampled (negative, NaN, infinite, all zero)
    raise a RuntimeError when the epoch starts.

    >>> import numpy as np
    >>> from autograd.data import WeightedRandomSampler
    >>> s = WeightedRandomSampler([0.0, 1.0, 0.0, 3.0], 6, generator=np.random.default_rng(0))
    >>> len(s), set(s) <= {1, 3}
    (6, True)
    >>> sorted(WeightedRandomSampler([1, 1, 0, 5], 3, replacement=False))
    [0, 1, 3]
    """

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator=None) -> None:
        if not _positive_int(num_samples):
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={num_samples!r}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got replacement={replacement!r}")
        w = _host_array(weights).astype(_np.float64)
        if w.ndim != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape {tuple(w.shape)}")
        self.weights = w
        self.num_samples = int(num_samples)
        self.replacement = replacement
        self.generator = _rng_from(generator, "WeightedRandomSampler")

    def _checked(self) -> _np.ndarray:
        w = self.weights
        if not _np.isfinite(w).all():
            raise RuntimeError("WeightedRandomSampler: invalid multinomial distribution (encountering probability "
                               "entry = infinity or NaN); give finite weights")
        if (w < 0).any():
            raise RuntimeError(f"WeightedRandomSampler: invalid multinomial distribution (encountering probability "
                               f"entry < 0: weight {w.min()} at index {int(w.argmin())}); weights must be >= 0")
        positive = int((w > 0).sum())
        if positive == 0:
            raise RuntimeError(f"WeightedRandomSampler: invalid multinomial distribution (sum of probabilities "
                               f"<= 0): all {w.size} weights are zero")
        if not self.replacement and self.num_samples > positive:
            raise RuntimeError(f"WeightedRandomSampler: cannot draw num_samples={self.num_samples} without "
                               f"replacement from {positive} indices of positive weight; lower num_samples or "
                               f"pass replacement=True")
        return w / w.max()  # scaled so that sums cannot overflow

    def _chunks(self):
        w = self._checked()
        g = _draw_rng(self.generator)
        if not self.replacement:
            # Gumbel top-k: the k largest log(w) + Gumbel noise are k draws without replacement, in draw order.
            # Working in logs keeps tiny (even subnormal) weights drawable where w / w.sum() would round to 0.
            with _np.errstate(divide="ignore"):
                keys = _np.log(w) - _np.log(-_np.log1p(-g.random(w.size)))
            yield _np.argsort(-keys, kind="stable")[:self.num_samples].astype(_np.int64)
            return
        cdf = _np.cumsum(w)
        last = int(_np.flatnonzero(w)[-1])  # a draw rounding up to the total must still land on a positive weight
        for start in range(0, self.num_samples, _BLOCK):
            u = g.random(min(_BLOCK, self.num_samples - start)) * cdf[-1]
            yield _np.minimum(_np.searchsorted(cdf, u, side="right"), last).astype(_np.int64)

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler[List[int]]):
    """Group the keys of ``sampler`` into lists of ``batch_size``; ``drop_last`` drops a short last batch.

    >>> from autograd.data import BatchSampler, SequentialSampler
    >>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
    [[0, 1], [2, 3], [4]]
    >>> len(BatchSampler(range(5), 2, drop_last=True))
    2
    """

    def __init__(self, sampler: Union[Sampler[int], Iterable[int]], batch_size: int, drop_last: bool) -> None:
        if not _positive_int(batch_size):
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size!r}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last!r}")
        self.sampler = sampler
        self.batch_size = int(batch_size)
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[List[int]]:
        for batch in self._batches():
            yield batch if isinstance(batch, list) else batch.tolist()

    def _batches(self) -> Iterator[Union[_np.ndarray, list]]:
        """Batches as int64 arrays when the sampler gives blocks, else as lists of its keys; streamed either way."""
        chunks = index_chunks(self.sampler)
        bs = self.batch_size
        if chunks is None:
            it = iter(self.sampler)
            while True:
                batch = list(islice(it, bs))
                if not batch or (self.drop_last and len(batch) < bs):
                    return
                yield batch
        pending, have = [], 0
        for block in chunks:
            if have:  # top up the batch left over from the previous block
                take = block[:bs - have]
                pending.append(take)
                have += len(take)
                block = block[len(take):]
                if have < bs:
                    continue
                yield _np.concatenate(pending)
                pending, have = [], 0
            full = len(block) - len(block) % bs
            for start in range(0, full, bs):
                yield block[start:start + bs]
            if full < len(block):
                pending, have = [block[full:]], len(block) - full
        if have and not self.drop_last:
            yield _np.concatenate(pending)

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]  # a sampler without __len__: TypeError, as PyTorch
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)
