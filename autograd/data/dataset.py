"""Datasets: map-style (``__getitem__`` and ``__len__``) and iterable ones, as ``torch.utils.data.dataset``;
TensorDataset for arrays held in memory."""
from __future__ import annotations

import bisect
import operator
from typing import Dict, Generic, Iterable, Iterator, Sequence, Tuple, TypeVar, Union

import numpy as _np  # host-side index arithmetic

from ..backend import array_module
from ..tensor import Tensor

T_co = TypeVar("T_co", covariant=True)


class Dataset(Generic[T_co]):
    """Base class of map-style datasets: subclasses define ``__getitem__(i)`` and ``__len__()``.

    A dataset may also define ``__getitems__(indices)`` returning the list of those
    samples in one call, or set ``batched = True`` when ``ds[index_array]`` returns
    a whole batch; :class:`~autograd.data.DataLoader` uses either.
    """

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")

    def __add__(self, other: "Dataset") -> "ConcatDataset":
        return ConcatDataset([self, other])


class IterableDataset(Dataset[T_co]):
    """Base class of datasets that are a stream of samples: subclasses define ``__iter__``.

    A DataLoader reads it in order (no sampler, no shuffling) and batches what it
    yields. ``len()`` works only where the subclass defines ``__len__``. ``a + b``
    chains two of them (:class:`ChainDataset`). Loading runs in the calling
    process, so the whole stream is read once per epoch whatever ``num_workers`` is.

    >>> from autograd.data import DataLoader, IterableDataset
    >>> class Countdown(IterableDataset):
    ...     def __init__(self, n): self.n = n
    ...     def __iter__(self): return iter(range(self.n, 0, -1))
    >>> [b.tolist() for b in DataLoader(Countdown(5), batch_size=2)]
    [[5, 4], [3, 2], [1]]
    >>> list(Countdown(2) + Countdown(1))
    [2, 1, 1]
    """

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__ (it is an IterableDataset)")

    def __getitem__(self, index):
        raise TypeError(f"{type(self).__name__} is an IterableDataset: it cannot be indexed; iterate over it "
                        f"(or over a DataLoader of it)")

    def __len__(self) -> int:
        raise TypeError(f"object of type {type(self).__name__!r} has no len(): an IterableDataset has a length "
                        f"only if it defines __len__")

    # a stream chains (not concatenates); a map-style ``other`` is refused when iterated, as PyTorch's
    def __add__(self, other: "Dataset") -> "ChainDataset":  # type: ignore[override]
        return ChainDataset([self, other])


def _require_iterable(d, who: str) -> None:
    if not isinstance(d, IterableDataset):
        raise TypeError(f"{who} only supports IterableDataset, got {type(d).__name__}; join map-style datasets "
                        f"with ConcatDataset")


class ChainDataset(IterableDataset):
    """Iterable datasets one after another, read lazily (the stream counterpart of :class:`ConcatDataset`).

    >>> from autograd.data import ChainDataset, IterableDataset
    >>> class Upto(IterableDataset):
    ...     def __init__(self, n): self.n = n
    ...     def __iter__(self): return iter(range(self.n))
    ...     def __len__(self): return self.n
    >>> both = ChainDataset([Upto(2), Upto(3)])
    >>> list(both), len(both)
    ([0, 1, 0, 1, 2], 5)
    """

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = datasets

    def __iter__(self):
        for d in self.datasets:
            _require_iterable(d, "ChainDataset")
            yield from d

    def __len__(self) -> int:
        total = 0
        for d in self.datasets:
            _require_iterable(d, "ChainDataset")
            total += len(d)
        return total


