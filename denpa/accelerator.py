"""``denpa.accelerator``: the current accelerator, as ``torch.accelerator`` (here: CUDA through CuPy, or none).

The official PyTorch examples start with
``device = torch.accelerator.current_accelerator() if torch.accelerator.is_available() else "cpu"``;
that line picks a GPU here when CuPy sees one and the CPU otherwise.

>>> import denpa as torch
>>> device = torch.accelerator.current_accelerator() if torch.accelerator.is_available() else torch.device("cpu")
>>> torch.zeros(2, device=device).device.type in ("cpu", "cuda")
True
"""
from __future__ import annotations

from typing import Optional

from autograd import cuda
from autograd.device import Device


def is_available() -> bool:
    """Whether an accelerator (a GPU that CuPy sees) can be used."""
    return cuda.is_available()


def current_accelerator(check_available: bool = False) -> Optional[Device]:
    """``device("cuda")`` where a GPU is usable, else None (``check_available`` is accepted as in PyTorch)."""
    return Device("cuda") if cuda.is_available() else None


def device_count() -> int:
    """The number of GPUs (0 without one)."""
    return cuda.device_count()


def current_device_index() -> int:
    """The index of the current GPU."""
    return cuda.current_device()


def set_device_index(device) -> None:
    """Make ``device`` (an index, ``"cuda:i"`` or a Device) the current GPU."""
    cuda.set_device(device)


def synchronize(device=None) -> None:
    """Wait for the work queued on ``device`` (default: the current GPU)."""
    cuda.synchronize(device)
