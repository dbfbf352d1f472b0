"""denpa.nn.functional: the functional form of every layer, activation and loss (``torch.nn.functional``)."""
from __future__ import annotations

from .activation import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .sparse import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .pool import *  # noqa: F401,F403
from .norm import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
from .rnn import *  # noqa: F401,F403
from .pixelshuffle import *  # noqa: F401,F403
from .upsampling import *  # noqa: F401,F403
from .distance import *  # noqa: F401,F403
from .feature_dropout import *  # noqa: F401,F403
from .instance_norm import *  # noqa: F401,F403
from .padding import *  # noqa: F401,F403

from autograd import compat as _compat  # noqa: E402
__getattr__ = _compat.module_getattr("torch.nn.functional", __name__)  # a PyTorch name denpa lacks: say so
