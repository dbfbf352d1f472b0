"""Datasets: anything with ``__getitem__`` and ``__len__``; TensorDataset for arrays held in memory."""
from __future__ import annotations

import bisect
from typing import Sequence

import numpy as _np  # host-side index arithmetic

from ..backend import array_module
from ..tensor import Tensor


class Dataset:
    """Base class: subclasses define ``__getitem__(i)`` and ``__len__()``.

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

    >>> import autograd
    >>> from autograd.data import Subset, TensorDataset
    >>> sub = Subset(TensorDataset(autograd.arange(10) * 10), [7, 2])
    >>> len(sub), sub[0][0], sub[[1, 0]][0]
    (2, tensor(70), tensor([20, 70]))
    """

    def __init__(self, dataset, indices: Sequence[int]):
        self.dataset = dataset
        self.indices = indices
        self._positions = _np.asarray(indices, dtype=_np.int64)  # once, so a batch costs one lookup

    @property
    def batched(self) -> bool:
        return getattr(self.dataset, "batched", False)

    def __getitem__(self, index):
        idx = _index_array(index)
        if idx is None:
            return self.dataset[int(self._positions[index])]
        idx = self._positions[idx]
        if self.batched:
            return self.dataset[idx]
        return [self.dataset[int(i)] for i in idx]

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
        self.cumulative_sizes = []
        total = 0
        for d in self.datasets:
            total += len(d)
            self.cumulative_sizes.append(total)

    @property
    def batched(self) -> bool:
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
    ``.data`` (inputs), ``.targets`` (int64 labels) and ``.classes`` (names)."""

    def __init__(self, data, targets, classes=None):
        super().__init__(data, targets)
        self.classes = list(classes) if classes is not None else sorted({int(t) for t in self.tensors[1].tolist()})

    @property
    def data(self) -> Tensor:
        return self.tensors[0]

    @property
    def targets(self) -> Tensor:
        return self.tensors[1]

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({len(self)} samples, inputs {tuple(self.data.shape[1:])} "
                f"{self.data.dtype}, {len(self.classes)} classes)")
