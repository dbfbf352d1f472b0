"""``denpa.utils``: as ``torch.utils``; ``denpa.utils.data`` is ``autograd.data`` itself (datasets, samplers,
``DataLoader``), so ``from denpa.utils.data import DataLoader, TensorDataset`` works as in PyTorch.

>>> import denpa.utils.data, autograd.data
>>> denpa.utils.data is autograd.data
True
"""
from __future__ import annotations

from autograd import data  # noqa: F401
