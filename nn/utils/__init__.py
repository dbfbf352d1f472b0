"""nn.utils: gradient clipping and parameter/vector conversion."""
from __future__ import annotations

from .clip_grad import *  # noqa: F401,F403
from .convert_parameters import *  # noqa: F401,F403

from autograd import compat as _compat  # noqa: E402
__getattr__ = _compat.module_getattr("torch.nn.utils", __name__)  # a PyTorch name denpa lacks: say so
