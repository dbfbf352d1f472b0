"""Splits: random_split, train/validation/test, k-fold and stratified k-fold index splits."""
from __future__ import annotations

import math
from typing import Iterator, Optional, Sequence, Tuple

import numpy as _np  # index arithmetic on the host

from .dataset import Subset


def _rng(seed=None, generator=None):
    if generator is not None:
        return generator
    if seed is None:
        from ..random import _generator

        return _generator(_np)
    return _np.random.default_rng(seed)


def _lengths(n: int, lengths: Sequence) -> list:
    """Absolute lengths; fractions summing to 1 are floored and the remainder dealt one by one (PyTorch's rule)."""
    if math.isclose(sum(lengths), 1) and all(0 <= f <= 1 for f in lengths) and not all(
            isinstance(f, int) for f in lengths):
        out = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(out)):
            out[i % len(out)] += 1
        return out
    if sum(lengths) != n:
        raise ValueError(f"random_split: sum of input lengths ({sum(lengths)}) does not equal the length of the "
                         f"input dataset ({n}); pass lengths summing to {n} or fractions summing to 1")
    return [int(x) for x in lengths]


def random_split(dataset, lengths: Sequence, generator=None, seed: Optional[int] = None):
    """Split ``dataset`` into non-overlapping random Subsets of the given lengths (or fractions).

    >>> from autograd.data import random_split
    >>> a, b = random_split(range(10), [0.7, 0.3], seed=0)
    >>> len(a), len(b), sorted(list(a.indices) + list(b.indices)) == list(range(10))
    (7, 3, True)
    """
    n = len(dataset)
    sizes = _lengths(n, lengths)
    perm = _rng(seed, generator).permutation(n)
    out, start = [], 0
    for size in sizes:
        out.append(Subset(dataset, perm[start:start + size]))
        start += size
    return out


def _stratified_order(labels, rng, shuffle=True):
    """Indices grouped by class, each class shuffled; used to deal classes evenly over splits and folds."""
    labels = _np.asarray(labels)
    groups = []
    for c in _np.unique(labels):
        idx = _np.flatnonzero(labels == c)
        groups.append(rng.permutation(idx) if shuffle else idx)
    return groups


def train_val_test_split(data, fractions: Tuple[float, float, float] = (0.7, 0.15, 0.15), seed: int = 0,
                         stratify=None):
    """Three disjoint random parts of a dataset (Subsets) or of arrays (tuples of arrays), by fractions.

    ``stratify`` (class labels) keeps each class's share the same in every part.

    >>> import numpy as np
    >>> from autograd.data import train_val_test_split
    >>> X, y = np.arange(20).reshape(10, 2), np.arange(10) % 2
    >>> (Xtr, ytr), (Xva, yva), (Xte, yte) = train_val_test_split((X, y), (0.6, 0.2, 0.2), seed=1)
    >>> len(ytr), len(yva), len(yte)
    (6, 2, 2)
    """
    if len(fractions) != 3 or not math.isclose(sum(fractions), 1) or min(fractions) < 0:
        raise ValueError(f"train_val_test_split: fractions must be three non-negative numbers summing to 1, "
                         f"got {tuple(fractions)}")
    arrays = isinstance(data, tuple)
    n = len(data[0]) if arrays else len(data)
    rng = _np.random.default_rng(seed)
    if stratify is None:
        perm = rng.permutation(n)
        sizes = _lengths(n, fractions)
        parts = [perm[:sizes[0]], perm[sizes[0]:sizes[0] + sizes[1]], perm[sizes[0] + sizes[1]:]]
    else:
        parts = [[], [], []]
        for idx in _stratified_order(getattr(stratify, "data", stratify), rng):
            sizes = _lengths(len(idx), fractions)
            parts[0].append(idx[:sizes[0]])
            parts[1].append(idx[sizes[0]:sizes[0] + sizes[1]])
            parts[2].append(idx[sizes[0] + sizes[1]:])
        parts = [rng.permutation(_np.concatenate(p)) for p in parts]
    if arrays:
        return tuple(tuple(a[p] for a in data) for p in parts)
    return tuple(Subset(data, p) for p in parts)


class KFold:
    """k-fold cross-validation index splits, as scikit-learn's: the first ``n % k`` folds get one extra sample.

    >>> from autograd.data import KFold
    >>> [val.tolist() for _, val in KFold(3).split(range(7))]
    [[0, 1, 2], [3, 4], [5, 6]]
    """

    def __init__(self, n_splits: int = 5, shuffle: bool = False, seed: Optional[int] = None):
        if not isinstance(n_splits, int) or n_splits < 2:
            raise ValueError(f"KFold: n_splits must be an integer of at least 2, got {n_splits!r}")
        self.n_splits = n_splits
        self.shuffle = shuffle
        self.seed = seed

    def get_n_splits(self, X=None, y=None) -> int:
        return self.n_splits

    def _check(self, n):
        if self.n_splits > n:
            raise ValueError(f"{type(self).__name__}: cannot have n_splits={self.n_splits} greater than the number "
                             f"of samples n_samples={n}")

    def split(self, X, y=None) -> Iterator[Tuple[_np.ndarray, _np.ndarray]]:
        n = len(X)
        self._check(n)
        order = _np.random.default_rng(self.seed).permutation(n) if self.shuffle else _np.arange(n)
        sizes = _np.full(self.n_splits, n // self.n_splits)
        sizes[: n % self.n_splits] += 1
        start = 0
        for size in sizes:
            val = order[start:start + size]
            train = _np.concatenate([order[:start], order[start + size:]])
            yield train, val
            start += size


class StratifiedKFold(KFold):
    """k-fold splits that keep each class's share in every fold (counts differ by at most one per class).

    Each class's samples (shuffled if asked) are dealt to the folds in turn.

    >>> from autograd.data import StratifiedKFold
    >>> y = [0] * 6 + [1] * 3
    >>> [sorted(int(y[i]) for i in val) for _, val in StratifiedKFold(3).split(y, y)]
    [[0, 0, 1], [0, 0, 1], [0, 0, 1]]
    """

    def split(self, X, y=None):
        if y is None:
            raise ValueError("StratifiedKFold.split needs the class labels y")
        y = _np.asarray(getattr(y, "data", y))
        n = len(y)
        self._check(n)
        rng = _np.random.default_rng(self.seed)
        fold = _np.empty(n, dtype=_np.int64)
        offset = 0
        for idx in _stratified_order(y, rng, self.shuffle):
            # continue dealing where the previous class stopped, so fold sizes stay within one of each other
            fold[idx] = (offset + _np.arange(len(idx))) % self.n_splits
            offset += len(idx)
        everything = _np.arange(n)
        for k in range(self.n_splits):
            yield everything[fold != k], everything[fold == k]
