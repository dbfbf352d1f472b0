"""Losses, with PyTorch's reductions (``'mean'``, ``'sum'``, ``'none'``) and weighting rules.

Most are composed from autograd ops, so their gradients (of any order) come
from the ops' rules. Two are fused ops for speed and stability:
cross-entropy over class indices (the training hot path: log-softmax and the
pick in one pass, ``softmax - onehot`` back) and binary cross-entropy (whose
clamped logarithms need PyTorch's own gradient formula to stay finite at 0 and 1).
"""
from __future__ import annotations

import math
import warnings
from typing import Optional

from autograd import Tensor
from autograd.backend import array_module
from autograd.ops import abs as _abs
from autograd.ops import exp, log, log_softmax, softplus, where
from autograd.ops.loss import BinaryCrossEntropy, CrossEntropy
from autograd.ops.util import as_var

__all__ = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss", "kl_div"]

_REDUCTIONS = ("mean", "sum", "none")


def _reduce(loss, reduction):
    """Apply a reduction already checked by :func:`_check_reduction`."""
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss


def _check_reduction(op, reduction, extra=()):
    if reduction not in _REDUCTIONS + tuple(extra):
        raise ValueError(f"{op}: reduction must be one of {_REDUCTIONS + tuple(extra)}, got {reduction!r}")


def _pair(op, input, target, reduction, same_shape=False, extra=()):
    """Both operands as Tensors once the reduction is known; a size mismatch is an error (``same_shape``) or,
    as PyTorch, a warning."""
    _check_reduction(op, reduction, extra)
    x, t = as_var(input), as_var(target)
    if tuple(x.shape) != tuple(t.shape):
        msg = (f"{op}: target size {tuple(t.shape)} is different from the input size {tuple(x.shape)}")
        if same_shape:
            raise ValueError(msg + "; make them the same shape")
        warnings.warn(msg + "; they will broadcast, which is likely not what you want", UserWarning, stacklevel=3)
    return x, t


# -- regression losses -------------------------------------------------------------------------------------

def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Squared error ``(input - target) ** 2``, reduced.

    >>> import autograd
    >>> from nn.functional import mse_loss
    >>> mse_loss(autograd.tensor([1.0, 3.0]), autograd.tensor([0.0, 1.0]))
    tensor(2.5000)
    """
    x, t = _pair("mse_loss", input, target, reduction)
    d = x - t
    return _reduce(d * d, reduction)


def l1_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Absolute error ``|input - target|``, reduced (gradient 0 where they are equal, as PyTorch).

    >>> import autograd
    >>> from nn.functional import l1_loss
    >>> l1_loss(autograd.tensor([1.0, 3.0]), autograd.tensor([0.0, 1.0]))
    tensor(1.5000)
    """
    x, t = _pair("l1_loss", input, target, reduction)
    return _reduce(_abs(x - t), reduction)


