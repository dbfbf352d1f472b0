"""The NaN/inf guard: a clear stop, before a bad loss or gradient reaches the weights."""
from __future__ import annotations

import math
from typing import Iterable, Optional

from autograd.backend import array_module


class NonFiniteError(FloatingPointError):
    """Training produced a NaN or infinite loss or gradient; no optimizer step was taken with it."""

    def __init__(self, message: str, epoch: Optional[int] = None, step: Optional[int] = None,
                 name: Optional[str] = None):
        super().__init__(message)
        self.epoch, self.step, self.name = epoch, step, name


def _where(epoch, step) -> str:
    parts = [f"epoch {epoch}" if epoch is not None else "", f"step {step}" if step is not None else ""]
    return ", ".join(p for p in parts if p) or "this step"


_ADVICE = ("no optimizer step was taken with it, so the weights (and any checkpoint) are still the last good ones. "
           "Lower the learning rate, clip gradients (max_grad_norm=...), check the inputs for NaN/inf, or run the "
           "step under autograd.detect_anomaly() to find the op that produced it.")


def check_finite_loss(loss, *, epoch: Optional[int] = None, step: Optional[int] = None) -> float:
    """The loss as a float; raises :class:`NonFiniteError` when it is NaN or infinite."""
    value = float(loss.item() if hasattr(loss, "item") else loss)
    if not math.isfinite(value):
        raise NonFiniteError(f"training stopped at {_where(epoch, step)}: the loss is {value}; {_ADVICE}",
                             epoch, step, "loss")
    return value


def check_finite_grads(named_parameters: Iterable, *, epoch: Optional[int] = None,
                       step: Optional[int] = None) -> None:
    """Raise :class:`NonFiniteError` naming the first parameter whose ``.grad`` holds NaN or inf.

    ``named_parameters`` yields ``(name, parameter)`` pairs (``model.named_parameters()``)
    or bare parameters. Call it between ``backward()`` and ``optimizer.step()``.

    >>> import autograd
    >>> w = autograd.tensor([1.0, 2.0], requires_grad=True)
    >>> w.grad = autograd.tensor([0.5, float("nan")])
    >>> check_finite_grads([("w", w)], epoch=3, step=7)
    Traceback (most recent call last):
    ...
    denpa.train.guards.NonFiniteError: training stopped at epoch 3, step 7: the gradient of 'w' (shape (2,)) holds 1 NaN and 0 inf values; ...
    """
    for i, item in enumerate(named_parameters):
        name, p = item if isinstance(item, tuple) else (f"parameter {i}", item)
        g = getattr(p, "grad", None)
        if g is None:
            continue
        g = g.array
        xp = array_module(g)
        if not bool(xp.isfinite(g).all()):
            nan, inf = int(xp.isnan(g).sum()), int(xp.isinf(g).sum())
            raise NonFiniteError(f"training stopped at {_where(epoch, step)}: the gradient of {name!r} "
                                 f"(shape {tuple(g.shape)}) holds {nan} NaN and {inf} inf values; {_ADVICE}",
                                 epoch, step, name)
