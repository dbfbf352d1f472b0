"""``nn.modules``: PyTorch's file names for the layer modules, so ``nn.modules.batchnorm.BatchNorm2d`` and
``from torch.nn.modules.loss import _Loss`` (with ``import denpa as torch``) find denpa's classes.

Each name is the very module that holds the classes here (``nn.modules.batchnorm is nn.norm``), not a copy.

>>> import nn
>>> nn.modules.batchnorm.BatchNorm2d is nn.BatchNorm2d
True
"""
from __future__ import annotations

import importlib
import sys

#: PyTorch's file under torch/nn/modules -> the module of nn that holds those classes
FILES = {
    "activation": "activation", "batchnorm": "norm", "normalization": "norm", "instancenorm": "instancenorm",
    "container": "containers", "conv": "conv", "dropout": "dropout", "flatten": "flatten", "linear": "linear",
    "loss": "loss", "module": "module", "pooling": "pooling", "rnn": "rnn", "sparse": "sparse",
    "transformer": "transformer", "pixelshuffle": "pixelshuffle", "upsampling": "upsampling",
    "distance": "distance",
}

_PARENT = __name__.rsplit(".", 1)[0]

for _torch_file, _ours in FILES.items():
    _file = importlib.import_module(f"{_PARENT}.{_ours}")
    sys.modules[f"{__name__}.{_torch_file}"] = _file  # `import nn.modules.batchnorm` finds it
    globals()[_torch_file] = _file

from ..module import Module as _Module  # noqa: E402

# as in torch.nn.modules, every public layer class at the top too
for _file in {id(m): m for m in (globals()[t] for t in FILES)}.values():
    globals().update({name: obj for name, obj in vars(_file).items()
                      if isinstance(obj, type) and issubclass(obj, _Module) and not name.startswith("_")})