def smooth_l1_loss(input: Tensor, target: Tensor, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """``0.5 d**2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta`` (``beta=0`` is the L1 loss).

    >>> import autograd
    >>> from nn.functional import smooth_l1_loss
    >>> smooth_l1_loss(autograd.tensor([0.5, 3.0]), autograd.tensor([0.0, 0.0]), reduction='none')
    tensor([0.1250, 2.5000])
    """
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    x, t = _pair("smooth_l1_loss", input, target, reduction)
    d = x - t
    ad = _abs(d)
    if beta == 0:
        return _reduce(ad, reduction)
    return _reduce(where(ad.array < beta, d * d * (0.5 / beta), ad - 0.5 * beta), reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """``0.5 d**2`` where ``|d| < delta``, else ``delta (|d| - 0.5 delta)``.

    >>> import autograd
    >>> from nn.functional import huber_loss
    >>> huber_loss(autograd.tensor([0.5, 3.0]), autograd.tensor([0.0, 0.0]), reduction='none', delta=2.0)
    tensor([0.1250, 4.0000])
    """
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    x, t = _pair("huber_loss", input, target, reduction)
    d = x - t
    ad = _abs(d)
    return _reduce(where(ad.array < delta, d * d * 0.5, (ad - 0.5 * delta) * delta), reduction)


# -- binary cross-entropy ------------------------------------------------------------------------------------


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Optional[Tensor] = None,
                         reduction: str = "mean") -> Tensor:
    """Cross-entropy between probabilities ``input`` and targets in [0, 1]; ``weight`` rescales each element.

    >>> import autograd
    >>> from nn.functional import binary_cross_entropy
    >>> binary_cross_entropy(autograd.tensor([0.5, 1.0]), autograd.tensor([1.0, 1.0]))
    tensor(0.3466)
    """
    op = "binary_cross_entropy"
    x, t = _pair(op, input, target, reduction, same_shape=True)
    d = x.array
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: expected floating-point probabilities, got {x.dtype}")
    outside = ~((d >= 0) & (d <= 1))  # NaN is outside too: a loss that hid it would keep the NaN guard quiet
    if bool(outside.any()):
        bad = d[outside]
        raise RuntimeError(f"{op}: all elements of input should be between 0 and 1, got {int(bad.size)} outside "
                           f"(e.g. {float(bad.reshape(-1)[0]):g}); apply sigmoid first, or use "
                           "binary_cross_entropy_with_logits on the logits")
    td = t.array
    if bool(((td < 0) | (td > 1)).any()):  # as PyTorch: labels outside [0, 1] give a meaningless loss
        bad = td[(td < 0) | (td > 1)]
        raise RuntimeError(f"{op}: all elements of target should be between 0 and 1, got {int(bad.size)} outside "
                           f"(e.g. {float(bad.reshape(-1)[0]):g})")
    loss = BinaryCrossEntropy().apply2(x, t if t.requires_grad else t.array.astype(x.dtype, copy=False))
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Optional[Tensor] = None,
                                     reduction: str = "mean", pos_weight: Optional[Tensor] = None) -> Tensor:
    """``binary_cross_entropy(sigmoid(input), target)`` computed stably from the logits.

    ``pos_weight`` multiplies the positive term (broadcast along the last, class, dimension).

    >>> import autograd
    >>> from nn.functional import binary_cross_entropy_with_logits
    >>> binary_cross_entropy_with_logits(autograd.tensor([0.0, 1e4]), autograd.tensor([1.0, 1.0]))
    tensor(0.3466)
    """
    op = "binary_cross_entropy_with_logits"
    x, t = _pair(op, input, target, reduction, same_shape=True)
    # (1 - t) x + (1 + (pw - 1) t) softplus(-x): softplus never overflows, and is exact with no threshold
    sp = softplus(-x, 1.0, math.inf)
    if pos_weight is not None:
        sp = sp * ((as_var(pos_weight) - 1) * t + 1)
    loss = (1 - t) * x + sp
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


# -- cross-entropy and negative log-likelihood --------------------------------------------------------------

def _class_targets(op, x, target):
    """Integer class targets as an array of the right shape for input ``x`` (C,), (N, C) or (N, C, d1, ...)."""
    t = target.array if isinstance(target, Tensor) else array_module(x.array).asarray(target)
    if t.dtype.kind not in "iu":
        raise TypeError(f"{op}: expected integer class indices as target, got {t.dtype} "
                        "(for class probabilities pass a float target of the input's shape to cross_entropy)")
    want = () if x.ndim == 1 else (x.shape[0],) + tuple(x.shape[2:])
    if tuple(t.shape) != want:
        raise ValueError(f"{op}: expected target of shape {want} for input {tuple(x.shape)}, got {tuple(t.shape)}")
    return t


def _check_bounds(op, t, valid, c, xp):
    bad = valid & ((t < 0) | (t >= c))
    if bool(bad.any()):
        raise IndexError(f"{op}: Target {int(t[bad].reshape(-1)[0])} is out of bounds for {c} classes "
                         f"(expected 0 <= target < {c}, or the ignore_index)")


def _check_weight(op, weight, c):
    if weight is not None and tuple(weight.shape) != (c,):
        raise ValueError(f"{op}: expected weight of shape ({c},) (one per class), got {tuple(weight.shape)}")


