"""Metrics computed from a batch's outputs and targets, as Python floats."""
from __future__ import annotations

from autograd.backend import array_module


def _data(x):
    return getattr(x, "array", x)


def correct(output, target, threshold: float = 0.0) -> int:
    """How many predictions in a batch are right.

    ``output`` is ``(N, C)`` class scores (logits or probabilities: the argmax
    is the prediction) or ``(N,)`` / ``(N, 1)`` binary logits (positive when
    above ``threshold``; pass ``threshold=0.5`` for probabilities). ``target``
    holds class indices ``(N,)`` or, for ``(N, C)`` scores, one-hot or soft
    labels ``(N, C)``.

    >>> import autograd
    >>> correct(autograd.tensor([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0]]), autograd.tensor([0, 1, 1]))
    2
    """
    out, tgt = _data(output), _data(target)
    xp = array_module(out)
    if out.ndim == 2 and out.shape[1] > 1:
        pred = out.argmax(axis=1)
        if tgt.ndim == 2 and tgt.shape == out.shape:
            tgt = tgt.argmax(axis=1)
    elif out.ndim == 1 or (out.ndim == 2 and out.shape[1] == 1):
        pred = (out.reshape(-1) > threshold).astype(xp.int64)
    else:
        raise ValueError(f"accuracy: expected output of shape (N, C) class scores or (N,) / (N, 1) binary logits, "
                         f"got {tuple(out.shape)}")
    tgt = tgt.reshape(-1)
    if tgt.shape[0] != pred.shape[0]:
        raise ValueError(f"accuracy: output has {pred.shape[0]} rows but target has {tgt.shape[0]} labels "
                         f"(output {tuple(out.shape)}, target {tuple(_data(target).shape)})")
    return int((pred == tgt.astype(pred.dtype)).sum())


def accuracy(output, target, threshold: float = 0.0) -> float:
    """The fraction of a batch classified right (see :func:`correct` for the shapes).

    >>> import autograd
    >>> accuracy(autograd.tensor([[2.0, 1.0], [0.0, 3.0]]), autograd.tensor([0, 0]))
    0.5
    >>> accuracy(autograd.tensor([1.5, -0.2, 0.3]), autograd.tensor([1, 0, 0]))
    0.6666666666666666
    """
    n = _data(target).shape[0]
    if n == 0:
        raise ValueError("accuracy: empty batch")
    return correct(output, target, threshold) / n


def is_classification(output, target) -> bool:
    """True when ``target`` holds integer class labels for ``output``'s rows: accuracy applies."""
    out, tgt = _data(output), _data(target)
    return tgt.dtype.kind in "iub" and tgt.ndim == 1 and out.ndim in (1, 2) and out.shape[0] == tgt.shape[0]
