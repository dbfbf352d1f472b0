"""denpa: a define-by-run autograd engine, as a namespace shaped like ``torch``.

PyTorch users change one line, ``import torch`` to ``import denpa as torch``, and the rest of a script finds
what it expects: ``torch.tensor``, ``torch.nn`` (the ``nn`` package itself), ``torch.nn.functional``,
``torch.optim``, ``torch.utils.data``, ``torch.autograd``, ``torch.save`` / ``torch.load``, ``torch.cuda``,
``torch.accelerator``, ``torch.backends.cudnn``, ``torch.float``, ``torch.no_grad`` and the rest of what
denpa has (``docs/torch_compat.md`` lists it). A PyTorch name denpa lacks raises an ``AttributeError`` that
says so. Learners may keep the package names ``autograd``, ``nn`` and ``optim``: they are the same objects.

>>> import denpa as torch
>>> import denpa.nn.functional as F
>>> x = torch.tensor([[1.0, -2.0]], requires_grad=True)
>>> F.relu(x).sum().backward(); x.grad
tensor([[1., 0.]])
>>> import nn
>>> torch.nn.Linear is nn.Linear and torch.float == x.dtype
True

The package also holds the application: ``denpa.train`` (``fit``, checkpoints, the model zoo) and the
``denpa`` command (``python -m denpa``).
"""
from __future__ import annotations

import types as _types

import numpy as _np

import autograd
import nn
import optim
from autograd import compat as _compat
from autograd import cuda  # noqa: F401
from autograd import distributed  # noqa: F401  (torch.distributed without its own import)

from .aliases import alias as _alias

# every public name of the engine that is not a module: tensor, zeros, Tensor, no_grad, manual_seed, ...
globals().update({_name: _value for _name, _value in vars(autograd).items()
                  if not _name.startswith("_") and not isinstance(_value, (_types.ModuleType, type(annotations)))})

from nn import load, save  # noqa: E402,F401

# one module object per module: `import denpa.nn.functional as F` gives nn.functional itself
for _name, _target in (("denpa.nn", "nn"), ("denpa.optim", "optim"), ("denpa.autograd", "autograd"),
                       ("denpa.cuda", "autograd.cuda"), ("denpa.utils.data", "autograd.data"),
                       ("denpa.distributed", "autograd.distributed")):
    _alias(_name, _target)

from . import accelerator, backends, onnx, utils  # noqa: E402,F401

# dtype names PyTorch has beyond the engine's (NumPy dtype objects, so `x.dtype == torch.float` holds)
float = float32 = _np.dtype("float32")  # noqa: A001 - PyTorch's names
double = _np.dtype("float64")
int = int32 = _np.dtype("int32")  # noqa: A001
short = int16 = _np.dtype("int16")
int8 = _np.dtype("int8")
uint8 = _np.dtype("uint8")
cfloat = complex64 = _np.dtype("complex64")
cdouble = complex128 = _np.dtype("complex128")

__version__ = autograd.__version__

__getattr__ = _compat.module_getattr("torch", "denpa")
