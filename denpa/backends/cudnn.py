"""``torch.backends.cudnn`` as denpa has it: denpa does not call cuDNN, so the flags change nothing.

CUDA convolutions in denpa are CuPy matrix products (im2col), not cuDNN calls; ``enabled``, ``benchmark``,
``deterministic`` and ``allow_tf32`` keep what a script sets, for it to read back, and have no effect.

>>> import denpa.backends.cudnn as cudnn
>>> cudnn.is_available(), cudnn.version()
(False, None)
"""
from __future__ import annotations

enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available() -> bool:
    """False: denpa never uses cuDNN (see the module's note)."""
    return False


def version():
    """None: no cuDNN is loaded by denpa."""
    return None
