"""Evaluation: mean loss and metrics over a loader, and the per-batch bookkeeping ``fit`` shares."""
from __future__ import annotations

import math
from typing import Callable, Iterable, Optional

from autograd import grad_mode
from .metrics import accuracy, is_classification


def split_batch(batch):
    """``(inputs, targets)`` from a loader's batch, or a TypeError saying what a batch must be."""
    if isinstance(batch, (tuple, list)) and len(batch) == 2:
        return batch[0], batch[1]
    got = f"a {type(batch).__name__}" + (f" of length {len(batch)}" if isinstance(batch, (tuple, list)) else "")
    raise TypeError(f"fit: each batch must be an (inputs, targets) pair, as a DataLoader over a TensorDataset "
                    f"of (x, y) yields; got {got}")


def to_device(x, device):
    """``x`` moved to ``device`` (``x.to(device)``); ``device=None`` leaves it where it is."""
    return x if device is None else x.to(device)


class Meter:
    """Sums of batch losses and metrics, weighted by batch size."""

    __slots__ = ("n", "loss", "sums")

    def __init__(self):
        self.n, self.loss, self.sums = 0, 0.0, {}

    def add(self, n, loss, metrics):
        """Count one batch of ``n`` samples with mean ``loss`` and ``metrics`` (a dict of batch means).

        >>> m = Meter(); m.add(2, 1.0, {"accuracy": 0.5}); m.add(6, 3.0, {"accuracy": 1.0})
        >>> m.mean_loss, m.result("val_")
        (2.5, {'val_loss': 2.5, 'val_accuracy': 0.875})
        """
        self.n += n
        self.loss += loss * n
        for k, v in metrics.items():
            self.sums[k] = self.sums.get(k, 0.0) + v * n

    @property
    def mean_loss(self):
        """The loss averaged over every sample counted (NaN before any batch)."""
        return self.loss / self.n if self.n else math.nan

    def result(self, prefix=""):
        """``{prefix + 'loss': mean loss, prefix + name: mean metric, ...}`` over the samples counted."""
        out = {f"{prefix}loss": self.mean_loss}
        out.update({f"{prefix}{k}": s / self.n for k, s in self.sums.items()})
        return out


def batch_metrics(metrics, output, target) -> dict:
    """Each metric's value on one batch; ``metrics=None`` means accuracy for class labels."""
    if metrics is None:  # "auto": accuracy for class labels, nothing for regression
        return {"accuracy": accuracy(output, target)} if is_classification(output, target) else {}
    return {name: float(fn(output, target)) for name, fn in metrics.items()}


def evaluate(model, loader: Iterable, loss_fn: Optional[Callable] = None, *, metrics: Optional[dict] = None,
             device=None, prefix: str = "") -> dict:
    """Mean loss and metrics of ``model`` over ``loader``, in ``eval()`` mode and without recording a graph.

    Returns ``{'loss': ..., 'accuracy': ...}`` (names start with ``prefix``;
    accuracy only for class-label targets unless ``metrics`` says otherwise);
    the model's training mode is put back afterwards.

    >>> import autograd, nn
    >>> model = nn.Linear(2, 3)
    >>> batches = [(autograd.randn(4, 2), autograd.tensor([0, 1, 2, 0]))]
    >>> sorted(evaluate(model, batches, nn.functional.cross_entropy, prefix="val_"))
    ['val_accuracy', 'val_loss']
    """
    was_training = getattr(model, "training", False)
    if hasattr(model, "eval"):
        model.eval()
    meter = Meter()
    try:
        with grad_mode.no_grad():
            for batch in loader:
                x, y = split_batch(batch)
                x, y = to_device(x, device), to_device(y, device)
                out = model(x)
                loss = float(loss_fn(out, y).item()) if loss_fn is not None else math.nan
                meter.add(int(y.shape[0]), loss, batch_metrics(metrics, out, y))
    finally:
        if was_training and hasattr(model, "train"):
            model.train()
    result = meter.result(prefix)
    if loss_fn is None:
        del result[f"{prefix}loss"]
    return result
