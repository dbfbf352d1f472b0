"""CosineSimilarity and PairwiseDistance (their functional forms, and ``triplet_margin_loss``, are in nn.functional).

>>> import autograd, nn
>>> a, b = autograd.tensor([[1.0, 0.0]]), autograd.tensor([[1.0, 1.0]])
>>> nn.CosineSimilarity()(a, b)
tensor([0.7071])
>>> nn.PairwiseDistance()(a, b)
tensor([1.0000])
"""
from __future__ import annotations

from autograd import Tensor

from .functional.distance import cosine_similarity, pairwise_distance
from .module import Module

__all__ = ["CosineSimilarity", "PairwiseDistance"]


class CosineSimilarity(Module):
    """Cosine similarity of two inputs along ``dim``."""

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """The ``p``-norm distance between rows of two inputs (over the last dimension)."""

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
