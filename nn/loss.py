"""Loss modules (the functional forms live in nn/functional/loss.py); arguments and defaults as PyTorch's.

A class weight given to a loss is kept as a buffer named ``weight`` (and
``pos_weight`` for BCEWithLogitsLoss), so it travels with ``state_dict`` as in PyTorch.
"""
from __future__ import annotations

from typing import Optional

from autograd import Tensor
from autograd.ops.util import as_var

from .functional.distance import triplet_margin_loss
from .functional import loss as L
from .module import Module

__all__ = ["MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss",
           "NLLLoss", "KLDivLoss", "TripletMarginLoss"]


class _Loss(Module):
    def __init__(self, reduction: str = "mean"):
        super().__init__()
        self.reduction = reduction


class _WeightedLoss(_Loss):
    def __init__(self, weight: Optional[Tensor] = None, reduction: str = "mean"):
        super().__init__(reduction)
        self.register_buffer("weight", None if weight is None else as_var(weight))


class MSELoss(_Loss):
    """Mean squared error: the squared differences ``(input - target) ** 2``, averaged or summed.

    Args:
      reduction: ``'none'`` (the element-wise losses, shaped as the input), ``'mean'`` (their mean, the
        default) or ``'sum'`` (their sum).

    Shape: input ``(*)``, target the same shape; the output a scalar, or ``(*)`` with ``reduction='none'``.

    >>> import autograd, nn
    >>> nn.MSELoss()(autograd.tensor([1.0, 3.0]), autograd.tensor([0.0, 1.0]))
    tensor(2.5000)
    """

    def forward(self, input, target):
        return L.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error.

    >>> import autograd, nn
    >>> nn.L1Loss(reduction='sum')(autograd.tensor([1.0, 3.0]), autograd.tensor([0.0, 1.0]))
    tensor(3.)
    """

    def forward(self, input, target):
        return L.l1_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """Quadratic below ``beta``, linear above.

    >>> import autograd, nn
    >>> nn.SmoothL1Loss(beta=0.5)(autograd.tensor([0.25, 2.0]), autograd.tensor([0.0, 0.0]))
    tensor(0.9062)
    """

    def __init__(self, reduction: str = "mean", beta: float = 1.0):
        super().__init__(reduction)
        self.beta = beta

    def forward(self, input, target):
        return L.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """Quadratic below ``delta``, linear (slope ``delta``) above.

    >>> import autograd, nn
    >>> nn.HuberLoss(delta=0.5)(autograd.tensor([0.25, 2.0]), autograd.tensor([0.0, 0.0]))
    tensor(0.4531)
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0):
        super().__init__(reduction)
        self.delta = delta

    def forward(self, input, target):
        return L.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy between probabilities and targets.

    >>> import autograd, nn
    >>> nn.BCELoss()(autograd.tensor([0.5, 1.0]), autograd.tensor([1.0, 1.0]))
    tensor(0.3466)
    """

    def forward(self, input, target):
        return L.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy on logits (a sigmoid folded in, stable for any logit); ``pos_weight`` weighs positives.

    >>> import autograd, nn
    >>> nn.BCEWithLogitsLoss()(autograd.tensor([0.0, 1e4]), autograd.tensor([1.0, 1.0]))
    tensor(0.3466)
    """

    def __init__(self, weight: Optional[Tensor] = None, reduction: str = "mean",
                 pos_weight: Optional[Tensor] = None):
        super().__init__(reduction)
        self.register_buffer("weight", None if weight is None else as_var(weight))
        self.register_buffer("pos_weight", None if pos_weight is None else as_var(pos_weight))

    def forward(self, input, target):
        return L.binary_cross_entropy_with_logits(input, target, weight=self.weight, reduction=self.reduction,
                                                  pos_weight=self.pos_weight)


class CrossEntropyLoss(_WeightedLoss):
    """Cross-entropy of logits against class indices or class probabilities.

    ``input`` holds unnormalised logits (``log_softmax`` is applied over the class dimension, dim 1);
    ``target`` is either class indices in ``[0, C)`` (int64) or class probabilities shaped like the input.

    Args:
      weight: a manual rescaling weight given to each class, a 1-D Tensor of size C (kept as the buffer
        ``weight``). Default None: every class weighs 1.
      ignore_index: a target value that is ignored and does not contribute to the input gradient; with
        ``reduction='mean'`` the loss is averaged over the non-ignored targets only. Class-index targets
        only. Default -100.
      reduction: ``'none'`` (one loss per sample), ``'mean'`` (the mean, weighted by the targets' class
        weights; the default) or ``'sum'``.
      label_smoothing: a float in [0.0, 1.0], the amount of smoothing: the target becomes a mix of the
        original and the uniform distribution, as in "Rethinking the Inception Architecture". Default 0.0.

    Shape: input ``(N, C)``, ``(C)`` or ``(N, C, d_1, ..., d_K)``; target ``(N)``, ``()`` or
    ``(N, d_1, ..., d_K)`` of indices, or the input's shape for probabilities; output a scalar, or the
    target's shape without C with ``reduction='none'``.

    >>> import autograd, nn
    >>> loss = nn.CrossEntropyLoss(label_smoothing=0.1)
    >>> loss(autograd.tensor([[2.0, 0.0, 0.0]]), autograd.tensor([0]))
    tensor(0.3729)
    """

    def __init__(self, weight: Optional[Tensor] = None, ignore_index: int = -100, reduction: str = "mean",
                 label_smoothing: float = 0.0):
        super().__init__(weight, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return L.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of class indices given log-probabilities.

    >>> import autograd, nn
    >>> nn.NLLLoss()(autograd.tensor([[-1.0, -2.0], [-3.0, -4.0]]), autograd.tensor([0, 1]))
    tensor(2.5000)
    """

    def __init__(self, weight: Optional[Tensor] = None, ignore_index: int = -100, reduction: str = "mean"):
        super().__init__(weight, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return L.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class KLDivLoss(_Loss):
    """KL divergence with the input as log-probabilities (``reduction='batchmean'`` for the true per-sample KL).

    >>> import autograd, nn
    >>> nn.KLDivLoss(reduction='batchmean')(autograd.tensor([[-1.0, -1.0]]), autograd.tensor([[0.5, 0.0]]))
    tensor(0.1534)
    """

    def __init__(self, reduction: str = "mean", log_target: bool = False):
        super().__init__(reduction)
        self.log_target = log_target

    def forward(self, input, target):
        return L.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class TripletMarginLoss(_Loss):
    """``max(d(a, p) - d(a, n) + margin, 0)`` with ``d`` the ``p``-norm pairwise distance (``swap``: the smaller of
    d(a, n) and d(p, n)).

    >>> import autograd, nn
    >>> a, pos, neg = autograd.zeros(1, 2), autograd.tensor([[3.0, 4.0]]), autograd.tensor([[0.0, 1.0]])
    >>> nn.TripletMarginLoss(margin=1.0, eps=0.0)(a, pos, neg)
    tensor(5.)
    """

    def __init__(self, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6, swap: bool = False,
                 reduction: str = "mean"):
        super().__init__(reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginLoss: margin must be greater than 0, got {margin}")
        self.margin, self.p, self.eps, self.swap = margin, p, eps, swap

    def forward(self, anchor, positive, negative):
        return triplet_margin_loss(anchor, positive, negative, self.margin, self.p, self.eps, self.swap,
                                   self.reduction)