class StackDataset(Dataset):
    """Several datasets of the same length read side by side: sample ``i`` is the tuple
    (positional datasets) or dict (keyword datasets) of their samples ``i``.

    >>> import autograd
    >>> from autograd.data import StackDataset, TensorDataset
    >>> images, labels = TensorDataset(autograd.zeros(3, 2)), TensorDataset(autograd.arange(3))
    >>> pair = StackDataset(image=images, label=labels)
    >>> len(pair), pair[2]["label"]
    (3, (tensor(2),))
    """

    def __init__(self, *args: Dataset, **kwargs: Dataset) -> None:
        if args and kwargs:
            raise ValueError("StackDataset: supported either tuple-like (via args) or dict-like (via kwargs) "
                             "input/output, but both types are given; pass the datasets one way")
        parts = list(args) or list(kwargs.values())
        if not parts:
            raise ValueError("StackDataset: at least one dataset should be passed")
        lengths = [len(d) for d in parts]
        if len(set(lengths)) != 1:
            names = list(kwargs) if kwargs else list(range(len(args)))
            raise ValueError(f"StackDataset: size mismatch between datasets: lengths "
                             f"{dict(zip(names, lengths))}; they must all be equal")
        self.datasets: Union[Tuple[Dataset, ...], Dict[str, Dataset]] = args if args else dict(kwargs)
        self._length = lengths[0]

    @property
    def batched(self) -> bool:
        """True when every part is batched, so ``ds[index_array]`` reads a whole batch (DataLoader relies on it)."""
        parts = self.datasets.values() if isinstance(self.datasets, dict) else self.datasets
        return all(getattr(d, "batched", False) for d in parts)

    def __getitem__(self, index):
        if isinstance(self.datasets, dict):
            return {k: d[index] for k, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __getitems__(self, indices: list) -> list:
        """The samples at ``indices``, each part read in one call where it defines ``__getitems__``."""
        named = self.datasets if isinstance(self.datasets, dict) else dict(enumerate(self.datasets))
        columns = {}
        for k, d in named.items():
            getitems = getattr(d, "__getitems__", None)
            col = getitems(indices) if callable(getitems) else [d[i] for i in indices]
            if len(col) != len(indices):
                raise ValueError(f"StackDataset: nested dataset {k!r} returned {len(col)} samples for "
                                 f"{len(indices)} indices")
            columns[k] = col
        if isinstance(self.datasets, dict):
            return [{k: columns[k][j] for k in columns} for j in range(len(indices))]
        return [tuple(columns[k][j] for k in columns) for j in range(len(indices))]

    def __len__(self) -> int:
        return self._length


def _as_tensor(t):
    if isinstance(t, Tensor):
        return t
    from ..creation import as_tensor

    return as_tensor(t)


class TensorDataset(Dataset):
    """Samples are rows of the given tensors (all with the same first dimension).

    A batch is one fancy-index of each tensor, so loading never copies the whole dataset.

    >>> import autograd
    >>> from autograd.data import TensorDataset
    >>> ds = TensorDataset(autograd.zeros(4, 3), autograd.arange(4))
    >>> len(ds), ds[1][1]
    (4, tensor(1))
    """

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        tensors = tuple(_as_tensor(t) for t in tensors)
        n = tensors[0].shape[0] if tensors[0].ndim else None
        if n is None or any(t.ndim == 0 or t.shape[0] != n for t in tensors):
            raise ValueError("TensorDataset: size mismatch between tensors: first dimensions are "
                             f"{[t.shape[0] if t.ndim else None for t in tensors]}; they must all be equal")
        self.tensors = tensors

    batched = True  # ``ds[index_array]`` is a whole batch (DataLoader relies on it)

    def __getitem__(self, index):
        return tuple(Tensor._wrap(t.array[index], None) for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


def _index_array(index):
    """``index`` as an int64 host array if it selects several samples (a list, tuple or array), else None."""
    if isinstance(index, (list, tuple)) or getattr(index, "ndim", 0) > 0:
        return _np.asarray(getattr(index, "array", index), dtype=_np.int64)
    return None


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order.

    An int gives one sample; a slice, a list/array of ints or a boolean mask gives
    several: one batch where the dataset is batched (a TensorDataset), else a list.

    >>> import autograd
    >>> from autograd.data import Subset, TensorDataset
    >>> sub = Subset(TensorDataset(autograd.arange(10) * 10), [7, 2, 5])
    >>> len(sub), sub[0][0], sub[[1, 0]][0], sub[1:][0]
    (3, tensor(70), tensor([20, 70]), tensor([20, 50]))
    """

    def __init__(self, dataset, indices: Union[Sequence[int], _np.ndarray, Tensor]):
        self.dataset = dataset
        self.indices = indices
        self._positions = _np.asarray(getattr(indices, "array", indices), dtype=_np.int64).reshape(-1)

    @property
    def batched(self) -> bool:
        """True when the underlying dataset is batched: a list of indices then gives one batch, not a list."""
        return getattr(self.dataset, "batched", False)

    def _keys(self, index):
        """The dataset's index (an int) or indices (an int64 array) for ``index`` into this Subset."""
        n = len(self._positions)
        if isinstance(index, slice):
            return self._positions[index]
        if isinstance(index, (list, tuple)) or getattr(index, "ndim", 0) > 0:
            idx = _np.asarray(getattr(index, "array", index))
            if idx.dtype == bool:
                if idx.shape != (n,):
                    raise IndexError(f"Subset: a boolean mask must have one entry per sample, shape ({n},), "
                                     f"got shape {idx.shape}")
                return self._positions[idx]
            if idx.size and idx.dtype.kind not in "iu":
                raise TypeError(f"Subset: indices must be integers, got an array of {idx.dtype}; index with an "
                                f"int, a slice or a list of ints")
            idx = idx.astype(_np.int64).reshape(-1)
            if idx.size and (idx.min() < -n or idx.max() >= n):
                bad = idx[(idx < -n) | (idx >= n)][0]
                raise IndexError(f"Subset: index {bad} is out of range for a Subset of {n} samples")
            return self._positions[idx]
        try:
            i = operator.index(index)
        except TypeError:
            raise TypeError(f"Subset: indices must be an int, a slice, a list of ints or a boolean mask, got "
                            f"{type(index).__name__} {index!r}") from None
        if not -n <= i < n:
            raise IndexError(f"Subset: index {i} is out of range for a Subset of {n} samples")
        return int(self._positions[i])

    def __getitem__(self, index):
        keys = self._keys(index)
        if isinstance(keys, int) or self.batched:
            return self.dataset[keys]
        return self._read(keys)

    def __getitems__(self, indices: list) -> list:
        """The samples at ``indices`` (positions in this Subset), read in one call where the dataset can."""
        return self._read(self._keys(list(indices)))

    def _read(self, keys: _np.ndarray) -> list:
        getitems = getattr(self.dataset, "__getitems__", None)
        if callable(getitems):
            return getitems(keys.tolist())
        return [self.dataset[k] for k in keys.tolist()]

    def __len__(self) -> int:
        return len(self._positions)


class ConcatDataset(Dataset):
    """Datasets one after another; batched (one index per part) when every part is.

    >>> import autograd
    >>> from autograd.data import ConcatDataset, TensorDataset
    >>> both = ConcatDataset([TensorDataset(autograd.arange(3)), TensorDataset(autograd.arange(10, 12))])
    >>> len(both), both[3][0], both[[4, 0]][0]
    (5, tensor(10), tensor([11,  0]))
    """

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise TypeError(f"ConcatDataset does not support IterableDataset ({type(d).__name__}); chain "
                                f"iterable datasets with ChainDataset")
        self.cumulative_sizes = []
        total = 0
        for d in self.datasets:
            total += len(d)
            self.cumulative_sizes.append(total)

    @property
    def batched(self) -> bool:
        """True when every part is batched: a list of indices then gives one batch (one index per part)."""
        return all(getattr(d, "batched", False) for d in self.datasets)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index):
        idx = _index_array(index)
        if idx is not None:
            return self._getbatch(idx)
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"ConcatDataset: index {index} out of range for {len(self)} samples")
        d = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[d - 1] if d else 0
        return self.datasets[d][index - start]

    def _getbatch(self, idx):
        n = len(self)
        if idx.size and (idx.min() < -n or idx.max() >= n):
            raise IndexError(f"ConcatDataset: indices must be in [-{n}, {n}), got {idx.min()}..{idx.max()}")
        idx = _np.where(idx < 0, idx + n, idx)
        if not self.batched:
            return [self[int(i)] for i in idx]
        part = _np.searchsorted(self.cumulative_sizes, idx, side="right")
        starts = _np.concatenate([[0], self.cumulative_sizes[:-1]])
        batches, where = [], []
        for d in _np.unique(part):
            sel = _np.flatnonzero(part == d)
            batches.append(self.datasets[d][idx[sel] - starts[d]])
            where.append(sel)
        if len(batches) == 1:
            return batches[0]
        return _concat_rows(batches, _np.argsort(_np.concatenate(where)))


