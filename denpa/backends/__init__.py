"""``denpa.backends``: PyTorch's switches for its vendor libraries, as ``torch.backends``.

denpa calls neither cuDNN nor Apple's MPS, so each ``is_available()`` is False and each flag (e.g.
``cudnn.benchmark = True``) is accepted and has no effect, as PyTorch documents for these flags on a machine
without that library. A script that sets them runs unchanged.

>>> import denpa
>>> denpa.backends.cudnn.benchmark = True
>>> denpa.backends.mps.is_available()
False
"""
from __future__ import annotations

from . import cudnn, mps  # noqa: F401
