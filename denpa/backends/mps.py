"""``torch.backends.mps``: Apple's Metal GPUs. denpa runs on the CPU (NumPy) and NVIDIA GPUs (CuPy) only.

>>> import denpa.backends.mps as mps
>>> mps.is_available(), mps.is_built()
(False, False)
"""
from __future__ import annotations


def is_available() -> bool:
    """False: denpa has no Metal backend."""
    return False


def is_built() -> bool:
    """False: denpa has no Metal backend."""
    return False