def _concat_rows(batches, order):
    """Batches from several datasets joined row-wise, rows put back in the requested ``order``."""
    first = batches[0]
    if isinstance(first, Tensor):
        xp = array_module(first.array)
        return Tensor._wrap(xp.concatenate([b.array for b in batches])[order], None)
    return type(first)(_concat_rows([b[i] for b in batches], order) for i in range(len(first)))


class LabeledDataset(TensorDataset):
    """Inputs and class labels held in memory, as torchvision's datasets expose them:
    ``.data`` (inputs), ``.targets`` (int64 labels) and ``.classes`` (names).

    Args:
        data: the inputs, one sample per row (a Tensor or anything ``as_tensor`` takes).
        targets: the class label of each row.
        classes: the class names; by default the sorted distinct labels.

    >>> import autograd
    >>> from autograd.data import LabeledDataset
    >>> ds = LabeledDataset(autograd.zeros(4, 2), autograd.tensor([1, 0, 1, 1]))
    >>> ds.classes, ds.targets, tuple(ds.data.shape)
    ([0, 1], tensor([1, 0, 1, 1]), (4, 2))
    """

    def __init__(self, data, targets, classes=None):
        super().__init__(data, targets)
        self.classes = list(classes) if classes is not None else sorted({int(t) for t in self.tensors[1].tolist()})

    @property
    def data(self) -> Tensor:
        """The inputs, one sample per row (the dataset's first tensor, not a copy)."""
        return self.tensors[0]

    @property
    def targets(self) -> Tensor:
        """The class label of each sample (the dataset's second tensor, not a copy)."""
        return self.tensors[1]

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({len(self)} samples, inputs {tuple(self.data.shape[1:])} "
                f"{self.data.dtype}, {len(self.classes)} classes)")
