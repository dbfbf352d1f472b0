"""Datasets: anything with ``__getitem__`` and ``__len__``; TensorDataset for arrays held in memory."""
from __future__ import annotations

import bisect
from typing import Sequence

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
        return tuple(Tensor._wrap(t.data[index], None) for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset, indices: Sequence[int]):
        self.dataset = dataset
        self.indices = indices

    @property
    def batched(self) -> bool:
        return getattr(self.dataset, "batched", False)

    def __getitem__(self, index):
        if isinstance(index, (list, tuple)) or hasattr(index, "shape"):
            import numpy as np  # host index arithmetic

            idx = np.asarray(self.indices)[np.asarray(index, dtype=np.int64)]
            if self.batched:
                return self.dataset[idx]
            return [self.dataset[int(i)] for i in idx]
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset):
    """Datasets one after another."""

    def __init__(self, datasets):
        self.datasets = list(datasets)
        self.cumulative_sizes = []
        total = 0
        for d in self.datasets:
            total += len(d)
            self.cumulative_sizes.append(total)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1] if self.cumulative_sizes else 0

    def __getitem__(self, index: int):
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"ConcatDataset: index {index} out of range for {len(self)} samples")
        d = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[d - 1] if d else 0
        return self.datasets[d][index - start]


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
