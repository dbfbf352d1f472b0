"""Fused losses: binary cross-entropy on probabilities, and cross-entropy of logits against class indices.

Both are single ops for speed and stability (PyTorch's clamps and gradients); every other loss in
``nn.functional`` is composed from ops and gets its gradient from their rules.
"""
from __future__ import annotations

import math

from ..backend import array_module
from ..node import Node, needs


def _clamped_logs(x, xp):
    """``log(x)`` and ``log(1 - x)``, each at least -100, as PyTorch clamps them (so x = 0 or 1 stays finite).

    ``log(1 - x)`` is taken as ``log1p(-x)``: ``1 - x`` rounds away most digits of a small ``x`` (at 1e-12,
    four significant digits of the loss would be lost in float64)."""
    def clamp(logs):
        return xp.maximum(logs, -100).astype(x.dtype, copy=False)

    return clamp(xp.log(x)), clamp(xp.log1p(-x))


class BinaryCrossEntropy(Node):
    """``-(t log x + (1 - t) log(1 - x))`` elementwise, the logs clamped at -100; gradient as PyTorch's:
    ``(x - t) / max(x (1 - x), 1e-12)``."""

    __slots__ = ()
    save_inputs = True

    def forward(self, x, t):
        lx, l1x = _clamped_logs(x, array_module(x))
        return -(t * lx + (1 - t) * l1x)

    def backward(self, g, xs, out, F):
        x, t = xs
        gx = gt = None
        if needs(self, 0):
            gx = g * (x - t) / F.maximum((1 - x) * x, 1e-12)
        if needs(self, 1):
            if F.graph:
                gt = g * (F.log(F.maximum(1 - x, 1e-44)) - F.log(F.maximum(x, 1e-44)))
            else:
                lx, l1x = _clamped_logs(x, F.xp)
                gt = g * (l1x - lx)
        return gx, gt


class CrossEntropy(Node):
    """Mean/sum/none of ``logsumexp(x_i) - x_i[t_i]`` over rows of ``x`` (N, C); backward ``softmax - onehot``.

    Holds the exponentials from forward until backward, so backward costs one product."""

    __slots__ = ("target", "valid", "count", "reduction", "exps", "inv_sums")
    save_inputs = True

    def forward(self, x):
        xp = array_module(x)
        rows = xp.arange(x.shape[0])
        z = x - x.max(axis=1, keepdims=True)
        e = xp.exp(z)
        s = e.sum(axis=1, keepdims=True)
        loss = xp.log(s[:, 0]) - z[rows, self.target]
        if self.valid is not None:
            loss *= self.valid
        self.exps, self.inv_sums = e, 1.0 / s
        if self.reduction == "none":
            return loss
        total = loss.sum()
        if self.reduction == "sum":
            return total
        return total / self.count if self.count else total * math.nan  # every target ignored: NaN, as PyTorch

    def backward(self, g, xs, out, F):
        x = xs[0]
        n, c = F.shape(x)
        e, self.exps = self.exps, None
        if F.graph:  # softmax as ops on x, so it differentiates again
            m = x.array.max(axis=1, keepdims=True)
            ez = F.exp(x - m)
            p = ez / F.sum(ez, axis=1, keepdims=True)
            d = p - _onehot(self.target, c, x.array)
        else:
            xp = F.xp
            if e is None:  # a retained graph's second backward
                e = xp.exp(x - x.max(axis=1, keepdims=True))
                self.inv_sums = 1.0 / e.sum(axis=1, keepdims=True)
            d = e
            d *= self.inv_sums
            d[xp.arange(n), self.target] -= 1
        if self.valid is not None:
            d = d * self.valid[:, None]
        if self.reduction == "none":
            return (d * F.reshape(g, (n, 1)),)
        if self.reduction == "mean":
            g = g / self.count if self.count else g * 0  # PyTorch's gradient when every target is ignored
        return (d * g,)


def _onehot(t, c, like):
    xp = array_module(like)
    out = xp.zeros((t.shape[0], c), dtype=like.dtype)
    out[xp.arange(t.shape[0]), t] = 1
    return out
