"""denpa's autograd: a define-by-run automatic differentiation engine.

>>> import autograd
>>> x = autograd.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> y = (x * x).sum()
>>> y.backward()
>>> x.grad
tensor([2., 4., 6.])
"""
from __future__ import annotations

from . import ops as _ops
from . import _methods  # noqa: F401  (attaches methods and operators to Tensor)
from .autograd_api import backward, grad
from .backend import get_default_dtype, set_default_dtype
from .creation import (arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like, linspace, ones,
                       ones_like, rand, rand_like, randint, randint_like, randn, randn_like, randperm, tensor, zeros,
                       zeros_like)
from .device import Device, device
from .function import Function
from .generator import Generator
from .grad_mode import (detect_anomaly, enable_grad, inference_mode, is_anomaly_enabled, is_grad_enabled,
                        is_inference_mode_enabled, no_grad, set_grad_enabled)
from .node import Node
from .predicates import allclose, equal
from .ops import *  # noqa: F401,F403
from .random import get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from .scalar import Scalar
from .tensor import Tensor, is_tensor
from . import functional  # noqa: E402
from . import cuda  # noqa: E402,F401
from . import data  # noqa: E402,F401
from .viz import draw  # noqa: E402

from ._version import __version__  # noqa: E402  (one version for the distribution)

import numpy as _numpy  # dtype objects only: autograd.float32 == x.dtype works as in PyTorch

float32 = float_ = _numpy.dtype("float32")
float64 = double = _numpy.dtype("float64")
float16 = half = _numpy.dtype("float16")
int32 = _numpy.dtype("int32")
int64 = long = _numpy.dtype("int64")
bool = _numpy.dtype("bool")  # noqa: A001 - PyTorch's name


def from_dlpack(x) -> Tensor:
    """A tensor sharing memory with any DLPack-capable array (NumPy, CuPy, PyTorch, JAX), on the array's device.

    CPU data comes through ``numpy.from_dlpack``, CUDA data through ``cupy.from_dlpack`` (which needs the
    ``cuda`` extra); no copy is made either way.

    >>> import autograd, numpy as np
    >>> a = np.zeros(2, np.float32); t = autograd.from_dlpack(a); a[0] = 5; t
    tensor([5., 0.])
    """
    if not hasattr(x, "__dlpack__"):
        raise TypeError(f"from_dlpack: expected an array with __dlpack__ (NumPy, CuPy, PyTorch, JAX, ...), "
                        f"got {type(x).__name__}")
    kind, index = x.__dlpack_device__()
    if kind == 1:  # kDLCPU
        return Tensor._wrap(_numpy.from_dlpack(x), None)
    if kind == 2:  # kDLCUDA
        from .backend import cuda_module

        return Tensor._wrap(cuda_module(Device("cuda", index)).from_dlpack(x), None)
    raise RuntimeError(f"from_dlpack: data on DLPack device type {int(kind)} (index {index}) is neither CPU (1) "
                       f"nor CUDA (2) memory; copy it to one of those first")


def detach(x):
    """``x.detach()``: a new leaf sharing ``x``'s data, outside the graph (``torch.detach``).

    >>> import autograd
    >>> autograd.detach(autograd.tensor([1.0], requires_grad=True) * 2)
    tensor([2.])
    """
    return x.detach()


#: the public ops (each declared once in autograd/ops; the test registry must cover each)
OPS = sorted(_ops.__all__)

from . import compat as _compat  # noqa: E402

__getattr__ = _compat.module_getattr("torch.autograd", __name__)  # a PyTorch name denpa lacks: say so