def _rows(x):
    """``x`` (C,), (N, C) or (N, C, d1, ...) as (M, C) rows, class axis last."""
    if x.ndim == 1:
        return x.reshape(1, -1)
    if x.ndim > 2:
        x = x.permute(0, *range(2, x.ndim), 1)
    return x.reshape(-1, x.shape[-1])


def _nll(op, logp, t, weight, ignore_index, reduction):
    """PyTorch's nll_loss on log-probabilities ``logp`` with integer targets ``t``; also the per-row weights."""
    c = logp.shape[0] if logp.ndim == 1 else logp.shape[1]
    xp = array_module(logp.array)
    flat_t = t.reshape(-1)
    valid = flat_t != ignore_index
    _check_bounds(op, flat_t, valid, c, xp)
    safe = xp.where(valid, flat_t, 0)
    rows = _rows(logp)
    picked = rows[xp.arange(rows.shape[0]), safe]
    w = valid.astype(logp.dtype) if weight is None else xp.where(valid, weight.array[safe], 0).astype(logp.dtype)
    loss = -picked * w
    if reduction == "none":
        return loss.reshape(tuple(t.shape)), w
    if reduction == "sum":
        return loss.sum(), w
    return _weighted_mean(loss.sum(), w), w


def _weighted_mean(total, w):
    """``total / sum(w)``; NaN with a zero gradient when the weights sum to 0 (every target ignored), as PyTorch."""
    wsum = float(w.sum())
    return total / wsum if wsum != 0 else total * 0.0 + math.nan


def nll_loss(input: Tensor, target: Tensor, weight: Optional[Tensor] = None, ignore_index: int = -100,
             reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of class indices given log-probabilities ``input`` (N, C) or (N, C, d1, ...).

    The weighted mean divides by the summed weights of the targets that are not ``ignore_index``.

    >>> import autograd
    >>> from nn.functional import nll_loss
    >>> nll_loss(autograd.tensor([[-1.0, -2.0], [-3.0, -4.0]]), autograd.tensor([0, 1]))
    tensor(2.5000)
    """
    op = "nll_loss"
    _check_reduction(op, reduction)
    x = as_var(input)
    if x.ndim < 1:
        raise ValueError(f"{op}: expected input of shape (C,), (N, C) or (N, C, d1, ...), got {tuple(x.shape)}")
    _check_weight(op, weight, x.shape[0] if x.ndim == 1 else x.shape[1])
    return _nll(op, x, _class_targets(op, x, target), weight, ignore_index, reduction)[0]


def _fused_cross_entropy(op, x, t, ignore_index, reduction):
    xp = array_module(x.array)
    node = CrossEntropy()
    valid = t != ignore_index
    if bool(valid.all()):
        _check_bounds(op, t, valid, x.shape[1], xp)
        node.target, node.valid, node.count = t, None, t.shape[0]
    else:
        _check_bounds(op, t, valid, x.shape[1], xp)
        node.target, node.valid = xp.where(valid, t, 0), valid.astype(x.dtype)
        node.count = int(valid.sum())
    node.reduction = reduction
    out = node.apply1(x)
    if not out.requires_grad:
        node.exps = node.inv_sums = None
    return out


def cross_entropy(input: Tensor, target: Tensor, weight: Optional[Tensor] = None, ignore_index: int = -100,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy of logits ``input`` (C,), (N, C) or (N, C, d1, ...) against ``target``.

    ``target`` holds class indices (integers, shape (N,) or (N, d1, ...)) or class probabilities (floats, the
    input's shape). ``weight`` rescales each class; ``ignore_index`` skips targets (index targets only);
    ``label_smoothing`` mixes the target with the uniform distribution. The weighted mean divides by the
    summed weights of the counted targets, as PyTorch; with probabilities it divides by N (times d1...).

    >>> import autograd
    >>> from nn.functional import cross_entropy
    >>> cross_entropy(autograd.tensor([[0.0, 0.0], [1e4, 0.0]]), autograd.tensor([0, 0]))
    tensor(0.3466)
    """
    op = "cross_entropy"
    _check_reduction(op, reduction)
    x = as_var(input)
    if x.ndim < 1:
        raise ValueError(f"{op}: expected input of shape (C,), (N, C) or (N, C, d1, ...), got {tuple(x.shape)}")
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: expected floating-point logits, got {x.dtype}")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{op}: label_smoothing must be between 0.0 and 1.0, got {label_smoothing}")
    cdim = 0 if x.ndim == 1 else 1
    c = x.shape[cdim]
    _check_weight(op, weight, c)
    tdtype = target.dtype if hasattr(target, "dtype") else array_module(x.array).asarray(target).dtype
    if tdtype.kind == "f":
        if ignore_index != -100:  # PyTorch's rule: there is no class index to ignore in a distribution
            raise RuntimeError(f"{op}: ignore_index is not supported for floating point target (got "
                               f"ignore_index={ignore_index} with a {tdtype} target of class probabilities)")
        return _cross_entropy_probs(op, x, as_var(target), weight, reduction, label_smoothing, cdim)
    t = _class_targets(op, x, target)
    if x.ndim == 2 and weight is None and label_smoothing == 0.0:
        return _fused_cross_entropy(op, x, t, ignore_index, reduction)
    logp = log_softmax(x, dim=cdim)
    nll, w = _nll(op, logp, t, weight, ignore_index, reduction)
    if label_smoothing == 0.0:
        return nll
    # PyTorch's smoothing term: -sum_c w_c logp_c per target, ignored targets dropped, the same denominator
    wl = logp if weight is None else logp * as_var(weight).reshape((c,) + (1,) * (x.ndim - cdim - 1))
    smooth = -wl.sum(axis=cdim)
    valid = (t != ignore_index)
    smooth = smooth * valid.astype(x.dtype)
    if reduction == "none":
        smooth_red = smooth
    elif reduction == "sum":
        smooth_red = smooth.sum()
    else:
        smooth_red = _weighted_mean(smooth.sum(), w)
    return nll * (1 - label_smoothing) + smooth_red * (label_smoothing / c)


