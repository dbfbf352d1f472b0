"""What PyTorch names denpa lacks, said plainly.

``import denpa as torch`` makes every ``torch.x`` a lookup in denpa. Where denpa has no ``x``, Python's own
message would be ``module 'denpa' has no attribute 'x'`` or, worse, a guess such as ``Did you mean: 'exp'?``.
:func:`missing` gives instead one that says whether PyTorch has the name, and names denpa's equivalent where
there is one. The list of PyTorch's public names (``torch_names.json``, read once, only when a name is
missing) comes from PyTorch 2.13's own modules.

>>> import autograd
>>> autograd.compat.missing("torch", "compile")
AttributeError("torch.compile is PyTorch's, and denpa does not provide it (see docs/torch_compat.md for what it has)")
"""
from __future__ import annotations

import functools
import json
import os
import sys

#: PyTorch names whose denpa counterpart has another name or place; the message names it
EQUIVALENTS = {
    "torch.Tensor.data_ptr": "Tensor.array (the NumPy/CuPy array itself)",
    "torch.Tensor.untyped_storage": "Tensor.array (the NumPy/CuPy array itself)",
    "torch.Tensor.storage": "Tensor.array (the NumPy/CuPy array itself)",
    "torch.set_default_tensor_type": "set_default_dtype",
    "torch.nn.DataParallel": "nn.parallel.DistributedDataParallel (one process per device, started by mpiexec)",
}


@functools.lru_cache(maxsize=1)
def torch_names() -> dict:
    """``{"torch": [...], "torch.Tensor": [...], "torch.nn": [...], ...}``: PyTorch's public names per namespace."""
    with open(os.path.join(os.path.dirname(__file__), "torch_names.json"), encoding="utf-8") as f:
        return {k: frozenset(v) for k, v in json.load(f).items()}


def missing(namespace: str, name: str, obj=None) -> AttributeError:
    """The AttributeError for ``namespace.name`` (``namespace`` as PyTorch spells it, e.g. ``"torch.nn"``)."""
    qual = f"{namespace}.{name}"
    if qual in EQUIVALENTS:
        text = f"{qual} is PyTorch's; denpa does not provide it under that name: use {EQUIVALENTS[qual]}"
    elif name in torch_names().get(namespace, ()):
        text = f"{qual} is PyTorch's, and denpa does not provide it (see docs/torch_compat.md for what it has)"
    else:
        owner = "Tensor" if namespace == "torch.Tensor" else namespace.replace("torch", "denpa", 1)
        text = f"{owner} has no attribute {name!r}, and neither has {qual} in PyTorch"
    err = AttributeError(text)
    # `obj` set and `name` left unset: Python then neither fills them in nor appends a "Did you mean" guess
    err.obj = obj
    return err


def module_getattr(namespace: str, module: str):
    """A module-level ``__getattr__`` for ``module`` that raises :func:`missing`'s error; dunders stay plain."""

    def __getattr__(name: str):
        if name.startswith("__"):
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        raise missing(namespace, name, sys.modules.get(module))

    return __getattr__
