"""Toy data sets generated in code (seeded): logic gates, XOR, spirals, moons and blobs for 2-D demos."""
from __future__ import annotations

import math

import numpy as _np  # generated on the host, like any loaded data set

from ..creation import tensor
from .dataset import LabeledDataset

_GATE_X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]


def _gate(outputs, name):
    return LabeledDataset(tensor(_GATE_X), tensor(outputs), classes=[0, 1])


def and_gate() -> LabeledDataset:
    """The four inputs of a 2-input AND gate and its outputs (a perceptron's first exercise).

    >>> from autograd.data import and_gate
    >>> and_gate().targets.tolist()
    [0, 0, 0, 1]
    """
    return _gate([0, 0, 0, 1], "and")


def or_gate() -> LabeledDataset:
    """The 2-input OR gate."""
    return _gate([0, 1, 1, 1], "or")


def xor(n: int = 4, noise: float = 0.0, seed: int = 0) -> LabeledDataset:
    """XOR: the four corners (``n=4``), or ``n`` noisy points around them; not linearly separable.

    >>> from autograd.data import xor
    >>> xor().targets.tolist()
    [0, 1, 1, 0]
    """
    if n == 4 and noise == 0:
        return _gate([0, 1, 1, 0], "xor")
    rng = _np.random.default_rng(seed)
    corners = _np.array(_GATE_X)[rng.integers(0, 4, n)]
    x = corners + rng.normal(0.0, noise, corners.shape)
    y = (corners[:, 0] != corners[:, 1]).astype(_np.int64)
    return LabeledDataset(tensor(x.astype(_np.float32)), tensor(y), classes=[0, 1])


def spiral(n_per_class: int = 100, classes: int = 3, noise: float = 0.2, seed: int = 0) -> LabeledDataset:
    """Interleaved 2-D spiral arms, one per class (the classic non-linear decision-boundary demo).

    >>> from autograd.data import spiral
    >>> ds = spiral(50, 3)
    >>> tuple(ds.data.shape), ds.classes
    ((150, 2), [0, 1, 2])
    """
    rng = _np.random.default_rng(seed)
    xs, ys = [], []
    for c in range(classes):
        r = _np.linspace(0.0, 1.0, n_per_class)
        t = _np.linspace(c * 4.0, (c + 1) * 4.0, n_per_class) + rng.normal(0.0, noise, n_per_class)
        xs.append(_np.stack([r * _np.sin(t), r * _np.cos(t)], axis=1))
        ys.append(_np.full(n_per_class, c))
    return LabeledDataset(tensor(_np.concatenate(xs).astype(_np.float32)), tensor(_np.concatenate(ys)),
                          classes=list(range(classes)))


def moons(n: int = 200, noise: float = 0.1, seed: int = 0) -> LabeledDataset:
    """Two interleaving half circles (as scikit-learn's make_moons).

    >>> from autograd.data import moons
    >>> tuple(moons(100).data.shape)
    (100, 2)
    """
    rng = _np.random.default_rng(seed)
    n_out = n // 2
    n_in = n - n_out
    a = _np.linspace(0, math.pi, n_out)
    b = _np.linspace(0, math.pi, n_in)
    x = _np.concatenate([_np.stack([_np.cos(a), _np.sin(a)], 1), _np.stack([1 - _np.cos(b), 0.5 - _np.sin(b)], 1)])
    x = x + rng.normal(0.0, noise, x.shape)
    y = _np.concatenate([_np.zeros(n_out, _np.int64), _np.ones(n_in, _np.int64)])
    return LabeledDataset(tensor(x.astype(_np.float32)), tensor(y), classes=[0, 1])


def blobs(n: int = 300, centers: int = 3, std: float = 0.5, seed: int = 0) -> LabeledDataset:
    """Gaussian blobs around ``centers`` random points in [-5, 5]²."""
    rng = _np.random.default_rng(seed)
    mids = rng.uniform(-5, 5, (centers, 2))
    y = _np.arange(n) % centers
    x = mids[y] + rng.normal(0.0, std, (n, 2))
    return LabeledDataset(tensor(x.astype(_np.float32)), tensor(y.astype(_np.int64)), classes=list(range(centers)))