def _cross_entropy_probs(op, x, t, weight, reduction, label_smoothing, cdim):
    if tuple(t.shape) != tuple(x.shape):
        raise ValueError(f"{op}: class-probability targets must have the input's shape {tuple(x.shape)}, got "
                         f"{tuple(t.shape)} (for class indices pass an integer target)")
    c = x.shape[cdim]
    if label_smoothing > 0:
        t = t * (1 - label_smoothing) + label_smoothing / c
    prod = log_softmax(x, dim=cdim) * t
    if weight is not None:
        prod = prod * as_var(weight).reshape((c,) + (1,) * (x.ndim - cdim - 1))
    if reduction == "none":
        return -prod.sum(axis=cdim)
    total = -prod.sum()
    return total if reduction == "sum" else total / (x.array.size // c)


# -- KL divergence ------------------------------------------------------------------------------------------

def kl_div(input: Tensor, target: Tensor, reduction: str = "mean", log_target: bool = False) -> Tensor:
    """KL divergence with ``input`` as log-probabilities: ``target * (log(target) - input)`` (0 where target is 0).

    ``reduction='batchmean'`` divides the sum by the batch size, the true KL divergence per sample;
    ``'mean'`` averages over every element, as PyTorch. ``log_target=True`` takes ``target`` as log-probabilities.

    >>> import autograd
    >>> from nn.functional import kl_div
    >>> kl_div(autograd.tensor([[-1.0, -1.0]]), autograd.tensor([[0.5, 0.0]]), reduction='batchmean')
    tensor(0.1534)
    """
    op = "kl_div"
    x, t = _pair(op, input, target, reduction, extra=("batchmean",))
    if log_target:
        loss = exp(t) * (t - x)
    else:
        nz = t.array != 0
        # xlogy(t, t): 0 where t == 0 (log of a safe value keeps the unused branch finite), NaN below 0 as PyTorch
        loss = where(nz, t * log(where(nz, t, 1.0)), 0.0) - t * x
    if reduction == "batchmean":
        total = loss.sum()
        return total / x.shape[0] if x.ndim else total
    return _reduce(loss, reduction)
