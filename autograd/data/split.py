"""Splits: random_split, train/validation/test, k-fold and stratified k-fold index splits."""
from __future__ import annotations

import math
import warnings
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


def _from_fractions(n: int, fractions: Sequence) -> list:
    out = [int(math.floor(n * f)) for f in fractions]
    for i in range(n - sum(out)):
        out[i % len(out)] += 1
    return out


def _lengths(n: int, lengths: Sequence) -> list:
    """Absolute lengths; fractions summing to 1 are floored and the remainder dealt one by one (PyTorch's rule)."""
    if math.isclose(sum(lengths), 1) and all(0 <= f <= 1 for f in lengths) and not all(
            isinstance(f, int) for f in lengths):
        return _from_fractions(n, lengths)
    if sum(lengths) != n:
        raise ValueError(f"random_split: sum of input lengths ({sum(lengths)}) does not equal the length of the "
                         f"input dataset ({n}); pass lengths summing to {n} or fractions summing to 1")
    return [int(x) for x in lengths]


def random_split(dataset, lengths: Sequence, generator=None, seed: Optional[int] = None):
    """Split ``dataset`` into non-overlapping random Subsets of the given lengths, as PyTorch's ``random_split``.

    ``lengths`` are sample counts summing to ``len(dataset)``, or fractions summing
    to 1 (floored, the remainder dealt one by one from the first part; a part that
    comes out empty warns). Each Subset's ``indices`` is a list of ints.
    ``generator`` is a NumPy Generator or an int seed (``seed=`` is the same); None
    draws from autograd's generator (``autograd.manual_seed``).

    >>> from autograd.data import random_split
    >>> a, b = random_split(range(10), [0.7, 0.3], seed=0)
    >>> len(a), len(b), sorted(a.indices + b.indices) == list(range(10))
    (7, 3, True)
    """
    from .sampler import _rng_from

    n = len(dataset)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:  # PyTorch's test for fractions (so [0, 1] is one)
        for i, frac in enumerate(lengths):
            if not 0 <= frac <= 1:
                raise ValueError(f"random_split: fraction at index {i} is not between 0 and 1 (got {frac})")
        sizes = _from_fractions(n, lengths)
        for i, size in enumerate(sizes):
            if size == 0:
                warnings.warn(f"random_split: length of split at index {i} is 0. This might result in an empty "
                              f"dataset.", UserWarning, stacklevel=2)
    else:
        if any(x < 0 for x in lengths):
            raise ValueError(f"random_split: lengths must not be negative, got {list(lengths)}")
        sizes = _lengths(n, lengths)
    if seed is not None and generator is not None:
        raise ValueError("random_split: pass generator= or seed=, not both")
    rng = _rng_from(seed if generator is None else generator, "random_split")
    perm = (rng if rng is not None else _rng()).permutation(n).tolist()
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


def _n_samples(data, who: str) -> int:
    if isinstance(data, (int, _np.integer)):
        return int(data)
    if isinstance(data, tuple):
        lengths = {len(a) for a in data}
        if len(lengths) != 1:
            raise ValueError(f"{who}: the arrays have different lengths {[len(a) for a in data]}; they must all "
                             f"have one row per sample")
        return lengths.pop()
    return len(data)


def train_val_test_split(data, fractions: Sequence[float] = (0.7, 0.15, 0.15), seed: int = 0, stratify=None):
    """Disjoint random parts of ``data`` by ``fractions`` (train, validation, test; two parts also work).

    ``data`` may be a dataset (parts are Subsets), a tuple of arrays or
    tensors with one row per sample (parts are tuples of those rows), one array or
    tensor, or a number of samples ``n`` (parts are index arrays into ``range(n)``).
    ``stratify`` (class labels) keeps each class's share the same in every part.

    >>> import numpy as np
    >>> from autograd.data import train_val_test_split
    >>> X, y = np.arange(20).reshape(10, 2), np.arange(10) % 2
    >>> (Xtr, ytr), (Xva, yva), (Xte, yte) = train_val_test_split((X, y), (0.6, 0.2, 0.2), seed=1)
    >>> len(ytr), len(yva), len(yte)
    (6, 2, 2)
    >>> [len(part) for part in train_val_test_split(1797)]
    [1258, 270, 269]
    """
    fractions = tuple(fractions)
    if len(fractions) < 2 or not math.isclose(sum(fractions), 1) or min(fractions) < 0:
        raise ValueError(f"train_val_test_split: fractions must be two or three non-negative numbers summing to 1 "
                         f"(train, validation, test), got {fractions}")
    n = _n_samples(data, "train_val_test_split")
    rng = _np.random.default_rng(seed)
    cuts = lambda idx, sizes: _np.split(idx, _np.cumsum(sizes)[:-1])  # noqa: E731
    if stratify is None:
        parts = cuts(rng.permutation(n), _lengths(n, fractions))
    else:
        labels = _np.asarray(getattr(stratify, "array", stratify))
        if labels.shape != (n,):
            raise ValueError(f"train_val_test_split: stratify needs one class label per sample, shape ({n},), "
                             f"got shape {labels.shape}")
        per_class = [cuts(idx, _lengths(len(idx), fractions)) for idx in _stratified_order(labels, rng)]
        parts = [rng.permutation(_np.concatenate([c[k] for c in per_class])) for k in range(len(fractions))]
    if isinstance(data, (int, _np.integer)):
        return tuple(parts)
    if isinstance(data, tuple):
        return tuple(tuple(a[p] for a in data) for p in parts)
    if hasattr(data, "shape") and hasattr(data, "ndim"):  # one array or tensor
        return tuple(data[p] for p in parts)
    return tuple(Subset(data, p) for p in parts)


