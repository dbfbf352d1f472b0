"""Data: datasets, mini-batch loading and splits, in PyTorch's manner (``torch.utils.data``).

>>> import autograd
>>> from autograd import data
>>> ds = data.TensorDataset(autograd.arange(10.0).reshape(5, 2), autograd.arange(5))
>>> [tuple(x.shape) for x, y in data.DataLoader(ds, batch_size=2)]
[(2, 2), (2, 2), (1, 2)]
"""
from __future__ import annotations

from .dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset, LabeledDataset, StackDataset, Subset,
                      TensorDataset)
from .loader import DataLoader, default_collate, default_convert, get_worker_info
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
                      WeightedRandomSampler)
from .distributed import DistributedSampler
from .split import KFold, StratifiedKFold, random_split, train_val_test_split
from .toy import and_gate, blobs, moons, or_gate, spiral, xor
from .digits import digits
from .mnist import MNIST, FashionMNIST, cache_dir, download_file, read_idx
from .transforms import normalize, one_hot, standardize

__all__ = ["Dataset", "TensorDataset", "LabeledDataset", "cache_dir", "download_file", "Subset", "ConcatDataset", "IterableDataset",
           "ChainDataset", "StackDataset", "DataLoader", "default_collate", "default_convert", "get_worker_info", "Sampler",
           "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler", "DistributedSampler", "random_split",
           "train_val_test_split", "KFold", "StratifiedKFold", "digits", "spiral", "moons", "xor", "and_gate",
           "or_gate", "blobs", "MNIST", "FashionMNIST", "read_idx", "normalize", "standardize", "one_hot"]

from .. import compat as _compat  # noqa: E402
__getattr__ = _compat.module_getattr("torch.utils.data", __name__)  # a PyTorch name denpa lacks: say so
