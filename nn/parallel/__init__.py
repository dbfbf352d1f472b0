"""``nn.parallel``: DistributedDataParallel (data parallelism across the processes of ``denpa.distributed``)."""
from __future__ import annotations

from .distributed import DistributedDataParallel

__all__ = ["DistributedDataParallel"]