class KFold:
    """k-fold cross-validation index splits, as scikit-learn's ``KFold``.

    Fold ``i`` is the validation set of split ``i``; the first ``n % k`` folds get
    one extra sample. Both index arrays come sorted; ``shuffle=True`` shuffles
    which samples fall in which fold, reproducibly by ``seed``.

    >>> from autograd.data import KFold
    >>> [val.tolist() for _, val in KFold(3).split(range(7))]
    [[0, 1, 2], [3, 4], [5, 6]]
    >>> [train.tolist() for train, _ in KFold(3).split(range(7))][1]
    [0, 1, 2, 5, 6]
    """

    def __init__(self, n_splits: int = 5, shuffle: bool = False, seed: Optional[int] = None):
        if not isinstance(n_splits, (int, _np.integer)) or isinstance(n_splits, bool) or n_splits < 2:
            raise ValueError(f"{type(self).__name__}: n_splits must be an integer of at least 2, got {n_splits!r}")
        if not shuffle and seed is not None:
            raise ValueError(f"{type(self).__name__}: a seed has no effect since shuffle is False; leave seed=None "
                             f"or pass shuffle=True")
        self.n_splits = int(n_splits)
        self.shuffle = shuffle
        self.seed = seed

    def __repr__(self) -> str:
        return f"{type(self).__name__}(n_splits={self.n_splits}, shuffle={self.shuffle}, seed={self.seed})"

    def get_n_splits(self, X=None, y=None) -> int:
        """The number of splits ``split`` yields (``n_splits``); ``X`` and ``y`` are ignored, as in scikit-learn."""
        return self.n_splits

    def _check(self, n):
        if self.n_splits > n:
            raise ValueError(f"{type(self).__name__}: cannot have n_splits={self.n_splits} greater than the number "
                             f"of samples n_samples={n}")

    def _test_folds(self, n: int, y) -> _np.ndarray:
        """The fold number of every sample."""
        order = _np.random.default_rng(self.seed).permutation(n) if self.shuffle else _np.arange(n)
        sizes = _np.full(self.n_splits, n // self.n_splits)
        sizes[: n % self.n_splits] += 1
        fold = _np.empty(n, dtype=_np.int64)
        fold[order] = _np.repeat(_np.arange(self.n_splits), sizes)
        return fold

    def split(self, X, y=None) -> Iterator[Tuple[_np.ndarray, _np.ndarray]]:
        """``(train_indices, validation_indices)`` for each fold; ``X`` is a dataset, an array or a sample count."""
        n = _n_samples(X, f"{type(self).__name__}.split")
        self._check(n)
        fold = self._test_folds(n, y)
        for k in range(self.n_splits):
            yield _np.flatnonzero(fold != k), _np.flatnonzero(fold == k)


class StratifiedKFold(KFold):
    """k-fold splits that keep each class's share in every fold, as scikit-learn's ``StratifiedKFold``.

    Each class's count in a fold is within one of every other fold's, and the
    folds' sizes are those of :class:`KFold`. Unshuffled, the folds are the ones
    scikit-learn gives; shuffled, the same allocation with a seeded assignment.

    >>> from autograd.data import StratifiedKFold
    >>> y = [0] * 6 + [1] * 3
    >>> [sorted(int(y[i]) for i in val) for _, val in StratifiedKFold(3).split(y, y)]
    [[0, 0, 1], [0, 0, 1], [0, 0, 1]]
    """

    def split(self, X, y=None):
        """``(train_indices, validation_indices)`` for each fold, stratified by the labels ``y``."""
        if y is None:
            raise ValueError("StratifiedKFold.split needs the class labels: split(X, y)")
        y = _np.asarray(getattr(y, "array", y))
        n = _n_samples(X, "StratifiedKFold.split")
        if y.shape != (n,):
            raise ValueError(f"StratifiedKFold.split: y must hold one class label per sample, shape ({n},), "
                             f"got shape {y.shape}")
        return super().split(n, y)

    def _test_folds(self, n: int, y) -> _np.ndarray:
        k = self.n_splits
        _, first, inverse = _np.unique(y, return_index=True, return_inverse=True)
        # classes numbered by first appearance, as scikit-learn numbers them (it decides which fold gets extras)
        code = _np.argsort(_np.argsort(first))[inverse.reshape(-1)]
        counts = _np.bincount(code)
        if (counts < k).all():
            raise ValueError(f"StratifiedKFold: n_splits={k} cannot be greater than the number of members in each "
                             f"class (class sizes {counts.tolist()})")
        if counts.min() < k:
            warnings.warn(f"StratifiedKFold: the least populated class in y has only {counts.min()} members, "
                          f"which is less than n_splits={k}", UserWarning, stacklevel=3)
        # deal the class-sorted samples to the folds in turn: allocation[f, c] samples of class c go to fold f
        by_class = _np.sort(code)
        allocation = _np.bincount((_np.arange(n) % k) * len(counts) + by_class,
                                  minlength=k * len(counts)).reshape(k, len(counts))
        rng = _np.random.default_rng(self.seed)
        fold = _np.empty(n, dtype=_np.int64)
        for c in range(len(counts)):
            folds_of_class = _np.repeat(_np.arange(k), allocation[:, c])
            if self.shuffle:
                rng.shuffle(folds_of_class)
            fold[code == c] = folds_of_class
        return fold
