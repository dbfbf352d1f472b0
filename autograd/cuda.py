"""``autograd.cuda``: is a GPU usable, how many, which one is current, and waiting for it (as ``torch.cuda``).

CUDA tensors are CuPy arrays, so a GPU needs CuPy: ``pip install 'denpa[cuda]'`` (an NVIDIA GPU and CUDA 12).
Without it :func:`is_available` is False and :func:`device_count` 0, both without importing anything; the
functions that need a GPU raise one error that says how to install the extra.

>>> import autograd
>>> autograd.cuda.is_available() == (autograd.cuda.device_count() > 0)
True
"""
from __future__ import annotations

import os

from . import backend, random
from .device import Device

__all__ = ["is_available", "device_count", "current_device", "set_device", "synchronize", "device",
           "get_device_name", "manual_seed", "manual_seed_all", "seed", "seed_all"]


def is_available() -> bool:
    """Whether CUDA tensors can be made here: CuPy installed and at least one GPU visible."""
    return backend.cuda_device_count() > 0


def device_count() -> int:
    """The number of GPUs CuPy sees (0 without CuPy or a GPU)."""
    return backend.cuda_device_count()


def _gpu(index=None) -> Device:
    """``index`` (an int, ``"cuda:i"`` or a Device; None: the current GPU) as a checked CUDA Device."""
    dev = Device("cuda") if index is None else Device(index)
    if dev.type != "cuda":
        raise ValueError(f"autograd.cuda: expected a CUDA device, got {dev}")
    backend.cuda_module(dev)
    return dev


def current_device() -> int:
    """The index of the GPU a bare ``"cuda"`` means (0 unless changed with :class:`device` or :func:`set_device`)."""
    return backend.resolve(_gpu()).index


def set_device(device) -> None:
    """Make ``device`` (an int, ``"cuda:i"`` or a Device) the current GPU of this thread."""
    dev = _gpu(device)
    backend.cuda_module(dev).cuda.Device(dev.index).use()


def synchronize(device=None) -> None:
    """Wait for every kernel queued on ``device`` (default: the current GPU); time GPU work only after this."""
    backend.synchronize(_gpu(device))


def get_device_name(device=None) -> str:
    """The GPU's product name, e.g. ``'NVIDIA H100 80GB HBM3'``."""
    dev = backend.resolve(_gpu(device))
    name = backend.cuda_module(dev).cuda.runtime.getDeviceProperties(dev.index)["name"]
    return name.decode() if isinstance(name, bytes) else str(name)


def manual_seed(seed: int) -> None:
    """Seed the current GPU's generator (not the CPU's). Without a GPU this does nothing, as PyTorch's.

    >>> import autograd
    >>> autograd.cuda.manual_seed(0)
    """
    if is_available():
        random.seed_cuda(seed, current_device())


def manual_seed_all(seed: int) -> None:
    """Seed every GPU's generator (not the CPU's). Without a GPU this does nothing, as PyTorch's."""
    if is_available():
        random.seed_cuda(seed)


def seed() -> None:
    """Seed the current GPU's generator from fresh entropy (nothing without a GPU)."""
    manual_seed(int.from_bytes(os.urandom(8), "little") >> 1)


def seed_all() -> None:
    """Seed every GPU's generator from fresh entropy (nothing without a GPU)."""
    manual_seed_all(int.from_bytes(os.urandom(8), "little") >> 1)


class device:  # noqa: N801 - PyTorch's name (torch.cuda.device)
    """Context manager that makes GPU ``device`` current, so ``"cuda"`` means it inside the block.

    ``None`` or a negative index changes nothing, as PyTorch's. To make creation functions default to a device,
    use ``with autograd.device("cuda:1"):`` instead.
    """

    def __init__(self, device):
        self.index = None if device is None or (isinstance(device, int) and device < 0) else device
        self._ctx = None

    def __enter__(self):
        if self.index is not None:
            dev = _gpu(self.index)
            self._ctx = backend.cuda_module(dev).cuda.Device(dev.index)
            self._ctx.__enter__()
        return self

    def __exit__(self, *exc):
        if self._ctx is not None:
            ctx, self._ctx = self._ctx, None
            ctx.__exit__(*exc)
        return False

from . import compat as _compat  # noqa: E402
__getattr__ = _compat.module_getattr("torch.cuda", __name__)  # a PyTorch name denpa lacks: say so
