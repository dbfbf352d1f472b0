"""denpa.optim: optimizers and learning-rate schedules, named and behaving as in ``torch.optim``.

>>> import autograd, optim
>>> w = autograd.tensor([3.0], requires_grad=True)
>>> opt = optim.SGD([w], lr=0.25)
>>> for _ in range(3):
...     opt.zero_grad()
...     (w * w).sum().backward()
...     opt.step()
>>> w
tensor([0.3750], requires_grad=True)
"""
from __future__ import annotations

from autograd import __version__  # noqa: F401  (one version for the distribution)

from . import lr_scheduler  # noqa: F401
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .lbfgs import LBFGS
from .lion import Lion
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "NAdam", "RAdam", "Adamax", "RMSprop", "Adagrad", "Adadelta",
           "Rprop", "Lion", "LBFGS", "lr_scheduler"]

from autograd import compat as _compat  # noqa: E402
__getattr__ = _compat.module_getattr("torch.optim", __name__)  # a PyTorch name denpa lacks: say so
