"""Testing tools for your own differentiable code: gradient checks and Hypothesis strategies.

``gradcheck`` and ``gradgradcheck`` compare analytic gradients with central
finite differences in float64. ``tensors``, ``broadcastable_tensors`` and
``valid_axes`` are Hypothesis strategies (imported on first use, so the checks
work without Hypothesis installed).

>>> import autograd
>>> from autograd.testing import gradcheck
>>> x = autograd.tensor([1.0, 2.0], dtype="float64", requires_grad=True)
>>> gradcheck(lambda t: t.exp() / t.sum(), x)
True
"""
from __future__ import annotations

from .checks import GradcheckError, GradcheckWarning, gradcheck, gradgradcheck

__all__ = ["GradcheckError", "GradcheckWarning", "gradcheck", "gradgradcheck", "tensors", "broadcastable_tensors",
           "valid_axes"]

_STRATEGIES = ("tensors", "broadcastable_tensors", "valid_axes")


def __getattr__(name):
    if name in _STRATEGIES:
        from . import strategies

        return getattr(strategies, name)
    raise AttributeError(f"module 'autograd.testing' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_STRATEGIES))
