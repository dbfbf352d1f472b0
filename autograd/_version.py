"""The one version of the ``denpa`` distribution: ``autograd``, ``nn``, ``optim`` and ``denpa`` all report it.

``pyproject.toml`` reads it from here (``[tool.setuptools.dynamic]``), so the
installed metadata, ``denpa --version`` and every ``__version__`` agree.

>>> import autograd, nn, optim, denpa
>>> autograd.__version__ == nn.__version__ == optim.__version__ == denpa.__version__
True
"""
__version__ = "0.1.0"
