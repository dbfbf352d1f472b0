"""The errors distributed code raises, with PyTorch's names (``torch.distributed.DistError`` and kin)."""
from __future__ import annotations

__all__ = ["DistError", "DistBackendError", "PeerFailure"]


class DistError(RuntimeError):
    """Base of every error this package raises about the process group (a ``RuntimeError``, as PyTorch's)."""


class DistBackendError(DistError):
    """A collective failed or timed out: a peer died, stalled or called something else."""


class PeerFailure(DistBackendError):
    """Another rank reported that it failed; ``rank`` names it and ``reason`` says what it raised.

    >>> str(PeerFailure(1, "ValueError: boom", "all_reduce"))
    'all_reduce: rank 1 failed (ValueError: boom); stopping this rank too'
    """

    def __init__(self, rank: int, reason: str, during: str):
        self.rank, self.reason = rank, reason
        super().__init__(f"{during}: rank {rank} failed ({reason}); stopping this rank too")
