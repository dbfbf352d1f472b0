"""denpa.nn: modules, layers, losses and initialisers, named as in ``torch.nn``.

>>> import autograd, nn
>>> layer = nn.Linear(3, 2)
>>> layer(autograd.randn(4, 3)).shape
(4, 2)
"""
from __future__ import annotations

from autograd import __version__  # noqa: F401  (one version for the distribution)

from . import functional, init, utils  # noqa: F401
from .parameter import *  # noqa: F401,F403
from .module import *  # noqa: F401,F403
from .containers import *  # noqa: F401,F403
from .serialization import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .activation import *  # noqa: F401,F403
from .flatten import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .sparse import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .norm import *  # noqa: F401,F403
from .sync_batchnorm import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .rnn import *  # noqa: F401,F403
from .transformer import *  # noqa: F401,F403
from .instancenorm import *  # noqa: F401,F403
from .pixelshuffle import *  # noqa: F401,F403
from .upsampling import *  # noqa: F401,F403
from .distance import *  # noqa: F401,F403

from . import parallel  # noqa: E402,F401
from . import modules  # noqa: E402,F401  (last: it maps PyTorch file names onto the modules above)

from autograd import compat as _compat  # noqa: E402
__getattr__ = _compat.module_getattr("torch.nn", __name__)  # a PyTorch name denpa lacks: say so
