"""Learning-rate schedules, as ``torch.optim.lr_scheduler``: same classes, arguments and sequences.

A scheduler writes each parameter group's ``lr`` (and, for the cyclic ones,
its momentum or ``betas[0]``) when it steps; call ``optimizer.step()`` first and
``scheduler.step()`` after it, once per epoch or per batch as the schedule means.
Most schedules are "chainable": each step scales the group's current ``lr``, so
several schedulers can act on one optimizer; passing ``epoch`` to ``step``
(deprecated, as in PyTorch) uses the closed form instead.
"""
from __future__ import annotations

from .base import LRScheduler
from .composite import ChainedScheduler, SequentialLR
from .cosine import CosineAnnealingLR, CosineAnnealingWarmRestarts
from .cyclic import CyclicLR, OneCycleLR
from .factor import (ConstantLR, ExponentialLR, LambdaLR, LinearLR, MultiplicativeLR, MultiStepLR, PolynomialLR,
                     StepLR)
from .plateau import ReduceLROnPlateau

__all__ = ["LRScheduler", "LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR",
           "ExponentialLR", "PolynomialLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "CyclicLR",
           "OneCycleLR", "ReduceLROnPlateau", "SequentialLR", "ChainedScheduler"]

from autograd import compat as _compat  # noqa: E402
__getattr__ = _compat.module_getattr("torch.optim.lr_scheduler", __name__)  # a PyTorch name denpa lacks: say so
